package courses

import (
	"context"
	"encoding/hex"
	"time"

	"github.com/jmoiron/sqlx"
)

// PasswordResetTTL is how long a reset link works.
const PasswordResetTTL = time.Hour

// maxResetsPerHour bounds reset mails to one person, so the form cannot be used to flood an inbox.
const maxResetsPerHour = 3

// RequestPasswordReset emails a single-use reset link to the active person with this email. It
// answers the same whether or not such a person exists, so it cannot be used to probe for
// accounts.
func (s *Store) RequestPasswordReset(ctx context.Context, email string) error {
	email, msg := NormaliseEmail(email)
	if msg != "" {
		return FieldError("email", msg)
	}
	token, hash, err := NewToken()
	if err != nil {
		return err
	}
	now := s.Now()
	// Before sign-in the email is all there is; the person may be an operator of no
	// organisation. The lock on the person must cover the count and the insert, so it stays one
	// system transaction.
	return s.sysTx(ctx, func(tx *sqlx.Tx) error {
		var p struct {
			ID      string  `db:"id"`
			Name    string  `db:"name"`
			Email   string  `db:"email"`
			OrgID   *string `db:"org_id"`
			OrgName *string `db:"org_name"`
		}
		err := tx.GetContext(ctx, &p, `
			SELECT p.id, p.name, p.email, p.org_id, o.name AS org_name
			FROM people p LEFT JOIN organisations o ON o.id = p.org_id
			WHERE lower(p.email) = lower($1) AND p.active
			FOR UPDATE OF p`, email)
		if ErrorCode(dbError(err)) == NotFound {
			return nil
		}
		if err != nil {
			return dbError(err)
		}
		var recent int
		if err := tx.GetContext(ctx, &recent, `
			SELECT count(*) FROM password_resets WHERE person_id = $1 AND created_at > $2`,
			p.ID, now.Add(-time.Hour)); err != nil {
			return dbError(err)
		}
		if recent >= maxResetsPerHour {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO password_resets (token_hash, person_id, created_at, expires_at)
			VALUES ($1, $2, $3, $4)`, hash, p.ID, now, now.Add(PasswordResetTTL)); err != nil {
			return dbError(err)
		}
		orgID, orgName := "", ""
		if p.OrgID != nil {
			orgID, orgName = *p.OrgID, *p.OrgName
		}
		return addOutbox(ctx, tx, TaskEmailSend, orgID, Email{
			Key: "password-reset:" + hex.EncodeToString(hash[:8]), To: p.Email, ToName: p.Name,
			Template: "password_reset", OrgName: orgName,
			Data: map[string]string{"link": s.link("/reset/" + token), "minutes": "60"},
		})
	})
}

// CompletePasswordReset sets a new password with a reset token, uses the token up and ends every
// session of that person.
func (s *Store) CompletePasswordReset(ctx context.Context, token, password string) error {
	if m := CheckPassword(password); m != "" {
		return FieldError("password", m)
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	now := s.Now()
	// The token is all there is; the lock on it must cover its use, so it stays one system
	// transaction.
	return s.sysTx(ctx, func(tx *sqlx.Tx) error {
		var r struct {
			PersonID  string     `db:"person_id"`
			ExpiresAt time.Time  `db:"expires_at"`
			UsedAt    *time.Time `db:"used_at"`
		}
		err := tx.GetContext(ctx, &r, `
			SELECT person_id, expires_at, used_at FROM password_resets WHERE token_hash = $1 FOR UPDATE`,
			HashToken(token))
		if ErrorCode(dbError(err)) == NotFound {
			return Errorf(NotFound, "This reset link is not valid. Check that you copied all of it.")
		}
		if err != nil {
			return dbError(err)
		}
		if r.UsedAt != nil {
			return Errorf(Gone, "This reset link was already used. Ask for a new one if you need to.")
		}
		if !now.Before(r.ExpiresAt) {
			return Errorf(Gone, "This reset link has expired. Ask for a new one.")
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE people SET password_hash = $2, updated_at = $3 WHERE id = $1`, r.PersonID, hash, now); err != nil {
			return dbError(err)
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE password_resets SET used_at = $2 WHERE token_hash = $1`, HashToken(token), now); err != nil {
			return dbError(err)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE person_id = $1`, r.PersonID)
		return dbError(err)
	})
}

// FindPasswordResetEmail returns the email of the account a usable reset token belongs to.
func (s *Store) FindPasswordResetEmail(ctx context.Context, token string) (string, error) {
	var email string
	// The token is all there is.
	err := s.sysTx(ctx, func(tx *sqlx.Tx) error {
		return dbError(tx.GetContext(ctx, &email, `
			SELECT p.email FROM password_resets r JOIN people p ON p.id = r.person_id
			WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > $2`, HashToken(token), s.Now()))
	})
	return email, err
}

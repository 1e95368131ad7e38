package courses

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Session lifetimes: a session ends after 30 minutes without a request, and 12 hours after
// sign-in whatever happens.
const (
	SessionIdle     = 30 * time.Minute
	SessionAbsolute = 12 * time.Hour
	// sessionTouch bounds how often a busy session's last-seen time is written.
	sessionTouch = time.Minute
)

var errBadLogin = &Error{Code: Unauthorized, Message: "The email or password is not right."}

// Authenticate checks an email and password. An unknown email, a deactivated person and a wrong
// password get the same error and take the same time.
func (s *Store) Authenticate(ctx context.Context, email, password string) (*Principal, error) {
	var row struct {
		ID           string `db:"id"`
		PasswordHash string `db:"password_hash"`
	}
	// Sign-in comes before anyone's organisation is known.
	err := s.sysTx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &row, `
			SELECT id, password_hash FROM people WHERE lower(email) = lower($1) AND active`,
			strings.TrimSpace(email))
	})
	if err != nil {
		if ErrorCode(dbError(err)) == NotFound {
			VerifyPassword(dummyHash, password)
			return nil, errBadLogin
		}
		return nil, dbError(err)
	}
	if !VerifyPassword(row.PasswordHash, password) {
		return nil, errBadLogin
	}
	return s.FindPrincipal(ctx, row.ID)
}

// CreateSession starts a session for a person and returns its token, which only the caller
// ever sees.
func (s *Store) CreateSession(ctx context.Context, personID string) (string, error) {
	token, hash, err := NewToken()
	if err != nil {
		return "", err
	}
	now := s.Now()
	err = s.sysTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO sessions (token_hash, person_id, created_at, last_seen_at, expires_at)
			VALUES ($1, $2, $3, $3, $4)`, hash, personID, now, now.Add(SessionAbsolute))
		return err
	})
	return token, dbError(err)
}

// sessionQuery reads through session_principal (migration 0011): the session comes before its
// organisation is known, and every request pays for it.
const sessionQuery = `SELECT * FROM session_principal($1)`

// FindSession returns the principal of a live session and records that it was used. An idle or
// expired session is deleted and answers Unauthorized.
func (s *Store) FindSession(ctx context.Context, token string) (*Principal, error) {
	if token == "" {
		return nil, Errorf(Unauthorized, "Please sign in.")
	}
	hash := HashToken(token)
	now := s.Now()
	// One round trip for the session, the person and their organisation: every request pays it.
	var row struct {
		Person
		LastSeenAt time.Time      `db:"last_seen_at"`
		ExpiresAt  time.Time      `db:"expires_at"`
		OrgSlug    sql.NullString `db:"org_slug"`
		OrgName    sql.NullString `db:"org_name"`
	}
	st, err := s.prepared(ctx, sessionQuery)
	if err == nil {
		err = st.GetContext(ctx, &row, hash)
	}
	if err != nil {
		if ErrorCode(dbError(err)) == NotFound {
			return nil, Errorf(Unauthorized, "Please sign in.")
		}
		return nil, dbError(err)
	}
	if !now.Before(row.ExpiresAt) || !now.Before(row.LastSeenAt.Add(SessionIdle)) || !row.Active {
		if err := s.DeleteSession(ctx, token); err != nil {
			return nil, err
		}
		if !row.Active {
			return nil, Errorf(Unauthorized, "Please sign in.")
		}
		return nil, Errorf(Unauthorized, "Your session has ended. Please sign in again.")
	}
	p := &Principal{Person: row.Person}
	if row.OrgID.Valid {
		p.Organisation = &Organisation{ID: row.OrgID.String, Slug: row.OrgSlug.String, Name: row.OrgName.String}
	}
	if now.Sub(row.LastSeenAt) >= sessionTouch {
		if err := s.sysTx(ctx, func(tx *sqlx.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1`, hash, now)
			return err
		}); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// DeleteSession ends a session. Ending one that does not exist is not an error.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	return s.sysTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, HashToken(token))
		return err
	})
}

// DeleteExpiredSessions removes sessions that can no longer be used and returns how many.
func (s *Store) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	now := s.Now()
	var n int64
	err := s.sysTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `
			DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2`, now, now.Add(-SessionIdle))
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	return n, err
}

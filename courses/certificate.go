package courses

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

// Certificate statuses, as the public verification page says them.
const (
	CertificateValid   = "valid"
	CertificateExpired = "expired"
	CertificateRevoked = "revoked"
)

// Certificate records that a person completed a course in one certification cycle.
type Certificate struct {
	ID            string     `db:"id"`
	OrgID         string     `db:"org_id"`
	PersonID      string     `db:"person_id"`
	CourseID      string     `db:"course_id"`
	CompletionID  string     `db:"completion_id"`
	Cycle         int        `db:"cycle"`
	Number        string     `db:"number"`
	VerifyCode    string     `db:"verify_code"`
	PersonName    string     `db:"person_name"`
	CourseSlug    string     `db:"course_slug"`
	CourseTitle   string     `db:"course_title"`
	CourseVersion int        `db:"course_version"`
	OrgName       string     `db:"org_name"`
	IssuedAt      time.Time  `db:"issued_at"`
	ExpiresAt     *time.Time `db:"expires_at"`
	RevokedAt     *time.Time `db:"revoked_at"`
	RevokedReason string     `db:"revoked_reason"`
	Credential    string     `db:"credential"`
	KeyID         string     `db:"key_id"`
	// Filled in for a draft only: what the credential's criteria say.
	CourseSummary string `db:"-"`
	Criteria      string `db:"-"`
}

// Status is valid, expired or revoked at now.
func (c *Certificate) Status(now time.Time) string {
	switch {
	case c.RevokedAt != nil:
		return CertificateRevoked
	case c.ExpiresAt != nil && !now.Before(*c.ExpiresAt):
		return CertificateExpired
	}
	return CertificateValid
}

const certificateColumns = `c.id, c.org_id, c.person_id, c.course_id, c.completion_id, c.cycle, c.number, c.verify_code,
	c.person_name, c.course_slug, c.course_title, c.course_version, c.org_name, c.issued_at, c.expires_at, c.revoked_at,
	c.revoked_reason, c.credential, c.key_id`

// DraftCertificate returns what the certificate for a completion will say, with a fresh id,
// number and verification code, or the certificate already issued for it (draft nil then). A
// completion that does not exist is NotFound.
func (s *Store) DraftCertificate(ctx context.Context, completionID string) (draft, existing *Certificate, err error) {
	var row struct {
		OrgID       string    `db:"org_id"`
		PersonID    string    `db:"person_id"`
		CourseID    string    `db:"course_id"`
		VersionID   string    `db:"course_version_id"`
		CompletedAt time.Time `db:"completed_at"`
		PersonName  string    `db:"person_name"`
		OrgName     string    `db:"org_name"`
		Cycle       int       `db:"cycle"`
		// The organisation's own certificate period for the course, when it set one.
		ValidityMonths sql.NullInt32 `db:"validity_months"`
	}
	var v *CourseVersion
	// The worker knows only the completion's id, not its organisation.
	err = s.sysTx(ctx, func(tx *sqlx.Tx) error {
		var found []Certificate
		if err := tx.SelectContext(ctx, &found, `SELECT `+certificateColumns+` FROM certificates c WHERE c.completion_id = $1`, completionID); err != nil {
			return dbError(err)
		}
		if len(found) > 0 {
			existing = &found[0]
			return nil
		}
		if err := tx.GetContext(ctx, &row, `
			SELECT k.org_id, k.person_id, k.course_id, k.course_version_id, k.completed_at, p.name AS person_name, o.name AS org_name,
				(SELECT count(*) FROM completions x WHERE x.person_id = k.person_id AND x.course_id = k.course_id
					AND (x.completed_at, x.id) <= (k.completed_at, k.id)) AS cycle,
				(SELECT s.validity_months FROM org_course_settings s WHERE s.org_id = k.org_id AND s.course_id = k.course_id) AS validity_months
			FROM completions k JOIN people p ON p.id = k.person_id JOIN organisations o ON o.id = k.org_id
			WHERE k.id = $1`, completionID); err != nil {
			return dbError(err)
		}
		var err error
		v, err = s.version(ctx, tx, row.VersionID)
		return err
	})
	if ErrorCode(err) == Invalid { // not a UUID
		return nil, nil, Errorf(NotFound, "There is no completion %s.", completionID)
	}
	if err != nil || existing != nil {
		return nil, existing, err
	}
	c := v.Content
	d := &Certificate{ID: uuid.NewString(), OrgID: row.OrgID, PersonID: row.PersonID, CourseID: row.CourseID,
		CompletionID: completionID, Cycle: row.Cycle, Number: certificateNumber(), VerifyCode: verifyCode(),
		PersonName: row.PersonName, CourseSlug: c.Slug, CourseTitle: c.Title, CourseVersion: v.Version, OrgName: row.OrgName,
		IssuedAt: row.CompletedAt.UTC(), CourseSummary: c.Summary, Criteria: criteria(c)}
	months := c.RecertificationMonths
	if row.ValidityMonths.Valid {
		months = int(row.ValidityMonths.Int32)
	}
	if months > 0 {
		exp := d.IssuedAt.AddDate(0, months, 0)
		d.ExpiresAt = &exp
	}
	return d, nil, nil
}

func criteria(c *Course) string {
	parts := []string{fmt.Sprintf("Read all %d modules", len(c.Modules))}
	if c.Completion.Quizzes != "none" && len(c.Quizzes) > 0 {
		pm := 0
		for _, q := range c.Quizzes {
			pm = max(pm, q.PassMark)
		}
		parts = append(parts, fmt.Sprintf("passed all %d quizzes graded on the server (pass mark up to %d%%)", len(c.Quizzes), pm))
	}
	if c.Completion.Roleplay {
		parts = append(parts, "practised as peer worker in live role-play with observer feedback")
	}
	return strings.Join(parts, ", ") + "."
}

// Crockford's base32 without look-alike letters: numbers are read aloud and typed from paper.
const codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

func randomCode(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b)
}

func certificateNumber() string {
	c := randomCode(8)
	return "PP-" + c[:4] + "-" + c[4:]
}

// verifyCode is the unguessable part of the public verification URL (80 bits).
func verifyCode() string { return strings.ToLower(randomCode(16)) }

// CreateCertificate stores a signed certificate and queues the email that tells its holder, in
// one transaction. When the completion already has a certificate (the task ran twice) nothing
// is written and created is false.
func (s *Store) CreateCertificate(ctx context.Context, c *Certificate) (created bool, err error) {
	// The draft named the organisation: the writes stay inside it.
	err = s.tx(ctx, c.OrgID, func(tx *sqlx.Tx) error {
		// Runs for one completion take turns: ON CONFLICT only settles the completion's own
		// unique key, and two inserts racing would otherwise collide on (person, course, cycle).
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM completions WHERE id = $1 FOR UPDATE`, c.CompletionID); err != nil {
			return dbError(err)
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO certificates (id, org_id, person_id, course_id, completion_id, cycle, number, verify_code,
				person_name, course_slug, course_title, course_version, org_name, issued_at, expires_at, credential, key_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
			ON CONFLICT (completion_id) DO NOTHING`,
			c.ID, c.OrgID, c.PersonID, c.CourseID, c.CompletionID, c.Cycle, c.Number, c.VerifyCode, c.PersonName,
			c.CourseSlug, c.CourseTitle, c.CourseVersion, c.OrgName, c.IssuedAt, c.ExpiresAt, c.Credential, c.KeyID)
		if err != nil {
			return dbError(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		created = true
		var email string
		if err := tx.GetContext(ctx, &email, `SELECT email FROM people WHERE id = $1`, c.PersonID); err != nil {
			return dbError(err)
		}
		return addOutbox(ctx, tx, TaskEmailSend, c.OrgID, Email{
			Key: "certificate:" + c.ID, To: email, ToName: c.PersonName, Template: "certificate_issued", OrgName: c.OrgName,
			Data: map[string]string{"course": c.CourseTitle, "number": c.Number, "link": s.link("/certificates"),
				"verify": s.link("/verify/" + c.VerifyCode)},
		})
	})
	return created, err
}

// RegisterSigningKey publishes a public key; registering it again changes nothing.
func (s *Store) RegisterSigningKey(ctx context.Context, keyID string, jwk []byte) error {
	// Signing keys are the platform's, not an organisation's.
	return s.sysTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO signing_keys (key_id, public_jwk) VALUES ($1, $2) ON CONFLICT (key_id) DO NOTHING`, keyID, jwk)
		return dbError(err)
	})
}

// FindSigningKeys returns every published public key, oldest first.
func (s *Store) FindSigningKeys(ctx context.Context) ([]json.RawMessage, error) {
	var keys []json.RawMessage
	err := s.sysTx(ctx, func(tx *sqlx.Tx) error {
		return dbError(tx.SelectContext(ctx, &keys, `SELECT public_jwk FROM signing_keys ORDER BY created_at, key_id`))
	})
	return keys, err
}

// FindMyCertificates returns the caller's certificates, newest first.
func (s *Store) FindMyCertificates(ctx context.Context, p *Principal) ([]Certificate, error) {
	out := []Certificate{}
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		return dbError(tx.SelectContext(ctx, &out, `SELECT `+certificateColumns+` FROM certificates c
			WHERE c.person_id = $1 AND c.org_id = $2 ORDER BY c.issued_at DESC`, p.Person.ID, p.OrgID()))
	})
	return out, err
}

// FindCertificate returns a certificate its holder, or an org admin or manager of the same
// organisation, may see. Anyone else gets NotFound.
func (s *Store) FindCertificate(ctx context.Context, p *Principal, id string) (*Certificate, error) {
	var c Certificate
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &c, `SELECT `+certificateColumns+` FROM certificates c WHERE c.id::text = $1 AND c.org_id = $2`, id, p.OrgID())
	})
	if err != nil || (c.PersonID != p.Person.ID && !p.Person.HasRole(RoleOrgAdmin, RoleManager)) {
		if err == nil || ErrorCode(dbError(err)) == NotFound {
			return nil, Errorf(NotFound, "There is no certificate %s.", id)
		}
		return nil, dbError(err)
	}
	return &c, nil
}

// VerifyCertificate finds a certificate by its public code.
func (s *Store) VerifyCertificate(ctx context.Context, code string) (*Certificate, error) {
	var c Certificate
	// Anyone may check a certificate they were shown, whatever its organisation.
	err := s.sysTx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &c, `SELECT `+certificateColumns+` FROM certificates c WHERE c.verify_code = $1`, strings.ToLower(code))
	})
	if ErrorCode(dbError(err)) == NotFound {
		return nil, Errorf(NotFound, "No certificate has this code. Check it against the certificate.")
	}
	return &c, dbError(err)
}

// RevokeCertificate revokes a certificate of the caller's organisation with a reason.
func (s *Store) RevokeCertificate(ctx context.Context, p *Principal, id, reason string) (*Certificate, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return nil, FieldError("reason", "Say why the certificate is revoked.")
	case len([]rune(reason)) > 500:
		return nil, FieldError("reason", "Use at most 500 characters.")
	}
	var c Certificate
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &c, `SELECT `+certificateColumns+` FROM certificates c
			WHERE c.id::text = $1 AND c.org_id = $2 FOR UPDATE`, id, p.OrgID())
		if ErrorCode(dbError(err)) == NotFound {
			return Errorf(NotFound, "There is no certificate %s.", id)
		}
		if err != nil {
			return dbError(err)
		}
		if c.RevokedAt != nil {
			return Errorf(Conflict, "This certificate was already revoked on %s.", c.RevokedAt.Format("2 January 2006"))
		}
		now := s.Now()
		if _, err := tx.ExecContext(ctx, `
			UPDATE certificates SET revoked_at = $2, revoked_reason = $3, revoked_by = $4 WHERE id = $1`,
			c.ID, now, reason, p.Person.ID); err != nil {
			return dbError(err)
		}
		c.RevokedAt, c.RevokedReason = &now, reason
		return s.audit(ctx, tx, p.OrgID(), p.Actor(), "certificate.revoke", "certificate", c.ID,
			map[string]any{"number": c.Number, "person_id": c.PersonID, "course": c.CourseSlug, "reason": reason})
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// RequeueMissingCertificates queues certificate:issue again, through the outbox, for every
// completion made before completedBefore that has no certificate and no issue waiting in the
// outbox. Queued tasks live in Redis, which a restart without persistence can empty; this puts
// back what was lost. Issuing is idempotent, so a task that was only late does no harm.
func (s *Store) RequeueMissingCertificates(ctx context.Context, completedBefore time.Time) (int, error) {
	var n int64
	// A sweep over every organisation's completions.
	err := s.sysTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO outbox (task_type, payload, org_id)
			SELECT $1, jsonb_build_object('completion_id', k.id), k.org_id
			FROM completions k
			WHERE k.completed_at < $2
				AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.completion_id = k.id)
				AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.task_type = $1 AND o.enqueued_at IS NULL
					AND o.payload->>'completion_id' = k.id::text)`, TaskCertificateIssue, completedBefore)
		if err != nil {
			return dbError(err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	if err != nil {
		return 0, err
	}
	return int(n), nil
}

package courses

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jmoiron/sqlx"
)

// DeletedName is the name a de-identified person is shown under.
const DeletedName = "Deleted person"

// MyData is everything Peerpath holds about the caller, as they download it.
type MyData struct {
	ExportedAt   time.Time         `json:"exported_at"`
	Profile      MyProfile         `json:"profile"`
	Assignments  []MatrixRow       `json:"assignments"`
	Courses      []RecordCourse    `json:"enrolments"`
	Attempts     []json.RawMessage `json:"quiz_attempts"`
	Reflections  []json.RawMessage `json:"reflections"`
	Roleplay     json.RawMessage   `json:"roleplay"`
	Certificates []json.RawMessage `json:"certificates"`
}

// MyProfile is the caller's account.
type MyProfile struct {
	ID           string    `json:"id" db:"id"`
	Name         string    `json:"name" db:"name"`
	Email        string    `json:"email" db:"email"`
	Roles        []string  `json:"roles" db:"-"`
	Organisation string    `json:"organisation" db:"-"`
	CreatedAt    time.Time `json:"created_at" db:"created_at"`
}

// ExportMyData gathers the caller's own data: profile, assignments and progress, quiz attempts
// with their answers, reflections, role-play seats and the feedback others gave about their
// practice, and certificates.
func (s *Store) ExportMyData(ctx context.Context, p *Principal) (*MyData, error) {
	me := p.Person.ID
	d := &MyData{ExportedAt: s.Now(), Assignments: []MatrixRow{}, Courses: []RecordCourse{}}
	d.Profile = MyProfile{ID: me, Name: p.Person.Name, Email: p.Person.Email, Roles: append([]string{}, p.Person.Roles...),
		CreatedAt: p.Person.CreatedAt.UTC()}
	if p.Organisation != nil {
		d.Profile.Organisation = p.Organisation.Name
	}
	// JSON built by PostgreSQL: the export is a faithful copy of the rows, not a view of them.
	rowsJSON := func(tx *sqlx.Tx, dst *[]json.RawMessage, query string) error {
		var b []byte
		if err := tx.GetContext(ctx, &b, `SELECT COALESCE(json_agg(r), '[]') FROM (`+query+`) r`, me); err != nil {
			return dbError(err)
		}
		return json.Unmarshal(b, dst)
	}
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		if err := rowsJSON(tx, &d.Attempts, `
			SELECT c.slug || '.' || a.quiz_id AS quiz, a.number, a.started_at, a.submitted_at, a.score, a.passed,
				a.timed_out, a.answers
			FROM quiz_attempts a JOIN enrolments e ON e.id = a.enrolment_id JOIN courses c ON c.id = e.course_id
			WHERE a.person_id = $1 ORDER BY a.started_at`); err != nil {
			return err
		}
		if err := rowsJSON(tx, &d.Reflections, `
			SELECT c.slug AS course, r.module_slug AS module, r.prompt_id AS prompt, r.body AS answer, r.updated_at
			FROM reflections r JOIN courses c ON c.id = r.course_id
			WHERE r.person_id = $1 ORDER BY c.slug, r.module_slug, r.prompt_id`); err != nil {
			return err
		}
		if err := rowsJSON(tx, &d.Certificates, `
			SELECT number, course_slug AS course, course_title, course_version, cycle, person_name, org_name AS organisation,
				issued_at, expires_at, revoked_at, revoked_reason
			FROM certificates WHERE person_id = $1 ORDER BY issued_at`); err != nil {
			return err
		}
		var rp []byte
		if err := tx.GetContext(ctx, &rp, `SELECT json_build_object(
			'seats', (SELECT COALESCE(json_agg(x ORDER BY x.started_at), '[]') FROM (
				SELECT s.title AS session, rs.round, rs.seat, rs.card_id AS card, rs.started_at
				FROM roleplay_seats rs JOIN roleplay_sessions s ON s.id = rs.session_id WHERE rs.person_id = $1) x),
			'feedback_about_me', (SELECT COALESCE(json_agg(x ORDER BY x.submitted_at), '[]') FROM (
				SELECT s.title AS session, f.round, f.seat AS from_seat, f.scores, f.comment, f.submitted_at
				FROM roleplay_feedback f JOIN roleplay_sessions s ON s.id = f.session_id WHERE f.about_person = $1) x),
			'feedback_i_gave', (SELECT COALESCE(json_agg(x ORDER BY x.submitted_at), '[]') FROM (
				SELECT s.title AS session, f.round, f.seat, f.scores, f.comment, f.submitted_at
				FROM roleplay_feedback f JOIN roleplay_sessions s ON s.id = f.session_id WHERE f.from_person = $1) x),
			'chat', (SELECT COALESCE(json_agg(x ORDER BY x.at), '[]') FROM (
				SELECT s.title AS session, t.text, t.at
				FROM roleplay_transcript t JOIN roleplay_sessions s ON s.id = t.session_id WHERE t.person_id = $1) x))`, me); err != nil {
			return dbError(err)
		}
		d.Roleplay = rp
		if p.Organisation == nil {
			return nil
		}
		// The record as an org admin of their own organisation would see it, whatever the caller's
		// roles: it is their own.
		admin := &Principal{Person: Person{ID: me, Roles: []string{string(RoleOrgAdmin)}}, Organisation: p.Organisation}
		rec, err := s.personRecord(ctx, tx, matrixScope{p: admin, orgID: p.OrgID()}, me)
		if err != nil {
			return err
		}
		d.Assignments, d.Courses = rec.Assignments, rec.Courses
		return nil
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// RequestDeletion deletes what the caller wrote (reflections, role-play chat and feedback
// comments, notifications) and de-identifies them: their name and email are replaced, every
// session ends and they can no longer sign in. Their completions, scores and certificates stay
// under the replaced name, the de-identified record their organisation may be required to keep.
// password confirms it is really them. The only org admin of an organisation is refused, so an
// organisation is never left without one.
func (s *Store) RequestDeletion(ctx context.Context, p *Principal, password string) error {
	return s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		var hash string
		if err := tx.GetContext(ctx, &hash, `SELECT password_hash FROM people WHERE id = $1`, p.Person.ID); err != nil {
			return dbError(err)
		}
		if password == "" || !VerifyPassword(hash, password) {
			return FieldError("password", "This is not your current password.")
		}
		me := p.Person.ID
		if p.Organisation != nil && p.Person.HasRole(RoleOrgAdmin) {
			var others int
			if err := tx.GetContext(ctx, &others, `
				SELECT count(*) FROM people WHERE org_id = $1 AND id <> $2 AND active AND 'org_admin' = ANY (roles)`,
				p.OrgID(), me); err != nil {
				return dbError(err)
			}
			if others == 0 {
				return Errorf(Conflict, "You are the only admin of your organisation. Make someone else an admin first, so your team is not locked out.")
			}
		}
		for _, q := range []string{
			`DELETE FROM reflections WHERE person_id = $1`,
			`DELETE FROM roleplay_transcript WHERE person_id = $1`,
			`UPDATE roleplay_feedback SET comment = '' WHERE from_person = $1 OR about_person = $1`,
			`DELETE FROM notifications WHERE person_id = $1`,
			`DELETE FROM sessions WHERE person_id = $1`,
			`DELETE FROM password_resets WHERE person_id = $1`,
			`UPDATE certificates SET person_name = '` + DeletedName + `' WHERE person_id = $1`,
		} {
			if _, err := tx.ExecContext(ctx, q, me); err != nil {
				return dbError(err)
			}
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE people SET name = $3, email = 'deleted-' || id || '@deleted.invalid', password_hash = '',
				active = false, deidentified_at = $2, deactivated_at = COALESCE(deactivated_at, $2), updated_at = $2
			WHERE id = $1`, me, s.Now(), DeletedName); err != nil {
			return dbError(err)
		}
		if p.Organisation == nil {
			return nil
		}
		return s.audit(ctx, tx, p.OrgID(), actorOf(p), "person.deidentify", "person", me, nil)
	})
}

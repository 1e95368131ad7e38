package courses

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jmoiron/sqlx"
)

// PersonRecord is what an org admin or manager sees about one person's training: assignments,
// course progress, quiz scores, role-play practice and certificates. Reflections, story drafts,
// role-play chat and feedback comments are never part of it.
type PersonRecord struct {
	Person       RecordPerson        `json:"person"`
	Assignments  []MatrixRow         `json:"assignments"`
	Courses      []RecordCourse      `json:"courses"`
	Attempts     []RecordAttempt     `json:"attempts"`
	Roleplay     RecordRoleplay      `json:"roleplay"`
	Certificates []RecordCertificate `json:"certificates"`
}

// RecordPerson names the person a record is about.
type RecordPerson struct {
	ID     string   `json:"id" db:"id"`
	Name   string   `json:"name" db:"name"`
	Email  string   `json:"email" db:"email"`
	Active bool     `json:"active" db:"active"`
	Teams  []string `json:"teams" db:"-"`
}

// RecordCourse is one enrolment: a course version the person worked on, module by module.
type RecordCourse struct {
	Course      string         `json:"course"`
	Title       string         `json:"title"`
	Version     int            `json:"version"`
	StartedAt   time.Time      `json:"started_at"`
	CompletedAt *time.Time     `json:"completed_at"`
	Modules     []RecordModule `json:"modules"`
}

// RecordModule is a module and when the person finished it (null when not yet).
type RecordModule struct {
	Slug        string     `json:"slug"`
	Title       string     `json:"title"`
	CompletedAt *time.Time `json:"completed_at"`
}

// RecordAttempt is one quiz attempt and its score.
type RecordAttempt struct {
	Quiz        string     `json:"quiz" db:"quiz"`
	Course      string     `json:"course" db:"course"`
	Number      int        `json:"number" db:"number"`
	StartedAt   time.Time  `json:"started_at" db:"started_at"`
	SubmittedAt *time.Time `json:"submitted_at" db:"submitted_at"`
	Score       *float64   `json:"score" db:"score"`
	Passed      *bool      `json:"passed" db:"passed"`
	TimedOut    bool       `json:"timed_out" db:"timed_out"`
}

// RecordRoleplay is live role-play practice: the seats the person sat in, and the rubric
// scores observers gave them as peer worker.
type RecordRoleplay struct {
	Seats    []RecordSeat     `json:"seats"`
	Feedback []RecordFeedback `json:"feedback"`
}

// RecordSeat is one round the person took part in.
type RecordSeat struct {
	SessionID    string    `json:"session_id" db:"session_id"`
	SessionTitle string    `json:"session_title" db:"session_title"`
	Round        int       `json:"round" db:"round"`
	Seat         string    `json:"seat" db:"seat"`
	Card         string    `json:"card" db:"card_id"`
	StartedAt    time.Time `json:"started_at" db:"started_at"`
}

// RecordFeedback is rubric scores about the person's practice (never the comments).
type RecordFeedback struct {
	SessionID    string          `json:"session_id" db:"session_id"`
	SessionTitle string          `json:"session_title" db:"session_title"`
	Round        int             `json:"round" db:"round"`
	FromSeat     string          `json:"from_seat" db:"seat"`
	Scores       json.RawMessage `json:"scores" db:"scores"`
	SubmittedAt  time.Time       `json:"submitted_at" db:"submitted_at"`
}

// RecordCertificate is a certificate as the record lists it.
type RecordCertificate struct {
	ID          string     `json:"id" db:"id"`
	Number      string     `json:"number" db:"number"`
	Course      string     `json:"course" db:"course_slug"`
	CourseTitle string     `json:"course_title" db:"course_title"`
	Cycle       int        `json:"cycle" db:"cycle"`
	IssuedAt    time.Time  `json:"issued_at" db:"issued_at"`
	ExpiresAt   *time.Time `json:"expires_at" db:"expires_at"`
	RevokedAt   *time.Time `json:"revoked_at" db:"revoked_at"`
	// RevokedReason is what the organisation gave as the reason for revoking, for its own record.
	RevokedReason string `json:"revoked_reason,omitempty" db:"revoked_reason"`
	Status        string `json:"status" db:"-"`
}

// FindPersonRecord returns the training record of a person the caller may see; anyone else,
// in another organisation or outside a manager's teams, is NotFound.
func (s *Store) FindPersonRecord(ctx context.Context, p *Principal, personID string) (*PersonRecord, error) {
	sc, err := scopeOf(p)
	if err != nil {
		return nil, err
	}
	var r *PersonRecord
	err = s.tx(ctx, sc.orgID, func(tx *sqlx.Tx) error {
		var err error
		r, err = s.personRecord(ctx, tx, sc, personID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// personRecord is FindPersonRecord in tx.
func (s *Store) personRecord(ctx context.Context, tx *sqlx.Tx, sc matrixScope, personID string) (*PersonRecord, error) {
	if err := s.canSee(ctx, tx, sc, personID); err != nil {
		return nil, err
	}
	r := &PersonRecord{Assignments: []MatrixRow{}, Courses: []RecordCourse{}, Attempts: []RecordAttempt{},
		Roleplay: RecordRoleplay{Seats: []RecordSeat{}, Feedback: []RecordFeedback{}}, Certificates: []RecordCertificate{}}
	if err := tx.GetContext(ctx, &r.Person, `SELECT id, name, email, active FROM people WHERE id = $1 AND org_id = $2`,
		personID, sc.orgID); err != nil {
		return nil, dbError(err)
	}
	if err := tx.SelectContext(ctx, &r.Person.Teams, `
		SELECT t.name FROM team_members tm JOIN teams t ON t.id = tm.team_id
		WHERE tm.person_id = $1 AND tm.org_id = $2 ORDER BY lower(t.name)`, personID, sc.orgID); err != nil {
		return nil, dbError(err)
	}
	var enrolments []struct {
		ID          string     `db:"id"`
		VersionID   string     `db:"course_version_id"`
		StartedAt   time.Time  `db:"started_at"`
		CompletedAt *time.Time `db:"completed_at"`
	}
	if err := tx.SelectContext(ctx, &enrolments, `
		SELECT id, course_version_id, started_at, completed_at FROM enrolments
		WHERE person_id = $1 AND org_id = $2 ORDER BY started_at DESC`, personID, sc.orgID); err != nil {
		return nil, dbError(err)
	}
	for _, e := range enrolments {
		v, err := s.version(ctx, tx, e.VersionID)
		if err != nil {
			return nil, err
		}
		var done []struct {
			Slug string    `db:"module_slug"`
			At   time.Time `db:"completed_at"`
		}
		if err := tx.SelectContext(ctx, &done, `SELECT module_slug, completed_at FROM module_progress WHERE enrolment_id = $1`, e.ID); err != nil {
			return nil, dbError(err)
		}
		at := map[string]time.Time{}
		for _, d := range done {
			at[d.Slug] = d.At.UTC()
		}
		rc := RecordCourse{Course: v.Content.Slug, Title: v.Content.Title, Version: v.Version,
			StartedAt: e.StartedAt.UTC(), CompletedAt: utc(e.CompletedAt), Modules: []RecordModule{}}
		for _, m := range v.Content.Modules {
			rm := RecordModule{Slug: m.Slug, Title: m.Title}
			if t, ok := at[m.Slug]; ok {
				rm.CompletedAt = &t
			}
			rc.Modules = append(rc.Modules, rm)
		}
		r.Courses = append(r.Courses, rc)
	}
	if err := tx.SelectContext(ctx, &r.Attempts, `
		SELECT c.slug || '.' || a.quiz_id AS quiz, c.slug AS course, a.number, a.started_at, a.submitted_at,
			a.score::float8 AS score, a.passed, a.timed_out
		FROM quiz_attempts a JOIN enrolments e ON e.id = a.enrolment_id JOIN courses c ON c.id = e.course_id
		WHERE a.person_id = $1 AND a.org_id = $2 ORDER BY a.started_at DESC`, personID, sc.orgID); err != nil {
		return nil, dbError(err)
	}
	if err := tx.SelectContext(ctx, &r.Roleplay.Seats, `
		SELECT rs.session_id, s.title AS session_title, rs.round, rs.seat, rs.card_id, rs.started_at
		FROM roleplay_seats rs JOIN roleplay_sessions s ON s.id = rs.session_id
		WHERE rs.person_id = $1 AND rs.org_id = $2 ORDER BY rs.started_at DESC, rs.round DESC`, personID, sc.orgID); err != nil {
		return nil, dbError(err)
	}
	if err := tx.SelectContext(ctx, &r.Roleplay.Feedback, `
		SELECT f.session_id, s.title AS session_title, f.round, f.seat, COALESCE(f.scores, '{}') AS scores, f.submitted_at
		FROM roleplay_feedback f JOIN roleplay_sessions s ON s.id = f.session_id
		WHERE f.about_person = $1 AND f.org_id = $2 ORDER BY f.submitted_at DESC`, personID, sc.orgID); err != nil {
		return nil, dbError(err)
	}
	if err := tx.SelectContext(ctx, &r.Certificates, `
		SELECT id, number, course_slug, course_title, cycle, issued_at, expires_at, revoked_at, revoked_reason FROM certificates
		WHERE person_id = $1 AND org_id = $2 ORDER BY issued_at DESC`, personID, sc.orgID); err != nil {
		return nil, dbError(err)
	}
	now := s.Now()
	for i := range r.Certificates {
		c := &r.Certificates[i]
		c.IssuedAt, c.ExpiresAt, c.RevokedAt = c.IssuedAt.UTC(), utc(c.ExpiresAt), utc(c.RevokedAt)
		c.Status = (&Certificate{ExpiresAt: c.ExpiresAt, RevokedAt: c.RevokedAt}).Status(now)
	}
	for i := range r.Roleplay.Seats {
		r.Roleplay.Seats[i].StartedAt = r.Roleplay.Seats[i].StartedAt.UTC()
	}
	for i := range r.Attempts {
		r.Attempts[i].StartedAt, r.Attempts[i].SubmittedAt = r.Attempts[i].StartedAt.UTC(), utc(r.Attempts[i].SubmittedAt)
	}
	if r.Person.Teams == nil {
		r.Person.Teams = []string{}
	}
	err := s.eachMatrixRow(ctx, tx, sc, CompletionFilter{Sort: "name", Order: "asc", personID: personID}, "", func(m *MatrixRow) error {
		row := *m
		row.Teams = append([]string{}, m.Teams...)
		r.Assignments = append(r.Assignments, row)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// CourseReport is the printable audit report for one course: every assigned person the caller
// may see, their status and certificate, and the counts.
type CourseReport struct {
	Course       ReportCourse `json:"course"`
	Organisation string       `json:"organisation"`
	GeneratedAt  time.Time    `json:"generated_at"`
	Totals       StatusCounts `json:"totals"`
	Rows         []ReportRow  `json:"rows"`
	Scope        string       `json:"scope"` // "organisation" or "my teams"
}

// ReportCourse names the course of a report.
type ReportCourse struct {
	Slug    string `json:"slug"`
	Title   string `json:"title"`
	Version int    `json:"version"`
}

// ReportRow is one person in a course report.
type ReportRow struct {
	MatrixRow
	CertificateNumber string `json:"certificate_number"`
}

// FindCourseReport builds the audit report of a course the caller's organisation can see.
func (s *Store) FindCourseReport(ctx context.Context, p *Principal, slug string) (*CourseReport, error) {
	sc, err := scopeOf(p)
	if err != nil {
		return nil, err
	}
	f := CompletionFilter{Course: slug, Sort: "name", Order: "asc"}
	if err := f.check(); err != nil {
		return nil, err
	}
	rep := &CourseReport{Course: ReportCourse{Slug: slug}, Organisation: p.Organisation.Name, GeneratedAt: s.Now(),
		Totals: newCounts(), Rows: []ReportRow{}, Scope: "organisation"}
	if sc.managerID != "" {
		rep.Scope = "my teams"
	}
	err = s.tx(ctx, sc.orgID, func(tx *sqlx.Tx) error {
		courseID, err := s.resolveFilter(ctx, tx, sc, &f)
		if err != nil {
			return err
		}
		k, err := s.resolveCourse(ctx, tx, sc.orgID, slug)
		if err != nil {
			return err
		}
		v, err := s.version(ctx, tx, k.LatestVersion)
		if err != nil {
			return err
		}
		rep.Course.Title, rep.Course.Version = v.Content.Title, v.Version
		var certs []struct {
			PersonID string `db:"person_id"`
			Number   string `db:"number"`
		}
		if err := tx.SelectContext(ctx, &certs, `
			SELECT DISTINCT ON (person_id) person_id, number FROM certificates
			WHERE org_id = $1 AND course_id = $2 AND revoked_at IS NULL ORDER BY person_id, issued_at DESC`,
			sc.orgID, courseID); err != nil {
			return dbError(err)
		}
		numbers := make(map[string]string, len(certs))
		for _, c := range certs {
			numbers[c.PersonID] = c.Number
		}
		return s.eachMatrixRow(ctx, tx, sc, f, courseID, func(m *MatrixRow) error {
			row := ReportRow{MatrixRow: *m, CertificateNumber: numbers[m.PersonID]}
			row.Teams = append([]string{}, m.Teams...)
			rep.Rows = append(rep.Rows, row)
			rep.Totals[m.Status]++
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// Charts are the organisation's pictures: completions per week and overdue assignments by team.
type Charts struct {
	Weeks         []WeekCount   `json:"completions_per_week"`
	OverdueByTeam []TeamOverdue `json:"overdue_by_team"`
}

// WeekCount is the number of completions of assigned courses in the week starting Monday Start.
type WeekCount struct {
	Start       string `json:"week_start"`
	Completions int    `json:"completions"`
}

// TeamOverdue is how many of a team's assignments are overdue, of how many.
type TeamOverdue struct {
	ID      *string `json:"id"`
	Name    string  `json:"name"`
	Overdue int     `json:"overdue"`
	Total   int     `json:"total"`
}

// ChartWeeks is how many weeks the completions chart covers, this one included.
const ChartWeeks = 12

// FindCharts returns the charts for what the caller may see.
func (s *Store) FindCharts(ctx context.Context, p *Principal) (*Charts, error) {
	sc, err := scopeOf(p)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	// Weeks start on Monday, in UTC.
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	first := monday.AddDate(0, 0, -7*(ChartWeeks-1))
	query, args := named(`WITH vis AS (`+sc.visiblePeople()+`)
		SELECT to_char(date_trunc('week', k.completed_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS week, count(*) AS n
		FROM completions k
		WHERE k.org_id = $org AND k.completed_at >= $since AND k.person_id IN (SELECT id FROM vis)
			AND EXISTS (SELECT 1 FROM assignments a WHERE a.person_id = k.person_id AND a.course_id = k.course_id)
		GROUP BY 1`, sc.args(map[string]any{"since": first}))
	var rows []struct {
		Week string `db:"week"`
		N    int    `db:"n"`
	}
	var m *Matrix
	if err := s.tx(ctx, sc.orgID, func(tx *sqlx.Tx) error {
		if err := tx.SelectContext(ctx, &rows, query, args...); err != nil {
			return dbError(err)
		}
		var err error
		m, err = s.findCompletion(ctx, tx, sc, CompletionFilter{Sort: "name", Order: "asc"}, 1, 0)
		return err
	}); err != nil {
		return nil, err
	}
	byWeek := map[string]int{}
	for _, r := range rows {
		byWeek[r.Week] = r.N
	}
	ch := &Charts{Weeks: []WeekCount{}, OverdueByTeam: []TeamOverdue{}}
	for w := first; !w.After(monday); w = w.AddDate(0, 0, 7) {
		k := w.Format("2006-01-02")
		ch.Weeks = append(ch.Weeks, WeekCount{Start: k, Completions: byWeek[k]})
	}
	for _, t := range m.Teams {
		ch.OverdueByTeam = append(ch.OverdueByTeam, TeamOverdue{ID: t.ID, Name: t.Name, Overdue: t.Counts[StatusOverdue], Total: t.Total})
	}
	return ch, nil
}

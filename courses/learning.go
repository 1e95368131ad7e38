package courses

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/jmoiron/sqlx"
)

// TaskCertificateIssue is the outbox task type that issues a certificate for a completion.
const TaskCertificateIssue = "certificate:issue"

// CertificateIssuePayload names the completion to certify.
type CertificateIssuePayload struct {
	CompletionID string `json:"completion_id"`
}

// Course statuses for a person.
const (
	StatusNotStarted = "not_started"
	StatusInProgress = "in_progress"
	StatusCompleted  = "completed"
	StatusOverdue    = "overdue"
)

// CourseCard is a course as a person's learning list shows it.
type CourseCard struct {
	Slug           string     `json:"slug"`
	Title          string     `json:"title"`
	Summary        string     `json:"summary"`
	EstimatedHours float64    `json:"estimated_hours"`
	Status         string     `json:"status"`
	Percent        int        `json:"percent"`
	DueAt          *time.Time `json:"due_at"`
	OrgCourse      bool       `json:"organisation_course"`
	assigned       bool
}

// Progress counts what a person has done in their current version of a course.
type Progress struct {
	ModulesDone   int `json:"modules_done"`
	ModulesTotal  int `json:"modules_total"`
	QuizzesPassed int `json:"quizzes_passed"`
	QuizzesTotal  int `json:"quizzes_total"`
	Percent       int `json:"percent"`
}

// CourseDetail is a course page: the course, the person's progress and what is still required.
type CourseDetail struct {
	CourseCard
	Audience      string          `json:"audience"`
	Version       int             `json:"version"`
	Competencies  []string        `json:"competencies"`
	Completion    CompletionRule  `json:"completion"`
	Progress      Progress        `json:"progress"`
	StillRequired []string        `json:"still_required"`
	CompletedAt   *time.Time      `json:"completed_at"`
	Modules       []ModuleStatus  `json:"modules"`
	Scenarios     []ScenarioBrief `json:"scenarios"`
}

// ModuleStatus is one module on a course page.
type ModuleStatus struct {
	Slug           string      `json:"slug"`
	Title          string      `json:"title"`
	Minutes        int         `json:"minutes"`
	Completed      bool        `json:"completed"`
	ContentWarning string      `json:"content_warning"`
	Tags           []string    `json:"tags"`
	Quiz           *QuizStatus `json:"quiz"`
}

// QuizStatus is a quiz as a course page shows it.
type QuizStatus struct {
	ID               string `json:"id"`
	Title            string `json:"title"`
	Passed           bool   `json:"passed"`
	AttemptsUsed     int    `json:"attempts_used"`
	AttemptsAllowed  int    `json:"attempts_allowed"`
	PassMark         int    `json:"pass_mark"`
	TimeLimitMinutes int    `json:"time_limit_minutes"`
}

func quizStatus(c *Course, q *Quiz, st quizStat) *QuizStatus {
	return &QuizStatus{ID: c.Slug + "." + q.ID, Title: q.Title, Passed: st.Passed, AttemptsUsed: st.Attempts,
		AttemptsAllowed: q.Attempts, PassMark: q.PassMark, TimeLimitMinutes: q.TimeLimitMinutes}
}

// ScenarioBrief names a scenario on a course page.
type ScenarioBrief struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

func status(ref *courseRef, now time.Time) string {
	switch {
	case ref.CompletedAt != nil:
		return StatusCompleted
	case ref.DueAt != nil && now.After(*ref.DueAt):
		return StatusOverdue
	case ref.Enrolment.Valid:
		return StatusInProgress
	}
	return StatusNotStarted
}

type progressRow struct {
	modules map[string]bool
	quizzes map[string]quizStat
	// roleplay is set once the person has practised as peer worker with observer feedback.
	roleplay bool
}

type quizStat struct {
	QuizID   string `db:"quiz_id" json:"quiz_id"`
	Attempts int    `db:"attempts" json:"attempts"`
	Passed   bool   `db:"passed" json:"passed"`
}

func loadProgress(ctx context.Context, q sqlx.QueryerContext, enrolmentID string) (progressRow, error) {
	p := progressRow{modules: map[string]bool{}, quizzes: map[string]quizStat{}}
	if enrolmentID == "" {
		return p, nil
	}
	var mods []string
	if err := sqlx.SelectContext(ctx, q, &mods, `SELECT module_slug FROM module_progress WHERE enrolment_id = $1`, enrolmentID); err != nil {
		return p, dbError(err)
	}
	for _, m := range mods {
		p.modules[m] = true
	}
	var qs []quizStat
	if err := sqlx.SelectContext(ctx, q, &qs, `
		SELECT quiz_id, count(*) AS attempts, COALESCE(bool_or(passed), false) AS passed
		FROM quiz_attempts WHERE enrolment_id = $1 GROUP BY quiz_id`, enrolmentID); err != nil {
		return p, dbError(err)
	}
	for _, s := range qs {
		p.quizzes[s.QuizID] = s
	}
	return p, nil
}

func (pr progressRow) summary(c *Course) (Progress, []string) {
	out := Progress{ModulesTotal: len(c.Modules)}
	var still []string
	for _, m := range c.Modules {
		if pr.modules[m.Slug] {
			out.ModulesDone++
		} else {
			still = append(still, "Read “"+m.Title+"”")
		}
	}
	if c.Completion.Quizzes != "none" {
		out.QuizzesTotal = len(c.Quizzes)
		for _, q := range c.Quizzes {
			if pr.quizzes[q.ID].Passed {
				out.QuizzesPassed++
			} else {
				still = append(still, fmt.Sprintf("Pass “%s” (%d%% or more)", q.Title, q.PassMark))
			}
		}
	}
	if c.Completion.Roleplay && !pr.roleplay {
		still = append(still, "Practise as peer worker in a live role-play round with observer feedback")
	}
	if total := out.ModulesTotal + out.QuizzesTotal; total > 0 {
		out.Percent = int(math.Floor(float64(out.ModulesDone+out.QuizzesPassed) * 100 / float64(total)))
	}
	return out, still
}

func (s *Store) card(ref *courseRef, v *CourseVersion, pct int) CourseCard {
	c := v.Content
	return CourseCard{Slug: c.Slug, Title: c.Title, Summary: c.Summary, EstimatedHours: c.EstimatedHours,
		Status: status(ref, s.Now()), Percent: pct, DueAt: ref.DueAt, OrgCourse: ref.OrgCourse, assigned: ref.Assigned}
}

// FindCourses returns the courses a person may take: those assigned to them first, soonest due
// first, then the rest of the catalogue by title.
func (s *Store) FindCourses(ctx context.Context, p *Principal) (assigned, catalogue []CourseCard, err error) {
	var refs []courseRef
	var versions []*CourseVersion
	err = s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		if err := s.selectRefs(ctx, tx, &refs, p, nil); err != nil {
			return err
		}
		versions = make([]*CourseVersion, len(refs))
		for i := range refs {
			v, err := s.version(ctx, tx, refs[i].versionID())
			if err != nil {
				return err
			}
			versions[i] = v
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	assigned, catalogue = []CourseCard{}, []CourseCard{}
	for i := range refs {
		ref := &refs[i]
		v := versions[i]
		pr, err := ref.progress()
		if err != nil {
			return nil, nil, err
		}
		prog, _ := pr.summary(v.Content)
		if ref.CompletedAt != nil {
			prog.Percent = 100
		}
		card := s.card(ref, v, prog.Percent)
		if ref.Assigned {
			assigned = append(assigned, card)
		} else {
			catalogue = append(catalogue, card)
		}
	}
	sort.SliceStable(assigned, func(i, j int) bool {
		a, b := assigned[i].DueAt, assigned[j].DueAt
		switch {
		case a == nil || b == nil:
			return b == nil && a != nil
		default:
			return a.Before(*b)
		}
	})
	sort.SliceStable(catalogue, func(i, j int) bool { return catalogue[i].Title < catalogue[j].Title })
	return assigned, catalogue, nil
}

// FindCourseDetail returns a course page for a person.
func (s *Store) FindCourseDetail(ctx context.Context, p *Principal, slug string) (*CourseDetail, error) {
	var d *CourseDetail
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		var err error
		d, err = s.courseDetail(ctx, tx, p, slug)
		return err
	})
	return d, err
}

func (s *Store) courseDetail(ctx context.Context, tx *sqlx.Tx, p *Principal, slug string) (*CourseDetail, error) {
	ref, v, err := s.findCourseRef(ctx, tx, p, slug)
	if err != nil {
		return nil, err
	}
	pr, err := ref.progress()
	if err != nil {
		return nil, err
	}
	c := v.Content
	if c.Completion.Roleplay && ref.CompletedAt == nil && p.Organisation != nil {
		if pr.roleplay, err = practisedRoleplay(ctx, tx, p.OrgID(), p.Person.ID); err != nil {
			return nil, err
		}
	}
	prog, still := pr.summary(c)
	if ref.CompletedAt != nil {
		still = []string{}
	}
	d := &CourseDetail{CourseCard: s.card(ref, v, prog.Percent), Audience: c.Audience, Version: v.Version,
		Competencies: nonNil(c.Competencies), Completion: c.Completion, Progress: prog, StillRequired: nonNil(still),
		CompletedAt: ref.CompletedAt, Modules: []ModuleStatus{}, Scenarios: []ScenarioBrief{}}
	for _, m := range c.Modules {
		ms := ModuleStatus{Slug: m.Slug, Title: m.Title, Minutes: m.Minutes, Completed: pr.modules[m.Slug],
			ContentWarning: m.ContentWarning, Tags: nonNil(m.Tags)}
		if qz, err := c.Quiz(m.Quiz); err == nil {
			ms.Quiz = quizStatus(c, qz, pr.quizzes[qz.ID])
		}
		d.Modules = append(d.Modules, ms)
	}
	for _, sc := range c.Scenarios {
		d.Scenarios = append(d.Scenarios, ScenarioBrief{ID: c.Slug + "." + sc.ID, Title: sc.Title})
	}
	return d, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// ModuleView is a module as the reader shows it.
type ModuleView struct {
	Course         Link     `json:"course"`
	Slug           string   `json:"slug"`
	Title          string   `json:"title"`
	Minutes        int      `json:"minutes"`
	Objectives     []string `json:"objectives"`
	Tags           []string `json:"tags"`
	ContentWarning string   `json:"content_warning"`
	// HTMLJSON is the sanitised module HTML, already encoded as a JSON string; the handler adds it
	// to the response as "html".
	HTMLJSON   []byte      `json:"-"`
	Completed  bool        `json:"completed"`
	Prev       *Link       `json:"prev"`
	Next       *Link       `json:"next"`
	Reflection []Prompt    `json:"reflection"`
	Quiz       *QuizStatus `json:"quiz"`
}

// Link names something to link to.
type Link struct {
	Slug  string `json:"slug"`
	Title string `json:"title"`
}

// FindModuleView returns a module for the reader, in the version the person is on. It is the
// most-read page, so it asks the database only for this person's newest enrolment and the
// progress this page shows.
func (s *Store) FindModuleView(ctx context.Context, p *Principal, slug, module string) (*ModuleView, error) {
	orgID := p.OrgID()
	key, latest, err := s.courseLatest(ctx, orgID, slug)
	if err != nil {
		return nil, err
	}
	quizID := ""
	if m, _, err := latest.Content.Module(module); err == nil {
		quizID = m.Quiz
	}
	// One statement that scopes itself (module_progress_of, migration 0011): this page is read
	// far more than any other, and a transaction would cost three more round trips.
	st, err := s.prepared(ctx, moduleProgressQuery)
	if err != nil {
		return nil, err
	}
	var rows []moduleProgressRow
	if err := st.SelectContext(ctx, &rows, s.scope(orgID), p.Person.ID, key.CourseID, module, quizID); err != nil {
		return nil, dbError(err)
	}
	v := latest
	if len(rows) > 0 && rows[0].VersionID != latest.ID {
		if v, err = s.scopedVersion(ctx, orgID, rows[0].VersionID); err != nil {
			return nil, err
		}
	}
	stat := quizStat{}
	if m, _, err := v.Content.Module(module); err == nil && len(rows) > 0 {
		if m.Quiz == quizID {
			stat = quizStat{QuizID: quizID, Attempts: rows[0].Attempts, Passed: rows[0].Passed}
		} else if err := s.tx(ctx, orgID, func(tx *sqlx.Tx) error {
			// The module's quiz changed between versions: count the right one (rare).
			return dbError(tx.GetContext(ctx, &stat, `
				SELECT $2::text AS quiz_id, count(*) AS attempts, COALESCE(bool_or(passed), false) AS passed
				FROM quiz_attempts WHERE enrolment_id = $1 AND quiz_id = $2`, rows[0].EnrolmentID, m.Quiz))
		}); err != nil {
			return nil, err
		}
	}
	c := v.Content
	m, i, err := c.Module(module)
	if err != nil {
		return nil, err
	}
	mv := &ModuleView{Course: Link{Slug: c.Slug, Title: c.Title}, Slug: m.Slug, Title: m.Title, Minutes: m.Minutes,
		Objectives: nonNil(m.Objectives), Tags: nonNil(m.Tags), ContentWarning: m.ContentWarning, HTMLJSON: v.ModuleHTML(m),
		Reflection: nonNil(m.Reflection), Completed: len(rows) > 0 && rows[0].Done}
	if i > 0 {
		mv.Prev = &Link{Slug: c.Modules[i-1].Slug, Title: c.Modules[i-1].Title}
	}
	if i+1 < len(c.Modules) {
		mv.Next = &Link{Slug: c.Modules[i+1].Slug, Title: c.Modules[i+1].Title}
	}
	if qz, err := c.Quiz(m.Quiz); err == nil {
		mv.Quiz = quizStatus(c, qz, stat)
	}
	return mv, nil
}

// moduleProgressQuery reads the person's newest enrolment in a course with what the module page
// shows of its progress: $1 the person, $2 the course, $3 the module, $4 its quiz.
// moduleProgressQuery reads a learner's latest enrolment in a course: whether the module is done
// and how their attempts at its quiz went.
const moduleProgressQuery = `SELECT * FROM module_progress_of(NULLIF($1, '')::uuid, $2, $3, $4, $5)`

type moduleProgressRow struct {
	EnrolmentID string `db:"id"`
	VersionID   string `db:"course_version_id"`
	Done        bool   `db:"done"`
	Attempts    int    `db:"attempts"`
	Passed      bool   `db:"passed"`
}

// enrolment is a person's current journey through a course.
type enrolment struct {
	ID          string     `db:"id"`
	OrgID       string     `db:"org_id"`
	PersonID    string     `db:"person_id"`
	CourseID    string     `db:"course_id"`
	VersionID   string     `db:"course_version_id"`
	CompletedAt *time.Time `db:"completed_at"`
}

// enrol returns the person's newest enrolment in the course, locked for this transaction,
// starting one on the newest version when there is none, or when the newest was completed and
// its certification period has run out. Otherwise a completed enrolment is returned as it is:
// completed work stays completed.
func (s *Store) enrol(ctx context.Context, tx *sqlx.Tx, p *Principal, slug string) (*enrolment, *CourseVersion, error) {
	if p.Organisation == nil {
		return nil, nil, Errorf(Forbidden, "Courses are taken as a member of an organisation.")
	}
	ref, _, err := s.findCourseRef(ctx, tx, p, slug)
	if err != nil {
		return nil, nil, err
	}
	// Serialise a person's writes to one course so two tabs cannot both start an enrolment.
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext($1 || ':' || $2))`, p.Person.ID, ref.CourseID); err != nil {
		return nil, nil, dbError(err)
	}
	var e enrolment
	err = tx.GetContext(ctx, &e, `
		SELECT id, org_id, person_id, course_id, course_version_id, completed_at FROM enrolments
		WHERE person_id = $1 AND course_id = $2 ORDER BY started_at DESC LIMIT 1 FOR UPDATE`, p.Person.ID, ref.CourseID)
	if ErrorCode(dbError(err)) == NotFound {
		err = tx.GetContext(ctx, &e, `
			INSERT INTO enrolments (org_id, person_id, course_id, course_version_id, started_at)
			VALUES ($1, $2, $3, $4, $5)
			RETURNING id, org_id, person_id, course_id, course_version_id, completed_at`,
			p.OrgID(), p.Person.ID, ref.CourseID, ref.LatestVersion, s.Now())
	}
	if err != nil {
		return nil, nil, dbError(err)
	}
	v, err := s.version(ctx, tx, e.VersionID)
	if err != nil {
		return nil, nil, err
	}
	// Once a completion's certificate has expired, working on the course again starts a new
	// certification cycle on the newest version; the old completion stays as it was.
	if months := v.Content.RecertificationMonths; e.CompletedAt != nil && months > 0 &&
		!s.Now().Before(e.CompletedAt.AddDate(0, months, 0)) {
		if err := tx.GetContext(ctx, &e, `
			INSERT INTO enrolments (org_id, person_id, course_id, course_version_id, started_at)
			VALUES ($1, $2, $3, $4, $5)
			RETURNING id, org_id, person_id, course_id, course_version_id, completed_at`,
			p.OrgID(), p.Person.ID, ref.CourseID, ref.LatestVersion, s.Now()); err != nil {
			return nil, nil, dbError(err)
		}
		if v, err = s.version(ctx, tx, e.VersionID); err != nil {
			return nil, nil, err
		}
	}
	return &e, v, nil
}

// completeIfDone writes the completion, and queues its certificate, in the caller's transaction
// when the course's rule is now met. It reports whether it completed the course.
func (s *Store) completeIfDone(ctx context.Context, tx *sqlx.Tx, e *enrolment, v *CourseVersion) (bool, error) {
	if e.CompletedAt != nil {
		return false, nil
	}
	c := v.Content
	pr, err := loadProgress(ctx, tx, e.ID)
	if err != nil {
		return false, err
	}
	if c.Completion.Roleplay {
		if pr.roleplay, err = practisedRoleplay(ctx, tx, e.OrgID, e.PersonID); err != nil {
			return false, err
		}
	}
	if _, still := pr.summary(c); len(still) > 0 {
		return false, nil
	}
	now := s.Now()
	if _, err := tx.ExecContext(ctx, `UPDATE enrolments SET completed_at = $2 WHERE id = $1`, e.ID, now); err != nil {
		return false, dbError(err)
	}
	var completionID string
	if err := tx.GetContext(ctx, &completionID, `
		INSERT INTO completions (org_id, person_id, course_id, course_version_id, enrolment_id, completed_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		e.OrgID, e.PersonID, e.CourseID, e.VersionID, e.ID, now); err != nil {
		return false, dbError(err)
	}
	e.CompletedAt = &now
	return true, addOutbox(ctx, tx, TaskCertificateIssue, e.OrgID, CertificateIssuePayload{CompletionID: completionID})
}

// CompleteModule marks a module read and returns the course page after it. Marking twice is fine.
func (s *Store) CompleteModule(ctx context.Context, p *Principal, slug, module string) (*CourseDetail, error) {
	var d *CourseDetail
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		e, v, err := s.enrol(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		if _, _, err := v.Content.Module(module); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO module_progress (enrolment_id, module_slug, completed_at) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, e.ID, module, s.Now()); err != nil {
			return dbError(err)
		}
		if _, err := s.completeIfDone(ctx, tx, e, v); err != nil {
			return err
		}
		d, err = s.courseDetail(ctx, tx, p, slug)
		return err
	})
	return d, err
}

package courses

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Completion statuses beyond a learner's own (StatusNotStarted, StatusInProgress,
// StatusCompleted, StatusOverdue).
const (
	StatusDueSoon = "due_soon"
	StatusExpired = "expired"
)

// MatrixStatuses lists every status a matrix cell can have, most urgent first: the order of
// sort=status.
var MatrixStatuses = []string{StatusOverdue, StatusExpired, StatusDueSoon, StatusNotStarted, StatusInProgress, StatusCompleted}

// DueSoonWithin is how close a due date must be for an unfinished assignment to be "due soon".
const DueSoonWithin = 14 * 24 * time.Hour

// TrainingDueSoonWithin is how close its expiry must be for external training to be "due soon":
// the same 30 days in which the reminders say it is expiring.
const TrainingDueSoonWithin = 30 * 24 * time.Hour

// What a matrix row is about: a course assigned to the person, or a type of external training
// the organisation tracks.
const (
	MatrixKindCourse   = "course"
	MatrixKindExternal = "external"
)

// StatusFacts is what decides one person's status in one assigned course.
type StatusFacts struct {
	// DueAt is the due date that counts now (the assignment_due view's, which moves on with
	// recertification).
	DueAt *time.Time
	// CompletedAt is the newest completion whose certificate is not revoked.
	CompletedAt *time.Time
	// ExpiresAt is when that completion stops counting: its certificate's expiry, or the end of
	// the recertification cycle.
	ExpiresAt *time.Time
	// Started: an enrolment is open.
	Started bool
	// Recert: the assignment recurs, so a due date after the last completion starts a new cycle.
	// Without it, a completion settles the assignment whenever its due date falls.
	Recert bool
}

// AssignmentStatus is the status of an assigned course at now. An expired completion says
// "expired" rather than "overdue" because that is what the person has to act on; a due date
// that fell before the completion belongs to the cycle already done. matrixStatusSQL must say
// the same thing in SQL; TestMatrixStatusAgreesWithSQL checks that it does.
func AssignmentStatus(f StatusFacts, now time.Time) string {
	due := f.DueAt
	if due != nil && f.CompletedAt != nil && (!f.Recert || !due.After(*f.CompletedAt)) {
		due = nil
	}
	switch {
	case f.CompletedAt != nil && f.ExpiresAt != nil && !now.Before(*f.ExpiresAt):
		return StatusExpired
	case due != nil && now.After(*due):
		return StatusOverdue
	case f.CompletedAt != nil:
		return StatusCompleted
	case due != nil && due.Sub(now) <= DueSoonWithin:
		return StatusDueSoon
	case f.Started:
		return StatusInProgress
	}
	return StatusNotStarted
}

// matrixStatusSQL is AssignmentStatus over the columns due_at, completed_at, expires_at, started
// and recert, with $now the clock reading.
const matrixStatusSQL = `CASE
	WHEN completed_at IS NOT NULL AND expires_at IS NOT NULL AND expires_at <= $now THEN 'expired'
	WHEN due_at IS NOT NULL AND (completed_at IS NULL OR recert AND due_at > completed_at) AND due_at < $now THEN 'overdue'
	WHEN completed_at IS NOT NULL THEN 'completed'
	WHEN due_at IS NOT NULL AND due_at <= $now + interval '14 days' THEN 'due_soon'
	WHEN started THEN 'in_progress'
	ELSE 'not_started' END`

// TrainingStatus is the status of a type of external training for one person at now, from their
// newest record of it (completedAt and expiresAt nil without one): not started, expired from its
// expiry date on, due soon in the 30 days before, completed otherwise. Record dates count from
// midnight UTC, as TrainingRecord.Expired does. trainingStatusSQL must say the same thing in SQL;
// TestTrainingStatus checks that it does.
func TrainingStatus(completedAt, expiresAt *time.Time, now time.Time) string {
	today := civil(now.UTC())
	switch {
	case completedAt == nil:
		return StatusNotStarted
	case expiresAt == nil:
		return StatusCompleted
	case !expiresAt.After(today):
		return StatusExpired
	case !expiresAt.After(today.Add(TrainingDueSoonWithin)):
		return StatusDueSoon
	}
	return StatusCompleted
}

// trainingStatusSQL is TrainingStatus over the columns completed_at and expires_at, with $today
// the start of today (UTC) and $soon TrainingDueSoonWithin after it.
const trainingStatusSQL = `CASE
	WHEN completed_at IS NULL THEN 'not_started'
	WHEN expires_at IS NULL THEN 'completed'
	WHEN expires_at <= $today THEN 'expired'
	WHEN expires_at <= $soon THEN 'due_soon'
	ELSE 'completed' END`

// CompletionFilter narrows and orders the completion matrix. Empty fields mean "all" and the
// defaults (sort by name, ascending).
type CompletionFilter struct {
	TeamID string
	Course string // a course slug
	// TrainingType is the id of a type of external training; with it the matrix shows only that
	// type, as with Course only that course.
	TrainingType string
	Status       string
	Sort         string // name, status or due
	Order        string // asc or desc
	// personID narrows to one person, for their record.
	personID string
}

// MatrixRow is one cell of the matrix: a person and one course assigned to them, or one type of
// external training. For external training Course is empty, CourseTitle is the type's name,
// CompletedAt and ExpiresAt are the dates of the person's newest record (midnight UTC) and DueAt
// is its expiry, by when it must be renewed.
type MatrixRow struct {
	PersonID       string     `json:"person_id"`
	Name           string     `json:"name"`
	Email          string     `json:"email"`
	Teams          []string   `json:"teams"`
	Kind           string     `json:"kind"`
	Course         string     `json:"course"`
	TrainingTypeID *string    `json:"training_type_id"`
	CourseTitle    string     `json:"course_title"`
	Status         string     `json:"status"`
	DueAt          *time.Time `json:"due_at"`
	CompletedAt    *time.Time `json:"completed_at"`
	ExpiresAt      *time.Time `json:"expires_at"`
	courseID       string
}

// subject fills in what a row is about from the matrix query's kind, course_id and title
// columns; a course's slug and title come later, from courseNames.
func (r *MatrixRow) subject(kind, id string, title *string) {
	r.Kind, r.courseID, r.TrainingTypeID = kind, "", nil
	if kind != MatrixKindExternal {
		r.courseID = id
		return
	}
	r.TrainingTypeID = &id
	r.Course, r.CourseTitle = "", ""
	if title != nil {
		r.CourseTitle = *title
	}
}

// StatusCounts counts cells by status; every status is present.
type StatusCounts map[string]int

func newCounts() StatusCounts {
	c := StatusCounts{}
	for _, s := range MatrixStatuses {
		c[s] = 0
	}
	return c
}

// CourseTotal counts one course's cells by status.
type CourseTotal struct {
	Course string       `json:"course"`
	Title  string       `json:"title"`
	Total  int          `json:"total"`
	Counts StatusCounts `json:"counts"`
}

// TrainingTypeTotal counts one type of external training's cells by status.
type TrainingTypeTotal struct {
	ID     string       `json:"id"`
	Name   string       `json:"name"`
	Total  int          `json:"total"`
	Counts StatusCounts `json:"counts"`
}

// TeamTotal counts one team's cells by status; ID is null for people in no team.
type TeamTotal struct {
	ID     *string      `json:"id"`
	Name   string       `json:"name"`
	Total  int          `json:"total"`
	Counts StatusCounts `json:"counts"`
}

// Matrix is one page of the completion matrix and the totals of everything the filter matches
// (the team, course and training type filters; the status filter narrows only the rows).
type Matrix struct {
	Items         []MatrixRow         `json:"items"`
	NextCursor    string              `json:"next_cursor"`
	Total         int                 `json:"total"`
	Courses       []CourseTotal       `json:"courses"`
	TrainingTypes []TrainingTypeTotal `json:"training_types"`
	Teams         []TeamTotal         `json:"teams"`
}

// matrixScope is who the caller may see, by the rule in org_people.go: their whole
// organisation, or a manager's own teams.
type matrixScope struct {
	p         *Principal
	orgID     string
	managerID string // set for a manager who is not an org admin
}

func scopeOf(p *Principal) (matrixScope, error) {
	if p == nil || p.OrgID() == "" {
		return matrixScope{}, Errorf(Forbidden, "You do not have access to this.")
	}
	switch {
	case p.Person.HasRole(RoleOrgAdmin):
		return matrixScope{p: p, orgID: p.OrgID()}, nil
	case p.Person.HasRole(RoleManager):
		return matrixScope{p: p, orgID: p.OrgID(), managerID: p.Person.ID}, nil
	}
	return matrixScope{}, Errorf(Forbidden, "You do not have access to this.")
}

// visiblePeople selects the people a scope sees, with $org and $caller bound, and whether each
// is a trainee.
func (sc matrixScope) visiblePeople() string {
	return `SELECT p.id, p.name, p.email, 'trainee' = ANY (p.roles) AS trainee FROM people p WHERE p.org_id = $org AND ` +
		VisiblePeopleSQL(sc.p, "p", "$org", "$caller")
}

// visibleTeams selects the ids of the teams a scope sees.
func (sc matrixScope) visibleTeams() string {
	return `SELECT t.id FROM teams t WHERE ` + VisibleTeamsSQL(sc.p, "t", "$org", "$caller")
}

func (sc matrixScope) args(more map[string]any) map[string]any {
	more["org"], more["caller"] = sc.orgID, sc.p.Person.ID
	return more
}

// canSee reports whether a scope sees a person; a person it cannot see is NotFound.
func (s *Store) canSee(ctx context.Context, q sqlx.QueryerContext, sc matrixScope, personID string) error {
	if _, err := uuid.Parse(personID); err != nil {
		return Errorf(NotFound, "There is no such person.")
	}
	query, args := named(`SELECT EXISTS (`+sc.visiblePeople()+` AND p.id = $person)`,
		sc.args(map[string]any{"person": personID}))
	var ok bool
	if err := sqlx.GetContext(ctx, q, &ok, query, args...); err != nil {
		return dbError(err)
	}
	if !ok {
		return Errorf(NotFound, "There is no such person.")
	}
	return nil
}

// named replaces $name placeholders with $1…$n, so long queries read by name.
func named(query string, args map[string]any) (string, []any) {
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	// Longer names first, so $org is not replaced inside $orgname.
	slices.SortFunc(keys, func(a, b string) int { return len(b) - len(a) })
	out := make([]any, 0, len(keys))
	for i, k := range keys {
		query = strings.ReplaceAll(query, "$"+k, "$"+strconv.Itoa(i+1))
		out = append(out, args[k])
	}
	return query, out
}

// matrixCTE is the body shared by the matrix page, its CSV export and the course report: every
// visible active person's assignments (m) and external training (x) with their status (CTE s).
// External training concerns every trainee, and anyone else once they have a record of it; only
// the newest record of each type counts. course_id is the training type's id on those rows.
func (sc matrixScope) matrixCTE() string {
	// vis is not materialised: each branch joins people in the way that suits it.
	return `
WITH vis AS NOT MATERIALIZED (` + sc.visiblePeople() + `
		AND p.active AND ($person = '' OR p.id::text = $person)
		AND ($team = '' OR p.id IN (SELECT person_id FROM team_members WHERE team_id::text = $team))
), m AS (
	SELECT vis.id AS person_id, vis.name, vis.email, d.course_id, d.due_at, d.last_completed_at AS completed_at,
		CASE WHEN d.recert_months IS NOT NULL AND d.last_completed_at IS NOT NULL THEN d.due_at
			ELSE d.last_expires_at END AS expires_at,
		d.started, d.recert_months IS NOT NULL AS recert
	FROM vis JOIN assignment_due d ON d.person_id = vis.id AND d.org_id = $org
	WHERE $training = '' AND ($course = '' OR d.course_id::text = $course)
), x AS (
	SELECT vis.id AS person_id, vis.name, vis.email, t.id AS course_id, t.name AS title,
		r.completed_at, r.expires_at
	FROM vis JOIN training_types t ON t.org_id = $org
	-- The newest record of each person and type, read in one pass rather than looked up per cell:
	-- the organisation's records are far fewer than its people times its types.
	LEFT JOIN (
		SELECT DISTINCT ON (tr.person_id, tr.training_type_id) tr.person_id, tr.training_type_id,
			tr.completed_on::timestamp AT TIME ZONE 'UTC' AS completed_at,
			tr.expires_on::timestamp AT TIME ZONE 'UTC' AS expires_at
		FROM training_records tr WHERE tr.org_id = $org
		ORDER BY tr.person_id, tr.training_type_id, tr.completed_on DESC, tr.created_at DESC, tr.id DESC
	) r ON r.person_id = vis.id AND r.training_type_id = t.id
	WHERE $course = '' AND ($training = '' OR t.id::text = $training) AND (vis.trainee OR r.completed_at IS NOT NULL)
		-- Checked once: an organisation without training types reads none of its people again.
		AND EXISTS (SELECT 1 FROM training_types WHERE org_id = $org)
), s AS MATERIALIZED (
	SELECT person_id, name, email, 'course' AS kind, course_id, NULL::text AS title, due_at, completed_at, expires_at,
		` + matrixStatusSQL + ` AS status FROM m
	UNION ALL
	SELECT person_id, name, email, 'external', course_id, title, expires_at, completed_at, expires_at,
		` + trainingStatusSQL + ` FROM x
)`
}

// matrixArgs binds the placeholders of matrixCTE, and more.
func (s *Store) matrixArgs(sc matrixScope, f CompletionFilter, courseID string, more map[string]any) map[string]any {
	now := s.Now()
	today := civil(now.UTC())
	more["team"], more["course"], more["training"], more["person"] = f.TeamID, courseID, f.TrainingType, f.personID
	more["now"], more["today"], more["soon"], more["status"] = now, today, today.Add(TrainingDueSoonWithin), f.Status
	return sc.args(more)
}

func (f *CompletionFilter) check() error {
	fs := Fields{}
	if f.Status != "" && !slices.Contains(MatrixStatuses, f.Status) {
		fs.Add("status", "Choose one of "+strings.Join(MatrixStatuses, ", ")+".")
	}
	switch f.Sort {
	case "":
		f.Sort = "name"
	case "name", "status", "due":
	default:
		fs.Add("sort", "Sort by name, status or due.")
	}
	switch f.Order {
	case "":
		f.Order = "asc"
	case "asc", "desc":
	default:
		fs.Add("order", "Use asc or desc.")
	}
	if f.TeamID != "" {
		if _, err := uuid.Parse(f.TeamID); err != nil {
			fs.Add("team", "This is not a team id.")
		}
	}
	if f.TrainingType != "" {
		if _, err := uuid.Parse(f.TrainingType); err != nil {
			fs.Add("training_type", "This is not a training type id.")
		} else if f.Course != "" {
			fs.Add("training_type", "Choose a course or a type of external training, not both.")
		}
	}
	return fs.Err()
}

// orderBy is the ORDER BY of a sort over CTE s; every key ends in a unique pair, so pages never
// overlap.
func (f *CompletionFilter) orderBy() string {
	dir := " ASC"
	if f.Order == "desc" {
		dir = " DESC"
	}
	tail := "lower(name)" + dir + ", person_id" + dir + ", kind" + dir + ", course_id" + dir
	switch f.Sort {
	case "status":
		return "array_position(ARRAY['" + strings.Join(MatrixStatuses, "','") + "'], status)" + dir + ", " + tail
	case "due":
		return "due_at" + dir + " NULLS LAST, " + tail
	}
	return tail
}

// resolveFilter turns a checked filter's course slug into an id. A team, course or training type
// the organisation does not have is NotFound.
func (s *Store) resolveFilter(ctx context.Context, tx *sqlx.Tx, sc matrixScope, f *CompletionFilter) (courseID string, err error) {
	if f.TeamID != "" {
		var ok bool
		if err := tx.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM teams WHERE id = $1 AND org_id = $2)`,
			f.TeamID, sc.orgID); err != nil {
			return "", dbError(err)
		}
		if !ok {
			return "", Errorf(NotFound, "There is no such team.")
		}
	}
	if f.TrainingType != "" {
		var ok bool
		if err := tx.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM training_types WHERE id = $1 AND org_id = $2)`,
			f.TrainingType, sc.orgID); err != nil {
			return "", dbError(err)
		}
		if !ok {
			return "", Errorf(NotFound, "There is no such type of training.")
		}
	}
	if f.Course != "" {
		k, err := s.resolveCourse(ctx, tx, sc.orgID, f.Course)
		if err != nil {
			return "", err
		}
		courseID = k.CourseID
	}
	return courseID, nil
}

func decodeOffset(c string) (int, error) {
	if c == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	n, perr := strconv.Atoi(strings.TrimPrefix(string(b), "o:"))
	if err != nil || perr != nil || !strings.HasPrefix(string(b), "o:") || n < 0 {
		return 0, FieldError("cursor", "This cursor is not valid; start from the first page.")
	}
	return n, nil
}

func encodeOffset(n int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("o:" + strconv.Itoa(n)))
}

// FindCompletion returns one page of the completion matrix the caller may see, with totals.
// Totals and the page come from one statement that computes every status once: at 50,000
// assignments that is what keeps the page fast.
func (s *Store) FindCompletion(ctx context.Context, p *Principal, f CompletionFilter, page Page) (*Matrix, error) {
	sc, err := scopeOf(p)
	if err != nil {
		return nil, err
	}
	if err := f.check(); err != nil {
		return nil, err
	}
	if page.Limit <= 0 {
		page.Limit = DefaultPageSize
	}
	page.Limit = min(page.Limit, MaxPageSize)
	offset, err := decodeOffset(page.Cursor)
	if err != nil {
		return nil, err
	}
	var m *Matrix
	err = s.tx(ctx, sc.orgID, func(tx *sqlx.Tx) error {
		var err error
		m, err = s.findCompletion(ctx, tx, sc, f, page.Limit, offset)
		return err
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// findCompletion is FindCompletion in tx, for a checked filter.
func (s *Store) findCompletion(ctx context.Context, tx *sqlx.Tx, sc matrixScope, f CompletionFilter, limit, offset int) (*Matrix, error) {
	courseID, err := s.resolveFilter(ctx, tx, sc, &f)
	if err != nil {
		return nil, err
	}
	query, args := named(sc.matrixCTE()+`,
	pg AS (
		SELECT person_id, name, email, kind, course_id, title, status, due_at, completed_at, expires_at FROM s
		WHERE $status = '' OR status = $status
		ORDER BY `+f.orderBy()+` LIMIT $limit OFFSET $offset
	)
	SELECT
		(SELECT COALESCE(json_agg(json_build_object('person_id', pg.person_id, 'name', pg.name, 'email', pg.email,
			'kind', pg.kind, 'course_id', pg.course_id, 'title', pg.title, 'status', pg.status, 'due_at', pg.due_at,
			'completed_at', pg.completed_at, 'expires_at', pg.expires_at, 'teams', (SELECT COALESCE(json_agg(t.name ORDER BY lower(t.name)), '[]')
				FROM team_members tm JOIN teams t ON t.id = tm.team_id WHERE tm.person_id = pg.person_id))), '[]')
			FROM pg) AS items,
		(SELECT count(*) FROM s WHERE $status = '' OR status = $status) AS total,
		(SELECT COALESCE(json_agg(c), '[]') FROM (
			SELECT kind, course_id, title, status, count(*) AS n FROM s GROUP BY kind, course_id, title, status) c) AS courses,
		(SELECT COALESCE(json_agg(t), '[]') FROM (
			SELECT tm.team_id, s.status, count(*) AS n FROM s
			LEFT JOIN team_members tm ON tm.person_id = s.person_id AND tm.org_id = $org
				AND tm.team_id IN (`+sc.visibleTeams()+`)
			GROUP BY tm.team_id, s.status) t) AS teams`,
		s.matrixArgs(sc, f, courseID, map[string]any{"limit": limit + 1, "offset": offset}))
	var row struct {
		Items   []byte `db:"items"`
		Total   int    `db:"total"`
		Courses []byte `db:"courses"`
		Teams   []byte `db:"teams"`
	}
	if err := noJIT(ctx, tx); err != nil {
		return nil, err
	}
	if err := tx.GetContext(ctx, &row, query, args...); err != nil {
		return nil, dbError(err)
	}
	var items []struct {
		MatrixRow
		CourseID string  `json:"course_id"`
		Title    *string `json:"title"`
	}
	var courseCounts []struct {
		Kind     string  `json:"kind"`
		CourseID string  `json:"course_id"`
		Title    *string `json:"title"`
		Status   string  `json:"status"`
		N        int     `json:"n"`
	}
	var teamCounts []struct {
		TeamID *string `json:"team_id"`
		Status string  `json:"status"`
		N      int     `json:"n"`
	}
	for _, d := range []struct {
		b []byte
		v any
	}{{row.Items, &items}, {row.Courses, &courseCounts}, {row.Teams, &teamCounts}} {
		if err := json.Unmarshal(d.b, d.v); err != nil {
			return nil, fmt.Errorf("completion matrix: %w", err)
		}
	}
	m := &Matrix{Items: []MatrixRow{}, Total: row.Total, Courses: []CourseTotal{}, TrainingTypes: []TrainingTypeTotal{},
		Teams: []TeamTotal{}}
	courseIDs := []string{}
	for _, it := range items {
		r := it.MatrixRow
		r.subject(r.Kind, it.CourseID, it.Title)
		r.DueAt, r.CompletedAt, r.ExpiresAt = utc(r.DueAt), utc(r.CompletedAt), utc(r.ExpiresAt)
		m.Items = append(m.Items, r)
	}
	if len(m.Items) > limit {
		m.Items = m.Items[:limit]
		m.NextCursor = encodeOffset(offset + limit)
	}
	byCourse := map[string]*CourseTotal{}
	byType := map[string]*TrainingTypeTotal{}
	for _, c := range courseCounts {
		if c.Kind == MatrixKindExternal {
			t := byType[c.CourseID]
			if t == nil {
				t = &TrainingTypeTotal{ID: c.CourseID, Counts: newCounts()}
				if c.Title != nil {
					t.Name = *c.Title
				}
				byType[c.CourseID] = t
			}
			t.Counts[c.Status] += c.N
			t.Total += c.N
			continue
		}
		t := byCourse[c.CourseID]
		if t == nil {
			t = &CourseTotal{Counts: newCounts()}
			byCourse[c.CourseID] = t
			courseIDs = append(courseIDs, c.CourseID)
		}
		t.Counts[c.Status] += c.N
		t.Total += c.N
	}
	for _, r := range m.Items {
		if r.courseID != "" {
			courseIDs = append(courseIDs, r.courseID)
		}
	}
	names, err := s.courseNames(ctx, tx, courseIDs)
	if err != nil {
		return nil, err
	}
	for i := range m.Items {
		if id := m.Items[i].courseID; id != "" {
			m.Items[i].Course, m.Items[i].CourseTitle = names[id].slug, names[id].title
		}
	}
	for id, t := range byCourse {
		t.Course, t.Title = names[id].slug, names[id].title
		m.Courses = append(m.Courses, *t)
	}
	slices.SortFunc(m.Courses, func(a, b CourseTotal) int { return strings.Compare(a.Title, b.Title) })
	for _, t := range byType {
		m.TrainingTypes = append(m.TrainingTypes, *t)
	}
	slices.SortFunc(m.TrainingTypes, func(a, b TrainingTypeTotal) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.ID, b.ID))
	})
	teams, err := s.teamNames(ctx, tx, sc.orgID)
	if err != nil {
		return nil, err
	}
	byTeam := map[string]*TeamTotal{}
	for _, c := range teamCounts {
		key := ""
		if c.TeamID != nil {
			key = *c.TeamID
		}
		t := byTeam[key]
		if t == nil {
			t = &TeamTotal{ID: c.TeamID, Name: "No team", Counts: newCounts()}
			if c.TeamID != nil {
				t.Name = teams[key]
			}
			byTeam[key] = t
		}
		t.Counts[c.Status] += c.N
		t.Total += c.N
	}
	for _, t := range byTeam {
		m.Teams = append(m.Teams, *t)
	}
	// Named teams in name order, then the people in no team.
	slices.SortFunc(m.Teams, func(a, b TeamTotal) int {
		if (a.ID == nil) != (b.ID == nil) {
			if a.ID == nil {
				return 1
			}
			return -1
		}
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return m, nil
}

// noJIT turns off PostgreSQL's JIT compiler for the rest of tx, and gives its sorts and CTEs room
// in memory. The planner overestimates the matrix's cost, and JIT then spends most of a second
// compiling a query that runs in a fraction of that.
func noJIT(ctx context.Context, tx *sqlx.Tx) error {
	// The matrix keeps every assignment's status in a materialised CTE; with the default 4 MB
	// of work memory a large organisation's spills to a temporary file on each page.
	_, err := tx.ExecContext(ctx, `SET LOCAL jit = off; SET LOCAL work_mem = '32MB'`)
	return dbError(err)
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

type courseName struct{ slug, title string }

// courseNames returns the slug and newest title of each course; titles come from the parsed
// version cache, so the matrix never reads course content from the database twice.
func (s *Store) courseNames(ctx context.Context, tx *sqlx.Tx, ids []string) (map[string]courseName, error) {
	out := map[string]courseName{}
	if len(ids) == 0 {
		return out, nil
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var rows []struct {
		CourseID  string `db:"course_id"`
		Slug      string `db:"slug"`
		VersionID string `db:"version_id"`
	}
	if err := tx.SelectContext(ctx, &rows, `
		SELECT DISTINCT ON (v.course_id) v.course_id, c.slug, v.id AS version_id
		FROM course_versions v JOIN courses c ON c.id = v.course_id
		WHERE v.course_id = ANY($1::uuid[]) ORDER BY v.course_id, v.version DESC`, pq.StringArray(ids)); err != nil {
		return nil, dbError(err)
	}
	for _, r := range rows {
		v, err := s.version(ctx, tx, r.VersionID)
		if err != nil {
			return nil, err
		}
		out[r.CourseID] = courseName{slug: r.Slug, title: v.Content.Title}
	}
	return out, nil
}

func (s *Store) teamNames(ctx context.Context, tx *sqlx.Tx, orgID string) (map[string]string, error) {
	var rows []struct {
		ID   string `db:"id"`
		Name string `db:"name"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT id, name FROM teams WHERE org_id = $1`, orgID); err != nil {
		return nil, dbError(err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}

// EachCompletion calls fn with every matrix row the caller may see that f matches, in f's
// order, reading them from the database as it goes: memory stays flat however many there are.
// fn's error stops the walk and is returned.
func (s *Store) EachCompletion(ctx context.Context, p *Principal, f CompletionFilter, fn func(*MatrixRow) error) error {
	sc, err := scopeOf(p)
	if err != nil {
		return err
	}
	if err := f.check(); err != nil {
		return err
	}
	return s.tx(ctx, sc.orgID, func(tx *sqlx.Tx) error {
		courseID, err := s.resolveFilter(ctx, tx, sc, &f)
		if err != nil {
			return err
		}
		return s.eachMatrixRow(ctx, tx, sc, f, courseID, fn)
	})
}

// eachMatrixRow streams the rows of a checked filter from tx. The transaction stays open while
// fn runs.
func (s *Store) eachMatrixRow(ctx context.Context, tx *sqlx.Tx, sc matrixScope, f CompletionFilter, courseID string, fn func(*MatrixRow) error) error {
	// The connection can run nothing else while it streams the rows, so the names of every
	// course the rows can hold are read first.
	var ids []string
	switch {
	case f.TrainingType != "":
	case courseID != "":
		ids = []string{courseID}
	default:
		var person *string
		if f.personID != "" {
			person = &f.personID
		}
		if err := tx.SelectContext(ctx, &ids, `
			SELECT DISTINCT course_id FROM assignments WHERE org_id = $1 AND ($2::uuid IS NULL OR person_id = $2)`,
			sc.orgID, person); err != nil {
			return dbError(err)
		}
	}
	names, err := s.courseNames(ctx, tx, ids)
	if err != nil {
		return err
	}
	query, args := named(sc.matrixCTE()+`
	SELECT s.person_id, s.name, s.email, s.kind, s.course_id, s.title, s.status, s.due_at, s.completed_at, s.expires_at,
		ARRAY(SELECT t.name FROM team_members tm JOIN teams t ON t.id = tm.team_id
			WHERE tm.person_id = s.person_id ORDER BY lower(t.name)) AS teams
	FROM s WHERE $status = '' OR status = $status
	ORDER BY `+f.orderBy(),
		s.matrixArgs(sc, f, courseID, map[string]any{}))
	if err := noJIT(ctx, tx); err != nil {
		return err
	}
	rows, err := tx.QueryxContext(ctx, query, args...)
	if err != nil {
		return dbError(err)
	}
	defer rows.Close()
	var r MatrixRow
	var teams pq.StringArray
	var kind, id string
	var title *string
	for rows.Next() {
		teams = teams[:0]
		if err := rows.Scan(&r.PersonID, &r.Name, &r.Email, &kind, &id, &title, &r.Status, &r.DueAt, &r.CompletedAt,
			&r.ExpiresAt, &teams); err != nil {
			return dbError(err)
		}
		r.subject(kind, id, title)
		if r.courseID != "" {
			r.Course, r.CourseTitle = names[r.courseID].slug, names[r.courseID].title
		}
		r.Teams = teams
		r.DueAt, r.CompletedAt, r.ExpiresAt = utc(r.DueAt), utc(r.CompletedAt), utc(r.ExpiresAt)
		if err := fn(&r); err != nil {
			return err
		}
	}
	return dbError(rows.Err())
}

// AuditCompletionExport records that the caller exported the matrix with f. It checks f first,
// so a refused export leaves no record.
func (s *Store) AuditCompletionExport(ctx context.Context, p *Principal, f CompletionFilter) error {
	sc, err := scopeOf(p)
	if err != nil {
		return err
	}
	if err := f.check(); err != nil {
		return err
	}
	return s.tx(ctx, sc.orgID, func(tx *sqlx.Tx) error {
		if _, err := s.resolveFilter(ctx, tx, sc, &f); err != nil {
			return err
		}
		return s.audit(ctx, tx, sc.orgID, actorOf(p), "completion.export", "", "", map[string]string{
			"team": f.TeamID, "course": f.Course, "training_type": f.TrainingType, "status": f.Status, "sort": f.Sort,
			"order": f.Order})
	})
}

package courses

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// ImportResult says what an import did with one course.
type ImportResult struct {
	Slug    string
	Version int
	// Changed is false when the content was identical to the newest version.
	Changed bool
}

// ImportCourses stores courses as new versions where their content changed, all in one
// transaction: any error leaves everything as it was. orgID "" imports shipped courses, visible
// to every organisation; otherwise the courses belong to that organisation alone.
func (s *Store) ImportCourses(ctx context.Context, orgID string, cs []*Course) ([]ImportResult, error) {
	defer s.courseKeys.Clear()
	var out []ImportResult
	// Shipped courses (no organisation) belong to every organisation: only the system writes them.
	scope := s.sysTx
	if orgID != "" {
		scope = func(ctx context.Context, fn func(tx *sqlx.Tx) error) error { return s.tx(ctx, orgID, fn) }
	}
	err := scope(ctx, func(tx *sqlx.Tx) error {
		// One importer at a time, so two servers starting together number versions once.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('peerpath:course-import'))`); err != nil {
			return dbError(err)
		}
		for _, c := range cs {
			r, err := importCourse(ctx, tx, orgID, c)
			if err != nil {
				return fmt.Errorf("course %s: %w", c.Slug, err)
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

func importCourse(ctx context.Context, tx *sqlx.Tx, orgID string, c *Course) (ImportResult, error) {
	content, err := json.Marshal(c)
	if err != nil {
		return ImportResult{}, err
	}
	sum := sha256.Sum256(content)
	hash := hex.EncodeToString(sum[:])
	var org any
	if orgID != "" {
		org = orgID
		var shipped bool
		if err := tx.GetContext(ctx, &shipped, `SELECT EXISTS (SELECT 1 FROM courses WHERE org_id IS NULL AND slug = $1)`, c.Slug); err != nil {
			return ImportResult{}, dbError(err)
		}
		if shipped {
			return ImportResult{}, Errorf(Conflict, "the slug %q belongs to a course Peerpath ships; choose another", c.Slug)
		}
	}
	var courseID string
	err = tx.GetContext(ctx, &courseID, `
		SELECT id FROM courses WHERE org_id IS NOT DISTINCT FROM $1::uuid AND slug = $2`, org, c.Slug)
	if err == sql.ErrNoRows {
		err = tx.GetContext(ctx, &courseID, `INSERT INTO courses (org_id, slug) VALUES ($1, $2) RETURNING id`, org, c.Slug)
	}
	if err != nil {
		return ImportResult{}, dbError(err)
	}
	var last struct {
		Version int    `db:"version"`
		Hash    string `db:"content_hash"`
	}
	err = tx.GetContext(ctx, &last, `
		SELECT version, content_hash FROM course_versions WHERE course_id = $1 ORDER BY version DESC LIMIT 1`, courseID)
	if err != nil && err != sql.ErrNoRows {
		return ImportResult{}, dbError(err)
	}
	if last.Hash == hash {
		return ImportResult{Slug: c.Slug, Version: last.Version}, nil
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO course_versions (course_id, version, content_hash, content) VALUES ($1, $2, $3, $4)`,
		courseID, last.Version+1, hash, content); err != nil {
		return ImportResult{}, dbError(err)
	}
	return ImportResult{Slug: c.Slug, Version: last.Version + 1, Changed: true}, nil
}

// CourseVersion is one stored version of a course.
type CourseVersion struct {
	ID       string
	CourseID string
	OrgID    string // "" for a shipped course
	Version  int
	Content  *Course
	// html caches each module's rendered HTML; a version never changes, so neither does it.
	html sync.Map
}

// ModuleHTML returns a module's sanitised HTML as a JSON string, rendered and encoded once per
// version: it is the largest part of the most-read response.
func (v *CourseVersion) ModuleHTML(m *Module) []byte {
	if h, ok := v.html.Load(m.Slug); ok {
		return h.([]byte)
	}
	h, _ := json.Marshal(RenderMarkdown(m.Body))
	v.html.Store(m.Slug, h)
	return h
}

// Module returns the module with slug, its index, or NotFound.
func (c *Course) Module(slug string) (*Module, int, error) {
	for i := range c.Modules {
		if c.Modules[i].Slug == slug {
			return &c.Modules[i], i, nil
		}
	}
	return nil, -1, Errorf(NotFound, "There is no module %q in this course.", slug)
}

// Quiz returns the quiz with id, or NotFound.
func (c *Course) Quiz(id string) (*Quiz, error) {
	for i := range c.Quizzes {
		if c.Quizzes[i].ID == id {
			return &c.Quizzes[i], nil
		}
	}
	return nil, Errorf(NotFound, "There is no quiz %q in this course.", id)
}

// Scenario returns the scenario with id, or NotFound.
func (c *Course) Scenario(id string) (*Scenario, error) {
	for i := range c.Scenarios {
		if c.Scenarios[i].ID == id {
			return &c.Scenarios[i], nil
		}
	}
	return nil, Errorf(NotFound, "There is no scenario %q in this course.", id)
}

// versionCache holds parsed course versions by id; they are immutable, so entries never go stale.
// A cached version is served without asking the database, so row-level security does not see
// that read: callers pass only ids they read, under the caller's organisation, from enrolments,
// attempts or course references.
type versionCache struct{ m sync.Map }

// version returns a course version, reading it with q (a transaction carrying the caller's
// organisation) the first time.
func (s *Store) version(ctx context.Context, q sqlx.QueryerContext, id string) (*CourseVersion, error) {
	if v, ok := s.versions.m.Load(id); ok {
		return v.(*CourseVersion), nil
	}
	var row struct {
		ID       string         `db:"id"`
		CourseID string         `db:"course_id"`
		OrgID    sql.NullString `db:"org_id"`
		Version  int            `db:"version"`
		Content  []byte         `db:"content"`
	}
	if err := sqlx.GetContext(ctx, q, &row, `
		SELECT v.id, v.course_id, c.org_id, v.version, v.content
		FROM course_versions v JOIN courses c ON c.id = v.course_id WHERE v.id = $1`, id); err != nil {
		return nil, dbError(err)
	}
	v := &CourseVersion{ID: row.ID, CourseID: row.CourseID, OrgID: row.OrgID.String, Version: row.Version, Content: &Course{}}
	if err := json.Unmarshal(row.Content, v.Content); err != nil {
		return nil, fmt.Errorf("course version %s: %w", id, err)
	}
	actual, _ := s.versions.m.LoadOrStore(id, v)
	return actual.(*CourseVersion), nil
}

// courseRef is a course visible to a caller, with the version they see: the one their current
// enrolment is pinned to, else the newest.
type courseRef struct {
	CourseID      string         `db:"course_id"`
	OrgCourse     bool           `db:"org_course"`
	LatestVersion string         `db:"latest_version_id"`
	Enrolment     sql.NullString `db:"enrolment_id"`
	EnrolVersion  sql.NullString `db:"enrol_version_id"`
	StartedAt     *time.Time     `db:"started_at"`
	CompletedAt   *time.Time     `db:"completed_at"`
	DueAt         *time.Time     `db:"due_at"`
	Assigned      bool           `db:"assigned"`
	ModulesDone   pq.StringArray `db:"modules_done"`
	QuizStats     []byte         `db:"quiz_stats"` // JSON: [{"quiz_id","attempts","passed"}]
}

// progress is the enrolment's progress as read with the reference.
func (r *courseRef) progress() (progressRow, error) {
	p := progressRow{modules: map[string]bool{}, quizzes: map[string]quizStat{}}
	for _, m := range r.ModulesDone {
		p.modules[m] = true
	}
	var qs []quizStat
	if len(r.QuizStats) > 0 {
		if err := json.Unmarshal(r.QuizStats, &qs); err != nil {
			return p, fmt.Errorf("quiz stats: %w", err)
		}
	}
	for _, q := range qs {
		p.quizzes[q.QuizID] = q
	}
	return p, nil
}

func (r *courseRef) versionID() string {
	if r.EnrolVersion.Valid {
		return r.EnrolVersion.String
	}
	return r.LatestVersion
}

// courseRefQuery lists the courses a person may see with their newest enrolment, its progress
// and their assignment, in one round trip: it serves the most-read pages.
// $1 is the person, $2 their organisation ("" for an operator, who sees shipped courses), $3 a
// slug or NULL for all.
const courseRefQuery = `
	SELECT c.id AS course_id, c.org_id IS NOT NULL AS org_course,
		(SELECT v.id FROM course_versions v WHERE v.course_id = c.id ORDER BY v.version DESC LIMIT 1) AS latest_version_id,
		e.id AS enrolment_id, e.course_version_id AS enrol_version_id, e.started_at, e.completed_at,
		a.due_at, a.id IS NOT NULL AS assigned,
		ARRAY(SELECT module_slug FROM module_progress mp WHERE mp.enrolment_id = e.id) AS modules_done,
		(SELECT json_agg(q) FROM (
			SELECT quiz_id, count(*) AS attempts, COALESCE(bool_or(passed), false) AS passed
			FROM quiz_attempts qa WHERE qa.enrolment_id = e.id GROUP BY quiz_id) q) AS quiz_stats
	FROM courses c
	LEFT JOIN LATERAL (
		SELECT id, course_version_id, started_at, completed_at FROM enrolments
		WHERE person_id = $1 AND course_id = c.id ORDER BY started_at DESC LIMIT 1) e ON true
	LEFT JOIN assignments a ON a.person_id = $1 AND a.course_id = c.id
	WHERE (c.org_id IS NULL OR c.org_id = NULLIF($2, '')::uuid) AND ($3::text IS NULL OR c.slug = $3)
		AND EXISTS (SELECT 1 FROM course_versions v WHERE v.course_id = c.id)`

func (s *Store) findCourseRef(ctx context.Context, tx *sqlx.Tx, p *Principal, slug string) (*courseRef, *CourseVersion, error) {
	var refs []courseRef
	if err := s.selectRefs(ctx, tx, &refs, p, &slug); err != nil {
		return nil, nil, err
	}
	if len(refs) == 0 {
		return nil, nil, Errorf(NotFound, "There is no course %q.", slug)
	}
	v, err := s.version(ctx, tx, refs[0].versionID())
	if err != nil {
		return nil, nil, err
	}
	return &refs[0], v, nil
}

// splitRef splits an API id like "storytelling-with-purpose.why-we-share" into course slug and
// local id. Course slugs hold no dots.
func splitRef(ref string) (slug, id string, err error) {
	slug, id, ok := strings.Cut(ref, ".")
	if !ok || slug == "" || id == "" {
		return "", "", Errorf(NotFound, "There is no %q: ids look like course-slug.id.", ref)
	}
	return slug, id, nil
}

// selectRefs runs courseRefQuery in tx, which must carry p's organisation.
func (s *Store) selectRefs(ctx context.Context, tx *sqlx.Tx, refs *[]courseRef, p *Principal, slug *string) error {
	st, err := s.stmt(ctx, tx, courseRefQuery)
	if err != nil {
		return err
	}
	return dbError(st.SelectContext(ctx, refs, p.Person.ID, p.OrgID(), slug))
}

// courseKey is what a slug resolves to for one organisation: it changes only when content is
// imported.
type courseKey struct {
	CourseID      string `db:"course_id"`
	OrgCourse     bool   `db:"org_course"`
	LatestVersion string `db:"latest_version_id"`
	at            time.Time
}

// courseKeyTTL bounds how long a server keeps resolving a slug to the version it last saw: an
// import on another server is seen within this time. An import here clears the cache at once.
const courseKeyTTL = 5 * time.Second

const courseKeyQuery = `
	SELECT c.id AS course_id, c.org_id IS NOT NULL AS org_course,
		(SELECT v.id FROM course_versions v WHERE v.course_id = c.id ORDER BY v.version DESC LIMIT 1) AS latest_version_id
	FROM courses c
	WHERE (c.org_id IS NULL OR c.org_id = NULLIF($1, '')::uuid) AND c.slug = $2
		AND EXISTS (SELECT 1 FROM course_versions v WHERE v.course_id = c.id)`

// courseLatest resolves a slug as orgID sees it and returns the course's newest version, opening
// a transaction scoped to orgID only when either is not cached.
func (s *Store) courseLatest(ctx context.Context, orgID, slug string) (*courseKey, *CourseVersion, error) {
	if k, ok := s.cachedCourseKey(orgID, slug); ok {
		if v, ok := s.versions.m.Load(k.LatestVersion); ok {
			return k, v.(*CourseVersion), nil
		}
	}
	var (
		k *courseKey
		v *CourseVersion
	)
	err := s.tx(ctx, orgID, func(tx *sqlx.Tx) error {
		var err error
		if k, err = s.resolveCourse(ctx, tx, orgID, slug); err != nil {
			return err
		}
		v, err = s.version(ctx, tx, k.LatestVersion)
		return err
	})
	return k, v, err
}

// scopedVersion is version for a caller without a transaction: it opens one scoped to orgID
// only when the version is not cached. The id must come from orgID's own rows.
func (s *Store) scopedVersion(ctx context.Context, orgID, id string) (*CourseVersion, error) {
	if v, ok := s.versions.m.Load(id); ok {
		return v.(*CourseVersion), nil
	}
	var v *CourseVersion
	err := s.tx(ctx, orgID, func(tx *sqlx.Tx) error {
		var err error
		v, err = s.version(ctx, tx, id)
		return err
	})
	return v, err
}

// resolveCourse resolves a slug as orgID sees it; tx must carry orgID. The cache is keyed by
// organisation as well as slug, because two organisations may each have a course of that slug.
func (s *Store) resolveCourse(ctx context.Context, tx *sqlx.Tx, orgID, slug string) (*courseKey, error) {
	if k, ok := s.cachedCourseKey(orgID, slug); ok {
		return k, nil
	}
	st, err := s.stmt(ctx, tx, courseKeyQuery)
	if err != nil {
		return nil, err
	}
	var k courseKey
	if err := st.GetContext(ctx, &k, orgID, slug); err != nil {
		if ErrorCode(dbError(err)) == NotFound {
			return nil, Errorf(NotFound, "There is no course %q.", slug)
		}
		return nil, dbError(err)
	}
	k.at = time.Now()
	s.courseKeys.Store(orgID+"/"+slug, &k)
	return &k, nil
}

func (s *Store) cachedCourseKey(orgID, slug string) (*courseKey, bool) {
	if v, ok := s.courseKeys.Load(orgID + "/" + slug); ok {
		if k := v.(*courseKey); time.Since(k.at) < courseKeyTTL {
			return k, true
		}
	}
	return nil, false
}

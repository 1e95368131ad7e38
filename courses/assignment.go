package courses

import (
	"context"
	"database/sql"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Limits on assignments.
const (
	MaxAssignPeople   = 500
	MaxDueWithinDays  = 3650
	MaxRecertMonths   = 120
	assignmentsByTeam = "team"
)

// AssignmentInput is what an org admin gives to assign a course: to people now, or to a team as
// a rule that also covers people who join it later. The due date is a date (DueAt) or a number
// of days from assignment, or from joining the team (DueWithinDays); neither means no due date.
// RecertMonths asks people to redo the course that often (see the assignment_due view).
type AssignmentInput struct {
	CourseSlug    string
	PersonIDs     []string
	TeamID        string
	DueAt         *time.Time
	DueWithinDays *int
	RecertMonths  *int
}

// PersonRef names a person in a list.
type PersonRef struct {
	ID    string `db:"id" json:"id"`
	Name  string `db:"name" json:"name"`
	Email string `db:"email" json:"email"`
}

// CourseRef names a course in a list.
type CourseRef struct {
	Slug  string `db:"slug" json:"slug"`
	Title string `db:"title" json:"title"`
}

// TeamRef names a team in a list.
type TeamRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Assignment is one person's mandatory course. DueAt is the due date that counts now: the
// assigned one, or with recertification the next one after a completion.
type Assignment struct {
	ID            string     `db:"id" json:"id"`
	Person        PersonRef  `db:"person" json:"person"`
	Course        CourseRef  `db:"course" json:"course"`
	DueAt         *time.Time `db:"due_at" json:"due_at"`
	AssignedDueAt *time.Time `db:"assigned_due_at" json:"assigned_due_at"`
	RecertMonths  *int       `db:"recert_months" json:"recert_months"`
	LastCompleted *time.Time `db:"last_completed_at" json:"last_completed_at"`
	TeamRuleID    *string    `db:"team_rule_id" json:"team_rule_id"`
	CreatedAt     time.Time  `db:"created_at" json:"created_at"`
}

// AssignmentRule is a course assigned to a team.
type AssignmentRule struct {
	ID            string     `db:"id" json:"id"`
	TeamID        string     `db:"team_id" json:"team_id"`
	Course        CourseRef  `db:"course" json:"course"`
	DueAt         *time.Time `db:"due_at" json:"due_at"`
	DueWithinDays *int       `db:"due_within_days" json:"due_within_days"`
	RecertMonths  *int       `db:"recert_months" json:"recert_months"`
	CreatedAt     time.Time  `db:"created_at" json:"created_at"`
}

// AssignResult says what an assignment did: how many people got the course, how many already
// had it (their due date was changed when assigned to them directly) and, for a team, its rule.
type AssignResult struct {
	Assigned int             `json:"assigned"`
	Updated  int             `json:"updated"`
	Kept     int             `json:"kept"`
	Rule     *AssignmentRule `json:"rule"`
}

const courseTitleSQL = `COALESCE((SELECT v.content->>'title' FROM course_versions v WHERE v.course_id = c.id
	ORDER BY v.version DESC LIMIT 1), c.slug)`

func (in *AssignmentInput) check(now time.Time) error {
	f := Fields{}
	if in.CourseSlug == "" {
		f.Add("course_slug", "Choose a course.")
	}
	switch {
	case len(in.PersonIDs) == 0 && in.TeamID == "":
		f.Add("person_ids", "Choose people or a team.")
	case len(in.PersonIDs) > 0 && in.TeamID != "":
		f.Add("team_id", "Choose people or a team, not both.")
	case len(in.PersonIDs) > MaxAssignPeople:
		f.Add("person_ids", "Assign at most 500 people at a time, or assign a team.")
	}
	switch {
	case in.DueAt != nil && in.DueWithinDays != nil:
		f.Add("due_within_days", "Give a due date or a number of days, not both.")
	case in.DueAt != nil && !in.DueAt.After(now):
		f.Add("due_at", "Choose a due date in the future.")
	case in.DueWithinDays != nil && (*in.DueWithinDays < 1 || *in.DueWithinDays > MaxDueWithinDays):
		f.Add("due_within_days", "Use a whole number of days from 1 to 3650.")
	}
	if in.RecertMonths != nil && (*in.RecertMonths < 1 || *in.RecertMonths > MaxRecertMonths) {
		f.Add("recert_months", "Use a whole number of months from 1 to 120.")
	}
	return f.Err()
}

// CreateAssignments assigns a course to people or to a team. Only org admins may; people and
// teams the caller cannot see are NotFound. Assigning to a person who already has the course
// changes its due date and recertification. Assigning to a team records (or replaces) the
// team's rule for the course and assigns it to the current members who do not have it yet;
// people who join later are assigned when they join.
func (s *Store) CreateAssignments(ctx context.Context, p *Principal, in AssignmentInput) (*AssignResult, error) {
	now := s.Now()
	if err := in.check(now); err != nil {
		return nil, err
	}
	res := &AssignResult{}
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		var courseID string
		err := tx.GetContext(ctx, &courseID, `
			SELECT c.id FROM courses c WHERE c.slug = $1 AND (c.org_id IS NULL OR c.org_id = $2)
				AND EXISTS (SELECT 1 FROM course_versions v WHERE v.course_id = c.id)`, in.CourseSlug, p.OrgID())
		if ErrorCode(dbError(err)) == NotFound {
			return FieldError("course_slug", "There is no course with this name.")
		}
		if err != nil {
			return dbError(err)
		}
		if in.TeamID != "" {
			return s.assignTeam(ctx, tx, p, courseID, in, res)
		}
		ids := map[string]bool{}
		for _, id := range in.PersonIDs {
			if _, err := uuid.Parse(id); err != nil {
				return Errorf(NotFound, "There is no person %s here.", id)
			}
			ids[id] = true
		}
		list := make([]string, 0, len(ids))
		for id := range ids {
			list = append(list, id)
		}
		var visible []struct {
			ID     string `db:"id"`
			Active bool   `db:"active"`
		}
		if err := tx.SelectContext(ctx, &visible, `
			SELECT p.id, p.active FROM people p WHERE p.id = ANY($3) AND `+VisiblePeopleSQL(p, "p", "$1", "$2"),
			p.OrgID(), p.Person.ID, pq.StringArray(list)); err != nil {
			return dbError(err)
		}
		if len(visible) != len(list) {
			return Errorf(NotFound, "One or more of these people are not in your organisation.")
		}
		if err := canAdminister(p); err != nil {
			return err
		}
		for _, v := range visible {
			if !v.Active {
				return FieldError("person_ids", "One of these people is deactivated. Reactivate them first.")
			}
		}
		due := in.DueAt
		if in.DueWithinDays != nil {
			t := now.AddDate(0, 0, *in.DueWithinDays)
			due = &t
		}
		var created []bool
		if err := tx.SelectContext(ctx, &created, `
			INSERT INTO assignments (org_id, person_id, course_id, due_at, assigned_by, created_at, recert_months)
			SELECT $1, unnest($2::uuid[]), $3, $4, $5, $6, $7
			ON CONFLICT (person_id, course_id) DO UPDATE
				SET due_at = EXCLUDED.due_at, recert_months = EXCLUDED.recert_months, assigned_by = EXCLUDED.assigned_by
			RETURNING xmax = 0`, p.OrgID(), pq.StringArray(list), courseID, due, p.Person.ID, now, in.RecertMonths); err != nil {
			return dbError(err)
		}
		for _, c := range created {
			if c {
				res.Assigned++
			} else {
				res.Updated++
			}
		}
		return s.audit(ctx, tx, p.OrgID(), p.Actor(), "assignment.create", "course", in.CourseSlug, map[string]any{
			"course": in.CourseSlug, "person_ids": list, "due_at": due, "recert_months": in.RecertMonths,
			"assigned": res.Assigned, "updated": res.Updated})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func (s *Store) assignTeam(ctx context.Context, tx *sqlx.Tx, p *Principal, courseID string, in AssignmentInput, res *AssignResult) error {
	t, err := s.findVisibleTeam(ctx, tx, p, in.TeamID, true)
	if err != nil {
		return err
	}
	if err := canAdminister(p); err != nil {
		return err
	}
	now := s.Now()
	var ruleID string
	if err := tx.GetContext(ctx, &ruleID, `
		INSERT INTO team_assignment_rules (org_id, team_id, course_id, due_at, due_within_days, recert_months, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (team_id, course_id) DO UPDATE SET due_at = EXCLUDED.due_at, due_within_days = EXCLUDED.due_within_days,
			recert_months = EXCLUDED.recert_months, created_by = EXCLUDED.created_by
		RETURNING id`, p.OrgID(), t.ID, courseID, in.DueAt, in.DueWithinDays, in.RecertMonths, p.Person.ID, now); err != nil {
		return dbError(err)
	}
	// Current members count their days from today; later joiners from the day they join.
	r, err := tx.ExecContext(ctx, `
		INSERT INTO assignments (org_id, person_id, course_id, due_at, assigned_by, created_at, team_rule_id, recert_months)
		SELECT $1, m.person_id, $3, COALESCE($4, $5::timestamptz + make_interval(days => $6)), $7, $5, $8, $9
		FROM team_members m JOIN people pe ON pe.id = m.person_id AND pe.active
		WHERE m.team_id = $2
		ON CONFLICT (person_id, course_id) DO NOTHING`,
		p.OrgID(), t.ID, courseID, in.DueAt, now, in.DueWithinDays, p.Person.ID, ruleID, in.RecertMonths)
	if err != nil {
		return dbError(err)
	}
	n, _ := r.RowsAffected()
	res.Assigned = int(n)
	var active int
	if err := tx.GetContext(ctx, &active, `
		SELECT count(*) FROM team_members m JOIN people pe ON pe.id = m.person_id AND pe.active WHERE m.team_id = $1`, t.ID); err != nil {
		return dbError(err)
	}
	res.Kept = active - res.Assigned
	rules, err := s.teamRules(ctx, tx, p.OrgID(), t.ID)
	if err != nil {
		return err
	}
	for i := range rules {
		if rules[i].ID == ruleID {
			res.Rule = &rules[i]
		}
	}
	return s.audit(ctx, tx, p.OrgID(), p.Actor(), "assignment.create", assignmentsByTeam, t.ID, map[string]any{
		"course": in.CourseSlug, "team": t.Name, "rule_id": ruleID, "due_at": in.DueAt, "due_within_days": in.DueWithinDays,
		"recert_months": in.RecertMonths, "assigned": res.Assigned})
}

func (s *Store) teamRules(ctx context.Context, tx *sqlx.Tx, orgID, teamID string) ([]AssignmentRule, error) {
	out := []AssignmentRule{}
	err := tx.SelectContext(ctx, &out, `
		SELECT r.id, r.team_id, c.slug AS "course.slug", `+courseTitleSQL+` AS "course.title",
			r.due_at, r.due_within_days, r.recert_months, r.created_at
		FROM team_assignment_rules r JOIN courses c ON c.id = r.course_id
		WHERE r.org_id = $1 AND r.team_id = $2 ORDER BY r.created_at, r.id`, orgID, teamID)
	return out, dbError(err)
}

// DeleteAssignmentRule stops assigning a course to people who join a team. Assignments it
// already made stay. Only org admins may.
func (s *Store) DeleteAssignmentRule(ctx context.Context, p *Principal, id string) error {
	if _, err := uuid.Parse(id); err != nil {
		return Errorf(NotFound, "There is no team assignment %s here.", id)
	}
	return s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		var r struct {
			TeamID string `db:"team_id"`
			Slug   string `db:"slug"`
		}
		err := tx.GetContext(ctx, &r, `
			SELECT r.team_id, c.slug FROM team_assignment_rules r JOIN courses c ON c.id = r.course_id
			WHERE r.id = $1 AND r.org_id = $2 FOR UPDATE OF r`, id, p.OrgID())
		if ErrorCode(dbError(err)) == NotFound {
			return Errorf(NotFound, "There is no team assignment %s here.", id)
		}
		if err != nil {
			return dbError(err)
		}
		t, err := s.findVisibleTeam(ctx, tx, p, r.TeamID, false)
		if err != nil {
			return Errorf(NotFound, "There is no team assignment %s here.", id)
		}
		if err := canAdminister(p); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM team_assignment_rules WHERE id = $1`, id); err != nil {
			return dbError(err)
		}
		return s.audit(ctx, tx, p.OrgID(), p.Actor(), "assignment.rule_delete", assignmentsByTeam, r.TeamID,
			map[string]any{"course": r.Slug, "team": t.Name, "rule_id": id})
	})
}

// AssignmentFilter narrows the assignment list; empty fields mean any.
type AssignmentFilter struct {
	PersonID   string
	TeamID     string
	CourseSlug string
}

// FindAssignments lists the assignments of the people p may see, newest first.
func (s *Store) FindAssignments(ctx context.Context, p *Principal, f AssignmentFilter, page Page) ([]Assignment, string, error) {
	fs := Fields{}
	if f.PersonID != "" {
		if _, err := uuid.Parse(f.PersonID); err != nil {
			fs.Add("person", "This is not a person id.")
		}
	}
	if f.TeamID != "" {
		if _, err := uuid.Parse(f.TeamID); err != nil {
			fs.Add("team", "This is not a team id.")
		}
	}
	if len(f.CourseSlug) > 63 {
		fs.Add("course", "This is not a course.")
	}
	if err := fs.Err(); err != nil {
		return nil, "", err
	}
	cur, err := page.decode()
	if err != nil {
		return nil, "", err
	}
	out := []Assignment{}
	err = s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		return dbError(tx.SelectContext(ctx, &out, `
			SELECT a.id, p.id AS "person.id", p.name AS "person.name", p.email AS "person.email",
				c.slug AS "course.slug", `+courseTitleSQL+` AS "course.title",
				d.due_at, d.assigned_due_at, a.recert_months, d.last_completed_at, a.team_rule_id, a.created_at
			FROM assignments a JOIN assignment_due d ON d.id = a.id
			JOIN people p ON p.id = a.person_id JOIN courses c ON c.id = a.course_id
			WHERE a.org_id = $1 AND `+VisiblePeopleSQL(p, "p", "$1", "$2")+`
				AND ($3 = '' OR a.person_id::text = $3)
				AND ($4 = '' OR EXISTS (SELECT 1 FROM team_members tf WHERE tf.team_id::text = $4 AND tf.person_id = a.person_id))
				AND ($5 = '' OR c.slug = $5)
				AND ($6::timestamptz IS NULL OR (a.created_at, a.id) < ($6, $7::uuid))
			ORDER BY a.created_at DESC, a.id DESC LIMIT $8`,
			p.OrgID(), p.Person.ID, f.PersonID, f.TeamID, f.CourseSlug, cur.At, cur.ID, page.Limit+1))
	})
	if err != nil {
		return nil, "", err
	}
	out, next := cutPage(out, page.Limit, func(last Assignment) string { return encodeCursor(last.CreatedAt, last.ID) })
	return out, next, nil
}

// DeleteAssignment takes a course off a person's mandatory list. Their progress, completions and
// certificates stay. Only org admins may.
func (s *Store) DeleteAssignment(ctx context.Context, p *Principal, id string) error {
	if _, err := uuid.Parse(id); err != nil {
		return Errorf(NotFound, "There is no assignment %s here.", id)
	}
	return s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		var a struct {
			PersonID string         `db:"person_id"`
			Email    string         `db:"email"`
			Slug     string         `db:"slug"`
			RuleID   sql.NullString `db:"team_rule_id"`
		}
		err := tx.GetContext(ctx, &a, `
			SELECT a.person_id, p.email, c.slug, a.team_rule_id
			FROM assignments a JOIN people p ON p.id = a.person_id JOIN courses c ON c.id = a.course_id
			WHERE a.id = $3 AND a.org_id = $1 AND `+VisiblePeopleSQL(p, "p", "$1", "$2")+` FOR UPDATE OF a`,
			p.OrgID(), p.Person.ID, id)
		if ErrorCode(dbError(err)) == NotFound {
			return Errorf(NotFound, "There is no assignment %s here.", id)
		}
		if err != nil {
			return dbError(err)
		}
		if err := canAdminister(p); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM assignments WHERE id = $1`, id); err != nil {
			return dbError(err)
		}
		return s.audit(ctx, tx, p.OrgID(), p.Actor(), "assignment.delete", "person", a.PersonID,
			map[string]any{"course": a.Slug, "email": a.Email, "assignment_id": id})
	})
}

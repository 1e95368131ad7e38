package courses

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

// Team is a group of people in an organisation, with one or more managers.
type Team struct {
	ID           string    `db:"id" json:"id"`
	Name         string    `db:"name" json:"name"`
	MemberCount  int       `db:"member_count" json:"member_count"`
	ManagerCount int       `db:"manager_count" json:"manager_count"`
	CreatedAt    time.Time `db:"created_at" json:"created_at"`
}

// TeamMember is a person in a team.
type TeamMember struct {
	ID       string    `db:"id" json:"id"`
	Name     string    `db:"name" json:"name"`
	Email    string    `db:"email" json:"email"`
	Manager  bool      `db:"manager" json:"manager"`
	Active   bool      `db:"active" json:"active"`
	JoinedAt time.Time `db:"joined_at" json:"joined_at"`
}

// TeamDetail is a team with its members and the courses assigned to it.
type TeamDetail struct {
	Team
	Members []TeamMember     `json:"members"`
	Rules   []AssignmentRule `json:"assignment_rules"`
}

const teamColumns = `t.id, t.name, t.created_at,
	(SELECT count(*) FROM team_members m WHERE m.team_id = t.id) AS member_count,
	(SELECT count(*) FROM team_members m WHERE m.team_id = t.id AND m.manager) AS manager_count`

func checkTeamName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if m := CheckName(name); m != "" {
		if name == "" {
			m = "Enter a team name."
		}
		return "", FieldError("name", m)
	}
	return name, nil
}

func teamNameTaken() error {
	return &Error{Code: Conflict, Message: "There is already a team with this name.",
		Fields: map[string]string{"name": "There is already a team with this name."}}
}

// FindTeams lists the teams p may see (all of them for an org admin, the ones they manage for a
// manager), by name.
func (s *Store) FindTeams(ctx context.Context, p *Principal, page Page) ([]Team, string, error) {
	afterName, afterID, err := decodeNameCursor(&page)
	if err != nil {
		return nil, "", err
	}
	out := []Team{}
	err = s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		return dbError(tx.SelectContext(ctx, &out, `
			SELECT `+teamColumns+` FROM teams t
			WHERE `+VisibleTeamsSQL(p, "t", "$1", "$2")+`
				AND ($3::text IS NULL OR (lower(t.name), t.id) > ($3, $4::uuid))
			ORDER BY lower(t.name), t.id LIMIT $5`, p.OrgID(), p.Person.ID, afterName, afterID, page.Limit+1))
	})
	if err != nil {
		return nil, "", err
	}
	out, next := cutPage(out, page.Limit, func(last Team) string { return nameCursor(last.Name, last.ID) })
	return out, next, nil
}

func (s *Store) findVisibleTeam(ctx context.Context, tx *sqlx.Tx, p *Principal, id string, lock bool) (*Team, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, Errorf(NotFound, "There is no team %s here.", id)
	}
	q := `SELECT ` + teamColumns + ` FROM teams t WHERE t.id = $3 AND ` + VisibleTeamsSQL(p, "t", "$1", "$2")
	if lock {
		q += ` FOR UPDATE OF t`
	}
	var t Team
	if err := tx.GetContext(ctx, &t, q, p.OrgID(), p.Person.ID, id); err != nil {
		if ErrorCode(dbError(err)) == NotFound {
			return nil, Errorf(NotFound, "There is no team %s here.", id)
		}
		return nil, dbError(err)
	}
	return &t, nil
}

// FindTeam returns a team p may see with its members and assignment rules.
func (s *Store) FindTeam(ctx context.Context, p *Principal, id string) (*TeamDetail, error) {
	var d *TeamDetail
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		var err error
		d, err = s.teamDetail(ctx, tx, p, id)
		return err
	})
	return d, err
}

func (s *Store) teamDetail(ctx context.Context, tx *sqlx.Tx, p *Principal, id string) (*TeamDetail, error) {
	t, err := s.findVisibleTeam(ctx, tx, p, id, false)
	if err != nil {
		return nil, err
	}
	d := &TeamDetail{Team: *t, Members: []TeamMember{}}
	if err := tx.SelectContext(ctx, &d.Members, `
		SELECT pe.id, pe.name, pe.email, m.manager, pe.active, m.joined_at
		FROM team_members m JOIN people pe ON pe.id = m.person_id
		WHERE m.team_id = $1 ORDER BY m.manager DESC, lower(pe.name), pe.id`, id); err != nil {
		return nil, dbError(err)
	}
	if d.Rules, err = s.teamRules(ctx, tx, p.OrgID(), id); err != nil {
		return nil, err
	}
	return d, nil
}

// CreateTeam adds a team. Only org admins may.
func (s *Store) CreateTeam(ctx context.Context, p *Principal, name string) (*TeamDetail, error) {
	if err := canAdminister(p); err != nil {
		return nil, err
	}
	name, err := checkTeamName(name)
	if err != nil {
		return nil, err
	}
	var d *TeamDetail
	err = s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		var id string
		err := tx.GetContext(ctx, &id, `INSERT INTO teams (org_id, name, created_at) VALUES ($1, $2, $3) RETURNING id`,
			p.OrgID(), name, s.Now())
		if ErrorCode(dbError(err)) == Conflict {
			return teamNameTaken()
		}
		if err != nil {
			return dbError(err)
		}
		if err := s.audit(ctx, tx, p.OrgID(), p.Actor(), "team.create", "team", id, map[string]any{"name": name}); err != nil {
			return err
		}
		d, err = s.teamDetail(ctx, tx, p, id)
		return err
	})
	return d, err
}

// RenameTeam changes a team's name. Only org admins may.
func (s *Store) RenameTeam(ctx context.Context, p *Principal, id, name string) (*TeamDetail, error) {
	var d *TeamDetail
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		t, err := s.findVisibleTeam(ctx, tx, p, id, true)
		if err != nil {
			return err
		}
		if err := canAdminister(p); err != nil {
			return err
		}
		if name, err = checkTeamName(name); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE teams SET name = $2 WHERE id = $1`, id, name)
		if ErrorCode(dbError(err)) == Conflict {
			return teamNameTaken()
		}
		if err != nil {
			return dbError(err)
		}
		if err := s.audit(ctx, tx, p.OrgID(), p.Actor(), "team.rename", "team", id,
			map[string]any{"from": t.Name, "to": name}); err != nil {
			return err
		}
		d, err = s.teamDetail(ctx, tx, p, id)
		return err
	})
	return d, err
}

// DeleteTeam removes a team, its memberships and its assignment rules. Assignments the rules
// already gave people stay with them: deleting a team takes no training away.
func (s *Store) DeleteTeam(ctx context.Context, p *Principal, id string) error {
	return s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		t, err := s.findVisibleTeam(ctx, tx, p, id, true)
		if err != nil {
			return err
		}
		if err := canAdminister(p); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM teams WHERE id = $1`, id); err != nil {
			return dbError(err)
		}
		return s.audit(ctx, tx, p.OrgID(), p.Actor(), "team.delete", "team", id,
			map[string]any{"name": t.Name, "members": t.MemberCount})
	})
}

// PutTeamMember adds a person to a team, or changes whether they manage it. A manager must hold
// the manager role. A person who joins gets the team's assigned courses.
func (s *Store) PutTeamMember(ctx context.Context, p *Principal, teamID, personID string, manager bool) (*TeamDetail, error) {
	var d *TeamDetail
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		t, err := s.findVisibleTeam(ctx, tx, p, teamID, true)
		if err != nil {
			return err
		}
		// Admins see everyone; a manager who is not also an admin is refused just below anyway.
		person, err := s.findVisiblePerson(ctx, tx, p, personID, false)
		if err != nil {
			return err
		}
		if err := canAdminister(p); err != nil {
			return err
		}
		if manager && !containsRole(person.Roles, RoleManager) {
			return FieldError("manager", person.Name+" needs the manager role before they can manage a team.")
		}
		if !person.Active {
			return Errorf(Conflict, "%s is deactivated. Reactivate them before adding them to a team.", person.Name)
		}
		joined, err := s.joinTeam(ctx, tx, p.OrgID(), teamID, personID, manager)
		if err != nil {
			return err
		}
		action := "team.member_update"
		if joined {
			action = "team.member_add"
		}
		if err := s.audit(ctx, tx, p.OrgID(), p.Actor(), action, "team", teamID,
			map[string]any{"team": t.Name, "person_id": personID, "email": person.Email, "manager": manager}); err != nil {
			return err
		}
		d, err = s.teamDetail(ctx, tx, p, teamID)
		return err
	})
	return d, err
}

// DeleteTeamMember takes a person out of a team. Their assignments stay.
func (s *Store) DeleteTeamMember(ctx context.Context, p *Principal, teamID, personID string) error {
	return s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		t, err := s.findVisibleTeam(ctx, tx, p, teamID, true)
		if err != nil {
			return err
		}
		person, err := s.findVisiblePerson(ctx, tx, p, personID, false)
		if err != nil {
			return err
		}
		if err := canAdminister(p); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM team_members WHERE team_id = $1 AND person_id = $2`, teamID, personID)
		if err != nil {
			return dbError(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return Errorf(NotFound, "%s is not in %s.", person.Name, t.Name)
		}
		return s.audit(ctx, tx, p.OrgID(), p.Actor(), "team.member_remove", "team", teamID,
			map[string]any{"team": t.Name, "person_id": personID, "email": person.Email})
	})
}

// joinTeam puts a person in a team (or sets their manager flag when already in it) and, when
// they newly join, gives them the team's assigned courses: due on the rule's date, or the rule's
// number of days after joining. An assignment the person already has for the course is kept as
// it is. It reports whether the person newly joined.
func (s *Store) joinTeam(ctx context.Context, tx *sqlx.Tx, orgID, teamID, personID string, manager bool) (bool, error) {
	now := s.Now()
	var joined bool
	if err := tx.GetContext(ctx, &joined, `
		INSERT INTO team_members (team_id, person_id, org_id, manager, joined_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (team_id, person_id) DO UPDATE SET manager = EXCLUDED.manager
		RETURNING xmax = 0`, teamID, personID, orgID, manager, now); err != nil {
		return false, dbError(err)
	}
	if !joined {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO assignments (org_id, person_id, course_id, due_at, assigned_by, created_at, team_rule_id, recert_months)
		SELECT r.org_id, $2, r.course_id, COALESCE(r.due_at, $3::timestamptz + make_interval(days => r.due_within_days)),
			r.created_by, $3, r.id, r.recert_months
		FROM team_assignment_rules r WHERE r.team_id = $1
		ON CONFLICT (person_id, course_id) DO NOTHING`, teamID, personID, now); err != nil {
		return false, dbError(err)
	}
	return true, nil
}

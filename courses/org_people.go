package courses

// Who sees whom on the organisation pages. One rule, used by every organisation query:
//
//   - An org admin sees every person in their organisation.
//   - A manager (the manager role, and the manager flag on a team) sees only the people in the
//     teams they manage, themselves included.
//   - Anyone else (trainees, and trainers, who see their session's people only inside role-play)
//     sees nobody here.
//   - Nobody ever sees another organisation: every query also filters by the caller's org.
//
// A person the caller may not see is answered with NotFound, exactly as a person who does not
// exist, so ids from elsewhere reveal nothing. VisiblePeopleSQL writes the rule as a SQL
// condition so lists, counts and exports apply it inside the database.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// VisiblePeopleSQL returns a SQL condition that holds for the rows of people (aliased alias)
// that p may see on the organisation pages. orgArg and callerArg are the query's placeholders
// for p.OrgID() and p.Person.ID, e.g. "$1" and "$2"; both must be bound even when unused.
func VisiblePeopleSQL(p *Principal, alias, orgArg, callerArg string) string {
	switch {
	case p.Organisation == nil:
		return nobodySQL(orgArg, callerArg)
	case p.Person.HasRole(RoleOrgAdmin):
		return alias + ".org_id = " + orgArg + "::uuid AND " + callerArg + "::uuid IS NOT NULL"
	case p.Person.HasRole(RoleManager):
		return alias + ".org_id = " + orgArg + `::uuid AND EXISTS (
			SELECT 1 FROM team_members vis_m JOIN team_members vis_t ON vis_t.team_id = vis_m.team_id
			WHERE vis_m.person_id = ` + callerArg + `::uuid AND vis_m.manager AND vis_t.person_id = ` + alias + `.id)`
	}
	return nobodySQL(orgArg, callerArg)
}

// VisibleTeamsSQL is the same rule for teams (aliased alias): org admins see every team of their
// organisation, managers the teams they manage.
func VisibleTeamsSQL(p *Principal, alias, orgArg, callerArg string) string {
	switch {
	case p.Organisation == nil:
		return nobodySQL(orgArg, callerArg)
	case p.Person.HasRole(RoleOrgAdmin):
		return alias + ".org_id = " + orgArg + "::uuid AND " + callerArg + "::uuid IS NOT NULL"
	case p.Person.HasRole(RoleManager):
		return alias + ".org_id = " + orgArg + `::uuid AND EXISTS (
			SELECT 1 FROM team_members vis_m WHERE vis_m.team_id = ` + alias + `.id
				AND vis_m.person_id = ` + callerArg + `::uuid AND vis_m.manager)`
	}
	return nobodySQL(orgArg, callerArg)
}

// nobodySQL is false, but still mentions both placeholders so PostgreSQL can type them.
func nobodySQL(orgArg, callerArg string) string {
	return "(" + orgArg + "::text IS NULL AND " + callerArg + "::text IS NULL AND false)"
}

// canAdminister refuses callers who are not org admins. Call it after the target was found
// visible, so a manager gets 404 for people outside their teams and 403 for their own.
func canAdminister(p *Principal) error {
	if p.Organisation == nil || !p.Person.HasRole(RoleOrgAdmin) {
		return Errorf(Forbidden, "Only organisation admins can change this.")
	}
	return nil
}

// PersonTeam is a team a person belongs to.
type PersonTeam struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Manager bool   `json:"manager"`
}

// OrgPerson is a person as the organisation pages show them.
type OrgPerson struct {
	ID            string         `db:"id" json:"id"`
	Name          string         `db:"name" json:"name"`
	Email         string         `db:"email" json:"email"`
	Roles         pq.StringArray `db:"roles" json:"roles"`
	Active        bool           `db:"active" json:"active"`
	DeactivatedAt *time.Time     `db:"deactivated_at" json:"deactivated_at"`
	CreatedAt     time.Time      `db:"created_at" json:"created_at"`
	TeamsJSON     []byte         `db:"teams" json:"-"`
	Teams         []PersonTeam   `db:"-" json:"teams"`
}

// PeopleFilter narrows the people list; empty fields mean any.
type PeopleFilter struct {
	Q      string // part of a name or email
	Role   string
	TeamID string
	Status string // "active", "deactivated" or "" for both
}

// Person statuses for the filter.
const (
	PersonActive      = "active"
	PersonDeactivated = "deactivated"
)

func (f *PeopleFilter) check() error {
	fs := Fields{}
	f.Q = strings.TrimSpace(f.Q)
	if len([]rune(f.Q)) > 200 {
		fs.Add("q", "Use at most 200 characters.")
	}
	if f.Role != "" && CheckRoles([]string{f.Role}) != "" {
		fs.Add("role", "Choose trainee, trainer, manager or org_admin.")
	}
	if f.TeamID != "" {
		if _, err := uuid.Parse(f.TeamID); err != nil {
			fs.Add("team", "This is not a team id.")
		}
	}
	if f.Status != "" && f.Status != PersonActive && f.Status != PersonDeactivated {
		fs.Add("status", "Choose active or deactivated.")
	}
	return fs.Err()
}

const orgPersonColumns = `p.id, p.name, p.email, p.roles, p.active, p.deactivated_at, p.created_at,
	COALESCE((SELECT json_agg(json_build_object('id', t.id, 'name', t.name, 'manager', m.manager) ORDER BY lower(t.name))
		FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.person_id = p.id), '[]') AS teams`

func (op *OrgPerson) decode() error {
	op.Teams = []PersonTeam{}
	if len(op.TeamsJSON) > 0 {
		if err := json.Unmarshal(op.TeamsJSON, &op.Teams); err != nil {
			return err
		}
	}
	if op.Roles == nil {
		op.Roles = pq.StringArray{}
	}
	return nil
}

// nameCursor pages a list ordered by lower(name), id.
func nameCursor(name, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.ToLower(name) + "\x00" + id))
}

func decodeNameCursor(page *Page) (name, id *string, err error) {
	if page.Limit <= 0 {
		page.Limit = DefaultPageSize
	}
	page.Limit = min(page.Limit, MaxPageSize)
	if page.Cursor == "" {
		return nil, nil, nil
	}
	b, derr := base64.RawURLEncoding.DecodeString(page.Cursor)
	n, i, ok := strings.Cut(string(b), "\x00")
	if derr != nil || !ok {
		return nil, nil, FieldError("cursor", "This cursor is not valid; start from the first page.")
	}
	if _, perr := uuid.Parse(i); perr != nil {
		return nil, nil, FieldError("cursor", "This cursor is not valid; start from the first page.")
	}
	return &n, &i, nil
}

// FindPeople lists the people p may see, by name.
func (s *Store) FindPeople(ctx context.Context, p *Principal, f PeopleFilter, page Page) ([]OrgPerson, string, error) {
	if err := f.check(); err != nil {
		return nil, "", err
	}
	afterName, afterID, err := decodeNameCursor(&page)
	if err != nil {
		return nil, "", err
	}
	var teamID *string
	if f.TeamID != "" {
		teamID = &f.TeamID
	}
	like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(f.Q)) + "%"
	out := []OrgPerson{}
	err = s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		return dbError(tx.SelectContext(ctx, &out, `
			SELECT `+orgPersonColumns+` FROM people p
			WHERE `+VisiblePeopleSQL(p, "p", "$1", "$2")+`
				AND ($3 = '' OR lower(p.name) LIKE $4 OR lower(p.email) LIKE $4)
				AND ($5 = '' OR $5 = ANY(p.roles))
				AND ($6::uuid IS NULL OR EXISTS (SELECT 1 FROM team_members tf WHERE tf.team_id = $6 AND tf.person_id = p.id))
				AND ($7 = '' OR p.active = ($7 = 'active'))
				AND ($8::text IS NULL OR (lower(p.name), p.id) > ($8, $9::uuid))
			ORDER BY lower(p.name), p.id LIMIT $10`,
			p.OrgID(), p.Person.ID, f.Q, like, f.Role, teamID, f.Status, afterName, afterID, page.Limit+1))
	})
	if err != nil {
		return nil, "", err
	}
	for i := range out {
		if err := out[i].decode(); err != nil {
			return nil, "", err
		}
	}
	out, next := cutPage(out, page.Limit, func(last OrgPerson) string { return nameCursor(last.Name, last.ID) })
	return out, next, nil
}

// findVisiblePerson loads one person p may see, locked for update when lock is set; anyone else
// is NotFound.
func (s *Store) findVisiblePerson(ctx context.Context, tx *sqlx.Tx, p *Principal, id string, lock bool) (*OrgPerson, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, Errorf(NotFound, "There is no person %s here.", id)
	}
	q := `SELECT ` + orgPersonColumns + ` FROM people p WHERE p.id = $3 AND ` + VisiblePeopleSQL(p, "p", "$1", "$2")
	if lock {
		q += ` FOR UPDATE OF p`
	}
	var op OrgPerson
	if err := tx.GetContext(ctx, &op, q, p.OrgID(), p.Person.ID, id); err != nil {
		if ErrorCode(dbError(err)) == NotFound {
			return nil, Errorf(NotFound, "There is no person %s here.", id)
		}
		return nil, dbError(err)
	}
	return &op, op.decode()
}

// FindOrgPerson returns one person p may see.
func (s *Store) FindOrgPerson(ctx context.Context, p *Principal, id string) (*OrgPerson, error) {
	var op *OrgPerson
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		var err error
		op, err = s.findVisiblePerson(ctx, tx, p, id, false)
		return err
	})
	return op, err
}

// UpdatePersonRoles sets a person's roles. Only org admins may; nobody can take away their own
// org_admin role (so an organisation always keeps the admin who is acting), and a person keeps
// at least one role. Losing the manager role also ends their team manager duties.
func (s *Store) UpdatePersonRoles(ctx context.Context, p *Principal, id string, roles []string) (*OrgPerson, error) {
	var op *OrgPerson
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		var err error
		if op, err = s.findVisiblePerson(ctx, tx, p, id, true); err != nil {
			return err
		}
		if err := canAdminister(p); err != nil {
			return err
		}
		if m := CheckRoles(roles); m != "" {
			return FieldError("roles", m)
		}
		roles = dedupe(roles)
		if id == p.Person.ID && !containsRole(roles, RoleOrgAdmin) {
			return FieldError("roles", "You cannot remove your own org admin role. Ask another admin to do it.")
		}
		before := []string(op.Roles)
		if _, err := tx.ExecContext(ctx, `UPDATE people SET roles = $2, updated_at = $3 WHERE id = $1`,
			id, pq.StringArray(roles), s.Now()); err != nil {
			return dbError(err)
		}
		if !containsRole(roles, RoleManager) {
			if _, err := tx.ExecContext(ctx, `UPDATE team_members SET manager = false WHERE person_id = $1 AND manager`, id); err != nil {
				return dbError(err)
			}
		}
		if err := s.audit(ctx, tx, p.OrgID(), p.Actor(), "person.roles_change", "person", id,
			map[string]any{"email": op.Email, "from": before, "to": roles}); err != nil {
			return err
		}
		op, err = s.findVisiblePerson(ctx, tx, p, id, false)
		return err
	})
	return op, err
}

func containsRole(roles []string, r Role) bool {
	for _, x := range roles {
		if x == string(r) {
			return true
		}
	}
	return false
}

// SetPersonActive deactivates or reactivates a person. Deactivation keeps everything they did,
// ends their sessions at once, refuses their sign-in (Authenticate and FindSession read
// people.active) and frees their seat (only active people count). Doing it twice changes
// nothing. Org admins cannot deactivate themselves.
func (s *Store) SetPersonActive(ctx context.Context, p *Principal, id string, active bool) (*OrgPerson, error) {
	var op *OrgPerson
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		var err error
		if op, err = s.findVisiblePerson(ctx, tx, p, id, true); err != nil {
			return err
		}
		if err := canAdminister(p); err != nil {
			return err
		}
		if id == p.Person.ID && !active {
			return Errorf(Conflict, "You cannot deactivate yourself. Ask another admin to do it.")
		}
		if op.Active == active {
			return nil
		}
		var at *time.Time
		action := "person.reactivate"
		if !active {
			now := s.Now()
			at, action = &now, "person.deactivate"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE people SET active = $2, deactivated_at = $3, updated_at = $4 WHERE id = $1`,
			id, active, at, s.Now()); err != nil {
			return dbError(err)
		}
		if !active {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE person_id = $1`, id); err != nil {
				return dbError(err)
			}
		}
		if err := s.audit(ctx, tx, p.OrgID(), p.Actor(), action, "person", id, map[string]any{"email": op.Email}); err != nil {
			return err
		}
		op, err = s.findVisiblePerson(ctx, tx, p, id, false)
		return err
	})
	return op, err
}

// CountActivePeople is how many seats the organisation uses: its active people.
func (s *Store) CountActivePeople(ctx context.Context, orgID string) (int, error) {
	var n int
	err := s.tx(ctx, orgID, func(tx *sqlx.Tx) error {
		return dbError(tx.GetContext(ctx, &n, `SELECT count(*) FROM people WHERE org_id = $1 AND active`, orgID))
	})
	return n, err
}

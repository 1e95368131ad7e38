package courses

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// DefaultDemoPassword is every demo account's password unless PEERPATH_DEMO_PASSWORD says
// otherwise.
const DefaultDemoPassword = "peerpath-demo-2026"

// DemoLogin is one demo account, printed by `peerpath demo`.
type DemoLogin struct {
	Organisation string
	Email        string
	Name         string
	Roles        []string
}

type demoOrg struct {
	slug, name string
	people     []DemoLogin
}

func demoData() []demoOrg {
	riverside := demoOrg{slug: "riverside", name: "Riverside Peer Network", people: []DemoLogin{
		{Email: "admin@riverside.example", Name: "Aroha Ngata", Roles: []string{"org_admin"}},
		{Email: "trainer@riverside.example", Name: "Tomás Reyes", Roles: []string{"trainer"}},
		{Email: "manager@riverside.example", Name: "Mei Lin Chen", Roles: []string{"manager"}},
	}}
	for i, n := range []string{"Sam Okafor", "Priya Nair", "Jordan Ellis", "Dee Walker", "Lee Nguyen", "Casey Morgan"} {
		riverside.people = append(riverside.people, DemoLogin{
			Email: fmt.Sprintf("trainee%d@riverside.example", i+1), Name: n, Roles: []string{"trainee"}})
	}
	harbour := demoOrg{slug: "harbour", name: "Harbour Health", people: []DemoLogin{
		{Email: "admin@harbour.example", Name: "Grace Whitfield", Roles: []string{"org_admin"}},
		{Email: "trainee1@harbour.example", Name: "Noah Fitzgerald", Roles: []string{"trainee"}},
		{Email: "trainee2@harbour.example", Name: "Eleni Papadopoulos", Roles: []string{"trainee"}},
	}}
	return []demoOrg{riverside, harbour}
}

// SeedDemo creates the demo organisations and people, or brings existing ones back to their demo
// roles and password. Running it twice leaves the same data.
func (s *Store) SeedDemo(ctx context.Context, password string) ([]DemoLogin, error) {
	if m := CheckPassword(password); m != "" {
		return nil, FieldError("password", "Demo password: "+m)
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	var out []DemoLogin
	for _, o := range demoData() {
		var orgID string
		err := s.tx(ctx, "", func(tx *sqlx.Tx) error {
			if err := tx.GetContext(ctx, &orgID, `
				INSERT INTO organisations (slug, name) VALUES ($1, $2)
				ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name
				RETURNING id`, o.slug, o.name); err != nil {
				return dbError(err)
			}
			if _, err := tx.ExecContext(ctx, `SELECT set_config('app.org_id', $1, true)`, orgID); err != nil {
				return dbError(err)
			}
			for _, p := range o.people {
				// Only the password hash is shared; a demo is not a place for secrets.
				if _, err := tx.ExecContext(ctx, `
					INSERT INTO people (org_id, email, name, password_hash, roles)
					VALUES ($1, $2, $3, $4, $5)
					ON CONFLICT (lower(email)) DO UPDATE
					SET org_id = EXCLUDED.org_id, name = EXCLUDED.name, password_hash = EXCLUDED.password_hash,
						roles = EXCLUDED.roles, active = true, updated_at = now()`,
					orgID, p.Email, p.Name, hash, pq.StringArray(p.Roles)); err != nil {
					return dbError(err)
				}
				p.Organisation = o.name
				out = append(out, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("demo organisation %s: %w", o.slug, err)
		}
	}
	// Riverside's trainees have Storytelling assigned, due three weeks after the demo was
	// first loaded; a course that is not imported yet is simply not assigned.
	if _, err := s.db.ExecContext(ctx, `
		INSERT INTO assignments (org_id, person_id, course_id, due_at)
		SELECT p.org_id, p.id, c.id, $2::timestamptz + interval '21 days'
		FROM people p JOIN organisations o ON o.id = p.org_id AND o.slug = 'riverside'
		JOIN courses c ON c.org_id IS NULL AND c.slug = 'storytelling-with-purpose'
		WHERE p.email LIKE 'trainee_@riverside.example' AND $1
		ON CONFLICT (person_id, course_id) DO NOTHING`, true, s.Now()); err != nil {
		return nil, fmt.Errorf("demo assignments: %w", dbError(err))
	}
	return out, nil
}

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
	return out, nil
}

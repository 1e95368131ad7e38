package courses

import (
	"context"
	"fmt"
	"time"

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
	// timeZone is the IANA zone the organisation's daily reminders follow.
	timeZone string
	people   []DemoLogin
}

func demoData() []demoOrg {
	riverside := demoOrg{slug: "riverside", name: "Riverside Peer Network", timeZone: "Pacific/Auckland", people: []DemoLogin{
		{Email: "admin@riverside.example", Name: "Aroha Ngata", Roles: []string{"org_admin"}},
		{Email: "trainer@riverside.example", Name: "Tomás Reyes", Roles: []string{"trainer"}},
		{Email: "manager@riverside.example", Name: "Mei Lin Chen", Roles: []string{"manager"}},
	}}
	for i, n := range []string{"Sam Okafor", "Priya Nair", "Jordan Ellis", "Dee Walker", "Lee Nguyen", "Casey Morgan"} {
		riverside.people = append(riverside.people, DemoLogin{
			Email: fmt.Sprintf("trainee%d@riverside.example", i+1), Name: n, Roles: []string{"trainee"}})
	}
	harbour := demoOrg{slug: "harbour", name: "Harbour Health", timeZone: "UTC", people: []DemoLogin{
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
		err := s.sysTx(ctx, func(tx *sqlx.Tx) error {
			if err := tx.GetContext(ctx, &orgID, `
				INSERT INTO organisations (slug, name, time_zone) VALUES ($1, $2, $3)
				ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name, time_zone = EXCLUDED.time_zone
				RETURNING id`, o.slug, o.name, o.timeZone); err != nil {
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
	if err := s.sysTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO assignments (org_id, person_id, course_id, due_at)
			SELECT p.org_id, p.id, c.id, $2::timestamptz + interval '21 days'
			FROM people p JOIN organisations o ON o.id = p.org_id AND o.slug = 'riverside'
			JOIN courses c ON c.org_id IS NULL AND c.slug = 'storytelling-with-purpose'
			WHERE p.email LIKE 'trainee_@riverside.example' AND $1
			ON CONFLICT (person_id, course_id) DO NOTHING`, true, s.Now())
		return err
	}); err != nil {
		return nil, fmt.Errorf("demo assignments: %w", dbError(err))
	}
	if err := s.seedDemoTeams(ctx); err != nil {
		return nil, fmt.Errorf("demo teams: %w", err)
	}
	return out, nil
}

// seedDemoTeams gives Riverside two teams and some training history once the Boundaries course
// is imported (`peerpath demo` imports it first): North (trainee1–3, managed by the manager) and
// South (trainee4–6), which has Boundaries assigned with a due date and a 24-month
// recertification cycle. trainee4 has completed it, trainee5 is overdue, and trainee6 completed
// it 25 months ago, so the certificate the worker issues for that completion is already
// expired. trainee1–3 are left without any completion: browser tests start from there.
// Running it again changes nothing.
func (s *Store) seedDemoTeams(ctx context.Context) error {
	return s.sysTx(ctx, func(tx *sqlx.Tx) error {
		var row struct {
			Org     string `db:"org"`
			Course  string `db:"course"`
			Version string `db:"version"`
		}
		err := tx.GetContext(ctx, &row, `
			SELECT o.id AS org, c.id AS course,
				(SELECT v.id FROM course_versions v WHERE v.course_id = c.id ORDER BY v.version DESC LIMIT 1) AS version
			FROM organisations o JOIN courses c ON c.org_id IS NULL AND c.slug = 'boundaries-in-peer-work'
			WHERE o.slug = 'riverside' AND EXISTS (SELECT 1 FROM course_versions v WHERE v.course_id = c.id)`)
		if ErrorCode(dbError(err)) == NotFound {
			return nil
		}
		if err != nil {
			return dbError(err)
		}
		now := s.Now()
		teams := map[string]string{}
		for _, name := range []string{"North team", "South team"} {
			var id string
			if err := tx.GetContext(ctx, &id, `
				INSERT INTO teams (org_id, name) VALUES ($1, $2)
				ON CONFLICT (org_id, lower(name)) DO UPDATE SET name = EXCLUDED.name RETURNING id`, row.Org, name); err != nil {
				return dbError(err)
			}
			teams[name] = id
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO team_members (team_id, person_id, org_id, manager, joined_at)
			SELECT CASE WHEN p.email IN ('trainee4@riverside.example', 'trainee5@riverside.example', 'trainee6@riverside.example')
					THEN $3::uuid ELSE $2::uuid END,
				p.id, p.org_id, p.email = 'manager@riverside.example', $4
			FROM people p WHERE p.org_id = $1 AND (p.email LIKE 'trainee_@riverside.example' OR p.email = 'manager@riverside.example')
			ON CONFLICT (team_id, person_id) DO UPDATE SET manager = EXCLUDED.manager`,
			row.Org, teams["North team"], teams["South team"], now); err != nil {
			return dbError(err)
		}
		var rule string
		if err := tx.GetContext(ctx, &rule, `
			INSERT INTO team_assignment_rules (org_id, team_id, course_id, due_at, recert_months, created_at)
			VALUES ($1, $2, $3, $4, 24, $5)
			ON CONFLICT (team_id, course_id) DO UPDATE SET recert_months = EXCLUDED.recert_months
			RETURNING id`, row.Org, teams["South team"], row.Course, now.AddDate(0, 0, 14), now); err != nil {
			return dbError(err)
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO assignments (org_id, person_id, course_id, due_at, created_at, team_rule_id, recert_months)
			SELECT $1, m.person_id, r.course_id,
				CASE WHEN p.email = 'trainee5@riverside.example' THEN $3::timestamptz - interval '7 days' ELSE r.due_at END,
				$3, r.id, r.recert_months
			FROM team_assignment_rules r JOIN team_members m ON m.team_id = r.team_id JOIN people p ON p.id = m.person_id
			WHERE r.id = $2
			ON CONFLICT (person_id, course_id) DO NOTHING`, row.Org, rule, now); err != nil {
			return dbError(err)
		}
		for _, done := range []struct {
			email string
			at    time.Time
		}{{"trainee4@riverside.example", now.AddDate(0, 0, -3)}, {"trainee6@riverside.example", now.AddDate(0, -25, 0)}} {
			var completion string
			err := tx.GetContext(ctx, &completion, `
				WITH p AS (
					SELECT id FROM people WHERE org_id = $1 AND email = $2
						AND NOT EXISTS (SELECT 1 FROM completions k WHERE k.person_id = people.id AND k.course_id = $3)),
				e AS (
					INSERT INTO enrolments (org_id, person_id, course_id, course_version_id, started_at, completed_at)
					SELECT $1, p.id, $3, $4, $5::timestamptz - interval '10 days', $5 FROM p
					RETURNING id, person_id)
				INSERT INTO completions (org_id, person_id, course_id, course_version_id, enrolment_id, completed_at)
				SELECT $1, e.person_id, $3, $4, e.id, $5 FROM e RETURNING id`,
				row.Org, done.email, row.Course, row.Version, done.at)
			if ErrorCode(dbError(err)) == NotFound {
				continue // already there
			}
			if err != nil {
				return dbError(err)
			}
			// The worker issues the certificate, dated at the completion, as for any other.
			if err := addOutbox(ctx, tx, TaskCertificateIssue, row.Org, CertificateIssuePayload{CompletionID: completion}); err != nil {
				return err
			}
		}
		return nil
	})
}

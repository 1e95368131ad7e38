package courses_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lib/pq"

	"peerpath/courses"
	"peerpath/migrations/testdb"
)

func TestSeedDemo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, _ := MustStore(t)

	type account struct {
		Org    string
		Roles  []string
		Active bool
	}
	accounts := func() map[string]account {
		var rows []struct {
			Email  string         `db:"email"`
			Org    string         `db:"org"`
			Roles  pq.StringArray `db:"roles"`
			Active bool           `db:"active"`
		}
		if err := testdb.Owner(store.DB()).Select(&rows, `
			SELECT p.email, o.slug AS org, p.roles, p.active FROM people p JOIN organisations o ON o.id = p.org_id`); err != nil {
			t.Fatal(err)
		}
		out := map[string]account{}
		for _, r := range rows {
			out[r.Email] = account{r.Org, r.Roles, r.Active}
		}
		return out
	}
	// As README.md lists them.
	want := map[string]account{
		"admin@riverside.example":    {"riverside", []string{"org_admin"}, true},
		"trainer@riverside.example":  {"riverside", []string{"trainer"}, true},
		"manager@riverside.example":  {"riverside", []string{"manager"}, true},
		"trainee1@riverside.example": {"riverside", []string{"trainee"}, true},
		"trainee2@riverside.example": {"riverside", []string{"trainee"}, true},
		"trainee3@riverside.example": {"riverside", []string{"trainee"}, true},
		"trainee4@riverside.example": {"riverside", []string{"trainee"}, true},
		"trainee5@riverside.example": {"riverside", []string{"trainee"}, true},
		"trainee6@riverside.example": {"riverside", []string{"trainee"}, true},
		"admin@harbour.example":      {"harbour", []string{"org_admin"}, true},
		"trainee1@harbour.example":   {"harbour", []string{"trainee"}, true},
		"trainee2@harbour.example":   {"harbour", []string{"trainee"}, true},
	}

	t.Run("ErrShortPassword", func(t *testing.T) {
		_, err := store.SeedDemo(ctx, "short")
		wantFields(t, err, "password")
		if n := MustCount(t, store, `SELECT count(*) FROM people`); n != 0 {
			t.Errorf("people: got %d, want 0", n)
		}
	})
	t.Run("OK", func(t *testing.T) {
		logins, err := store.SeedDemo(ctx, courses.DefaultDemoPassword)
		if err != nil {
			t.Fatal(err)
		}
		if len(logins) != 12 || logins[0].Organisation != "Riverside Peer Network" || logins[11].Organisation != "Harbour Health" {
			t.Errorf("logins: got %+v, want 12, Riverside's first and Harbour's last", logins)
		}
		if diff := cmp.Diff(want, accounts()); diff != "" {
			t.Errorf("accounts (-want +got):\n%s", diff)
		}
		if n := MustCount(t, store, `SELECT count(*) FROM organisations`); n != 2 {
			t.Errorf("organisations: got %d, want 2", n)
		}
	})
	t.Run("Twice", func(t *testing.T) {
		// A second run restores what was changed since the first.
		if _, err := testdb.Owner(store.DB()).Exec(`
			UPDATE people SET roles = '{trainer}', active = false, password_hash = 'x'
			WHERE email = 'trainee1@riverside.example'`); err != nil {
			t.Fatal(err)
		}
		if _, err := store.SeedDemo(ctx, courses.DefaultDemoPassword); err != nil {
			t.Fatal(err)
		}
		if n := MustCount(t, store, `SELECT count(*) FROM people`); n != 12 {
			t.Errorf("people: got %d, want 12", n)
		}
		if diff := cmp.Diff(want, accounts()); diff != "" {
			t.Errorf("accounts (-want +got):\n%s", diff)
		}
		p, err := store.Authenticate(ctx, "trainee1@riverside.example", courses.DefaultDemoPassword)
		if err != nil {
			t.Fatalf("sign in as trainee1@riverside.example: %v", err)
		}
		if p.Organisation == nil || p.Organisation.Slug != "riverside" || p.Person.Name != "Sam Okafor" {
			t.Errorf("got %+v in %+v, want Sam Okafor in riverside", p.Person, p.Organisation)
		}
	})
}

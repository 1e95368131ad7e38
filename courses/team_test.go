package courses_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
	"peerpath/migrations/testdb"
)

func TestTeams(t *testing.T) {
	t.Parallel()
	l := MustOrgLab(t)
	ctx := context.Background()

	t.Run("ManagerSeesOwnTeams", func(t *testing.T) {
		got, _, err := l.store.FindTeams(ctx, l.manager, courses.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].ID != l.north || got[0].MemberCount != 3 || got[0].ManagerCount != 1 {
			t.Errorf("got %+v, want only North team with 3 members and 1 manager", got)
		}
		if _, err := l.store.FindTeam(ctx, l.manager, l.south); courses.ErrorCode(err) != courses.NotFound {
			t.Errorf("south team as manager: got %v, want not found", err)
		}
	})
	t.Run("OtherOrgSeesNone", func(t *testing.T) {
		got, _, err := l.store.FindTeams(ctx, l.otherAdmin, courses.Page{})
		if err != nil || len(got) != 0 {
			t.Errorf("got %+v, %v; want no teams", got, err)
		}
		for _, err := range []error{
			func() error { _, err := l.store.FindTeam(ctx, l.otherAdmin, l.north); return err }(),
			func() error { _, err := l.store.RenameTeam(ctx, l.otherAdmin, l.north, "Mine"); return err }(),
			l.store.DeleteTeam(ctx, l.otherAdmin, l.north),
			func() error {
				_, err := l.store.PutTeamMember(ctx, l.otherAdmin, l.north, l.jordan.Person.ID, false)
				return err
			}(),
			l.store.DeleteTeamMember(ctx, l.otherAdmin, l.north, l.sam.Person.ID),
		} {
			wantCode(t, err, courses.NotFound)
		}
	})
	t.Run("CreateErrors", func(t *testing.T) {
		_, err := l.store.CreateTeam(ctx, l.admin, "  ")
		wantFields(t, err, "name")
		_, err = l.store.CreateTeam(ctx, l.admin, "north TEAM")
		wantCode(t, err, courses.Conflict)
		_, err = l.store.CreateTeam(ctx, l.manager, "Mine")
		wantCode(t, err, courses.Forbidden)
		_, err = l.store.RenameTeam(ctx, l.admin, l.south, "North team")
		wantCode(t, err, courses.Conflict)
	})
	t.Run("ManagerNeedsRole", func(t *testing.T) {
		_, err := l.store.PutTeamMember(ctx, l.admin, l.south, l.jordan.Person.ID, true)
		wantFields(t, err, "manager")
	})
	t.Run("ManagerCannotChangeOwnTeam", func(t *testing.T) {
		_, err := l.store.PutTeamMember(ctx, l.manager, l.north, l.sam.Person.ID, false)
		wantCode(t, err, courses.Forbidden)
		_, err = l.store.PutTeamMember(ctx, l.manager, l.north, l.jordan.Person.ID, false)
		wantCode(t, err, courses.NotFound)
	})
	t.Run("MoveMember", func(t *testing.T) {
		d, err := l.store.PutTeamMember(ctx, l.admin, l.south, l.priya.Person.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.store.DeleteTeamMember(ctx, l.admin, l.north, l.priya.Person.ID); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range d.Members {
			got = append(got, m.Email)
		}
		if diff := cmp.Diff([]string{"jordan@riverside.example", "priya@riverside.example"}, got); diff != "" {
			t.Errorf("south members (-want +got):\n%s", diff)
		}
		wantCode(t, l.store.DeleteTeamMember(ctx, l.admin, l.north, l.priya.Person.ID), courses.NotFound)
	})
	t.Run("Delete", func(t *testing.T) {
		id := MustTeam(t, l.store, l.admin, "Short lived")
		if err := l.store.DeleteTeam(ctx, l.admin, id); err != nil {
			t.Fatal(err)
		}
		_, err := l.store.FindTeam(ctx, l.admin, id)
		wantCode(t, err, courses.NotFound)
		if n := MustCount(t, l.store, `SELECT count(*) FROM audit_log WHERE action LIKE 'team.%' AND subject_id = $1`, id); n != 2 {
			t.Errorf("audit rows: got %d, want 2 (create, delete)", n)
		}
	})
}

func TestSeedDemoTeams(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, clock := MustStore(t)
	MustShipped(t, store)
	for range 2 { // idempotent
		if _, err := store.SeedDemo(ctx, courses.DefaultDemoPassword); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name  string
		query string
		want  int
	}{
		{"Teams", `SELECT count(*) FROM teams`, 2},
		{"NorthManagedByManager", `SELECT count(*) FROM team_members m JOIN teams t ON t.id = m.team_id JOIN people p ON p.id = m.person_id
			WHERE t.name = 'North team' AND m.manager AND p.email = 'manager@riverside.example'`, 1},
		{"Members", `SELECT count(*) FROM team_members`, 7},
		{"BoundariesToSouth", `SELECT count(*) FROM assignments a JOIN courses c ON c.id = a.course_id WHERE c.slug = 'boundaries-in-peer-work'`, 3},
		{"Completions", `SELECT count(*) FROM completions`, 2},
		{"NoneForTrainee1to3", `SELECT count(*) FROM completions k JOIN people p ON p.id = k.person_id
			WHERE p.email IN ('trainee1@riverside.example', 'trainee2@riverside.example', 'trainee3@riverside.example')`, 0},
		{"CertificatesQueued", `SELECT count(*) FROM outbox WHERE task_type = 'certificate:issue'`, 2},
		{"Overdue", `SELECT count(*) FROM assignment_due d JOIN courses c ON c.id = d.course_id
			WHERE c.slug = 'boundaries-in-peer-work' AND d.due_at < $1`, 2}, // trainee5 late, trainee6 expired
	} {
		args := []any{}
		if tc.name == "Overdue" {
			args = append(args, clock.Now())
		}
		if got := MustCount(t, store, tc.query, args...); got != tc.want {
			t.Errorf("%s: got %d, want %d", tc.name, got, tc.want)
		}
	}
	var completion string
	if err := testdb.Owner(store.DB()).Get(&completion, `SELECT k.id FROM completions k JOIN people p ON p.id = k.person_id
		WHERE p.email = 'trainee6@riverside.example'`); err != nil {
		t.Fatal(err)
	}
	if c := MustIssue(t, store, completion); c.Status(clock.Now()) != courses.CertificateExpired {
		t.Errorf("trainee6's certificate: got %s, want expired", c.Status(clock.Now()))
	}
}

package courses_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
)

// orgLab is an organisation with an admin, a manager of the north team, a trainer and three
// trainees (two in north, one in south), and a second organisation with its own admin.
type orgLab struct {
	store        *courses.Store
	clock        *fakeClock
	org, other   *courses.Organisation
	admin        *courses.Principal
	manager      *courses.Principal
	trainer      *courses.Principal
	otherAdmin   *courses.Principal
	sam, priya   *courses.Principal // north
	jordan       *courses.Principal // south
	north, south string
}

// MustOrgLab builds an orgLab on a fresh database.
func MustOrgLab(tb testing.TB) *orgLab {
	tb.Helper()
	ctx := context.Background()
	store, clock := MustStore(tb)
	l := &orgLab{store: store, clock: clock}
	l.org = MustOrg(tb, store, "riverside")
	l.other = MustOrg(tb, store, "harbour")
	l.admin = MustLearner(tb, store, l.org.ID, "admin@riverside.example", "org_admin")
	l.manager = MustLearner(tb, store, l.org.ID, "manager@riverside.example", "manager")
	l.trainer = MustLearner(tb, store, l.org.ID, "trainer@riverside.example", "trainer")
	l.otherAdmin = MustLearner(tb, store, l.other.ID, "admin@harbour.example", "org_admin")
	l.sam = MustLearner(tb, store, l.org.ID, "sam@riverside.example")
	l.priya = MustLearner(tb, store, l.org.ID, "priya@riverside.example")
	l.jordan = MustLearner(tb, store, l.org.ID, "jordan@riverside.example")
	l.north = MustTeam(tb, store, l.admin, "North team")
	l.south = MustTeam(tb, store, l.admin, "South team")
	for _, m := range []struct {
		team    string
		p       *courses.Principal
		manager bool
	}{{l.north, l.manager, true}, {l.north, l.sam, false}, {l.north, l.priya, false}, {l.south, l.jordan, false}} {
		if _, err := store.PutTeamMember(ctx, l.admin, m.team, m.p.Person.ID, m.manager); err != nil {
			tb.Fatalf("add %s to team: %v", m.p.Person.Email, err)
		}
	}
	return l
}

// MustTeam creates a team as admin and returns its id.
func MustTeam(tb testing.TB, store *courses.Store, admin *courses.Principal, name string) string {
	tb.Helper()
	d, err := store.CreateTeam(context.Background(), admin, name)
	if err != nil {
		tb.Fatalf("create team %s: %v", name, err)
	}
	return d.ID
}

func emailsOf(people []courses.OrgPerson) []string {
	out := []string{}
	for _, p := range people {
		out = append(out, p.Email)
	}
	return out
}

func TestFindPeopleVisibility(t *testing.T) {
	t.Parallel()
	l := MustOrgLab(t)
	ctx := context.Background()
	everyone := []string{"admin@riverside.example", "jordan@riverside.example", "manager@riverside.example",
		"priya@riverside.example", "sam@riverside.example", "trainer@riverside.example"}
	for _, tc := range []struct {
		name   string
		caller *courses.Principal
		want   []string
	}{
		{"OrgAdmin", l.admin, everyone},
		{"ManagerSeesOwnTeam", l.manager, []string{"manager@riverside.example", "priya@riverside.example", "sam@riverside.example"}},
		{"TrainerSeesNobody", l.trainer, []string{}},
		{"TraineeSeesNobody", l.sam, []string{}},
		{"OtherOrgAdmin", l.otherAdmin, []string{"admin@harbour.example"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := l.store.FindPeople(ctx, tc.caller, courses.PeopleFilter{}, courses.Page{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, emailsOf(got)); diff != "" {
				t.Errorf("people (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("ManagerCannotOpenOutsider", func(t *testing.T) {
		_, err := l.store.FindOrgPerson(ctx, l.manager, l.jordan.Person.ID)
		wantCode(t, err, courses.NotFound)
	})
	t.Run("OtherOrgCannotOpen", func(t *testing.T) {
		_, err := l.store.FindOrgPerson(ctx, l.otherAdmin, l.sam.Person.ID)
		wantCode(t, err, courses.NotFound)
	})
	t.Run("ManagerRoleRemovedSeesNobody", func(t *testing.T) {
		if _, err := l.store.UpdatePersonRoles(ctx, l.admin, l.manager.Person.ID, []string{"trainee", "manager"}); err != nil {
			t.Fatal(err)
		}
		if _, err := l.store.UpdatePersonRoles(ctx, l.admin, l.manager.Person.ID, []string{"trainee"}); err != nil {
			t.Fatal(err)
		}
		if n := MustCount(t, l.store, `SELECT count(*) FROM team_members WHERE manager`); n != 0 {
			t.Errorf("managers left: got %d, want 0", n)
		}
		if _, err := l.store.UpdatePersonRoles(ctx, l.admin, l.manager.Person.ID, []string{"manager"}); err != nil {
			t.Fatal(err)
		}
		got, _, err := l.store.FindPeople(ctx, MustPrincipal(t, l.store, l.manager.Person.ID), courses.PeopleFilter{}, courses.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 0 {
			t.Errorf("got %v, want nobody: the manager no longer manages a team", emailsOf(got))
		}
	})
}

func TestFindPeopleFilters(t *testing.T) {
	t.Parallel()
	l := MustOrgLab(t)
	ctx := context.Background()
	if _, err := l.store.SetPersonActive(ctx, l.admin, l.priya.Person.ID, false); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		f    courses.PeopleFilter
		want []string
	}{
		{"Query", courses.PeopleFilter{Q: "  SAM "}, []string{"sam@riverside.example"}},
		{"QueryWildcardIsLiteral", courses.PeopleFilter{Q: "%"}, []string{}},
		{"Role", courses.PeopleFilter{Role: "manager"}, []string{"manager@riverside.example"}},
		{"Team", courses.PeopleFilter{TeamID: l.north}, []string{"manager@riverside.example", "priya@riverside.example", "sam@riverside.example"}},
		{"Deactivated", courses.PeopleFilter{Status: "deactivated"}, []string{"priya@riverside.example"}},
		{"ActiveInTeam", courses.PeopleFilter{Status: "active", TeamID: l.north}, []string{"manager@riverside.example", "sam@riverside.example"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := l.store.FindPeople(ctx, l.admin, tc.f, courses.Page{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, emailsOf(got)); diff != "" {
				t.Errorf("people (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("Bad", func(t *testing.T) {
		_, _, err := l.store.FindPeople(ctx, l.admin, courses.PeopleFilter{Role: "boss", TeamID: "x", Status: "gone"}, courses.Page{})
		wantFields(t, err, "role", "team", "status")
		_, _, err = l.store.FindPeople(ctx, l.admin, courses.PeopleFilter{}, courses.Page{Cursor: "!!"})
		wantFields(t, err, "cursor")
	})
	t.Run("Pages", func(t *testing.T) {
		var all []string
		page := courses.Page{Limit: 4}
		for range 5 {
			got, next, err := l.store.FindPeople(ctx, l.admin, courses.PeopleFilter{}, page)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, emailsOf(got)...)
			if next == "" {
				break
			}
			page.Cursor = next
		}
		if len(all) != 6 || !slices.IsSorted(all) {
			t.Errorf("got %v, want all six people in name order", all)
		}
	})
}

func TestUpdatePersonRoles(t *testing.T) {
	t.Parallel()
	l := MustOrgLab(t)
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		got, err := l.store.UpdatePersonRoles(ctx, l.admin, l.sam.Person.ID, []string{"trainer", "trainee", "trainer"})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"trainee", "trainer"}, []string(got.Roles)); diff != "" {
			t.Errorf("roles (-want +got):\n%s", diff)
		}
		if n := MustCount(t, l.store, `SELECT count(*) FROM audit_log WHERE action = 'person.roles_change' AND subject_id = $1`, l.sam.Person.ID); n != 1 {
			t.Errorf("audit rows: got %d, want 1", n)
		}
	})
	for _, tc := range []struct {
		name   string
		caller *courses.Principal
		id     string
		roles  []string
		code   courses.Code
	}{
		{"ErrNoRoles", l.admin, l.sam.Person.ID, []string{}, courses.Invalid},
		{"ErrUnknownRole", l.admin, l.sam.Person.ID, []string{"boss"}, courses.Invalid},
		{"ErrOwnAdminRole", l.admin, l.admin.Person.ID, []string{"trainee"}, courses.Invalid},
		{"ErrManagerOwnTeam", l.manager, l.sam.Person.ID, []string{"trainee"}, courses.Forbidden},
		{"ErrManagerOutsider", l.manager, l.jordan.Person.ID, []string{"trainee"}, courses.NotFound},
		{"ErrOtherOrg", l.otherAdmin, l.sam.Person.ID, []string{"trainee"}, courses.NotFound},
		{"ErrNotAnID", l.admin, "nope", []string{"trainee"}, courses.NotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := l.store.UpdatePersonRoles(ctx, tc.caller, tc.id, tc.roles)
			wantCode(t, err, tc.code)
		})
	}
}

func TestSetPersonActive(t *testing.T) {
	t.Parallel()
	l := MustOrgLab(t)
	ctx := context.Background()
	MustSession(t, l.store, l.sam.Person.ID)
	before, err := l.store.CountActivePeople(ctx, l.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := l.store.SetPersonActive(ctx, l.admin, l.sam.Person.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if got.Active || got.DeactivatedAt == nil {
		t.Errorf("got active %v at %v, want deactivated with a time", got.Active, got.DeactivatedAt)
	}
	if n := MustCount(t, l.store, `SELECT count(*) FROM sessions WHERE person_id = $1`, l.sam.Person.ID); n != 0 {
		t.Errorf("sessions: got %d, want 0", n)
	}
	if _, err := l.store.Authenticate(ctx, "sam@riverside.example", testPassword); courses.ErrorCode(err) != courses.Unauthorized {
		t.Errorf("sign in: got %v, want unauthorized", err)
	}
	after, _ := l.store.CountActivePeople(ctx, l.org.ID)
	if after != before-1 {
		t.Errorf("seats: got %d, want %d", after, before-1)
	}
	// Twice is fine and records nothing more.
	if _, err := l.store.SetPersonActive(ctx, l.admin, l.sam.Person.ID, false); err != nil {
		t.Fatal(err)
	}
	if n := MustCount(t, l.store, `SELECT count(*) FROM audit_log WHERE action = 'person.deactivate'`); n != 1 {
		t.Errorf("audit rows: got %d, want 1", n)
	}
	if got, err = l.store.SetPersonActive(ctx, l.admin, l.sam.Person.ID, true); err != nil || !got.Active || got.DeactivatedAt != nil {
		t.Fatalf("reactivate: got %+v, %v", got, err)
	}
	if _, err := l.store.Authenticate(ctx, "sam@riverside.example", testPassword); err != nil {
		t.Errorf("sign in after reactivation: %v", err)
	}
	t.Run("ErrSelf", func(t *testing.T) {
		_, err := l.store.SetPersonActive(ctx, l.admin, l.admin.Person.ID, false)
		wantCode(t, err, courses.Conflict)
	})
	t.Run("ErrManager", func(t *testing.T) {
		_, err := l.store.SetPersonActive(ctx, l.manager, l.sam.Person.ID, false)
		wantCode(t, err, courses.Forbidden)
		_, err = l.store.SetPersonActive(ctx, l.manager, l.jordan.Person.ID, false)
		wantCode(t, err, courses.NotFound)
	})
}

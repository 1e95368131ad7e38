package courses_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
	"peerpath/migrations/testdb"
)

func ptr[T any](v T) *T { return &v }

// dueOf returns each assigned person's email with the due date that counts, for course slug.
func dueOf(tb testing.TB, store *courses.Store, p *courses.Principal, slug string) map[string]*time.Time {
	tb.Helper()
	got, _, err := store.FindAssignments(context.Background(), p, courses.AssignmentFilter{CourseSlug: slug}, courses.Page{})
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]*time.Time{}
	for _, a := range got {
		out[a.Person.Email] = a.DueAt
	}
	return out
}

func TestCreateAssignmentsToPeople(t *testing.T) {
	t.Parallel()
	l := MustOrgLab(t)
	ctx := context.Background()
	MustImport(t, l.store, l.org.ID, tinyFS("own-course", nil))
	MustImport(t, l.store, l.other.ID, tinyFS("their-course", nil))
	now := l.clock.Now()
	due := now.AddDate(0, 1, 0)

	res, err := l.store.CreateAssignments(ctx, l.admin, courses.AssignmentInput{CourseSlug: "own-course",
		PersonIDs: []string{l.sam.Person.ID, l.jordan.Person.ID, l.sam.Person.ID}, DueAt: &due})
	if err != nil {
		t.Fatal(err)
	}
	if res.Assigned != 2 || res.Updated != 0 {
		t.Errorf("got %+v, want 2 assigned", res)
	}
	// Assigning again moves the due date.
	res, err = l.store.CreateAssignments(ctx, l.admin, courses.AssignmentInput{CourseSlug: "own-course",
		PersonIDs: []string{l.sam.Person.ID}, DueWithinDays: ptr(7)})
	if err != nil || res.Updated != 1 {
		t.Fatalf("reassign: got %+v, %v; want 1 updated", res, err)
	}
	week := now.AddDate(0, 0, 7)
	if diff := cmp.Diff(map[string]*time.Time{"sam@riverside.example": &week, "jordan@riverside.example": &due},
		dueOf(t, l.store, l.admin, "own-course")); diff != "" {
		t.Errorf("due dates (-want +got):\n%s", diff)
	}
	// The manager reads only their team's assignments.
	if diff := cmp.Diff(map[string]*time.Time{"sam@riverside.example": &week}, dueOf(t, l.store, l.manager, "own-course")); diff != "" {
		t.Errorf("manager's view (-want +got):\n%s", diff)
	}
	if got := dueOf(t, l.store, l.otherAdmin, "own-course"); len(got) != 0 {
		t.Errorf("other organisation: got %v, want nothing", got)
	}

	past := now.Add(-time.Hour)
	for _, tc := range []struct {
		name   string
		caller *courses.Principal
		in     courses.AssignmentInput
		code   courses.Code
		fields []string
	}{
		{"ErrNothing", l.admin, courses.AssignmentInput{}, courses.Invalid, []string{"course_slug", "person_ids"}},
		{"ErrBoth", l.admin, courses.AssignmentInput{CourseSlug: "own-course", PersonIDs: []string{l.sam.Person.ID}, TeamID: l.north}, courses.Invalid, []string{"team_id"}},
		{"ErrTwoDues", l.admin, courses.AssignmentInput{CourseSlug: "own-course", PersonIDs: []string{l.sam.Person.ID}, DueAt: &due, DueWithinDays: ptr(3)}, courses.Invalid, []string{"due_within_days"}},
		{"ErrPast", l.admin, courses.AssignmentInput{CourseSlug: "own-course", PersonIDs: []string{l.sam.Person.ID}, DueAt: &past}, courses.Invalid, []string{"due_at"}},
		{"ErrRanges", l.admin, courses.AssignmentInput{CourseSlug: "own-course", PersonIDs: []string{l.sam.Person.ID}, DueWithinDays: ptr(0), RecertMonths: ptr(121)}, courses.Invalid, []string{"due_within_days", "recert_months"}},
		{"ErrOtherOrgCourse", l.admin, courses.AssignmentInput{CourseSlug: "their-course", PersonIDs: []string{l.sam.Person.ID}}, courses.Invalid, []string{"course_slug"}},
		{"ErrOtherOrgPerson", l.admin, courses.AssignmentInput{CourseSlug: "own-course", PersonIDs: []string{l.otherAdmin.Person.ID}}, courses.NotFound, nil},
		{"ErrOtherOrgTeam", l.otherAdmin, courses.AssignmentInput{CourseSlug: "their-course", TeamID: l.north}, courses.NotFound, nil},
		{"ErrManagerOutsider", l.manager, courses.AssignmentInput{CourseSlug: "own-course", PersonIDs: []string{l.jordan.Person.ID}}, courses.NotFound, nil},
		{"ErrManagerOwnTeam", l.manager, courses.AssignmentInput{CourseSlug: "own-course", TeamID: l.north}, courses.Forbidden, nil},
		{"ErrNotAnID", l.admin, courses.AssignmentInput{CourseSlug: "own-course", PersonIDs: []string{"x"}}, courses.NotFound, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := l.store.CreateAssignments(ctx, tc.caller, tc.in)
			if tc.fields != nil {
				wantFields(t, err, tc.fields...)
				return
			}
			wantCode(t, err, tc.code)
		})
	}

	t.Run("Delete", func(t *testing.T) {
		got, _, err := l.store.FindAssignments(ctx, l.admin, courses.AssignmentFilter{PersonID: l.jordan.Person.ID}, courses.Page{})
		if err != nil || len(got) != 1 {
			t.Fatalf("got %v, %v; want jordan's assignment", got, err)
		}
		wantCode(t, l.store.DeleteAssignment(ctx, l.manager, got[0].ID), courses.NotFound)
		wantCode(t, l.store.DeleteAssignment(ctx, l.otherAdmin, got[0].ID), courses.NotFound)
		if err := l.store.DeleteAssignment(ctx, l.admin, got[0].ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, l.store.DeleteAssignment(ctx, l.admin, got[0].ID), courses.NotFound)
	})
}

func TestTeamAssignmentRule(t *testing.T) {
	t.Parallel()
	l := MustOrgLab(t)
	ctx := context.Background()
	MustImport(t, l.store, l.org.ID, tinyFS("own-course", nil))
	start := l.clock.Now()
	res, err := l.store.CreateAssignments(ctx, l.admin, courses.AssignmentInput{CourseSlug: "own-course", TeamID: l.north, DueWithinDays: ptr(14)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Assigned != 3 || res.Rule == nil || *res.Rule.DueWithinDays != 14 {
		t.Fatalf("got %+v, want 3 assigned with a 14-day rule", res)
	}
	// Jordan joins north ten days later: due 14 days after joining.
	l.clock.Advance(10 * 24 * time.Hour)
	if _, err := l.store.PutTeamMember(ctx, l.admin, l.north, l.jordan.Person.ID, false); err != nil {
		t.Fatal(err)
	}
	first, joined := start.AddDate(0, 0, 14), l.clock.Now().AddDate(0, 0, 14)
	want := map[string]*time.Time{"manager@riverside.example": &first, "sam@riverside.example": &first,
		"priya@riverside.example": &first, "jordan@riverside.example": &joined}
	if diff := cmp.Diff(want, dueOf(t, l.store, l.admin, "own-course")); diff != "" {
		t.Errorf("due dates (-want +got):\n%s", diff)
	}
	d, err := l.store.FindTeam(ctx, l.admin, l.north)
	if err != nil || len(d.Rules) != 1 {
		t.Fatalf("team rules: got %+v, %v", d, err)
	}
	// Removing the rule keeps the assignments but assigns nobody new.
	if err := l.store.DeleteAssignmentRule(ctx, l.manager, d.Rules[0].ID); courses.ErrorCode(err) != courses.Forbidden {
		t.Errorf("manager removes rule: got %v, want forbidden", err)
	}
	wantCode(t, l.store.DeleteAssignmentRule(ctx, l.otherAdmin, d.Rules[0].ID), courses.NotFound)
	if err := l.store.DeleteAssignmentRule(ctx, l.admin, d.Rules[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := l.store.PutTeamMember(ctx, l.admin, l.north, l.trainer.Person.ID, false); err != nil {
		t.Fatal(err)
	}
	if got := dueOf(t, l.store, l.admin, "own-course"); len(got) != 4 {
		t.Errorf("after the rule went: got %d assignments, want the same 4", len(got))
	}
}

func TestImportedInviteeJoinsTeam(t *testing.T) {
	t.Parallel()
	l := MustOrgLab(t)
	ctx := context.Background()
	MustImport(t, l.store, l.org.ID, tinyFS("own-course", nil))
	due := l.clock.Now().AddDate(0, 2, 0)
	if _, err := l.store.CreateAssignments(ctx, l.admin, courses.AssignmentInput{CourseSlug: "own-course", TeamID: l.south, DueAt: &due}); err != nil {
		t.Fatal(err)
	}
	res, err := l.store.ImportPeople(ctx, l.admin, []byte("name,email,team,roles\nDee Walker,dee@example.org,south team,trainee;trainer\n"), false)
	if err != nil || res.Invited != 1 {
		t.Fatalf("import: got %+v, %v", res, err)
	}
	var token string
	for _, row := range MustOutbox(t, l.store) {
		if row.TaskType == courses.TaskEmailSend {
			if e := MustEmail(t, row); e.To == "dee@example.org" {
				token = e.Data["link"][len("http://peerpath.test/invite/"):]
			}
		}
	}
	p, err := l.store.AcceptInvitation(ctx, token, "Dee Walker", "a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"trainee", "trainer"}, []string(p.Person.Roles)); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	got := dueOf(t, l.store, l.admin, "own-course")
	if d := got["dee@example.org"]; d == nil || !d.Equal(due) {
		t.Errorf("dee's due date: got %v, want %v", d, due)
	}
}

func TestRecertificationDue(t *testing.T) {
	t.Parallel()
	l := MustOrgLab(t)
	ctx := context.Background()
	MustImport(t, l.store, l.org.ID, tinyFS("renew", certFS("renew")))
	due := l.clock.Now().AddDate(0, 0, 30)
	for _, months := range []int{6, 24} {
		p := map[int]*courses.Principal{6: l.sam, 24: l.priya}[months]
		if _, err := l.store.CreateAssignments(ctx, l.admin, courses.AssignmentInput{CourseSlug: "renew",
			PersonIDs: []string{p.Person.ID}, DueAt: &due, RecertMonths: ptr(months)}); err != nil {
			t.Fatal(err)
		}
	}
	l.clock.Advance(24 * time.Hour)
	done := l.clock.Now()
	MustIssue(t, l.store, MustFinish(t, l.store, l.sam, "renew"))
	MustFinish(t, l.store, l.priya, "renew") // certificate not issued yet: counts from completion
	six, twelve := done.AddDate(0, 6, 0), done.AddDate(0, 12, 0)
	// Sam's cycle is 6 months, shorter than the certificate's 12; Priya's 24 months is capped by
	// the certificate's expiry only once it is issued.
	want := map[string]*time.Time{"sam@riverside.example": &six, "priya@riverside.example": ptr(done.AddDate(0, 24, 0))}
	if diff := cmp.Diff(want, dueOf(t, l.store, l.admin, "renew")); diff != "" {
		t.Errorf("due dates (-want +got):\n%s", diff)
	}
	var completion string
	if err := testdb.Owner(l.store.DB()).Get(&completion, `SELECT id FROM completions WHERE person_id = $1`, l.priya.Person.ID); err != nil {
		t.Fatal(err)
	}
	MustIssue(t, l.store, completion)
	if got := dueOf(t, l.store, l.admin, "renew")["priya@riverside.example"]; got == nil || !got.Equal(twelve) {
		t.Errorf("priya after her certificate: got %v, want its expiry %v", got, twelve)
	}
}

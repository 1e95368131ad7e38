package courses_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
)

func TestAssignmentStatus(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { t := now.Add(d); return &t }
	day := 24 * time.Hour
	tests := []struct {
		name  string
		facts courses.StatusFacts
		want  string
	}{
		{"NothingYet", courses.StatusFacts{}, courses.StatusNotStarted},
		{"NoDueDateStarted", courses.StatusFacts{Started: true}, courses.StatusInProgress},
		{"DueLater", courses.StatusFacts{DueAt: at(15 * day)}, courses.StatusNotStarted},
		{"DueLaterStarted", courses.StatusFacts{DueAt: at(15 * day), Started: true}, courses.StatusInProgress},
		{"DueIn14Days", courses.StatusFacts{DueAt: at(14 * day)}, courses.StatusDueSoon},
		{"DueSoonStarted", courses.StatusFacts{DueAt: at(3 * day), Started: true}, courses.StatusDueSoon},
		{"DueNow", courses.StatusFacts{DueAt: at(0)}, courses.StatusDueSoon},
		{"PastDue", courses.StatusFacts{DueAt: at(-time.Second)}, courses.StatusOverdue},
		{"PastDueStarted", courses.StatusFacts{DueAt: at(-day), Started: true}, courses.StatusOverdue},
		{"Completed", courses.StatusFacts{CompletedAt: at(-day)}, courses.StatusCompleted},
		{"CompletedLate", courses.StatusFacts{DueAt: at(-3 * day), CompletedAt: at(-day)}, courses.StatusCompleted},
		{"CompletedNotExpired", courses.StatusFacts{CompletedAt: at(-day), ExpiresAt: at(day)}, courses.StatusCompleted},
		{"CompletedNextCycleDueSoon", courses.StatusFacts{DueAt: at(3 * day), CompletedAt: at(-day), ExpiresAt: at(3 * day)}, courses.StatusCompleted},
		{"ExpiresNow", courses.StatusFacts{CompletedAt: at(-day), ExpiresAt: at(0)}, courses.StatusExpired},
		{"Expired", courses.StatusFacts{CompletedAt: at(-400 * day), ExpiresAt: at(-35 * day)}, courses.StatusExpired},
		{"ExpiredAndNextDuePassed", courses.StatusFacts{DueAt: at(-35 * day), CompletedAt: at(-400 * day), ExpiresAt: at(-35 * day)}, courses.StatusExpired},
		{"ExpiredRestarted", courses.StatusFacts{CompletedAt: at(-400 * day), ExpiresAt: at(-day), Started: true}, courses.StatusExpired},
		{"RecertDuePassedBeforeExpiry", courses.StatusFacts{DueAt: at(-day), CompletedAt: at(-200 * day), ExpiresAt: at(100 * day), Recert: true}, courses.StatusOverdue},
		{"CompletedInTimeThenDuePassed", courses.StatusFacts{DueAt: at(-day), CompletedAt: at(-3 * day)}, courses.StatusCompleted},
		{"CompletedInTimeNotExpired", courses.StatusFacts{DueAt: at(-day), CompletedAt: at(-3 * day), ExpiresAt: at(300 * day)}, courses.StatusCompleted},
	}
	store, _ := MustStore(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := courses.AssignmentStatus(tt.facts, now); got != tt.want {
				t.Errorf("AssignmentStatus: got %q, want %q", got, tt.want)
			}
			// The matrix filters and sorts by status inside PostgreSQL: its CASE must agree.
			var got string
			q := strings.ReplaceAll(courses.MatrixStatusSQL, "$now", "$5::timestamptz")
			if err := store.DB().Get(&got, `SELECT `+q+` FROM (SELECT $1::timestamptz AS due_at,
				$2::timestamptz AS completed_at, $3::timestamptz AS expires_at, $4::bool AS started,
				$6::bool AS recert) x`,
				tt.facts.DueAt, tt.facts.CompletedAt, tt.facts.ExpiresAt, tt.facts.Started, now, tt.facts.Recert); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("SQL status: got %q, want %q", got, tt.want)
			}
		})
	}
}

// matrixLab is an orgLab with a course assigned to Sam (done), Priya (due soon, started) and
// Jordan (overdue), and to Harbour's admin in the other organisation.
func mustMatrixLab(tb testing.TB) *orgLab {
	tb.Helper()
	l := MustOrgLab(tb)
	MustImport(tb, l.store, "", tinyFS("matrix-course", nil))
	now := l.clock.Now()
	MustAssign(tb, l.store, l.sam, "matrix-course", now.Add(30*24*time.Hour))
	MustAssign(tb, l.store, l.priya, "matrix-course", now.Add(5*24*time.Hour))
	MustAssign(tb, l.store, l.jordan, "matrix-course", now.Add(-24*time.Hour))
	MustAssign(tb, l.store, l.otherAdmin, "matrix-course", now.Add(-24*time.Hour))
	MustFinish(tb, l.store, l.sam, "matrix-course")
	MustComplete(tb, l.store, l.priya, "matrix-course", "one")
	if _, err := l.store.SaveReflection(context.Background(), l.priya, "matrix-course", "one",
		map[string]string{"r1": "my private thoughts"}); err != nil {
		tb.Fatal(err)
	}
	return l
}

type cell struct{ Email, Status string }

func cellsOf(m *courses.Matrix) []cell {
	out := []cell{}
	for _, r := range m.Items {
		out = append(out, cell{r.Email, r.Status})
	}
	return out
}

func TestFindCompletion(t *testing.T) {
	t.Parallel()
	l := mustMatrixLab(t)
	ctx := context.Background()
	jordan := cell{"jordan@riverside.example", courses.StatusOverdue}
	priya := cell{"priya@riverside.example", courses.StatusDueSoon}
	sam := cell{"sam@riverside.example", courses.StatusCompleted}
	tests := []struct {
		name   string
		p      *courses.Principal
		filter courses.CompletionFilter
		want   []cell
	}{
		{"AdminByName", l.admin, courses.CompletionFilter{}, []cell{jordan, priya, sam}},
		{"AdminByNameDesc", l.admin, courses.CompletionFilter{Order: "desc"}, []cell{sam, priya, jordan}},
		{"AdminByStatus", l.admin, courses.CompletionFilter{Sort: "status"}, []cell{jordan, priya, sam}},
		{"AdminByDue", l.admin, courses.CompletionFilter{Sort: "due", Order: "desc"}, []cell{sam, priya, jordan}},
		{"AdminOverdue", l.admin, courses.CompletionFilter{Status: courses.StatusOverdue}, []cell{jordan}},
		{"AdminSouthTeam", l.admin, courses.CompletionFilter{TeamID: l.south}, []cell{jordan}},
		{"AdminCourse", l.admin, courses.CompletionFilter{Course: "matrix-course"}, []cell{jordan, priya, sam}},
		{"ManagerSeesOwnTeam", l.manager, courses.CompletionFilter{}, []cell{priya, sam}},
		{"ManagerOtherTeam", l.manager, courses.CompletionFilter{TeamID: l.south}, []cell{}},
		{"OtherOrganisation", l.otherAdmin, courses.CompletionFilter{}, []cell{{"admin@harbour.example", courses.StatusOverdue}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := l.store.FindCompletion(ctx, tt.p, tt.filter, courses.Page{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, cellsOf(m)); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			if m.Total != len(tt.want) {
				t.Errorf("total: got %d, want %d", m.Total, len(tt.want))
			}
		})
	}
	t.Run("Totals", func(t *testing.T) {
		m, err := l.store.FindCompletion(ctx, l.admin, courses.CompletionFilter{Status: courses.StatusCompleted}, courses.Page{})
		if err != nil {
			t.Fatal(err)
		}
		want := []courses.CourseTotal{{Course: "matrix-course", Title: "Course matrix-course", Total: 3, Counts: courses.StatusCounts{
			"overdue": 1, "expired": 0, "due_soon": 1, "not_started": 0, "in_progress": 0, "completed": 1}}}
		if diff := cmp.Diff(want, m.Courses); diff != "" {
			t.Errorf("course totals (-want +got):\n%s", diff)
		}
		var teams []string
		for _, tt := range m.Teams {
			teams = append(teams, tt.Name+":"+string(rune('0'+tt.Total))+"/"+string(rune('0'+tt.Counts["overdue"])))
		}
		if diff := cmp.Diff([]string{"North team:2/0", "South team:1/1"}, teams); diff != "" {
			t.Errorf("team totals name:total/overdue (-want +got):\n%s", diff)
		}
	})
	t.Run("Pages", func(t *testing.T) {
		var got []cell
		cursor := ""
		for i := 0; i < 5; i++ {
			m, err := l.store.FindCompletion(ctx, l.admin, courses.CompletionFilter{}, courses.Page{Limit: 2, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, cellsOf(m)...)
			if cursor = m.NextCursor; cursor == "" {
				break
			}
		}
		if diff := cmp.Diff([]cell{jordan, priya, sam}, got); diff != "" {
			t.Errorf("pages (-want +got):\n%s", diff)
		}
	})
	t.Run("BadFilter", func(t *testing.T) {
		_, err := l.store.FindCompletion(ctx, l.admin, courses.CompletionFilter{Status: "late", Sort: "age", Order: "up", TeamID: "x"},
			courses.Page{Cursor: "!!"})
		wantFields(t, err, "status", "sort", "order", "team")
		_, err = l.store.FindCompletion(ctx, l.admin, courses.CompletionFilter{}, courses.Page{Cursor: "!!"})
		wantFields(t, err, "cursor")
	})
	t.Run("OtherOrganisationsTeamOrCourse", func(t *testing.T) {
		_, err := l.store.FindCompletion(ctx, l.otherAdmin, courses.CompletionFilter{TeamID: l.north}, courses.Page{})
		wantCode(t, err, courses.NotFound)
		_, err = l.store.FindCompletion(ctx, l.admin, courses.CompletionFilter{Course: "no-such-course"}, courses.Page{})
		wantCode(t, err, courses.NotFound)
	})
	t.Run("Forbidden", func(t *testing.T) {
		for _, p := range []*courses.Principal{l.sam, l.trainer} {
			_, err := l.store.FindCompletion(ctx, p, courses.CompletionFilter{}, courses.Page{})
			wantCode(t, err, courses.Forbidden)
		}
	})
	t.Run("ExportAllRows", func(t *testing.T) {
		var got []cell
		err := l.store.EachCompletion(ctx, l.manager, courses.CompletionFilter{Sort: "status"}, func(r *courses.MatrixRow) error {
			got = append(got, cell{r.Email, r.Status})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]cell{priya, sam}, got); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
	})
}

func TestFindPersonRecord(t *testing.T) {
	t.Parallel()
	l := mustMatrixLab(t)
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		p    *courses.Principal
		whom *courses.Principal
		want courses.Code
	}{
		{"OtherOrganisationsAdmin", l.otherAdmin, l.priya, courses.NotFound},
		{"ManagerOutsideTeam", l.manager, l.jordan, courses.NotFound},
		{"Trainee", l.sam, l.priya, courses.Forbidden},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := l.store.FindPersonRecord(ctx, tt.p, tt.whom.Person.ID)
			wantCode(t, err, tt.want)
		})
	}
	t.Run("NotAnID", func(t *testing.T) {
		_, err := l.store.FindPersonRecord(ctx, l.admin, "nope")
		wantCode(t, err, courses.NotFound)
	})
	for _, p := range []*courses.Principal{l.admin, l.manager} {
		r, err := l.store.FindPersonRecord(ctx, p, l.priya.Person.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Assignments) != 1 || r.Assignments[0].Status != courses.StatusDueSoon {
			t.Errorf("assignments: got %+v, want one due soon", r.Assignments)
		}
		if len(r.Courses) != 1 || len(r.Courses[0].Modules) != 1 || r.Courses[0].Modules[0].CompletedAt == nil {
			t.Errorf("courses: got %+v, want module one done", r.Courses)
		}
		b, _ := json.Marshal(r)
		if strings.Contains(string(b), "private thoughts") {
			t.Errorf("record holds a reflection: %s", b)
		}
	}
	r, err := l.store.FindPersonRecord(ctx, l.admin, l.sam.Person.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Attempts) != 1 || r.Attempts[0].Score == nil || *r.Attempts[0].Score != 100 {
		t.Errorf("attempts: got %+v, want one scored 100", r.Attempts)
	}

	// A revoked certificate shows its reason to the organisation.
	var completion string
	if err := l.store.DB().Get(&completion, `SELECT id FROM completions WHERE person_id = $1`, l.sam.Person.ID); err != nil {
		t.Fatal(err)
	}
	cert := MustIssue(t, l.store, completion)
	if _, err := l.store.RevokeCertificate(ctx, l.admin, cert.ID, "Issued in error"); err != nil {
		t.Fatal(err)
	}
	r, err = l.store.FindPersonRecord(ctx, l.admin, l.sam.Person.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Certificates) != 1 || r.Certificates[0].RevokedReason != "Issued in error" || r.Certificates[0].Status != courses.CertificateRevoked {
		t.Errorf("certificates: got %+v, want one revoked with its reason", r.Certificates)
	}
}

func TestFindCourseReportAndCharts(t *testing.T) {
	t.Parallel()
	l := mustMatrixLab(t)
	ctx := context.Background()
	rep, err := l.store.FindCourseReport(ctx, l.manager, "matrix-course")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(rep.Rows); got != 2 || rep.Totals[courses.StatusCompleted] != 1 || rep.Scope != "my teams" {
		t.Errorf("manager's report: got %d rows, totals %v, scope %q; want 2, one completed, my teams", got, rep.Totals, rep.Scope)
	}
	_, err = l.store.FindCourseReport(ctx, l.admin, "no-such-course")
	wantCode(t, err, courses.NotFound)
	ch, err := l.store.FindCharts(ctx, l.admin)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, w := range ch.Weeks {
		total += w.Completions
	}
	if len(ch.Weeks) != courses.ChartWeeks || total != 1 {
		t.Errorf("weeks: got %d weeks, %d completions; want %d, 1", len(ch.Weeks), total, courses.ChartWeeks)
	}
	if diff := cmp.Diff([]courses.TeamOverdue{
		{ID: &l.north, Name: "North team", Overdue: 0, Total: 2},
		{ID: &l.south, Name: "South team", Overdue: 1, Total: 1},
	}, ch.OverdueByTeam); diff != "" {
		t.Errorf("overdue by team (-want +got):\n%s", diff)
	}
	if n := MustCount(t, l.store, `SELECT count(*) FROM audit_log WHERE action = 'completion.export'`); n != 0 {
		t.Errorf("export audit entries before export: got %d, want 0", n)
	}
	if err := l.store.AuditCompletionExport(ctx, l.admin, courses.CompletionFilter{Status: "overdue"}); err != nil {
		t.Fatal(err)
	}
	if n := MustCount(t, l.store, `SELECT count(*) FROM audit_log WHERE action = 'completion.export'`); n != 1 {
		t.Errorf("export audit entries: got %d, want 1", n)
	}
}

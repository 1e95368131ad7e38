package courses_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
	"peerpath/migrations/testdb"
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
			if err := testdb.Owner(store.DB()).Get(&got, `SELECT `+q+` FROM (SELECT $1::timestamptz AS due_at,
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
	if err := testdb.Owner(l.store.DB()).Get(&completion, `SELECT id FROM completions WHERE person_id = $1`, l.sam.Person.ID); err != nil {
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

func TestTrainingStatus(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	day := func(s string) *time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return &d
	}
	done := day("2025-03-01")
	tests := []struct {
		name               string
		completed, expires *time.Time
		want               string
	}{
		{"NoRecord", nil, nil, courses.StatusNotStarted},
		{"NeverExpires", done, nil, courses.StatusCompleted},
		{"ExpiresIn31Days", done, day("2026-04-02"), courses.StatusCompleted},
		{"ExpiresIn30Days", done, day("2026-04-01"), courses.StatusDueSoon},
		{"ExpiresTomorrow", done, day("2026-03-03"), courses.StatusDueSoon},
		{"ExpiresToday", done, day("2026-03-02"), courses.StatusExpired},
		{"Expired", done, day("2025-09-01"), courses.StatusExpired},
	}
	store, _ := MustStore(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := courses.TrainingStatus(tt.completed, tt.expires, now); got != tt.want {
				t.Errorf("TrainingStatus: got %q, want %q", got, tt.want)
			}
			// The matrix filters and sorts by status inside PostgreSQL: its CASE must agree.
			var got string
			q := strings.NewReplacer("$today", "$3::timestamptz", "$soon", "$4::timestamptz").Replace(courses.TrainingStatusSQL)
			today := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
			if err := testdb.Owner(store.DB()).Get(&got, `SELECT `+q+` FROM (SELECT $1::timestamptz AS completed_at,
				$2::timestamptz AS expires_at) x`, tt.completed, tt.expires, today, today.Add(courses.TrainingDueSoonWithin)); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("SQL status: got %q, want %q", got, tt.want)
			}
		})
	}
}

// MustTrainingRecord records that a person completed a type of external training on a day.
func MustTrainingRecord(tb testing.TB, store *courses.Store, by *courses.Principal, personID, typeID, completedOn string) {
	tb.Helper()
	if _, err := store.CreateTrainingRecord(context.Background(), by, courses.TrainingRecordInput{PersonID: personID,
		TrainingTypeID: typeID, CompletedOn: completedOn, Evidence: pdfFile}); err != nil {
		tb.Fatalf("record training %s on %s: %v", typeID, completedOn, err)
	}
}

// trainingCell is a matrix row as "who, what and where they are".
type trainingCell struct{ Email, Kind, Title, Status string }

func trainingCellsOf(rows []courses.MatrixRow) []trainingCell {
	out := []trainingCell{}
	for _, r := range rows {
		out = append(out, trainingCell{r.Email, r.Kind, r.CourseTitle, r.Status})
	}
	return out
}

// The matrix lab's people on Monday 2 March 2026, with First aid (valid 12 months) and ASIST
// (never expires) to keep current: Sam's first aid expires within 30 days, Priya's has expired,
// Jordan renewed an expired one, the admin (not a trainee) has a record and the manager none.
func TestFindCompletionExternalTraining(t *testing.T) {
	t.Parallel()
	l := mustMatrixLab(t)
	ctx := context.Background()
	firstAid := MustTrainingType(t, l.store, l.admin, "First aid", intp(12))
	asist := MustTrainingType(t, l.store, l.admin, "ASIST", nil)
	harbourAid := MustTrainingType(t, l.store, l.otherAdmin, "Harbour first aid", intp(12))
	MustTrainingRecord(t, l.store, l.admin, l.sam.Person.ID, firstAid, "2025-03-20")
	MustTrainingRecord(t, l.store, l.admin, l.sam.Person.ID, asist, "2024-05-01")
	MustTrainingRecord(t, l.store, l.admin, l.priya.Person.ID, firstAid, "2025-02-10")
	MustTrainingRecord(t, l.store, l.admin, l.jordan.Person.ID, firstAid, "2026-01-05")
	MustTrainingRecord(t, l.store, l.admin, l.jordan.Person.ID, firstAid, "2024-01-05")
	MustTrainingRecord(t, l.store, l.admin, l.admin.Person.ID, firstAid, "2026-01-15")
	MustTrainingRecord(t, l.store, l.otherAdmin, l.otherAdmin.Person.ID, harbourAid, "2025-06-01")

	ext := func(who, title, status string) trainingCell {
		return trainingCell{who + "@riverside.example", courses.MatrixKindExternal, title, status}
	}
	course := func(who, status string) trainingCell {
		return trainingCell{who + "@riverside.example", courses.MatrixKindCourse, "Course matrix-course", status}
	}
	adminAid := ext("admin", "First aid", courses.StatusCompleted)
	jordanAid, jordanASIST := ext("jordan", "First aid", courses.StatusCompleted), ext("jordan", "ASIST", courses.StatusNotStarted)
	priyaAid, priyaASIST := ext("priya", "First aid", courses.StatusExpired), ext("priya", "ASIST", courses.StatusNotStarted)
	samAid, samASIST := ext("sam", "First aid", courses.StatusDueSoon), ext("sam", "ASIST", courses.StatusCompleted)
	// Within a person, courses come before external training, then by id: ASIST and First aid
	// in the order of their ids.
	byID := func(a, b trainingCell) []trainingCell {
		if asist < firstAid {
			return []trainingCell{a, b}
		}
		return []trainingCell{b, a}
	}
	person := func(cells ...[]trainingCell) []trainingCell {
		var out []trainingCell
		for _, c := range cells {
			out = append(out, c...)
		}
		return out
	}
	one := func(c ...trainingCell) []trainingCell { return c }

	tests := []struct {
		name   string
		p      *courses.Principal
		filter courses.CompletionFilter
		want   []trainingCell
	}{
		{"AdminEverything", l.admin, courses.CompletionFilter{}, person(
			one(adminAid),
			one(course("jordan", courses.StatusOverdue)), byID(jordanASIST, jordanAid),
			one(course("priya", courses.StatusDueSoon)), byID(priyaASIST, priyaAid),
			one(course("sam", courses.StatusCompleted)), byID(samASIST, samAid))},
		{"AdminFirstAid", l.admin, courses.CompletionFilter{TrainingType: firstAid}, one(adminAid, jordanAid, priyaAid, samAid)},
		{"AdminCourseOnly", l.admin, courses.CompletionFilter{Course: "matrix-course"}, one(
			course("jordan", courses.StatusOverdue), course("priya", courses.StatusDueSoon), course("sam", courses.StatusCompleted))},
		{"AdminExpired", l.admin, courses.CompletionFilter{Status: courses.StatusExpired}, one(priyaAid)},
		{"AdminNotStartedSouth", l.admin, courses.CompletionFilter{Status: courses.StatusNotStarted, TeamID: l.south}, one(jordanASIST)},
		{"AdminByDue", l.admin, courses.CompletionFilter{TrainingType: firstAid, Sort: "due"}, one(priyaAid, samAid, jordanAid, adminAid)},
		{"ManagerSeesOwnTeam", l.manager, courses.CompletionFilter{TrainingType: firstAid}, one(priyaAid, samAid)},
		{"ManagerOutsideTheTeam", l.manager, courses.CompletionFilter{TrainingType: firstAid, TeamID: l.south}, one()},
		{"OtherOrganisation", l.otherAdmin, courses.CompletionFilter{TrainingType: harbourAid}, one(
			trainingCell{"admin@harbour.example", courses.MatrixKindExternal, "Harbour first aid", courses.StatusCompleted})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.want
			if want == nil {
				want = []trainingCell{}
			}
			m, err := l.store.FindCompletion(ctx, tt.p, tt.filter, courses.Page{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, trainingCellsOf(m.Items)); diff != "" {
				t.Errorf("page (-want +got):\n%s", diff)
			}
			if m.Total != len(want) {
				t.Errorf("total: got %d, want %d", m.Total, len(want))
			}
			var exported []courses.MatrixRow
			if err := l.store.EachCompletion(ctx, tt.p, tt.filter, func(r *courses.MatrixRow) error {
				exported = append(exported, *r)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, trainingCellsOf(exported)); diff != "" {
				t.Errorf("export (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("RowFacts", func(t *testing.T) {
		m, err := l.store.FindCompletion(ctx, l.admin, courses.CompletionFilter{TrainingType: firstAid, TeamID: l.north}, courses.Page{})
		if err != nil {
			t.Fatal(err)
		}
		var exported []courses.MatrixRow
		if err := l.store.EachCompletion(ctx, l.admin, courses.CompletionFilter{TrainingType: firstAid, TeamID: l.north},
			func(r *courses.MatrixRow) error {
				row := *r
				row.Teams = append([]string{}, r.Teams...)
				exported = append(exported, row)
				return nil
			}); err != nil {
			t.Fatal(err)
		}
		date := func(s string) *time.Time {
			d, _ := time.Parse(time.DateOnly, s)
			return &d
		}
		for _, rows := range [][]courses.MatrixRow{m.Items, exported} {
			if len(rows) != 2 {
				t.Fatalf("rows: got %d, want Priya's and Sam's", len(rows))
			}
			sam := rows[1]
			if sam.Course != "" || sam.TrainingTypeID == nil || *sam.TrainingTypeID != firstAid || sam.Kind != courses.MatrixKindExternal {
				t.Errorf("Sam's row names course %q, type %v, kind %q; want no course, First aid, external", sam.Course, sam.TrainingTypeID, sam.Kind)
			}
			if !cmp.Equal(sam.CompletedAt, date("2025-03-20")) || !cmp.Equal(sam.ExpiresAt, date("2026-03-20")) || !cmp.Equal(sam.DueAt, sam.ExpiresAt) {
				t.Errorf("Sam's dates: got completed %v, expires %v, due %v; want 2025-03-20, 2026-03-20 and due at expiry",
					sam.CompletedAt, sam.ExpiresAt, sam.DueAt)
			}
			if !cmp.Equal(sam.Teams, []string{"North team"}) {
				t.Errorf("Sam's teams: got %v, want North team", sam.Teams)
			}
		}
	})

	t.Run("Totals", func(t *testing.T) {
		m, err := l.store.FindCompletion(ctx, l.admin, courses.CompletionFilter{Status: courses.StatusExpired}, courses.Page{})
		if err != nil {
			t.Fatal(err)
		}
		counts := func(kv map[string]int) courses.StatusCounts {
			c := courses.StatusCounts{"overdue": 0, "expired": 0, "due_soon": 0, "not_started": 0, "in_progress": 0, "completed": 0}
			for k, v := range kv {
				c[k] = v
			}
			return c
		}
		want := []courses.TrainingTypeTotal{
			{ID: asist, Name: "ASIST", Total: 3, Counts: counts(map[string]int{"not_started": 2, "completed": 1})},
			{ID: firstAid, Name: "First aid", Total: 4, Counts: counts(map[string]int{"completed": 2, "expired": 1, "due_soon": 1})},
		}
		if diff := cmp.Diff(want, m.TrainingTypes); diff != "" {
			t.Errorf("training totals (-want +got):\n%s", diff)
		}
		if len(m.Courses) != 1 || m.Courses[0].Total != 3 {
			t.Errorf("course totals: got %+v, want the one course's 3", m.Courses)
		}
		var teams []string
		for _, tt := range m.Teams {
			teams = append(teams, fmt.Sprintf("%s:%d/%d", tt.Name, tt.Total, tt.Counts[courses.StatusExpired]))
		}
		// North: Sam and Priya's course and two types each; South: Jordan's; the admin is in no team.
		if diff := cmp.Diff([]string{"North team:6/1", "South team:3/0", "No team:1/0"}, teams); diff != "" {
			t.Errorf("team totals name:total/expired (-want +got):\n%s", diff)
		}
		if m.Total != 1 {
			t.Errorf("total with the status filter: got %d, want 1", m.Total)
		}
	})

	t.Run("PersonRecord", func(t *testing.T) {
		r, err := l.store.FindPersonRecord(ctx, l.manager, l.sam.Person.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(person(one(course("sam", courses.StatusCompleted)), byID(samASIST, samAid)), trainingCellsOf(r.Assignments)); diff != "" {
			t.Errorf("Sam's record (-want +got):\n%s", diff)
		}
		_, err = l.store.FindPersonRecord(ctx, l.manager, l.jordan.Person.ID)
		wantCode(t, err, courses.NotFound)
	})

	t.Run("CourseReportHasNoExternalTraining", func(t *testing.T) {
		rep, err := l.store.FindCourseReport(ctx, l.admin, "matrix-course")
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Rows) != 3 {
			t.Errorf("report rows: got %d, want the course's 3", len(rep.Rows))
		}
	})

	t.Run("BadFilter", func(t *testing.T) {
		_, err := l.store.FindCompletion(ctx, l.admin, courses.CompletionFilter{TrainingType: "first-aid"}, courses.Page{})
		wantFields(t, err, "training_type")
		_, err = l.store.FindCompletion(ctx, l.admin, courses.CompletionFilter{TrainingType: firstAid, Course: "matrix-course"}, courses.Page{})
		wantFields(t, err, "training_type")
	})

	t.Run("AnotherOrganisationsType", func(t *testing.T) {
		for _, tc := range []struct {
			p  *courses.Principal
			id string
		}{{l.otherAdmin, firstAid}, {l.admin, harbourAid}, {l.manager, harbourAid}} {
			_, err := l.store.FindCompletion(ctx, tc.p, courses.CompletionFilter{TrainingType: tc.id}, courses.Page{})
			wantCode(t, err, courses.NotFound)
			err = l.store.EachCompletion(ctx, tc.p, courses.CompletionFilter{TrainingType: tc.id}, func(*courses.MatrixRow) error {
				t.Error("a row of another organisation's training type")
				return nil
			})
			wantCode(t, err, courses.NotFound)
		}
		// Harbour's admin sees none of Riverside's people or training, filtered or not.
		m, err := l.store.FindCompletion(ctx, l.otherAdmin, courses.CompletionFilter{}, courses.Page{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range m.Items {
			if strings.HasSuffix(r.Email, "@riverside.example") || r.CourseTitle == "First aid" || r.CourseTitle == "ASIST" {
				t.Errorf("Harbour's admin sees %+v", r)
			}
		}
		if len(m.TrainingTypes) != 1 || m.TrainingTypes[0].Name != "Harbour first aid" {
			t.Errorf("Harbour's training totals: got %+v, want Harbour first aid only", m.TrainingTypes)
		}
	})

	t.Run("Forbidden", func(t *testing.T) {
		_, err := l.store.FindCompletion(ctx, l.sam, courses.CompletionFilter{TrainingType: firstAid}, courses.Page{})
		wantCode(t, err, courses.Forbidden)
	})
}

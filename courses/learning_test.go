package courses_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
	"peerpath/courses/content"
	"peerpath/migrations/testdb"
)

// Small courses written for a test, in the content format the loader reads.

// courseFile is a course.yaml.
func courseFile(slug, title string) string {
	return fmt.Sprintf("slug: %s\ntitle: %s\nsummary: A course written for a test.\nversion: 1\nestimated_hours: 1\n", slug, title)
}

// moduleFile is a module with two reflection prompts, r1 and r2, and quiz when it is not "".
func moduleFile(slug, title, quiz string) string {
	s := "---\nslug: " + slug + "\ntitle: " + title + "\nminutes: 5\nobjectives: [Learn]\n" +
		"reflection:\n  - id: r1\n    prompt: What did you notice?\n  - id: r2\n    prompt: What will you try next?\n"
	if quiz != "" {
		s += "quiz: " + quiz + "\n"
	}
	return s + "---\nSome text about " + title + ".\n"
}

// quizFile is a quiz with settings (YAML lines such as "attempts: 0") and questions (YAML list
// items).
func quizFile(id, settings, questions string) string {
	return "id: " + id + "\ntitle: Quiz " + id + "\npass_mark: 100\n" + settings + "questions:\n" + questions
}

// singleQ is a single-choice question id whose answer is a, of a and b.
func singleQ(id string) string {
	return "  - id: " + id + "\n    kind: single\n    prompt: Pick one.\n    options: [{id: a, text: Right}, {id: b, text: Wrong}]\n    answer: a\n    feedback: Because a is right.\n"
}

// tinyFS is a course of one module ("one") and one single-question quiz ("one", answer a,
// unlimited attempts). files replace or, when "", remove files.
func tinyFS(slug string, files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{
		"course.yaml":         {Data: []byte(courseFile(slug, "Course "+slug))},
		"modules/01-one.md":   {Data: []byte(moduleFile("one", "Module one", "one"))},
		"quizzes/01-one.yaml": {Data: []byte(quizFile("one", "attempts: 0\n", singleQ("q1")))},
	}
	for name, data := range files {
		if data == "" {
			delete(fsys, name)
			continue
		}
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return fsys
}

// MustLoad loads course content, failing the test on any problem.
func MustLoad(tb testing.TB, fsys fs.FS) []*courses.Course {
	tb.Helper()
	lib, err := content.Load(fsys)
	if err != nil {
		tb.Fatalf("load content:\n%v", err)
	}
	return lib.Courses
}

// MustImport loads and imports course content for orgID ("" for shipped courses).
func MustImport(tb testing.TB, store *courses.Store, orgID string, fsys fs.FS) []courses.ImportResult {
	tb.Helper()
	res, err := store.ImportCourses(context.Background(), orgID, MustLoad(tb, fsys))
	if err != nil {
		tb.Fatalf("import courses: %v", err)
	}
	return res
}

// MustShipped imports the shipped curriculum.
func MustShipped(tb testing.TB, store *courses.Store) {
	tb.Helper()
	MustImport(tb, store, "", content.Shipped)
}

// MustPrincipal loads a person as the caller of store methods.
func MustPrincipal(tb testing.TB, store *courses.Store, personID string) *courses.Principal {
	tb.Helper()
	p, err := store.FindPrincipal(context.Background(), personID)
	if err != nil {
		tb.Fatalf("principal %s: %v", personID, err)
	}
	return p
}

// MustLearner adds a person to org and returns them as a caller.
func MustLearner(tb testing.TB, store *courses.Store, orgID, email string, roles ...string) *courses.Principal {
	tb.Helper()
	if len(roles) == 0 {
		roles = []string{"trainee"}
	}
	return MustPrincipal(tb, store, MustPerson(tb, store, orgID, email, roles...))
}

// MustAssign gives a person a course (a slug they can see) due at due.
func MustAssign(tb testing.TB, store *courses.Store, p *courses.Principal, slug string, due time.Time) {
	tb.Helper()
	if _, err := testdb.Owner(store.DB()).Exec(`
		INSERT INTO assignments (org_id, person_id, course_id, due_at)
		SELECT $1, $2, id, $4 FROM courses WHERE slug = $3 AND (org_id IS NULL OR org_id = $1)`,
		p.OrgID(), p.Person.ID, slug, due); err != nil {
		tb.Fatalf("assign %s: %v", slug, err)
	}
}

// MustComplete marks modules read.
func MustComplete(tb testing.TB, store *courses.Store, p *courses.Principal, slug string, modules ...string) *courses.CourseDetail {
	tb.Helper()
	var d *courses.CourseDetail
	for _, m := range modules {
		var err error
		if d, err = store.CompleteModule(context.Background(), p, slug, m); err != nil {
			tb.Fatalf("complete %s/%s: %v", slug, m, err)
		}
	}
	return d
}

// MustPass starts an attempt at quiz and submits answers, returning the result.
func MustPass(tb testing.TB, store *courses.Store, p *courses.Principal, quiz string, answers courses.Answers) *courses.Result {
	tb.Helper()
	ctx := context.Background()
	a, _, err := store.StartAttempt(ctx, p, quiz)
	if err != nil {
		tb.Fatalf("start %s: %v", quiz, err)
	}
	res, err := store.SubmitAttempt(ctx, p, a.ID, answers)
	if err != nil {
		tb.Fatalf("submit %s: %v", quiz, err)
	}
	return res
}

// card is the part of a CourseCard a test checks.
type card struct {
	Slug      string
	Status    string
	Percent   int
	DueAt     *time.Time
	OrgCourse bool
}

func cardsOf(cs []courses.CourseCard) []card {
	out := []card{}
	for _, c := range cs {
		out = append(out, card{c.Slug, c.Status, c.Percent, c.DueAt, c.OrgCourse})
	}
	return out
}

func TestFindCourses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, clock := MustStore(t)
	org := MustOrg(t, store, "riverside")
	other := MustOrg(t, store, "harbour")
	p := MustLearner(t, store, org.ID, "sam@riverside.example")
	MustShipped(t, store)
	MustImport(t, store, org.ID, tinyFS("own-course", nil))
	MustImport(t, store, other.ID, tinyFS("their-course", nil))
	start := clock.Now()
	soon, later := start.Add(72*time.Hour), start.Add(7*24*time.Hour)
	// Assigned out of due order, so the order must come from sorting.
	MustAssign(t, store, p, "boundaries-in-peer-work", later)
	MustAssign(t, store, p, "own-course", soon)

	check := func(t *testing.T, wantAssigned, wantCatalogue []card) {
		t.Helper()
		assigned, catalogue, err := store.FindCourses(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(wantAssigned, cardsOf(assigned)); diff != "" {
			t.Errorf("assigned (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(wantCatalogue, cardsOf(catalogue)); diff != "" {
			t.Errorf("catalogue (-want +got):\n%s", diff)
		}
	}
	storytelling := card{"storytelling-with-purpose", courses.StatusNotStarted, 0, nil, false}

	t.Run("NotStarted", func(t *testing.T) {
		check(t, []card{
			{"own-course", courses.StatusNotStarted, 0, &soon, true},
			{"boundaries-in-peer-work", courses.StatusNotStarted, 0, &later, false},
		}, []card{storytelling})
		assigned, _, err := store.FindCourses(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if got := assigned[1]; got.Title != "Boundaries in peer work" || got.Summary == "" || got.EstimatedHours != 6 {
			t.Errorf("card: got %q, %q, %v hours, want the course's title, summary and 6 hours", got.Title, got.Summary, got.EstimatedHours)
		}
	})
	t.Run("InProgress", func(t *testing.T) {
		MustComplete(t, store, p, "boundaries-in-peer-work", "boundaries-mutuality-and-role-clarity")
		check(t, []card{
			{"own-course", courses.StatusNotStarted, 0, &soon, true},
			{"boundaries-in-peer-work", courses.StatusInProgress, 8, &later, false}, // 1 of 12 steps
		}, []card{storytelling})
	})
	t.Run("AtDueTime", func(t *testing.T) {
		clock.Advance(soon.Sub(clock.Now()))
		check(t, []card{
			{"own-course", courses.StatusNotStarted, 0, &soon, true},
			{"boundaries-in-peer-work", courses.StatusInProgress, 8, &later, false},
		}, []card{storytelling})
	})
	t.Run("Overdue", func(t *testing.T) {
		clock.Advance(time.Second)
		check(t, []card{
			{"own-course", courses.StatusOverdue, 0, &soon, true},
			{"boundaries-in-peer-work", courses.StatusInProgress, 8, &later, false},
		}, []card{storytelling})
	})
	t.Run("CompletedLateIsCompleted", func(t *testing.T) {
		MustComplete(t, store, p, "own-course", "one")
		if res := MustPass(t, store, p, "own-course.one", courses.Answers{"q1": {"a"}}); !res.CourseCompleted {
			t.Fatalf("got %+v, want the course completed", res)
		}
		clock.Advance(later.Sub(clock.Now()) + time.Second)
		check(t, []card{
			{"own-course", courses.StatusCompleted, 100, &soon, true},
			{"boundaries-in-peer-work", courses.StatusOverdue, 8, &later, false},
		}, []card{storytelling})
	})
}

func TestCompleteModule(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, clock := MustStore(t)
	org := MustOrg(t, store, "riverside")
	p := MustLearner(t, store, org.ID, "sam@riverside.example")
	MustShipped(t, store)
	const slug = "boundaries-in-peer-work"

	t.Run("ErrNotFound", func(t *testing.T) {
		tests := []struct{ name, slug, module string }{
			{"UnknownModule", slug, "no-such-module"},
			{"UnknownCourse", "no-such-course", "dual-relationships"},
			{"EmptyModule", slug, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := store.CompleteModule(ctx, p, tt.slug, tt.module)
				wantCode(t, err, courses.NotFound)
				_, err = store.FindModuleView(ctx, p, tt.slug, tt.module)
				wantCode(t, err, courses.NotFound)
			})
		}
		if _, err := store.FindCourseDetail(ctx, p, "no-such-course"); courses.ErrorCode(err) != courses.NotFound {
			t.Errorf("find unknown course: got %v, want not_found", err)
		}
		// A refused request starts nothing.
		if n := MustCount(t, store, `SELECT count(*) FROM enrolments`); n != 0 {
			t.Errorf("enrolments: got %d, want 0", n)
		}
	})
	t.Run("NotStarted", func(t *testing.T) {
		d, err := store.FindCourseDetail(ctx, p, slug)
		if err != nil {
			t.Fatal(err)
		}
		want := courses.Progress{ModulesDone: 0, ModulesTotal: 6, QuizzesPassed: 0, QuizzesTotal: 6, Percent: 0}
		if diff := cmp.Diff(want, d.Progress); diff != "" {
			t.Errorf("progress (-want +got):\n%s", diff)
		}
		if d.Status != courses.StatusNotStarted || len(d.StillRequired) != 12 || d.Version != 1 {
			t.Errorf("got status %q, %d still required, version %d, want not_started, 12, 1", d.Status, len(d.StillRequired), d.Version)
		}
	})
	t.Run("Idempotent", func(t *testing.T) {
		var first *courses.CourseDetail
		for i := range 2 {
			clock.Advance(time.Minute)
			d, err := store.CompleteModule(ctx, p, slug, "dual-relationships")
			if err != nil {
				t.Fatalf("call %d: %v", i+1, err)
			}
			if first == nil {
				first = d
			}
			want := courses.Progress{ModulesDone: 1, ModulesTotal: 6, QuizzesPassed: 0, QuizzesTotal: 6, Percent: 8}
			if diff := cmp.Diff(want, d.Progress); diff != "" {
				t.Errorf("call %d: progress (-want +got):\n%s", i+1, diff)
			}
			if d.Status != courses.StatusInProgress || len(d.StillRequired) != 11 {
				t.Errorf("call %d: got status %q and %d still required, want in_progress and 11", i+1, d.Status, len(d.StillRequired))
			}
			for _, m := range d.Modules {
				if got, want := m.Completed, m.Slug == "dual-relationships"; got != want {
					t.Errorf("call %d: module %s completed: got %v, want %v", i+1, m.Slug, got, want)
				}
			}
		}
		if n := MustCount(t, store, `SELECT count(*) FROM module_progress`); n != 1 {
			t.Errorf("module_progress rows: got %d, want 1", n)
		}
		if n := MustCount(t, store, `SELECT count(*) FROM enrolments`); n != 1 {
			t.Errorf("enrolments: got %d, want 1", n)
		}
		mv, err := store.FindModuleView(ctx, p, slug, "dual-relationships")
		if err != nil {
			t.Fatal(err)
		}
		if !mv.Completed || mv.Quiz == nil || mv.Quiz.ID != slug+".dual-relationships" || mv.Quiz.AttemptsAllowed != 3 {
			t.Errorf("module view: got completed %v, quiz %+v, want completed and quiz %s.dual-relationships of 3 attempts", mv.Completed, mv.Quiz, slug)
		}
		if mv.Prev == nil || mv.Next == nil || mv.Prev.Slug != "boundaries-mutuality-and-role-clarity" || mv.Next.Slug != "confidentiality-and-its-limits" {
			t.Errorf("module view links: got prev %+v, next %+v", mv.Prev, mv.Next)
		}
		var html string
		if err := json.Unmarshal(mv.HTMLJSON, &html); err != nil {
			t.Fatalf("module HTML %q: %v", mv.HTMLJSON, err)
		}
		if !strings.Contains(html, "<p>") || len(mv.Reflection) == 0 {
			t.Errorf("module view: got %d bytes of HTML and %d prompts, want paragraphs and prompts", len(html), len(mv.Reflection))
		}
	})
	t.Run("Counts", func(t *testing.T) {
		MustComplete(t, store, p, slug, "sustaining-yourself", "confidentiality-and-its-limits")
		res := MustPass(t, store, p, slug+".dual-relationships", nil) // unanswered: fails
		if res.Passed {
			t.Fatalf("an unanswered attempt passed: %+v", res)
		}
		d, err := store.FindCourseDetail(ctx, p, slug)
		if err != nil {
			t.Fatal(err)
		}
		want := courses.Progress{ModulesDone: 3, ModulesTotal: 6, QuizzesPassed: 0, QuizzesTotal: 6, Percent: 25}
		if diff := cmp.Diff(want, d.Progress); diff != "" {
			t.Errorf("progress (-want +got):\n%s", diff)
		}
		for _, m := range d.Modules {
			if m.Slug == "dual-relationships" && (m.Quiz == nil || m.Quiz.AttemptsUsed != 1 || m.Quiz.Passed) {
				t.Errorf("quiz status: got %+v, want 1 attempt used, not passed", m.Quiz)
			}
		}
	})
}

// Completing a course writes its completion and queues its certificate in the same call, once.
func TestCourseCompletion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		quizFirst bool
	}{
		{"ModuleThenQuiz", false},
		{"QuizThenModule", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			store, clock := MustStore(t)
			org := MustOrg(t, store, "riverside")
			p := MustLearner(t, store, org.ID, "sam@riverside.example")
			MustImport(t, store, "", tinyFS("tiny", nil))
			counts := func() (int, int) {
				return MustCount(t, store, `SELECT count(*) FROM completions`),
					MustCount(t, store, `SELECT count(*) FROM outbox WHERE task_type = $1`, courses.TaskCertificateIssue)
			}
			wantCounts := func(t *testing.T, step string, completions, certificates int) {
				t.Helper()
				if c, o := counts(); c != completions || o != certificates {
					t.Fatalf("after %s: got %d completions and %d certificate tasks, want %d and %d", step, c, o, completions, certificates)
				}
			}

			if res := MustPass(t, store, p, "tiny.one", courses.Answers{"q1": {"b"}}); res.Passed || res.CourseCompleted {
				t.Fatalf("wrong answer: got %+v, want not passed", res)
			}
			wantCounts(t, "a failed attempt", 0, 0)
			var final func() bool
			if tt.quizFirst {
				if res := MustPass(t, store, p, "tiny.one", courses.Answers{"q1": {"a"}}); !res.Passed || res.CourseCompleted {
					t.Fatalf("quiz before module: got %+v, want passed, course not completed", res)
				}
				wantCounts(t, "the quiz alone", 0, 0)
				final = func() bool {
					d := MustComplete(t, store, p, "tiny", "one")
					return d.Status == courses.StatusCompleted
				}
			} else {
				d := MustComplete(t, store, p, "tiny", "one")
				if d.Status != courses.StatusInProgress || d.CompletedAt != nil {
					t.Fatalf("module alone: got status %q, completed at %v, want in_progress", d.Status, d.CompletedAt)
				}
				if diff := cmp.Diff([]string{"Pass “Quiz one” (100% or more)"}, d.StillRequired); diff != "" {
					t.Errorf("still required (-want +got):\n%s", diff)
				}
				wantCounts(t, "the module alone", 0, 0)
				final = func() bool {
					return MustPass(t, store, p, "tiny.one", courses.Answers{"q1": {"a"}}).CourseCompleted
				}
			}
			clock.Advance(time.Hour)
			if !final() {
				t.Fatal("the last requirement did not complete the course")
			}
			wantCounts(t, "the last requirement", 1, 1)

			var completion struct {
				ID          string    `db:"id"`
				PersonID    string    `db:"person_id"`
				CompletedAt time.Time `db:"completed_at"`
				EnrolDone   time.Time `db:"enrol_done"`
				OrgID       string    `db:"org_id"`
			}
			if err := testdb.Owner(store.DB()).Get(&completion, `
				SELECT c.id, c.person_id, c.completed_at, e.completed_at AS enrol_done, c.org_id
				FROM completions c JOIN enrolments e ON e.id = c.enrolment_id`); err != nil {
				t.Fatal(err)
			}
			if completion.PersonID != p.Person.ID || completion.OrgID != org.ID || !completion.CompletedAt.Equal(clock.Now()) || !completion.EnrolDone.Equal(clock.Now()) {
				t.Errorf("completion: got %+v, want Sam's in riverside at %v", completion, clock.Now())
			}
			var rows []outboxRow
			for _, r := range MustOutbox(t, store) {
				if r.TaskType == courses.TaskCertificateIssue {
					rows = append(rows, r)
				}
			}
			var payload courses.CertificateIssuePayload
			if err := json.Unmarshal(rows[0].Payload, &payload); err != nil {
				t.Fatal(err)
			}
			if payload.CompletionID != completion.ID || rows[0].OrgID == nil || *rows[0].OrgID != org.ID || !rows[0].Pending {
				t.Errorf("certificate task: got payload %s for org %v (pending %v), want completion %s for %s, pending",
					rows[0].Payload, rows[0].OrgID, rows[0].Pending, completion.ID, org.ID)
			}

			// Passing again, or reading again, completes nothing more.
			if res := MustPass(t, store, p, "tiny.one", courses.Answers{"q1": {"a"}}); !res.Passed || res.CourseCompleted {
				t.Errorf("second pass: got %+v, want passed, course not completed again", res)
			}
			MustComplete(t, store, p, "tiny", "one")
			wantCounts(t, "a second pass", 1, 1)
			d, err := store.FindCourseDetail(ctx, p, "tiny")
			if err != nil {
				t.Fatal(err)
			}
			if d.Status != courses.StatusCompleted || d.Percent != 100 || d.CompletedAt == nil || !d.CompletedAt.Equal(completion.CompletedAt) || len(d.StillRequired) != 0 {
				t.Errorf("course page: got status %q, %d%%, completed at %v, still %v, want completed, 100%%, %v, nothing",
					d.Status, d.Percent, d.CompletedAt, d.StillRequired, completion.CompletedAt)
			}
		})
	}
}

// A course that asks for live role-play practice is not completed by reading and quizzes.
func TestCourseCompletionNeedsRoleplay(t *testing.T) {
	t.Parallel()
	store, _ := MustStore(t)
	org := MustOrg(t, store, "riverside")
	p := MustLearner(t, store, org.ID, "sam@riverside.example")
	MustImport(t, store, "", tinyFS("tiny", map[string]string{
		"course.yaml": courseFile("tiny", "Tiny") + "completion:\n  roleplay: true\n"}))
	MustComplete(t, store, p, "tiny", "one")
	if res := MustPass(t, store, p, "tiny.one", courses.Answers{"q1": {"a"}}); !res.Passed || res.CourseCompleted {
		t.Errorf("got %+v, want passed, course not completed", res)
	}
	if n := MustCount(t, store, `SELECT count(*) FROM completions`); n != 0 {
		t.Errorf("completions: got %d, want 0", n)
	}
}

// A platform operator belongs to no organisation: they may browse the shipped courses, see no
// organisation's own, and take none.
func TestOperatorCourses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, _ := MustStore(t)
	org := MustOrg(t, store, "riverside")
	MustShipped(t, store)
	MustImport(t, store, org.ID, tinyFS("own-course", nil))
	var id string
	if err := testdb.Owner(store.DB()).Get(&id, `
		INSERT INTO people (email, name, password_hash, operator) VALUES ('ops@peerpath.example', 'Ops', 'x', true)
		RETURNING id`); err != nil {
		t.Fatal(err)
	}
	op := MustPrincipal(t, store, id)
	assigned, catalogue, err := store.FindCourses(ctx, op)
	if err != nil {
		t.Fatal(err)
	}
	want := []card{
		{"boundaries-in-peer-work", courses.StatusNotStarted, 0, nil, false},
		{"storytelling-with-purpose", courses.StatusNotStarted, 0, nil, false},
	}
	if diff := cmp.Diff(want, cardsOf(catalogue)); diff != "" || len(assigned) != 0 {
		t.Errorf("catalogue (-want +got):\n%s\nassigned: %v", diff, assigned)
	}
	if _, err := store.FindModuleView(ctx, op, "storytelling-with-purpose", "why-we-share"); err != nil {
		t.Errorf("module view: %v", err)
	}
	_, err = store.FindCourseDetail(ctx, op, "own-course")
	wantCode(t, err, courses.NotFound)
	_, err = store.CompleteModule(ctx, op, "storytelling-with-purpose", "why-we-share")
	wantCode(t, err, courses.Forbidden)
}

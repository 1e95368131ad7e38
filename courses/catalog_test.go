package courses_test

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
	"peerpath/migrations/testdb"
)

// twoModuleFS is a course of two modules and no quiz, so reading both completes it.
func twoModuleFS(slug, firstTitle string) fstest.MapFS {
	return tinyFS(slug, map[string]string{
		"modules/01-one.md":   moduleFile("one", firstTitle, ""),
		"modules/02-two.md":   moduleFile("two", "Module two", ""),
		"quizzes/01-one.yaml": "",
	})
}

func TestImportCourses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("Unchanged", func(t *testing.T) {
		t.Parallel()
		store, _ := MustStore(t)
		want := [][]courses.ImportResult{
			{{Slug: "tiny", Version: 1, Changed: true}},
			{{Slug: "tiny", Version: 1, Changed: false}},
			{{Slug: "tiny", Version: 1, Changed: false}},
		}
		for i, w := range want {
			// Loaded afresh each time, as a restarted server would.
			got, err := store.ImportCourses(ctx, "", MustLoad(t, tinyFS("tiny", nil)))
			if err != nil {
				t.Fatalf("import %d: %v", i+1, err)
			}
			if diff := cmp.Diff(w, got); diff != "" {
				t.Errorf("import %d (-want +got):\n%s", i+1, diff)
			}
		}
		if n := MustCount(t, store, `SELECT count(*) FROM course_versions`); n != 1 {
			t.Errorf("versions: got %d, want 1", n)
		}
	})
	t.Run("Changed", func(t *testing.T) {
		t.Parallel()
		store, _ := MustStore(t)
		MustImport(t, store, "", tinyFS("tiny", nil))
		got := MustImport(t, store, "", tinyFS("tiny", map[string]string{"modules/01-one.md": moduleFile("one", "Module one, revised", "one")}))
		if diff := cmp.Diff([]courses.ImportResult{{Slug: "tiny", Version: 2, Changed: true}}, got); diff != "" {
			t.Errorf("import (-want +got):\n%s", diff)
		}
		if n := MustCount(t, store, `SELECT count(*) FROM course_versions`); n != 2 {
			t.Errorf("versions: got %d, want 2", n)
		}
		if n := MustCount(t, store, `SELECT count(*) FROM courses`); n != 1 {
			t.Errorf("courses: got %d, want 1", n)
		}
	})
	t.Run("ErrSecondFailsLeavesNeither", func(t *testing.T) {
		t.Parallel()
		store, _ := MustStore(t)
		good := MustLoad(t, tinyFS("good-course", nil))[0]
		bad := *MustLoad(t, tinyFS("bad-course", nil))[0]
		bad.Slug = "Not A Slug" // the database refuses it, after the first course was written
		_, err := store.ImportCourses(ctx, "", []*courses.Course{good, &bad})
		wantCode(t, err, courses.Invalid)
		if n := MustCount(t, store, `SELECT count(*) FROM courses`) + MustCount(t, store, `SELECT count(*) FROM course_versions`); n != 0 {
			t.Errorf("courses and versions: got %d rows, want none", n)
		}
	})
	t.Run("ErrSecondChangedFailsKeepsFirstVersion", func(t *testing.T) {
		t.Parallel()
		store, _ := MustStore(t)
		MustImport(t, store, "", tinyFS("good-course", nil))
		changed := MustLoad(t, tinyFS("good-course", map[string]string{"modules/01-one.md": moduleFile("one", "Changed", "one")}))[0]
		bad := *MustLoad(t, tinyFS("bad-course", nil))[0]
		bad.Slug = "-bad"
		_, err := store.ImportCourses(ctx, "", []*courses.Course{changed, &bad})
		wantCode(t, err, courses.Invalid)
		if n := MustCount(t, store, `SELECT count(*) FROM course_versions`); n != 1 {
			t.Errorf("versions: got %d, want 1", n)
		}
	})
}

// A person works on the version they started; someone who has not started sees the newest.
func TestCourseVersions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, _ := MustStore(t)
	org := MustOrg(t, store, "riverside")
	started := MustLearner(t, store, org.ID, "started@riverside.example")
	fresh := MustLearner(t, store, org.ID, "fresh@riverside.example")
	done := MustLearner(t, store, org.ID, "done@riverside.example")

	MustImport(t, store, "", twoModuleFS("pinned", "Module one"))
	MustComplete(t, store, started, "pinned", "one")
	if d := MustComplete(t, store, done, "pinned", "one", "two"); d.Status != courses.StatusCompleted {
		t.Fatalf("done: got status %q, want completed", d.Status)
	}
	got := MustImport(t, store, "", twoModuleFS("pinned", "Module one, revised"))
	if diff := cmp.Diff([]courses.ImportResult{{Slug: "pinned", Version: 2, Changed: true}}, got); diff != "" {
		t.Fatalf("import v2 (-want +got):\n%s", diff)
	}

	tests := []struct {
		name        string
		p           *courses.Principal
		version     int
		title       string
		status      string
		completed   bool
		modulesDone int
	}{
		{"Started", started, 1, "Module one", courses.StatusInProgress, false, 1},
		{"NotStarted", fresh, 2, "Module one, revised", courses.StatusNotStarted, false, 0},
		{"Completed", done, 1, "Module one", courses.StatusCompleted, true, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := store.FindCourseDetail(ctx, tt.p, "pinned")
			if err != nil {
				t.Fatal(err)
			}
			if d.Version != tt.version || d.Modules[0].Title != tt.title || d.Status != tt.status ||
				(d.CompletedAt != nil) != tt.completed || d.Progress.ModulesDone != tt.modulesDone {
				t.Errorf("course page: got version %d, %q, %s, completed at %v, %d done; want version %d, %q, %s, completed %v, %d done",
					d.Version, d.Modules[0].Title, d.Status, d.CompletedAt, d.Progress.ModulesDone,
					tt.version, tt.title, tt.status, tt.completed, tt.modulesDone)
			}
			mv, err := store.FindModuleView(ctx, tt.p, "pinned", "one")
			if err != nil {
				t.Fatal(err)
			}
			if mv.Title != tt.title || mv.Next == nil || mv.Next.Slug != "two" {
				t.Errorf("module view: got %q next %+v, want %q next two", mv.Title, mv.Next, tt.title)
			}
		})
	}
	t.Run("StartedFinishesOnTheirVersion", func(t *testing.T) {
		d := MustComplete(t, store, started, "pinned", "two")
		if d.Version != 1 || d.Status != courses.StatusCompleted {
			t.Errorf("got version %d, status %q, want 1, completed", d.Version, d.Status)
		}
		var versions []int
		if err := testdb.Owner(store.DB()).Select(&versions, `
			SELECT v.version FROM completions c JOIN course_versions v ON v.id = c.course_version_id ORDER BY v.version`); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]int{1, 1}, versions); diff != "" {
			t.Errorf("completed versions (-want +got):\n%s", diff)
		}
	})
	t.Run("NotStartedStartsOnNewest", func(t *testing.T) {
		d := MustComplete(t, store, fresh, "pinned", "one")
		if d.Version != 2 || d.Modules[0].Title != "Module one, revised" {
			t.Errorf("got version %d, %q, want 2, the revised title", d.Version, d.Modules[0].Title)
		}
	})
	t.Run("CompletedStaysCompleted", func(t *testing.T) {
		d := MustComplete(t, store, done, "pinned", "one")
		if d.Status != courses.StatusCompleted || d.Version != 1 {
			t.Errorf("got status %q, version %d, want completed, 1", d.Status, d.Version)
		}
		if n := MustCount(t, store, `SELECT count(*) FROM enrolments WHERE person_id = $1`, done.Person.ID); n != 1 {
			t.Errorf("enrolments of the person who completed: got %d, want 1", n)
		}
		_, catalogue, err := store.FindCourses(ctx, done)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]card{{"pinned", courses.StatusCompleted, 100, nil, false}}, cardsOf(catalogue)); diff != "" {
			t.Errorf("catalogue (-want +got):\n%s", diff)
		}
	})
}

// An organisation's own course is visible only to it and never takes a shipped course's slug.
func TestOrganisationCourses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, _ := MustStore(t)
	riverside := MustOrg(t, store, "riverside")
	harbour := MustOrg(t, store, "harbour")
	rp := MustLearner(t, store, riverside.ID, "sam@riverside.example")
	hp := MustLearner(t, store, harbour.ID, "noah@harbour.example")
	MustShipped(t, store)
	got := MustImport(t, store, riverside.ID, tinyFS("own-course", nil))
	if diff := cmp.Diff([]courses.ImportResult{{Slug: "own-course", Version: 1, Changed: true}}, got); diff != "" {
		t.Fatalf("import (-want +got):\n%s", diff)
	}

	t.Run("VisibleToItsOrganisation", func(t *testing.T) {
		d, err := store.FindCourseDetail(ctx, rp, "own-course")
		if err != nil {
			t.Fatal(err)
		}
		if !d.OrgCourse || d.Title != "Course own-course" {
			t.Errorf("got %q, organisation course %v, want Course own-course, true", d.Title, d.OrgCourse)
		}
		_, catalogue, err := store.FindCourses(ctx, rp)
		if err != nil {
			t.Fatal(err)
		}
		// By title: Boundaries…, Course own-course, Storytelling….
		want := []card{
			{"boundaries-in-peer-work", courses.StatusNotStarted, 0, nil, false},
			{"own-course", courses.StatusNotStarted, 0, nil, true},
			{"storytelling-with-purpose", courses.StatusNotStarted, 0, nil, false},
		}
		if diff := cmp.Diff(want, cardsOf(catalogue)); diff != "" {
			t.Errorf("catalogue (-want +got):\n%s", diff)
		}
	})
	t.Run("ErrNotFoundForOthers", func(t *testing.T) {
		_, err := store.FindCourseDetail(ctx, hp, "own-course")
		wantCode(t, err, courses.NotFound)
		_, err = store.FindModuleView(ctx, hp, "own-course", "one")
		wantCode(t, err, courses.NotFound)
		_, err = store.CompleteModule(ctx, hp, "own-course", "one")
		wantCode(t, err, courses.NotFound)
		_, _, err = store.StartAttempt(ctx, hp, "own-course.one")
		wantCode(t, err, courses.NotFound)
		_, err = store.FindReflection(ctx, hp, "own-course", "one")
		wantCode(t, err, courses.NotFound)
		_, err = store.SaveReflection(ctx, hp, "own-course", "one", map[string]string{"r1": "x"})
		wantCode(t, err, courses.NotFound)
		_, catalogue, err := store.FindCourses(ctx, hp)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range catalogue {
			if c.Slug == "own-course" {
				t.Errorf("harbour's catalogue holds riverside's course: %+v", c)
			}
		}
		if n := MustCount(t, store, `SELECT count(*) FROM enrolments`); n != 0 {
			t.Errorf("enrolments: got %d, want 0", n)
		}
	})
	t.Run("SameSlugInAnotherOrganisation", func(t *testing.T) {
		got := MustImport(t, store, harbour.ID, tinyFS("own-course", map[string]string{"course.yaml": courseFile("own-course", "Harbour's own")}))
		if diff := cmp.Diff([]courses.ImportResult{{Slug: "own-course", Version: 1, Changed: true}}, got); diff != "" {
			t.Errorf("import (-want +got):\n%s", diff)
		}
		for p, want := range map[*courses.Principal]string{rp: "Course own-course", hp: "Harbour's own"} {
			d, err := store.FindCourseDetail(ctx, p, "own-course")
			if err != nil {
				t.Fatal(err)
			}
			if d.Title != want || d.Version != 1 {
				t.Errorf("%s sees %q version %d, want %q version 1", p.Organisation.Slug, d.Title, d.Version, want)
			}
		}
	})
	t.Run("ErrShippedSlug", func(t *testing.T) {
		before := MustCount(t, store, `SELECT count(*) FROM courses`)
		beforeVersions := MustCount(t, store, `SELECT count(*) FROM course_versions`)
		tests := []struct {
			name  string
			fsyss []fstest.MapFS
		}{
			{"Alone", []fstest.MapFS{tinyFS("storytelling-with-purpose", nil)}},
			{"AfterAGoodOne", []fstest.MapFS{tinyFS("second-own", nil), tinyFS("boundaries-in-peer-work", nil)}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var cs []*courses.Course
				for _, f := range tt.fsyss {
					cs = append(cs, MustLoad(t, f)...)
				}
				_, err := store.ImportCourses(ctx, riverside.ID, cs)
				wantCode(t, err, courses.Conflict)
				if n := MustCount(t, store, `SELECT count(*) FROM courses`); n != before {
					t.Errorf("courses: got %d, want %d", n, before)
				}
				if n := MustCount(t, store, `SELECT count(*) FROM course_versions`); n != beforeVersions {
					t.Errorf("versions: got %d, want %d", n, beforeVersions)
				}
			})
		}
		d, err := store.FindCourseDetail(ctx, rp, "storytelling-with-purpose")
		if err != nil {
			t.Fatal(err)
		}
		if d.OrgCourse || d.Title != "Storytelling with purpose" {
			t.Errorf("riverside sees %q, organisation course %v, want the shipped course", d.Title, d.OrgCourse)
		}
	})
}

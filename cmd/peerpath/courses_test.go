package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"peerpath/migrations/testdb"
)

const (
	checkCourse = "slug: riverside-induction\ntitle: Riverside induction\nsummary: Our own induction.\nversion: 1\nestimated_hours: 1\n"
	checkModule = "---\nslug: welcome\ntitle: Welcome\nminutes: 5\nobjectives: [Meet the team]\nquiz: welcome\n---\nWelcome to Riverside.\n"
	checkQuiz   = "id: welcome\ntitle: Welcome quiz\npass_mark: 80\nquestions:\n  - id: q1\n    kind: single\n    prompt: Pick.\n    options: [{id: a, text: A}, {id: b, text: B}]\n    answer: a\n    feedback: Because.\n"
)

// mustCourseDir writes a course folder (files by path, relative to it) and returns its path.
func mustCourseDir(tb testing.TB, files map[string]string) string {
	tb.Helper()
	dir := tb.TempDir()
	all := map[string]string{"course.yaml": checkCourse, "modules/01-welcome.md": checkModule, "quizzes/01-welcome.yaml": checkQuiz}
	for k, v := range files {
		if v == "" {
			delete(all, k)
			continue
		}
		all[k] = v
	}
	for name, data := range all {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// mainOutput calls Main and returns its exit code, standard output and standard error.
func mainOutput(tb testing.TB, env func(string) string, args ...string) (int, string, string) {
	tb.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, env, &out, &errb)
	return code, out.String(), errb.String()
}

func TestCoursesCheck(t *testing.T) {
	t.Parallel()
	env := envFrom(map[string]string{"DATABASE_URL": "postgres://postgres@127.0.0.1:1/unused?sslmode=disable"})

	t.Run("OK", func(t *testing.T) {
		dir := mustCourseDir(t, nil)
		code, out, errOut := mainOutput(t, env, "courses", "check", dir)
		if code != 0 || !strings.Contains(out, "riverside-induction: 1 modules, 1 quizzes, 0 scenarios: OK") || errOut != "" {
			t.Errorf("got exit %d, stdout %q, stderr %q; want 0 and an OK line", code, out, errOut)
		}
	})
	t.Run("Shipped", func(t *testing.T) {
		code, out, errOut := mainOutput(t, env, "courses", "check", filepath.Join("..", "..", "courses", "content"))
		for _, want := range []string{"storytelling-with-purpose: 5 modules", "boundaries-in-peer-work: 6 modules", "roleplay: 8 rubric criteria, 12 cards: OK"} {
			if code != 0 || !strings.Contains(out, want) {
				t.Errorf("got exit %d, stdout %q, stderr %q; want 0 and %q", code, out, errOut, want)
			}
		}
	})
	t.Run("ErrProblems", func(t *testing.T) {
		dir := mustCourseDir(t, map[string]string{
			"quizzes/01-welcome.yaml": strings.Replace(strings.Replace(checkQuiz, "pass_mark: 80", "pass_mark: 140", 1), "answer: a", "answer: z", 1),
			"modules/01-welcome.md":   strings.Replace(checkModule, "minutes: 5", "minutes: 5\nminuets: 6", 1),
		})
		code, out, errOut := mainOutput(t, env, "courses", "check", dir)
		if code != 1 {
			t.Errorf("exit: got %d, want 1", code)
		}
		if strings.Contains(out, "OK") {
			t.Errorf("stdout: got %q, want no OK", out)
		}
		want := []string{
			filepath.Join(dir, "modules", "01-welcome.md") + `:5: unknown key "minuets"`,
			filepath.Join(dir, "quizzes", "01-welcome.yaml") + ":3: pass_mark 140 is out of range",
			filepath.Join(dir, "quizzes", "01-welcome.yaml") + `:9: question q1: answer "z" is not one of the options`,
		}
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		if len(lines) != len(want)+1 {
			t.Fatalf("stderr: got %d lines, want %d problems and a summary:\n%s", len(lines), len(want), errOut)
		}
		for i, w := range want {
			if !strings.HasPrefix(lines[i], w) {
				t.Errorf("stderr line %d: got %q, want it to start %q", i+1, lines[i], w)
			}
		}
		if last := lines[len(lines)-1]; !strings.Contains(last, "3 problems") {
			t.Errorf("summary: got %q, want it to count 3 problems", last)
		}
	})
	t.Run("ErrNotAFolder", func(t *testing.T) {
		for _, args := range [][]string{
			{"courses", "check", filepath.Join(t.TempDir(), "missing")},
			{"courses", "check"},
			{"courses", "check", "a", "b"},
		} {
			if code, out, errOut := mainOutput(t, env, args...); code != 1 || errOut == "" {
				t.Errorf("%v: got exit %d, stdout %q, stderr %q; want 1 and a message", args, code, out, errOut)
			}
		}
	})
	t.Run("ErrUnknownSubcommand", func(t *testing.T) {
		if code, _, _ := mainOutput(t, env, "courses", "frobnicate", "x"); code != 2 {
			t.Errorf("got exit %d, want 2", code)
		}
	})
}

func TestCoursesImport(t *testing.T) {
	t.Parallel()
	app, dbURL := testdb.NewURL(t)
	db := testdb.Owner(app)
	env := envFrom(map[string]string{"DATABASE_URL": dbURL, "PEERPATH_BASE_URL": "http://peerpath.test"})
	if code, _, errOut := mainOutput(t, env, "demo"); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, errOut)
	}
	count := func() int {
		var n int
		if err := db.Get(&n, `SELECT (SELECT count(*) FROM courses) * 1000 + (SELECT count(*) FROM course_versions)`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	shipped := count()
	dir := mustCourseDir(t, nil)

	t.Run("OK", func(t *testing.T) {
		code, out, errOut := mainOutput(t, env, "courses", "import", dir, "--org", "riverside")
		if code != 0 || !strings.Contains(out, "riverside-induction: imported as version 1 for Riverside Peer Network") {
			t.Fatalf("got exit %d, stdout %q, stderr %q; want 0 and imported as version 1", code, out, errOut)
		}
		var org string
		if err := db.Get(&org, `SELECT o.slug FROM courses c JOIN organisations o ON o.id = c.org_id WHERE c.slug = 'riverside-induction'`); err != nil {
			t.Fatal(err)
		}
		if org != "riverside" {
			t.Errorf("owner: got %q, want riverside", org)
		}
	})
	t.Run("Unchanged", func(t *testing.T) {
		// Flags may also come first.
		code, out, errOut := mainOutput(t, env, "courses", "import", "--org", "riverside", dir)
		if code != 0 || !strings.Contains(out, "riverside-induction: unchanged (version 1)") {
			t.Errorf("got exit %d, stdout %q, stderr %q; want 0 and unchanged", code, out, errOut)
		}
	})
	imported := count()
	if imported != shipped+1001 {
		t.Fatalf("after import: got %d, want one more course and version than %d", imported, shipped)
	}
	t.Run("ErrUnchangedDatabase", func(t *testing.T) {
		shippedSlug := mustCourseDir(t, map[string]string{"course.yaml": strings.Replace(checkCourse, "riverside-induction", "storytelling-with-purpose", 1)})
		broken := mustCourseDir(t, map[string]string{
			"course.yaml":           strings.Replace(checkCourse, "title: Riverside induction", "title: Riverside induction, revised", 1),
			"modules/01-welcome.md": strings.Replace(checkModule, "quiz: welcome", "quiz: nosuch", 1),
		})
		tests := []struct {
			name   string
			args   []string
			stderr string
		}{
			{"ContentProblem", []string{"courses", "import", broken, "--org", "riverside"}, `quiz "nosuch" does not exist`},
			{"ShippedSlug", []string{"courses", "import", shippedSlug, "--org", "riverside"}, "nothing was imported"},
			{"NoSuchOrg", []string{"courses", "import", dir, "--org", "nosuch"}, "--org nosuch"},
			{"NoOrg", []string{"courses", "import", dir}, "--org"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				code, out, errOut := mainOutput(t, env, tt.args...)
				if code != 1 || !strings.Contains(errOut, tt.stderr) {
					t.Errorf("got exit %d, stdout %q, stderr %q; want 1 and %q", code, out, errOut, tt.stderr)
				}
				if n := count(); n != imported {
					t.Errorf("courses and versions: got %d, want %d (unchanged)", n, imported)
				}
			})
		}
	})
	t.Run("NewVersion", func(t *testing.T) {
		revised := mustCourseDir(t, map[string]string{"modules/01-welcome.md": strings.Replace(checkModule, "title: Welcome", "title: Welcome aboard", 1)})
		code, out, errOut := mainOutput(t, env, "courses", "import", revised, "--org", "riverside")
		if code != 0 || !strings.Contains(out, "riverside-induction: imported as version 2") {
			t.Errorf("got exit %d, stdout %q, stderr %q; want 0 and version 2", code, out, errOut)
		}
	})
}

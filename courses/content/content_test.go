package content_test

import (
	"bytes"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"peerpath/courses"
	"peerpath/courses/content"
)

// The shipped curriculum meets the brief: module lengths, reflection prompts, quiz sizes and
// kinds, feedback on every question, branching scenarios and the role-play kit.
func TestShipped(t *testing.T) {
	lib, err := content.Load(content.Shipped)
	if err != nil {
		t.Fatalf("shipped content has problems:\n%v", err)
	}
	wantModules := map[string]int{"storytelling-with-purpose": 5, "boundaries-in-peer-work": 6}
	if len(lib.Courses) != len(wantModules) {
		t.Fatalf("got %d courses, want %d", len(lib.Courses), len(wantModules))
	}
	for _, c := range lib.Courses {
		if got := len(c.Modules); got != wantModules[c.Slug] {
			t.Errorf("%s: got %d modules, want %d", c.Slug, got, wantModules[c.Slug])
		}
		quizzes := map[string]courses.Quiz{}
		for _, q := range c.Quizzes {
			quizzes[q.ID] = q
		}
		for _, m := range c.Modules {
			if n := len(strings.Fields(m.Body)); n < 1200 || n > 2500 {
				t.Errorf("%s/%s: got %d words, want 1,200–2,500", c.Slug, m.Slug, n)
			}
			if n := len(m.Reflection); n < 2 || n > 4 {
				t.Errorf("%s/%s: got %d reflection prompts, want 2–4", c.Slug, m.Slug, n)
			}
			if len(m.Tags) == 0 {
				t.Errorf("%s/%s: no competency tags", c.Slug, m.Slug)
			}
			q, ok := quizzes[m.Quiz]
			if !ok {
				t.Errorf("%s/%s: no quiz", c.Slug, m.Slug)
				continue
			}
			kinds := map[courses.QuestionKind]bool{}
			for _, qq := range q.Questions {
				kinds[qq.Kind] = true
			}
			if len(q.Questions) < 8 || len(kinds) < 3 {
				t.Errorf("%s/%s: got %d questions of %d kinds, want ≥ 8 of ≥ 3", c.Slug, q.ID, len(q.Questions), len(kinds))
			}
		}
		if c.Slug != "boundaries-in-peer-work" {
			continue
		}
		if len(c.Scenarios) < 3 {
			t.Errorf("boundaries: got %d scenarios, want ≥ 3", len(c.Scenarios))
		}
		for _, s := range c.Scenarios {
			for _, depth := range pathDepths(s) {
				if depth < 2 || depth > 3 {
					t.Errorf("scenario %s: a path has %d decision points, want 2–3", s.ID, depth)
				}
			}
		}
	}
	if len(lib.Criteria) != 8 || len(lib.Cards) != 12 {
		t.Errorf("role-play kit: got %d criteria and %d cards, want 8 and 12", len(lib.Criteria), len(lib.Cards))
	}
}

// pathDepths returns the number of decision points on every path from the start to an ending.
func pathDepths(s courses.Scenario) []int {
	nodes := map[string]courses.ScenarioNode{}
	for _, n := range s.Nodes {
		nodes[n.ID] = n
	}
	var out []int
	var walk func(id string, depth int)
	walk = func(id string, depth int) {
		for _, c := range nodes[id].Choices {
			if c.Next == "" {
				out = append(out, depth+1)
			} else {
				walk(c.Next, depth+1)
			}
		}
	}
	walk(s.Start, 0)
	return out
}

const goodCourse = `slug: demo-course
title: Demo
summary: A demo.
version: 1
estimated_hours: 1
recertification_months: 12
`

const goodModule = `---
slug: one
title: One
minutes: 5
objectives: [Learn]
reflection:
  - id: r1
    prompt: Think.
quiz: one
---
Some text.
`

const goodQuiz = `id: one
title: Quiz
pass_mark: 80
questions:
  - id: q1
    kind: single
    prompt: Pick.
    options: [{id: a, text: A}, {id: b, text: B}]
    answer: a
    feedback: Because.
`

func course(files map[string]string) fstest.MapFS {
	fs := fstest.MapFS{
		"course.yaml":         {Data: []byte(goodCourse)},
		"modules/01-one.md":   {Data: []byte(goodModule)},
		"quizzes/01-one.yaml": {Data: []byte(goodQuiz)},
	}
	for k, v := range files {
		if v == "" {
			delete(fs, k)
			continue
		}
		fs[k] = &fstest.MapFile{Data: []byte(v)}
	}
	return fs
}

func TestLoadProblems(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string // each must appear as a problem line, "file:line: text"
	}{
		{"OK", nil, nil},
		{"UnknownKind", map[string]string{"quizzes/01-one.yaml": strings.Replace(goodQuiz, "kind: single", "kind: essay", 1)},
			[]string{`quizzes/01-one.yaml:5: question q1: unknown kind "essay"`}},
		{"AnswerNotAnOption", map[string]string{"quizzes/01-one.yaml": strings.Replace(goodQuiz, "answer: a", "answer: z", 1)},
			[]string{`quizzes/01-one.yaml:9: question q1: answer "z" is not one of the options`}},
		{"DuplicateQuestionID", map[string]string{"quizzes/01-one.yaml": goodQuiz + strings.TrimPrefix(goodQuiz[strings.Index(goodQuiz, "  - id: q1"):], "")},
			[]string{`quizzes/01-one.yaml:11: question id "q1" is used twice`}},
		{"PassMarkOutOfRange", map[string]string{"quizzes/01-one.yaml": strings.Replace(goodQuiz, "pass_mark: 80", "pass_mark: 140", 1)},
			[]string{`quizzes/01-one.yaml:3: pass_mark 140 is out of range`}},
		{"BrokenFrontMatter", map[string]string{"modules/01-one.md": strings.Replace(goodModule, "---\nSome", "Some", 1)},
			[]string{`modules/01-one.md:1: front matter is not closed`}},
		{"NoFrontMatter", map[string]string{"modules/01-one.md": "# Just text\n"},
			[]string{`modules/01-one.md:1: front matter missing`}},
		{"BadYAMLInFrontMatter", map[string]string{"modules/01-one.md": strings.Replace(goodModule, "minutes: 5", "minutes: [5", 1)},
			[]string{`modules/01-one.md:`}},
		{"UnknownKey", map[string]string{"quizzes/01-one.yaml": strings.Replace(goodQuiz, "answer: a", "answer: a\n    anwser: b", 1)},
			[]string{`quizzes/01-one.yaml:10: unknown key "anwser"`}},
		{"UnknownKeyInFrontMatter", map[string]string{"modules/01-one.md": strings.Replace(goodModule, "minutes: 5", "minutes: 5\nminuets: 6", 1)},
			[]string{`modules/01-one.md:5: unknown key "minuets"`}},
		{"MissingQuiz", map[string]string{"quizzes/01-one.yaml": ""},
			[]string{`modules/01-one.md:9: quiz "one" does not exist`}},
		{"WrongType", map[string]string{"course.yaml": strings.Replace(goodCourse, "version: 1", "version: one", 1)},
			[]string{`course.yaml:4: cannot unmarshal`}},
		{"EveryProblemReported", map[string]string{
			"course.yaml":         strings.Replace(goodCourse, "slug: demo-course", "slug: Demo Course", 1),
			"quizzes/01-one.yaml": strings.Replace(strings.Replace(goodQuiz, "answer: a", "answer: [a]", 1), "pass_mark: 80", "pass_mark: 0", 1)},
			[]string{`course.yaml:1: slug "Demo Course"`, `quizzes/01-one.yaml:3: pass_mark 0`, `quizzes/01-one.yaml:9: question q1: the answer of a single question is one option id`}},
		{"OrderingIncomplete", map[string]string{"quizzes/01-one.yaml": strings.Replace(strings.Replace(goodQuiz, "kind: single", "kind: ordering", 1), "answer: a", "answer: [a]", 1)},
			[]string{`quizzes/01-one.yaml:9: question q1: the answer must list all 2 options in order, not 1`}},
		{"TrueFalseNotBool", map[string]string{"quizzes/01-one.yaml": strings.Replace(strings.Replace(goodQuiz, "kind: single", "kind: true_false", 1), "    options: [{id: a, text: A}, {id: b, text: B}]\n", "", 1)},
			[]string{`quizzes/01-one.yaml:8: question q1: the answer of a true_false question is true or false`}},
		{"ScenarioLoop", map[string]string{"scenarios/s.yaml": `id: s
title: S
module: one
start: n1
nodes:
  - id: n1
    text: Go.
    choices:
      - {id: c1, text: A, quality: best, consequence: C, feedback: F, next: n2}
      - {id: c2, text: B, quality: poor, consequence: C, feedback: F}
  - id: n2
    text: Again.
    choices:
      - {id: c1, text: A, quality: best, consequence: C, feedback: F, next: n1}
      - {id: c2, text: B, quality: okay, consequence: C, feedback: F, next: n9}
  - id: n3
    text: Lost.
    choices:
      - {id: c1, text: A, quality: best, consequence: C, feedback: F}
      - {id: c2, text: B, quality: best, consequence: C, feedback: F}
`}, []string{`scenarios/s.yaml:15: choice "c2": quality must be`, `scenarios/s.yaml:15: choice "c2": next "n9" is not a node`, `is part of a loop`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := content.Load(course(tt.files))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("got problems:\n%v\nwant none", err)
				}
				return
			}
			var ps content.Problems
			if !errors.As(err, &ps) {
				t.Fatalf("got %v, want Problems", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(ps.Error(), w) {
					t.Errorf("got problems:\n%v\nwant one containing %q", ps, w)
				}
			}
		})
	}
}

// Whatever bytes an author saves, the loader answers with content or problems, never a panic.
func FuzzLoadQuiz(f *testing.F) {
	f.Add(goodQuiz)
	f.Add(strings.Replace(goodQuiz, "kind: single", "kind: ordering", 1))
	f.Add("questions: [{answer: {a: b}}]")
	f.Add("id: x\npass_mark: 50\nquestions:\n  - {id: q, kind: multiple, answer: [a, a], options: [{id: a}]}")
	f.Fuzz(func(t *testing.T, quiz string) {
		fsys := course(map[string]string{"quizzes/01-one.yaml": quiz})
		lib, err := content.Load(fsys)
		if (lib == nil) == (err == nil) {
			t.Fatalf("got library %v and error %v: want exactly one", lib, err)
		}
		if err != nil {
			checkProblems(t, fsys, err)
			return
		}
		// A quiz the loader accepts can be passed: its own answer key is a valid submission
		// that scores full marks.
		q := &lib.Courses[0].Quizzes[0]
		key := courses.Answers{}
		for _, qq := range q.Questions {
			key[qq.ID] = qq.Answer
		}
		if fields := courses.CheckAnswers(q, key); len(fields) > 0 {
			t.Fatalf("the answer key is refused: %v", fields)
		}
		if g := courses.GradeQuiz(q, key); g.Score != 100 || !g.Passed {
			t.Fatalf("the answer key: got score %v passed %v, want 100 passed", g.Score, g.Passed)
		}
	})
}

func FuzzLoadModule(f *testing.F) {
	f.Add(goodModule)
	f.Add("---\n---\n")
	f.Add("---\nslug: [\n---\nx")
	f.Fuzz(func(t *testing.T, module string) {
		fsys := course(map[string]string{"modules/01-one.md": module})
		lib, err := content.Load(fsys)
		if (lib == nil) == (err == nil) {
			t.Fatalf("got library %v and error %v: want exactly one", lib, err)
		}
		if err != nil {
			checkProblems(t, fsys, err)
			return
		}
		// What is accepted is usable: readable text that is the file's own, after the front matter.
		m := lib.Courses[0].Modules[0]
		if strings.TrimSpace(m.Body) == "" || !strings.HasSuffix(strings.ReplaceAll(module, "\r\n", "\n"), m.Body) {
			t.Fatalf("got body %q, want the non-blank end of the file", m.Body)
		}
		if m.Slug == "" || m.Title == "" || m.Minutes < 1 || m.Minutes > 240 || len(m.Objectives) == 0 || m.Quiz != "" && m.Quiz != "one" {
			t.Fatalf("got module %+v, want a slug, title, 1–240 minutes, objectives and no quiz or quiz one", m)
		}
	})
}

// checkProblems fails unless err lists problems that an author can act on: each with a message,
// in a file that exists or a course folder, at a line that is in that file.
func checkProblems(tb testing.TB, fsys fstest.MapFS, err error) {
	tb.Helper()
	var ps content.Problems
	if !errors.As(err, &ps) || len(ps) == 0 {
		tb.Fatalf("got %v, want Problems", err)
	}
	for _, p := range ps {
		if strings.TrimSpace(p.Message) == "" {
			tb.Fatalf("got problem %v without a message", p)
		}
		if _, err := fs.Stat(fsys, p.File); err != nil && p.File != "modules" && p.File != "quizzes" {
			tb.Fatalf("got problem %v in a file that does not exist", p)
		}
		lines := 0 // a folder has none
		if f, ok := fsys[p.File]; ok {
			// YAML ends a line at LF, CRLF or a lone CR, and numbers lines so.
			loneCR := bytes.Count(bytes.ReplaceAll(f.Data, []byte("\r\n"), nil), []byte("\r"))
			lines = bytes.Count(f.Data, []byte("\n")) + loneCR + 1
		}
		if p.Line < 0 || p.Line > lines {
			tb.Fatalf("got problem %v, want a line from 0 to %d", p, lines)
		}
	}
}

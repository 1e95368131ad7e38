package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
	"peerpath/courses/content"
	"peerpath/migrations/testdb"
)

const (
	story   = "storytelling-with-purpose"
	whyQuiz = story + ".why-we-share" // 9 questions, 3 attempts; q2 is true_false, q3 single, q6 ordering
	gifts   = "boundaries-in-peer-work.gifts-and-goodbyes"
)

// MustLearningServer returns MustServer's handler and store with the shipped courses imported.
func MustLearningServer(tb testing.TB) (http.Handler, *courses.Store, *fakeClock) {
	tb.Helper()
	h, store, clock := MustServer(tb)
	lib, err := content.Load(content.Shipped)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := store.ImportCourses(context.Background(), "", lib.Courses); err != nil {
		tb.Fatalf("import shipped courses: %v", err)
	}
	return h, store, clock
}

// MustPersonID returns the id of the person with email.
func MustPersonID(tb testing.TB, store *courses.Store, email string) string {
	tb.Helper()
	var id string
	if err := testdb.Owner(store.DB()).Get(&id, `SELECT id FROM people WHERE email = $1`, email); err != nil {
		tb.Fatalf("person %s: %v", email, err)
	}
	return id
}

// MustSessionCookie starts a session for a demo person without a password round (argon2 is slow
// on purpose) and returns its cookie.
func MustSessionCookie(tb testing.TB, store *courses.Store, email string) reqOpt {
	tb.Helper()
	token, err := store.CreateSession(context.Background(), MustPersonID(tb, store, email))
	if err != nil {
		tb.Fatalf("session for %s: %v", email, err)
	}
	return withCookie(&http.Cookie{Name: "peerpath_session", Value: token})
}

// MustImportOrgCourse imports a one-module course for an organisation: quiz "one" has two
// single-choice questions (answer a) and settings, e.g. "time_limit_minutes: 10\n".
func MustImportOrgCourse(tb testing.TB, store *courses.Store, orgSlug, slug, settings string) {
	tb.Helper()
	q := func(id string) string {
		return "  - id: " + id + "\n    kind: single\n    prompt: Pick.\n    options: [{id: a, text: A}, {id: b, text: B}]\n    answer: a\n    feedback: Because.\n"
	}
	fsys := fstest.MapFS{
		"course.yaml": {Data: []byte("slug: " + slug + "\ntitle: Own course\nsummary: An organisation's own.\nversion: 1\nestimated_hours: 1\n")},
		"modules/01-one.md": {Data: []byte("---\nslug: one\ntitle: One\nminutes: 5\nobjectives: [Learn]\n" +
			"reflection:\n  - id: r1\n    prompt: Think.\nquiz: one\n---\nSome text.\n")},
		"quizzes/01-one.yaml": {Data: []byte("id: one\ntitle: Quiz\npass_mark: 50\n" + settings + "questions:\n" + q("q1") + q("q2"))},
	}
	lib, err := content.Load(fsys)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := store.ImportCourses(context.Background(), MustOrgID(tb, store, orgSlug), lib.Courses); err != nil {
		tb.Fatalf("import %s: %v", slug, err)
	}
}

// decodeObject decodes rec's body as a JSON object after checking its status.
func decodeObject(tb testing.TB, rec *httptest.ResponseRecorder, status int) map[string]any {
	tb.Helper()
	if rec.Code != status {
		tb.Fatalf("status: got %d %s, want %d", rec.Code, rec.Body, status)
	}
	var m map[string]any
	MustDecode(tb, rec, &m)
	return m
}

// wantHasKeys fails unless obj (a JSON object) has every key.
func wantHasKeys(tb testing.TB, what string, obj any, keys ...string) {
	tb.Helper()
	m, ok := obj.(map[string]any)
	if !ok {
		tb.Fatalf("%s: got %v, want an object", what, obj)
	}
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			tb.Errorf("%s: got keys %v, want %q among them", what, keysOf(m), k)
		}
	}
}

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// allKeys returns every object key anywhere in a JSON body.
func allKeys(tb testing.TB, body []byte) map[string]bool {
	tb.Helper()
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		tb.Fatalf("decode %s: %v", body, err)
	}
	keys := map[string]bool{}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				keys[k] = true
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(doc)
	return keys
}

// wantNoAnswerKeys fails when a body gives away quiz answers.
func wantNoAnswerKeys(tb testing.TB, what string, body []byte) {
	tb.Helper()
	keys := allKeys(tb, body)
	for _, k := range []string{"correct_answer", "answer", "feedback", "correct"} {
		if keys[k] {
			tb.Errorf("%s holds the key %q: %s", what, k, body)
		}
	}
}

func TestLearningSignedOut(t *testing.T) {
	t.Parallel()
	h, store, _ := MustLearningServer(t)
	id := MustPersonID(t, store, "trainee1@riverside.example")
	routes := []struct{ method, path, body string }{
		{http.MethodGet, "/api/v1/courses", ""},
		{http.MethodGet, "/api/v1/courses/" + story, ""},
		{http.MethodGet, "/api/v1/courses/" + story + "/modules/why-we-share", ""},
		{http.MethodPost, "/api/v1/courses/" + story + "/modules/why-we-share/complete", ""},
		{http.MethodGet, "/api/v1/courses/" + story + "/modules/why-we-share/reflection", ""},
		{http.MethodPut, "/api/v1/courses/" + story + "/modules/why-we-share/reflection", `{"answers":{"r1":"x"}}`},
		{http.MethodDelete, "/api/v1/courses/" + story + "/modules/why-we-share/reflection", ""},
		{http.MethodGet, "/api/v1/courses/boundaries-in-peer-work/scenarios", ""},
		{http.MethodPost, "/api/v1/quizzes/" + whyQuiz + "/attempts", ""},
		{http.MethodGet, "/api/v1/quizzes/" + whyQuiz + "/attempts", ""},
		{http.MethodGet, "/api/v1/attempts/00000000-0000-4000-8000-000000000000", ""},
		{http.MethodPut, "/api/v1/attempts/00000000-0000-4000-8000-000000000000/answers", `{"answers":{}}`},
		{http.MethodPost, "/api/v1/attempts/00000000-0000-4000-8000-000000000000/submit", ""},
		{http.MethodGet, "/api/v1/scenarios/" + gifts, ""},
		{http.MethodPost, "/api/v1/scenarios/" + gifts + "/choices", `{"node":"n1","choice":"c1"}`},
		{http.MethodPut, "/api/v1/org/people/" + id + "/extra-time", `{"percent":50}`},
	}
	for _, r := range routes {
		t.Run(r.method+" "+strings.TrimPrefix(r.path, "/api/v1"), func(t *testing.T) {
			wantError(t, Do(t, h, r.method, r.path, r.body), http.StatusUnauthorized, "unauthorized")
			bad := withCookie(&http.Cookie{Name: "peerpath_session", Value: "not-a-session"})
			wantError(t, Do(t, h, r.method, r.path, r.body, bad), http.StatusUnauthorized, "unauthorized")
		})
	}
	if n := MustCount(t, store, `SELECT (SELECT count(*) FROM enrolments) + (SELECT count(*) FROM reflections) + (SELECT count(*) FROM quiz_accommodations)`); n != 0 {
		t.Errorf("signed-out requests wrote %d rows, want none", n)
	}
}

func TestCoursesHTTP(t *testing.T) {
	t.Parallel()
	h, store, clock := MustLearningServer(t)
	MustImportOrgCourse(t, store, "riverside", "own-course", "attempts: 0\n")
	sam := MustSessionCookie(t, store, "trainee1@riverside.example")
	noah := MustSessionCookie(t, store, "trainee1@harbour.example")
	due := clock.Now().Add(14 * 24 * time.Hour)
	if _, err := testdb.Owner(store.DB()).Exec(`
		INSERT INTO assignments (org_id, person_id, course_id, due_at)
		SELECT p.org_id, p.id, c.id, $2 FROM people p, courses c WHERE p.email = $1 AND c.slug = $3`,
		"trainee1@riverside.example", due, story); err != nil {
		t.Fatal(err)
	}

	t.Run("List", func(t *testing.T) {
		type cardJSON struct {
			Slug           string     `json:"slug"`
			Title          string     `json:"title"`
			Summary        string     `json:"summary"`
			EstimatedHours float64    `json:"estimated_hours"`
			Status         string     `json:"status"`
			Percent        int        `json:"percent"`
			DueAt          *time.Time `json:"due_at"`
			OrgCourse      bool       `json:"organisation_course"`
		}
		var got struct {
			Assigned  []cardJSON `json:"assigned"`
			Catalogue []cardJSON `json:"catalogue"`
		}
		rec := Do(t, h, http.MethodGet, "/api/v1/courses", "", sam)
		if rec.Code != http.StatusOK {
			t.Fatalf("got %d %s, want 200", rec.Code, rec.Body)
		}
		MustDecode(t, rec, &got) // no field beyond the documented CourseCard
		type line struct {
			Slug, Status string
			Due          bool
			Org          bool
		}
		var lines [2][]line
		for i, cs := range [][]cardJSON{got.Assigned, got.Catalogue} {
			for _, c := range cs {
				lines[i] = append(lines[i], line{c.Slug, c.Status, c.DueAt != nil, c.OrgCourse})
				if c.Title == "" || c.Summary == "" || c.EstimatedHours <= 0 {
					t.Errorf("card %s: got title %q, summary %q, %v hours", c.Slug, c.Title, c.Summary, c.EstimatedHours)
				}
			}
		}
		want := [2][]line{
			{{story, "not_started", true, false}},
			{{"boundaries-in-peer-work", "not_started", false, false}, {"own-course", "not_started", false, true}},
		}
		if diff := cmp.Diff(want, lines); diff != "" {
			t.Errorf("courses (-want +got):\n%s", diff)
		}
		if got.Assigned[0].DueAt == nil || !got.Assigned[0].DueAt.Equal(due) {
			t.Errorf("due at: got %v, want %v", got.Assigned[0].DueAt, due)
		}
		// Harbour does not see Riverside's own course.
		var theirs struct {
			Assigned  []cardJSON `json:"assigned"`
			Catalogue []cardJSON `json:"catalogue"`
		}
		rec = Do(t, h, http.MethodGet, "/api/v1/courses", "", noah)
		MustDecode(t, rec, &theirs)
		if len(theirs.Assigned) != 0 || len(theirs.Catalogue) != 2 {
			t.Errorf("harbour: got %+v, want the two shipped courses, none assigned", theirs)
		}
	})
	t.Run("Detail", func(t *testing.T) {
		d := decodeObject(t, Do(t, h, http.MethodGet, "/api/v1/courses/"+story, "", sam), http.StatusOK)
		wantHasKeys(t, "course", d, "slug", "title", "summary", "estimated_hours", "status", "percent", "due_at", "organisation_course",
			"audience", "version", "competencies", "completion", "progress", "still_required", "completed_at", "modules", "scenarios")
		wantHasKeys(t, "completion", d["completion"], "modules", "quizzes", "roleplay")
		wantHasKeys(t, "progress", d["progress"], "modules_done", "modules_total", "quizzes_passed", "quizzes_total", "percent")
		mods, _ := d["modules"].([]any)
		if len(mods) != 5 {
			t.Fatalf("modules: got %d, want 5", len(mods))
		}
		wantHasKeys(t, "module", mods[0], "slug", "title", "minutes", "completed", "content_warning", "tags", "quiz")
		wantHasKeys(t, "module quiz", mods[0].(map[string]any)["quiz"], "id", "title", "passed", "attempts_used", "attempts_allowed")
		if id := mods[0].(map[string]any)["quiz"].(map[string]any)["id"]; id != whyQuiz {
			t.Errorf("quiz id: got %v, want %s", id, whyQuiz)
		}
	})
	t.Run("Module", func(t *testing.T) {
		rec := Do(t, h, http.MethodGet, "/api/v1/courses/"+story+"/modules/why-we-share", "", sam)
		m := decodeObject(t, rec, http.StatusOK)
		wantHasKeys(t, "module", m, "course", "slug", "title", "minutes", "objectives", "tags", "content_warning", "html",
			"completed", "prev", "next", "reflection", "quiz")
		html, _ := m["html"].(string)
		if !strings.Contains(html, "<p>") || strings.Contains(html, "<script") {
			t.Errorf("html: got %.200q…, want sanitised paragraphs", html)
		}
		if m["prev"] != nil || m["next"] == nil || m["slug"] != "why-we-share" {
			t.Errorf("got slug %v, prev %v, next %v, want why-we-share, no prev, a next", m["slug"], m["prev"], m["next"])
		}
		wantHasKeys(t, "reflection prompt", m["reflection"].([]any)[0], "id", "prompt")
		wantNoAnswerKeys(t, "module", rec.Body.Bytes())
	})
	t.Run("Complete", func(t *testing.T) {
		for i := range 2 {
			d := decodeObject(t, Do(t, h, http.MethodPost, "/api/v1/courses/"+story+"/modules/why-we-share/complete", "", sam), http.StatusOK)
			p := d["progress"].(map[string]any)
			if p["modules_done"] != 1.0 || p["modules_total"] != 5.0 || p["percent"] != 10.0 || d["status"] != "in_progress" {
				t.Errorf("call %d: got progress %v, status %v, want 1 of 5 modules, 10%%, in_progress", i+1, p, d["status"])
			}
		}
		m := decodeObject(t, Do(t, h, http.MethodGet, "/api/v1/courses/"+story+"/modules/why-we-share", "", sam), http.StatusOK)
		if m["completed"] != true {
			t.Errorf("module completed: got %v, want true", m["completed"])
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		tests := []struct {
			name, method, path string
			who                reqOpt
		}{
			{"UnknownCourse", http.MethodGet, "/api/v1/courses/nosuch", sam},
			{"OtherOrganisationsCourse", http.MethodGet, "/api/v1/courses/own-course", noah},
			{"UnknownCourseModule", http.MethodGet, "/api/v1/courses/nosuch/modules/why-we-share", sam},
			{"UnknownModule", http.MethodGet, "/api/v1/courses/" + story + "/modules/nosuch", sam},
			{"OtherOrganisationsModule", http.MethodGet, "/api/v1/courses/own-course/modules/one", noah},
			{"CompleteUnknownModule", http.MethodPost, "/api/v1/courses/" + story + "/modules/nosuch/complete", sam},
			{"CompleteUnknownCourse", http.MethodPost, "/api/v1/courses/nosuch/modules/why-we-share/complete", sam},
			{"UnknownCourseScenarios", http.MethodGet, "/api/v1/courses/nosuch/scenarios", sam},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantError(t, Do(t, h, tt.method, tt.path, "", tt.who), http.StatusNotFound, "not_found")
			})
		}
	})
}

func TestReflectionHTTP(t *testing.T) {
	t.Parallel()
	h, store, _ := MustLearningServer(t)
	sam := MustSessionCookie(t, store, "trainee1@riverside.example")
	const path = "/api/v1/courses/" + story + "/modules/why-we-share/reflection"
	type prompt struct {
		ID        string     `json:"id"`
		Prompt    string     `json:"prompt"`
		Answer    string     `json:"answer"`
		UpdatedAt *time.Time `json:"updated_at"`
	}
	type reflection struct {
		Prompts []prompt `json:"prompts"`
	}
	answers := func(t *testing.T, rec *httptest.ResponseRecorder) map[string]string {
		t.Helper()
		if rec.Code != http.StatusOK {
			t.Fatalf("got %d %s, want 200", rec.Code, rec.Body)
		}
		var r reflection
		MustDecode(t, rec, &r)
		if len(r.Prompts) != 3 {
			t.Fatalf("got %d prompts, want 3", len(r.Prompts))
		}
		out := map[string]string{}
		for _, p := range r.Prompts {
			if p.Prompt == "" || (p.Answer == "") != (p.UpdatedAt == nil) {
				t.Errorf("prompt %+v: want text, and updated_at exactly when answered", p)
			}
			if p.Answer != "" {
				out[p.ID] = p.Answer
			}
		}
		return out
	}

	t.Run("Empty", func(t *testing.T) {
		if got := answers(t, Do(t, h, http.MethodGet, path, "", sam)); len(got) != 0 {
			t.Errorf("got %v, want no answers", got)
		}
	})
	t.Run("Save", func(t *testing.T) {
		got := answers(t, Do(t, h, http.MethodPut, path, `{"answers":{"r1":"First.","r3":"Third."}}`, sam))
		if diff := cmp.Diff(map[string]string{"r1": "First.", "r3": "Third."}, got); diff != "" {
			t.Errorf("put (-want +got):\n%s", diff)
		}
		got = answers(t, Do(t, h, http.MethodPut, path, `{"answers":{"r1":"","r2":"Second."}}`, sam))
		if diff := cmp.Diff(map[string]string{"r2": "Second.", "r3": "Third."}, got); diff != "" {
			t.Errorf("put with an empty answer (-want +got):\n%s", diff)
		}
		got = answers(t, Do(t, h, http.MethodGet, path, "", sam))
		if diff := cmp.Diff(map[string]string{"r2": "Second.", "r3": "Third."}, got); diff != "" {
			t.Errorf("get (-want +got):\n%s", diff)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		many := map[string]string{}
		for i := range 21 {
			many[fmt.Sprintf("r%d", i)] = "x"
		}
		manyJSON, _ := json.Marshal(map[string]any{"answers": many})
		long, _ := json.Marshal(map[string]any{"answers": map[string]string{"r1": strings.Repeat("a", 20001)}})
		tests := []struct {
			name, body string
			fields     []string // nil: a 400 without fields
		}{
			{"Malformed", `{"answers":`, nil},
			{"NotAnObject", `[1]`, nil},
			{"Empty", "", nil},
			{"AnswersNotAnObject", `{"answers": 5}`, []string{"answers"}},
			{"AnswerNotAString", `{"answers": {"r1": 5}}`, []string{"answers"}},
			{"MissingAnswers", `{}`, []string{"answers"}},
			{"TooManyAnswers", string(manyJSON), []string{"answers"}},
			{"UnknownPrompt", `{"answers":{"r9":"x","r1":"also refused"}}`, []string{"answers.r9"}},
			{"TooLong", string(long), []string{"answers.r1"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				rec := Do(t, h, http.MethodPut, path, tt.body, sam)
				if tt.fields == nil {
					wantError(t, rec, http.StatusBadRequest, "invalid")
					return
				}
				wantFields(t, rec, tt.fields...)
			})
		}
		if diff := cmp.Diff(map[string]string{"r2": "Second.", "r3": "Third."}, answers(t, Do(t, h, http.MethodGet, path, "", sam))); diff != "" {
			t.Errorf("answers after refused puts (-want +got):\n%s", diff)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		for _, p := range []string{"/api/v1/courses/" + story + "/modules/nosuch/reflection", "/api/v1/courses/nosuch/modules/why-we-share/reflection"} {
			wantError(t, Do(t, h, http.MethodGet, p, "", sam), http.StatusNotFound, "not_found")
			wantError(t, Do(t, h, http.MethodPut, p, `{"answers":{"r1":"x"}}`, sam), http.StatusNotFound, "not_found")
			wantError(t, Do(t, h, http.MethodDelete, p, "", sam), http.StatusNotFound, "not_found")
		}
	})
	t.Run("Delete", func(t *testing.T) {
		rec := Do(t, h, http.MethodDelete, path, "", sam)
		if rec.Code != http.StatusNoContent || rec.Body.Len() != 0 {
			t.Fatalf("got %d %q, want 204 and no body", rec.Code, rec.Body)
		}
		if got := answers(t, Do(t, h, http.MethodGet, path, "", sam)); len(got) != 0 {
			t.Errorf("after delete: got %v, want no answers", got)
		}
	})
}

func TestAttemptsHTTP(t *testing.T) {
	t.Parallel()
	h, store, clock := MustLearningServer(t)
	sam := MustSessionCookie(t, store, "trainee1@riverside.example")
	priya := MustSessionCookie(t, store, "trainee2@riverside.example")
	noah := MustSessionCookie(t, store, "trainee1@harbour.example")
	const start = "/api/v1/quizzes/" + whyQuiz + "/attempts"

	rec := Do(t, h, http.MethodPost, start, "", sam)
	a := decodeObject(t, rec, http.StatusCreated)
	wantNoAnswerKeys(t, "a new attempt", rec.Body.Bytes())
	id, _ := a["id"].(string)
	attempt := "/api/v1/attempts/" + id

	t.Run("Shape", func(t *testing.T) {
		wantHasKeys(t, "attempt", a, "id", "quiz", "course", "number", "attempts_allowed", "started_at", "deadline_at",
			"submitted_at", "questions", "answers", "result")
		wantHasKeys(t, "attempt quiz", a["quiz"], "id", "title", "pass_mark", "time_limit_minutes", "review")
		wantHasKeys(t, "attempt course", a["course"], "slug", "title")
		qs, _ := a["questions"].([]any)
		if len(qs) != 9 {
			t.Fatalf("questions: got %d, want 9", len(qs))
		}
		wantHasKeys(t, "question", qs[0], "id", "kind", "prompt", "scenario", "options")
		wantHasKeys(t, "option", qs[0].(map[string]any)["options"].([]any)[0], "id", "text")
		if a["result"] != nil || a["submitted_at"] != nil || a["number"] != 1.0 || a["attempts_allowed"] != 3.0 {
			t.Errorf("got result %v, submitted %v, number %v of %v, want an open attempt 1 of 3", a["result"], a["submitted_at"], a["number"], a["attempts_allowed"])
		}
	})
	t.Run("Resume", func(t *testing.T) {
		rec := Do(t, h, http.MethodPost, start, "", sam)
		again := decodeObject(t, rec, http.StatusOK)
		if again["id"] != id {
			t.Errorf("got attempt %v, want the open one %s", again["id"], id)
		}
		wantNoAnswerKeys(t, "a resumed attempt", rec.Body.Bytes())
	})
	t.Run("Get", func(t *testing.T) {
		rec := Do(t, h, http.MethodGet, attempt, "", sam)
		got := decodeObject(t, rec, http.StatusOK)
		if got["id"] != id {
			t.Errorf("got %v, want %s", got["id"], id)
		}
		wantNoAnswerKeys(t, "an open attempt", rec.Body.Bytes())
	})
	t.Run("ErrAnswersInvalid", func(t *testing.T) {
		tests := []struct {
			name, body string
			fields     []string // nil: a 400 without fields
		}{
			{"Malformed", `{"answers":{`, nil},
			{"Empty", "", nil},
			{"MissingAnswers", `{}`, []string{"answers"}},
			{"AnswersNotAnObject", `{"answers":5}`, []string{"answers"}},
			{"UnknownQuestion", `{"answers":{"q99":["a"]}}`, []string{"answers.q99"}},
			{"UnknownOption", `{"answers":{"q3":["zz"]}}`, []string{"answers.q3"}},
			{"TwoForSingle", `{"answers":{"q3":["a","b"]}}`, []string{"answers.q3"}},
			{"NotTrueOrFalse", `{"answers":{"q2":["yes"]}}`, []string{"answers.q2"}},
			{"OrderingIncomplete", `{"answers":{"q6":["a"]}}`, []string{"answers.q6"}},
			{"TwoBad", `{"answers":{"q2":["yes"],"q3":["a","b"],"q1":["a"]}}`, []string{"answers.q2", "answers.q3"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				rec := Do(t, h, http.MethodPut, attempt+"/answers", tt.body, sam)
				if tt.fields == nil {
					wantError(t, rec, http.StatusBadRequest, "invalid")
					return
				}
				wantFields(t, rec, tt.fields...)
			})
		}
		// A value that is not a list of ids is refused too, naming the question.
		wantFields(t, Do(t, h, http.MethodPut, attempt+"/answers", `{"answers":{"q2":"false"}}`, sam), "answers.q2")
		wantFields(t, Do(t, h, http.MethodPost, attempt+"/submit", `{"answers":{"q1":{"a":1},"q2":["false"]}}`, sam), "answers.q1")
		got := decodeObject(t, Do(t, h, http.MethodGet, attempt, "", sam), http.StatusOK)
		if ans, _ := got["answers"].(map[string]any); len(ans) != 0 {
			t.Errorf("answers after refused puts: got %v, want none", ans)
		}
	})
	t.Run("SaveAnswers", func(t *testing.T) {
		decodeObject(t, Do(t, h, http.MethodPut, attempt+"/answers", `{"answers":{"q2":["false"]}}`, sam), http.StatusOK)
		rec := Do(t, h, http.MethodPut, attempt+"/answers", `{"answers":{"q3":["c"]}}`, sam)
		got := decodeObject(t, rec, http.StatusOK)
		want := map[string]any{"q2": []any{"false"}, "q3": []any{"c"}}
		if diff := cmp.Diff(want, got["answers"]); diff != "" {
			t.Errorf("answers (-want +got):\n%s", diff)
		}
		wantNoAnswerKeys(t, "saved progress", rec.Body.Bytes())
	})
	t.Run("ErrNotYours", func(t *testing.T) {
		for name, who := range map[string]reqOpt{"SameOrganisation": priya, "OtherOrganisation": noah} {
			t.Run(name, func(t *testing.T) {
				wantError(t, Do(t, h, http.MethodGet, attempt, "", who), http.StatusNotFound, "not_found")
				wantError(t, Do(t, h, http.MethodPut, attempt+"/answers", `{"answers":{"q2":["true"]}}`, who), http.StatusNotFound, "not_found")
				wantError(t, Do(t, h, http.MethodPost, attempt+"/submit", "", who), http.StatusNotFound, "not_found")
			})
		}
		for _, bad := range []string{"not-a-uuid", "00000000-0000-4000-8000-000000000000"} {
			wantError(t, Do(t, h, http.MethodGet, "/api/v1/attempts/"+bad, "", sam), http.StatusNotFound, "not_found")
			wantError(t, Do(t, h, http.MethodPut, "/api/v1/attempts/"+bad+"/answers", `{"answers":{}}`, sam), http.StatusNotFound, "not_found")
			wantError(t, Do(t, h, http.MethodPost, "/api/v1/attempts/"+bad+"/submit", "", sam), http.StatusNotFound, "not_found")
		}
	})
	t.Run("ErrUnknownQuiz", func(t *testing.T) {
		for _, q := range []string{story + ".nosuch", "nosuch.why-we-share", "why-we-share", "own-course.one"} {
			wantError(t, Do(t, h, http.MethodPost, "/api/v1/quizzes/"+q+"/attempts", "", sam), http.StatusNotFound, "not_found")
			wantError(t, Do(t, h, http.MethodGet, "/api/v1/quizzes/"+q+"/attempts", "", sam), http.StatusNotFound, "not_found")
		}
	})
	t.Run("Submit", func(t *testing.T) {
		clock.Advance(time.Minute)
		rec := Do(t, h, http.MethodPost, attempt+"/submit", `{"answers":{"q1":["a","c","d","f"]}}`, sam)
		res := decodeObject(t, rec, http.StatusOK)
		wantHasKeys(t, "result", res, "score", "passed", "pass_mark", "attempts_used", "attempts_left", "timed_out", "course_completed", "review")
		review, _ := res["review"].([]any)
		if len(review) != 9 {
			t.Fatalf("review: got %v, want 9 items", res["review"])
		}
		wantHasKeys(t, "review item", review[0], "question_id", "correct", "credit", "answer", "correct_answer", "feedback")
		// q1, q2 and q3 right of 9: 33.33 %.
		if res["score"] != 33.33 || res["passed"] != false || res["attempts_used"] != 1.0 || res["attempts_left"] != 2.0 || res["timed_out"] != false {
			t.Errorf("result: got %v", res)
		}
		first := rec.Body.String()
		wantError(t, Do(t, h, http.MethodPost, attempt+"/submit", `{"answers":{"q4":["a"]}}`, sam), http.StatusConflict, "conflict")
		wantError(t, Do(t, h, http.MethodPost, attempt+"/submit", "", sam), http.StatusConflict, "conflict")
		wantError(t, Do(t, h, http.MethodPut, attempt+"/answers", `{"answers":{"q4":["a"]}}`, sam), http.StatusConflict, "conflict")
		got := decodeObject(t, Do(t, h, http.MethodGet, attempt, "", sam), http.StatusOK)
		result, _ := json.Marshal(got["result"])
		var want map[string]any
		json.Unmarshal([]byte(first), &want)
		if diff := cmp.Diff(want, got["result"]); diff != "" {
			t.Errorf("result after a second submit (-first +now):\n%s\n%s", diff, result)
		}
	})
	t.Run("History", func(t *testing.T) {
		var list struct {
			Items []struct {
				ID          string     `json:"id"`
				Number      int        `json:"number"`
				StartedAt   time.Time  `json:"started_at"`
				SubmittedAt *time.Time `json:"submitted_at"`
				Score       *float64   `json:"score"`
				Passed      *bool      `json:"passed"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		rec := Do(t, h, http.MethodGet, start, "", sam)
		if rec.Code != http.StatusOK {
			t.Fatalf("got %d %s", rec.Code, rec.Body)
		}
		MustDecode(t, rec, &list)
		if len(list.Items) != 1 || list.Items[0].ID != id || list.Items[0].Score == nil || *list.Items[0].Score != 33.33 {
			t.Errorf("history: got %+v, want attempt %s scored 33.33", list.Items, id)
		}
	})
	t.Run("ErrNoAttemptsLeft", func(t *testing.T) {
		for n := 2; n <= 3; n++ {
			a := decodeObject(t, Do(t, h, http.MethodPost, start, "", sam), http.StatusCreated)
			if a["number"] != float64(n) {
				t.Errorf("got attempt %v, want %d", a["number"], n)
			}
			decodeObject(t, Do(t, h, http.MethodPost, "/api/v1/attempts/"+a["id"].(string)+"/submit", "", sam), http.StatusOK)
		}
		wantError(t, Do(t, h, http.MethodPost, start, "", sam), http.StatusConflict, "conflict")
		// Someone else still has all of theirs.
		decodeObject(t, Do(t, h, http.MethodPost, start, "", priya), http.StatusCreated)
	})
}

func TestTimedAttemptHTTP(t *testing.T) {
	t.Parallel()
	h, store, clock := MustLearningServer(t)
	MustImportOrgCourse(t, store, "riverside", "timed-course", "attempts: 0\ntime_limit_minutes: 10\n")
	sam := MustSessionCookie(t, store, "trainee1@riverside.example")
	admin := MustSessionCookie(t, store, "admin@riverside.example")
	samID := MustPersonID(t, store, "trainee1@riverside.example")

	rec := Do(t, h, http.MethodPut, "/api/v1/org/people/"+samID+"/extra-time", `{"percent":50}`, admin)
	if rec.Code != http.StatusOK {
		t.Fatalf("extra time: got %d %s", rec.Code, rec.Body)
	}
	started := clock.Now()
	a := decodeObject(t, Do(t, h, http.MethodPost, "/api/v1/quizzes/timed-course.one/attempts", "", sam), http.StatusCreated)
	deadline, _ := time.Parse(time.RFC3339, a["deadline_at"].(string))
	if !deadline.Equal(started.Add(15 * time.Minute)) {
		t.Errorf("deadline: got %v, want %v", a["deadline_at"], started.Add(15*time.Minute))
	}
	path := "/api/v1/attempts/" + a["id"].(string)
	clock.Advance(14 * time.Minute)
	decodeObject(t, Do(t, h, http.MethodPut, path+"/answers", `{"answers":{"q1":["a"]}}`, sam), http.StatusOK)
	clock.Advance(time.Minute)
	wantError(t, Do(t, h, http.MethodPut, path+"/answers", `{"answers":{"q2":["a"]}}`, sam), http.StatusConflict, "conflict")
	got := decodeObject(t, Do(t, h, http.MethodGet, path, "", sam), http.StatusOK)
	res, _ := got["result"].(map[string]any)
	if res == nil || res["timed_out"] != true || res["score"] != 50.0 || res["passed"] != true {
		t.Errorf("after the deadline: got result %v, want timed out, 50, passed", got["result"])
	}
}

func TestScenariosHTTP(t *testing.T) {
	t.Parallel()
	h, store, _ := MustLearningServer(t)
	sam := MustSessionCookie(t, store, "trainee1@riverside.example")
	const path = "/api/v1/scenarios/" + gifts

	t.Run("List", func(t *testing.T) {
		l := decodeObject(t, Do(t, h, http.MethodGet, "/api/v1/courses/boundaries-in-peer-work/scenarios", "", sam), http.StatusOK)
		items, _ := l["items"].([]any)
		if len(items) != 4 {
			t.Fatalf("got %d scenarios, want 4", len(items))
		}
		wantHasKeys(t, "scenario", items[0], "id", "title", "summary", "content_warning", "module", "runs", "finished_runs")
		none := decodeObject(t, Do(t, h, http.MethodGet, "/api/v1/courses/"+story+"/scenarios", "", sam), http.StatusOK)
		if items, _ := none["items"].([]any); items == nil || len(items) != 0 {
			t.Errorf("storytelling scenarios: got %v, want an empty list", none["items"])
		}
	})
	t.Run("Get", func(t *testing.T) {
		rec := Do(t, h, http.MethodGet, path, "", sam)
		v := decodeObject(t, rec, http.StatusOK)
		wantHasKeys(t, "scenario", v, "id", "title", "summary", "content_warning", "course", "start", "run")
		wantHasKeys(t, "start", v["start"], "id", "text", "choices")
		if v["run"] != nil {
			t.Errorf("run: got %v, want null", v["run"])
		}
		if keys := allKeys(t, rec.Body.Bytes()); keys["quality"] || keys["feedback"] || keys["consequence"] {
			t.Errorf("an unplayed scenario gives away its choices: %s", rec.Body)
		}
	})
	t.Run("Choose", func(t *testing.T) {
		res := decodeObject(t, Do(t, h, http.MethodPost, path+"/choices", `{"node":"n1","choice":"c2"}`, sam), http.StatusOK)
		wantHasKeys(t, "choice result", res, "run_id", "step", "next", "finished")
		wantHasKeys(t, "step", res["step"], "node", "choice", "choice_text", "quality", "consequence", "feedback")
		if res["finished"] != false || res["next"].(map[string]any)["id"] != "n3" || res["step"].(map[string]any)["quality"] != "poor" {
			t.Errorf("got %v, want a poor choice leading to n3", res)
		}
		v := decodeObject(t, Do(t, h, http.MethodGet, path, "", sam), http.StatusOK)
		run, _ := v["run"].(map[string]any)
		if run == nil || run["current"].(map[string]any)["id"] != "n3" || len(run["path"].([]any)) != 1 || run["id"] != res["run_id"] {
			t.Errorf("run: got %v, want run %v at n3 after one step", v["run"], res["run_id"])
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		wantError(t, Do(t, h, http.MethodPost, path+"/choices", `{"node":"n2","choice":"c1"}`, sam), http.StatusConflict, "conflict")
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		tests := []struct {
			name, body string
			fields     []string
		}{
			{"Malformed", `{"node":`, nil},
			{"MissingNode", `{"choice":"c1"}`, []string{"node"}},
			{"MissingChoice", `{"node":"n3"}`, []string{"choice"}},
			{"NodeNotAString", `{"node":3,"choice":"c1"}`, []string{"node"}},
			{"UnknownNode", `{"node":"n9","choice":"c1"}`, []string{"node"}},
			{"UnknownChoice", `{"node":"n3","choice":"c9"}`, []string{"choice"}},
			{"TooLong", `{"node":"` + strings.Repeat("n", 65) + `","choice":"c1"}`, []string{"node"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				rec := Do(t, h, http.MethodPost, path+"/choices", tt.body, sam)
				if tt.fields == nil {
					wantError(t, rec, http.StatusBadRequest, "invalid")
					return
				}
				wantFields(t, rec, tt.fields...)
			})
		}
	})
	t.Run("FinishAndStartAgain", func(t *testing.T) {
		res := decodeObject(t, Do(t, h, http.MethodPost, path+"/choices", `{"node":"n3","choice":"c1"}`, sam), http.StatusOK)
		if res["finished"] != true || res["next"] != nil {
			t.Fatalf("got %v, want the end", res)
		}
		again := decodeObject(t, Do(t, h, http.MethodPost, path+"/choices", `{"node":"n1","choice":"c1"}`, sam), http.StatusOK)
		if again["run_id"] == res["run_id"] {
			t.Errorf("choosing at the start: got run %v again, want a new run", again["run_id"])
		}
		if n := MustCount(t, store, `SELECT count(*) FROM scenario_runs`); n != 2 {
			t.Errorf("runs: got %d, want 2", n)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		for _, id := range []string{"boundaries-in-peer-work.nosuch", "nosuch.gifts-and-goodbyes", "gifts-and-goodbyes"} {
			wantError(t, Do(t, h, http.MethodGet, "/api/v1/scenarios/"+id, "", sam), http.StatusNotFound, "not_found")
			wantError(t, Do(t, h, http.MethodPost, "/api/v1/scenarios/"+id+"/choices", `{"node":"n1","choice":"c1"}`, sam), http.StatusNotFound, "not_found")
		}
	})
}

func TestExtraTimeHTTP(t *testing.T) {
	t.Parallel()
	h, store, _ := MustLearningServer(t)
	admin := MustSessionCookie(t, store, "admin@riverside.example")
	trainer := MustSessionCookie(t, store, "trainer@riverside.example")
	manager := MustSessionCookie(t, store, "manager@riverside.example")
	trainee := MustSessionCookie(t, store, "trainee1@riverside.example")
	harbourAdmin := MustSessionCookie(t, store, "admin@harbour.example")
	samID := MustPersonID(t, store, "trainee1@riverside.example")
	noahID := MustPersonID(t, store, "trainee1@harbour.example")
	path := func(id string) string { return "/api/v1/org/people/" + id + "/extra-time" }
	percent := func() int {
		return MustCount(t, store, `SELECT COALESCE(max(extra_time_percent), -1) FROM quiz_accommodations WHERE person_id = $1`, samID)
	}

	t.Run("OK", func(t *testing.T) {
		for _, tt := range []struct {
			who     reqOpt
			percent int
		}{{admin, 50}, {trainer, 300}, {admin, 0}, {trainer, 25}} {
			rec := Do(t, h, http.MethodPut, path(samID), fmt.Sprintf(`{"percent":%d}`, tt.percent), tt.who)
			if rec.Code != http.StatusOK {
				t.Fatalf("got %d %s, want 200", rec.Code, rec.Body)
			}
			var got struct {
				PersonID string `json:"person_id"`
				Percent  int    `json:"percent"`
			}
			MustDecode(t, rec, &got)
			if got.PersonID != samID || got.Percent != tt.percent || percent() != tt.percent {
				t.Errorf("got %+v (stored %d), want %s at %d", got, percent(), samID, tt.percent)
			}
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		for name, who := range map[string]reqOpt{"Trainee": trainee, "Manager": manager} {
			t.Run(name, func(t *testing.T) {
				wantError(t, Do(t, h, http.MethodPut, path(samID), `{"percent":100}`, who), http.StatusForbidden, "forbidden")
			})
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		tests := []struct {
			name, body string
			fields     []string
		}{
			{"TooMuch", `{"percent":301}`, []string{"percent"}},
			{"Negative", `{"percent":-1}`, []string{"percent"}},
			{"Missing", `{}`, []string{"percent"}},
			{"NotANumber", `{"percent":"50"}`, []string{"percent"}},
			{"Fraction", `{"percent":50.5}`, []string{"percent"}},
			{"Malformed", `{"percent":`, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				rec := Do(t, h, http.MethodPut, path(samID), tt.body, admin)
				if tt.fields == nil {
					wantError(t, rec, http.StatusBadRequest, "invalid")
					return
				}
				wantFields(t, rec, tt.fields...)
			})
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		wantError(t, Do(t, h, http.MethodPut, path(noahID), `{"percent":50}`, admin), http.StatusNotFound, "not_found")
		wantError(t, Do(t, h, http.MethodPut, path(samID), `{"percent":50}`, harbourAdmin), http.StatusNotFound, "not_found")
		wantError(t, Do(t, h, http.MethodPut, path("not-a-uuid"), `{"percent":50}`, admin), http.StatusNotFound, "not_found")
	})
	if got := percent(); got != 25 {
		t.Errorf("stored percent: got %d, want 25 from the last good request", got)
	}
	if n := MustCount(t, store, `SELECT count(*) FROM quiz_accommodations`); n != 1 {
		t.Errorf("accommodations: got %d, want 1", n)
	}
}

// Reflections are private: an org admin's every view of a course or module holds none of a
// trainee's words.
func TestReflectionPrivacyHTTP(t *testing.T) {
	t.Parallel()
	h, store, _ := MustLearningServer(t)
	trainee := MustSessionCookie(t, store, "trainee1@riverside.example")
	admin := MustSessionCookie(t, store, "admin@riverside.example")
	const secret = "PRIVATE-7f3a: the night I relapsed after my brother's funeral"
	modules := map[string][]string{
		story:                     {"why-we-share", "knowing-and-shaping-your-story"},
		"boundaries-in-peer-work": {"dual-relationships"},
	}
	for slug, ms := range modules {
		for _, m := range ms {
			body, _ := json.Marshal(map[string]any{"answers": map[string]string{"r1": secret, "r2": secret + " (2)"}})
			base := "/api/v1/courses/" + slug + "/modules/" + m
			if rec := Do(t, h, http.MethodPut, base+"/reflection", string(body), trainee); rec.Code != http.StatusOK {
				t.Fatalf("trainee saves %s/%s: got %d %s", slug, m, rec.Code, rec.Body)
			}
			if rec := Do(t, h, http.MethodPost, base+"/complete", "", trainee); rec.Code != http.StatusOK {
				t.Fatalf("trainee completes %s/%s: got %d %s", slug, m, rec.Code, rec.Body)
			}
			// The trainee reads their own words back: the check below looks for text that exists.
			if rec := Do(t, h, http.MethodGet, base+"/reflection", "", trainee); !strings.Contains(rec.Body.String(), secret) {
				t.Fatalf("trainee's own reflection: got %s, want their text", rec.Body)
			}
		}
	}

	paths := []string{"/api/v1/courses", "/api/v1/me"}
	for slug, ms := range modules {
		paths = append(paths, "/api/v1/courses/"+slug, "/api/v1/courses/"+slug+"/scenarios")
		for _, m := range ms {
			base := "/api/v1/courses/" + slug + "/modules/" + m
			paths = append(paths, base, base+"/reflection")
		}
	}
	paths = append(paths, "/api/v1/scenarios/"+gifts)
	for _, p := range paths {
		t.Run(strings.TrimPrefix(p, "/api/v1"), func(t *testing.T) {
			rec := Do(t, h, http.MethodGet, p, "", admin)
			if rec.Code != http.StatusOK {
				t.Fatalf("got %d %s, want 200", rec.Code, rec.Body)
			}
			if bytes.Contains(rec.Body.Bytes(), []byte("PRIVATE-7f3a")) {
				t.Errorf("the org admin's %s holds the trainee's reflection: %s", p, rec.Body)
			}
			if strings.HasSuffix(p, "/reflection") {
				var r struct {
					Prompts []struct {
						ID        string     `json:"id"`
						Prompt    string     `json:"prompt"`
						Answer    string     `json:"answer"`
						UpdatedAt *time.Time `json:"updated_at"`
					} `json:"prompts"`
				}
				MustDecode(t, rec, &r)
				for _, pr := range r.Prompts {
					if pr.Answer != "" || pr.UpdatedAt != nil {
						t.Errorf("the org admin sees an answer %+v, want their own (none)", pr)
					}
				}
			}
		})
	}
}

package courses_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
)

// mixedQuestions holds one question of each kind. Right answers: q1 b, q2 [a c], q3 true,
// q4 [a b c d], q5 a.
const mixedQuestions = `  - id: q1
    kind: single
    prompt: Pick one.
    options: [{id: a, text: A}, {id: b, text: B}, {id: c, text: C}, {id: d, text: D}]
    answer: b
    feedback: B is right.
  - id: q2
    kind: multiple
    prompt: Pick some.
    options: [{id: a, text: A}, {id: b, text: B}, {id: c, text: C}]
    answer: [a, c]
    feedback: A and C.
  - id: q3
    kind: true_false
    prompt: True?
    answer: true
    feedback: It is true.
  - id: q4
    kind: ordering
    prompt: Put in order.
    options: [{id: a, text: First}, {id: b, text: Second}, {id: c, text: Third}, {id: d, text: Fourth}]
    answer: [a, b, c, d]
    feedback: In order.
  - id: q5
    kind: scenario
    scenario: Someone asks you something.
    prompt: What do you do?
    options: [{id: a, text: Listen}, {id: b, text: Leave}]
    answer: a
    feedback: Listening helps.
`

// pairQuestions is n ordering questions of two options each, answer [a b]: each presentation has
// only two orders, so one that may start in the right order shows up quickly.
func pairQuestions(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  - id: p%d\n    kind: ordering\n    prompt: Order.\n    options: [{id: a, text: First}, {id: b, text: Second}]\n    answer: [a, b]\n    feedback: First, then second.\n", i)
	}
	return b.String()
}

// quizLabFS is a course "lab" whose one module links the quiz "mixed"; its other quizzes test one
// setting each.
func quizLabFS() fstest.MapFS {
	return tinyFS("lab", map[string]string{
		"modules/01-one.md":    moduleFile("one", "Module one", "mixed"),
		"quizzes/01-one.yaml":  "",
		"quizzes/mixed.yaml":   strings.Replace(quizFile("mixed", "attempts: 0\nshuffle: true\n", mixedQuestions), "pass_mark: 100", "pass_mark: 60", 1),
		"quizzes/pairs.yaml":   quizFile("pairs", "attempts: 0\n", pairQuestions(300)),
		"quizzes/limited.yaml": quizFile("limited", "attempts: 2\n", singleQ("q1")),
		"quizzes/timed.yaml":   quizFile("timed", "attempts: 0\ntime_limit_minutes: 10\n", singleQ("q1")+singleQ("q2")),
		"quizzes/hidden.yaml":  quizFile("hidden", "attempts: 0\nreview: false\n", singleQ("q1")),
	})
}

// MustQuizLab returns a store with the lab course, and two people of one organisation and one of
// another.
func MustQuizLab(tb testing.TB) (store *courses.Store, clock *fakeClock, sam, priya, noah *courses.Principal) {
	tb.Helper()
	store, clock = MustStore(tb)
	riverside := MustOrg(tb, store, "riverside")
	harbour := MustOrg(tb, store, "harbour")
	sam = MustLearner(tb, store, riverside.ID, "sam@riverside.example")
	priya = MustLearner(tb, store, riverside.ID, "priya@riverside.example")
	noah = MustLearner(tb, store, harbour.ID, "noah@harbour.example")
	MustImport(tb, store, "", quizLabFS())
	return store, clock, sam, priya, noah
}

// MustStart starts (or resumes) an attempt.
func MustStart(tb testing.TB, store *courses.Store, p *courses.Principal, quiz string) (*courses.Attempt, bool) {
	tb.Helper()
	a, started, err := store.StartAttempt(context.Background(), p, quiz)
	if err != nil {
		tb.Fatalf("start %s: %v", quiz, err)
	}
	return a, started
}

// jsonKeys returns every object key anywhere in a JSON document.
func jsonKeys(tb testing.TB, b []byte) map[string]bool {
	tb.Helper()
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		tb.Fatalf("decode %s: %v", b, err)
	}
	keys := map[string]bool{}
	var walk func(v any)
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

func TestStartAttempt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, clock, sam, _, _ := MustQuizLab(t)

	t.Run("NoAnswersShown", func(t *testing.T) {
		a, started := MustStart(t, store, sam, "lab.mixed")
		if !started || a.Number != 1 || a.SubmittedAt != nil || a.Result != nil || a.DeadlineAt != nil || !a.StartedAt.Equal(clock.Now()) {
			t.Errorf("got started %v, number %d, submitted %v, result %v, deadline %v, started at %v; want a new open untimed attempt 1 now",
				started, a.Number, a.SubmittedAt, a.Result, a.DeadlineAt, a.StartedAt)
		}
		b, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		keys := jsonKeys(t, b)
		for _, k := range []string{"answer", "feedback", "correct", "correct_answer", "quality"} {
			if keys[k] {
				t.Errorf("attempt JSON holds the key %q: %s", k, b)
			}
		}
		for _, secret := range []string{"B is right", "Listening helps"} {
			if strings.Contains(string(b), secret) {
				t.Errorf("attempt JSON holds feedback %q: %s", secret, b)
			}
		}
		want := courses.QuizInfo{ID: "lab.mixed", Title: "Quiz mixed", PassMark: 60, Review: true}
		if diff := cmp.Diff(want, a.Quiz); diff != "" {
			t.Errorf("quiz (-want +got):\n%s", diff)
		}
		var ids []string
		for _, q := range a.Questions {
			ids = append(ids, q.ID)
		}
		if diff := cmp.Diff([]string{"q1", "q2", "q3", "q4", "q5"}, ids); diff != "" {
			t.Errorf("questions (-want +got):\n%s", diff)
		}
		if q := a.Questions[4]; q.Kind != courses.KindScenario || q.Scenario != "Someone asks you something." || len(q.Options) != 2 {
			t.Errorf("scenario question: got %+v", q)
		}
		if diff := cmp.Diff([]courses.Option{{ID: "true", Text: "True"}, {ID: "false", Text: "False"}}, a.Questions[2].Options); diff != "" {
			t.Errorf("true_false options (-want +got):\n%s", diff)
		}
	})
	t.Run("Resume", func(t *testing.T) {
		first, _ := MustStart(t, store, sam, "lab.limited")
		clock.Advance(time.Minute)
		again, started := MustStart(t, store, sam, "lab.limited")
		if started || again.ID != first.ID || again.Number != 1 {
			t.Errorf("got id %s (started %v, number %d), want the open attempt %s, not started", again.ID, started, again.Number, first.ID)
		}
		if diff := cmp.Diff(first.Questions, again.Questions); diff != "" {
			t.Errorf("resumed questions changed (-first +again):\n%s", diff)
		}
	})
	t.Run("ErrNoAttemptsLeft", func(t *testing.T) {
		// The first of two is open from Resume.
		a, _ := MustStart(t, store, sam, "lab.limited")
		if _, err := store.SubmitAttempt(ctx, sam, a.ID, nil); err != nil {
			t.Fatal(err)
		}
		a, started := MustStart(t, store, sam, "lab.limited")
		if !started || a.Number != 2 || a.AttemptsAllowed != 2 {
			t.Fatalf("second: got started %v, number %d of %d, want a new attempt 2 of 2", started, a.Number, a.AttemptsAllowed)
		}
		// At the limit, the open attempt still resumes.
		if again, started := MustStart(t, store, sam, "lab.limited"); started || again.ID != a.ID {
			t.Errorf("resume at the limit: got %s (started %v), want %s", again.ID, started, a.ID)
		}
		res, err := store.SubmitAttempt(ctx, sam, a.ID, courses.Answers{"q1": {"a"}})
		if err != nil {
			t.Fatal(err)
		}
		if res.AttemptsLeft == nil || *res.AttemptsLeft != 0 || res.AttemptsUsed != 2 {
			t.Errorf("result: got %d used, %v left, want 2 used, 0 left", res.AttemptsUsed, res.AttemptsLeft)
		}
		_, _, err = store.StartAttempt(ctx, sam, "lab.limited")
		wantCode(t, err, courses.Conflict)
		if n := MustCount(t, store, `SELECT count(*) FROM quiz_attempts WHERE quiz_id = 'limited'`); n != 2 {
			t.Errorf("attempts: got %d, want 2", n)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		for _, ref := range []string{"lab.nosuch", "nosuch.mixed", "lab", "lab.", ".mixed", "", "lab.one"} {
			_, _, err := store.StartAttempt(ctx, sam, ref)
			if courses.ErrorCode(err) != courses.NotFound {
				t.Errorf("start %q: got %v, want not_found", ref, err)
			}
			_, err = store.FindAttempts(ctx, sam, ref)
			if courses.ErrorCode(err) != courses.NotFound {
				t.Errorf("history of %q: got %v, want not_found", ref, err)
			}
		}
	})
	t.Run("History", func(t *testing.T) {
		got, err := store.FindAttempts(ctx, sam, "lab.limited")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Number != 2 || got[1].Number != 1 || got[0].Passed == nil || !*got[0].Passed || got[1].Score == nil || *got[1].Score != 0 {
			t.Errorf("history: got %+v, want attempt 2 (passed) then 1 (scored 0)", got)
		}
	})
}

// Options are shuffled per attempt when the quiz says so, and an ordering question never starts
// in its right order.
func TestAttemptPresentation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, _, sam, _, _ := MustQuizLab(t)
	orders := map[string]bool{}
	inOrder := 0
	for i := range 30 {
		a, _ := MustStart(t, store, sam, "lab.mixed")
		var q1, q4 []string
		for _, o := range a.Questions[0].Options {
			q1 = append(q1, o.ID)
		}
		for _, o := range a.Questions[3].Options {
			q4 = append(q4, o.ID)
		}
		if got := slices.Sorted(slices.Values(q1)); !slices.Equal(got, []string{"a", "b", "c", "d"}) {
			t.Fatalf("attempt %d: q1 options %v, want a, b, c and d once each", i+1, q1)
		}
		orders[strings.Join(q1, "")] = true
		if slices.Equal(q4, []string{"a", "b", "c", "d"}) {
			inOrder++
		}
		if _, err := store.SubmitAttempt(ctx, sam, a.ID, nil); err != nil {
			t.Fatal(err)
		}

		p, _ := MustStart(t, store, sam, "lab.pairs")
		for _, q := range p.Questions {
			if len(q.Options) != 2 || q.Options[0].ID != "b" {
				inOrder++
			}
		}
		if _, err := store.SubmitAttempt(ctx, sam, p.ID, nil); err != nil {
			t.Fatal(err)
		}
	}
	if len(orders) < 2 {
		t.Errorf("q1 options: got one order in 30 shuffled attempts (%v), want several", orders)
	}
	if inOrder > 0 {
		t.Errorf("ordering questions: got %d presented in the right order, want none", inOrder)
	}
}

func TestSaveAnswers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, _, sam, _, _ := MustQuizLab(t)
	a, _ := MustStart(t, store, sam, "lab.mixed")

	t.Run("ErrInvalid", func(t *testing.T) {
		tests := []struct {
			name    string
			answers courses.Answers
			field   string
		}{
			{"UnknownQuestion", courses.Answers{"q9": {"a"}}, "answers.q9"},
			{"UnknownOption", courses.Answers{"q1": {"z"}}, "answers.q1"},
			{"TwoForSingle", courses.Answers{"q1": {"a", "b"}}, "answers.q1"},
			{"TwoForScenario", courses.Answers{"q5": {"a", "b"}}, "answers.q5"},
			{"NotTrueOrFalse", courses.Answers{"q3": {"maybe"}}, "answers.q3"},
			{"BothTrueAndFalse", courses.Answers{"q3": {"true", "false"}}, "answers.q3"},
			{"OrderingIncomplete", courses.Answers{"q4": {"a", "b", "c"}}, "answers.q4"},
			{"OrderingRepeats", courses.Answers{"q4": {"a", "a", "b", "c"}}, "answers.q4"},
			{"MultipleRepeats", courses.Answers{"q2": {"a", "a"}}, "answers.q2"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				// A good answer beside a bad one is not saved either.
				answers := courses.Answers{"q2": {"a"}}
				if tt.field == "answers.q2" {
					answers = courses.Answers{"q1": {"b"}}
				}
				for k, v := range tt.answers {
					answers[k] = v
				}
				_, err := store.SaveAnswers(ctx, sam, a.ID, answers)
				wantFields(t, err, tt.field)
				got, err := store.FindAttempt(ctx, sam, a.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(got.Answers) != 0 {
					t.Errorf("saved answers: got %v, want none", got.Answers)
				}
			})
		}
	})
	t.Run("Merged", func(t *testing.T) {
		steps := []struct {
			save courses.Answers
			want courses.Answers
		}{
			{courses.Answers{"q1": {"a"}}, courses.Answers{"q1": {"a"}}},
			{courses.Answers{"q2": {"a", "c"}, "q4": {"d", "c", "b", "a"}}, courses.Answers{"q1": {"a"}, "q2": {"a", "c"}, "q4": {"d", "c", "b", "a"}}},
			{courses.Answers{"q1": {"b"}, "q3": {"true"}}, courses.Answers{"q1": {"b"}, "q2": {"a", "c"}, "q3": {"true"}, "q4": {"d", "c", "b", "a"}}},
			{courses.Answers{"q4": {}}, courses.Answers{"q1": {"b"}, "q2": {"a", "c"}, "q3": {"true"}, "q4": {}}},
		}
		for i, st := range steps {
			got, err := store.SaveAnswers(ctx, sam, a.ID, st.save)
			if err != nil {
				t.Fatalf("save %d: %v", i+1, err)
			}
			if diff := cmp.Diff(st.want, got.Answers); diff != "" {
				t.Errorf("save %d: answers (-want +got):\n%s", i+1, diff)
			}
		}
		found, err := store.FindAttempt(ctx, sam, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(steps[len(steps)-1].want, found.Answers); diff != "" {
			t.Errorf("found answers (-want +got):\n%s", diff)
		}
		if found.SubmittedAt != nil || found.Result != nil {
			t.Errorf("saving submitted the attempt: %+v", found.Result)
		}
	})
}

func TestSubmitAttempt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, clock, sam, _, _ := MustQuizLab(t)

	t.Run("GradedOnce", func(t *testing.T) {
		a, _ := MustStart(t, store, sam, "lab.mixed")
		if _, err := store.SaveAnswers(ctx, sam, a.ID, courses.Answers{"q1": {"b"}, "q2": {"a", "c"}}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
		// Final answers are merged over the saved ones: q2 loses a pick, the ordering scores 1/3.
		res, err := store.SubmitAttempt(ctx, sam, a.ID, courses.Answers{"q2": {"a", "b", "c"}, "q3": {"true"}, "q4": {"a", "b", "d", "c"}})
		if err != nil {
			t.Fatal(err)
		}
		// (1 + 0.5 + 1 + 1/3 + 0) / 5 = 56.67 %, under the pass mark of 60.
		if res.Score != 56.67 || res.Passed || res.PassMark != 60 || res.TimedOut || res.AttemptsLeft != nil || res.AttemptsUsed != 1 || res.CourseCompleted {
			t.Errorf("result: got %+v, want 56.67, not passed, pass mark 60, unlimited, 1 used", res)
		}
		wantReview := []courses.QuestionReview{
			{QuestionID: "q1", Correct: true, Credit: 1, Answer: []string{"b"}, CorrectAnswer: []string{"b"}, Feedback: "B is right."},
			{QuestionID: "q2", Correct: false, Credit: 0.5, Answer: []string{"a", "b", "c"}, CorrectAnswer: []string{"a", "c"}, Feedback: "A and C."},
			{QuestionID: "q3", Correct: true, Credit: 1, Answer: []string{"true"}, CorrectAnswer: []string{"true"}, Feedback: "It is true."},
			{QuestionID: "q4", Correct: false, Credit: 0.33, Answer: []string{"a", "b", "d", "c"}, CorrectAnswer: []string{"a", "b", "c", "d"}, Feedback: "In order."},
			{QuestionID: "q5", Correct: false, Credit: 0, Answer: []string{}, CorrectAnswer: []string{"a"}, Feedback: "Listening helps."},
		}
		if diff := cmp.Diff(wantReview, res.Review); diff != "" {
			t.Errorf("review (-want +got):\n%s", diff)
		}

		clock.Advance(time.Minute)
		_, err = store.SubmitAttempt(ctx, sam, a.ID, courses.Answers{"q5": {"a"}})
		wantCode(t, err, courses.Conflict)
		_, err = store.SubmitAttempt(ctx, sam, a.ID, nil)
		wantCode(t, err, courses.Conflict)
		_, err = store.SaveAnswers(ctx, sam, a.ID, courses.Answers{"q5": {"a"}})
		wantCode(t, err, courses.Conflict)
		found, err := store.FindAttempt(ctx, sam, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if found.Result == nil || found.Result.Score != 56.67 || found.SubmittedAt == nil || !found.SubmittedAt.Equal(clock.Now().Add(-time.Minute)) {
			t.Errorf("after a second submit: got result %+v submitted at %v, want 56.67 submitted a minute ago", found.Result, found.SubmittedAt)
		}
		if _, ok := found.Answers["q5"]; ok {
			t.Errorf("answers changed after submission: %v", found.Answers)
		}
	})
	t.Run("ErrInvalidLeavesItOpen", func(t *testing.T) {
		a, _ := MustStart(t, store, sam, "lab.mixed")
		_, err := store.SubmitAttempt(ctx, sam, a.ID, courses.Answers{"q1": {"x"}})
		wantFields(t, err, "answers.q1")
		res, err := store.SubmitAttempt(ctx, sam, a.ID, courses.Answers{"q1": {"b"}, "q2": {"a", "c"}, "q3": {"true"}, "q4": {"a", "b", "c", "d"}, "q5": {"a"}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Score != 100 || !res.Passed {
			t.Errorf("got %+v, want 100, passed", res)
		}
	})
	t.Run("ReviewHidden", func(t *testing.T) {
		a, _ := MustStart(t, store, sam, "lab.hidden")
		res, err := store.SubmitAttempt(ctx, sam, a.ID, courses.Answers{"q1": {"a"}})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Passed || res.Review != nil {
			t.Errorf("got passed %v, review %+v, want passed and no review", res.Passed, res.Review)
		}
		found, err := store.FindAttempt(ctx, sam, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(found)
		if keys := jsonKeys(t, b); keys["correct_answer"] || keys["feedback"] {
			t.Errorf("a quiz without review shows answers: %s", b)
		}
	})
}

// Another person's attempt, or an id that is not one, is not found, whatever is asked of it.
func TestAttemptOwner(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, _, sam, priya, noah := MustQuizLab(t)
	a, _ := MustStart(t, store, sam, "lab.mixed")
	tests := []struct {
		name string
		p    *courses.Principal
		id   string
	}{
		{"SameOrganisation", priya, a.ID},
		{"OtherOrganisation", noah, a.ID},
		{"NotAUUID", sam, "not-a-uuid"},
		{"NoSuchAttempt", sam, "00000000-0000-4000-8000-000000000000"},
		{"Empty", sam, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := store.FindAttempt(ctx, tt.p, tt.id)
			wantCode(t, err, courses.NotFound)
			_, err = store.SaveAnswers(ctx, tt.p, tt.id, courses.Answers{"q1": {"a"}})
			wantCode(t, err, courses.NotFound)
			_, err = store.SubmitAttempt(ctx, tt.p, tt.id, courses.Answers{"q1": {"a"}})
			wantCode(t, err, courses.NotFound)
		})
	}
	got, err := store.FindAttempt(ctx, sam, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.SubmittedAt != nil || len(got.Answers) != 0 {
		t.Errorf("others changed the attempt: submitted %v, answers %v", got.SubmittedAt, got.Answers)
	}
	if hist, err := store.FindAttempts(ctx, priya, "lab.mixed"); err != nil || len(hist) != 0 {
		t.Errorf("priya's history: got %v, %v, want none", hist, err)
	}
}

func TestTimedAttempt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("GradedAtDeadline", func(t *testing.T) {
		t.Parallel()
		store, clock, sam, _, _ := MustQuizLab(t)
		start := clock.Now()
		a, _ := MustStart(t, store, sam, "lab.timed")
		if a.DeadlineAt == nil || !a.DeadlineAt.Equal(start.Add(10*time.Minute)) || a.Quiz.TimeLimitMinutes != 10 {
			t.Fatalf("deadline: got %v (limit %d), want %v", a.DeadlineAt, a.Quiz.TimeLimitMinutes, start.Add(10*time.Minute))
		}
		clock.Advance(9 * time.Minute)
		if _, err := store.SaveAnswers(ctx, sam, a.ID, courses.Answers{"q1": {"a"}}); err != nil {
			t.Fatalf("save before the deadline: %v", err)
		}
		clock.Advance(2 * time.Minute)
		got, err := store.FindAttempt(ctx, sam, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.SubmittedAt == nil || got.Result == nil || !got.Result.TimedOut || got.Result.Score != 50 || got.Result.Passed {
			t.Fatalf("after the deadline: got submitted %v, result %+v, want graded, timed out, 50", got.SubmittedAt, got.Result)
		}
		if diff := cmp.Diff(courses.Answers{"q1": {"a"}}, got.Answers); diff != "" {
			t.Errorf("answers (-want +got):\n%s", diff)
		}
		_, err = store.SaveAnswers(ctx, sam, a.ID, courses.Answers{"q2": {"a"}})
		wantCode(t, err, courses.Conflict)
		_, err = store.SubmitAttempt(ctx, sam, a.ID, courses.Answers{"q2": {"a"}})
		wantCode(t, err, courses.Conflict)
		if n := MustCount(t, store, `SELECT count(*) FROM quiz_attempts WHERE submitted_at IS NOT NULL`); n != 1 {
			t.Errorf("graded attempts: got %d, want 1", n)
		}
	})
	t.Run("LateSaveGradesWhatWasSaved", func(t *testing.T) {
		t.Parallel()
		store, clock, sam, _, _ := MustQuizLab(t)
		a, _ := MustStart(t, store, sam, "lab.timed")
		if _, err := store.SaveAnswers(ctx, sam, a.ID, courses.Answers{"q1": {"a"}}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(10 * time.Minute) // the deadline itself is too late
		_, err := store.SaveAnswers(ctx, sam, a.ID, courses.Answers{"q2": {"a"}})
		wantCode(t, err, courses.Conflict)
		got, err := store.FindAttempt(ctx, sam, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Result == nil || !got.Result.TimedOut || got.Result.Score != 50 || !got.SubmittedAt.Equal(clock.Now()) {
			t.Errorf("got result %+v submitted %v, want timed out, 50, now", got.Result, got.SubmittedAt)
		}
		if diff := cmp.Diff(courses.Answers{"q1": {"a"}}, got.Answers); diff != "" {
			t.Errorf("answers (-want +got):\n%s", diff)
		}
	})
	t.Run("LateSubmitIgnoresNewAnswers", func(t *testing.T) {
		t.Parallel()
		store, clock, sam, _, _ := MustQuizLab(t)
		a, _ := MustStart(t, store, sam, "lab.timed")
		clock.Advance(11 * time.Minute)
		res, err := store.SubmitAttempt(ctx, sam, a.ID, courses.Answers{"q1": {"a"}, "q2": {"a"}})
		if err != nil {
			t.Fatal(err)
		}
		if !res.TimedOut || res.Score != 0 {
			t.Errorf("got %+v, want timed out with nothing saved, 0", res)
		}
	})
	t.Run("StartAfterDeadline", func(t *testing.T) {
		t.Parallel()
		store, clock, sam, _, _ := MustQuizLab(t)
		first, _ := MustStart(t, store, sam, "lab.timed")
		clock.Advance(time.Hour)
		second, started := MustStart(t, store, sam, "lab.timed")
		if !started || second.ID == first.ID || second.Number != 2 {
			t.Errorf("got %s (started %v, number %d), want a new attempt 2", second.ID, started, second.Number)
		}
		got, err := store.FindAttempt(ctx, sam, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Result == nil || !got.Result.TimedOut {
			t.Errorf("first attempt: got %+v, want graded as timed out", got.Result)
		}
	})
	t.Run("Untimed", func(t *testing.T) {
		t.Parallel()
		store, clock, sam, _, _ := MustQuizLab(t)
		a, _ := MustStart(t, store, sam, "lab.mixed")
		clock.Advance(30 * 24 * time.Hour)
		if _, err := store.SaveAnswers(ctx, sam, a.ID, courses.Answers{"q1": {"b"}}); err != nil {
			t.Errorf("save a month later: %v", err)
		}
	})
}

func TestSetExtraTime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, clock, sam, _, noah := MustQuizLab(t)
	admin := MustLearner(t, store, sam.OrgID(), "admin@riverside.example", "org_admin")

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, pct := range []int{301, -1, 1000} {
			err := store.SetExtraTime(ctx, admin, sam.Person.ID, pct)
			wantFields(t, err, "percent")
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		for name, id := range map[string]string{"OtherOrganisation": noah.Person.ID, "NotAUUID": "nope", "NoSuchPerson": "00000000-0000-4000-8000-000000000000"} {
			if err := store.SetExtraTime(ctx, admin, id, 50); courses.ErrorCode(err) != courses.NotFound {
				t.Errorf("%s: got %v, want not_found", name, err)
			}
		}
		if n := MustCount(t, store, `SELECT count(*) FROM quiz_accommodations`); n != 0 {
			t.Errorf("accommodations: got %d, want 0", n)
		}
	})
	t.Run("Deadline", func(t *testing.T) {
		tests := []struct {
			percent int
			want    time.Duration
		}{
			{50, 15 * time.Minute},
			{300, 40 * time.Minute},
			{0, 10 * time.Minute},
		}
		for _, tt := range tests {
			t.Run(fmt.Sprint(tt.percent), func(t *testing.T) {
				if err := store.SetExtraTime(ctx, admin, sam.Person.ID, tt.percent); err != nil {
					t.Fatal(err)
				}
				start := clock.Now()
				a, started := MustStart(t, store, sam, "lab.timed")
				if !started || a.DeadlineAt == nil || !a.DeadlineAt.Equal(start.Add(tt.want)) {
					t.Fatalf("deadline: got %v (started %v), want %v", a.DeadlineAt, started, start.Add(tt.want))
				}
				clock.Advance(tt.want - time.Second)
				if _, err := store.SaveAnswers(ctx, sam, a.ID, courses.Answers{"q1": {"a"}}); err != nil {
					t.Fatalf("save a second before the deadline: %v", err)
				}
				clock.Advance(time.Second)
				got, err := store.FindAttempt(ctx, sam, a.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.Result == nil || !got.Result.TimedOut {
					t.Errorf("at the deadline: got %+v, want graded as timed out", got.Result)
				}
			})
		}
		if n := MustCount(t, store, `SELECT count(*) FROM quiz_accommodations`); n != 1 {
			t.Errorf("accommodations: got %d, want 1", n)
		}
	})
}

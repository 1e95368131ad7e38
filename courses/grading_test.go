package courses_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"peerpath/courses"
	"peerpath/courses/content"
)

func opts(ids ...string) []courses.Option {
	out := make([]courses.Option, len(ids))
	for i, id := range ids {
		out[i] = courses.Option{ID: id, Text: id}
	}
	return out
}

func TestCredit(t *testing.T) {
	single := courses.Question{ID: "q", Kind: courses.KindSingle, Options: opts("a", "b", "c"), Answer: []string{"b"}}
	scenario := single
	scenario.Kind = courses.KindScenario
	tf := courses.Question{ID: "q", Kind: courses.KindTrueFalse, Options: opts("true", "false"), Answer: []string{"false"}}
	multiple := courses.Question{ID: "q", Kind: courses.KindMultiple, Options: opts("a", "b", "c", "d"), Answer: []string{"a", "c"}}
	ordering := courses.Question{ID: "q", Kind: courses.KindOrdering, Options: opts("a", "b", "c", "d"), Answer: []string{"a", "b", "c", "d"}}
	tests := []struct {
		name   string
		q      courses.Question
		picked []string
		want   float64
	}{
		{"SingleRight", single, []string{"b"}, 1},
		{"SingleWrong", single, []string{"a"}, 0},
		{"SingleUnanswered", single, nil, 0},
		{"ScenarioRight", scenario, []string{"b"}, 1},
		{"TrueFalseRight", tf, []string{"false"}, 1},
		{"TrueFalseWrong", tf, []string{"true"}, 0},
		{"MultipleAll", multiple, []string{"c", "a"}, 1},
		{"MultipleHalf", multiple, []string{"a"}, 0.5},
		{"MultipleOneRightOneWrong", multiple, []string{"a", "b"}, 0},
		{"MultipleEverything", multiple, []string{"a", "b", "c", "d"}, 0},
		{"MultipleOnlyWrong", multiple, []string{"b", "d"}, 0},
		{"MultipleUnanswered", multiple, nil, 0},
		{"MultiplePickedTwiceCountsOnce", multiple, []string{"a", "a", "a", "c"}, 1},
		{"OrderingRight", ordering, []string{"a", "b", "c", "d"}, 1},
		{"OrderingLastTwoSwapped", ordering, []string{"a", "b", "d", "c"}, 1.0 / 3},
		{"OrderingShiftedKeepsPairs", ordering, []string{"d", "a", "b", "c"}, 2.0 / 3},
		{"OrderingReversed", ordering, []string{"d", "c", "b", "a"}, 0},
		{"OrderingIncomplete", ordering, []string{"a", "b"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := courses.Credit(&tt.q, tt.picked); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestGradeQuiz(t *testing.T) {
	q := &courses.Quiz{PassMark: 80, Questions: []courses.Question{
		{ID: "q1", Kind: courses.KindSingle, Options: opts("a", "b"), Answer: []string{"a"}, Feedback: "f1"},
		{ID: "q2", Kind: courses.KindMultiple, Options: opts("a", "b", "c"), Answer: []string{"a", "b"}, Feedback: "f2"},
		{ID: "q3", Kind: courses.KindTrueFalse, Options: opts("true", "false"), Answer: []string{"true"}, Feedback: "f3"},
	}}
	tests := []struct {
		name       string
		answers    courses.Answers
		wantScore  float64
		wantPassed bool
	}{
		{"AllRight", courses.Answers{"q1": {"a"}, "q2": {"a", "b"}, "q3": {"true"}}, 100, true},
		{"Partial", courses.Answers{"q1": {"a"}, "q2": {"a"}, "q3": {"true"}}, 83.33, true},
		{"BelowPassMark", courses.Answers{"q1": {"a"}, "q2": {"c"}, "q3": {"true"}}, 66.67, false},
		{"Nothing", nil, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := courses.GradeQuiz(q, tt.answers)
			if g.Score != tt.wantScore || g.Passed != tt.wantPassed {
				t.Errorf("got %v passed=%v, want %v passed=%v", g.Score, g.Passed, tt.wantScore, tt.wantPassed)
			}
			if len(g.Review) != 3 || g.Review[1].Feedback != "f2" {
				t.Errorf("review: got %+v", g.Review)
			}
		})
	}
}

func TestCheckAnswers(t *testing.T) {
	q := &courses.Quiz{Questions: []courses.Question{
		{ID: "q1", Kind: courses.KindSingle, Options: opts("a", "b")},
		{ID: "q2", Kind: courses.KindOrdering, Options: opts("a", "b", "c")},
		{ID: "q3", Kind: courses.KindMultiple, Options: opts("a", "b", "c")},
	}}
	cases := []struct {
		name    string
		answers courses.Answers
		want    []string // fields at fault
	}{
		{"OK", courses.Answers{"q1": {"a"}, "q2": {"c", "a", "b"}, "q3": {"a", "c"}}, nil},
		{"Unanswered", courses.Answers{"q1": {}, "q2": nil}, nil},
		{"UnknownQuestion", courses.Answers{"q9": {"a"}}, []string{"answers.q9"}},
		{"UnknownOption", courses.Answers{"q1": {"z"}}, []string{"answers.q1"}},
		{"TwoForSingle", courses.Answers{"q1": {"a", "b"}}, []string{"answers.q1"}},
		{"OrderingIncomplete", courses.Answers{"q2": {"a", "b"}}, []string{"answers.q2"}},
		{"Duplicate", courses.Answers{"q3": {"a", "a"}}, []string{"answers.q3"}},
		{"Several", courses.Answers{"q9": {"a"}, "q1": {"z"}}, []string{"answers.q1", "answers.q9"}},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for k := range courses.CheckAnswers(q, tt.answers) {
				got = append(got, k)
			}
			if diff := cmp.Diff(tt.want, got, cmpSorted); diff != "" {
				t.Errorf("fields at fault (-want +got):\n%s", diff)
			}
		})
	}
}

var cmpSorted = cmp.Options{cmpopts.SortSlices(func(a, b string) bool { return a < b }), cmpopts.EquateEmpty()}

// FuzzGradeAnswers sends arbitrary submission bodies at the shipped quizzes, read the way the
// submit handler reads them, and checks what a trainee relies on: bad answers are refused naming
// the question, a score stays within 0–100 and agrees with the review, the same answers grade the
// same every time and after their round trip through the database, and a right answer never
// costs marks.
func FuzzGradeAnswers(f *testing.F) {
	var quizzes []*courses.Quiz
	for _, c := range MustLoad(f, content.Shipped) {
		for i := range c.Quizzes {
			quizzes = append(quizzes, &c.Quizzes[i])
		}
	}
	f.Add([]byte(`{"answers":{"q1":["c"],"q2":["a","b"],"q3":["false"],"q6":["b","d","a","c"]}}`), uint8(0))
	f.Fuzz(func(t *testing.T, body []byte, pick uint8) {
		quiz := quizzes[int(pick)%len(quizzes)]
		answers, err := decodeSubmission(body)
		if err != nil {
			checkDecodeError(t, body, err)
			return
		}
		fields := courses.CheckAnswers(quiz, answers)
		for k, m := range fields {
			qid, ok := strings.CutPrefix(k, "answers.")
			if _, sent := answers[qid]; !ok || !sent || m == "" {
				t.Fatalf("got field %q with message %q; want answers.<a question that was sent> with a message", k, m)
			}
		}
		if diff := cmp.Diff(fields, courses.CheckAnswers(quiz, answers)); diff != "" {
			t.Fatalf("the same answers checked differently (-first +second):\n%s", diff)
		}
		// The store never grades answers it refused, but grading must keep its promises anyway.
		checkGrade(t, quiz, answers)
		if len(fields) > 0 {
			return
		}
		// The store saves the answers as JSON and grades what it reads back.
		b, err := json.Marshal(answers)
		if err != nil {
			t.Fatal(err)
		}
		var saved courses.Answers
		if err := json.Unmarshal(b, &saved); err != nil {
			t.Fatalf("saved answers %s do not read back: %v", b, err)
		}
		if diff := cmp.Diff(courses.GradeQuiz(quiz, answers), courses.GradeQuiz(quiz, saved)); diff != "" {
			t.Fatalf("saved answers grade differently (-sent +saved):\n%s", diff)
		}
		// Putting right one question at a time never lowers the score, and ends at full marks.
		fixed := courses.Answers{}
		for k, v := range saved {
			fixed[k] = v
		}
		prev := courses.GradeQuiz(quiz, fixed).Score
		for i, q := range quiz.Questions {
			fixed[q.ID] = q.Answer
			g := courses.GradeQuiz(quiz, fixed)
			if g.Score < prev || !g.Review[i].Correct {
				t.Fatalf("answering %s right: got score %v (correct %v), want at least %v (correct)", q.ID, g.Score, g.Review[i].Correct, prev)
			}
			prev = g.Score
		}
		if prev != 100 {
			t.Fatalf("every answer right: got %v, want 100", prev)
		}
	})
}

// decodeSubmission reads a submit body as the handler does: no body means no new answers, and
// otherwise Gin's JSON binding, which is encoding/json reading the first value, ignoring unknown
// keys.
func decodeSubmission(body []byte) (courses.Answers, error) {
	var req struct {
		Answers courses.Answers `json:"answers"`
	}
	if len(body) == 0 {
		return nil, nil
	}
	err := json.NewDecoder(bytes.NewReader(body)).Decode(&req)
	return req.Answers, err
}

// checkDecodeError fails unless err is one the handler can explain: the questions whose answers
// are not lists of option ids, "answers" when it is not an object, or a body that is not JSON or
// not an object at all.
func checkDecodeError(tb testing.TB, body []byte, err error) {
	tb.Helper()
	var (
		domain *courses.Error
		typ    *json.UnmarshalTypeError
		syntax *json.SyntaxError
	)
	switch {
	case errors.As(err, &domain):
		if domain.Code != courses.Invalid || len(domain.Fields) == 0 {
			tb.Fatalf("got %v, want an invalid error naming fields", err)
		}
		for k, m := range domain.Fields {
			if !strings.HasPrefix(k, "answers.") || m == "" {
				tb.Fatalf("got field %q with message %q, want answers.<question> with a message", k, m)
			}
		}
	case errors.As(err, &typ):
		isObject := bytes.HasPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("{"))
		if typ.Field != "answers" && (typ.Field != "" || isObject) {
			tb.Fatalf("got type error on %q (%v), want one on answers or on a body that is not an object", typ.Field, err)
		}
	case errors.As(err, &syntax), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
	default:
		tb.Fatalf("got %T %v, want an error the handler explains", err, err)
	}
}

// checkGrade fails unless grading answers keeps its promises: a score from 0 to 100 that is the
// mean credit of a review of every question, credits from 0 to 1, a pass exactly at the pass
// mark, and the same grade every time.
func checkGrade(tb testing.TB, quiz *courses.Quiz, a courses.Answers) {
	tb.Helper()
	g := courses.GradeQuiz(quiz, a)
	if !(g.Score >= 0 && g.Score <= 100) {
		tb.Fatalf("got score %v, want 0 to 100", g.Score)
	}
	if g.Passed != (g.Score >= float64(quiz.PassMark)) {
		tb.Fatalf("got passed %v with score %v and pass mark %d", g.Passed, g.Score, quiz.PassMark)
	}
	if len(g.Review) != len(quiz.Questions) {
		tb.Fatalf("got %d reviews, want %d", len(g.Review), len(quiz.Questions))
	}
	sum := 0.0
	for i, r := range g.Review {
		if r.QuestionID != quiz.Questions[i].ID || !(r.Credit >= 0 && r.Credit <= 1) || r.Correct && r.Credit != 1 {
			tb.Fatalf("review %d: got %+v, want question %s with credit 0 to 1", i, r, quiz.Questions[i].ID)
		}
		sum += r.Credit
	}
	// Credits in the review are rounded to hundredths, so their mean may be off by half a point.
	if mean := sum / float64(len(g.Review)) * 100; math.Abs(g.Score-mean) > 0.51 {
		tb.Fatalf("got score %v, want the mean credit %v", g.Score, mean)
	}
	if diff := cmp.Diff(g, courses.GradeQuiz(quiz, a)); diff != "" {
		tb.Fatalf("the same answers graded differently (-first +second):\n%s", diff)
	}
}

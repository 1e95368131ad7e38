package courses_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"peerpath/courses"
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

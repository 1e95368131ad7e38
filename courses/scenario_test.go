package courses_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
	"peerpath/migrations/testdb"
)

// gifts is a shipped Boundaries scenario: n1 → (c1) n2 → (c3) n4 → (c1) the end; n1 → (c2) n3 →
// an ending.
const gifts = "boundaries-in-peer-work.gifts-and-goodbyes"

// step is the part of a recorded step a test checks.
type step struct{ Node, Choice, Quality string }

func stepsOf(ss []courses.ScenarioStep) []step {
	out := []step{}
	for _, s := range ss {
		out = append(out, step{s.Node, s.Choice, s.Quality})
	}
	return out
}

// MustChoose makes a choice in a scenario.
func MustChoose(tb testing.TB, store *courses.Store, p *courses.Principal, id, node, choice string) *courses.ChoiceResult {
	tb.Helper()
	res, err := store.ChooseInScenario(context.Background(), p, id, node, choice)
	if err != nil {
		tb.Fatalf("choose %s at %s: %v", choice, node, err)
	}
	return res
}

func TestScenario(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, clock := MustStore(t)
	org := MustOrg(t, store, "riverside")
	sam := MustLearner(t, store, org.ID, "sam@riverside.example")
	MustShipped(t, store)

	t.Run("NotPlayed", func(t *testing.T) {
		v, err := store.FindScenario(ctx, sam, gifts)
		if err != nil {
			t.Fatal(err)
		}
		if v.Run != nil || v.Start.ID != "n1" || len(v.Start.Choices) != 3 || v.ContentWarning == "" || v.Course.Slug != "boundaries-in-peer-work" {
			t.Errorf("got run %+v, start %s with %d choices, warning %q, course %+v; want no run, n1 with 3 choices, a warning, Boundaries",
				v.Run, v.Start.ID, len(v.Start.Choices), v.ContentWarning, v.Course)
		}
		b, _ := json.Marshal(v)
		if keys := jsonKeys(t, b); keys["quality"] || keys["consequence"] || keys["feedback"] || keys["next"] {
			t.Errorf("an unplayed scenario gives away its choices: %s", b)
		}
	})
	t.Run("PlayToAnEnd", func(t *testing.T) {
		res := MustChoose(t, store, sam, gifts, "n1", "c1")
		if res.Finished || res.Next == nil || res.Next.ID != "n2" || res.Step.Quality != "best" || res.Step.Consequence == "" || res.Step.Feedback == "" {
			t.Fatalf("n1/c1: got %+v, want best, next n2", res)
		}
		runID := res.RunID
		clock.Advance(time.Minute)
		res = MustChoose(t, store, sam, gifts, "n2", "c3")
		if res.Finished || res.Next == nil || res.Next.ID != "n4" || res.RunID != runID {
			t.Fatalf("n2/c3: got %+v, want next n4 in run %s", res, runID)
		}
		v, err := store.FindScenario(ctx, sam, gifts)
		if err != nil {
			t.Fatal(err)
		}
		if v.Run == nil || v.Run.Finished || v.Run.Current == nil || v.Run.Current.ID != "n4" {
			t.Fatalf("mid-way: got run %+v, want it at n4", v.Run)
		}
		res = MustChoose(t, store, sam, gifts, "n4", "c1")
		if !res.Finished || res.Next != nil || res.RunID != runID {
			t.Fatalf("n4/c1: got %+v, want the end", res)
		}
		v, err = store.FindScenario(ctx, sam, gifts)
		if err != nil {
			t.Fatal(err)
		}
		if v.Run == nil || !v.Run.Finished || v.Run.Current != nil || v.Run.ID != runID {
			t.Fatalf("at the end: got run %+v, want run %s finished", v.Run, runID)
		}
		want := []step{{"n1", "c1", "best"}, {"n2", "c3", "poor"}, {"n4", "c1", "best"}}
		if diff := cmp.Diff(want, stepsOf(v.Run.Path)); diff != "" {
			t.Errorf("path (-want +got):\n%s", diff)
		}
		for _, s := range v.Run.Path {
			if s.ChoiceText == "" || s.Consequence == "" || s.Feedback == "" {
				t.Errorf("step %+v: want choice text, consequence and feedback", s)
			}
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		// The run has finished: only the start begins again.
		_, err := store.ChooseInScenario(ctx, sam, gifts, "n2", "c1")
		wantCode(t, err, courses.Conflict)
		clock.Advance(time.Minute)
		MustChoose(t, store, sam, gifts, "n1", "c2") // now at n3
		for _, node := range []string{"n2", "n4"} {
			_, err := store.ChooseInScenario(ctx, sam, gifts, node, "c1")
			if courses.ErrorCode(err) != courses.Conflict {
				t.Errorf("choose at %s while at n3: got %v, want conflict", node, err)
			}
		}
		v, err := store.FindScenario(ctx, sam, gifts)
		if err != nil {
			t.Fatal(err)
		}
		if v.Run == nil || v.Run.Current == nil || v.Run.Current.ID != "n3" || len(v.Run.Path) != 1 {
			t.Errorf("after refused choices: got run %+v, want it still at n3 after one step", v.Run)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		tests := []struct{ name, node, choice, field string }{
			{"UnknownNode", "n9", "c1", "node"},
			{"EmptyNode", "", "c1", "node"},
			{"UnknownChoice", "n3", "c9", "choice"},
			{"UnknownChoiceAtStart", "n1", "c4", "choice"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := store.ChooseInScenario(ctx, sam, gifts, tt.node, tt.choice)
				wantFields(t, err, tt.field)
			})
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		for _, id := range []string{"boundaries-in-peer-work.nosuch", "nosuch.gifts-and-goodbyes", "gifts-and-goodbyes", "storytelling-with-purpose.gifts-and-goodbyes"} {
			_, err := store.FindScenario(ctx, sam, id)
			if courses.ErrorCode(err) != courses.NotFound {
				t.Errorf("find %q: got %v, want not_found", id, err)
			}
			_, err = store.ChooseInScenario(ctx, sam, id, "n1", "c1")
			if courses.ErrorCode(err) != courses.NotFound {
				t.Errorf("choose in %q: got %v, want not_found", id, err)
			}
		}
		_, err := store.FindScenarios(ctx, sam, "nosuch")
		wantCode(t, err, courses.NotFound)
	})
	t.Run("StartAgain", func(t *testing.T) {
		// Sam stands at n3 of an unfinished second run; choosing at the start begins a third.
		before := MustCount(t, store, `SELECT count(*) FROM scenario_runs`)
		clock.Advance(time.Minute)
		res := MustChoose(t, store, sam, gifts, "n1", "c3")
		if res.Next == nil || res.Next.ID != "n2" {
			t.Fatalf("got %+v, want next n2", res)
		}
		if n := MustCount(t, store, `SELECT count(*) FROM scenario_runs`); n != before+1 {
			t.Errorf("runs: got %d, want %d", n, before+1)
		}
		var paths []json.RawMessage
		if err := testdb.Owner(store.DB()).Select(&paths, `SELECT path FROM scenario_runs WHERE person_id = $1 ORDER BY started_at`, sam.Person.ID); err != nil {
			t.Fatal(err)
		}
		var got [][]step
		for _, p := range paths {
			var ss []courses.ScenarioStep
			if err := json.Unmarshal(p, &ss); err != nil {
				t.Fatal(err)
			}
			got = append(got, stepsOf(ss))
		}
		want := [][]step{
			{{"n1", "c1", "best"}, {"n2", "c3", "poor"}, {"n4", "c1", "best"}},
			{{"n1", "c2", "poor"}},
			{{"n1", "c3", "acceptable"}},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("recorded runs (-want +got):\n%s", diff)
		}
		v, err := store.FindScenario(ctx, sam, gifts)
		if err != nil {
			t.Fatal(err)
		}
		if v.Run == nil || v.Run.ID != res.RunID || v.Run.Current == nil || v.Run.Current.ID != "n2" {
			t.Errorf("current run: got %+v, want %s at n2", v.Run, res.RunID)
		}
		// The set-aside run can no longer be continued.
		_, err = store.ChooseInScenario(ctx, sam, gifts, "n3", "c1")
		wantCode(t, err, courses.Conflict)
	})
	t.Run("List", func(t *testing.T) {
		items, err := store.FindScenarios(ctx, sam, "boundaries-in-peer-work")
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string][2]int{}
		for _, it := range items {
			counts[it.ID] = [2]int{it.Runs, it.FinishedRuns}
			if it.Title == "" || it.Module == "" {
				t.Errorf("scenario %s: got title %q, module %q", it.ID, it.Title, it.Module)
			}
		}
		if len(items) != 4 || counts[gifts] != [2]int{3, 1} {
			t.Errorf("got %d scenarios with runs %v, want 4 and 3 runs of %s, 1 finished", len(items), counts, gifts)
		}
	})
	t.Run("OthersSeeNoRun", func(t *testing.T) {
		priya := MustLearner(t, store, org.ID, "priya@riverside.example")
		v, err := store.FindScenario(ctx, priya, gifts)
		if err != nil {
			t.Fatal(err)
		}
		if v.Run != nil {
			t.Errorf("priya sees run %+v, want none", v.Run)
		}
		// Nor can they continue Sam's run.
		_, err = store.ChooseInScenario(ctx, priya, gifts, "n2", "c1")
		wantCode(t, err, courses.Conflict)
	})
}

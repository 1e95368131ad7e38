package rooms_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
	"peerpath/server/rooms"
)

var phases = []rooms.SessionPhase{
	rooms.SessionScheduled, rooms.SessionLobby, rooms.SessionRunning, rooms.SessionDebrief, rooms.SessionEnded,
}

// outcome is the wanted error code for the trainer, the trainee in the group and the trainee in
// another group; "" is success.
type outcome [3]string

const (
	ok         = ""
	forbidden  = rooms.CodeForbidden
	wrongState = rooms.CodeInvalidState
)

// only returns the outcome per phase: o in the phases listed, invalid_state for all three in the
// others.
func only(o outcome, in ...rooms.SessionPhase) map[rooms.SessionPhase]outcome {
	m := make(map[rooms.SessionPhase]outcome)
	for _, p := range phases {
		m[p] = outcome{wrongState, wrongState, wrongState}
	}
	for _, p := range in {
		m[p] = o
	}
	return m
}

// trainerIn returns the outcome of a trainer-only intent: trainees are always forbidden, the
// trainer succeeds in the phases listed.
func trainerIn(in ...rooms.SessionPhase) map[rooms.SessionPhase]outcome {
	m := make(map[rooms.SessionPhase]outcome)
	for _, p := range phases {
		m[p] = outcome{wrongState, forbidden, forbidden}
	}
	for _, p := range in {
		m[p] = outcome{ok, forbidden, forbidden}
	}
	return m
}

func TestApply(t *testing.T) {
	lobby, running, debrief := rooms.SessionLobby, rooms.SessionRunning, rooms.SessionDebrief
	all := outcome{ok, ok, ok}
	tests := []struct {
		name string
		in   rooms.Intent
		// setup runs only in the running phase and returns the time to apply at.
		setup func(tb testing.TB, r *rooms.Room, now time.Time) time.Time
		want  map[rooms.SessionPhase]outcome
	}{
		{name: "Hello", in: intent(rooms.IntentHello, &rooms.HelloData{LastSeq: 3}),
			want: only(all, phases...)},
		{name: "Chat", in: intent(rooms.IntentChat, &rooms.ChatData{Text: "hi"}),
			want: only(all, lobby, running, debrief)},
		{name: "HandRaise", in: intent(rooms.IntentHandRaise, &rooms.HandRaiseData{}),
			want: only(all, lobby, running, debrief)},
		{name: "HandLowerOfC", in: intent(rooms.IntentHandLower, &rooms.HandLowerData{Participant: inGroup}),
			want: only(outcome{ok, ok, forbidden}, lobby, running, debrief)},
		{name: "PauseSignal", in: intent(rooms.IntentPauseSignal, &rooms.PauseSignalData{Reason: "upset"}),
			want: only(outcome{wrongState, ok, ok}, running)},
		{
			name: "FeedbackSubmitObserver",
			in: intent(rooms.IntentFeedbackSubmit, &rooms.FeedbackSubmitData{
				Scores: map[string]int{"R1": 3, "R2": 4}, Comment: "Good reflections.",
			}),
			setup: func(tb testing.TB, r *rooms.Room, now time.Time) time.Time {
				MustApply(tb, r, now, trainer, startRound("g1"))
				now = now.Add(600 * time.Second)
				r.Tick(now)
				return now
			},
			// A trainer must name the group the feedback is for.
			want: only(outcome{rooms.CodeInvalid, ok, wrongState}, running),
		},
		{name: "GroupsAssign", in: intent(rooms.IntentGroupsAssign, &rooms.GroupsAssignData{Auto: true}),
			want: trainerIn(lobby, running)},
		{name: "RoundStart", in: startRound(""), want: trainerIn(running)},
		{name: "RoundPause", in: intent(rooms.IntentRoundPause, &rooms.RoundTargetData{}),
			setup: started, want: trainerIn(running)},
		{name: "RoundResume", in: intent(rooms.IntentRoundResume, &rooms.RoundTargetData{Group: "g1"}),
			setup: func(tb testing.TB, r *rooms.Room, now time.Time) time.Time {
				now = started(tb, r, now)
				MustApply(tb, r, now, trainer, intent(rooms.IntentRoundPause, &rooms.RoundTargetData{}))
				return now
			},
			want: trainerIn(running)},
		{name: "RoundExtend", in: intent(rooms.IntentRoundExtend, &rooms.RoundExtendData{Seconds: 60}),
			setup: started, want: trainerIn(running)},
		{name: "RoundEnd", in: intent(rooms.IntentRoundEnd, &rooms.RoundTargetData{Group: "g2"}),
			setup: started, want: trainerIn(running)},
		{name: "RoundAdvance", in: intent(rooms.IntentRoundAdvance, &rooms.RoundTargetData{Group: "g1"}),
			setup: started, want: trainerIn(running)},
		{name: "RolesRotate", in: intent(rooms.IntentRolesRotate, &rooms.RoundTargetData{}),
			want: trainerIn(running)},
		{name: "Broadcast", in: intent(rooms.IntentBroadcast, &rooms.BroadcastData{Text: "Two minutes left"}),
			want: trainerIn(lobby, running, debrief)},
		{name: "SessionEnd", in: intent(rooms.IntentSessionEnd, &rooms.SessionEndData{}),
			want: trainerIn(lobby, running, debrief)},
		{name: "SessionStart", in: intent(rooms.IntentSessionStart, &rooms.SessionStartData{}),
			want: trainerIn(lobby)},
	}
	senders := [3]rooms.ParticipantID{trainer, inGroup, outGroup}
	for _, tt := range tests {
		for _, phase := range phases {
			for i, from := range senders {
				t.Run(tt.name+"/"+string(phase)+"/"+string(from), func(t *testing.T) {
					r, now := MustRoom(t, phase)
					if tt.setup != nil && phase == rooms.SessionRunning {
						now = tt.setup(t, r, now)
					}
					seq := r.Seq()
					outs, err := r.Apply(now, from, tt.in)
					if got, want := codeOf(err), tt.want[phase][i]; got != want {
						t.Fatalf("got %q (%v), want %q", got, err, want)
					}
					if err != nil {
						if len(outs) != 0 || r.Seq() != seq {
							t.Errorf("got %d events and seq %d after a refusal, want none and seq %d", len(outs), r.Seq(), seq)
						}
						return
					}
					for _, o := range outs {
						seq++
						if o.Event.Seq != seq {
							t.Errorf("got seq %d, want %d", o.Event.Seq, seq)
						}
					}
				})
			}
		}
	}
}

func started(tb testing.TB, r *rooms.Room, now time.Time) time.Time {
	MustApply(tb, r, now, trainer, startRound(""))
	return now
}

func codeOf(err error) string {
	if err == nil {
		return ok
	}
	return rooms.ErrorCode(err)
}

func TestApplyUnknownSender(t *testing.T) {
	r, now := MustRoom(t, rooms.SessionRunning)
	_, err := r.Apply(now, "stranger", intent(rooms.IntentChat, &rooms.ChatData{Text: "hi"}))
	if got, want := codeOf(err), rooms.CodeForbidden; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestApplyInvalid(t *testing.T) {
	tests := []struct {
		name string
		in   rooms.Intent
	}{
		{"DataOfOtherType", intent(rooms.IntentChat, &rooms.BroadcastData{Text: "x"})},
		{"NilData", intent(rooms.IntentChat, nil)},
		{"UnknownCard", intent(rooms.IntentRoundStart, &rooms.RoundStartData{CardID: "nope", PracticeSeconds: 600, FeedbackSeconds: 60})},
		{"UnknownGroup", intent(rooms.IntentRolesRotate, &rooms.RoundTargetData{Group: "g9"})},
		{"GroupTooBig", intent(rooms.IntentGroupsAssign, &rooms.GroupsAssignData{Groups: [][]rooms.ParticipantID{{"a", "b", "c", "d", "e"}}})},
		{"TwiceInGroups", intent(rooms.IntentGroupsAssign, &rooms.GroupsAssignData{Groups: [][]rooms.ParticipantID{{"a", "b"}, {"a", "c"}}})},
		{"TrainerInGroup", intent(rooms.IntentGroupsAssign, &rooms.GroupsAssignData{Groups: [][]rooms.ParticipantID{{"a", "t"}}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, now := MustRoom(t, rooms.SessionRunning)
			_, err := r.Apply(now, trainer, tt.in)
			if got, want := codeOf(err), rooms.CodeInvalid; got != want {
				t.Errorf("got %q (%v), want %q", got, err, want)
			}
		})
	}
}

func TestFeedbackOrder(t *testing.T) {
	r, now := MustRoom(t, rooms.SessionRunning)
	MustApply(t, r, now, trainer, startRound("g1"))
	// g1: a speaker, b peer worker, c observer.
	steps := []struct {
		at     time.Duration
		from   rooms.ParticipantID
		scores map[string]int
		want   string
	}{
		{599 * time.Second, "c", map[string]int{"R1": 2, "R2": 2}, wrongState},
		{600 * time.Second, "b", nil, forbidden},
		{600 * time.Second, trainer, nil, forbidden},
		{600 * time.Second, "c", map[string]int{"R1": 2}, rooms.CodeInvalid},
		{600 * time.Second, "c", map[string]int{"R1": 2, "R2": 2, "R9": 1}, rooms.CodeInvalid},
		{600 * time.Second, "c", map[string]int{"R1": 2, "R2": 3}, ok},
		{610 * time.Second, "c", map[string]int{"R1": 2, "R2": 3}, rooms.CodeConflict},
		{660 * time.Second, "b", map[string]int{"R1": 2, "R2": 3}, rooms.CodeInvalid},
		{660 * time.Second, "b", nil, ok},
		{720 * time.Second, "a", nil, forbidden},
		{720 * time.Second, trainer, nil, ok},
		{780 * time.Second, "a", nil, ok},
		{840 * time.Second, "a", nil, wrongState},
	}
	for _, s := range steps {
		r.Tick(now.Add(s.at))
		data := &rooms.FeedbackSubmitData{Scores: s.scores, Comment: "comment"}
		if s.from == trainer {
			data.Group = "g1"
		}
		_, err := r.Apply(now.Add(s.at), s.from, intent(rooms.IntentFeedbackSubmit, data))
		if got := codeOf(err); got != s.want {
			t.Errorf("at %v from %s: got %q (%v), want %q", s.at, s.from, got, err, s.want)
		}
	}
	var got []rooms.RoundPhase
	for _, f := range r.Feedback() {
		got = append(got, f.Phase)
	}
	want := []rooms.RoundPhase{rooms.RoundFeedbackObserver, rooms.RoundFeedbackSelf, rooms.RoundFeedbackTrainer, rooms.RoundFeedbackSpeaker}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("feedback phases (-want +got):\n%s", diff)
	}
}

func TestSessionLifecycle(t *testing.T) {
	tests := []struct {
		at   time.Time
		want rooms.SessionPhase
	}{
		{start.Add(-time.Hour), rooms.SessionScheduled},
		{start.Add(-rooms.LobbyOpens - time.Second), rooms.SessionScheduled},
		{start.Add(-rooms.LobbyOpens), rooms.SessionLobby},
		{start.Add(-time.Second), rooms.SessionLobby},
		{start, rooms.SessionRunning},
		{start.Add(time.Hour), rooms.SessionRunning},
	}
	for _, tt := range tests {
		t.Run(tt.at.Format(time.TimeOnly), func(t *testing.T) {
			r, _ := MustRoom(t, rooms.SessionScheduled)
			r.Tick(tt.at)
			if got := r.Phase(); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
	t.Run("JoinBeforeLobby", func(t *testing.T) {
		r, now := MustRoom(t, rooms.SessionScheduled)
		_, err := r.Join(now, "a")
		if got, want := codeOf(err), wrongState; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("EndRunningEndsRounds", func(t *testing.T) {
		r, now := MustRoom(t, rooms.SessionRunning)
		MustApply(t, r, now, trainer, startRound(""))
		outs := MustApply(t, r, now, trainer, intent(rooms.IntentSessionEnd, &rooms.SessionEndData{}))
		var got []rooms.EventType
		for _, o := range outs {
			got = append(got, o.Event.Type)
		}
		want := []rooms.EventType{rooms.EventRoundEnded, rooms.EventRoundEnded, rooms.EventSessionEnded}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
		if got, want := r.Phase(), rooms.SessionDebrief; got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	})
}

func TestTick(t *testing.T) {
	tests := []struct {
		after      time.Duration
		wantPhase  rooms.RoundPhase
		wantEndsAt time.Duration
		wantEvents int
	}{
		{0, rooms.RoundPractice, 600 * time.Second, 0},
		{599 * time.Second, rooms.RoundPractice, 600 * time.Second, 0},
		{600 * time.Second, rooms.RoundFeedbackObserver, 660 * time.Second, 1},
		{659 * time.Second, rooms.RoundFeedbackObserver, 660 * time.Second, 1},
		{660 * time.Second, rooms.RoundFeedbackSelf, 720 * time.Second, 2},
		{720 * time.Second, rooms.RoundFeedbackTrainer, 780 * time.Second, 3},
		{780 * time.Second, rooms.RoundFeedbackSpeaker, 840 * time.Second, 4},
		{840 * time.Second, rooms.RoundDone, 840 * time.Second, 5},
		{10 * time.Hour, rooms.RoundDone, 840 * time.Second, 5},
	}
	for _, tt := range tests {
		t.Run(tt.after.String(), func(t *testing.T) {
			r, now := MustRoom(t, rooms.SessionRunning)
			MustApply(t, r, now, trainer, startRound("g1"))
			// One tick that is late must give the same result as ticks on time.
			outs := r.Tick(now.Add(tt.after))
			g := MustGroup(t, r, "g1")
			if got := g.Round.Phase; got != tt.wantPhase {
				t.Errorf("got phase %s, want %s", got, tt.wantPhase)
			}
			if got, want := g.Round.EndsAt, now.Add(tt.wantEndsAt); !got.Equal(want) {
				t.Errorf("got ends_at %v, want %v", got, want)
			}
			if got := len(outs); got != tt.wantEvents {
				t.Errorf("got %d events, want %d", got, tt.wantEvents)
			}
		})
	}
}

func TestPauseResumeExtend(t *testing.T) {
	r, now := MustRoom(t, rooms.SessionRunning)
	MustApply(t, r, now, trainer, startRound("g1"))
	at := func(d time.Duration) time.Time { return now.Add(d) }

	MustApply(t, r, at(100*time.Second), trainer, intent(rooms.IntentRoundPause, &rooms.RoundTargetData{Group: "g1"}))
	if got, want := MustGroup(t, r, "g1").Round.RemainingMS, int64(500_000); got != want {
		t.Errorf("paused: got remaining %d ms, want %d", got, want)
	}
	// The clock stops while paused.
	if outs := r.Tick(at(time.Hour)); len(outs) != 0 {
		t.Errorf("paused tick: got %d events, want 0", len(outs))
	}
	MustApply(t, r, at(time.Hour), trainer, intent(rooms.IntentRoundExtend, &rooms.RoundExtendData{Seconds: 30}))
	if got, want := MustGroup(t, r, "g1").Round.RemainingMS, int64(530_000); got != want {
		t.Errorf("extended while paused: got remaining %d ms, want %d", got, want)
	}
	MustApply(t, r, at(time.Hour), trainer, intent(rooms.IntentRoundResume, &rooms.RoundTargetData{}))
	g := MustGroup(t, r, "g1")
	if got, want := g.Round.EndsAt, at(time.Hour+530*time.Second); !got.Equal(want) || g.Round.Paused {
		t.Errorf("resumed: got ends_at %v paused %v, want %v not paused", got, g.Round.Paused, want)
	}
	MustApply(t, r, at(time.Hour), trainer, intent(rooms.IntentRoundExtend, &rooms.RoundExtendData{Seconds: 120}))
	if got, want := MustGroup(t, r, "g1").Round.EndsAt, at(time.Hour+650*time.Second); !got.Equal(want) {
		t.Errorf("extended: got ends_at %v, want %v", got, want)
	}
	r.Tick(at(time.Hour + 649*time.Second))
	if got, want := MustGroup(t, r, "g1").Round.Phase, rooms.RoundPractice; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	r.Tick(at(time.Hour + 650*time.Second))
	if got, want := MustGroup(t, r, "g1").Round.Phase, rooms.RoundFeedbackObserver; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestPauseSignal(t *testing.T) {
	r, now := MustRoom(t, rooms.SessionRunning)
	MustApply(t, r, now, trainer, startRound(""))
	outs := MustApply(t, r, now.Add(time.Minute), "e", intent(rooms.IntentPauseSignal, &rooms.PauseSignalData{Reason: "too close to home"}))
	var got []rooms.EventType
	for _, o := range outs {
		got = append(got, o.Event.Type)
		if o.To.Kind != rooms.AudienceGroup || o.To.Group != "g2" {
			t.Errorf("got audience %+v, want group g2", o.To)
		}
	}
	if diff := cmp.Diff([]rooms.EventType{rooms.EventRoundPaused, rooms.EventPauseSignal}, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if !MustGroup(t, r, "g2").Round.Paused || MustGroup(t, r, "g1").Round.Paused {
		t.Errorf("got g2 paused %v, g1 paused %v, want only g2", MustGroup(t, r, "g2").Round.Paused, MustGroup(t, r, "g1").Round.Paused)
	}
	if !contains(r.Recipients(outs[1].To), trainer) {
		t.Errorf("got recipients %v, want the trainer among them", r.Recipients(outs[1].To))
	}
	if got := len(r.PauseSignals()); got != 1 {
		t.Errorf("got %d pause signals, want 1", got)
	}
}

func contains(ids []rooms.ParticipantID, id rooms.ParticipantID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func TestRecipients(t *testing.T) {
	r, _ := MustRoom(t, rooms.SessionRunning)
	tests := []struct {
		name string
		to   rooms.Audience
		want []rooms.ParticipantID
	}{
		{"Group", rooms.Audience{Kind: rooms.AudienceGroup, Group: "g1"}, []rooms.ParticipantID{"t", "a", "b", "c"}},
		{"Trainers", rooms.Audience{Kind: rooms.AudienceTrainers}, []rooms.ParticipantID{"t"}},
		{"Participant", rooms.Audience{Kind: rooms.AudienceParticipant, Participant: "e"}, []rooms.ParticipantID{"e"}},
		{"All", rooms.Audience{Kind: rooms.AudienceAll}, append([]rooms.ParticipantID{"t"}, trainees...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, r.Recipients(tt.to)); diff != "" {
				t.Errorf("recipients (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSnapshotBriefs checks, for every seat in every rotation and for people with no seat, that
// a snapshot and the personal view carry only the participant's own brief; the trainer gets the
// brief of the seat they play in the pair.
func TestSnapshotBriefs(t *testing.T) {
	r, now := MustRoom(t, rooms.SessionRunning)
	MustApply(t, r, now, trainer, intent(rooms.IntentGroupsAssign, &rooms.GroupsAssignData{
		Groups: [][]rooms.ParticipantID{{"a", "b", "c"}, {"d", "e", "f", "g"}, {"h", "i"}},
	}))
	seen := make(map[courses.Seat]bool)
	for rotation := range 4 {
		MustApply(t, r, now, trainer, intent(rooms.IntentRoundStart, &rooms.RoundStartData{CardID: testCard.ID, PracticeSeconds: 60, FeedbackSeconds: 30}))
		for _, id := range append([]rooms.ParticipantID{trainer}, trainees...) {
			s := r.Snapshot(id)
			b, err := json.Marshal([]any{s, r.You(id)})
			if err != nil {
				t.Fatal(err)
			}
			mine := s.Seat
			if id == trainer {
				mine = s.TrainerCards["g3"].Seat
			}
			for seat, brief := range testCard.Briefs {
				if got, want := strings.Contains(string(b), brief), seat == mine; got != want {
					t.Errorf("rotation %d, %s in seat %q: got brief of %s included %v, want %v", rotation, id, mine, seat, got, want)
				}
			}
			if s.Seat != "" {
				seen[s.Seat] = true
				if s.Card == nil || s.Card.Shared != testCard.Shared || len(s.Card.Criteria) != len(testCard.Rubric) {
					t.Errorf("rotation %d, %s: got card %+v, want the shared situation and the rubric", rotation, id, s.Card)
				}
			}
		}
		MustApply(t, r, now, trainer, intent(rooms.IntentRoundEnd, &rooms.RoundTargetData{}))
		MustApply(t, r, now, trainer, intent(rooms.IntentRolesRotate, &rooms.RoundTargetData{}))
	}
	if len(seen) != 3 {
		t.Errorf("got seats %v checked, want all three", seen)
	}
}

func TestSnapshotTrainee(t *testing.T) {
	r, _ := MustRoom(t, rooms.SessionRunning)
	s := r.Snapshot("a")
	if got, want := len(s.Groups), 1; got != want {
		t.Errorf("got %d groups, want %d", got, want)
	}
	if s.Unassigned != nil || s.PauseSignals != nil {
		t.Errorf("got unassigned %v and signals %v, want neither for a trainee", s.Unassigned, s.PauseSignals)
	}
	ts := r.Snapshot(trainer)
	if diff := cmp.Diff([]rooms.ParticipantID{"g", "h", "i", "j", "k"}, ts.Unassigned); diff != "" {
		t.Errorf("unassigned (-want +got):\n%s", diff)
	}
}

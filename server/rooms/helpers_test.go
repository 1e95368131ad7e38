package rooms_test

import (
	"testing"
	"time"

	"peerpath/courses"
	"peerpath/server/rooms"
)

// start is when the test session starts.
var start = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

var testCard = courses.Card{
	ID:      "rp-01",
	Title:   "The missed appointment",
	Setting: "A drop-in centre.",
	Shared:  "SHARED-SITUATION",
	Roles: map[courses.Seat]string{
		courses.SeatSpeaker:    "Alex",
		courses.SeatPeerWorker: "Peer worker",
		courses.SeatObserver:   "Observer",
	},
	Briefs: map[courses.Seat]string{
		courses.SeatSpeaker:    "BRIEF-SPEAKER",
		courses.SeatPeerWorker: "BRIEF-PEER-WORKER",
		courses.SeatObserver:   "BRIEF-OBSERVER",
	},
	Rubric: []string{"R1", "R2"},
}

var testCriteria = []courses.Criterion{
	{ID: "R1", Title: "Listening", Levels: [4]string{"l1", "l2", "l3", "l4"}},
	{ID: "R2", Title: "Purpose", Levels: [4]string{"p1", "p2", "p3", "p4"}},
}

// Senders in the fixture: a trainer, a trainee who is the observer of g1, a trainee in g2.
const (
	trainer  rooms.ParticipantID = "t"
	inGroup  rooms.ParticipantID = "c"
	outGroup rooms.ParticipantID = "d"
)

var trainees = []rooms.ParticipantID{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"}

// MustRoom returns a room in phase and the time it is at. From the lobby on, everyone has
// joined and g1 = a, b, c and g2 = d, e, f are assigned; the rest are unassigned.
func MustRoom(tb testing.TB, phase rooms.SessionPhase) (*rooms.Room, time.Time) {
	tb.Helper()
	roster := []rooms.Participant{{ID: trainer, Name: "Trainer", Role: rooms.RoleTrainer}}
	for _, id := range trainees {
		roster = append(roster, rooms.Participant{ID: id, Name: string(id), Role: rooms.RoleTrainee})
	}
	r, err := rooms.NewRoom("s1", start, roster, []courses.Card{testCard}, testCriteria)
	if err != nil {
		tb.Fatalf("new room: %v", err)
	}
	now := start.Add(-time.Hour)
	if phase == rooms.SessionScheduled {
		return r, now
	}
	now = start.Add(-rooms.LobbyOpens)
	r.Tick(now)
	for _, p := range roster {
		if _, err := r.Join(now, p.ID); err != nil {
			tb.Fatalf("join %s: %v", p.ID, err)
		}
	}
	MustApply(tb, r, now, trainer, intent(rooms.IntentGroupsAssign, &rooms.GroupsAssignData{
		Groups: [][]rooms.ParticipantID{{"a", "b", "c"}, {"d", "e", "f"}},
	}))
	if phase == rooms.SessionLobby {
		return r, now
	}
	now = start
	r.Tick(now)
	if phase == rooms.SessionRunning {
		return r, now
	}
	MustApply(tb, r, now, trainer, intent(rooms.IntentSessionEnd, &rooms.SessionEndData{}))
	if phase == rooms.SessionDebrief {
		return r, now
	}
	MustApply(tb, r, now, trainer, intent(rooms.IntentSessionEnd, &rooms.SessionEndData{}))
	if got := r.Phase(); got != phase {
		tb.Fatalf("got phase %s, want %s", got, phase)
	}
	return r, now
}

// MustApply applies an intent that must succeed.
func MustApply(tb testing.TB, r *rooms.Room, now time.Time, from rooms.ParticipantID, in rooms.Intent) []rooms.Out {
	tb.Helper()
	outs, err := r.Apply(now, from, in)
	if err != nil {
		tb.Fatalf("apply %s from %s: %v", in.Type, from, err)
	}
	return outs
}

func intent(t rooms.IntentType, data any) rooms.Intent {
	return rooms.Intent{Type: t, ReqID: "req-1", Data: data}
}

func startRound(group rooms.GroupID) rooms.Intent {
	return intent(rooms.IntentRoundStart, &rooms.RoundStartData{
		Group: group, CardID: testCard.ID, PracticeSeconds: 600, FeedbackSeconds: 60,
	})
}

// MustGroup returns the group with id.
func MustGroup(tb testing.TB, r *rooms.Room, id rooms.GroupID) rooms.GroupView {
	tb.Helper()
	for _, g := range r.Groups() {
		if g.ID == id {
			return g
		}
	}
	tb.Fatalf("no group %s", id)
	return rooms.GroupView{}
}

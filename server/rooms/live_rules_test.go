package rooms_test

import (
	"testing"
	"time"

	"peerpath/server/rooms"
)

// TestChatChannels checks who receives a chat message, by sender and channel.
func TestChatChannels(t *testing.T) {
	tests := []struct {
		name        string
		from        rooms.ParticipantID
		data        rooms.ChatData
		wantTo      rooms.Audience
		wantChannel string
		wantCode    string
	}{
		{"trainee in a group, default", inGroup, rooms.ChatData{Text: "hi"}, rooms.Audience{Kind: rooms.AudienceGroup, Group: "g1"}, rooms.ChannelGroup, ""},
		{"trainee in a group, to the session", inGroup, rooms.ChatData{Text: "hi", Channel: rooms.ChannelSession}, rooms.Audience{Kind: rooms.AudienceAll}, rooms.ChannelSession, ""},
		{"trainee, another group", inGroup, rooms.ChatData{Text: "hi", Group: "g2"}, rooms.Audience{}, "", rooms.CodeForbidden},
		{"unassigned trainee", "k", rooms.ChatData{Text: "hi"}, rooms.Audience{Kind: rooms.AudienceAll}, rooms.ChannelSession, ""},
		{"trainer to everyone", trainer, rooms.ChatData{Text: "hi"}, rooms.Audience{Kind: rooms.AudienceAll}, rooms.ChannelSession, ""},
		{"trainer to a group", trainer, rooms.ChatData{Text: "hi", Group: "g2"}, rooms.Audience{Kind: rooms.AudienceGroup, Group: "g2"}, rooms.ChannelGroup, ""},
		{"group and session together", trainer, rooms.ChatData{Text: "hi", Group: "g2", Channel: rooms.ChannelSession}, rooms.Audience{}, "", rooms.CodeInvalid},
		{"unknown channel", inGroup, rooms.ChatData{Text: "hi", Channel: "everyone"}, rooms.Audience{}, "", rooms.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, now := MustRoom(t, rooms.SessionRunning)
			d := tt.data
			outs, err := r.Apply(now, tt.from, intent(rooms.IntentChat, &d))
			if got := rooms.ErrorCode(err); err != nil && got != tt.wantCode || err == nil && tt.wantCode != "" {
				t.Fatalf("got error %v, want code %q", err, tt.wantCode)
			}
			if tt.wantCode != "" {
				return
			}
			if len(outs) != 1 {
				t.Fatalf("got %d events, want 1", len(outs))
			}
			if got := outs[0].To; got != tt.wantTo {
				t.Errorf("got audience %+v, want %+v", got, tt.wantTo)
			}
			if got := outs[0].Event.Data.(rooms.ChatEvent).Channel; got != tt.wantChannel {
				t.Errorf("got channel %q, want %q", got, tt.wantChannel)
			}
		})
	}
}

// TestNextDeadline checks the times at which Tick has something to do.
func TestNextDeadline(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(tb testing.TB) *rooms.Room
		want   time.Time
		wantOK bool
	}{
		{"scheduled: the lobby opens", func(tb testing.TB) *rooms.Room { r, _ := MustRoom(tb, rooms.SessionScheduled); return r },
			start.Add(-rooms.LobbyOpens), true},
		{"lobby: the start", func(tb testing.TB) *rooms.Room { r, _ := MustRoom(tb, rooms.SessionLobby); return r },
			start, true},
		{"running, no round", func(tb testing.TB) *rooms.Room { r, _ := MustRoom(tb, rooms.SessionRunning); return r },
			time.Time{}, false},
		{"running, a round: its practice ends", func(tb testing.TB) *rooms.Room {
			r, now := MustRoom(tb, rooms.SessionRunning)
			MustApply(tb, r, now, trainer, startRound("g1"))
			return r
		}, start.Add(600 * time.Second), true},
		{"running, the round paused", func(tb testing.TB) *rooms.Room {
			r, now := MustRoom(tb, rooms.SessionRunning)
			MustApply(tb, r, now, trainer, startRound("g1"))
			MustApply(tb, r, now, trainer, intent(rooms.IntentRoundPause, &rooms.RoundTargetData{}))
			return r
		}, time.Time{}, false},
		{"debrief", func(tb testing.TB) *rooms.Room { r, _ := MustRoom(tb, rooms.SessionDebrief); return r },
			time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.setup(t).NextDeadline()
			if ok != tt.wantOK || !got.Equal(tt.want) {
				t.Errorf("got %v, %v, want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// TestBackToMainRoom checks that an empty list of groups leaves everyone unassigned, and that a
// missing list is refused.
func TestBackToMainRoom(t *testing.T) {
	r, now := MustRoom(t, rooms.SessionRunning)
	MustApply(t, r, now, trainer, intent(rooms.IntentGroupsAssign, &rooms.GroupsAssignData{Groups: [][]rooms.ParticipantID{}}))
	if got := len(r.Groups()); got != 0 {
		t.Errorf("got %d groups, want none", got)
	}
	if got := len(r.Snapshot(trainer).Unassigned); got != len(trainees) {
		t.Errorf("got %d unassigned, want all %d", got, len(trainees))
	}
	if _, err := rooms.DecodeIntent([]byte(`{"type":"groups.assign","data":{}}`)); rooms.ErrorCode(err) != rooms.CodeInvalid {
		t.Errorf("groups.assign without groups: got %v, want invalid", err)
	}
}

// TestYouView checks each recipient's private view after a round starts.
func TestYouView(t *testing.T) {
	r, now := MustRoom(t, rooms.SessionRunning)
	MustApply(t, r, now, trainer, intent(rooms.IntentGroupsAssign, &rooms.GroupsAssignData{
		Groups: [][]rooms.ParticipantID{{"a", "b", "c"}, {"h", "i"}},
	}))
	MustApply(t, r, now, trainer, startRound(""))
	tests := []struct {
		who       rooms.ParticipantID
		wantGroup rooms.GroupID
		wantBrief string
	}{
		{"a", "g1", "BRIEF-SPEAKER"},
		{"b", "g1", "BRIEF-PEER-WORKER"},
		{"c", "g1", "BRIEF-OBSERVER"},
		{"k", "", ""},
	}
	for _, tt := range tests {
		you := r.You(tt.who)
		brief := ""
		if you.Card != nil {
			brief = you.Card.Brief
		}
		if you.Group != tt.wantGroup || brief != tt.wantBrief {
			t.Errorf("%s: got group %q brief %q, want %q %q", tt.who, you.Group, brief, tt.wantGroup, tt.wantBrief)
		}
	}
	// The trainer plays the third seat of the pair (h speaker, i peer worker): the observer.
	tc := r.You(trainer).TrainerCards
	if got := tc["g2"].Brief; got != "BRIEF-OBSERVER" || len(tc) != 1 {
		t.Errorf("trainer: got trainer cards %+v, want only g2's observer brief", tc)
	}
	if !rooms.Personal(rooms.EventRoundStarted) || rooms.Personal(rooms.EventChat) {
		t.Errorf("Personal: round.started should carry you, chat should not")
	}
}

// TestRoundAdvance walks a round through every phase by hand.
func TestRoundAdvance(t *testing.T) {
	r, now := MustRoom(t, rooms.SessionRunning)
	MustApply(t, r, now, trainer, startRound("g1"))
	want := []rooms.RoundPhase{rooms.RoundFeedbackObserver, rooms.RoundFeedbackSelf, rooms.RoundFeedbackTrainer,
		rooms.RoundFeedbackSpeaker, rooms.RoundDone}
	for i, phase := range want {
		now = now.Add(time.Second)
		MustApply(t, r, now, trainer, intent(rooms.IntentRoundAdvance, &rooms.RoundTargetData{Group: "g1"}))
		g := MustGroup(t, r, "g1")
		if g.Round.Phase != phase {
			t.Fatalf("step %d: got phase %s, want %s", i, g.Round.Phase, phase)
		}
		if phase != rooms.RoundDone && !g.Round.EndsAt.Equal(now.Add(60*time.Second)) {
			t.Errorf("step %d: got ends_at %v, want a full feedback turn from now", i, g.Round.EndsAt)
		}
	}
	if _, err := r.Apply(now, trainer, intent(rooms.IntentRoundAdvance, &rooms.RoundTargetData{Group: "g1"})); rooms.ErrorCode(err) != rooms.CodeInvalidState {
		t.Errorf("advance a finished round: got %v, want invalid_state", err)
	}
}

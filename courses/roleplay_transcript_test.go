package courses_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
)

// mustTranscript records, as the live room does, a session in which Amy and Ben sat in g1 and
// Cal in g2 for round 1, then Amy moved to g2 and Cal to g1 for round 2; trainer2 was invited
// but never came. It returns the session id.
func mustTranscript(tb testing.TB, l *roleplayLab) string {
	tb.Helper()
	in := l.input(l.amy, l.ben, l.cal, l.trainer2)
	in.TranscriptAllowed = true
	d := mustSchedule(tb, l, l.trainer, in)
	t0 := l.clock.Now().UTC().Truncate(time.Second)
	r2 := t0.Add(10 * time.Minute)
	seat := func(round int, group string, p *courses.Principal, s courses.Seat, at time.Time) courses.RoleplaySeat {
		return courses.RoleplaySeat{Round: round, Group: group, Person: p.Person.ID, Seat: s, CardID: "RP-01", StartedAt: at}
	}
	line := func(seq int64, p *courses.Principal, group, text string, at time.Time) courses.RoleplayChatLine {
		return courses.RoleplayChatLine{Seq: seq, Person: p.Person.ID, Group: group, Text: text, At: at}
	}
	f := courses.RoleplayFacts{
		Joins: []courses.RoleplayJoin{{Person: l.trainer.Person.ID, At: t0, Consent: true},
			{Person: l.amy.Person.ID, At: t0, Consent: true}, {Person: l.ben.Person.ID, At: t0, Consent: true},
			{Person: l.cal.Person.ID, At: t0, Consent: true}},
		Seats: []courses.RoleplaySeat{
			seat(1, "g1", l.amy, courses.SeatPeerWorker, t0.Add(time.Minute)), seat(1, "g1", l.ben, courses.SeatObserver, t0.Add(time.Minute)),
			seat(1, "g2", l.cal, courses.SeatPeerWorker, t0.Add(time.Minute)),
			seat(2, "g2", l.amy, courses.SeatSpeaker, r2), seat(2, "g1", l.ben, courses.SeatPeerWorker, r2),
			seat(2, "g1", l.cal, courses.SeatObserver, r2),
		},
		Transcript: []courses.RoleplayChatLine{
			line(10, l.trainer, "", "Welcome, everyone.", t0),
			line(12, l.amy, "g1", "Hello g1, before we start.", t0.Add(30*time.Second)),
			line(15, l.cal, "g2", "Hello g2.", t0.Add(2*time.Minute)),
			line(16, l.trainer, "g2", "Trainer to g2.", t0.Add(3*time.Minute)),
			line(20, l.ben, "", "Ben to everyone.", t0.Add(4*time.Minute)),
			line(31, l.ben, "g1", "Round two in g1.", r2.Add(time.Minute)),
			line(32, l.amy, "g2", "Round two in g2.", r2.Add(time.Minute)),
		},
	}
	if err := l.store.RecordRoleplayFacts(context.Background(), l.org.ID, d.ID, f); err != nil {
		tb.Fatalf("record facts: %v", err)
	}
	return d.ID
}

func seqs(lines []courses.RoleplayTranscriptLine) []int64 {
	out := []int64{}
	for _, ln := range lines {
		out = append(out, ln.Seq)
	}
	return out
}

func TestFindRoleplayTranscript(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := mustRoleplayLab(t)
	id := mustTranscript(t, l)
	// Amy attended a session that kept no transcript.
	quiet := mustSchedule(t, l, l.trainer, l.input(l.amy))
	if err := l.store.RecordRoleplayFacts(ctx, l.org.ID, quiet.ID, courses.RoleplayFacts{
		Joins: []courses.RoleplayJoin{{Person: l.amy.Person.ID, At: l.clock.Now(), Consent: false}}}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		p       *courses.Principal
		session string
		want    []int64
		code    courses.Code
	}{
		{name: "Trainer", p: l.trainer, session: id, want: []int64{10, 12, 15, 16, 20, 31, 32}},
		{name: "Admin", p: l.admin, session: id, want: []int64{10, 12, 15, 16, 20, 31, 32}},
		// Amy reads g1 while she sat there (chat before round 1 included) and g2 from round 2.
		{name: "AttendingTrainee", p: l.amy, session: id, want: []int64{10, 12, 20, 32}},
		{name: "TraineeOfAnotherGroup", p: l.cal, session: id, want: []int64{10, 15, 16, 20, 31}},
		{name: "InviteeWhoDidNotAttend", p: l.trainer2, session: id, code: courses.NotFound},
		{name: "OtherOrganisation", p: l.otherAdmin, session: id, code: courses.NotFound},
		{name: "OtherOrganisationTrainee", p: l.other, session: id, code: courses.NotFound},
		{name: "NotKeptTrainer", p: l.trainer, session: quiet.ID, code: courses.NotKept},
		{name: "NotKeptTrainee", p: l.amy, session: quiet.ID, code: courses.NotKept},
		{name: "NotInvited", p: l.ben, session: quiet.ID, code: courses.NotFound},
		{name: "NoSuchSession", p: l.trainer, session: "7d6f0e51-3a43-4c59-9b7c-1d8a31d0c0aa", code: courses.NotFound},
		{name: "NotAnID", p: l.trainer, session: "nope", code: courses.NotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines, next, err := l.store.FindRoleplayTranscript(ctx, tt.p, tt.session, courses.Page{})
			if tt.code != "" {
				wantCode(t, err, tt.code)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if next != "" {
				t.Errorf("got next cursor %q, want none", next)
			}
			if diff := cmp.Diff(tt.want, seqs(lines)); diff != "" {
				t.Errorf("seqs (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("Line", func(t *testing.T) {
		lines, _, err := l.store.FindRoleplayTranscript(ctx, l.trainer, id, courses.Page{Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		want := courses.RoleplayTranscriptLine{Seq: 12, At: lines[1].At, GroupID: "g1", Channel: courses.ChannelGroup,
			From: courses.RoleplayPerson{ID: l.amy.Person.ID, Name: l.amy.Person.Name}, Text: "Hello g1, before we start."}
		if diff := cmp.Diff(want, lines[1]); diff != "" {
			t.Errorf("line (-want +got):\n%s", diff)
		}
		if got := lines[0].Channel; got != courses.ChannelSession || lines[0].GroupID != "" {
			t.Errorf("session line: got channel %q group %q, want %q and no group", got, lines[0].GroupID, courses.ChannelSession)
		}
		if lines[1].At.Location() != time.UTC || !lines[1].At.After(lines[0].At) {
			t.Errorf("times: got %v then %v, want UTC and increasing", lines[0].At, lines[1].At)
		}
	})

	t.Run("Pages", func(t *testing.T) {
		var got []int64
		cursor, pages := "", 0
		for {
			lines, next, err := l.store.FindRoleplayTranscript(ctx, l.trainer, id, courses.Page{Limit: 3, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			got = append(got, seqs(lines)...)
			if next == "" {
				break
			}
			if pages > 5 {
				t.Fatal("got more than 5 pages of 3 for 7 lines")
			}
			cursor = next
		}
		if diff := cmp.Diff([]int64{10, 12, 15, 16, 20, 31, 32}, got); diff != "" || pages != 3 {
			t.Errorf("got %d pages, want 3; seqs (-want +got):\n%s", pages, diff)
		}
	})

	t.Run("PagesOfATrainee", func(t *testing.T) {
		lines, next, err := l.store.FindRoleplayTranscript(ctx, l.amy, id, courses.Page{Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		lines2, next2, err := l.store.FindRoleplayTranscript(ctx, l.amy, id, courses.Page{Limit: 2, Cursor: next})
		if err != nil {
			t.Fatal(err)
		}
		if got := append(seqs(lines), seqs(lines2)...); !cmp.Equal(got, []int64{10, 12, 20, 32}) || next == "" || next2 != "" {
			t.Errorf("got %v with cursors %q, %q; want [10 12 20 32] over two pages", got, next, next2)
		}
	})

	t.Run("BadCursor", func(t *testing.T) {
		_, _, err := l.store.FindRoleplayTranscript(ctx, l.trainer, id, courses.Page{Cursor: "not-a-cursor"})
		wantFields(t, err, "cursor")
	})
}

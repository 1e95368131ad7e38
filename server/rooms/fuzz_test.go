package rooms_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"peerpath/server/rooms"
)

// FuzzDecodeAndApply feeds lines of arbitrary bytes, as messages from changing senders at
// advancing times, to a room, and checks that nothing panics and the room stays consistent.
func FuzzDecodeAndApply(f *testing.F) {
	seeds := []string{
		`{"type":"round.start","data":{"card_id":"rp-01","practice_seconds":60,"feedback_seconds":30}}` + "\n" +
			`{"type":"round.pause"}` + "\n" + `{"type":"round.extend","data":{"seconds":5}}` + "\n" + `{"type":"round.resume"}`,
		`{"type":"pause_signal","data":{"reason":"x"}}` + "\n" + `{"type":"feedback.submit","data":{"scores":{"R1":1,"R2":4}}}`,
		`{"type":"groups.assign","data":{"auto":true}}` + "\n" + `{"type":"roles.rotate"}` + "\n" + `{"type":"chat","data":{"text":"hi"}}`,
		`{"type":"session.end"}` + "\n" + `{"type":"hand.raise"}` + "\n" + `{"type":"hand.lower","data":{"participant":"c"}}`,
		`{"type":"broadcast","data":{"text":"b"}}` + "\n" + `{"type":"round.end","data":{"group":"g1"}}`,
		`{"type":"hello","req_id":"1","data":{"last_seq":0}}`,
	}
	for i, s := range seeds {
		f.Add([]byte(s), uint8(i), uint16(i*37), uint8(2))
	}
	f.Fuzz(func(t *testing.T, data []byte, senders uint8, step uint16, phase uint8) {
		r, now := MustRoom(t, phases[int(phase)%len(phases)])
		everyone := append([]rooms.ParticipantID{trainer, "stranger"}, trainees...)
		seq := r.Seq()
		check := func(outs []rooms.Out) {
			t.Helper()
			for _, o := range outs {
				seq++
				if o.Event.Seq != seq {
					t.Fatalf("got seq %d, want %d", o.Event.Seq, seq)
				}
			}
			checkRoom(t, r)
		}
		for i, line := range bytes.Split(data, []byte("\n")) {
			now = now.Add(time.Duration(step) * time.Second)
			check(r.Tick(now))
			in, err := rooms.DecodeIntent(line)
			if tooLarge := len(line) > rooms.MaxMessageBytes; tooLarge != (rooms.ErrorCode(err) == rooms.CodeTooLarge) {
				t.Fatalf("decode %d bytes: got %v, want too_large only above %d", len(line), err, rooms.MaxMessageBytes)
			}
			if err != nil {
				if rooms.ErrorCode(err) == "internal" {
					t.Fatalf("decode: got untyped error %v", err)
				}
				continue
			}
			from := everyone[(int(senders)+i)%len(everyone)]
			outs, err := r.Apply(now, from, in)
			if err != nil {
				if rooms.ErrorCode(err) == "internal" {
					t.Fatalf("apply: got untyped error %v", err)
				}
				if len(outs) != 0 {
					t.Fatalf("got %d events with error %v", len(outs), err)
				}
			}
			check(outs)
		}
	})
}

// checkRoom asserts what must always hold: rounds never end before they start, pauses keep a
// non-negative remainder, nobody is in two groups, and snapshots carry only the reader's brief.
func checkRoom(tb testing.TB, r *rooms.Room) {
	tb.Helper()
	in := make(map[rooms.ParticipantID]rooms.GroupID)
	for _, g := range r.Groups() {
		if len(g.Members) < 1 || len(g.Members) > 4 {
			tb.Fatalf("group %s has %d members", g.ID, len(g.Members))
		}
		for _, id := range g.Members {
			if other, ok := in[id]; ok {
				tb.Fatalf("%s is in %s and %s", id, other, g.ID)
			}
			in[id] = g.ID
		}
		if rd := g.Round; rd != nil {
			if rd.EndsAt.Before(rd.StartedAt) {
				tb.Fatalf("group %s: ends_at %v before started %v", g.ID, rd.EndsAt, rd.StartedAt)
			}
			if rd.RemainingMS < 0 || rd.Paused && rd.Phase == rooms.RoundDone {
				tb.Fatalf("group %s: got round %+v", g.ID, rd)
			}
		}
	}
	for _, id := range trainees {
		s := r.Snapshot(id)
		b, err := json.Marshal(s)
		if err != nil {
			tb.Fatal(err)
		}
		for seat, brief := range testCard.Briefs {
			if seat != s.Seat && strings.Contains(string(b), brief) {
				tb.Fatalf("%s in seat %q sees the brief of %s", id, s.Seat, seat)
			}
		}
		if s.Seat == "" && s.Card != nil && s.Card.Brief != "" {
			tb.Fatalf("%s without a seat got a brief", id)
		}
	}
}

package rooms_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"peerpath/server/rooms"
)

func TestDecodeIntent(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		wantCode string
		want     rooms.Intent
	}{
		{name: "Hello", in: `{"type":"hello","req_id":"1","data":{"last_seq":7}}`,
			want: rooms.Intent{Type: rooms.IntentHello, ReqID: "1", Data: &rooms.HelloData{LastSeq: 7}}},
		{name: "HelloWithoutData", in: `{"type":"hello"}`,
			want: rooms.Intent{Type: rooms.IntentHello, Data: &rooms.HelloData{}}},
		{name: "Chat", in: `{"type":"chat","req_id":"2","data":{"text":"hi"}}`,
			want: rooms.Intent{Type: rooms.IntentChat, ReqID: "2", Data: &rooms.ChatData{Text: "hi"}}},
		{name: "HandRaise", in: `{"type":"hand.raise","req_id":"3","data":{}}`,
			want: rooms.Intent{Type: rooms.IntentHandRaise, ReqID: "3", Data: &rooms.HandRaiseData{}}},
		{name: "HandLower", in: `{"type":"hand.lower","data":{"participant":"a"}}`,
			want: rooms.Intent{Type: rooms.IntentHandLower, Data: &rooms.HandLowerData{Participant: "a"}}},
		{name: "PauseSignal", in: `{"type":"pause_signal","data":null}`,
			want: rooms.Intent{Type: rooms.IntentPauseSignal, Data: &rooms.PauseSignalData{}}},
		{name: "FeedbackSubmit", in: `{"type":"feedback.submit","data":{"scores":{"R1":4},"comment":"ok"}}`,
			want: rooms.Intent{Type: rooms.IntentFeedbackSubmit, Data: &rooms.FeedbackSubmitData{Scores: map[string]int{"R1": 4}, Comment: "ok"}}},
		{name: "GroupsAssignAuto", in: `{"type":"groups.assign","data":{"auto":true}}`,
			want: rooms.Intent{Type: rooms.IntentGroupsAssign, Data: &rooms.GroupsAssignData{Auto: true}}},
		{name: "GroupsAssignByHand", in: `{"type":"groups.assign","data":{"groups":[["a","b"]]}}`,
			want: rooms.Intent{Type: rooms.IntentGroupsAssign, Data: &rooms.GroupsAssignData{Groups: [][]rooms.ParticipantID{{"a", "b"}}}}},
		{name: "RoundStart", in: `{"type":"round.start","data":{"card_id":"rp-01","practice_seconds":600,"feedback_seconds":120}}`,
			want: rooms.Intent{Type: rooms.IntentRoundStart, Data: &rooms.RoundStartData{CardID: "rp-01", PracticeSeconds: 600, FeedbackSeconds: 120}}},
		{name: "RoundPause", in: `{"type":"round.pause","data":{"group":"g1"}}`,
			want: rooms.Intent{Type: rooms.IntentRoundPause, Data: &rooms.RoundTargetData{Group: "g1"}}},
		{name: "RoundResume", in: `{"type":"round.resume"}`,
			want: rooms.Intent{Type: rooms.IntentRoundResume, Data: &rooms.RoundTargetData{}}},
		{name: "RoundExtend", in: `{"type":"round.extend","data":{"seconds":60}}`,
			want: rooms.Intent{Type: rooms.IntentRoundExtend, Data: &rooms.RoundExtendData{Seconds: 60}}},
		{name: "RoundEnd", in: `{"type":"round.end"}`,
			want: rooms.Intent{Type: rooms.IntentRoundEnd, Data: &rooms.RoundTargetData{}}},
		{name: "RolesRotate", in: `{"type":"roles.rotate"}`,
			want: rooms.Intent{Type: rooms.IntentRolesRotate, Data: &rooms.RoundTargetData{}}},
		{name: "Broadcast", in: `{"type":"broadcast","data":{"text":"back in 5"}}`,
			want: rooms.Intent{Type: rooms.IntentBroadcast, Data: &rooms.BroadcastData{Text: "back in 5"}}},
		{name: "SessionEnd", in: `{"type":"session.end","data":{}}`,
			want: rooms.Intent{Type: rooms.IntentSessionEnd, Data: &rooms.SessionEndData{}}},

		{name: "ErrTooLarge", in: `{"type":"chat","data":{"text":"` + strings.Repeat("x", rooms.MaxMessageBytes) + `"}}`, wantCode: rooms.CodeTooLarge},
		{name: "ErrUnknownType", in: `{"type":"round.skip"}`, wantCode: rooms.CodeUnknownType},
		{name: "ErrServerEventType", in: `{"type":"snapshot"}`, wantCode: rooms.CodeUnknownType},
		{name: "ErrNoType", in: `{"req_id":"1"}`, wantCode: rooms.CodeUnknownType},
		{name: "ErrReqIDTooLong", in: `{"type":"hello","req_id":"` + strings.Repeat("r", 65) + `"}`, wantCode: rooms.CodeInvalid},
		{name: "ErrUnknownField", in: `{"type":"hello","seq":1}`, wantCode: rooms.CodeInvalid},
		{name: "ErrUnknownDataField", in: `{"type":"chat","data":{"text":"hi","to":"all"}}`, wantCode: rooms.CodeInvalid},
		{name: "ErrWrongFieldType", in: `{"type":"round.extend","data":{"seconds":"60"}}`, wantCode: rooms.CodeInvalid},
		{name: "ErrTrailing", in: `{"type":"hello"} {}`, wantCode: rooms.CodeInvalid},
		{name: "ErrNotJSON", in: `hello`, wantCode: rooms.CodeInvalid},
		{name: "ErrEmptyChat", in: `{"type":"chat","data":{"text":""}}`, wantCode: rooms.CodeInvalid},
		{name: "ErrScoreOutOfRange", in: `{"type":"feedback.submit","data":{"scores":{"R1":5}}}`, wantCode: rooms.CodeInvalid},
		{name: "ErrAutoAndGroups", in: `{"type":"groups.assign","data":{"auto":true,"groups":[["a"]]}}`, wantCode: rooms.CodeInvalid},
		{name: "ErrNeitherAutoNorGroups", in: `{"type":"groups.assign","data":{}}`, wantCode: rooms.CodeInvalid},
		{name: "ErrShortPractice", in: `{"type":"round.start","data":{"card_id":"c","practice_seconds":10,"feedback_seconds":60}}`, wantCode: rooms.CodeInvalid},
		{name: "ErrNoCard", in: `{"type":"round.start","data":{"practice_seconds":600,"feedback_seconds":60}}`, wantCode: rooms.CodeInvalid},
		{name: "ErrExtendZero", in: `{"type":"round.extend","data":{"seconds":0}}`, wantCode: rooms.CodeInvalid},
		{name: "ErrNegativeSeq", in: `{"type":"hello","data":{"last_seq":-1}}`, wantCode: rooms.CodeInvalid},
		{name: "ErrDataNotObject", in: `{"type":"chat","data":"hi"}`, wantCode: rooms.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rooms.DecodeIntent([]byte(tt.in))
			if tt.wantCode != "" {
				if code := codeOf(err); code != tt.wantCode {
					t.Fatalf("got %q (%v), want %q", code, err, tt.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatalf("got %v, want no error", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("intent (-want +got):\n%s", diff)
			}
		})
	}
}

func TestErrorReply(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	_, err := rooms.DecodeIntent([]byte(`{"type":"nope"}`))
	got := rooms.NewErrorReply(now, "r1", err)
	want := rooms.Envelope{Type: rooms.EventError, At: now, Data: rooms.ErrorData{ReqID: "r1", Code: rooms.CodeUnknownType, Message: `unknown type "nope"`}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reply (-want +got):\n%s", diff)
	}
}

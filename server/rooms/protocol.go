// Package rooms owns the live role-play session: its state, the rules that decide which intents
// are allowed, and the events those intents produce. It is pure: the caller passes the time in and
// delivers the events, so the same logic runs behind any transport.
package rooms

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sync"
	"time"
	"unicode/utf8"
)

// MaxMessageBytes bounds one client message; a larger one is refused before it is parsed.
const MaxMessageBytes = 16 << 10

// MaxReqIDLen bounds the req_id a client attaches to an intent.
const MaxReqIDLen = 64

// Limits on free text, so one message cannot flood a group.
const (
	maxChatRunes    = 2000
	maxCommentRunes = 4000
	maxReasonRunes  = 500
)

// IntentType names what a client asks the server to do.
type IntentType string

// Intents any participant may send.
const (
	IntentHello          IntentType = "hello"
	IntentChat           IntentType = "chat"
	IntentHandRaise      IntentType = "hand.raise"
	IntentHandLower      IntentType = "hand.lower"
	IntentPauseSignal    IntentType = "pause_signal"
	IntentFeedbackSubmit IntentType = "feedback.submit"
)

// Intents only a trainer may send.
const (
	IntentGroupsAssign IntentType = "groups.assign"
	IntentRoundStart   IntentType = "round.start"
	IntentRoundPause   IntentType = "round.pause"
	IntentRoundResume  IntentType = "round.resume"
	IntentRoundExtend  IntentType = "round.extend"
	IntentRoundEnd     IntentType = "round.end"
	IntentRoundAdvance IntentType = "round.advance"
	IntentRolesRotate  IntentType = "roles.rotate"
	IntentBroadcast    IntentType = "broadcast"
	IntentSessionEnd   IntentType = "session.end"
	IntentSessionStart IntentType = "session.start"
)

// dataTypes is the type of each intent's data, as newData makes it: validateData checks every
// intent against it, and one made for the check would be thrown away at once.
var dataTypes = func() map[IntentType]reflect.Type {
	m := make(map[IntentType]reflect.Type)
	for _, t := range []IntentType{IntentHello, IntentChat, IntentHandRaise, IntentHandLower, IntentPauseSignal,
		IntentFeedbackSubmit, IntentGroupsAssign, IntentRoundStart, IntentRoundPause, IntentRoundResume,
		IntentRoundExtend, IntentRoundEnd, IntentRoundAdvance, IntentRolesRotate, IntentBroadcast,
		IntentSessionEnd, IntentSessionStart} {
		m[t] = reflect.TypeOf(newData(t))
	}
	return m
}()

// EventType names what the server tells clients.
type EventType string

// Events.
const (
	EventSnapshot          EventType = "snapshot"
	EventParticipantJoined EventType = "participant.joined"
	EventParticipantLeft   EventType = "participant.left"
	EventGroupsAssigned    EventType = "groups.assigned"
	EventRoundStarted      EventType = "round.started"
	EventRoundPhase        EventType = "round.phase"
	EventRoundPaused       EventType = "round.paused"
	EventRoundEnded        EventType = "round.ended"
	EventRolesRotated      EventType = "roles.rotated"
	EventChat              EventType = "chat"
	EventHandRaised        EventType = "hand.raised"
	EventPauseSignal       EventType = "pause_signal"
	EventBroadcast         EventType = "broadcast"
	EventFeedbackSubmitted EventType = "feedback.submitted"
	EventSessionEnded      EventType = "session.ended"
	EventAck               EventType = "ack"
	EventError             EventType = "error"
)

// Envelope is every server message. Seq increases by one for each event in a session's log;
// ack and error are replies to one connection, outside the log, and carry seq 0.
type Envelope struct {
	Type EventType `json:"type"`
	Seq  int64     `json:"seq"`
	At   time.Time `json:"at"`
	Data any       `json:"data,omitempty"`
}

// Intent is a decoded client message. Data is a pointer to the data type of its Type
// (*ChatData for IntentChat, and so on).
type Intent struct {
	Type  IntentType
	ReqID string
	Data  any
}

// HelloData opens or resumes a connection; LastSeq is the last event seq the client saw.
type HelloData struct {
	LastSeq int64 `json:"last_seq"`
	// TranscriptConsent is the person's answer, when the session may keep a transcript, to
	// having their chat kept. Chat is kept only while everyone who joined said yes.
	TranscriptConsent *bool `json:"transcript_consent,omitempty"`
}

// ChatData is a chat message. A trainer may name a group; without one it goes to everyone.
type ChatData struct {
	Text  string  `json:"text"`
	Group GroupID `json:"group,omitempty"`
	// Channel is "group" (the default for someone in a group) or "session", to write to everyone.
	Channel string `json:"channel,omitempty"`
}

// Chat channels.
const (
	ChannelGroup   = "group"
	ChannelSession = "session"
)

// HandRaiseData raises the sender's hand.
type HandRaiseData struct{}

// HandLowerData lowers a hand: the sender's own, or, for a trainer, anyone's.
type HandLowerData struct {
	Participant ParticipantID `json:"participant,omitempty"`
}

// PauseSignalData asks for the sender's group to stop; the reason is optional.
type PauseSignalData struct {
	Reason string `json:"reason,omitempty"`
}

// FeedbackSubmitData is one person's feedback in the current feedback phase. Scores (1–4 per
// rubric criterion id) are required from observers and refused from everyone else. A trainer
// names the group the feedback is for.
type FeedbackSubmitData struct {
	Group   GroupID        `json:"group,omitempty"`
	Scores  map[string]int `json:"scores,omitempty"`
	Comment string         `json:"comment"`
}

// GroupsAssignData either asks for automatic triads or lists the groups by hand. In a listed
// group the first member is the speaker, the second the peer worker, the rest observers.
// Trainees not listed stay unassigned; moving someone is a new assignment.
type GroupsAssignData struct {
	Auto   bool              `json:"auto,omitempty"`
	Groups [][]ParticipantID `json:"groups,omitempty"`
}

// RoundStartData starts a round in one group, or in every group when Group is empty.
type RoundStartData struct {
	Group           GroupID `json:"group,omitempty"`
	CardID          string  `json:"card_id"`
	PracticeSeconds int     `json:"practice_seconds"`
	FeedbackSeconds int     `json:"feedback_seconds"`
}

// RoundTargetData names one group, or every group when Group is empty.
type RoundTargetData struct {
	Group GroupID `json:"group,omitempty"`
}

// RoundExtendData adds time to the current phase.
type RoundExtendData struct {
	Group   GroupID `json:"group,omitempty"`
	Seconds int     `json:"seconds"`
}

// BroadcastData is a trainer's message to every group.
type BroadcastData struct {
	Text string `json:"text"`
}

// SessionStartData starts the session from the lobby before its scheduled time, when everyone
// is there.
type SessionStartData struct{}

// SessionEndData ends the session: from running it moves to debrief, from lobby or debrief to ended.
type SessionEndData struct{}

// Limits on round lengths, in seconds.
const (
	minPracticeSeconds = 60
	maxPracticeSeconds = 60 * 60
	minFeedbackSeconds = 30
	maxFeedbackSeconds = 30 * 60
	maxExtendSeconds   = 30 * 60
)

// Error codes.
const (
	CodeInvalid      = "invalid"
	CodeTooLarge     = "too_large"
	CodeUnknownType  = "unknown_type"
	CodeForbidden    = "forbidden"
	CodeInvalidState = "invalid_state"
	CodeConflict     = "conflict"
	CodeNotFound     = "not_found"
)

// Error is a refusal the client is told about, as an error event; it never closes the connection.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, or "internal" when err is not an *Error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return "internal"
}

// ErrorData is the data of an error event.
type ErrorData struct {
	ReqID   string `json:"req_id,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// AckData is the data of an ack event.
type AckData struct {
	ReqID string `json:"req_id"`
}

// NewAck returns the reply to an intent that was applied.
func NewAck(now time.Time, reqID string) Envelope {
	return Envelope{Type: EventAck, At: now, Data: AckData{ReqID: reqID}}
}

// NewErrorReply returns the reply to an intent that was refused.
func NewErrorReply(now time.Time, reqID string, err error) Envelope {
	d := ErrorData{ReqID: reqID, Code: ErrorCode(err), Message: "Internal error."}
	var e *Error
	if errors.As(err, &e) {
		d.Message = e.Message
	}
	return Envelope{Type: EventError, At: now, Data: d}
}

type rawIntent struct {
	Type  IntentType      `json:"type"`
	ReqID string          `json:"req_id"`
	Data  json.RawMessage `json:"data"`
}

// newData returns a pointer to the data type of t, or nil when t is unknown.
func newData(t IntentType) any {
	switch t {
	case IntentHello:
		return &HelloData{}
	case IntentChat:
		return &ChatData{}
	case IntentHandRaise:
		return &HandRaiseData{}
	case IntentHandLower:
		return &HandLowerData{}
	case IntentPauseSignal:
		return &PauseSignalData{}
	case IntentFeedbackSubmit:
		return &FeedbackSubmitData{}
	case IntentGroupsAssign:
		return &GroupsAssignData{}
	case IntentRoundStart:
		return &RoundStartData{}
	case IntentRoundPause, IntentRoundResume, IntentRoundEnd, IntentRolesRotate, IntentRoundAdvance:
		return &RoundTargetData{}
	case IntentRoundExtend:
		return &RoundExtendData{}
	case IntentBroadcast:
		return &BroadcastData{}
	case IntentSessionEnd:
		return &SessionEndData{}
	case IntentSessionStart:
		return &SessionStartData{}
	}
	return nil
}

// DecodeIntent parses one client message and checks its shape; whether it is allowed is for
// Room.Apply to decide.
func DecodeIntent(b []byte) (Intent, error) {
	if len(b) > MaxMessageBytes {
		return Intent{}, errorf(CodeTooLarge, "message is larger than %d bytes", MaxMessageBytes)
	}
	var raw rawIntent
	if err := decodeStrict(b, &raw); err != nil {
		return Intent{}, errorf(CodeInvalid, "message: %v", err)
	}
	data := newData(raw.Type)
	if data == nil {
		return Intent{}, errorf(CodeUnknownType, "unknown type %q", raw.Type)
	}
	if len(raw.ReqID) > MaxReqIDLen {
		return Intent{}, errorf(CodeInvalid, "req_id is longer than %d characters", MaxReqIDLen)
	}
	if len(raw.Data) > 0 && !bytes.Equal(raw.Data, []byte("null")) {
		if err := decodeStrict(raw.Data, data); err != nil {
			return Intent{}, errorf(CodeInvalid, "data: %v", err)
		}
	}
	in := Intent{Type: raw.Type, ReqID: raw.ReqID, Data: data}
	if err := validateData(in); err != nil {
		return Intent{}, err
	}
	return in, nil
}

// decodeStrict refuses unknown fields and anything after the first JSON value.
func decodeStrict(b []byte, v any) error {
	d := strictDecoders.Get().(*strictDecoder)
	d.r.Reset(b)
	if err := d.dec.Decode(v); err != nil {
		// Dropped, not put back: what a decoder holds after an error is not worth trusting.
		return err
	}
	if _, err := d.dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON value")
	}
	// The decoder has read its input to the end, so it starts the next from an empty buffer.
	strictDecoders.Put(d)
	return nil
}

// strictDecoders keeps decoders for reuse. Every command is decoded on every instance that
// applies it, and a new json.Decoder allocates its state and its buffer each time: a third of
// what a busy room server allocated, and so of how often it collected garbage.
var strictDecoders = sync.Pool{New: func() any {
	d := &strictDecoder{}
	d.dec = json.NewDecoder(&d.r)
	d.dec.DisallowUnknownFields()
	return d
}}

// strictDecoder is a decoder reading from a reader it can point at new input.
type strictDecoder struct {
	r   bytes.Reader
	dec *json.Decoder
}

func checkText(field, s string, required bool, max int) error {
	if !utf8.ValidString(s) {
		return errorf(CodeInvalid, "%s is not valid UTF-8", field)
	}
	if required && s == "" {
		return errorf(CodeInvalid, "%s is required", field)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return errorf(CodeInvalid, "%s is longer than %d characters", field, max)
	}
	return nil
}

// validateData checks the shape of an intent's data: required fields and ranges. It also
// refuses data of the wrong type, so intents built in code are held to the same rules.
func validateData(in Intent) error {
	want, ok := dataTypes[in.Type]
	if !ok {
		return errorf(CodeUnknownType, "unknown type %q", in.Type)
	}
	if in.Data == nil || reflect.TypeOf(in.Data) != want {
		return errorf(CodeInvalid, "data does not match type %q", in.Type)
	}
	switch d := in.Data.(type) {
	case *HelloData:
		if d.LastSeq < 0 {
			return errorf(CodeInvalid, "last_seq is negative")
		}
	case *ChatData:
		if d.Channel != "" && d.Channel != ChannelGroup && d.Channel != ChannelSession {
			return errorf(CodeInvalid, "channel must be %q or %q", ChannelGroup, ChannelSession)
		}
		if d.Channel == ChannelSession && d.Group != "" {
			return errorf(CodeInvalid, "give a group or the session channel, not both")
		}
		return checkText("text", d.Text, true, maxChatRunes)
	case *PauseSignalData:
		return checkText("reason", d.Reason, false, maxReasonRunes)
	case *FeedbackSubmitData:
		for id, s := range d.Scores {
			if s < 1 || s > 4 {
				return errorf(CodeInvalid, "score for %q is %d, not 1 to 4", id, s)
			}
		}
		return checkText("comment", d.Comment, false, maxCommentRunes)
	case *GroupsAssignData:
		// An empty list (not a missing one) brings everyone back to the main room.
		if d.Auto == (d.Groups != nil) {
			return errorf(CodeInvalid, "give either auto or groups")
		}
	case *RoundStartData:
		if d.CardID == "" {
			return errorf(CodeInvalid, "card_id is required")
		}
		if d.PracticeSeconds < minPracticeSeconds || d.PracticeSeconds > maxPracticeSeconds {
			return errorf(CodeInvalid, "practice_seconds must be %d to %d", minPracticeSeconds, maxPracticeSeconds)
		}
		if d.FeedbackSeconds < minFeedbackSeconds || d.FeedbackSeconds > maxFeedbackSeconds {
			return errorf(CodeInvalid, "feedback_seconds must be %d to %d", minFeedbackSeconds, maxFeedbackSeconds)
		}
	case *RoundExtendData:
		if d.Seconds < 1 || d.Seconds > maxExtendSeconds {
			return errorf(CodeInvalid, "seconds must be 1 to %d", maxExtendSeconds)
		}
	case *BroadcastData:
		return checkText("text", d.Text, true, maxChatRunes)
	}
	return nil
}

package rooms

import (
	"fmt"
	"slices"
	"time"

	"peerpath/courses"
)

// ParticipantID identifies a person in a session.
type ParticipantID string

// GroupID identifies a practice group within a session.
type GroupID string

// Role is what a participant is in the session as a whole; seats are per group and rotate.
type Role string

// Roles.
const (
	RoleTrainer Role = "trainer"
	RoleTrainee Role = "trainee"
)

// SessionPhase is where a session is in its life.
type SessionPhase string

// Session phases, in order.
const (
	SessionScheduled SessionPhase = "scheduled"
	SessionLobby     SessionPhase = "lobby"
	SessionRunning   SessionPhase = "running"
	SessionDebrief   SessionPhase = "debrief"
	SessionEnded     SessionPhase = "ended"
)

// LobbyOpens is how long before the start the lobby opens.
const LobbyOpens = 15 * time.Minute

// RoundPhase is where a group's round is.
type RoundPhase string

// Round phases, in order. RoundNone is a group that has not started a round since it was formed.
const (
	RoundNone             RoundPhase = ""
	RoundPractice         RoundPhase = "practice"
	RoundFeedbackObserver RoundPhase = "feedback.observer"
	RoundFeedbackSelf     RoundPhase = "feedback.self"
	RoundFeedbackTrainer  RoundPhase = "feedback.trainer"
	RoundFeedbackSpeaker  RoundPhase = "feedback.speaker"
	RoundDone             RoundPhase = "done"
)

// next is the phase after p; feedback runs in a fixed order.
func (p RoundPhase) next() RoundPhase {
	switch p {
	case RoundPractice:
		return RoundFeedbackObserver
	case RoundFeedbackObserver:
		return RoundFeedbackSelf
	case RoundFeedbackSelf:
		return RoundFeedbackTrainer
	case RoundFeedbackTrainer:
		return RoundFeedbackSpeaker
	}
	return RoundDone
}

func (p RoundPhase) active() bool { return p != RoundNone && p != RoundDone }

// Participant is one person on the session's roster.
type Participant struct {
	ID         ParticipantID `json:"id"`
	Name       string        `json:"name"`
	Role       Role          `json:"role"`
	Connected  bool          `json:"connected"`
	HandRaised bool          `json:"hand_raised"`
}

type round struct {
	number    int
	cardID    string
	phase     RoundPhase
	startedAt time.Time
	endsAt    time.Time
	paused    bool
	remaining time.Duration // left in the phase while paused
	practice  time.Duration
	feedback  time.Duration
}

type group struct {
	id       GroupID
	members  []ParticipantID
	rotation int
	round    round
}

func (g *group) seat(id ParticipantID) (courses.Seat, bool) {
	i := slices.Index(g.members, id)
	if i < 0 {
		return "", false
	}
	return seatAt(len(g.members), i, g.rotation), true
}

// trainerSeat is the seat the trainer plays in a group of fewer than three, or "".
func (g *group) trainerSeat() courses.Seat {
	if len(g.members) >= 3 {
		return ""
	}
	return seatAt(3, len(g.members), g.rotation)
}

// Feedback is one person's feedback on one round.
type Feedback struct {
	Group   GroupID        `json:"group"`
	Round   int            `json:"round"`
	Phase   RoundPhase     `json:"phase"`
	From    ParticipantID  `json:"from"`
	Seat    courses.Seat   `json:"seat,omitempty"` // empty for a trainer who holds no seat
	Scores  map[string]int `json:"scores,omitempty"`
	Comment string         `json:"comment"`
	At      time.Time      `json:"at"`
}

// PauseSignal is a participant's call to stop their group.
type PauseSignal struct {
	Participant ParticipantID `json:"participant"`
	Group       GroupID       `json:"group"`
	Reason      string        `json:"reason,omitempty"`
	At          time.Time     `json:"at"`
}

// Room is the state of one live session. It is not safe for concurrent use: its owner applies
// intents and ticks one at a time.
type Room struct {
	id           string
	startsAt     time.Time
	phase        SessionPhase
	now          time.Time // latest time seen, so the clock never runs backwards
	seq          int64
	rounds       int
	roster       []ParticipantID
	participants map[ParticipantID]*Participant
	groups       []*group
	cards        map[string]*courses.Card
	cardOrder    []string
	criteria     map[string]courses.Criterion
	feedback     []Feedback
	signals      []PauseSignal
}

// NewRoom returns a scheduled session for a roster, the cards its rounds may use and the rubric
// criteria those cards name.
func NewRoom(id string, startsAt time.Time, roster []Participant, cards []courses.Card, criteria []courses.Criterion) (*Room, error) {
	r := &Room{
		id:           id,
		startsAt:     startsAt,
		phase:        SessionScheduled,
		participants: make(map[ParticipantID]*Participant, len(roster)),
		cards:        make(map[string]*courses.Card, len(cards)),
		criteria:     make(map[string]courses.Criterion, len(criteria)),
	}
	for _, c := range criteria {
		r.criteria[c.ID] = c
	}
	for _, p := range roster {
		if p.ID == "" {
			return nil, errorf(CodeInvalid, "participant without an id")
		}
		if p.Role != RoleTrainer && p.Role != RoleTrainee {
			return nil, errorf(CodeInvalid, "participant %s has role %q", p.ID, p.Role)
		}
		if _, ok := r.participants[p.ID]; ok {
			return nil, errorf(CodeInvalid, "participant %s listed twice", p.ID)
		}
		p.Connected, p.HandRaised = false, false
		r.participants[p.ID] = &p
		r.roster = append(r.roster, p.ID)
	}
	for i := range cards {
		c := cards[i]
		if _, dup := r.cards[c.ID]; !dup {
			r.cardOrder = append(r.cardOrder, c.ID)
		}
		r.cards[c.ID] = &c
	}
	return r, nil
}

// Phase returns the session phase.
func (r *Room) Phase() SessionPhase { return r.phase }

// Seq returns the seq of the latest event.
func (r *Room) Seq() int64 { return r.seq }

// Skip moves the seq on by n without an event: a resume from any seq skipped is answered with a
// snapshot.
func (r *Room) Skip(n int64) {
	if n > 0 {
		r.seq += n
	}
}

// AudienceKind says who receives an event.
type AudienceKind string

// Audiences. A group's events also go to every trainer, who supervises all groups.
const (
	AudienceAll         AudienceKind = "all"
	AudienceGroup       AudienceKind = "group"
	AudienceParticipant AudienceKind = "participant"
	AudienceTrainers    AudienceKind = "trainers"
)

// Audience is who receives an event.
type Audience struct {
	Kind        AudienceKind
	Group       GroupID
	Participant ParticipantID
}

// Out is an event and who receives it. A snapshot event carries no data: the session phase
// changed, and each recipient is sent its own Snapshot in its place.
type Out struct {
	To    Audience
	Event Envelope
}

// Recipients lists the participants an audience reaches, in roster order.
func (r *Room) Recipients(a Audience) []ParticipantID {
	var ids []ParticipantID
	var g *group
	if a.Kind == AudienceGroup {
		g = r.group(a.Group)
	}
	for _, id := range r.roster {
		p := r.participants[id]
		switch {
		case a.Kind == AudienceAll,
			a.Kind == AudienceTrainers && p.Role == RoleTrainer,
			a.Kind == AudienceParticipant && a.Participant == id,
			a.Kind == AudienceGroup && (p.Role == RoleTrainer || g != nil && slices.Contains(g.members, id)):
			ids = append(ids, id)
		}
	}
	return ids
}

func (r *Room) emit(to Audience, t EventType, data any) Out {
	r.seq++
	return Out{To: to, Event: Envelope{Type: t, Seq: r.seq, At: r.now, Data: data}}
}

func toAll() Audience             { return Audience{Kind: AudienceAll} }
func toGroup(id GroupID) Audience { return Audience{Kind: AudienceGroup, Group: id} }

// observe moves the room's clock forward to now; a time earlier than one already seen is taken
// as the latest, so ends_at can never fall before a round's start.
func (r *Room) observe(now time.Time) {
	if now.After(r.now) {
		r.now = now
	}
}

func (r *Room) group(id GroupID) *group {
	for _, g := range r.groups {
		if g.id == id {
			return g
		}
	}
	return nil
}

func (r *Room) groupOf(p ParticipantID) *group {
	for _, g := range r.groups {
		if slices.Contains(g.members, p) {
			return g
		}
	}
	return nil
}

// Event data.

// ParticipantData is the data of participant.joined and participant.left.
type ParticipantData struct {
	Participant Participant `json:"participant"`
}

// ChatEvent is the data of a chat event.
type ChatEvent struct {
	From    ParticipantID `json:"from"`
	Group   GroupID       `json:"group,omitempty"`
	Text    string        `json:"text"`
	Channel string        `json:"channel"`
}

// HandEvent is the data of hand.raised; Raised is false when a hand is lowered.
type HandEvent struct {
	Participant ParticipantID `json:"participant"`
	Raised      bool          `json:"raised"`
}

// BroadcastEvent is the data of a broadcast event.
type BroadcastEvent struct {
	From ParticipantID `json:"from"`
	Text string        `json:"text"`
}

// SessionEvent is the data of session.ended: debrief when the practice is over, ended when the
// session is closed.
type SessionEvent struct {
	Phase SessionPhase `json:"phase"`
}

// GroupsEvent is the data of groups.assigned.
type GroupsEvent struct {
	Groups     []GroupView     `json:"groups"`
	Unassigned []ParticipantID `json:"unassigned"`
}

// RoundEvent is the data of round.started, round.phase, round.paused and round.ended.
type RoundEvent struct {
	Group GroupID   `json:"group"`
	Round RoundView `json:"round"`
}

// GroupView is a group as clients see it.
type GroupView struct {
	ID          GroupID                        `json:"id"`
	Members     []ParticipantID                `json:"members"`
	Seats       map[ParticipantID]courses.Seat `json:"seats"`
	TrainerSeat courses.Seat                   `json:"trainer_seat,omitempty"`
	Round       *RoundView                     `json:"round,omitempty"`
}

// RoundView is a round as clients see it. While paused, EndsAt is stale and RemainingMS counts.
type RoundView struct {
	Number      int        `json:"number"`
	CardID      string     `json:"card_id"`
	Phase       RoundPhase `json:"phase"`
	StartedAt   time.Time  `json:"started_at"`
	EndsAt      time.Time  `json:"ends_at"`
	Paused      bool       `json:"paused"`
	RemainingMS int64      `json:"remaining_ms,omitempty"`
}

func (g *group) view() GroupView {
	v := GroupView{
		ID:          g.id,
		Members:     slices.Clone(g.members),
		Seats:       make(map[ParticipantID]courses.Seat, len(g.members)),
		TrainerSeat: g.trainerSeat(),
	}
	for i, id := range g.members {
		v.Seats[id] = seatAt(len(g.members), i, g.rotation)
	}
	if g.round.phase != RoundNone {
		rv := g.round.view()
		v.Round = &rv
	}
	return v
}

func (rd *round) view() RoundView {
	return RoundView{
		Number:      rd.number,
		CardID:      rd.cardID,
		Phase:       rd.phase,
		StartedAt:   rd.startedAt,
		EndsAt:      rd.endsAt,
		Paused:      rd.paused,
		RemainingMS: rd.remaining.Milliseconds(),
	}
}

// Groups returns every group as a trainer sees it.
func (r *Room) Groups() []GroupView {
	vs := make([]GroupView, 0, len(r.groups))
	for _, g := range r.groups {
		vs = append(vs, g.view())
	}
	return vs
}

// Feedback returns all feedback submitted in the session, in order.
func (r *Room) Feedback() []Feedback { return slices.Clone(r.feedback) }

// PauseSignals returns every pause signal sent in the session, in order.
func (r *Room) PauseSignals() []PauseSignal { return slices.Clone(r.signals) }

func (r *Room) unassigned() []ParticipantID {
	ids := []ParticipantID{}
	for _, id := range r.roster {
		if r.participants[id].Role == RoleTrainee && r.groupOf(id) == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// Join marks a participant connected. People may join from the lobby until the session ends.
func (r *Room) Join(now time.Time, id ParticipantID) ([]Out, error) {
	r.observe(now)
	p, ok := r.participants[id]
	if !ok {
		return nil, errorf(CodeNotFound, "%s is not on this session's roster", id)
	}
	if r.phase == SessionScheduled || r.phase == SessionEnded {
		return nil, errorf(CodeInvalidState, "the session is %s", r.phase)
	}
	p.Connected = true
	return []Out{r.emit(toAll(), EventParticipantJoined, ParticipantData{Participant: *p})}, nil
}

// Leave marks a participant disconnected; their seat and group are kept for when they return.
func (r *Room) Leave(now time.Time, id ParticipantID) []Out {
	r.observe(now)
	p, ok := r.participants[id]
	if !ok || !p.Connected {
		return nil
	}
	p.Connected = false
	return []Out{r.emit(toAll(), EventParticipantLeft, ParticipantData{Participant: *p})}
}

func trainerOnly(t IntentType) bool {
	switch t {
	case IntentGroupsAssign, IntentRoundStart, IntentRoundPause, IntentRoundResume, IntentRoundExtend,
		IntentRoundEnd, IntentRolesRotate, IntentBroadcast, IntentSessionEnd, IntentSessionStart, IntentRoundAdvance:
		return true
	}
	return false
}

// allowedIn reports whether an intent may be sent in a session phase.
func allowedIn(t IntentType, p SessionPhase) bool {
	switch t {
	case IntentHello:
		return true
	case IntentChat, IntentHandRaise, IntentHandLower, IntentBroadcast, IntentSessionEnd:
		return p == SessionLobby || p == SessionRunning || p == SessionDebrief
	case IntentGroupsAssign:
		return p == SessionLobby || p == SessionRunning
	case IntentSessionStart:
		return p == SessionLobby
	}
	return p == SessionRunning
}

// Apply checks an intent against the session phase and the sender's role and, when it is
// allowed, changes the room and returns the events it causes. A refused intent changes nothing.
func (r *Room) Apply(now time.Time, from ParticipantID, in Intent) ([]Out, error) {
	if err := validateData(in); err != nil {
		return nil, err
	}
	p, ok := r.participants[from]
	if !ok {
		return nil, errorf(CodeForbidden, "%s is not in this session", from)
	}
	if trainerOnly(in.Type) && p.Role != RoleTrainer {
		return nil, errorf(CodeForbidden, "only a trainer can send %s", in.Type)
	}
	if !allowedIn(in.Type, r.phase) {
		return nil, errorf(CodeInvalidState, "%s is not allowed while the session is %s", in.Type, r.phase)
	}
	r.observe(now)
	switch d := in.Data.(type) {
	case *HelloData:
		// The transport answers hello with the events missed since LastSeq, or a snapshot.
		return nil, nil
	case *ChatData:
		return r.chat(p, d)
	case *HandRaiseData:
		p.HandRaised = true
		return []Out{r.emit(toAll(), EventHandRaised, HandEvent{Participant: p.ID, Raised: true})}, nil
	case *HandLowerData:
		return r.lowerHand(p, d)
	case *PauseSignalData:
		return r.pauseSignal(p, d)
	case *FeedbackSubmitData:
		return r.submitFeedback(p, d)
	case *GroupsAssignData:
		return r.assign(d)
	case *RoundStartData:
		return r.startRound(d)
	case *RoundTargetData:
		switch in.Type {
		case IntentRoundPause:
			return r.pauseRounds(d.Group)
		case IntentRoundResume:
			return r.resumeRounds(d.Group)
		case IntentRoundEnd:
			return r.endRounds(d.Group)
		case IntentRoundAdvance:
			return r.advanceRounds(d.Group)
		default:
			return r.rotate(d.Group)
		}
	case *RoundExtendData:
		return r.extend(d)
	case *BroadcastData:
		return []Out{r.emit(toAll(), EventBroadcast, BroadcastEvent{From: p.ID, Text: d.Text})}, nil
	case *SessionEndData:
		return r.endSession(), nil
	case *SessionStartData:
		r.phase = SessionRunning
		return []Out{r.emit(toAll(), EventSnapshot, nil)}, nil
	}
	return nil, errorf(CodeInvalid, "data does not match type %q", in.Type)
}

func (r *Room) chat(p *Participant, d *ChatData) ([]Out, error) {
	to := toAll()
	if d.Channel == ChannelSession {
		return []Out{r.emit(to, EventChat, ChatEvent{From: p.ID, Text: d.Text, Channel: ChannelSession})}, nil
	}
	if p.Role == RoleTrainer {
		if d.Group != "" {
			if r.group(d.Group) == nil {
				return nil, errorf(CodeInvalid, "no group %s", d.Group)
			}
			to = toGroup(d.Group)
		}
	} else if g := r.groupOf(p.ID); g != nil {
		if d.Group != "" && d.Group != g.id {
			return nil, errorf(CodeForbidden, "you can only chat in your own group")
		}
		to = toGroup(g.id)
	} else if d.Group != "" {
		return nil, errorf(CodeForbidden, "you are not in group %s", d.Group)
	}
	channel := ChannelSession
	if to.Group != "" {
		channel = ChannelGroup
	}
	return []Out{r.emit(to, EventChat, ChatEvent{From: p.ID, Group: to.Group, Text: d.Text, Channel: channel})}, nil
}

func (r *Room) lowerHand(p *Participant, d *HandLowerData) ([]Out, error) {
	target := p
	if d.Participant != "" && d.Participant != p.ID {
		if p.Role != RoleTrainer {
			return nil, errorf(CodeForbidden, "only a trainer can lower someone else's hand")
		}
		t, ok := r.participants[d.Participant]
		if !ok {
			return nil, errorf(CodeInvalid, "no participant %s", d.Participant)
		}
		target = t
	}
	target.HandRaised = false
	return []Out{r.emit(toAll(), EventHandRaised, HandEvent{Participant: target.ID, Raised: false})}, nil
}

// pauseSignal stops the sender's group at once, without waiting for a trainer, and tells the
// trainers why.
func (r *Room) pauseSignal(p *Participant, d *PauseSignalData) ([]Out, error) {
	g := r.groupOf(p.ID)
	if g == nil {
		return nil, errorf(CodeInvalidState, "you are not in a group")
	}
	var outs []Out
	if g.round.phase.active() && !g.round.paused {
		outs = append(outs, r.pause(g))
	}
	s := PauseSignal{Participant: p.ID, Group: g.id, Reason: d.Reason, At: r.now}
	r.signals = append(r.signals, s)
	return append(outs, r.emit(toGroup(g.id), EventPauseSignal, s)), nil
}

// seatTurn is the seat whose feedback a phase collects; "" is the trainer's turn.
func seatTurn(p RoundPhase) (courses.Seat, bool) {
	switch p {
	case RoundFeedbackObserver:
		return courses.SeatObserver, true
	case RoundFeedbackSelf:
		return courses.SeatPeerWorker, true
	case RoundFeedbackSpeaker:
		return courses.SeatSpeaker, true
	case RoundFeedbackTrainer:
		return "", true
	}
	return "", false
}

func (r *Room) submitFeedback(p *Participant, d *FeedbackSubmitData) ([]Out, error) {
	var g *group
	var seat courses.Seat
	if p.Role == RoleTrainer {
		if d.Group == "" {
			return nil, errorf(CodeInvalid, "group is required")
		}
		if g = r.group(d.Group); g == nil {
			return nil, errorf(CodeInvalid, "no group %s", d.Group)
		}
		seat = g.trainerSeat()
	} else {
		if g = r.groupOf(p.ID); g == nil {
			return nil, errorf(CodeInvalidState, "you are not in a group")
		}
		if d.Group != "" && d.Group != g.id {
			return nil, errorf(CodeForbidden, "you can only give feedback in your own group")
		}
		seat, _ = g.seat(p.ID)
	}
	turn, ok := seatTurn(g.round.phase)
	if !ok {
		return nil, errorf(CodeInvalidState, "group %s is not in a feedback phase", g.id)
	}
	if g.round.paused {
		return nil, errorf(CodeInvalidState, "the round is paused")
	}
	if turn == "" && p.Role != RoleTrainer || turn != "" && seat != turn {
		return nil, errorf(CodeForbidden, "it is not your turn to give feedback (%s)", g.round.phase)
	}
	for _, f := range r.feedback {
		if f.Round == g.round.number && f.Phase == g.round.phase && f.From == p.ID {
			return nil, errorf(CodeConflict, "you have already given feedback in this phase")
		}
	}
	if err := r.checkScores(g.round, d.Scores); err != nil {
		return nil, err
	}
	f := Feedback{
		Group: g.id, Round: g.round.number, Phase: g.round.phase, From: p.ID, Seat: seat,
		Scores: cloneScores(d.Scores), Comment: d.Comment, At: r.now,
	}
	r.feedback = append(r.feedback, f)
	return []Out{r.emit(toGroup(g.id), EventFeedbackSubmitted, f)}, nil
}

// checkScores asks the observer for a score on every rubric criterion of the round's card, and
// nobody else for any.
func (r *Room) checkScores(rd round, scores map[string]int) error {
	if rd.phase != RoundFeedbackObserver {
		if len(scores) > 0 {
			return errorf(CodeInvalid, "only the observer scores against the rubric")
		}
		return nil
	}
	var rubric []string
	if c := r.cards[rd.cardID]; c != nil {
		rubric = c.Rubric
	}
	for _, id := range rubric {
		if _, ok := scores[id]; !ok {
			return errorf(CodeInvalid, "score for %q is missing", id)
		}
	}
	for id, s := range scores {
		if !slices.Contains(rubric, id) {
			return errorf(CodeInvalid, "%q is not a criterion of this card", id)
		}
		if s < 1 || s > 4 {
			return errorf(CodeInvalid, "score for %q is %d, not 1 to 4", id, s)
		}
	}
	return nil
}

func cloneScores(m map[string]int) map[string]int {
	if len(m) == 0 {
		return nil
	}
	c := make(map[string]int, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func (r *Room) assign(d *GroupsAssignData) ([]Out, error) {
	for _, g := range r.groups {
		if g.round.phase.active() {
			return nil, errorf(CodeInvalidState, "group %s is in a round", g.id)
		}
	}
	lists := d.Groups
	if d.Auto {
		var present []ParticipantID
		for _, id := range r.roster {
			if p := r.participants[id]; p.Role == RoleTrainee && p.Connected {
				present = append(present, id)
			}
		}
		if len(present) == 0 {
			return nil, errorf(CodeInvalidState, "no trainees are connected")
		}
		lists = AssignTriads(present)
	}
	seen := make(map[ParticipantID]bool)
	for _, members := range lists {
		if len(members) < 1 || len(members) > 4 {
			return nil, errorf(CodeInvalid, "a group has 1 to 4 members, not %d", len(members))
		}
		for _, id := range members {
			p, ok := r.participants[id]
			if !ok || p.Role != RoleTrainee {
				return nil, errorf(CodeInvalid, "%s is not a trainee in this session", id)
			}
			if seen[id] {
				return nil, errorf(CodeInvalid, "%s is in two groups", id)
			}
			seen[id] = true
		}
	}
	r.groups = r.groups[:0]
	for i, members := range lists {
		r.groups = append(r.groups, &group{id: GroupID(fmt.Sprintf("g%d", i+1)), members: slices.Clone(members)})
	}
	ev := GroupsEvent{Groups: r.Groups(), Unassigned: r.unassigned()}
	return []Out{r.emit(toAll(), EventGroupsAssigned, ev)}, nil
}

// targets is the named group, or every group.
func (r *Room) targets(id GroupID) ([]*group, error) {
	if id != "" {
		g := r.group(id)
		if g == nil {
			return nil, errorf(CodeInvalid, "no group %s", id)
		}
		return []*group{g}, nil
	}
	if len(r.groups) == 0 {
		return nil, errorf(CodeInvalidState, "no groups are assigned")
	}
	return r.groups, nil
}

func (r *Room) startRound(d *RoundStartData) ([]Out, error) {
	gs, err := r.targets(d.Group)
	if err != nil {
		return nil, err
	}
	if r.cards[d.CardID] == nil {
		return nil, errorf(CodeInvalid, "no card %s in this session", d.CardID)
	}
	for _, g := range gs {
		if g.round.phase.active() {
			return nil, errorf(CodeInvalidState, "group %s is already in a round", g.id)
		}
	}
	var outs []Out
	for _, g := range gs {
		r.rounds++
		practice := time.Duration(d.PracticeSeconds) * time.Second
		g.round = round{
			number: r.rounds, cardID: d.CardID, phase: RoundPractice,
			startedAt: r.now, endsAt: r.now.Add(practice),
			practice: practice, feedback: time.Duration(d.FeedbackSeconds) * time.Second,
		}
		outs = append(outs, r.emit(toGroup(g.id), EventRoundStarted, RoundEvent{Group: g.id, Round: g.round.view()}))
	}
	return outs, nil
}

// activeTargets is the named group, which must match want, or every group that does.
func (r *Room) activeTargets(id GroupID, want func(*group) bool, what string) ([]*group, error) {
	gs, err := r.targets(id)
	if err != nil {
		return nil, err
	}
	var out []*group
	for _, g := range gs {
		if want(g) {
			out = append(out, g)
		} else if id != "" {
			return nil, errorf(CodeInvalidState, "group %s has no %s", g.id, what)
		}
	}
	if len(out) == 0 {
		return nil, errorf(CodeInvalidState, "no group has %s", what)
	}
	return out, nil
}

func running(g *group) bool { return g.round.phase.active() && !g.round.paused }
func paused(g *group) bool  { return g.round.phase.active() && g.round.paused }
func active(g *group) bool  { return g.round.phase.active() }

// pause keeps what is left of the phase so resume can give it back.
func (r *Room) pause(g *group) Out {
	g.round.remaining = max(g.round.endsAt.Sub(r.now), 0)
	g.round.paused = true
	return r.emit(toGroup(g.id), EventRoundPaused, RoundEvent{Group: g.id, Round: g.round.view()})
}

func (r *Room) pauseRounds(id GroupID) ([]Out, error) {
	gs, err := r.activeTargets(id, running, "running round")
	if err != nil {
		return nil, err
	}
	var outs []Out
	for _, g := range gs {
		outs = append(outs, r.pause(g))
	}
	return outs, nil
}

func (r *Room) resumeRounds(id GroupID) ([]Out, error) {
	gs, err := r.activeTargets(id, paused, "paused round")
	if err != nil {
		return nil, err
	}
	var outs []Out
	for _, g := range gs {
		g.round.endsAt = r.now.Add(g.round.remaining)
		g.round.paused, g.round.remaining = false, 0
		outs = append(outs, r.emit(toGroup(g.id), EventRoundPhase, RoundEvent{Group: g.id, Round: g.round.view()}))
	}
	return outs, nil
}

func (r *Room) extend(d *RoundExtendData) ([]Out, error) {
	gs, err := r.activeTargets(d.Group, active, "round")
	if err != nil {
		return nil, err
	}
	by := time.Duration(d.Seconds) * time.Second
	var outs []Out
	for _, g := range gs {
		if g.round.paused {
			g.round.remaining += by
		} else {
			g.round.endsAt = g.round.endsAt.Add(by)
		}
		outs = append(outs, r.emit(toGroup(g.id), EventRoundPhase, RoundEvent{Group: g.id, Round: g.round.view()}))
	}
	return outs, nil
}

func (r *Room) end(g *group) Out {
	g.round.phase, g.round.paused, g.round.remaining = RoundDone, false, 0
	return r.emit(toGroup(g.id), EventRoundEnded, RoundEvent{Group: g.id, Round: g.round.view()})
}

func (r *Room) endRounds(id GroupID) ([]Out, error) {
	gs, err := r.activeTargets(id, active, "round")
	if err != nil {
		return nil, err
	}
	var outs []Out
	for _, g := range gs {
		outs = append(outs, r.end(g))
	}
	return outs, nil
}

// advanceRounds moves each running round on to its next phase now, as when a conversation ends
// before its time: practice to the observer's feedback, and so on.
func (r *Room) advanceRounds(id GroupID) ([]Out, error) {
	gs, err := r.activeTargets(id, running, "running round")
	if err != nil {
		return nil, err
	}
	var outs []Out
	for _, g := range gs {
		g.round.phase = g.round.phase.next()
		if g.round.phase == RoundDone {
			outs = append(outs, r.end(g))
			continue
		}
		g.round.endsAt = r.now.Add(g.round.feedback)
		outs = append(outs, r.emit(toGroup(g.id), EventRoundPhase, RoundEvent{Group: g.id, Round: g.round.view()}))
	}
	return outs, nil
}

func (r *Room) rotate(id GroupID) ([]Out, error) {
	gs, err := r.targets(id)
	if err != nil {
		return nil, err
	}
	for _, g := range gs {
		if g.round.phase.active() {
			return nil, errorf(CodeInvalidState, "group %s is in a round", g.id)
		}
	}
	var outs []Out
	for _, g := range gs {
		g.rotation++
		outs = append(outs, r.emit(toGroup(g.id), EventRolesRotated, g.view()))
	}
	return outs, nil
}

// endSession moves a running session to debrief, ending any round, and any other session to ended.
func (r *Room) endSession() []Out {
	var outs []Out
	if r.phase == SessionRunning {
		for _, g := range r.groups {
			if g.round.phase.active() {
				outs = append(outs, r.end(g))
			}
		}
		r.phase = SessionDebrief
	} else {
		r.phase = SessionEnded
	}
	return append(outs, r.emit(toAll(), EventSessionEnded, SessionEvent{Phase: r.phase}))
}

// Tick moves the session and its rounds on to now: the lobby opens LobbyOpens before the start,
// the session runs from the start, and each round phase whose ends_at has passed gives way to the
// next. Time is kept here, not in any browser, so a round goes on if the trainer leaves.
func (r *Room) Tick(now time.Time) []Out {
	r.observe(now)
	var outs []Out
	if r.phase == SessionScheduled && !r.now.Before(r.startsAt.Add(-LobbyOpens)) {
		r.phase = SessionLobby
		outs = append(outs, r.emit(toAll(), EventSnapshot, nil))
	}
	if r.phase == SessionLobby && !r.now.Before(r.startsAt) {
		r.phase = SessionRunning
		outs = append(outs, r.emit(toAll(), EventSnapshot, nil))
	}
	if r.phase != SessionRunning {
		return outs
	}
	for _, g := range r.groups {
		for running(g) && !r.now.Before(g.round.endsAt) {
			g.round.phase = g.round.phase.next()
			if g.round.phase == RoundDone {
				outs = append(outs, r.end(g))
				break
			}
			// Each phase follows on from the scheduled end of the last, so a late tick does not
			// stretch the round.
			g.round.endsAt = g.round.endsAt.Add(g.round.feedback)
			outs = append(outs, r.emit(toGroup(g.id), EventRoundPhase, RoundEvent{Group: g.id, Round: g.round.view()}))
		}
	}
	return outs
}

// CardView is what one participant may see of a card: the shared situation and rubric for
// everyone and, for someone in a seat, that seat's brief and nothing of the others'.
type CardView struct {
	ID             string              `json:"id"`
	Title          string              `json:"title"`
	Setting        string              `json:"setting"`
	ContentWarning string              `json:"content_warning,omitempty"`
	Shared         string              `json:"shared"`
	Rubric         []string            `json:"rubric"`
	Criteria       []courses.Criterion `json:"criteria"`
	Seat           courses.Seat        `json:"seat,omitempty"`
	Role           string              `json:"role,omitempty"`
	Brief          string              `json:"brief,omitempty"`
}

// Snapshot is one participant's whole view of the session, sent on connect and whenever they
// have missed too much to replay.
type Snapshot struct {
	Seq          int64           `json:"seq"`
	Session      SessionPhase    `json:"session"`
	StartsAt     time.Time       `json:"starts_at"`
	You          Participant     `json:"you"`
	Group        GroupID         `json:"group,omitempty"`
	Seat         courses.Seat    `json:"seat,omitempty"`
	Participants []Participant   `json:"participants"`
	Groups       []GroupView     `json:"groups"`
	Unassigned   []ParticipantID `json:"unassigned,omitempty"`
	Card         *CardView       `json:"card,omitempty"`
	// Cards and TrainerCards are for trainers: every card's shared parts, and the brief of the
	// seat the trainer plays in a group of fewer than three.
	Cards        []CardView           `json:"cards,omitempty"`
	TrainerCards map[GroupID]CardView `json:"trainer_cards,omitempty"`
	Feedback     []Feedback           `json:"feedback"`
	PauseSignals []PauseSignal        `json:"pause_signals,omitempty"`
	// The transport fills these in: whether the session may keep a transcript, and whether chat
	// is being kept now (everyone who joined agreed).
	TranscriptAllowed bool `json:"transcript_allowed"`
	TranscriptKept    bool `json:"transcript_kept"`
}

// YouView is the private part of groups.assigned, round.started and roles.rotated, different for
// each recipient: a trainee's group, seat and card with their own brief; a trainer's briefs for
// the seats they play.
type YouView struct {
	Group        GroupID              `json:"group,omitempty"`
	Seat         courses.Seat         `json:"seat,omitempty"`
	Card         *CardView            `json:"card,omitempty"`
	TrainerCards map[GroupID]CardView `json:"trainer_cards,omitempty"`
}

// Personal reports whether events of type t carry a YouView for each recipient.
func Personal(t EventType) bool {
	return t == EventGroupsAssigned || t == EventRoundStarted || t == EventRolesRotated
}

// You returns the private view of one participant as the room stands.
func (r *Room) You(id ParticipantID) YouView {
	p, ok := r.participants[id]
	if !ok {
		return YouView{}
	}
	if p.Role == RoleTrainer {
		return YouView{TrainerCards: r.trainerCards()}
	}
	g := r.groupOf(id)
	if g == nil {
		return YouView{}
	}
	seat, _ := g.seat(id)
	v := YouView{Group: g.id, Seat: seat}
	if c := r.cards[g.round.cardID]; c != nil && g.round.phase != RoundNone {
		v.Card = r.seatView(c, seat)
	}
	return v
}

func (r *Room) trainerCards() map[GroupID]CardView {
	var m map[GroupID]CardView
	for _, g := range r.groups {
		seat := g.trainerSeat()
		c := r.cards[g.round.cardID]
		if seat == "" || c == nil || g.round.phase == RoundNone {
			continue
		}
		if m == nil {
			m = make(map[GroupID]CardView)
		}
		m[g.id] = *r.seatView(c, seat)
	}
	return m
}

// Snapshot returns what the participant may see. Trainers see every group, every card's shared
// parts, the unassigned and the pause signals; trainees see their own group and the card of its
// round. Only the brief for the participant's own seat is included.
func (r *Room) Snapshot(id ParticipantID) Snapshot {
	s := Snapshot{Seq: r.seq, Session: r.phase, StartsAt: r.startsAt, Groups: []GroupView{}, Feedback: []Feedback{}}
	for _, pid := range r.roster {
		s.Participants = append(s.Participants, *r.participants[pid])
	}
	p, ok := r.participants[id]
	if !ok {
		return s
	}
	s.You = *p
	if p.Role == RoleTrainer {
		s.Groups = r.Groups()
		s.Unassigned = r.unassigned()
		s.PauseSignals = slices.Clone(r.signals)
		for _, g := range r.groups {
			s.Feedback = append(s.Feedback, r.roundFeedback(g)...)
		}
		for _, cid := range r.cardOrder {
			s.Cards = append(s.Cards, *r.shared(r.cards[cid]))
		}
		s.TrainerCards = r.trainerCards()
		return s
	}
	you := r.You(id)
	if you.Group == "" {
		return s
	}
	g := r.group(you.Group)
	s.Group, s.Seat, s.Card = you.Group, you.Seat, you.Card
	s.Groups = []GroupView{g.view()}
	s.Feedback = append(s.Feedback, r.roundFeedback(g)...)
	return s
}

func (r *Room) shared(c *courses.Card) *CardView {
	v := &CardView{
		ID: c.ID, Title: c.Title, Setting: c.Setting, ContentWarning: c.ContentWarning,
		Shared: c.Shared, Rubric: slices.Clone(c.Rubric), Criteria: []courses.Criterion{},
	}
	for _, id := range c.Rubric {
		if cr, ok := r.criteria[id]; ok {
			v.Criteria = append(v.Criteria, cr)
		}
	}
	return v
}

func (r *Room) seatView(c *courses.Card, seat courses.Seat) *CardView {
	v := r.shared(c)
	v.Seat, v.Role, v.Brief = seat, c.Roles[seat], c.Briefs[seat]
	return v
}

// NextDeadline is the earliest time at which Tick would change the room: the lobby opening, the
// start, or the end of a running round phase. ok is false when nothing is timed.
func (r *Room) NextDeadline() (at time.Time, ok bool) {
	consider := func(t time.Time) {
		if !ok || t.Before(at) {
			at, ok = t, true
		}
	}
	switch r.phase {
	case SessionScheduled:
		consider(r.startsAt.Add(-LobbyOpens))
	case SessionLobby:
		consider(r.startsAt)
	case SessionRunning:
		for _, g := range r.groups {
			if running(g) {
				consider(g.round.endsAt)
			}
		}
	}
	return at, ok
}

func (r *Room) roundFeedback(g *group) []Feedback {
	var fs []Feedback
	for _, f := range r.feedback {
		if f.Group == g.id && f.Round == g.round.number && g.round.number != 0 {
			fs = append(fs, f)
		}
	}
	return fs
}

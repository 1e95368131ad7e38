package rooms

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"slices"
	"time"

	"peerpath/courses"
)

// live is one room as this instance holds it: a replica of the room state machine, kept equal on
// every instance by applying the session's command log in order. One goroutine owns it; everything
// else posts functions to its inbox.
type live struct {
	hub  *Hub
	id   string
	org  string
	spec courses.RoleplaySession
	room *Room

	inbox chan func()
	done  chan struct{}

	// slot spreads the rooms' log polls over time.
	slot int

	// Guarded by hub.mu.
	users     int
	idleSince time.Time

	// Owned by the room goroutine.
	applied  int64
	lastAt   time.Time
	conns    map[*conn]struct{}
	presence map[ParticipantID]int // connections cluster-wide, from join and leave commands
	declined bool                  // someone joined without agreeing to a transcript
	ring     []ringEntry
	timer    *time.Timer
	timerAt  time.Time
}

// ringEntry is a recent event with who received it and, for personal events, what each was told.
type ringEntry struct {
	out Out
	all bool            // for everyone: to is left empty
	to  []ParticipantID // otherwise, who received it
	you map[ParticipantID]YouView
}

func (e *ringEntry) reaches(id ParticipantID) bool { return e.all || slices.Contains(e.to, id) }

func newLive(h *Hub, spec courses.RoleplaySession) (*live, error) {
	roster := make([]Participant, 0, len(spec.Roster))
	for _, m := range spec.Roster {
		role := RoleTrainee
		if m.Trainer {
			role = RoleTrainer
		}
		roster = append(roster, Participant{ID: ParticipantID(m.PersonID), Name: m.Name, Role: role})
	}
	room, err := NewRoom(spec.ID, spec.StartsAt, roster, spec.Cards, spec.Criteria)
	if err != nil {
		return nil, err
	}
	return &live{
		slot: slotOf(spec.ID),
		hub:  h, id: spec.ID, org: spec.OrgID, spec: spec, room: room,
		inbox: make(chan func(), 256), done: make(chan struct{}),
		conns: make(map[*conn]struct{}), presence: make(map[ParticipantID]int),
	}, nil
}

// load replays the whole log; it runs before the room goroutine starts.
func (l *live) load(ctx context.Context) error {
	cmds, err := l.hub.cfg.Store.RoleplayCommands(ctx, l.org, l.id, 0)
	if err != nil {
		return err
	}
	l.hub.unstash(ctx, cmds)
	for _, c := range cmds {
		l.applyCommand(c, false)
	}
	return nil
}

func (l *live) run() {
	l.armTimer()
	for {
		select {
		case f := <-l.inbox:
			f()
		case <-l.done:
			if l.timer != nil {
				l.timer.Stop()
			}
			return
		}
	}
}

func (l *live) stop() {
	select {
	case <-l.done:
	default:
		close(l.done)
	}
}

// post hands f to the room goroutine; after the room stops it is dropped.
func (l *live) post(f func()) {
	select {
	case l.inbox <- f:
	case <-l.done:
	}
}

// offer hands f over without waiting when the room is busy, so one busy room never holds up the
// pub/sub reader that serves every room; f then waits in a goroutine of its own. Commands that
// arrive out of order this way are put right by remote, which applies them by number.
func (l *live) offer(f func()) {
	select {
	case l.inbox <- f:
	default:
		go l.post(f)
	}
}

func (l *live) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(l.hub.ctx, 5*time.Second)
}

// applyCommand applies one logged command to the replica, keeps its events for resuming
// clients, and sends them to this instance's connections.
func (l *live) applyCommand(c courses.RoleplayCommand, deliver bool) ([]Out, error) {
	l.applied = c.N
	if c.At.After(l.lastAt) {
		l.lastAt = c.At
	}
	pid := ParticipantID(c.Person)
	var outs []Out
	var err error
	switch c.Kind {
	case courses.CommandTick:
		outs = l.room.Tick(c.At)
		if len(outs) > 0 && l.room.Phase() == SessionLobby {
			// People who connected before the lobby opened join as it opens.
			for _, id := range l.room.roster {
				if l.presence[id] > 0 {
					more, _ := l.room.Join(c.At, id)
					outs = append(outs, more...)
				}
			}
		}
	case courses.CommandJoin:
		var j joinData
		_ = json.Unmarshal(c.Intent, &j)
		if !j.Consent {
			l.declined = true
		}
		l.presence[pid]++
		if l.presence[pid] == 1 {
			outs, err = l.room.Join(c.At, pid)
		}
	case courses.CommandLeave:
		if l.presence[pid] > 0 {
			l.presence[pid]--
			if l.presence[pid] == 0 {
				outs = l.room.Leave(c.At, pid)
			}
		}
	case courses.CommandIntent:
		var in Intent
		if in, err = DecodeIntent(c.Intent); err == nil {
			outs, err = l.room.Apply(c.At, pid, in)
		}
	}
	entries := l.remember(outs)
	if deliver {
		l.deliver(entries)
	}
	if f := l.hub.cfg.OnEvent; f != nil {
		for _, o := range outs {
			f(l.id, o.Event)
		}
	}
	return outs, err
}

// joinData is the intent field of a join command.
type joinData struct {
	Consent bool `json:"consent"`
}

func (l *live) remember(outs []Out) []ringEntry {
	entries := make([]ringEntry, 0, len(outs))
	for _, o := range outs {
		e := ringEntry{out: o, all: o.To.Kind == AudienceAll}
		if !e.all {
			e.to = l.room.Recipients(o.To)
		}
		if Personal(o.Event.Type) {
			to := e.to
			if e.all {
				to = l.room.Recipients(o.To)
			}
			e.you = make(map[ParticipantID]YouView, len(to))
			for _, id := range to {
				e.you[id] = l.room.You(id)
			}
		}
		entries = append(entries, e)
	}
	l.ring = append(l.ring, entries...)
	// Trim in batches, so keeping the ring costs a copy per Ring events, not per event.
	if len(l.ring) >= 2*l.hub.cfg.Ring {
		l.ring = append([]ringEntry(nil), l.ring[len(l.ring)-l.hub.cfg.Ring:]...)
	}
	return entries
}

// deliver sends events to the connections here that should have them. An event for everyone is
// encoded once; personal events and snapshots once per recipient.
func (l *live) deliver(entries []ringEntry) {
	if len(l.conns) == 0 {
		return
	}
	for _, e := range entries {
		var shared []byte
		for c := range l.conns {
			if !e.reaches(c.pid) {
				continue
			}
			switch {
			case e.out.Event.Type == EventSnapshot:
				c.enqueue(l.snapshotFor(c.pid, e.out.Event.Seq))
			case e.you != nil:
				c.enqueue(encodePersonal(e.out.Event, e.you[c.pid]))
			default:
				if shared == nil {
					shared = encode(e.out.Event)
				}
				c.enqueue(shared)
			}
		}
	}
}

func encode(e Envelope) []byte {
	b, err := json.Marshal(e)
	if err != nil {
		b, _ = json.Marshal(Envelope{Type: EventError, At: e.At, Data: ErrorData{Code: "internal", Message: "Internal error."}})
	}
	return b
}

// encodePersonal adds the recipient's private view to an event's data object.
func encodePersonal(e Envelope, you YouView) []byte {
	data, err := json.Marshal(e.Data)
	if err != nil || len(data) < 2 || data[len(data)-1] != '}' {
		return encode(e)
	}
	yb, _ := json.Marshal(you)
	var buf bytes.Buffer
	buf.Write(data[:len(data)-1])
	if len(data) > 2 {
		buf.WriteByte(',')
	}
	buf.WriteString(`"you":`)
	buf.Write(yb)
	buf.WriteByte('}')
	return encode(Envelope{Type: e.Type, Seq: e.Seq, At: e.At, Data: json.RawMessage(buf.Bytes())})
}

func (l *live) transcriptKept() bool { return l.spec.TranscriptAllowed && !l.declined }

func (l *live) snapshotFor(id ParticipantID, seq int64) []byte {
	s := l.room.Snapshot(id)
	s.Seq = seq
	s.TranscriptAllowed, s.TranscriptKept = l.spec.TranscriptAllowed, l.transcriptKept()
	return encode(Envelope{Type: EventSnapshot, Seq: seq, At: l.lastAt, Data: s})
}

// missed returns what a client that last saw lastSeq needs: the events after it meant for them,
// or nil and false when only a snapshot will do.
func (l *live) missed(id ParticipantID, lastSeq int64) ([][]byte, bool) {
	seq := l.room.Seq()
	if lastSeq <= 0 || lastSeq > seq {
		return nil, false
	}
	if lastSeq == seq {
		return nil, true
	}
	if len(l.ring) == 0 || l.ring[0].out.Event.Seq > lastSeq+1 {
		return nil, false
	}
	var msgs [][]byte
	for _, e := range l.ring {
		if e.out.Event.Seq <= lastSeq || !e.reaches(id) {
			continue
		}
		switch {
		case e.out.Event.Type == EventSnapshot:
			// The session changed phase meanwhile: a fresh snapshot says it all.
			return nil, false
		case e.you != nil:
			msgs = append(msgs, encodePersonal(e.out.Event, e.you[id]))
		default:
			msgs = append(msgs, encode(e.out.Event))
		}
	}
	return msgs, true
}

// catchUp applies the commands other instances logged since the last one applied here.
func (l *live) catchUp() error {
	ctx, cancel := l.ctx()
	defer cancel()
	cmds, err := l.hub.cfg.Store.RoleplayCommands(ctx, l.org, l.id, l.applied)
	if err != nil {
		return err
	}
	l.hub.unstash(ctx, cmds)
	for _, c := range cmds {
		if c.N != l.applied+1 {
			break
		}
		l.applyCommand(c, true)
	}
	l.armTimer()
	return nil
}

func (l *live) poll() {
	if err := l.catchUp(); err != nil {
		l.hub.log.Warn("roleplay poll", "session", l.id, "error", err)
	}
	l.tickIfDue()
}

// remote applies a command another instance published: the next one at once, an older one not
// at all, and after a gap the missing ones from the log first.
func (l *live) remote(c courses.RoleplayCommand) {
	switch {
	case c.N <= l.applied:
		return
	case c.N > l.applied+1:
		if err := l.catchUp(); err != nil {
			l.hub.log.Warn("roleplay catch up", "session", l.id, "error", err)
			return
		}
		if c.N != l.applied+1 {
			return
		}
	}
	l.applyCommand(c, true)
	l.armTimer()
}

// errUnavailable is what a client is told when the log cannot be written.
var errUnavailable = &Error{Code: "unavailable", Message: "The session could not be updated just now. Please try again."}

// commit writes a command as the next in the log, catching up and retrying when another
// instance wrote that number first, then applies it here and tells the other instances. stored
// is what the log keeps of the intent (chat text may be left out); c.Intent is the whole. A
// command that only makes sense in the state it was meant for (a tick) passes still, which is
// asked again after catching up; when it says no, nothing is written.
func (l *live) commit(c courses.RoleplayCommand, stored json.RawMessage, still func() bool) ([]Out, error, error) {
	for range 16 {
		if still != nil && !still() {
			return nil, nil, nil
		}
		c.N = l.applied + 1
		c.At = l.hub.cfg.Now().UTC()
		if c.At.Before(l.lastAt) {
			c.At = l.lastAt
		}
		keep := c
		keep.Intent = stored
		ctx, cancel := l.ctx()
		err := l.hub.cfg.Store.AppendRoleplayCommand(ctx, l.org, l.id, keep)
		cancel()
		if errors.Is(err, courses.ErrCommandTaken) {
			if err := l.catchUp(); err != nil {
				return nil, nil, err
			}
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		l.hub.publish(l.id, c)
		outs, applyErr := l.applyCommand(c, true)
		l.armTimer()
		return outs, applyErr, nil
	}
	return nil, nil, errors.New("roleplay log: too many instances writing at once")
}

// armTimer sets the room's timer for the next deadline, so rounds move on without anyone
// connected to this instance doing anything.
func (l *live) armTimer() {
	at, ok := l.room.NextDeadline()
	if !ok {
		if l.timer != nil {
			l.timer.Stop()
		}
		return
	}
	if l.timer != nil && at.Equal(l.timerAt) {
		return
	}
	if l.timer != nil {
		l.timer.Stop()
	}
	l.timerAt = at
	d := at.Sub(l.hub.cfg.Now())
	if d < 0 {
		d = 0
	}
	// A little late rather than early: an early tick finds nothing due and waits again.
	l.timer = time.AfterFunc(d+5*time.Millisecond, func() { l.post(l.tickIfDue) })
}

// tickIfDue logs a tick when a deadline has passed. Every instance may try; the one that wins the
// command number ticks, and the others find the deadline moved when they catch up.
func (l *live) tickIfDue() {
	at, ok := l.room.NextDeadline()
	if !ok {
		return
	}
	if l.hub.cfg.Now().Before(at) {
		l.timerAt = time.Time{}
		l.armTimer()
		return
	}
	due := func() bool {
		at, ok := l.room.NextDeadline()
		return ok && !l.hub.cfg.Now().Before(at)
	}
	outs, _, err := l.commit(courses.RoleplayCommand{Kind: courses.CommandTick}, nil, due)
	if err != nil {
		l.hub.log.Warn("roleplay tick", "session", l.id, "error", err)
		l.timerAt = time.Time{}
		l.timer = time.AfterFunc(time.Second, func() { l.post(l.tickIfDue) })
		return
	}
	l.record(outs, nil)
}

// record stores the facts this instance's command produced: seats at a round's start, feedback,
// the session's end, and chat when the transcript is kept.
func (l *live) record(outs []Out, extra *courses.RoleplayFacts) {
	var f courses.RoleplayFacts
	if extra != nil {
		f = *extra
	}
	for _, o := range outs {
		switch d := o.Event.Data.(type) {
		case RoundEvent:
			if o.Event.Type != EventRoundStarted {
				continue
			}
			g := l.room.group(d.Group)
			if g == nil {
				continue
			}
			v := g.view()
			for _, id := range v.Members {
				f.Seats = append(f.Seats, courses.RoleplaySeat{Round: d.Round.Number, Group: string(d.Group),
					Person: string(id), Seat: v.Seats[id], CardID: d.Round.CardID, StartedAt: d.Round.StartedAt})
			}
		case Feedback:
			about := ""
			if g := l.room.group(d.Group); g != nil {
				v := g.view()
				for id, seat := range v.Seats {
					if seat == courses.SeatPeerWorker {
						about = string(id)
					}
				}
			}
			f.Feedback = append(f.Feedback, courses.RoleplayFeedback{Round: d.Round, Phase: string(d.Phase),
				Group: string(d.Group), From: string(d.From), Seat: d.Seat, About: about,
				Scores: d.Scores, Comment: d.Comment, At: d.At})
		case ChatEvent:
			if l.transcriptKept() {
				f.Transcript = append(f.Transcript, courses.RoleplayChatLine{Seq: o.Event.Seq,
					Person: string(d.From), Group: string(d.Group), Text: d.Text, At: o.Event.At})
			}
		case SessionEvent:
			if d.Phase == SessionEnded {
				at := o.Event.At
				f.EndedAt = &at
			}
		}
	}
	if f.Empty() {
		return
	}
	ctx, cancel := l.ctx()
	defer cancel()
	if err := l.hub.cfg.Store.RecordRoleplayFacts(ctx, l.org, l.id, f); err != nil {
		l.hub.log.Error("roleplay record", "session", l.id, "error", err)
	}
}

// --- connections

// register adds a connection after its hello: it gets what it missed, then it joins.
func (l *live) register(c *conn, hello *HelloData) {
	l.tickIfDue()
	if msgs, ok := l.missed(c.pid, hello.LastSeq); ok {
		for _, m := range msgs {
			c.enqueue(m)
		}
	} else {
		c.enqueue(l.snapshotFor(c.pid, l.room.Seq()))
	}
	l.conns[c] = struct{}{}
	consent := hello.TranscriptConsent != nil && *hello.TranscriptConsent
	j, _ := json.Marshal(joinData{Consent: consent})
	_, _, err := l.commit(courses.RoleplayCommand{Kind: courses.CommandJoin, Person: string(c.pid), Intent: j}, j, nil)
	if err != nil {
		l.hub.log.Warn("roleplay join", "session", l.id, "error", err)
		c.kill(closeTryAgain, "The session could not be joined just now.")
		delete(l.conns, c)
		return
	}
	c.joined = true
	l.record(nil, &courses.RoleplayFacts{Joins: []courses.RoleplayJoin{{Person: string(c.pid), At: l.lastAt, Consent: consent}}})
}

// resync answers a later hello on an open connection.
func (l *live) resync(c *conn, hello *HelloData) {
	if msgs, ok := l.missed(c.pid, hello.LastSeq); ok {
		for _, m := range msgs {
			c.enqueue(m)
		}
		return
	}
	c.enqueue(l.snapshotFor(c.pid, l.room.Seq()))
}

func (l *live) unregister(c *conn) {
	if _, ok := l.conns[c]; !ok {
		return
	}
	delete(l.conns, c)
	if !c.joined {
		return
	}
	if _, _, err := l.commit(courses.RoleplayCommand{Kind: courses.CommandLeave, Person: string(c.pid)}, nil, nil); err != nil {
		l.hub.log.Warn("roleplay leave", "session", l.id, "error", err)
		return
	}
	if l.presence[c.pid] == 0 {
		l.record(nil, &courses.RoleplayFacts{Leaves: []courses.RoleplayLeave{{Person: string(c.pid), At: l.lastAt}}})
	}
}

// intent applies a client's intent and answers it.
func (l *live) intent(c *conn, in Intent, raw []byte) {
	now := l.hub.cfg.Now().UTC()
	if p, ok := l.room.participants[c.pid]; !ok || trainerOnly(in.Type) && p.Role != RoleTrainer {
		c.enqueue(encode(NewErrorReply(now, in.ReqID, errorf(CodeForbidden, "only a trainer can send %s", in.Type))))
		return
	}
	stored := json.RawMessage(raw)
	if d, ok := in.Data.(*ChatData); ok && !l.transcriptKept() {
		// The log needs the message to replay the room, but not its words. They go to Redis for
		// a few minutes instead, under a reference the logged copy carries as its req_id, so an
		// instance that reads the command from the log rather than from pub/sub still has them.
		redacted := *d
		redacted.Text = notKept
		// Always, not only once another instance shows up: the first message another instance
		// races for would otherwise reach its people without words.
		ref := l.hub.stash(raw)
		stored, _ = json.Marshal(map[string]any{"type": in.Type, "req_id": ref, "data": redacted})
	}
	outs, applyErr, err := l.commit(courses.RoleplayCommand{Kind: courses.CommandIntent, Person: string(c.pid), Intent: raw}, stored, nil)
	if err != nil {
		l.hub.log.Warn("roleplay intent", "session", l.id, "type", in.Type, "error", err)
		c.enqueue(encode(NewErrorReply(now, in.ReqID, errUnavailable)))
		return
	}
	if applyErr != nil {
		c.enqueue(encode(NewErrorReply(now, in.ReqID, applyErr)))
		return
	}
	l.record(outs, nil)
	c.enqueue(encode(NewAck(now, in.ReqID)))
}

// goingAway closes every connection here for a server shutdown; the leaves are logged first so
// the room shows them gone until they come back through another instance.
func (l *live) goingAway() {
	for c := range l.conns {
		l.unregister(c)
		c.kill(closeGoingAway, "The server is restarting; reconnect to carry on.")
	}
}

// slotOf spreads rooms over the hub's poll slots by their id.
func slotOf(id string) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32())
}

package rooms

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"peerpath/courses"
)

// live is one room as this instance holds it: a replica of the room state machine, kept equal on
// every instance by applying the session's commands in order. The instance that owns the room
// numbers and logs the commands; the others apply what it publishes. Everything that touches
// the room is a function posted to its queue, and the queue's functions run one at a time, in
// order, on a goroutine that lives only while there is work: a thousand quiet rooms hold no
// goroutines and no stacks.
type live struct {
	hub  *Hub
	id   string
	org  string
	spec courses.RoleplaySession
	room *Room

	// The queue: qmu guards it, running is set while a goroutine runs it (and while the room
	// loads, so nothing runs before the log is applied), ended once the room stops.
	qmu     sync.Mutex
	queue   []func()
	head    int // queue[head:] is still to run
	running bool
	ended   bool
	// stopped is closed once the room has stopped and nothing runs it any more.
	stopped chan struct{}
	// ready is closed once the log is loaded, or loading failed with loadErr.
	ready   chan struct{}
	loadErr error

	// slot spreads the rooms' log polls over time.
	slot int

	// Guarded by hub.mu.
	users     int
	idleSince time.Time

	// Read by other goroutines.
	owned    atomic.Bool  // this instance owns the room
	gen      atomic.Int64 // bumped at each reload: queued log writes of an older one are dropped
	failed   atomic.Int64 // the gen whose log write failed, after which the room must reload
	unlogged atomic.Int64 // events sent out whose commands the log does not have yet
	waits    atomic.Int64 // len(waiting)

	// The room's: touched only by functions its queue runs, one at a time.
	owner    string // the instance that owns the room, as far as this one knows
	epoch    int64  // the number of the resync command that began the owner's tenure
	applied  int64
	lastAt   time.Time
	conns    map[*conn]struct{}
	presence map[ParticipantID]int // connections cluster-wide, from join and leave commands
	declined bool                  // someone joined without agreeing to a transcript
	ring     eventRing
	timer    *time.Timer
	timerAt  time.Time
	// early holds commands published ahead of one that has not arrived yet.
	early      map[int64]wire
	catchingUp bool
	polled     int64 // the last command number the log had at the last poll
	closing    bool  // the server is shutting down
	// followers are the instances that told the owner they hold the room, and when they last
	// did; followedAt is when this instance last told the owner.
	followers  map[string]follower
	sendTo     []string // followerChannels' buffer
	followedAt time.Time
	// waiting holds intents forwarded to the owner, by reference, until it answers.
	waiting map[uint64]*waitingIntent
}

// waitingIntent is an intent forwarded to the owner, with the connection waiting for it.
type waitingIntent struct {
	c     *conn
	reqID string
	kind  string
	since time.Time
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
	l := &live{
		slot: slotOf(spec.ID),
		hub:  h, id: spec.ID, org: spec.OrgID, spec: spec,
		stopped: make(chan struct{}), ready: make(chan struct{}),
		conns: make(map[*conn]struct{}), waiting: make(map[uint64]*waitingIntent),
		// Held until loaded: what is posted meanwhile waits behind the log (see Hub.acquire).
		running: true,
	}
	l.gen.Store(1)
	if err := l.reset(); err != nil {
		return nil, err
	}
	return l, nil
}

// reset empties the replica, ready to apply the log from its start.
func (l *live) reset() error {
	roster := make([]Participant, 0, len(l.spec.Roster))
	for _, m := range l.spec.Roster {
		role := RoleTrainee
		if m.Trainer {
			role = RoleTrainer
		}
		roster = append(roster, Participant{ID: ParticipantID(m.PersonID), Name: m.Name, Role: role})
	}
	room, err := NewRoom(l.spec.ID, l.spec.StartsAt, roster, l.spec.Cards, l.spec.Criteria)
	if err != nil {
		return err
	}
	l.room = room
	l.presence = make(map[ParticipantID]int)
	l.applied, l.epoch, l.declined, l.ring, l.early = 0, 0, false, eventRing{}, nil
	return nil
}

// load replays the whole log; it runs before the queue does.
func (l *live) load(ctx context.Context) error {
	cmds, err := l.hub.cfg.Store.RoleplayCommands(ctx, l.org, l.id, 0)
	if err != nil {
		return err
	}
	for _, c := range cmds {
		l.applyCommand(c, nil, false)
	}
	return nil
}

// reload replaces the replica with the log's and gives every connection here a fresh snapshot:
// after a change of owner, what this instance applied may differ from what was logged.
func (l *live) reload() error {
	ctx, cancel := l.ctx()
	defer cancel()
	cmds, err := l.hub.cfg.Store.RoleplayCommands(ctx, l.org, l.id, 0)
	if err != nil {
		return err
	}
	l.gen.Add(1)
	l.unlogged.Store(0)
	if err := l.reset(); err != nil {
		return err
	}
	for _, c := range cmds {
		l.applyCommand(c, nil, false)
	}
	for c := range l.conns {
		c.enqueue(l.snapshotFor(c.pid, l.room.Seq()))
	}
	return nil
}

// run runs the queue until it is empty or the room has stopped. Whoever sets running starts it.
func (l *live) run() {
	for {
		l.qmu.Lock()
		if l.ended || l.head == len(l.queue) {
			ended := l.ended
			l.idleLocked()
			l.qmu.Unlock()
			if ended {
				l.finish()
			}
			return
		}
		f := l.queue[l.head]
		l.queue[l.head] = nil
		l.head++
		l.qmu.Unlock()
		f()
	}
}

// idleLocked marks the queue as run by nobody, with qmu held. It keeps a small queue's array for
// the next burst and lets a long one's go.
func (l *live) idleLocked() {
	l.running = false
	l.queue, l.head = l.queue[:0], 0
	if cap(l.queue) > 64 || l.ended {
		l.queue = nil
	}
}

// stop ends the room: what is queued is dropped, and nothing posted from now on runs.
func (l *live) stop() {
	l.qmu.Lock()
	if l.ended {
		l.qmu.Unlock()
		return
	}
	l.ended = true
	idle := !l.running
	l.qmu.Unlock()
	if idle {
		l.finish()
	}
	// Otherwise the goroutine running the queue finishes when its function returns.
}

// finish runs once, after the room's last function.
func (l *live) finish() {
	if l.timer != nil {
		l.timer.Stop()
	}
	close(l.stopped)
}

// post queues f to run after everything posted before it. It never waits, so one busy room
// never holds up the goroutine that serves every room. After the room stops, f is dropped.
func (l *live) post(f func()) {
	l.qmu.Lock()
	if l.ended {
		l.qmu.Unlock()
		return
	}
	l.queue = append(l.queue, f)
	start := !l.running
	l.running = true
	l.qmu.Unlock()
	if start {
		go l.run()
	}
}

// runHere runs f on the calling goroutine, at once, when the room is idle and quick, asked
// while the room is held, says f waits on nothing: no database, no Redis round trip. Otherwise f
// is queued as post queues it. The pub/sub receiver and each connection's reader hand most
// messages over this way: a goroutine started per message and the thread woken to run it cost
// more than the room's work, up to three times on a chat that crosses instances.
func (l *live) runHere(quick func() bool, f func()) {
	l.qmu.Lock()
	if l.ended {
		l.qmu.Unlock()
		return
	}
	if l.running {
		l.queue = append(l.queue, f)
		l.qmu.Unlock()
		return
	}
	l.running = true
	l.qmu.Unlock()
	if quick() {
		f()
	} else {
		// Ahead of whatever was posted while quick looked.
		l.qmu.Lock()
		l.queue = slices.Insert(l.queue, l.head, f)
		l.qmu.Unlock()
	}
	l.qmu.Lock()
	if !l.ended && l.head == len(l.queue) {
		l.idleLocked()
		l.qmu.Unlock()
		return
	}
	l.qmu.Unlock()
	// More was posted meanwhile, or the room stopped: run finishes either.
	go l.run()
}

func (l *live) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(l.hub.ctx, 5*time.Second)
}

// applyCommand applies one logged command to the replica, keeps its events for resuming
// clients, and sends them to this instance's connections.
func (l *live) applyCommand(c courses.RoleplayCommand, decoded *Intent, deliver bool) ([]Out, error) {
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
		if decoded != nil {
			outs, err = l.room.Apply(c.At, pid, *decoded)
			break
		}
		var in Intent
		if in, err = DecodeIntent(c.Intent); err == nil {
			outs, err = l.room.Apply(c.At, pid, in)
		}
	case courses.CommandResync:
		var r resyncData
		_ = json.Unmarshal(c.Intent, &r)
		l.room.Skip(r.Skip)
		l.epoch = c.N
	}
	if !wordless(c) {
		for _, o := range outs {
			e := l.remember(o)
			if deliver {
				l.deliver(e)
			}
		}
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

// remember keeps an event in the ring, with who receives it and, for a personal event, what
// each of them is told.
func (l *live) remember(o Out) *ringEntry {
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
	return l.ring.push(e, l.hub.cfg.Ring)
}

// eventRing is a room's recent events, oldest first. It grows as events come, up to its size,
// and then each new event takes the place of the oldest, so keeping it copies nothing.
type eventRing struct {
	buf   []ringEntry
	start int // where the oldest entry is, once the ring is full
}

func (r *eventRing) len() int { return len(r.buf) }

// at returns the i-th oldest entry.
func (r *eventRing) at(i int) *ringEntry { return &r.buf[(r.start+i)%len(r.buf)] }

func (r *eventRing) push(e ringEntry, size int) *ringEntry {
	if len(r.buf) < size {
		r.buf = append(r.buf, e)
		return &r.buf[len(r.buf)-1]
	}
	at := r.start
	r.buf[at] = e
	r.start = (r.start + 1) % len(r.buf)
	return &r.buf[at]
}

// deliver sends an event to the connections here that should have it. An event for everyone is
// encoded once; personal events and snapshots once per recipient.
func (l *live) deliver(e *ringEntry) {
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
	if l.ring.len() == 0 || l.ring.at(0).out.Event.Seq > lastSeq+1 {
		return nil, false
	}
	var msgs [][]byte
	for i := range l.ring.len() {
		e := l.ring.at(i)
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

// catchUp applies the commands the log has after the last one applied here, up to number upTo
// (below zero: all): those a lost pub/sub message did not bring. Their chat words are not in the log
// unless a transcript is kept. It returns the last number the log has.
func (l *live) catchUp(upTo int64) (int64, error) {
	ctx, cancel := l.ctx()
	defer cancel()
	cmds, err := l.hub.cfg.Store.RoleplayCommands(ctx, l.org, l.id, l.applied)
	if err != nil {
		return 0, err
	}
	last := l.applied
	if len(cmds) > 0 {
		last = cmds[len(cmds)-1].N
	}
	for _, c := range cmds {
		if c.N != l.applied+1 || upTo >= 0 && c.N > upTo {
			break
		}
		if w, ok := l.early[c.N]; ok {
			// The published copy has the words; the logged one may not.
			l.accept(w)
			continue
		}
		l.applyCommand(c, nil, true)
	}
	l.drainEarly()
	return last, nil
}

// pollResult is what a poll found of one room: the last command number its log had, and who
// holds its lease ("" for nobody); each is known only when its OK is set.
type pollResult struct {
	head    int64
	headOK  bool
	owner   string
	ownerOK bool
}

// polledAt takes a follower's share of a poll (see Hub.poll).
func (l *live) polledAt(p pollResult) {
	if l.owned.Load() {
		l.tickIfDue()
		return
	}
	// The log may have a command whose pub/sub copy, with its words, is still on its way: a
	// poll applies only what the log already had at the poll before.
	if l.polled > l.applied {
		if _, err := l.catchUp(l.polled); err != nil {
			l.hub.log.Warn("roleplay poll", "session", l.id, "error", err)
		}
	}
	if p.headOK {
		l.polled = p.head
	}
	switch {
	case !p.ownerOK:
		// Redis is away: keep what we believed; commands wait until it is back.
	case p.owner == "" || p.owner == l.me():
		// No owner, or a lease of ours this replica does not know of: claim and settle.
		l.checkOwner()
	default:
		l.owner = p.owner
		l.follow()
	}
}

// --- ownership

// errNotOwner answers an intent forwarded to an instance that does not own the room.
var errNotOwner = &Error{Code: "not_owner", Message: "This server does not run the session."}

func (l *live) me() string { return l.hub.cfg.Instance }

// settle runs first from the queue: it finds the room's owner, taking the lease when free.
func (l *live) settle() {
	ctx, cancel := l.ctx()
	owner, err := l.hub.claim(ctx, l.id)
	cancel()
	if err != nil {
		// Redis is away, so no other instance can reach this room's people either: run it here.
		// Should another do the same, the log's numbering tells one of them it is not the owner.
		l.hub.log.Warn("roleplay lease", "session", l.id, "error", err)
		owner = l.me()
	}
	l.owner = owner
	if owner == l.me() {
		l.takeOver(false)
		return
	}
	l.follow()
}

// follow tells the owner that this instance holds the room, so that it publishes the room's
// commands; an owner with no followers keeps them to itself.
func (l *live) follow() {
	if l.owned.Load() || l.owner == "" {
		return
	}
	l.followedAt = time.Now()
	l.hub.send(wire{From: l.me(), Session: l.id, Follow: true}, l.hub.instanceChannel(l.owner))
}

// followed reports whether any instance follows the room, forgetting those long silent.
func (l *live) followed() bool {
	for inst, f := range l.followers {
		if time.Since(f.at) > 3*l.hub.cfg.PollEvery {
			delete(l.followers, inst)
		}
	}
	return len(l.followers) > 0
}

// follower is an instance that follows the room: its channel, and when it last said so.
type follower struct {
	channel string
	at      time.Time
}

// followerChannels are the instance channels of the room's followers, in a buffer the next call
// reuses: every command the owner publishes goes to them.
func (l *live) followerChannels() []string {
	l.sendTo = l.sendTo[:0]
	for _, f := range l.followers {
		l.sendTo = append(l.sendTo, f.channel)
	}
	return l.sendTo
}

// stale reports whether this follower may have missed commands: it has not told the owner it
// follows for longer than the owner remembers it.
func (l *live) stale() bool {
	return !l.owned.Load() && time.Since(l.followedAt) > 2*l.hub.cfg.PollEvery
}

// checkOwner looks the owner up again and takes over when there is none.
func (l *live) checkOwner() {
	ctx, cancel := l.ctx()
	owner, err := l.hub.claim(ctx, l.id)
	cancel()
	if err != nil {
		// Keep what we believed; commands wait until Redis is back.
		l.hub.log.Warn("roleplay lease", "session", l.id, "error", err)
		return
	}
	if owner == l.me() {
		if !l.owned.Load() {
			l.takeOver(true)
		}
		return
	}
	l.owner = owner
	l.follow()
}

// takeOver begins this instance's tenure as the owner. A room it followed is reloaded from the
// log first, since it may have applied commands the last owner never logged. Unless the log is
// empty, the tenure starts with a resync command.
func (l *live) takeOver(reload bool) {
	if reload {
		if err := l.reload(); err != nil {
			l.hub.log.Warn("roleplay take over", "session", l.id, "error", err)
			l.owner = ""
			return
		}
	}
	l.owned.Store(true)
	l.owner = l.me()
	if l.applied > 0 {
		if err := l.resync(); err != nil {
			l.hub.log.Warn("roleplay resync", "session", l.id, "error", err)
		}
	}
	l.tickIfDue()
	l.armTimer()
}

func (l *live) resync() error {
	b, _ := json.Marshal(resyncData{Skip: resyncSkip})
	_, _, err := l.commit(courses.RoleplayCommand{Kind: courses.CommandResync, Intent: b}, nil, b, false, "", 0)
	return err
}

// recover reloads the room after a write to the log failed, and begins a new tenure: the
// connections here may have seen commands the log does not have.
func (l *live) recover() error {
	if err := l.reload(); err != nil {
		return err
	}
	return l.resync()
}

// lostLease steps down: another instance owns the room now.
func (l *live) lostLease() {
	if !l.owned.Load() {
		return
	}
	l.owned.Store(false)
	l.owner = ""
	l.stopTimer()
	if err := l.reload(); err != nil {
		l.hub.log.Warn("roleplay step down", "session", l.id, "error", err)
	}
	l.checkOwner()
}

// letGo hands the room to the other instances: the lease is freed and they are told.
func (l *live) letGo() {
	if !l.owned.Load() {
		return
	}
	l.owned.Store(false)
	l.stopTimer()
	l.hub.release(l.id)
	l.hub.send(wire{From: l.me(), Session: l.id, Epoch: l.epoch, Handover: true}, l.hub.channel(l.id))
}

// logFailed is called by the log writer when a command of tenure gen did not reach the log.
func (l *live) logFailed(gen int64, err error) {
	if l.failed.Load() < gen {
		l.failed.Store(gen)
	}
	if errors.Is(err, courses.ErrCommandTaken) {
		l.post(l.lostLease)
	}
}

// errUnavailable is what a client is told when the log cannot be written.
var errUnavailable = &Error{Code: "unavailable", Message: "The session could not be updated just now. Please try again."}

// commit, on the owner, numbers a command, logs it, applies it here and publishes it. An async
// command (a chat, a join, a leave) goes out before the log has it, the log following within
// moments (see maxUnlogged); anything else goes out once logged. stored is what the log keeps of the intent.
// origin and ref name the intent on the instance that forwarded it. It returns the events, the
// error applying the command gave (the same on every instance), and an error when the command
// could not be committed.
func (l *live) commit(c courses.RoleplayCommand, in *Intent, stored json.RawMessage, async bool, origin string, ref uint64) ([]Out, error, error) {
	if l.failed.Load() == l.gen.Load() {
		if err := l.recover(); err != nil {
			return nil, nil, err
		}
	}
	c.N = l.applied + 1
	c.At = l.hub.cfg.Now().UTC()
	if c.At.Before(l.lastAt) {
		c.At = l.lastAt
	}
	keep := c
	keep.Intent = stored
	it := logItem{l: l, gen: l.gen.Load(), cmd: keep}
	var outs []Out
	var applyErr error
	if async && l.unlogged.Load() < maxUnlogged {
		// Applied first, so the events it sent out are counted until the log has it.
		outs, applyErr = l.applyCommand(c, in, true)
		it.events = int64(len(outs))
		l.unlogged.Add(it.events)
		l.hub.logQueue <- it
	} else {
		it.done = make(chan error, 1)
		l.hub.logQueue <- it
		if err := <-it.done; err != nil {
			if errors.Is(err, courses.ErrCommandTaken) {
				l.lostLease()
			}
			return nil, nil, err
		}
		outs, applyErr = l.applyCommand(c, in, true)
	}
	w := wire{From: l.me(), Session: l.id, Epoch: l.epoch, Command: &c, Origin: origin, Ref: ref}
	switch {
	case c.Kind == courses.CommandResync:
		// A resync goes to the room's channel, always: it is how every instance learns of a new owner.
		l.hub.send(w, l.hub.channel(l.id))
	case l.followed():
		// The rest go to each follower's own channel. On the room's channel the owner would read
		// every command of its own back: a third of all it reads from Redis under load.
		l.hub.send(w, l.followerChannels()...)
	}
	l.armTimer()
	return outs, applyErr, nil
}

// exec commits a participant's command as the owner and records what it leaves behind.
func (l *live) exec(kind, person string, raw json.RawMessage, decoded *Intent, origin string, ref uint64) (applyErr, err error) {
	pid := ParticipantID(person)
	// Presence and chat are not facts anyone is told were stored: they need not wait for the log.
	// Leaving for a shutdown waits, so that the instance taking over finds the leaves logged.
	stored, async := raw, !l.closing && (kind == courses.CommandJoin || kind == courses.CommandLeave)
	if kind == courses.CommandIntent && decoded == nil {
		in, err := DecodeIntent(raw)
		if err != nil {
			return err, nil
		}
		decoded = &in
	}
	if kind == courses.CommandIntent {
		in := *decoded
		if d, ok := in.Data.(*ChatData); ok {
			async = true
			if !l.transcriptKept() {
				// The log needs the message to replay the room, but not its words.
				redacted := *d
				redacted.Text = notKept
				stored, _ = json.Marshal(redactedChat{Type: in.Type, ReqID: redactedRef, Data: redacted})
			}
		}
	}
	before := l.presence[pid]
	outs, applyErr, err := l.commit(courses.RoleplayCommand{Kind: kind, Person: person, Intent: raw}, decoded, stored, async, origin, ref)
	if err != nil {
		return nil, err
	}
	var f courses.RoleplayFacts
	switch kind {
	case courses.CommandJoin:
		var j joinData
		_ = json.Unmarshal(raw, &j)
		f.Joins = []courses.RoleplayJoin{{Person: person, At: l.lastAt, Consent: j.Consent}}
	case courses.CommandLeave:
		if before > 0 && l.presence[pid] == 0 {
			f.Leaves = []courses.RoleplayLeave{{Person: person, At: l.lastAt}}
		}
	}
	l.record(outs, &f)
	return applyErr, nil
}

// fromPeer handles what another instance sent this one: an intent forwarded to the owner, or
// the owner's refusal of an intent this instance forwarded.
func (l *live) fromPeer(w wire) {
	if w.Follow || w.Forward != nil {
		if l.owned.Load() {
			if l.followers == nil {
				l.followers = make(map[string]follower)
			}
			f, ok := l.followers[w.From]
			if !ok {
				f.channel = l.hub.instanceChannel(w.From)
			}
			f.at = time.Now()
			l.followers[w.From] = f
		}
		if w.Follow {
			return
		}
	}
	if w.Forward == nil {
		wi := l.waiting[w.Ref]
		if wi == nil {
			return
		}
		l.unwait(w.Ref)
		err := error(w.Error)
		if w.Error != nil && w.Error.Code == errNotOwner.Code {
			l.owner = ""
			l.checkOwner()
			err = errUnavailable
		}
		l.answer(wi.c, wi.reqID, wi.kind, nil, err)
		return
	}
	if !l.owned.Load() {
		l.hub.send(wire{From: l.me(), Session: l.id, Ref: w.Ref, Error: errNotOwner}, l.hub.instanceChannel(w.From))
		return
	}
	f := w.Forward
	if _, err := l.exec(f.Kind, f.Person, f.Intent, f.decoded, w.From, w.Ref); err != nil {
		l.hub.log.Warn("roleplay forwarded", "session", l.id, "kind", f.Kind, "error", err)
		l.hub.send(wire{From: l.me(), Session: l.id, Ref: w.Ref, Error: errUnavailable}, l.hub.instanceChannel(w.From))
	}
}

// quickFromPeer reports whether fromPeer(w) waits on nothing: a chat forwarded to this owner,
// which goes out before the log has it, when nothing is kept of it but the log. It keeps the
// intent it decoded for fromPeer.
func (l *live) quickFromPeer(w wire) bool {
	f := w.Forward
	if f == nil || w.Follow || f.Kind != courses.CommandIntent || !l.owned.Load() || !l.chatGoesOutAtOnce() {
		return false
	}
	f.decoded = decodeChat(f.Intent)
	return f.decoded != nil
}

// decodeChat decodes b when it is a valid chat intent, and returns nil otherwise.
func decodeChat(b []byte) *Intent {
	in, err := DecodeIntent(b)
	if err != nil {
		return nil
	}
	if _, chat := in.Data.(*ChatData); !chat {
		return nil
	}
	return &in
}

// chatGoesOutAtOnce reports whether the owner can commit a chat without waiting: nothing is kept
// of it but the log, and the log is neither failing nor far behind.
func (l *live) chatGoesOutAtOnce() bool {
	return !l.transcriptKept() && l.failed.Load() != l.gen.Load() && l.unlogged.Load() < maxUnlogged &&
		len(l.hub.logQueue) <= cap(l.hub.logQueue)/2
}

// quickMessage reports whether message(c, b) waits on nothing, and returns the intent it decoded
// for it: a chat, which the owner sends out before the log has it (see chatGoesOutAtOnce) and a
// follower forwards to the owner it knows.
func (l *live) quickMessage(c *conn, b []byte) *Intent {
	if _, ok := l.conns[c]; !ok {
		return nil
	}
	if l.owned.Load() {
		if !l.chatGoesOutAtOnce() {
			return nil
		}
	} else if l.owner == "" {
		return nil
	}
	return decodeChat(b)
}

// quickFromOwner reports whether fromOwner(w) waits on nothing: the owner this instance
// follows, in the tenure it knows, sent its next command (or one already applied).
func (l *live) quickFromOwner(w wire) bool {
	return !w.Handover && w.Command != nil && w.Epoch == l.epoch && w.From == l.owner && w.Command.N <= l.applied+1
}

// fromOwner handles what the owner published on the room's channel.
func (l *live) fromOwner(w wire) {
	if w.Handover {
		if !l.owned.Load() {
			l.owner = ""
			l.checkOwner()
		}
		return
	}
	if w.Command == nil || w.Epoch < l.epoch {
		// A former owner that has not heard it was replaced.
		return
	}
	if w.Epoch > l.epoch {
		// A new tenure: replay the log, which has its resync, rather than trust this replica.
		l.owned.Store(false)
		l.stopTimer()
		if err := l.reload(); err != nil {
			l.hub.log.Warn("roleplay reload", "session", l.id, "error", err)
			return
		}
	}
	if l.owner != w.From {
		l.owner = w.From
		l.follow()
	}
	l.accept(w)
}

// accept applies a published command: the next one at once, an older one not at all, and one
// after a gap once the commands before it arrive or the log has them.
func (l *live) accept(w wire) {
	c := *w.Command
	switch {
	case c.N <= l.applied:
		l.settleWait(w, nil)
	case c.N == l.applied+1:
		_, applyErr := l.applyCommand(c, nil, true)
		l.settleWait(w, applyErr)
		delete(l.early, c.N)
		l.drainEarly()
	default:
		if l.early == nil {
			l.early = make(map[int64]wire)
		}
		l.early[c.N] = w
		if len(l.early) > 4*maxUnlogged {
			// Far behind: start again from the log.
			if err := l.reload(); err != nil {
				l.hub.log.Warn("roleplay reload", "session", l.id, "error", err)
			}
			return
		}
		l.scheduleCatchUp()
	}
}

func (l *live) drainEarly() {
	for n, w := range l.early {
		if n <= l.applied {
			delete(l.early, n)
			l.settleWait(w, nil)
		}
	}
	for {
		w, ok := l.early[l.applied+1]
		if !ok {
			return
		}
		delete(l.early, l.applied+1)
		_, applyErr := l.applyCommand(*w.Command, nil, true)
		l.settleWait(w, applyErr)
	}
}

func (l *live) scheduleCatchUp() {
	if l.catchingUp {
		return
	}
	l.catchingUp = true
	// Messages that overtook each other arrive within moments; the log may need as long.
	time.AfterFunc(200*time.Millisecond, func() {
		l.post(func() {
			l.catchingUp = false
			if len(l.early) == 0 {
				return
			}
			if _, err := l.catchUp(-1); err != nil {
				l.hub.log.Warn("roleplay catch up", "session", l.id, "error", err)
			}
			if len(l.early) > 0 {
				l.scheduleCatchUp()
			}
		})
	})
}

// settleWait answers the connection here that sent a published command, if one did.
func (l *live) settleWait(w wire, applyErr error) {
	if w.Origin != l.me() {
		return
	}
	wi := l.waiting[w.Ref]
	if wi == nil {
		return
	}
	l.unwait(w.Ref)
	l.answer(wi.c, wi.reqID, wi.kind, applyErr, nil)
}

func (l *live) unwait(ref uint64) {
	delete(l.waiting, ref)
	l.waits.Store(int64(len(l.waiting)))
}

// expireWaits gives up on forwarded intents the owner has not answered in time, and looks for
// the owner again: it may be gone.
func (l *live) expireWaits() {
	now := time.Now()
	expired := false
	for ref, wi := range l.waiting {
		if now.Sub(wi.since) >= l.hub.cfg.ForwardWait {
			l.unwait(ref)
			l.answer(wi.c, wi.reqID, wi.kind, nil, errUnavailable)
			expired = true
		}
	}
	if expired && !l.owned.Load() {
		l.owner = ""
		l.checkOwner()
	}
}

// submit commits a connection's command here when this instance owns the room, or forwards it
// to the owner; either way the connection hears how it went. c is nil for a leave.
func (l *live) submit(c *conn, person, reqID, kind string, raw json.RawMessage, in *Intent) {
	if !l.owned.Load() && l.owner == "" {
		l.checkOwner()
	}
	if l.owned.Load() {
		applyErr, err := l.exec(kind, person, raw, in, "", 0)
		if err != nil {
			l.hub.log.Warn("roleplay command", "session", l.id, "kind", kind, "error", err)
		}
		l.answer(c, reqID, kind, applyErr, err)
		return
	}
	if l.owner == "" {
		l.answer(c, reqID, kind, nil, errUnavailable)
		return
	}
	ref := l.hub.refs.Add(1)
	if c != nil {
		l.waiting[ref] = &waitingIntent{c: c, reqID: reqID, kind: kind, since: time.Now()}
		l.waits.Store(int64(len(l.waiting)))
	}
	l.hub.send(wire{From: l.me(), Session: l.id, Ref: ref, Forward: &forwarded{Kind: kind, Person: person, Intent: raw}},
		l.hub.instanceChannel(l.owner))
}

// answer tells a connection how its command went: an ack or an error for an intent; for a join,
// nothing, or the connection is closed so that the client tries again.
func (l *live) answer(c *conn, reqID, kind string, applyErr, err error) {
	if c == nil {
		return
	}
	now := l.hub.cfg.Now().UTC()
	switch {
	case kind == courses.CommandJoin:
		if err != nil {
			c.kill(closeTryAgain, "The session could not be joined just now.")
			delete(l.conns, c)
			return
		}
		c.joined = true
	case err != nil:
		c.enqueue(encode(NewErrorReply(now, reqID, errUnavailable)))
	case applyErr != nil:
		c.enqueue(encode(NewErrorReply(now, reqID, applyErr)))
	default:
		c.enqueue(encode(NewAck(now, reqID)))
	}
}

// armTimer sets the owner's timer for the room's next deadline, so rounds move on without anyone
// doing anything.
func (l *live) armTimer() {
	at, ok := l.room.NextDeadline()
	if !ok || !l.owned.Load() {
		l.stopTimer()
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

func (l *live) stopTimer() {
	if l.timer != nil {
		l.timer.Stop()
		l.timer = nil
	}
	l.timerAt = time.Time{}
}

// tickIfDue, on the owner, logs a tick when a deadline has passed.
func (l *live) tickIfDue() {
	if !l.owned.Load() {
		return
	}
	at, ok := l.room.NextDeadline()
	if !ok {
		return
	}
	if l.hub.cfg.Now().Before(at) {
		l.timerAt = time.Time{}
		l.armTimer()
		return
	}
	outs, _, err := l.commit(courses.RoleplayCommand{Kind: courses.CommandTick}, nil, nil, false, "", 0)
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

// redactedChat is a chat intent as the log keeps it when its words are not kept.
type redactedChat struct {
	Type  IntentType `json:"type"`
	ReqID string     `json:"req_id"`
	Data  ChatData   `json:"data"`
}

// notKept stands in the command log for the words of a chat message that is not kept, and
// redactedRef for its req_id.
const (
	notKept     = "(not kept)"
	redactedRef = "~not-kept"
)

// wordless reports whether a command is a chat message logged without its words: replayed from
// the log, it moves the seq on like the message did, but nobody is sent a message with no words.
func wordless(c courses.RoleplayCommand) bool {
	if c.Kind != courses.CommandIntent || !bytes.Contains(c.Intent, []byte(redactedRef)) {
		return false
	}
	in, err := DecodeIntent(c.Intent)
	if err != nil || in.ReqID != redactedRef {
		return false
	}
	d, ok := in.Data.(*ChatData)
	return ok && d.Text == notKept
}

// register adds a connection after its hello: it gets what it missed, then it joins.
func (l *live) register(c *conn, hello *HelloData) {
	l.tickIfDue()
	if l.stale() {
		// Nobody here needed the room for a while, so the owner stopped sending its commands.
		if _, err := l.catchUp(-1); err != nil {
			l.hub.log.Warn("roleplay catch up", "session", l.id, "error", err)
		}
		l.follow()
	}
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
	l.submit(c, string(c.pid), "", courses.CommandJoin, j, nil)
}

// resyncConn answers a later hello on an open connection.
func (l *live) resyncConn(c *conn, hello *HelloData) {
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
	joining := false
	for ref, wi := range l.waiting {
		if wi.c == c {
			joining = joining || wi.kind == courses.CommandJoin
			l.unwait(ref)
		}
	}
	if c.joined || joining {
		// A join still on its way is followed by this leave on the same way.
		l.submit(nil, string(c.pid), "", courses.CommandLeave, nil, nil)
	}
}

// hello handles a connection's first message, which must be a hello. Messages are decoded here,
// in the room's turn, rather than by the goroutine that reads them: that one lives as long as its
// connection, and decoding JSON even once would leave it a stack twice the size it needs to wait.
func (l *live) hello(c *conn, b []byte) {
	in, err := DecodeIntent(b)
	d, ok := in.Data.(*HelloData)
	if err != nil || !ok {
		c.kill(closePolicy, "Say hello first.")
		return
	}
	l.register(c, d)
}

// message handles what a client sent after its first message: a later hello resumes, anything
// else is an intent. A connection the room did not register (its first message was no hello)
// is being closed, and what it sends is ignored.
func (l *live) message(c *conn, b []byte, decoded *Intent) {
	if _, ok := l.conns[c]; !ok {
		return
	}
	if decoded != nil {
		l.intent(c, *decoded, b)
		return
	}
	in, err := DecodeIntent(b)
	if err != nil {
		c.enqueue(encode(NewErrorReply(l.hub.cfg.Now().UTC(), reqIDOf(b), err)))
		return
	}
	if d, ok := in.Data.(*HelloData); ok {
		l.resyncConn(c, d)
		return
	}
	l.intent(c, in, b)
}

// intent applies a client's intent and answers it.
func (l *live) intent(c *conn, in Intent, raw []byte) {
	if p, ok := l.room.participants[c.pid]; !ok || trainerOnly(in.Type) && p.Role != RoleTrainer {
		c.enqueue(encode(NewErrorReply(l.hub.cfg.Now().UTC(), in.ReqID, errorf(CodeForbidden, "only a trainer can send %s", in.Type))))
		return
	}
	l.submit(c, string(c.pid), in.ReqID, courses.CommandIntent, raw, &in)
}

// goingAway closes every connection here for a server shutdown; the leaves are logged first so
// the room shows them gone until they come back through another instance, which then owns it.
func (l *live) goingAway() {
	l.closing = true
	for c := range l.conns {
		l.unregister(c)
		c.kill(closeGoingAway, "The server is restarting; reconnect to carry on.")
	}
	l.letGo()
}

// slotOf spreads rooms over the hub's poll slots by their id.
func slotOf(id string) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32())
}

package rooms

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"peerpath/courses"
)

// Store is what the hub needs from PostgreSQL: the session, its command log and the facts a
// session leaves behind. *courses.Store implements it.
type Store interface {
	FindRoleplaySession(ctx context.Context, orgID, id string) (courses.RoleplaySession, error)
	AppendRoleplayCommands(ctx context.Context, orgID string, cmds []courses.SessionCommand) ([]bool, error)
	RoleplayCommands(ctx context.Context, orgID, sessionID string, after int64) ([]courses.RoleplayCommand, error)
	RoleplayLogHeads(ctx context.Context, orgID string, sessionIDs []string) (map[string]int64, error)
	RecordRoleplayFacts(ctx context.Context, orgID, sessionID string, f courses.RoleplayFacts) error
}

// Config tunes a hub; zero values take the defaults.
type Config struct {
	Store Store
	// Redis holds the rooms' owner leases and carries commands and forwarded intents between
	// server instances; nil runs one instance alone, owning every room.
	Redis  *redis.Client
	Logger *slog.Logger
	Now    func() time.Time
	// Instance names this server in the cluster; commands it publishes carry it.
	Instance string
	// KeyPrefix starts every Redis channel name, so tests never share channels.
	KeyPrefix string
	// SendQueue bounds the events waiting for one slow connection before it is cut off.
	SendQueue int
	// Ring is how many recent events each room keeps for clients that resume.
	Ring int
	// MessagesPerSecond and Burst bound what one connection may send.
	MessagesPerSecond float64
	Burst             int
	PingEvery         time.Duration
	PongWait          time.Duration
	WriteWait         time.Duration
	HelloWait         time.Duration
	// PollEvery is how often a room with local connections that another instance owns reads the
	// log for commands a lost pub/sub message did not bring, and checks that its owner lives.
	PollEvery time.Duration
	// LeaseTTL is how long a room's owner holds it without renewing: after a crash, how long its
	// rooms wait for another instance to take over.
	LeaseTTL time.Duration
	// ForwardWait is how long an intent forwarded to the owner waits for its answer.
	ForwardWait time.Duration
	// IdleUnload is how long a room without local connections stays loaded.
	IdleUnload time.Duration
	// OnEvent, when set, is called with each event a room applies (for tests and benchmarks).
	OnEvent func(session string, e Envelope)
}

func (c *Config) defaults() {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Instance == "" {
		c.Instance = "local"
	}
	set := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	setD := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	set(&c.SendQueue, 256)
	set(&c.Ring, 256)
	set(&c.Burst, 40)
	if c.MessagesPerSecond <= 0 {
		c.MessagesPerSecond = 20
	}
	setD(&c.PingEvery, 25*time.Second)
	setD(&c.PongWait, 60*time.Second)
	setD(&c.WriteWait, 10*time.Second)
	setD(&c.HelloWait, 10*time.Second)
	setD(&c.PollEvery, 10*time.Second)
	setD(&c.IdleUnload, time.Minute)
	setD(&c.LeaseTTL, 10*time.Second)
	setD(&c.ForwardWait, 10*time.Second)
}

// Hub holds this server's live rooms and their connections.
type Hub struct {
	cfg    Config
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	rooms   map[string]*live
	closing bool

	sub *subscriber

	pub *publisher
	// logQueue feeds the log writer, which closes logged when it has written everything.
	logQueue chan logItem
	logged   chan struct{}
	refs     atomic.Uint64
	// polling is set while a poll of followed rooms is under way.
	polling atomic.Bool
}

// ErrClosing refuses new connections while the hub shuts down.
var ErrClosing = errors.New("the server is shutting down")

// NewHub starts a hub; Close stops it.
func NewHub(cfg Config) *Hub {
	cfg.defaults()
	ctx, cancel := context.WithCancel(context.Background())
	h := &Hub{cfg: cfg, log: cfg.Logger, ctx: ctx, cancel: cancel, rooms: make(map[string]*live),
		logQueue: make(chan logItem, 4096), logged: make(chan struct{})}
	go h.logWriter()
	if cfg.Redis != nil {
		h.sub = newSubscriber(cfg.Redis.Options(), h.log, h.instanceChannel(cfg.Instance))
		h.pub = newPublisher(cfg.Redis.Options(), h.log, cfg.KeyPrefix+"roleplay:probe")
		h.wg.Add(2)
		go h.receive()
		go h.renew()
	}
	h.wg.Add(1)
	go h.housekeep()
	return h
}

func (h *Hub) channel(sessionID string) string { return h.cfg.KeyPrefix + "roleplay:" + sessionID }

func (h *Hub) receive() {
	defer h.wg.Done()
	mine := h.instanceChannel(h.cfg.Instance)
	// wire's first field is From: a message this instance sent starts with this.
	name, _ := json.Marshal(h.cfg.Instance)
	self := []byte(`{"from":` + string(name) + `,`)
	h.sub.run(receiveIdle, func(channel, payload []byte) {
		if !bytes.HasPrefix(payload, self) { // not this instance's own command back from Redis
			h.deliver(string(channel) == mine, payload)
		}
	})
}

// receiveIdle is how long the subscription may stay quiet before it is pinged.
const receiveIdle = 3 * time.Second

// deliver hands a message from another instance to its room; mine says whether it came on this
// instance's own channel.
func (h *Hub) deliver(mine bool, payload []byte) {
	var w wire
	if err := json.Unmarshal(payload, &w); err != nil || w.From == h.cfg.Instance {
		return
	}
	h.mu.Lock()
	l := h.rooms[w.Session]
	h.mu.Unlock()
	switch {
	case l == nil:
		if mine && w.Forward != nil {
			// The room is not loaded here, so this instance is not its owner.
			h.send(wire{From: h.cfg.Instance, Session: w.Session, Ref: w.Ref,
				Error: errNotOwner}, h.instanceChannel(w.From))
		}
	case w.Command == nil && !w.Handover:
		// Forwards, follows and answers; the owner's commands come on this instance's
		// channel too (see commit), so the channel does not tell them apart.
		l.runHere(func() bool { return l.quickFromPeer(w) }, func() { l.fromPeer(w) })
	default:
		l.runHere(func() bool { return l.quickFromOwner(w) }, func() { l.fromOwner(w) })
	}
}

// housekeep polls the log of rooms with connections and unloads rooms nobody here uses. Each
// room is polled once every PollEvery, in one of pollSlots slots, so a thousand rooms make a
// steady trickle of reads rather than a burst.
func (h *Hub) housekeep() {
	defer h.wg.Done()
	const pollSlots = 8
	t := time.NewTicker(h.cfg.PollEvery / pollSlots)
	defer t.Stop()
	for tick := 0; ; tick++ {
		select {
		case <-h.ctx.Done():
			return
		case <-t.C:
		}
		now := time.Now()
		h.mu.Lock()
		var poll []*live
		for id, l := range h.rooms {
			if l.users > 0 {
				if l.slot%pollSlots == tick%pollSlots {
					poll = append(poll, l)
				}
				continue
			}
			if now.Sub(l.idleSince) >= h.cfg.IdleUnload {
				delete(h.rooms, id)
				l.post(func() { l.letGo(); l.stop() })
				if h.sub != nil {
					h.sub.unsubscribe(h.channel(id))
				}
			}
		}
		h.mu.Unlock()
		h.poll(poll)
		h.mu.Lock()
		var waiting []*live
		for _, l := range h.rooms {
			if l.waits.Load() > 0 {
				waiting = append(waiting, l)
			}
		}
		h.mu.Unlock()
		for _, l := range waiting {
			l.post(l.expireWaits)
		}
	}
}

// poll checks a slot's rooms. The owner's rooms only look for a deadline passed. For the rooms
// this instance follows, the heads of their logs and their owners are read for all of them at
// once, one query per organisation and one Redis round trip, outside the rooms' queues: a room
// goes to the log itself only when it turns out to have missed something. A poll still under way
// from the last slot makes this one wait for the next.
func (h *Hub) poll(rooms []*live) {
	var followed []*live
	for _, l := range rooms {
		if l.owned.Load() {
			l.post(l.tickIfDue)
		} else {
			followed = append(followed, l)
		}
	}
	if len(followed) == 0 || !h.polling.CompareAndSwap(false, true) {
		return
	}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		defer h.polling.Store(false)
		ctx, cancel := context.WithTimeout(h.ctx, 5*time.Second)
		defer cancel()
		heads := h.logHeads(ctx, followed)
		owners, err := h.owners(ctx, followed)
		if err != nil {
			h.log.Warn("roleplay poll owners", "rooms", len(followed), "error", err)
		}
		for i, l := range followed {
			var p pollResult
			p.head, p.headOK = heads[l.id]
			if owners != nil {
				p.owner, p.ownerOK = owners[i], true
			}
			l.post(func() { l.polledAt(p) })
		}
	}()
}

// logHeads reads the last command number of each room's log, by session; a room whose
// organisation could not be read is missing.
func (h *Hub) logHeads(ctx context.Context, rooms []*live) map[string]int64 {
	byOrg := map[string][]string{}
	for _, l := range rooms {
		byOrg[l.org] = append(byOrg[l.org], l.id)
	}
	heads := make(map[string]int64, len(rooms))
	for org, ids := range byOrg {
		got, err := h.cfg.Store.RoleplayLogHeads(ctx, org, ids)
		if err != nil {
			h.log.Warn("roleplay poll", "rooms", len(ids), "error", err)
			continue
		}
		maps.Copy(heads, got)
	}
	return heads
}

// acquire returns the loaded room, loading it from the log when needed, and counts one user
// of it until done.
func (h *Hub) acquire(ctx context.Context, orgID, sessionID string) (*live, error) {
	h.mu.Lock()
	if h.closing {
		h.mu.Unlock()
		return nil, ErrClosing
	}
	if l := h.rooms[sessionID]; l != nil {
		if l.org != orgID {
			h.mu.Unlock()
			return nil, courses.Errorf(courses.NotFound, "No such role-play session.")
		}
		l.users++
		h.mu.Unlock()
		select {
		case <-l.ready:
		case <-ctx.Done():
			h.done(l)
			return nil, ctx.Err()
		}
		if l.loadErr != nil {
			h.done(l)
			return nil, l.loadErr
		}
		return l, nil
	}
	h.mu.Unlock()

	spec, err := h.cfg.Store.FindRoleplaySession(ctx, orgID, sessionID)
	if err != nil {
		return nil, err
	}
	if spec.CancelledAt != nil {
		return nil, courses.Errorf(courses.NotFound, "No such role-play session.")
	}
	l, err := newLive(h, spec)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	if h.closing {
		h.mu.Unlock()
		return nil, ErrClosing
	}
	if h.rooms[sessionID] != nil {
		// Another connection is loading it: wait for theirs.
		h.mu.Unlock()
		return h.acquire(ctx, orgID, sessionID)
	}
	// The room is listed before it subscribes, so what other instances publish from now on
	// waits in its queue, behind the log it is about to read.
	h.rooms[sessionID] = l
	l.users++
	h.mu.Unlock()
	if h.sub != nil {
		h.sub.subscribe(h.channel(sessionID))
	}
	if err := l.load(ctx); err != nil {
		h.mu.Lock()
		delete(h.rooms, sessionID)
		h.mu.Unlock()
		l.loadErr = err
		close(l.ready)
		l.stop()
		l.run() // held since newLive: this lets it finish
		return nil, err
	}
	close(l.ready)
	l.post(l.settle)
	go l.run() // held since newLive, with what was posted during the load, then settle
	return l, nil
}

func (h *Hub) done(l *live) {
	h.mu.Lock()
	defer h.mu.Unlock()
	l.users--
	if l.users == 0 {
		l.idleSince = time.Now()
	}
}

// Member looks up a person on a session's roster, loading the room: the check before a
// WebSocket upgrade, so refusals are ordinary HTTP errors.
func (h *Hub) Member(ctx context.Context, orgID, sessionID, personID string) (Participant, error) {
	l, err := h.acquire(ctx, orgID, sessionID)
	if err != nil {
		return Participant{}, err
	}
	defer h.done(l)
	for _, m := range l.spec.Roster {
		if m.PersonID == personID {
			role := RoleTrainee
			if m.Trainer {
				role = RoleTrainer
			}
			return Participant{ID: ParticipantID(m.PersonID), Name: m.Name, Role: role}, nil
		}
	}
	return Participant{}, courses.Errorf(courses.NotFound, "No such role-play session.")
}

// Stats reports the rooms loaded and the connections open on this instance.
func (h *Hub) Stats() (rooms, conns int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, l := range h.rooms {
		rooms++
		conns += l.users
	}
	return rooms, conns
}

// Close tells every connection the server is going away, records that they left, hands the
// rooms it owns to the other instances, and stops.
func (h *Hub) Close(ctx context.Context) {
	h.mu.Lock()
	if h.closing {
		h.mu.Unlock()
		return
	}
	h.closing = true
	rs := make([]*live, 0, len(h.rooms))
	for _, l := range h.rooms {
		rs = append(rs, l)
	}
	h.mu.Unlock()
	var wg sync.WaitGroup
	for _, l := range rs {
		wg.Add(1)
		l.post(func() {
			defer wg.Done()
			l.goingAway()
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
	for _, l := range rs {
		l.stop()
		<-l.stopped
	}
	// Nothing sends to the log writer any more: let it finish.
	close(h.logQueue)
	<-h.logged
	if h.pub != nil {
		h.pub.close()
	}
	h.cancel()
	if h.sub != nil {
		h.sub.close()
	}
	h.wg.Wait()
}

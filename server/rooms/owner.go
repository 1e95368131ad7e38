package rooms

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"peerpath/courses"
)

// One instance owns a room at a time: it numbers the room's commands, logs them, applies them
// and publishes them; every other instance with people in the room forwards their intents to the
// owner and applies what the owner publishes. Ownership is a lease in Redis. A new owner starts
// its tenure with a resync command, which moves the event seq past anything the last owner sent
// out without logging, and which tells the other instances to reload the room from the log.

// maxUnlogged bounds the events a room may have sent out before the log has their commands; a
// room past it waits for the log. A resync skips more seqs than that plus the events of one
// command, so seqs only ever increase.
const (
	maxUnlogged = 64
	resyncSkip  = 2 * maxUnlogged
)

// resyncData is the intent of a resync command.
type resyncData struct {
	Skip int64 `json:"skip"`
}

// wire is what crosses instances on Redis. On a room's channel the owner publishes commands (or
// a handover as it lets the room go); on an instance's channel that instance receives intents
// forwarded to it as owner, and answers to the intents it forwarded.
type wire struct {
	From    string `json:"from"`
	Session string `json:"session"`
	// Epoch is the owner's tenure: the number of the resync command that began it.
	Epoch    int64                    `json:"epoch,omitempty"`
	Command  *courses.RoleplayCommand `json:"command,omitempty"`
	Handover bool                     `json:"handover,omitempty"`
	// Origin and Ref name the intent a command or an answer is for, on the instance that holds
	// the connection waiting for it.
	Origin  string     `json:"origin,omitempty"`
	Ref     uint64     `json:"ref,omitempty"`
	Forward *forwarded `json:"forward,omitempty"`
	Error   *Error     `json:"error,omitempty"`
	// Follow tells the owner that the sender has the room loaded and wants its commands.
	Follow bool `json:"follow,omitempty"`
}

// forwarded is a command an instance asks the owner to commit.
type forwarded struct {
	Kind   string          `json:"kind"`
	Person string          `json:"person"`
	Intent json.RawMessage `json:"intent,omitempty"`
	// decoded is Intent decoded, when the receiver already has it.
	decoded *Intent
}

func (h *Hub) leaseKey(sessionID string) string {
	return h.cfg.KeyPrefix + "roleplay:owner:" + sessionID
}

func (h *Hub) instanceChannel(instance string) string {
	return h.cfg.KeyPrefix + "roleplay:to:" + instance
}

// renewLease extends leases this instance still holds, and only those.
var renewLease = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`)

// releaseLease drops a lease this instance holds, and only that.
var releaseLease = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`)

// claim tries to take the lease of a room and returns its owner: this instance when the lease
// was free or already ours. Without Redis this instance runs every room itself.
func (h *Hub) claim(ctx context.Context, sessionID string) (string, error) {
	if h.cfg.Redis == nil {
		return h.cfg.Instance, nil
	}
	for range 2 {
		ok, err := h.cfg.Redis.SetNX(ctx, h.leaseKey(sessionID), h.cfg.Instance, h.cfg.LeaseTTL).Result()
		if err != nil {
			return "", err
		}
		if ok {
			return h.cfg.Instance, nil
		}
		owner, err := h.cfg.Redis.Get(ctx, h.leaseKey(sessionID)).Result()
		if errors.Is(err, redis.Nil) {
			continue // released in between: try again
		}
		return owner, err
	}
	return "", errors.New("roleplay lease: changing hands too fast")
}

// owners reads the owner of each room's lease, in order ("" where there is none), in one round
// trip; without Redis this instance owns them all.
func (h *Hub) owners(ctx context.Context, rooms []*live) ([]string, error) {
	out := make([]string, len(rooms))
	if h.cfg.Redis == nil {
		for i := range out {
			out[i] = h.cfg.Instance
		}
		return out, nil
	}
	keys := make([]string, len(rooms))
	for i, l := range rooms {
		keys[i] = h.leaseKey(l.id)
	}
	vals, err := h.cfg.Redis.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, err
	}
	for i, v := range vals {
		if s, ok := v.(string); ok {
			out[i] = s
		}
	}
	return out, nil
}

// release gives up a room's lease, if this instance holds it.
func (h *Hub) release(sessionID string) {
	if h.cfg.Redis == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := releaseLease.Run(ctx, h.cfg.Redis, []string{h.leaseKey(sessionID)}, h.cfg.Instance).Err(); err != nil {
		h.log.Warn("roleplay lease release", "session", sessionID, "error", err)
	}
}

// renew runs for the hub's life, extending the leases of the rooms this instance owns; a room
// whose lease another instance took steps down.
func (h *Hub) renew() {
	defer h.wg.Done()
	if h.cfg.Redis == nil {
		return
	}
	t := time.NewTicker(h.cfg.LeaseTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-t.C:
		}
		h.mu.Lock()
		var owned []*live
		for _, l := range h.rooms {
			if l.owned.Load() {
				owned = append(owned, l)
			}
		}
		h.mu.Unlock()
		if len(owned) == 0 {
			continue
		}
		ctx, cancel := context.WithTimeout(h.ctx, h.cfg.LeaseTTL/3)
		pipe := h.cfg.Redis.Pipeline()
		cmds := make([]*redis.Cmd, len(owned))
		for i, l := range owned {
			// Eval, not Run: a pipeline cannot fall back from EVALSHA when Redis has not seen
			// the script yet.
			cmds[i] = renewLease.Eval(ctx, pipe, []string{h.leaseKey(l.id)}, h.cfg.Instance, h.cfg.LeaseTTL.Milliseconds())
		}
		_, err := pipe.Exec(ctx)
		cancel()
		if err != nil && !errors.Is(err, redis.Nil) {
			// Redis is away: nobody else can take the leases either until it is back.
			h.log.Warn("roleplay lease renewal", "error", err)
			continue
		}
		for i, c := range cmds {
			if n, err := c.Int64(); err == nil && n == 0 {
				l := owned[i]
				l.post(l.lostLease)
			}
		}
	}
}

// --- publishing

// send publishes a message on each of channels (see publisher).
func (h *Hub) send(w wire, channels ...string) {
	if h.pub != nil {
		h.pub.publish(&w, channels...)
	}
}

// gather fills batch, from empty, with first and whatever else is waiting in in, up to its
// capacity, without waiting for more.
func gather[T any](batch []T, first T, in <-chan T) []T {
	batch = append(batch[:0], first)
	for len(batch) < cap(batch) {
		select {
		case v, ok := <-in:
			if !ok {
				return batch
			}
			batch = append(batch, v)
		default:
			return batch
		}
	}
	return batch
}

// --- the log writer

// logItem is a command waiting to be logged; done, when set, hears whether it was.
type logItem struct {
	l    *live
	gen  int64
	cmd  courses.RoleplayCommand
	done chan error
	// events is how many events an async command sent out before it was logged.
	events int64
}

// errStale answers a command whose room was reloaded before the command was logged.
var errStale = errors.New("roleplay log: the room was reloaded")

// logWriter writes the commands of all rooms in arrival order, gathering what arrives while a
// write is under way into the next: one statement per organisation per round trip. A room's
// commands are written in order, so a command that waits for the log also waits for the chats
// before it.
func (h *Hub) logWriter() {
	defer close(h.logged)
	batch := make([]logItem, 0, 512)
	linger := time.NewTimer(logLinger)
	linger.Stop()
	for first := range h.logQueue {
		batch = gather(batch, first, h.logQueue)
		if !waitedOn(batch) {
			batch = lingerFor(batch, h.logQueue, linger)
		}
		h.writeBatch(batch)
	}
}

// logLinger is how long the log writer waits for more when nobody waits on what it holds (chats,
// presence, already sent out): PostgreSQL spends far less per command on one statement of many
// than on many of one or two, and a busy server's commands then leave it more time to share.
// Longer is worse: at 10 ms the larger, rarer statements took the p99 of 1,000 triads on one
// instance from 0.7 ms to 1.1-2 ms (bench rooms), though they cost less CPU.
const logLinger = 2 * time.Millisecond

func waitedOn(batch []logItem) bool {
	for _, it := range batch {
		if it.done != nil {
			return true
		}
	}
	return false
}

// lingerFor adds to batch what arrives within logLinger, until the batch is full or holds a
// command that someone waits on.
func lingerFor(batch []logItem, in <-chan logItem, t *time.Timer) []logItem {
	t.Reset(logLinger)
	defer t.Stop()
	for len(batch) < cap(batch) {
		select {
		case it, ok := <-in:
			if !ok {
				return batch
			}
			batch = append(batch, it)
			if it.done != nil {
				return batch
			}
		case <-t.C:
			return batch
		}
	}
	return batch
}

func (h *Hub) writeBatch(batch []logItem) {
	byOrg := map[string][]logItem{}
	var orgs []string
	for _, it := range batch {
		if it.gen != it.l.gen.Load() || it.gen == it.l.failed.Load() {
			// The room was reloaded, or an earlier command of this tenure failed to reach the
			// log: writing this one would leave a hole.
			finish(it, errStale)
			continue
		}
		if _, ok := byOrg[it.l.org]; !ok {
			orgs = append(orgs, it.l.org)
		}
		byOrg[it.l.org] = append(byOrg[it.l.org], it)
	}
	for _, org := range orgs {
		items := byOrg[org]
		cmds := make([]courses.SessionCommand, len(items))
		for i, it := range items {
			cmds[i] = courses.SessionCommand{Session: it.l.id, RoleplayCommand: it.cmd}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		written, err := h.cfg.Store.AppendRoleplayCommands(ctx, org, cmds)
		cancel()
		for i, it := range items {
			switch {
			case err != nil:
				it.l.logFailed(it.gen, err)
				finish(it, err)
			case !written[i]:
				// Another instance wrote this number: it owns the room now.
				it.l.logFailed(it.gen, courses.ErrCommandTaken)
				finish(it, courses.ErrCommandTaken)
			default:
				finish(it, nil)
			}
		}
	}
}

func finish(it logItem, err error) {
	if it.done != nil {
		it.done <- err
	} else if it.gen == it.l.gen.Load() {
		// A reload zeroes the count of the tenure it starts.
		it.l.unlogged.Add(-it.events)
	}
}

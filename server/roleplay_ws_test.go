package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/redis/go-redis/v9"

	"peerpath/courses"
	"peerpath/migrations/testdb"
	"peerpath/server"
	"peerpath/server/rooms"
)

// wsCard is the card of the live-room tests; its briefs are easy to spot in raw messages.
var wsCard = courses.Card{
	ID: "card-1", Title: "The first visit", Setting: "A drop-in centre.", Shared: "SHARED-SITUATION",
	Roles:  map[courses.Seat]string{courses.SeatSpeaker: "Alex", courses.SeatPeerWorker: "Peer worker", courses.SeatObserver: "Observer"},
	Briefs: map[courses.Seat]string{courses.SeatSpeaker: "BRIEF-SPEAKER", courses.SeatPeerWorker: "BRIEF-PEER", courses.SeatObserver: "BRIEF-OBSERVER"},
	Rubric: []string{"R1", "R2"},
}

var wsCriteria = []courses.Criterion{
	{ID: "R1", Title: "Listening", Levels: [4]string{"a", "b", "c", "d"}},
	{ID: "R2", Title: "Purpose", Levels: [4]string{"a", "b", "c", "d"}},
}

// liveClock is real time plus an offset the test can move forward, for the room hub's timers.
type liveClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *liveClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *liveClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// liveEnv is a running HTTP server with the demo data and a role-play session at Riverside for the
// trainer and trainee1–3, already started.
type liveEnv struct {
	t       *testing.T
	srv     *server.Server
	http    *httptest.Server
	store   *courses.Store
	clock   *liveClock
	session string
	people  map[string]string // email → person id
	prefix  string
	cookies map[string]*http.Cookie
}

func newLiveEnv(t *testing.T, opts ...func(*server.Config)) *liveEnv {
	t.Helper()
	clock := &liveClock{}
	var prefix string
	all := append([]func(*server.Config){func(c *server.Config) {
		c.Rooms.Now = clock.Now
		c.Rooms.PollEvery = 50 * time.Millisecond
		prefix = c.KeyPrefix
	}}, opts...)
	h, store, _ := MustServer(t, all...)
	srv := h.(*server.Server)
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Close(ctx)
		ts.Close()
	})
	e := &liveEnv{t: t, srv: srv, http: ts, store: store, clock: clock, people: map[string]string{}, cookies: map[string]*http.Cookie{}, prefix: prefix}
	for _, who := range []string{"trainer", "trainee1", "trainee2", "trainee3", "trainee4"} {
		email := who + "@riverside.example"
		e.people[who] = MustPersonID(t, store, email)
		e.cookies[who] = MustLogin(t, srv, email, demoPassword)
	}
	e.session = MustRoleplaySession(t, store, MustOrgID(t, store, "riverside"), e.people["trainer"],
		[]string{e.people["trainee1"], e.people["trainee2"], e.people["trainee3"]}, time.Now().Add(-time.Minute), false)
	return e
}

// MustRoleplaySession writes a session with the test card straight into the database.
func MustRoleplaySession(tb testing.TB, store *courses.Store, orgID, trainer string, invitees []string, startsAt time.Time, transcript bool) string {
	tb.Helper()
	cards, _ := json.Marshal([]courses.Card{wsCard})
	criteria, _ := json.Marshal(wsCriteria)
	var id string
	if err := testdb.Owner(store.DB()).Get(&id, `
		INSERT INTO roleplay_sessions (org_id, title, trainer_id, starts_at, time_zone, duration_minutes,
			practice_seconds, feedback_seconds, transcript_allowed, cards, criteria)
		VALUES ($1, 'Practice', $2, $3, 'UTC', 90, 600, 180, $4, $5, $6) RETURNING id`,
		orgID, trainer, startsAt, transcript, cards, criteria); err != nil {
		tb.Fatalf("session: %v", err)
	}
	for _, p := range invitees {
		if _, err := testdb.Owner(store.DB()).Exec(`INSERT INTO roleplay_invitees (session_id, person_id, org_id) VALUES ($1, $2, $3)`, id, p, orgID); err != nil {
			tb.Fatalf("invitee: %v", err)
		}
	}
	return id
}

// wsClient is one test connection that records every message it receives.
type wsClient struct {
	t    *testing.T
	name string
	ws   *websocket.Conn
	mu   sync.Mutex
	msgs []wsMsg
	raw  []string
	done chan struct{}
	// closeCode is the code of the close frame the server sent, once the connection ended.
	closeCode int
	next      int
}

type wsMsg struct {
	Type string          `json:"type"`
	Seq  int64           `json:"seq"`
	Data json.RawMessage `json:"data"`
}

func (e *liveEnv) url(session string) string {
	return "ws" + strings.TrimPrefix(e.http.URL, "http") + "/api/v1/roleplay/sessions/" + session + "/ws"
}

// dial opens a connection for who; it does not say hello.
func (e *liveEnv) dial(who string, header http.Header) (*websocket.Conn, *http.Response, error) {
	if header == nil {
		header = http.Header{"Origin": {"http://peerpath.test"}}
	}
	if c := e.cookies[who]; c != nil {
		header.Set("Cookie", c.String())
	}
	return websocket.DefaultDialer.Dial(e.url(e.session), header)
}

// connect opens a connection for who and says hello with lastSeq.
func (e *liveEnv) connect(who string, lastSeq int64) *wsClient {
	e.t.Helper()
	ws, resp, err := e.dial(who, nil)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		e.t.Fatalf("%s: dial: %v (status %d)", who, err, status)
	}
	c := &wsClient{t: e.t, name: who, ws: ws, done: make(chan struct{})}
	go c.read()
	c.send("hello", "", map[string]any{"last_seq": lastSeq})
	e.t.Cleanup(func() { ws.Close() })
	return c
}

func (c *wsClient) read() {
	defer close(c.done)
	for {
		_, b, err := c.ws.ReadMessage()
		if err != nil {
			if ce, ok := err.(*websocket.CloseError); ok {
				c.mu.Lock()
				c.closeCode = ce.Code
				c.mu.Unlock()
			}
			return
		}
		var m wsMsg
		if err := json.Unmarshal(b, &m); err != nil {
			c.t.Errorf("%s: undecodable message %s", c.name, b)
			continue
		}
		c.mu.Lock()
		c.msgs = append(c.msgs, m)
		c.raw = append(c.raw, string(b))
		c.mu.Unlock()
	}
}

func (c *wsClient) send(typ, reqID string, data any) {
	c.t.Helper()
	msg := map[string]any{"type": typ, "data": data}
	if reqID != "" {
		msg["req_id"] = reqID
	}
	if err := c.ws.WriteJSON(msg); err != nil {
		c.t.Fatalf("%s: send %s: %v", c.name, typ, err)
	}
}

// await waits for the next message (after those already awaited) that matches, and returns it.
func (c *wsClient) await(what string, match func(wsMsg) bool) wsMsg {
	c.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		for ; c.next < len(c.msgs); c.next++ {
			if m := c.msgs[c.next]; match(m) {
				c.next++
				c.mu.Unlock()
				return m
			}
		}
		c.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
	c.t.Fatalf("%s: no %s within 5s; got %v", c.name, what, c.types())
	return wsMsg{}
}

func ofType(t string) func(wsMsg) bool { return func(m wsMsg) bool { return m.Type == t } }

func reply(reqID string) func(wsMsg) bool {
	return func(m wsMsg) bool {
		if m.Type != "ack" && m.Type != "error" {
			return false
		}
		var d struct {
			ReqID string `json:"req_id"`
		}
		_ = json.Unmarshal(m.Data, &d)
		return d.ReqID == reqID
	}
}

// chatUntilAcked sends text as a chat, again every 100 ms for up to 10 s while the answer is
// unavailable (until, for the failure message, names what it waits for), and fails on any other
// answer.
func (c *wsClient) chatUntilAcked(text, until string) {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; ; i++ {
		m := c.do("chat", fmt.Sprintf("after%d", i), map[string]any{"text": text})
		if m.Type == "ack" {
			return
		}
		if !strings.Contains(string(m.Data), "unavailable") || time.Now().After(deadline) {
			c.t.Fatalf("chat %q: got %s %s, want an ack, or unavailable until %s", text, m.Type, m.Data, until)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// do sends an intent and waits for its answer.
func (c *wsClient) do(typ, reqID string, data any) wsMsg {
	c.t.Helper()
	c.send(typ, reqID, data)
	return c.await("reply to "+reqID, reply(reqID))
}

func (c *wsClient) mustAck(typ, reqID string, data any) {
	c.t.Helper()
	if m := c.do(typ, reqID, data); m.Type != "ack" {
		c.t.Fatalf("%s: %s: got %s %s, want ack", c.name, typ, m.Type, m.Data)
	}
}

func (c *wsClient) types() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ts []string
	for _, m := range c.msgs {
		ts = append(ts, fmt.Sprintf("%s#%d", m.Type, m.Seq))
	}
	return ts
}

// seqs lists the seq of every logged event received, in order.
func (c *wsClient) seqs() []int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []int64
	for _, m := range c.msgs {
		if m.Seq > 0 && m.Type != "snapshot" {
			out = append(out, m.Seq)
		}
	}
	return out
}

// seqsOf is the seq of every message of one type a client was sent.
func (c *wsClient) seqsOf(typ string) []int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []int64
	for _, m := range c.msgs {
		if m.Type == typ {
			out = append(out, m.Seq)
		}
	}
	return out
}

func (c *wsClient) all() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.raw, "\n")
}

// triad connects the trainer and trainee1–3, forms a triad by hand and starts a round: trainee1
// speaker, trainee2 peer worker, trainee3 observer.
// join connects people in the order given, each to the instance at names, and waits for each
// snapshot and then for the first of them to see the others join. The first to connect loads
// the room, so its instance owns it.
func (e *liveEnv) join(at func(who string) *httptest.Server, who ...string) map[string]*wsClient {
	e.t.Helper()
	was := e.http
	defer func() { e.http = was }()
	cs := map[string]*wsClient{}
	for _, w := range who {
		e.http = at(w)
		cs[w] = e.connect(w, 0)
		cs[w].await("snapshot", ofType("snapshot"))
	}
	for _, w := range who[1:] {
		id := e.people[w]
		cs[who[0]].await(w+" joined", func(m wsMsg) bool {
			return m.Type == "participant.joined" && strings.Contains(string(m.Data), id)
		})
	}
	return cs
}

// onSecond connects the people named to the second instance, ts2, and everyone else to the
// first; for join.
func (e *liveEnv) onSecond(ts2 *httptest.Server, names ...string) func(who string) *httptest.Server {
	first := e.http
	return func(who string) *httptest.Server {
		if slices.Contains(names, who) {
			return ts2
		}
		return first
	}
}

func (e *liveEnv) triad() map[string]*wsClient {
	e.t.Helper()
	cs := e.join(func(string) *httptest.Server { return e.http }, "trainer", "trainee1", "trainee2", "trainee3")
	cs["trainer"].mustAck("groups.assign", "assign", map[string]any{
		"groups": [][]string{{e.people["trainee1"], e.people["trainee2"], e.people["trainee3"]}}})
	cs["trainer"].mustAck("round.start", "start", map[string]any{"card_id": wsCard.ID, "practice_seconds": 60, "feedback_seconds": 30})
	for _, who := range []string{"trainee1", "trainee2", "trainee3"} {
		cs[who].await("round.started", ofType("round.started"))
	}
	return cs
}

func TestRoleplaySocketRefusals(t *testing.T) {
	e := newLiveEnv(t)
	other := MustRoleplaySession(t, e.store, MustOrgID(t, e.store, "harbour"), MustPersonID(t, e.store, "admin@harbour.example"),
		nil, time.Now(), false)
	cancelled := MustRoleplaySession(t, e.store, MustOrgID(t, e.store, "riverside"), e.people["trainer"],
		[]string{e.people["trainee1"]}, time.Now(), false)
	if _, err := testdb.Owner(e.store.DB()).Exec(`UPDATE roleplay_sessions SET cancelled_at = now() WHERE id = $1`, cancelled); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		who     string
		session string
		header  http.Header
		want    int
	}{
		{"signed out", "", e.session, nil, http.StatusUnauthorized},
		{"not invited", "trainee4", e.session, nil, http.StatusNotFound},
		{"another organisation's session", "trainee1", other, nil, http.StatusNotFound},
		{"not a session id", "trainee1", "nope", nil, http.StatusNotFound},
		{"cancelled session", "trainee1", cancelled, nil, http.StatusNotFound},
		{"cross-site page", "trainee1", e.session, http.Header{"Origin": {"https://evil.example"}}, http.StatusForbidden},
		{"no origin", "trainee1", e.session, http.Header{}, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := tt.header
			if header == nil {
				header = http.Header{"Origin": {"http://peerpath.test"}}
			}
			if c := e.cookies[tt.who]; c != nil {
				header.Set("Cookie", c.String())
			}
			ws, resp, err := websocket.DefaultDialer.Dial(e.url(tt.session), header)
			if err == nil {
				ws.Close()
				t.Fatalf("dial succeeded, want status %d", tt.want)
			}
			if resp == nil || resp.StatusCode != tt.want {
				t.Fatalf("got response %v, want status %d", resp, tt.want)
			}
			var body struct {
				Error struct{ Code string } `json:"error"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Error.Code == "" {
				t.Errorf("got body error %v (code %q), want the JSON error envelope", err, body.Error.Code)
			}
		})
	}
}

func TestRoleplaySocketHelloFirst(t *testing.T) {
	e := newLiveEnv(t)
	ws, _, err := e.dial("trainee1", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if err := ws.WriteJSON(map[string]any{"type": "chat", "data": map[string]any{"text": "hi"}}); err != nil {
		t.Fatal(err)
	}
	_, _, err = ws.ReadMessage()
	if ce, ok := err.(*websocket.CloseError); !ok || ce.Code != websocket.ClosePolicyViolation {
		t.Errorf("got %v, want close %d", err, websocket.ClosePolicyViolation)
	}
}

func TestRoleplaySocketPractice(t *testing.T) {
	e := newLiveEnv(t)
	cs := e.triad()
	speaker, peer, observer, trainer := cs["trainee1"], cs["trainee2"], cs["trainee3"], cs["trainer"]

	// Brief filtering: each trainee's messages hold their own brief and no other.
	briefs := map[*wsClient]string{speaker: "BRIEF-SPEAKER", peer: "BRIEF-PEER", observer: "BRIEF-OBSERVER"}
	for c, mine := range briefs {
		all := c.all()
		for _, b := range briefs {
			if got, want := strings.Contains(all, b), b == mine; got != want {
				t.Errorf("%s: got %s included %v, want %v", c.name, b, got, want)
			}
		}
	}
	if all := trainer.all(); strings.Contains(all, "BRIEF-") {
		t.Errorf("trainer: got a brief in a triad the trainer does not play in")
	}

	// A trainee's trainer-only intent is refused, and the connection stays open.
	m := peer.do("round.end", "nope", map[string]any{})
	if m.Type != "error" || !strings.Contains(string(m.Data), `"forbidden"`) {
		t.Errorf("trainee round.end: got %s %s, want a forbidden error", m.Type, m.Data)
	}
	peer.mustAck("chat", "c1", map[string]any{"text": "Hello group"})
	observer.await("chat", ofType("chat"))

	// Bad input is an error reply, not a disconnect.
	peer.send("chat", "c2", map[string]any{"text": ""})
	if m := peer.await("reply c2", reply("c2")); m.Type != "error" {
		t.Errorf("empty chat: got %s, want error", m.Type)
	}
	if err := peer.ws.WriteMessage(websocket.TextMessage, []byte("{not json")); err != nil {
		t.Fatal(err)
	}
	peer.await("error for bad json", ofType("error"))

	// The round's practice time passes: the server moves the group to the observer's feedback.
	e.clock.Advance(61 * time.Second)
	observer.await("round.phase", func(m wsMsg) bool {
		return m.Type == "round.phase" && strings.Contains(string(m.Data), `"feedback.observer"`)
	})
	observer.mustAck("feedback.submit", "fb", map[string]any{"scores": map[string]int{"R1": 3, "R2": 4}, "comment": "Warm and clear."})
	speaker.await("feedback.submitted", ofType("feedback.submitted"))

	// What outlives the session: seats, the observer's feedback about the peer worker, attendance;
	// chat is not kept, since the session keeps no transcript.
	if got := MustCount(t, e.store, `SELECT count(*) FROM roleplay_seats WHERE session_id = $1`, e.session); got != 3 {
		t.Errorf("got %d seats recorded, want 3", got)
	}
	if got := MustCount(t, e.store, `SELECT count(*) FROM roleplay_feedback WHERE session_id = $1 AND about_person = $2
		AND from_person = $3 AND scores->>'R2' = '4'`, e.session, e.people["trainee2"], e.people["trainee3"]); got != 1 {
		t.Errorf("got %d observer feedback rows about the peer worker, want 1", got)
	}
	if got := MustCount(t, e.store, `SELECT count(*) FROM roleplay_attendance WHERE session_id = $1`, e.session); got != 4 {
		t.Errorf("got %d attendance rows, want 4", got)
	}
	if got := MustCount(t, e.store, `SELECT count(*) FROM roleplay_commands WHERE session_id = $1 AND intent::text LIKE '%Hello group%'`, e.session); got != 0 {
		t.Errorf("got chat text in %d logged commands, want none", got)
	}
	if got := MustCount(t, e.store, `SELECT count(*) FROM roleplay_transcript WHERE session_id = $1`, e.session); got != 0 {
		t.Errorf("got %d transcript lines, want none", got)
	}
}

func TestRoleplaySocketResume(t *testing.T) {
	e := newLiveEnv(t)
	cs := e.triad()
	observer, trainer := cs["trainee3"], cs["trainer"]
	last := observer.seqs()
	lastSeq := last[len(last)-1]
	observer.ws.Close()
	<-observer.done
	trainer.await("observer left", ofType("participant.left"))

	// Events the observer misses: a chat in the group, a pause and a resume.
	cs["trainee1"].mustAck("chat", "c1", map[string]any{"text": "While you were away"})
	trainer.mustAck("round.pause", "p", map[string]any{})
	trainer.mustAck("round.resume", "r", map[string]any{})

	// The others saw these; the observer, back, gets exactly those meant for them.
	back := e.connect("trainee3", lastSeq)
	back.await("the resumed chat", ofType("chat"))
	back.await("the pause", ofType("round.paused"))
	back.await("the resume", ofType("round.phase"))
	back.await("their own join", ofType("participant.joined"))
	got := back.seqs()
	for i, s := range got {
		if s <= lastSeq {
			t.Errorf("resumed: got seq %d, already seen (last %d)", s, lastSeq)
		}
		if i > 0 && s <= got[i-1] {
			t.Errorf("resumed: seqs %v out of order", got)
		}
	}
	for _, m := range back.msgs {
		if m.Type == "snapshot" {
			t.Errorf("resumed: got a snapshot, want only the missed events")
		}
	}
	// Every event the speaker (in the same group) saw after lastSeq, the observer saw too.
	want := map[int64]bool{}
	for _, s := range cs["trainee1"].seqs() {
		if s > lastSeq {
			want[s] = true
		}
	}
	for _, s := range got {
		delete(want, s)
	}
	if len(want) > 0 {
		t.Errorf("resumed: missing seqs %v", want)
	}

	// Too far behind, or from nowhere: a snapshot.
	fresh := e.connect("trainee3", 1_000_000)
	fresh.await("snapshot", ofType("snapshot"))
}

func TestRoleplaySocketSlowClient(t *testing.T) {
	e := newLiveEnv(t, func(c *server.Config) {
		c.Rooms.SendQueue = 8
		c.Rooms.MessagesPerSecond, c.Rooms.Burst = 10_000, 10_000
	})
	cs := e.triad()
	// The observer stops reading; the trainer floods the session with broadcasts.
	// A tiny receive buffer, so the server's writes back up quickly.
	dialer := websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetReadBuffer(4096)
		}
		return c, err
	}}
	slow, _, err := dialer.Dial(e.url(e.session), http.Header{"Origin": {"http://peerpath.test"}, "Cookie": {e.cookies["trainee3"].String()}})
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	if err := slow.WriteJSON(map[string]any{"type": "hello", "data": map[string]any{"last_seq": 0}}); err != nil {
		t.Fatal(err)
	}
	// Messages of 8 KB until the server gives up on it: the small buffers between them fill
	// after a few, then its queue. The room never waits for it: every broadcast is answered.
	cut := false
	sent := 0
	for sent < 3000 && !cut {
		cs["trainer"].mustAck("broadcast", fmt.Sprintf("b%d", sent), map[string]any{"text": strings.Repeat("🙂", 2000)})
		sent++
		if sent%20 == 0 {
			_, conns := e.srv.Hub().Stats()
			cut = conns == 4
		}
	}
	if !cut {
		t.Fatalf("after %d broadcasts the stalled connection is still open", sent)
	}
	// The others, reading, got everything.
	last := cs["trainer"].seqs()
	for _, who := range []string{"trainee1", "trainee2"} {
		cs[who].await("the last broadcast", func(m wsMsg) bool { return m.Type == "broadcast" && m.Seq == last[len(last)-1] })
	}
}

func TestRoleplaySocketGoingAway(t *testing.T) {
	e := newLiveEnv(t)
	c := e.connect("trainee1", 0)
	c.await("snapshot", ofType("snapshot"))
	if rec := Do(t, e.srv, "GET", "/metrics", ""); !strings.Contains(rec.Body.String(), "peerpath_roleplay_connections 1") {
		t.Errorf("metrics: want peerpath_roleplay_connections 1")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	e.srv.Close(ctx)
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		t.Fatal("connection still open after Close")
	}
	if c.closeCode != websocket.CloseGoingAway {
		t.Errorf("got close code %d, want %d (going away)", c.closeCode, websocket.CloseGoingAway)
	}
	if got := MustCount(t, e.store, `SELECT count(*) FROM roleplay_attendance WHERE session_id = $1 AND last_left_at IS NOT NULL`, e.session); got != 1 {
		t.Errorf("got %d people recorded as left, want 1", got)
	}
}

// second starts another server instance on the same database and Redis.
func (e *liveEnv) second(instance string, opts ...func(*rooms.Config)) (*server.Server, *httptest.Server) {
	e.t.Helper()
	rc := rooms.Config{Instance: instance, Now: e.clock.Now, PollEvery: 50 * time.Millisecond}
	for _, o := range opts {
		o(&rc)
	}
	srv, err := server.New(server.Config{
		Store: e.store, Redis: MustRedis(e.t), BaseURL: "http://peerpath.test", KeyPrefix: e.prefix,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, nil)), Rooms: rc,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	e.t.Cleanup(func() {
		srv.Close(context.Background())
		ts.Close()
	})
	return srv, ts
}

// allSeqs is every seq a client was sent, snapshots included.
func (c *wsClient) allSeqs() []int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []int64
	for _, m := range c.msgs {
		if m.Seq > 0 {
			out = append(out, m.Seq)
		}
	}
	return out
}

// TestRoleplayOwnerHandover shuts down the instance that owns a running room: its people are
// told to go away, the other instance takes the room over, they resume there, and the round goes
// on: seqs only increase, the timer fires once, nothing acknowledged is lost.
func TestRoleplayOwnerHandover(t *testing.T) {
	e := newLiveEnv(t, func(c *server.Config) { c.Rooms.Instance = "a" })
	_, ts2 := e.second("b")
	// The trainer loads the room first, so instance a owns it.
	cs := e.join(e.onSecond(ts2, "trainee2", "trainee3"), "trainer", "trainee1", "trainee2", "trainee3")
	cs["trainer"].mustAck("groups.assign", "assign", map[string]any{
		"groups": [][]string{{e.people["trainee1"], e.people["trainee2"], e.people["trainee3"]}}})
	cs["trainer"].mustAck("round.start", "start", map[string]any{"card_id": wsCard.ID, "practice_seconds": 60, "feedback_seconds": 30})
	cs["trainee2"].mustAck("chat", "before", map[string]any{"text": "said before the restart"})
	cs["trainee1"].await("the chat from b", ofType("chat"))

	// Instance a goes away, as on SIGTERM.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	e.srv.Close(ctx)
	cancel()
	for _, who := range []string{"trainer", "trainee1"} {
		<-cs[who].done
		if cs[who].closeCode != websocket.CloseGoingAway {
			t.Errorf("%s: got close code %d, want %d (going away)", who, cs[who].closeCode, websocket.CloseGoingAway)
		}
	}
	// They come back through instance b with the last seq they saw.
	e.http = ts2
	for _, who := range []string{"trainer", "trainee1"} {
		seqs := cs[who].allSeqs()
		cs[who] = e.connect(who, seqs[len(seqs)-1])
	}
	cs["trainee1"].await("back in the room", func(m wsMsg) bool { return m.Type == "snapshot" || m.Type == "participant.joined" })
	cs["trainee1"].mustAck("chat", "after", map[string]any{"text": "said after the restart"})
	for _, who := range []string{"trainee2", "trainee3", "trainer"} {
		cs[who].await("the chat after the restart", func(m wsMsg) bool {
			return m.Type == "chat" && strings.Contains(string(m.Data), "said after the restart")
		})
	}
	e.clock.Advance(61 * time.Second)
	for _, who := range []string{"trainee1", "trainee2", "trainee3"} {
		cs[who].await("round.phase", ofType("round.phase"))
	}
	time.Sleep(200 * time.Millisecond)

	// trainee2 stayed on b throughout: it saw every seq once, in order.
	// A snapshot may repeat the seq of the last event: it is the room as of that event.
	var last int64
	for _, m := range cs["trainee2"].msgs {
		if m.Seq == 0 {
			continue
		}
		if m.Seq < last || m.Seq == last && m.Type != "snapshot" {
			t.Errorf("trainee2 saw seqs %v: want them increasing", cs["trainee2"].allSeqs())
			break
		}
		last = m.Seq
	}
	if got := MustCount(t, e.store, `SELECT count(*) FROM roleplay_commands WHERE session_id = $1 AND kind = 'tick'`, e.session); got != 2 {
		t.Errorf("got %d ticks logged, want 2 (the lobby's, the practice's end)", got)
	}
	// b takes the room over; now and then it steps down and takes it again at once, which costs
	// its people a snapshot and nothing else.
	if got := MustCount(t, e.store, `SELECT count(*) FROM roleplay_commands WHERE session_id = $1 AND kind = 'resync'`, e.session); got < 1 || got > 2 {
		t.Errorf("got %d resyncs logged, want 1 (or 2): b took the room over", got)
	}
	if got := MustCount(t, e.store, `SELECT count(*) FROM roleplay_seats WHERE session_id = $1`, e.session); got != 3 {
		t.Errorf("got %d seats recorded, want 3", got)
	}
}

// TestRoleplayOwnerLost cuts the owner of a running room off from Redis and from its people, as
// a crash or a partition would: its lease runs out, the other instance takes the room over, the
// intents its people send get through after at most a retry, and the round's timer fires once.
func TestRoleplayOwnerLost(t *testing.T) {
	var rdb *cuttableRedis
	e := newLiveEnv(t, func(c *server.Config) {
		rdb = mustCuttableRedis(t)
		c.Redis = rdb.Client
		c.Rooms.Instance = "a"
		c.Rooms.LeaseTTL = 600 * time.Millisecond
	})
	_, ts2 := e.second("b", func(c *rooms.Config) { c.ForwardWait = time.Second })
	// a loads the room first, for the trainer, and owns it.
	cs := e.join(e.onSecond(ts2, "trainee1", "trainee2", "trainee3"), "trainer", "trainee1", "trainee2", "trainee3")
	cs["trainer"].mustAck("groups.assign", "assign", map[string]any{
		"groups": [][]string{{e.people["trainee1"], e.people["trainee2"], e.people["trainee3"]}}})
	cs["trainer"].mustAck("round.start", "start", map[string]any{"card_id": wsCard.ID, "practice_seconds": 60, "feedback_seconds": 30})

	// a loses Redis, and the trainer's socket to it drops.
	rdb.cut()
	cs["trainer"].ws.Close()
	<-cs["trainer"].done

	// trainee1's chat gets through once b has taken over: an error meanwhile, never silence.
	cs["trainee1"].chatUntilAcked("said after the crash", "b takes over")
	for _, who := range []string{"trainee2", "trainee3"} {
		cs[who].await("the chat after the crash", func(m wsMsg) bool {
			return m.Type == "chat" && strings.Contains(string(m.Data), "said after the crash")
		})
	}
	e.http = ts2
	seqs := cs["trainer"].allSeqs()
	cs["trainer"] = e.connect("trainer", seqs[len(seqs)-1])
	// What it missed, from the log b replayed: the resync's skip is a jump in seq, not an event.
	cs["trainer"].await("the chat it missed", func(m wsMsg) bool {
		return m.Type == "snapshot" || m.Type == "chat" && strings.Contains(string(m.Data), "said after the crash")
	})
	e.clock.Advance(61 * time.Second)
	for _, who := range []string{"trainee1", "trainee2", "trainee3"} {
		cs[who].await("round.phase", ofType("round.phase"))
	}
	time.Sleep(300 * time.Millisecond)
	if got := MustCount(t, e.store, `SELECT count(*) FROM roleplay_commands WHERE session_id = $1 AND kind = 'tick'`, e.session); got != 2 {
		t.Errorf("got %d ticks logged, want 2: each deadline once, whoever owned the room", got)
	}
	if got := MustCount(t, e.store, `SELECT count(*) FROM roleplay_commands WHERE session_id = $1 AND kind = 'resync'`, e.session); got < 1 {
		t.Errorf("got %d resyncs logged, want at least 1: b took the room over", got)
	}
}

// TestRoleplayTwoInstances runs two servers on one database and Redis: people on either see the
// same events in the same order, and the round timer fires once.
func TestRoleplayTwoInstances(t *testing.T) {
	// Leases far shorter than the test: the owner must keep renewing its own.
	const lease = time.Second
	e := newLiveEnv(t, func(c *server.Config) { c.Rooms.Instance, c.Rooms.LeaseTTL = "a", lease })
	_, ts2 := e.second("b", func(c *rooms.Config) { c.LeaseTTL = lease })
	// The room's own channel, listened to from outside: the owner sends its commands to its
	// follower's channel instead, so as not to read each back itself.
	room := MustRedis(t).Subscribe(context.Background(), e.prefix+"roleplay:"+e.session)
	defer room.Close()
	if _, err := room.Receive(context.Background()); err != nil {
		t.Fatal(err)
	}

	// Alternate instances.
	cs := e.join(e.onSecond(ts2, "trainee1", "trainee3"), "trainer", "trainee1", "trainee2", "trainee3")
	cs["trainer"].mustAck("groups.assign", "assign", map[string]any{"auto": true})
	cs["trainer"].mustAck("round.start", "start", map[string]any{"card_id": wsCard.ID, "practice_seconds": 60, "feedback_seconds": 30})
	for i := range 5 {
		cs["trainee1"].mustAck("chat", fmt.Sprintf("a%d", i), map[string]any{"text": "from b"})
		cs["trainee2"].mustAck("chat", fmt.Sprintf("b%d", i), map[string]any{"text": "from a"})
	}
	time.Sleep(5 * lease / 2)
	e.clock.Advance(61 * time.Second)
	for _, who := range []string{"trainee1", "trainee2", "trainee3"} {
		cs[who].await("round.phase", ofType("round.phase"))
	}
	time.Sleep(300 * time.Millisecond)
	if got := MustCount(t, e.store, `SELECT count(*) FROM roleplay_commands WHERE session_id = $1 AND kind = 'resync'`, e.session); got != 0 {
		t.Errorf("got %d resyncs logged, want 0: the owner kept its lease", got)
	}

	// Same events, same order, wherever people are connected, from the triad's forming on.
	// (trainee3's own first event may come earlier: its instance's copy can lag a moment behind,
	// and then it is sent what it missed after its snapshot.)
	var from int64
	for _, m := range cs["trainee1"].msgs {
		if m.Type == "groups.assigned" {
			from = m.Seq
		}
	}
	after := func(seqs []int64) []int64 {
		for i, s := range seqs {
			if s >= from {
				return seqs[i:]
			}
		}
		return nil
	}
	ref := after(cs["trainee1"].seqs())
	for _, who := range []string{"trainee2", "trainee3"} {
		if got := after(cs[who].seqs()); fmt.Sprint(got) != fmt.Sprint(ref) {
			t.Errorf("%s saw seqs %v, trainee1 saw %v", who, got, ref)
			t.Logf("%s:\n%s\ntrainee1:\n%s", who, cs[who].all(), cs["trainee1"].all())
		}
	}
	for {
		m, err := room.ReceiveTimeout(context.Background(), 100*time.Millisecond)
		if err != nil {
			break
		}
		if msg, ok := m.(*redis.Message); ok && strings.Contains(msg.Payload, `"command"`) && !strings.Contains(msg.Payload, `"kind":"resync"`) {
			t.Errorf("the room's channel carried a command: %.120s; want them on the follower's channel", msg.Payload)
		}
	}
	// One tick opened the session; one ended the practice, however many instances had the timer.
	if got := MustCount(t, e.store, `SELECT count(*) FROM roleplay_commands WHERE session_id = $1 AND kind = 'tick'`, e.session); got != 2 {
		t.Errorf("got %d ticks logged, want 2: each timer fires once across instances", got)
		rows, _ := testdb.Owner(e.store.DB()).Query(`SELECT n, at, kind, coalesce(person_id::text,''), coalesce(intent::text,'') FROM roleplay_commands WHERE session_id = $1 ORDER BY n`, e.session)
		for rows.Next() {
			var n int
			var at time.Time
			var k, p, i string
			_ = rows.Scan(&n, &at, &k, &p, &i)
			t.Logf("%d %s %s %s %.60s", n, at.Format("15:04:05.000"), k, p, i)
		}
	}
}

// TestRoleplayFollowerCatchesUp loses what the owner publishes: its Redis goes away while its
// log writes go on. The other instance's poll finds the log ahead of its room and applies what
// it missed, so its people are sent the trainer's broadcasts in order, with nothing skipped.
func TestRoleplayFollowerCatchesUp(t *testing.T) {
	var rdb *cuttableRedis
	e := newLiveEnv(t, func(c *server.Config) {
		rdb = mustCuttableRedis(t)
		c.Redis = rdb.Client
		c.Rooms.Instance = "a"
	})
	_, ts2 := e.second("b")
	cs := e.join(e.onSecond(ts2, "trainee1"), "trainer", "trainee1")

	// a can no longer publish; its lease (10 s) outlives the test, so it stays the owner.
	rdb.cut()
	for i := range 3 {
		cs["trainer"].mustAck("broadcast", fmt.Sprintf("b%d", i), map[string]any{"text": fmt.Sprintf("notice %d", i)})
	}
	cs["trainee1"].await("the last broadcast, from the log", func(m wsMsg) bool {
		return m.Type == "broadcast" && strings.Contains(string(m.Data), "notice 2")
	})
	if got, want := cs["trainee1"].seqsOf("broadcast"), cs["trainer"].seqsOf("broadcast"); len(want) != 3 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("trainee1 on b got broadcasts at seqs %v, want %v as the trainer on a saw them", got, want)
	}
}

// namedRedisEnv is a live environment whose first instance, a, names its Redis connections, so
// a test can find them in CLIENT LIST.
func namedRedisEnv(t *testing.T) (e *liveEnv, name string) {
	name = fmt.Sprintf("roleplay-test-%d", time.Now().UnixNano())
	e = newLiveEnv(t, func(c *server.Config) {
		opt, err := redis.ParseURL(testdb.RedisURL())
		if err != nil {
			t.Fatal(err)
		}
		opt.ClientName = name
		rdb := redis.NewClient(opt)
		t.Cleanup(func() { rdb.Close() })
		c.Redis = rdb
		c.Rooms.Instance = "a"
	})
	return e, name
}

// redisClients lists the connections to Redis named name that match, by CLIENT LIST's fields.
func redisClients(t *testing.T, name string, match func(f map[string]string) bool) []map[string]string {
	t.Helper()
	list, err := MustRedis(t).ClientList(context.Background()).Result()
	if err != nil {
		t.Fatal(err)
	}
	var found []map[string]string
	for _, line := range strings.Split(list, "\n") {
		f := map[string]string{}
		for _, kv := range strings.Fields(line) {
			k, v, _ := strings.Cut(kv, "=")
			f[k] = v
		}
		if f["name"] == name && match(f) {
			found = append(found, f)
		}
	}
	return found
}

// killRedisClients has Redis close the connections named name that match, and fails unless
// there was exactly one.
func killRedisClients(t *testing.T, name string, match func(f map[string]string) bool) string {
	t.Helper()
	found := redisClients(t, name, match)
	if len(found) != 1 {
		t.Fatalf("got %d matching connections of a's, want 1: %v", len(found), found)
	}
	if err := MustRedis(t).Do(context.Background(), "CLIENT", "KILL", "ID", found[0]["id"]).Err(); err != nil {
		t.Fatal(err)
	}
	return found[0]["id"]
}

func subscriber(f map[string]string) bool { return f["sub"] != "" && f["sub"] != "0" }

// publisherConn matches the rooms' publisher: the only connection that publishes, or that last
// turned its replies off.
func publisherConn(f map[string]string) bool {
	return f["cmd"] == "publish" || f["cmd"] == "client|reply"
}

// TestRoleplaySubscriptionDropped has Redis close the owner's subscription under it: the owner
// dials again and subscribes anew, so intents forwarded to it get through once more, and its
// people hear of them.
func TestRoleplaySubscriptionDropped(t *testing.T) {
	e, name := namedRedisEnv(t)
	_, ts2 := e.second("b", func(c *rooms.Config) { c.ForwardWait = time.Second })
	// a loads the room first, for the trainer, and owns it.
	cs := e.join(e.onSecond(ts2, "trainee1"), "trainer", "trainee1")
	cs["trainee1"].mustAck("chat", "before", map[string]any{"text": "said before"})

	// Redis drops a's subscriber connection, and only that one.
	killRedisClients(t, name, subscriber)

	// trainee1's chat reaches a again: an error while a dials, never silence.
	cs["trainee1"].chatUntilAcked("said after", "a subscribes again")
	cs["trainer"].await("the chat said after", func(m wsMsg) bool {
		return m.Type == "chat" && strings.Contains(string(m.Data), "said after")
	})
}

// TestRoleplayPublisherDropped has Redis close the owner's publishing connection under it: the
// owner dials again, and its chats reach the other instance through Redis once more, words and
// all (the log keeps none: a chat read from it has no words).
func TestRoleplayPublisherDropped(t *testing.T) {
	e, name := namedRedisEnv(t)
	_, ts2 := e.second("b")
	cs := e.join(e.onSecond(ts2, "trainee1"), "trainer", "trainee1")
	cs["trainer"].mustAck("chat", "before", map[string]any{"text": "said before"})
	cs["trainee1"].await("the chat said before", func(m wsMsg) bool {
		return m.Type == "chat" && strings.Contains(string(m.Data), "said before")
	})

	old := killRedisClients(t, name, publisherConn)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		found := redisClients(t, name, publisherConn)
		if len(found) == 1 && found[0]["id"] != old {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("got publisher connections %v 5 s after killing %s, want one dialled again", found, old)
		}
	}
	// The first chat after the kill may be lost on the dead connection and come from the log.
	deadline := time.Now().Add(5 * time.Second)
	for i := 0; ; i++ {
		words := fmt.Sprintf("said after %d", i)
		cs["trainer"].mustAck("chat", fmt.Sprintf("after%d", i), map[string]any{"text": words})
		seqs := cs["trainer"].seqsOf("chat")
		got := cs["trainee1"].await("chat "+words, func(m wsMsg) bool {
			return m.Type == "chat" && m.Seq == seqs[len(seqs)-1]
		})
		if strings.Contains(string(got.Data), words) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("chats after the publisher was dropped: got %s on b, want the words through Redis", got.Data)
		}
	}
}

// TestRoleplaySocketReadLimit: a message just under 16 KB is read and refused on its merits with
// the socket left open; one over it closes the socket with 1009 (message too big).
func TestRoleplaySocketReadLimit(t *testing.T) {
	e := newLiveEnv(t)
	c := e.connect("trainee1", 0)
	c.await("snapshot", ofType("snapshot"))
	// text makes a chat of size bytes as wsClient.send writes it (WriteJSON ends it with a newline).
	text := func(size int, reqID string) string {
		envelope := len(`{"data":{"text":""},"req_id":"` + reqID + `","type":"chat"}` + "\n")
		return strings.Repeat("a", size-envelope)
	}
	if m := c.do("chat", "under", map[string]any{"text": text(rooms.MaxMessageBytes, "under")}); m.Type != "error" || !strings.Contains(string(m.Data), `"invalid"`) {
		t.Fatalf("a chat of %d bytes: got %s %s, want an invalid error (too long a chat)", rooms.MaxMessageBytes, m.Type, m.Data)
	}
	c.mustAck("chat", "short", map[string]any{"text": "still here"})
	c.send("chat", "over", map[string]any{"text": text(rooms.MaxMessageBytes+1, "over")})
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		t.Fatal("a message over 16 KB: the socket is still open after 5 s")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closeCode != websocket.CloseMessageTooBig {
		t.Errorf("a message over 16 KB: got close code %d, want %d (message too big)", c.closeCode, websocket.CloseMessageTooBig)
	}
}

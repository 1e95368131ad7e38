package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"peerpath/courses"
	"peerpath/server"
	"peerpath/server/rooms"
)

// `peerpath bench rooms` drives many live role-play rooms over real WebSockets, beside the thin
// fan-out server in bench_thin.go, and writes the figures to docs/benchmarks.md. The servers run
// as child processes (this binary again, with --serve), so their memory is measured apart from
// the load generator's; the load generator is this process.

// roomsOrigin is the base URL the Peerpath children are configured with; the clients send it as
// their Origin, as a browser on the site would.
const roomsOrigin = "http://bench.local"

const (
	roomsDialers   = 64 // connections being opened at once
	roomsSenders   = 8  // goroutines sending the chat load
	roomsResumers  = 4  // clients resuming at once
	roomsSettle    = time.Second
	roomsGraceMax  = 3 * time.Second // how long stragglers of the window may take to arrive
	roomsChildWait = 30 * time.Second
)

// roomsScenario is one load: rooms of size connections, sent chats so that rate deliveries a
// second reach clients in all.
type roomsScenario struct {
	key       string // names the scenario's role-play sessions
	rooms     int
	size      int
	rate      float64
	instances int // Peerpath servers sharing the database and Redis
}

func (s roomsScenario) conns() int { return s.rooms * s.size }

func (s roomsScenario) title() string {
	t := fmt.Sprintf("%s rooms of %d", thousands(s.rooms), s.size)
	if s.size == 3 {
		t = thousands(s.rooms) + " triads"
	}
	t += fmt.Sprintf(", %s deliveries/s", thousands(int(math.Round(s.rate))))
	if s.instances > 1 {
		return t + ", two Peerpath instances"
	}
	return t + ", one instance"
}

// roomsFull is the load: 3,000 connections in each scenario.
var roomsFull = []roomsScenario{
	{key: "triads", rooms: 1000, size: 3, rate: 5000, instances: 1},
	{key: "rooms30", rooms: 100, size: 30, rate: 15000, instances: 1},
	{key: "triads-x2", rooms: 1000, size: 3, rate: 5000, instances: 2},
	{key: "rooms30-x2", rooms: 100, size: 30, rate: 15000, instances: 2},
}

type roomsPlan struct {
	scenarios []roomsScenario
	warmup    time.Duration
	measure   time.Duration
	resume    int    // clients that close and resume, per Peerpath measurement
	rounds    int    // times each scenario is measured on both servers; the median round is reported
	heapDir   string // where to write each server's heap profile once connected; "" for none
	traceDir  string // where to write each Peerpath server's CPU profile and trace of the window
	scale     float64
	out       string
	cmd       string
	notes     []string
}

// roomsPlanFor scales the full load, keeping each connection's share of the traffic, and shrinks
// it further when this process may not open enough files for every connection.
func roomsPlanFor(scale float64, fdLimit int) roomsPlan {
	p := roomsPlan{scale: scale, resume: 100}
	for _, s := range roomsFull {
		full := s.rooms
		s.rooms = max(1, int(math.Round(float64(s.rooms)*scale)))
		if fdLimit > 0 {
			// The load generator holds every connection; the servers hold theirs apart.
			if fit := (fdLimit - 512) / s.size; s.rooms > fit {
				p.notes = append(p.notes, fmt.Sprintf("%s: scaled down from %d to %d connections: this machine allows %d open files per process.",
					s.key, s.rooms*s.size, fit*s.size, fdLimit))
				s.rooms = max(1, fit)
			}
		}
		s.rate *= float64(s.rooms) / float64(full)
		p.scenarios = append(p.scenarios, s)
	}
	return p
}

// pickScenarios keeps the scenarios named in keys, a comma-separated list, in their usual order.
func pickScenarios(all []roomsScenario, keys string) ([]roomsScenario, error) {
	want := map[string]bool{}
	for _, k := range strings.Split(keys, ",") {
		want[strings.TrimSpace(k)] = true
	}
	var picked []roomsScenario
	for _, s := range all {
		if want[s.key] {
			picked = append(picked, s)
			delete(want, s.key)
		}
	}
	if len(want) > 0 {
		var names []string
		for _, s := range all {
			names = append(names, s.key)
		}
		unknown := slices.Sorted(maps.Keys(want))
		return nil, fmt.Errorf("--scenarios: no scenario %q; choose from %s", strings.Join(unknown, ","), strings.Join(names, ", "))
	}
	return picked, nil
}

// openFileLimit reads this process's soft limit on open files; 0 when it cannot tell.
func openFileLimit() int {
	b, err := os.ReadFile("/proc/self/limits")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "Max open files"); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				n, _ := strconv.Atoi(f[0])
				return n
			}
		}
	}
	return 0
}

// roomsRounds is how many times `bench rooms` measures each scenario unless told: one window's
// p99 on a shared machine swings by a third from run to run.
const roomsRounds = 3

func runBenchRooms(ctx context.Context, a *app, fs *flag.FlagSet) error {
	if kind := fs.Lookup("serve").Value.String(); kind != "" {
		return runRoomsServer(ctx, a, kind, fs.Lookup("addr").Value.String(), fs.Lookup("prefix").Value.String())
	}
	// --duration is per scenario here; its default (10s) is the other benchmarks'.
	measure := 15 * time.Second
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "duration" {
			measure, _ = time.ParseDuration(f.Value.String())
		}
	})
	warmup, _ := time.ParseDuration(fs.Lookup("warmup").Value.String())
	var scale float64
	fmt.Sscan(fs.Lookup("scale").Value.String(), &scale)
	p, err := newRoomsPlan(measure, warmup, scale)
	if err != nil {
		return err
	}
	p.out = fs.Lookup("out").Value.String()
	p.heapDir = fs.Lookup("memprofile").Value.String()
	p.traceDir = fs.Lookup("trace").Value.String()
	// --rounds defaults to the learning benchmark's five; a rooms round is a whole run of its own.
	p.rounds = roomsRounds
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "rounds" {
			fmt.Sscan(f.Value.String(), &p.rounds)
		}
	})
	if p.rounds <= 0 {
		return fmt.Errorf("--rounds: must be positive")
	}
	p.cmd += fmt.Sprintf(" --rounds %d", p.rounds)
	if keys := fs.Lookup("scenarios").Value.String(); keys != "" {
		if p.scenarios, err = pickScenarios(p.scenarios, keys); err != nil {
			return err
		}
		p.cmd += " --scenarios " + keys
	}
	_, err = benchRooms(ctx, a, p)
	return err
}

// newRoomsPlan checks the flags a rooms run takes and plans it.
func newRoomsPlan(measure, warmup time.Duration, scale float64) (roomsPlan, error) {
	if scale <= 0 || scale > 1 {
		return roomsPlan{}, fmt.Errorf("--scale: give a share of the full load above 0 and at most 1, not %v", scale)
	}
	if measure <= 0 {
		return roomsPlan{}, fmt.Errorf("--duration: must be positive")
	}
	p := roomsPlanFor(scale, openFileLimit())
	p.warmup, p.measure = warmup, measure
	p.cmd = fmt.Sprintf("peerpath bench rooms --duration %s --warmup %s", measure, warmup)
	if scale != 1 {
		p.cmd += fmt.Sprintf(" --scale %g", scale)
	}
	return p, nil
}

// roomsPair is one scenario measured on both servers: the median round, with every round.
type roomsPair struct {
	sc         roomsScenario
	thin, peer roomsResult
	rounds     []roomsPair // in the order run; empty inside a round
}

// medianRound picks the round whose fan-out p99 ratio to the thin server's is the median (of an
// even number, the higher of the middle two), and keeps all of them beside it.
func medianRound(rounds []roomsPair) roomsPair {
	byRatio := slices.Clone(rounds)
	slices.SortStableFunc(byRatio, func(a, b roomsPair) int { return cmp.Compare(a.p99Ratio(), b.p99Ratio()) })
	m := byRatio[len(byRatio)/2]
	m.rounds = rounds
	return m
}

// p99Ratio is Peerpath's fan-out p99 over the thin server's; +Inf when the thin server has none.
func (p roomsPair) p99Ratio() float64 {
	if p.thin.p99 <= 0 {
		return math.Inf(1)
	}
	return float64(p.peer.p99) / float64(p.thin.p99)
}

// benchRooms seeds a fresh database, measures every scenario on the thin server and then on
// Peerpath, and writes the rooms section of the benchmarks file.
func benchRooms(ctx context.Context, a *app, p roomsPlan) ([]roomsPair, error) {
	began := time.Now()
	c, err := loadConfig(a.getenv)
	if err != nil {
		return nil, err
	}
	// The folders are made now, so a bad path fails before minutes of seeding and load.
	for _, dir := range []string{p.heapDir, p.traceDir} {
		if dir == "" {
			continue
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	}
	_, db, cleanup, err := benchDatabase(ctx, c)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	rdb, _, err := openRedis(ctx, c)
	if err != nil {
		return nil, err
	}
	rdb.Close()
	var dbName string
	if err := db.GetContext(ctx, &dbName, `SELECT current_database()`); err != nil {
		return nil, err
	}
	u, _ := url.Parse(c.DatabaseURL)
	u.Path = "/" + dbName
	// The children read their configuration as serve does; only the database and Redis matter.
	env := append(os.Environ(), "PEERPATH_BENCH_CHILD=1", "DATABASE_URL="+u.String(), "REDIS_URL="+c.RedisURL,
		"PEERPATH_ENV=development", "PEERPATH_ADDR=127.0.0.1:0", "PEERPATH_BASE_URL="+roomsOrigin)

	fmt.Fprintf(a.stderr, "bench rooms: seeding %s people and their role-play sessions\n", thousands(maxConns(p.scenarios)))
	rounds := max(p.rounds, 1)
	seed, err := seedRooms(ctx, db, p.scenarios, rounds)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	var pairs []roomsPair
	for i, sc := range p.scenarios {
		var measured []roomsPair
		for round := 1; round <= rounds; round++ {
			pair := roomsPair{sc: sc}
			// The thin server first and Peerpath straight after, so drift in the machine's load
			// touches both.
			for _, kind := range []string{"thin", "peerpath"} {
				r := &roomsRun{a: a, plan: p, sc: sc, kind: kind, seed: seed, env: env, round: round,
					prefix: fmt.Sprintf("bench-rooms-%d-%s-%d:", os.Getpid(), sc.key, round)}
				of := ""
				if rounds > 1 {
					of = fmt.Sprintf(", round %d of %d", round, rounds)
				}
				fmt.Fprintf(a.stderr, "bench rooms: [%d/%d] %s%s: %s\n", i+1, len(p.scenarios), sc.title(), of, r.server())
				res, err := r.run(ctx)
				if err != nil {
					return nil, fmt.Errorf("%s on %s: %w", sc.title(), r.server(), err)
				}
				fmt.Fprintf(a.stderr, "bench rooms:   %s\n", res.summary())
				if kind == "thin" {
					pair.thin = res
				} else {
					pair.peer = res
				}
			}
			measured = append(measured, pair)
		}
		pairs = append(pairs, medianRound(measured))
	}
	if err := writeBenchSection(p.out, "rooms", roomsTable(pairs, p, time.Since(began))); err != nil {
		return nil, err
	}
	fmt.Fprintf(a.stderr, "bench rooms: done in %s; figures written to %s\n", time.Since(began).Round(time.Second), p.out)
	return pairs, nil
}

func maxConns(ss []roomsScenario) int {
	n := 0
	for _, s := range ss {
		n = max(n, s.conns())
	}
	return n
}

// --- seeding

// roomsSeed is the people and sessions of a run. Room i of a scenario's round is the session
// sessions[roundKey(key, round)][i], and its members are people[i*size : (i+1)*size].
type roomsSeed struct {
	people   []string
	cookies  []string
	sessions map[string][]string
}

// roomsCard is a minimal scenario card: the benchmark only chats.
var roomsCard = courses.Card{
	ID: "bench", Title: "Benchmark", Setting: "A drop-in centre.", Shared: "A first visit.",
	Roles:  map[courses.Seat]string{courses.SeatSpeaker: "Alex", courses.SeatPeerWorker: "Peer worker", courses.SeatObserver: "Observer"},
	Briefs: map[courses.Seat]string{courses.SeatSpeaker: "Speaker brief.", courses.SeatPeerWorker: "Peer brief.", courses.SeatObserver: "Observer brief."},
	Rubric: []string{"listening"},
}

var roomsCriteria = []courses.Criterion{{ID: "listening", Title: "Listening", Levels: [4]string{"1", "2", "3", "4"}}}

// seedRooms writes one organisation, a trainer, trainees with a signed-in session each (the
// token's hash, as sign-in stores it) and, for each scenario and round, its role-play sessions,
// started a minute ago, each with its roster. Every round has sessions of its own: a room loaded
// with an earlier round's log replays it and keeps its last events for resuming, which would
// make the rounds unlike.
func seedRooms(ctx context.Context, db *sqlx.DB, ss []roomsScenario, rounds int) (*roomsSeed, error) {
	n := maxConns(ss)
	s := &roomsSeed{sessions: map[string][]string{}}
	var org, trainer string
	if err := db.GetContext(ctx, &org, `INSERT INTO organisations (slug, name) VALUES ('bench-rooms', 'Bench Rooms') RETURNING id`); err != nil {
		return nil, err
	}
	if err := db.GetContext(ctx, &trainer, `
		INSERT INTO people (org_id, email, name, password_hash, roles)
		VALUES ($1, 'trainer@bench-rooms.example', 'Bench Trainer', '', '{trainer}') RETURNING id`, org); err != nil {
		return nil, err
	}
	// Nobody signs in with a password, so none is set.
	if err := db.SelectContext(ctx, &s.people, `
		INSERT INTO people (org_id, email, name, password_hash, roles)
		SELECT $1, 'trainee' || g || '@bench-rooms.example', 'Bench Trainee ' || g, '', '{trainee}'
		FROM generate_series(1, $2) g RETURNING id`, org, n); err != nil {
		return nil, err
	}
	hashes := make([][]byte, n)
	s.cookies = make([]string, n)
	for i := range s.people {
		tok, hash, err := courses.NewToken()
		if err != nil {
			return nil, err
		}
		s.cookies[i], hashes[i] = "peerpath_session="+tok, hash
	}
	if _, err := db.ExecContext(ctx, `
		INSERT INTO sessions (token_hash, person_id, created_at, last_seen_at, expires_at)
		SELECT h, p, now(), now(), now() + interval '12 hours' FROM unnest($1::bytea[], $2::uuid[]) AS t(h, p)`,
		pq.Array(hashes), pq.Array(s.people)); err != nil {
		return nil, err
	}
	cards, _ := json.Marshal([]courses.Card{roomsCard})
	criteria, _ := json.Marshal(roomsCriteria)
	for _, sc := range ss {
		for round := 1; round <= rounds; round++ {
			var ids []string
			if err := db.SelectContext(ctx, &ids, `
			INSERT INTO roleplay_sessions (org_id, title, trainer_id, starts_at, time_zone, duration_minutes,
				practice_seconds, feedback_seconds, transcript_allowed, cards, criteria)
			SELECT $1, 'Bench ' || $2::text || ' ' || g, $3, now() - interval '1 minute', 'UTC', 90, 600, 180, false, $4, $5
			FROM generate_series(1, $6) g RETURNING id`, org, sc.key, trainer, cards, criteria, sc.rooms); err != nil {
				return nil, err
			}
			sess := make([]string, 0, sc.conns())
			people := make([]string, 0, sc.conns())
			for i, id := range ids {
				for m := range sc.size {
					sess = append(sess, id)
					people = append(people, s.people[i*sc.size+m])
				}
			}
			if _, err := db.ExecContext(ctx, `
			INSERT INTO roleplay_invitees (session_id, person_id, org_id)
			SELECT s, p, $3 FROM unnest($1::uuid[], $2::uuid[]) AS t(s, p)`, pq.Array(sess), pq.Array(people), org); err != nil {
				return nil, err
			}
			s.sessions[roundKey(sc.key, round)] = ids
		}
	}
	_, err := db.ExecContext(ctx, `ANALYZE`)
	return s, err
}

// roundKey names a scenario's sessions in one round.
func roundKey(key string, round int) string { return fmt.Sprintf("%s/%d", key, round) }

// --- the servers, as child processes

// roomsMem is what a child reports of its memory, after a collection.
type roomsMem struct {
	HeapStack  int64 `json:"heap_stack"` // HeapInuse + StackInuse
	Stack      int64 `json:"stack"`
	RSS        int64 `json:"rss"`
	Goroutines int64 `json:"goroutines"`
}

func (m roomsMem) plus(o roomsMem) roomsMem {
	return roomsMem{HeapStack: m.HeapStack + o.HeapStack, Stack: m.Stack + o.Stack, RSS: m.RSS + o.RSS, Goroutines: m.Goroutines + o.Goroutines}
}

func serveRoomsMem(w http.ResponseWriter, _ *http.Request) {
	// Each collection shrinks an idle goroutine's stack by half at most: a few let the stacks an
	// upgrade grew (sign-in, loading the room) settle as they do within minutes in a running
	// server, rather than measuring the moment after.
	for range 3 {
		runtime.GC()
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m := roomsMem{HeapStack: int64(ms.HeapInuse + ms.StackInuse), Stack: int64(ms.StackInuse), Goroutines: int64(runtime.NumGoroutine())}
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
				m.RSS = kb << 10
			}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(m)
}

// runRoomsServer is a child: it serves the thin server or Peerpath, plus GET /bench/mem, prints
// the address it listens on, and stops when its standard input closes (the parent ended it, or
// died).
func runRoomsServer(ctx context.Context, a *app, kind, addr, prefix string) error {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /bench/mem", serveRoomsMem)
	mux.HandleFunc("GET /bench/heap", func(w http.ResponseWriter, _ *http.Request) {
		runtime.GC()
		_ = pprof.Lookup("heap").WriteTo(w, 0)
	})
	mux.HandleFunc("GET /bench/profile", func(w http.ResponseWriter, r *http.Request) {
		benchRecord(w, r, pprof.StartCPUProfile, pprof.StopCPUProfile)
	})
	mux.HandleFunc("GET /bench/trace", func(w http.ResponseWriter, r *http.Request) {
		benchRecord(w, r, trace.Start, trace.Stop)
	})
	// closeRooms, for Peerpath, shuts the hub down as serve does: the leaves of the people still
	// in its rooms, and those queued for the log, are written before the process ends.
	closeRooms := func(context.Context) {}
	switch kind {
	case "thin":
		mux.Handle("/", newThinRooms())
	case "peerpath":
		c, err := loadConfig(a.getenv)
		if err != nil {
			return err
		}
		db, err := openDB(ctx, c, courses.AppRole)
		if err != nil {
			return err
		}
		defer db.Close()
		rdb, _, err := openRedis(ctx, c)
		if err != nil {
			return err
		}
		defer rdb.Close()
		srv, err := server.New(server.Config{Store: courses.NewStore(db, nil), Redis: rdb, BaseURL: roomsOrigin,
			KeyPrefix: prefix, Logger: slog.New(slog.DiscardHandler),
			// The default per-connection limit (20 a second) is for people; the load is spread
			// thinly, but a burst after a stall must not be refused.
			Rooms: rooms.Config{Instance: fmt.Sprintf("bench-%d", os.Getpid()), MessagesPerSecond: 1000, Burst: 2000}})
		if err != nil {
			return err
		}
		mux.Handle("/", srv)
		closeRooms = srv.Close
	default:
		return fmt.Errorf("--serve: thin or peerpath, not %q", kind)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("--addr: %v", err)
	}
	hs := &http.Server{Handler: mux}
	go hs.Serve(ln)
	fmt.Fprintln(a.stdout, "listening", ln.Addr())
	stdin := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(stdin)
	}()
	select {
	case <-stdin:
	case <-ctx.Done():
	}
	// The parent has closed its clients. The hub shuts down as serve's does, so the log gets
	// the last leaves rather than losing them with the process.
	closing, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	closeRooms(closing)
	return hs.Close()
}

// benchRecord writes a CPU profile or an execution trace of the next ?seconds=N. It uses the
// runtime's packages rather than net/http/pprof, which would register its handlers on the default
// mux of every peerpath binary.
func benchRecord(w http.ResponseWriter, r *http.Request, start func(io.Writer) error, stop func()) {
	secs, err := strconv.Atoi(r.URL.Query().Get("seconds"))
	if err != nil || secs <= 0 {
		http.Error(w, "seconds: a positive whole number", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	if err := start(w); err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	defer stop()
	select {
	case <-time.After(time.Duration(secs) * time.Second):
	case <-r.Context().Done():
	}
}

type roomsChild struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	addr  string
	done  chan struct{}
}

func startRoomsChild(a *app, env []string, kind, prefix string) (*roomsChild, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "bench", "rooms", "--serve", kind, "--addr", "127.0.0.1:0", "--prefix", prefix)
	cmd.Env = env
	cmd.Stderr = a.stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	ch := &roomsChild{cmd: cmd, stdin: stdin, done: make(chan struct{})}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "listening "); ok {
				lines <- rest
			}
		}
		close(lines)
	}()
	go func() {
		_ = cmd.Wait()
		close(ch.done)
	}()
	select {
	case addr, ok := <-lines:
		if ok {
			ch.addr = addr
			return ch, nil
		}
	case <-time.After(roomsChildWait):
	}
	ch.stop()
	return nil, fmt.Errorf("the %s server did not start (its errors are above)", kind)
}

func (c *roomsChild) stop() {
	c.stdin.Close()
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// save writes what the child's path answers (a profile or a trace) to a file.
func (c *roomsChild) save(path, name string, timeout time.Duration) error {
	cl := http.Client{Timeout: timeout}
	resp, err := cl.Get("http://" + c.addr + path)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return fmt.Errorf("%s: %s", path, resp.Status)
	}
	defer resp.Body.Close()
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func (c *roomsChild) mem() (roomsMem, error) {
	var m roomsMem
	cl := http.Client{Timeout: 30 * time.Second}
	resp, err := cl.Get("http://" + c.addr + "/bench/mem")
	if err != nil {
		return m, err
	}
	defer resp.Body.Close()
	return m, json.NewDecoder(resp.Body).Decode(&m)
}

// --- one measurement

type roomsRun struct {
	a      *app
	plan   roomsPlan
	sc     roomsScenario
	kind   string // "thin" or "peerpath"
	round  int    // from 1; profiles are taken in the first only
	seed   *roomsSeed
	env    []string
	prefix string

	children []*roomsChild
	clients  []*roomsClient

	// The measurement window, by the send time each chat carries (Unix ns).
	start, end atomic.Int64
	stopping   atomic.Bool

	sent, expected, received    atomic.Int64
	dialErrors, replyErrors     atomic.Int64
	sendErrors, closed, skipped atomic.Int64
	textless                    atomic.Int64
	firstErr                    atomic.Value
}

func (r *roomsRun) server() string {
	if r.kind == "thin" {
		return "the thin server"
	}
	if r.sc.instances > 1 {
		return "two Peerpath instances"
	}
	return "Peerpath"
}

func (r *roomsRun) instances() int {
	if r.kind == "thin" {
		return 1
	}
	return r.sc.instances
}

func (r *roomsRun) fail(err error) {
	r.firstErr.CompareAndSwap(nil, err.Error())
}

// roomsResult is what one measurement found.
type roomsResult struct {
	kind      string
	conns     int
	held      int
	connect   time.Duration
	before    roomsMem // the children's memory before any connection
	after     roomsMem // with every connection open and greeted, before the load
	loaded    roomsMem // at the end of the measurement, under load
	p50, p99  time.Duration
	max       time.Duration
	samples   int
	achieved  float64 // deliveries a second of chats sent in the window
	target    float64
	sent      int64
	lost      int64 // deliveries expected from the window's chats that never arrived
	errors    int64 // failed dials and sends, error replies, connections closed under the load
	dropped   int64 // connections the server closed during the run
	textless  int64 // chats delivered without the words sent
	behind    int64 // chats the load generator could not send on time
	resume    []time.Duration
	snapshots int // resumes answered with a snapshot rather than the missed events
	resumeErr int
	firstErr  string
}

func (r roomsResult) memPerConn() float64 {
	return perConn(r.after.HeapStack-r.before.HeapStack, r.held)
}
func (r roomsResult) rssPerConn() float64 { return perConn(r.after.RSS-r.before.RSS, r.held) }
func (r roomsResult) loadPerConn() float64 {
	return perConn(r.loaded.HeapStack-r.before.HeapStack, r.held)
}

func perConn(b int64, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(b) / float64(n)
}

func (r roomsResult) summary() string {
	s := fmt.Sprintf("held %d/%d (connected in %.1fs), %.1f KB/conn (stack %.1f KB, %.1f goroutines), p50 %.2f ms, p99 %.2f ms, %.0f of %.0f deliveries/s, %d lost, %d errors",
		r.held, r.conns, r.connect.Seconds(), r.memPerConn()/1024, perConn(r.after.Stack-r.before.Stack, r.held)/1024,
		perConn(r.after.Goroutines-r.before.Goroutines, r.held), ms(r.p50), ms(r.p99), r.achieved, r.target, r.lost, r.errors)
	if len(r.resume) > 0 {
		s += fmt.Sprintf(", resume p50 %.1f ms p99 %.1f ms", ms(quantile(r.resume, .5)), ms(quantile(r.resume, .99)))
	}
	if r.textless > 0 {
		s += fmt.Sprintf(", %d chats without their words", r.textless)
	}
	if r.firstErr != "" {
		s += "; first error: " + r.firstErr
	}
	return s
}

func (r *roomsRun) run(ctx context.Context) (res roomsResult, err error) {
	res = roomsResult{kind: r.kind, conns: r.sc.conns(), target: r.sc.rate}
	defer func() {
		for _, c := range r.children {
			c.stop()
		}
	}()
	for range r.instances() {
		c, err := startRoomsChild(r.a, r.env, r.kind, r.prefix)
		if err != nil {
			return res, err
		}
		r.children = append(r.children, c)
	}
	if res.before, err = r.mem(); err != nil {
		return res, err
	}
	t0 := time.Now()
	r.makeClients()
	defer r.closeClients()
	res.held = r.connect(ctx)
	res.connect = time.Since(t0)
	if res.held == 0 {
		return res, fmt.Errorf("no connection was held: %v", r.firstErr.Load())
	}
	time.Sleep(roomsSettle)
	if res.after, err = r.mem(); err != nil {
		return res, err
	}
	if r.plan.heapDir != "" && r.round <= 1 {
		for i, c := range r.children {
			name := filepath.Join(r.plan.heapDir, fmt.Sprintf("rooms-%s-%s-%d.pprof", r.sc.key, r.kind, i+1))
			if err := c.save("/bench/heap", name, 30*time.Second); err != nil {
				return res, err
			}
		}
	}

	// The window is set before the load starts, so every chat knows at once whether it counts.
	begin := time.Now().Add(r.plan.warmup)
	r.start.Store(begin.UnixNano())
	r.end.Store(begin.Add(r.plan.measure).UnixNano())
	stop := make(chan struct{})
	var senders sync.WaitGroup
	behind := r.load(stop, &senders)
	defer func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
		senders.Wait()
	}()
	fmt.Fprintf(r.a.stderr, "bench rooms:   %d of %d connections held; warming up for %s, then measuring for %s\n",
		res.held, res.conns, r.plan.warmup, r.plan.measure)
	profiled := r.profile(ctx, begin)
	if err := sleepCtx(ctx, time.Until(begin.Add(r.plan.measure))); err != nil {
		return res, err
	}
	for deadline := time.Now().Add(roomsGraceMax); time.Now().Before(deadline) && r.received.Load() < r.expected.Load(); {
		time.Sleep(20 * time.Millisecond)
	}
	if err := <-profiled; err != nil {
		return res, err
	}
	res.sent = r.sent.Load()
	res.lost = max(0, r.expected.Load()-r.received.Load())
	res.achieved = float64(r.received.Load()) / r.plan.measure.Seconds()
	var all []time.Duration
	for _, c := range r.clients {
		c.smu.Lock()
		for _, ns := range c.samples {
			all = append(all, time.Duration(ns))
		}
		c.smu.Unlock()
	}
	slices.Sort(all)
	res.samples = len(all)
	if len(all) > 0 {
		res.p50, res.p99, res.max = quantile(all, .5), quantile(all, .99), all[len(all)-1]
	}
	if res.loaded, err = r.mem(); err != nil {
		return res, err
	}
	if r.kind == "peerpath" && r.plan.resume > 0 {
		fmt.Fprintf(r.a.stderr, "bench rooms:   %d clients closing and resuming under the load\n", min(r.plan.resume, len(r.clients)))
		res.resume, res.snapshots, res.resumeErr = r.resumeSome(ctx, r.plan.resume)
	}
	close(stop)
	senders.Wait()
	res.behind = behind.Load()
	res.dropped = r.closed.Load()
	res.textless = r.textless.Load()
	res.errors = r.dialErrors.Load() + r.replyErrors.Load() + r.sendErrors.Load() + r.closed.Load()
	if e, ok := r.firstErr.Load().(string); ok {
		res.firstErr = e
	}
	return res, nil
}

// profile records a CPU profile, an execution trace and the allocations of each Peerpath child
// over the measurement window, when asked to; the channel gives the first error once all are written.
func (r *roomsRun) profile(ctx context.Context, begin time.Time) <-chan error {
	out := make(chan error, 1)
	if r.plan.traceDir == "" || r.kind != "peerpath" || r.round > 1 {
		out <- nil
		return out
	}
	secs := int(math.Ceil(r.plan.measure.Seconds()))
	timeout := time.Duration(secs+30) * time.Second
	errs := make(chan error, 4*len(r.children))
	var wg sync.WaitGroup
	for i, c := range r.children {
		name := func(ext string) string {
			return filepath.Join(r.plan.traceDir, fmt.Sprintf("rooms-%s-%d.%s", r.sc.key, i+1, ext))
		}
		// The allocations of the window are the heap profile at its end less the one at its start.
		saves := []func() error{
			func() error { return c.save(fmt.Sprintf("/bench/profile?seconds=%d", secs), name("profile"), timeout) },
			func() error { return c.save(fmt.Sprintf("/bench/trace?seconds=%d", secs), name("trace"), timeout) },
			func() error {
				if err := c.save("/bench/heap", name("allocs-base"), timeout); err != nil {
					return err
				}
				if sleepCtx(ctx, time.Duration(secs)*time.Second) != nil {
					return nil
				}
				return c.save("/bench/heap", name("allocs"), timeout)
			},
		}
		for _, save := range saves {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if sleepCtx(ctx, time.Until(begin)) != nil {
					return
				}
				errs <- save()
			}()
		}
	}
	go func() {
		wg.Wait()
		close(errs)
		var first error
		for err := range errs {
			first = cmp.Or(first, err)
		}
		out <- first
	}()
	return out
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	if !slices.IsSorted(sorted) {
		sorted = slices.Clone(sorted)
		slices.Sort(sorted)
	}
	return sorted[int(q*float64(len(sorted)-1))]
}

func (r *roomsRun) mem() (roomsMem, error) {
	var sum roomsMem
	for _, c := range r.children {
		m, err := c.mem()
		if err != nil {
			return sum, fmt.Errorf("memory of the %s server: %w", r.kind, err)
		}
		sum = sum.plus(m)
	}
	return sum, nil
}

// --- clients

type roomsClient struct {
	r      *roomsRun
	urls   []string // one per instance
	at     int      // the instance it is connected to
	header http.Header
	// mu guards ws and done while a resume swaps them; sends hold it, as one writer at a time.
	mu      sync.Mutex
	ws      *websocket.Conn
	done    chan struct{}
	ready   chan struct{}
	lastSeq atomic.Int64
	smu     sync.Mutex
	samples []int64
}

func (r *roomsRun) makeClients() {
	r.clients = make([]*roomsClient, 0, r.sc.conns())
	for room := range r.sc.rooms {
		for m := range r.sc.size {
			person := room*r.sc.size + m
			c := &roomsClient{r: r, header: http.Header{}, ready: make(chan struct{})}
			for _, ch := range r.children {
				if r.kind == "thin" {
					c.urls = append(c.urls, fmt.Sprintf("ws://%s/ws?room=%s-%d", ch.addr, r.sc.key, room))
				} else {
					c.urls = append(c.urls, fmt.Sprintf("ws://%s/api/v1/roleplay/sessions/%s/ws", ch.addr, r.seed.sessions[roundKey(r.sc.key, r.round)][room]))
				}
			}
			// Members of a room spread over the instances, as people would.
			c.at = (room + m) % len(c.urls)
			if r.kind == "peerpath" {
				c.header.Set("Origin", roomsOrigin)
				c.header.Set("Cookie", r.seed.cookies[person])
			}
			r.clients = append(r.clients, c)
		}
	}
}

var roomsDialer = websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 1024, WriteBufferSize: 1024}

func (c *roomsClient) dial(ctx context.Context, lastSeq int64) (*websocket.Conn, error) {
	ws, resp, err := roomsDialer.DialContext(ctx, c.urls[c.at], c.header)
	if err != nil {
		if resp != nil {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
			resp.Body.Close()
			return nil, fmt.Errorf("dial: %d %s", resp.StatusCode, bytes.TrimSpace(b))
		}
		return nil, fmt.Errorf("dial: %w", err)
	}
	if c.r.kind == "peerpath" {
		hello := fmt.Appendf(nil, `{"type":"hello","data":{"last_seq":%d}}`, lastSeq)
		if err := ws.WriteMessage(websocket.TextMessage, hello); err != nil {
			ws.Close()
			return nil, fmt.Errorf("hello: %w", err)
		}
	}
	return ws, nil
}

// connect opens every connection, a few dozen at a time, and reports how many were greeted: for
// Peerpath, the snapshot that answers hello has arrived.
func (r *roomsRun) connect(ctx context.Context) int {
	jobs := make(chan *roomsClient)
	var wg sync.WaitGroup
	for range roomsDialers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range jobs {
				ws, err := c.dial(ctx, 0)
				if err != nil {
					r.dialErrors.Add(1)
					r.fail(err)
					continue
				}
				done := make(chan struct{})
				c.mu.Lock()
				c.ws, c.done = ws, done
				c.mu.Unlock()
				if r.kind == "thin" {
					close(c.ready)
					go c.read(ws, done, nil, 0, nil)
				} else {
					go c.read(ws, done, c.ready, 0, nil)
				}
			}
		}()
	}
	for _, c := range r.clients {
		jobs <- c
	}
	close(jobs)
	wg.Wait()
	held := 0
	deadline := time.After(60 * time.Second)
	for _, c := range r.clients {
		select {
		case <-c.ready:
			held++
		case <-deadline:
		case <-ctx.Done():
			return held
		}
	}
	return held
}

var sentMark = []byte(`"t:`)

// sentAt finds the send time a chat carries.
func sentAt(b []byte) (int64, bool) {
	i := bytes.Index(b, sentMark)
	if i < 0 {
		return 0, false
	}
	var n int64
	j := i + len(sentMark)
	for ; j < len(b) && b[j] >= '0' && b[j] <= '9'; j++ {
		n = n*10 + int64(b[j]-'0')
	}
	return n, j > i+len(sentMark)
}

var seqMark = []byte(`"seq":`)

// seqOf reads an event's seq from the top of its envelope without decoding it; 0 when absent.
func seqOf(b []byte) int64 {
	i := bytes.Index(b[:min(len(b), 48)], seqMark)
	if i < 0 {
		return 0
	}
	var n int64
	for j := i + len(seqMark); j < len(b) && b[j] >= '0' && b[j] <= '9'; j++ {
		n = n*10 + int64(b[j]-'0')
	}
	return n
}

// read records the latency of every chat sent in the window and, for Peerpath, the last seq
// seen. ready is closed on the first message; resumed, when set, is told of the first event
// after seq after (true for a snapshot).
func (c *roomsClient) read(ws *websocket.Conn, done chan struct{}, ready chan struct{}, after int64, resumed chan<- bool) {
	defer close(done)
	r := c.r
	// One buffer for every message, rather than one each: the load generator's own collections
	// would otherwise stall its readers and count against the server, more for larger messages.
	var b []byte
	for {
		var err error
		b, err = rooms.ReadMessageInto(ws, b[:0])
		if err != nil {
			c.mu.Lock()
			deliberate := c.ws != ws
			c.mu.Unlock()
			if !deliberate && !r.stopping.Load() {
				r.closed.Add(1)
				r.fail(fmt.Errorf("connection closed: %w", err))
			}
			return
		}
		now := time.Now().UnixNano()
		if sent, ok := sentAt(b); ok && sent >= r.start.Load() && sent < r.end.Load() {
			r.received.Add(1)
			c.smu.Lock()
			c.samples = append(c.samples, now-sent)
			c.smu.Unlock()
		} else if !ok && bytes.HasPrefix(b, []byte(`{"type":"chat"`)) {
			// A chat that reached this instance from the log rather than from Redis: the log
			// keeps no chat words unless the session keeps a transcript.
			r.textless.Add(1)
		}
		if r.kind == "peerpath" {
			if bytes.HasPrefix(b, []byte(`{"type":"error"`)) {
				r.replyErrors.Add(1)
				r.fail(fmt.Errorf("error reply: %.200s", b))
			}
			if seq := seqOf(b); seq > 0 {
				c.lastSeq.Store(seq)
				if resumed != nil && seq > after {
					resumed <- bytes.HasPrefix(b, []byte(`{"type":"snapshot"`))
					resumed = nil
				}
			}
		}
		if ready != nil {
			close(ready)
			ready = nil
		}
	}
}

// load sends chats from senders goroutines, each for its share of the rooms, taking turns among
// each room's members, at the rate that makes the scenario's deliveries a second. It returns a
// count of chats skipped because the generator fell more than a second behind.
func (r *roomsRun) load(stop <-chan struct{}, wg *sync.WaitGroup) *atomic.Int64 {
	behind := new(atomic.Int64)
	chats := r.sc.rate / float64(r.sc.size)
	senders := min(roomsSenders, r.sc.rooms)
	for s := range senders {
		var mine []int
		for room := s; room < r.sc.rooms; room += senders {
			mine = append(mine, room)
		}
		rate := chats * float64(len(mine)) / float64(r.sc.rooms)
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			n := 0
			buf := make([]byte, 0, 96)
			for {
				select {
				case <-stop:
					return
				default:
				}
				due := int(time.Since(start).Seconds() * rate)
				if lag := due - n - int(rate) - 1; lag > 0 {
					// A stall must not become a burst that measures the generator, not the server.
					behind.Add(int64(lag))
					n += lag
				}
				for ; n < due; n++ {
					room := mine[n%len(mine)]
					member := (n / len(mine)) % r.sc.size
					buf = r.send(r.clients[room*r.sc.size+member], buf)
				}
				time.Sleep(2 * time.Millisecond)
			}
		}()
	}
	return behind
}

func (r *roomsRun) send(c *roomsClient, buf []byte) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ws == nil {
		r.skipped.Add(1)
		return buf
	}
	now := time.Now()
	ns := now.UnixNano()
	buf = append(buf[:0], `{"type":"chat","data":{"text":"t:`...)
	buf = strconv.AppendInt(buf, ns, 10)
	buf = append(buf, `"}}`...)
	_ = c.ws.SetWriteDeadline(now.Add(10 * time.Second))
	if err := c.ws.WriteMessage(websocket.TextMessage, buf); err != nil {
		r.sendErrors.Add(1)
		r.fail(fmt.Errorf("send: %w", err))
		return buf
	}
	if ns >= r.start.Load() && ns < r.end.Load() {
		r.sent.Add(1)
		r.expected.Add(int64(r.sc.size))
	}
	return buf
}

// resumeSome closes n clients spread over the rooms, one at a time per worker, and reconnects
// each with the last seq it saw, on the other instance when there are two; it times the dial to
// the first replayed event.
func (r *roomsRun) resumeSome(ctx context.Context, n int) (took []time.Duration, snapshots, failed int) {
	n = min(n, len(r.clients))
	step := len(r.clients) / n
	jobs := make(chan *roomsClient)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range roomsResumers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range jobs {
				d, snap, err := c.resume(ctx)
				mu.Lock()
				switch {
				case err != nil:
					failed++
					r.fail(fmt.Errorf("resume: %w", err))
				case snap:
					snapshots++
					took = append(took, d)
				default:
					took = append(took, d)
				}
				mu.Unlock()
			}
		}()
	}
	for i := range n {
		jobs <- r.clients[i*step]
	}
	close(jobs)
	wg.Wait()
	slices.Sort(took)
	return took, snapshots, failed
}

func (c *roomsClient) resume(ctx context.Context) (time.Duration, bool, error) {
	c.mu.Lock()
	ws, done := c.ws, c.done
	c.ws = nil
	c.mu.Unlock()
	if ws == nil {
		return 0, false, errors.New("the connection was not open")
	}
	ws.Close()
	<-done
	last := c.lastSeq.Load()
	// Long enough for the server to log that this person left, which, with the room's chat,
	// is what they will have missed.
	if err := sleepCtx(ctx, 100*time.Millisecond); err != nil {
		return 0, false, err
	}
	c.at = (c.at + 1) % len(c.urls)
	t0 := time.Now()
	nws, err := c.dial(ctx, last)
	if err != nil {
		return 0, false, err
	}
	resumed := make(chan bool, 1)
	ndone := make(chan struct{})
	c.mu.Lock()
	c.ws, c.done = nws, ndone
	c.mu.Unlock()
	go c.read(nws, ndone, nil, last, resumed)
	select {
	case snap := <-resumed:
		return time.Since(t0), snap, nil
	case <-time.After(5 * time.Second):
		return 0, false, fmt.Errorf("nothing replayed within 5 s after seq %d", last)
	}
}

func (r *roomsRun) closeClients() {
	r.stopping.Store(true)
	for _, c := range r.clients {
		c.mu.Lock()
		ws, done := c.ws, c.done
		c.mu.Unlock()
		if ws != nil {
			ws.Close()
			<-done
		}
	}
}

// --- the figures

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func kb(b float64) string { return fmt.Sprintf("%.1f KB", b/1024) }

func ratio(peer, thin float64) string {
	if thin <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", peer/thin)
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}

func roomsTable(pairs []roomsPair, p roomsPlan, took time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Command: `%s` (each server in a child process of its own, the load generator in the parent, "+
		"over loopback; fresh database and Redis key prefix; the whole run took %s).  \n", p.cmd, took.Round(time.Second))
	fmt.Fprintf(&b, "Machine: %s, %d cores, %s, %s.  \nDate: %s.\n\n", cpuModel(), runtime.NumCPU(), runtime.Version(),
		runtime.GOOS+"/"+runtime.GOARCH, time.Now().UTC().Format("2006-01-02 15:04 MST"))
	if p.scale < 1 {
		fmt.Fprintf(&b, "**A reduced run** (`--scale %g`: %g of the issue's load in connections and in traffic). The goals are set "+
			"for the full load; run `peerpath bench rooms` on a quiet machine for figures to judge them by.\n\n", p.scale, p.scale)
	}
	for _, n := range p.notes {
		fmt.Fprintf(&b, "Note: %s\n\n", n)
	}
	b.WriteString("| scenario | figure | Peerpath | thin server | ratio | goal | |\n|---|---|---|---|---|---|---|\n")
	for _, pr := range pairs {
		t, q := pr.thin, pr.peer
		name := pr.sc.title()
		row := func(fig, peer, thin, rat, goal, met string) {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", name, fig, peer, thin, rat, goal, met)
			name = ""
		}
		row("connections held (open; Peerpath's also greeted)", fmt.Sprintf("%d of %d", q.held, q.conns), fmt.Sprintf("%d of %d", t.held, t.conns),
			"", "all", verdict(q.held == q.conns))
		row("memory per connection: heap + stack (RSS)", fmt.Sprintf("%s (%s)", kb(q.memPerConn()), kb(q.rssPerConn())),
			fmt.Sprintf("%s (%s)", kb(t.memPerConn()), kb(t.rssPerConn())), ratio(q.memPerConn(), t.memPerConn()),
			"≤ 1.25× thin", verdict(t.memPerConn() > 0 && q.memPerConn() <= 1.25*t.memPerConn()))
		row("of which goroutine stacks", kb(perConn(q.after.Stack-q.before.Stack, q.held)), kb(perConn(t.after.Stack-t.before.Stack, t.held)),
			ratio(perConn(q.after.Stack-q.before.Stack, q.held), perConn(t.after.Stack-t.before.Stack, t.held)), "", "")
		row("heap + stack per connection at the end of the load", kb(q.loadPerConn()), kb(t.loadPerConn()),
			ratio(q.loadPerConn(), t.loadPerConn()), "", "")
		row("fan-out latency p50", fmt.Sprintf("%.2f ms", ms(q.p50)), fmt.Sprintf("%.2f ms", ms(t.p50)),
			ratio(float64(q.p50), float64(t.p50)), "", "")
		limit := 2.0
		if pr.sc.instances > 1 {
			limit = 4
		}
		row("fan-out latency p99", fmt.Sprintf("%.2f ms", ms(q.p99)), fmt.Sprintf("%.2f ms", ms(t.p99)),
			ratio(float64(q.p99), float64(t.p99)), fmt.Sprintf("≤ %g× thin", limit), verdict(t.p99 > 0 && float64(q.p99) <= limit*float64(t.p99)))
		if len(pr.rounds) > 1 {
			var peers, thins, ratios []string
			for _, r := range pr.rounds {
				peers = append(peers, fmt.Sprintf("%.2f", ms(r.peer.p99)))
				thins = append(thins, fmt.Sprintf("%.2f", ms(r.thin.p99)))
				ratios = append(ratios, ratio(float64(r.peer.p99), float64(r.thin.p99)))
			}
			row(fmt.Sprintf("fan-out latency p99 in each of the %d rounds", len(pr.rounds)), strings.Join(peers, ", ")+" ms",
				strings.Join(thins, ", ")+" ms", strings.Join(ratios, ", "), "", "")
		}
		row(fmt.Sprintf("deliveries/s achieved (target %s)", thousands(int(math.Round(pr.sc.rate)))),
			fmt.Sprintf("%.0f", q.achieved), fmt.Sprintf("%.0f", t.achieved), ratio(q.achieved, t.achieved),
			"≥ 98 % of target", verdict(q.achieved >= 0.98*pr.sc.rate))
		row("errors / lost deliveries / connections dropped", fmt.Sprintf("%d / %d / %d", q.errors, q.lost, q.dropped),
			fmt.Sprintf("%d / %d / %d", t.errors, t.lost, t.dropped), "", "none", verdict(q.errors == 0 && q.lost == 0))
		if len(q.resume) > 0 || q.resumeErr > 0 {
			where := ""
			if pr.sc.instances > 1 {
				where = ", on the other instance"
			}
			p99 := quantile(q.resume, .99)
			row(fmt.Sprintf("resume p50 / p99 (%d clients%s)", len(q.resume)+q.resumeErr, where),
				fmt.Sprintf("%.1f / %.1f ms", ms(quantile(q.resume, .5)), ms(p99)), "—", "", "p99 < 200 ms",
				verdict(q.resumeErr == 0 && len(q.resume) > 0 && p99 < 200*time.Millisecond))
			if q.snapshots > 0 || q.resumeErr > 0 {
				fmt.Fprintf(&b, "| | resumes answered with a snapshot / failed | %d / %d | | | | |\n", q.snapshots, q.resumeErr)
			}
		}
		if q.textless > 0 {
			fmt.Fprintf(&b, "| | chats delivered without their words (see below) | %d | %d | | none | %s |\n", q.textless, t.textless, verdict(false))
		}
		if q.behind+t.behind > 0 {
			fmt.Fprintf(&b, "| | chats the load generator skipped, over a second late | %d | %d | | | |\n", q.behind, t.behind)
		}
	}
	b.WriteString(`
How it is measured. Each room is a role-play session (started a minute before, no groups formed,
so a trainee's chat goes to everyone in it) or, on the thin server, a room named in the URL. The
clients say hello and wait for their snapshot; then the child's heap + stack after collections,
minus the same before any connection, divided by the connections, is the memory per connection
(three collections, since each shrinks a goroutine's stack by half at most; RSS beside it, which
counts only pages touched and can fall when the runtime returns memory). Chats are sent evenly
over the rooms, each member in turn, at the rate that gives the target deliveries a second (a
delivery is one chat reaching one member, the sender included).
Each chat carries its send time; every receiver records now − sent, so with two instances the
latency includes the hop through Redis to the other one. After a warm-up, only chats sent in the
measurement window count; "lost" is what those chats should have reached and did not. Peerpath
writes every chat to its command log in PostgreSQL (without waiting for the disk) and publishes it
on Redis, even on one instance; the thin server keeps nothing. Resume: under the same load, clients
close, wait 100 ms and reconnect with the last seq they saw; the time is from the dial to the first
replayed event. The thin server is one process in every scenario: it has no way to share a room
between two.
`)
	if p.rounds > 1 {
		fmt.Fprintf(&b, `
Rounds. Each scenario is measured %d times, the thin server and then Peerpath each time, each
time with fresh servers and connections. A window's p99 on a shared machine swings by a third
from one run to the next, so the figures above are those of the round whose p99 ratio is the
median, and the p99 of every round is listed beside them.
`, p.rounds)
	}
	for _, pr := range pairs {
		if pr.peer.textless > 0 {
			b.WriteString(`
Chats delivered without their words: when two instances write a room's log at the same moment,
the one that loses the race reads the other's command back from the log, and the log keeps no chat
words unless the session keeps a transcript, so that instance's clients get "(not kept)" in place
of the message (and the benchmark counts it lost). This is a fault in the live rooms, found by
this benchmark, not a fault of the measurement.
`)
			break
		}
	}
	return b.String()
}

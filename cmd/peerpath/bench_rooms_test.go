package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"peerpath/migrations/testdb"
)

// TestMain lets `bench rooms` start this test binary as its server processes, as it starts the
// peerpath binary when run for real.
func TestMain(m *testing.M) {
	if os.Getenv("PEERPATH_BENCH_CHILD") == "1" {
		os.Exit(Main(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// A tiny run end to end, so the benchmark cannot rot: five triads on the thin server and on one
// Peerpath instance, then two triads across two instances, each with resumes, and the section it
// writes.
func TestBenchRooms(t *testing.T) {
	// The benchmark creates and drops a database of its own, which needs the server's superuser.
	dbURL := testdb.Config().URL()
	out := filepath.Join(t.TempDir(), "benchmarks.md")
	if err := os.WriteFile(out, []byte("# Benchmarks\n\n<!-- bench:rooms -->\nold figures\n<!-- /bench:rooms -->\n\nAfter.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The child servers' output is copied in by exec's goroutines while the run writes its
	// progress: the buffer must take both.
	var stderr lockedBuffer
	a := &app{getenv: envFrom(map[string]string{"DATABASE_URL": dbURL, "REDIS_URL": testdb.RedisURL()}), stdout: &stderr, stderr: &stderr}
	// A folder that is not there yet is made.
	traces := filepath.Join(t.TempDir(), "traces", "rooms")
	plan := roomsPlan{
		traceDir: traces,
		scenarios: []roomsScenario{
			{key: "triads", rooms: 5, size: 3, rate: 90, instances: 1},
			{key: "triads-x2", rooms: 2, size: 3, rate: 36, instances: 2},
		},
		warmup: 300 * time.Millisecond, measure: 1500 * time.Millisecond, resume: 3, scale: 1, out: out, cmd: "peerpath bench rooms (test)",
		rounds: 2,
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pairs, err := benchRooms(ctx, a, plan)
	if err != nil {
		t.Fatalf("bench rooms: %v\n%s", err, stderr.String())
	}
	if testing.Verbose() {
		t.Log(stderr.String())
	}
	if got, want := len(pairs), 2; got != want {
		t.Fatalf("got %d scenarios measured, want %d", got, want)
	}
	var rounds []roomsPair
	for _, p := range pairs {
		if got, want := len(p.rounds), plan.rounds; got != want {
			t.Errorf("%s: got %d rounds, want %d", p.sc.key, got, want)
		}
		rounds = append(rounds, p.rounds...)
	}
	for _, p := range rounds {
		for _, r := range []roomsResult{p.thin, p.peer} {
			name := p.sc.key + " on " + r.kind
			if r.held != p.sc.conns() {
				t.Errorf("%s: got %d connections held, want %d", name, r.held, p.sc.conns())
			}
			if r.errors != 0 || r.lost != 0 {
				t.Errorf("%s: got %d errors and %d lost deliveries, want none (first error: %s)", name, r.errors, r.lost, r.firstErr)
			}
			if r.samples == 0 || r.p99 <= 0 {
				t.Errorf("%s: got %d latency samples, p99 %s, want some", name, r.samples, r.p99)
			}
			if r.after.HeapStack <= r.before.HeapStack {
				t.Errorf("%s: got heap + stack %d before and %d after connecting, want growth", name, r.before.HeapStack, r.after.HeapStack)
			}
		}
		if got, want := len(p.peer.resume)+p.peer.resumeErr, plan.resume; got != want || p.peer.resumeErr != 0 {
			t.Errorf("%s: got %d resumes (%d failed), want %d, none failed (first error: %s)", p.sc.key, got, p.peer.resumeErr, want, p.peer.firstErr)
		}
		if p.peer.snapshots != 0 {
			t.Errorf("%s: got %d resumes answered with a snapshot, want the missed events", p.sc.key, p.peer.snapshots)
		}
	}
	// A CPU profile, a trace and the allocations of each Peerpath server, none of the thin server.
	for _, name := range []string{"rooms-triads-1", "rooms-triads-x2-1", "rooms-triads-x2-2"} {
		for _, ext := range []string{".profile", ".trace", ".allocs-base", ".allocs"} {
			if fi, err := os.Stat(filepath.Join(traces, name+ext)); err != nil || fi.Size() == 0 {
				t.Errorf("--trace: got %v for %s%s, want a file with something in it", err, name, ext)
			}
		}
	}
	if got, _ := filepath.Glob(filepath.Join(traces, "*")); len(got) != 12 {
		t.Errorf("--trace: got files %v, want 12", got)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, want := range []string{"<!-- bench:rooms -->", "## Rooms", "5 triads, 90 deliveries/s, one instance",
		"2 triads, 36 deliveries/s, two Peerpath instances", "fan-out latency p99", "resume p50 / p99 (3 clients, on the other instance)",
		"15 of 15", "fan-out latency p99 in each of the 2 rounds", "Rounds. Each scenario is measured 2 times", "\n\nAfter.\n"} {
		if !strings.Contains(doc, want) {
			t.Errorf("benchmarks file: missing %q in:\n%s", want, doc)
		}
	}
	if strings.Contains(doc, "old figures") {
		t.Errorf("benchmarks file: the old section was kept:\n%s", doc)
	}
}

// lockedBuffer is a bytes.Buffer that several goroutines may write to.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestPickScenarios(t *testing.T) {
	keys := func(ss []roomsScenario) string {
		var out []string
		for _, s := range ss {
			out = append(out, s.key)
		}
		return strings.Join(out, ",")
	}
	tests := []struct {
		keys, want, wantErr string
	}{
		{keys: "triads-x2", want: "triads-x2"},
		{keys: "rooms30-x2, triads", want: "triads,rooms30-x2"},
		{keys: "triads,triads", want: "triads"},
		{keys: "triads,pairs", wantErr: `--scenarios: no scenario "pairs"; choose from triads, rooms30, triads-x2, rooms30-x2`},
		{keys: "", wantErr: `--scenarios: no scenario ""`},
	}
	for _, tt := range tests {
		got, err := pickScenarios(roomsFull, tt.keys)
		switch {
		case tt.wantErr != "":
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Errorf("%q: got error %v, want %q", tt.keys, err, tt.wantErr)
			}
		case err != nil:
			t.Errorf("%q: got error %v", tt.keys, err)
		case keys(got) != tt.want:
			t.Errorf("%q: got %s, want %s", tt.keys, keys(got), tt.want)
		}
	}
}

// TestMedianRound checks which round a scenario reports: the median of the p99 ratios, the
// higher middle one of an even number, with every round kept in the order run.
func TestMedianRound(t *testing.T) {
	round := func(peer, thin time.Duration) roomsPair {
		return roomsPair{peer: roomsResult{p99: peer}, thin: roomsResult{p99: thin}}
	}
	tests := []struct {
		name   string
		rounds []roomsPair
		want   int // index of the round reported
	}{
		{"one round", []roomsPair{round(3, 1)}, 0},
		{"three, the median in the middle", []roomsPair{round(5, 1), round(3, 1), round(4, 1)}, 2},
		{"by ratio, not by Peerpath's p99", []roomsPair{round(4, 2), round(3, 1), round(5, 1)}, 1},
		{"two: the higher", []roomsPair{round(3, 1), round(5, 1)}, 1},
		{"a thin server with no p99 ranks last", []roomsPair{round(3, 0), round(2, 1), round(4, 1)}, 2},
	}
	for _, tt := range tests {
		got := medianRound(tt.rounds)
		if got.peer.p99 != tt.rounds[tt.want].peer.p99 || got.thin.p99 != tt.rounds[tt.want].thin.p99 {
			t.Errorf("%s: got the round with p99 %v / %v, want round %d", tt.name, got.peer.p99, got.thin.p99, tt.want)
		}
		if len(got.rounds) != len(tt.rounds) || got.rounds[0].peer.p99 != tt.rounds[0].peer.p99 {
			t.Errorf("%s: got rounds %v, want all %d in the order run", tt.name, got.rounds, len(tt.rounds))
		}
	}
}

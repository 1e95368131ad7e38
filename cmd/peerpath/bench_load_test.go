package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"peerpath/migrations/testdb"
)

func TestJudgeLoad(t *testing.T) {
	ok := func(route string, n int64) loadRow {
		return loadRow{route: route, statuses: map[int]int64{200: n}}
	}
	brute := func(statuses map[int]int64) loadRow {
		return loadRow{route: routeBrute, limited: true, statuses: statuses}
	}
	tests := []struct {
		name string
		rows []loadRow
		want []string
	}{
		{
			name: "OK",
			rows: []loadRow{ok(routeModule, 5000), {route: routeQuizStart, statuses: map[int]int64{201: 40}}, ok(routeLogin, 12),
				brute(map[int]int64{401: 10, 429: 290})},
		},
		{
			name: "OKFewWrongPasswords",
			rows: []loadRow{ok(routeModule, 5000), brute(map[int]int64{401: 10})},
		},
		{
			name: "Err5xx",
			rows: []loadRow{{route: routeModule, statuses: map[int]int64{200: 4990, 503: 10}}, brute(map[int]int64{401: 10, 429: 5})},
			want: []string{routeModule + ": 10 answered 5xx"},
		},
		{
			name: "Err5xxOnBruteForce",
			rows: []loadRow{ok(routeModule, 10), brute(map[int]int64{401: 10, 429: 5, 500: 1})},
			want: []string{routeBrute + ": 1 answered 5xx"},
		},
		{
			name: "ErrUnexpected429",
			rows: []loadRow{{route: routeLogin, statuses: map[int]int64{200: 3, 429: 9}}, brute(map[int]int64{401: 10, 429: 5})},
			want: []string{routeLogin + ": 9 answered 429 where no limit is meant to bite"},
		},
		{
			name: "ErrOther4xx",
			rows: []loadRow{{route: routeQuizSubmit, statuses: map[int]int64{200: 3, 409: 2, 404: 1}}},
			want: []string{routeQuizSubmit + ": 3 answered neither 2xx nor 5xx nor 429 (3 × 200, 1 × 404, 2 × 409)"},
		},
		{
			name: "ErrNoAnswer",
			rows: []loadRow{{route: routeMatrix, statuses: map[int]int64{200: 3}, noAnswer: 2, firstErr: "timeout"}},
			want: []string{routeMatrix + ": 2 requests got no answer (timeout)"},
		},
		{
			name: "ErrWrongPasswordAccepted",
			rows: []loadRow{brute(map[int]int64{200: 1, 401: 9, 429: 5})},
			want: []string{routeBrute + ": 1 wrong passwords were accepted"},
		},
		{
			name: "ErrBruteForceOtherStatus",
			rows: []loadRow{brute(map[int]int64{400: 2, 401: 10, 429: 5})},
			want: []string{routeBrute + ": 2 answered neither 401 nor 429 (2 × 400, 10 × 401, 5 × 429)"},
		},
		{
			name: "ErrLimitNeverBit",
			rows: []loadRow{ok(routeModule, 10), brute(map[int]int64{401: 11})},
			want: []string{routeBrute + ": the limit never bit: 11 wrong passwords, no 429"},
		},
		{
			name: "ErrNothing",
			rows: []loadRow{{route: routeModule, statuses: map[int]int64{}}},
			want: []string{"no request was made"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := judgeLoad(tt.rows, 10)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("judgeLoad: got %q, want %q (-want +got):\n%s", got, tt.want, diff)
			}
		})
	}
}

func TestMixSequence(t *testing.T) {
	seq := mixSequence()
	got := map[string]int{}
	for _, k := range seq[:500] {
		got[k]++
	}
	// Half the sequence holds half of each kind: the kinds are spread, not in runs.
	want := map[string]int{}
	for _, m := range loadMix {
		want[m.kind] = m.weight / 2
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("first 500 arrivals: got %v, want %v (-want +got):\n%s", got, want, diff)
	}
}

// A short real run: the server, the mix and the attacker, judged and written.
func TestBenchLoad(t *testing.T) {
	dbURL := testdb.Config().URL()
	out := filepath.Join(t.TempDir(), "benchmarks.md")
	var stderr lockedBuffer
	a := &app{getenv: envFrom(map[string]string{"DATABASE_URL": dbURL, "REDIS_URL": testdb.RedisURL()}), stdout: &stderr, stderr: &stderr}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p := loadPlan{dur: 3 * time.Second, rate: 60, conc: 4, inFlight: loadInFlight, out: out, cmd: "peerpath bench load (test)", log: &stderr}
	res, err := benchLoad(ctx, a, p)
	if err != nil {
		t.Fatalf("bench load: %v\n%s", err, stderr.String())
	}
	if len(res.failures) > 0 {
		t.Errorf("got failures %q, want none\n%s", res.failures, loadTable(res))
	}
	if got, want := res.scheduled, int64(60*3+loadBruteRate*3); got != want {
		t.Errorf("got %d arrivals scheduled, want %d", got, want)
	}
	// On a busy machine a few of the attacker's arrivals may find its four slots taken (each
	// wrong password costs a full password hash): shed, not judged.
	if res.shed > int64(loadBruteRate*3) {
		t.Errorf("got %d arrivals shed at 60/s, want at most the attacker's %d", res.shed, loadBruteRate*3)
	}
	for _, r := range res.rows {
		if r.requests() == 0 {
			t.Errorf("%s: got no requests, want some", r.route)
		}
		if r.route == routeBrute && r.statuses[429] == 0 {
			t.Errorf("%s: got %v, want 429 once the limit bites", r.route, r.statuses)
		}
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<!-- bench:load -->", "## Load", "Rate: 60 arrivals/s for 3s, as given.", "Result: **passed**.",
		"| " + routeBrute + " | ", fmt.Sprintf("Arrivals: %d scheduled", res.scheduled)} {
		if !strings.Contains(string(b), want) {
			t.Errorf("benchmarks file: missing %q in:\n%s", want, b)
		}
	}
}

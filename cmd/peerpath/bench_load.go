package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"peerpath/courses"
	"peerpath/server"
)

const (
	loadDuration = 60 * time.Second
	// The calibration is a short run of the learning benchmark's module-read measurement on the
	// same server, so "twice the benchmark's rate" is measured on this machine, in this run.
	loadCalibration = 3 * time.Second
	// loadInFlight bounds the requests outstanding at once: past it an arrival is shed rather than
	// queued in the generator, which would hide the server's latency behind the generator's queue.
	loadInFlight = 256
	// loadBruteRate is the attacker's own stream, independent of the crowd's rate, so that the
	// login limit is reached in a short run as in a long one.
	loadBruteRate     = 5
	loadBruteInFlight = 4
	// loadLoginFailures is the server's login limit, set here so the judgement knows it.
	loadLoginFailures = 10
	// The brute-forced account, never signed in to by the crowd, and the address the attacker
	// connects from: the limit counts failures per account and per client address, and an
	// attacker does not share an address with everyone else.
	loadBruteEmail = "trainee1@riverside.example"
	loadBruteAddr  = "127.0.0.2"
)

// The routes the load records, each a row of the table.
const (
	routeModule     = "GET /api/v1/courses/{course}/modules/{module}"
	routeQuizStart  = "POST /api/v1/quizzes/{quiz}/attempts"
	routeQuizSubmit = "POST /api/v1/attempts/{id}/submit"
	routeMatrix     = "GET /api/v1/org/completion (org admin)"
	routeLogin      = "POST /api/v1/auth/login (right password)"
	routeBrute      = "POST /api/v1/auth/login (wrong password, one account)"
)

var loadRoutes = []string{routeModule, routeQuizStart, routeQuizSubmit, routeMatrix, routeLogin, routeBrute}

// loadMix is the crowd's share of arrivals per thousand, by what an arrival does. Sign-ins are
// rare beside reading, as with real learners, and each one costs an argon2id hash.
var loadMix = []struct {
	kind   string
	weight int
}{
	{"module", 860},
	{"quiz", 60},
	{"matrix", 60},
	{"login", 20},
}

// loadPlan is one run of the load check.
type loadPlan struct {
	dur       time.Duration
	rate      float64 // crowd arrivals per second; 0: twice the calibrated module reads/s
	calibrate time.Duration
	conc      int // the calibration's concurrency, as the learning benchmark's
	inFlight  int
	out       string
	cmd       string
	log       io.Writer // progress
}

// loadRow is what one route answered.
type loadRow struct {
	route string
	// limited: a rate limit is meant to bite here, so 429 is the right answer once it does.
	limited  bool
	statuses map[int]int64
	noAnswer int64 // transport errors and timeouts
	firstErr string
	samples  []time.Duration
}

func (r loadRow) requests() int64 {
	n := r.noAnswer
	for _, c := range r.statuses {
		n += c
	}
	return n
}

// count is the number of answers with a status in [lo, hi].
func (r loadRow) count(lo, hi int) int64 {
	var n int64
	for s, c := range r.statuses {
		if s >= lo && s <= hi {
			n += c
		}
	}
	return n
}

// loadResult is what a run of the load check saw.
type loadResult struct {
	rate, calibrated float64 // arrivals/s driven; module reads/s calibrated (0 when --rate was given)
	scheduled        int64   // arrivals due in the run, the attacker's included
	shed             int64   // arrivals that could not start: loadInFlight were outstanding
	rows             []loadRow
	failures         []string // why the run failed; none when it passed
}

// judgeLoad says why a run failed: any 5xx or unanswered request; on a route without a limit,
// anything but 2xx (a 429 there is a limit biting where it is not meant to); on the brute-forced
// login, anything but 401 and 429, or no 429 at all after more than limit wrong passwords. Shed
// arrivals are reported, not judged: the rate is twice what the server can do.
func judgeLoad(rows []loadRow, limit int) []string {
	var why []string
	var total int64
	for _, r := range rows {
		n := r.requests()
		total += n
		if r.noAnswer > 0 {
			why = append(why, fmt.Sprintf("%s: %d requests got no answer (%s)", r.route, r.noAnswer, r.firstErr))
		}
		if c := r.count(500, 599); c > 0 {
			why = append(why, fmt.Sprintf("%s: %d answered 5xx", r.route, c))
		}
		if !r.limited {
			if c := r.statuses[http.StatusTooManyRequests]; c > 0 {
				why = append(why, fmt.Sprintf("%s: %d answered 429 where no limit is meant to bite", r.route, c))
			}
			if c := r.count(300, 499) - r.statuses[http.StatusTooManyRequests]; c > 0 {
				why = append(why, fmt.Sprintf("%s: %d answered neither 2xx nor 5xx nor 429 (%s)", r.route, c, statusList(r.statuses)))
			}
			continue
		}
		if c := r.count(200, 299); c > 0 {
			why = append(why, fmt.Sprintf("%s: %d wrong passwords were accepted", r.route, c))
		}
		if c := r.count(100, 499) - r.count(200, 299) - r.statuses[http.StatusUnauthorized] - r.statuses[http.StatusTooManyRequests]; c > 0 {
			why = append(why, fmt.Sprintf("%s: %d answered neither 401 nor 429 (%s)", r.route, c, statusList(r.statuses)))
		}
		if n > int64(limit) && r.statuses[http.StatusTooManyRequests] == 0 {
			why = append(why, fmt.Sprintf("%s: the limit never bit: %d wrong passwords, no 429", r.route, n))
		}
	}
	if total == 0 {
		why = append(why, "no request was made")
	}
	return why
}

func statusList(m map[int]int64) string {
	var codes []int
	for s := range m {
		codes = append(codes, s)
	}
	slices.Sort(codes)
	var parts []string
	for _, s := range codes {
		parts = append(parts, fmt.Sprintf("%d × %d", m[s], s))
	}
	return strings.Join(parts, ", ")
}

// loadRecorder collects every answer by route, from every request goroutine.
type loadRecorder struct {
	mu   sync.Mutex
	rows map[string]*loadRow
}

func newLoadRecorder() *loadRecorder {
	l := &loadRecorder{rows: map[string]*loadRow{}}
	for _, r := range loadRoutes {
		l.rows[r] = &loadRow{route: r, limited: r == routeBrute, statuses: map[int]int64{}}
	}
	return l
}

// send makes one request, records its answer under route and returns the status and body (0
// and nil when there was no answer).
func (l *loadRecorder) send(cl *http.Client, route string, req *http.Request) (int, []byte) {
	t0 := time.Now()
	resp, err := cl.Do(req)
	var body []byte
	if err == nil {
		body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	d := time.Since(t0)
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.rows[route]
	if err != nil {
		r.noAnswer++
		if r.firstErr == "" {
			r.firstErr = err.Error()
		}
		return 0, nil
	}
	r.statuses[resp.StatusCode]++
	r.samples = append(r.samples, d)
	return resp.StatusCode, body
}

// counts is a snapshot for the progress lines: answered, 5xx, 429.
func (l *loadRecorder) counts() (answered, fives, limited int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.rows {
		answered += r.requests() - r.noAnswer
		fives += r.count(500, 599)
		limited += r.statuses[http.StatusTooManyRequests]
	}
	return answered, fives, limited
}

func (l *loadRecorder) result() []loadRow {
	l.mu.Lock()
	defer l.mu.Unlock()
	var rows []loadRow
	for _, name := range loadRoutes {
		r := *l.rows[name]
		r.samples = slices.Clone(r.samples)
		slices.Sort(r.samples)
		rows = append(rows, r)
	}
	return rows
}

// runBenchLoad is `peerpath bench load`: it fails, after writing its section, when the judgement
// does.
func runBenchLoad(ctx context.Context, a *app, fs *flag.FlagSet) error {
	p := loadPlan{dur: loadDuration, calibrate: loadCalibration, inFlight: loadInFlight,
		out: fs.Lookup("out").Value.String(), log: a.stderr}
	cmd := []string{"peerpath bench load"}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "duration":
			p.dur, _ = time.ParseDuration(f.Value.String())
		case "rate":
			fmt.Sscan(f.Value.String(), &p.rate)
		case "concurrency", "out":
		default:
			return
		}
		if f.Name != "out" {
			cmd = append(cmd, "--"+f.Name+" "+f.Value.String())
		}
	})
	fmt.Sscan(fs.Lookup("concurrency").Value.String(), &p.conc)
	if p.dur <= 0 || p.rate < 0 || p.conc <= 0 {
		return fmt.Errorf("--duration, --concurrency: must be positive; --rate: must not be negative")
	}
	p.cmd = strings.Join(cmd, " ")
	res, err := benchLoad(ctx, a, p)
	if err != nil {
		return err
	}
	fmt.Fprint(a.stdout, loadTable(res))
	if len(res.failures) > 0 {
		return fmt.Errorf("load: failed: %s", strings.Join(res.failures, "; "))
	}
	fmt.Fprintln(a.stdout, "bench: load passed")
	return nil
}

// benchLoad seeds a fresh database, starts the server in this process, calibrates the rate unless
// given one, drives the mix at that rate for the duration, judges and writes the load section.
func benchLoad(ctx context.Context, a *app, p loadPlan) (loadResult, error) {
	var res loadResult
	env, err := openBenchEnv(ctx, a)
	if err != nil {
		return res, err
	}
	defer env.close()
	store, owner, rdb := env.store, env.owner, env.rdb
	// A prefix of its own: the login limit's counters outlive the run by its window, and must
	// not block the next run, or another running beside it, from the start.
	prefix := fmt.Sprintf("bench-load-%d-%d:", os.Getpid(), time.Now().UnixNano())
	defer deleteKeys(rdb, prefix)

	fmt.Fprintln(p.log, "bench: load: seeding")
	people, err := benchSeed(ctx, store, owner, 128)
	if err != nil {
		return res, err
	}
	var adminID string
	if err := owner.GetContext(ctx, &adminID, `SELECT id FROM people WHERE email = 'admin@riverside.example'`); err != nil {
		return res, fmt.Errorf("find the admin: %w", err)
	}
	var emails []string
	if err := owner.SelectContext(ctx, &emails, `SELECT email FROM people WHERE email LIKE 'bench%@riverside.example' ORDER BY email`); err != nil {
		return res, err
	}
	srv, err := server.New(server.Config{Store: store, Redis: rdb, BaseURL: "http://bench.local", KeyPrefix: prefix,
		LoginFailures: loadLoginFailures, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return res, err
	}
	appURL, stopApp := listen(srv)
	defer stopApp()

	// As in the learning benchmark: readers are mid-course, quiz takers are other people.
	readers, takers, err := benchLearners(ctx, store, people)
	if err != nil {
		return res, err
	}
	tok, err := store.CreateSession(ctx, adminID)
	if err != nil {
		return res, err
	}
	admin := "peerpath_session=" + tok
	moduleURL := appURL + "/api/v1/courses/bench-storytelling/modules/why-we-share"
	freeTakers := make(chan string, len(takers))
	for _, ck := range takers {
		freeTakers <- ck
	}

	res.rate = p.rate
	if res.rate == 0 {
		fmt.Fprintf(p.log, "bench: load: calibrating: module reads for %s at concurrency %d\n", p.calibrate, p.conc)
		m, err := measure(ctx, "module read", p.calibrate, p.conc, func(cl *http.Client, i int) error {
			return get(cl, moduleURL, readers[i%len(readers)])
		})
		if err != nil {
			return res, fmt.Errorf("calibration: %w", err)
		}
		res.calibrated, res.rate = m.rps, 2*m.rps
	}

	crowdTr := &http.Transport{MaxIdleConnsPerHost: p.inFlight}
	defer crowdTr.CloseIdleConnections()
	bruteTr := &http.Transport{MaxIdleConnsPerHost: 4,
		DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(loadBruteAddr)}}).DialContext}
	defer bruteTr.CloseIdleConnections()
	crowd := &http.Client{Transport: crowdTr, Timeout: 10 * time.Second}
	brute := &http.Client{Transport: bruteTr, Timeout: 10 * time.Second}

	rec := newLoadRecorder()
	newReq := func(method, u, cookie string, body any) *http.Request {
		var r io.Reader = http.NoBody
		if body != nil {
			b, _ := json.Marshal(body)
			r = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, u, r)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		return req
	}
	arrivals := map[string]func(i int64){
		"module": func(i int64) {
			rec.send(crowd, routeModule, newReq(http.MethodGet, moduleURL, readers[i%int64(len(readers))], nil))
		},
		"quiz": func(i int64) {
			// One quiz at a time per person: a second start would resume the open attempt and its
			// second submit rightly answer 409, which is a double submission, not load.
			ck := <-freeTakers
			defer func() { freeTakers <- ck }()
			status, body := rec.send(crowd, routeQuizStart, newReq(http.MethodPost, appURL+"/api/v1/quizzes/bench-storytelling.why-we-share/attempts", ck, nil))
			if status/100 != 2 {
				return
			}
			var att struct {
				ID        string `json:"id"`
				Questions []struct {
					ID      string `json:"id"`
					Kind    string `json:"kind"`
					Options []struct {
						ID string `json:"id"`
					} `json:"options"`
				} `json:"questions"`
			}
			if err := json.Unmarshal(body, &att); err != nil {
				return
			}
			ans := map[string][]string{}
			for _, q := range att.Questions {
				for j, o := range q.Options {
					if j == 0 || q.Kind == "ordering" {
						ans[q.ID] = append(ans[q.ID], o.ID)
					}
				}
			}
			rec.send(crowd, routeQuizSubmit, newReq(http.MethodPost, appURL+"/api/v1/attempts/"+att.ID+"/submit", ck, map[string]any{"answers": ans}))
		},
		"matrix": func(i int64) {
			rec.send(crowd, routeMatrix, newReq(http.MethodGet, appURL+"/api/v1/org/completion", admin, nil))
		},
		"login": func(i int64) {
			rec.send(crowd, routeLogin, newReq(http.MethodPost, appURL+"/api/v1/auth/login", "",
				map[string]string{"email": emails[i%int64(len(emails))], "password": courses.DefaultDemoPassword}))
		},
	}
	kinds := mixSequence()
	bruteLogin := func(i int64) {
		rec.send(brute, routeBrute, newReq(http.MethodPost, appURL+"/api/v1/auth/login", "",
			map[string]string{"email": loadBruteEmail, "password": fmt.Sprintf("wrong guess %d", i)}))
	}

	fmt.Fprintf(p.log, "bench: load: %.0f arrivals/s for %s (plus %d wrong passwords/s against one account), at most %d in flight\n",
		res.rate, p.dur, loadBruteRate, p.inFlight)
	// The attacker is a client of its own, with its own bound: the crowd's queue does not slow it.
	sem, bruteSem := make(chan struct{}, p.inFlight), make(chan struct{}, loadBruteInFlight)
	var scheduled, shed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	// drive starts arrival i of a stream at start + i/rate, whatever became of the ones before:
	// an open model, so a slow server meets the same arrivals as a fast one.
	drive := func(rate float64, sem chan struct{}, do func(i int64)) {
		defer wg.Done()
		n := int64(rate * p.dur.Seconds())
		for i := int64(0); i < n && ctx.Err() == nil; i++ {
			at := start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
			if d := time.Until(at); d > 0 {
				time.Sleep(d)
			}
			scheduled.Add(1)
			select {
			case sem <- struct{}{}:
			default:
				shed.Add(1)
				continue
			}
			wg.Add(1)
			go func(i int64) {
				defer wg.Done()
				defer func() { <-sem }()
				do(i)
			}(i)
		}
	}
	wg.Add(2)
	go drive(res.rate, sem, func(i int64) { arrivals[kinds[i%int64(len(kinds))]](i) })
	go drive(loadBruteRate, bruteSem, bruteLogin)
	stopProgress := make(chan struct{})
	progressDone := make(chan struct{})
	go func() {
		defer close(progressDone)
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-stopProgress:
				return
			case <-t.C:
				answered, fives, limited := rec.counts()
				fmt.Fprintf(p.log, "bench: load: %3.0fs: %d arrivals, %d shed, %d answered, %d 5xx, %d 429\n",
					time.Since(start).Seconds(), scheduled.Load(), shed.Load(), answered, fives, limited)
			}
		}
	}()
	wg.Wait()
	close(stopProgress)
	<-progressDone
	if err := ctx.Err(); err != nil {
		return res, err
	}
	res.scheduled, res.shed = scheduled.Load(), shed.Load()
	res.rows = rec.result()
	res.failures = judgeLoad(res.rows, loadLoginFailures)
	if err := writeBenchSection(p.out, "load", loadSection(res, p)); err != nil {
		return res, err
	}
	fmt.Fprintf(p.log, "bench: load: figures written to %s\n", p.out)
	return res, nil
}

// mixSequence spreads the crowd's kinds over a thousand arrivals by smooth weighted round robin,
// so each kind arrives evenly through the run rather than in bursts.
func mixSequence() []string {
	total := 0
	for _, m := range loadMix {
		total += m.weight
	}
	cur := make([]int, len(loadMix))
	seq := make([]string, 0, total)
	for range total {
		best := 0
		for i, m := range loadMix {
			cur[i] += m.weight
			if cur[i] > cur[best] {
				best = i
			}
		}
		cur[best] -= total
		seq = append(seq, loadMix[best].kind)
	}
	return seq
}

func deleteKeys(rdb *redis.Client, prefix string) {
	ctx := context.Background()
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		rdb.Del(ctx, iter.Val())
	}
}

// loadTable is the table of answers by route, with the shed arrivals under it.
func loadTable(res loadResult) string {
	var b strings.Builder
	b.WriteString("| route | requests | 2xx | 4xx (not 429) | 429 | 5xx | no answer | p50 ms | p99 ms |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range res.rows {
		p50, p99 := "—", "—"
		if len(r.samples) > 0 {
			p50, p99 = fmt.Sprintf("%.2f", ms(quantile(r.samples, .5))), fmt.Sprintf("%.2f", ms(quantile(r.samples, .99)))
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %d | %s | %s |\n", r.route, r.requests(), r.count(200, 299),
			r.count(400, 499)-r.statuses[http.StatusTooManyRequests], r.statuses[http.StatusTooManyRequests], r.count(500, 599),
			r.noAnswer, p50, p99)
	}
	fmt.Fprintf(&b, "\nArrivals: %d scheduled, %d started, %d shed (%d already in flight; the attacker's own bound is %d).\n",
		res.scheduled, res.scheduled-res.shed, res.shed, loadInFlight, loadBruteInFlight)
	return b.String()
}

// loadSection is the body of the load section of the benchmarks file.
func loadSection(res loadResult, p loadPlan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Command: `%s` (in-process server and load generator on loopback, fresh database).  \n", p.cmd)
	fmt.Fprintf(&b, "Machine: %s, %d cores, %s, %s.  \nDate: %s.  \n", cpuModel(), runtime.NumCPU(), runtime.Version(),
		runtime.GOOS+"/"+runtime.GOARCH, time.Now().UTC().Format("2006-01-02 15:04 MST"))
	if res.calibrated > 0 {
		fmt.Fprintf(&b, "Rate: %.0f arrivals/s for %s, twice the %.0f module reads/s measured in a %s calibration at concurrency %d just before.  \n",
			res.rate, p.dur, res.calibrated, p.calibrate, p.conc)
	} else {
		fmt.Fprintf(&b, "Rate: %.0f arrivals/s for %s, as given.  \n", res.rate, p.dur)
	}
	verdict := "**passed**"
	if len(res.failures) > 0 {
		verdict = "**failed**: " + strings.Join(res.failures, "; ")
	}
	fmt.Fprintf(&b, "Result: %s.\n\n", verdict)
	b.WriteString(loadTable(res))
	mix := make([]string, len(loadMix))
	for i, m := range loadMix {
		mix[i] = fmt.Sprintf("%s %.1f %%", m.kind, float64(m.weight)/10)
	}
	fmt.Fprintf(&b, `
Arrivals start on a fixed schedule whatever the latency (an open model), with at most %d
outstanding; an arrival due while that many are outstanding is shed and counted, not queued.
The crowd's mix: %s of arrivals (a quiz arrival is a start and then a submit; a login
signs in one of 128 trainees with the right password; a trainee takes one quiz at a time).
Beside it, an attacker, a client of its own on its own address with at most %d outstanding, tries
%d wrong passwords a second against one account, whose limit is %d failures.
Passes when nothing answers 5xx or goes unanswered, the attacker gets only 401 and then 429, and
every other request gets 2xx: a 429 anywhere else would be a limit biting where it is not meant to.
`, loadInFlight, strings.Join(mix, ", "), loadBruteInFlight, loadBruteRate, loadLoginFailures)
	return b.String()
}

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
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"peerpath/courses"
	"peerpath/courses/content"
	"peerpath/migrations"
	"peerpath/server"
)

func benchFlags(fs *flag.FlagSet) {
	fs.Duration("duration", 10*time.Second, "how long each measurement runs")
	fs.Int("concurrency", 16, "requests in flight at once")
	fs.Int("rounds", 5, "learning: interleaved rounds, each measurement running duration/rounds per round beside the baseline; rooms (default 3): times each scenario is measured on both servers, the median round reported")
	fs.String("out", "docs/benchmarks.md", "the file the figures are written into")
	fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	fs.Duration("warmup", 3*time.Second, "rooms: load before each measurement counts")
	fs.Float64("scale", 1, "rooms: the share of the full load to run (1 = 3,000 connections per scenario)")
	fs.String("memprofile", "", "rooms: write each server's heap profile, once connected, into this folder")
	fs.String("trace", "", "rooms: write each Peerpath server's CPU profile and execution trace of the measurement window, and its heap at the window's start and end, into this folder")
	fs.String("scenarios", "", "rooms: only these scenarios, by key, comma-separated (triads, rooms30, triads-x2, rooms30-x2)")
	fs.String("serve", "", "rooms, internal: run one benchmark server (thin or peerpath) for a parent run")
	fs.String("addr", "127.0.0.1:0", "rooms, internal: where --serve listens")
	fs.String("prefix", "", "rooms, internal: the Redis key prefix of --serve peerpath")
	fs.Float64("rate", 0, "load: arrivals per second (0: twice the module reads/s of a short calibration); --duration defaults to 60s")
}

// runBench measures throughput and latency of a feature against a baseline in the same run, on a
// database of its own that it drops afterwards; without a subcommand it runs them all.
func runBench(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unexpected %q: the subcommand (learning, org, rooms or load) comes before the flags", args[0])
	}
	switch a.sub {
	case "":
		return runBenchAll(ctx, a, fs)
	case "org":
		return runBenchOrg(ctx, a, fs)
	case "rooms":
		return runBenchRooms(ctx, a, fs)
	case "load":
		return runBenchLoad(ctx, a, fs)
	}
	dur, _ := time.ParseDuration(fs.Lookup("duration").Value.String())
	p := learningPlan{dur: dur, out: fs.Lookup("out").Value.String(), cpuprofile: fs.Lookup("cpuprofile").Value.String(), log: a.stdout}
	fmt.Sscan(fs.Lookup("concurrency").Value.String(), &p.conc)
	fmt.Sscan(fs.Lookup("rounds").Value.String(), &p.rounds)
	_, err := benchLearning(ctx, a, p)
	return err
}

// learningPlan is one run of the learning benchmark.
type learningPlan struct {
	dur          time.Duration // per figure, over all rounds
	conc, rounds int
	out          string
	cpuprofile   string
	log          io.Writer // progress
}

// The figures benchLearning returns, in this order.
const (
	learningThin = iota
	learningModule
	learningQuiz
)

// benchLearning measures module reads and quiz submissions beside the thin handler, writes the
// learning section and returns the figures.
func benchLearning(ctx context.Context, a *app, p learningPlan) ([]benchResult, error) {
	dur, conc, out := p.dur, p.conc, p.out
	rounds := max(p.rounds, 1)
	if p.cpuprofile != "" {
		f, err := os.Create(p.cpuprofile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
		defer pprof.StopCPUProfile()
	}
	env, err := openBenchEnv(ctx, a)
	if err != nil {
		return nil, err
	}
	defer env.close()
	store, owner, rdb := env.store, env.owner, env.rdb
	fmt.Fprintln(p.log, "bench: seeding")
	people, err := benchSeed(ctx, store, owner, 128)
	if err != nil {
		return nil, err
	}
	srv, err := server.New(server.Config{Store: store, Redis: rdb, BaseURL: "http://bench.local", KeyPrefix: "bench:",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return nil, err
	}
	appURL, stopApp := listen(srv)
	defer stopApp()
	thinURL, stopThin := listen(thinHandler(owner))
	defer stopThin()

	readers, takers, err := benchLearners(ctx, store, people)
	if err != nil {
		return nil, err
	}
	runs := []struct {
		name string
		do   func(cl *http.Client, i int) error
	}{
		learningThin: {"thin handler (one row, baseline)", func(cl *http.Client, i int) error {
			return get(cl, thinURL+"/person/"+people[i%len(people)], "")
		}},
		learningModule: {"module read (authenticated)", func(cl *http.Client, i int) error {
			return get(cl, appURL+"/api/v1/courses/bench-storytelling/modules/why-we-share", readers[i%len(readers)])
		}},
		learningQuiz: {"quiz attempt: start + submit", func(cl *http.Client, i int) error {
			ck := takers[i%len(takers)]
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
			if err := post(cl, appURL+"/api/v1/quizzes/bench-storytelling.why-we-share/attempts", ck, nil, &att); err != nil {
				return err
			}
			ans := map[string][]string{}
			for _, q := range att.Questions {
				ans[q.ID] = []string{q.Options[0].ID}
				if q.Kind == "ordering" {
					ans[q.ID] = nil
					for _, o := range q.Options {
						ans[q.ID] = append(ans[q.ID], o.ID)
					}
				}
			}
			return post(cl, appURL+"/api/v1/attempts/"+att.ID+"/submit", ck, map[string]any{"answers": ans}, nil)
		}},
	}
	// The machine's load drifts: measuring each in turn, round after round, lets every figure
	// be compared with the baseline measured moments before it.
	results := make([]benchResult, len(runs))
	ratios := make([][]float64, len(runs))
	for round := 1; round <= rounds; round++ {
		fmt.Fprintf(p.log, "bench: round %d of %d (%s each, concurrency %d)\n", round, rounds, dur/time.Duration(rounds), conc)
		var base float64
		for i, r := range runs {
			res, err := measure(ctx, r.name, dur/time.Duration(rounds), conc, r.do)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", r.name, err)
			}
			if i == 0 {
				base = res.rps
			}
			ratios[i] = append(ratios[i], res.rps/base)
			results[i] = results[i].add(res)
			fmt.Fprintf(p.log, "bench:   %-34s %7.0f req/s  p50 %6.2f ms  p99 %6.2f ms  %5.0f %% of baseline\n",
				r.name, res.rps, ms(res.p50), ms(res.p99), 100*res.rps/base)
		}
	}
	for i := range results {
		results[i].ratio = median(ratios[i])
	}
	cmd := fmt.Sprintf("peerpath bench learning --duration %s --concurrency %d --rounds %d", dur, conc, rounds)
	if err := writeBenchSection(out, "learning", learningTable(results, cmd)); err != nil {
		return nil, err
	}
	fmt.Fprintf(p.log, "bench: figures written to %s\n", out)
	return results, nil
}

type benchResult struct {
	name          string
	requests      int64
	errors        int64
	elapsed       time.Duration
	rps           float64
	p50, p90, p99 time.Duration
	samples       []time.Duration
	ratio         float64 // median over rounds of this figure / the baseline's
}

// add pools another round's requests and latencies into r.
func (r benchResult) add(o benchResult) benchResult {
	r.name = o.name
	r.requests += o.requests
	r.errors += o.errors
	r.elapsed += o.elapsed
	r.rps = float64(r.requests) / r.elapsed.Seconds()
	r.samples = append(r.samples, o.samples...)
	slices.Sort(r.samples)
	q := func(p float64) time.Duration { return r.samples[int(p*float64(len(r.samples)-1))] }
	r.p50, r.p90, r.p99 = q(.50), q(.90), q(.99)
	return r
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// measure runs do from conc goroutines for dur and reports throughput and latency.
func measure(ctx context.Context, name string, dur time.Duration, conc int, do func(*http.Client, int) error) (benchResult, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: conc * 2, MaxConnsPerHost: conc * 2}
	defer tr.CloseIdleConnections()
	cl := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	// Warm up connections, caches and the database's plans before measuring.
	for i := 0; i < conc*4; i++ {
		if err := do(cl, i); err != nil {
			return benchResult{}, fmt.Errorf("warm-up: %w", err)
		}
	}
	var n, errs atomic.Int64
	var firstErr atomic.Value
	lat := make([][]time.Duration, conc)
	deadline := time.Now().Add(dur)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; time.Now().Before(deadline) && ctx.Err() == nil; i += conc {
				t0 := time.Now()
				if err := do(cl, i); err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				lat[w] = append(lat[w], time.Since(t0))
				n.Add(1)
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	if len(all) == 0 {
		return benchResult{}, fmt.Errorf("no request succeeded: %v", firstErr.Load())
	}
	q := func(p float64) time.Duration { return all[int(p*float64(len(all)-1))] }
	return benchResult{name: name, requests: n.Load(), errors: errs.Load(), elapsed: elapsed, rps: float64(n.Load()) / elapsed.Seconds(),
		p50: q(.50), p90: q(.90), p99: q(.99), samples: all}, nil
}

func get(cl *http.Client, u, cookie string) error {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	return do(cl, req, nil)
}

func post(cl *http.Client, u, cookie string, body any, out any) error {
	var r io.Reader = http.NoBody
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(http.MethodPost, u, r)
	req.Header.Set("Cookie", cookie)
	req.Header.Set("Content-Type", "application/json")
	return do(cl, req, out)
}

func do(cl *http.Client, req *http.Request, out any) error {
	resp, err := cl.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s %s: %d %s", req.Method, req.URL.Path, resp.StatusCode, b)
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// thinHandler is the baseline: a Gin handler that reads one row by primary key and answers JSON.
func thinHandler(db *sqlx.DB) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/person/:id", func(c *gin.Context) {
		var name string
		if err := db.GetContext(c.Request.Context(), &name, `SELECT name FROM people WHERE id = $1`, c.Param("id")); err != nil {
			c.JSON(http.StatusNotFound, gin.H{"error": err.Error()})
			return
		}
		c.JSON(http.StatusOK, gin.H{"id": c.Param("id"), "name": name})
	})
	return r
}

func listen(h http.Handler) (string, func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	s := &http.Server{Handler: h}
	go s.Serve(ln)
	return "http://" + ln.Addr().String(), func() { s.Close() }
}

// benchEnv is what a benchmark runs against: a fresh database, reached as the application (the
// store) and as its owner (for seeding and the thin baseline), and Redis.
type benchEnv struct {
	store *courses.Store
	owner *sqlx.DB
	rdb   *redis.Client
	close func()
}

func openBenchEnv(ctx context.Context, a *app) (*benchEnv, error) {
	c, err := loadConfig(a.getenv)
	if err != nil {
		return nil, err
	}
	db, owner, drop, err := benchDatabase(ctx, c)
	if err != nil {
		return nil, err
	}
	rdb, _, err := openRedis(ctx, c)
	if err != nil {
		drop()
		return nil, err
	}
	return &benchEnv{store: courses.NewStore(db, nil), owner: owner, rdb: rdb,
		close: func() { rdb.Close(); drop() }}, nil
}

// benchDatabase creates a fresh database beside DATABASE_URL's and drops it when done. It
// returns two connections to it: as the application's role, for the store, and as the owner,
// for seeding and for the thin baseline handler.
func benchDatabase(ctx context.Context, c config) (app, owner *sqlx.DB, drop func(), err error) {
	admin, err := openDB(ctx, c, "")
	if err != nil {
		return nil, nil, nil, err
	}
	name := fmt.Sprintf("peerpath_bench_%d", os.Getpid())
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return nil, nil, nil, fmt.Errorf("create bench database: %w", err)
	}
	u, _ := url.Parse(c.DatabaseURL)
	u.Path = "/" + name
	bc := c
	bc.DatabaseURL = u.String()
	owner, err = openDB(ctx, bc, "")
	if err == nil {
		if err = migrations.Up(owner.DB); err == nil {
			app, err = openDB(ctx, bc, courses.AppRole)
		}
	}
	drop = func() {
		for _, db := range []*sqlx.DB{app, owner} {
			if db != nil {
				db.Close()
			}
		}
		admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close()
	}
	if err != nil {
		drop()
		return nil, nil, nil, err
	}
	return app, owner, drop, nil
}

// benchSeed loads the demo organisations and n extra trainees, and imports the Storytelling
// course as an organisation course with unlimited quiz attempts, so submissions can repeat.
func benchSeed(ctx context.Context, s *courses.Store, owner *sqlx.DB, n int) ([]string, error) {
	if _, err := s.SeedDemo(ctx, courses.DefaultDemoPassword); err != nil {
		return nil, err
	}
	org, err := s.FindOrganisationBySlug(ctx, "riverside")
	if err != nil {
		return nil, err
	}
	lib, err := content.Load(content.Shipped)
	if err != nil {
		return nil, err
	}
	for _, c := range lib.Courses {
		if c.Slug != "storytelling-with-purpose" {
			continue
		}
		c.Slug = "bench-storytelling"
		for i := range c.Quizzes {
			c.Quizzes[i].Attempts = 0
		}
		if _, err := s.ImportCourses(ctx, org.ID, []*courses.Course{c}); err != nil {
			return nil, err
		}
	}
	var ids []string
	err = owner.SelectContext(ctx, &ids, `
		INSERT INTO people (org_id, email, name, password_hash, roles)
		SELECT $1, 'bench' || g || '@riverside.example', 'Bench Trainee ' || g,
			(SELECT password_hash FROM people WHERE email = 'trainee1@riverside.example'), '{trainee}'
		FROM generate_series(1, $2) g RETURNING id`, org.ID, n)
	return ids, err
}

// benchLearners signs the seeded people in and splits them into readers and quiz takers, by
// session cookie. They are different people: unlimited bench attempts would otherwise pile dozens
// of attempts onto each reader, which no real learner has. Readers are enrolled and have read the
// first module, as someone mid-course has.
func benchLearners(ctx context.Context, store *courses.Store, people []string) (readers, takers []string, err error) {
	cookies := make([]string, len(people))
	for i, id := range people {
		tok, err := store.CreateSession(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		cookies[i] = "peerpath_session=" + tok
	}
	for _, id := range people[:len(people)/2] {
		p, err := store.FindPrincipal(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		if _, err := store.CompleteModule(ctx, p, "bench-storytelling", "why-we-share"); err != nil {
			return nil, nil, err
		}
	}
	return cookies[:len(cookies)/2], cookies[len(cookies)/2:], nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func learningTable(rs []benchResult, cmd string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Command: `%s` (in-process server and load generator on loopback, fresh database).  \n", cmd)
	fmt.Fprintf(&b, "Machine: %s, %d cores, %s, %s.  \nDate: %s.\n\n", cpuModel(), runtime.NumCPU(), runtime.Version(),
		runtime.GOOS+"/"+runtime.GOARCH, time.Now().UTC().Format("2006-01-02 15:04 MST"))
	b.WriteString("| measurement | requests/s | p50 ms | p90 ms | p99 ms | errors | vs thin handler (median of rounds) |\n|---|---|---|---|---|---|---|\n")
	for _, r := range rs {
		fmt.Fprintf(&b, "| %s | %.0f | %.2f | %.2f | %.2f | %d | %.0f %% |\n", r.name, r.rps, ms(r.p50), ms(r.p90), ms(r.p99), r.errors, 100*r.ratio)
	}
	b.WriteString("\nEach round measures the baseline and then each figure for duration/rounds, so every ratio\ncompares measurements taken moments apart; requests/s and latencies pool all rounds.\n")
	b.WriteString("\nGoal: module reads at 60 % or more of the thin handler's throughput. A quiz submission is two\nrequests (start, then submit with every question answered) and writes several rows.\n")
	return b.String()
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// writeBenchSection replaces the named section of the benchmarks file (or appends it), so each
// benchmark rewrites only its own figures.
func writeBenchSection(path, name, body string) error {
	return writeBenchSectionAt(path, name, body, false)
}

// writeBenchSectionAt is writeBenchSection; a new section goes before every other one when first
// is set, so the summary sits above the details it sums up.
func writeBenchSectionAt(path, name, body string, first bool) error {
	begin, end := "<!-- bench:"+name+" -->", "<!-- /bench:"+name+" -->"
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	doc := string(old)
	if doc == "" {
		doc = "# Benchmarks\n\nFigures written by `peerpath bench …` (or `make bench`); each measurement runs beside its\nbaseline in the same run on the same machine, so compare the ratio, not the absolute numbers.\n"
	}
	section := begin + "\n## " + strings.ToUpper(name[:1]) + name[1:] + "\n\n" + body + end
	if i, j := strings.Index(doc, begin), strings.Index(doc, end); i >= 0 && j > i {
		doc = doc[:i] + section + doc[j+len(end):]
	} else if k := strings.Index(doc, "<!-- bench:"); first && k >= 0 {
		doc = doc[:k] + section + "\n\n" + doc[k:]
	} else {
		doc = strings.TrimRight(doc, "\n") + "\n\n" + section + "\n"
	}
	return os.WriteFile(path, []byte(doc), 0o644)
}

package main

import (
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"

	"peerpath/courses"
	"peerpath/courses/content"
	"peerpath/server"
)

// Bench org sizes: the goal is measured at 10,000 people with 5 assignments each.
const (
	benchOrgPeople  = 10000
	benchOrgCourses = 5
)

// runBenchOrg seeds an organisation of 10,000 people × 5 assignments and measures the
// completion matrix page beside the thin handler, and the CSV export's time and peak memory.
func runBenchOrg(ctx context.Context, a *app, fs *flag.FlagSet) error {
	dur, _ := time.ParseDuration(fs.Lookup("duration").Value.String())
	p := orgPlan{dur: dur, out: fs.Lookup("out").Value.String(), log: a.stdout}
	fmt.Sscan(fs.Lookup("concurrency").Value.String(), &p.conc)
	_, err := benchOrg(ctx, a, p)
	return err
}

// orgPlan is one run of the organisation benchmark.
type orgPlan struct {
	dur  time.Duration
	conc int
	out  string
	log  io.Writer // progress
}

// orgResult is what benchOrg measured.
type orgResult struct {
	thin, matrix benchResult
	export       exportResult
	seeded       time.Duration
}

// benchOrg seeds the organisation, measures, writes the org section and returns the figures.
func benchOrg(ctx context.Context, a *app, p orgPlan) (orgResult, error) {
	var res orgResult
	dur, conc, out := p.dur, p.conc, p.out
	env, err := openBenchEnv(ctx, a)
	if err != nil {
		return res, err
	}
	defer env.close()
	store, owner, rdb := env.store, env.owner, env.rdb
	fmt.Fprintf(p.log, "bench: seeding %d people × %d assignments\n", benchOrgPeople, benchOrgCourses)
	t0 := time.Now()
	adminID, err := benchOrgSeed(ctx, store, owner)
	if err != nil {
		return res, fmt.Errorf("seed: %w", err)
	}
	res.seeded = time.Since(t0)
	srv, err := server.New(server.Config{Store: store, Redis: rdb, BaseURL: "http://bench.local", KeyPrefix: "bench:",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return res, err
	}
	appURL, stopApp := listen(srv)
	defer stopApp()
	thinURL, stopThin := listen(thinHandler(owner))
	defer stopThin()
	tok, err := store.CreateSession(ctx, adminID)
	if err != nil {
		return res, err
	}
	cookie := "peerpath_session=" + tok
	pages := []string{"", "?status=overdue", "?sort=status", "?sort=due&order=desc", "?cursor=" + benchCursor(5000)}
	runs := []struct {
		name string
		do   func(cl *http.Client, i int) error
		into *benchResult
	}{
		{"thin handler (one row, baseline)", func(cl *http.Client, i int) error {
			return get(cl, thinURL+"/person/"+adminID, "")
		}, &res.thin},
		{"completion matrix page (50 rows + totals)", func(cl *http.Client, i int) error {
			return get(cl, appURL+"/api/v1/org/completion"+pages[i%len(pages)], cookie)
		}, &res.matrix},
	}
	var results []benchResult
	for _, r := range runs {
		fmt.Fprintf(p.log, "bench: %s (%s, concurrency %d)\n", r.name, dur, conc)
		m, err := measure(ctx, r.name, dur, conc, r.do)
		if err != nil {
			return res, fmt.Errorf("%s: %w", r.name, err)
		}
		*r.into = m
		results = append(results, m)
	}
	fmt.Fprintln(p.log, "bench: CSV export of every assignment")
	res.export, err = benchExport(appURL+"/api/v1/org/completion.csv", cookie)
	if err != nil {
		return res, err
	}
	cmd := fmt.Sprintf("peerpath bench org --duration %s --concurrency %d", dur, conc)
	if err := writeBenchSection(out, "org", orgTable(results, res.export, res.seeded, cmd)); err != nil {
		return res, err
	}
	fmt.Fprintf(p.log, "bench: figures written to %s\n", out)
	return res, nil
}

func benchCursor(offset int) string {
	// The matrix cursor is opaque to clients; the benchmark builds one to read a page deep in.
	return base64.RawURLEncoding.EncodeToString([]byte("o:" + fmt.Sprint(offset)))
}

// benchOrgSeed loads the demo, five copies of the Storytelling course as Riverside's own, and
// 10,000 people in 20 teams with every course assigned: a third done, a fifth under way, the
// rest not started, due dates spread from two months ago to two months ahead. It returns the
// Riverside admin's id.
func benchOrgSeed(ctx context.Context, s *courses.Store, owner *sqlx.DB) (string, error) {
	if _, err := s.SeedDemo(ctx, courses.DefaultDemoPassword); err != nil {
		return "", err
	}
	org, err := s.FindOrganisationBySlug(ctx, "riverside")
	if err != nil {
		return "", err
	}
	lib, err := content.Load(content.Shipped)
	if err != nil {
		return "", err
	}
	for i := 1; i <= benchOrgCourses; i++ {
		c := *lib.Courses[0]
		c.Slug, c.Title = fmt.Sprintf("bench-course-%d", i), fmt.Sprintf("Bench course %d", i)
		if _, err := s.ImportCourses(ctx, org.ID, []*courses.Course{&c}); err != nil {
			return "", err
		}
	}
	for _, q := range []string{
		`INSERT INTO people (org_id, email, name, password_hash, roles)
		 SELECT $1, 'bench' || g || '@riverside.example', 'Bench Person ' || lpad(g::text, 5, '0'), '', '{trainee}'
		 FROM generate_series(1, ` + fmt.Sprint(benchOrgPeople) + `) g`,
		`INSERT INTO teams (org_id, name) SELECT $1, 'Team ' || g FROM generate_series(1, 20) g`,
		`INSERT INTO team_members (team_id, person_id, org_id)
		 SELECT t.id, p.id, $1 FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM people
			WHERE org_id = $1 AND email LIKE 'bench%') p
		 JOIN (SELECT id, row_number() OVER (ORDER BY name) - 1 AS k FROM teams WHERE org_id = $1) t ON t.k = p.n % 20`,
		`INSERT INTO assignments (org_id, person_id, course_id, due_at)
		 SELECT $1, p.id, c.id, now() + ((hashtext(p.id::text || c.id::text) % 60) || ' days')::interval
		 FROM people p CROSS JOIN courses c
		 WHERE p.org_id = $1 AND p.email LIKE 'bench%' AND c.org_id = $1 AND c.slug LIKE 'bench-course-%'`,
		`INSERT INTO enrolments (org_id, person_id, course_id, course_version_id, started_at, completed_at)
		 SELECT a.org_id, a.person_id, a.course_id, v.id, now() - interval '90 days',
			CASE WHEN abs(hashtext(a.id::text)) % 15 < 5 THEN now() - ((abs(hashtext(a.id::text)) % 80) || ' days')::interval END
		 FROM assignments a JOIN course_versions v ON v.course_id = a.course_id
		 WHERE a.org_id = $1 AND abs(hashtext(a.id::text)) % 15 < 8`,
		`INSERT INTO completions (org_id, person_id, course_id, course_version_id, enrolment_id, completed_at)
		 SELECT org_id, person_id, course_id, course_version_id, id, completed_at FROM enrolments
		 WHERE org_id = $1 AND completed_at IS NOT NULL`,
		`ANALYZE`,
	} {
		args := []any{org.ID}
		if q == "ANALYZE" {
			args = nil
		}
		if _, err := owner.ExecContext(ctx, q, args...); err != nil {
			return "", fmt.Errorf("%.60s…: %w", q, err)
		}
	}
	var id string
	err = owner.GetContext(ctx, &id, `SELECT id FROM people WHERE email = 'admin@riverside.example'`)
	return id, err
}

type exportResult struct {
	rows     int
	bytes    int64
	took     time.Duration
	idle     uint64
	peak     uint64
	samples  int
	firstRow time.Duration
}

// benchExport downloads the whole CSV export through the server in this process while a
// sampler reads the live heap every 5 ms; the figure is the peak above the heap measured idle,
// after a collection, just before.
func benchExport(u, cookie string) (exportResult, error) {
	var r exportResult
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	runtime.GC()
	r.idle = read()
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if v := read(); v > peak.Load() {
					peak.Store(v)
				}
				r.samples++
			}
		}
	}()
	start := time.Now()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Cookie", cookie)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		close(done)
		return r, err
	}
	defer resp.Body.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 && r.bytes == 0 {
			r.firstRow = time.Since(start)
		}
		r.bytes += int64(n)
		r.rows += strings.Count(string(buf[:n]), "\n")
		if err == io.EOF {
			break
		}
		if err != nil {
			close(done)
			return r, err
		}
	}
	r.took = time.Since(start)
	close(done)
	<-stopped
	r.peak = peak.Load()
	r.rows-- // the header
	if resp.StatusCode != http.StatusOK {
		return r, fmt.Errorf("export: %d", resp.StatusCode)
	}
	return r, nil
}

func p95(samples []time.Duration) time.Duration {
	s := slices.Clone(samples)
	slices.Sort(s)
	return s[int(0.95*float64(len(s)-1))]
}

func orgTable(rs []benchResult, e exportResult, seeded time.Duration, cmd string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Command: `%s` (in-process server and load generator on loopback, fresh database).  \n", cmd)
	fmt.Fprintf(&b, "Machine: %s, %d cores, %s, %s.  \nDate: %s.  \n", cpuModel(), runtime.NumCPU(), runtime.Version(),
		runtime.GOOS+"/"+runtime.GOARCH, time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "Data: one organisation of %d people in 20 teams × %d assigned courses = %d assignments "+
		"(a third completed, a fifth in progress), seeded in %.1f s with generate_series.\n\n",
		benchOrgPeople, benchOrgCourses, benchOrgPeople*benchOrgCourses, seeded.Seconds())
	b.WriteString("| measurement | requests/s | p50 ms | p95 ms | p99 ms | errors |\n|---|---|---|---|---|---|\n")
	for _, r := range rs {
		fmt.Fprintf(&b, "| %s | %.0f | %.2f | %.2f | %.2f | %d |\n", r.name, r.rps, ms(r.p50), ms(p95(r.samples)), ms(r.p99), r.errors)
	}
	above := float64(0)
	if e.peak > e.idle {
		above = float64(e.peak-e.idle) / (1 << 20)
	}
	fmt.Fprintf(&b, "\nCSV export (`GET /api/v1/org/completion.csv`, no filter): %d rows, %.1f MB in %.2f s "+
		"(first bytes after %.0f ms); live heap idle %.1f MB, peak %.1f MB, **%.1f MB above idle** (%d samples, every 5 ms).\n",
		e.rows, float64(e.bytes)/(1<<20), e.took.Seconds(), float64(e.firstRow.Milliseconds()), float64(e.idle)/(1<<20),
		float64(e.peak)/(1<<20), above, e.samples)
	b.WriteString("\nMatrix requests rotate over the first page, `status=overdue`, `sort=status`, `sort=due&order=desc` " +
		"and a page 5,000 rows in, as the organisation's admin (the whole organisation in scope). Every page computes " +
		"all 50,000 statuses for its totals in one statement.\n")
	b.WriteString("\nGoals: matrix page p95 under 200 ms; export memory flat, under 50 MB above idle.\n")
	return b.String()
}

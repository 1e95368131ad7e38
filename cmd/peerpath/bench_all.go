package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// The all-in-one run's defaults: shorter than each benchmark's own, so that all of them, the
// seeding and the rooms' 24 measurements (four scenarios, two servers, three rounds) included,
// finish inside about ten minutes on two cores.
const (
	allDuration = 8 * time.Second
	allRounds   = 3
	allWarmup   = 2 * time.Second
	// The matrix goal is a page time; sixteen requests in flight on two cores would measure the
	// queue in front of it. Two is what `bench org` is run with for its figures.
	allOrgConcurrency = 2
	allEchoTrips      = 1000
	allEchoDials      = 100
)

// runBenchAll runs every benchmark in turn, each on a fresh database beside its baseline, then
// writes a summary of their main figures at the top of the benchmarks file and a plot beside it.
// Flags given on the command line override the all-in-one defaults for every benchmark that
// takes them.
func runBenchAll(ctx context.Context, a *app, fs *flag.FlagSet) error {
	began := time.Now()
	set := map[string]string{}
	var given []string
	fs.Visit(func(f *flag.Flag) {
		set[f.Name] = f.Value.String()
		if f.Name != "out" && f.Name != "cpuprofile" && f.Name != "memprofile" && f.Name != "trace" {
			given = append(given, "--"+f.Name+" "+f.Value.String())
		}
	})
	for _, name := range []string{"serve", "addr", "prefix", "scenarios"} {
		if _, ok := set[name]; ok {
			return fmt.Errorf("--%s: only for `peerpath bench rooms`", name)
		}
	}
	if _, ok := set["rate"]; ok {
		return fmt.Errorf("--rate: only for `peerpath bench load`")
	}
	flagOr := func(name string, d time.Duration) time.Duration {
		if v, ok := set[name]; ok {
			d, _ = time.ParseDuration(v)
		}
		return d
	}
	dur, warmup := flagOr("duration", allDuration), flagOr("warmup", allWarmup)
	rounds := allRounds
	if v, ok := set["rounds"]; ok {
		fmt.Sscan(v, &rounds)
	}
	var learnConc int
	fmt.Sscan(fs.Lookup("concurrency").Value.String(), &learnConc)
	orgConc := allOrgConcurrency
	if _, ok := set["concurrency"]; ok {
		orgConc = learnConc
	}
	var scale float64
	fmt.Sscan(fs.Lookup("scale").Value.String(), &scale)
	out := fs.Lookup("out").Value.String()
	rp, err := newRoomsPlan(dur, warmup, scale)
	if err != nil {
		return err
	}
	rp.out = out
	rp.heapDir = fs.Lookup("memprofile").Value.String()
	rp.traceDir = fs.Lookup("trace").Value.String()
	rp.rounds = rounds
	if dur <= 0 || learnConc <= 0 || rounds <= 0 {
		return fmt.Errorf("--duration, --concurrency and --rounds: must be positive")
	}

	// Every line of progress, the child servers' included, goes to stderr stamped with the time
	// since the start.
	pw := &progressWriter{w: a.stderr, start: began}
	b := *a
	b.stderr = pw
	var (
		learning []benchResult
		org      orgResult
		echo     echoResult
		pairs    []roomsPair
	)
	steps := []struct {
		name, what string
		run        func() error
	}{
		{"learning", fmt.Sprintf("module reads and quiz submissions beside the thin handler, %s each over %d round(s)", dur, rounds),
			func() (err error) {
				learning, err = benchLearning(ctx, &b, learningPlan{dur: dur, conc: learnConc, rounds: rounds, out: out,
					cpuprofile: fs.Lookup("cpuprofile").Value.String(), log: pw})
				return err
			}},
		{"org", fmt.Sprintf("seed %s people × %d assignments; the completion matrix beside the thin handler, %s each; the CSV export",
			thousands(benchOrgPeople), benchOrgCourses, dur),
			func() (err error) {
				org, err = benchOrg(ctx, &b, orgPlan{dur: dur, conc: orgConc, out: out, log: pw})
				return err
			}},
		{"echo", fmt.Sprintf("an idle WebSocket echo on the thin server: %s round trips, %d new connections", thousands(allEchoTrips), allEchoDials),
			func() (err error) {
				echo, err = benchEcho(ctx, &b, allEchoTrips, allEchoDials)
				return err
			}},
		{"rooms", fmt.Sprintf("%d scenarios of up to %s connections, each on the thin server and on Peerpath, %s warm-up + %s",
			len(rp.scenarios), thousands(maxConns(rp.scenarios)), warmup, dur),
			func() (err error) {
				pairs, err = benchRooms(ctx, &b, rp)
				return err
			}},
	}
	for i, s := range steps {
		next := "the summary"
		if i+1 < len(steps) {
			next = steps[i+1].name
		}
		fmt.Fprintf(pw, "bench: step %d of %d, %s: %s; next: %s\n", i+1, len(steps), s.name, s.what, next)
		t0 := time.Now()
		if err := s.run(); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		fmt.Fprintf(pw, "bench: %s done in %s\n", s.name, time.Since(t0).Round(time.Second))
	}

	rows := summaryRows(learning, org, pairs, &echo)
	meta := summaryMeta{
		cmd:     strings.Join(append([]string{"peerpath bench"}, given...), " "),
		machine: fmt.Sprintf("%s, %d cores, %s, %s", cpuModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH),
		date:    time.Now().UTC().Format("2006-01-02 15:04 MST"),
		took:    time.Since(began),
		scale:   scale,
	}
	svg := strings.TrimSuffix(out, filepath.Ext(out)) + ".svg"
	var plot bytes.Buffer
	if err := writeSummarySVG(&plot, rows, meta); err != nil {
		return err
	}
	if err := os.WriteFile(svg, plot.Bytes(), 0o644); err != nil {
		return err
	}
	if err := writeBenchSectionAt(out, "summary", summarySection(rows, meta, filepath.Base(svg)), true); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "bench: every benchmark done in %s; figures written to %s, the plot to %s\n",
		meta.took.Round(time.Second), out, svg)
	return nil
}

// progressWriter stamps each line with the time since the run began. The child servers' output
// reaches it from exec's goroutines while the run writes its own, hence the lock.
type progressWriter struct {
	mu    sync.Mutex
	w     io.Writer
	start time.Time
	mid   bool // the last write ended inside a line
}

func (p *progressWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(b)
	for len(b) > 0 {
		if !p.mid {
			d := time.Since(p.start)
			if _, err := fmt.Fprintf(p.w, "[%2dm%02ds] ", int(d.Minutes()), int(d.Seconds())%60); err != nil {
				return 0, err
			}
		}
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line = b[:i+1]
		}
		p.mid = line[len(line)-1] != '\n'
		if _, err := p.w.Write(line); err != nil {
			return 0, err
		}
		b = b[len(line):]
	}
	return n, nil
}

// --- the summary

// summaryRow is one main figure beside its baseline.
type summaryRow struct {
	group     string  // the benchmark, or the rooms scenario
	figure    string  // what is measured, in the table
	short     string  // the same, in the plot
	value     string  // with its unit
	baseline  string  // with its unit and what it is; "" when there is none
	ratio     float64 // value ÷ baseline; 0 when there is no baseline
	goal      string  // "" when the figure has none
	goalRatio float64 // the goal as a ratio to the baseline, for the plot; 0 when none
	verdict   string  // "met", "missed", or "" without a goal
}

type summaryMeta struct {
	cmd, machine, date string
	took               time.Duration
	scale              float64
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "missed"
}

func div(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return a / b
}

// summaryRows picks the main figures out of the benchmarks' results, judged by the same goals as
// their sections. echo may be nil: the resumes then have no baseline.
func summaryRows(learning []benchResult, org orgResult, pairs []roomsPair, echo *echoResult) []summaryRow {
	var rows []summaryRow
	if len(learning) > learningQuiz {
		thin := learning[learningThin]
		base := fmt.Sprintf("%.0f (thin handler)", thin.rps)
		m, q := learning[learningModule], learning[learningQuiz]
		rows = append(rows,
			summaryRow{group: "Learning", figure: "module read (authenticated), requests/s", short: "module read, requests/s",
				value: fmt.Sprintf("%.0f", m.rps), baseline: base, ratio: m.ratio,
				goal: "≥ 0.60× thin", goalRatio: 0.6, verdict: met(m.ratio >= 0.6)},
			summaryRow{group: "Learning", figure: "quiz attempt: start + submit, requests/s", short: "quiz start + submit, requests/s",
				value: fmt.Sprintf("%.0f", q.rps), baseline: base, ratio: q.ratio})
	}
	if len(org.matrix.samples) > 0 && len(org.thin.samples) > 0 {
		mp, tp := p95(org.matrix.samples), p95(org.thin.samples)
		const mb = 1 << 20
		e := org.export
		above := float64(0)
		if e.peak > e.idle {
			above = float64(e.peak - e.idle)
		}
		rows = append(rows,
			summaryRow{group: "Org", figure: "completion matrix page, p95", short: "matrix page p95",
				value: fmt.Sprintf("%.1f ms", ms(mp)), baseline: fmt.Sprintf("%.2f ms (thin handler p95)", ms(tp)),
				ratio: div(float64(mp), float64(tp)), goal: "< 200 ms", goalRatio: div(float64(200*time.Millisecond), float64(tp)),
				verdict: met(mp < 200*time.Millisecond)},
			summaryRow{group: "Org", figure: fmt.Sprintf("CSV export of %s rows, live heap", thousands(e.rows)), short: "CSV export, peak heap",
				value:    fmt.Sprintf("peak %.1f MB (%.1f MB above idle)", float64(e.peak)/mb, above/mb),
				baseline: fmt.Sprintf("%.1f MB (idle heap)", float64(e.idle)/mb), ratio: div(float64(e.peak), float64(e.idle)),
				goal: "< 50 MB above idle", goalRatio: div(float64(e.idle)+50*mb, float64(e.idle)), verdict: met(above < 50*mb)})
	}
	for _, pr := range pairs {
		t, q := pr.thin, pr.peer
		g := pr.sc.title()
		limit := 2.0
		if pr.sc.instances > 1 {
			limit = 4
		}
		rows = append(rows,
			summaryRow{group: g, figure: "memory per connection, heap + stack", short: "memory per connection",
				value: kb(q.memPerConn()), baseline: kb(t.memPerConn()) + " (thin server)", ratio: div(q.memPerConn(), t.memPerConn()),
				goal: "≤ 1.25× thin", goalRatio: 1.25, verdict: met(t.memPerConn() > 0 && q.memPerConn() <= 1.25*t.memPerConn())},
			summaryRow{group: g, figure: "fan-out latency p99", short: "fan-out latency p99",
				value: fmt.Sprintf("%.2f ms", ms(q.p99)), baseline: fmt.Sprintf("%.2f ms (thin server)", ms(t.p99)),
				ratio: div(float64(q.p99), float64(t.p99)), goal: fmt.Sprintf("≤ %g× thin", limit), goalRatio: limit,
				verdict: met(t.p99 > 0 && float64(q.p99) <= limit*float64(t.p99))})
		if q.errors > 0 || q.lost > 0 {
			// Latencies count only what arrived: a run that lost deliveries says so here too.
			rows = append(rows, summaryRow{group: g, figure: "errors / lost deliveries / connections dropped", short: "errors / lost / dropped",
				value:    fmt.Sprintf("%d / %d / %d", q.errors, q.lost, q.dropped),
				baseline: fmt.Sprintf("%d / %d / %d (thin server)", t.errors, t.lost, t.dropped), goal: "none", verdict: met(false)})
		}
		if len(q.resume) == 0 && q.resumeErr == 0 {
			continue
		}
		p99 := quantile(q.resume, .99)
		r := summaryRow{group: g, figure: fmt.Sprintf("resume p99 (%d clients)", len(q.resume)+q.resumeErr), short: "resume p99",
			value: fmt.Sprintf("%.1f ms", ms(p99)), goal: "< 200 ms",
			verdict: met(q.resumeErr == 0 && len(q.resume) > 0 && p99 < 200*time.Millisecond)}
		if q.resumeErr > 0 {
			r.value += fmt.Sprintf(", %d failed", q.resumeErr)
		}
		if echo != nil && len(echo.dial) > 0 {
			d := quantile(echo.dial, .99)
			r.baseline = fmt.Sprintf("%.2f ms (thin: dial + first echo, p99)", ms(d))
			r.ratio, r.goalRatio = div(float64(p99), float64(d)), div(float64(200*time.Millisecond), float64(d))
		}
		rows = append(rows, r)
	}
	if echo != nil && len(echo.roundTrip) > 0 {
		rows = append(rows,
			summaryRow{group: "Rooms reference", figure: fmt.Sprintf("idle WebSocket echo, thin server: round trip p50 / p99 (%s trips, one connection)",
				thousands(len(echo.roundTrip))),
				value: fmt.Sprintf("%.2f / %.2f ms", ms(quantile(echo.roundTrip, .5)), ms(quantile(echo.roundTrip, .99)))},
			summaryRow{group: "Rooms reference", figure: fmt.Sprintf("idle WebSocket echo, thin server: dial + first round trip p50 / p99 (%d connections)",
				len(echo.dial)),
				value: fmt.Sprintf("%.2f / %.2f ms", ms(quantile(echo.dial, .5)), ms(quantile(echo.dial, .99)))})
	}
	return rows
}

func ratioText(r float64) string {
	switch {
	case r <= 0:
		return ""
	case r < 100:
		return fmt.Sprintf("%.2f×", r)
	default:
		return fmt.Sprintf("%.0f×", r)
	}
}

// summarySection is the body of the summary section of the benchmarks file.
func summarySection(rows []summaryRow, m summaryMeta, svg string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Command: `%s` (every benchmark below in turn, each on a fresh database beside its baseline in the same run; "+
		"the whole run took %s).  \nMachine: %s.  \nDate: %s.\n\n", m.cmd, m.took.Round(time.Second), m.machine, m.date)
	if m.scale > 0 && m.scale < 1 {
		fmt.Fprintf(&b, "**A reduced run** (`--scale %g`: rooms at %g of the issue's load). The rooms goals are set for the full load.\n\n",
			m.scale, m.scale)
	}
	b.WriteString("| benchmark | figure | value | baseline | ratio | goal | |\n|---|---|---|---|---|---|---|\n")
	group := ""
	for _, r := range rows {
		g := r.group
		if g == group {
			g = ""
		}
		group = r.group
		v := ""
		switch r.verdict {
		case "met":
			v = "met"
		case "missed":
			v = "**missed**"
		}
		base, goal := r.baseline, r.goal
		if base == "" {
			base = "—"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", g, r.figure, r.value, base, ratioText(r.ratio), goal, v)
	}
	fmt.Fprintf(&b, "\n![Each main figure as a multiple of its baseline, with its goal](%s)\n", svg)
	b.WriteString(`
Ratio is value ÷ baseline, measured in the same run: for learning, the median of the ratios of
its interleaved rounds, as in its section. Baselines: a thin Gin handler that reads one row
(learning, org); a thin gorilla/websocket fan-out server (rooms); for a resume, dialling the thin
server and one round trip on the new connection, with nothing else running; for the export, the
live heap just before it. The idle echo rows are the floor under every rooms latency. Each
benchmark's own section below has its other figures and how they are measured.
`)
	return b.String()
}

// --- the plot

// The plot's geometry, in pixels: labels on the left, bars on a log scale in the middle, each
// bar's ratio and verdict on the right.
const (
	svgWidth    = 800
	svgLabelEnd = 220
	svgPlotX0   = 232
	svgPlotX1   = 560
	svgNoteX    = 570
	svgTop      = 104
	svgRow      = 24
	svgBar      = 14
)

var svgColours = map[string]string{"met": "#2e7d32", "missed": "#c62828", "": "#607d8b"}

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// svgScale is the log axis: the decades that hold 1× (the baseline), every ratio and every goal.
func svgScale(rows []summaryRow) (lo, hi float64) {
	minR, maxR := 1.0, 1.0
	for _, r := range rows {
		for _, v := range []float64{r.ratio, r.goalRatio} {
			if v > 0 {
				minR, maxR = math.Min(minR, v), math.Max(maxR, v)
			}
		}
	}
	lo = math.Pow(10, math.Floor(math.Log10(minR/1.2)))
	hi = math.Pow(10, math.Ceil(math.Log10(maxR*1.2)))
	return lo, hi
}

// writeSummarySVG draws one horizontal bar per figure that has a baseline: from 1× (the
// baseline) to the figure's ratio, on a log scale, coloured by its verdict, with its goal as a
// line across the bar's row. A figure without a baseline that missed its goal gets a row of text,
// so that no failure is missing from the picture; the other reference figures are left to the
// table.
func writeSummarySVG(w io.Writer, rows []summaryRow, m summaryMeta) error {
	lo, hi := svgScale(rows)
	x := func(r float64) float64 {
		return svgPlotX0 + (svgPlotX1-svgPlotX0)*math.Log10(r/lo)/math.Log10(hi/lo)
	}
	type line struct {
		heading bool
		row     summaryRow
	}
	var lines []line
	group := ""
	for _, r := range rows {
		if r.ratio <= 0 && r.verdict != "missed" {
			continue
		}
		if r.group != group {
			lines = append(lines, line{heading: true, row: r})
			group = r.group
		}
		lines = append(lines, line{row: r})
	}
	height := svgTop + len(lines)*svgRow + 56
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="DejaVu Sans, Arial, sans-serif" font-size="12" role="img">`+"\n",
		svgWidth, height, svgWidth, height)
	fmt.Fprintf(&b, "<title>%s</title>\n", esc("Peerpath benchmarks: each main figure as a multiple of its baseline, "+m.date))
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", svgWidth, height)
	fmt.Fprintf(&b, `<text x="10" y="24" font-size="16" font-weight="bold">%s</text>`+"\n", esc("Peerpath benchmarks: each figure ÷ its baseline"))
	fmt.Fprintf(&b, `<text x="10" y="42" fill="#333">%s</text>`+"\n", esc(m.machine+"; "+m.date))
	fmt.Fprintf(&b, `<text x="10" y="58" fill="#333">%s</text>`+"\n", esc(m.cmd))
	// The legend.
	lx := 10.0
	for _, k := range []struct{ colour, text string }{{svgColours["met"], "goal met"}, {svgColours["missed"], "goal missed"}, {svgColours[""], "no goal"}} {
		fmt.Fprintf(&b, `<rect x="%.0f" y="68" width="12" height="12" fill="%s"/><text x="%.0f" y="78">%s</text>`+"\n", lx, k.colour, lx+16, esc(k.text))
		lx += 110
	}
	fmt.Fprintf(&b, `<line x1="%.0f" y1="67" x2="%.0f" y2="81" stroke="#000" stroke-width="2" stroke-dasharray="3 2"/><text x="%.0f" y="78">%s</text>`+"\n",
		lx+5, lx+5, lx+14, esc("goal; log scale, 1× = the baseline"))
	// The decades, with 1× drawn darker.
	bottom := svgTop + len(lines)*svgRow
	for d := lo; d <= hi*1.0001; d *= 10 {
		stroke := "#dddddd"
		if math.Abs(d-1) < 1e-9 {
			stroke = "#555555"
		}
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s"/>`+"\n", x(d), svgTop-8, x(d), bottom, stroke)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#333">%s</text>`+"\n", x(d), bottom+16, esc(decade(d)))
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%d" text-anchor="middle" fill="#333">%s</text>`+"\n",
		float64(svgPlotX0+svgPlotX1)/2, bottom+34, esc("figure ÷ baseline (below 1×: less than the baseline)"))
	for i, l := range lines {
		y := svgTop + i*svgRow
		r := l.row
		if l.heading {
			// Over the decades' lines, which would strike through a long heading.
			fmt.Fprintf(&b, `<rect x="0" y="%d" width="%d" height="%d" fill="#ffffff"/>`+"\n", y, svgWidth, svgRow)
			fmt.Fprintf(&b, `<text x="10" y="%d" font-weight="bold">%s</text>`+"\n", y+svgRow/2+4, esc(r.group))
			continue
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", svgLabelEnd, y+svgRow/2+4, esc(r.short))
		if r.ratio <= 0 {
			against := "no baseline"
			if r.baseline != "" {
				against = "against " + r.baseline
			}
			fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#333" font-style="italic">%s</text>`+"\n", svgPlotX0+4, y+svgRow/2+4, esc(against))
			fmt.Fprintf(&b, `<text class="unplotted" x="%d" y="%d" fill="%s">%s</text>`+"\n", svgNoteX, y+svgRow/2+4, svgColours[r.verdict],
				esc(r.value+"  "+r.verdict+" ("+r.goal+")"))
			continue
		}
		x0, x1 := x(1), x(r.ratio)
		if x1 < x0 {
			x0, x1 = x1, x0
		}
		by := y + (svgRow-svgBar)/2
		fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s</title></rect>`+"\n",
			x0, by, math.Max(x1-x0, 1), svgBar, svgColours[r.verdict],
			esc(fmt.Sprintf("%s, %s: %s against %s", r.group, r.figure, r.value, r.baseline)))
		if r.goalRatio > 0 {
			fmt.Fprintf(&b, `<line class="goal" x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#000" stroke-width="2" stroke-dasharray="3 2"/>`+"\n",
				x(r.goalRatio), y+2, x(r.goalRatio), y+svgRow-2)
		}
		note := ratioText(r.ratio)
		if r.verdict != "" {
			note += "  " + r.verdict + " (" + r.goal + ")"
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="%s">%s</text>`+"\n", svgNoteX, y+svgRow/2+4, svgColours[r.verdict], esc(note))
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func decade(d float64) string {
	if d >= 1 {
		return thousands(int(math.Round(d))) + "×"
	}
	return fmt.Sprintf("%g×", d)
}

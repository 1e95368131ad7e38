package main

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func durations(ms ...float64) []time.Duration {
	var d []time.Duration
	for _, m := range ms {
		d = append(d, time.Duration(m*float64(time.Millisecond)))
	}
	return d
}

// roomsFixture is a measured pair with memory per connection thinKB and peerKB, fan-out p99 in
// ms, and the Peerpath resumes.
func roomsFixture(sc roomsScenario, thinKB, peerKB, thinP99, peerP99 float64, resume []time.Duration, resumeErr int) roomsPair {
	res := func(kind string, kb, p99 float64) roomsResult {
		n := sc.conns()
		return roomsResult{kind: kind, conns: n, held: n, before: roomsMem{HeapStack: 1 << 20},
			after: roomsMem{HeapStack: 1<<20 + int64(kb*1024)*int64(n)}, p99: durations(p99)[0]}
	}
	p := roomsPair{sc: sc, thin: res("thin", thinKB, thinP99), peer: res("peerpath", peerKB, peerP99)}
	p.peer.resume, p.peer.resumeErr = resume, resumeErr
	return p
}

// plotted is what the test compares of a summary row.
type plotted struct {
	Short   string
	Ratio   float64 // to two decimals
	Goal    float64 // the goal as a ratio, to two decimals
	Verdict string
}

// learningAndOrg are the summary's first rows, which every case's figures give alike.
func learningAndOrg() []plotted {
	return []plotted{
		{"module read, requests/s", 0.62, 0.6, "met"},
		{"quiz start + submit, requests/s", 0.03, 0, ""},
		{"matrix page p95", 375, 500, "met"},
		{"CSV export, peak heap", 2.25, 13.5, "met"},
	}
}

func TestSummary(t *testing.T) {
	triads := roomsScenario{key: "triads", rooms: 1000, size: 3, rate: 5000, instances: 1}
	twice := roomsScenario{key: "triads-x2", rooms: 1000, size: 3, rate: 5000, instances: 2}
	learning := []benchResult{
		learningThin:   {name: "thin", rps: 15000, ratio: 1},
		learningModule: {name: "module", rps: 9000, ratio: 0.62},
		learningQuiz:   {name: "quiz", rps: 400, ratio: 0.027},
	}
	org := orgResult{
		thin:   benchResult{samples: durations(0.2, 0.4, 0.4, 0.4, 0.4)},
		matrix: benchResult{samples: durations(100, 150, 150, 150, 150)},
		export: exportResult{rows: 50000, idle: 4 << 20, peak: 9 << 20},
	}
	echo := &echoResult{roundTrip: durations(0.05, 0.1), dial: durations(2)}
	tests := []struct {
		name  string
		pairs []roomsPair
		echo  *echoResult
		want  []plotted
	}{
		{
			name: "OK",
			pairs: []roomsPair{
				roomsFixture(triads, 30, 36, 1, 1.5, durations(10, 20, 40), 0),
				roomsFixture(twice, 30, 45, 1, 8, durations(250, 300), 0),
			},
			echo: echo,
			want: append(learningAndOrg(), []plotted{
				{"memory per connection", 1.2, 1.25, "met"},
				{"fan-out latency p99", 1.5, 2, "met"},
				{"resume p99", 10, 100, "met"},
				{"memory per connection", 1.5, 1.25, "missed"},
				{"fan-out latency p99", 8, 4, "missed"},
				{"resume p99", 125, 100, "missed"},
				{"", 0, 0, ""},
				{"", 0, 0, ""},
			}...),
		},
		{
			// Without the echo the resumes have no baseline: a row in the table, no bar.
			name:  "NoEcho",
			pairs: []roomsPair{roomsFixture(triads, 30, 30, 2, 4.2, durations(10, 20, 40), 0)},
			want: append(learningAndOrg(), []plotted{
				{"memory per connection", 1, 1.25, "met"},
				{"fan-out latency p99", 2.1, 2, "missed"},
				{"resume p99", 0, 0, "met"},
			}...),
		},
		{
			// Lost deliveries have no baseline to plot, but a row of their own in the table and
			// in the plot.
			name: "Lost",
			pairs: func() []roomsPair {
				p := roomsFixture(triads, 30, 30, 2, 2, durations(10), 0)
				p.peer.errors, p.peer.lost = 3, 120
				return []roomsPair{p}
			}(),
			echo: echo,
			want: append(learningAndOrg(), []plotted{
				{"memory per connection", 1, 1.25, "met"},
				{"fan-out latency p99", 1, 2, "met"},
				{"errors / lost / dropped", 0, 0, "missed"},
				{"resume p99", 5, 100, "met"},
				{"", 0, 0, ""},
				{"", 0, 0, ""},
			}...),
		},
		{
			// A failed resume misses the goal however fast the others were.
			name:  "ResumeFailed",
			pairs: []roomsPair{roomsFixture(triads, 30, 30, 2, 2, durations(10), 1)},
			echo:  echo,
			want: append(learningAndOrg(), []plotted{
				{"memory per connection", 1, 1.25, "met"},
				{"fan-out latency p99", 1, 2, "met"},
				{"resume p99", 5, 100, "missed"},
				{"", 0, 0, ""},
				{"", 0, 0, ""},
			}...),
		},
	}
	round := func(f float64) float64 { return math.Round(f*100) / 100 }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := summaryRows(learning, org, tt.pairs, tt.echo)
			var got []plotted
			for _, r := range rows {
				got = append(got, plotted{r.short, round(r.ratio), round(r.goalRatio), r.verdict})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("summary rows (-want +got):\n%s", diff)
			}
			meta := summaryMeta{cmd: "peerpath bench", machine: "Test CPU, 2 cores", date: "2026-11-24 01:00 UTC", took: 6*time.Minute + 12*time.Second, scale: 1}

			md := summarySection(rows, meta, "benchmarks.svg")
			var tableRows []string
			for _, line := range strings.Split(md, "\n") {
				if strings.HasPrefix(line, "| ") && !strings.HasPrefix(line, "| benchmark |") {
					tableRows = append(tableRows, line)
				}
			}
			if got, want := len(tableRows), len(rows); got != want {
				t.Errorf("summary table: got %d rows, want %d:\n%s", got, want, md)
			}
			for i, r := range rows {
				if i < len(tableRows) && !strings.Contains(tableRows[i], "| "+r.figure+" | "+r.value+" |") {
					t.Errorf("summary table row %d: got %q, want the figure %q and value %q", i, tableRows[i], r.figure, r.value)
				}
				if want := "**missed**"; r.verdict == "missed" && i < len(tableRows) && !strings.HasSuffix(tableRows[i], want+" |") {
					t.Errorf("summary table row %d: got %q, want it to end in %s", i, tableRows[i], want)
				}
			}
			for _, want := range []string{"Command: `peerpath bench`", "the whole run took 6m12s", "Machine: Test CPU, 2 cores.",
				"Date: 2026-11-24 01:00 UTC.", "](benchmarks.svg)"} {
				if !strings.Contains(md, want) {
					t.Errorf("summary section: missing %q in:\n%s", want, md)
				}
			}

			var svg strings.Builder
			if err := writeSummarySVG(&svg, rows, meta); err != nil {
				t.Fatal(err)
			}
			bars, goals, unplotted := checkSVG(t, svg.String())
			var wantBars []float64
			wantGoals, wantUnplotted := 0, 0
			for _, r := range rows {
				if r.ratio <= 0 && r.verdict == "missed" {
					wantUnplotted++
				}
				if r.ratio > 0 {
					wantBars = append(wantBars, r.ratio)
					if r.goalRatio > 0 {
						wantGoals++
					}
				}
			}
			if got, want := len(bars), len(wantBars); got != want {
				t.Fatalf("plot: got %d bars, want %d (one per figure with a baseline)", got, want)
			}
			if got, want := goals, wantGoals; got != want {
				t.Errorf("plot: got %d goal lines, want %d", got, want)
			}
			if got, want := unplotted, wantUnplotted; got != want {
				t.Errorf("plot: got %d rows of text for missed goals without a baseline, want %d", got, want)
			}
			// A bar runs from 1× to its ratio: those below the baseline end where the others start.
			lo, hi := svgScale(rows)
			one := svgPlotX0 + (svgPlotX1-svgPlotX0)*math.Log10(1/lo)/math.Log10(hi/lo)
			for i, b := range bars {
				if b.x < svgPlotX0-0.1 || b.x+b.w > svgPlotX1+0.1 {
					t.Errorf("bar %d: got x %.1f to %.1f, want within the plot, %d to %d", i, b.x, b.x+b.w, svgPlotX0, svgPlotX1)
				}
				edge := b.x
				if wantBars[i] < 1 {
					edge = b.x + b.w
				}
				if math.Abs(edge-one) > 0.2 {
					t.Errorf("bar %d (ratio %.2f): got its 1× end at %.1f, want %.1f", i, wantBars[i], edge, one)
				}
			}
		})
	}
}

type svgBarRect struct{ x, w float64 }

// checkSVG decodes the plot as XML, failing the test when it is not well formed, and returns its
// bars, the number of goal lines and the number of rows of text in place of a bar.
func checkSVG(t *testing.T, doc string) (bars []svgBarRect, goals, unplotted int) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	root := true
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("plot is not valid XML: %v\n%s", err, doc)
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		attr := map[string]string{}
		for _, a := range el.Attr {
			attr[a.Name.Local] = a.Value
		}
		if root {
			root = false
			if el.Name.Local != "svg" || el.Name.Space != "http://www.w3.org/2000/svg" || attr["width"] != strconv.Itoa(svgWidth) {
				t.Errorf("plot root: got <%s xmlns=%q width=%q>, want <svg> in the SVG namespace, %d wide", el.Name.Local, el.Name.Space, attr["width"], svgWidth)
			}
		}
		switch {
		case el.Name.Local == "rect" && attr["class"] == "bar":
			x, err1 := strconv.ParseFloat(attr["x"], 64)
			w, err2 := strconv.ParseFloat(attr["width"], 64)
			if err1 != nil || err2 != nil || w <= 0 {
				t.Errorf("bar: got x %q, width %q, want numbers, width above 0", attr["x"], attr["width"])
			}
			bars = append(bars, svgBarRect{x, w})
		case el.Name.Local == "line" && attr["class"] == "goal":
			goals++
		case el.Name.Local == "text" && attr["class"] == "unplotted":
			unplotted++
		}
	}
	return bars, goals, unplotted
}

func TestWriteBenchSectionFirst(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"New", "# Benchmarks\n\nIntro.\n\n<!-- bench:learning -->\nL\n<!-- /bench:learning -->\n",
			"# Benchmarks\n\nIntro.\n\n<!-- bench:summary -->\n## Summary\n\nS\n<!-- /bench:summary -->\n\n<!-- bench:learning -->\nL\n<!-- /bench:learning -->\n"},
		{"Replaced", "# Benchmarks\n\n<!-- bench:summary -->\nold\n<!-- /bench:summary -->\n\n<!-- bench:org -->\nO\n<!-- /bench:org -->\n",
			"# Benchmarks\n\n<!-- bench:summary -->\n## Summary\n\nS\n<!-- /bench:summary -->\n\n<!-- bench:org -->\nO\n<!-- /bench:org -->\n"},
		{"NoOtherSection", "# Benchmarks\n\nIntro.\n",
			"# Benchmarks\n\nIntro.\n\n<!-- bench:summary -->\n## Summary\n\nS\n<!-- /bench:summary -->\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "benchmarks.md")
			if err := os.WriteFile(path, []byte(tt.doc), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := writeBenchSectionAt(path, "summary", "S\n", true); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(path)
			if diff := cmp.Diff(tt.want, string(b)); diff != "" {
				t.Errorf("benchmarks file (-want +got):\n%s", diff)
			}
		})
	}
}

// The echo runs against the thin server in a child process, this test binary again (see TestMain).
func TestBenchEcho(t *testing.T) {
	var stderr lockedBuffer
	a := &app{getenv: envFrom(nil), stdout: &stderr, stderr: &stderr}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := benchEcho(ctx, a, 200, 20)
	if err != nil {
		t.Fatalf("echo: %v\n%s", err, stderr.String())
	}
	if got, want := len(res.roundTrip), 200; got != want {
		t.Errorf("got %d round trips, want %d", got, want)
	}
	if got, want := len(res.dial), 20; got != want {
		t.Errorf("got %d dials, want %d", got, want)
	}
	if len(res.roundTrip) > 0 && len(res.dial) > 0 {
		if rt, d := quantile(res.roundTrip, .5), quantile(res.dial, .5); rt <= 0 || d <= rt {
			t.Errorf("got round trip p50 %s and dial + round trip p50 %s, want both above 0 and the dial slower", rt, d)
		}
	}
}

// `peerpath bench` runs everything without a subcommand; what it cannot run ends before any
// database is touched.
func TestBenchArgs(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"Help", []string{"bench", "--help"}, 0, "[learning|org|rooms]"},
		{"UnknownSubcommand", []string{"bench", "frob"}, 2, `unknown subcommand "frob"`},
		{"SubcommandAfterFlags", []string{"bench", "--duration", "1s", "learning"}, 1, "comes before the flags"},
		{"ServeWithoutRooms", []string{"bench", "--serve", "thin"}, 1, "--serve: only for `peerpath bench rooms`"},
		{"BadScale", []string{"bench", "--scale", "2"}, 1, "--scale"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb strings.Builder
			code := Main(context.Background(), tt.args, envFrom(nil), &out, &errb)
			if code != tt.wantCode || !strings.Contains(errb.String(), tt.wantErr) {
				t.Errorf("%v: got exit %d and stderr %q, want exit %d and %q", tt.args, code, errb.String(), tt.wantCode, tt.wantErr)
			}
		})
	}
}

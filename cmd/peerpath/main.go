// Command peerpath is the whole of Peerpath in one binary: the HTTP server, the background
// worker, migrations, demo data and operator commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(Main(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

type command struct {
	name, args, summary string
	// subs, when set, are the words that must follow the command ("org create …"), unless
	// subOptional: then the command also runs without one.
	subs        []string
	subOptional bool

	run   func(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error
	flags func(fs *flag.FlagSet)
}

// app is what every command shares: its configuration and its output.
type app struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
	// sub is the word after a command that takes one ("create" in "org create").
	sub string
	// ready, when set, is told the address serve listens on (tests start serve on :0).
	ready func(addr string)
}

var commands = []command{
	{name: "serve", summary: "Run the HTTP server, and the worker and scheduler unless --worker=false.", run: runServe, flags: serveFlags},
	{name: "worker", summary: "Run only the background worker, outbox relay and scheduler.", run: runWorker},
	{name: "migrate", summary: "Apply database migrations.", run: runMigrate},
	{name: "demo", summary: "Create the demo organisations and people (idempotent) and print their logins.", run: runDemo},
	{name: "org", subs: []string{"create"}, args: "create --name NAME --admin-email EMAIL [--slug SLUG]", summary: "Create an organisation and invite its first admin.", run: runOrg, flags: orgFlags},
	{name: "courses", subs: []string{"check", "import"}, args: "check DIR | import DIR --org SLUG", summary: "Check a folder of course content, or import an organisation's own courses.", run: runCourses, flags: coursesFlags},
	{name: "bench", subs: []string{"learning", "org", "rooms", "load"}, subOptional: true, args: "[learning|org|rooms] [--duration 10s] [--concurrency 16] [--out docs/benchmarks.md] (rooms: [--duration 15s] [--warmup 3s] [--rounds 3] [--scale 1]; load: [--duration 60s] [--rate N], not part of all; all, without a subcommand: --duration 8s --rounds 3 --warmup 2s, org at concurrency 2)", summary: "Measure features beside their baselines on fresh databases (all of them, without a subcommand) and write the figures to docs/benchmarks.md.", run: runBench, flags: benchFlags},
	{name: "healthcheck", summary: "Exit 0 when the server on PEERPATH_ADDR answers /healthz (for container health checks).", run: runHealthcheck},
	{name: "version", summary: "Print the version.", run: func(_ context.Context, a *app, _ *flag.FlagSet, _ []string) error {
		fmt.Fprintln(a.stdout, "peerpath", version)
		return nil
	}},
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Peerpath: training for peer support workers.")
	fmt.Fprintln(w, "\nUsage: peerpath COMMAND [flags]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'peerpath COMMAND --help' for a command's flags.")
	fmt.Fprintln(w, "\nConfiguration comes from the environment: DATABASE_URL, REDIS_URL, PEERPATH_ADDR,")
	fmt.Fprintln(w, "PEERPATH_BASE_URL, SMTP_URL, PEERPATH_SIGNING_KEY, PEERPATH_ENV, PEERPATH_DATA_DIR,")
	fmt.Fprintln(w, "PEERPATH_DEMO_PASSWORD (see README.md).")
}

// Main runs the command in args and returns the process exit code.
func Main(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	return (&app{getenv: getenv, stdout: stdout, stderr: stderr}).main(ctx, args)
}

func (a *app) main(ctx context.Context, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "--help" || args[0] == "-h" {
		usage(a.stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		fs := flag.NewFlagSet("peerpath "+c.name, flag.ContinueOnError)
		fs.SetOutput(a.stderr)
		fs.Usage = func() {
			fmt.Fprintf(a.stderr, "Usage: peerpath %s %s\n\n%s\n", c.name, c.args, c.summary)
			fs.PrintDefaults()
		}
		if c.flags != nil {
			c.flags(fs)
		}
		rest := args[1:]
		if c.subs != nil && !(c.subOptional && (len(rest) == 0 || strings.HasPrefix(rest[0], "-"))) {
			if len(rest) == 0 || rest[0] == "--help" || rest[0] == "-h" {
				fs.Usage()
				if len(rest) == 0 {
					return 2
				}
				return 0
			}
			if !slices.Contains(c.subs, rest[0]) {
				fmt.Fprintf(a.stderr, "peerpath %s: unknown subcommand %q\n", c.name, rest[0])
				fs.Usage()
				return 2
			}
			a.sub, rest = rest[0], rest[1:]
		}
		// Positional arguments may come before flags ("courses import DIR --org SLUG").
		var positional []string
		for {
			if err := fs.Parse(rest); err != nil {
				if errors.Is(err, flag.ErrHelp) {
					return 0
				}
				return 2
			}
			if fs.NArg() == 0 {
				break
			}
			positional = append(positional, fs.Arg(0))
			rest = fs.Args()[1:]
		}
		if err := c.run(ctx, a, fs, positional); err != nil {
			fmt.Fprintln(a.stderr, "peerpath "+c.name+":", err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(a.stderr, "peerpath: unknown command %q\n\n", args[0])
	usage(a.stderr)
	return 2
}

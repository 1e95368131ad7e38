package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"peerpath/courses"
	"peerpath/migrations/testdb"
)

// TestWorkerKilledMidIssue runs the real binary as `peerpath worker`, kills it with SIGKILL while
// it is issuing certificates, starts it again, and checks that every completion ends with exactly
// one certificate.
func TestWorkerKilledMidIssue(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	ctx := context.Background()
	db, dbURL := testdb.NewURL(t)
	store := courses.NewStore(db, time.Now)
	if err := syncShipped(ctx, store); err != nil {
		t.Fatal(err)
	}
	if _, err := store.SeedDemo(ctx, courses.DefaultDemoPassword); err != nil {
		t.Fatal(err)
	}
	// Completions made ten minutes ago, each with its certificate:issue job in the outbox, as a
	// finished course leaves them.
	const n = 150
	for _, q := range []string{
		`INSERT INTO people (org_id, email, name, password_hash, roles)
		 SELECT o.id, 'kill' || g || '@riverside.example', 'Learner ' || g, '', '{trainee}'
		 FROM organisations o, generate_series(1, 150) g WHERE o.slug = 'riverside'`,
		`INSERT INTO enrolments (org_id, person_id, course_id, course_version_id, started_at, completed_at)
		 SELECT p.org_id, p.id, v.course_id, v.id, now() - interval '1 hour', now() - interval '10 minutes'
		 FROM people p, (SELECT v.id, v.course_id FROM course_versions v JOIN courses c ON c.id = v.course_id
			WHERE c.org_id IS NULL AND c.slug = 'storytelling-with-purpose' ORDER BY v.version DESC LIMIT 1) v
		 WHERE p.email LIKE 'kill%'`,
		`INSERT INTO completions (org_id, person_id, course_id, course_version_id, enrolment_id, completed_at)
		 SELECT org_id, person_id, course_id, course_version_id, id, completed_at FROM enrolments
		 WHERE completed_at IS NOT NULL AND person_id IN (SELECT id FROM people WHERE email LIKE 'kill%')`,
		`INSERT INTO outbox (task_type, payload, org_id)
		 SELECT 'certificate:issue', jsonb_build_object('completion_id', k.id), k.org_id FROM completions k
		 JOIN people p ON p.id = k.person_id WHERE p.email LIKE 'kill%'`,
	} {
		if _, err := testdb.Owner(db).ExecContext(ctx, q); err != nil {
			t.Fatalf("%.50s: %v", q, err)
		}
	}

	bin := filepath.Join(t.TempDir(), "peerpath")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data := t.TempDir()
	env := append(os.Environ(), "DATABASE_URL="+dbURL, "REDIS_URL="+testdb.RedisURL(),
		"PEERPATH_QUEUE="+testdb.Prefix(t), "PEERPATH_DATA_DIR="+data, "PEERPATH_ENV=development", "SMTP_URL=")
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "worker")
		cmd.Env = env
		cmd.Stdout, cmd.Stderr = nil, nil
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	issued := func() int {
		return countRows(t, store, `SELECT count(*) FROM certificates c JOIN people p ON p.id = c.person_id WHERE p.email LIKE 'kill%'`)
	}
	waitFor := func(what string, ok func(int) bool, within time.Duration) int {
		deadline := time.Now().Add(within)
		for {
			got := issued()
			if ok(got) {
				return got
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d of %d certificates after %v", what, got, n, within)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	worker := start()
	waitFor("first worker", func(got int) bool { return got >= 10 }, 60*time.Second)
	if err := worker.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = worker.Wait()
	atKill := issued()
	if atKill >= n {
		t.Fatalf("the worker had issued all %d certificates before it was killed; the test needs more", n)
	}
	t.Logf("killed with %d of %d issued", atKill, n)

	worker = start()
	defer func() {
		_ = worker.Process.Signal(syscall.SIGTERM)
		_ = worker.Wait()
	}()
	waitFor("restarted worker", func(got int) bool { return got == n }, 90*time.Second)
	// Late and duplicate tasks (the killed worker's, the sweep's) must change nothing.
	time.Sleep(2 * time.Second)
	if got := issued(); got != n {
		t.Errorf("got %d certificates, want %d", got, n)
	}
	if got := countRows(t, store, `SELECT count(*) FROM (SELECT completion_id FROM certificates GROUP BY completion_id HAVING count(*) > 1) d`); got != 0 {
		t.Errorf("got %d completions with more than one certificate, want none", got)
	}
}

func countRows(t *testing.T, store *courses.Store, q string) int {
	t.Helper()
	var n int
	if err := testdb.Owner(store.DB()).Get(&n, q); err != nil {
		t.Fatal(err)
	}
	return n
}

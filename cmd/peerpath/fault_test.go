package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/redis/go-redis/v9"

	"peerpath/courses"
	"peerpath/migrations/testdb"
	"peerpath/worker"
)

// The fault tests run the real binary against PostgreSQL and Redis processes of their own, which
// they stop and start: the shared servers that the other packages test against are never touched.
// Each records what the HTTP API acknowledged during the fault and checks the database against
// that record afterwards. docs/operations.md says what each one proves.

// TestFaultRedisOutage stops Redis for 30 seconds while trainees complete a course. Completing
// needs only PostgreSQL, so every completion is acknowledged; its certificate:issue job waits in
// the outbox, and every one of them is issued, once, after Redis returns.
func TestFaultRedisOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("stops a Redis for 30 s")
	}
	const (
		before, during, after = 8, 60, 8
		outage                = 30 * time.Second
	)
	rs := startPrivateRedis(t)
	bin := mustBuild(t)
	app, dbURL := testdb.NewURL(t)
	db := testdb.Owner(app)
	vars := map[string]string{
		"DATABASE_URL": dbURL, "REDIS_URL": rs.url(), "PEERPATH_ADDR": "127.0.0.1:0",
		"PEERPATH_BASE_URL": "http://peerpath.test", "PEERPATH_DATA_DIR": t.TempDir(), "PEERPATH_QUEUE": "fault",
		"PEERPATH_ENV": "development", "SMTP_URL": "",
	}
	mustSeedDemo(t, vars)
	// A course of one module: marking it read completes the course.
	mustImportCourse(t, vars, mustCourseDir(t, map[string]string{
		"modules/01-welcome.md":   strings.Replace(checkModule, "quiz: welcome\n", "", 1),
		"quizzes/01-welcome.yaml": "",
	}))
	emails := mustAddTrainees(t, db, "redis", before+during+after)
	_, base := startServeBinary(t, bin, vars, "--worker=false")
	startChild(t, "peerpath worker", procEnv(vars), nil, syscall.SIGTERM, bin, "worker")
	clients := make([]*http.Client, len(emails))
	for i, e := range emails {
		clients[i] = mustLogin(t, base, e)
	}

	var acked []string // trainees whose completion the API acknowledged
	complete := func(i int) error {
		r := request(clients[i], http.MethodPost, base+"/api/v1/courses/riverside-induction/modules/welcome/complete", "")
		var d struct {
			CompletedAt *time.Time `json:"completed_at"`
		}
		if r.err != nil || r.status != http.StatusOK || json.Unmarshal(r.body, &d) != nil || d.CompletedAt == nil {
			return fmt.Errorf("complete the course as %s: got %d %s (%v), want 200 with completed_at", emails[i], r.status, r.body, r.err)
		}
		acked = append(acked, emails[i])
		return nil
	}
	certified := func(people []string) int {
		return count(t, db, `SELECT count(DISTINCT c.person_id) FROM certificates c JOIN people p ON p.id = c.person_id
			WHERE p.email = ANY($1)`, pq.Array(people))
	}

	for i := range before {
		if err := complete(i); err != nil {
			t.Fatal(err)
		}
	}
	waitUntil(t, "certificates before the outage", 30*time.Second, func() bool { return certified(acked) == before })

	rs.stop()
	down := time.Now()
	t.Logf("Redis stopped; %d trainees complete the course in the next %v", during, outage)
	r := request(&http.Client{Timeout: 5 * time.Second}, http.MethodGet, base+"/readyz", "")
	if r.status != http.StatusServiceUnavailable || !strings.Contains(string(r.body), `"redis":"unreachable"`) {
		t.Errorf("/readyz with Redis stopped: got %d %s, want 503 naming redis", r.status, r.body)
	}
	for i := before; i < before+during; i++ {
		// The server needs only PostgreSQL to record a completion.
		if err := complete(i); err != nil {
			t.Errorf("with Redis stopped: %v", err)
		}
		time.Sleep(time.Until(down.Add(outage * time.Duration(i-before+1) / during)))
	}
	duringAcked := acked[before:]
	// Nothing can have been issued without the queue: the fault was real.
	if got := certified(duringAcked); got != 0 {
		t.Errorf("certificates issued while Redis was stopped: got %d, want 0", got)
	}
	if got, want := count(t, db, `SELECT count(*) FROM outbox WHERE task_type = 'certificate:issue' AND enqueued_at IS NULL`), len(duringAcked); got < want {
		t.Errorf("certificate jobs waiting in the outbox: got %d, want at least %d", got, want)
	}

	rs.start()
	back := time.Now()
	t.Logf("Redis started again after %v", back.Sub(down).Round(time.Millisecond))
	for i := before + during; i < len(emails); i++ {
		if err := complete(i); err != nil {
			t.Error(err)
		}
	}
	waitUntil(t, "a certificate for every acknowledged completion", 90*time.Second, func() bool { return certified(acked) == len(acked) })
	t.Logf("%d certificates, all issued %v after Redis returned", len(acked), time.Since(back).Round(time.Millisecond))
	// Late or repeated tasks must change nothing.
	time.Sleep(2 * time.Second)
	if got, want := count(t, db, `SELECT count(*) FROM certificates c JOIN people p ON p.id = c.person_id WHERE p.email = ANY($1)`,
		pq.Array(emails)), len(acked); got != want {
		t.Errorf("certificates: got %d, want %d (one per acknowledged completion)", got, want)
	}
	if got := count(t, db, `SELECT count(*) FROM outbox WHERE enqueued_at IS NULL`); got != 0 {
		t.Errorf("outbox rows still waiting: got %d, want 0", got)
	}
	// The certificate's email is its own job, queued by the worker: one each as well.
	waitUntil(t, "a certificate email for every acknowledged completion", 30*time.Second, func() bool {
		return len(mailTo(t, vars["PEERPATH_DATA_DIR"], "Your certificate for Riverside induction is ready")) == len(acked)
	})
	sent := mailTo(t, vars["PEERPATH_DATA_DIR"], "Your certificate for Riverside induction is ready")
	for _, e := range acked {
		if sent[e] != 1 {
			t.Errorf("certificate emails to %s: got %d, want 1", e, sent[e])
		}
	}
}

// TestFaultPostgresRestart restarts PostgreSQL twice under a steady load of writes, once with a
// fast shutdown and once with an immediate one (recovered from the write-ahead log, as after a
// crash), each time holding it down for three seconds. Requests meanwhile get a quick 503; the
// same server serves again once PostgreSQL is back; every write it acknowledged is there
// afterwards, with its follow-up job.
func TestFaultPostgresRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("restarts a PostgreSQL under load")
	}
	const (
		writers   = 4
		downFor   = 3 * time.Second
		quick     = 2 * time.Second
		clientCap = 5 * time.Second // a request that takes this long counts as a hang
	)
	pg := startPrivatePostgres(t)
	bin := mustBuild(t)
	func() {
		db, err := sql.Open("postgres", pg.url("postgres"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(`CREATE DATABASE peerpath`); err != nil {
			t.Fatal(err)
		}
	}()
	vars := map[string]string{
		"DATABASE_URL": pg.url("peerpath"), "REDIS_URL": testdb.RedisURL(), "PEERPATH_ADDR": "127.0.0.1:0",
		"PEERPATH_BASE_URL": "http://peerpath.test", "PEERPATH_DATA_DIR": t.TempDir(), "PEERPATH_QUEUE": testdb.Prefix(t),
		"PEERPATH_ENV": "development", "SMTP_URL": "",
	}
	mustSeedDemo(t, vars)
	serve, base := startServeBinary(t, bin, vars)
	admin := mustLogin(t, base, "admin@riverside.example")
	admin.Timeout = clientCap
	probe := &http.Client{Timeout: clientCap}

	type write struct {
		kind, key  string // "team" and its name, or "invitation" and its email
		start, end time.Time
		r          reply
	}
	var (
		mu     sync.Mutex
		writes []write
		seq    atomic.Int64
	)
	load := func(stop <-chan struct{}, wg *sync.WaitGroup) {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			n := seq.Add(1)
			w := write{kind: "team", key: fmt.Sprintf("Fault team %d", n), start: time.Now()}
			if n%2 == 0 {
				w.kind, w.key = "invitation", fmt.Sprintf("fault-%d@riverside.example", n)
				w.r = request(admin, http.MethodPost, base+"/api/v1/org/invitations", fmt.Sprintf(`{"email":%q,"roles":["trainee"]}`, w.key))
			} else {
				w.r = request(admin, http.MethodPost, base+"/api/v1/org/teams", fmt.Sprintf(`{"name":%q}`, w.key))
			}
			w.end = time.Now()
			mu.Lock()
			writes = append(writes, w)
			mu.Unlock()
			time.Sleep(10 * time.Millisecond)
		}
	}

	for _, restart := range []struct {
		name string
		sig  syscall.Signal
	}{
		{"fast shutdown", syscall.SIGINT},
		{"immediate shutdown", syscall.SIGQUIT},
	} {
		mu.Lock()
		first := len(writes)
		mu.Unlock()
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range writers {
			wg.Add(1)
			go load(stop, &wg)
		}
		time.Sleep(time.Second)
		pg.stop(restart.sig)
		down := time.Now()
		time.Sleep(downFor / 3)
		r := request(probe, http.MethodGet, base+"/readyz", "")
		if r.status != http.StatusServiceUnavailable || !strings.Contains(string(r.body), `"postgres":"unreachable"`) || r.took > quick {
			t.Errorf("%s: /readyz with PostgreSQL down: got %d %s after %v, want 503 naming postgres within %v", restart.name, r.status, r.body, r.took, quick)
		}
		time.Sleep(time.Until(down.Add(downFor)))
		starting := time.Now()
		pg.start()
		up := time.Now()
		// The same server recovers: no restart, no operator.
		waitUntil(t, restart.name+": a write acknowledged after PostgreSQL returned", 15*time.Second, func() bool {
			mu.Lock()
			defer mu.Unlock()
			for _, w := range writes[first:] {
				if w.start.After(up) && w.r.status == http.StatusCreated {
					return true
				}
			}
			return false
		})
		time.Sleep(500 * time.Millisecond)
		close(stop)
		wg.Wait()

		var okBefore, okAfter, refused, problems int
		// problem reports the first few failures of this restart and counts the rest.
		problem := func(format string, args ...any) {
			t.Helper()
			if problems++; problems <= 10 {
				t.Errorf(restart.name+": "+format, args...)
			}
		}
		for _, w := range writes[first:] {
			switch {
			case w.r.err != nil:
				problem("%s %q: no answer after %v (%v), want one within %v", w.kind, w.key, w.r.took, w.r.err, quick)
			case w.r.status == http.StatusCreated:
				if w.end.Before(down) {
					okBefore++
				}
				if w.start.After(up) {
					okAfter++
				}
				if w.start.After(down) && w.end.Before(starting) {
					problem("%s %q acknowledged while PostgreSQL was down", w.kind, w.key)
				}
			case w.r.status == http.StatusServiceUnavailable:
				var e struct{ Error struct{ Code courses.Code } }
				if json.Unmarshal(w.r.body, &e) != nil || e.Error.Code != courses.Unavailable || w.r.header.Get("Retry-After") == "" {
					problem("%s %q: got 503 %s (Retry-After %q), want the unavailable envelope and Retry-After",
						w.kind, w.key, w.r.body, w.r.header.Get("Retry-After"))
				}
				if w.r.took > quick {
					problem("%s %q: 503 after %v, want within %v", w.kind, w.key, w.r.took, quick)
				}
				if w.start.After(down) && w.end.Before(starting) {
					refused++
				}
			default:
				problem("%s %q: got %d %s after %v, want 201 or 503", w.kind, w.key, w.r.status, w.r.body, w.r.took)
			}
		}
		if problems > 10 {
			t.Errorf("%s: and %d more problems", restart.name, problems-10)
		}
		t.Logf("%s: %d writes, %d acknowledged before, %d refused with 503 while down, %d acknowledged after",
			restart.name, len(writes)-first, okBefore, refused, okAfter)
		if okBefore == 0 || refused == 0 || okAfter == 0 {
			t.Errorf("%s: got %d writes acknowledged before, %d refused while down and %d acknowledged after; want some of each",
				restart.name, okBefore, refused, okAfter)
		}
	}

	if !serve.running() {
		t.Fatal("serve exited during the restarts")
	}
	if r := request(probe, http.MethodGet, base+"/readyz", ""); r.status != http.StatusOK {
		t.Errorf("/readyz after the restarts: got %d %s, want 200", r.status, r.body)
	}
	db, err := sqlx.Open("postgres", pg.url("peerpath"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var teams, invitations []string
	for _, w := range writes {
		switch {
		case w.r.status != http.StatusCreated:
		case w.kind == "team":
			teams = append(teams, w.key)
		default:
			invitations = append(invitations, w.key)
		}
	}
	// Every acknowledged write is there, and each invitation's email job went with it.
	var gotTeams, gotInvitations, gotJobs []string
	if err := db.Select(&gotTeams, `SELECT t.name FROM teams t JOIN organisations o ON o.id = t.org_id
		WHERE o.slug = 'riverside' AND t.name = ANY($1)`, pq.Array(teams)); err != nil {
		t.Fatal(err)
	}
	if err := db.Select(&gotInvitations, `SELECT i.email FROM invitations i JOIN organisations o ON o.id = i.org_id
		WHERE o.slug = 'riverside' AND i.email = ANY($1)`, pq.Array(invitations)); err != nil {
		t.Fatal(err)
	}
	if err := db.Select(&gotJobs, `SELECT payload->>'to' FROM outbox WHERE task_type = 'email:send' AND payload->>'to' = ANY($1)`,
		pq.Array(invitations)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what      string
		got, want []string
	}{{"teams", gotTeams, teams}, {"invitations", gotInvitations, invitations}, {"invitation email jobs", gotJobs, invitations}} {
		if missing := absent(c.want, c.got); len(missing) > 0 || len(c.got) != len(c.want) {
			t.Errorf("acknowledged %s: %d acknowledged, %d in the database; missing %q", c.what, len(c.want), len(c.got), missing)
		}
	}
	// And no job was lost on its way: once the relay has fed the queue, each invitation has been
	// delivered or waits in the queue. (A job that failed while PostgreSQL was down is retried
	// with asynq's backoff, which may be a minute away.)
	aopt, err := asynq.ParseRedisURI(vars["REDIS_URL"])
	if err != nil {
		t.Fatal(err)
	}
	inspector := asynq.NewInspector(aopt)
	t.Cleanup(func() { inspector.Close() })
	queue := vars["PEERPATH_QUEUE"]
	var missing, delivered []string
	var queued map[string]string // recipient → task state
	waitUntil(t, "every acknowledged invitation delivered or queued", 30*time.Second, func() bool {
		if count(t, db, `SELECT count(*) FROM outbox WHERE enqueued_at IS NULL`) > 0 {
			return false
		}
		queued = map[string]string{}
		for _, list := range []func(string, ...asynq.ListOption) ([]*asynq.TaskInfo, error){
			inspector.ListPendingTasks, inspector.ListActiveTasks, inspector.ListScheduledTasks, inspector.ListRetryTasks,
		} {
			tasks, err := list(queue, asynq.PageSize(10000))
			if err != nil {
				t.Fatal(err)
			}
			for _, ti := range tasks {
				var p worker.EmailSendPayload
				if ti.Type == worker.TypeEmailSend && json.Unmarshal(ti.Payload, &p) == nil {
					queued[p.To] = ti.State.String()
				}
			}
		}
		delivered = nil
		if err := db.Select(&delivered, `SELECT recipient FROM mail_deliveries WHERE recipient = ANY($1)`, pq.Array(invitations)); err != nil {
			t.Fatal(err)
		}
		missing = nil
		for _, e := range absent(invitations, delivered) {
			if queued[e] == "" {
				missing = append(missing, e)
			}
		}
		return len(missing) == 0
	})
	states := map[string]int{}
	for _, e := range absent(invitations, delivered) {
		states[queued[e]]++
	}
	t.Logf("%d invitations acknowledged: %d delivered, the others waiting in the queue %v", len(invitations), len(delivered), states)
	if archived, err := inspector.ListArchivedTasks(queue); err != nil || len(archived) > 0 {
		t.Errorf("archived tasks: got %d (%v), want none", len(archived), err)
	}
}

// TestFaultDuplicates sends the same forms twice at once and delivers the same tasks twice, and
// checks that each leaves one result.
func TestFaultDuplicates(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	ctx := context.Background()
	bin := mustBuild(t)
	app, dbURL := testdb.NewURL(t)
	store := courses.NewStore(app, time.Now)
	db := testdb.Owner(app)
	queue := testdb.Prefix(t)
	vars := map[string]string{
		"DATABASE_URL": dbURL, "REDIS_URL": testdb.RedisURL(), "PEERPATH_ADDR": "127.0.0.1:0",
		"PEERPATH_BASE_URL": "http://peerpath.test", "PEERPATH_DATA_DIR": t.TempDir(), "PEERPATH_QUEUE": queue,
		"PEERPATH_ENV": "development", "SMTP_URL": "",
	}
	mustSeedDemo(t, vars)
	mustImportCourse(t, vars, mustCourseDir(t, nil)) // one module and its quiz
	_, base := startServeBinary(t, bin, vars)
	trainee := mustLogin(t, base, "trainee2@riverside.example")
	const person = `(SELECT id FROM people WHERE email = 'trainee2@riverside.example')`
	course := base + "/api/v1/courses/riverside-induction"

	t.Run("ModuleCompleteTwice", func(t *testing.T) {
		a, b := twice(func() reply { return request(trainee, http.MethodPost, course+"/modules/welcome/complete", "") })
		if a.status != http.StatusOK || b.status != http.StatusOK {
			t.Errorf("got %d %s and %d %s, want 200 twice", a.status, a.body, b.status, b.body)
		}
		if got := count(t, db, `SELECT count(*) FROM enrolments WHERE person_id = `+person); got != 1 {
			t.Errorf("enrolments: got %d, want 1", got)
		}
		if got := count(t, db, `SELECT count(*) FROM module_progress m JOIN enrolments e ON e.id = m.enrolment_id
			WHERE e.person_id = `+person+` AND m.module_slug = 'welcome'`); got != 1 {
			t.Errorf("module progress rows: got %d, want 1", got)
		}
	})

	var attemptID string
	t.Run("AttemptStartTwice", func(t *testing.T) {
		a, b := twice(func() reply {
			return request(trainee, http.MethodPost, base+"/api/v1/quizzes/riverside-induction.welcome/attempts", "")
		})
		var x, y struct{ ID string }
		_ = json.Unmarshal(a.body, &x)
		_ = json.Unmarshal(b.body, &y)
		if got := []int{a.status, b.status}; !sameStatuses(got, http.StatusCreated, http.StatusOK) || x.ID == "" || x.ID != y.ID {
			t.Errorf("got %d %s and %d %s, want 201 and 200 with the same attempt", a.status, a.body, b.status, b.body)
		}
		if got := count(t, db, `SELECT count(*) FROM quiz_attempts WHERE person_id = `+person); got != 1 {
			t.Errorf("attempts: got %d, want 1", got)
		}
		attemptID = x.ID
	})

	t.Run("SubmitTwice", func(t *testing.T) {
		if attemptID == "" {
			t.Skip("no attempt")
		}
		a, b := twice(func() reply {
			return request(trainee, http.MethodPost, base+"/api/v1/attempts/"+attemptID+"/submit", `{"answers":{"q1":["a"]}}`)
		})
		if got := []int{a.status, b.status}; !sameStatuses(got, http.StatusOK, http.StatusConflict) {
			t.Errorf("got %d %s and %d %s, want 200 and 409", a.status, a.body, b.status, b.body)
		}
		if got := count(t, db, `SELECT count(*) FROM completions WHERE person_id = `+person); got != 1 {
			t.Errorf("completions: got %d, want 1", got)
		}
		waitUntil(t, "the certificate", 30*time.Second, func() bool {
			return count(t, db, `SELECT count(*) FROM certificates WHERE person_id = `+person) > 0
		})
		time.Sleep(time.Second)
		if got := count(t, db, `SELECT count(*) FROM certificates WHERE person_id = `+person); got != 1 {
			t.Errorf("certificates: got %d, want 1", got)
		}
	})

	t.Run("TeamCreateTwice", func(t *testing.T) {
		admin := mustLogin(t, base, "admin@riverside.example")
		a, b := twice(func() reply {
			return request(admin, http.MethodPost, base+"/api/v1/org/teams", `{"name":"Night shift"}`)
		})
		if got := []int{a.status, b.status}; !sameStatuses(got, http.StatusCreated, http.StatusConflict) {
			t.Errorf("got %d %s and %d %s, want 201 and 409", a.status, a.body, b.status, b.body)
		}
		if got := count(t, db, `SELECT count(*) FROM teams WHERE lower(name) = 'night shift'`); got != 1 {
			t.Errorf("teams: got %d, want 1", got)
		}
	})

	t.Run("InvitationAcceptTwice", func(t *testing.T) {
		var orgID string
		if err := db.Get(&orgID, `SELECT id FROM organisations WHERE slug = 'riverside'`); err != nil {
			t.Fatal(err)
		}
		_, token, err := store.CreateInvitation(ctx, orgID, "", courses.InvitationInput{Email: "twice@riverside.example", Roles: []string{"trainee"}})
		if err != nil {
			t.Fatal(err)
		}
		a, b := twice(func() reply {
			return request(&http.Client{Timeout: 10 * time.Second}, http.MethodPost, base+"/api/v1/invitations/"+token+"/accept",
				`{"name":"Tui Twice","password":"a long enough password"}`)
		})
		if got := []int{a.status, b.status}; !sameStatuses(got, http.StatusOK, http.StatusGone) {
			t.Errorf("got %d %s and %d %s, want 200 and 410", a.status, a.body, b.status, b.body)
		}
		if got := count(t, db, `SELECT count(*) FROM people WHERE email = 'twice@riverside.example'`); got != 1 {
			t.Errorf("people: got %d, want 1", got)
		}
	})

	aopt, err := asynq.ParseRedisURI(testdb.RedisURL())
	if err != nil {
		t.Fatal(err)
	}
	client := asynq.NewClient(aopt)
	t.Cleanup(func() { client.Close() })
	inspector := asynq.NewInspector(aopt)
	t.Cleanup(func() { inspector.Close() })
	// enqueueTwice puts the same task in the queue twice, back to back, so the worker's ten
	// goroutines are likely to run both copies at once.
	enqueueTwice := func(t *testing.T, task *asynq.Task) {
		for range 2 {
			if _, err := client.Enqueue(task, asynq.Queue(queue)); err != nil {
				t.Fatal(err)
			}
		}
	}
	drained := func() bool {
		q, err := inspector.GetQueueInfo(queue)
		return err == nil && q.Pending+q.Active+q.Scheduled+q.Retry == 0
	}

	t.Run("CertificateTaskTwice", func(t *testing.T) {
		const n = 5
		emails := mustAddTrainees(t, db, "twice-cert", n)
		// Completions without their outbox job: the test delivers each job, twice.
		var ids []string
		if err := db.Select(&ids, `
			WITH v AS (SELECT v.id, v.course_id FROM course_versions v JOIN courses c ON c.id = v.course_id
				WHERE c.slug = 'riverside-induction' ORDER BY v.version DESC LIMIT 1),
			e AS (INSERT INTO enrolments (org_id, person_id, course_id, course_version_id, started_at, completed_at)
				SELECT p.org_id, p.id, v.course_id, v.id, now() - interval '1 hour', now()
				FROM people p, v WHERE p.email = ANY($1)
				RETURNING id, org_id, person_id, course_id, course_version_id, completed_at)
			INSERT INTO completions (org_id, person_id, course_id, course_version_id, enrolment_id, completed_at)
			SELECT org_id, person_id, course_id, course_version_id, id, completed_at FROM e RETURNING id`, pq.Array(emails)); err != nil {
			t.Fatal(err)
		}
		if len(ids) != n {
			t.Fatalf("completions made: got %d, want %d", len(ids), n)
		}
		for _, id := range ids {
			task, err := worker.NewCertificateIssueTask(worker.CertificateIssuePayload{CompletionID: id})
			if err != nil {
				t.Fatal(err)
			}
			enqueueTwice(t, task)
		}
		waitUntil(t, "every task run", 30*time.Second, func() bool {
			return drained() && count(t, db, `SELECT count(*) FROM certificates WHERE completion_id = ANY($1)`, pq.Array(ids)) == n
		})
		if got := count(t, db, `SELECT count(*) FROM certificates WHERE completion_id = ANY($1)`, pq.Array(ids)); got != n {
			t.Errorf("certificates: got %d, want %d", got, n)
		}
		waitUntil(t, "the certificate emails", 30*time.Second, func() bool {
			return count(t, db, `SELECT count(*) FROM mail_deliveries WHERE recipient = ANY($1)`, pq.Array(emails)) == n
		})
		sent := mailTo(t, vars["PEERPATH_DATA_DIR"], "Your certificate for Riverside induction is ready")
		for _, e := range emails {
			if sent[e] != 1 {
				t.Errorf("certificate emails to %s: got %d, want 1", e, sent[e])
			}
		}
	})

	t.Run("EmailTaskTwice", func(t *testing.T) {
		const n = 10
		var keys []string
		for i := range n {
			p := worker.EmailSendPayload{Key: fmt.Sprintf("fault-twice-%d", i), To: fmt.Sprintf("twice-%d@example.org", i),
				Template: "password_reset", Data: map[string]string{"link": "http://peerpath.test/reset/x", "minutes": "30"}}
			task, err := worker.NewEmailSendTask(p)
			if err != nil {
				t.Fatal(err)
			}
			enqueueTwice(t, task)
			keys = append(keys, p.Key)
		}
		waitUntil(t, "every task run", 30*time.Second, func() bool {
			return drained() && count(t, db, `SELECT count(*) FROM mail_deliveries WHERE key = ANY($1)`, pq.Array(keys)) == n
		})
		sent := mailTo(t, vars["PEERPATH_DATA_DIR"], "Reset your Peerpath password")
		for i := range n {
			if to := fmt.Sprintf("twice-%d@example.org", i); sent[to] != 1 {
				t.Errorf("emails to %s: got %d, want 1", to, sent[to])
			}
		}
	})
}

// twice runs f twice at the same moment and returns both answers.
func twice(f func() reply) (reply, reply) {
	var a, b reply
	var wg sync.WaitGroup
	start := make(chan struct{})
	wg.Add(2)
	go func() { defer wg.Done(); <-start; a = f() }()
	go func() { defer wg.Done(); <-start; b = f() }()
	close(start)
	wg.Wait()
	return a, b
}

// sameStatuses reports whether got holds the statuses want, in any order.
func sameStatuses(got []int, want ...int) bool {
	got, want = slices.Clone(got), slices.Clone(want)
	slices.Sort(got)
	slices.Sort(want)
	return slices.Equal(got, want)
}

// reply is what one request got: its status, headers and body, or the error that stopped it,
// and how long it took.
type reply struct {
	status int
	header http.Header
	body   []byte
	err    error
	took   time.Duration
}

// request sends a request with a JSON body (none when "") and returns what came back; unlike
// send it never fails the test, so load goroutines can use it.
func request(c *http.Client, method, url, body string) reply {
	start := time.Now()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return reply{err: err}
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return reply{err: err, took: time.Since(start)}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: b, err: err, took: time.Since(start)}
}

// mustLogin signs in as email with the demo password and returns a client holding the session.
func mustLogin(t *testing.T, base, email string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	send(t, c, http.MethodPost, base+"/api/v1/auth/login", fmt.Sprintf(`{"email":%q,"password":%q}`, email, courses.DefaultDemoPassword), 200, nil)
	return c
}

// mustSeedDemo migrates the database in vars and loads the demo organisations.
func mustSeedDemo(t *testing.T, vars map[string]string) {
	t.Helper()
	if code, _, errOut := mainOutput(t, envFrom(vars), "demo"); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, errOut)
	}
}

// mustImportCourse imports the course folder dir as Riverside's own.
func mustImportCourse(t *testing.T, vars map[string]string, dir string) {
	t.Helper()
	if code, out, errOut := mainOutput(t, envFrom(vars), "courses", "import", dir, "--org", "riverside"); code != 0 {
		t.Fatalf("courses import: exit %d: %s %s", code, out, errOut)
	}
}

// mustAddTrainees adds n trainees to Riverside, who sign in with the demo password, and returns
// their emails.
func mustAddTrainees(t *testing.T, db *sqlx.DB, prefix string, n int) []string {
	t.Helper()
	emails := make([]string, n)
	for i := range emails {
		emails[i] = fmt.Sprintf("%s-%d@riverside.example", prefix, i+1)
	}
	// They share the demo trainee's password hash: hashing it n times would only slow the test.
	if _, err := db.Exec(`
		INSERT INTO people (org_id, email, name, password_hash, roles)
		SELECT p.org_id, e, 'Learner ' || e, p.password_hash, '{trainee}'
		FROM people p, unnest($1::text[]) e WHERE p.email = 'trainee1@riverside.example'`, pq.Array(emails)); err != nil {
		t.Fatal(err)
	}
	return emails
}

// mailTo counts the messages with subject in the development mailbox under dataDir, by
// recipient.
func mailTo(t *testing.T, dataDir, subject string) map[string]int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dataDir, "mail", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m struct{ To, Subject string }
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if m.Subject == subject {
			n[m.To]++
		}
	}
	return n
}

// count runs a query that returns one number.
func count(t *testing.T, db *sqlx.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Get(&n, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// absent returns the items of want that are not in got.
func absent(want, got []string) []string {
	var out []string
	for _, w := range want {
		if !slices.Contains(got, w) {
			out = append(out, w)
		}
	}
	return out
}

// waitUntil polls ok until it holds, failing the test after within.
func waitUntil(t *testing.T, what string, within time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// mustBuild builds the peerpath binary and returns its path.
func mustBuild(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "peerpath")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// lookBinary returns the path of a server program the test needs, skipping the test without it.
func lookBinary(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed: this test runs a private one that it can stop and start", name)
	}
	return p
}

// freePort returns a loopback port nothing listens on. It is taken below the kernel's range for
// outgoing connections, so no client can be given it while a stopped server is down.
func freePort(t *testing.T) int {
	t.Helper()
	for range 100 {
		p := 20000 + rand.IntN(10000)
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err == nil {
			ln.Close()
			return p
		}
	}
	t.Fatal("no free port between 20000 and 30000")
	return 0
}

// procEnv is the test's environment with vars set, for a child process.
func procEnv(vars map[string]string) []string {
	env := os.Environ()
	for k, v := range vars {
		env = append(env, k+"="+v) // the last of duplicate keys wins
	}
	return env
}

// child is a process the test started. It is stopped when the test ends, and its output is
// shown when the test failed.
type child struct {
	name string
	cmd  *exec.Cmd
	out  lockedBuffer
	done chan struct{} // closed when it has exited
}

// startChild starts bin; quit is the signal that asks it to stop.
func startChild(t *testing.T, name string, env []string, cred *syscall.Credential, quit syscall.Signal, bin string, args ...string) *child {
	t.Helper()
	c := &child{name: name, cmd: exec.Command(bin, args...), done: make(chan struct{})}
	c.cmd.Env = env
	c.cmd.Stdout, c.cmd.Stderr = &c.out, &c.out
	if cred != nil {
		c.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		_ = c.cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() {
		c.stop(quit, 20*time.Second)
		if t.Failed() {
			out := c.out.String()
			if len(out) > 6000 {
				out = "…" + out[len(out)-6000:]
			}
			t.Logf("%s (pid %d) output:\n%s", name, c.cmd.Process.Pid, out)
		}
	})
	return c
}

// stop sends sig and waits for the process to exit, killing it after timeout. It reports
// whether the process exited by itself.
func (c *child) stop(sig syscall.Signal, timeout time.Duration) bool {
	if !c.running() {
		return true
	}
	_ = c.cmd.Process.Signal(sig)
	select {
	case <-c.done:
		return true
	case <-time.After(timeout):
		_ = c.cmd.Process.Kill()
		<-c.done
		return false
	}
}

func (c *child) running() bool {
	select {
	case <-c.done:
		return false
	default:
		return true
	}
}

// startServeBinary runs `peerpath serve` with args and returns it and its base URL once it
// listens.
func startServeBinary(t *testing.T, bin string, vars map[string]string, args ...string) (*child, string) {
	t.Helper()
	c := startChild(t, "peerpath serve", procEnv(vars), nil, syscall.SIGTERM, bin, append([]string{"serve"}, args...)...)
	serving := regexp.MustCompile(`is serving on (http://\S+)`)
	var base string
	waitUntil(t, "serve listening", 60*time.Second, func() bool {
		if m := serving.FindStringSubmatch(c.out.String()); m != nil {
			base = m[1]
			return true
		}
		if !c.running() {
			t.Fatalf("serve exited:\n%s", c.out.String())
		}
		return false
	})
	return c, base
}

// privateRedis is a redis-server of the test's own.
type privateRedis struct {
	t    *testing.T
	bin  string
	port int
	dir  string
	proc *child
}

func startPrivateRedis(t *testing.T) *privateRedis {
	t.Helper()
	r := &privateRedis{t: t, bin: lookBinary(t, "redis-server"), port: freePort(t), dir: t.TempDir()}
	r.start()
	return r
}

func (r *privateRedis) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

// start runs Redis with an append-only file written at every change, as docs/operations.md asks
// of a deployment, so tasks queued before a stop are there after it.
func (r *privateRedis) start() {
	r.t.Helper()
	r.proc = startChild(r.t, "redis-server", os.Environ(), nil, syscall.SIGTERM, r.bin, "--port", strconv.Itoa(r.port),
		"--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", r.dir)
	opt, _ := redis.ParseURL(r.url())
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	waitUntil(r.t, "redis-server answering", 10*time.Second, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		return rdb.Ping(ctx).Err() == nil
	})
}

func (r *privateRedis) stop() {
	r.t.Helper()
	if !r.proc.stop(syscall.SIGTERM, 10*time.Second) {
		r.t.Fatal("redis-server did not stop within 10 s")
	}
}

// privatePostgres is a PostgreSQL cluster of the test's own, with trust authentication for
// the postgres user.
type privatePostgres struct {
	t    *testing.T
	bin  string
	dir  string // holds the cluster in data/ and the server's Unix socket
	port int
	cred *syscall.Credential
	proc *child
}

func startPrivatePostgres(t *testing.T) *privatePostgres {
	t.Helper()
	initdb := lookBinary(t, "initdb")
	p := &privatePostgres{t: t, bin: lookBinary(t, "postgres"), port: freePort(t)}
	// Not t.TempDir: when the test runs as root, the server runs as another user, who must be
	// able to reach the folder.
	dir, err := os.MkdirTemp("", "peerpath-fault-pg-")
	if err != nil {
		t.Fatal(err)
	}
	p.dir = dir
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root: run it as the account its packages create.
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("running as root, and there is no postgres account to run a private PostgreSQL as")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		p.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	cmd := exec.Command(initdb, "-D", filepath.Join(dir, "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync")
	if p.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: p.cred}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	p.start()
	return p
}

func (p *privatePostgres) url(database string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", p.port, database)
}

// start runs the server (SIGINT, its fast shutdown, stops it when the test ends) and waits
// until it accepts connections.
func (p *privatePostgres) start() {
	p.t.Helper()
	p.proc = startChild(p.t, "postgres", os.Environ(), p.cred, syscall.SIGINT, p.bin, "-D", filepath.Join(p.dir, "data"),
		"-p", strconv.Itoa(p.port), "-k", p.dir, "-c", "listen_addresses=127.0.0.1")
	db, err := sql.Open("postgres", p.url("postgres"))
	if err != nil {
		p.t.Fatal(err)
	}
	defer db.Close()
	waitUntil(p.t, "PostgreSQL accepting connections", 30*time.Second, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		return db.PingContext(ctx) == nil
	})
}

// stop shuts the server down with sig: SIGINT is PostgreSQL's fast shutdown (sessions are ended
// and a checkpoint written), SIGQUIT its immediate one (everything stops at once, and the next
// start recovers from the write-ahead log, as after a crash).
func (p *privatePostgres) stop(sig syscall.Signal) {
	p.t.Helper()
	if !p.proc.stop(sig, 30*time.Second) {
		p.t.Fatal("postgres did not stop within 30 s")
	}
}

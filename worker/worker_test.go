package worker_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"peerpath/courses"
	"peerpath/migrations/testdb"
	"peerpath/worker"
	"peerpath/worker/mail"
	"peerpath/worker/mail/smtptest"
)

type env struct {
	store *courses.Store
	org   *courses.Organisation
	queue string
	redis asynq.RedisConnOpt
	smtp  *smtptest.Server
	log   *slog.Logger
}

func mustEnv(tb testing.TB) *env {
	tb.Helper()
	store := courses.NewStore(testdb.New(tb), nil)
	store.BaseURL = "http://peerpath.test"
	org := &courses.Organisation{Name: "Riverside Peer Network", Slug: "riverside"}
	if err := store.CreateOrganisation(context.Background(), org); err != nil {
		tb.Fatal(err)
	}
	opt, err := asynq.ParseRedisURI(testdb.RedisURL())
	if err != nil {
		tb.Fatal(err)
	}
	return &env{store: store, org: org, queue: testdb.Prefix(tb), redis: opt, smtp: smtptest.New(tb),
		log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

func (e *env) worker(tb testing.TB) *worker.Worker {
	tb.Helper()
	s, err := mail.NewSMTP(e.smtp.URL())
	if err != nil {
		tb.Fatal(err)
	}
	return worker.New(worker.Config{Store: e.store, Redis: e.redis, Queue: e.queue, Sender: s, Logger: e.log,
		RelayInterval: 20 * time.Millisecond, ShutdownTimeout: 5 * time.Second})
}

// run starts the worker and stops it when the test ends.
func (e *env) run(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := e.worker(tb).Run(ctx); err != nil {
			tb.Errorf("worker: %v", err)
		}
	}()
	tb.Cleanup(func() { cancel(); wg.Wait() })
}

func (e *env) invite(tb testing.TB, email string) {
	tb.Helper()
	if _, _, err := e.store.CreateInvitation(context.Background(), e.org.ID, "", courses.InvitationInput{Email: email, Roles: []string{"trainee"}}); err != nil {
		tb.Fatal(err)
	}
}

type outboxRow struct {
	Pending   bool   `db:"pending"`
	Attempts  int    `db:"attempts"`
	LastError string `db:"last_error"`
}

func (e *env) outbox(tb testing.TB) []outboxRow {
	tb.Helper()
	var rows []outboxRow
	if err := testdb.Owner(e.store.DB()).Select(&rows, `SELECT enqueued_at IS NULL AS pending, attempts, last_error FROM outbox ORDER BY id`); err != nil {
		tb.Fatal(err)
	}
	return rows
}

// A change committed while Redis is unreachable keeps its job in the outbox, and the job runs
// once Redis is back: nothing acknowledged is lost.
func TestOutboxSurvivesRedisOutage(t *testing.T) {
	e := mustEnv(t)
	e.invite(t, "new.person@example.org")

	down := asynq.NewClient(asynq.RedisClientOpt{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond})
	defer down.Close()
	relay := &worker.Relay{Store: e.store, Client: down, Queue: e.queue, Logger: e.log, Types: []string{worker.TypeEmailSend}}
	for i := 0; i < 3; i++ {
		n, err := relay.RelayOnce(context.Background())
		if err != nil || n != 0 {
			t.Fatalf("relay with Redis down: got %d, %v; want 0, nil", n, err)
		}
	}
	rows := e.outbox(t)
	if len(rows) != 1 || !rows[0].Pending || rows[0].Attempts != 3 || rows[0].LastError == "" {
		t.Fatalf("outbox after outage: got %+v, want one pending row with 3 attempts and an error", rows)
	}

	e.run(t)
	got := e.smtp.Wait(t, 1, 10*time.Second)
	if got[0].To[0] != "new.person@example.org" || !strings.Contains(got[0].Body, "http://peerpath.test/invite/") {
		t.Errorf("mail: got to %v body %q, want the invitation link to new.person@example.org", got[0].To, got[0].Body)
	}
	waitFor(t, func() bool { r := e.outbox(t); return len(r) == 1 && !r[0].Pending })
}

// The same outbox row relayed twice (a crash between enqueue and commit) is one task.
func TestRelayDuplicateIsOneTask(t *testing.T) {
	e := mustEnv(t)
	e.invite(t, "twice@example.org")
	client := asynq.NewClient(e.redis)
	defer client.Close()
	relay := &worker.Relay{Store: e.store, Client: client, Queue: e.queue, Logger: e.log, Types: []string{worker.TypeEmailSend}}
	for i := 0; i < 2; i++ {
		if n, err := relay.RelayOnce(context.Background()); err != nil || n != 1 {
			t.Fatalf("relay %d: got %d, %v; want 1, nil", i, n, err)
		}
		if _, err := testdb.Owner(e.store.DB()).Exec(`UPDATE outbox SET enqueued_at = NULL`); err != nil {
			t.Fatal(err)
		}
	}
	info, err := asynq.NewInspector(e.redis).GetQueueInfo(e.queue)
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != 1 {
		t.Errorf("queue size: got %d, want 1", info.Size)
	}
}

func TestEmailSend(t *testing.T) {
	e := mustEnv(t)
	w := e.worker(t)
	task, err := worker.NewEmailSendTask(worker.EmailSendPayload{Key: "k1", To: "lee@example.org", Template: "password_reset",
		Data: map[string]string{"link": "http://x/reset/T", "minutes": "60"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	t.Run("SMTPOutageRetries", func(t *testing.T) {
		e.smtp.SetRefuse(true)
		err := w.Mux().ProcessTask(ctx, task)
		e.smtp.SetRefuse(false)
		if err == nil || errors.Is(err, asynq.SkipRetry) {
			t.Fatalf("got %v, want a retryable error", err)
		}
		if done, _ := e.store.MailDelivered(ctx, "k1"); done {
			t.Fatal("delivery recorded for a refused message")
		}
	})
	t.Run("DeliveredOnceWhenRunTwice", func(t *testing.T) {
		for i := 0; i < 2; i++ {
			if err := w.Mux().ProcessTask(ctx, task); err != nil {
				t.Fatalf("run %d: %v", i, err)
			}
		}
		if got := len(e.smtp.Messages()); got != 1 {
			t.Errorf("messages: got %d, want 1", got)
		}
	})
	t.Run("ErrBadPayloadSkipsRetry", func(t *testing.T) {
		for _, p := range []string{"{", `{"key":"","to":"x@example.org"}`, `{"key":"k2","to":"x@example.org","template":"nope"}`} {
			err := w.Mux().ProcessTask(ctx, asynq.NewTask(worker.TypeEmailSend, []byte(p)))
			if !errors.Is(err, asynq.SkipRetry) {
				t.Errorf("payload %s: got %v, want SkipRetry", p, err)
			}
		}
	})
}

// Two schedulers ticking in the same hour queue the hourly task once.
func TestSchedulerOncePerPeriod(t *testing.T) {
	e := mustEnv(t)
	client := asynq.NewClient(e.redis)
	defer client.Close()
	now := time.Date(2026, 11, 23, 9, 10, 0, 0, time.UTC)
	newSched := func() *worker.Scheduler {
		return &worker.Scheduler{Client: client, Queue: e.queue, Logger: e.log, Now: func() time.Time { return now },
			Entries: []worker.Periodic{{Every: time.Hour, Task: worker.NewSessionCleanupTask}}}
	}
	a, b := newSched(), newSched()
	for _, s := range []*worker.Scheduler{a, b, a} {
		if err := s.TickOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	insp := asynq.NewInspector(e.redis)
	size := func() int {
		info, err := insp.GetQueueInfo(e.queue)
		if err != nil {
			t.Fatal(err)
		}
		return info.Size
	}
	if got := size(); got != 1 {
		t.Errorf("after three ticks in one hour: got %d tasks, want 1", got)
	}
	now = now.Add(time.Hour)
	if err := b.TickOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := size(); got != 2 {
		t.Errorf("after the next hour: got %d tasks, want 2", got)
	}
}

func waitFor(tb testing.TB, ok func() bool) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			tb.Fatal("condition not met within 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

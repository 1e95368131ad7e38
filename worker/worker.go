package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"peerpath/courses"
	"peerpath/worker/credential"
	"peerpath/worker/mail"
)

// Config is what the worker needs.
type Config struct {
	Store       *courses.Store
	Redis       asynq.RedisConnOpt
	Queue       string // default "default"; tests use their own
	Sender      mail.Sender
	Logger      *slog.Logger
	Concurrency int
	// ShutdownTimeout bounds how long running tasks may take to finish at shutdown.
	ShutdownTimeout time.Duration
	// RelayInterval is how often the relay polls an empty outbox.
	RelayInterval time.Duration
	// Signer signs certificate credentials; without one this worker does not issue certificates
	// and leaves those jobs in the outbox.
	Signer *credential.Signer
	// BaseURL is where the app is reached; credentials and verification links start with it.
	BaseURL string
	// SweepAfter is how old a completion without a certificate must be before the sweep queues
	// its issue again (default 5 minutes: well past a normal issue's seconds).
	SweepAfter time.Duration
}

// Worker processes tasks, relays the outbox and runs the scheduler.
type Worker struct {
	cfg    Config
	client *asynq.Client
}

// New returns a Worker.
func New(cfg Config) *Worker {
	if cfg.Queue == "" {
		cfg.Queue = "default"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = 10
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = 10 * time.Second
	}
	return &Worker{cfg: cfg, client: asynq.NewClient(cfg.Redis)}
}

// Types lists the task types this worker handles.
func (w *Worker) Types() []string {
	types := []string{TypeEmailSend, TypeSessionCleanup}
	if w.cfg.Signer != nil {
		types = append(types, TypeCertificateIssue)
	}
	return types
}

// Mux returns the task handlers.
func (w *Worker) Mux() *asynq.ServeMux {
	mux := asynq.NewServeMux()
	mux.HandleFunc(TypeEmailSend, w.handleEmailSend)
	mux.HandleFunc(TypeSessionCleanup, w.handleSessionCleanup)
	mux.HandleFunc(TypeReminderScan, w.handleReminderScan)
	if w.cfg.Signer != nil {
		mux.HandleFunc(TypeCertificateIssue, w.handleCertificateIssue)
		mux.HandleFunc(TypeCertificateSweep, w.handleCertificateSweep)
	}
	return mux
}

// Run processes tasks, relays the outbox and schedules periodic tasks until ctx ends, then lets
// running tasks finish within the shutdown timeout.
func (w *Worker) Run(ctx context.Context) error {
	defer w.client.Close()
	srv := asynq.NewServer(w.cfg.Redis, asynq.Config{
		Concurrency:     w.cfg.Concurrency,
		Queues:          map[string]int{w.cfg.Queue: 1},
		ShutdownTimeout: w.cfg.ShutdownTimeout,
		Logger:          asynqLogger{w.cfg.Logger},
		LogLevel:        asynq.WarnLevel,
	})
	if err := srv.Start(w.Mux()); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	relay := &Relay{Store: w.cfg.Store, Client: w.client, Queue: w.cfg.Queue, Logger: w.cfg.Logger, Interval: w.cfg.RelayInterval, Types: w.Types()}
	sched := &Scheduler{Client: w.client, Queue: w.cfg.Queue, Logger: w.cfg.Logger, Now: w.cfg.Store.Now,
		Entries: []Periodic{{Every: time.Hour, Task: NewSessionCleanupTask}, {Every: time.Hour, Task: NewReminderScanTask}}}
	if w.cfg.Signer != nil {
		sched.Entries = append(sched.Entries, Periodic{Every: 15 * time.Minute, Task: NewCertificateSweepTask})
		// A worker that starts after a crash, or after Redis lost its queue, puts back at once
		// the certificates whose tasks went missing.
		if err := w.handleCertificateSweep(ctx, nil); err != nil {
			w.cfg.Logger.Warn("certificate sweep at start", "err", err)
		}
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); relay.Run(ctx) }()
	go func() { defer wg.Done(); sched.Run(ctx) }()
	<-ctx.Done()
	wg.Wait()
	srv.Shutdown()
	return nil
}

// handleEmailSend renders and delivers one email, once: a delivery already recorded for the
// message's key is not repeated, and two runs at once send it once.
func (w *Worker) handleEmailSend(ctx context.Context, t *asynq.Task) error {
	var p EmailSendPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.Key == "" || p.To == "" {
		return fmt.Errorf("email:send payload: %v: %w", err, asynq.SkipRetry)
	}
	done, err := w.cfg.Store.MailDelivered(ctx, p.Key)
	if err != nil || done {
		return err
	}
	m, err := mail.Render(p)
	if err != nil {
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	_, err = w.cfg.Store.DeliverMail(ctx, p.Key, p.To, func(ctx context.Context) error { return w.cfg.Sender.Send(ctx, m) })
	return err
}

// handleCertificateIssue issues the certificate of one completion. Running it twice, or twice at
// once, leaves one certificate: the completion id is unique among certificates.
func (w *Worker) handleCertificateIssue(ctx context.Context, t *asynq.Task) error {
	var p CertificateIssuePayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.CompletionID == "" {
		return fmt.Errorf("certificate:issue payload: %v: %w", err, asynq.SkipRetry)
	}
	draft, existing, err := w.cfg.Store.DraftCertificate(ctx, p.CompletionID)
	if courses.ErrorCode(err) == courses.NotFound {
		return fmt.Errorf("completion %s: %w", p.CompletionID, asynq.SkipRetry)
	}
	if err != nil || existing != nil {
		return err
	}
	jwt, err := w.cfg.Signer.Sign(credential.OpenBadge(draft, w.cfg.BaseURL))
	if err != nil {
		return fmt.Errorf("sign certificate %s: %w", draft.ID, err)
	}
	draft.Credential, draft.KeyID = jwt, w.cfg.Signer.KeyID()
	_, err = w.cfg.Store.CreateCertificate(ctx, draft)
	return err
}

// handleCertificateSweep queues the issue of certificates whose task was lost.
func (w *Worker) handleCertificateSweep(ctx context.Context, _ *asynq.Task) error {
	after := w.cfg.SweepAfter
	if after <= 0 {
		after = 5 * time.Minute
	}
	n, err := w.cfg.Store.RequeueMissingCertificates(ctx, w.cfg.Store.Now().Add(-after))
	if n > 0 {
		w.cfg.Logger.Info("certificates queued again", "count", n)
	}
	return err
}

func (w *Worker) handleSessionCleanup(ctx context.Context, _ *asynq.Task) error {
	if _, err := w.cfg.Store.DeleteExpiredSessions(ctx); err != nil {
		return err
	}
	_, err := w.cfg.Store.DeleteRelayedOutbox(ctx)
	return err
}

// asynqLogger sends asynq's own logs to slog.
type asynqLogger struct{ l *slog.Logger }

func (a asynqLogger) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Info(args ...any)  { a.l.Info(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Error(args ...any) { a.l.Error(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Fatal(args ...any) { a.l.Error(fmt.Sprint(args...), "component", "asynq") }

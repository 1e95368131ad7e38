package worker

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
)

// Periodic is a task enqueued once per period.
type Periodic struct {
	Every time.Duration
	Task  func() *asynq.Task
}

// Scheduler enqueues periodic tasks. Every server may run one: a task's id carries its period
// (e.g. session:cleanup:2026-11-23T09:00:00Z), so however many schedulers tick, each period's
// task is queued once.
type Scheduler struct {
	Client  *asynq.Client
	Queue   string
	Logger  *slog.Logger
	Entries []Periodic
	Tick    time.Duration
	Now     func() time.Time
}

// TickOnce enqueues the current period's task of every entry.
func (s *Scheduler) TickOnce(ctx context.Context) error {
	now := s.Now().UTC()
	var errs []error
	for _, e := range s.Entries {
		t := e.Task()
		id := t.Type() + ":" + now.Truncate(e.Every).Format(time.RFC3339)
		_, err := s.Client.EnqueueContext(ctx, t, asynq.TaskID(id), asynq.Queue(s.Queue), asynq.Retention(2*e.Every))
		if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Run ticks until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	tick := s.Tick
	if tick == 0 {
		tick = 30 * time.Second
	}
	for {
		if err := s.TickOnce(ctx); err != nil && ctx.Err() == nil {
			s.Logger.Warn("scheduler could not enqueue", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(tick):
		}
	}
}

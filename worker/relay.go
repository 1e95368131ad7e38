package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"peerpath/courses"
)

// Relay moves outbox rows into the queue. It is safe to run one in every process: rows are
// claimed with SKIP LOCKED and each row's id is its task id, so a row sent twice (after a crash
// between enqueue and commit) is refused by asynq as a duplicate.
type Relay struct {
	Store    *courses.Store
	Client   *asynq.Client
	Queue    string
	Logger   *slog.Logger
	Interval time.Duration
	Batch    int
	// Types are the task types this process can run; rows of other types stay in the outbox
	// until a worker that knows them relays them (a rolling upgrade loses nothing).
	Types []string
}

// RelayOnce sends one batch and returns how many rows were queued.
func (r *Relay) RelayOnce(ctx context.Context) (int, error) {
	batch := r.Batch
	if batch == 0 {
		batch = 100
	}
	return r.Store.RelayOutbox(ctx, batch, r.Types, func(it courses.OutboxItem) error {
		opts := append([]asynq.Option{asynq.TaskID(it.TaskID()), asynq.Queue(r.Queue)}, options[it.TaskType]...)
		_, err := r.Client.EnqueueContext(ctx, asynq.NewTask(it.TaskType, it.Payload), opts...)
		if errors.Is(err, asynq.ErrTaskIDConflict) || errors.Is(err, asynq.ErrDuplicateTask) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("enqueue %s: %w", it.TaskID(), err)
		}
		return nil
	})
}

// Run relays until ctx ends. While the queue is unreachable rows wait in PostgreSQL and are sent
// when it returns.
func (r *Relay) Run(ctx context.Context) {
	interval := r.Interval
	if interval == 0 {
		interval = 250 * time.Millisecond
	}
	failing := false
	for {
		n, err := r.RelayOnce(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			if !failing {
				r.Logger.Warn("outbox relay failing; rows wait in the database", "err", err)
			}
			failing = true
		case err == nil && failing:
			r.Logger.Info("outbox relay recovered")
			failing = false
		}
		if n > 0 && err == nil {
			continue // more may be waiting
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

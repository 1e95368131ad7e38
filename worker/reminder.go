package worker

import (
	"context"

	"github.com/hibiken/asynq"

	"peerpath/courses"
)

// handleReminderScan writes the daily digests of the organisations where it is digest time. The
// digests' emails leave through the outbox as email:send tasks, so an SMTP outage delays them
// without losing any. Running it twice, or in two workers at once, sends nothing twice: each
// reminder and each person's digest for the day has a unique key.
func (w *Worker) handleReminderScan(ctx context.Context, _ *asynq.Task) error {
	res, err := w.cfg.Store.ScanReminders(ctx, courses.ScanOptions{})
	if res.Digests > 0 || err != nil {
		w.cfg.Logger.InfoContext(ctx, "reminder scan", "organisations", res.Organisations, "digests", res.Digests,
			"reminders", res.Reminders, "err", err)
	}
	return err
}

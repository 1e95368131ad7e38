package courses

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// TaskEmailSend is the outbox task type that delivers one email.
const TaskEmailSend = "email:send"

// Email is the payload of an email:send task. Template names a message the worker knows how to
// render; Data fills it in.
type Email struct {
	// Key identifies this message for de-duplication: the worker sends each key once.
	Key      string            `json:"key"`
	To       string            `json:"to"`
	ToName   string            `json:"to_name,omitempty"`
	Template string            `json:"template"`
	OrgName  string            `json:"org_name,omitempty"`
	Data     map[string]string `json:"data"`
	// Invite, when set, goes with the message as a calendar (.ics) attachment.
	Invite *CalendarInvite `json:"invite,omitempty"`
}

// OutboxItem is one follow-up job waiting to be queued.
type OutboxItem struct {
	ID       int64           `db:"id"`
	TaskType string          `db:"task_type"`
	Payload  json.RawMessage `db:"payload"`
}

// TaskID is the queue's id for the item: a second enqueue of the same row is a duplicate, not a
// second job.
func (it OutboxItem) TaskID() string { return fmt.Sprintf("outbox:%d", it.ID) }

// addOutbox writes a follow-up job inside the transaction of the change that needs it. In a
// tenant transaction orgID must be that transaction's organisation: row-level security refuses
// any other, and a row without one. Only a system transaction may write orgID "" (mail to an
// operator, who belongs to no organisation).
func addOutbox(ctx context.Context, tx *sqlx.Tx, taskType, orgID string, payload any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("outbox payload: %w", err)
	}
	var org any
	if orgID != "" {
		org = orgID
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO outbox (task_type, payload, org_id) VALUES ($1, $2, $3)`, taskType, b, org)
	return dbError(err)
}

// RelayOutbox hands up to limit waiting items of the given task types, oldest first, to send,
// and marks each one sent succeeds for. Items of other types wait for a worker that knows them. It stops at the first failure (the queue is likely down) and records it on the
// item. Rows are locked with SKIP LOCKED, so several relays can run at once without sending an
// item twice at the same time; send must treat a duplicate task id as success.
func (s *Store) RelayOutbox(ctx context.Context, limit int, types []string, send func(OutboxItem) error) (int, error) {
	sent := 0
	// The relay moves every organisation's items.
	err := s.sysTx(ctx, func(tx *sqlx.Tx) error {
		var items []OutboxItem
		if err := tx.SelectContext(ctx, &items, `
			SELECT id, task_type, payload FROM outbox
			WHERE enqueued_at IS NULL AND task_type = ANY($2) ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
			limit, pq.StringArray(types)); err != nil {
			return dbError(err)
		}
		for _, it := range items {
			if err := send(it); err != nil {
				_, uerr := tx.ExecContext(ctx, `
					UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1`,
					it.ID, truncate(err.Error(), 500))
				if uerr != nil {
					return dbError(uerr)
				}
				return nil
			}
			if _, err := tx.ExecContext(ctx, `
				UPDATE outbox SET enqueued_at = $2, attempts = attempts + 1, last_error = '' WHERE id = $1`,
				it.ID, s.Now()); err != nil {
				return dbError(err)
			}
			sent++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return sent, nil
}

// OutboxBacklog returns how many items wait to be queued and the age of the oldest.
func (s *Store) OutboxBacklog(ctx context.Context) (int, time.Duration, error) {
	var row struct {
		N      int        `db:"n"`
		Oldest *time.Time `db:"oldest"`
	}
	err := s.sysTx(ctx, func(tx *sqlx.Tx) error {
		return dbError(tx.GetContext(ctx, &row, `
			SELECT count(*) AS n, min(created_at) AS oldest FROM outbox WHERE enqueued_at IS NULL`))
	})
	if err != nil {
		return 0, 0, err
	}
	var age time.Duration
	if row.Oldest != nil {
		age = s.Now().Sub(*row.Oldest)
	}
	return row.N, age, nil
}

// DeleteRelayedOutbox removes items queued more than a week ago.
func (s *Store) DeleteRelayedOutbox(ctx context.Context) (int64, error) {
	var n int64
	err := s.sysTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `
			DELETE FROM outbox WHERE enqueued_at < $1`, s.Now().Add(-7*24*time.Hour))
		if err != nil {
			return dbError(err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// MailDelivered reports whether the message with key was already delivered.
func (s *Store) MailDelivered(ctx context.Context, key string) (bool, error) {
	var ok bool
	// Deliveries belong to no organisation; the worker asks about any of them.
	err := s.sysTx(ctx, func(tx *sqlx.Tx) error {
		return dbError(tx.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM mail_deliveries WHERE key = $1)`, key))
	})
	return ok, err
}

// RecordMailDelivery notes that the message with key was delivered. Recording twice is fine.
func (s *Store) RecordMailDelivery(ctx context.Context, key, recipient string) error {
	return s.sysTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO mail_deliveries (key, recipient, delivered_at) VALUES ($1, $2, $3)
			ON CONFLICT (key) DO NOTHING`, key, recipient, s.Now())
		return dbError(err)
	})
}

// DeliverMail calls send unless the message with key was already delivered, and records the
// delivery, so that a task run twice, even twice at once, sends one message. The record is
// written before send and committed after it: a second run waits for the first to end, then
// finds the message sent, or, when send failed and the record was rolled back, sends it itself.
// Only a crash between send and commit can still send a message twice.
func (s *Store) DeliverMail(ctx context.Context, key, recipient string, send func(context.Context) error) (sent bool, err error) {
	err = s.sysTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO mail_deliveries (key, recipient, delivered_at) VALUES ($1, $2, $3)
			ON CONFLICT (key) DO NOTHING`, key, recipient, s.Now())
		if err != nil {
			return dbError(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if err := send(ctx); err != nil {
			return err
		}
		sent = true
		return nil
	})
	return sent && err == nil, err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

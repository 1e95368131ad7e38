package courses_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
	"peerpath/migrations/testdb"
)

// MustOutboxItems queues n invitation emails in a new organisation and returns their outbox ids.
func MustOutboxItems(tb testing.TB, store *courses.Store, n int) []int64 {
	tb.Helper()
	org := MustOrg(tb, store, fmt.Sprintf("org-%d", len(MustOutbox(tb, store))))
	for i := range n {
		MustInvite(tb, store, org.ID, fmt.Sprintf("p%d@%s.example", i, org.Slug))
	}
	var ids []int64
	for _, r := range MustOutbox(tb, store) {
		if r.Pending {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// recorder is a send func that remembers what it was given.
type recorder struct {
	mu   sync.Mutex
	ids  []int64
	fail func(n int) error // called with the number of the send, from 1
}

func (r *recorder) send(it courses.OutboxItem) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if it.TaskType != courses.TaskEmailSend || len(it.Payload) == 0 || it.TaskID() != fmt.Sprintf("outbox:%d", it.ID) {
		return fmt.Errorf("bad item %+v", it)
	}
	r.ids = append(r.ids, it.ID)
	if r.fail != nil {
		return r.fail(len(r.ids))
	}
	return nil
}

func (r *recorder) seen() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int64(nil), r.ids...)
}

func TestRelayOutbox(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		store, clock := MustStore(t)
		ids := MustOutboxItems(t, store, 3)
		rec := &recorder{}
		n, err := store.RelayOutbox(ctx, 10, []string{courses.TaskEmailSend}, rec.send)
		if err != nil || n != 3 {
			t.Fatalf("got %d, %v; want 3, nil", n, err)
		}
		if diff := cmp.Diff(ids, rec.seen()); diff != "" {
			t.Errorf("sent, oldest first (-want +got):\n%s", diff)
		}
		var enqueued []time.Time
		if err := testdb.Owner(store.DB()).Select(&enqueued, `SELECT enqueued_at FROM outbox WHERE enqueued_at IS NOT NULL ORDER BY id`); err != nil {
			t.Fatal(err)
		}
		if len(enqueued) != 3 || !enqueued[0].Equal(clock.Now()) {
			t.Errorf("enqueued at: got %v, want 3 rows at %v", enqueued, clock.Now())
		}
		if n, _, err := store.OutboxBacklog(ctx); err != nil || n != 0 {
			t.Errorf("backlog: got %d, %v; want 0", n, err)
		}

		again := &recorder{}
		n, err = store.RelayOutbox(ctx, 10, []string{courses.TaskEmailSend}, again.send)
		if err != nil || n != 0 || len(again.seen()) != 0 {
			t.Errorf("second relay: got %d, %v and sent %v; want nothing", n, err, again.seen())
		}
	})
	t.Run("Limit", func(t *testing.T) {
		t.Parallel()
		store, _ := MustStore(t)
		ids := MustOutboxItems(t, store, 3)
		rec := &recorder{}
		if n, err := store.RelayOutbox(ctx, 2, []string{courses.TaskEmailSend}, rec.send); err != nil || n != 2 {
			t.Fatalf("got %d, %v; want 2, nil", n, err)
		}
		if n, err := store.RelayOutbox(ctx, 2, []string{courses.TaskEmailSend}, rec.send); err != nil || n != 1 {
			t.Fatalf("second call: got %d, %v; want 1, nil", n, err)
		}
		if diff := cmp.Diff(ids, rec.seen()); diff != "" {
			t.Errorf("sent (-want +got):\n%s", diff)
		}
	})
	t.Run("ErrSendStops", func(t *testing.T) {
		t.Parallel()
		store, _ := MustStore(t)
		ids := MustOutboxItems(t, store, 3)
		rec := &recorder{fail: func(n int) error {
			if n == 2 {
				return errors.New("queue down")
			}
			return nil
		}}
		n, err := store.RelayOutbox(ctx, 10, []string{courses.TaskEmailSend}, rec.send)
		if err != nil || n != 1 {
			t.Fatalf("got %d, %v; want 1, nil", n, err)
		}
		if diff := cmp.Diff(ids[:2], rec.seen()); diff != "" {
			t.Errorf("handed to send (-want +got):\n%s", diff)
		}
		type state struct {
			Pending  bool
			Attempts int
			Error    string
		}
		states := func() []state {
			var out []state
			for _, r := range MustOutbox(t, store) {
				out = append(out, state{r.Pending, r.Attempts, r.Error})
			}
			return out
		}
		want := []state{{false, 1, ""}, {true, 1, "queue down"}, {true, 0, ""}}
		if diff := cmp.Diff(want, states()); diff != "" {
			t.Errorf("outbox after a failure (-want +got):\n%s", diff)
		}
		if n, _, err := store.OutboxBacklog(ctx); err != nil || n != 2 {
			t.Errorf("backlog: got %d, %v; want 2", n, err)
		}

		later := &recorder{}
		n, err = store.RelayOutbox(ctx, 10, []string{courses.TaskEmailSend}, later.send)
		if err != nil || n != 2 {
			t.Fatalf("later relay: got %d, %v; want 2, nil", n, err)
		}
		if diff := cmp.Diff(ids[1:], later.seen()); diff != "" {
			t.Errorf("later relay sent (-want +got):\n%s", diff)
		}
		want = []state{{false, 1, ""}, {false, 2, ""}, {false, 1, ""}}
		if diff := cmp.Diff(want, states()); diff != "" {
			t.Errorf("outbox after the later relay (-want +got):\n%s", diff)
		}
	})
	t.Run("ErrLongMessageTruncated", func(t *testing.T) {
		t.Parallel()
		store, _ := MustStore(t)
		MustOutboxItems(t, store, 1)
		rec := &recorder{fail: func(int) error { return errors.New(strings.Repeat("e", 600)) }}
		if n, err := store.RelayOutbox(ctx, 10, []string{courses.TaskEmailSend}, rec.send); err != nil || n != 0 {
			t.Fatalf("got %d, %v; want 0, nil", n, err)
		}
		rows := MustOutbox(t, store)
		if len(rows[0].Error) != 500 || !rows[0].Pending {
			t.Errorf("got a %d-character error, pending %v; want 500 characters, pending", len(rows[0].Error), rows[0].Pending)
		}
	})
	t.Run("ConcurrentRelaysNeverShareARow", func(t *testing.T) {
		t.Parallel()
		store, _ := MustStore(t)
		ids := MustOutboxItems(t, store, 20)
		rec := &recorder{}
		send := func(it courses.OutboxItem) error {
			// Hold the row a moment so the two relays overlap.
			time.Sleep(2 * time.Millisecond)
			return rec.send(it)
		}
		var wg sync.WaitGroup
		counts := make([]int, 2)
		for g := range counts {
			wg.Go(func() {
				for {
					n, err := store.RelayOutbox(ctx, 3, []string{courses.TaskEmailSend}, send)
					if err != nil {
						t.Errorf("relay %d: %v", g, err)
						return
					}
					if n == 0 {
						if left, _, err := store.OutboxBacklog(ctx); err != nil || left == 0 {
							return
						}
						continue
					}
					counts[g] += n
				}
			})
		}
		wg.Wait()
		seen := map[int64]int{}
		for _, id := range rec.seen() {
			seen[id]++
			if seen[id] > 1 {
				t.Errorf("row %d handed to send %d times", id, seen[id])
			}
		}
		if len(seen) != len(ids) || counts[0]+counts[1] != len(ids) {
			t.Errorf("got %d rows sent (%v per relay), want %d", len(seen), counts, len(ids))
		}
		if n, _, err := store.OutboxBacklog(ctx); err != nil || n != 0 {
			t.Errorf("backlog: got %d, %v; want 0", n, err)
		}
	})
	t.Run("DeleteRelayedOutbox", func(t *testing.T) {
		t.Parallel()
		store, clock := MustStore(t)
		MustOutboxItems(t, store, 2)
		if _, err := store.RelayOutbox(ctx, 1, []string{courses.TaskEmailSend}, (&recorder{}).send); err != nil {
			t.Fatal(err)
		}
		clock.Advance(7*24*time.Hour + time.Second)
		n, err := store.DeleteRelayedOutbox(ctx)
		if err != nil || n != 1 {
			t.Fatalf("got %d, %v; want 1, nil", n, err)
		}
		if rows := MustOutbox(t, store); len(rows) != 1 || !rows[0].Pending {
			t.Errorf("got %+v, want only the pending row left", rows)
		}
	})
}

func TestMailDelivery(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, clock := MustStore(t)

	delivered := func(key string) bool {
		t.Helper()
		ok, err := store.MailDelivered(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if delivered("invitation:1") {
		t.Fatal("before recording: got delivered, want not")
	}
	if err := store.RecordMailDelivery(ctx, "invitation:1", "a@example.org"); err != nil {
		t.Fatal(err)
	}
	first := clock.Now()
	clock.Advance(time.Hour)
	if err := store.RecordMailDelivery(ctx, "invitation:1", "b@example.org"); err != nil {
		t.Fatalf("recording twice: got %v, want nil", err)
	}
	if !delivered("invitation:1") {
		t.Error("after recording: got not delivered, want delivered")
	}
	if delivered("invitation:2") {
		t.Error("another key: got delivered, want not")
	}
	var row struct {
		Recipient   string    `db:"recipient"`
		DeliveredAt time.Time `db:"delivered_at"`
	}
	if err := testdb.Owner(store.DB()).Get(&row, `SELECT recipient, delivered_at FROM mail_deliveries WHERE key = 'invitation:1'`); err != nil {
		t.Fatal(err)
	}
	if row.Recipient != "a@example.org" || !row.DeliveredAt.Equal(first) {
		t.Errorf("got %+v, want the first delivery (a@example.org at %v) kept", row, first)
	}
	if n := MustCount(t, store, `SELECT count(*) FROM mail_deliveries`); n != 1 {
		t.Errorf("rows: got %d, want 1", n)
	}
}

func TestDeliverMail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, _ := MustStore(t)

	t.Run("TwiceAtOnce", func(t *testing.T) {
		// The first send is held until the second run has started, so both are in flight together.
		var sends atomic.Int32
		started, release := make(chan struct{}), make(chan struct{})
		send := func(context.Context) error {
			if sends.Add(1) == 1 {
				close(started)
				<-release
			}
			return nil
		}
		var wg sync.WaitGroup
		sent := make([]bool, 2)
		errs := make([]error, 2)
		wg.Add(1)
		go func() { defer wg.Done(); sent[0], errs[0] = store.DeliverMail(ctx, "twice", "a@example.org", send) }()
		<-started
		wg.Add(1)
		go func() { defer wg.Done(); sent[1], errs[1] = store.DeliverMail(ctx, "twice", "a@example.org", send) }()
		time.Sleep(100 * time.Millisecond) // the second run is now waiting on the first one's record
		close(release)
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("got errors %v, want none", errs)
		}
		if got := sends.Load(); got != 1 || sent[0] == sent[1] {
			t.Errorf("got %d sends and sent %v, want 1 send, reported by one run", got, sent)
		}
		if got := MustCount(t, store, `SELECT count(*) FROM mail_deliveries WHERE key = 'twice'`); got != 1 {
			t.Errorf("deliveries recorded: got %d, want 1", got)
		}
	})

	t.Run("SendFails", func(t *testing.T) {
		boom := errors.New("smtp: connection refused")
		sent, err := store.DeliverMail(ctx, "retry", "b@example.org", func(context.Context) error { return boom })
		if sent || !errors.Is(err, boom) {
			t.Fatalf("got %v, %v; want false and the send error", sent, err)
		}
		if ok, err := store.MailDelivered(ctx, "retry"); ok || err != nil {
			t.Fatalf("after a failed send: got delivered %v (%v), want not delivered", ok, err)
		}
		// The retry sends it.
		calls := 0
		sent, err = store.DeliverMail(ctx, "retry", "b@example.org", func(context.Context) error { calls++; return nil })
		if !sent || err != nil || calls != 1 {
			t.Errorf("retry: got sent %v, %v after %d sends; want sent once", sent, err, calls)
		}
		sent, err = store.DeliverMail(ctx, "retry", "b@example.org", func(context.Context) error { calls++; return nil })
		if sent || err != nil || calls != 1 {
			t.Errorf("after delivery: got sent %v, %v after %d sends; want nothing sent again", sent, err, calls)
		}
	})
}

package worker_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/hibiken/asynq"

	"peerpath/courses"
	"peerpath/courses/content"
	"peerpath/migrations/testdb"
	"peerpath/worker"
)

// reminderEnv is env with a store whose clock reads 08:30 UTC on Monday 23 November 2026, the
// organisation's digest time (it keeps UTC), and three courses.
func reminderEnv(tb testing.TB) *env {
	tb.Helper()
	e := mustEnv(tb)
	now := time.Date(2026, 11, 23, 8, 30, 0, 0, time.UTC)
	store := courses.NewStore(e.store.DB(), func() time.Time { return now })
	store.BaseURL = "http://peerpath.test"
	e.store = store
	for _, c := range []struct{ slug, title string }{
		{"boundaries", "Holding boundaries"}, {"story", "Sharing your story"}, {"selfcare", "Self-care planning"},
	} {
		lib, err := content.Load(fstest.MapFS{
			"course.yaml":       {Data: []byte(fmt.Sprintf("slug: %s\ntitle: %s\nsummary: A course.\nversion: 1\nestimated_hours: 1\n", c.slug, c.title))},
			"modules/01-one.md": {Data: []byte("---\nslug: one\ntitle: One\nminutes: 5\nobjectives: [Learn]\n---\nSome text.\n")},
		})
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := store.ImportCourses(context.Background(), e.org.ID, lib.Courses); err != nil {
			tb.Fatal(err)
		}
	}
	return e
}

// person adds someone to the organisation and returns their id.
func (e *env) person(tb testing.TB, email, name, roles string) string {
	tb.Helper()
	var id string
	if err := testdb.Owner(e.store.DB()).Get(&id, `INSERT INTO people (org_id, email, name, password_hash, roles)
		VALUES ($1, $2, $3, 'not-a-hash', $4) RETURNING id`, e.org.ID, email, name, roles); err != nil {
		tb.Fatalf("add %s: %v", email, err)
	}
	return id
}

// assign gives a person a course due in the given time from the clock's now.
func (e *env) assign(tb testing.TB, personID, slug string, in time.Duration) {
	tb.Helper()
	if _, err := testdb.Owner(e.store.DB()).Exec(`INSERT INTO assignments (org_id, person_id, course_id, due_at)
		SELECT $1, $2, id, $4 FROM courses WHERE slug = $3`, e.org.ID, personID, slug, e.store.Now().Add(in)); err != nil {
		tb.Fatal(err)
	}
}

const day = 24 * time.Hour

// The scheduler's hourly reminder:scan reaches a real SMTP server as one digest per person: three
// due items in one message, and the manager's digest naming the person more than a week late.
// A second scan sends nothing.
func TestReminderDigestEndToEnd(t *testing.T) {
	e := reminderEnv(t)
	sam := e.person(t, "sam@riverside.example", "Sam Okafor", "{trainee}")
	e.assign(t, sam, "boundaries", 7*day)
	e.assign(t, sam, "story", 20*time.Hour)
	e.assign(t, sam, "selfcare", -2*day)
	lee := e.person(t, "lee@riverside.example", "Lee Nguyen", "{trainee}")
	e.assign(t, lee, "story", -9*day)
	mei := e.person(t, "mei@riverside.example", "Mei Lin Chen", "{manager}")
	var team string
	if err := testdb.Owner(e.store.DB()).Get(&team, `INSERT INTO teams (org_id, name) VALUES ($1, 'North') RETURNING id`, e.org.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := testdb.Owner(e.store.DB()).Exec(`INSERT INTO team_members (team_id, person_id, org_id, manager)
		VALUES ($1, $2, $4, true), ($1, $3, $4, false)`, team, mei, lee, e.org.ID); err != nil {
		t.Fatal(err)
	}

	start(t, e.worker(t))
	got := e.smtp.Wait(t, 3, 15*time.Second)
	byTo := map[string]string{}
	subjects := map[string]string{}
	for _, m := range got {
		byTo[m.To[0]] = strings.ReplaceAll(m.Body, "=\r\n", "")
		subjects[m.To[0]] = subject(t, m.Header.Get("Subject"))
	}
	for _, tc := range []struct {
		to      string
		subject string
		want    []string
	}{
		{"sam@riverside.example", "3 reminders from Riverside Peer Network for Monday 23 November",
			[]string{"Holding boundaries", "Sharing your story", "Self-care planning", "http://peerpath.test/learn/story", "http://peerpath.test/unsubscribe/"}},
		{"lee@riverside.example", "1 reminder from Riverside Peer Network for Monday 23 November", []string{"Sharing your story"}},
		{"mei@riverside.example", "1 reminder from Riverside Peer Network for Monday 23 November", []string{"Lee Nguyen: Sharing your story", "Overdue by 9 days"}},
	} {
		body, ok := byTo[tc.to]
		if !ok {
			t.Errorf("no digest to %s (got mail to %v)", tc.to, subjects)
			continue
		}
		if subjects[tc.to] != tc.subject {
			t.Errorf("subject to %s: got %q, want %q", tc.to, subjects[tc.to], tc.subject)
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("digest to %s: got %q, want it to mention %q", tc.to, body, w)
			}
		}
	}

	// The scheduler ticks again and another worker runs the scan again: nothing new goes out.
	if err := e.worker(t).Mux().ProcessTask(context.Background(), worker.NewReminderScanTask()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return e.count(t, `SELECT count(*) FROM outbox WHERE enqueued_at IS NULL`) == 0 })
	time.Sleep(300 * time.Millisecond)
	if n := len(e.smtp.Messages()); n != 3 {
		t.Errorf("after a second scan: got %d messages, want still 3", n)
	}
	if n := e.count(t, `SELECT count(*) FROM outbox WHERE payload->>'template' = 'digest'`); n != 3 {
		t.Errorf("digest emails queued: got %d, want 3", n)
	}
}

// A mail server that refuses for a while delays the digest; the email:send task retries and the
// digest goes out once.
func TestReminderDigestSMTPOutage(t *testing.T) {
	e := reminderEnv(t)
	sam := e.person(t, "sam@riverside.example", "Sam Okafor", "{trainee}")
	e.assign(t, sam, "boundaries", 3*day)
	e.assign(t, sam, "story", 4*day)
	w := e.worker(t)
	ctx := context.Background()
	if err := w.Mux().ProcessTask(ctx, worker.NewReminderScanTask()); err != nil {
		t.Fatal(err)
	}
	var payload []byte
	if err := testdb.Owner(e.store.DB()).Get(&payload, `SELECT payload FROM outbox WHERE payload->>'template' = 'digest'`); err != nil {
		t.Fatalf("digest in the outbox: %v", err)
	}
	var p worker.EmailSendPayload
	if err := json.Unmarshal(payload, &p); err != nil {
		t.Fatal(err)
	}
	task, err := worker.NewEmailSendTask(p)
	if err != nil {
		t.Fatal(err)
	}

	e.smtp.SetRefuse(true)
	for i := 0; i < 2; i++ {
		if err := w.Mux().ProcessTask(ctx, task); err == nil || errors.Is(err, asynq.SkipRetry) {
			t.Fatalf("attempt %d while SMTP refuses: got %v, want a retryable error", i, err)
		}
	}
	if n := len(e.smtp.Messages()); n != 0 {
		t.Fatalf("messages while refusing: got %d, want 0", n)
	}
	e.smtp.SetRefuse(false)
	for i := 0; i < 2; i++ { // the retry, and a duplicate delivery of it
		if err := w.Mux().ProcessTask(ctx, task); err != nil {
			t.Fatalf("retry %d: %v", i, err)
		}
	}
	got := e.smtp.Messages()
	if len(got) != 1 {
		t.Fatalf("messages: got %d, want 1", len(got))
	}
	body := strings.ReplaceAll(got[0].Body, "=\r\n", "")
	for _, want := range []string{"Holding boundaries", "Sharing your story"} {
		if !strings.Contains(body, want) {
			t.Errorf("digest: got %q, want it to mention %q", body, want)
		}
	}
}

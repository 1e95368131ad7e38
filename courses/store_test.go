package courses_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"peerpath/courses"
	"peerpath/migrations/testdb"
)

// testPassword is the password of every person MustPerson creates.
const testPassword = "correct horse battery staple"

// testHash is testPassword hashed once for the whole package: argon2id is slow on purpose.
var testHash = sync.OnceValues(func() (string, error) { return courses.HashPassword(testPassword) })

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	// Whole seconds: PostgreSQL keeps microseconds, so no reading is rounded on the way in.
	return &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// MustStore returns a store on a fresh database, with a fake clock.
func MustStore(tb testing.TB) (*courses.Store, *fakeClock) {
	tb.Helper()
	clock := newFakeClock()
	store := courses.NewStore(testdb.New(tb), func() time.Time { return clock.Now() })
	store.BaseURL = "http://peerpath.test"
	return store, clock
}

// MustOrg creates an organisation named after slug.
func MustOrg(tb testing.TB, store *courses.Store, slug string) *courses.Organisation {
	tb.Helper()
	o := &courses.Organisation{Slug: slug, Name: "Org " + slug}
	if err := store.CreateOrganisation(context.Background(), o); err != nil {
		tb.Fatalf("create organisation %s: %v", slug, err)
	}
	return o
}

// MustPerson adds an active person with testPassword to org and returns their id.
func MustPerson(tb testing.TB, store *courses.Store, orgID, email string, roles ...string) string {
	tb.Helper()
	hash, err := testHash()
	if err != nil {
		tb.Fatal(err)
	}
	var id string
	if err := testdb.Owner(store.DB()).Get(&id, `
		INSERT INTO people (org_id, email, name, password_hash, roles) VALUES ($1, $2, $3, $4, $5)
		RETURNING id`, orgID, email, "Person "+email, hash, pq.StringArray(roles)); err != nil {
		tb.Fatalf("add person %s: %v", email, err)
	}
	return id
}

// MustCount returns the result of a count(*) query.
func MustCount(tb testing.TB, store *courses.Store, query string, args ...any) int {
	tb.Helper()
	var n int
	if err := testdb.Owner(store.DB()).Get(&n, query, args...); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return n
}

type outboxRow struct {
	ID       int64           `db:"id"`
	TaskType string          `db:"task_type"`
	Payload  json.RawMessage `db:"payload"`
	OrgID    *string         `db:"org_id"`
	Pending  bool            `db:"pending"`
	Attempts int             `db:"attempts"`
	Error    string          `db:"last_error"`
}

// MustOutbox returns every outbox row, oldest first.
func MustOutbox(tb testing.TB, store *courses.Store) []outboxRow {
	tb.Helper()
	var rows []outboxRow
	if err := testdb.Owner(store.DB()).Select(&rows, `
		SELECT id, task_type, payload, org_id, enqueued_at IS NULL AS pending, attempts, last_error
		FROM outbox ORDER BY id`); err != nil {
		tb.Fatal(err)
	}
	return rows
}

// MustEmail decodes an outbox row's email payload.
func MustEmail(tb testing.TB, row outboxRow) courses.Email {
	tb.Helper()
	if row.TaskType != courses.TaskEmailSend {
		tb.Fatalf("outbox row %d: got task type %q, want %q", row.ID, row.TaskType, courses.TaskEmailSend)
	}
	var e courses.Email
	if err := json.Unmarshal(row.Payload, &e); err != nil {
		tb.Fatalf("outbox row %d payload: %v", row.ID, err)
	}
	return e
}

// errorOf returns err's *courses.Error, failing the test when there is none.
func errorOf(tb testing.TB, err error) *courses.Error {
	tb.Helper()
	var e *courses.Error
	if !errors.As(err, &e) {
		tb.Fatalf("got error %v (%T), want a *courses.Error", err, err)
	}
	return e
}

// wantCode fails the test unless err carries code.
func wantCode(tb testing.TB, err error, code courses.Code) {
	tb.Helper()
	if got := courses.ErrorCode(err); got != code {
		tb.Fatalf("got error code %q (%v), want %q", got, err, code)
	}
}

// wantFields fails the test unless err is Invalid and names exactly fields.
func wantFields(tb testing.TB, err error, fields ...string) {
	tb.Helper()
	e := errorOf(tb, err)
	if e.Code != courses.Invalid {
		tb.Fatalf("got code %q (%v), want %q", e.Code, err, courses.Invalid)
	}
	var got []string
	for f := range e.Fields {
		got = append(got, f)
	}
	if diff := cmp.Diff(fields, got, sortStrings); diff != "" {
		tb.Fatalf("fields named (-want +got):\n%s", diff)
	}
}

var sortStrings = cmpopts.SortSlices(func(a, b string) bool { return a < b })

// A PostgreSQL that cannot be reached, as while it restarts, is Unavailable (503, try again), not
// an internal error.
func TestStoreUnreachable(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connections are refused
	db, err := sqlx.Open("postgres", "postgres://postgres@"+addr+"/peerpath?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store := courses.NewStore(db, nil)
	ctx := context.Background()
	tests := []struct {
		name string
		call func() error
	}{
		{"Read", func() error { _, err := store.FindSession(ctx, "token"); return err }},
		{"Write", func() error { return store.CreateOrganisation(ctx, &courses.Organisation{Slug: "x", Name: "X"}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); courses.ErrorCode(err) != courses.Unavailable {
				t.Errorf("got %v (code %s), want code %s", err, courses.ErrorCode(err), courses.Unavailable)
			}
		})
	}
}

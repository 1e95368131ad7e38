package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/redis/go-redis/v9"

	"peerpath/courses"
	"peerpath/migrations/testdb"
	"peerpath/server"
)

// demoPassword is every demo account's password; MustServer seeds the demo people with it.
const demoPassword = courses.DefaultDemoPassword

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
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

// MustRedis returns a client of the test Redis.
func MustRedis(tb testing.TB) *redis.Client {
	tb.Helper()
	opt, err := redis.ParseURL(testdb.RedisURL())
	if err != nil {
		tb.Fatal(err)
	}
	c := redis.NewClient(opt)
	tb.Cleanup(func() { c.Close() })
	return c
}

// MustServer returns the server's handler on a fresh database holding the demo organisations and
// people, its store and the store's fake clock. opts change the configuration before the server
// is built.
func MustServer(tb testing.TB, opts ...func(*server.Config)) (http.Handler, *courses.Store, *fakeClock) {
	tb.Helper()
	clock := &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	store := courses.NewStore(testdb.New(tb), func() time.Time { return clock.Now() })
	store.BaseURL = "http://peerpath.test"
	if _, err := store.SeedDemo(context.Background(), demoPassword); err != nil {
		tb.Fatalf("seed demo: %v", err)
	}
	cfg := server.Config{
		Store:     store,
		Redis:     MustRedis(tb),
		BaseURL:   "http://peerpath.test",
		KeyPrefix: testdb.Prefix(tb),
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := server.New(cfg)
	if err != nil {
		tb.Fatalf("new server: %v", err)
	}
	return srv, store, clock
}

// reqOpt changes a request before it is sent.
type reqOpt func(*http.Request)

func withCookie(c *http.Cookie) reqOpt { return func(r *http.Request) { r.AddCookie(c) } }

func withHeader(k, v string) reqOpt { return func(r *http.Request) { r.Header.Set(k, v) } }

func withRemoteAddr(addr string) reqOpt { return func(r *http.Request) { r.RemoteAddr = addr } }

// Do sends a request with body (none when "") to h and returns the recorded response.
func Do(tb testing.TB, h http.Handler, method, target, body string, opts ...reqOpt) *httptest.ResponseRecorder {
	tb.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	req.Host = "peerpath.test"
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(req)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// loginBody is a sign-in request body.
func loginBody(email, password string) string {
	b, _ := json.Marshal(map[string]string{"email": email, "password": password})
	return string(b)
}

// responseCookie returns the cookie name set by rec, or nil.
func responseCookie(rec *httptest.ResponseRecorder, name string) *http.Cookie {
	var found *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == name {
			found = c // the last one set wins, as in a browser
		}
	}
	return found
}

// MustLogin signs in with password and returns the session cookie.
func MustLogin(tb testing.TB, h http.Handler, email, password string) *http.Cookie {
	tb.Helper()
	rec := Do(tb, h, http.MethodPost, "/api/v1/auth/login", loginBody(email, password))
	if rec.Code != http.StatusOK {
		tb.Fatalf("sign in as %s: got %d %s, want 200", email, rec.Code, rec.Body)
	}
	c := responseCookie(rec, "peerpath_session")
	if c == nil || c.Value == "" {
		tb.Fatalf("sign in as %s: got cookies %v, want peerpath_session", email, rec.Result().Cookies())
	}
	return &http.Cookie{Name: c.Name, Value: c.Value}
}

// MustDecode decodes rec's JSON body into v, failing on unknown fields.
func MustDecode(tb testing.TB, rec *httptest.ResponseRecorder, v any) {
	tb.Helper()
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		tb.Fatalf("content type: got %q, want application/json", ct)
	}
	dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		tb.Fatalf("decode %s: %v", rec.Body, err)
	}
}

type errorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields"`
}

// wantError checks that rec is the error envelope with status and code, and returns its detail.
func wantError(tb testing.TB, rec *httptest.ResponseRecorder, status int, code string) errorDetail {
	tb.Helper()
	if rec.Code != status {
		tb.Fatalf("status: got %d %s, want %d", rec.Code, rec.Body, status)
	}
	var body struct {
		Error *errorDetail `json:"error"`
	}
	MustDecode(tb, rec, &body)
	if body.Error == nil || body.Error.Code != code || body.Error.Message == "" {
		tb.Fatalf("body: got %s, want the error envelope with code %q and a message", rec.Body, code)
	}
	return *body.Error
}

// wantFields checks that rec is a 400 naming exactly fields.
func wantFields(tb testing.TB, rec *httptest.ResponseRecorder, fields ...string) {
	tb.Helper()
	e := wantError(tb, rec, http.StatusBadRequest, "invalid")
	var got []string
	for f, m := range e.Fields {
		if m == "" {
			tb.Errorf("field %s: got no message, want one", f)
		}
		got = append(got, f)
	}
	if diff := cmp.Diff(fields, got, sortStrings); diff != "" {
		tb.Fatalf("fields in %s (-want +got):\n%s", rec.Body, diff)
	}
}

var sortStrings = cmpopts.SortSlices(func(a, b string) bool { return a < b })

// MustCount returns the result of a count(*) query.
func MustCount(tb testing.TB, store *courses.Store, query string, args ...any) int {
	tb.Helper()
	var n int
	if err := testdb.Owner(store.DB()).Get(&n, query, args...); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return n
}

// MustOrgID returns the id of the organisation with slug.
func MustOrgID(tb testing.TB, store *courses.Store, slug string) string {
	tb.Helper()
	o, err := store.FindOrganisationBySlug(context.Background(), slug)
	if err != nil {
		tb.Fatalf("organisation %s: %v", slug, err)
	}
	return o.ID
}

// MustLinkToken returns the token at the end of the link in the newest email queued to to.
func MustLinkToken(tb testing.TB, store *courses.Store, to string) string {
	tb.Helper()
	var payload []byte
	if err := testdb.Owner(store.DB()).Get(&payload, `
		SELECT payload FROM outbox WHERE payload->>'to' = $1 ORDER BY id DESC LIMIT 1`, to); err != nil {
		tb.Fatalf("email to %s: %v", to, err)
	}
	var mail courses.Email
	if err := json.Unmarshal(payload, &mail); err != nil {
		tb.Fatal(err)
	}
	link := mail.Data["link"]
	i := strings.LastIndexByte(link, '/')
	if i < 0 || i == len(link)-1 {
		tb.Fatalf("email to %s: got link %q, want one ending in a token", to, link)
	}
	return link[i+1:]
}

package server_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gorilla/websocket"

	"peerpath/courses"
	"peerpath/courses/content"
	"peerpath/migrations/testdb"
	"peerpath/server"
	"peerpath/worker/mail"
)

// access is who a route lets in.
type access int

const (
	public    access = iota // anyone, signed in or not
	person                  // anyone signed in
	trainers                // trainers and org admins
	managers                // org admins and team managers
	admins                  // org admins
	operators               // platform operators; everyone else is told there is nothing there
)

// scope is whose data a route's path ids name.
type scope int

const (
	noIDs     scope = iota // none, or ids of no organisation (tokens in links, queue names)
	orgIDs                 // the organisation's own content and settings: courses, quizzes, types, tokens
	personIDs              // someone's records: people, teams, assignments, attempts, certificates…
)

// bodyKind is what a route reads from the request body.
type bodyKind int

const (
	noBody   bodyKind = iota
	jsonBody          // a JSON object
	csvBody           // a CSV file
	formBody          // a multipart form with an evidence file
)

// probeRoute is one route and what the probes need to know about it.
type probeRoute struct {
	method, path string
	access       access
	scope        scope
	kind         bodyKind
	// body is a valid body; {segment/:param} in it stands for the id filled into that parameter.
	// A form body is written as URL query values.
	body string
	// anon is the status a public route answers a caller without a session, with a random id.
	anon int
}

func (r probeRoute) String() string { return r.method + " " + r.path }

// probeRoutes is every route the server serves, with who may call it. TestProbe fails when a route
// is missing here, so a new route is placed on purpose; a route left out of the trainee's list
// (access person) is expected to refuse trainees.
var probeRoutes = []probeRoute{
	// Public: probes, metrics for the scraper, keys to check credentials with.
	{"GET", "/healthz", public, noIDs, noBody, "", 200},
	{"GET", "/readyz", public, noIDs, noBody, "", 200},
	{"GET", "/metrics", public, noIDs, noBody, "", 200},
	{"GET", "/.well-known/jwks.json", public, noIDs, noBody, "", 200},
	// Public: signing in and the links that arrive by email carry their own secret.
	{"POST", "/api/v1/auth/login", public, noIDs, jsonBody, `{"email":"nobody@probe.example","password":"wrong-password-1"}`, 401},
	{"POST", "/api/v1/auth/logout", public, noIDs, noBody, "", 204},
	{"POST", "/api/v1/auth/password-reset", public, noIDs, jsonBody, `{"email":"nobody@probe.example"}`, 202},
	{"POST", "/api/v1/auth/password-reset/:token", public, noIDs, jsonBody, `{"password":"a-long-enough-passphrase"}`, 404},
	{"GET", "/api/v1/invitations/:token", public, noIDs, noBody, "", 404},
	{"POST", "/api/v1/invitations/:token/accept", public, noIDs, jsonBody, `{"name":"Probe","password":"a-long-enough-passphrase"}`, 404},
	{"GET", "/api/v1/unsubscribe/:token", public, noIDs, noBody, "", 404},
	{"POST", "/api/v1/unsubscribe/:token", public, noIDs, noBody, "", 404},
	// Public: anyone may check a certificate, read the API's description, and (in development
	// only, else 404) read the development mailbox.
	{"GET", "/api/v1/verify/:code", public, noIDs, noBody, "", 404},
	{"GET", "/api/v1/openapi.json", public, noIDs, noBody, "", 200},
	{"GET", "/api/v1/dev/mail", public, noIDs, noBody, "", 404},
	{"GET", "/api/v1/dev/mail/:id", public, noIDs, noBody, "", 404},

	// Everyone signed in: their own learning, certificates, sessions and settings.
	{"GET", "/api/v1/me", person, noIDs, noBody, "", 0},
	{"GET", "/api/v1/courses", person, noIDs, noBody, "", 0},
	{"GET", "/api/v1/courses/:slug", person, orgIDs, noBody, "", 0},
	{"GET", "/api/v1/courses/:slug/modules/:module", person, orgIDs, noBody, "", 0},
	{"POST", "/api/v1/courses/:slug/modules/:module/complete", person, orgIDs, noBody, "", 0},
	{"GET", "/api/v1/courses/:slug/modules/:module/reflection", person, orgIDs, noBody, "", 0},
	{"PUT", "/api/v1/courses/:slug/modules/:module/reflection", person, orgIDs, jsonBody, `{"answers":{"r1":"A thought."}}`, 0},
	{"DELETE", "/api/v1/courses/:slug/modules/:module/reflection", person, orgIDs, noBody, "", 0},
	{"GET", "/api/v1/courses/:slug/scenarios", person, orgIDs, noBody, "", 0},
	{"POST", "/api/v1/quizzes/:id/attempts", person, orgIDs, noBody, "", 0},
	{"GET", "/api/v1/quizzes/:id/attempts", person, orgIDs, noBody, "", 0},
	{"GET", "/api/v1/attempts/:id", person, personIDs, noBody, "", 0},
	{"PUT", "/api/v1/attempts/:id/answers", person, personIDs, jsonBody, `{"answers":{"q1":["a"]}}`, 0},
	{"POST", "/api/v1/attempts/:id/submit", person, personIDs, jsonBody, `{"answers":{"q1":["a"]}}`, 0},
	{"GET", "/api/v1/scenarios/:id", person, orgIDs, noBody, "", 0},
	{"POST", "/api/v1/scenarios/:id/choices", person, orgIDs, jsonBody, `{"node":"n1","choice":"c1"}`, 0},
	{"GET", "/api/v1/me/certificates", person, noIDs, noBody, "", 0},
	{"GET", "/api/v1/me/export", person, noIDs, noBody, "", 0},
	{"POST", "/api/v1/me/deletion-request", person, noIDs, jsonBody, `{"password":"wrong-password-2"}`, 0},
	{"GET", "/api/v1/certificates/:id", person, personIDs, noBody, "", 0},
	{"GET", "/api/v1/certificates/:id/credential", person, personIDs, noBody, "", 0},
	{"GET", "/api/v1/roleplay/sessions/:id/ws", person, personIDs, noBody, "", 0},
	{"GET", "/api/v1/roleplay/sessions", person, noIDs, noBody, "", 0},
	{"GET", "/api/v1/roleplay/sessions/:id", person, personIDs, noBody, "", 0},
	{"GET", "/api/v1/roleplay/sessions/:id/ics", person, personIDs, noBody, "", 0},
	{"GET", "/api/v1/roleplay/sessions/:id/feedback", person, personIDs, noBody, "", 0},
	{"GET", "/api/v1/roleplay/sessions/:id/transcript", person, personIDs, noBody, "", 0},
	{"GET", "/api/v1/me/roleplay/portfolio", person, noIDs, noBody, "", 0},
	{"GET", "/api/v1/me/training-types", person, noIDs, noBody, "", 0},
	{"GET", "/api/v1/me/training-records", person, noIDs, noBody, "", 0},
	{"POST", "/api/v1/me/training-records", person, noIDs, formBody, "training_type_id={training-types/:id}&completed_on=2026-01-05", 0},
	{"GET", "/api/v1/me/training-records/:id/evidence", person, personIDs, noBody, "", 0},
	{"GET", "/api/v1/me/notifications", person, noIDs, noBody, "", 0},
	{"POST", "/api/v1/me/notifications/read", person, noIDs, jsonBody, `{"all":true}`, 0},
	{"GET", "/api/v1/me/notification-preferences", person, noIDs, noBody, "", 0},
	{"PUT", "/api/v1/me/notification-preferences", person, noIDs, jsonBody, `{"preferences":{"assignment_due":true}}`, 0},

	// Trainers (and org admins) schedule role-play and set extra quiz time.
	{"GET", "/api/v1/roleplay/cards", trainers, noIDs, noBody, "", 0},
	{"GET", "/api/v1/roleplay/candidates", trainers, noIDs, noBody, "", 0},
	{"POST", "/api/v1/roleplay/sessions", trainers, noIDs, jsonBody, `{"title":"Probe","starts_at":"2026-03-09T10:00:00Z","time_zone":"UTC","duration_minutes":90,"card_ids":["RP-01"],"person_ids":["{people/:id}"]}`, 0},
	{"POST", "/api/v1/roleplay/sessions/:id/cancel", trainers, personIDs, noBody, "", 0},
	{"PUT", "/api/v1/org/people/:id/extra-time", trainers, personIDs, jsonBody, `{"percent":25}`, 0},

	// Org admins only.
	{"GET", "/api/v1/org/invitations", admins, noIDs, noBody, "", 0},
	{"POST", "/api/v1/org/invitations", admins, noIDs, jsonBody, `{"email":"probe@probe.example","roles":["trainee"]}`, 0},
	{"POST", "/api/v1/org/certificates/:id/revoke", admins, personIDs, jsonBody, `{"reason":"Issued in error."}`, 0},
	{"GET", "/api/v1/org/settings", admins, noIDs, noBody, "", 0},
	{"PUT", "/api/v1/org/settings/time-zone", admins, noIDs, jsonBody, `{"time_zone":"UTC"}`, 0},
	{"PUT", "/api/v1/org/courses/:slug/certificate-period", admins, orgIDs, jsonBody, `{"validity_months":24}`, 0},
	{"GET", "/api/v1/org/api-tokens", admins, noIDs, noBody, "", 0},
	{"POST", "/api/v1/org/api-tokens", admins, noIDs, jsonBody, `{"name":"Probe","scope":"read"}`, 0},
	{"DELETE", "/api/v1/org/api-tokens/:id", admins, orgIDs, noBody, "", 0},

	// Org admins, and managers for their own teams' people (read-only).
	{"GET", "/api/v1/org/people", managers, noIDs, noBody, "", 0},
	{"POST", "/api/v1/org/people/import", managers, noIDs, csvBody, "name,email\nProbe Person,probe.person@probe.example\n", 0},
	{"GET", "/api/v1/org/people/:id", managers, personIDs, noBody, "", 0},
	{"PATCH", "/api/v1/org/people/:id", managers, personIDs, jsonBody, `{"roles":["trainer"]}`, 0},
	{"POST", "/api/v1/org/people/:id/deactivate", managers, personIDs, noBody, "", 0},
	{"POST", "/api/v1/org/people/:id/reactivate", managers, personIDs, noBody, "", 0},
	{"GET", "/api/v1/org/people/:id/record", managers, personIDs, noBody, "", 0},
	{"GET", "/api/v1/org/teams", managers, noIDs, noBody, "", 0},
	{"POST", "/api/v1/org/teams", managers, noIDs, jsonBody, `{"name":"Probe team"}`, 0},
	{"GET", "/api/v1/org/teams/:id", managers, personIDs, noBody, "", 0},
	{"PATCH", "/api/v1/org/teams/:id", managers, personIDs, jsonBody, `{"name":"Taken over"}`, 0},
	{"DELETE", "/api/v1/org/teams/:id", managers, personIDs, noBody, "", 0},
	{"PUT", "/api/v1/org/teams/:id/members/:person", managers, personIDs, jsonBody, `{"manager":true}`, 0},
	{"DELETE", "/api/v1/org/teams/:id/members/:person", managers, personIDs, noBody, "", 0},
	{"GET", "/api/v1/org/assignments", managers, noIDs, noBody, "", 0},
	{"POST", "/api/v1/org/assignments", managers, noIDs, jsonBody, `{"course_slug":"induction","person_ids":["{people/:id}"],"due_within_days":14}`, 0},
	{"DELETE", "/api/v1/org/assignments/:id", managers, personIDs, noBody, "", 0},
	{"DELETE", "/api/v1/org/assignment-rules/:id", managers, personIDs, noBody, "", 0},
	{"GET", "/api/v1/org/audit", managers, noIDs, noBody, "", 0},
	{"GET", "/api/v1/org/completion", managers, noIDs, noBody, "", 0},
	{"GET", "/api/v1/org/completion.csv", managers, noIDs, noBody, "", 0},
	{"GET", "/api/v1/org/courses/:slug/report", managers, orgIDs, noBody, "", 0},
	{"GET", "/api/v1/org/charts", managers, noIDs, noBody, "", 0},
	{"GET", "/api/v1/org/training-types", managers, noIDs, noBody, "", 0},
	{"POST", "/api/v1/org/training-types", managers, noIDs, jsonBody, `{"name":"Probe type","validity_months":12}`, 0},
	{"DELETE", "/api/v1/org/training-types/:id", managers, orgIDs, noBody, "", 0},
	{"GET", "/api/v1/org/training-records", managers, noIDs, noBody, "", 0},
	{"POST", "/api/v1/org/training-records", managers, noIDs, formBody, "person_id={people/:id}&training_type_id={training-types/:id}&completed_on=2026-01-05", 0},
	{"DELETE", "/api/v1/org/training-records/:id", managers, personIDs, noBody, "", 0},
	{"GET", "/api/v1/org/training-records/:id/evidence", managers, personIDs, noBody, "", 0},

	// Platform operators.
	{"GET", "/api/v1/ops/queues", operators, noIDs, noBody, "", 0},
	{"GET", "/api/v1/ops/queues/:queue/archived", operators, noIDs, noBody, "", 0},
}

// probeEnv is one server with the demo organisations and, in Riverside, one of everything a path
// can name, all belonging to trainee1 (or their organisation): the probes aim at it from outside.
type probeEnv struct {
	h   http.Handler
	srv *server.Server
	// ids maps "segment/:param" (the segment before the parameter) to a real Riverside id.
	ids map[string]string
	as  map[string]reqOpt // who → session cookie
	// traineeCookie is trainee1's session cookie, as e.as["trainee"] sends it.
	traineeCookie *http.Cookie
	// harbourToken is a write API token of the other organisation.
	harbourToken string
}

func mustProbeEnv(tb testing.TB) *probeEnv {
	tb.Helper()
	h, store, _, signer := MustCertServer(tb, func(c *server.Config) {
		c.CalendarICS = mail.ICS
		c.Frontend = fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>Peerpath</title>")}, "assets/app.js": {Data: []byte("1")}}
	})
	ctx := context.Background()
	riverside := MustOrgID(tb, store, "riverside")
	lib, err := content.Load(content.Shipped)
	if err != nil {
		tb.Fatal(err)
	}
	store.RoleplayKit = courses.RoleplayKit{Cards: lib.Cards, Criteria: lib.Criteria}
	if _, err := store.ImportCourses(ctx, "", lib.Courses); err != nil {
		tb.Fatalf("import shipped courses: %v", err)
	}
	// Riverside's own copy of a shipped course, so that a scenario, too, belongs to one organisation.
	var own []*courses.Course
	for _, c := range lib.Courses {
		if len(c.Scenarios) > 0 {
			copied := *c
			copied.Slug = "riverside-" + c.Slug
			own = append(own, &copied)
			break
		}
	}
	if len(own) == 0 {
		tb.Fatal("no shipped course has a scenario")
	}
	if _, err := store.ImportCourses(ctx, riverside, own); err != nil {
		tb.Fatalf("import Riverside's course: %v", err)
	}
	if _, err := testdb.Owner(store.DB()).Exec(`INSERT INTO people (email, name, password_hash, operator) VALUES ('ops@probe.example', 'Ops', 'x', true)`); err != nil {
		tb.Fatal(err)
	}
	e := &probeEnv{h: h, srv: h.(*server.Server), as: map[string]reqOpt{}}
	for who, email := range map[string]string{
		"admin": "admin@riverside.example", "manager": "manager@riverside.example", "trainer": "trainer@riverside.example",
		"harbour": "admin@harbour.example", "operator": "ops@probe.example",
	} {
		e.as[who] = MustSessionCookie(tb, store, email)
	}
	trainee := MustPersonID(tb, store, "trainee1@riverside.example")
	token, err := store.CreateSession(ctx, trainee)
	if err != nil {
		tb.Fatal(err)
	}
	e.traineeCookie = &http.Cookie{Name: "peerpath_session", Value: token}
	e.as["trainee"] = withCookie(e.traineeCookie)
	cert := MustCertificate(tb, store, signer, "trainee1@riverside.example")
	var attempt string
	if err := testdb.Owner(store.DB()).Get(&attempt, `SELECT id FROM quiz_attempts WHERE person_id = $1`, trainee); err != nil {
		tb.Fatal(err)
	}
	// Two teams: the manager leads north; trainee1 is alone in south, outside the manager's view.
	north := mustCreated(tb, Do(tb, h, http.MethodPost, "/api/v1/org/teams", `{"name":"Probe north"}`, e.as["admin"]))
	south := mustCreated(tb, Do(tb, h, http.MethodPost, "/api/v1/org/teams", `{"name":"Probe south"}`, e.as["admin"]))
	for _, put := range []struct{ team, person, body string }{
		{north, MustPersonID(tb, store, "manager@riverside.example"), `{"manager":true}`},
		{north, MustPersonID(tb, store, "trainee2@riverside.example"), `{"manager":false}`},
		{south, trainee, `{"manager":false}`},
	} {
		if rec := Do(tb, h, http.MethodPut, "/api/v1/org/teams/"+put.team+"/members/"+put.person, put.body, e.as["admin"]); rec.Code != http.StatusOK {
			tb.Fatalf("add team member: got %d %s, want 200", rec.Code, rec.Body)
		}
	}
	rec := Do(tb, h, http.MethodPost, "/api/v1/org/assignments",
		`{"course_slug":"boundaries-in-peer-work","team_id":"`+south+`","due_within_days":14}`, e.as["admin"])
	var assigned struct {
		Rule struct {
			ID string `json:"id"`
		} `json:"rule"`
	}
	if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &assigned) != nil || assigned.Rule.ID == "" {
		tb.Fatalf("assign the south team: got %d %s, want 201 with a rule", rec.Code, rec.Body)
	}
	var assignment string
	if err := testdb.Owner(store.DB()).Get(&assignment, `SELECT id FROM assignments WHERE person_id = $1`, trainee); err != nil {
		tb.Fatal(err)
	}
	apiToken := mustCreated(tb, Do(tb, h, http.MethodPost, "/api/v1/org/api-tokens", `{"name":"Probe","scope":"read"}`, e.as["admin"]))
	e.harbourToken = mustToken(tb, h, e.as["harbour"], "write")
	trainingType := mustCreated(tb, Do(tb, h, http.MethodPost, "/api/v1/org/training-types", `{"name":"First aid","validity_months":36}`, e.as["admin"]))
	record := mustCreated(tb, DoUpload(tb, h, "/api/v1/me/training-records",
		map[string]string{"training_type_id": trainingType, "completed_on": "2025-06-30"}, "first-aid.pdf", testPDF, e.as["trainee"]))
	queue := testdb.Prefix(tb)
	MustArchivedTask(tb, queue)
	session := MustRoleplaySession(tb, store, riverside, MustPersonID(tb, store, "trainer@riverside.example"),
		[]string{trainee}, store.Now().Add(time.Hour), true)
	// trainee1 attended and chatted, so their session's transcript has a line for them to read.
	if err := store.RecordRoleplayFacts(ctx, riverside, session, courses.RoleplayFacts{
		Joins:      []courses.RoleplayJoin{{Person: trainee, At: store.Now(), Consent: true}},
		Transcript: []courses.RoleplayChatLine{{Seq: 1, Person: trainee, Text: "Hello, everyone.", At: store.Now()}},
	}); err != nil {
		tb.Fatalf("record the session's transcript: %v", err)
	}

	e.ids = map[string]string{
		"courses/:slug":         "induction",
		"modules/:module":       "one",
		"quizzes/:id":           "induction.one",
		"attempts/:id":          attempt,
		"scenarios/:id":         own[0].Slug + "." + own[0].Scenarios[0].ID,
		"certificates/:id":      cert.ID,
		"sessions/:id":          session,
		"people/:id":            trainee,
		"members/:person":       trainee,
		"teams/:id":             south,
		"assignments/:id":       assignment,
		"assignment-rules/:id":  assigned.Rule.ID,
		"api-tokens/:id":        apiToken,
		"training-types/:id":    trainingType,
		"training-records/:id":  record,
		"password-reset/:token": randomUUID(),
		"invitations/:token":    randomUUID(),
		"unsubscribe/:token":    randomUUID(),
		"verify/:code":          randomUUID(),
		"mail/:id":              randomUUID(),
		"queues/:queue":         queue,
	}
	return e
}

// randomUUID returns a new random UUID: well-formed, and naming nothing.
func randomUUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

var (
	probeParam       = regexp.MustCompile(`[^/]+/:[a-z]+`)
	probePlaceholder = regexp.MustCompile(`\{([a-z-]+/:[a-z]+)\}`)
)

// fill puts ids into a route's path and body: the real ones, or, with ids nil, random ones.
func (e *probeEnv) fill(tb testing.TB, r probeRoute, ids map[string]string) (path, body string) {
	tb.Helper()
	pick := func(key string) string {
		if ids == nil {
			return randomUUID()
		}
		id, ok := ids[key]
		if !ok {
			tb.Fatalf("%s: no id for %s; add one to mustProbeEnv", r, key)
		}
		return id
	}
	path = probeParam.ReplaceAllStringFunc(r.path, func(seg string) string {
		prefix, _, _ := strings.Cut(seg, "/:")
		return prefix + "/" + url.PathEscape(pick(seg))
	})
	body = probePlaceholder.ReplaceAllStringFunc(r.body, func(p string) string { return pick(p[1 : len(p)-1]) })
	return path, body
}

// encode turns r's filled body into what it sends and its content type; a form gets an evidence
// file holding file (a small PDF when nil).
func (r probeRoute) encode(tb testing.TB, body string, file []byte) (string, string) {
	tb.Helper()
	switch r.kind {
	case jsonBody:
		return body, "application/json"
	case csvBody:
		return body, "text/csv"
	case formBody:
		q, err := url.ParseQuery(body)
		if err != nil {
			tb.Fatal(err)
		}
		fields := map[string]string{}
		for k := range q {
			fields[k] = q.Get(k)
		}
		if file == nil {
			file = testPDF
		}
		return multipartBody(tb, fields, "evidence.pdf", file)
	}
	return "", ""
}

// probeRequest is a request to the server's own host.
func probeRequest(method, path, body, contentType string, opts ...reqOpt) *http.Request {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Host = "peerpath.test"
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for _, o := range opts {
		o(req)
	}
	return req
}

// do sends r with its ids filled (real ones, or random ones when ids is nil).
func (e *probeEnv) do(tb testing.TB, r probeRoute, ids map[string]string, opts ...reqOpt) *httptest.ResponseRecorder {
	tb.Helper()
	path, body := e.fill(tb, r, ids)
	body, ct := r.encode(tb, body, nil)
	return e.serve(tb, probeRequest(r.method, path, body, ct, opts...))
}

// serve sends req and checks what every response must be, whatever the probe: not a server
// error, and carrying the security headers.
func (e *probeEnv) serve(tb testing.TB, req *http.Request) *httptest.ResponseRecorder {
	tb.Helper()
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	if rec.Code >= 500 {
		tb.Errorf("%s %s: got %d %s, want no server error whatever the probe", req.Method, req.URL.Path, rec.Code, clip(rec.Body.String()))
	}
	for _, p := range securityHeaderProblems(rec.Header()) {
		tb.Errorf("%s %s: %s", req.Method, req.URL.Path, p)
	}
	return rec
}

// securityHeaderProblems lists what is wrong with a response's security headers.
func securityHeaderProblems(h http.Header) []string {
	var out []string
	csp := h.Get("Content-Security-Policy")
	for _, d := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, d) {
			out = append(out, fmt.Sprintf("Content-Security-Policy: got %q, want it to hold %q", csp, d))
		}
	}
	for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
		"Referrer-Policy": "no-referrer", "Cross-Origin-Opener-Policy": "same-origin"} {
		if got := h.Get(k); got != v {
			out = append(out, fmt.Sprintf("%s: got %q, want %q", k, got, v))
		}
	}
	slices.Sort(out)
	return out
}

// probeWant is the answer a probe expects: a status and, for errors, the envelope's code.
type probeWant struct {
	status int
	code   string
}

var (
	want401 = probeWant{http.StatusUnauthorized, "unauthorized"}
	want403 = probeWant{http.StatusForbidden, "forbidden"}
	want404 = probeWant{http.StatusNotFound, "not_found"}
	want413 = probeWant{http.StatusRequestEntityTooLarge, "too_large"}
	want429 = probeWant{http.StatusTooManyRequests, "rate_limited"}
)

// wantAnswer reports a response that is not want, naming the route and the probe.
func wantAnswer(t *testing.T, what string, rec *httptest.ResponseRecorder, want probeWant) {
	t.Helper()
	got := probeWant{status: rec.Code}
	if rec.Code >= 400 {
		var body struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		ct := rec.Header().Get("Content-Type")
		if !strings.HasPrefix(ct, "application/json") || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body.Error.Message == "" {
			t.Errorf("%s: got %d %s (%s), want the JSON error envelope", what, rec.Code, clip(rec.Body.String()), ct)
			return
		}
		got.code = body.Error.Code
	}
	if got != want {
		t.Errorf("%s: got %d %q %s, want %d %q", what, got.status, got.code, clip(rec.Body.String()), want.status, want.code)
	}
}

// wantUntold is wantAnswer for a refusal that must not tell of trainee1 or their organisation.
func wantUntold(t *testing.T, what string, rec *httptest.ResponseRecorder, want probeWant) {
	t.Helper()
	wantAnswer(t, what, rec, want)
	for _, secret := range []string{"Sam Okafor", "trainee1@riverside.example", "Riverside Peer Network", "Probe south"} {
		if strings.Contains(rec.Body.String(), secret) {
			t.Errorf("%s: got %s, want nothing that names %q", what, clip(rec.Body.String()), secret)
		}
	}
}

// wantAnswerOf is wantAnswer for a response that may be any of wants.
func wantAnswerOf(t *testing.T, what string, rec *httptest.ResponseRecorder, wants ...probeWant) {
	t.Helper()
	for _, w := range wants {
		if rec.Code == w.status {
			wantAnswer(t, what, rec, w)
			return
		}
	}
	t.Errorf("%s: got %d %s, want one of %v", what, rec.Code, clip(rec.Body.String()), wants)
}

func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// hasIDs reports whether r's path takes parameters.
func (r probeRoute) hasIDs() bool { return strings.Contains(r.path, "/:") }

// writes reports whether r's method may change something, the kind the cross-origin check guards.
func (r probeRoute) writes() bool {
	return r.method != http.MethodGet && r.method != http.MethodHead && r.method != http.MethodOptions
}

// actor is the session that may call r: trainee1 for their own things, Riverside's admin for
// staff routes, the operator for operations.
func (e *probeEnv) actor(r probeRoute) []reqOpt {
	switch r.access {
	case public:
		return nil
	case person:
		return []reqOpt{e.as["trainee"]}
	case operators:
		return []reqOpt{e.as["operator"]}
	default:
		return []reqOpt{e.as["admin"]}
	}
}

// TestProbe walks every route with hostile requests: no session, the wrong person, another
// organisation's ids, oversized bodies, other sites' pages, and a password guesser.
func TestProbe(t *testing.T) {
	t.Parallel()
	e := mustProbeEnv(t)

	t.Run("EveryRoute", func(t *testing.T) {
		listed := map[string]bool{}
		for _, r := range probeRoutes {
			if listed[r.String()] {
				t.Errorf("%s is listed twice", r)
			}
			listed[r.String()] = true
		}
		served := map[string]bool{}
		for _, r := range e.srv.Routes() {
			served[r.Method+" "+r.Path] = true
			if !listed[r.Method+" "+r.Path] {
				t.Errorf("%s %s is not in probeRoutes: add it, saying who may call it", r.Method, r.Path)
			}
		}
		for _, r := range probeRoutes {
			if !served[r.String()] {
				t.Errorf("%s is in probeRoutes, but the server does not serve it", r)
			}
		}
	})

	// Without a session, or with one that does not exist, only the public routes answer.
	for _, who := range []struct {
		name string
		opts []reqOpt
	}{
		{"NoSession", nil},
		{"ForgedSession", []reqOpt{withCookie(&http.Cookie{Name: "peerpath_session", Value: "forged-" + randomUUID()})}},
		{"ForgedToken", []reqOpt{withHeader("Authorization", "Bearer pp_"+strings.ReplaceAll(randomUUID(), "-", ""))}},
	} {
		t.Run(who.name, func(t *testing.T) {
			for _, r := range probeRoutes {
				want := want401
				switch r.access {
				case public:
					want = probeWant{status: r.anon}
					if r.anon >= 400 {
						want.code = map[int]string{401: "unauthorized", 404: "not_found"}[r.anon]
					}
				case operators:
					want = want404 // the operations view is not advertised
				}
				wantAnswer(t, who.name+" "+r.String(), e.do(t, r, nil, who.opts...), want)
			}
		})
	}

	// Each role is refused what is not its own, even aimed at its own organisation's real ids.
	t.Run("WrongRole", func(t *testing.T) {
		for _, who := range []struct {
			name    string
			allowed []access
		}{
			{"trainee", nil},
			{"trainer", []access{trainers}},
		} {
			for _, r := range probeRoutes {
				want := want403
				switch {
				case r.access == public || r.access == person || slices.Contains(who.allowed, r.access):
					continue
				case r.access == operators:
					want = want404 // the operations view is not advertised
				}
				wantAnswer(t, who.name+" "+r.String(), e.do(t, r, e.ids, e.as[who.name]), want)
			}
		}
	})

	// The manager leads another team than trainee1's: trainee1's records do not exist for them.
	t.Run("ManagerOutsideTeam", func(t *testing.T) {
		for _, r := range probeRoutes {
			want := want404
			switch {
			case r.access == trainers || r.access == admins:
				want = want403
			case r.access == public || r.access == operators:
				continue
			case r.scope != personIDs:
				continue // the organisation's own content is the manager's to see
			}
			wantUntold(t, "Manager "+r.String(), e.do(t, r, e.ids, e.as["manager"]), want)
		}
	})

	// Another organisation's admin, by session or by API token, aiming at Riverside's ids.
	t.Run("OtherOrganisation", func(t *testing.T) {
		for _, r := range probeRoutes {
			if r.scope == noIDs || r.access == operators {
				continue
			}
			wantUntold(t, "Harbour "+r.String(), e.do(t, r, e.ids, e.as["harbour"]), want404)
		}
	})
	t.Run("OtherOrganisationToken", func(t *testing.T) {
		for _, r := range probeRoutes {
			if r.scope == noIDs || !strings.HasPrefix(r.path, "/api/v1/org/") || strings.HasPrefix(r.path, "/api/v1/org/api-tokens") {
				continue // tokens are for /org routes, and never manage tokens
			}
			wantUntold(t, "Harbour token "+r.String(), e.do(t, r, e.ids, bearer(e.harbourToken)), want404)
		}
	})

	// Ids that name nothing: 404, never a 500, for the caller the route is meant for.
	t.Run("UnknownID", func(t *testing.T) {
		for _, r := range probeRoutes {
			if !r.hasIDs() || r.access == public {
				continue
			}
			wantAnswer(t, "Unknown "+r.String(), e.do(t, r, nil, e.actor(r)...), want404)
		}
	})

	// A platform operator belongs to no organisation: staff routes refuse them, and their own
	// things are empty lists or plain refusals, never a 500 or a puzzling 400.
	t.Run("Operator", func(t *testing.T) {
		for _, r := range probeRoutes {
			if r.access == public || r.access == operators {
				continue
			}
			name := "Operator " + r.String()
			switch {
			case r.access != person:
				wantAnswer(t, name, e.do(t, r, nil, e.as["operator"]), want403)
			case r.hasIDs():
				wantAnswerOf(t, name, e.do(t, r, nil, e.as["operator"]), want403, want404)
			case r.method == http.MethodGet:
				wantAnswerOf(t, name, e.do(t, r, nil, e.as["operator"]), probeWant{status: http.StatusOK}, want403, want404)
			default:
				// What the write needs (a password, a form) may answer first; serve still fails a 5xx.
				e.do(t, r, nil, e.as["operator"])
			}
		}
	})

	// The refusals above mean something only if the same requests succeed for the people they
	// are meant for: every read, aimed at the real ids, by its rightful caller.
	t.Run("RightfulCaller", func(t *testing.T) {
		for _, r := range probeRoutes {
			if r.method != http.MethodGet || r.access == public || strings.HasSuffix(r.path, "/ws") {
				continue
			}
			wantAnswer(t, "Rightful "+r.String(), e.do(t, r, e.ids, e.actor(r)...), probeWant{status: http.StatusOK})
		}
	})

	t.Run("Oversized", func(t *testing.T) {
		for _, r := range probeRoutes {
			if !r.writes() {
				continue
			}
			limit := probeMaxBody
			if r.kind == formBody {
				limit = probeMaxUpload
			}
			// A declared length over the limit is refused before anything reads the body.
			path, _ := e.fill(t, r, nil)
			_, ct := r.encode(t, "", nil)
			req := probeRequest(r.method, path, strings.Repeat("x", limit+1), ct, e.actor(r)...)
			wantAnswer(t, "Oversized "+r.String(), e.serve(t, req), want413)
			if r.kind == noBody {
				continue // nothing reads a body of unknown length here
			}
			// A body of unknown length is cut off where it passes the limit.
			path, body := e.fill(t, r, e.ids)
			body, ct = r.oversized(t, body, limit)
			req = probeRequest(r.method, path, "", ct, e.actor(r)...)
			req.Body, req.ContentLength = io.NopCloser(strings.NewReader(body)), -1
			wantAnswer(t, "Oversized streamed "+r.String(), e.serve(t, req), want413)
		}
	})
	// Evidence files may be larger than other bodies.
	t.Run("UploadLimit", func(t *testing.T) {
		file := append(append([]byte{}, testPDF...), strings.Repeat(" ", probeMaxBody)...)
		for _, r := range probeRoutes {
			if r.kind != formBody {
				continue
			}
			path, body := e.fill(t, r, e.ids)
			body, ct := r.encode(t, body, file)
			req := probeRequest(r.method, path, body, ct, e.actor(r)...)
			wantAnswer(t, "Upload over the usual limit "+r.String(), e.serve(t, req), probeWant{status: http.StatusCreated})
		}
	})

	// Writes from another site's page are refused, signed in or not; reads are not (SameSite=Lax
	// cookies and the absence of CORS guard them).
	t.Run("CrossOrigin", func(t *testing.T) {
		pages := []struct {
			name string
			opts []reqOpt
		}{
			{"CrossSite", []reqOpt{withHeader("Origin", "https://evil.example"), withHeader("Sec-Fetch-Site", "cross-site")}},
			{"SameSiteOtherOrigin", []reqOpt{withHeader("Origin", "http://other.peerpath.test"), withHeader("Sec-Fetch-Site", "same-site")}},
			{"OldBrowser", []reqOpt{withHeader("Origin", "https://evil.example")}},
			{"OpaqueOrigin", []reqOpt{withHeader("Origin", "null")}},
		}
		for _, r := range probeRoutes {
			if !r.writes() {
				continue
			}
			for _, page := range pages {
				rec := e.do(t, r, nil, append(e.actor(r), page.opts...)...)
				wantAnswer(t, page.name+" "+r.String(), rec, want403)
			}
		}
	})
	// A browser sends cookies with a cross-site WebSocket upgrade, so the socket checks the page's
	// origin itself; the same upgrade from the app's own origin opens the session.
	t.Run("CrossSiteWebSocket", func(t *testing.T) {
		ts := httptest.NewServer(e.h)
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			e.srv.Close(ctx)
			ts.Close()
		})
		path, _ := e.fill(t, probeRoute{path: "/api/v1/roleplay/sessions/:id/ws"}, e.ids)
		dial := func(origin string) (*http.Response, error) {
			h := http.Header{"Cookie": {e.traineeCookie.String()}}
			if origin != "" {
				h.Set("Origin", origin)
			}
			ws, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http")+path, h)
			if ws != nil {
				ws.Close()
			}
			return resp, err
		}
		if resp, err := dial("http://peerpath.test"); err != nil {
			t.Fatalf("upgrade from the app's origin: got %v (response %v), want it to open", err, resp)
		}
		for _, origin := range []string{"https://evil.example", "http://other.peerpath.test", "https://peerpath.test", "null", ""} {
			what := fmt.Sprintf("Upgrade from origin %q", origin)
			resp, err := dial(origin)
			if err == nil {
				t.Errorf("%s: got the connection, want 403", what)
				continue
			}
			if resp == nil {
				t.Errorf("%s: got %v, want 403", what, err)
				continue
			}
			rec := httptest.NewRecorder()
			for k, v := range resp.Header {
				rec.Header()[k] = v
			}
			rec.WriteHeader(resp.StatusCode)
			io.Copy(rec, resp.Body)
			resp.Body.Close()
			wantAnswer(t, what, rec, want403)
			for _, p := range securityHeaderProblems(resp.Header) {
				t.Errorf("%s: %s", what, p)
			}
		}
	})

	// A password guesser is stopped per account and per address, and the right password does
	// not get through either until the window has passed.
	t.Run("BruteForceLogin", func(t *testing.T) {
		const guesser = "198.51.100.7:4000"
		try := func(email, password, addr string) *httptest.ResponseRecorder {
			return e.serve(t, probeRequest(http.MethodPost, "/api/v1/auth/login", loginBody(email, password), "application/json", withRemoteAddr(addr)))
		}
		for i := range probeLoginFailures {
			wantAnswer(t, fmt.Sprintf("Guess %d", i+1), try("trainee6@riverside.example", fmt.Sprintf("guess-%d-password", i), guesser), want401)
		}
		for _, tt := range []struct{ name, email, password, addr string }{
			{"NextGuess", "trainee6@riverside.example", "one-more-guess", guesser},
			{"RightPassword", "trainee6@riverside.example", demoPassword, guesser},
			{"SameAccountElsewhere", "trainee6@riverside.example", demoPassword, "203.0.113.9:5000"},
			{"OtherAccountSameAddress", "trainee5@riverside.example", demoPassword, guesser},
		} {
			rec := try(tt.email, tt.password, tt.addr)
			wantAnswer(t, tt.name, rec, want429)
			if rec.Header().Get("Retry-After") == "" {
				t.Errorf("%s: got no Retry-After, want one", tt.name)
			}
		}
	})

	// Every response carries the security headers (each probe above checks its own); these are
	// the answers that are not errors, and those that come from outside the API.
	t.Run("SecurityHeaders", func(t *testing.T) {
		for _, tt := range []struct {
			name, path string
			opts       []reqOpt
			status     int
		}{
			{"AppPage", "/learn/courses", nil, http.StatusOK},
			{"AppIndex", "/", nil, http.StatusOK},
			{"Asset", "/assets/app.js", nil, http.StatusOK},
			{"MissingAsset", "/assets/missing.js", nil, http.StatusNotFound},
			{"UnknownAPI", "/api/v1/nothing/here", nil, http.StatusNotFound},
			{"CertificatePDF", "/api/v1/certificates/" + e.ids["certificates/:id"] + ".pdf", []reqOpt{e.as["trainee"]}, http.StatusOK},
			{"Credential", "/api/v1/certificates/" + e.ids["certificates/:id"] + "/credential", []reqOpt{e.as["trainee"]}, http.StatusOK},
			{"Calendar", "/api/v1/roleplay/sessions/" + e.ids["sessions/:id"] + ".ics", []reqOpt{e.as["trainee"]}, http.StatusOK},
			{"Evidence", "/api/v1/me/training-records/" + e.ids["training-records/:id"] + "/evidence", []reqOpt{e.as["trainee"]}, http.StatusOK},
			{"CompletionCSV", "/api/v1/org/completion.csv", []reqOpt{e.as["admin"]}, http.StatusOK},
			{"MyExport", "/api/v1/me/export", []reqOpt{e.as["trainee"]}, http.StatusOK},
			{"Metrics", "/metrics", nil, http.StatusOK},
		} {
			if rec := e.serve(t, probeRequest(http.MethodGet, tt.path, "", "", tt.opts...)); rec.Code != tt.status {
				t.Errorf("%s GET %s: got %d, want %d", tt.name, tt.path, rec.Code, tt.status)
			}
		}
		wantAnswer(t, "MethodNotAllowed DELETE /api/v1/me", e.serve(t, probeRequest(http.MethodDelete, "/api/v1/me", "", "")), probeWant{http.StatusMethodNotAllowed, "method_not_allowed"})
	})
}

const (
	// probeMaxBody is server.Config's default MaxBody.
	probeMaxBody = 1 << 20
	// probeMaxUpload is more than an evidence upload may be, whatever room the form is given.
	probeMaxUpload = courses.MaxEvidenceBytes + 1<<20
	// probeLoginFailures is server.Config's default LoginFailures.
	probeLoginFailures = 10
)

// oversized is a body of r's kind, longer than limit, that the route has to read to the end to
// act on: one long JSON string, many CSV rows, or a form whose file is too large.
func (r probeRoute) oversized(tb testing.TB, body string, limit int) (string, string) {
	tb.Helper()
	switch r.kind {
	case csvBody:
		row := "Probe Person,probe.person@probe.example\n"
		return "name,email\n" + strings.Repeat(row, limit/len(row)+1), "text/csv"
	case formBody:
		return r.encode(tb, body, append(append([]byte{}, testPDF...), strings.Repeat(" ", limit)...))
	}
	return `{"pad":"` + strings.Repeat("x", limit) + `"}`, "application/json"
}

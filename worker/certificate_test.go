package worker_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"mime"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/hibiken/asynq"

	"peerpath/courses"
	"peerpath/courses/content"
	"peerpath/migrations/testdb"
	"peerpath/worker"
	"peerpath/worker/credential"
	"peerpath/worker/mail"
)

// MustSigner returns a signer over a new Ed25519 key, and the key's public JWK.
func MustSigner(tb testing.TB) (*credential.Signer, []byte) {
	tb.Helper()
	path, err := credential.EnsureDevelopmentKey(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	keys, err := credential.LoadKeys(path)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := credential.NewSigner(keys[0])
	if err != nil {
		tb.Fatal(err)
	}
	jwk, err := keys[0].PublicJWK()
	if err != nil {
		tb.Fatal(err)
	}
	return s, jwk
}

// certWorker is e.worker with a signer (nil for a worker that does not issue certificates).
func (e *env) certWorker(tb testing.TB, signer *credential.Signer) *worker.Worker {
	tb.Helper()
	s, err := mail.NewSMTP(e.smtp.URL())
	if err != nil {
		tb.Fatal(err)
	}
	return worker.New(worker.Config{Store: e.store, Redis: e.redis, Queue: e.queue, Sender: s, Logger: e.log,
		RelayInterval: 20 * time.Millisecond, ShutdownTimeout: 5 * time.Second, Signer: signer, BaseURL: "https://peerpath.example.org"})
}

// start runs w until the returned stop is called, or the test ends.
func start(tb testing.TB, w *worker.Worker) (stop func()) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := w.Run(ctx); err != nil {
			tb.Errorf("worker: %v", err)
		}
	}()
	stop = sync.OnceFunc(func() { cancel(); wg.Wait() })
	tb.Cleanup(stop)
	return stop
}

// certCourse is the organisation's one-module course with a one-question quiz (answer a),
// renewed every 12 months.
var certCourse = fstest.MapFS{
	"course.yaml": {Data: []byte("slug: induction\ntitle: Riverside induction\nsummary: Our own induction.\nversion: 1\n" +
		"estimated_hours: 1\nrecertification_months: 12\n")},
	"modules/01-one.md": {Data: []byte("---\nslug: one\ntitle: One\nminutes: 5\nobjectives: [Learn]\nquiz: one\n---\nSome text.\n")},
	"quizzes/01-one.yaml": {Data: []byte("id: one\ntitle: Quiz\npass_mark: 100\nquestions:\n" +
		"  - id: q1\n    kind: single\n    prompt: Pick.\n    options: [{id: a, text: A}, {id: b, text: B}]\n    answer: a\n    feedback: Because.\n")},
}

// mustCourse imports certCourse for the organisation.
func (e *env) mustCourse(tb testing.TB) {
	tb.Helper()
	lib, err := content.Load(certCourse)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := e.store.ImportCourses(context.Background(), e.org.ID, lib.Courses); err != nil {
		tb.Fatalf("import: %v", err)
	}
}

// mustCompletion adds a trainee named name, has them complete the course through the store, and
// returns the completion's id.
func (e *env) mustCompletion(tb testing.TB, email, name string) string {
	tb.Helper()
	ctx := context.Background()
	var id string
	if err := testdb.Owner(e.store.DB()).Get(&id, `INSERT INTO people (org_id, email, name, password_hash, roles)
		VALUES ($1, $2, $3, 'not-a-hash', '{trainee}') RETURNING id`, e.org.ID, email, name); err != nil {
		tb.Fatalf("add %s: %v", email, err)
	}
	p, err := e.store.FindPrincipal(ctx, id)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := e.store.CompleteModule(ctx, p, "induction", "one"); err != nil {
		tb.Fatal(err)
	}
	a, _, err := e.store.StartAttempt(ctx, p, "induction.one")
	if err != nil {
		tb.Fatal(err)
	}
	res, err := e.store.SubmitAttempt(ctx, p, a.ID, courses.Answers{"q1": {"a"}})
	if err != nil || !res.CourseCompleted {
		tb.Fatalf("submit: got %+v, %v; want the course completed", res, err)
	}
	var completion string
	if err := testdb.Owner(e.store.DB()).Get(&completion, `SELECT id FROM completions WHERE person_id = $1`, id); err != nil {
		tb.Fatal(err)
	}
	return completion
}

// issueTask is a certificate:issue task for a completion.
func issueTask(tb testing.TB, completionID string) *asynq.Task {
	tb.Helper()
	task, err := worker.NewCertificateIssueTask(worker.CertificateIssuePayload{CompletionID: completionID})
	if err != nil {
		tb.Fatal(err)
	}
	return task
}

// count returns the result of a count(*) query.
func (e *env) count(tb testing.TB, query string, args ...any) int {
	tb.Helper()
	var n int
	if err := testdb.Owner(e.store.DB()).Get(&n, query, args...); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return n
}

// wantOneCertificate checks that a completion has exactly one certificate and one email about it,
// and returns the certificate.
func (e *env) wantOneCertificate(tb testing.TB, completionID string) *courses.Certificate {
	tb.Helper()
	if n := e.count(tb, `SELECT count(*) FROM certificates WHERE completion_id = $1`, completionID); n != 1 {
		tb.Fatalf("certificates of completion %s: got %d, want 1", completionID, n)
	}
	_, c, err := e.store.DraftCertificate(context.Background(), completionID)
	if err != nil || c == nil {
		tb.Fatalf("certificate of completion %s: got %v, %v", completionID, c, err)
	}
	if n := e.count(tb, `SELECT count(*) FROM outbox WHERE task_type = $1 AND payload->>'key' = $2`,
		worker.TypeEmailSend, "certificate:"+c.ID); n != 1 {
		tb.Errorf("emails about certificate %s: got %d, want 1", c.ID, n)
	}
	return c
}

// verifyCredential checks a stored credential with golang-jwt against the signer's public JWK.
func verifyCredential(tb testing.TB, c *courses.Certificate, jwk []byte) jwt.MapClaims {
	tb.Helper()
	var k struct {
		X   string `json:"x"`
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(jwk, &k); err != nil {
		tb.Fatal(err)
	}
	x, err := base64.RawURLEncoding.DecodeString(k.X)
	if err != nil {
		tb.Fatal(err)
	}
	if c.KeyID != k.Kid {
		tb.Errorf("key id: got %q, want %q", c.KeyID, k.Kid)
	}
	claims := jwt.MapClaims{}
	_, err = jwt.ParseWithClaims(c.Credential, claims, func(*jwt.Token) (any, error) { return ed25519.PublicKey(x), nil },
		jwt.WithValidMethods([]string{"EdDSA"}), jwt.WithTimeFunc(func() time.Time { return c.IssuedAt.Add(time.Minute) }))
	if err != nil {
		tb.Fatalf("credential %q: %v", c.Credential, err)
	}
	return claims
}

func TestCertificateIssue(t *testing.T) {
	e := mustEnv(t)
	e.mustCourse(t)
	signer, jwk := MustSigner(t)
	w := e.certWorker(t, signer)
	ctx := context.Background()

	t.Run("TwiceIsOnce", func(t *testing.T) {
		completion := e.mustCompletion(t, "sam@riverside.example", "Sam Okafor")
		for i := 0; i < 2; i++ {
			if err := w.Mux().ProcessTask(ctx, issueTask(t, completion)); err != nil {
				t.Fatalf("run %d: %v", i+1, err)
			}
		}
		c := e.wantOneCertificate(t, completion)
		claims := verifyCredential(t, c, jwk)
		subject, _ := claims["credentialSubject"].(map[string]any)
		if subject["name"] != "Sam Okafor" || claims["jti"] != "urn:uuid:"+c.ID {
			t.Errorf("credential: got subject %v, jti %v; want Sam Okafor and urn:uuid:%s", subject, claims["jti"], c.ID)
		}
		if iss, _ := claims["iss"].(string); !strings.HasPrefix(iss, "https://peerpath.example.org/") {
			t.Errorf("iss: got %q, want it under the base URL", iss)
		}
		if c.ExpiresAt == nil || !c.ExpiresAt.Equal(c.IssuedAt.AddDate(1, 0, 0)) || claims["exp"] != float64(c.ExpiresAt.Unix()) {
			t.Errorf("expiry: got %v (exp claim %v), want a year after %v", c.ExpiresAt, claims["exp"], c.IssuedAt)
		}
	})
	t.Run("ConcurrentIsOnce", func(t *testing.T) {
		completion := e.mustCompletion(t, "priya@riverside.example", "Priya Nair")
		// Hold back every insert until all five runs have drafted and wait to write, so they
		// truly race: SHARE mode lets the drafts read the table and makes the inserts wait.
		gate, err := testdb.Owner(e.store.DB()).BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := gate.Exec(`LOCK TABLE certificates IN SHARE MODE`); err != nil {
			gate.Rollback()
			t.Fatal(err)
		}
		task := issueTask(t, completion)
		errs := make([]error, 5)
		var wg sync.WaitGroup
		defer func() { gate.Rollback(); wg.Wait() }() // on an early failure too
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = w.Mux().ProcessTask(ctx, task)
			}()
		}
		waitFor(t, func() bool {
			return e.count(t, `SELECT count(*) FROM pg_stat_activity
				WHERE datname = current_database() AND wait_event_type = 'Lock'`) == len(errs)
		})
		if err := gate.Rollback(); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("run %d: %v", i+1, err)
			}
		}
		verifyCredential(t, e.wantOneCertificate(t, completion), jwk)
	})
	// A run that died after drafting (nothing is written before the insert) leaves nothing
	// behind; the retry issues the one certificate.
	t.Run("KilledAfterDraft", func(t *testing.T) {
		completion := e.mustCompletion(t, "jordan@riverside.example", "Jordan Ellis")
		abandoned, _, err := e.store.DraftCertificate(ctx, completion)
		if err != nil || abandoned == nil {
			t.Fatalf("draft: got %v, %v", abandoned, err)
		}
		if n := e.count(t, `SELECT count(*) FROM certificates WHERE completion_id = $1`, completion); n != 0 {
			t.Fatalf("certificates after a draft: got %d, want 0", n)
		}
		if err := w.Mux().ProcessTask(ctx, issueTask(t, completion)); err != nil {
			t.Fatal(err)
		}
		if c := e.wantOneCertificate(t, completion); c.ID == abandoned.ID || c.Number == abandoned.Number {
			t.Errorf("got the abandoned draft's id or number %s, want a fresh one", c.Number)
		}
	})
	// A run that died after its insert committed (before asynq heard of success) is retried: the
	// retry finds the certificate and writes nothing, so the holder gets one email.
	t.Run("KilledAfterCommit", func(t *testing.T) {
		completion := e.mustCompletion(t, "dee@riverside.example", "Dee Walker")
		draft, _, err := e.store.DraftCertificate(ctx, completion)
		if err != nil {
			t.Fatal(err)
		}
		draft.Credential, draft.KeyID = "committed-before-the-crash", signer.KeyID()
		if created, err := e.store.CreateCertificate(ctx, draft); err != nil || !created {
			t.Fatalf("create: got %v, %v", created, err)
		}
		if err := w.Mux().ProcessTask(ctx, issueTask(t, completion)); err != nil {
			t.Fatalf("retry: %v", err)
		}
		if c := e.wantOneCertificate(t, completion); c.ID != draft.ID || c.Credential != "committed-before-the-crash" {
			t.Errorf("got certificate %s with credential %q, want the one committed before the crash", c.ID, c.Credential)
		}
	})
	t.Run("ErrPayloadSkipsRetry", func(t *testing.T) {
		before := e.count(t, `SELECT count(*) FROM certificates`)
		for _, p := range []string{"{", "[]", `{}`, `{"completion_id":""}`, `{"completion_id":"not-a-uuid"}`,
			`{"completion_id":"1d4a0b3e-7a55-4c1b-8f3a-58b9b0f6a001"}`} {
			err := w.Mux().ProcessTask(ctx, asynq.NewTask(worker.TypeCertificateIssue, []byte(p)))
			if !errors.Is(err, asynq.SkipRetry) {
				t.Errorf("payload %s: got %v, want SkipRetry", p, err)
			}
		}
		if n := e.count(t, `SELECT count(*) FROM certificates`); n != before {
			t.Errorf("certificates: got %d, want %d", n, before)
		}
	})
	t.Run("ErrDatabaseDownRetries", func(t *testing.T) {
		db := testdb.New(t)
		db.Close()
		down := worker.New(worker.Config{Store: courses.NewStore(db, nil), Redis: e.redis, Queue: e.queue, Logger: e.log, Signer: signer})
		err := down.Mux().ProcessTask(ctx, issueTask(t, "1d4a0b3e-7a55-4c1b-8f3a-58b9b0f6a001"))
		if err == nil || errors.Is(err, asynq.SkipRetry) {
			t.Errorf("got %v, want an error asynq retries", err)
		}
	})
}

// A worker without a signer does not handle certificate:issue at all.
func TestCertificateIssueNeedsSigner(t *testing.T) {
	e := mustEnv(t)
	signer, _ := MustSigner(t)
	for _, tt := range []struct {
		name   string
		signer *credential.Signer
		want   bool
	}{{"WithSigner", signer, true}, {"WithoutSigner", nil, false}} {
		t.Run(tt.name, func(t *testing.T) {
			w := e.certWorker(t, tt.signer)
			has := false
			for _, typ := range w.Types() {
				has = has || typ == worker.TypeCertificateIssue
			}
			if has != tt.want {
				t.Errorf("types %v: got certificate:issue %v, want %v", w.Types(), has, tt.want)
			}
			err := w.Mux().ProcessTask(context.Background(), issueTask(t, "1d4a0b3e-7a55-4c1b-8f3a-58b9b0f6a001"))
			if handled := errors.Is(err, asynq.SkipRetry); handled != tt.want {
				t.Errorf("process: got %v, want handled %v", err, tt.want)
			}
		})
	}
}

// subject is a received message's decoded subject.
func subject(tb testing.TB, m string) string {
	tb.Helper()
	s, err := new(mime.WordDecoder).DecodeHeader(m)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// Completing a course reaches the holder as a certificate and an email, through outbox, relay,
// queue and worker.
func TestCertificateEndToEnd(t *testing.T) {
	e := mustEnv(t)
	e.mustCourse(t)
	signer, jwk := MustSigner(t)
	completion := e.mustCompletion(t, "sam@riverside.example", "Sam Okafor")
	start(t, e.certWorker(t, signer))

	got := e.smtp.Wait(t, 1, 15*time.Second)
	if len(got) != 1 || got[0].To[0] != "sam@riverside.example" ||
		subject(t, got[0].Header.Get("Subject")) != "Your certificate for Riverside induction is ready" {
		t.Fatalf("mail: got %d messages, first to %v with subject %q; want one to sam@riverside.example about the certificate",
			len(got), got[0].To, got[0].Header.Get("Subject"))
	}
	c := e.wantOneCertificate(t, completion)
	verifyCredential(t, c, jwk)
	if body := strings.ReplaceAll(got[0].Body, "=\r\n", ""); !strings.Contains(body, c.Number) || !strings.Contains(body, "http://peerpath.test/verify/"+c.VerifyCode) {
		t.Errorf("mail body: got %q, want the number %s and the verification link", got[0].Body, c.Number)
	}
	waitFor(t, func() bool {
		return e.count(t, `SELECT count(*) FROM outbox WHERE enqueued_at IS NULL`) == 0
	})
}

// Without a signer a worker relays what it can run and leaves certificate:issue rows in the
// outbox; a worker with a signer issues them later, so a rolling upgrade loses none.
func TestCertificateWaitsForSigner(t *testing.T) {
	e := mustEnv(t)
	e.mustCourse(t)
	completion := e.mustCompletion(t, "sam@riverside.example", "Sam Okafor")
	e.invite(t, "new.person@example.org") // an email queued after the certificate job
	stop := start(t, e.certWorker(t, nil))

	got := e.smtp.Wait(t, 1, 10*time.Second)
	if got[0].To[0] != "new.person@example.org" {
		t.Fatalf("mail: got one to %v, want the invitation", got[0].To)
	}
	type row struct {
		TaskType string `db:"task_type"`
		Pending  bool   `db:"pending"`
		Attempts int    `db:"attempts"`
	}
	rows := func() []row {
		var rs []row
		if err := testdb.Owner(e.store.DB()).Select(&rs, `SELECT task_type, enqueued_at IS NULL AS pending, attempts FROM outbox ORDER BY id`); err != nil {
			t.Fatal(err)
		}
		return rs
	}
	waitFor(t, func() bool { rs := rows(); return len(rs) == 2 && !rs[1].Pending })
	stop()
	if rs := rows(); rs[0].TaskType != worker.TypeCertificateIssue || !rs[0].Pending || rs[0].Attempts != 0 {
		t.Fatalf("certificate job: got %+v, want it pending and never tried", rs[0])
	}
	if n := e.count(t, `SELECT count(*) FROM certificates`); n != 0 {
		t.Fatalf("certificates: got %d, want 0", n)
	}

	signer, jwk := MustSigner(t)
	start(t, e.certWorker(t, signer))
	e.smtp.Wait(t, 2, 15*time.Second)
	verifyCredential(t, e.wantOneCertificate(t, completion), jwk)
}

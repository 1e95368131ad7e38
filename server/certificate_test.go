package server_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
	"peerpath/courses/content"
	"peerpath/migrations/testdb"
	"peerpath/server"
	"peerpath/worker/certificate"
	"peerpath/worker/credential"
)

// certificatePDF draws a certificate as the peerpath binary does.
func certificatePDF(c *courses.Certificate, verifyURL string) ([]byte, error) {
	return certificate.PDF(certificate.Data{Name: c.PersonName, CourseTitle: c.CourseTitle, CourseVersion: c.CourseVersion,
		Organisation: c.OrgName, IssuedAt: c.IssuedAt, ExpiresAt: c.ExpiresAt, Number: c.Number, VerifyURL: verifyURL,
		Revoked: c.RevokedAt != nil})
}

// inductionFS is Riverside's own course: one module, a one-question quiz (answer a), renewed
// every 12 months.
var inductionFS = fstest.MapFS{
	"course.yaml": {Data: []byte("slug: induction\ntitle: Riverside induction\nsummary: Our own induction.\nversion: 1\n" +
		"estimated_hours: 1\nrecertification_months: 12\n")},
	"modules/01-one.md": {Data: []byte("---\nslug: one\ntitle: One\nminutes: 5\nobjectives: [Learn]\nquiz: one\n---\nSome text.\n")},
	"quizzes/01-one.yaml": {Data: []byte("id: one\ntitle: Quiz\npass_mark: 100\nquestions:\n" +
		"  - id: q1\n    kind: single\n    prompt: Pick.\n    options: [{id: a, text: A}, {id: b, text: B}]\n    answer: a\n    feedback: Because.\n")},
}

// MustCertServer is MustServer drawing PDFs as the binary does, with Riverside's induction
// course imported and a signer whose key, and an older key, are published.
func MustCertServer(tb testing.TB, opts ...func(*server.Config)) (http.Handler, *courses.Store, *fakeClock, *credential.Signer) {
	tb.Helper()
	opts = append([]func(*server.Config){func(c *server.Config) { c.CertificatePDF = certificatePDF }}, opts...)
	h, store, clock := MustServer(tb, opts...)
	ctx := context.Background()
	lib, err := content.Load(inductionFS)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := store.ImportCourses(ctx, MustOrgID(tb, store, "riverside"), lib.Courses); err != nil {
		tb.Fatalf("import induction: %v", err)
	}
	var signer *credential.Signer
	for i := 0; i < 2; i++ { // the older key first, as after a rotation
		path, err := credential.EnsureDevelopmentKey(tb.TempDir())
		if err != nil {
			tb.Fatal(err)
		}
		keys, err := credential.LoadKeys(path)
		if err != nil {
			tb.Fatal(err)
		}
		jwk, err := keys[0].PublicJWK()
		if err != nil {
			tb.Fatal(err)
		}
		if err := store.RegisterSigningKey(ctx, keys[0].ID, jwk); err != nil {
			tb.Fatal(err)
		}
		if signer, err = credential.NewSigner(keys[0]); err != nil {
			tb.Fatal(err)
		}
	}
	return h, store, clock, signer
}

// MustCertificate has a demo person complete the induction course through the store and issues
// its certificate as the worker does.
func MustCertificate(tb testing.TB, store *courses.Store, signer *credential.Signer, email string) *courses.Certificate {
	tb.Helper()
	ctx := context.Background()
	id := MustPersonID(tb, store, email)
	p, err := store.FindPrincipal(ctx, id)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := store.CompleteModule(ctx, p, "induction", "one"); err != nil {
		tb.Fatal(err)
	}
	a, _, err := store.StartAttempt(ctx, p, "induction.one")
	if err != nil {
		tb.Fatal(err)
	}
	if res, err := store.SubmitAttempt(ctx, p, a.ID, courses.Answers{"q1": {"a"}}); err != nil || !res.CourseCompleted {
		tb.Fatalf("submit: got %+v, %v; want the course completed", res, err)
	}
	var completion string
	if err := testdb.Owner(store.DB()).Get(&completion, `SELECT id FROM completions WHERE person_id = $1`, id); err != nil {
		tb.Fatal(err)
	}
	c, _, err := store.DraftCertificate(ctx, completion)
	if err != nil {
		tb.Fatal(err)
	}
	if c.Credential, err = signer.Sign(credential.OpenBadge(c, "http://peerpath.test")); err != nil {
		tb.Fatal(err)
	}
	c.KeyID = signer.KeyID()
	if created, err := store.CreateCertificate(ctx, c); err != nil || !created {
		tb.Fatalf("create certificate: got %v, %v", created, err)
	}
	return c
}

// MustPDFText returns pdftotext's reading of a PDF. A missing pdftotext fails the test: a
// certificate nobody can read must not pass unnoticed.
func MustPDFText(tb testing.TB, pdf []byte) string {
	tb.Helper()
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		tb.Fatal("pdftotext not found: install poppler-utils (apt-get install poppler-utils)")
	}
	file := filepath.Join(tb.TempDir(), "certificate.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		tb.Fatal(err)
	}
	out, err := exec.Command(tool, "-layout", file, "-").CombinedOutput()
	if err != nil {
		tb.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

// MustVerifyJWKS verifies a credential with golang-jwt against the served key set, choosing the
// key by the token's kid, and returns its claims.
func MustVerifyJWKS(tb testing.TB, h http.Handler, token string, now time.Time) jwt.MapClaims {
	tb.Helper()
	rec := Do(tb, h, http.MethodGet, "/.well-known/jwks.json", "")
	var set struct {
		Keys []struct {
			Kty, Crv, Kid, X, Alg, Use string
			D                          string `json:"d"`
		} `json:"keys"`
	}
	if rec.Code != http.StatusOK {
		tb.Fatalf("jwks: got %d %s", rec.Code, rec.Body)
	}
	MustDecode(tb, rec, &set)
	if len(set.Keys) != 2 {
		tb.Errorf("jwks: got %d keys, want both published keys", len(set.Keys))
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		for _, k := range set.Keys {
			if k.D != "" {
				tb.Errorf("jwks key %s holds a private key", k.Kid)
			}
			if k.Kid == t.Header["kid"] && k.Kty == "OKP" && k.Crv == "Ed25519" {
				x, err := base64.RawURLEncoding.DecodeString(k.X)
				return ed25519.PublicKey(x), err
			}
		}
		return nil, jwt.ErrTokenUnverifiable
	}, jwt.WithValidMethods([]string{"EdDSA"}), jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil {
		tb.Fatalf("verify credential %q against the JWKS: %v", token, err)
	}
	return claims
}

// certificateJSON is a Certificate as the API documents it.
func certificateJSON(c *courses.Certificate, status string) map[string]any {
	var expires, revoked any
	if c.ExpiresAt != nil {
		expires = c.ExpiresAt.Format(time.RFC3339Nano)
	}
	m := map[string]any{
		"id": c.ID, "number": c.Number, "status": status, "person_name": c.PersonName,
		"course":       map[string]any{"slug": c.CourseSlug, "title": c.CourseTitle, "version": float64(c.CourseVersion)},
		"organisation": c.OrgName, "cycle": float64(c.Cycle), "issued_at": c.IssuedAt.Format(time.RFC3339Nano),
		"expires_at": expires, "revoked_at": revoked, "revoked_reason": c.RevokedReason,
		"verify_url": "http://peerpath.test/verify/" + c.VerifyCode, "pdf_url": "/api/v1/certificates/" + c.ID + ".pdf",
		"credential_url": "/api/v1/certificates/" + c.ID + "/credential",
	}
	return m
}

func TestCertificatesHTTP(t *testing.T) {
	t.Parallel()
	h, store, clock, signer := MustCertServer(t)
	sam := MustSessionCookie(t, store, "trainee1@riverside.example")

	t.Run("EmptyList", func(t *testing.T) {
		rec := Do(t, h, http.MethodGet, "/api/v1/me/certificates", "", sam)
		if body := decodeObject(t, rec, http.StatusOK); !cmp.Equal(body["items"], []any{}) {
			t.Errorf("got %s, want an empty items list", rec.Body)
		}
	})
	clock.Advance(10 * time.Minute) // sessions stay live: they end after 30 idle minutes
	cert := MustCertificate(t, store, signer, "trainee1@riverside.example")
	clock.Advance(10 * time.Minute)
	want := certificateJSON(cert, "valid")

	t.Run("List", func(t *testing.T) {
		body := decodeObject(t, Do(t, h, http.MethodGet, "/api/v1/me/certificates", "", sam), http.StatusOK)
		items, _ := body["items"].([]any)
		if len(items) != 1 {
			t.Fatalf("items: got %v, want one certificate", body["items"])
		}
		if diff := cmp.Diff(want, items[0]); diff != "" {
			t.Errorf("certificate (-want +got):\n%s", diff)
		}
		if want["person_name"] != "Sam Okafor" || want["organisation"] != "Riverside Peer Network" {
			t.Errorf("certificate: got %v, want Sam Okafor of Riverside Peer Network", want)
		}
		// Other people's certificates never show in someone's own list.
		other := decodeObject(t, Do(t, h, http.MethodGet, "/api/v1/me/certificates", "", MustSessionCookie(t, store, "admin@riverside.example")), http.StatusOK)
		if !cmp.Equal(other["items"], []any{}) {
			t.Errorf("admin's own list: got %v, want empty", other["items"])
		}
	})

	// Who may see a certificate, its PDF and its credential. The demo manager leads Sam's team; a
	// manager of another team sees Sam's certificate no more than Sam's record.
	admin := MustSessionCookie(t, store, "admin@riverside.example")
	team := mustCreated(t, Do(t, h, http.MethodPost, "/api/v1/org/teams", `{"name":"Sam's team"}`, admin))
	for email, body := range map[string]string{"manager@riverside.example": `{"manager":true}`, "trainee1@riverside.example": `{"manager":false}`} {
		if rec := Do(t, h, http.MethodPut, "/api/v1/org/teams/"+team+"/members/"+MustPersonID(t, store, email), body, admin); rec.Code != http.StatusOK {
			t.Fatalf("add %s to the team: got %d %s, want 200", email, rec.Code, rec.Body)
		}
	}
	if _, err := testdb.Owner(store.DB()).Exec(`INSERT INTO people (org_id, email, name, password_hash, roles)
		SELECT id, 'manager2@riverside.example', 'Other Manager', 'x', '{manager}' FROM organisations WHERE slug = 'riverside'`); err != nil {
		t.Fatal(err)
	}
	base := "/api/v1/certificates/" + cert.ID
	allowed := map[string]reqOpt{
		"Holder":   sam,
		"OrgAdmin": admin,
		"Manager":  MustSessionCookie(t, store, "manager@riverside.example"),
	}
	refused := map[string]reqOpt{
		"ErrFellowTrainee":        MustSessionCookie(t, store, "trainee2@riverside.example"),
		"ErrTrainer":              MustSessionCookie(t, store, "trainer@riverside.example"),
		"ErrManagerOfAnotherTeam": MustSessionCookie(t, store, "manager2@riverside.example"),
		"ErrOtherOrgAdmin":        MustSessionCookie(t, store, "admin@harbour.example"),
		"ErrOtherOrg":             MustSessionCookie(t, store, "trainee1@harbour.example"),
	}
	for name, who := range allowed {
		t.Run("Get"+name, func(t *testing.T) {
			if diff := cmp.Diff(want, decodeObject(t, Do(t, h, http.MethodGet, base, "", who), http.StatusOK)); diff != "" {
				t.Errorf("certificate (-want +got):\n%s", diff)
			}
			for _, path := range []string{base + ".pdf", base + "/credential"} {
				if rec := Do(t, h, http.MethodGet, path, "", who); rec.Code != http.StatusOK || rec.Body.Len() == 0 {
					t.Errorf("%s: got %d, want 200 with a body", path, rec.Code)
				}
			}
		})
	}
	for name, who := range refused {
		t.Run(name, func(t *testing.T) {
			for _, path := range []string{base, base + ".pdf", base + "/credential"} {
				rec := Do(t, h, http.MethodGet, path, "", who)
				wantError(t, rec, http.StatusNotFound, "not_found")
				if strings.Contains(rec.Body.String(), cert.Number) || strings.Contains(rec.Body.String(), "Sam Okafor") {
					t.Errorf("%s: the refusal %s tells of the certificate", path, rec.Body)
				}
			}
		})
	}
	t.Run("ErrSignedOut", func(t *testing.T) {
		for _, path := range []string{"/api/v1/me/certificates", base, base + ".pdf", base + "/credential"} {
			wantError(t, Do(t, h, http.MethodGet, path, ""), http.StatusUnauthorized, "unauthorized")
		}
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		for _, path := range []string{"/api/v1/certificates/1d4a0b3e-7a55-4c1b-8f3a-58b9b0f6a001", "/api/v1/certificates/nope.pdf",
			"/api/v1/certificates/" + cert.Number + "/credential"} {
			wantError(t, Do(t, h, http.MethodGet, path, "", sam), http.StatusNotFound, "not_found")
		}
	})

	t.Run("PDF", func(t *testing.T) {
		rec := Do(t, h, http.MethodGet, base+".pdf", "", sam)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(rec.Body.Bytes(), []byte("%PDF-")) {
			t.Fatalf("got %d %q starting %.8q, want 200 application/pdf", rec.Code, rec.Header().Get("Content-Type"), rec.Body.Bytes())
		}
		if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, cert.Number+".pdf") {
			t.Errorf("Content-Disposition: got %q, want the certificate number", cd)
		}
		text := MustPDFText(t, rec.Body.Bytes())
		for _, w := range []string{"Sam Okafor", "Riverside induction", "Riverside Peer Network", cert.Number} {
			if !strings.Contains(text, w) {
				t.Errorf("PDF text: want %q in\n%s", w, text)
			}
		}
		if strings.Contains(text, "REVOKED") {
			t.Errorf("PDF text of a valid certificate says REVOKED:\n%s", text)
		}
	})
	t.Run("Credential", func(t *testing.T) {
		rec := Do(t, h, http.MethodGet, base+"/credential", "", sam)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/vc+jwt" {
			t.Fatalf("got %d %q, want 200 application/vc+jwt", rec.Code, rec.Header().Get("Content-Type"))
		}
		claims := MustVerifyJWKS(t, h, rec.Body.String(), clock.Now())
		subject, _ := claims["credentialSubject"].(map[string]any)
		if claims["jti"] != "urn:uuid:"+cert.ID || subject["name"] != "Sam Okafor" {
			t.Errorf("claims: got jti %v, subject %v; want urn:uuid:%s and Sam Okafor", claims["jti"], subject, cert.ID)
		}
		if rec.Body.String() != cert.Credential {
			t.Error("credential: got another token than the one stored")
		}
	})
	t.Run("ErrPDFUnavailable", func(t *testing.T) {
		plain, err := server.New(server.Config{Store: store, Redis: MustRedis(t), BaseURL: "http://peerpath.test",
			KeyPrefix: testdb.Prefix(t), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}) // no CertificatePDF
		if err != nil {
			t.Fatal(err)
		}
		wantError(t, Do(t, plain, http.MethodGet, base+".pdf", "", sam), http.StatusServiceUnavailable, "unavailable")
	})
	t.Run("JWKS", func(t *testing.T) {
		rec := Do(t, h, http.MethodGet, "/.well-known/jwks.json", "")
		if rec.Code != http.StatusOK || !strings.Contains(rec.Header().Get("Cache-Control"), "public") {
			t.Fatalf("got %d, Cache-Control %q; want 200 and public caching", rec.Code, rec.Header().Get("Cache-Control"))
		}
		var set struct{ Keys []map[string]any }
		if err := json.Unmarshal(rec.Body.Bytes(), &set); err != nil || len(set.Keys) != 2 {
			t.Fatalf("got %s (%v), want two keys", rec.Body, err)
		}
		for _, k := range set.Keys {
			if diff := cmp.Diff([]string{"alg", "crv", "kid", "kty", "use", "x"}, keysOf(k), sortStrings); diff != "" {
				t.Errorf("JWK members (-want +got):\n%s", diff)
			}
		}
	})
}

func TestCertificateRevokeHTTP(t *testing.T) {
	t.Parallel()
	h, store, clock, signer := MustCertServer(t)
	cert := MustCertificate(t, store, signer, "trainee1@riverside.example")
	admin := MustSessionCookie(t, store, "admin@riverside.example")
	path := "/api/v1/org/certificates/" + cert.ID + "/revoke"
	body := `{"reason":"Issued to the wrong person."}`

	t.Run("ErrSignedOut", func(t *testing.T) {
		wantError(t, Do(t, h, http.MethodPost, path, body), http.StatusUnauthorized, "unauthorized")
	})
	t.Run("ErrNotOrgAdmin", func(t *testing.T) {
		for _, email := range []string{"trainee1@riverside.example", "trainee2@riverside.example", "manager@riverside.example", "trainer@riverside.example"} {
			wantError(t, Do(t, h, http.MethodPost, path, body, MustSessionCookie(t, store, email)), http.StatusForbidden, "forbidden")
		}
	})
	t.Run("ErrBadBody", func(t *testing.T) {
		wantError(t, Do(t, h, http.MethodPost, path, `{"reason":`, admin), http.StatusBadRequest, "invalid")
		for _, b := range []string{`{}`, `{"reason":""}`, `{"reason":"   "}`, `{"reason":5}`,
			`{"reason":"` + strings.Repeat("x", 501) + `"}`} {
			wantFields(t, Do(t, h, http.MethodPost, path, b, admin), "reason")
		}
	})
	t.Run("ErrOtherOrganisation", func(t *testing.T) {
		wantError(t, Do(t, h, http.MethodPost, path, body, MustSessionCookie(t, store, "admin@harbour.example")), http.StatusNotFound, "not_found")
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		wantError(t, Do(t, h, http.MethodPost, "/api/v1/org/certificates/1d4a0b3e-7a55-4c1b-8f3a-58b9b0f6a001/revoke", body, admin),
			http.StatusNotFound, "not_found")
	})
	if n := MustCount(t, store, `SELECT count(*) FROM certificates WHERE revoked_at IS NOT NULL`); n != 0 {
		t.Fatalf("revoked after refusals: got %d, want 0", n)
	}
	clock.Advance(48 * time.Hour)
	revokedAt := clock.Now()
	admin = MustSessionCookie(t, store, "admin@riverside.example") // the first session went idle

	t.Run("OK", func(t *testing.T) {
		got := decodeObject(t, Do(t, h, http.MethodPost, path, `{"reason":"`+strings.Repeat("é", 500)+`"}`, admin), http.StatusOK)
		want := certificateJSON(cert, "revoked")
		want["revoked_at"] = revokedAt.Format(time.RFC3339Nano)
		want["revoked_reason"] = strings.Repeat("é", 500)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("revoked certificate (-want +got):\n%s", diff)
		}
		// The holder sees it revoked, and the PDF says so.
		holder := MustSessionCookie(t, store, "trainee1@riverside.example")
		if mine := decodeObject(t, Do(t, h, http.MethodGet, "/api/v1/certificates/"+cert.ID, "", holder), http.StatusOK); mine["status"] != "revoked" {
			t.Errorf("holder's view: got status %v, want revoked", mine["status"])
		}
		rec := Do(t, h, http.MethodGet, "/api/v1/certificates/"+cert.ID+".pdf", "", holder)
		if rec.Code != http.StatusOK {
			t.Fatalf("PDF: got %d, want 200", rec.Code)
		}
		if text := MustPDFText(t, rec.Body.Bytes()); !strings.Contains(text, "REVOKED") {
			t.Errorf("PDF text of a revoked certificate: want REVOKED in\n%s", text)
		}
	})
	t.Run("ErrTwice", func(t *testing.T) {
		wantError(t, Do(t, h, http.MethodPost, path, body, admin), http.StatusConflict, "conflict")
	})
}

// verifyJSON is the public verification answer, and nothing else.
type verifyJSON struct {
	Status        string     `json:"status"`
	Name          string     `json:"name"`
	Course        string     `json:"course"`
	CourseVersion int        `json:"course_version"`
	Organisation  string     `json:"organisation"`
	Number        string     `json:"number"`
	IssuedAt      time.Time  `json:"issued_at"`
	ExpiresAt     *time.Time `json:"expires_at"`
	RevokedAt     *time.Time `json:"revoked_at"`
}

// mustVerify checks a code over HTTP and returns the answer, which must hold exactly the
// documented keys and nothing that identifies the holder beyond their name.
func mustVerify(tb testing.TB, h http.Handler, code string, opts ...reqOpt) verifyJSON {
	tb.Helper()
	rec := Do(tb, h, http.MethodGet, "/api/v1/verify/"+code, "", opts...)
	obj := decodeObject(tb, rec, http.StatusOK)
	wantKeys := []string{"status", "name", "course", "course_version", "organisation", "number", "issued_at", "expires_at", "revoked_at"}
	if diff := cmp.Diff(wantKeys, keysOf(obj), sortStrings); diff != "" {
		tb.Errorf("verify keys (-want +got):\n%s", diff)
	}
	var v verifyJSON
	MustDecode(tb, rec, &v)
	return v
}

func TestVerifyHTTP(t *testing.T) {
	t.Parallel()
	h, store, clock, signer := MustCertServer(t)
	cert := MustCertificate(t, store, signer, "trainee1@riverside.example")
	expires := cert.IssuedAt.AddDate(1, 0, 0)

	t.Run("Valid", func(t *testing.T) {
		rec := Do(t, h, http.MethodGet, "/api/v1/verify/"+cert.VerifyCode, "")
		for _, secret := range []string{cert.ID, cert.PersonID, cert.OrgID, cert.CourseID, cert.CompletionID, "trainee1@riverside.example", cert.Credential} {
			if strings.Contains(rec.Body.String(), secret) {
				t.Errorf("verify answer %s gives away %q", rec.Body, secret)
			}
		}
		want := verifyJSON{Status: "valid", Name: "Sam Okafor", Course: "Riverside induction", CourseVersion: 1,
			Organisation: "Riverside Peer Network", Number: cert.Number, IssuedAt: cert.IssuedAt, ExpiresAt: &expires}
		if diff := cmp.Diff(want, mustVerify(t, h, cert.VerifyCode)); diff != "" {
			t.Errorf("verify (-want +got):\n%s", diff)
		}
		if got := mustVerify(t, h, strings.ToUpper(cert.VerifyCode)); got.Number != cert.Number {
			t.Errorf("upper-case code: got %+v, want the certificate", got)
		}
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		for _, code := range []string{"0000000000000000", cert.Number, cert.ID} {
			wantError(t, Do(t, h, http.MethodGet, "/api/v1/verify/"+code, ""), http.StatusNotFound, "not_found")
		}
	})
	t.Run("Revoked", func(t *testing.T) {
		clock.Advance(time.Hour)
		admin, err := store.FindPrincipal(context.Background(), MustPersonID(t, store, "admin@riverside.example"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.RevokeCertificate(context.Background(), admin, cert.ID, "Issued in error."); err != nil {
			t.Fatal(err)
		}
		got := mustVerify(t, h, cert.VerifyCode)
		if got.Status != "revoked" || got.RevokedAt == nil || !got.RevokedAt.Equal(clock.Now()) {
			t.Errorf("got %+v, want revoked at %v", got, clock.Now())
		}
	})
	t.Run("Expired", func(t *testing.T) {
		fresh := MustCertificate(t, store, signer, "trainee2@riverside.example")
		if got := mustVerify(t, h, fresh.VerifyCode); got.Status != "valid" || got.Name != "Priya Nair" {
			t.Fatalf("fresh certificate: got %+v, want Priya Nair's, valid", got)
		}
		clock.Advance(fresh.ExpiresAt.Sub(clock.Now()) - time.Second)
		if got := mustVerify(t, h, fresh.VerifyCode); got.Status != "valid" {
			t.Errorf("a second before expiry: got %s, want valid", got.Status)
		}
		clock.Advance(time.Second)
		if got := mustVerify(t, h, fresh.VerifyCode); got.Status != "expired" || got.RevokedAt != nil {
			t.Errorf("at expiry: got %+v, want expired", got)
		}
		// The revoked one stays revoked after it would have expired.
		if got := mustVerify(t, h, cert.VerifyCode); got.Status != "revoked" {
			t.Errorf("revoked certificate after expiry: got %s, want revoked", got.Status)
		}
	})
}

func TestVerifyRateLimit(t *testing.T) {
	t.Parallel()
	h, store, clock, signer := MustCertServer(t, func(c *server.Config) { c.VerifyPerMinute = 3 })
	cert := MustCertificate(t, store, signer, "trainee1@riverside.example")
	verify := func(code, addr string) *httptest.ResponseRecorder {
		return Do(t, h, http.MethodGet, "/api/v1/verify/"+code, "", withRemoteAddr(addr))
	}
	for i := 0; i < 3; i++ {
		if rec := verify(cert.VerifyCode, "203.0.113.7:4000"); rec.Code != http.StatusOK {
			t.Fatalf("check %d: got %d, want 200", i+1, rec.Code)
		}
	}
	if secs := wantRateLimited(t, verify(cert.VerifyCode, "203.0.113.7:4001")); secs > 60 {
		t.Errorf("Retry-After: got %d, want at most a minute", secs)
	}
	if rec := verify(cert.VerifyCode, "198.51.100.2:4000"); rec.Code != http.StatusOK {
		t.Errorf("another address: got %d, want 200", rec.Code)
	}
	// Guessing counts too: unknown codes use up the allowance.
	for i := 0; i < 3; i++ {
		wantError(t, verify("0000000000000000", "192.0.2.50:1"), http.StatusNotFound, "not_found")
	}
	wantRateLimited(t, verify(cert.VerifyCode, "192.0.2.50:1"))
	clock.Advance(61 * time.Second)
	if rec := verify(cert.VerifyCode, "203.0.113.7:4000"); rec.Code != http.StatusOK {
		t.Errorf("a minute later: got %d, want 200", rec.Code)
	}
}

package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"peerpath/migrations/testdb"
	"peerpath/worker/credential"
)

// startServe runs `serve` on :0 until the test ends, and returns its base URL.
func startServe(t *testing.T, env func(string) string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	var code int
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		a := &app{getenv: env, stdout: io.Discard, stderr: io.Discard, ready: func(s string) { addr <- s }}
		code = a.main(ctx, []string{"serve"})
	}()
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		if code != 0 {
			t.Errorf("serve exit code after shutdown: got %d, want 0", code)
		}
	})
	select {
	case a := <-addr:
		return "http://" + a
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
		return ""
	}
}

// send makes a request with a JSON body (none when "") and decodes a JSON answer into v (when
// not nil), failing unless the status is want.
func send(t *testing.T, c *http.Client, method, url, body string, want int, v any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: got %d %s, want %d", method, url, resp.StatusCode, b, want)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, url, b, err)
		}
	}
}

// getBody returns the body and content type of a 200 answer to GET url.
func getBody(t *testing.T, c *http.Client, url string) ([]byte, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: got %d %s, want 200", url, resp.StatusCode, b)
	}
	return b, resp.Header.Get("Content-Type")
}

// mustPDFText returns pdftotext's reading of a PDF; a missing pdftotext fails the test.
func mustPDFText(t *testing.T, pdf []byte) string {
	t.Helper()
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext not found: install poppler-utils (apt-get install poppler-utils)")
	}
	file := filepath.Join(t.TempDir(), "certificate.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-layout", file, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

type certificateItem struct {
	ID            string     `json:"id"`
	Number        string     `json:"number"`
	Status        string     `json:"status"`
	PersonName    string     `json:"person_name"`
	ExpiresAt     *time.Time `json:"expires_at"`
	IssuedAt      time.Time  `json:"issued_at"`
	VerifyURL     string     `json:"verify_url"`
	PDFURL        string     `json:"pdf_url"`
	CredentialURL string     `json:"credential_url"`
}

// The real binary, from completing an organisation's course over HTTP to a certificate whose PDF,
// public verification and signed credential all check out, with the development key it made.
func TestServeIssuesCertificate(t *testing.T) {
	_, dbURL := testdb.NewURL(t)
	dataDir := t.TempDir()
	env := envFrom(map[string]string{
		"DATABASE_URL": dbURL, "REDIS_URL": testdb.RedisURL(), "PEERPATH_ADDR": "127.0.0.1:0",
		"PEERPATH_BASE_URL": "http://peerpath.test", "PEERPATH_DATA_DIR": dataDir, "PEERPATH_QUEUE": testdb.Prefix(t),
	})
	if code, _, errOut := mainOutput(t, env, "demo"); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, errOut)
	}
	dir := mustCourseDir(t, map[string]string{"course.yaml": checkCourse + "recertification_months: 12\n"})
	if code, out, errOut := mainOutput(t, env, "courses", "import", dir, "--org", "riverside"); code != 0 {
		t.Fatalf("courses import: exit %d: %s %s", code, out, errOut)
	}
	base := startServe(t, env)

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	send(t, c, http.MethodPost, base+"/api/v1/auth/login", `{"email":"trainee1@riverside.example","password":"peerpath-demo-2026"}`, 200, nil)
	var list struct{ Items []certificateItem }
	getJSON(t, c, base+"/api/v1/me/certificates", &list)
	if len(list.Items) != 0 {
		t.Fatalf("certificates before completing: got %+v, want none", list.Items)
	}
	send(t, c, http.MethodPost, base+"/api/v1/courses/riverside-induction/modules/welcome/complete", "", 200, nil)
	var attempt struct{ ID string }
	send(t, c, http.MethodPost, base+"/api/v1/quizzes/riverside-induction.welcome/attempts", "", 201, &attempt)
	var result struct {
		Passed          bool `json:"passed"`
		CourseCompleted bool `json:"course_completed"`
	}
	send(t, c, http.MethodPost, base+"/api/v1/attempts/"+attempt.ID+"/submit", `{"answers":{"q1":["a"]}}`, 200, &result)
	if !result.Passed || !result.CourseCompleted {
		t.Fatalf("submit: got %+v, want passed and the course completed", result)
	}

	deadline := time.Now().Add(20 * time.Second)
	for len(list.Items) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no certificate within 20s of completing the course")
		}
		time.Sleep(100 * time.Millisecond)
		getJSON(t, c, base+"/api/v1/me/certificates", &list)
	}
	cert := list.Items[0]
	if len(list.Items) != 1 || cert.Status != "valid" || cert.PersonName != "Sam Okafor" || cert.ExpiresAt == nil ||
		!cert.ExpiresAt.Equal(cert.IssuedAt.AddDate(1, 0, 0)) {
		t.Fatalf("certificates: got %+v, want one valid certificate of Sam Okafor's expiring in a year", list.Items)
	}

	t.Run("PDF", func(t *testing.T) {
		pdf, ct := getBody(t, c, base+cert.PDFURL)
		if ct != "application/pdf" {
			t.Errorf("content type: got %q, want application/pdf", ct)
		}
		text := mustPDFText(t, pdf)
		for _, w := range []string{"Sam Okafor", "Riverside induction", cert.Number} {
			if !strings.Contains(text, w) {
				t.Errorf("PDF text: want %q in\n%s", w, text)
			}
		}
	})
	t.Run("Verify", func(t *testing.T) {
		code, ok := strings.CutPrefix(cert.VerifyURL, "http://peerpath.test/verify/")
		if !ok || code == "" {
			t.Fatalf("verify_url: got %q, want http://peerpath.test/verify/CODE", cert.VerifyURL)
		}
		// Public: no session.
		var v struct{ Status, Name, Number string }
		getJSON(t, &http.Client{Timeout: 10 * time.Second}, base+"/api/v1/verify/"+code, &v)
		if v.Status != "valid" || v.Name != "Sam Okafor" || v.Number != cert.Number {
			t.Errorf("verify: got %+v, want Sam Okafor's certificate %s, valid", v, cert.Number)
		}
	})
	t.Run("Credential", func(t *testing.T) {
		token, ct := getBody(t, c, base+cert.CredentialURL)
		if ct != "application/vc+jwt" {
			t.Errorf("content type: got %q, want application/vc+jwt", ct)
		}
		var set struct {
			Keys []struct{ Kid, X string } `json:"keys"`
		}
		getJSON(t, &http.Client{Timeout: 10 * time.Second}, base+"/.well-known/jwks.json", &set)
		claims := jwt.MapClaims{}
		tok, err := jwt.ParseWithClaims(string(token), claims, func(tok *jwt.Token) (any, error) {
			for _, k := range set.Keys {
				if k.Kid == tok.Header["kid"] {
					x, err := base64.RawURLEncoding.DecodeString(k.X)
					return ed25519.PublicKey(x), err
				}
			}
			return nil, jwt.ErrTokenUnverifiable
		}, jwt.WithValidMethods([]string{"EdDSA"}))
		if err != nil {
			t.Fatalf("verify the credential against %d served keys: %v", len(set.Keys), err)
		}
		if claims["jti"] != "urn:uuid:"+cert.ID {
			t.Errorf("jti: got %v, want urn:uuid:%s", claims["jti"], cert.ID)
		}
		// Signed with the development key serve made in the data folder.
		keys, err := credential.LoadKeys(filepath.Join(dataDir, "signing-key.pem"))
		if err != nil {
			t.Fatalf("development key: %v", err)
		}
		if tok.Header["kid"] != keys[0].ID {
			t.Errorf("kid: got %v, want the development key %s", tok.Header["kid"], keys[0].ID)
		}
	})
	t.Run("Mail", func(t *testing.T) {
		deadline := time.Now().Add(15 * time.Second)
		for {
			var box struct {
				Items []struct{ To, Subject string }
			}
			getJSON(t, c, base+"/api/v1/dev/mail", &box)
			// The demo's own certificates and reminders go out too; among them, one for trainee1.
			mails := 0
			for _, m := range box.Items {
				if m.To == "trainee1@riverside.example" && m.Subject == "Your certificate for Riverside induction is ready" {
					mails++
				}
			}
			if mails == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("mailbox: got %+v, want the certificate mail to trainee1@riverside.example", box.Items)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// A PEERPATH_SIGNING_KEY that cannot be used stops serve and worker with one line naming it.
func TestServeBadSigningKey(t *testing.T) {
	_, dbURL := testdb.NewURL(t)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(ec)
	if err != nil {
		t.Fatal(err)
	}
	ecFile := filepath.Join(t.TempDir(), "ecdsa.pem")
	if err := os.WriteFile(ecFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, command, key string
	}{
		{"ServeMissing", "serve", filepath.Join(t.TempDir(), "missing.pem")},
		{"ServeECDSA", "serve", ecFile},
		{"WorkerMissing", "worker", filepath.Join(t.TempDir(), "missing.pem")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := envFrom(map[string]string{
				"DATABASE_URL": dbURL, "REDIS_URL": testdb.RedisURL(), "PEERPATH_ADDR": "127.0.0.1:0",
				"PEERPATH_DATA_DIR": t.TempDir(), "PEERPATH_QUEUE": testdb.Prefix(t), "PEERPATH_SIGNING_KEY": tt.key,
			})
			// Should the key be accepted, the command would run: stop it at once and fail.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			started := false
			var out, errb strings.Builder
			a := &app{getenv: env, stdout: &out, stderr: &errb, ready: func(string) { started = true; cancel() }}
			code := a.main(ctx, []string{tt.command})
			lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
			if started || code != 1 || len(lines) != 1 || !strings.Contains(lines[0], "PEERPATH_SIGNING_KEY") || !strings.Contains(lines[0], tt.key) {
				t.Errorf("got started %v, exit %d and stderr %q; want exit 1 and one line naming PEERPATH_SIGNING_KEY and %s",
					started, code, errb.String(), tt.key)
			}
			if strings.Contains(out.String(), "is serving") || strings.Contains(out.String(), "is running") {
				t.Errorf("stdout: got %q, want nothing about running", out.String())
			}
		})
	}
}

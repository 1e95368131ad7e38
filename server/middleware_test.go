package server_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"peerpath/server"
)

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	h, _, _ := MustServer(t, func(c *server.Config) {
		c.Frontend = fstest.MapFS{"index.html": {Data: []byte("<!doctype html>")}, "assets/app.js": {Data: []byte("1")}}
	})
	session := MustLogin(t, h, "trainee1@riverside.example", demoPassword)
	requests := []struct {
		name, method, path string
		opts               []reqOpt
		status             int
	}{
		{"API200", http.MethodGet, "/api/v1/me", []reqOpt{withCookie(session)}, http.StatusOK},
		{"API401", http.MethodGet, "/api/v1/me", nil, http.StatusUnauthorized},
		{"API404", http.MethodGet, "/api/v1/nowhere", nil, http.StatusNotFound},
		{"API405", http.MethodDelete, "/api/v1/me", nil, http.StatusMethodNotAllowed},
		{"SPA", http.MethodGet, "/some/client/route", nil, http.StatusOK},
		{"Asset", http.MethodGet, "/assets/app.js", nil, http.StatusOK},
		{"MissingAsset", http.MethodGet, "/missing.js", nil, http.StatusNotFound},
		{"Healthz", http.MethodGet, "/healthz", nil, http.StatusOK},
		{"Readyz", http.MethodGet, "/readyz", nil, http.StatusOK},
		{"Metrics", http.MethodGet, "/metrics", nil, http.StatusOK},
	}
	for _, tt := range requests {
		t.Run(tt.name, func(t *testing.T) {
			rec := Do(t, h, tt.method, tt.path, "", tt.opts...)
			if rec.Code != tt.status {
				t.Fatalf("status: got %d, want %d", rec.Code, tt.status)
			}
			csp := rec.Header().Get("Content-Security-Policy")
			for _, d := range []string{"default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, d) {
					t.Errorf("Content-Security-Policy: got %q, want it to hold %q", csp, d)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
				t.Errorf("Content-Security-Policy: got %q, want nothing unsafe", csp)
			}
			want := map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"}
			for k, v := range want {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("%s: got %q, want %q", k, got, v)
				}
			}
			if id := rec.Header().Get("X-Request-ID"); len(id) != 16 {
				t.Errorf("X-Request-ID: got %q, want a generated 16-character id", id)
			}
			if rec.Header().Get("Strict-Transport-Security") != "" {
				t.Error("Strict-Transport-Security: got one over plain http, want none")
			}
			api := strings.HasPrefix(tt.path, "/api/")
			if cc := rec.Header().Get("Cache-Control"); api && cc != "no-store" {
				t.Errorf("Cache-Control: got %q, want no-store on the API", cc)
			}
		})
	}
	t.Run("RequestID", func(t *testing.T) {
		rec := Do(t, h, http.MethodGet, "/healthz", "", withHeader("X-Request-ID", "edge-42.abc"))
		if got := rec.Header().Get("X-Request-ID"); got != "edge-42.abc" {
			t.Errorf("got %q, want the caller's id kept", got)
		}
		rec = Do(t, h, http.MethodGet, "/healthz", "", withHeader("X-Request-ID", "bad id\r\nwith spaces"))
		if got := rec.Header().Get("X-Request-ID"); strings.Contains(got, " ") || len(got) != 16 {
			t.Errorf("got %q, want a malformed id replaced", got)
		}
	})
}

func TestRouting(t *testing.T) {
	t.Parallel()
	h, _, _ := MustServer(t)
	requests := []struct {
		name, method, path string
		status             int
		code               string
	}{
		{"UnknownAPIRoute", http.MethodGet, "/api/v1/no/such/route", http.StatusNotFound, "not_found"},
		{"UnknownAPIRoutePost", http.MethodPost, "/api/v1/nope", http.StatusNotFound, "not_found"},
		{"UnknownAPIVersion", http.MethodGet, "/api/v2/me", http.StatusNotFound, "not_found"},
		{"APIRoot", http.MethodGet, "/api", http.StatusNotFound, "not_found"},
		{"TrailingSlash", http.MethodGet, "/api/v1/me/", http.StatusNotFound, "not_found"},
		{"DeleteMe", http.MethodDelete, "/api/v1/me", http.StatusMethodNotAllowed, "method_not_allowed"},
		{"PostMe", http.MethodPost, "/api/v1/me", http.StatusMethodNotAllowed, "method_not_allowed"},
		{"GetLogin", http.MethodGet, "/api/v1/auth/login", http.StatusMethodNotAllowed, "method_not_allowed"},
		{"PutOrgInvitations", http.MethodPut, "/api/v1/org/invitations", http.StatusMethodNotAllowed, "method_not_allowed"},
		{"PostHealthz", http.MethodPost, "/healthz", http.StatusMethodNotAllowed, "method_not_allowed"},
		{"PostUnknownPage", http.MethodPost, "/some/page", http.StatusNotFound, "not_found"},
	}
	for _, tt := range requests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, Do(t, h, tt.method, tt.path, ""), tt.status, tt.code)
		})
	}
}

func TestCrossOrigin(t *testing.T) {
	t.Parallel()
	h, store, _ := MustServer(t)
	admin := MustLogin(t, h, "admin@riverside.example", demoPassword)
	invitations := func() int { return MustCount(t, store, `SELECT count(*) FROM invitations`) }
	invite := func(email string, opts ...reqOpt) *httptest.ResponseRecorder {
		return Do(t, h, http.MethodPost, "/api/v1/org/invitations", `{"email":"`+email+`","roles":["trainee"]}`,
			append([]reqOpt{withCookie(admin)}, opts...)...)
	}

	refused := []struct {
		name string
		opts []reqOpt
	}{
		{"ErrCrossSite", []reqOpt{withHeader("Origin", "https://evil.example"), withHeader("Sec-Fetch-Site", "cross-site")}},
		{"ErrSameSiteOtherOrigin", []reqOpt{withHeader("Origin", "http://other.peerpath.test"), withHeader("Sec-Fetch-Site", "same-site")}},
		{"ErrOldBrowserOtherOrigin", []reqOpt{withHeader("Origin", "https://evil.example")}},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			before := invitations()
			wantError(t, invite("csrf@example.org", tt.opts...), http.StatusForbidden, "forbidden")
			if after := invitations(); after != before {
				t.Errorf("invitations: got %d, want %d (nothing written)", after, before)
			}
		})
	}
	t.Run("ErrCrossSiteLogin", func(t *testing.T) {
		rec := Do(t, h, http.MethodPost, "/api/v1/auth/login", loginBody("trainee1@riverside.example", demoPassword),
			withHeader("Origin", "https://evil.example"), withHeader("Sec-Fetch-Site", "cross-site"))
		wantError(t, rec, http.StatusForbidden, "forbidden")
		if c := responseCookie(rec, "peerpath_session"); c != nil {
			t.Errorf("got cookie %v, want none", c)
		}
	})
	allowed := []struct {
		name, email string
		opts        []reqOpt
	}{
		{"SameOrigin", "same@example.org", []reqOpt{withHeader("Origin", "http://peerpath.test"), withHeader("Sec-Fetch-Site", "same-origin")}},
		{"OldBrowserSameOrigin", "old@example.org", []reqOpt{withHeader("Origin", "http://peerpath.test")}},
		{"NoBrowserHeaders", "cli@example.org", nil},
	}
	for _, tt := range allowed {
		t.Run(tt.name, func(t *testing.T) {
			before := invitations()
			if rec := invite(tt.email, tt.opts...); rec.Code != http.StatusCreated {
				t.Fatalf("got %d %s, want 201", rec.Code, rec.Body)
			}
			if after := invitations(); after != before+1 {
				t.Errorf("invitations: got %d, want %d", after, before+1)
			}
		})
	}
	t.Run("CrossSiteRead", func(t *testing.T) {
		rec := Do(t, h, http.MethodGet, "/api/v1/me", "", withCookie(admin),
			withHeader("Origin", "https://evil.example"), withHeader("Sec-Fetch-Site", "cross-site"))
		if rec.Code != http.StatusOK {
			t.Errorf("got %d, want 200: reads are not refused (SameSite and CORS guard them)", rec.Code)
		}
	})
}

// lockedBuffer is a bytes.Buffer that handlers may write to at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestLogHoldsNoSecrets(t *testing.T) {
	t.Parallel()
	logs := &lockedBuffer{}
	h, store, _ := MustServer(t, func(c *server.Config) {
		c.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	const (
		wrongPassword  = "wrong-secret-passphrase"
		acceptPassword = "invitee-secret-passphrase"
		resetPassword  = "reset-secret-passphrase"
	)
	secrets := map[string]string{"demo password": demoPassword, "wrong password": wrongPassword,
		"chosen password": acceptPassword, "new password": resetPassword}

	wantError(t, Do(t, h, http.MethodPost, "/api/v1/auth/login", loginBody("admin@riverside.example", wrongPassword)),
		http.StatusUnauthorized, "unauthorized")
	admin := MustLogin(t, h, "admin@riverside.example", demoPassword)
	secrets["admin session"] = admin.Value

	if rec := Do(t, h, http.MethodPost, "/api/v1/org/invitations", `{"email":"newbie@example.org","roles":["trainee"]}`, withCookie(admin)); rec.Code != http.StatusCreated {
		t.Fatalf("invite: got %d %s, want 201", rec.Code, rec.Body)
	}
	invitation := MustLinkToken(t, store, "newbie@example.org")
	secrets["invitation token"] = invitation
	if rec := Do(t, h, http.MethodGet, "/api/v1/invitations/"+invitation, ""); rec.Code != http.StatusOK {
		t.Fatalf("invitation: got %d %s, want 200", rec.Code, rec.Body)
	}
	rec := Do(t, h, http.MethodPost, "/api/v1/invitations/"+invitation+"/accept", acceptBody("New Person", acceptPassword))
	if rec.Code != http.StatusOK {
		t.Fatalf("accept: got %d %s, want 200", rec.Code, rec.Body)
	}
	secrets["invitee session"] = responseCookie(rec, "peerpath_session").Value

	if rec := Do(t, h, http.MethodPost, "/api/v1/auth/password-reset", resetBody("newbie@example.org")); rec.Code != http.StatusAccepted {
		t.Fatalf("reset request: got %d %s, want 202", rec.Code, rec.Body)
	}
	reset := MustLinkToken(t, store, "newbie@example.org")
	secrets["reset token"] = reset
	if rec := Do(t, h, http.MethodPost, "/api/v1/auth/password-reset/"+reset, passwordBody(resetPassword)); rec.Code != http.StatusNoContent {
		t.Fatalf("reset: got %d %s, want 204", rec.Code, rec.Body)
	}
	// A bad token in the path, and a refused body, are not logged either.
	Do(t, h, http.MethodPost, "/api/v1/auth/password-reset/"+reset, passwordBody("short"))
	Do(t, h, http.MethodGet, "/api/v1/invitations/"+invitation+"x", "")
	secrets["guessed token"] = invitation + "x"
	newbie := MustLogin(t, h, "newbie@example.org", resetPassword)
	secrets["newbie session"] = newbie.Value

	got := logs.String()
	// The log is written: the test would pass vacuously otherwise.
	for _, want := range []string{"route=/api/v1/auth/login", "route=/api/v1/invitations/:token/accept", "route=/api/v1/auth/password-reset/:token"} {
		if !strings.Contains(got, want) {
			t.Fatalf("log: got no %q in\n%s", want, got)
		}
	}
	for what, secret := range secrets {
		if secret == "" {
			t.Fatalf("%s: got none to look for", what)
		}
		if strings.Contains(got, secret) {
			t.Errorf("log: got the %s (%q) in\n%s", what, secret, got)
		}
	}
	if strings.Contains(got, "newbie@example.org") || strings.Contains(got, "admin@riverside.example") {
		t.Errorf("log: got an email address in\n%s", got)
	}
}

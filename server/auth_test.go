package server_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"peerpath/server"
)

// wantMe checks that rec is 200 with the documented Me shape, and returns the person id.
func wantMe(tb testing.TB, rec *httptest.ResponseRecorder, want map[string]any) string {
	tb.Helper()
	if rec.Code != http.StatusOK {
		tb.Fatalf("status: got %d %s, want 200", rec.Code, rec.Body)
	}
	var got map[string]any
	MustDecode(tb, rec, &got)
	id, _ := got["id"].(string)
	if len(id) != 36 {
		tb.Errorf("id: got %v, want a UUID", got["id"])
	}
	delete(got, "id")
	if org, ok := got["organisation"].(map[string]any); ok {
		if oid, _ := org["id"].(string); len(oid) != 36 {
			tb.Errorf("organisation id: got %v, want a UUID", org["id"])
		}
		delete(org, "id")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		tb.Errorf("me (-want +got):\n%s", diff)
	}
	return id
}

func meOf(name, email, orgName, slug string, roles ...any) map[string]any {
	return map[string]any{"name": name, "email": email, "roles": roles, "operator": false,
		"organisation": map[string]any{"name": orgName, "slug": slug}}
}

var sam = meOf("Sam Okafor", "trainee1@riverside.example", "Riverside Peer Network", "riverside", "trainee")

func TestLogin(t *testing.T) {
	t.Parallel()
	h, _, _ := MustServer(t)

	t.Run("OK", func(t *testing.T) {
		rec := Do(t, h, http.MethodPost, "/api/v1/auth/login", loginBody("Trainee1@Riverside.example", demoPassword))
		wantMe(t, rec, sam)
		c := responseCookie(rec, "peerpath_session")
		if c == nil {
			t.Fatalf("got cookies %v, want peerpath_session", rec.Result().Cookies())
		}
		got := http.Cookie{Name: c.Name, Path: c.Path, MaxAge: c.MaxAge, HttpOnly: c.HttpOnly, Secure: c.Secure, SameSite: c.SameSite}
		want := http.Cookie{Name: "peerpath_session", Path: "/", MaxAge: 12 * 60 * 60, HttpOnly: true, SameSite: http.SameSiteLaxMode}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("cookie (-want +got):\n%s", diff)
		}
		if len(c.Value) != 43 {
			t.Errorf("cookie value: got %d characters, want a 43-character token", len(c.Value))
		}
		if c.Domain != "" {
			t.Errorf("cookie domain: got %q, want none (host-only)", c.Domain)
		}
		if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control: got %q, want no-store", cc)
		}
		wantMe(t, Do(t, h, http.MethodGet, "/api/v1/me", "", withCookie(&http.Cookie{Name: c.Name, Value: c.Value})), sam)
	})
	t.Run("ErrWrongPasswordLikeUnknownEmail", func(t *testing.T) {
		wrong := Do(t, h, http.MethodPost, "/api/v1/auth/login", loginBody("trainee2@riverside.example", demoPassword+"x"))
		unknown := Do(t, h, http.MethodPost, "/api/v1/auth/login", loginBody("nobody@riverside.example", demoPassword))
		wantError(t, wrong, http.StatusUnauthorized, "unauthorized")
		wantError(t, unknown, http.StatusUnauthorized, "unauthorized")
		if wrong.Body.String() != unknown.Body.String() {
			t.Errorf("bodies: got %s for a wrong password and %s for an unknown email, want the same", wrong.Body, unknown.Body)
		}
		for _, rec := range []*httptest.ResponseRecorder{wrong, unknown} {
			if c := responseCookie(rec, "peerpath_session"); c != nil {
				t.Errorf("got cookie %v on a failed sign-in, want none", c)
			}
		}
	})

	bad := []struct {
		name, body string
		fields     []string
	}{
		{"ErrEmptyBody", "", nil},
		{"ErrMalformedJSON", `{"email":`, nil},
		{"ErrNotJSON", `email=a@b.example&password=x`, nil},
		{"ErrArray", `[]`, nil},
		{"ErrEmailNumber", `{"email":5,"password":"peerpath-demo-2026"}`, []string{"email"}},
		{"ErrPasswordObject", `{"email":"trainee1@riverside.example","password":{}}`, []string{"password"}},
		{"ErrMissingPassword", `{"email":"trainee1@riverside.example"}`, []string{"password"}},
		{"ErrMissingBoth", `{}`, []string{"email", "password"}},
		{"ErrEmptyStrings", `{"email":"","password":""}`, []string{"email", "password"}},
		{"ErrLongEmail", loginBody(strings.Repeat("a", 243)+"@example.org", demoPassword), []string{"email"}},
		{"ErrLongPassword", loginBody("trainee1@riverside.example", strings.Repeat("p", 1025)), []string{"password"}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			rec := Do(t, h, http.MethodPost, "/api/v1/auth/login", tt.body)
			if tt.fields == nil {
				e := wantError(t, rec, http.StatusBadRequest, "invalid")
				if len(e.Fields) != 0 {
					t.Errorf("fields: got %v, want none", e.Fields)
				}
				return
			}
			wantFields(t, rec, tt.fields...)
		})
	}
	t.Run("ErrTooLarge", func(t *testing.T) {
		body := loginBody("trainee1@riverside.example", strings.Repeat("p", 1<<20))
		wantError(t, Do(t, h, http.MethodPost, "/api/v1/auth/login", body), http.StatusRequestEntityTooLarge, "too_large")
	})
	t.Run("ErrTooLargeWithoutLength", func(t *testing.T) {
		body := loginBody("trainee1@riverside.example", strings.Repeat("p", 1<<20))
		rec := Do(t, h, http.MethodPost, "/api/v1/auth/login", "", func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader(body))
			r.ContentLength = -1
		})
		wantError(t, rec, http.StatusRequestEntityTooLarge, "too_large")
	})
	t.Run("NewTokenEachLogin", func(t *testing.T) {
		first := MustLogin(t, h, "trainee3@riverside.example", demoPassword)
		rec := Do(t, h, http.MethodPost, "/api/v1/auth/login", loginBody("trainee3@riverside.example", demoPassword), withCookie(first))
		if rec.Code != http.StatusOK {
			t.Fatalf("second sign-in: got %d %s, want 200", rec.Code, rec.Body)
		}
		second := responseCookie(rec, "peerpath_session")
		if second == nil || second.Value == "" || second.Value == first.Value {
			t.Fatalf("second sign-in: got cookie %v, want a new token", second)
		}
		wantError(t, Do(t, h, http.MethodGet, "/api/v1/me", "", withCookie(first)), http.StatusUnauthorized, "unauthorized")
		if rec := Do(t, h, http.MethodGet, "/api/v1/me", "", withCookie(&http.Cookie{Name: second.Name, Value: second.Value})); rec.Code != http.StatusOK {
			t.Errorf("new session: got %d %s, want 200", rec.Code, rec.Body)
		}
	})
}

func TestLoginSecureCookie(t *testing.T) {
	t.Parallel()
	h, _, _ := MustServer(t, func(c *server.Config) { c.BaseURL = "https://peerpath.test" })
	rec := Do(t, h, http.MethodPost, "/api/v1/auth/login", loginBody("trainee1@riverside.example", demoPassword))
	wantMe(t, rec, sam)
	if c := responseCookie(rec, "peerpath_session"); c != nil {
		t.Errorf("got cookie %v, want no unprefixed cookie over https", c)
	}
	c := responseCookie(rec, "__Host-peerpath_session")
	if c == nil {
		t.Fatalf("got cookies %v, want __Host-peerpath_session", rec.Result().Cookies())
	}
	if !c.Secure || !c.HttpOnly || c.Path != "/" || c.Domain != "" || c.SameSite != http.SameSiteLaxMode {
		t.Errorf("got %+v, want Secure, HttpOnly, SameSite=Lax, Path=/ and no Domain", c)
	}
	if hsts := rec.Header().Get("Strict-Transport-Security"); !strings.HasPrefix(hsts, "max-age=") {
		t.Errorf("Strict-Transport-Security: got %q, want max-age=…", hsts)
	}
	session := &http.Cookie{Name: c.Name, Value: c.Value}
	wantMe(t, Do(t, h, http.MethodGet, "/api/v1/me", "", withCookie(session)), sam)
	// The unprefixed name is not read over https.
	plain := &http.Cookie{Name: "peerpath_session", Value: c.Value}
	wantError(t, Do(t, h, http.MethodGet, "/api/v1/me", "", withCookie(plain)), http.StatusUnauthorized, "unauthorized")

	rec = Do(t, h, http.MethodPost, "/api/v1/auth/logout", "", withCookie(session))
	if cleared := responseCookie(rec, "__Host-peerpath_session"); rec.Code != http.StatusNoContent || cleared == nil || cleared.MaxAge >= 0 || !cleared.Secure {
		t.Errorf("logout: got %d and cookie %v, want 204 and a cleared Secure cookie", rec.Code, cleared)
	}
}

// wantRateLimited checks that rec is 429 with a Retry-After of at most the window.
func wantRateLimited(tb testing.TB, rec *httptest.ResponseRecorder) int {
	tb.Helper()
	wantError(tb, rec, http.StatusTooManyRequests, "rate_limited")
	secs, err := strconv.Atoi(rec.Header().Get("Retry-After"))
	if err != nil || secs <= 0 || secs > 15*60 {
		tb.Errorf("Retry-After: got %q, want 1 to 900 seconds", rec.Header().Get("Retry-After"))
	}
	return secs
}

func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	login := func(h http.Handler, email, password, addr string) *httptest.ResponseRecorder {
		return Do(t, h, http.MethodPost, "/api/v1/auth/login", loginBody(email, password), withRemoteAddr(addr))
	}

	t.Run("PerAccount", func(t *testing.T) {
		t.Parallel()
		h, _, clock := MustServer(t)
		for i := range 10 {
			rec := login(h, "trainee1@riverside.example", fmt.Sprintf("wrong password %d", i), "198.51.100.1:4000")
			wantError(t, rec, http.StatusUnauthorized, "unauthorized")
		}
		// The account is locked even with the right password from another address.
		rec := login(h, "TRAINEE1@riverside.example", demoPassword, "203.0.113.9:5000")
		if secs := wantRateLimited(t, rec); secs != 15*60 {
			t.Errorf("Retry-After: got %d, want 900 (the clock has not moved)", secs)
		}
		clock.Advance(5 * time.Minute)
		if secs := wantRateLimited(t, login(h, "trainee1@riverside.example", demoPassword, "203.0.113.9:5000")); secs != 10*60 {
			t.Errorf("Retry-After five minutes later: got %d, want 600", secs)
		}
		// Another account from another address is not affected.
		wantMe(t, login(h, "trainee2@riverside.example", demoPassword, "203.0.113.10:5000"),
			meOf("Priya Nair", "trainee2@riverside.example", "Riverside Peer Network", "riverside", "trainee"))

		clock.Advance(10 * time.Minute)
		wantMe(t, login(h, "trainee1@riverside.example", demoPassword, "203.0.113.9:5000"), sam)
	})
	t.Run("PerAddress", func(t *testing.T) {
		t.Parallel()
		h, _, clock := MustServer(t)
		for i := range 10 {
			// Headers anyone can set do not change the address that is counted.
			addr := fmt.Sprintf("192.0.2.%d", i)
			rec := Do(t, h, http.MethodPost, "/api/v1/auth/login", loginBody(fmt.Sprintf("nobody%d@riverside.example", i), demoPassword),
				withRemoteAddr("198.51.100.2:4000"), withHeader("X-Forwarded-For", addr), withHeader("X-Real-IP", addr))
			wantError(t, rec, http.StatusUnauthorized, "unauthorized")
		}
		wantRateLimited(t, login(h, "nobody10@riverside.example", demoPassword, "198.51.100.2:4001"))
		wantRateLimited(t, login(h, "trainee1@riverside.example", demoPassword, "198.51.100.2:4002"))
		// Another address and another account is not limited.
		wantError(t, login(h, "nobody11@riverside.example", demoPassword, "198.51.100.3:4000"), http.StatusUnauthorized, "unauthorized")
		wantMe(t, login(h, "trainee1@riverside.example", demoPassword, "198.51.100.3:4000"), sam)

		clock.Advance(15 * time.Minute)
		wantError(t, login(h, "nobody12@riverside.example", demoPassword, "198.51.100.2:4000"), http.StatusUnauthorized, "unauthorized")
	})
	t.Run("PasswordResetEndsLockout", func(t *testing.T) {
		t.Parallel()
		h, store, _ := MustServer(t)
		for i := range 10 {
			rec := login(h, "trainee1@riverside.example", "wrong password", fmt.Sprintf("10.9.0.%d:1", i))
			wantError(t, rec, http.StatusUnauthorized, "unauthorized")
		}
		wantRateLimited(t, login(h, "trainee1@riverside.example", demoPassword, "10.9.1.1:1"))
		if rec := Do(t, h, http.MethodPost, "/api/v1/auth/password-reset", `{"email":"trainee1@riverside.example"}`); rec.Code != http.StatusAccepted {
			t.Fatalf("reset request: got %d, want 202", rec.Code)
		}
		token := MustLinkToken(t, store, "trainee1@riverside.example")
		const newPassword = "a brand new passphrase"
		if rec := Do(t, h, http.MethodPost, "/api/v1/auth/password-reset/"+token, `{"password":"`+newPassword+`"}`); rec.Code != http.StatusNoContent {
			t.Fatalf("reset: got %d %s, want 204", rec.Code, rec.Body)
		}
		if rec := login(h, "trainee1@riverside.example", newPassword, "10.9.1.2:1"); rec.Code != http.StatusOK {
			t.Errorf("sign in after reset: got %d %s, want 200", rec.Code, rec.Body)
		}
	})
	t.Run("AtOnce", func(t *testing.T) {
		t.Parallel()
		h, _, _ := MustServer(t)
		// Thirty wrong passwords at the same moment: the limit of ten still holds.
		codes := make(chan int, 30)
		var wg sync.WaitGroup
		for i := range 30 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes <- login(h, "trainee1@riverside.example", fmt.Sprintf("wrong %d", i), fmt.Sprintf("10.8.0.%d:1", i)).Code
			}()
		}
		wg.Wait()
		close(codes)
		got := map[int]int{}
		for c := range codes {
			got[c]++
		}
		if want := map[int]int{http.StatusUnauthorized: 10, http.StatusTooManyRequests: 20}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
	t.Run("SuccessForgetsAccountFailures", func(t *testing.T) {
		t.Parallel()
		h, _, _ := MustServer(t)
		// Each attempt from its own address, so only the account counter can trip.
		for round := range 2 {
			for i := range 9 {
				rec := login(h, "trainee1@riverside.example", "wrong password", fmt.Sprintf("10.%d.0.%d:1", round, i))
				wantError(t, rec, http.StatusUnauthorized, "unauthorized")
			}
			wantMe(t, login(h, "trainee1@riverside.example", demoPassword, fmt.Sprintf("10.%d.1.1:1", round)), sam)
		}
	})
}

func TestLoginWithoutRedis(t *testing.T) {
	t.Parallel()
	// Redis only counts failures: without it sign-in still works, unthrottled.
	h, _, _ := MustServer(t, func(c *server.Config) { c.Redis = MustDownRedis(t) })
	wantMe(t, Do(t, h, http.MethodPost, "/api/v1/auth/login", loginBody("trainee1@riverside.example", demoPassword)), sam)
	wantError(t, Do(t, h, http.MethodPost, "/api/v1/auth/login", loginBody("trainee1@riverside.example", "wrong password")),
		http.StatusUnauthorized, "unauthorized")
}

func TestLogout(t *testing.T) {
	t.Parallel()
	h, _, _ := MustServer(t)

	t.Run("OK", func(t *testing.T) {
		session := MustLogin(t, h, "trainee1@riverside.example", demoPassword)
		other := MustLogin(t, h, "trainee2@riverside.example", demoPassword)
		rec := Do(t, h, http.MethodPost, "/api/v1/auth/logout", "", withCookie(session))
		if rec.Code != http.StatusNoContent || rec.Body.Len() != 0 {
			t.Fatalf("got %d %q, want 204 and no body", rec.Code, rec.Body)
		}
		c := responseCookie(rec, "peerpath_session")
		if c == nil || c.Value != "" || c.MaxAge >= 0 || c.Path != "/" || !c.HttpOnly {
			t.Errorf("got cookie %+v, want peerpath_session cleared", c)
		}
		wantError(t, Do(t, h, http.MethodGet, "/api/v1/me", "", withCookie(session)), http.StatusUnauthorized, "unauthorized")
		if rec := Do(t, h, http.MethodGet, "/api/v1/me", "", withCookie(other)); rec.Code != http.StatusOK {
			t.Errorf("someone else's session: got %d, want 200", rec.Code)
		}
	})
	t.Run("SignedOut", func(t *testing.T) {
		rec := Do(t, h, http.MethodPost, "/api/v1/auth/logout", "")
		if rec.Code != http.StatusNoContent {
			t.Errorf("got %d %s, want 204", rec.Code, rec.Body)
		}
	})
}

func TestMe(t *testing.T) {
	t.Parallel()
	h, _, clock := MustServer(t)

	t.Run("ErrSignedOut", func(t *testing.T) {
		wantError(t, Do(t, h, http.MethodGet, "/api/v1/me", ""), http.StatusUnauthorized, "unauthorized")
	})
	t.Run("ErrUnknownSession", func(t *testing.T) {
		rec := Do(t, h, http.MethodGet, "/api/v1/me", "", withCookie(&http.Cookie{Name: "peerpath_session", Value: "forged"}))
		wantError(t, rec, http.StatusUnauthorized, "unauthorized")
		if c := responseCookie(rec, "peerpath_session"); c == nil || c.MaxAge >= 0 {
			t.Errorf("got cookie %v, want the dead cookie cleared", c)
		}
	})
	t.Run("OK", func(t *testing.T) {
		session := MustLogin(t, h, "trainee1@riverside.example", demoPassword)
		wantMe(t, Do(t, h, http.MethodGet, "/api/v1/me", "", withCookie(session)), sam)
		admin := MustLogin(t, h, "admin@harbour.example", demoPassword)
		wantMe(t, Do(t, h, http.MethodGet, "/api/v1/me", "", withCookie(admin)),
			meOf("Grace Whitfield", "admin@harbour.example", "Harbour Health", "harbour", "org_admin"))
	})
	t.Run("IdleExpiry", func(t *testing.T) {
		session := MustLogin(t, h, "trainee4@riverside.example", demoPassword)
		clock.Advance(29 * time.Minute)
		if rec := Do(t, h, http.MethodGet, "/api/v1/me", "", withCookie(session)); rec.Code != http.StatusOK {
			t.Fatalf("after 29 idle minutes: got %d %s, want 200", rec.Code, rec.Body)
		}
		clock.Advance(29 * time.Minute)
		if rec := Do(t, h, http.MethodGet, "/api/v1/me", "", withCookie(session)); rec.Code != http.StatusOK {
			t.Fatalf("29 minutes after the last request: got %d %s, want 200", rec.Code, rec.Body)
		}
		clock.Advance(31 * time.Minute)
		rec := Do(t, h, http.MethodGet, "/api/v1/me", "", withCookie(session))
		wantError(t, rec, http.StatusUnauthorized, "unauthorized")
		if c := responseCookie(rec, "peerpath_session"); c == nil || c.MaxAge >= 0 {
			t.Errorf("got cookie %v, want the expired cookie cleared", c)
		}
	})
}

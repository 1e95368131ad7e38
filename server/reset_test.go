package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func resetBody(email string) string {
	b, _ := json.Marshal(map[string]string{"email": email})
	return string(b)
}

func passwordBody(password string) string {
	b, _ := json.Marshal(map[string]string{"password": password})
	return string(b)
}

func TestPasswordResetRequest(t *testing.T) {
	t.Parallel()
	h, store, _ := MustServer(t)
	outbox := func() int { return MustCount(t, store, `SELECT count(*) FROM outbox`) }

	// Known and unknown emails get the same answer; only the known one gets mail.
	known := Do(t, h, http.MethodPost, "/api/v1/auth/password-reset", resetBody("trainee1@riverside.example"))
	if known.Code != http.StatusAccepted {
		t.Fatalf("known email: got %d %s, want 202", known.Code, known.Body)
	}
	if n := outbox(); n != 1 {
		t.Errorf("outbox after a known email: got %d rows, want 1", n)
	}
	unknown := Do(t, h, http.MethodPost, "/api/v1/auth/password-reset", resetBody("nobody@riverside.example"))
	if unknown.Code != http.StatusAccepted || unknown.Body.String() != known.Body.String() {
		t.Errorf("unknown email: got %d %s, want 202 %s", unknown.Code, unknown.Body, known.Body)
	}
	if n := outbox(); n != 1 {
		t.Errorf("outbox after an unknown email: got %d rows, want 1", n)
	}

	bad := []struct{ name, body string }{
		{"ErrMalformedEmail", resetBody("trainee1")},
		{"ErrMissingEmail", `{}`},
		{"ErrLongEmail", resetBody(strings.Repeat("a", 243) + "@example.org")},
		{"ErrEmailNumber", `{"email":1}`},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			wantFields(t, Do(t, h, http.MethodPost, "/api/v1/auth/password-reset", tt.body), "email")
		})
	}
	t.Run("ErrEmptyBody", func(t *testing.T) {
		wantError(t, Do(t, h, http.MethodPost, "/api/v1/auth/password-reset", ""), http.StatusBadRequest, "invalid")
	})
}

func TestPasswordResetComplete(t *testing.T) {
	t.Parallel()
	h, store, clock := MustServer(t)
	const newPassword = "a fresh passphrase for sam"
	request := func(email string) string {
		t.Helper()
		rec := Do(t, h, http.MethodPost, "/api/v1/auth/password-reset", resetBody(email))
		if rec.Code != http.StatusAccepted {
			t.Fatalf("request reset: got %d %s, want 202", rec.Code, rec.Body)
		}
		return MustLinkToken(t, store, email)
	}
	complete := func(token, body string) *httptest.ResponseRecorder {
		return Do(t, h, http.MethodPost, "/api/v1/auth/password-reset/"+token, body)
	}

	t.Run("OK", func(t *testing.T) {
		session := MustLogin(t, h, "trainee1@riverside.example", demoPassword)
		token := request("trainee1@riverside.example")
		rec := complete(token, passwordBody(newPassword))
		if rec.Code != http.StatusNoContent || rec.Body.Len() != 0 {
			t.Fatalf("got %d %q, want 204 and no body", rec.Code, rec.Body)
		}
		MustLogin(t, h, "trainee1@riverside.example", newPassword)
		wantError(t, Do(t, h, http.MethodPost, "/api/v1/auth/login", loginBody("trainee1@riverside.example", demoPassword)),
			http.StatusUnauthorized, "unauthorized")
		// The reset ended the sessions that were open.
		wantError(t, Do(t, h, http.MethodGet, "/api/v1/me", "", withCookie(session)), http.StatusUnauthorized, "unauthorized")

		t.Run("ErrReused", func(t *testing.T) {
			wantError(t, complete(token, passwordBody("another passphrase here")), http.StatusGone, "gone")
			MustLogin(t, h, "trainee1@riverside.example", newPassword)
		})
	})
	bad := []struct{ name, body string }{
		{"ErrShortPassword", passwordBody("short")},
		{"ErrLongPassword", passwordBody(strings.Repeat("p", 257))},
		{"ErrMissingPassword", `{}`},
		{"ErrPasswordNumber", `{"password":123456789012}`},
	}
	fresh := request("trainee3@riverside.example")
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			wantFields(t, complete(fresh, tt.body), "password")
		})
	}
	t.Run("OKAfterRefusals", func(t *testing.T) {
		if rec := complete(fresh, passwordBody(newPassword)); rec.Code != http.StatusNoContent {
			t.Errorf("got %d %s, want 204: a refused password does not use up the link", rec.Code, rec.Body)
		}
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		wantError(t, complete("no-such-token", passwordBody(newPassword)), http.StatusNotFound, "not_found")
	})
	t.Run("ErrExpired", func(t *testing.T) {
		token := request("trainee2@riverside.example")
		clock.Advance(61 * time.Minute)
		wantError(t, complete(token, passwordBody(newPassword)), http.StatusGone, "gone")
		MustLogin(t, h, "trainee2@riverside.example", demoPassword)
	})
}

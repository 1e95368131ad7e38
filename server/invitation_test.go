package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
	"peerpath/migrations/testdb"
)

// MustInvite invites email to the organisation with slug and returns the token.
func MustInvite(tb testing.TB, store *courses.Store, slug, email string, roles ...string) string {
	tb.Helper()
	_, token, err := store.CreateInvitation(context.Background(), MustOrgID(tb, store, slug), "",
		courses.InvitationInput{Email: email, Name: "Invited " + email, Roles: roles})
	if err != nil {
		tb.Fatalf("invite %s: %v", email, err)
	}
	return token
}

func acceptBody(name, password string) string {
	b, _ := json.Marshal(map[string]string{"name": name, "password": password})
	return string(b)
}

func TestInvitationGet(t *testing.T) {
	t.Parallel()
	h, store, clock := MustServer(t)
	token := MustInvite(t, store, "riverside", "new@example.org", "trainer", "trainee")

	t.Run("OK", func(t *testing.T) {
		rec := Do(t, h, http.MethodGet, "/api/v1/invitations/"+token, "")
		if rec.Code != http.StatusOK {
			t.Fatalf("got %d %s, want 200", rec.Code, rec.Body)
		}
		var got map[string]any
		MustDecode(t, rec, &got)
		want := map[string]any{"email": "new@example.org", "name": "Invited new@example.org",
			"organisation": map[string]any{"name": "Riverside Peer Network"}, "roles": []any{"trainee", "trainer"},
			"expires_at": clock.Now().Add(courses.InvitationTTL).Format(time.RFC3339)}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("invitation (-want +got):\n%s", diff)
		}
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		wantError(t, Do(t, h, http.MethodGet, "/api/v1/invitations/not-a-token", ""), http.StatusNotFound, "not_found")
	})
	t.Run("ErrExpired", func(t *testing.T) {
		expired := MustInvite(t, store, "riverside", "expired@example.org", "trainee")
		clock.Advance(courses.InvitationTTL)
		wantError(t, Do(t, h, http.MethodGet, "/api/v1/invitations/"+expired, ""), http.StatusGone, "gone")
	})
	t.Run("ErrUsed", func(t *testing.T) {
		used := MustInvite(t, store, "riverside", "used@example.org", "trainee")
		if _, err := store.AcceptInvitation(context.Background(), used, "Used Person", "a good long password"); err != nil {
			t.Fatal(err)
		}
		wantError(t, Do(t, h, http.MethodGet, "/api/v1/invitations/"+used, ""), http.StatusGone, "gone")
	})
}

func TestInvitationAccept(t *testing.T) {
	t.Parallel()
	h, store, clock := MustServer(t)
	const password = "my own long passphrase"
	people := func() int { return MustCount(t, store, `SELECT count(*) FROM people`) }
	token := MustInvite(t, store, "harbour", "Nurse.Joy@example.org", "trainee", "manager")

	bad := []struct {
		name, body string
		fields     []string
	}{
		{"ErrShortPassword", acceptBody("Joy", "short"), []string{"password"}},
		{"ErrLongPassword", acceptBody("Joy", strings.Repeat("p", 257)), []string{"password"}},
		{"ErrMissingPassword", `{"name":"Joy"}`, []string{"password"}},
		{"ErrMissingName", `{"password":"my own long passphrase"}`, []string{"name"}},
		{"ErrBlankName", acceptBody("   ", password), []string{"name"}},
		{"ErrLongName", acceptBody(strings.Repeat("n", 201), password), []string{"name"}},
		{"ErrNameNumber", `{"name":1,"password":"my own long passphrase"}`, []string{"name"}},
		{"ErrMalformedJSON", `{"name":"Joy",`, nil},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			before := people()
			rec := Do(t, h, http.MethodPost, "/api/v1/invitations/"+token+"/accept", tt.body)
			if tt.fields == nil {
				wantError(t, rec, http.StatusBadRequest, "invalid")
			} else {
				wantFields(t, rec, tt.fields...)
			}
			if c := responseCookie(rec, "peerpath_session"); c != nil {
				t.Errorf("got cookie %v, want none", c)
			}
			if after := people(); after != before {
				t.Errorf("people: got %d, want %d (nothing created)", after, before)
			}
			if rec := Do(t, h, http.MethodGet, "/api/v1/invitations/"+token, ""); rec.Code != http.StatusOK {
				t.Errorf("invitation after a refused accept: got %d, want 200 (still open)", rec.Code)
			}
		})
	}
	t.Run("OK", func(t *testing.T) {
		before := people()
		rec := Do(t, h, http.MethodPost, "/api/v1/invitations/"+token+"/accept", acceptBody(" Joy Barnes ", password))
		joy := meOf("Joy Barnes", "Nurse.Joy@example.org", "Harbour Health", "harbour", "trainee", "manager")
		wantMe(t, rec, joy)
		if after := people(); after != before+1 {
			t.Errorf("people: got %d, want %d", after, before+1)
		}
		c := responseCookie(rec, "peerpath_session")
		if c == nil || c.Value == "" || !c.HttpOnly {
			t.Fatalf("got cookie %v, want a session: accepting signs in", c)
		}
		wantMe(t, Do(t, h, http.MethodGet, "/api/v1/me", "", withCookie(&http.Cookie{Name: c.Name, Value: c.Value})), joy)
		MustLogin(t, h, "nurse.joy@example.org", password)

		t.Run("ErrUsed", func(t *testing.T) {
			rec := Do(t, h, http.MethodPost, "/api/v1/invitations/"+token+"/accept", acceptBody("Joy Again", password))
			wantError(t, rec, http.StatusGone, "gone")
			if after := people(); after != before+1 {
				t.Errorf("people: got %d, want %d", after, before+1)
			}
		})
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		wantError(t, Do(t, h, http.MethodPost, "/api/v1/invitations/nope/accept", acceptBody("Joy", password)),
			http.StatusNotFound, "not_found")
	})
	t.Run("ErrExpired", func(t *testing.T) {
		expired := MustInvite(t, store, "harbour", "late@example.org", "trainee")
		clock.Advance(courses.InvitationTTL + time.Minute)
		before := people()
		wantError(t, Do(t, h, http.MethodPost, "/api/v1/invitations/"+expired+"/accept", acceptBody("Late", password)),
			http.StatusGone, "gone")
		if after := people(); after != before {
			t.Errorf("people: got %d, want %d", after, before)
		}
	})
}

// orgInvitation is the documented Invitation shape.
type orgInvitation struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Roles     []string  `json:"roles"`
	ExpiresAt time.Time `json:"expires_at"`
	CreatedAt time.Time `json:"created_at"`
}

type invitationList struct {
	Items      []orgInvitation `json:"items"`
	NextCursor string          `json:"next_cursor"`
}

func TestOrgInvitationCreate(t *testing.T) {
	t.Parallel()
	h, store, clock := MustServer(t)
	admin := MustLogin(t, h, "admin@riverside.example", demoPassword)
	invitations := func() int { return MustCount(t, store, `SELECT count(*) FROM invitations`) }
	post := func(body string, opts ...reqOpt) *httptest.ResponseRecorder {
		return Do(t, h, http.MethodPost, "/api/v1/org/invitations", body, opts...)
	}

	t.Run("OK", func(t *testing.T) {
		rec := post(`{"email":"dee@example.org","name":"Dee Walker","roles":["trainer","trainee"]}`, withCookie(admin))
		if rec.Code != http.StatusCreated {
			t.Fatalf("got %d %s, want 201", rec.Code, rec.Body)
		}
		var got orgInvitation
		MustDecode(t, rec, &got)
		want := orgInvitation{ID: got.ID, Email: "dee@example.org", Name: "Dee Walker", Roles: []string{"trainee", "trainer"},
			CreatedAt: clock.Now(), ExpiresAt: clock.Now().Add(courses.InvitationTTL)}
		if diff := cmp.Diff(want, got); diff != "" || len(got.ID) != 36 {
			t.Errorf("invitation (-want +got):\n%s", diff)
		}
		var orgID, invitedBy string
		if err := testdb.Owner(store.DB()).QueryRow(`
			SELECT i.org_id, p.email FROM invitations i JOIN people p ON p.id = i.invited_by WHERE i.id = $1`,
			got.ID).Scan(&orgID, &invitedBy); err != nil {
			t.Fatal(err)
		}
		if orgID != MustOrgID(t, store, "riverside") || invitedBy != "admin@riverside.example" {
			t.Errorf("got org %s invited by %s, want riverside and admin@riverside.example", orgID, invitedBy)
		}
		if token := MustLinkToken(t, store, "dee@example.org"); len(token) != 43 {
			t.Errorf("queued link token: got %q, want 43 characters", token)
		}
	})
	t.Run("OKWithoutName", func(t *testing.T) {
		rec := post(`{"email":"noname@example.org","roles":["trainee"]}`, withCookie(admin))
		if rec.Code != http.StatusCreated {
			t.Fatalf("got %d %s, want 201", rec.Code, rec.Body)
		}
	})
	t.Run("ErrSignedOut", func(t *testing.T) {
		before := invitations()
		wantError(t, post(`{"email":"x@example.org","roles":["trainee"]}`), http.StatusUnauthorized, "unauthorized")
		if after := invitations(); after != before {
			t.Errorf("invitations: got %d, want %d", after, before)
		}
	})
	for _, who := range []string{"trainee1@riverside.example", "trainer@riverside.example", "manager@riverside.example"} {
		t.Run("ErrForbidden/"+who, func(t *testing.T) {
			session := MustLogin(t, h, who, demoPassword)
			before := invitations()
			wantError(t, post(`{"email":"x@example.org","roles":["trainee"]}`, withCookie(session)), http.StatusForbidden, "forbidden")
			if after := invitations(); after != before {
				t.Errorf("invitations: got %d, want %d", after, before)
			}
		})
	}

	bad := []struct {
		name, body string
		fields     []string
	}{
		{"ErrBadEmail", `{"email":"not an email","roles":["trainee"]}`, []string{"email"}},
		{"ErrLongEmail", `{"email":"` + strings.Repeat("a", 243) + `@example.org","roles":["trainee"]}`, []string{"email"}},
		{"ErrMissingEmail", `{"roles":["trainee"]}`, []string{"email"}},
		{"ErrMissingRoles", `{"email":"r@example.org"}`, []string{"roles"}},
		{"ErrEmptyRoles", `{"email":"r@example.org","roles":[]}`, []string{"roles"}},
		{"ErrUnknownRole", `{"email":"r@example.org","roles":["operator"]}`, []string{"roles"}},
		{"ErrTooManyRoles", `{"email":"r@example.org","roles":["trainee","trainer","manager","org_admin","trainee"]}`, []string{"roles"}},
		{"ErrRolesString", `{"email":"r@example.org","roles":"trainee"}`, []string{"roles"}},
		{"ErrLongName", `{"email":"r@example.org","name":"` + strings.Repeat("n", 201) + `","roles":["trainee"]}`, []string{"name"}},
		{"ErrMalformedJSON", `{"email":`, nil},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			before := invitations()
			rec := post(tt.body, withCookie(admin))
			if tt.fields == nil {
				wantError(t, rec, http.StatusBadRequest, "invalid")
			} else {
				wantFields(t, rec, tt.fields...)
			}
			if after := invitations(); after != before {
				t.Errorf("invitations: got %d, want %d", after, before)
			}
		})
	}

	conflicts := []struct{ name, email string }{
		{"ErrPendingInvitation", "DEE@example.org"},
		{"ErrHasAccount", "trainer@riverside.example"},
		{"ErrHasAccountElsewhere", "trainee1@harbour.example"},
	}
	for _, tt := range conflicts {
		t.Run(tt.name, func(t *testing.T) {
			before := invitations()
			e := wantError(t, post(`{"email":"`+tt.email+`","roles":["trainee"]}`, withCookie(admin)), http.StatusConflict, "conflict")
			if e.Fields["email"] == "" {
				t.Errorf("fields: got %v, want the email named", e.Fields)
			}
			if after := invitations(); after != before {
				t.Errorf("invitations: got %d, want %d", after, before)
			}
		})
	}
}

func TestOrgInvitationList(t *testing.T) {
	t.Parallel()
	h, store, clock := MustServer(t)
	riverside := MustLogin(t, h, "admin@riverside.example", demoPassword)
	harbour := MustLogin(t, h, "admin@harbour.example", demoPassword)
	var riversideEmails []string
	for _, email := range []string{"r1@example.org", "r2@example.org", "r3@example.org"} {
		clock.Advance(time.Minute)
		MustInvite(t, store, "riverside", email, "trainee")
		riversideEmails = append([]string{email}, riversideEmails...) // newest first
	}
	MustInvite(t, store, "harbour", "h1@example.org", "trainee")
	list := func(query string, session *http.Cookie) invitationList {
		t.Helper()
		rec := Do(t, h, http.MethodGet, "/api/v1/org/invitations"+query, "", withCookie(session))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: got %d %s, want 200", query, rec.Code, rec.Body)
		}
		var got invitationList
		MustDecode(t, rec, &got)
		return got
	}
	emails := func(l invitationList) []string {
		var out []string
		for _, inv := range l.Items {
			out = append(out, inv.Email)
		}
		return out
	}

	t.Run("OK", func(t *testing.T) {
		got := list("", riverside)
		if diff := cmp.Diff(riversideEmails, emails(got)); diff != "" || got.NextCursor != "" {
			t.Errorf("emails (-want +got):\n%s\nnext: %q", diff, got.NextCursor)
		}
	})
	t.Run("OnlyOwnOrganisation", func(t *testing.T) {
		got := list("?limit=100", harbour)
		if diff := cmp.Diff([]string{"h1@example.org"}, emails(got)); diff != "" {
			t.Errorf("Harbour's admin sees (-want +got):\n%s", diff)
		}
	})
	t.Run("Pages", func(t *testing.T) {
		var got []string
		query := "?limit=1"
		for range 5 {
			page := list(query, riverside)
			if len(page.Items) != 1 {
				t.Fatalf("page %s: got %d items, want 1", query, len(page.Items))
			}
			got = append(got, emails(page)...)
			if page.NextCursor == "" {
				break
			}
			query = "?limit=1&cursor=" + url.QueryEscape(page.NextCursor)
		}
		if diff := cmp.Diff(riversideEmails, got); diff != "" {
			t.Errorf("emails over pages (-want +got):\n%s", diff)
		}
	})
	t.Run("Empty", func(t *testing.T) {
		if _, err := testdb.Owner(store.DB()).Exec(`UPDATE invitations SET revoked_at = now()`); err != nil {
			t.Fatal(err)
		}
		rec := Do(t, h, http.MethodGet, "/api/v1/org/invitations", "", withCookie(riverside))
		if body := strings.TrimSpace(rec.Body.String()); rec.Code != http.StatusOK || body != `{"items":[],"next_cursor":""}` {
			t.Errorf("got %d %s, want 200 and an empty list", rec.Code, body)
		}
	})
	for _, q := range []string{"?limit=0", "?limit=abc", "?limit=101", "?limit=-1", "?limit=1.5"} {
		t.Run("ErrLimit"+q, func(t *testing.T) {
			wantFields(t, Do(t, h, http.MethodGet, "/api/v1/org/invitations"+q, "", withCookie(riverside)), "limit")
		})
	}
	t.Run("ErrCursor", func(t *testing.T) {
		wantFields(t, Do(t, h, http.MethodGet, "/api/v1/org/invitations?cursor=!!!", "", withCookie(riverside)), "cursor")
	})
	t.Run("ErrSignedOut", func(t *testing.T) {
		wantError(t, Do(t, h, http.MethodGet, "/api/v1/org/invitations", ""), http.StatusUnauthorized, "unauthorized")
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		trainee := MustLogin(t, h, "trainee1@harbour.example", demoPassword)
		wantError(t, Do(t, h, http.MethodGet, "/api/v1/org/invitations", "", withCookie(trainee)), http.StatusForbidden, "forbidden")
	})
}

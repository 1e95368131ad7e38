package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"peerpath/courses"
	"peerpath/migrations/testdb"
)

type notificationJSON struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	Link      string     `json:"link"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

type notificationListJSON struct {
	Items       []notificationJSON `json:"items"`
	NextCursor  string             `json:"next_cursor"`
	UnreadCount int                `json:"unread_count"`
}

type preferenceJSON struct {
	Kind        string `json:"kind"`
	Label       string `json:"label"`
	Description string `json:"description"`
	Mandatory   bool   `json:"mandatory"`
	Enabled     bool   `json:"enabled"`
}

type preferencesJSON struct {
	Preferences []preferenceJSON `json:"preferences"`
}

// MustNotify adds notifications titled titles for the person with email, oldest first, and
// returns their ids.
func MustNotify(tb testing.TB, store *courses.Store, email string, titles ...string) []string {
	tb.Helper()
	var ids []string
	for i, title := range titles {
		var id string
		if err := testdb.Owner(store.DB()).Get(&id, `
			INSERT INTO notifications (org_id, person_id, kind, title, body, link, created_at)
			SELECT org_id, id, 'assignment_due', $2, 'Due soon.', '/learn/x', $3 FROM people WHERE email = $1
			RETURNING id`, email, title, store.Now().Add(time.Duration(i)*time.Minute)); err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func TestNotificationsAPI(t *testing.T) {
	t.Parallel()
	h, store, _ := MustServer(t)
	sam := MustSessionCookie(t, store, "trainee1@riverside.example")
	ids := MustNotify(t, store, "trainee1@riverside.example", "First", "Second", "Third")
	others := MustNotify(t, store, "trainee2@riverside.example", "Priya's")

	var page notificationListJSON
	rec := Do(t, h, http.MethodGet, "/api/v1/me/notifications?limit=2", "", sam)
	MustDecode(t, rec, &page)
	if rec.Code != http.StatusOK || len(page.Items) != 2 || page.Items[0].Title != "Third" || page.NextCursor == "" || page.UnreadCount != 3 {
		t.Fatalf("first page: got %d %+v, want Third and Second, a cursor and 3 unread", rec.Code, page)
	}
	rec = Do(t, h, http.MethodGet, "/api/v1/me/notifications?limit=2&cursor="+page.NextCursor, "", sam)
	MustDecode(t, rec, &page)
	if len(page.Items) != 1 || page.Items[0].Title != "First" || page.NextCursor != "" || page.Items[0].Link != "/learn/x" {
		t.Fatalf("second page: got %+v, want First and no cursor", page)
	}

	t.Run("ErrBadQuery", func(t *testing.T) {
		for _, q := range []struct{ query, field string }{{"limit=0", "limit"}, {"limit=x", "limit"}, {"cursor=nope", "cursor"}} {
			wantFields(t, Do(t, h, http.MethodGet, "/api/v1/me/notifications?"+q.query, "", sam), q.field)
		}
	})
	t.Run("ErrSignedOut", func(t *testing.T) {
		wantError(t, Do(t, h, http.MethodGet, "/api/v1/me/notifications", ""), http.StatusUnauthorized, "unauthorized")
		wantError(t, Do(t, h, http.MethodPost, "/api/v1/me/notifications/read", `{"all":true}`), http.StatusUnauthorized, "unauthorized")
	})
	t.Run("ErrBadRead", func(t *testing.T) {
		many, _ := json.Marshal(map[string]any{"ids": make([]string, 101)})
		for _, tc := range []struct {
			name, body string
			fields     []string
		}{
			{"Nothing", `{}`, []string{"ids"}},
			{"NotAList", `{"ids":"x"}`, []string{"ids"}},
			{"NotAnID", `{"ids":["nope"]}`, []string{"ids"}},
			{"TooMany", string(many), []string{"ids"}},
			{"AllNotBool", `{"all":"yes"}`, []string{"all"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantFields(t, Do(t, h, http.MethodPost, "/api/v1/me/notifications/read", tc.body, sam), tc.fields...)
			})
		}
		wantError(t, Do(t, h, http.MethodPost, "/api/v1/me/notifications/read", `[`, sam), http.StatusBadRequest, "invalid")
		if n := MustCount(t, store, `SELECT count(*) FROM notifications WHERE read_at IS NOT NULL`); n != 0 {
			t.Errorf("read after bad requests: got %d, want 0", n)
		}
	})
	t.Run("MarkSomeThenAll", func(t *testing.T) {
		var got struct {
			UnreadCount int `json:"unread_count"`
		}
		body := fmt.Sprintf(`{"ids":[%q,%q]}`, ids[0], others[0])
		rec := Do(t, h, http.MethodPost, "/api/v1/me/notifications/read", body, sam)
		MustDecode(t, rec, &got)
		if rec.Code != http.StatusOK || got.UnreadCount != 2 {
			t.Errorf("mark one: got %d %+v, want 200 and 2 unread", rec.Code, got)
		}
		// Priya's notification is hers: Sam's request changed nothing of it.
		if n := MustCount(t, store, `SELECT count(*) FROM notifications WHERE id = $1 AND read_at IS NULL`, others[0]); n != 1 {
			t.Error("someone else's notification was marked read")
		}
		rec = Do(t, h, http.MethodPost, "/api/v1/me/notifications/read", `{"all":true}`, sam)
		MustDecode(t, rec, &got)
		if got.UnreadCount != 0 {
			t.Errorf("mark all: got %+v, want 0 unread", got)
		}
	})
}

func TestNotificationPreferencesAPI(t *testing.T) {
	t.Parallel()
	h, store, _ := MustServer(t)
	sam := MustSessionCookie(t, store, "trainee1@riverside.example")
	enabled := func(got preferencesJSON) map[string]bool {
		out := map[string]bool{}
		for _, p := range got.Preferences {
			out[p.Kind] = p.Enabled
		}
		return out
	}

	var got preferencesJSON
	rec := Do(t, h, http.MethodGet, "/api/v1/me/notification-preferences", "", sam)
	MustDecode(t, rec, &got)
	if len(got.Preferences) != len(courses.ReminderKinds) {
		t.Fatalf("preferences: got %+v, want every kind", got)
	}
	for _, p := range got.Preferences {
		if !p.Enabled || p.Label == "" || p.Description == "" {
			t.Errorf("%s: got %+v, want on, with a label and description", p.Kind, p)
		}
	}

	t.Run("ErrBad", func(t *testing.T) {
		for _, tc := range []struct {
			name, body string
			fields     []string
		}{
			{"Missing", `{}`, []string{"preferences"}},
			{"Mandatory", `{"preferences":{"assignment_due":false,"roleplay_tomorrow":false}}`, []string{"preferences.assignment_due"}},
			{"Unknown", `{"preferences":{"weather":true}}`, []string{"preferences.weather"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantFields(t, Do(t, h, http.MethodPut, "/api/v1/me/notification-preferences", tc.body, sam), tc.fields...)
			})
		}
		wantError(t, Do(t, h, http.MethodPut, "/api/v1/me/notification-preferences", `{"preferences":{"roleplay_tomorrow":"no"}}`, sam),
			http.StatusBadRequest, "invalid")
		if n := MustCount(t, store, `SELECT count(*) FROM notification_preferences`); n != 0 {
			t.Errorf("preferences stored after bad requests: got %d, want 0", n)
		}
	})
	t.Run("TurnOffOptional", func(t *testing.T) {
		rec := Do(t, h, http.MethodPut, "/api/v1/me/notification-preferences",
			`{"preferences":{"roleplay_tomorrow":false,"assignment_due":true}}`, sam)
		MustDecode(t, rec, &got)
		if on := enabled(got); rec.Code != http.StatusOK || on["roleplay_tomorrow"] || !on["assignment_due"] || !on["certificate_expiring"] {
			t.Errorf("after turning role-play off: got %d %v", rec.Code, on)
		}
	})
	t.Run("ErrOperatorWithoutOrg", func(t *testing.T) {
		if _, err := testdb.Owner(store.DB()).Exec(`INSERT INTO people (email, name, password_hash, operator) VALUES ('ops@peerpath.test', 'Ops', 'x', true)`); err != nil {
			t.Fatal(err)
		}
		wantError(t, Do(t, h, http.MethodGet, "/api/v1/me/notification-preferences", "", MustSessionCookie(t, store, "ops@peerpath.test")),
			http.StatusNotFound, "not_found")
	})
}

func TestUnsubscribeAPI(t *testing.T) {
	t.Parallel()
	h, store, clock := MustServer(t)
	MustImportOrgCourse(t, store, "riverside", "own", "")
	if _, err := testdb.Owner(store.DB()).Exec(`INSERT INTO assignments (org_id, person_id, course_id, due_at)
		SELECT p.org_id, p.id, c.id, $1 FROM people p, courses c WHERE p.email = 'trainee1@riverside.example' AND c.slug = 'own'`,
		clock.Now().Add(3*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := store.ScanReminders(context.Background(), courses.ScanOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	var payload []byte
	if err := testdb.Owner(store.DB()).Get(&payload, `SELECT payload FROM outbox WHERE payload->>'template' = 'digest'`); err != nil {
		t.Fatal(err)
	}
	var mail courses.Email
	if err := json.Unmarshal(payload, &mail); err != nil {
		t.Fatal(err)
	}
	link := mail.Data["unsubscribe"]
	token := link[strings.LastIndexByte(link, '/')+1:]

	var got preferencesJSON
	rec := Do(t, h, http.MethodGet, "/api/v1/unsubscribe/"+token, "")
	MustDecode(t, rec, &got)
	if rec.Code != http.StatusOK || len(got.Preferences) != len(courses.ReminderKinds) {
		t.Fatalf("preview: got %d %s", rec.Code, rec.Body)
	}
	if strings.Contains(rec.Body.String(), "trainee1") || strings.Contains(rec.Body.String(), "Sam") {
		t.Errorf("preview: got %s, want nothing about the person", rec.Body)
	}
	for i := 0; i < 2; i++ {
		rec = Do(t, h, http.MethodPost, "/api/v1/unsubscribe/"+token, "")
		MustDecode(t, rec, &got)
		if rec.Code != http.StatusOK {
			t.Fatalf("unsubscribe %d: got %d %s", i, rec.Code, rec.Body)
		}
	}
	for _, p := range got.Preferences {
		if p.Enabled != p.Mandatory {
			t.Errorf("after unsubscribing, %s: got enabled %v, want %v", p.Kind, p.Enabled, p.Mandatory)
		}
	}
	for _, bad := range []string{"nope", token + "x"} {
		wantError(t, Do(t, h, http.MethodGet, "/api/v1/unsubscribe/"+bad, ""), http.StatusNotFound, "not_found")
		wantError(t, Do(t, h, http.MethodPost, "/api/v1/unsubscribe/"+bad, ""), http.StatusNotFound, "not_found")
	}
}

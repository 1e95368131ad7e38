package server_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
	"peerpath/server"
)

// fakeMailbox is a development mailbox held in memory.
type fakeMailbox struct {
	messages []server.MailMessage // newest first
}

func (m *fakeMailbox) List(context.Context) ([]server.MailSummary, error) {
	var out []server.MailSummary
	for _, msg := range m.messages {
		out = append(out, msg.MailSummary)
	}
	return out, nil
}

func (m *fakeMailbox) Get(_ context.Context, id string) (*server.MailMessage, error) {
	if id == "broken" {
		return nil, errors.New("read /var/mail/broken: input/output error")
	}
	for _, msg := range m.messages {
		if msg.ID == id {
			return &msg, nil
		}
	}
	return nil, courses.Errorf(courses.NotFound, "There is no message %s.", id)
}

func TestDevMail(t *testing.T) {
	t.Parallel()
	sent := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	box := &fakeMailbox{messages: []server.MailMessage{
		{MailSummary: server.MailSummary{ID: "m2", To: "b@example.org", Subject: "Reset your password", SentAt: sent.Add(time.Minute)},
			Text: "Reset: http://peerpath.test/reset/x", HTML: "<p>Reset</p>"},
		{MailSummary: server.MailSummary{ID: "m1", To: "a@example.org", Subject: "You are invited", SentAt: sent},
			Text: "Join", HTML: "<p>Join</p>"},
	}}
	h, _, _ := MustServer(t, func(c *server.Config) { c.Mailbox = box })

	t.Run("List", func(t *testing.T) {
		rec := Do(t, h, http.MethodGet, "/api/v1/dev/mail", "")
		var got struct {
			Items      []server.MailSummary `json:"items"`
			NextCursor string               `json:"next_cursor"`
		}
		MustDecode(t, rec, &got)
		want := []server.MailSummary{box.messages[0].MailSummary, box.messages[1].MailSummary}
		if diff := cmp.Diff(want, got.Items); diff != "" || rec.Code != http.StatusOK {
			t.Errorf("got %d (-want +got):\n%s", rec.Code, diff)
		}
	})
	t.Run("Get", func(t *testing.T) {
		rec := Do(t, h, http.MethodGet, "/api/v1/dev/mail/m1", "")
		var got map[string]any
		MustDecode(t, rec, &got)
		want := map[string]any{"id": "m1", "to": "a@example.org", "subject": "You are invited",
			"sent_at": "2026-03-02T09:30:00Z", "text": "Join", "html": "<p>Join</p>"}
		if diff := cmp.Diff(want, got); diff != "" || rec.Code != http.StatusOK {
			t.Errorf("got %d (-want +got):\n%s", rec.Code, diff)
		}
	})
	t.Run("ErrUnknownID", func(t *testing.T) {
		e := wantError(t, Do(t, h, http.MethodGet, "/api/v1/dev/mail/m9", ""), http.StatusNotFound, "not_found")
		if e.Message != "There is no message m9." {
			t.Errorf("message: got %q, want the mailbox's own", e.Message)
		}
	})
	t.Run("ErrMailboxFails", func(t *testing.T) {
		e := wantError(t, Do(t, h, http.MethodGet, "/api/v1/dev/mail/broken", ""), http.StatusInternalServerError, "internal")
		if e.Message != "Internal error." || strings.Contains(e.Message, "/var/mail") {
			t.Errorf("message: got %q, want \"Internal error.\" and no detail", e.Message)
		}
	})
	t.Run("Empty", func(t *testing.T) {
		h, _, _ := MustServer(t, func(c *server.Config) { c.Mailbox = &fakeMailbox{} })
		rec := Do(t, h, http.MethodGet, "/api/v1/dev/mail", "")
		if body := strings.TrimSpace(rec.Body.String()); rec.Code != http.StatusOK || body != `{"items":[],"next_cursor":""}` {
			t.Errorf("got %d %s, want 200 and an empty list", rec.Code, body)
		}
	})
}

func TestDevMailOutsideDevelopment(t *testing.T) {
	t.Parallel()
	h, _, _ := MustServer(t)
	for _, path := range []string{"/api/v1/dev/mail", "/api/v1/dev/mail/m1"} {
		t.Run(path, func(t *testing.T) {
			wantError(t, Do(t, h, http.MethodGet, path, ""), http.StatusNotFound, "not_found")
		})
	}
}

package mail_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
	"peerpath/worker/mail"
	"peerpath/worker/mail/smtptest"
)

func TestRender(t *testing.T) {
	tests := []struct {
		name        string
		email       courses.Email
		wantSubject string
		wantText    []string
		wantHTML    []string
		notHTML     []string
	}{
		{
			name: "Invitation",
			email: courses.Email{To: "a@example.org", ToName: "Sam", Template: "invitation", OrgName: "Riverside",
				Data: map[string]string{"link": "http://x/invite/TOKEN", "inviter": "Aroha", "expires_at": "Mon"}},
			wantSubject: "You're invited to join Riverside on Peerpath",
			wantText:    []string{"Hello Sam", "Aroha has invited you", "http://x/invite/TOKEN"},
			wantHTML:    []string{`href="http://x/invite/TOKEN"`, "<strong>Riverside</strong>"},
		},
		{
			name: "InvitationByOperator",
			email: courses.Email{To: "a@example.org", Template: "invitation", OrgName: "Harbour",
				Data: map[string]string{"link": "http://x/invite/T"}},
			wantSubject: "You're invited to join Harbour on Peerpath",
			wantText:    []string{"Hello,", "You have been invited"},
		},
		{
			name: "PasswordResetEscapesNames",
			email: courses.Email{To: "a@example.org", ToName: "<b>Lee</b>", Template: "password_reset",
				Data: map[string]string{"link": "http://x/reset/T", "minutes": "60"}},
			wantSubject: "Reset your Peerpath password",
			wantText:    []string{"Hello <b>Lee</b>", "for 60 minutes", "http://x/reset/T"},
			wantHTML:    []string{"&lt;b&gt;Lee&lt;/b&gt;"},
			notHTML:     []string{"<b>Lee</b>"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := mail.Render(tt.email)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if m.Subject != tt.wantSubject {
				t.Errorf("subject: got %q, want %q", m.Subject, tt.wantSubject)
			}
			for _, w := range tt.wantText {
				if !strings.Contains(m.Text, w) {
					t.Errorf("text: got %q, want it to contain %q", m.Text, w)
				}
			}
			for _, w := range tt.wantHTML {
				if !strings.Contains(m.HTML, w) {
					t.Errorf("html: got %q, want it to contain %q", m.HTML, w)
				}
			}
			for _, w := range tt.notHTML {
				if strings.Contains(m.HTML, w) {
					t.Errorf("html: got %q, want no %q", m.HTML, w)
				}
			}
		})
	}
	t.Run("ErrUnknownTemplate", func(t *testing.T) {
		if _, err := mail.Render(courses.Email{Template: "nope"}); err == nil {
			t.Fatal("got nil error, want one for an unknown template")
		}
	})
}

func TestNewSMTP(t *testing.T) {
	for _, raw := range []string{"http://mail.example", "smtp://", "smtp://mail.example:notaport", "smtp://mail.example?tls=maybe", "smtp://mail.example?from=nobody"} {
		t.Run(raw, func(t *testing.T) {
			if _, err := mail.NewSMTP(raw); err == nil {
				t.Errorf("NewSMTP(%q): got nil error, want one", raw)
			}
		})
	}
	if _, err := mail.NewSMTP("smtps://user:pw@mail.example?from=a@b.example"); err != nil {
		t.Errorf("NewSMTP(smtps): got %v, want nil", err)
	}
}

func TestSMTPSend(t *testing.T) {
	srv := smtptest.New(t)
	s, err := mail.NewSMTP(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	m, err := mail.Render(courses.Email{To: "sam@example.org", ToName: "Sam", Template: "password_reset",
		Data: map[string]string{"link": "http://x/reset/T", "minutes": "60"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.Wait(t, 1, 5*time.Second)[0]
	if diff := cmp.Diff([]string{"sam@example.org"}, got.To); diff != "" {
		t.Errorf("recipients (-want +got):\n%s", diff)
	}
	if s := got.Header.Get("Subject"); s != "Reset your Peerpath password" {
		t.Errorf("subject: got %q", s)
	}
	if ct := got.Header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative") {
		t.Errorf("content type: got %q, want multipart/alternative (text and HTML)", ct)
	}
	for _, w := range []string{"text/plain", "text/html", "http://x/reset/T"} {
		if !strings.Contains(got.Body, w) {
			t.Errorf("body: want it to contain %q", w)
		}
	}

	t.Run("ErrRefused", func(t *testing.T) {
		srv.SetRefuse(true)
		defer srv.SetRefuse(false)
		if err := s.Send(context.Background(), m); err == nil {
			t.Fatal("got nil error from a refusing server, want one")
		}
	})
}

func TestMailbox(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	box, err := mail.NewMailbox(t.TempDir(), func() time.Time { now = now.Add(time.Second); return now })
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, to := range []string{"first@example.org", "second@example.org"} {
		if err := box.Send(ctx, mail.Message{ID: strings.Repeat(to[:1], 16), To: to, Subject: "Hi " + to}); err != nil {
			t.Fatal(err)
		}
	}
	list, err := box.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range list {
		got = append(got, m.To)
	}
	if diff := cmp.Diff([]string{"second@example.org", "first@example.org"}, got); diff != "" {
		t.Errorf("list, newest first (-want +got):\n%s", diff)
	}
	m, err := box.Get(ctx, "ffffffffffffffff")
	if err != nil || m.To != "first@example.org" {
		t.Errorf("Get: got %+v, %v; want first@example.org", m, err)
	}
	for _, id := range []string{"0123456789abcdef", "../../etc/passwd", ""} {
		if _, err := box.Get(ctx, id); courses.ErrorCode(err) != courses.NotFound {
			t.Errorf("Get(%q): got %v, want not_found", id, err)
		}
	}
}

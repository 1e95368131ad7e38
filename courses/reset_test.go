package courses_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
	"peerpath/migrations/testdb"
)

// MustResetToken asks for a reset for email and returns the token from the mail it queues.
func MustResetToken(tb testing.TB, store *courses.Store, email string) string {
	tb.Helper()
	before := len(MustOutbox(tb, store))
	if err := store.RequestPasswordReset(context.Background(), email); err != nil {
		tb.Fatalf("request reset for %s: %v", email, err)
	}
	rows := MustOutbox(tb, store)
	if len(rows) != before+1 {
		tb.Fatalf("outbox: got %d rows, want %d", len(rows), before+1)
	}
	link := MustEmail(tb, rows[len(rows)-1]).Data["link"]
	token, ok := strings.CutPrefix(link, "http://peerpath.test/reset/")
	if !ok || token == "" {
		tb.Fatalf("link: got %q, want http://peerpath.test/reset/<token>", link)
	}
	return token
}

func TestRequestPasswordReset(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, clock := MustStore(t)
	org := MustOrg(t, store, "riverside")
	MustPerson(t, store, org.ID, "Sam@Riverside.example", "trainee")
	gone := MustPerson(t, store, org.ID, "gone@riverside.example", "trainee")
	if _, err := testdb.Owner(store.DB()).Exec(`UPDATE people SET active = false WHERE id = $1`, gone); err != nil {
		t.Fatal(err)
	}
	outbox := func() int { return len(MustOutbox(t, store)) }

	t.Run("UnknownEmail", func(t *testing.T) {
		if err := store.RequestPasswordReset(ctx, "nobody@riverside.example"); err != nil {
			t.Fatalf("got %v, want nil", err)
		}
		if n := outbox(); n != 0 {
			t.Errorf("outbox: got %d rows, want 0", n)
		}
	})
	t.Run("Deactivated", func(t *testing.T) {
		if err := store.RequestPasswordReset(ctx, "gone@riverside.example"); err != nil {
			t.Fatalf("got %v, want nil", err)
		}
		if n := outbox(); n != 0 {
			t.Errorf("outbox: got %d rows, want 0", n)
		}
	})
	t.Run("ErrBadEmail", func(t *testing.T) {
		wantFields(t, store.RequestPasswordReset(ctx, "sam"), "email")
		wantFields(t, store.RequestPasswordReset(ctx, ""), "email")
	})
	t.Run("OK", func(t *testing.T) {
		if err := store.RequestPasswordReset(ctx, " sam@RIVERSIDE.example "); err != nil {
			t.Fatal(err)
		}
		rows := MustOutbox(t, store)
		if len(rows) != 1 {
			t.Fatalf("outbox: got %d rows, want 1", len(rows))
		}
		mail := MustEmail(t, rows[0])
		token, ok := strings.CutPrefix(mail.Data["link"], "http://peerpath.test/reset/")
		if !ok || len(token) != 43 {
			t.Fatalf("link: got %q, want http://peerpath.test/reset/<43-character token>", mail.Data["link"])
		}
		got := courses.Email{To: mail.To, ToName: mail.ToName, Template: mail.Template, OrgName: mail.OrgName, Data: mail.Data}
		want := courses.Email{To: "Sam@Riverside.example", ToName: "Person Sam@Riverside.example", Template: "password_reset",
			OrgName: org.Name, Data: map[string]string{"link": "http://peerpath.test/reset/" + token, "minutes": "60"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("email (-want +got):\n%s", diff)
		}
		if !strings.HasPrefix(mail.Key, "password-reset:") || strings.Contains(mail.Key, token) {
			t.Errorf("key: got %q, want password-reset:<hash prefix>, never the token", mail.Key)
		}
	})
	t.Run("AtMostThreeAnHour", func(t *testing.T) {
		// One was sent in OK.
		for i := 2; i <= 5; i++ {
			clock.Advance(time.Minute)
			if err := store.RequestPasswordReset(ctx, "sam@riverside.example"); err != nil {
				t.Fatalf("request %d: got %v, want nil", i, err)
			}
		}
		if n := outbox(); n != 3 {
			t.Errorf("outbox after 5 requests in an hour: got %d rows, want 3", n)
		}
		clock.Advance(time.Hour - 4*time.Minute) // the first is now an hour old
		if err := store.RequestPasswordReset(ctx, "sam@riverside.example"); err != nil {
			t.Fatal(err)
		}
		if n := outbox(); n != 4 {
			t.Errorf("outbox an hour after the first: got %d rows, want 4", n)
		}
	})
}

func TestCompletePasswordReset(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, clock := MustStore(t)
	org := MustOrg(t, store, "riverside")
	sam := MustPerson(t, store, org.ID, "sam@riverside.example", "trainee")
	lee := MustPerson(t, store, org.ID, "lee@riverside.example", "trainee")
	const newPassword = "a brand new passphrase"

	t.Run("ErrBadPassword", func(t *testing.T) {
		token := MustResetToken(t, store, "sam@riverside.example")
		for _, pw := range []string{"", "short", strings.Repeat("x", 257)} {
			wantFields(t, store.CompletePasswordReset(ctx, token, pw), "password")
		}
		if _, err := store.Authenticate(ctx, "sam@riverside.example", testPassword); err != nil {
			t.Errorf("old password after refused resets: got %v, want it still working", err)
		}
	})
	t.Run("OK", func(t *testing.T) {
		token := MustResetToken(t, store, "sam@riverside.example")
		samSessions := []string{MustSession(t, store, sam), MustSession(t, store, sam)}
		leeSession := MustSession(t, store, lee)
		if err := store.CompletePasswordReset(ctx, token, newPassword); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Authenticate(ctx, "sam@riverside.example", newPassword); err != nil {
			t.Errorf("new password: got %v, want it to work", err)
		}
		_, err := store.Authenticate(ctx, "sam@riverside.example", testPassword)
		wantCode(t, err, courses.Unauthorized)
		for i, s := range samSessions {
			if _, err := store.FindSession(ctx, s); courses.ErrorCode(err) != courses.Unauthorized {
				t.Errorf("session %d of the person: got %v, want it ended", i, err)
			}
		}
		if _, err := store.FindSession(ctx, leeSession); err != nil {
			t.Errorf("someone else's session: got %v, want it untouched", err)
		}

		t.Run("ErrReuse", func(t *testing.T) {
			err := store.CompletePasswordReset(ctx, token, "yet another passphrase")
			wantCode(t, err, courses.Gone)
			if _, err := store.Authenticate(ctx, "sam@riverside.example", newPassword); err != nil {
				t.Errorf("password after a refused reuse: got %v, want the new one still working", err)
			}
		})
	})
	t.Run("ErrExpired", func(t *testing.T) {
		token := MustResetToken(t, store, "lee@riverside.example")
		clock.Advance(61 * time.Minute)
		wantCode(t, store.CompletePasswordReset(ctx, token, newPassword), courses.Gone)
		if _, err := store.Authenticate(ctx, "lee@riverside.example", testPassword); err != nil {
			t.Errorf("old password after an expired reset: got %v, want it still working", err)
		}
	})
	t.Run("ErrExpiredAtExactlyAnHour", func(t *testing.T) {
		token := MustResetToken(t, store, "lee@riverside.example")
		clock.Advance(courses.PasswordResetTTL)
		wantCode(t, store.CompletePasswordReset(ctx, token, newPassword), courses.Gone)
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		wantCode(t, store.CompletePasswordReset(ctx, "no-such-token", newPassword), courses.NotFound)
	})
}

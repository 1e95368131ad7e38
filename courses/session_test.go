package courses_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
	"peerpath/migrations/testdb"
)

// MustSession starts a session for personID.
func MustSession(tb testing.TB, store *courses.Store, personID string) string {
	tb.Helper()
	token, err := store.CreateSession(context.Background(), personID)
	if err != nil {
		tb.Fatalf("create session: %v", err)
	}
	return token
}

// lastSeen returns a session's last_seen_at, and false when the row is gone.
func lastSeen(tb testing.TB, store *courses.Store, token string) (time.Time, bool) {
	tb.Helper()
	var at []time.Time
	if err := testdb.Owner(store.DB()).Select(&at, `SELECT last_seen_at FROM sessions WHERE token_hash = $1`, courses.HashToken(token)); err != nil {
		tb.Fatal(err)
	}
	if len(at) == 0 {
		return time.Time{}, false
	}
	return at[0], true
}

func TestSession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, clock := MustStore(t)
	org := MustOrg(t, store, "riverside")
	sam := MustPerson(t, store, org.ID, "sam@riverside.example", "trainee")

	t.Run("OK", func(t *testing.T) {
		token := MustSession(t, store, sam)
		if len(token) != 43 {
			t.Errorf("token: got %d characters, want 43 (256 bits, base64url)", len(token))
		}
		p, err := store.FindSession(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if p.Person.ID != sam || p.OrgID() != org.ID {
			t.Errorf("got person %s in org %s, want %s in %s", p.Person.ID, p.OrgID(), sam, org.ID)
		}
		if p.Person.PasswordHash == "" || p.Organisation.Slug != "riverside" {
			t.Errorf("got %+v, want the whole person and organisation", p)
		}
		var stored int
		if err := testdb.Owner(store.DB()).Get(&stored, `SELECT count(*) FROM sessions WHERE token_hash = $1`, []byte(token)); err != nil {
			t.Fatal(err)
		}
		if stored != 0 {
			t.Error("got the raw token stored, want only its hash")
		}
	})
	t.Run("ErrEmptyToken", func(t *testing.T) {
		_, err := store.FindSession(ctx, "")
		wantCode(t, err, courses.Unauthorized)
	})
	t.Run("ErrUnknownToken", func(t *testing.T) {
		token, _, err := courses.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		_, err = store.FindSession(ctx, token)
		wantCode(t, err, courses.Unauthorized)
	})
	t.Run("IdleExpiry", func(t *testing.T) {
		token := MustSession(t, store, sam)
		clock.Advance(29 * time.Minute)
		if _, err := store.FindSession(ctx, token); err != nil {
			t.Fatalf("after 29 idle minutes: got %v, want the session", err)
		}
		if got, _ := lastSeen(t, store, token); !got.Equal(clock.Now()) {
			t.Fatalf("last seen: got %v, want %v (touched)", got, clock.Now())
		}
		clock.Advance(29 * time.Minute)
		if _, err := store.FindSession(ctx, token); err != nil {
			t.Fatalf("58 minutes in, 29 idle: got %v, want the session", err)
		}
		clock.Advance(31 * time.Minute)
		_, err := store.FindSession(ctx, token)
		wantCode(t, err, courses.Unauthorized)
		if _, ok := lastSeen(t, store, token); ok {
			t.Error("got the idle session still stored, want it deleted")
		}
	})
	t.Run("IdleExpiryAtExactly30Minutes", func(t *testing.T) {
		token := MustSession(t, store, sam)
		clock.Advance(courses.SessionIdle - time.Second)
		if _, err := store.FindSession(ctx, token); err != nil {
			t.Fatalf("a second before the idle limit: got %v, want the session", err)
		}
		clock.Advance(courses.SessionIdle)
		_, err := store.FindSession(ctx, token)
		wantCode(t, err, courses.Unauthorized)
	})
	t.Run("NotTouchedWithinAMinute", func(t *testing.T) {
		token := MustSession(t, store, sam)
		created := clock.Now()
		clock.Advance(59 * time.Second)
		if _, err := store.FindSession(ctx, token); err != nil {
			t.Fatal(err)
		}
		if got, _ := lastSeen(t, store, token); !got.Equal(created) {
			t.Errorf("last seen: got %v, want %v (not rewritten within a minute)", got, created)
		}
	})
	t.Run("AbsoluteExpiry", func(t *testing.T) {
		token := MustSession(t, store, sam)
		end := clock.Now().Add(courses.SessionAbsolute)
		for clock.Advance(10 * time.Minute); clock.Now().Before(end); clock.Advance(10 * time.Minute) {
			if _, err := store.FindSession(ctx, token); err != nil {
				t.Fatalf("at %v, %v before the end: got %v, want the session", clock.Now(), end.Sub(clock.Now()), err)
			}
		}
		if !clock.Now().Equal(end) {
			t.Fatalf("clock: got %v, want %v", clock.Now(), end)
		}
		_, err := store.FindSession(ctx, token)
		wantCode(t, err, courses.Unauthorized)
		if _, ok := lastSeen(t, store, token); ok {
			t.Error("got the expired session still stored, want it deleted")
		}
	})
	t.Run("DeleteSession", func(t *testing.T) {
		token := MustSession(t, store, sam)
		other := MustSession(t, store, sam)
		if err := store.DeleteSession(ctx, token); err != nil {
			t.Fatal(err)
		}
		_, err := store.FindSession(ctx, token)
		wantCode(t, err, courses.Unauthorized)
		if _, err := store.FindSession(ctx, other); err != nil {
			t.Errorf("other session of the same person: got %v, want it untouched", err)
		}
		if err := store.DeleteSession(ctx, token); err != nil {
			t.Errorf("deleting it again: got %v, want nil", err)
		}
	})
	t.Run("DeleteExpiredSessions", func(t *testing.T) {
		if _, err := testdb.Owner(store.DB()).Exec(`DELETE FROM sessions`); err != nil {
			t.Fatal(err)
		}
		idle := MustSession(t, store, sam)
		clock.Advance(20 * time.Minute)
		live := MustSession(t, store, sam)
		clock.Advance(10 * time.Minute)
		n, err := store.DeleteExpiredSessions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("deleted: got %d, want 1", n)
		}
		if _, ok := lastSeen(t, store, idle); ok {
			t.Error("idle session: got it kept, want it deleted")
		}
		if _, ok := lastSeen(t, store, live); !ok {
			t.Error("live session: got it deleted, want it kept")
		}
	})
	t.Run("ErrDeactivated", func(t *testing.T) {
		lee := MustPerson(t, store, org.ID, "lee@riverside.example", "trainee")
		token := MustSession(t, store, lee)
		if _, err := store.FindSession(ctx, token); err != nil {
			t.Fatal(err)
		}
		if _, err := testdb.Owner(store.DB()).Exec(`UPDATE people SET active = false WHERE id = $1`, lee); err != nil {
			t.Fatal(err)
		}
		_, err := store.FindSession(ctx, token)
		wantCode(t, err, courses.Unauthorized)
	})
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, _ := MustStore(t)
	org := MustOrg(t, store, "riverside")
	sam := MustPerson(t, store, org.ID, "Sam.Okafor@Riverside.example", "trainee", "trainer")
	gone := MustPerson(t, store, org.ID, "gone@riverside.example", "trainee")
	if _, err := testdb.Owner(store.DB()).Exec(`UPDATE people SET active = false WHERE id = $1`, gone); err != nil {
		t.Fatal(err)
	}

	for _, email := range []string{"Sam.Okafor@Riverside.example", "sam.okafor@riverside.example", "SAM.OKAFOR@RIVERSIDE.EXAMPLE", "  sam.okafor@riverside.example "} {
		t.Run("OK/"+email, func(t *testing.T) {
			p, err := store.Authenticate(ctx, email, testPassword)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{p.Person.ID, p.OrgID(), p.Person.Email}
			want := []string{sam, org.ID, "Sam.Okafor@Riverside.example"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("principal (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"trainee", "trainer"}, []string(p.Person.Roles)); diff != "" {
				t.Errorf("roles (-want +got):\n%s", diff)
			}
		})
	}

	// Every failure looks the same, so the form cannot be used to learn who has an account.
	want := &courses.Error{Code: courses.Unauthorized, Message: "The email or password is not right."}
	failures := []struct {
		name, email, password string
	}{
		{"ErrWrongPassword", "sam.okafor@riverside.example", testPassword + "!"},
		{"ErrUnknownEmail", "nobody@riverside.example", testPassword},
		{"ErrDeactivated", "gone@riverside.example", testPassword},
		{"ErrEmptyPassword", "sam.okafor@riverside.example", ""},
	}
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			p, err := store.Authenticate(ctx, tt.email, tt.password)
			if p != nil {
				t.Errorf("got principal %+v, want none", p)
			}
			if diff := cmp.Diff(want, errorOf(t, err)); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

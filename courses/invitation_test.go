package courses_test

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
	"peerpath/migrations/testdb"
)

// MustInvite invites email to orgID as a trainee and returns the invitation and its token.
func MustInvite(tb testing.TB, store *courses.Store, orgID, email string) (*courses.Invitation, string) {
	tb.Helper()
	inv, token, err := store.CreateInvitation(context.Background(), orgID, "", courses.InvitationInput{Email: email, Roles: []string{"trainee"}})
	if err != nil {
		tb.Fatalf("invite %s: %v", email, err)
	}
	return inv, token
}

func TestCreateInvitation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, clock := MustStore(t)
	org := MustOrg(t, store, "riverside")
	other := MustOrg(t, store, "harbour")
	admin := MustPerson(t, store, org.ID, "admin@riverside.example", "org_admin")

	t.Run("OK", func(t *testing.T) {
		inv, token, err := store.CreateInvitation(ctx, org.ID, admin, courses.InvitationInput{
			Email: " new.person@example.org ", Name: " Dee Walker ", Roles: []string{"trainer", "trainee", "trainer"}})
		if err != nil {
			t.Fatal(err)
		}
		got := courses.Invitation{Email: inv.Email, Name: inv.Name, Roles: inv.Roles, OrgID: inv.OrgID, OrgName: inv.OrgName,
			CreatedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt, InvitedBy: inv.InvitedBy}
		want := courses.Invitation{Email: "new.person@example.org", Name: "Dee Walker", Roles: []string{"trainee", "trainer"},
			OrgID: org.ID, OrgName: org.Name, CreatedAt: clock.Now(), ExpiresAt: clock.Now().Add(7 * 24 * time.Hour)}
		want.InvitedBy.String, want.InvitedBy.Valid = admin, true
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("invitation (-want +got):\n%s", diff)
		}
		if inv.ID == "" || len(token) != 43 {
			t.Errorf("got id %q and a token of %d characters, want an id and a 43-character token", inv.ID, len(token))
		}

		rows := MustOutbox(t, store)
		if len(rows) != 1 {
			t.Fatalf("outbox: got %d rows, want 1", len(rows))
		}
		mail := MustEmail(t, rows[0])
		wantMail := courses.Email{Key: "invitation:" + inv.ID, To: "new.person@example.org", ToName: "Dee Walker",
			Template: "invitation", OrgName: org.Name, Data: map[string]string{
				"link":       "http://peerpath.test/invite/" + token,
				"inviter":    "Person admin@riverside.example",
				"expires_at": inv.ExpiresAt.Format(time.RFC1123),
			}}
		if diff := cmp.Diff(wantMail, mail); diff != "" {
			t.Errorf("email (-want +got):\n%s", diff)
		}
		if rows[0].OrgID == nil || *rows[0].OrgID != org.ID {
			t.Errorf("outbox org: got %v, want %s", rows[0].OrgID, org.ID)
		}
	})
	t.Run("OKByOperator", func(t *testing.T) {
		inv, token, err := store.CreateInvitation(ctx, other.ID, "", courses.InvitationInput{Email: "first.admin@harbour.example", Roles: []string{"org_admin"}})
		if err != nil {
			t.Fatal(err)
		}
		if inv.InvitedBy.Valid {
			t.Errorf("invited by: got %v, want none", inv.InvitedBy)
		}
		rows := MustOutbox(t, store)
		mail := MustEmail(t, rows[len(rows)-1])
		if mail.To != "first.admin@harbour.example" || mail.Data["inviter"] != "" || !strings.HasSuffix(mail.Data["link"], "/invite/"+token) {
			t.Errorf("email: got %+v, want one to first.admin@harbour.example with the link and no inviter", mail)
		}
	})

	invalid := []struct {
		name  string
		in    courses.InvitationInput
		field []string
	}{
		{"ErrEmptyEmail", courses.InvitationInput{Email: "  ", Roles: []string{"trainee"}}, []string{"email"}},
		{"ErrBadEmail", courses.InvitationInput{Email: "not-an-email", Roles: []string{"trainee"}}, []string{"email"}},
		{"ErrEmailWithName", courses.InvitationInput{Email: "Dee <dee@example.org>", Roles: []string{"trainee"}}, []string{"email"}},
		{"ErrEmailWithoutDomainDot", courses.InvitationInput{Email: "dee@localhost", Roles: []string{"trainee"}}, []string{"email"}},
		{"ErrLongEmail", courses.InvitationInput{Email: strings.Repeat("a", 243) + "@example.org", Roles: []string{"trainee"}}, []string{"email"}},
		{"ErrUnknownRole", courses.InvitationInput{Email: "dee@example.org", Roles: []string{"trainee", "superuser"}}, []string{"roles"}},
		{"ErrEmptyRoles", courses.InvitationInput{Email: "dee@example.org", Roles: []string{}}, []string{"roles"}},
		{"ErrNilRoles", courses.InvitationInput{Email: "dee@example.org"}, []string{"roles"}},
		{"ErrLongName", courses.InvitationInput{Email: "dee@example.org", Name: strings.Repeat("n", 201), Roles: []string{"trainee"}}, []string{"name"}},
		{"ErrEverything", courses.InvitationInput{Email: "x", Name: strings.Repeat("ü", 201), Roles: []string{"boss"}}, []string{"email", "name", "roles"}},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			before := len(MustOutbox(t, store))
			_, _, err := store.CreateInvitation(ctx, org.ID, admin, tt.in)
			wantFields(t, err, tt.field...)
			if after := len(MustOutbox(t, store)); after != before {
				t.Errorf("outbox: got %d rows, want %d", after, before)
			}
		})
	}
	t.Run("LongestNameAndEmail", func(t *testing.T) {
		email := strings.Repeat("a", 242) + "@example.org" // 254
		if _, _, err := store.CreateInvitation(ctx, org.ID, admin, courses.InvitationInput{
			Email: email, Name: strings.Repeat("ü", 200), Roles: []string{"trainee"}}); err != nil {
			t.Errorf("254-character email and 200-character name: got %v, want nil", err)
		}
	})

	conflicts := []struct {
		name, email, message string
	}{
		{"ErrPendingInvitation", "NEW.person@example.org", "This email already has an invitation waiting."},
		{"ErrPendingInvitationElsewhere", "first.admin@harbour.example", "This email already has an invitation waiting."},
		{"ErrHasAccount", "Admin@Riverside.example", "Someone with this email already has an account."},
	}
	for _, tt := range conflicts {
		t.Run(tt.name, func(t *testing.T) {
			before := len(MustOutbox(t, store))
			_, _, err := store.CreateInvitation(ctx, org.ID, admin, courses.InvitationInput{Email: tt.email, Roles: []string{"trainee"}})
			want := &courses.Error{Code: courses.Conflict, Message: tt.message, Fields: map[string]string{"email": tt.message}}
			if diff := cmp.Diff(want, errorOf(t, err)); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if after := len(MustOutbox(t, store)); after != before {
				t.Errorf("outbox: got %d rows, want %d (nothing written)", after, before)
			}
		})
	}
	t.Run("ReinviteAfterExpiry", func(t *testing.T) {
		_, old := MustInvite(t, store, org.ID, "late@example.org")
		clock.Advance(courses.InvitationTTL)
		_, token, err := store.CreateInvitation(ctx, org.ID, admin, courses.InvitationInput{Email: "late@example.org", Roles: []string{"trainee"}})
		if err != nil {
			t.Fatalf("invite again after the first expired: got %v, want nil", err)
		}
		if token == old {
			t.Error("got the old token again, want a new one")
		}
	})
}

func TestFindInvitationByToken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, clock := MustStore(t)
	org := MustOrg(t, store, "riverside")

	t.Run("OK", func(t *testing.T) {
		want, token := MustInvite(t, store, org.ID, "ok@example.org")
		got, err := store.FindInvitationByToken(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("invitation (-want +got):\n%s", diff)
		}
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		_, err := store.FindInvitationByToken(ctx, "no-such-token")
		wantCode(t, err, courses.NotFound)
	})
	t.Run("ErrExpired", func(t *testing.T) {
		_, token := MustInvite(t, store, org.ID, "expired@example.org")
		clock.Advance(courses.InvitationTTL - time.Second)
		if _, err := store.FindInvitationByToken(ctx, token); err != nil {
			t.Fatalf("a second before expiry: got %v, want the invitation", err)
		}
		clock.Advance(time.Second)
		_, err := store.FindInvitationByToken(ctx, token)
		wantCode(t, err, courses.Gone)
	})
	t.Run("ErrAccepted", func(t *testing.T) {
		_, token := MustInvite(t, store, org.ID, "accepted@example.org")
		if _, err := store.AcceptInvitation(ctx, token, "Accepted Person", testPassword); err != nil {
			t.Fatal(err)
		}
		_, err := store.FindInvitationByToken(ctx, token)
		wantCode(t, err, courses.Gone)
	})
	t.Run("ErrRevoked", func(t *testing.T) {
		inv, token := MustInvite(t, store, org.ID, "revoked@example.org")
		if _, err := testdb.Owner(store.DB()).Exec(`UPDATE invitations SET revoked_at = $2 WHERE id = $1`, inv.ID, clock.Now()); err != nil {
			t.Fatal(err)
		}
		_, err := store.FindInvitationByToken(ctx, token)
		wantCode(t, err, courses.Gone)
	})
}

func TestAcceptInvitation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, clock := MustStore(t)
	org := MustOrg(t, store, "riverside")
	people := func() int { return MustCount(t, store, `SELECT count(*) FROM people`) }

	t.Run("ErrInvalid", func(t *testing.T) {
		_, token := MustInvite(t, store, org.ID, "invalid@example.org")
		tests := []struct {
			name, person, password string
			fields                 []string
		}{
			{"ErrShortPassword", "Dee Walker", strings.Repeat("x", 11), []string{"password"}},
			{"ErrLongPassword", "Dee Walker", strings.Repeat("x", 257), []string{"password"}},
			{"ErrEmptyName", "   ", testPassword, []string{"name"}},
			{"ErrLongName", strings.Repeat("n", 201), testPassword, []string{"name"}},
			{"ErrBoth", "", "short", []string{"name", "password"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := people()
				p, err := store.AcceptInvitation(ctx, token, tt.person, tt.password)
				wantFields(t, err, tt.fields...)
				if p != nil {
					t.Errorf("got principal %+v, want none", p)
				}
				if after := people(); after != before {
					t.Errorf("people: got %d, want %d", after, before)
				}
				if _, err := store.FindInvitationByToken(ctx, token); err != nil {
					t.Errorf("invitation after a refused accept: got %v, want it still open", err)
				}
			})
		}
	})
	t.Run("OK", func(t *testing.T) {
		inv, token, err := store.CreateInvitation(ctx, org.ID, "", courses.InvitationInput{
			Email: "Dee.Walker@Example.org", Roles: []string{"trainer", "org_admin"}})
		if err != nil {
			t.Fatal(err)
		}
		before := people()
		p, err := store.AcceptInvitation(ctx, token, "  Dee Walker ", testPassword)
		if err != nil {
			t.Fatal(err)
		}
		if after := people(); after != before+1 {
			t.Errorf("people: got %d, want %d", after, before+1)
		}
		got := []string{p.Person.Email, p.Person.Name, p.OrgID(), p.Organisation.Slug}
		if diff := cmp.Diff([]string{"Dee.Walker@Example.org", "Dee Walker", org.ID, "riverside"}, got); diff != "" {
			t.Errorf("person (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"trainer", "org_admin"}, []string(p.Person.Roles)); diff != "" {
			t.Errorf("roles (-want +got):\n%s", diff)
		}
		if !p.Person.Active || p.Person.Operator {
			t.Errorf("got active %v operator %v, want an active non-operator", p.Person.Active, p.Person.Operator)
		}
		signedIn, err := store.Authenticate(ctx, "dee.walker@example.org", testPassword)
		if err != nil {
			t.Fatalf("sign in with the chosen password: %v", err)
		}
		if signedIn.Person.ID != p.Person.ID {
			t.Errorf("signed in as %s, want %s", signedIn.Person.ID, p.Person.ID)
		}
		var personID string
		if err := testdb.Owner(store.DB()).Get(&personID, `SELECT person_id FROM invitations WHERE id = $1 AND accepted_at = $2`, inv.ID, clock.Now()); err != nil {
			t.Fatalf("invitation marked accepted: %v", err)
		}
		if personID != p.Person.ID {
			t.Errorf("invitation person: got %s, want %s", personID, p.Person.ID)
		}

		t.Run("ErrSecondAccept", func(t *testing.T) {
			_, err := store.AcceptInvitation(ctx, token, "Someone Else", testPassword)
			wantCode(t, err, courses.Gone)
			if after := people(); after != before+1 {
				t.Errorf("people: got %d, want %d", after, before+1)
			}
		})
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		_, err := store.AcceptInvitation(ctx, "no-such-token", "Dee Walker", testPassword)
		wantCode(t, err, courses.NotFound)
	})
	t.Run("ErrExpired", func(t *testing.T) {
		_, token := MustInvite(t, store, org.ID, "expired@example.org")
		clock.Advance(courses.InvitationTTL)
		before := people()
		_, err := store.AcceptInvitation(ctx, token, "Late Person", testPassword)
		wantCode(t, err, courses.Gone)
		if after := people(); after != before {
			t.Errorf("people: got %d, want %d", after, before)
		}
	})
	t.Run("ErrEmailTakenMeanwhile", func(t *testing.T) {
		_, token := MustInvite(t, store, org.ID, "taken@example.org")
		MustPerson(t, store, org.ID, "TAKEN@example.org", "trainee")
		_, err := store.AcceptInvitation(ctx, token, "Second Taken", testPassword)
		wantCode(t, err, courses.Conflict)
		if n := MustCount(t, store, `SELECT count(*) FROM people WHERE lower(email) = 'taken@example.org'`); n != 1 {
			t.Errorf("people with the email: got %d, want 1", n)
		}
		if n := MustCount(t, store, `SELECT count(*) FROM invitations WHERE email = 'taken@example.org' AND accepted_at IS NULL`); n != 1 {
			t.Errorf("open invitations: got %d, want 1 (not used up)", n)
		}
	})
}

func TestFindInvitations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, clock := MustStore(t)
	org := MustOrg(t, store, "riverside")
	other := MustOrg(t, store, "harbour")

	// Two pairs share a creation time, so the id breaks ties across page boundaries.
	var mine []courses.Invitation
	for i, step := range []time.Duration{0, 0, time.Minute, 0, time.Minute} {
		clock.Advance(step)
		inv, _ := MustInvite(t, store, org.ID, "person"+string(rune('a'+i))+"@riverside.example")
		mine = append(mine, *inv)
	}
	var theirs []courses.Invitation
	for _, email := range []string{"x@harbour.example", "y@harbour.example"} {
		inv, _ := MustInvite(t, store, other.ID, email)
		theirs = append(theirs, *inv)
	}
	newestFirst := func(invs []courses.Invitation) []string {
		s := slices.Clone(invs)
		slices.SortFunc(s, func(a, b courses.Invitation) int {
			if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
				return c
			}
			return strings.Compare(b.ID, a.ID)
		})
		var ids []string
		for _, inv := range s {
			ids = append(ids, inv.ID)
		}
		return ids
	}
	ids := func(invs []courses.Invitation) []string {
		var out []string
		for _, inv := range invs {
			out = append(out, inv.ID)
		}
		return out
	}

	t.Run("AllPages", func(t *testing.T) {
		var got []string
		var sizes []int
		cursor := ""
		for range 10 {
			page, next, err := store.FindInvitations(ctx, org.ID, courses.Page{Limit: 2, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, inv := range page {
				if inv.OrgID != org.ID {
					t.Errorf("got invitation %s of org %s, want only %s", inv.ID, inv.OrgID, org.ID)
				}
			}
			got = append(got, ids(page)...)
			sizes = append(sizes, len(page))
			if next == "" {
				break
			}
			cursor = next
		}
		if diff := cmp.Diff([]int{2, 2, 1}, sizes); diff != "" {
			t.Errorf("page sizes (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(newestFirst(mine), got); diff != "" {
			t.Errorf("ids, newest first (-want +got):\n%s", diff)
		}
	})
	t.Run("OneFullPage", func(t *testing.T) {
		page, next, err := store.FindInvitations(ctx, org.ID, courses.Page{Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) != 5 || next != "" {
			t.Errorf("got %d items and cursor %q, want 5 and no cursor", len(page), next)
		}
	})
	t.Run("DefaultLimit", func(t *testing.T) {
		page, _, err := store.FindInvitations(ctx, org.ID, courses.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) != 5 {
			t.Errorf("got %d items, want 5", len(page))
		}
	})
	t.Run("OtherOrganisation", func(t *testing.T) {
		page, next, err := store.FindInvitations(ctx, other.ID, courses.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(newestFirst(theirs), ids(page)); diff != "" || next != "" {
			t.Errorf("ids (-want +got):\n%s\nnext: %q", diff, next)
		}
	})
	t.Run("NoOrganisation", func(t *testing.T) {
		unknown := MustOrg(t, store, "empty")
		page, next, err := store.FindInvitations(ctx, unknown.ID, courses.Page{})
		if err != nil || len(page) != 0 || next != "" {
			t.Errorf("got %d items, %q, %v; want none", len(page), next, err)
		}
	})
	t.Run("OnlyPending", func(t *testing.T) {
		if _, err := testdb.Owner(store.DB()).Exec(`UPDATE invitations SET revoked_at = $2 WHERE id = $1`, mine[0].ID, clock.Now()); err != nil {
			t.Fatal(err)
		}
		page, _, err := store.FindInvitations(ctx, org.ID, courses.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(newestFirst(mine[1:]), ids(page)); diff != "" {
			t.Errorf("ids without the revoked one (-want +got):\n%s", diff)
		}
		clock.Advance(courses.InvitationTTL)
		page, _, err = store.FindInvitations(ctx, org.ID, courses.Page{})
		if err != nil || len(page) != 0 {
			t.Errorf("after expiry: got %d items, %v; want none", len(page), err)
		}
	})

	badCursors := []struct{ name, cursor string }{
		{"ErrCursorNotBase64", "!!!"},
		{"ErrCursorNoSeparator", base64.RawURLEncoding.EncodeToString([]byte("2026-03-02T09:00:00Z"))},
		{"ErrCursorBadTime", base64.RawURLEncoding.EncodeToString([]byte("yesterday|" + mine[0].ID))},
		{"ErrCursorNoID", base64.RawURLEncoding.EncodeToString([]byte("2026-03-02T09:00:00Z|"))},
	}
	for _, tt := range badCursors {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := store.FindInvitations(ctx, org.ID, courses.Page{Limit: 2, Cursor: tt.cursor})
			wantFields(t, err, "cursor")
		})
	}
	t.Run("ErrCursorBadID", func(t *testing.T) {
		cursor := base64.RawURLEncoding.EncodeToString([]byte("2026-03-02T09:00:00Z|not-a-uuid"))
		_, _, err := store.FindInvitations(ctx, org.ID, courses.Page{Limit: 2, Cursor: cursor})
		wantCode(t, err, courses.Invalid)
	})
}

package courses_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"peerpath/courses"
)

func TestAPITokens(t *testing.T) {
	t.Parallel()
	l := MustOrgLab(t)
	ctx := context.Background()
	t.Run("BadInput", func(t *testing.T) {
		_, _, err := l.store.CreateAPIToken(ctx, l.admin, "  ", "admin")
		wantFields(t, err, "name", "scope")
		_, _, err = l.store.CreateAPIToken(ctx, l.admin, strings.Repeat("x", 101), "read")
		wantFields(t, err, "name")
	})
	t.Run("NotAdmin", func(t *testing.T) {
		for _, p := range []*courses.Principal{l.manager, l.sam} {
			_, _, err := l.store.CreateAPIToken(ctx, p, "HR", "read")
			wantCode(t, err, courses.Forbidden)
			_, err = l.store.FindAPITokens(ctx, p)
			wantCode(t, err, courses.Forbidden)
		}
	})
	tok, secret, err := l.store.CreateAPIToken(ctx, l.admin, "HR system", courses.ScopeRead)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "pp_") || len(secret) != 3+43 || !strings.HasPrefix(tok.Hint, secret[:7]) {
		t.Errorf("secret %q, hint %q: want pp_ and 43 characters of 256 bits, hinted by its start", secret, tok.Hint)
	}
	if n := MustCount(t, l.store, `SELECT count(*) FROM api_tokens WHERE token_hash = $1`, courses.HashToken(secret)); n != 1 {
		t.Errorf("stored by hash: got %d rows, want 1", n)
	}
	if n := MustCount(t, l.store, `SELECT count(*) FROM api_tokens WHERE position($1 in encode(token_hash, 'escape')) > 0`, secret); n != 0 {
		t.Errorf("secret stored in the clear")
	}
	p, err := l.store.FindAPIToken(ctx, secret)
	if err != nil {
		t.Fatal(err)
	}
	if p.OrgID() != l.org.ID || p.APIToken == nil || p.APIToken.Scope != "read" || !p.Person.HasRole(courses.RoleOrgAdmin) {
		t.Errorf("principal: got %+v, want Riverside as an org admin with the read token", p)
	}
	// Used again within the minute: last_used_at is not written again.
	first := l.clock.Now()
	l.clock.Advance(30 * time.Second)
	if _, err := l.store.FindAPIToken(ctx, secret); err != nil {
		t.Fatal(err)
	}
	ts, err := l.store.FindAPITokens(ctx, l.admin)
	if err != nil || len(ts) != 1 || ts[0].LastUsedAt == nil || !ts[0].LastUsedAt.Equal(first) {
		t.Errorf("list: got %+v, %v; want one token last used at %v", ts, err, first)
	}
	l.clock.Advance(31 * time.Second)
	if _, err := l.store.FindAPIToken(ctx, secret); err != nil {
		t.Fatal(err)
	}
	ts, _ = l.store.FindAPITokens(ctx, l.admin)
	if !ts[0].LastUsedAt.Equal(l.clock.Now()) {
		t.Errorf("last used: got %v, want %v", ts[0].LastUsedAt, l.clock.Now())
	}
	for _, bad := range []string{"", "pp_nope", secret + "x", "Bearer " + secret} {
		_, err := l.store.FindAPIToken(ctx, bad)
		wantCode(t, err, courses.Unauthorized)
	}
	_, err = l.store.RevokeAPIToken(ctx, l.otherAdmin, tok.ID)
	wantCode(t, err, courses.NotFound)
	_, err = l.store.RevokeAPIToken(ctx, l.admin, "not-an-id")
	wantCode(t, err, courses.NotFound)
	if _, err := l.store.RevokeAPIToken(ctx, l.admin, tok.ID); err != nil {
		t.Fatal(err)
	}
	_, err = l.store.RevokeAPIToken(ctx, l.admin, tok.ID)
	wantCode(t, err, courses.Conflict)
	_, err = l.store.FindAPIToken(ctx, secret)
	wantCode(t, err, courses.Unauthorized)
	if n := MustCount(t, l.store, `SELECT count(*) FROM audit_log WHERE subject_id = $1 AND action IN ('api_token.create', 'api_token.revoke')`, tok.ID); n != 2 {
		t.Errorf("audit entries: got %d, want create and revoke", n)
	}
}

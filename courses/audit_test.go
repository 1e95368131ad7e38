package courses_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
	"peerpath/migrations/testdb"
)

func TestAuditLog(t *testing.T) {
	t.Parallel()
	l := MustOrgLab(t)
	ctx := context.Background()
	if _, err := l.store.UpdatePersonRoles(ctx, l.admin, l.sam.Person.ID, []string{"trainee", "trainer"}); err != nil {
		t.Fatal(err)
	}
	MustTeam(t, l.store, l.otherAdmin, "Harbour team")

	t.Run("NewestFirstInPages", func(t *testing.T) {
		var got []string
		page := courses.Page{Limit: 3}
		for {
			items, next, err := l.store.FindAuditLog(ctx, l.admin, courses.AuditFilter{}, page)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range items {
				got = append(got, e.Action)
				if e.ActorKind != courses.ActorPerson || e.ActorName != "Person admin@riverside.example" {
					t.Errorf("entry %d: got actor %s %q, want the admin", e.ID, e.ActorKind, e.ActorName)
				}
			}
			if next == "" {
				break
			}
			page.Cursor = next
		}
		want := []string{"person.roles_change", "team.member_add", "team.member_add", "team.member_add", "team.member_add",
			"team.create", "team.create"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("actions (-want +got):\n%s", diff)
		}
	})
	t.Run("Filter", func(t *testing.T) {
		for _, tc := range []struct {
			action string
			want   int
		}{{"team", 6}, {"team.create", 2}, {"person.roles_change", 1}, {"export.create", 0}} {
			items, _, err := l.store.FindAuditLog(ctx, l.admin, courses.AuditFilter{Action: tc.action}, courses.Page{})
			if err != nil || len(items) != tc.want {
				t.Errorf("%s: got %d entries, %v; want %d", tc.action, len(items), err, tc.want)
			}
		}
		_, _, err := l.store.FindAuditLog(ctx, l.admin, courses.AuditFilter{Action: "DROP TABLE"}, courses.Page{})
		wantFields(t, err, "action")
		_, _, err = l.store.FindAuditLog(ctx, l.admin, courses.AuditFilter{}, courses.Page{Cursor: "bm9wZQ"})
		wantFields(t, err, "cursor")
	})
	t.Run("OtherOrgAndManager", func(t *testing.T) {
		items, _, err := l.store.FindAuditLog(ctx, l.otherAdmin, courses.AuditFilter{}, courses.Page{})
		if err != nil || len(items) != 1 || items[0].Action != "team.create" {
			t.Errorf("other organisation: got %+v, %v; want only its own team.create", items, err)
		}
		_, _, err = l.store.FindAuditLog(ctx, l.manager, courses.AuditFilter{}, courses.Page{})
		wantCode(t, err, courses.Forbidden)
	})
	t.Run("AppendOnly", func(t *testing.T) {
		for _, q := range []string{`UPDATE audit_log SET action = 'x.y'`, `DELETE FROM audit_log`, `TRUNCATE audit_log`} {
			if _, err := testdb.Owner(l.store.DB()).Exec(q); err == nil {
				t.Errorf("%s: got no error, want the trigger to refuse", q)
			}
		}
	})
}

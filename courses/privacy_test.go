package courses_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"peerpath/courses"
)

func TestPrivacy(t *testing.T) {
	t.Parallel()
	l := mustMatrixLab(t)
	ctx := context.Background()
	d, err := l.store.ExportMyData(ctx, l.priya)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(d)
	for _, want := range []string{"my private thoughts", "priya@riverside.example", `"status":"due_soon"`, `"modules"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("export %s: want it to hold %s", b, want)
		}
	}
	t.Run("WrongPassword", func(t *testing.T) {
		wantFields(t, l.store.RequestDeletion(ctx, l.priya, "wrong"), "password")
		wantFields(t, l.store.RequestDeletion(ctx, l.priya, ""), "password")
	})
	t.Run("OnlyAdmin", func(t *testing.T) {
		wantCode(t, l.store.RequestDeletion(ctx, l.admin, testPassword), courses.Conflict)
	})
	MustSession(t, l.store, l.sam.Person.ID)
	if err := l.store.RequestDeletion(ctx, l.sam, testPassword); err != nil {
		t.Fatal(err)
	}
	if err := l.store.RequestDeletion(ctx, l.priya, testPassword); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]int{
		`SELECT count(*) FROM reflections WHERE person_id = '` + l.priya.Person.ID + `'`:                                      0,
		`SELECT count(*) FROM sessions WHERE person_id = '` + l.sam.Person.ID + `'`:                                           0,
		`SELECT count(*) FROM people WHERE name = 'Deleted person' AND NOT active AND email LIKE 'deleted-%@deleted.invalid'`: 2,
		`SELECT count(*) FROM completions WHERE person_id = '` + l.sam.Person.ID + `'`:                                        1,
		`SELECT count(*) FROM certificates WHERE person_name <> 'Deleted person'`:                                             0,
		`SELECT count(*) FROM audit_log WHERE action = 'person.deidentify'`:                                                   2,
	} {
		if got := MustCount(t, l.store, q); got != want {
			t.Errorf("%s: got %d, want %d", q, got, want)
		}
	}
	_, err = l.store.Authenticate(ctx, "sam@riverside.example", testPassword)
	wantCode(t, err, courses.Unauthorized)
}

package courses_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
)

// rowSummary is what a test checks of an import row: its email and the fields with problems.
type rowSummary struct {
	Line     int
	Email    string
	Roles    []string
	Problems []string
}

func summarise(rows []courses.ImportRow) []rowSummary {
	out := []rowSummary{}
	for _, r := range rows {
		s := rowSummary{Line: r.Line, Email: r.Email, Roles: r.Roles, Problems: []string{}}
		for _, k := range []string{"row", "name", "email", "team", "roles"} {
			if _, ok := r.Problems[k]; ok {
				s.Problems = append(s.Problems, k)
			}
		}
		out = append(out, s)
	}
	return out
}

func TestParsePeopleCSV(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   string
		want []rowSummary
	}{
		{"OK", "name,email,team,roles\nSam,sam@example.org,North,trainee\nPriya,priya@example.org,,Trainer; manager\n", []rowSummary{
			{2, "sam@example.org", []string{"trainee"}, []string{}},
			{3, "priya@example.org", []string{"trainer", "manager"}, []string{}},
		}},
		{"BOMAnyOrderDefaultRole", "\xef\xbb\xbfEmail , NAME\r\ndee@example.org,Dee\r\n", []rowSummary{
			{2, "dee@example.org", []string{"trainee"}, []string{}},
		}},
		{"RowProblems", "name,email,roles\n,sam@example.org,\nPriya,not-an-email,boss\nSam,SAM@example.org,org admin\nLee,lee@example.org,trainee,extra\n", []rowSummary{
			{2, "sam@example.org", []string{"trainee"}, []string{"name"}},
			{3, "not-an-email", []string{"trainee"}, []string{"email", "roles"}},
			{4, "SAM@example.org", []string{"org_admin"}, []string{"email"}},
			{5, "lee@example.org", []string{"trainee"}, []string{"row"}},
		}},
		{"QuotedNewline", "name,email\n\"Dee\nWalker\",dee@example.org\nLee,lee@example.org\n", []rowSummary{
			{2, "dee@example.org", []string{"trainee"}, []string{}},
			{4, "lee@example.org", []string{"trainee"}, []string{}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := courses.ParsePeopleCSV([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, summarise(rows)); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
	many := "name,email\n" + strings.Repeat("A,a@example.org\n", courses.MaxImportRows+1)
	for _, tc := range []struct{ name, in string }{
		{"ErrEmpty", ""},
		{"ErrHeaderOnly", "name,email\n"},
		{"ErrNoEmailColumn", "name,team\nSam,North\n"},
		{"ErrUnknownColumn", "name,email,phone\n"},
		{"ErrDuplicateColumn", "name,email,Email\n"},
		{"ErrNotUTF8", "name,email\n\xff,a@example.org\n"},
		{"ErrBadQuote", "name,email\n\"Sam,sam@example.org\n"},
		{"ErrTooManyRows", many},
		{"ErrTooLarge", "name,email\n" + strings.Repeat("x", courses.MaxImportBytes)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := courses.ParsePeopleCSV([]byte(tc.in))
			wantFields(t, err, "file")
		})
	}
}

// FuzzParsePeopleCSV checks that no file makes the parser panic, and that what it accepts is
// sane: rows in order, each with roles, messages for every problem, valid UTF-8 throughout, and
// no row without problems that would invite a bad or repeated address.
func FuzzParsePeopleCSV(f *testing.F) {
	f.Add([]byte("name,email,team,roles\nSam,sam@example.org,North,trainee\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, err := courses.ParsePeopleCSV(b)
		if err != nil {
			// A problem with the file as a whole is shown beside the file input.
			wantFields(t, err, "file")
			return
		}
		if len(rows) == 0 || len(rows) > courses.MaxImportRows {
			t.Fatalf("got %d rows, want 1 to %d", len(rows), courses.MaxImportRows)
		}
		last := 1
		emails := map[string]int{}
		for _, r := range rows {
			if r.Line <= last {
				t.Fatalf("line %d after %d", r.Line, last)
			}
			last = r.Line
			if len(r.Roles) == 0 || hasRepeats(r.Roles) {
				t.Fatalf("line %d: got roles %q, want at least one, each once", r.Line, r.Roles)
			}
			for k, m := range r.Problems {
				if m == "" || !utf8.ValidString(m) {
					t.Fatalf("line %d: problem %s has message %q", r.Line, k, m)
				}
			}
			for _, s := range []string{r.Name, r.Email, r.Team} {
				if s != strings.TrimSpace(s) || !utf8.ValidString(s) {
					t.Fatalf("line %d: got value %q, want trimmed UTF-8", r.Line, s)
				}
			}
			if len(r.Problems) != 0 {
				continue
			}
			if courses.CheckName(r.Name) != "" || courses.CheckRoles(r.Roles) != "" {
				t.Fatalf("line %d: %+v passed without a problem", r.Line, r)
			}
			if email, m := courses.NormaliseEmail(r.Email); m != "" || email != r.Email {
				t.Fatalf("line %d: email %q passed, but normalises to %q (%s)", r.Line, r.Email, email, m)
			}
			if first, ok := emails[strings.ToLower(r.Email)]; ok {
				t.Fatalf("line %d: email %q passed, but line %d has it too", r.Line, r.Email, first)
			}
			emails[strings.ToLower(r.Email)] = r.Line
		}
	})
}

func hasRepeats(ss []string) bool {
	seen := map[string]bool{}
	for _, s := range ss {
		if seen[s] {
			return true
		}
		seen[s] = true
	}
	return false
}

func TestImportPeople(t *testing.T) {
	t.Parallel()
	l := MustOrgLab(t)
	ctx := context.Background()
	MustInvite(t, l.store, l.org.ID, "waiting@example.org")
	file := "name,email,team,roles\n" +
		"Dee Walker,dee@example.org,North team,trainee\n" +
		"Lee Nguyen,lee@example.org,south TEAM,trainee;trainer\n" +
		"Sam Again,sam@riverside.example,,\n" +
		"Waiting,waiting@example.org,,\n" +
		"Casey,casey@example.org,East team,\n" +
		"Noah,admin@harbour.example,,\n"
	outboxBefore := len(MustOutbox(t, l.store))

	t.Run("Preview", func(t *testing.T) {
		res, err := l.store.ImportPeople(ctx, l.admin, []byte(file), true)
		if err != nil {
			t.Fatal(err)
		}
		want := []rowSummary{
			{2, "dee@example.org", []string{"trainee"}, []string{}},
			{3, "lee@example.org", []string{"trainee", "trainer"}, []string{}},
			{4, "sam@riverside.example", []string{"trainee"}, []string{"email"}},
			{5, "waiting@example.org", []string{"trainee"}, []string{"email"}},
			{6, "casey@example.org", []string{"trainee"}, []string{"team"}},
			{7, "admin@harbour.example", []string{"trainee"}, []string{"email"}},
		}
		if diff := cmp.Diff(want, summarise(res.Rows)); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
		if res.ProblemRows != 4 || res.Invited != 0 || !res.DryRun {
			t.Errorf("got %d problem rows, %d invited, dry run %v; want 4, 0, true", res.ProblemRows, res.Invited, res.DryRun)
		}
	})
	t.Run("ErrRefusedWhole", func(t *testing.T) {
		_, err := l.store.ImportPeople(ctx, l.admin, []byte(file), false)
		wantFields(t, err, "rows.4.email", "rows.5.email", "rows.6.team", "rows.7.email")
		if n := len(MustOutbox(t, l.store)); n != outboxBefore {
			t.Errorf("outbox: got %d rows, want %d: nothing may be written", n, outboxBefore)
		}
		if n := MustCount(t, l.store, `SELECT count(*) FROM invitations WHERE email IN ('dee@example.org', 'lee@example.org')`); n != 0 {
			t.Errorf("invitations: got %d, want 0", n)
		}
	})
	t.Run("ErrNotAdmin", func(t *testing.T) {
		for _, p := range []*courses.Principal{l.manager, l.trainer, l.sam} {
			_, err := l.store.ImportPeople(ctx, p, []byte(file), true)
			wantCode(t, err, courses.Forbidden)
		}
	})
	t.Run("OK", func(t *testing.T) {
		clean := strings.Join(strings.Split(file, "\n")[:3], "\n") + "\n"
		res, err := l.store.ImportPeople(ctx, l.admin, []byte(clean), false)
		if err != nil {
			t.Fatal(err)
		}
		if res.Invited != 2 {
			t.Errorf("invited: got %d, want 2", res.Invited)
		}
		for _, email := range []string{"dee@example.org", "lee@example.org"} {
			if n := MustCount(t, l.store, `SELECT count(*) FROM outbox WHERE payload->>'to' = $1 AND payload->>'template' = 'invitation'`, email); n != 1 {
				t.Errorf("invitation emails to %s: got %d, want 1", email, n)
			}
		}
		if n := MustCount(t, l.store, `SELECT count(*) FROM invitation_teams`); n != 2 {
			t.Errorf("team places: got %d, want 2", n)
		}
		if n := MustCount(t, l.store, `SELECT count(*) FROM audit_log WHERE action IN ('invitation.create', 'people.import')`); n != 4 {
			t.Errorf("audit rows: got %d, want 4 (the earlier invite, two invitations, the import)", n)
		}
		// The same file again: every row is now invited already.
		res, err = l.store.ImportPeople(ctx, l.admin, []byte(clean), true)
		if err != nil || res.ProblemRows != 2 {
			t.Errorf("again: got %+v, %v; want 2 problem rows", res, err)
		}
	})
	t.Run("Large", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("name,email\n")
		for i := range 300 {
			fmt.Fprintf(&b, "Person %d,person%d@bulk.example\n", i, i)
		}
		res, err := l.store.ImportPeople(ctx, l.admin, []byte(b.String()), false)
		if err != nil || res.Invited != 300 {
			t.Fatalf("got %+v, %v; want 300 invited", res, err)
		}
	})
}

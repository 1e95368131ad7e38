package courses_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
	"peerpath/migrations/testdb"
)

// certFS is tinyFS with a course that must be renewed after 12 months.
func certFS(slug string) map[string]string {
	return map[string]string{"course.yaml": courseFile(slug, "Course "+slug) + "recertification_months: 12\n"}
}

// MustFinish reads the tiny course's module and passes its quiz, and returns the id of the
// completion that follows, taken from the certificate:issue job it queued.
func MustFinish(tb testing.TB, store *courses.Store, p *courses.Principal, slug string) string {
	tb.Helper()
	MustComplete(tb, store, p, slug, "one")
	if res := MustPass(tb, store, p, slug+".one", courses.Answers{"q1": {"a"}}); !res.CourseCompleted {
		tb.Fatalf("finish %s: got %+v, want the course completed", slug, res)
	}
	var payload []byte
	if err := testdb.Owner(store.DB()).Get(&payload, `SELECT payload FROM outbox WHERE task_type = $1 ORDER BY id DESC LIMIT 1`,
		courses.TaskCertificateIssue); err != nil {
		tb.Fatalf("certificate:issue job: %v", err)
	}
	var job courses.CertificateIssuePayload
	if err := json.Unmarshal(payload, &job); err != nil || job.CompletionID == "" {
		tb.Fatalf("certificate:issue payload %s: %v", payload, err)
	}
	return job.CompletionID
}

// MustIssue drafts and stores the certificate of a completion as the worker does, with a stand-in
// credential.
func MustIssue(tb testing.TB, store *courses.Store, completionID string) *courses.Certificate {
	tb.Helper()
	ctx := context.Background()
	draft, existing, err := store.DraftCertificate(ctx, completionID)
	if err != nil || existing != nil {
		tb.Fatalf("draft %s: got existing %v, %v; want a draft", completionID, existing, err)
	}
	draft.Credential, draft.KeyID = "header.payload.signature", "test-key"
	if created, err := store.CreateCertificate(ctx, draft); err != nil || !created {
		tb.Fatalf("create certificate: got %v, %v; want created", created, err)
	}
	return draft
}

var (
	numberRE = regexp.MustCompile(`^PP-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$`)
	codeRE   = regexp.MustCompile(`^[0-9a-hjkmnp-tv-z]{16}$`)
)

func TestDraftAndCreateCertificate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, clock := MustStore(t)
	org := MustOrg(t, store, "riverside")
	sam := MustLearner(t, store, org.ID, "sam@riverside.example")
	MustImport(t, store, org.ID, tinyFS("induction", certFS("induction")))
	clock.Advance(90 * time.Minute)
	completedAt := clock.Now()
	completion := MustFinish(t, store, sam, "induction")
	clock.Advance(time.Hour) // the worker runs later; the certificate still dates from the completion

	// Two runs of the task draft at once (a retry racing the first run): each has its own number.
	first, existing, err := store.DraftCertificate(ctx, completion)
	if err != nil || existing != nil {
		t.Fatalf("draft: got existing %v, %v; want a draft", existing, err)
	}
	second, _, err := store.DraftCertificate(ctx, completion)
	if err != nil || second == nil {
		t.Fatalf("second draft: got %v, %v", second, err)
	}

	t.Run("Draft", func(t *testing.T) {
		if !numberRE.MatchString(first.Number) || !codeRE.MatchString(first.VerifyCode) {
			t.Errorf("number and code: got %q and %q, want PP-XXXX-XXXX and 16 characters", first.Number, first.VerifyCode)
		}
		if first.ID == second.ID || first.Number == second.Number || first.VerifyCode == second.VerifyCode {
			t.Errorf("two drafts: got the same id, number or code (%+v, %+v), want fresh ones", first, second)
		}
		expires := completedAt.AddDate(0, 12, 0)
		want := courses.Certificate{ID: first.ID, OrgID: org.ID, PersonID: sam.Person.ID, CourseID: first.CourseID,
			CompletionID: completion, Cycle: 1, Number: first.Number, VerifyCode: first.VerifyCode,
			PersonName: "Person sam@riverside.example", CourseSlug: "induction", CourseTitle: "Course induction", CourseVersion: 1,
			OrgName: "Org riverside", IssuedAt: completedAt, ExpiresAt: &expires, CourseSummary: "A course written for a test.",
			Criteria: "Read all 1 modules, passed all 1 quizzes graded on the server (pass mark up to 100%)."}
		if diff := cmp.Diff(want, *first); diff != "" {
			t.Errorf("draft (-want +got):\n%s", diff)
		}
		if first.CourseID == "" {
			t.Error("draft: got no course id")
		}
	})
	t.Run("CreateOnce", func(t *testing.T) {
		first.Credential, first.KeyID = "jwt-1", "key-1"
		created, err := store.CreateCertificate(ctx, first)
		if err != nil || !created {
			t.Fatalf("create: got %v, %v; want true, nil", created, err)
		}
		var emails []outboxRow
		for _, r := range MustOutbox(t, store) {
			if r.TaskType == courses.TaskEmailSend {
				emails = append(emails, r)
			}
		}
		if len(emails) != 1 {
			t.Fatalf("email jobs: got %d, want 1", len(emails))
		}
		want := courses.Email{Key: "certificate:" + first.ID, To: "sam@riverside.example", ToName: "Person sam@riverside.example",
			Template: "certificate_issued", OrgName: "Org riverside", Data: map[string]string{"course": "Course induction",
				"number": first.Number, "link": "http://peerpath.test/certificates", "verify": "http://peerpath.test/verify/" + first.VerifyCode}}
		if diff := cmp.Diff(want, MustEmail(t, emails[0])); diff != "" {
			t.Errorf("email (-want +got):\n%s", diff)
		}
		if emails[0].OrgID == nil || *emails[0].OrgID != org.ID {
			t.Errorf("email job org: got %v, want %s", emails[0].OrgID, org.ID)
		}
	})
	t.Run("CreateAgainChangesNothing", func(t *testing.T) {
		second.Credential, second.KeyID = "jwt-2", "key-1"
		created, err := store.CreateCertificate(ctx, second)
		if err != nil || created {
			t.Fatalf("second create: got %v, %v; want false, nil", created, err)
		}
		if n := MustCount(t, store, `SELECT count(*) FROM certificates`); n != 1 {
			t.Errorf("certificates: got %d, want 1", n)
		}
		if n := MustCount(t, store, `SELECT count(*) FROM outbox WHERE task_type = $1`, courses.TaskEmailSend); n != 1 {
			t.Errorf("email jobs: got %d, want 1", n)
		}
	})
	t.Run("DraftAfterIssueReturnsExisting", func(t *testing.T) {
		draft, existing, err := store.DraftCertificate(ctx, completion)
		if err != nil || draft != nil || existing == nil {
			t.Fatalf("got draft %v, existing %v, %v; want the existing certificate only", draft, existing, err)
		}
		if existing.ID != first.ID || existing.Number != first.Number || existing.Credential != "jwt-1" || existing.KeyID != "key-1" {
			t.Errorf("existing: got %+v, want the first certificate as stored", existing)
		}
		if !existing.IssuedAt.Equal(completedAt) || existing.ExpiresAt == nil || !existing.ExpiresAt.Equal(completedAt.AddDate(1, 0, 0)) {
			t.Errorf("dates: got issued %v, expires %v; want %v and a year later", existing.IssuedAt, existing.ExpiresAt, completedAt)
		}
	})
	t.Run("ErrUnknownCompletion", func(t *testing.T) {
		for _, id := range []string{"1d4a0b3e-7a55-4c1b-8f3a-58b9b0f6a001", "not-a-uuid", ""} {
			draft, existing, err := store.DraftCertificate(ctx, id)
			if courses.ErrorCode(err) != courses.NotFound || draft != nil || existing != nil {
				t.Errorf("completion %q: got %v, %v, %v; want NotFound", id, draft, existing, err)
			}
		}
	})
}

func TestDraftCertificateNeverExpires(t *testing.T) {
	t.Parallel()
	store, _ := MustStore(t)
	org := MustOrg(t, store, "riverside")
	sam := MustLearner(t, store, org.ID, "sam@riverside.example")
	MustImport(t, store, org.ID, tinyFS("induction", nil)) // recertification_months 0
	draft, _, err := store.DraftCertificate(context.Background(), MustFinish(t, store, sam, "induction"))
	if err != nil {
		t.Fatal(err)
	}
	if draft.ExpiresAt != nil {
		t.Errorf("expires: got %v, want none", draft.ExpiresAt)
	}
}

func TestCertificateStatus(t *testing.T) {
	t.Parallel()
	issued := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	expires := issued.AddDate(1, 0, 0)
	revoked := issued.AddDate(0, 1, 0)
	tests := []struct {
		name string
		cert courses.Certificate
		at   time.Time
		want string
	}{
		{"Valid", courses.Certificate{IssuedAt: issued, ExpiresAt: &expires}, issued, courses.CertificateValid},
		{"ValidJustBeforeExpiry", courses.Certificate{IssuedAt: issued, ExpiresAt: &expires}, expires.Add(-time.Second), courses.CertificateValid},
		{"ExpiredAtExpiry", courses.Certificate{IssuedAt: issued, ExpiresAt: &expires}, expires, courses.CertificateExpired},
		{"NeverExpires", courses.Certificate{IssuedAt: issued}, issued.AddDate(50, 0, 0), courses.CertificateValid},
		{"Revoked", courses.Certificate{IssuedAt: issued, ExpiresAt: &expires, RevokedAt: &revoked}, revoked, courses.CertificateRevoked},
		{"RevokedBeatsExpired", courses.Certificate{IssuedAt: issued, ExpiresAt: &expires, RevokedAt: &revoked}, expires.AddDate(1, 0, 0), courses.CertificateRevoked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cert.Status(tt.at); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// certLab is an organisation with one issued certificate (course "induction", renewed every 12
// months), its holder, an admin, a manager, a fellow trainee, and another organisation's admin
// and trainee.
type certLab struct {
	store                        *courses.Store
	clock                        *fakeClock
	cert                         *courses.Certificate
	holder, admin, manager, peer *courses.Principal
	otherAdmin, otherOrgTrainee  *courses.Principal
	completionID                 string
}

func mustCertLab(tb testing.TB) *certLab {
	tb.Helper()
	store, clock := MustStore(tb)
	org := MustOrg(tb, store, "riverside")
	other := MustOrg(tb, store, "harbour")
	l := &certLab{store: store, clock: clock,
		holder:          MustLearner(tb, store, org.ID, "sam@riverside.example"),
		admin:           MustLearner(tb, store, org.ID, "admin@riverside.example", "org_admin"),
		manager:         MustLearner(tb, store, org.ID, "manager@riverside.example", "manager"),
		peer:            MustLearner(tb, store, org.ID, "priya@riverside.example"),
		otherAdmin:      MustLearner(tb, store, other.ID, "admin@harbour.example", "org_admin"),
		otherOrgTrainee: MustLearner(tb, store, other.ID, "noah@harbour.example")}
	MustImport(tb, store, org.ID, tinyFS("induction", certFS("induction")))
	l.completionID = MustFinish(tb, store, l.holder, "induction")
	l.cert = MustIssue(tb, store, l.completionID)
	return l
}

func TestFindCertificate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := mustCertLab(t)

	for _, tt := range []struct {
		name string
		p    *courses.Principal
	}{{"Holder", l.holder}, {"OrgAdmin", l.admin}, {"Manager", l.manager}} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := l.store.FindCertificate(ctx, tt.p, l.cert.ID)
			if err != nil {
				t.Fatal(err)
			}
			if c.ID != l.cert.ID || c.PersonID != l.holder.Person.ID || c.Number != l.cert.Number || c.Credential != l.cert.Credential {
				t.Errorf("got %+v, want the holder's certificate %s", c, l.cert.ID)
			}
		})
	}
	for _, tt := range []struct {
		name string
		p    *courses.Principal
		id   string
	}{
		{"ErrFellowTrainee", l.peer, l.cert.ID},
		{"ErrOtherOrgAdmin", l.otherAdmin, l.cert.ID},
		{"ErrOtherOrgTrainee", l.otherOrgTrainee, l.cert.ID},
		{"ErrUnknown", l.holder, "1d4a0b3e-7a55-4c1b-8f3a-58b9b0f6a001"},
		{"ErrNotUUID", l.holder, "PP-AAAA-BBBB"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := l.store.FindCertificate(ctx, tt.p, tt.id)
			if courses.ErrorCode(err) != courses.NotFound || c != nil {
				t.Errorf("got %v, %v; want NotFound", c, err)
			}
		})
	}
	t.Run("Mine", func(t *testing.T) {
		mine, err := l.store.FindMyCertificates(ctx, l.holder)
		if err != nil || len(mine) != 1 || mine[0].ID != l.cert.ID {
			t.Errorf("holder: got %v, %v; want the one certificate", mine, err)
		}
		for _, p := range []*courses.Principal{l.admin, l.peer, l.otherAdmin} {
			theirs, err := l.store.FindMyCertificates(ctx, p)
			if err != nil || theirs == nil || len(theirs) != 0 {
				t.Errorf("%s: got %v, %v; want an empty list", p.Person.Email, theirs, err)
			}
		}
	})
}

func TestVerifyCertificate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := mustCertLab(t)
	for _, code := range []string{l.cert.VerifyCode, strings.ToUpper(l.cert.VerifyCode)} {
		c, err := l.store.VerifyCertificate(ctx, code)
		if err != nil || c.ID != l.cert.ID || c.PersonName != "Person sam@riverside.example" {
			t.Errorf("code %s: got %v, %v; want the certificate", code, c, err)
		}
	}
	for _, code := range []string{"0000000000000000", "", l.cert.Number, l.cert.ID} {
		c, err := l.store.VerifyCertificate(ctx, code)
		if courses.ErrorCode(err) != courses.NotFound || c != nil {
			t.Errorf("code %q: got %v, %v; want NotFound", code, c, err)
		}
	}
}

func TestRevokeCertificate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := mustCertLab(t)

	t.Run("ErrReason", func(t *testing.T) {
		for _, reason := range []string{"", "   \n\t", strings.Repeat("é", 501)} {
			_, err := l.store.RevokeCertificate(ctx, l.admin, l.cert.ID, reason)
			wantFields(t, err, "reason")
		}
	})
	t.Run("ErrOtherOrganisation", func(t *testing.T) {
		_, err := l.store.RevokeCertificate(ctx, l.otherAdmin, l.cert.ID, "Not theirs to revoke.")
		wantCode(t, err, courses.NotFound)
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		for _, id := range []string{"1d4a0b3e-7a55-4c1b-8f3a-58b9b0f6a001", "nope"} {
			_, err := l.store.RevokeCertificate(ctx, l.admin, id, "No such certificate.")
			wantCode(t, err, courses.NotFound)
		}
	})
	if n := MustCount(t, l.store, `SELECT count(*) FROM certificates WHERE revoked_at IS NOT NULL`); n != 0 {
		t.Fatalf("revoked after refusals: got %d, want 0", n)
	}
	l.clock.Advance(24 * time.Hour)
	revokedAt := l.clock.Now()
	// 500 characters of two bytes each: the limit counts characters, as the database does.
	reason := strings.Repeat("é", 500)

	t.Run("OK", func(t *testing.T) {
		c, err := l.store.RevokeCertificate(ctx, l.admin, l.cert.ID, "  "+reason+"\n")
		if err != nil {
			t.Fatal(err)
		}
		if c.RevokedAt == nil || !c.RevokedAt.Equal(revokedAt) || c.RevokedReason != reason || c.Status(l.clock.Now()) != courses.CertificateRevoked {
			t.Errorf("got revoked at %v, reason of %d characters, status %s; want %v, 500 and revoked",
				c.RevokedAt, len([]rune(c.RevokedReason)), c.Status(l.clock.Now()), revokedAt)
		}
		stored, err := l.store.FindCertificate(ctx, l.holder, l.cert.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.RevokedAt == nil || !stored.RevokedAt.Equal(revokedAt) || stored.RevokedReason != reason {
			t.Errorf("stored: got %v, %q; want the revocation", stored.RevokedAt, stored.RevokedReason)
		}
		var by string
		if err := testdb.Owner(l.store.DB()).Get(&by, `SELECT revoked_by FROM certificates WHERE id = $1`, l.cert.ID); err != nil || by != l.admin.Person.ID {
			t.Errorf("revoked_by: got %q, %v; want the admin %s", by, err, l.admin.Person.ID)
		}
	})
	t.Run("ErrTwice", func(t *testing.T) {
		l.clock.Advance(time.Hour)
		_, err := l.store.RevokeCertificate(ctx, l.admin, l.cert.ID, "Again.")
		wantCode(t, err, courses.Conflict)
		stored, err := l.store.FindCertificate(ctx, l.admin, l.cert.ID)
		if err != nil || !stored.RevokedAt.Equal(revokedAt) || stored.RevokedReason != reason {
			t.Errorf("after a second revocation: got %v, %v; want the first revocation kept", stored, err)
		}
	})
}

// A certificate's status follows the store's clock: it expires 12 months after the completion.
func TestCertificateExpiresWithClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := mustCertLab(t)
	status := func() string {
		c, err := l.store.VerifyCertificate(ctx, l.cert.VerifyCode)
		if err != nil {
			t.Fatal(err)
		}
		return c.Status(l.store.Now())
	}
	if got := status(); got != courses.CertificateValid {
		t.Fatalf("after issue: got %s, want valid", got)
	}
	l.clock.Advance(l.cert.ExpiresAt.Sub(l.clock.Now()) - time.Second)
	if got := status(); got != courses.CertificateValid {
		t.Errorf("a second before expiry: got %s, want valid", got)
	}
	l.clock.Advance(time.Second)
	if got := status(); got != courses.CertificateExpired {
		t.Errorf("at expiry: got %s, want expired", got)
	}
}

// The domain does not yet start a new certification cycle by itself: after expiry, completed work
// stays completed and nothing new is certified. A second cycle is a second completion (as a
// recertification enrolment will make); here the enrolment is opened by hand, and the store
// completes and certifies it as cycle 2.
func TestCertificateSecondCycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := mustCertLab(t)
	l.clock.Advance(l.cert.ExpiresAt.Sub(l.clock.Now()) + 24*time.Hour)

	t.Run("AfterExpiryANewCycleStarts", func(t *testing.T) {
		// Reading a module again after the certificate expired starts a new enrolment; the
		// first completion and its certificate job stay as they were.
		MustComplete(t, l.store, l.holder, "induction", "one")
		if n := MustCount(t, l.store, `SELECT count(*) FROM enrolments WHERE person_id = $1`, l.holder.Person.ID); n != 2 {
			t.Errorf("enrolments: got %d, want 2 (the first cycle's and the new one)", n)
		}
		if n := MustCount(t, l.store, `SELECT count(*) FROM completions`); n != 1 {
			t.Errorf("completions: got %d, want 1", n)
		}
		if n := MustCount(t, l.store, `SELECT count(*) FROM outbox WHERE task_type = $1`, courses.TaskCertificateIssue); n != 1 {
			t.Errorf("certificate jobs: got %d, want 1", n)
		}
	})
	t.Run("SecondCompletionIsCycle2", func(t *testing.T) {
		renewedAt := l.clock.Now()
		completion := MustFinish(t, l.store, l.holder, "induction")
		if completion == l.completionID {
			t.Fatal("got the first completion again, want a new one")
		}
		second := MustIssue(t, l.store, completion)
		if second.Cycle != 2 || !second.IssuedAt.Equal(renewedAt) || !second.ExpiresAt.Equal(renewedAt.AddDate(1, 0, 0)) {
			t.Errorf("second certificate: got cycle %d, issued %v, expires %v; want 2, %v and a year later",
				second.Cycle, second.IssuedAt, second.ExpiresAt, renewedAt)
		}
		// The first cycle's certificate is unchanged, and still cycle 1 when drafted again.
		_, first, err := l.store.DraftCertificate(ctx, l.completionID)
		if err != nil || first.Cycle != 1 || first.ID != l.cert.ID {
			t.Errorf("first certificate: got %v, %v; want cycle 1 unchanged", first, err)
		}
		mine, err := l.store.FindMyCertificates(ctx, l.holder)
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for _, c := range mine {
			got = append(got, c.Cycle)
		}
		if diff := cmp.Diff([]int{2, 1}, got); diff != "" {
			t.Errorf("my certificates' cycles, newest first (-want +got):\n%s", diff)
		}
		statuses := map[int]string{}
		for _, c := range mine {
			statuses[c.Cycle] = c.Status(l.store.Now())
		}
		if diff := cmp.Diff(map[int]string{1: courses.CertificateExpired, 2: courses.CertificateValid}, statuses); diff != "" {
			t.Errorf("statuses by cycle (-want +got):\n%s", diff)
		}
	})
}

// TestRequeueMissingCertificates checks that the sweep queues again only completions old enough,
// without a certificate, and without an issue still waiting in the outbox.
func TestRequeueMissingCertificates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, clock := MustStore(t)
	org := MustOrg(t, store, "riverside")
	sam := MustLearner(t, store, org.ID, "sam@riverside.example")
	lee := MustLearner(t, store, org.ID, "lee@riverside.example")
	MustImport(t, store, org.ID, tinyFS("induction", certFS("induction")))
	samDone := MustFinish(t, store, sam, "induction")
	leeDone := MustFinish(t, store, lee, "induction")
	MustIssue(t, store, leeDone)
	relayed := func() {
		if _, err := testdb.Owner(store.DB()).Exec(`UPDATE outbox SET enqueued_at = now() WHERE enqueued_at IS NULL`); err != nil {
			t.Fatal(err)
		}
	}
	later := clock.Now().Add(time.Hour)
	steps := []struct {
		name   string
		before time.Time
		setup  func()
		want   int
	}{
		{"issue still waiting in the outbox", later, nil, 0},
		{"completed too recently", clock.Now().Add(-time.Minute), relayed, 0},
		{"task lost: queued again", later, nil, 1},
		{"queued again already", later, nil, 0},
		{"relayed again, still no certificate", later, relayed, 1},
	}
	for _, s := range steps {
		if s.setup != nil {
			s.setup()
		}
		got, err := store.RequeueMissingCertificates(ctx, s.before)
		if err != nil || got != s.want {
			t.Errorf("%s: got %d, %v; want %d", s.name, got, err, s.want)
		}
	}
	if got := MustCount(t, store, `SELECT count(*) FROM outbox WHERE payload->>'completion_id' = $1`, leeDone); got != 1 {
		t.Errorf("lee's completion, certified: got %d outbox rows, want only the first", got)
	}
	if got := MustCount(t, store, `SELECT count(*) FROM outbox WHERE payload->>'completion_id' = $1`, samDone); got != 3 {
		t.Errorf("sam's completion: got %d outbox rows, want 3", got)
	}
}

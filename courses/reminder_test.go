package courses_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
	"peerpath/migrations/testdb"
)

// reminderLab is an organisation (UTC unless moved) with three small courses, a, b and c, at
// 09:00 UTC on Monday 2 March 2026.
type reminderLab struct {
	store *courses.Store
	clock *fakeClock
	org   *courses.Organisation
}

func mustReminderLab(tb testing.TB) *reminderLab {
	tb.Helper()
	store, clock := MustStore(tb)
	org := MustOrg(tb, store, "riverside")
	for _, slug := range []string{"a", "b", "c"} {
		MustImport(tb, store, org.ID, tinyFS(slug, nil))
	}
	return &reminderLab{store: store, clock: clock, org: org}
}

// scan runs a reminder scan (forced: whatever the hour) and fails the test on an error.
func (l *reminderLab) scan(tb testing.TB, force bool) courses.ScanResult {
	tb.Helper()
	res, err := l.store.ScanReminders(context.Background(), courses.ScanOptions{Force: force})
	if err != nil {
		tb.Fatalf("scan: %v", err)
	}
	return res
}

// MustDigests returns the digest emails queued so far by recipient, each as its items' titles.
func MustDigests(tb testing.TB, store *courses.Store) map[string][]courses.DigestItem {
	tb.Helper()
	out := map[string][]courses.DigestItem{}
	for _, row := range MustOutbox(tb, store) {
		if row.TaskType != courses.TaskEmailSend {
			continue
		}
		e := MustEmail(tb, row)
		if e.Template != courses.TemplateDigest {
			continue
		}
		if _, dup := out[e.To]; dup {
			tb.Fatalf("a second digest to %s", e.To)
		}
		var items []courses.DigestItem
		if err := json.Unmarshal([]byte(e.Data["items"]), &items); err != nil {
			tb.Fatalf("digest items %q: %v", e.Data["items"], err)
		}
		if e.Data["count"] == "" || !strings.HasPrefix(e.Data["unsubscribe"], "http://peerpath.test/unsubscribe/") {
			tb.Errorf("digest data: got %v, want a count and an unsubscribe link", e.Data)
		}
		out[e.To] = items
	}
	return out
}

// titles is what a digest lists, as "kind: title".
func titles(items []courses.DigestItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Kind+": "+it.Title)
	}
	return out
}

func TestScanRemindersOneDigest(t *testing.T) {
	t.Parallel()
	l := mustReminderLab(t)
	sam := MustLearner(t, l.store, l.org.ID, "sam@example.org")
	now := l.clock.Now()
	MustAssign(t, l.store, sam, "a", now.Add(7*24*time.Hour))
	MustAssign(t, l.store, sam, "b", now.Add(30*time.Hour))
	MustAssign(t, l.store, sam, "c", now.Add(-3*24*time.Hour))
	// Not due for a while, and someone else's: neither is in Sam's digest.
	priya := MustLearner(t, l.store, l.org.ID, "priya@example.org")
	MustAssign(t, l.store, priya, "a", now.Add(30*24*time.Hour))

	res := l.scan(t, false)
	if res.Digests != 1 || res.Reminders != 3 {
		t.Errorf("scan: got %+v, want 1 digest of 3 reminders", res)
	}
	digests := MustDigests(t, l.store)
	want := []string{"assignment_due: Course b", "assignment_due: Course a", "assignment_overdue: Course c"}
	if diff := cmp.Diff(map[string][]string{"sam@example.org": want}, map[string][]string{"sam@example.org": titles(digests["sam@example.org"])}); diff != "" || len(digests) != 1 {
		t.Errorf("digests (-want +got):\n%s\n(got %d recipients)", diff, len(digests))
	}
	for _, it := range digests["sam@example.org"] {
		if !strings.HasPrefix(it.Link, "http://peerpath.test/learn/") || it.Detail == "" || it.Section != "Your training" {
			t.Errorf("item %+v: want a link to the course, a detail and its section", it)
		}
	}
	if n := MustCount(t, l.store, `SELECT count(*) FROM notifications WHERE person_id = $1 AND read_at IS NULL`, sam.Person.ID); n != 3 {
		t.Errorf("notifications: got %d, want 3", n)
	}

	t.Run("SecondScanSendsNothing", func(t *testing.T) {
		for _, force := range []bool{false, true} {
			if res := l.scan(t, force); res.Digests != 0 || res.Reminders != 0 {
				t.Errorf("scan again (force %v): got %+v, want nothing", force, res)
			}
		}
		if n := len(MustDigests(t, l.store)); n != 1 {
			t.Errorf("digests: got %d, want 1", n)
		}
	})
	t.Run("NewItemWaitsForTomorrow", func(t *testing.T) {
		l.clock.Advance(time.Hour)
		lee := MustLearner(t, l.store, l.org.ID, "lee@example.org")
		MustAssign(t, l.store, lee, "a", l.clock.Now().Add(2*24*time.Hour))
		if res := l.scan(t, false); res.Digests != 0 {
			t.Errorf("later the same day: got %+v, want no digest", res)
		}
		l.clock.Advance(23 * time.Hour) // 09:00 the next day
		res := l.scan(t, false)
		// Lee's assignment is new; Sam's overdue course was mentioned this week already and his
		// other two were reminded of at their 7-day and 1-day marks.
		if res.Digests != 1 || res.Reminders != 1 {
			t.Errorf("next day: got %+v, want Lee's digest of 1", res)
		}
		if got := titles(MustDigests(t, l.store)["lee@example.org"]); !cmp.Equal(got, []string{"assignment_due: Course a"}) {
			t.Errorf("Lee's digest: got %v", got)
		}
	})
}

// An overdue assignment is mentioned once a week, and escalated to managers after seven days.
func TestScanRemindersOverdueWeekly(t *testing.T) {
	t.Parallel()
	l := mustReminderLab(t)
	sam := MustLearner(t, l.store, l.org.ID, "sam@example.org")
	MustAssign(t, l.store, sam, "a", l.clock.Now().Add(-time.Hour))
	var days []int
	for day := 1; day <= 15; day++ {
		if res := l.scan(t, false); res.Digests > 0 {
			days = append(days, day)
		}
		l.clock.Advance(24 * time.Hour)
	}
	if diff := cmp.Diff([]int{1, 8, 15}, days); diff != "" {
		t.Errorf("days with a digest (-want +got):\n%s", diff)
	}
}

func TestScanRemindersEscalation(t *testing.T) {
	t.Parallel()
	l := mustReminderLab(t)
	MustLearner(t, l.store, l.org.ID, "admin@example.org", "org_admin")
	manager := MustLearner(t, l.store, l.org.ID, "manager@example.org", "manager")
	sam := MustLearner(t, l.store, l.org.ID, "sam@example.org") // in the manager's team
	lee := MustLearner(t, l.store, l.org.ID, "lee@example.org") // in no team
	dee := MustLearner(t, l.store, l.org.ID, "dee@example.org") // overdue, but by less than a week
	var team string
	if err := testdb.Owner(l.store.DB()).Get(&team, `INSERT INTO teams (org_id, name) VALUES ($1, 'North') RETURNING id`, l.org.ID); err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct {
		id      string
		manager bool
	}{{manager.Person.ID, true}, {sam.Person.ID, false}, {dee.Person.ID, false}} {
		if _, err := testdb.Owner(l.store.DB()).Exec(`INSERT INTO team_members (team_id, person_id, org_id, manager) VALUES ($1, $2, $3, $4)`,
			team, m.id, l.org.ID, m.manager); err != nil {
			t.Fatal(err)
		}
	}
	now := l.clock.Now()
	MustAssign(t, l.store, sam, "a", now.Add(-9*24*time.Hour))
	MustAssign(t, l.store, lee, "b", now.Add(-8*24*time.Hour))
	MustAssign(t, l.store, dee, "c", now.Add(-3*24*time.Hour))
	l.scan(t, false)
	got := map[string][]string{}
	for to, items := range MustDigests(t, l.store) {
		got[to] = titles(items)
	}
	want := map[string][]string{
		"sam@example.org":     {"assignment_overdue: Course a"},
		"lee@example.org":     {"assignment_overdue: Course b"},
		"dee@example.org":     {"assignment_overdue: Course c"},
		"manager@example.org": {"staff_overdue: Person sam@example.org: Course a"},
		"admin@example.org":   {"staff_overdue: Person lee@example.org: Course b"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("digests by recipient (-want +got):\n%s", diff)
	}
}

func TestScanRemindersPreferences(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := mustReminderLab(t)
	sam := MustLearner(t, l.store, l.org.ID, "sam@example.org")
	trainer := MustLearner(t, l.store, l.org.ID, "trainer@example.org", "trainer")
	MustAssign(t, l.store, sam, "a", l.clock.Now().Add(3*24*time.Hour))
	var session string
	if err := testdb.Owner(l.store.DB()).Get(&session, `
		INSERT INTO roleplay_sessions (org_id, title, trainer_id, starts_at, time_zone, duration_minutes, practice_seconds,
			feedback_seconds, cards, criteria)
		VALUES ($1, 'Boundaries practice', $2, $3, 'UTC', 90, 600, 300, '[]', '[]') RETURNING id`,
		l.org.ID, trainer.Person.ID, l.clock.Now().Add(25*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := testdb.Owner(l.store.DB()).Exec(`INSERT INTO roleplay_invitees (session_id, person_id, org_id) VALUES ($1, $2, $3)`,
		session, sam.Person.ID, l.org.ID); err != nil {
		t.Fatal(err)
	}

	t.Run("ErrMandatoryCannotBeTurnedOff", func(t *testing.T) {
		for _, tc := range []struct {
			name    string
			changes map[string]bool
			field   string
		}{
			{"Mandatory", map[string]bool{courses.KindAssignmentDue: false, courses.KindRoleplayTomorrow: false}, "preferences.assignment_due"},
			{"Unknown", map[string]bool{"weather": false}, "preferences.weather"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := l.store.UpdateNotificationPreferences(ctx, sam, tc.changes)
				wantFields(t, err, tc.field)
			})
		}
		// Nothing was half-written: role-play reminders are still on.
		if n := MustCount(t, l.store, `SELECT count(*) FROM notification_preferences`); n != 0 {
			t.Errorf("preferences stored: got %d, want 0", n)
		}
	})
	prefs, err := l.store.UpdateNotificationPreferences(ctx, sam, map[string]bool{
		courses.KindRoleplayTomorrow: false, courses.KindAssignmentDue: true})
	if err != nil {
		t.Fatal(err)
	}
	enabled := map[string]bool{}
	for _, p := range prefs {
		enabled[p.Kind] = p.Enabled
	}
	if enabled[courses.KindRoleplayTomorrow] || !enabled[courses.KindAssignmentDue] || len(prefs) != len(courses.ReminderKinds) {
		t.Errorf("preferences: got %+v, want role-play off and assignments on", prefs)
	}

	l.scan(t, false)
	if got := titles(MustDigests(t, l.store)["sam@example.org"]); !cmp.Equal(got, []string{"assignment_due: Course a"}) {
		t.Errorf("Sam's digest after turning off role-play reminders: got %v, want only the assignment", got)
	}
}

func TestScanRemindersRoleplayTomorrow(t *testing.T) {
	t.Parallel()
	l := mustReminderLab(t)
	if err := l.store.SetTimeZone(context.Background(), l.org.ID, "Pacific/Auckland"); err != nil {
		t.Fatal(err)
	}
	// 08:30 on Tuesday 3 March in Auckland (UTC+13).
	l.clock.Advance(time.Date(2026, 3, 2, 19, 30, 0, 0, time.UTC).Sub(l.clock.Now()))
	trainer := MustLearner(t, l.store, l.org.ID, "trainer@example.org", "trainer")
	sam := MustLearner(t, l.store, l.org.ID, "sam@example.org")
	akl, _ := time.LoadLocation("Pacific/Auckland")
	for _, s := range []struct {
		title     string
		at        time.Time
		cancelled bool
	}{
		{"Wednesday morning", time.Date(2026, 3, 4, 9, 0, 0, 0, akl), false},
		{"Wednesday late", time.Date(2026, 3, 4, 23, 30, 0, 0, akl), false},
		{"Cancelled", time.Date(2026, 3, 4, 10, 0, 0, 0, akl), true},
		{"Today", time.Date(2026, 3, 3, 18, 0, 0, 0, akl), false},
		{"Thursday", time.Date(2026, 3, 5, 0, 30, 0, 0, akl), false},
	} {
		var id string
		if err := testdb.Owner(l.store.DB()).Get(&id, `
			INSERT INTO roleplay_sessions (org_id, title, trainer_id, starts_at, time_zone, duration_minutes, practice_seconds,
				feedback_seconds, cards, criteria, cancelled_at)
			VALUES ($1, $2, $3, $4, 'Pacific/Auckland', 90, 600, 300, '[]', '[]', CASE WHEN $5 THEN now() END) RETURNING id`,
			l.org.ID, s.title, trainer.Person.ID, s.at, s.cancelled); err != nil {
			t.Fatal(err)
		}
		if _, err := testdb.Owner(l.store.DB()).Exec(`INSERT INTO roleplay_invitees (session_id, person_id, org_id) VALUES ($1, $2, $3)`,
			id, sam.Person.ID, l.org.ID); err != nil {
			t.Fatal(err)
		}
	}
	l.scan(t, false)
	items := MustDigests(t, l.store)["sam@example.org"]
	want := []string{"roleplay_tomorrow: Wednesday morning", "roleplay_tomorrow: Wednesday late"}
	if diff := cmp.Diff(want, titles(items)); diff != "" {
		t.Fatalf("Sam's digest (-want +got):\n%s", diff)
	}
	if !strings.Contains(items[0].Detail, "Wednesday 4 March at 09:00") || !strings.HasPrefix(items[0].Link, "http://peerpath.test/roleplay/") {
		t.Errorf("item: got %+v, want the local start time and a link to the session", items[0])
	}
}

func TestScanRemindersCertificates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, clock := MustStore(t)
	org := MustOrg(t, store, "riverside")
	MustImport(t, store, org.ID, tinyFS("induction", certFS("induction")))
	MustImport(t, store, org.ID, tinyFS("extra", certFS("extra")))
	MustImport(t, store, org.ID, tinyFS("renewed", certFS("renewed")))
	sam := MustLearner(t, store, org.ID, "sam@example.org")
	MustAssign(t, store, sam, "induction", clock.Now().Add(24*time.Hour))
	required := MustIssue(t, store, MustFinish(t, store, sam, "induction"))
	MustIssue(t, store, MustFinish(t, store, sam, "extra"))
	MustIssue(t, store, MustFinish(t, store, sam, "renewed"))
	lee := MustLearner(t, store, org.ID, "lee@example.org")
	revoked := MustIssue(t, store, MustFinish(t, store, lee, "extra"))
	admin := MustLearner(t, store, org.ID, "admin@example.org", "org_admin")
	if _, err := store.RevokeCertificate(ctx, admin, revoked.ID, "Issued by mistake."); err != nil {
		t.Fatal(err)
	}
	// 11 months on. "renewed" has a second cycle already (its first certificate was superseded
	// before it expired, as when an organisation shortens the period): only the new one counts.
	clock.Advance(required.ExpiresAt.Sub(clock.Now()) - 20*24*time.Hour)
	var second string
	if err := testdb.Owner(store.DB()).Get(&second, `
		WITH e AS (
			INSERT INTO enrolments (org_id, person_id, course_id, course_version_id, started_at, completed_at)
			SELECT org_id, person_id, course_id, course_version_id, $1, $1 FROM completions
			WHERE course_id = (SELECT id FROM courses WHERE slug = 'renewed')
			RETURNING id, org_id, person_id, course_id, course_version_id)
		INSERT INTO completions (org_id, person_id, course_id, course_version_id, enrolment_id, completed_at)
		SELECT org_id, person_id, course_id, course_version_id, id, $1 FROM e RETURNING id`, clock.Now()); err != nil {
		t.Fatal(err)
	}
	if c := MustIssue(t, store, second); c.Cycle != 2 {
		t.Fatalf("second certificate: got cycle %d, want 2", c.Cycle)
	}
	l := &reminderLab{store: store, clock: clock, org: org}
	l.scan(t, false)
	got := map[string][]string{}
	for to, items := range MustDigests(t, store) {
		got[to] = titles(items)
	}
	want := map[string][]string{"sam@example.org": {
		"required_certificate_expiring: Course induction", "certificate_expiring: Course extra"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("digests (-want +got):\n%s", diff)
	}
}

// Digests go out at 08:00 in the organisation's own time zone, or later that day when a scan was
// missed; never before.
func TestScanRemindersTimeZone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		tz   string
		at   time.Time
		want bool
	}{
		{"Auckland0800", "Pacific/Auckland", time.Date(2026, 3, 2, 19, 0, 0, 0, time.UTC), true},
		{"Singapore0300", "Asia/Singapore", time.Date(2026, 3, 2, 19, 0, 0, 0, time.UTC), false},
		{"London0759", "Europe/London", time.Date(2026, 3, 2, 7, 59, 0, 0, time.UTC), false},
		{"London0800", "Europe/London", time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC), true},
		{"LondonSummer0800", "Europe/London", time.Date(2026, 7, 1, 7, 0, 0, 0, time.UTC), true},
		{"NewYork1500CatchUp", "America/New_York", time.Date(2026, 3, 2, 20, 0, 0, 0, time.UTC), true},
		{"NewYork0200", "America/New_York", time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := mustReminderLab(t)
			if err := l.store.SetTimeZone(context.Background(), l.org.ID, tc.tz); err != nil {
				t.Fatal(err)
			}
			l.clock.Advance(tc.at.Sub(l.clock.Now()))
			sam := MustLearner(t, l.store, l.org.ID, "sam@example.org")
			MustAssign(t, l.store, sam, "a", tc.at.Add(-time.Hour))
			res := l.scan(t, false)
			if got := res.Digests == 1; got != tc.want {
				t.Errorf("at %v in %s: got scan %+v, want a digest %v", tc.at, tc.tz, res, tc.want)
			}
		})
	}
}

func TestSetTimeZone(t *testing.T) {
	t.Parallel()
	l := mustReminderLab(t)
	for _, tz := range []string{"", "Mars/Olympus", "Local", strings.Repeat("a", 70)} {
		wantFields(t, l.store.SetTimeZone(context.Background(), l.org.ID, tz), "time_zone")
	}
}

func TestNotifications(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := mustReminderLab(t)
	sam := MustLearner(t, l.store, l.org.ID, "sam@example.org")
	priya := MustLearner(t, l.store, l.org.ID, "priya@example.org")
	for _, p := range []*courses.Principal{sam, priya} {
		MustAssign(t, l.store, p, "a", l.clock.Now().Add(2*24*time.Hour))
		MustAssign(t, l.store, p, "b", l.clock.Now().Add(3*24*time.Hour))
		MustAssign(t, l.store, p, "c", l.clock.Now().Add(4*24*time.Hour))
	}
	l.scan(t, false)

	items, next, unread, err := l.store.FindNotifications(ctx, sam, courses.Page{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || next == "" || unread != 3 || items[0].Title != "Course a" {
		t.Fatalf("first page: got %d items (%+v), next %q, unread %d; want 2 starting with Course a, a cursor, 3 unread", len(items), items, next, unread)
	}
	rest, next2, _, err := l.store.FindNotifications(ctx, sam, courses.Page{Limit: 2, Cursor: next})
	if err != nil || len(rest) != 1 || next2 != "" || rest[0].Title != "Course c" {
		t.Fatalf("second page: got %+v, %q, %v; want Course c and no cursor", rest, next2, err)
	}

	t.Run("MarkSome", func(t *testing.T) {
		var priyas string
		if err := testdb.Owner(l.store.DB()).Get(&priyas, `SELECT id FROM notifications WHERE person_id = $1 LIMIT 1`, priya.Person.ID); err != nil {
			t.Fatal(err)
		}
		// Someone else's id changes nothing.
		unread, err := l.store.MarkNotificationsRead(ctx, sam, []string{items[0].ID, priyas}, false)
		if err != nil || unread != 2 {
			t.Errorf("mark one: got %d, %v; want 2 unread", unread, err)
		}
		if n := MustCount(t, l.store, `SELECT count(*) FROM notifications WHERE person_id = $1 AND read_at IS NULL`, priya.Person.ID); n != 3 {
			t.Errorf("Priya's unread: got %d, want 3", n)
		}
	})
	t.Run("MarkAll", func(t *testing.T) {
		if unread, err := l.store.MarkNotificationsRead(ctx, sam, nil, true); err != nil || unread != 0 {
			t.Errorf("mark all: got %d, %v; want 0", unread, err)
		}
	})
	t.Run("ErrBadIDs", func(t *testing.T) {
		for _, ids := range [][]string{nil, {"not-a-uuid"}, make([]string, 101)} {
			_, err := l.store.MarkNotificationsRead(ctx, sam, ids, false)
			wantFields(t, err, "ids")
		}
	})
	t.Run("ErrBadCursor", func(t *testing.T) {
		_, _, _, err := l.store.FindNotifications(ctx, sam, courses.Page{Cursor: "nope"})
		wantFields(t, err, "cursor")
	})
}

func TestUnsubscribe(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := mustReminderLab(t)
	sam := MustLearner(t, l.store, l.org.ID, "sam@example.org")
	MustAssign(t, l.store, sam, "a", l.clock.Now().Add(2*24*time.Hour))
	l.scan(t, false)
	var e courses.Email
	for _, row := range MustOutbox(t, l.store) {
		e = MustEmail(t, row)
	}
	link := e.Data["unsubscribe"]
	token := link[strings.LastIndexByte(link, '/')+1:]

	prefs, err := l.store.FindUnsubscribe(ctx, token)
	if err != nil || len(prefs) != len(courses.ReminderKinds) {
		t.Fatalf("find: got %+v, %v", prefs, err)
	}
	for i := 0; i < 2; i++ { // twice is fine
		if prefs, err = l.store.Unsubscribe(ctx, token); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range prefs {
		if p.Enabled != p.Mandatory {
			t.Errorf("after unsubscribing, %s: got enabled %v, want %v", p.Kind, p.Enabled, p.Mandatory)
		}
	}
	for _, bad := range []string{"", "nope", token + "x"} {
		_, err := l.store.Unsubscribe(ctx, bad)
		wantCode(t, err, courses.NotFound)
	}
	l.clock.Advance(91 * 24 * time.Hour)
	l.scan(t, true) // removes expired links
	_, err = l.store.FindUnsubscribe(ctx, token)
	wantCode(t, err, courses.NotFound)
}

func TestCourseValidityOverride(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, clock := MustStore(t)
	org := MustOrg(t, store, "riverside")
	other := MustOrg(t, store, "harbour")
	MustImport(t, store, org.ID, tinyFS("induction", certFS("induction")))
	admin := MustLearner(t, store, org.ID, "admin@example.org", "org_admin")
	trainee := MustLearner(t, store, org.ID, "sam@example.org")
	outsider := MustLearner(t, store, other.ID, "admin@harbour.example", "org_admin")
	months := func(n int) *int { return &n }

	t.Run("Errors", func(t *testing.T) {
		wantFields(t, store.SetCourseValidity(ctx, admin, "induction", months(-1)), "validity_months")
		wantFields(t, store.SetCourseValidity(ctx, admin, "induction", months(121)), "validity_months")
		wantCode(t, store.SetCourseValidity(ctx, trainee, "induction", months(6)), courses.Forbidden)
		// Another organisation's course is not there for it.
		wantCode(t, store.SetCourseValidity(ctx, outsider, "induction", months(6)), courses.NotFound)
	})
	for _, tc := range []struct {
		name   string
		months *int
		want   time.Duration // after issue; 0 for never
	}{
		{"Override6", months(6), 0},
		{"NeverExpires", months(0), -1},
		{"BackToCourse", nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := store.SetCourseValidity(ctx, admin, "induction", tc.months); err != nil {
				t.Fatal(err)
			}
			p := MustLearner(t, store, org.ID, strings.ToLower(tc.name)+"@example.org")
			c := MustIssue(t, store, MustFinish(t, store, p, "induction"))
			var want *time.Time
			switch {
			case tc.months == nil:
				w := c.IssuedAt.AddDate(0, 12, 0)
				want = &w
			case *tc.months > 0:
				w := c.IssuedAt.AddDate(0, *tc.months, 0)
				want = &w
			}
			if diff := cmp.Diff(want, c.ExpiresAt); diff != "" {
				t.Errorf("expires (-want +got):\n%s", diff)
			}
			clock.Advance(time.Minute)
		})
	}
}

// BenchmarkScanReminders times one day's scan of an organisation of 10,000 people with three
// assignments each (due in 1 day, in 5 days, and 10 days overdue), in teams of ten with a
// manager: 10,000 digests of three items and 1,000 managers' digests of ten escalations.
//
//	go test ./courses -run '^$' -bench ScanReminders -benchtime 3x
func BenchmarkScanReminders(b *testing.B) {
	l := mustReminderLab(b)
	db := testdb.Owner(l.store.DB())
	now := l.clock.Now()
	if _, err := db.Exec(`
		INSERT INTO people (org_id, email, name, password_hash, roles)
		SELECT $1, 'p' || i || '@example.org', 'Person ' || i, 'x', '{trainee}' FROM generate_series(1, 10000) i`, l.org.ID); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(`
		INSERT INTO teams (org_id, name) SELECT $1, 'Team ' || i FROM generate_series(0, 999) i`, l.org.ID); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(`
		INSERT INTO people (org_id, email, name, password_hash, roles)
		SELECT $1, 'm' || i || '@example.org', 'Manager ' || i, 'x', '{manager}' FROM generate_series(0, 999) i;`, l.org.ID); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(`
		INSERT INTO team_members (team_id, person_id, org_id, manager)
		SELECT t.id, p.id, $1, p.email LIKE 'm%'
		FROM people p JOIN teams t ON t.name = 'Team ' || (CASE WHEN p.email LIKE 'm%'
			THEN substring(p.email from 2 for position('@' in p.email) - 2)::int
			ELSE substring(p.email from 2 for position('@' in p.email) - 2)::int % 1000 END)
		WHERE p.org_id = $1`, l.org.ID); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(`
		INSERT INTO assignments (org_id, person_id, course_id, due_at)
		SELECT $1, p.id, c.id, $2::timestamptz + CASE c.slug WHEN 'a' THEN interval '1 day' WHEN 'b' THEN interval '5 days'
			ELSE interval '-10 days' END
		FROM people p CROSS JOIN courses c WHERE p.org_id = $1 AND p.email LIKE 'p%'`, l.org.ID, now); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(`ANALYZE`); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if _, err := db.Exec(`TRUNCATE reminders, digests, reminder_scans, notifications, unsubscribe_tokens, outbox`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res := l.scan(b, true)
		if res.Digests != 11000 || res.Reminders != 40000 {
			b.Fatalf("scan: got %+v, want 11000 digests of 40000 reminders", res)
		}
	}
}

// An assignment with recertification comes due again before the certificate expires; one without
// is done once completed.
func TestScanRemindersRecertification(t *testing.T) {
	t.Parallel()
	store, clock := MustStore(t)
	org := MustOrg(t, store, "riverside")
	MustImport(t, store, org.ID, tinyFS("induction", certFS("induction")))
	MustImport(t, store, org.ID, tinyFS("once", nil))
	sam := MustLearner(t, store, org.ID, "sam@example.org")
	MustAssign(t, store, sam, "induction", clock.Now().Add(24*time.Hour))
	MustAssign(t, store, sam, "once", clock.Now().Add(24*time.Hour))
	if _, err := testdb.Owner(store.DB()).Exec(`UPDATE assignments SET recert_months = 12
		WHERE course_id = (SELECT id FROM courses WHERE slug = 'induction')`); err != nil {
		t.Fatal(err)
	}
	cert := MustIssue(t, store, MustFinish(t, store, sam, "induction"))
	MustFinish(t, store, sam, "once")
	clock.Advance(cert.ExpiresAt.Sub(clock.Now()) - 5*24*time.Hour)
	l := &reminderLab{store: store, clock: clock, org: org}
	l.scan(t, false)
	got := titles(MustDigests(t, store)["sam@example.org"])
	want := []string{"assignment_due: Course induction", "required_certificate_expiring: Course induction"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Sam's digest (-want +got):\n%s", diff)
	}
}

// External training whose newest record expires within 30 days is mentioned once; expired
// training once a week until a newer record replaces it. Both are mandatory.
func TestScanRemindersExternalTraining(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := mustReminderLab(t) // Monday 2 March 2026, 09:00 UTC
	admin := MustLearner(t, l.store, l.org.ID, "admin@example.org", "org_admin")
	sam := MustLearner(t, l.store, l.org.ID, "sam@example.org")
	priya := MustLearner(t, l.store, l.org.ID, "priya@example.org")
	lee := MustLearner(t, l.store, l.org.ID, "lee@example.org")
	jo := MustLearner(t, l.store, l.org.ID, "jo@example.org")
	firstAid := MustTrainingType(t, l.store, admin, "First aid", intp(12))
	asist := MustTrainingType(t, l.store, admin, "ASIST", nil)
	cpr := MustTrainingType(t, l.store, admin, "CPR", intp(24))
	MustTrainingRecord(t, l.store, admin, sam.Person.ID, firstAid, "2025-03-20")   // expires in 18 days
	MustTrainingRecord(t, l.store, admin, sam.Person.ID, asist, "2020-01-01")      // never expires
	MustTrainingRecord(t, l.store, admin, priya.Person.ID, firstAid, "2025-02-10") // expired 20 days ago
	MustTrainingRecord(t, l.store, admin, lee.Person.ID, firstAid, "2024-01-05")   // expired, then renewed
	MustTrainingRecord(t, l.store, admin, lee.Person.ID, firstAid, "2026-01-05")
	MustTrainingRecord(t, l.store, admin, lee.Person.ID, cpr, "2024-04-15") // expires in 44 days
	MustTrainingRecord(t, l.store, admin, jo.Person.ID, cpr, "2024-03-02")  // expires today
	// Another organisation's person with training expiring: their digest, nobody else's.
	harbour := MustOrg(t, l.store, "harbour")
	harbourAdmin := MustLearner(t, l.store, harbour.ID, "admin@harbour.example", "org_admin")
	harbourAid := MustTrainingType(t, l.store, harbourAdmin, "Harbour first aid", intp(12))
	MustTrainingRecord(t, l.store, harbourAdmin, harbourAdmin.Person.ID, harbourAid, "2025-03-10")

	l.scan(t, false)
	digests := MustDigests(t, l.store)
	got := map[string][]string{}
	details := map[string]string{}
	for to, items := range digests {
		got[to] = titles(items)
		for _, it := range items {
			details[to] = it.Detail
			if it.Link != "http://peerpath.test/me/training" || it.Section != "Certificates to renew" {
				t.Errorf("%s's item %+v: want a link to their external training, under Certificates to renew", to, it)
			}
		}
	}
	want := map[string][]string{
		"sam@example.org":       {"training_expiring: First aid"},
		"priya@example.org":     {"training_expired: First aid"},
		"jo@example.org":        {"training_expired: CPR"},
		"admin@harbour.example": {"training_expiring: Harbour first aid"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("digests (-want +got):\n%s", diff)
	}
	for to, want := range map[string]string{
		"sam@example.org":   "expires on Friday 20 March",
		"priya@example.org": "expired on Tuesday 10 February (20 days ago)",
		"jo@example.org":    "expired today",
	} {
		if !strings.Contains(details[to], want) {
			t.Errorf("%s's detail: got %q, want it to say %q", to, details[to], want)
		}
	}

	t.Run("SameDaySendsNothing", func(t *testing.T) {
		if res := l.scan(t, true); res.Digests != 0 || res.Reminders != 0 {
			t.Errorf("scan again: got %+v, want nothing", res)
		}
	})
	t.Run("Mandatory", func(t *testing.T) {
		for _, kind := range []string{courses.KindTrainingExpiring, courses.KindTrainingExpired} {
			_, err := l.store.UpdateNotificationPreferences(ctx, sam, map[string]bool{kind: false})
			wantFields(t, err, "preferences."+kind)
		}
	})
	t.Run("AWeekLater", func(t *testing.T) {
		// Priya renews her first aid; Jo's CPR is now a week expired; Sam's expiry was mentioned.
		l.clock.Advance(7 * 24 * time.Hour)
		MustTrainingRecord(t, l.store, admin, priya.Person.ID, firstAid, "2026-03-05")
		before := map[int64]bool{}
		for _, row := range MustOutbox(t, l.store) {
			before[row.ID] = true
		}
		res := l.scan(t, false)
		if res.Digests != 1 || res.Reminders != 1 {
			t.Errorf("scan a week later: got %+v, want Jo's digest of 1", res)
		}
		var fresh []string
		for _, row := range MustOutbox(t, l.store) {
			if before[row.ID] || row.TaskType != courses.TaskEmailSend {
				continue
			}
			if e := MustEmail(t, row); e.Template == courses.TemplateDigest {
				var items []courses.DigestItem
				if err := json.Unmarshal([]byte(e.Data["items"]), &items); err != nil {
					t.Fatal(err)
				}
				fresh = append(fresh, e.To+" "+strings.Join(titles(items), ", "))
			}
		}
		if diff := cmp.Diff([]string{"jo@example.org training_expired: CPR"}, fresh); diff != "" {
			t.Errorf("new digests (-want +got):\n%s", diff)
		}
	})
}

// An expiry date is a day of the organisation's calendar: at 01:00 on 3 March in Auckland
// (12:00 on 2 March UTC), training that expires on 3 March has expired.
func TestScanRemindersExternalTrainingLocalDay(t *testing.T) {
	t.Parallel()
	l := mustReminderLab(t)
	if err := l.store.SetTimeZone(context.Background(), l.org.ID, "Pacific/Auckland"); err != nil {
		t.Fatal(err)
	}
	l.clock.Advance(3 * time.Hour)
	admin := MustLearner(t, l.store, l.org.ID, "admin@example.org", "org_admin")
	sam := MustLearner(t, l.store, l.org.ID, "sam@example.org")
	cpr := MustTrainingType(t, l.store, admin, "CPR", intp(24))
	MustTrainingRecord(t, l.store, admin, sam.Person.ID, cpr, "2024-03-03")
	l.scan(t, true)
	items := MustDigests(t, l.store)["sam@example.org"]
	if got := titles(items); !cmp.Equal(got, []string{"training_expired: CPR"}) || !strings.Contains(items[0].Detail, "expired today") {
		t.Errorf("Sam's digest: got %v (%+v), want CPR expired today", got, items)
	}
}

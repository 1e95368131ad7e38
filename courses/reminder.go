package courses

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	// Time zones are looked up by name; the binary carries the database so a server without
	// /usr/share/zoneinfo still sends digests at 08:00 local.
	_ "time/tzdata"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Reminder kinds: what a notification is about, and what a person may turn off.
const (
	KindAssignmentDue       = "assignment_due"
	KindAssignmentOverdue   = "assignment_overdue"
	KindStaffOverdue        = "staff_overdue"
	KindRequiredCertificate = "required_certificate_expiring"
	KindTrainingExpiring    = "training_expiring"
	KindTrainingExpired     = "training_expired"
	KindRoleplayTomorrow    = "roleplay_tomorrow"
	KindCertificateExpiring = "certificate_expiring"
)

// ReminderKind describes one kind of reminder to the person who receives it.
type ReminderKind struct {
	Kind        string
	Label       string
	Description string
	// Mandatory reminders are about training the organisation requires; they cannot be turned
	// off.
	Mandatory bool
	// Section heads the kind's items in a digest.
	Section string
}

// ReminderKinds lists every kind in the order digests and settings show them.
var ReminderKinds = []ReminderKind{
	{KindAssignmentDue, "Training coming due", "Training your organisation asked you to do, 7 days and 1 day before it is due.", true, "Your training"},
	{KindAssignmentOverdue, "Overdue training", "Required training that is past its due date, once a week until it is done.", true, "Your training"},
	{KindRequiredCertificate, "Required certificates to renew", "A certificate for required training that expires in the next 30 days.", true, "Certificates to renew"},
	{KindTrainingExpired, "Expired external training", "External training such as first aid whose certificate has expired, once a week until a new one is recorded.", true, "Certificates to renew"},
	{KindTrainingExpiring, "External training to renew", "External training such as first aid whose certificate expires in the next 30 days.", true, "Certificates to renew"},
	{KindStaffOverdue, "Your team's overdue training", "People you manage whose required training is more than a week overdue.", true, "Your team"},
	{KindRoleplayTomorrow, "Role-play sessions tomorrow", "A reminder the day before a role-play session you are invited to.", false, "Role-play practice"},
	{KindCertificateExpiring, "Other certificates to renew", "A certificate for a course you chose yourself that expires in the next 30 days.", false, "Certificates to renew"},
}

func reminderKind(kind string) (ReminderKind, bool) {
	for _, k := range ReminderKinds {
		if k.Kind == kind {
			return k, true
		}
	}
	return ReminderKind{}, false
}

// DigestHour is the local hour at which an organisation's daily digests go out.
const DigestHour = 8

// TemplateDigest is the email template of the daily digest.
const TemplateDigest = "digest"

// unsubscribeTTL is how long the link in a digest works.
const unsubscribeTTL = 90 * 24 * time.Hour

// DigestItem is one line of a digest. In the email payload Link is a full address; in the
// notification it is the app's path.
type DigestItem struct {
	Kind    string `json:"kind"`
	Section string `json:"section"`
	Title   string `json:"title"`
	Detail  string `json:"detail"`
	Link    string `json:"link"`
	key     string
	order   time.Time
	// invite is the calendar entry of a role-play session, sent again with the digest.
	invite *CalendarInvite
}

// ScanOptions change how ScanReminders picks organisations.
type ScanOptions struct {
	// Force scans every organisation now, whatever its local hour and whether it was scanned
	// today. Digests stay one per person and day.
	Force bool
}

// ScanResult counts what a scan did.
type ScanResult struct {
	Organisations int
	Digests       int
	Reminders     int
}

type scanOrgRow struct {
	ID       string `db:"id"`
	Name     string `db:"name"`
	TimeZone string `db:"time_zone"`
}

// ScanReminders finds what is due for every organisation whose local time is past its digest
// hour and that has not had today's digests, and writes one digest per person: the reminders by
// their unique keys, the in-app notifications and the email, in one transaction per person.
// Running it twice sends nothing new; an item found after a person's digest went out waits for
// the next day's.
func (s *Store) ScanReminders(ctx context.Context, opt ScanOptions) (ScanResult, error) {
	var res ScanResult
	now := s.Now()
	var orgs []scanOrgRow
	var scans []struct {
		OrgID string `db:"org_id"`
		Day   string `db:"local_day"`
	}
	// The scan spans every organisation: the system finds them and what was scanned already;
	// each organisation is then scanned in its own tenant transactions.
	err := s.sysTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM unsubscribe_tokens WHERE expires_at < $1`, now); err != nil {
			return dbError(err)
		}
		if err := tx.SelectContext(ctx, &orgs, `SELECT id, name, time_zone FROM organisations ORDER BY id`); err != nil {
			return dbError(err)
		}
		// Every organisation's local day is within a day of the UTC one.
		return dbError(tx.SelectContext(ctx, &scans, `
			SELECT org_id, to_char(local_day, 'YYYY-MM-DD') AS local_day FROM reminder_scans WHERE local_day >= $1::date`,
			civil(now).AddDate(0, 0, -1).Format(time.DateOnly)))
	})
	if err != nil {
		return res, err
	}
	done := make(map[string]bool, len(scans))
	for _, sc := range scans {
		done[sc.OrgID+"/"+sc.Day] = true
	}
	var errs []error
	for _, o := range orgs {
		loc := location(o.TimeZone)
		local := now.In(loc)
		day := civil(local).Format(time.DateOnly)
		if !opt.Force && (local.Hour() < DigestHour || done[o.ID+"/"+day]) {
			continue
		}
		d, r, err := s.scanOrg(ctx, o, now, loc)
		res.Digests += d
		res.Reminders += r
		if err != nil {
			// The other organisations still get their digests; the task retries this one.
			errs = append(errs, fmt.Errorf("reminders for organisation %s: %w", o.ID, err))
			continue
		}
		res.Organisations++
		if err := s.tx(ctx, o.ID, func(tx *sqlx.Tx) error {
			_, err := tx.ExecContext(ctx, `
				INSERT INTO reminder_scans (org_id, local_day, finished_at) VALUES ($1, $2, $3)
				ON CONFLICT (org_id, local_day) DO NOTHING`, o.ID, day, now)
			return dbError(err)
		}); err != nil {
			errs = append(errs, err)
		}
	}
	return res, errors.Join(errs...)
}

// location returns the named time zone, or UTC for one this build does not know.
func location(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// civil is t's calendar date, as midnight UTC, so that dates subtract to whole days whatever
// daylight saving does.
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func daysBetween(from, to time.Time) int { return int(civil(to).Sub(civil(from)).Hours() / 24) }

func formatDay(t time.Time) string { return t.Format("Monday 2 January") }

type scanPerson struct {
	ID    string         `db:"id"`
	Email string         `db:"email"`
	Name  string         `db:"name"`
	Roles pq.StringArray `db:"roles"`
}

// digestJob is one person's digest, waiting to be written.
type digestJob struct {
	person *scanPerson
	items  []DigestItem
}

// scanOrg writes the digests of one organisation and returns how many digests and reminders it
// wrote.
func (s *Store) scanOrg(ctx context.Context, o scanOrgRow, now time.Time, loc *time.Location) (int, int, error) {
	var jobs []digestJob
	// The reads share one transaction; the digests are written each in its own, below.
	if err := s.tx(ctx, o.ID, func(tx *sqlx.Tx) error {
		var err error
		jobs, err = s.collectDigests(ctx, tx, o, now, loc)
		return err
	}); err != nil {
		return 0, 0, err
	}
	local := now.In(loc)

	// Each person's digest is its own transaction; a few run at once, as each spends most of its
	// time waiting for its commit.
	var (
		mu                 sync.Mutex
		digests, reminders int
		firstErr           error
		wg                 sync.WaitGroup
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan digestJob)
	for range digestWriters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				n, err := s.writeDigest(ctx, o, j.person, j.items, now, local)
				mu.Lock()
				switch {
				case err != nil && firstErr == nil:
					firstErr = fmt.Errorf("digest for %s: %w", j.person.ID, err)
					cancel()
				case err == nil && n > 0:
					digests++
					reminders += n
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, j := range jobs {
		select {
		case next <- j:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	return digests, reminders, firstErr
}

// collectDigests reads in tx what is due for the people of one organisation and returns their
// digests, each person's items filtered by their preferences and sorted.
func (s *Store) collectDigests(ctx context.Context, tx *sqlx.Tx, o scanOrgRow, now time.Time, loc *time.Location) ([]digestJob, error) {
	local := now.In(loc)
	y, m, d := local.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, loc)
	tomorrow := today.AddDate(0, 0, 1)

	var people []scanPerson
	if err := tx.SelectContext(ctx, &people, `
		SELECT id, email, name, roles FROM people WHERE org_id = $1 AND active ORDER BY id`, o.ID); err != nil {
		return nil, dbError(err)
	}
	byID := make(map[string]*scanPerson, len(people))
	var admins []string
	for i := range people {
		p := &people[i]
		byID[p.ID] = p
		if slices.Contains(p.Roles, string(RoleOrgAdmin)) {
			admins = append(admins, p.ID)
		}
	}
	items := map[string][]DigestItem{}
	add := func(personID string, it DigestItem) {
		if _, ok := byID[personID]; ok {
			items[personID] = append(items[personID], it)
		}
	}

	// Assignments due within a week, or overdue, and not done: never completed, or (with
	// recertification) their next cycle coming due. assignment_due says when each is due.
	var due []struct {
		ID       string    `db:"id"`
		PersonID string    `db:"person_id"`
		DueAt    time.Time `db:"due_at"`
		Slug     string    `db:"slug"`
		Title    string    `db:"title"`
	}
	if err := tx.SelectContext(ctx, &due, `
		SELECT a.id, a.person_id, a.due_at, c.slug,
			COALESCE((SELECT v.content->>'title' FROM course_versions v WHERE v.course_id = c.id
				ORDER BY v.version DESC LIMIT 1), c.slug) AS title
		FROM assignment_due a JOIN courses c ON c.id = a.course_id
		WHERE a.org_id = $1 AND a.due_at IS NOT NULL AND a.due_at < $2
			AND (a.last_completed_at IS NULL OR (a.recert_months IS NOT NULL AND a.due_at > a.last_completed_at))
		ORDER BY a.due_at, a.id`, o.ID, today.AddDate(0, 0, 8)); err != nil {
		return nil, dbError(err)
	}
	overdueStaff := map[string][]DigestItem{} // staff id → escalation items
	for _, a := range due {
		dueLocal := a.DueAt.In(loc)
		left := daysBetween(local, dueLocal)
		dueDay := civil(dueLocal).Format(time.DateOnly)
		link := "/learn/" + a.Slug
		switch {
		case !a.DueAt.After(now):
			late := daysBetween(dueLocal, local)
			// Overdue training is mentioned once a week, not every day: a daily nag is the
			// complaint people have about reminders.
			when := "today"
			if late > 0 {
				when = fmt.Sprintf("on %s (%s ago)", formatDay(dueLocal), plural(late, "day"))
			}
			add(a.PersonID, DigestItem{Kind: KindAssignmentOverdue, Title: a.Title,
				Detail: "Was due " + when + ". It's not too late to finish it.",
				Link:   link, key: fmt.Sprintf("assignment:%s:overdue:%s:w%d", a.ID, dueDay, late/7), order: a.DueAt})
			if p, ok := byID[a.PersonID]; ok && late >= 7 {
				overdueStaff[a.PersonID] = append(overdueStaff[a.PersonID], DigestItem{Kind: KindStaffOverdue,
					Title:  p.Name + ": " + a.Title,
					Detail: fmt.Sprintf("Overdue by %s (due %s).", plural(late, "day"), formatDay(dueLocal)),
					Link:   "/org/completion", key: fmt.Sprintf("assignment:%s:escalation:%s:w%d", a.ID, dueDay, late/7),
					order: a.DueAt})
			}
		case left >= 2:
			add(a.PersonID, DigestItem{Kind: KindAssignmentDue, Title: a.Title,
				Detail: fmt.Sprintf("Due in %d days, on %s.", left, formatDay(dueLocal)), Link: link,
				key: fmt.Sprintf("assignment:%s:due_7d:%s", a.ID, dueDay), order: a.DueAt})
		case left >= 0:
			when := "tomorrow"
			if left == 0 {
				when = "today"
			}
			add(a.PersonID, DigestItem{Kind: KindAssignmentDue, Title: a.Title,
				Detail: fmt.Sprintf("Due %s, %s.", when, formatDay(dueLocal)), Link: link,
				key: fmt.Sprintf("assignment:%s:due_1d:%s", a.ID, dueDay), order: a.DueAt})
		}
	}

	// Escalation: to the managers of the teams the person is in, else to the org admins.
	if len(overdueStaff) > 0 {
		staff := make([]string, 0, len(overdueStaff))
		for id := range overdueStaff {
			staff = append(staff, id)
		}
		var links []struct {
			Staff   string `db:"staff_id"`
			Manager string `db:"manager_id"`
		}
		if err := tx.SelectContext(ctx, &links, `
			SELECT DISTINCT tm.person_id AS staff_id, m.person_id AS manager_id
			FROM team_members tm
			JOIN team_members m ON m.team_id = tm.team_id AND m.manager AND m.person_id <> tm.person_id
			WHERE tm.org_id = $1 AND tm.person_id = ANY($2)`, o.ID, pq.StringArray(staff)); err != nil {
			return nil, dbError(err)
		}
		managers := map[string][]string{}
		for _, l := range links {
			if _, active := byID[l.Manager]; active {
				managers[l.Staff] = append(managers[l.Staff], l.Manager)
			}
		}
		for _, id := range staff {
			to := managers[id]
			if len(to) == 0 {
				to = admins
			}
			for _, m := range to {
				if m == id {
					continue
				}
				for _, it := range overdueStaff[id] {
					add(m, it)
				}
			}
		}
	}

	// Role-play sessions tomorrow, in the organisation's day.
	var sessions []struct {
		ID       string    `db:"id"`
		PersonID string    `db:"person_id"`
		Title    string    `db:"title"`
		StartsAt time.Time `db:"starts_at"`
		TimeZone string    `db:"time_zone"`
		Minutes  int       `db:"duration_minutes"`
		Trainer  string    `db:"trainer_name"`
		Email    string    `db:"trainer_email"`
	}
	if err := tx.SelectContext(ctx, &sessions, `
		SELECT s.id, i.person_id, s.title, s.starts_at, s.time_zone, s.duration_minutes,
			t.name AS trainer_name, t.email AS trainer_email
		FROM roleplay_invitees i JOIN roleplay_sessions s ON s.id = i.session_id JOIN people t ON t.id = s.trainer_id
		WHERE s.org_id = $1 AND s.cancelled_at IS NULL AND s.ended_at IS NULL
			AND s.starts_at >= $2 AND s.starts_at < $3
		ORDER BY s.starts_at, s.id`, o.ID, tomorrow, tomorrow.AddDate(0, 0, 1)); err != nil {
		return nil, dbError(err)
	}
	for _, r := range sessions {
		sloc := location(r.TimeZone)
		at := r.StartsAt.In(sloc).Format("Monday 2 January at 15:04")
		if sloc.String() != loc.String() {
			at += " (" + r.StartsAt.In(sloc).Format("MST") + ")"
		}
		link := s.link("/roleplay/" + r.ID)
		// The same UID and sequence as the invitation: a calendar that has it already keeps one
		// entry, and one that lost it gets it back.
		inv := &CalendarInvite{UID: "roleplay-" + r.ID + "@peerpath", Method: "REQUEST", Summary: r.Title,
			Description: "Live role-play practice with " + r.Trainer + ". Join it here: " + link, URL: link,
			StartsAt: r.StartsAt.UTC(), EndsAt: r.StartsAt.Add(time.Duration(r.Minutes) * time.Minute).UTC(),
			TimeZone: r.TimeZone, OrganizerName: r.Trainer, OrganizerEmail: r.Email, Stamp: now}
		add(r.PersonID, DigestItem{Kind: KindRoleplayTomorrow, Title: r.Title, Detail: "Starts " + at + ".",
			Link: "/roleplay/" + r.ID, key: fmt.Sprintf("roleplay:%s:tomorrow:%s", r.ID, civil(tomorrow).Format(time.DateOnly)),
			order: r.StartsAt, invite: inv})
	}

	// Certificates expiring in the next 30 days that no newer cycle replaced.
	var certs []struct {
		ID        string    `db:"id"`
		PersonID  string    `db:"person_id"`
		Slug      string    `db:"course_slug"`
		Title     string    `db:"course_title"`
		ExpiresAt time.Time `db:"expires_at"`
		Assigned  bool      `db:"assigned"`
	}
	if err := tx.SelectContext(ctx, &certs, `
		SELECT c.id, c.person_id, c.course_slug, c.course_title, c.expires_at,
			EXISTS (SELECT 1 FROM assignments a WHERE a.person_id = c.person_id AND a.course_id = c.course_id) AS assigned
		FROM certificates c
		WHERE c.org_id = $1 AND c.revoked_at IS NULL AND c.expires_at > $2 AND c.expires_at <= $3
			AND NOT EXISTS (SELECT 1 FROM certificates n
				WHERE n.person_id = c.person_id AND n.course_id = c.course_id AND n.cycle > c.cycle)
		ORDER BY c.expires_at, c.id`, o.ID, now, now.Add(30*24*time.Hour)); err != nil {
		return nil, dbError(err)
	}
	for _, c := range certs {
		kind := KindCertificateExpiring
		if c.Assigned {
			kind = KindRequiredCertificate
		}
		exp := c.ExpiresAt.In(loc)
		add(c.PersonID, DigestItem{Kind: kind, Title: c.Title,
			Detail: fmt.Sprintf("Your certificate expires on %s. Take the course again to renew it.", formatDay(exp)),
			Link:   "/learn/" + c.Slug, key: fmt.Sprintf("certificate:%s:expiring_30d", c.ID), order: c.ExpiresAt})
	}

	// External training (first aid, ASIST…) whose newest record expires in the next 30 days of
	// the organisation's calendar, or has expired: a record replaced by a newer one of the same
	// type is done with. Expiry dates are whole days, so this counts in local days.
	var records []struct {
		ID        string `db:"id"`
		PersonID  string `db:"person_id"`
		Name      string `db:"name"`
		ExpiresOn string `db:"expires_on"`
	}
	day := civil(local)
	if err := tx.SelectContext(ctx, &records, `
		SELECT r.id, r.person_id, t.name, to_char(r.expires_on, 'YYYY-MM-DD') AS expires_on
		FROM (SELECT DISTINCT ON (person_id, training_type_id) id, person_id, training_type_id, expires_on
			FROM training_records WHERE org_id = $1
			ORDER BY person_id, training_type_id, completed_on DESC, created_at DESC, id DESC) r
		JOIN training_types t ON t.id = r.training_type_id
		WHERE r.expires_on <= $2::date
		ORDER BY r.expires_on, r.id`, o.ID, day.AddDate(0, 0, 30).Format(time.DateOnly)); err != nil {
		return nil, dbError(err)
	}
	for _, r := range records {
		exp, err := time.Parse(time.DateOnly, r.ExpiresOn)
		if err != nil {
			return nil, fmt.Errorf("training record %s expiry %q: %w", r.ID, r.ExpiresOn, err)
		}
		const renew = " Record your new certificate in Peerpath once you have renewed it."
		if exp.After(day) {
			add(r.PersonID, DigestItem{Kind: KindTrainingExpiring, Title: r.Name,
				Detail: fmt.Sprintf("Your certificate expires on %s.", formatDay(exp)) + renew,
				Link:   "/me/training", key: fmt.Sprintf("training:%s:expiring_30d", r.ID), order: exp})
			continue
		}
		// Like overdue training, expired training is mentioned once a week, not every day.
		late := daysBetween(exp, day)
		when := "today"
		if late > 0 {
			when = fmt.Sprintf("on %s (%s ago)", formatDay(exp), plural(late, "day"))
		}
		add(r.PersonID, DigestItem{Kind: KindTrainingExpired, Title: r.Name,
			Detail: "Your certificate expired " + when + "." + renew,
			Link:   "/me/training", key: fmt.Sprintf("training:%s:expired:w%d", r.ID, late/7), order: exp})
	}

	if len(items) == 0 {
		return nil, nil
	}
	var off []struct {
		PersonID string `db:"person_id"`
		Kind     string `db:"kind"`
	}
	if err := tx.SelectContext(ctx, &off, `
		SELECT person_id, kind FROM notification_preferences WHERE org_id = $1 AND NOT enabled`, o.ID); err != nil {
		return nil, dbError(err)
	}
	optedOut := map[string]bool{}
	for _, p := range off {
		if k, ok := reminderKind(p.Kind); ok && !k.Mandatory {
			optedOut[p.PersonID+"/"+p.Kind] = true
		}
	}

	var jobs []digestJob
	for i := range people {
		p := &people[i]
		var list []DigestItem
		for _, it := range items[p.ID] {
			if !optedOut[p.ID+"/"+it.Kind] {
				list = append(list, it)
			}
		}
		if len(list) > 0 {
			sortItems(list)
			jobs = append(jobs, digestJob{p, list})
		}
	}
	return jobs, nil
}

// digestWriters is how many digests a scan writes at once.
const digestWriters = 4

// sortItems puts items in the order of their kinds, soonest first within a kind, and fills in
// their sections.
func sortItems(items []DigestItem) {
	rank := map[string]int{}
	for i, k := range ReminderKinds {
		rank[k.Kind] = i
	}
	// Sections are shown in the order they first appear, so kinds that share a section stay
	// together.
	sectionRank := map[string]int{}
	for _, k := range ReminderKinds {
		if _, ok := sectionRank[k.Section]; !ok {
			sectionRank[k.Section] = len(sectionRank)
		}
	}
	for i := range items {
		k, _ := reminderKind(items[i].Kind)
		items[i].Section = k.Section
	}
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if sa, sb := sectionRank[a.Section], sectionRank[b.Section]; sa != sb {
			return sa < sb
		}
		if a.Kind != b.Kind {
			return rank[a.Kind] < rank[b.Kind]
		}
		return a.order.Before(b.order)
	})
}

var errNoDigest = errors.New("no digest")

// writeDigest records the person's reminders that are new and, if there are any, writes the
// digest, its notifications and its email in one transaction. It returns how many reminders the
// digest holds (0 when the person already had today's digest or nothing was new).
func (s *Store) writeDigest(ctx context.Context, o scanOrgRow, p *scanPerson, items []DigestItem, now, local time.Time) (int, error) {
	kept := 0
	err := s.tx(ctx, o.ID, func(tx *sqlx.Tx) error {
		var digestID int64
		err := tx.GetContext(ctx, &digestID, `
			INSERT INTO digests (org_id, person_id, local_day, items, created_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (person_id, local_day) DO NOTHING RETURNING id`, o.ID, p.ID, civil(local), len(items), now)
		if errors.Is(err, sql.ErrNoRows) {
			return errNoDigest
		}
		if err != nil {
			return dbError(err)
		}
		keys := make([]string, len(items))
		kinds := make([]string, len(items))
		for i, it := range items {
			keys[i], kinds[i] = it.key, it.Kind
		}
		var inserted []string
		if err := tx.SelectContext(ctx, &inserted, `
			INSERT INTO reminders (person_id, key, org_id, kind, digest_id, created_at)
			SELECT $1, u.key, $2, u.kind, $3, $4 FROM unnest($5::text[], $6::text[]) AS u(key, kind)
			ON CONFLICT (person_id, key) DO NOTHING RETURNING key`,
			p.ID, o.ID, digestID, now, pq.StringArray(keys), pq.StringArray(kinds)); err != nil {
			return dbError(err)
		}
		fresh := make(map[string]bool, len(inserted))
		for _, k := range inserted {
			fresh[k] = true
		}
		var list []DigestItem
		for _, it := range items {
			if fresh[it.key] {
				list = append(list, it)
			}
		}
		if len(list) == 0 {
			return errNoDigest
		}
		if _, err := tx.ExecContext(ctx, `UPDATE digests SET items = $2 WHERE id = $1`, digestID, len(list)); err != nil {
			return dbError(err)
		}
		token, hash, err := NewToken()
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO unsubscribe_tokens (token_hash, person_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
			hash, p.ID, now, now.Add(unsubscribeTTL)); err != nil {
			return dbError(err)
		}
		var titles, bodies, links, nkinds []string
		for _, it := range list {
			titles = append(titles, shorten(it.Title, 300))
			bodies = append(bodies, shorten(it.Detail, 2000))
			links = append(links, it.Link)
			nkinds = append(nkinds, it.Kind)
		}
		// The bell lists newest first; each item is a microsecond older than the one before, so
		// the bell keeps the digest's order.
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO notifications (org_id, person_id, kind, title, body, link, created_at)
			SELECT $1, $2, u.kind, u.title, u.body, u.link, $3::timestamptz - (u.n * interval '1 microsecond')
			FROM unnest($4::text[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS u(kind, title, body, link, n)`,
			o.ID, p.ID, now, pq.StringArray(nkinds), pq.StringArray(titles), pq.StringArray(bodies), pq.StringArray(links)); err != nil {
			return dbError(err)
		}
		mailItems := make([]DigestItem, len(list))
		for i, it := range list {
			mailItems[i] = it
			mailItems[i].Link = s.link(it.Link)
		}
		b, err := json.Marshal(mailItems)
		if err != nil {
			return fmt.Errorf("digest items: %w", err)
		}
		kept = len(list)
		// An email carries one calendar entry: the earliest session tomorrow. A second session the
		// same day is still listed, with its link.
		var invite *CalendarInvite
		for _, it := range list {
			if it.invite != nil {
				inv := *it.invite
				inv.AttendeeName, inv.AttendeeEmail = p.Name, p.Email
				invite = &inv
				break
			}
		}
		return addOutbox(ctx, tx, TaskEmailSend, o.ID, Email{
			Invite: invite,
			Key:    fmt.Sprintf("digest:%d", digestID), To: p.Email, ToName: p.Name, Template: TemplateDigest, OrgName: o.Name,
			Data: map[string]string{
				"items":         string(b),
				"count":         strconv.Itoa(len(list)),
				"day":           formatDay(local),
				"unsubscribe":   s.link("/unsubscribe/" + token),
				"preferences":   s.link("/notifications/settings"),
				"notifications": s.link("/notifications"),
			}})
	})
	if errors.Is(err, errNoDigest) {
		return 0, nil
	}
	return kept, err
}

// shorten cuts s to at most n characters, at a character boundary.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// SetTimeZone sets the IANA time zone an organisation's digests follow.
func (s *Store) SetTimeZone(ctx context.Context, orgID, tz string) error {
	tz = strings.TrimSpace(tz)
	if _, err := time.LoadLocation(tz); err != nil || tz == "" || tz == "Local" || len(tz) > 64 {
		return FieldError("time_zone", "Use a time zone name like Pacific/Auckland or Europe/London.")
	}
	return s.tx(ctx, orgID, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE organisations SET time_zone = $2 WHERE id = $1`, orgID, tz)
		if err != nil {
			return dbError(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return Errorf(NotFound, "There is no such organisation.")
		}
		return nil
	})
}

// ---------------------------------------------------------------- preferences

// NotificationPreference is one kind of reminder and whether a person receives it.
type NotificationPreference struct {
	Kind        string `json:"kind"`
	Label       string `json:"label"`
	Description string `json:"description"`
	Mandatory   bool   `json:"mandatory"`
	Enabled     bool   `json:"enabled"`
}

func (s *Store) preferences(ctx context.Context, q sqlx.QueryerContext, personID string) ([]NotificationPreference, error) {
	var off []string
	if err := sqlx.SelectContext(ctx, q, &off, `
		SELECT kind FROM notification_preferences WHERE person_id = $1 AND NOT enabled`, personID); err != nil {
		return nil, dbError(err)
	}
	out := make([]NotificationPreference, 0, len(ReminderKinds))
	for _, k := range ReminderKinds {
		out = append(out, NotificationPreference{Kind: k.Kind, Label: k.Label, Description: k.Description,
			Mandatory: k.Mandatory, Enabled: k.Mandatory || !slices.Contains(off, k.Kind)})
	}
	return out, nil
}

func needOrg(p *Principal) error {
	if p.Organisation == nil {
		return Errorf(NotFound, "Reminders are for people who belong to an organisation.")
	}
	return nil
}

// FindNotificationPreferences lists every kind of reminder and whether p receives it.
func (s *Store) FindNotificationPreferences(ctx context.Context, p *Principal) ([]NotificationPreference, error) {
	if err := needOrg(p); err != nil {
		return nil, err
	}
	var out []NotificationPreference
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		var err error
		out, err = s.preferences(ctx, tx, p.Person.ID)
		return err
	})
	return out, err
}

// UpdateNotificationPreferences turns kinds of reminder on or off for p. Mandatory kinds may be
// sent as on (no change) but never off; unknown kinds are refused. Nothing changes unless every
// entry is valid.
func (s *Store) UpdateNotificationPreferences(ctx context.Context, p *Principal, changes map[string]bool) ([]NotificationPreference, error) {
	if err := needOrg(p); err != nil {
		return nil, err
	}
	f := Fields{}
	for kind, on := range changes {
		k, ok := reminderKind(kind)
		switch {
		case !ok:
			f.Add("preferences."+kind, "There is no reminder of this kind.")
		case k.Mandatory && !on:
			f.Add("preferences."+kind, "This reminder is about training your organisation requires, so it can't be turned off.")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var out []NotificationPreference
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		if err := setPreferences(ctx, tx, p.OrgID(), p.Person.ID, changes, s.Now()); err != nil {
			return err
		}
		var err error
		out, err = s.preferences(ctx, tx, p.Person.ID)
		return err
	})
	return out, err
}

func setPreferences(ctx context.Context, tx *sqlx.Tx, orgID, personID string, changes map[string]bool, now time.Time) error {
	for kind, on := range changes {
		if k, _ := reminderKind(kind); k.Mandatory {
			continue
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO notification_preferences (person_id, kind, org_id, enabled, updated_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (person_id, kind) DO UPDATE SET enabled = EXCLUDED.enabled, updated_at = EXCLUDED.updated_at`,
			personID, kind, orgID, on, now); err != nil {
			return dbError(err)
		}
	}
	return nil
}

// unsubscriber finds the person an unsubscribe link belongs to, and their organisation.
func (s *Store) unsubscriber(ctx context.Context, token string) (personID, orgID string, err error) {
	var row struct {
		PersonID string `db:"person_id"`
		OrgID    string `db:"org_id"`
	}
	// The link comes from an email, before anyone's organisation is known.
	err = s.sysTx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &row, `
			SELECT t.person_id, p.org_id FROM unsubscribe_tokens t JOIN people p ON p.id = t.person_id
			WHERE t.token_hash = $1 AND t.expires_at > $2 AND p.active AND p.org_id IS NOT NULL`, HashToken(token), s.Now())
	})
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", Errorf(NotFound, "This link is not valid any more. You can change your reminders in Peerpath's settings.")
	}
	return row.PersonID, row.OrgID, dbError(err)
}

// FindUnsubscribe returns the reminder settings of the person an unsubscribe link belongs to.
func (s *Store) FindUnsubscribe(ctx context.Context, token string) ([]NotificationPreference, error) {
	personID, orgID, err := s.unsubscriber(ctx, token)
	if err != nil {
		return nil, err
	}
	var out []NotificationPreference
	err = s.tx(ctx, orgID, func(tx *sqlx.Tx) error {
		out, err = s.preferences(ctx, tx, personID)
		return err
	})
	return out, err
}

// Unsubscribe turns off every optional reminder for the person an unsubscribe link belongs to.
// Doing it twice is fine.
func (s *Store) Unsubscribe(ctx context.Context, token string) ([]NotificationPreference, error) {
	personID, orgID, err := s.unsubscriber(ctx, token)
	if err != nil {
		return nil, err
	}
	changes := map[string]bool{}
	for _, k := range ReminderKinds {
		if !k.Mandatory {
			changes[k.Kind] = false
		}
	}
	var out []NotificationPreference
	err = s.tx(ctx, orgID, func(tx *sqlx.Tx) error {
		if err := setPreferences(ctx, tx, orgID, personID, changes, s.Now()); err != nil {
			return err
		}
		out, err = s.preferences(ctx, tx, personID)
		return err
	})
	return out, err
}

// ---------------------------------------------------------------- notifications

// Notification is one item in a person's bell.
type Notification struct {
	ID        string     `db:"id" json:"id"`
	Kind      string     `db:"kind" json:"kind"`
	Title     string     `db:"title" json:"title"`
	Body      string     `db:"body" json:"body"`
	Link      string     `db:"link" json:"link"`
	CreatedAt time.Time  `db:"created_at" json:"created_at"`
	ReadAt    *time.Time `db:"read_at" json:"read_at"`
}

// FindNotifications returns one page of p's notifications, newest first, and how many are
// unread.
func (s *Store) FindNotifications(ctx context.Context, p *Principal, page Page) (items []Notification, next string, unread int, err error) {
	cur, err := page.decode()
	if err != nil {
		return nil, "", 0, err
	}
	err = s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		if err := tx.SelectContext(ctx, &items, `
			SELECT id, kind, title, body, link, created_at, read_at FROM notifications
			WHERE person_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3::uuid))
			ORDER BY created_at DESC, id DESC LIMIT $4`, p.Person.ID, cur.At, cur.ID, page.Limit+1); err != nil {
			return dbError(err)
		}
		return dbError(tx.GetContext(ctx, &unread, `
			SELECT count(*) FROM notifications WHERE person_id = $1 AND read_at IS NULL`, p.Person.ID))
	})
	if err != nil {
		return nil, "", 0, err
	}
	items, next = cutPage(items, page.Limit, func(last Notification) string { return encodeCursor(last.CreatedAt, last.ID) })
	for i := range items {
		items[i].CreatedAt = items[i].CreatedAt.UTC()
		if items[i].ReadAt != nil {
			t := items[i].ReadAt.UTC()
			items[i].ReadAt = &t
		}
	}
	return items, next, unread, nil
}

// MarkNotificationsRead marks p's notifications with ids, or all of them, as read, and returns
// how many stay unread. Ids of other people's notifications change nothing.
func (s *Store) MarkNotificationsRead(ctx context.Context, p *Principal, ids []string, all bool) (int, error) {
	if !all {
		if len(ids) == 0 {
			return 0, FieldError("ids", "Choose which notifications to mark as read, or send all: true.")
		}
		if len(ids) > MaxPageSize {
			return 0, FieldError("ids", "Send at most 100 ids at a time.")
		}
		for _, id := range ids {
			if _, err := uuid.Parse(id); err != nil {
				return 0, FieldError("ids", "Every id must be a notification id.")
			}
		}
	}
	var unread int
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `
			UPDATE notifications SET read_at = $2
			WHERE person_id = $1 AND read_at IS NULL AND ($3 OR id = ANY($4::uuid[]))`,
			p.Person.ID, s.Now(), all, pq.StringArray(ids)); err != nil {
			return dbError(err)
		}
		return dbError(tx.GetContext(ctx, &unread, `
			SELECT count(*) FROM notifications WHERE person_id = $1 AND read_at IS NULL`, p.Person.ID))
	})
	return unread, err
}

// ---------------------------------------------------------------- certificate period

// SetCourseValidity sets how many months the organisation's certificates for a course stay
// valid (0: they do not expire), or with nil goes back to the course's own period. It applies to
// certificates issued from now on.
func (s *Store) SetCourseValidity(ctx context.Context, p *Principal, slug string, months *int) error {
	if !p.Person.HasRole(RoleOrgAdmin) || p.Organisation == nil {
		return Errorf(Forbidden, "Only an organisation admin can change how long certificates last.")
	}
	if months != nil && (*months < 0 || *months > 120) {
		return FieldError("validity_months", "Use a number of months from 0 (never expires) to 120.")
	}
	return s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		k, err := s.resolveCourse(ctx, tx, p.OrgID(), slug)
		if err != nil {
			return err
		}
		if months == nil {
			_, err := tx.ExecContext(ctx, `DELETE FROM org_course_settings WHERE org_id = $1 AND course_id = $2`, p.OrgID(), k.CourseID)
			return dbError(err)
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO org_course_settings (org_id, course_id, validity_months, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (org_id, course_id) DO UPDATE
			SET validity_months = EXCLUDED.validity_months, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
			p.OrgID(), k.CourseID, *months, p.Person.ID, s.Now())
		return dbError(err)
	})
}

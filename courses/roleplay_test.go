package courses_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"peerpath/courses"
	"peerpath/courses/content"
	"peerpath/migrations/testdb"
)

// roleplayLab is an organisation ready for role-play: a trainer, a second trainer, an org admin,
// three trainees (names sort as their emails do), a team of two trainees and the trainer, and a
// second organisation with a trainee and a team.
type roleplayLab struct {
	store                    *courses.Store
	clock                    *fakeClock
	org                      *courses.Organisation
	trainer, trainer2, admin *courses.Principal
	amy, ben, cal            *courses.Principal
	team                     string
	other                    *courses.Principal // of harbour
	otherAdmin               *courses.Principal
	otherTeam                string
}

func mustRoleplayLab(tb testing.TB) *roleplayLab {
	tb.Helper()
	store, clock := MustStore(tb)
	lib, err := content.Load(content.Shipped)
	if err != nil {
		tb.Fatal(err)
	}
	store.RoleplayKit = courses.RoleplayKit{Cards: lib.Cards, Criteria: lib.Criteria}
	org := MustOrg(tb, store, "riverside")
	harbour := MustOrg(tb, store, "harbour")
	l := &roleplayLab{store: store, clock: clock, org: org,
		trainer:    MustLearner(tb, store, org.ID, "trainer@riverside.example", "trainer"),
		trainer2:   MustLearner(tb, store, org.ID, "trainer2@riverside.example", "trainer", "trainee"),
		admin:      MustLearner(tb, store, org.ID, "admin@riverside.example", "org_admin"),
		amy:        MustLearner(tb, store, org.ID, "amy@riverside.example"),
		ben:        MustLearner(tb, store, org.ID, "ben@riverside.example"),
		cal:        MustLearner(tb, store, org.ID, "cal@riverside.example"),
		other:      MustLearner(tb, store, harbour.ID, "noah@harbour.example"),
		otherAdmin: MustLearner(tb, store, harbour.ID, "admin@harbour.example", "org_admin"),
	}
	l.team = mustTeam(tb, store, org.ID, "Evening crew", l.ben.Person.ID, l.cal.Person.ID, l.trainer.Person.ID)
	l.otherTeam = mustTeam(tb, store, harbour.ID, "Harbour crew", l.other.Person.ID)
	return l
}

// mustTeam adds a team of people to an organisation.
func mustTeam(tb testing.TB, store *courses.Store, orgID, name string, people ...string) string {
	tb.Helper()
	var id string
	if err := testdb.Owner(store.DB()).Get(&id, `INSERT INTO teams (org_id, name) VALUES ($1, $2) RETURNING id`, orgID, name); err != nil {
		tb.Fatal(err)
	}
	for _, p := range people {
		if _, err := testdb.Owner(store.DB()).Exec(`INSERT INTO team_members (team_id, person_id, org_id) VALUES ($1, $2, $3)`, id, p, orgID); err != nil {
			tb.Fatal(err)
		}
	}
	return id
}

func intp(n int) *int { return &n }

// input is a valid session a week ahead: 10:00 on 9 March in Auckland.
func (l *roleplayLab) input(people ...*courses.Principal) courses.RoleplaySessionInput {
	in := courses.RoleplaySessionInput{Title: "Boundaries practice", StartsAt: "2026-03-09T10:00:00+13:00",
		TimeZone: "Pacific/Auckland", DurationMinutes: 90, CardIDs: []string{"RP-01", "RP-02"}}
	for _, p := range people {
		in.PersonIDs = append(in.PersonIDs, p.Person.ID)
	}
	return in
}

func mustSchedule(tb testing.TB, l *roleplayLab, p *courses.Principal, in courses.RoleplaySessionInput) *courses.RoleplaySessionDetail {
	tb.Helper()
	d, err := l.store.CreateRoleplaySession(context.Background(), p, in)
	if err != nil {
		tb.Fatalf("schedule: %v", err)
	}
	return d
}

func names(ps []courses.RoleplayPerson) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func TestCreateRoleplaySession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := mustRoleplayLab(t)

	t.Run("OK", func(t *testing.T) {
		in := l.input(l.amy)
		in.TeamIDs = []string{l.team}
		in.TranscriptAllowed = true
		d := mustSchedule(t, l, l.trainer, in)
		start := time.Date(2026, 3, 8, 21, 0, 0, 0, time.UTC)
		want := courses.RoleplaySessionSummary{ID: d.ID, Title: "Boundaries practice", StartsAt: start,
			EndsAt: start.Add(90 * time.Minute), TimeZone: "Pacific/Auckland", State: "scheduled",
			Trainer: courses.RoleplayPerson{ID: l.trainer.Person.ID, Name: l.trainer.Person.Name}, InviteeCount: 3, YouAre: "trainer"}
		if diff := cmp.Diff(want, d.RoleplaySessionSummary); diff != "" {
			t.Errorf("summary (-want +got):\n%s", diff)
		}
		// The team's trainer runs the session rather than being invited to it.
		if diff := cmp.Diff([]string{"Person amy@riverside.example", "Person ben@riverside.example", "Person cal@riverside.example"},
			names(d.Invitees)); diff != "" {
			t.Errorf("invitees (-want +got):\n%s", diff)
		}
		if d.PracticeSeconds != 600 || d.FeedbackSeconds != 180 || !d.TranscriptAllowed || d.DurationMinutes != 90 {
			t.Errorf("got practice %d, feedback %d, transcript %v, duration %d; want the defaults 600, 180, true, 90",
				d.PracticeSeconds, d.FeedbackSeconds, d.TranscriptAllowed, d.DurationMinutes)
		}
		if len(d.Cards) != 2 || d.Cards[0].ID != "RP-01" || d.Cards[0].Shared == "" || len(d.Cards[0].Rubric) == 0 {
			t.Errorf("cards: got %+v, want RP-01 and RP-02 with their shared situation and rubric titles", d.Cards)
		}
		// The snapshot holds the cards with briefs and exactly the criteria they use.
		rs, err := l.store.FindRoleplaySession(ctx, l.org.ID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rs.Cards[0].Briefs[courses.SeatSpeaker] == "" {
			t.Error("snapshot: got no speaker brief, want the whole card")
		}
		var ids []string
		for _, c := range rs.Criteria {
			ids = append(ids, c.ID)
		}
		need := map[string]bool{}
		for _, c := range rs.Cards {
			for _, r := range c.Rubric {
				need[r] = true
			}
		}
		if len(ids) != len(need) {
			t.Errorf("criteria: got %v, want the %d the cards use", ids, len(need))
		}
		// One email per invitee, each with its calendar invitation.
		var emails []courses.Email
		for _, row := range MustOutbox(t, l.store) {
			emails = append(emails, MustEmail(t, row))
		}
		if len(emails) != 3 {
			t.Fatalf("emails: got %d, want 3", len(emails))
		}
		for _, e := range emails {
			if e.Template != "roleplay_invitation" || !strings.HasPrefix(e.Key, "roleplay_invitation:"+d.ID+":") ||
				e.Data["link"] != "http://peerpath.test/roleplay/"+d.ID || e.Data["starts"] != "Monday 9 March 2026, 10:00 (Pacific/Auckland)" {
				t.Errorf("email: got %+v, want the invitation with the session link and local time", e)
			}
			inv := e.Invite
			if inv == nil || inv.UID != "roleplay-"+d.ID+"@peerpath" || inv.Method != "REQUEST" || !inv.StartsAt.Equal(start) ||
				!inv.EndsAt.Equal(start.Add(90*time.Minute)) || inv.TimeZone != "Pacific/Auckland" ||
				inv.OrganizerEmail != "trainer@riverside.example" || inv.AttendeeEmail != e.To {
				t.Errorf("invite: got %+v, want a REQUEST for %s", inv, e.To)
			}
		}
	})

	t.Run("AdminForTrainer", func(t *testing.T) {
		in := l.input(l.amy)
		in.TrainerID = l.trainer2.Person.ID
		in.PracticeSeconds, in.FeedbackSeconds = intp(300), intp(60)
		d := mustSchedule(t, l, l.admin, in)
		if d.Trainer.ID != l.trainer2.Person.ID || d.YouAre != "admin" || d.PracticeSeconds != 300 || d.FeedbackSeconds != 60 {
			t.Errorf("got %+v, want trainer2's session seen by an admin, 300/60 seconds", d)
		}
	})

	t.Run("ErrForbidden", func(t *testing.T) {
		_, err := l.store.CreateRoleplaySession(ctx, l.amy, l.input(l.ben))
		wantCode(t, err, courses.Forbidden)
	})

	tests := []struct {
		name   string
		by     *courses.Principal
		change func(in *courses.RoleplaySessionInput)
		fields []string
	}{
		{"ErrNoTitle", nil, func(in *courses.RoleplaySessionInput) { in.Title = "  " }, []string{"title"}},
		{"ErrLongTitle", nil, func(in *courses.RoleplaySessionInput) { in.Title = strings.Repeat("a", 201) }, []string{"title"}},
		{"ErrNoStart", nil, func(in *courses.RoleplaySessionInput) { in.StartsAt = "" }, []string{"starts_at"}},
		{"ErrBadStart", nil, func(in *courses.RoleplaySessionInput) { in.StartsAt = "next tuesday" }, []string{"starts_at"}},
		{"ErrPastStart", nil, func(in *courses.RoleplaySessionInput) { in.StartsAt = "2026-03-02T08:59:00Z" }, []string{"starts_at"}},
		{"ErrNoZone", nil, func(in *courses.RoleplaySessionInput) { in.TimeZone = "" }, []string{"time_zone"}},
		{"ErrBadZone", nil, func(in *courses.RoleplaySessionInput) { in.TimeZone = "Mars/Olympus" }, []string{"time_zone"}},
		{"ErrLocalZone", nil, func(in *courses.RoleplaySessionInput) { in.TimeZone = "Local" }, []string{"time_zone"}},
		{"ErrShort", nil, func(in *courses.RoleplaySessionInput) { in.DurationMinutes = 14 }, []string{"duration_minutes"}},
		{"ErrLong", nil, func(in *courses.RoleplaySessionInput) { in.DurationMinutes = 481 }, []string{"duration_minutes"}},
		{"ErrPractice", nil, func(in *courses.RoleplaySessionInput) { in.PracticeSeconds = intp(59) }, []string{"practice_seconds"}},
		{"ErrPracticeLong", nil, func(in *courses.RoleplaySessionInput) { in.PracticeSeconds = intp(3601) }, []string{"practice_seconds"}},
		{"ErrFeedback", nil, func(in *courses.RoleplaySessionInput) { in.FeedbackSeconds = intp(1801) }, []string{"feedback_seconds"}},
		{"ErrNoCards", nil, func(in *courses.RoleplaySessionInput) { in.CardIDs = nil }, []string{"card_ids"}},
		{"ErrUnknownCard", nil, func(in *courses.RoleplaySessionInput) { in.CardIDs = []string{"RP-01", "RP-99"} }, []string{"card_ids"}},
		{"ErrNoInvitees", nil, func(in *courses.RoleplaySessionInput) { in.PersonIDs = nil }, []string{"invitees"}},
		{"ErrOtherOrgPerson", nil, func(in *courses.RoleplaySessionInput) { in.PersonIDs = append(in.PersonIDs, l.other.Person.ID) }, []string{"person_ids"}},
		{"ErrBadPersonID", nil, func(in *courses.RoleplaySessionInput) { in.PersonIDs = append(in.PersonIDs, "not-a-uuid") }, []string{"person_ids"}},
		{"ErrTrainerInvited", nil, func(in *courses.RoleplaySessionInput) { in.PersonIDs = append(in.PersonIDs, l.trainer.Person.ID) }, []string{"person_ids"}},
		{"ErrOtherOrgTeam", nil, func(in *courses.RoleplaySessionInput) { in.TeamIDs = []string{l.otherTeam} }, []string{"team_ids"}},
		{"ErrBadTeamID", nil, func(in *courses.RoleplaySessionInput) { in.TeamIDs = []string{"x"} }, []string{"team_ids"}},
		{"ErrTrainerNotTrainer", l.admin, func(in *courses.RoleplaySessionInput) { in.TrainerID = l.amy.Person.ID }, []string{"trainer_id"}},
		{"ErrTrainerOtherOrg", l.admin, func(in *courses.RoleplaySessionInput) { in.TrainerID = l.otherAdmin.Person.ID }, []string{"trainer_id"}},
		{"ErrAdminIsNoTrainer", l.admin, func(in *courses.RoleplaySessionInput) {}, []string{"trainer_id"}},
		{"ErrTrainerForOther", nil, func(in *courses.RoleplaySessionInput) { in.TrainerID = l.trainer2.Person.ID }, []string{"trainer_id"}},
		{"ErrEverything", nil, func(in *courses.RoleplaySessionInput) {
			*in = courses.RoleplaySessionInput{StartsAt: "x", DurationMinutes: 5, PracticeSeconds: intp(0), FeedbackSeconds: intp(0)}
		}, []string{"title", "starts_at", "time_zone", "duration_minutes", "practice_seconds", "feedback_seconds", "card_ids", "invitees"}},
	}
	sessions := MustCount(t, l.store, `SELECT count(*) FROM roleplay_sessions`)
	outbox := len(MustOutbox(t, l.store))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := l.input(l.amy)
			tt.change(&in)
			by := tt.by
			if by == nil {
				by = l.trainer
			}
			_, err := l.store.CreateRoleplaySession(ctx, by, in)
			wantFields(t, err, tt.fields...)
			if got := MustCount(t, l.store, `SELECT count(*) FROM roleplay_sessions`); got != sessions {
				t.Errorf("sessions: got %d, want %d", got, sessions)
			}
			if got := len(MustOutbox(t, l.store)); got != outbox {
				t.Errorf("outbox: got %d rows, want %d", got, outbox)
			}
		})
	}
}

func TestFindRoleplaySessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := mustRoleplayLab(t)
	first := mustSchedule(t, l, l.trainer, l.input(l.amy, l.ben))
	in := l.input(l.cal)
	in.Title, in.StartsAt, in.TrainerID = "Second", "2026-03-10T10:00:00+13:00", l.trainer2.Person.ID
	second := mustSchedule(t, l, l.admin, in)

	ids := func(p *courses.Principal, when string) []string {
		t.Helper()
		items, _, err := l.store.FindRoleplaySessions(ctx, p, courses.RoleplaySessionFilter{When: when}, courses.Page{})
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, it := range items {
			out = append(out, it.Title+":"+it.YouAre+":"+it.State)
		}
		return out
	}
	tests := []struct {
		name string
		p    *courses.Principal
		want []string
	}{
		{"Invitee", l.amy, []string{"Boundaries practice:invitee:scheduled"}},
		{"OtherInvitee", l.cal, []string{"Second:invitee:scheduled"}},
		{"Trainer", l.trainer, []string{"Boundaries practice:trainer:scheduled"}},
		{"SecondTrainer", l.trainer2, []string{"Second:trainer:scheduled"}},
		{"Admin", l.admin, []string{"Boundaries practice:admin:scheduled", "Second:admin:scheduled"}},
		{"OtherOrg", l.otherAdmin, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ids(tt.p, "upcoming")); diff != "" {
				t.Errorf("upcoming (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{}, ids(tt.p, "past")); diff != "" {
				t.Errorf("past (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("Pages", func(t *testing.T) {
		page1, next, err := l.store.FindRoleplaySessions(ctx, l.admin, courses.RoleplaySessionFilter{}, courses.Page{Limit: 1})
		if err != nil || len(page1) != 1 || next == "" || page1[0].ID != first.ID {
			t.Fatalf("page 1: got %v, %q, %v; want the first session and a cursor", page1, next, err)
		}
		page2, next2, err := l.store.FindRoleplaySessions(ctx, l.admin, courses.RoleplaySessionFilter{}, courses.Page{Limit: 1, Cursor: next})
		if err != nil || len(page2) != 1 || next2 != "" || page2[0].ID != second.ID {
			t.Fatalf("page 2: got %v, %q, %v; want the second session and no cursor", page2, next2, err)
		}
	})
	t.Run("ErrWhen", func(t *testing.T) {
		_, _, err := l.store.FindRoleplaySessions(ctx, l.admin, courses.RoleplaySessionFilter{When: "soon"}, courses.Page{})
		wantFields(t, err, "when")
	})
	t.Run("ErrCursor", func(t *testing.T) {
		_, _, err := l.store.FindRoleplaySessions(ctx, l.admin, courses.RoleplaySessionFilter{}, courses.Page{Cursor: "nonsense"})
		wantFields(t, err, "cursor")
	})

	t.Run("States", func(t *testing.T) {
		// The first session starts at 2026-03-08T21:00Z and lasts 90 minutes.
		steps := []struct {
			at        time.Time
			wantState string
			wantPast  bool
		}{
			{time.Date(2026, 3, 8, 20, 44, 59, 0, time.UTC), "scheduled", false},
			{time.Date(2026, 3, 8, 20, 45, 0, 0, time.UTC), "lobby", false},
			{time.Date(2026, 3, 8, 21, 0, 0, 0, time.UTC), "running", false},
			{time.Date(2026, 3, 8, 22, 30, 0, 0, time.UTC), "ended", true},
		}
		for _, st := range steps {
			l.clock.Advance(st.at.Sub(l.clock.Now()))
			d, err := l.store.FindRoleplaySessionDetail(ctx, l.amy, first.ID)
			if err != nil {
				t.Fatal(err)
			}
			if d.State != st.wantState {
				t.Errorf("at %s: got state %q, want %q", st.at, d.State, st.wantState)
			}
			past := ids(l.amy, "past")
			if got := len(past) == 1; got != st.wantPast {
				t.Errorf("at %s: got past %v, want it listed there: %v", st.at, past, st.wantPast)
			}
		}
	})
}

func TestFindRoleplaySessionDetail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := mustRoleplayLab(t)
	d := mustSchedule(t, l, l.trainer, l.input(l.amy))
	for name, tt := range map[string]struct {
		p  *courses.Principal
		id string
	}{
		"ErrNotInvited":    {l.ben, d.ID},
		"ErrOtherTrainer":  {l.trainer2, d.ID},
		"ErrOtherOrgAdmin": {l.otherAdmin, d.ID},
		"ErrBadID":         {l.admin, "nope"},
		"ErrUnknownID":     {l.admin, "8d0f5b0e-4a4b-4d43-9c3a-1f4f7d8e2a11"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := l.store.FindRoleplaySessionDetail(ctx, tt.p, tt.id)
			wantCode(t, err, courses.NotFound)
			_, err = l.store.FindRoleplayFeedback(ctx, tt.p, tt.id)
			wantCode(t, err, courses.NotFound)
			_, err = l.store.RoleplayInvite(ctx, tt.p, tt.id)
			wantCode(t, err, courses.NotFound)
		})
	}
	t.Run("NoBriefs", func(t *testing.T) {
		got, err := l.store.FindRoleplaySessionDetail(ctx, l.amy, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(got)
		rs, _ := l.store.FindRoleplaySession(ctx, l.org.ID, d.ID)
		for _, brief := range rs.Cards[0].Briefs {
			if strings.Contains(string(b), brief[:40]) {
				t.Errorf("detail JSON holds a private brief: %s", b)
			}
		}
	})
	t.Run("Invite", func(t *testing.T) {
		inv, err := l.store.RoleplayInvite(ctx, l.amy, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if inv.UID != "roleplay-"+d.ID+"@peerpath" || inv.Method != "PUBLISH" || inv.TimeZone != "Pacific/Auckland" {
			t.Errorf("got %+v, want the session's entry to publish", inv)
		}
		if _, err := l.store.RoleplayInvite(ctx, l.admin, d.ID); courses.ErrorCode(err) != courses.NotFound {
			t.Errorf("admin: got %v, want not_found: only the trainer and invitees have it in their calendar", err)
		}
	})
}

func TestFindRoleplaySession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := mustRoleplayLab(t)
	d := mustSchedule(t, l, l.trainer, l.input(l.cal, l.amy, l.ben))
	rs, err := l.store.FindRoleplaySession(ctx, l.org.ID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []courses.RoleplayMember{
		{PersonID: l.trainer.Person.ID, Name: l.trainer.Person.Name, Trainer: true},
		{PersonID: l.amy.Person.ID, Name: l.amy.Person.Name},
		{PersonID: l.ben.Person.ID, Name: l.ben.Person.Name},
		{PersonID: l.cal.Person.ID, Name: l.cal.Person.Name},
	}
	if diff := cmp.Diff(want, rs.Roster); diff != "" {
		t.Errorf("roster (-want +got):\n%s", diff)
	}
	if rs.TrainerID != l.trainer.Person.ID || rs.TrainerName != l.trainer.Person.Name || len(rs.Cards) != 2 || len(rs.Criteria) == 0 ||
		rs.PracticeSeconds != 600 || rs.TimeZone != "Pacific/Auckland" {
		t.Errorf("got %+v, want the session with its trainer, cards and criteria", rs)
	}
	for _, id := range []string{d.ID, "nope"} {
		if _, err := l.store.FindRoleplaySession(ctx, l.other.OrgID(), id); courses.ErrorCode(err) != courses.NotFound {
			t.Errorf("another organisation, %s: got %v, want not_found", id, err)
		}
	}
}

func TestCancelRoleplaySession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := mustRoleplayLab(t)
	d := mustSchedule(t, l, l.trainer, l.input(l.amy, l.ben))
	before := len(MustOutbox(t, l.store))
	_, err := l.store.CancelRoleplaySession(ctx, l.amy, d.ID)
	wantCode(t, err, courses.Forbidden)
	_, err = l.store.CancelRoleplaySession(ctx, l.trainer2, d.ID)
	wantCode(t, err, courses.NotFound)

	got, err := l.store.CancelRoleplaySession(ctx, l.trainer, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != "cancelled" {
		t.Errorf("state: got %q, want cancelled", got.State)
	}
	rows := MustOutbox(t, l.store)[before:]
	if len(rows) != 2 {
		t.Fatalf("emails: got %d, want 2", len(rows))
	}
	for _, row := range rows {
		e := MustEmail(t, row)
		if e.Template != "roleplay_cancelled" || e.Invite == nil || e.Invite.Method != "CANCEL" || e.Invite.Sequence != 1 ||
			e.Invite.UID != "roleplay-"+d.ID+"@peerpath" {
			t.Errorf("email: got %+v, want a cancellation with the same UID and a higher sequence", e)
		}
	}
	_, err = l.store.CancelRoleplaySession(ctx, l.admin, d.ID)
	wantCode(t, err, courses.Conflict)

	started := mustSchedule(t, l, l.trainer, l.input(l.amy))
	l.clock.Advance(7 * 24 * time.Hour)
	_, err = l.store.CancelRoleplaySession(ctx, l.admin, started.ID)
	wantCode(t, err, courses.Conflict)
}

// mustPractice records, as the live room would, that peer worked in a round observed by
// observer with scores, and what the speaker said.
func mustPractice(tb testing.TB, store *courses.Store, orgID, sessionID string, round int, group string, peer, observer, speaker *courses.Principal, scores string) {
	tb.Helper()
	at := store.Now()
	for seat, p := range map[string]*courses.Principal{"peer_worker": peer, "observer": observer, "speaker": speaker} {
		if _, err := testdb.Owner(store.DB()).Exec(`
			INSERT INTO roleplay_seats (session_id, round, group_id, person_id, org_id, seat, card_id, started_at)
			VALUES ($1, $2, $3, $4, $5, $6, 'RP-01', $7)`, sessionID, round, group, p.Person.ID, orgID, seat, at); err != nil {
			tb.Fatal(err)
		}
	}
	for _, f := range []struct {
		phase, seat string
		from        *courses.Principal
		scores      any
		comment     string
	}{
		{"feedback.observer", "observer", observer, scores, "Kind and brief."},
		{"feedback.speaker", "speaker", speaker, nil, "I felt heard."},
	} {
		if _, err := testdb.Owner(store.DB()).Exec(`
			INSERT INTO roleplay_feedback (session_id, round, phase, group_id, from_person, seat, about_person, org_id,
				scores, comment, submitted_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			sessionID, round, f.phase, group, f.from.Person.ID, f.seat, peer.Person.ID, orgID, f.scores, f.comment, at); err != nil {
			tb.Fatal(err)
		}
	}
}

func TestFindRoleplayFeedback(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := mustRoleplayLab(t)
	d := mustSchedule(t, l, l.trainer, l.input(l.amy, l.ben, l.cal))
	mustPractice(t, l.store, l.org.ID, d.ID, 1, "g1", l.amy, l.ben, l.cal, `{"R1": 4, "R2": 3}`)
	mustPractice(t, l.store, l.org.ID, d.ID, 2, "g1", l.ben, l.cal, l.amy, `{"R1": 3, "R2": 2}`)

	wantDebrief := []courses.RoleplayDebriefGroup{{GroupID: "g1", Criteria: []courses.RoleplayDebriefScore{
		{CriterionID: "R1", Title: criterionTitle(t, l, "R1"), Mean: 3.5, Count: 2},
		{CriterionID: "R2", Title: criterionTitle(t, l, "R2"), Mean: 2.5, Count: 2},
	}}}
	tests := []struct {
		name string
		p    *courses.Principal
		want []string // from→about:phase
	}{
		{"Trainer", l.trainer, []string{"ben→amy:feedback.observer", "cal→amy:feedback.speaker",
			"cal→ben:feedback.observer", "amy→ben:feedback.speaker"}},
		{"Admin", l.admin, []string{"ben→amy:feedback.observer", "cal→amy:feedback.speaker",
			"cal→ben:feedback.observer", "amy→ben:feedback.speaker"}},
		// Amy sees what was said about her practice and what she said, not what Cal said of Ben.
		{"Amy", l.amy, []string{"ben→amy:feedback.observer", "cal→amy:feedback.speaker", "amy→ben:feedback.speaker"}},
		{"Cal", l.cal, []string{"cal→amy:feedback.speaker", "cal→ben:feedback.observer"}},
	}
	short := func(name string) string {
		return strings.TrimSuffix(strings.TrimPrefix(name, "Person "), "@riverside.example")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fb, err := l.store.FindRoleplayFeedback(ctx, tt.p, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, r := range fb.Rows {
				got = append(got, short(r.From.Name)+"→"+short(r.About.Name)+":"+r.Phase)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantDebrief, fb.Debrief); diff != "" {
				t.Errorf("debrief (-want +got):\n%s", diff)
			}
		})
	}
	fb, _ := l.store.FindRoleplayFeedback(ctx, l.amy, d.ID)
	if s := fb.Rows[0].Scores; len(s) != 2 || s[0].CriterionID != "R1" || s[0].Score != 4 || s[0].Title == "" {
		t.Errorf("scores: got %+v, want R1 = 4 with its title first", s)
	}
}

func criterionTitle(tb testing.TB, l *roleplayLab, id string) string {
	tb.Helper()
	for _, c := range l.store.RoleplayKit.Criteria {
		if c.ID == id {
			return c.Title
		}
	}
	tb.Fatalf("no criterion %s", id)
	return ""
}

func TestFindRoleplayPortfolio(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := mustRoleplayLab(t)
	d := mustSchedule(t, l, l.trainer, l.input(l.amy, l.ben, l.cal))
	mustPractice(t, l.store, l.org.ID, d.ID, 1, "g1", l.amy, l.ben, l.cal, `{"R1": 4}`)
	l.clock.Advance(time.Minute)
	mustPractice(t, l.store, l.org.ID, d.ID, 2, "g1", l.ben, l.cal, l.amy, `{"R1": 2}`)

	items, next, err := l.store.FindRoleplayPortfolio(ctx, l.amy, courses.Page{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || next == "" || items[0].Round != 2 || items[0].Seat != "speaker" || len(items[0].Feedback) != 0 {
		t.Fatalf("page 1: got %+v, %q; want round 2 as speaker, with no feedback about Amy, and a cursor", items, next)
	}
	items, next, err = l.store.FindRoleplayPortfolio(ctx, l.amy, courses.Page{Limit: 1, Cursor: next})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || next != "" {
		t.Fatalf("page 2: got %d items, cursor %q; want 1 and none", len(items), next)
	}
	got := items[0]
	if got.Round != 1 || got.Seat != "peer_worker" || got.Card.Title != "Have you been in here?" || got.SessionTitle != "Boundaries practice" ||
		len(got.Feedback) != 2 || got.Feedback[0].Scores[0].Score != 4 || got.Feedback[1].Comment != "I felt heard." {
		t.Errorf("page 2: got %+v, want round 1 as peer worker with the observer's and speaker's feedback", got)
	}
	items, _, err = l.store.FindRoleplayPortfolio(ctx, l.otherAdmin, courses.Page{})
	if err != nil || len(items) != 0 {
		t.Errorf("another organisation: got %v, %v; want nothing", items, err)
	}
}

// A course that asks for role-play practice completes once the person has practised as peer
// worker with observer feedback, whichever comes last.
func TestCreditRoleplayPractice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := mustRoleplayLab(t)
	MustImport(t, l.store, "", tinyFS("tiny", map[string]string{
		"course.yaml": courseFile("tiny", "Tiny") + "completion:\n  roleplay: true\n"}))
	d := mustSchedule(t, l, l.trainer, l.input(l.amy, l.ben, l.cal))
	credit := func(p *courses.Principal) {
		t.Helper()
		err := withTx(t, l.store, func(tx *sqlx.Tx) error {
			return l.store.CreditRoleplayPractice(ctx, tx, p.OrgID(), p.Person.ID)
		})
		if err != nil {
			t.Fatalf("credit: %v", err)
		}
	}
	completions := func(p *courses.Principal) int {
		return MustCount(t, l.store, `SELECT count(*) FROM completions WHERE person_id = $1`, p.Person.ID)
	}

	t.Run("PracticeLast", func(t *testing.T) {
		MustComplete(t, l.store, l.amy, "tiny", "one")
		MustPass(t, l.store, l.amy, "tiny.one", courses.Answers{"q1": {"a"}})
		credit(l.amy) // nothing practised yet
		if n := completions(l.amy); n != 0 {
			t.Fatalf("before practice: got %d completions, want 0", n)
		}
		// Observing or speaking is not practising as the peer worker.
		mustPractice(t, l.store, l.org.ID, d.ID, 1, "g1", l.ben, l.amy, l.cal, `{"R1": 3}`)
		credit(l.amy)
		if n := completions(l.amy); n != 0 {
			t.Fatalf("after observing: got %d completions, want 0", n)
		}
		mustPractice(t, l.store, l.org.ID, d.ID, 2, "g1", l.amy, l.cal, l.ben, `{"R1": 3}`)
		credit(l.amy)
		credit(l.amy) // twice is fine
		if n := completions(l.amy); n != 1 {
			t.Fatalf("after practice: got %d completions, want 1", n)
		}
		certs := 0
		for _, row := range MustOutbox(t, l.store) {
			if row.TaskType == courses.TaskCertificateIssue {
				certs++
			}
		}
		if certs != 1 {
			t.Errorf("certificates queued: got %d, want 1", certs)
		}
	})

	t.Run("PracticeFirst", func(t *testing.T) {
		// Ben practised in round 1 above; his course page no longer asks for it.
		detail, err := l.store.FindCourseDetail(ctx, l.ben, "tiny")
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range detail.StillRequired {
			if strings.Contains(s, "role-play") {
				t.Errorf("still required: got %v, want no role-play step", detail.StillRequired)
			}
		}
		MustComplete(t, l.store, l.ben, "tiny", "one")
		res := MustPass(t, l.store, l.ben, "tiny.one", courses.Answers{"q1": {"a"}})
		if !res.CourseCompleted || completions(l.ben) != 1 {
			t.Errorf("got %+v and %d completions, want the course completed", res, completions(l.ben))
		}
	})
}

// withTx runs fn in a transaction and commits it.
func withTx(tb testing.TB, store *courses.Store, fn func(tx *sqlx.Tx) error) error {
	tb.Helper()
	tx, err := testdb.Owner(store.DB()).Beginx()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

func TestAppendRoleplayCommands(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := mustRoleplayLab(t)
	one := mustSchedule(t, l, l.trainer, l.input(l.amy, l.ben)).ID
	two := mustSchedule(t, l, l.trainer, l.input(l.cal)).ID
	at := time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)
	if err := l.store.AppendRoleplayCommand(ctx, l.org.ID, one, courses.RoleplayCommand{N: 1, At: at, Kind: courses.CommandTick}); err != nil {
		t.Fatal(err)
	}
	batch := []courses.SessionCommand{
		{one, courses.RoleplayCommand{N: 1, At: at, Kind: courses.CommandJoin, Person: l.amy.Person.ID}}, // taken
		{one, courses.RoleplayCommand{N: 2, At: at, Kind: courses.CommandJoin, Person: l.amy.Person.ID, Intent: json.RawMessage(`{"consent":true}`)}},
		{two, courses.RoleplayCommand{N: 1, At: at, Kind: courses.CommandResync, Intent: json.RawMessage(`{"skip":257}`)}},
		{one, courses.RoleplayCommand{N: 3, At: at.Add(time.Second), Kind: courses.CommandTick}},
	}
	got, err := l.store.AppendRoleplayCommands(ctx, l.org.ID, batch)
	if err != nil {
		t.Fatal(err)
	}
	if want := []bool{false, true, true, true}; !cmp.Equal(got, want) {
		t.Errorf("written: got %v, want %v", got, want)
	}
	cmds, err := l.store.RoleplayCommands(ctx, l.org.ID, one, 0)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, c := range cmds {
		kinds = append(kinds, c.Kind+":"+c.Person+":"+string(c.Intent))
	}
	want := []string{"tick::", "join:" + l.amy.Person.ID + `:{"consent": true}`, "tick::"}
	if !cmp.Equal(kinds, want) {
		t.Errorf("log: got %q, want %q", kinds, want)
	}
	// Another organisation's session ids write nothing.
	if got, err := l.store.AppendRoleplayCommands(ctx, l.other.OrgID(), []courses.SessionCommand{{one, courses.RoleplayCommand{N: 9, At: at, Kind: courses.CommandTick}}}); err == nil && got[0] {
		t.Errorf("another organisation wrote into a session of riverside")
	}

	empty := mustSchedule(t, l, l.trainer, l.input(l.ben)).ID
	heads := []struct {
		name    string
		org     string
		ids     []string
		want    map[string]int64
		wantErr bool
	}{
		{"each session's last number", l.org.ID, []string{one, two, empty}, map[string]int64{one: 3, two: 1, empty: 0}, false},
		{"none asked", l.org.ID, nil, map[string]int64{}, false},
		{"another organisation's sessions are left out", l.other.OrgID(), []string{one, two}, map[string]int64{}, false},
		{"a session id that is no id", l.org.ID, []string{one, "nope"}, nil, true},
	}
	for _, tt := range heads {
		got, err := l.store.RoleplayLogHeads(ctx, tt.org, tt.ids)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: got error %v, want error %v", tt.name, err, tt.wantErr)
			continue
		}
		if !tt.wantErr && !cmp.Equal(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

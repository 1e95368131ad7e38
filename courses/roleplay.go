package courses

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// RoleplayKit is what live role-play sessions are scheduled from: the scenario cards and the
// rubric criteria they reference. The shipped kit lives in courses/content, which this package
// cannot import, so cmd/peerpath hands it over at start (Store.RoleplayKit).
type RoleplayKit struct {
	Cards    []Card
	Criteria []Criterion
}

func (k RoleplayKit) card(id string) (Card, bool) {
	for _, c := range k.Cards {
		if c.ID == id {
			return c, true
		}
	}
	return Card{}, false
}

// Session states, as lists and pages show them. The live room (server/rooms) runs its own finer
// lifecycle; these are what can be told from the record and the clock.
const (
	RoleplayScheduled = "scheduled"
	RoleplayLobby     = "lobby"
	RoleplayRunning   = "running"
	RoleplayEnded     = "ended"
	RoleplayCancelled = "cancelled"
)

// RoleplayLobbyOpens is how long before the start people may come into the lobby.
const RoleplayLobbyOpens = 15 * time.Minute

// RoleplayObserverPhase is the feedback phase in which the observer scores the peer worker
// against the rubric; it is how the room records that phase in roleplay_feedback.phase.
const RoleplayObserverPhase = "feedback.observer"

// Scheduling limits.
const (
	roleplayDefaultPractice = 600
	roleplayDefaultFeedback = 180
	roleplayMaxInvitees     = 100
	roleplayMaxCards        = 12
)

// RoleplaySession is a scheduled session as the live room needs it: the snapshot of cards (with
// their private briefs) and criteria, the trainer and the roster. Never send it to a browser as
// it is.
type RoleplaySession struct {
	ID                string     `db:"id"`
	OrgID             string     `db:"org_id"`
	Title             string     `db:"title"`
	TrainerID         string     `db:"trainer_id"`
	TrainerName       string     `db:"trainer_name"`
	StartsAt          time.Time  `db:"starts_at"`
	TimeZone          string     `db:"time_zone"`
	DurationMinutes   int        `db:"duration_minutes"`
	PracticeSeconds   int        `db:"practice_seconds"`
	FeedbackSeconds   int        `db:"feedback_seconds"`
	TranscriptAllowed bool       `db:"transcript_allowed"`
	CreatedAt         time.Time  `db:"created_at"`
	CancelledAt       *time.Time `db:"cancelled_at"`
	EndedAt           *time.Time `db:"ended_at"`

	Cards    []Card           `db:"-"`
	Criteria []Criterion      `db:"-"`
	Roster   []RoleplayMember `db:"-"`
}

// RoleplayMember is one person on a session's roster.
type RoleplayMember struct {
	PersonID string `db:"person_id"`
	Name     string `db:"name"`
	Trainer  bool   `db:"trainer"`
}

// EndsAt is when the session is planned to finish.
func (rs *RoleplaySession) EndsAt() time.Time {
	return rs.StartsAt.Add(time.Duration(rs.DurationMinutes) * time.Minute)
}

// State is where the session is at now, as far as the record and the clock tell.
func (rs *RoleplaySession) State(now time.Time) string {
	switch {
	case rs.CancelledAt != nil:
		return RoleplayCancelled
	case rs.EndedAt != nil, !now.Before(rs.EndsAt()):
		return RoleplayEnded
	case !now.Before(rs.StartsAt):
		return RoleplayRunning
	case !now.Before(rs.StartsAt.Add(-RoleplayLobbyOpens)):
		return RoleplayLobby
	}
	return RoleplayScheduled
}

// RoleplayPerson names a person on a session's pages.
type RoleplayPerson struct {
	ID   string `db:"id" json:"id"`
	Name string `db:"name" json:"name"`
}

// RoleplaySessionSummary is a session as lists show it. YouAre is the caller's part in it:
// trainer, invitee, or admin (an org admin who is neither).
type RoleplaySessionSummary struct {
	ID           string         `json:"id"`
	Title        string         `json:"title"`
	StartsAt     time.Time      `json:"starts_at"`
	EndsAt       time.Time      `json:"ends_at"`
	TimeZone     string         `json:"time_zone"`
	State        string         `json:"state"`
	Trainer      RoleplayPerson `json:"trainer"`
	InviteeCount int            `json:"invitee_count"`
	YouAre       string         `json:"you_are"`
}

// RoleplaySessionDetail is a session's page: the summary, who is invited and the shared parts of
// its cards. Private briefs are never part of it.
type RoleplaySessionDetail struct {
	RoleplaySessionSummary
	DurationMinutes   int                `json:"duration_minutes"`
	PracticeSeconds   int                `json:"practice_seconds"`
	FeedbackSeconds   int                `json:"feedback_seconds"`
	TranscriptAllowed bool               `json:"transcript_allowed"`
	Invitees          []RoleplayPerson   `json:"invitees"`
	Cards             []RoleplayCardView `json:"cards"`
}

// RoleplayCardView is what everyone may see of a card: the situation, not the briefs. Rubric
// holds the titles of the criteria the observer scores.
type RoleplayCardView struct {
	ID             string   `json:"id"`
	Title          string   `json:"title"`
	Setting        string   `json:"setting"`
	ContentWarning string   `json:"content_warning"`
	Shared         string   `json:"shared"`
	Rubric         []string `json:"rubric"`
}

func cardViews(cards []Card, criteria []Criterion) []RoleplayCardView {
	titles := map[string]string{}
	for _, c := range criteria {
		titles[c.ID] = c.Title
	}
	out := make([]RoleplayCardView, 0, len(cards))
	for _, c := range cards {
		v := RoleplayCardView{ID: c.ID, Title: c.Title, Setting: c.Setting, ContentWarning: c.ContentWarning,
			Shared: c.Shared, Rubric: []string{}}
		for _, id := range c.Rubric {
			if t, ok := titles[id]; ok {
				v.Rubric = append(v.Rubric, t)
			}
		}
		out = append(out, v)
	}
	return out
}

// RoleplayCards returns the kit's cards as the scheduling form shows them.
func (s *Store) RoleplayCards() []RoleplayCardView {
	return cardViews(s.RoleplayKit.Cards, s.RoleplayKit.Criteria)
}

// CanRunRoleplay reports whether p may schedule sessions and see the kit.
func CanRunRoleplay(p *Principal) bool {
	return p.Organisation != nil && p.Person.HasRole(RoleTrainer, RoleOrgAdmin)
}

// RoleplaySessionInput is what a trainer or org admin gives to schedule a session. Nil
// PracticeSeconds and FeedbackSeconds take the defaults (10 and 3 minutes); an empty TrainerID
// means the caller.
type RoleplaySessionInput struct {
	Title             string
	StartsAt          string // RFC 3339
	TimeZone          string // IANA, e.g. Pacific/Auckland
	DurationMinutes   int
	PracticeSeconds   *int
	FeedbackSeconds   *int
	CardIDs           []string
	PersonIDs         []string
	TeamIDs           []string
	TranscriptAllowed bool
	TrainerID         string
}

// checked is a valid input, ready to store.
type roleplayPlan struct {
	title    string
	startsAt time.Time
	zone     string
	loc      *time.Location
	duration int
	practice int
	feedback int
	cards    []Card
	criteria []Criterion
}

// check validates what needs no database, adding problems to f.
func (in RoleplaySessionInput) check(now time.Time, kit RoleplayKit, f Fields) roleplayPlan {
	pl := roleplayPlan{title: strings.TrimSpace(in.Title), zone: strings.TrimSpace(in.TimeZone),
		duration: in.DurationMinutes, practice: roleplayDefaultPractice, feedback: roleplayDefaultFeedback}
	switch n := utf8.RuneCountInString(pl.title); {
	case n == 0:
		f.Add("title", "Give the session a title.")
	case n > 200:
		f.Add("title", "Use at most 200 characters.")
	}
	var err error
	if pl.zone == "" || pl.zone == "Local" || len(pl.zone) > 64 {
		f.Add("time_zone", "Choose a time zone, such as Pacific/Auckland.")
	} else if pl.loc, err = time.LoadLocation(pl.zone); err != nil {
		f.Add("time_zone", "We don't know the time zone "+pl.zone+". Choose one from the list.")
	}
	if strings.TrimSpace(in.StartsAt) == "" {
		f.Add("starts_at", "Choose when the session starts.")
	} else if pl.startsAt, err = time.Parse(time.RFC3339, in.StartsAt); err != nil {
		f.Add("starts_at", "Give the start as a date and time, like 2026-03-09T10:00:00+13:00.")
	} else if pl.startsAt = pl.startsAt.UTC().Truncate(time.Second); !pl.startsAt.After(now) {
		f.Add("starts_at", "Choose a start time in the future.")
	}
	if pl.duration < 15 || pl.duration > 480 {
		f.Add("duration_minutes", "A session lasts from 15 minutes to 8 hours (480 minutes).")
	}
	if in.PracticeSeconds != nil {
		pl.practice = *in.PracticeSeconds
		if pl.practice < 60 || pl.practice > 3600 {
			f.Add("practice_seconds", "A practice round lasts from 1 to 60 minutes.")
		}
	}
	if in.FeedbackSeconds != nil {
		pl.feedback = *in.FeedbackSeconds
		if pl.feedback < 30 || pl.feedback > 1800 {
			f.Add("feedback_seconds", "Each feedback turn lasts from 30 seconds to 30 minutes.")
		}
	}
	switch {
	case len(in.CardIDs) == 0:
		f.Add("card_ids", "Choose at least one scenario card.")
	case len(in.CardIDs) > roleplayMaxCards:
		f.Add("card_ids", fmt.Sprintf("Choose at most %d scenario cards.", roleplayMaxCards))
	}
	seen := map[string]bool{}
	need := map[string]bool{}
	for _, id := range in.CardIDs {
		c, ok := kit.card(id)
		if !ok {
			f.Add("card_ids", "We don't know the scenario card "+truncate(id, 40)+".")
			continue
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		pl.cards = append(pl.cards, c)
		for _, r := range c.Rubric {
			need[r] = true
		}
	}
	for _, c := range kit.Criteria {
		if need[c.ID] {
			pl.criteria = append(pl.criteria, c)
		}
	}
	return pl
}

// uuids splits ids into valid, distinct UUIDs, reporting whether all were valid.
func uuids(ids []string) ([]string, bool) {
	out := make([]string, 0, len(ids))
	ok := true
	for _, id := range ids {
		u, err := uuid.Parse(id)
		if err != nil {
			ok = false
			continue
		}
		if s := u.String(); !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, ok
}

type roleplayInvitee struct {
	ID    string `db:"id"`
	Name  string `db:"name"`
	Email string `db:"email"`
}

// CreateRoleplaySession schedules a session, invites people (teams are expanded to their members
// now) and queues each invitee's email with its calendar invitation, in one transaction. Every
// field at fault is named; on any fault nothing is written.
func (s *Store) CreateRoleplaySession(ctx context.Context, p *Principal, in RoleplaySessionInput) (*RoleplaySessionDetail, error) {
	if !CanRunRoleplay(p) {
		return nil, Errorf(Forbidden, "Only trainers and organisation admins can schedule role-play sessions.")
	}
	now := s.Now()
	f := Fields{}
	pl := in.check(now, s.RoleplayKit, f)
	orgID := p.OrgID()
	var out *RoleplaySessionDetail
	err := s.tx(ctx, orgID, func(tx *sqlx.Tx) error {
		trainerID := strings.TrimSpace(in.TrainerID)
		if trainerID == "" {
			trainerID = p.Person.ID
		}
		var trainer roleplayInvitee
		if trainerID != p.Person.ID && !p.Person.HasRole(RoleOrgAdmin) {
			// The list shows a trainer the sessions they run, so they schedule only their own.
			f.Add("trainer_id", "You can schedule sessions that you run. An organisation admin can schedule one for another trainer.")
		} else if _, err := uuid.Parse(trainerID); err != nil {
			f.Add("trainer_id", "Choose a trainer from your organisation.")
		} else if err := tx.GetContext(ctx, &trainer, `
			SELECT id, name, email FROM people
			WHERE id = $1 AND org_id = $2 AND active AND 'trainer' = ANY(roles)`, trainerID, orgID); err != nil {
			if ErrorCode(dbError(err)) != NotFound {
				return dbError(err)
			}
			if trainerID == p.Person.ID {
				f.Add("trainer_id", "Choose the trainer who will run this session.")
			} else {
				f.Add("trainer_id", "Choose a trainer from your organisation.")
			}
		}

		personIDs, ok := uuids(in.PersonIDs)
		if !ok {
			f.Add("person_ids", "Some of the people chosen are not in your organisation.")
		}
		var people []roleplayInvitee
		if len(personIDs) > 0 {
			if err := tx.SelectContext(ctx, &people, `
				SELECT id, name, email FROM people WHERE org_id = $1 AND active AND id = ANY($2)`,
				orgID, pq.StringArray(personIDs)); err != nil {
				return dbError(err)
			}
			if len(people) != len(personIDs) {
				f.Add("person_ids", "Some of the people chosen are not in your organisation.")
			}
		}
		if trainer.ID != "" && slices.Contains(personIDs, trainer.ID) {
			f.Add("person_ids", "The trainer runs the session, so they can't also be invited to it.")
		}

		teamIDs, ok := uuids(in.TeamIDs)
		if !ok {
			f.Add("team_ids", "Some of the teams chosen are not in your organisation.")
		}
		if len(teamIDs) > 0 {
			var found int
			if err := tx.GetContext(ctx, &found, `
				SELECT count(*) FROM teams WHERE org_id = $1 AND id = ANY($2)`, orgID, pq.StringArray(teamIDs)); err != nil {
				return dbError(err)
			}
			if found != len(teamIDs) {
				f.Add("team_ids", "Some of the teams chosen are not in your organisation.")
			}
			var members []roleplayInvitee
			if err := tx.SelectContext(ctx, &members, `
				SELECT DISTINCT p.id, p.name, p.email FROM team_members tm JOIN people p ON p.id = tm.person_id
				WHERE tm.org_id = $1 AND tm.team_id = ANY($2) AND p.org_id = $1 AND p.active`,
				orgID, pq.StringArray(teamIDs)); err != nil {
				return dbError(err)
			}
			people = append(people, members...)
		}
		invitees := make([]roleplayInvitee, 0, len(people))
		seen := map[string]bool{}
		for _, x := range people {
			// A team may include the trainer; they run the session rather than join it.
			if seen[x.ID] || x.ID == trainer.ID {
				continue
			}
			seen[x.ID] = true
			invitees = append(invitees, x)
		}
		_, badPeople := f["person_ids"]
		_, badTeams := f["team_ids"]
		switch {
		case len(invitees) == 0 && !badPeople && !badTeams:
			if len(teamIDs) > 0 {
				f.Add("invitees", "The teams chosen have no one to invite yet. Choose people or another team.")
			} else {
				f.Add("invitees", "Invite at least one person or team.")
			}
		case len(invitees) > roleplayMaxInvitees:
			f.Add("invitees", fmt.Sprintf("Invite at most %d people to one session.", roleplayMaxInvitees))
		}
		if err := f.Err(); err != nil {
			return err
		}

		cards, err := json.Marshal(pl.cards)
		if err != nil {
			return fmt.Errorf("roleplay cards: %w", err)
		}
		criteria, err := json.Marshal(nonNil(pl.criteria))
		if err != nil {
			return fmt.Errorf("roleplay criteria: %w", err)
		}
		var id string
		if err := tx.GetContext(ctx, &id, `
			INSERT INTO roleplay_sessions (org_id, title, trainer_id, starts_at, time_zone, duration_minutes,
				practice_seconds, feedback_seconds, transcript_allowed, cards, criteria, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
			orgID, pl.title, trainer.ID, pl.startsAt, pl.zone, pl.duration, pl.practice, pl.feedback,
			in.TranscriptAllowed, cards, criteria, p.Person.ID, now); err != nil {
			return dbError(err)
		}
		sort.Slice(invitees, func(i, j int) bool { return invitees[i].Name < invitees[j].Name })
		for _, x := range invitees {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO roleplay_invitees (session_id, person_id, org_id, invited_at) VALUES ($1, $2, $3, $4)`,
				id, x.ID, orgID, now); err != nil {
				return dbError(err)
			}
		}
		rs := &RoleplaySession{ID: id, OrgID: orgID, Title: pl.title, TrainerID: trainer.ID, TrainerName: trainer.Name,
			StartsAt: pl.startsAt, TimeZone: pl.zone, DurationMinutes: pl.duration, CreatedAt: now}
		for _, x := range invitees {
			inv := s.roleplayInvite(rs, trainer, x, "REQUEST", now)
			if err := addOutbox(ctx, tx, TaskEmailSend, orgID, Email{
				Key: "roleplay_invitation:" + id + ":" + x.ID, To: x.Email, ToName: x.Name,
				Template: "roleplay_invitation", OrgName: p.Organisation.Name,
				Data: roleplayMailData(rs, pl.loc, s.link("/roleplay/"+id)), Invite: inv,
			}); err != nil {
				return err
			}
		}
		out, err = s.roleplayDetail(ctx, tx, p, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// roleplayMailData fills in an invitation or cancellation email, with the time in the session's
// zone.
func roleplayMailData(rs *RoleplaySession, loc *time.Location, link string) map[string]string {
	if loc == nil {
		loc = time.UTC
	}
	return map[string]string{
		"title":    rs.Title,
		"trainer":  rs.TrainerName,
		"starts":   rs.StartsAt.In(loc).Format("Monday 2 January 2006, 15:04") + " (" + rs.TimeZone + ")",
		"duration": fmt.Sprintf("%d minutes", rs.DurationMinutes),
		"link":     link,
	}
}

// roleplayInvite is the calendar entry of a session for one attendee.
func (s *Store) roleplayInvite(rs *RoleplaySession, trainer, attendee roleplayInvitee, method string, stamp time.Time) *CalendarInvite {
	link := s.link("/roleplay/" + rs.ID)
	inv := &CalendarInvite{
		UID: "roleplay-" + rs.ID + "@peerpath", Method: method, Summary: rs.Title,
		Description: "Live role-play practice with " + trainer.Name + ". Join it here: " + link,
		URL:         link, StartsAt: rs.StartsAt.UTC(), EndsAt: rs.EndsAt().UTC(), TimeZone: rs.TimeZone,
		OrganizerName: trainer.Name, OrganizerEmail: trainer.Email,
		AttendeeName: attendee.Name, AttendeeEmail: attendee.Email, Stamp: stamp.UTC(),
	}
	if method == "CANCEL" {
		// A cancellation must carry a higher sequence than the request it replaces.
		inv.Sequence = 1
		inv.Description = "This role-play session was cancelled."
	}
	return inv
}

// CalendarInvite is an event for a person's calendar, sent as an .ics attachment. UID stays the
// same for every message about one event, so a later CANCEL replaces the REQUEST.
type CalendarInvite struct {
	UID            string    `json:"uid"`
	Method         string    `json:"method"` // REQUEST, CANCEL or PUBLISH
	Sequence       int       `json:"sequence"`
	Summary        string    `json:"summary"`
	Description    string    `json:"description"`
	URL            string    `json:"url"`
	StartsAt       time.Time `json:"starts_at"`
	EndsAt         time.Time `json:"ends_at"`
	TimeZone       string    `json:"time_zone"`
	OrganizerName  string    `json:"organizer_name"`
	OrganizerEmail string    `json:"organizer_email"`
	AttendeeName   string    `json:"attendee_name,omitempty"`
	AttendeeEmail  string    `json:"attendee_email,omitempty"`
	Stamp          time.Time `json:"stamp"`
}

// roleplaySelect reads sessions with their trainer's name. With cards false the snapshot is left
// out, as lists don't need it.
func roleplaySelect(cards bool) string {
	snap := `'[]'::jsonb AS cards, '[]'::jsonb AS criteria`
	if cards {
		snap = `rs.cards, rs.criteria`
	}
	return `SELECT rs.id, rs.org_id, rs.title, rs.trainer_id, t.name AS trainer_name, rs.starts_at, rs.time_zone,
		rs.duration_minutes, rs.practice_seconds, rs.feedback_seconds, rs.transcript_allowed, rs.created_at,
		rs.cancelled_at, rs.ended_at, ` + snap + `,
		(SELECT count(*) FROM roleplay_invitees ri WHERE ri.session_id = rs.id) AS invitee_count
	FROM roleplay_sessions rs JOIN people t ON t.id = rs.trainer_id`
}

type roleplayRow struct {
	RoleplaySession
	CardsJSON    []byte `db:"cards"`
	CriteriaJSON []byte `db:"criteria"`
	InviteeCount int    `db:"invitee_count"`
	Invited      bool   `db:"invited"`
}

func (r *roleplayRow) decode() error {
	if err := json.Unmarshal(r.CardsJSON, &r.Cards); err != nil {
		return fmt.Errorf("roleplay session %s cards: %w", r.ID, err)
	}
	if err := json.Unmarshal(r.CriteriaJSON, &r.Criteria); err != nil {
		return fmt.Errorf("roleplay session %s criteria: %w", r.ID, err)
	}
	r.StartsAt = r.StartsAt.UTC()
	return nil
}

// youAre is the caller's part in a session, or "" when they may not see it.
func youAre(p *Principal, r *roleplayRow) string {
	switch {
	case r.TrainerID == p.Person.ID:
		return "trainer"
	case r.Invited:
		return "invitee"
	case p.Person.HasRole(RoleOrgAdmin):
		return "admin"
	}
	return ""
}

func (s *Store) summaryOf(p *Principal, r *roleplayRow) RoleplaySessionSummary {
	return RoleplaySessionSummary{ID: r.ID, Title: r.Title, StartsAt: r.StartsAt.UTC(), EndsAt: r.EndsAt().UTC(),
		TimeZone: r.TimeZone, State: r.State(s.Now()), Trainer: RoleplayPerson{ID: r.TrainerID, Name: r.TrainerName},
		InviteeCount: r.InviteeCount, YouAre: youAre(p, r)}
}

// findRoleplayRow reads a session the caller may see (their organisation's, and they are its
// trainer, an invitee or an org admin). Anything else is NotFound, so ids of other sessions
// reveal nothing.
func (s *Store) findRoleplayRow(ctx context.Context, q sqlx.QueryerContext, p *Principal, id string) (*roleplayRow, error) {
	notFound := Errorf(NotFound, "We couldn't find that role-play session.")
	if p.Organisation == nil {
		return nil, notFound
	}
	if _, err := uuid.Parse(id); err != nil {
		return nil, notFound
	}
	var r roleplayRow
	err := sqlx.GetContext(ctx, q, &r, `
		SELECT * FROM (`+roleplaySelect(true)+` WHERE rs.id = $1 AND rs.org_id = $2) x,
		LATERAL (SELECT EXISTS (SELECT 1 FROM roleplay_invitees ri WHERE ri.session_id = x.id AND ri.person_id = $3) AS invited) i`,
		id, p.OrgID(), p.Person.ID)
	if err != nil {
		if ErrorCode(dbError(err)) == NotFound {
			return nil, notFound
		}
		return nil, dbError(err)
	}
	if youAre(p, &r) == "" {
		return nil, notFound
	}
	if err := r.decode(); err != nil {
		return nil, err
	}
	return &r, nil
}

// FindRoleplaySessionDetail returns a session's page for the caller.
func (s *Store) FindRoleplaySessionDetail(ctx context.Context, p *Principal, id string) (*RoleplaySessionDetail, error) {
	var d *RoleplaySessionDetail
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		var err error
		d, err = s.roleplayDetail(ctx, tx, p, id)
		return err
	})
	return d, err
}

func (s *Store) roleplayDetail(ctx context.Context, q sqlx.QueryerContext, p *Principal, id string) (*RoleplaySessionDetail, error) {
	r, err := s.findRoleplayRow(ctx, q, p, id)
	if err != nil {
		return nil, err
	}
	d := &RoleplaySessionDetail{RoleplaySessionSummary: s.summaryOf(p, r), DurationMinutes: r.DurationMinutes,
		PracticeSeconds: r.PracticeSeconds, FeedbackSeconds: r.FeedbackSeconds, TranscriptAllowed: r.TranscriptAllowed,
		Invitees: []RoleplayPerson{}, Cards: cardViews(r.Cards, r.Criteria)}
	if err := sqlx.SelectContext(ctx, q, &d.Invitees, `
		SELECT p.id, p.name FROM roleplay_invitees ri JOIN people p ON p.id = ri.person_id
		WHERE ri.session_id = $1 ORDER BY p.name, p.id`, id); err != nil {
		return nil, dbError(err)
	}
	return d, nil
}

// RoleplaySessionFilter picks sessions for a list: When is "upcoming" (not yet over, soonest
// first) or "past" (ended or cancelled, latest first).
type RoleplaySessionFilter struct {
	When string
}

// FindRoleplaySessions lists the sessions the caller may see: a trainee those they are invited
// to, a trainer also those they run, an org admin all of their organisation's.
func (s *Store) FindRoleplaySessions(ctx context.Context, p *Principal, filter RoleplaySessionFilter, page Page) ([]RoleplaySessionSummary, string, error) {
	upcoming := true
	switch filter.When {
	case "", "upcoming":
	case "past":
		upcoming = false
	default:
		return nil, "", FieldError("when", "Use upcoming or past.")
	}
	cur, err := page.decode()
	if err != nil {
		return nil, "", err
	}
	if p.Organisation == nil {
		return []RoleplaySessionSummary{}, "", nil
	}
	if cur.ID != nil {
		if _, err := uuid.Parse(*cur.ID); err != nil {
			return nil, "", FieldError("cursor", "This cursor is not valid; start from the first page.")
		}
	}
	// Open: not cancelled, not ended, and its planned end still ahead.
	open := `rs.cancelled_at IS NULL AND rs.ended_at IS NULL AND rs.starts_at + rs.duration_minutes * interval '1 minute' > $4`
	where, order, after := open, `ORDER BY rs.starts_at, rs.id`, `(rs.starts_at, rs.id) > ($5, $6::uuid)`
	if !upcoming {
		where, order, after = `NOT (`+open+`)`, `ORDER BY rs.starts_at DESC, rs.id DESC`, `(rs.starts_at, rs.id) < ($5, $6::uuid)`
	}
	var rows []roleplayRow
	err = s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		return dbError(tx.SelectContext(ctx, &rows, `
			SELECT * FROM (`+roleplaySelect(false)+`
				WHERE rs.org_id = $1 AND `+where+` AND ($5::timestamptz IS NULL OR `+after+`)
				AND ($2 OR rs.trainer_id = $3
					OR EXISTS (SELECT 1 FROM roleplay_invitees ri WHERE ri.session_id = rs.id AND ri.person_id = $3))
				`+order+` LIMIT $7) x,
			LATERAL (SELECT EXISTS (SELECT 1 FROM roleplay_invitees ri WHERE ri.session_id = x.id AND ri.person_id = $3) AS invited) i
			`+strings.ReplaceAll(order, "rs.", "x."),
			p.OrgID(), p.Person.HasRole(RoleOrgAdmin), p.Person.ID, s.Now(), cur.At, cur.ID, page.Limit+1))
	})
	if err != nil {
		return nil, "", err
	}
	rows, next := cutPage(rows, page.Limit, func(last roleplayRow) string { return encodeCursor(last.StartsAt, last.ID) })
	out := make([]RoleplaySessionSummary, len(rows))
	for i := range rows {
		out[i] = s.summaryOf(p, &rows[i])
	}
	return out, next, nil
}

// FindRoleplaySession returns a session of orgID with its cards (briefs included), criteria,
// trainer and roster (the trainer first, then the active invitees by name), for the live room.
// Another organisation's session is NotFound.
func (s *Store) FindRoleplaySession(ctx context.Context, orgID, id string) (RoleplaySession, error) {
	notFound := Errorf(NotFound, "We couldn't find that role-play session.")
	if _, err := uuid.Parse(id); err != nil {
		return RoleplaySession{}, notFound
	}
	if _, err := uuid.Parse(orgID); err != nil {
		return RoleplaySession{}, notFound
	}
	var r roleplayRow
	err := s.tx(ctx, orgID, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &r, `SELECT *, false AS invited FROM (`+roleplaySelect(true)+`
			WHERE rs.id = $1 AND rs.org_id = $2) x`, id, orgID); err != nil {
			if ErrorCode(dbError(err)) == NotFound {
				return notFound
			}
			return dbError(err)
		}
		if err := r.decode(); err != nil {
			return err
		}
		r.Roster = []RoleplayMember{{PersonID: r.TrainerID, Name: r.TrainerName, Trainer: true}}
		var invitees []RoleplayMember
		if err := tx.SelectContext(ctx, &invitees, `
			SELECT p.id AS person_id, p.name, false AS trainer
			FROM roleplay_invitees ri JOIN people p ON p.id = ri.person_id
			WHERE ri.session_id = $1 AND ri.org_id = $2 AND p.active ORDER BY p.name, p.id`, id, orgID); err != nil {
			return dbError(err)
		}
		r.Roster = append(r.Roster, invitees...)
		return nil
	})
	if err != nil {
		return RoleplaySession{}, err
	}
	return r.RoleplaySession, nil
}

// RoleplayInvite returns the calendar entry of a session for the caller, who must be its trainer
// or an invitee.
func (s *Store) RoleplayInvite(ctx context.Context, p *Principal, id string) (*CalendarInvite, error) {
	var inv *CalendarInvite
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		r, err := s.findRoleplayRow(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if who := youAre(p, r); who != "trainer" && who != "invitee" {
			return Errorf(NotFound, "Only the trainer and the people invited have this session in their calendar.")
		}
		var trainer roleplayInvitee
		if err := tx.GetContext(ctx, &trainer, `SELECT id, name, email FROM people WHERE id = $1`, r.TrainerID); err != nil {
			return dbError(err)
		}
		method := "PUBLISH"
		if r.CancelledAt != nil {
			method = "CANCEL"
		}
		inv = s.roleplayInvite(&r.RoleplaySession, trainer,
			roleplayInvitee{ID: p.Person.ID, Name: p.Person.Name, Email: p.Person.Email}, method, s.Now())
		if method == "PUBLISH" {
			// A downloaded file is a copy for one's own calendar, not a meeting request to answer.
			inv.AttendeeName, inv.AttendeeEmail = "", ""
		}
		return nil
	})
	return inv, err
}

// CancelRoleplaySession cancels a session that has not started and emails each invitee a
// cancellation for their calendar, in one transaction. The session's trainer or an org admin
// may cancel it.
func (s *Store) CancelRoleplaySession(ctx context.Context, p *Principal, id string) (*RoleplaySessionDetail, error) {
	var out *RoleplaySessionDetail
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		if _, err := uuid.Parse(id); err == nil {
			// Lock the session so a cancellation and the room starting cannot cross.
			if _, err := tx.ExecContext(ctx, `SELECT 1 FROM roleplay_sessions WHERE id = $1 AND org_id = $2 FOR UPDATE`,
				id, p.OrgID()); err != nil {
				return dbError(err)
			}
		}
		r, err := s.findRoleplayRow(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if youAre(p, r) != "trainer" && !p.Person.HasRole(RoleOrgAdmin) {
			return Errorf(Forbidden, "Only the session's trainer or an organisation admin can cancel it.")
		}
		switch st := r.State(s.Now()); st {
		case RoleplayCancelled:
			return Errorf(Conflict, "This session was already cancelled.")
		case RoleplayRunning, RoleplayEnded:
			return Errorf(Conflict, "This session has already started, so it can't be cancelled.")
		}
		now := s.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE roleplay_sessions SET cancelled_at = $2 WHERE id = $1`, id, now); err != nil {
			return dbError(err)
		}
		var trainer roleplayInvitee
		if err := tx.GetContext(ctx, &trainer, `SELECT id, name, email FROM people WHERE id = $1`, r.TrainerID); err != nil {
			return dbError(err)
		}
		var invitees []roleplayInvitee
		if err := tx.SelectContext(ctx, &invitees, `
			SELECT p.id, p.name, p.email FROM roleplay_invitees ri JOIN people p ON p.id = ri.person_id
			WHERE ri.session_id = $1 ORDER BY p.name`, id); err != nil {
			return dbError(err)
		}
		loc, _ := time.LoadLocation(r.TimeZone)
		for _, x := range invitees {
			if err := addOutbox(ctx, tx, TaskEmailSend, p.OrgID(), Email{
				Key: "roleplay_cancelled:" + id + ":" + x.ID, To: x.Email, ToName: x.Name,
				Template: "roleplay_cancelled", OrgName: p.Organisation.Name,
				Data:   roleplayMailData(&r.RoleplaySession, loc, s.link("/roleplay")),
				Invite: s.roleplayInvite(&r.RoleplaySession, trainer, x, "CANCEL", now),
			}); err != nil {
				return err
			}
		}
		out, err = s.roleplayDetail(ctx, tx, p, id)
		return err
	})
	return out, err
}

// RoleplayCandidates is who may be invited to a session: the organisation's active trainees and
// its teams.
type RoleplayCandidates struct {
	People []RoleplayPerson `json:"people"`
	Teams  []RoleplayTeam   `json:"teams"`
}

// RoleplayTeam is a team as the scheduling form shows it.
type RoleplayTeam struct {
	ID          string `db:"id" json:"id"`
	Name        string `db:"name" json:"name"`
	MemberCount int    `db:"member_count" json:"member_count"`
}

// FindRoleplayCandidates returns who a trainer or org admin may invite.
func (s *Store) FindRoleplayCandidates(ctx context.Context, p *Principal) (*RoleplayCandidates, error) {
	if !CanRunRoleplay(p) {
		return nil, Errorf(Forbidden, "Only trainers and organisation admins can schedule role-play sessions.")
	}
	out := &RoleplayCandidates{People: []RoleplayPerson{}, Teams: []RoleplayTeam{}}
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		if err := tx.SelectContext(ctx, &out.People, `
			SELECT id, name FROM people WHERE org_id = $1 AND active AND 'trainee' = ANY(roles)
			ORDER BY name, id`, p.OrgID()); err != nil {
			return dbError(err)
		}
		return dbError(tx.SelectContext(ctx, &out.Teams, `
			SELECT t.id, t.name, (SELECT count(*) FROM team_members tm JOIN people x ON x.id = tm.person_id
				WHERE tm.team_id = t.id AND x.active) AS member_count
			FROM teams t WHERE t.org_id = $1 ORDER BY t.name, t.id`, p.OrgID()))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RoleplayFeedbackRow is one piece of feedback given in a session.
type RoleplayFeedbackRow struct {
	Round       int             `json:"round"`
	Phase       string          `json:"phase"`
	GroupID     string          `json:"group_id"`
	From        RoleplayPerson  `json:"from"`
	Seat        string          `json:"seat"`
	About       *RoleplayPerson `json:"about"`
	Scores      []RoleplayScore `json:"scores"`
	Comment     string          `json:"comment"`
	SubmittedAt time.Time       `json:"submitted_at"`
}

// RoleplayScore is one rubric score (1 to 4) with the criterion's title.
type RoleplayScore struct {
	CriterionID string `json:"criterion_id"`
	Title       string `json:"title"`
	Score       int    `json:"score"`
}

// RoleplayDebriefGroup is one group's observer scores, averaged per criterion.
type RoleplayDebriefGroup struct {
	GroupID  string                 `json:"group_id"`
	Criteria []RoleplayDebriefScore `json:"criteria"`
}

// RoleplayDebriefScore is the mean observer score on one criterion, of Count scores.
type RoleplayDebriefScore struct {
	CriterionID string  `json:"criterion_id"`
	Title       string  `json:"title"`
	Mean        float64 `json:"mean"`
	Count       int     `json:"count"`
}

// RoleplaySessionFeedback is a session's feedback as the caller may see it, and its debrief.
type RoleplaySessionFeedback struct {
	Session RoleplaySessionSummary `json:"session"`
	Rows    []RoleplayFeedbackRow  `json:"rows"`
	Debrief []RoleplayDebriefGroup `json:"debrief"`
}

type feedbackRow struct {
	Round       int       `db:"round"`
	Phase       string    `db:"phase"`
	GroupID     string    `db:"group_id"`
	FromID      string    `db:"from_id"`
	FromName    string    `db:"from_name"`
	Seat        string    `db:"seat"`
	AboutID     *string   `db:"about_id"`
	AboutName   *string   `db:"about_name"`
	Scores      []byte    `db:"scores"`
	Comment     string    `db:"comment"`
	SubmittedAt time.Time `db:"submitted_at"`
	// For the portfolio.
	SessionID string `db:"session_id"`
}

func (f feedbackRow) scores() map[string]int {
	var m map[string]int
	// Scores the room wrote are an object of 1–4 integers; anything else counts as none.
	if len(f.Scores) > 0 && json.Unmarshal(f.Scores, &m) != nil {
		return nil
	}
	return m
}

func (f feedbackRow) view(titles map[string]string, order []string) RoleplayFeedbackRow {
	v := RoleplayFeedbackRow{Round: f.Round, Phase: f.Phase, GroupID: f.GroupID,
		From: RoleplayPerson{ID: f.FromID, Name: f.FromName}, Seat: f.Seat, Scores: scoreList(f.scores(), titles, order),
		Comment: f.Comment, SubmittedAt: f.SubmittedAt.UTC()}
	if f.AboutID != nil {
		v.About = &RoleplayPerson{ID: *f.AboutID, Name: *f.AboutName}
	}
	return v
}

// scoreList orders scores as the criteria are ordered; criteria the session doesn't know come
// last, by id.
func scoreList(m map[string]int, titles map[string]string, order []string) []RoleplayScore {
	out := []RoleplayScore{}
	for _, id := range order {
		if sc, ok := m[id]; ok {
			out = append(out, RoleplayScore{CriterionID: id, Title: titles[id], Score: sc})
		}
	}
	var rest []string
	for id := range m {
		if _, ok := titles[id]; !ok {
			rest = append(rest, id)
		}
	}
	sort.Strings(rest)
	for _, id := range rest {
		out = append(out, RoleplayScore{CriterionID: id, Title: id, Score: m[id]})
	}
	return out
}

// feedbackOrder puts feedback in the order it is given in a round.
const feedbackOrder = `CASE f.phase WHEN 'feedback.observer' THEN 1 WHEN 'feedback.self' THEN 2
	WHEN 'feedback.trainer' THEN 3 WHEN 'feedback.speaker' THEN 4 ELSE 5 END, f.submitted_at, f.from_person`

const feedbackColumns = `f.session_id, f.round, f.phase, f.group_id, f.from_person AS from_id, fp.name AS from_name, f.seat,
	f.about_person AS about_id, ap.name AS about_name, f.scores, f.comment, f.submitted_at
	FROM roleplay_feedback f JOIN people fp ON fp.id = f.from_person LEFT JOIN people ap ON ap.id = f.about_person`

// FindRoleplayFeedback returns a session's feedback for the caller: all of it for its trainer
// and org admins; for an invitee only the feedback about them and what they gave, as with
// reflections. The debrief (observer scores averaged per group and criterion) is for everyone
// in the session.
func (s *Store) FindRoleplayFeedback(ctx context.Context, p *Principal, id string) (*RoleplaySessionFeedback, error) {
	var out *RoleplaySessionFeedback
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		r, err := s.findRoleplayRow(ctx, tx, p, id)
		if err != nil {
			return err
		}
		var rows []feedbackRow
		if err := tx.SelectContext(ctx, &rows, `SELECT `+feedbackColumns+`
			WHERE f.session_id = $1 AND f.org_id = $2
			ORDER BY f.group_id, f.round, `+feedbackOrder, id, p.OrgID()); err != nil {
			return dbError(err)
		}
		titles, order := criteriaIndex(r.Criteria)
		out = &RoleplaySessionFeedback{Session: s.summaryOf(p, r), Rows: []RoleplayFeedbackRow{},
			Debrief: debrief(rows, titles, order)}
		all := youAre(p, r) == "trainer" || p.Person.HasRole(RoleOrgAdmin)
		for _, f := range rows {
			if all || f.FromID == p.Person.ID || (f.AboutID != nil && *f.AboutID == p.Person.ID) {
				out.Rows = append(out.Rows, f.view(titles, order))
			}
		}
		return nil
	})
	return out, err
}

func criteriaIndex(cs []Criterion) (map[string]string, []string) {
	titles := map[string]string{}
	order := make([]string, 0, len(cs))
	for _, c := range cs {
		titles[c.ID] = c.Title
		order = append(order, c.ID)
	}
	return titles, order
}

// debrief averages the observers' scores per group and criterion, groups in id order.
func debrief(rows []feedbackRow, titles map[string]string, order []string) []RoleplayDebriefGroup {
	type acc struct{ sum, n int }
	byGroup := map[string]map[string]*acc{}
	var groups []string
	for _, f := range rows {
		if f.Phase != RoleplayObserverPhase {
			continue
		}
		g, ok := byGroup[f.GroupID]
		if !ok {
			g = map[string]*acc{}
			byGroup[f.GroupID] = g
			groups = append(groups, f.GroupID)
		}
		for id, sc := range f.scores() {
			if sc < 1 || sc > 4 {
				continue
			}
			if g[id] == nil {
				g[id] = &acc{}
			}
			g[id].sum += sc
			g[id].n++
		}
	}
	sort.Strings(groups)
	out := []RoleplayDebriefGroup{}
	for _, gid := range groups {
		g := RoleplayDebriefGroup{GroupID: gid, Criteria: []RoleplayDebriefScore{}}
		ids := slices.Clone(order)
		var rest []string
		for id := range byGroup[gid] {
			if _, ok := titles[id]; !ok {
				rest = append(rest, id)
			}
		}
		sort.Strings(rest)
		for _, id := range append(ids, rest...) {
			a := byGroup[gid][id]
			if a == nil {
				continue
			}
			title := titles[id]
			if title == "" {
				title = id
			}
			g.Criteria = append(g.Criteria, RoleplayDebriefScore{CriterionID: id, Title: title,
				Mean: math.Round(float64(a.sum)/float64(a.n)*100) / 100, Count: a.n})
		}
		out = append(out, g)
	}
	return out
}

// RoleplayPractice is one round a person took part in, for their portfolio: the seat they held,
// the card, and the feedback about their practice when they were the peer worker.
type RoleplayPractice struct {
	SessionID    string                `json:"session_id"`
	SessionTitle string                `json:"session_title"`
	Round        int                   `json:"round"`
	GroupID      string                `json:"group_id"`
	Seat         string                `json:"seat"`
	StartedAt    time.Time             `json:"started_at"`
	Card         RoleplayCardRef       `json:"card"`
	Feedback     []RoleplayFeedbackRow `json:"feedback"`
}

// RoleplayCardRef names a card.
type RoleplayCardRef struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

type seatRow struct {
	SessionID    string    `db:"session_id"`
	SessionTitle string    `db:"session_title"`
	Round        int       `db:"round"`
	GroupID      string    `db:"group_id"`
	Seat         string    `db:"seat"`
	CardID       string    `db:"card_id"`
	StartedAt    time.Time `db:"started_at"`
	Cards        []byte    `db:"cards"`
	Criteria     []byte    `db:"criteria"`
}

// FindRoleplayPortfolio returns the caller's practice across sessions, latest round first.
func (s *Store) FindRoleplayPortfolio(ctx context.Context, p *Principal, page Page) ([]RoleplayPractice, string, error) {
	cur, err := page.decode()
	if err != nil {
		return nil, "", err
	}
	if p.Organisation == nil {
		return []RoleplayPractice{}, "", nil
	}
	var seats []seatRow
	var fb []feedbackRow
	err = s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		// The cursor's id is "<session id>:<round>", zero-padded so it sorts as text.
		if err := tx.SelectContext(ctx, &seats, `
			SELECT st.session_id, rs.title AS session_title, st.round, st.group_id, st.seat, st.card_id, st.started_at,
				rs.cards, rs.criteria
			FROM roleplay_seats st JOIN roleplay_sessions rs ON rs.id = st.session_id
			WHERE st.person_id = $1 AND st.org_id = $2
				AND ($3::timestamptz IS NULL OR (st.started_at, st.session_id::text || ':' || lpad(st.round::text, 6, '0')) < ($3, $4::text))
			ORDER BY st.started_at DESC, st.session_id::text || ':' || lpad(st.round::text, 6, '0') DESC LIMIT $5`,
			p.Person.ID, p.OrgID(), cur.At, cur.ID, page.Limit+1); err != nil {
			return dbError(err)
		}
		if len(seats) == 0 {
			return nil
		}
		ids := make([]string, 0, len(seats))
		for _, st := range seats {
			ids = append(ids, st.SessionID)
		}
		return dbError(tx.SelectContext(ctx, &fb, `SELECT `+feedbackColumns+`
			WHERE f.about_person = $1 AND f.org_id = $2 AND f.session_id = ANY($3)
			ORDER BY f.round, `+feedbackOrder, p.Person.ID, p.OrgID(), pq.StringArray(ids)))
	})
	if err != nil {
		return nil, "", err
	}
	seats, next := cutPage(seats, page.Limit, func(last seatRow) string {
		return encodeCursor(last.StartedAt, fmt.Sprintf("%s:%06d", last.SessionID, last.Round))
	})
	out := make([]RoleplayPractice, 0, len(seats))
	for _, st := range seats {
		var cards []Card
		var criteria []Criterion
		if err := json.Unmarshal(st.Cards, &cards); err != nil {
			return nil, "", fmt.Errorf("roleplay session %s cards: %w", st.SessionID, err)
		}
		if err := json.Unmarshal(st.Criteria, &criteria); err != nil {
			return nil, "", fmt.Errorf("roleplay session %s criteria: %w", st.SessionID, err)
		}
		pr := RoleplayPractice{SessionID: st.SessionID, SessionTitle: st.SessionTitle, Round: st.Round,
			GroupID: st.GroupID, Seat: st.Seat, StartedAt: st.StartedAt.UTC(), Card: RoleplayCardRef{ID: st.CardID, Title: st.CardID},
			Feedback: []RoleplayFeedbackRow{}}
		for _, c := range cards {
			if c.ID == st.CardID {
				pr.Card.Title = c.Title
			}
		}
		titles, order := criteriaIndex(criteria)
		for _, f := range fb {
			if f.SessionID == st.SessionID && f.Round == st.Round {
				pr.Feedback = append(pr.Feedback, f.view(titles, order))
			}
		}
		out = append(out, pr)
	}
	return out, next, nil
}

// practisedRoleplay reports whether a person has practised as peer worker in a round in which an
// observer gave feedback about them: what a course's completion.roleplay asks for.
func practisedRoleplay(ctx context.Context, q sqlx.QueryerContext, orgID, personID string) (bool, error) {
	var ok bool
	err := sqlx.GetContext(ctx, q, &ok, `
		SELECT EXISTS (
			SELECT 1 FROM roleplay_seats st JOIN roleplay_feedback f
				ON f.session_id = st.session_id AND f.round = st.round AND f.about_person = st.person_id
			WHERE st.person_id = $1 AND st.org_id = $2 AND st.seat = 'peer_worker' AND f.phase = $3)`,
		personID, orgID, RoleplayObserverPhase)
	return ok, dbError(err)
}

// CreditRoleplayPractice completes, in the caller's transaction, the person's open enrolments in
// courses that ask for role-play practice, when that practice is now recorded and the rest of
// each course is done; completing queues the certificate. The live room calls it in the
// transaction that records observer feedback.
func (s *Store) CreditRoleplayPractice(ctx context.Context, tx *sqlx.Tx, orgID, personID string) error {
	ok, err := practisedRoleplay(ctx, tx, orgID, personID)
	if err != nil || !ok {
		return err
	}
	var es []enrolment
	if err := tx.SelectContext(ctx, &es, `
		SELECT id, org_id, person_id, course_id, course_version_id, completed_at FROM enrolments
		WHERE person_id = $1 AND org_id = $2 AND completed_at IS NULL
		ORDER BY started_at FOR UPDATE`, personID, orgID); err != nil {
		return dbError(err)
	}
	for i := range es {
		e := &es[i]
		v, err := s.version(ctx, tx, e.VersionID)
		if err != nil {
			return err
		}
		if !v.Content.Completion.Roleplay {
			continue
		}
		if _, err := s.completeIfDone(ctx, tx, e, v); err != nil {
			return err
		}
	}
	return nil
}

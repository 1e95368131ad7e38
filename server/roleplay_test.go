package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
	"peerpath/courses/content"
	"peerpath/migrations/testdb"
	"peerpath/server"
	"peerpath/worker/mail"
)

// roleplayServer is the demo organisations with the shipped role-play kit and calendar files.
type roleplayServer struct {
	h     http.Handler
	store *courses.Store
	ids   map[string]string // email → person id
}

func mustRoleplayServer(tb testing.TB) *roleplayServer {
	tb.Helper()
	h, store, _ := MustServer(tb, func(c *server.Config) { c.CalendarICS = mail.ICS })
	lib, err := content.Load(content.Shipped)
	if err != nil {
		tb.Fatal(err)
	}
	store.RoleplayKit = courses.RoleplayKit{Cards: lib.Cards, Criteria: lib.Criteria}
	var rows []struct {
		ID    string `db:"id"`
		Email string `db:"email"`
	}
	if err := testdb.Owner(store.DB()).Select(&rows, `SELECT id, email FROM people`); err != nil {
		tb.Fatal(err)
	}
	rs := &roleplayServer{h: h, store: store, ids: map[string]string{}}
	for _, r := range rows {
		rs.ids[r.Email] = r.ID
	}
	return rs
}

func (rs *roleplayServer) login(tb testing.TB, email string) reqOpt {
	tb.Helper()
	return withCookie(MustLogin(tb, rs.h, email, demoPassword))
}

// body is a valid scheduling request for people, changed by change.
func (rs *roleplayServer) body(change func(map[string]any), people ...string) string {
	ids := []string{}
	for _, p := range people {
		ids = append(ids, rs.ids[p])
	}
	m := map[string]any{"title": "Boundaries practice", "starts_at": "2026-03-09T10:00:00+13:00", "time_zone": "Pacific/Auckland",
		"duration_minutes": 90, "card_ids": []string{"RP-01"}, "person_ids": ids, "transcript_allowed": false}
	if change != nil {
		change(m)
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func (rs *roleplayServer) schedule(tb testing.TB, as reqOpt, people ...string) courses.RoleplaySessionDetail {
	tb.Helper()
	rec := Do(tb, rs.h, http.MethodPost, "/api/v1/roleplay/sessions", rs.body(nil, people...), as)
	if rec.Code != http.StatusCreated {
		tb.Fatalf("schedule: got %d %s, want 201", rec.Code, rec.Body)
	}
	var d courses.RoleplaySessionDetail
	MustDecode(tb, rec, &d)
	return d
}

func TestRoleplaySessionCreate(t *testing.T) {
	t.Parallel()
	rs := mustRoleplayServer(t)
	trainer := rs.login(t, "trainer@riverside.example")

	t.Run("OK", func(t *testing.T) {
		rec := Do(t, rs.h, http.MethodPost, "/api/v1/roleplay/sessions",
			rs.body(nil, "trainee1@riverside.example", "trainee2@riverside.example"), trainer)
		if rec.Code != http.StatusCreated {
			t.Fatalf("got %d %s, want 201", rec.Code, rec.Body)
		}
		var d courses.RoleplaySessionDetail
		MustDecode(t, rec, &d)
		if rec.Header().Get("Location") != "/api/v1/roleplay/sessions/"+d.ID {
			t.Errorf("location: got %q", rec.Header().Get("Location"))
		}
		if d.Trainer.Name != "Tomás Reyes" || d.InviteeCount != 2 || d.YouAre != "trainer" || d.State != "scheduled" ||
			d.StartsAt.Format("2006-01-02T15:04:05Z07:00") != "2026-03-08T21:00:00Z" {
			t.Errorf("got %+v, want Tomás's session for two, starting 2026-03-08T21:00:00Z", d)
		}
		if strings.Contains(rec.Body.String(), "brief") {
			t.Errorf("body: got %s, want no private briefs", rec.Body)
		}
		if n := MustCount(t, rs.store, `SELECT count(*) FROM outbox WHERE payload->>'template' = 'roleplay_invitation'`); n != 2 {
			t.Errorf("invitation emails: got %d, want 2", n)
		}
	})

	t.Run("ErrAuth", func(t *testing.T) {
		wantError(t, Do(t, rs.h, http.MethodPost, "/api/v1/roleplay/sessions", rs.body(nil, "trainee1@riverside.example")),
			http.StatusUnauthorized, "unauthorized")
		wantError(t, Do(t, rs.h, http.MethodPost, "/api/v1/roleplay/sessions", rs.body(nil, "trainee2@riverside.example"),
			rs.login(t, "trainee1@riverside.example")), http.StatusForbidden, "forbidden")
	})

	before := MustCount(t, rs.store, `SELECT count(*) FROM roleplay_sessions`)
	outbox := MustCount(t, rs.store, `SELECT count(*) FROM outbox`)
	tests := []struct {
		name   string
		body   string
		fields []string
	}{
		{"ErrTitle", rs.body(func(m map[string]any) { m["title"] = "" }, "trainee1@riverside.example"), []string{"title"}},
		{"ErrStart", rs.body(func(m map[string]any) { m["starts_at"] = "9 March" }, "trainee1@riverside.example"), []string{"starts_at"}},
		{"ErrPast", rs.body(func(m map[string]any) { m["starts_at"] = "2026-03-01T10:00:00Z" }, "trainee1@riverside.example"), []string{"starts_at"}},
		{"ErrZone", rs.body(func(m map[string]any) { m["time_zone"] = "Atlantis/Capital" }, "trainee1@riverside.example"), []string{"time_zone"}},
		{"ErrDuration", rs.body(func(m map[string]any) { m["duration_minutes"] = 500 }, "trainee1@riverside.example"), []string{"duration_minutes"}},
		{"ErrDurationType", rs.body(func(m map[string]any) { m["duration_minutes"] = "ninety" }, "trainee1@riverside.example"), []string{"duration_minutes"}},
		{"ErrPractice", rs.body(func(m map[string]any) { m["practice_seconds"] = 10 }, "trainee1@riverside.example"), []string{"practice_seconds"}},
		{"ErrFeedback", rs.body(func(m map[string]any) { m["feedback_seconds"] = 10 }, "trainee1@riverside.example"), []string{"feedback_seconds"}},
		{"ErrCards", rs.body(func(m map[string]any) { m["card_ids"] = []string{} }, "trainee1@riverside.example"), []string{"card_ids"}},
		{"ErrUnknownCard", rs.body(func(m map[string]any) { m["card_ids"] = []string{"RP-404"} }, "trainee1@riverside.example"), []string{"card_ids"}},
		{"ErrNoInvitees", rs.body(nil), []string{"invitees"}},
		{"ErrOtherOrgPerson", rs.body(nil, "trainee1@harbour.example"), []string{"person_ids"}},
		{"ErrTrainerInvited", rs.body(nil, "trainer@riverside.example"), []string{"person_ids"}},
		{"ErrTeam", rs.body(func(m map[string]any) { m["team_ids"] = []string{"8d0f5b0e-4a4b-4d43-9c3a-1f4f7d8e2a11"} }, "trainee1@riverside.example"), []string{"team_ids"}},
		{"ErrTrainerID", rs.body(func(m map[string]any) { m["trainer_id"] = rs.ids["trainee1@riverside.example"] }, "trainee2@riverside.example"), []string{"trainer_id"}},
		{"ErrSeveral", `{"title":"","starts_at":"","time_zone":"","duration_minutes":0,"card_ids":[]}`,
			[]string{"title", "starts_at", "time_zone", "duration_minutes", "card_ids", "invitees"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantFields(t, Do(t, rs.h, http.MethodPost, "/api/v1/roleplay/sessions", tt.body, trainer), tt.fields...)
			if got := MustCount(t, rs.store, `SELECT count(*) FROM roleplay_sessions`); got != before {
				t.Errorf("sessions: got %d, want %d", got, before)
			}
			if got := MustCount(t, rs.store, `SELECT count(*) FROM outbox`); got != outbox {
				t.Errorf("outbox: got %d, want %d", got, outbox)
			}
		})
	}
	t.Run("ErrJSON", func(t *testing.T) {
		wantError(t, Do(t, rs.h, http.MethodPost, "/api/v1/roleplay/sessions", `{"title":`, trainer), http.StatusBadRequest, "invalid")
	})
}

func TestRoleplaySessionRead(t *testing.T) {
	t.Parallel()
	rs := mustRoleplayServer(t)
	trainer := rs.login(t, "trainer@riverside.example")
	d := rs.schedule(t, trainer, "trainee1@riverside.example", "trainee2@riverside.example")
	invitee := rs.login(t, "trainee1@riverside.example")
	outsider := rs.login(t, "trainee4@riverside.example")
	admin := rs.login(t, "admin@riverside.example")
	harbour := rs.login(t, "admin@harbour.example")

	list := func(t *testing.T, as reqOpt, query string) []courses.RoleplaySessionSummary {
		t.Helper()
		rec := Do(t, rs.h, http.MethodGet, "/api/v1/roleplay/sessions"+query, "", as)
		if rec.Code != http.StatusOK {
			t.Fatalf("list: got %d %s", rec.Code, rec.Body)
		}
		var body struct {
			Items      []courses.RoleplaySessionSummary `json:"items"`
			NextCursor string                           `json:"next_cursor"`
		}
		MustDecode(t, rec, &body)
		return body.Items
	}
	t.Run("List", func(t *testing.T) {
		for name, tt := range map[string]struct {
			as     reqOpt
			youAre []string
		}{
			"Invitee": {invitee, []string{"invitee"}}, "Trainer": {trainer, []string{"trainer"}},
			"Admin": {admin, []string{"admin"}}, "Outsider": {outsider, []string{}}, "OtherOrg": {harbour, []string{}},
		} {
			t.Run(name, func(t *testing.T) {
				got := []string{}
				for _, it := range list(t, tt.as, "?when=upcoming") {
					got = append(got, it.YouAre)
				}
				if diff := cmp.Diff(tt.youAre, got); diff != "" {
					t.Errorf("you_are (-want +got):\n%s", diff)
				}
			})
		}
		if got := list(t, invitee, "?when=past&limit=5"); len(got) != 0 {
			t.Errorf("past: got %v, want none", got)
		}
		wantFields(t, Do(t, rs.h, http.MethodGet, "/api/v1/roleplay/sessions?when=someday", "", invitee), "when")
		wantFields(t, Do(t, rs.h, http.MethodGet, "/api/v1/roleplay/sessions?limit=0", "", invitee), "limit")
		wantFields(t, Do(t, rs.h, http.MethodGet, "/api/v1/roleplay/sessions?cursor=zz", "", invitee), "cursor")
	})

	t.Run("Get", func(t *testing.T) {
		rec := Do(t, rs.h, http.MethodGet, "/api/v1/roleplay/sessions/"+d.ID, "", invitee)
		var got courses.RoleplaySessionDetail
		MustDecode(t, rec, &got)
		if got.YouAre != "invitee" || len(got.Invitees) != 2 || len(got.Cards) != 1 || got.Cards[0].Shared == "" ||
			got.Cards[0].Title == "" {
			t.Errorf("got %+v, want the session as an invitee sees it", got)
		}
		for _, as := range []reqOpt{outsider, harbour} {
			wantError(t, Do(t, rs.h, http.MethodGet, "/api/v1/roleplay/sessions/"+d.ID, "", as), http.StatusNotFound, "not_found")
		}
		wantError(t, Do(t, rs.h, http.MethodGet, "/api/v1/roleplay/sessions/nope", "", admin), http.StatusNotFound, "not_found")
	})

	t.Run("ICS", func(t *testing.T) {
		for _, path := range []string{"/api/v1/roleplay/sessions/" + d.ID + ".ics", "/api/v1/roleplay/sessions/" + d.ID + "/ics"} {
			for _, as := range []reqOpt{invitee, trainer} {
				rec := Do(t, rs.h, http.MethodGet, path, "", as)
				if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/calendar") {
					t.Fatalf("%s: got %d %s %s, want a calendar", path, rec.Code, rec.Header().Get("Content-Type"), rec.Body)
				}
				cal, err := ics.ParseCalendar(bytes.NewReader(rec.Body.Bytes()))
				if err != nil || len(cal.Events()) != 1 || cal.Events()[0].Id() != "roleplay-"+d.ID+"@peerpath" {
					t.Errorf("%s: got %s (%v), want the session's event", path, rec.Body, err)
				}
			}
			for _, as := range []reqOpt{outsider, harbour} {
				wantError(t, Do(t, rs.h, http.MethodGet, path, "", as), http.StatusNotFound, "not_found")
			}
		}
	})

	t.Run("Cards", func(t *testing.T) {
		rec := Do(t, rs.h, http.MethodGet, "/api/v1/roleplay/cards", "", trainer)
		var body struct {
			Items []courses.RoleplayCardView `json:"items"`
		}
		MustDecode(t, rec, &body)
		if len(body.Items) != 12 || strings.Contains(rec.Body.String(), "brief") {
			t.Errorf("got %d cards, want the 12 shipped ones without briefs", len(body.Items))
		}
		wantError(t, Do(t, rs.h, http.MethodGet, "/api/v1/roleplay/cards", "", invitee), http.StatusForbidden, "forbidden")
	})

	t.Run("Candidates", func(t *testing.T) {
		rec := Do(t, rs.h, http.MethodGet, "/api/v1/roleplay/candidates", "", admin)
		var got courses.RoleplayCandidates
		MustDecode(t, rec, &got)
		if len(got.People) != 6 || got.Teams == nil {
			t.Errorf("got %+v, want Riverside's 6 trainees and its teams", got)
		}
		for _, p := range got.People {
			if !strings.Contains(p.Name, " ") || p.ID == rs.ids["trainee1@harbour.example"] {
				t.Errorf("got person %+v, want only Riverside's trainees", p)
			}
		}
		wantError(t, Do(t, rs.h, http.MethodGet, "/api/v1/roleplay/candidates", "", invitee), http.StatusForbidden, "forbidden")
	})

	t.Run("Feedback", func(t *testing.T) {
		orgID := MustOrgID(t, rs.store, "riverside")
		t1, t2 := rs.ids["trainee1@riverside.example"], rs.ids["trainee2@riverside.example"]
		if _, err := testdb.Owner(rs.store.DB()).Exec(`
			INSERT INTO roleplay_feedback (session_id, round, phase, group_id, from_person, seat, about_person, org_id, scores, comment, submitted_at)
			VALUES ($1, 1, 'feedback.observer', 'g1', $2, 'observer', $3, $4, '{"R1": 3}', 'Warm start.', now()),
			       ($1, 2, 'feedback.observer', 'g1', $3, 'observer', $5, $4, '{"R1": 2}', 'About the trainer.', now())`,
			d.ID, t2, t1, orgID, rs.ids["trainer@riverside.example"]); err != nil {
			t.Fatal(err)
		}
		var got courses.RoleplaySessionFeedback
		MustDecode(t, Do(t, rs.h, http.MethodGet, "/api/v1/roleplay/sessions/"+d.ID+"/feedback", "", trainer), &got)
		if len(got.Rows) != 2 || len(got.Debrief) != 1 || got.Debrief[0].Criteria[0].Mean != 2.5 {
			t.Errorf("trainer: got %+v, want both rows and a mean of 2.5", got)
		}
		got = courses.RoleplaySessionFeedback{}
		MustDecode(t, Do(t, rs.h, http.MethodGet, "/api/v1/roleplay/sessions/"+d.ID+"/feedback", "", rs.login(t, "trainee2@riverside.example")), &got)
		if len(got.Rows) != 1 || got.Rows[0].Comment != "Warm start." {
			t.Errorf("trainee2: got %+v, want only the feedback they gave", got.Rows)
		}
		wantError(t, Do(t, rs.h, http.MethodGet, "/api/v1/roleplay/sessions/"+d.ID+"/feedback", "", outsider), http.StatusNotFound, "not_found")
	})

	t.Run("Portfolio", func(t *testing.T) {
		rec := Do(t, rs.h, http.MethodGet, "/api/v1/me/roleplay/portfolio", "", invitee)
		var body struct {
			Items      []courses.RoleplayPractice `json:"items"`
			NextCursor string                     `json:"next_cursor"`
		}
		MustDecode(t, rec, &body)
		if body.Items == nil {
			t.Errorf("got %s, want an empty list", rec.Body)
		}
		wantFields(t, Do(t, rs.h, http.MethodGet, "/api/v1/me/roleplay/portfolio?limit=x", "", invitee), "limit")
	})
}

func TestRoleplaySessionCancel(t *testing.T) {
	t.Parallel()
	rs := mustRoleplayServer(t)
	trainer := rs.login(t, "trainer@riverside.example")
	d := rs.schedule(t, trainer, "trainee1@riverside.example")
	path := "/api/v1/roleplay/sessions/" + d.ID + "/cancel"
	wantError(t, Do(t, rs.h, http.MethodPost, path, "", rs.login(t, "trainee1@riverside.example")), http.StatusForbidden, "forbidden")
	wantError(t, Do(t, rs.h, http.MethodPost, path, "", rs.login(t, "admin@harbour.example")), http.StatusNotFound, "not_found")
	rec := Do(t, rs.h, http.MethodPost, path, "", trainer)
	var got courses.RoleplaySessionDetail
	MustDecode(t, rec, &got)
	if rec.Code != http.StatusOK || got.State != "cancelled" {
		t.Fatalf("got %d %+v, want the cancelled session", rec.Code, got)
	}
	if n := MustCount(t, rs.store, `SELECT count(*) FROM outbox WHERE payload->>'template' = 'roleplay_cancelled'`); n != 1 {
		t.Errorf("cancellation emails: got %d, want 1", n)
	}
	wantError(t, Do(t, rs.h, http.MethodPost, path, "", trainer), http.StatusConflict, "conflict")
}

func TestRoleplayTranscript(t *testing.T) {
	t.Parallel()
	rs := mustRoleplayServer(t)
	orgID := MustOrgID(t, rs.store, "riverside")
	t1, t2 := rs.ids["trainee1@riverside.example"], rs.ids["trainee2@riverside.example"]
	trainerID := rs.ids["trainer@riverside.example"]
	kept := MustRoleplaySession(t, rs.store, orgID, trainerID, []string{t1, t2}, rs.store.Now(), true)
	at := rs.store.Now().UTC()
	if err := rs.store.RecordRoleplayFacts(context.Background(), orgID, kept, courses.RoleplayFacts{
		Joins: []courses.RoleplayJoin{{Person: t1, At: at, Consent: true}, {Person: t2, At: at, Consent: true}},
		Seats: []courses.RoleplaySeat{{Round: 1, Group: "g1", Person: t1, Seat: courses.SeatPeerWorker, CardID: "RP-01", StartedAt: at},
			{Round: 1, Group: "g2", Person: t2, Seat: courses.SeatPeerWorker, CardID: "RP-01", StartedAt: at}},
		Transcript: []courses.RoleplayChatLine{{Seq: 4, Person: trainerID, Text: "Welcome.", At: at},
			{Seq: 7, Person: t1, Group: "g1", Text: "Hello g1.", At: at.Add(time.Minute)},
			{Seq: 9, Person: t2, Group: "g2", Text: "Hello g2.", At: at.Add(2 * time.Minute)}},
	}); err != nil {
		t.Fatal(err)
	}
	trainer := rs.login(t, "trainer@riverside.example")
	quiet := rs.schedule(t, trainer, "trainee1@riverside.example")
	path := func(id string) string { return "/api/v1/roleplay/sessions/" + id + "/transcript" }
	type page struct {
		Items      []courses.RoleplayTranscriptLine `json:"items"`
		NextCursor string                           `json:"next_cursor"`
	}
	read := func(t *testing.T, as reqOpt, url string) page {
		t.Helper()
		rec := Do(t, rs.h, http.MethodGet, url, "", as)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: got %d %s, want 200", url, rec.Code, rec.Body)
		}
		var p page
		MustDecode(t, rec, &p)
		return p
	}
	who := map[string]string{trainerID: "trainer", t1: "t1", t2: "t2"}
	texts := func(p page) []string {
		out := []string{}
		for _, ln := range p.Items {
			if ln.From.Name == "" {
				t.Errorf("line %d: got no name for %s, want the person's name", ln.Seq, ln.From.ID)
			}
			out = append(out, who[ln.From.ID]+"/"+ln.Channel+":"+ln.Text)
		}
		return out
	}

	t.Run("Trainer", func(t *testing.T) {
		first := read(t, trainer, path(kept)+"?limit=2")
		rest := read(t, trainer, path(kept)+"?limit=2&cursor="+first.NextCursor)
		got := append(texts(first), texts(rest)...)
		want := []string{"trainer/session:Welcome.", "t1/group:Hello g1.",
			"t2/group:Hello g2."}
		if diff := cmp.Diff(want, got); diff != "" || first.NextCursor == "" || rest.NextCursor != "" {
			t.Errorf("got cursors %q, %q, want one then none; lines (-want +got):\n%s", first.NextCursor, rest.NextCursor, diff)
		}
	})
	t.Run("AttendingTrainee", func(t *testing.T) {
		got := texts(read(t, rs.login(t, "trainee1@riverside.example"), path(kept)))
		want := []string{"trainer/session:Welcome.", "t1/group:Hello g1."}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("lines (-want +got):\n%s", diff)
		}
	})
	for _, tt := range []struct {
		name   string
		as     []reqOpt
		url    string
		status int
		code   string
	}{
		{"NotSignedIn", nil, path(kept), http.StatusUnauthorized, "unauthorized"},
		{"NotInvited", []reqOpt{rs.login(t, "trainee4@riverside.example")}, path(kept), http.StatusNotFound, "not_found"},
		{"OtherOrganisation", []reqOpt{rs.login(t, "admin@harbour.example")}, path(kept), http.StatusNotFound, "not_found"},
		{"NotKept", []reqOpt{trainer}, path(quiet.ID), http.StatusNotFound, "not_kept"},
		{"NoSuchSession", []reqOpt{trainer}, path("7d6f0e51-3a43-4c59-9b7c-1d8a31d0c0aa"), http.StatusNotFound, "not_found"},
		{"BadLimit", []reqOpt{trainer}, path(kept) + "?limit=0", http.StatusBadRequest, "invalid"},
		{"BadCursor", []reqOpt{trainer}, path(kept) + "?cursor=x", http.StatusBadRequest, "invalid"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, Do(t, rs.h, http.MethodGet, tt.url, "", tt.as...), tt.status, tt.code)
		})
	}
}

package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"peerpath/courses"
	"peerpath/migrations/testdb"
)

// peopleFixture is the demo organisations with two test teams in Riverside: "Test north", which the
// demo manager manages, and "Test south" holding only outsider@riverside.example, a person the
// manager must never see. The outsider has Boundaries assigned and south has a team rule.
type peopleFixture struct {
	h                          http.Handler
	store                      *courses.Store
	admin, harbour, manager    reqOpt
	trainee                    reqOpt
	north, south               string
	outsider, member, ruleID   string
	outsiderAssignment         string
	managerID, harbourPersonID string
}

func MustPeopleFixture(tb testing.TB) *peopleFixture {
	tb.Helper()
	h, store, _ := MustLearningServer(tb)
	f := &peopleFixture{h: h, store: store}
	f.admin = MustSessionCookie(tb, store, "admin@riverside.example")
	f.harbour = MustSessionCookie(tb, store, "admin@harbour.example")
	f.manager = MustSessionCookie(tb, store, "manager@riverside.example")
	f.trainee = MustSessionCookie(tb, store, "trainee1@riverside.example")
	f.managerID = MustPersonID(tb, store, "manager@riverside.example")
	f.harbourPersonID = MustPersonID(tb, store, "trainee1@harbour.example")
	f.member = MustPersonID(tb, store, "trainee2@riverside.example")
	if err := testdb.Owner(store.DB()).Get(&f.outsider, `
		INSERT INTO people (org_id, email, name, password_hash, roles)
		SELECT id, 'outsider@riverside.example', 'Olive Outsider', 'x', '{trainee}' FROM organisations WHERE slug = 'riverside'
		RETURNING id`); err != nil {
		tb.Fatal(err)
	}
	f.north = mustCreated(tb, Do(tb, h, http.MethodPost, "/api/v1/org/teams", `{"name":"Test north"}`, f.admin))
	f.south = mustCreated(tb, Do(tb, h, http.MethodPost, "/api/v1/org/teams", `{"name":"Test south"}`, f.admin))
	for _, put := range []struct{ team, person, body string }{
		{f.north, f.managerID, `{"manager":true}`}, {f.north, f.member, `{"manager":false}`}, {f.south, f.outsider, `{"manager":false}`},
	} {
		if rec := Do(tb, h, http.MethodPut, "/api/v1/org/teams/"+put.team+"/members/"+put.person, put.body, f.admin); rec.Code != http.StatusOK {
			tb.Fatalf("add member: got %d %s", rec.Code, rec.Body)
		}
	}
	rec := Do(tb, h, http.MethodPost, "/api/v1/org/assignments",
		`{"course_slug":"boundaries-in-peer-work","team_id":"`+f.south+`","due_within_days":14}`, f.admin)
	var res struct {
		Assigned int `json:"assigned"`
		Rule     struct {
			ID string `json:"id"`
		} `json:"rule"`
	}
	if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &res) != nil || res.Assigned != 1 {
		tb.Fatalf("assign south: got %d %s", rec.Code, rec.Body)
	}
	f.ruleID = res.Rule.ID
	if err := testdb.Owner(store.DB()).Get(&f.outsiderAssignment, `SELECT id FROM assignments WHERE person_id = $1`, f.outsider); err != nil {
		tb.Fatal(err)
	}
	return f
}

// mustCreated checks a 201 and returns the id in its body.
func mustCreated(tb testing.TB, rec *httptest.ResponseRecorder) string {
	tb.Helper()
	var body struct {
		ID string `json:"id"`
	}
	if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body.ID == "" {
		tb.Fatalf("create: got %d %s, want 201 with an id", rec.Code, rec.Body)
	}
	return body.ID
}

// TestOrgIsolation calls every people, team, assignment and audit endpoint as the other
// organisation's admin and as a manager outside the team (404, never data) and as a trainee (403).
func TestOrgIsolation(t *testing.T) {
	t.Parallel()
	f := MustPeopleFixture(t)
	type call struct{ method, path, body string }
	targeted := []call{
		{http.MethodGet, "/api/v1/org/people/" + f.outsider, ""},
		{http.MethodPatch, "/api/v1/org/people/" + f.outsider, `{"roles":["trainer"]}`},
		{http.MethodPost, "/api/v1/org/people/" + f.outsider + "/deactivate", ""},
		{http.MethodPost, "/api/v1/org/people/" + f.outsider + "/reactivate", ""},
		{http.MethodGet, "/api/v1/org/teams/" + f.south, ""},
		{http.MethodPatch, "/api/v1/org/teams/" + f.south, `{"name":"Taken over"}`},
		{http.MethodDelete, "/api/v1/org/teams/" + f.south, ""},
		{http.MethodPut, "/api/v1/org/teams/" + f.south + "/members/" + f.outsider, `{"manager":false}`},
		{http.MethodDelete, "/api/v1/org/teams/" + f.south + "/members/" + f.outsider, ""},
		{http.MethodPost, "/api/v1/org/assignments", `{"course_slug":"boundaries-in-peer-work","person_ids":["` + f.outsider + `"]}`},
		{http.MethodPost, "/api/v1/org/assignments", `{"course_slug":"boundaries-in-peer-work","team_id":"` + f.south + `"}`},
		{http.MethodDelete, "/api/v1/org/assignments/" + f.outsiderAssignment, ""},
		{http.MethodDelete, "/api/v1/org/assignment-rules/" + f.ruleID, ""},
	}
	for _, c := range targeted {
		for _, who := range []struct {
			name   string
			cookie reqOpt
		}{{"OtherOrgAdmin", f.harbour}, {"ManagerOutsideTeam", f.manager}} {
			t.Run(who.name+" "+c.method+" "+c.path, func(t *testing.T) {
				rec := Do(t, f.h, c.method, c.path, c.body, who.cookie)
				e := wantError(t, rec, http.StatusNotFound, "not_found")
				if strings.Contains(e.Message, "Outsider") || strings.Contains(e.Message, "Test south") {
					t.Errorf("message %q names what it hides", e.Message)
				}
			})
		}
	}
	everything := append(targeted,
		call{http.MethodGet, "/api/v1/org/people", ""},
		call{http.MethodPost, "/api/v1/org/people/import?dry_run=true", "name,email\nA,a@example.org\n"},
		call{http.MethodGet, "/api/v1/org/teams", ""},
		call{http.MethodPost, "/api/v1/org/teams", `{"name":"Trainee team"}`},
		call{http.MethodGet, "/api/v1/org/assignments", ""},
		call{http.MethodGet, "/api/v1/org/audit", ""},
	)
	for _, c := range everything {
		t.Run("Trainee "+c.method+" "+c.path, func(t *testing.T) {
			wantError(t, Do(t, f.h, c.method, c.path, c.body, f.trainee), http.StatusForbidden, "forbidden")
		})
		t.Run("SignedOut "+c.method+" "+c.path, func(t *testing.T) {
			wantError(t, Do(t, f.h, c.method, c.path, c.body), http.StatusUnauthorized, "unauthorized")
		})
	}
	// Lists answer the other organisation with its own data only.
	for _, path := range []string{"/api/v1/org/people", "/api/v1/org/teams", "/api/v1/org/assignments", "/api/v1/org/audit"} {
		t.Run("OtherOrgList "+path, func(t *testing.T) {
			rec := Do(t, f.h, http.MethodGet, path, "", f.harbour)
			if rec.Code != http.StatusOK {
				t.Fatalf("got %d %s, want 200", rec.Code, rec.Body)
			}
			for _, leak := range []string{"riverside.example", f.north, f.south, f.outsiderAssignment} {
				if strings.Contains(rec.Body.String(), leak) {
					t.Errorf("body %s holds %s", rec.Body, leak)
				}
			}
		})
	}
	t.Run("ManagerListsOwnTeamOnly", func(t *testing.T) {
		for _, path := range []string{"/api/v1/org/people", "/api/v1/org/teams", "/api/v1/org/assignments", "/api/v1/org/people?team=" + f.south} {
			rec := Do(t, f.h, http.MethodGet, path, "", f.manager)
			if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "outsider@") || strings.Contains(rec.Body.String(), f.south) {
				t.Errorf("%s: got %d %s, want 200 without the south team", path, rec.Code, rec.Body)
			}
		}
		rec := Do(t, f.h, http.MethodGet, "/api/v1/org/people?team="+f.north, "", f.manager)
		if !strings.Contains(rec.Body.String(), "trainee2@riverside.example") {
			t.Errorf("got %s, want the north team's member", rec.Body)
		}
	})
	t.Run("ManagerReadOnly", func(t *testing.T) {
		for _, c := range []call{
			{http.MethodPatch, "/api/v1/org/people/" + f.member, `{"roles":["trainer"]}`},
			{http.MethodPost, "/api/v1/org/people/" + f.member + "/deactivate", ""},
			{http.MethodPut, "/api/v1/org/teams/" + f.north + "/members/" + f.member, `{"manager":false}`},
			{http.MethodPost, "/api/v1/org/teams", `{"name":"Mine"}`},
			{http.MethodPost, "/api/v1/org/people/import", "name,email\nA,a@example.org\n"},
			{http.MethodGet, "/api/v1/org/audit", ""},
		} {
			wantError(t, Do(t, f.h, c.method, c.path, c.body, f.manager), http.StatusForbidden, "forbidden")
		}
	})
}

func TestOrgPeople(t *testing.T) {
	t.Parallel()
	f := MustPeopleFixture(t)
	t.Run("List", func(t *testing.T) {
		rec := Do(t, f.h, http.MethodGet, "/api/v1/org/people?q=olive&status=active&limit=5", "", f.admin)
		var body struct {
			Items []struct {
				ID            string   `json:"id"`
				Name          string   `json:"name"`
				Email         string   `json:"email"`
				Roles         []string `json:"roles"`
				Active        bool     `json:"active"`
				DeactivatedAt *string  `json:"deactivated_at"`
				CreatedAt     string   `json:"created_at"`
				Teams         []struct {
					ID      string `json:"id"`
					Name    string `json:"name"`
					Manager bool   `json:"manager"`
				} `json:"teams"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		MustDecode(t, rec, &body)
		if len(body.Items) != 1 || body.Items[0].ID != f.outsider || len(body.Items[0].Teams) != 1 || body.Items[0].Teams[0].Name != "Test south" {
			t.Errorf("got %s, want the outsider in Test south", rec.Body)
		}
	})
	t.Run("ErrBadQuery", func(t *testing.T) {
		wantFields(t, Do(t, f.h, http.MethodGet, "/api/v1/org/people?role=boss&status=x&team=1", "", f.admin), "role", "status", "team")
		wantFields(t, Do(t, f.h, http.MethodGet, "/api/v1/org/people?limit=0", "", f.admin), "limit")
		wantFields(t, Do(t, f.h, http.MethodGet, "/api/v1/org/people?cursor=abc", "", f.admin), "cursor")
	})
	t.Run("Roles", func(t *testing.T) {
		rec := Do(t, f.h, http.MethodPatch, "/api/v1/org/people/"+f.outsider, `{"roles":["trainee","manager"]}`, f.admin)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"roles":["trainee","manager"]`) {
			t.Errorf("got %d %s", rec.Code, rec.Body)
		}
		wantFields(t, Do(t, f.h, http.MethodPatch, "/api/v1/org/people/"+f.outsider, `{"roles":[]}`, f.admin), "roles")
		wantFields(t, Do(t, f.h, http.MethodPatch, "/api/v1/org/people/"+f.outsider, `{"roles":["boss"]}`, f.admin), "roles")
		wantFields(t, Do(t, f.h, http.MethodPatch, "/api/v1/org/people/"+f.outsider, `{}`, f.admin), "roles")
		wantFields(t, Do(t, f.h, http.MethodPatch, "/api/v1/org/people/"+f.outsider, `{"roles":"trainee"}`, f.admin), "roles")
		wantError(t, Do(t, f.h, http.MethodPatch, "/api/v1/org/people/"+f.outsider, `[`, f.admin), http.StatusBadRequest, "invalid")
		self := MustPersonID(t, f.store, "admin@riverside.example")
		wantFields(t, Do(t, f.h, http.MethodPatch, "/api/v1/org/people/"+self, `{"roles":["trainee"]}`, f.admin), "roles")
	})
	t.Run("Deactivate", func(t *testing.T) {
		member := MustSessionCookie(t, f.store, "trainee2@riverside.example")
		rec := Do(t, f.h, http.MethodPost, "/api/v1/org/people/"+f.member+"/deactivate", "", f.admin)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"active":false`) {
			t.Fatalf("got %d %s", rec.Code, rec.Body)
		}
		wantError(t, Do(t, f.h, http.MethodGet, "/api/v1/me", "", member), http.StatusUnauthorized, "unauthorized")
		wantError(t, Do(t, f.h, http.MethodPost, "/api/v1/auth/login", loginBody("trainee2@riverside.example", demoPassword)),
			http.StatusUnauthorized, "unauthorized")
		if rec := Do(t, f.h, http.MethodPost, "/api/v1/org/people/"+f.member+"/reactivate", "", f.admin); rec.Code != http.StatusOK {
			t.Fatalf("reactivate: got %d %s", rec.Code, rec.Body)
		}
		self := MustPersonID(t, f.store, "admin@riverside.example")
		wantError(t, Do(t, f.h, http.MethodPost, "/api/v1/org/people/"+self+"/deactivate", "", f.admin), http.StatusConflict, "conflict")
		wantError(t, Do(t, f.h, http.MethodPost, "/api/v1/org/people/not-a-uuid/deactivate", "", f.admin), http.StatusNotFound, "not_found")
	})
}

func TestOrgPeopleImport(t *testing.T) {
	t.Parallel()
	f := MustPeopleFixture(t)
	file := "name,email,team,roles\nDee Walker,dee@example.org,Test north,trainee\nBad Row,not-an-email,,\nLee,lee@example.org,Nowhere,\n"
	post := func(query, body string) *http.Response {
		rec := Do(t, f.h, http.MethodPost, "/api/v1/org/people/import"+query, body, f.admin, withHeader("Content-Type", "text/csv"))
		return rec.Result()
	}
	t.Run("Preview", func(t *testing.T) {
		rec := Do(t, f.h, http.MethodPost, "/api/v1/org/people/import?dry_run=true", file, f.admin, withHeader("Content-Type", "text/csv"))
		var body struct {
			DryRun bool `json:"dry_run"`
			Rows   []struct {
				Line     int               `json:"line"`
				Name     string            `json:"name"`
				Email    string            `json:"email"`
				Team     string            `json:"team"`
				Roles    []string          `json:"roles"`
				Problems map[string]string `json:"problems"`
			} `json:"rows"`
			ProblemRows int `json:"problem_rows"`
			Invited     int `json:"invited"`
		}
		MustDecode(t, rec, &body)
		if rec.Code != http.StatusOK || len(body.Rows) != 3 || body.ProblemRows != 2 || body.Rows[1].Problems["email"] == "" ||
			body.Rows[2].Problems["team"] == "" || len(body.Rows[0].Problems) != 0 {
			t.Errorf("got %d %s", rec.Code, rec.Body)
		}
	})
	t.Run("ErrRefused", func(t *testing.T) {
		rec := Do(t, f.h, http.MethodPost, "/api/v1/org/people/import?dry_run=false", file, f.admin)
		wantFields(t, rec, "rows.3.email", "rows.4.team")
		if n := MustCount(t, f.store, `SELECT count(*) FROM invitations WHERE email = 'dee@example.org'`); n != 0 {
			t.Errorf("invitations: got %d, want 0", n)
		}
	})
	t.Run("ErrFile", func(t *testing.T) {
		for _, body := range []string{"", "nope\n", "name,email\n", "name,email\n\"x,y@example.org\n"} {
			wantFields(t, Do(t, f.h, http.MethodPost, "/api/v1/org/people/import", body, f.admin), "file")
		}
		wantFields(t, Do(t, f.h, http.MethodPost, "/api/v1/org/people/import?dry_run=maybe", file, f.admin), "dry_run")
		big := "name,email\n" + strings.Repeat("x", 1<<20)
		wantError(t, Do(t, f.h, http.MethodPost, "/api/v1/org/people/import", big, f.admin), http.StatusRequestEntityTooLarge, "too_large")
	})
	t.Run("OK", func(t *testing.T) {
		r := post("?dry_run=false", "name,email,team\nDee Walker,dee@example.org,Test north\nCasey Morgan,casey@example.org,\n")
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("got %d", r.StatusCode)
		}
		token := MustLinkToken(t, f.store, "dee@example.org")
		rec := Do(t, f.h, http.MethodPost, "/api/v1/invitations/"+token+"/accept", `{"name":"Dee Walker","password":"a long enough password"}`)
		if rec.Code != http.StatusOK {
			t.Fatalf("accept: got %d %s", rec.Code, rec.Body)
		}
		rec = Do(t, f.h, http.MethodGet, "/api/v1/org/people?team="+f.north, "", f.manager)
		if !strings.Contains(rec.Body.String(), "dee@example.org") {
			t.Errorf("north team after acceptance: got %s, want Dee", rec.Body)
		}
	})
}

func TestOrgTeams(t *testing.T) {
	t.Parallel()
	f := MustPeopleFixture(t)
	t.Run("ErrBadInput", func(t *testing.T) {
		wantFields(t, Do(t, f.h, http.MethodPost, "/api/v1/org/teams", `{"name":""}`, f.admin), "name")
		wantFields(t, Do(t, f.h, http.MethodPost, "/api/v1/org/teams", `{"name":"`+strings.Repeat("n", 201)+`"}`, f.admin), "name")
		wantFields(t, Do(t, f.h, http.MethodPost, "/api/v1/org/teams", `{"name":3}`, f.admin), "name")
		wantError(t, Do(t, f.h, http.MethodPost, "/api/v1/org/teams", `{"name":"test NORTH"}`, f.admin), http.StatusConflict, "conflict")
		wantError(t, Do(t, f.h, http.MethodPatch, "/api/v1/org/teams/"+f.south, `{"name":"Test north"}`, f.admin), http.StatusConflict, "conflict")
		wantFields(t, Do(t, f.h, http.MethodPut, "/api/v1/org/teams/"+f.south+"/members/"+f.outsider, `{}`, f.admin), "manager")
		wantFields(t, Do(t, f.h, http.MethodPut, "/api/v1/org/teams/"+f.south+"/members/"+f.outsider, `{"manager":true}`, f.admin), "manager")
		wantError(t, Do(t, f.h, http.MethodPut, "/api/v1/org/teams/"+f.south+"/members/"+f.harbourPersonID, `{"manager":false}`, f.admin),
			http.StatusNotFound, "not_found")
	})
	t.Run("Lifecycle", func(t *testing.T) {
		rec := Do(t, f.h, http.MethodPatch, "/api/v1/org/teams/"+f.south, `{"name":"Test south-west"}`, f.admin)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"name":"Test south-west"`) ||
			!strings.Contains(rec.Body.String(), `"assignment_rules":[{`) {
			t.Fatalf("rename: got %d %s", rec.Code, rec.Body)
		}
		if rec := Do(t, f.h, http.MethodDelete, "/api/v1/org/teams/"+f.south+"/members/"+f.outsider, "", f.admin); rec.Code != http.StatusNoContent {
			t.Fatalf("remove member: got %d %s", rec.Code, rec.Body)
		}
		if rec := Do(t, f.h, http.MethodDelete, "/api/v1/org/teams/"+f.south, "", f.admin); rec.Code != http.StatusNoContent {
			t.Fatalf("delete: got %d %s", rec.Code, rec.Body)
		}
		wantError(t, Do(t, f.h, http.MethodGet, "/api/v1/org/teams/"+f.south, "", f.admin), http.StatusNotFound, "not_found")
		// The assignment the rule made stays with the person.
		if n := MustCount(t, f.store, `SELECT count(*) FROM assignments WHERE person_id = $1`, f.outsider); n != 1 {
			t.Errorf("assignments: got %d, want 1", n)
		}
	})
}

func TestOrgAssignments(t *testing.T) {
	t.Parallel()
	f := MustPeopleFixture(t)
	t.Run("ErrBadInput", func(t *testing.T) {
		for _, tc := range []struct {
			body   string
			fields []string
		}{
			{`{}`, []string{"course_slug"}},
			{`{"course_slug":"boundaries-in-peer-work"}`, []string{"person_ids"}},
			{`{"course_slug":"nope","person_ids":["` + f.member + `"]}`, []string{"course_slug"}},
			{`{"course_slug":"boundaries-in-peer-work","person_ids":["` + f.member + `"],"due_at":"2020-01-01T00:00:00Z"}`, []string{"due_at"}},
			{`{"course_slug":"boundaries-in-peer-work","person_ids":["` + f.member + `"],"due_within_days":-1,"recert_months":0}`, []string{"due_within_days", "recert_months"}},
			{`{"course_slug":"boundaries-in-peer-work","person_ids":"x"}`, []string{"person_ids"}},
		} {
			wantFields(t, Do(t, f.h, http.MethodPost, "/api/v1/org/assignments", tc.body, f.admin), tc.fields...)
		}
		wantError(t, Do(t, f.h, http.MethodPost, "/api/v1/org/assignments",
			`{"course_slug":"boundaries-in-peer-work","person_ids":["`+f.member+`"],"due_at":"soon"}`, f.admin), http.StatusBadRequest, "invalid")
		wantError(t, Do(t, f.h, http.MethodPost, "/api/v1/org/assignments",
			`{"course_slug":"boundaries-in-peer-work","person_ids":["`+f.harbourPersonID+`"]}`, f.admin), http.StatusNotFound, "not_found")
	})
	t.Run("AssignAndList", func(t *testing.T) {
		rec := Do(t, f.h, http.MethodPost, "/api/v1/org/assignments",
			`{"course_slug":"storytelling-with-purpose","person_ids":["`+f.outsider+`"],"due_at":"2026-06-01T00:00:00Z","recert_months":12}`, f.admin)
		if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"assigned":1`) {
			t.Fatalf("got %d %s", rec.Code, rec.Body)
		}
		rec = Do(t, f.h, http.MethodGet, "/api/v1/org/assignments?person="+f.outsider+"&limit=1", "", f.admin)
		var body struct {
			Items []struct {
				ID     string `json:"id"`
				Person struct {
					ID, Name, Email string
				} `json:"person"`
				Course struct {
					Slug, Title string
				} `json:"course"`
				DueAt         *string `json:"due_at"`
				AssignedDueAt *string `json:"assigned_due_at"`
				RecertMonths  *int    `json:"recert_months"`
				LastCompleted *string `json:"last_completed_at"`
				TeamRuleID    *string `json:"team_rule_id"`
				CreatedAt     string  `json:"created_at"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		MustDecode(t, rec, &body)
		if len(body.Items) != 1 || body.NextCursor == "" || body.Items[0].Course.Title == "" {
			t.Fatalf("page 1: got %s", rec.Body)
		}
		rec = Do(t, f.h, http.MethodGet, "/api/v1/org/assignments?person="+f.outsider+"&limit=1&cursor="+body.NextCursor, "", f.admin)
		MustDecode(t, rec, &body)
		if len(body.Items) != 1 || body.NextCursor != "" {
			t.Fatalf("page 2: got %s", rec.Body)
		}
		wantFields(t, Do(t, f.h, http.MethodGet, "/api/v1/org/assignments?person=x&team=y", "", f.admin), "person", "team")
	})
	t.Run("Delete", func(t *testing.T) {
		if rec := Do(t, f.h, http.MethodDelete, "/api/v1/org/assignments/"+f.outsiderAssignment, "", f.admin); rec.Code != http.StatusNoContent {
			t.Fatalf("got %d %s", rec.Code, rec.Body)
		}
		wantError(t, Do(t, f.h, http.MethodDelete, "/api/v1/org/assignments/"+f.outsiderAssignment, "", f.admin), http.StatusNotFound, "not_found")
		if rec := Do(t, f.h, http.MethodDelete, "/api/v1/org/assignment-rules/"+f.ruleID, "", f.admin); rec.Code != http.StatusNoContent {
			t.Fatalf("rule: got %d %s", rec.Code, rec.Body)
		}
	})
}

func TestOrgAudit(t *testing.T) {
	t.Parallel()
	f := MustPeopleFixture(t)
	rec := Do(t, f.h, http.MethodGet, "/api/v1/org/audit?action=team&limit=2", "", f.admin)
	var body struct {
		Items []struct {
			ID    int64  `json:"id"`
			At    string `json:"at"`
			Actor struct {
				Kind string  `json:"kind"`
				ID   *string `json:"id"`
				Name string  `json:"name"`
			} `json:"actor"`
			Action  string `json:"action"`
			Subject struct {
				Type string `json:"type"`
				ID   string `json:"id"`
			} `json:"subject"`
			Detail json.RawMessage `json:"detail"`
		} `json:"items"`
		NextCursor string `json:"next_cursor"`
	}
	MustDecode(t, rec, &body)
	if len(body.Items) != 2 || body.NextCursor == "" || body.Items[0].Actor.Name != "Aroha Ngata" ||
		!strings.HasPrefix(body.Items[0].Action, "team.") {
		t.Fatalf("got %s", rec.Body)
	}
	wantFields(t, Do(t, f.h, http.MethodGet, "/api/v1/org/audit?action=DROP%20TABLE", "", f.admin), "action")
	wantFields(t, Do(t, f.h, http.MethodGet, "/api/v1/org/audit?cursor=abc", "", f.admin), "cursor")
	// A revoked certificate is recorded too.
	t.Run("CertificateRevoke", func(t *testing.T) {
		h, store, _, signer := MustCertServer(t)
		cert := MustCertificate(t, store, signer, "trainee5@riverside.example")
		admin := MustSessionCookie(t, store, "admin@riverside.example")
		if rec := Do(t, h, http.MethodPost, "/api/v1/org/certificates/"+cert.ID+"/revoke", `{"reason":"Issued in error."}`, admin); rec.Code != http.StatusOK {
			t.Fatalf("revoke: got %d %s", rec.Code, rec.Body)
		}
		rec := Do(t, h, http.MethodGet, "/api/v1/org/audit?action=certificate.revoke", "", admin)
		if !strings.Contains(rec.Body.String(), fmt.Sprintf(`"id":%q`, cert.ID)) {
			t.Errorf("got %s, want the revocation", rec.Body)
		}
	})
}

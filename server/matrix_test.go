package server_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
	"peerpath/migrations/testdb"
)

// orgFixture is the demo server with shipped courses, Riverside's trainee1 and trainee2 in a
// North team the demo manager manages, trainee3 in no team, Storytelling assigned to all three
// and to Harbour's trainee1, and a cookie for each caller.
type orgFixture struct {
	h                                     http.Handler
	store                                 *courses.Store
	admin, manager, trainee, harbourAdmin reqOpt
	trainee1, trainee3, harbourTrainee    string
}

func mustOrgFixture(tb testing.TB) *orgFixture {
	tb.Helper()
	h, store, clock := MustLearningServer(tb)
	ctx := context.Background()
	f := &orgFixture{h: h, store: store,
		admin: MustSessionCookie(tb, store, "admin@riverside.example"), manager: MustSessionCookie(tb, store, "manager@riverside.example"),
		trainee: MustSessionCookie(tb, store, "trainee1@riverside.example"), harbourAdmin: MustSessionCookie(tb, store, "admin@harbour.example"),
		trainee1: MustPersonID(tb, store, "trainee1@riverside.example"), trainee3: MustPersonID(tb, store, "trainee3@riverside.example"),
		harbourTrainee: MustPersonID(tb, store, "trainee1@harbour.example")}
	admin, err := store.FindPrincipal(ctx, MustPersonID(tb, store, "admin@riverside.example"))
	if err != nil {
		tb.Fatal(err)
	}
	team, err := store.CreateTeam(ctx, admin, "North "+"team")
	if err != nil {
		tb.Fatal(err)
	}
	for _, m := range []struct {
		email   string
		manager bool
	}{{"manager@riverside.example", true}, {"trainee1@riverside.example", false}, {"trainee2@riverside.example", false}} {
		if _, err := store.PutTeamMember(ctx, admin, team.ID, MustPersonID(tb, store, m.email), m.manager); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := testdb.Owner(store.DB()).Exec(`
		INSERT INTO assignments (org_id, person_id, course_id, due_at)
		SELECT p.org_id, p.id, c.id, $1::timestamptz FROM people p, courses c
		WHERE c.slug = 'storytelling-with-purpose' AND p.email IN ('trainee1@riverside.example', 'trainee2@riverside.example',
			'trainee3@riverside.example', 'trainee1@harbour.example', '=cmd@harbour.example')`, clock.Now().AddDate(0, 0, -1)); err != nil {
		tb.Fatal(err)
	}
	return f
}

// mustToken creates an API token through the API as cookie's org admin and returns its secret.
func mustToken(tb testing.TB, h http.Handler, cookie reqOpt, scope string) string {
	tb.Helper()
	rec := Do(tb, h, http.MethodPost, "/api/v1/org/api-tokens", `{"name":"Integration","scope":"`+scope+`"}`, cookie)
	if rec.Code != http.StatusCreated {
		tb.Fatalf("create token: got %d %s, want 201", rec.Code, rec.Body)
	}
	var body struct {
		Token string `json:"token"`
	}
	json.Unmarshal(rec.Body.Bytes(), &body)
	return body.Token
}

func bearer(token string) reqOpt { return withHeader("Authorization", "Bearer "+token) }

type matrixJSON struct {
	Items []struct {
		Email  string `json:"email"`
		Status string `json:"status"`
	} `json:"items"`
	Total int `json:"total"`
}

func emails(tb testing.TB, h http.Handler, target string, opt reqOpt) []string {
	tb.Helper()
	rec := Do(tb, h, http.MethodGet, target, "", opt)
	if rec.Code != http.StatusOK {
		tb.Fatalf("GET %s: got %d %s, want 200", target, rec.Code, rec.Body)
	}
	var m matrixJSON
	json.Unmarshal(rec.Body.Bytes(), &m)
	out := []string{}
	for _, it := range m.Items {
		out = append(out, it.Email)
	}
	return out
}

func TestOrgCompletionIsolation(t *testing.T) {
	t.Parallel()
	f := mustOrgFixture(t)
	harbourRead := mustToken(t, f.h, f.harbourAdmin, "read")
	riversideRead := mustToken(t, f.h, f.admin, "read")
	for _, tt := range []struct {
		name string
		opt  reqOpt
		want string
	}{
		// By name: Jordan Ellis, Priya Nair, Sam Okafor.
		{"Admin", f.admin, "trainee3@riverside.example trainee2@riverside.example trainee1@riverside.example"},
		{"Manager", f.manager, "trainee2@riverside.example trainee1@riverside.example"},
		{"OtherOrganisation", f.harbourAdmin, "trainee1@harbour.example"},
		{"OtherOrganisationsToken", bearer(harbourRead), "trainee1@harbour.example"},
		{"Token", bearer(riversideRead), "trainee3@riverside.example trainee2@riverside.example trainee1@riverside.example"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := strings.Join(emails(t, f.h, "/api/v1/org/completion", tt.opt), " "); got != tt.want {
				t.Errorf("rows: got %s, want %s", got, tt.want)
			}
		})
	}
	record := "/api/v1/org/people/" + f.trainee1 + "/record"
	outside := "/api/v1/org/people/" + f.trainee3 + "/record"
	for _, tt := range []struct {
		name   string
		target string
		opt    reqOpt
		status int
	}{
		{"RecordAdmin", record, f.admin, 200},
		{"RecordManager", record, f.manager, 200},
		{"RecordToken", record, bearer(riversideRead), 200},
		{"RecordManagerOutsideTeam", outside, f.manager, 404},
		{"RecordOtherOrganisation", record, f.harbourAdmin, 404},
		{"RecordOtherOrganisationsToken", record, bearer(harbourRead), 404},
		{"RecordTrainee", record, f.trainee, 403},
		{"RecordNoOne", record, func(*http.Request) {}, 401},
		{"ReportAdmin", "/api/v1/org/courses/storytelling-with-purpose/report", f.admin, 200},
		{"ReportUnknownCourse", "/api/v1/org/courses/nope/report", f.admin, 404},
		{"ReportTrainee", "/api/v1/org/courses/storytelling-with-purpose/report", f.trainee, 403},
		{"ChartsManager", "/api/v1/org/charts", f.manager, 200},
		{"ChartsTrainee", "/api/v1/org/charts", f.trainee, 403},
		{"MatrixTrainee", "/api/v1/org/completion", f.trainee, 403},
		{"CSVTrainee", "/api/v1/org/completion.csv", f.trainee, 403},
		{"MatrixBadFilter", "/api/v1/org/completion?status=late&limit=0", f.admin, 400},
		{"CSVBadFilter", "/api/v1/org/completion.csv?sort=age", f.admin, 400},
		{"BadToken", "/api/v1/org/completion", bearer("pp_nope"), 401},
		{"TokenNotForMe", "/api/v1/me", bearer(riversideRead), 401},
		{"TokenNotForLearning", "/api/v1/courses", bearer(riversideRead), 401},
		{"TokenNotForTokens", "/api/v1/org/api-tokens", bearer(riversideRead), 401},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := Do(t, f.h, http.MethodGet, tt.target, "", tt.opt)
			if rec.Code != tt.status {
				t.Fatalf("GET %s: got %d %s, want %d", tt.target, rec.Code, rec.Body, tt.status)
			}
			if tt.status >= 400 {
				wantError(t, rec, tt.status, map[int]string{400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not_found"}[tt.status])
			}
		})
	}
	t.Run("RecordNeverHoldsReflections", func(t *testing.T) {
		if _, err := testdb.Owner(f.store.DB()).Exec(`INSERT INTO reflections (org_id, person_id, course_id, module_slug, prompt_id, body, updated_at)
			SELECT org_id, id, (SELECT id FROM courses WHERE slug = 'storytelling-with-purpose'), 'm', 'r1', 'secret words', now()
			FROM people WHERE id = $1`, f.trainee1); err != nil {
			t.Fatal(err)
		}
		rec := Do(t, f.h, http.MethodGet, record, "", f.admin)
		if strings.Contains(rec.Body.String(), "secret words") {
			t.Errorf("record: %s holds a reflection", rec.Body)
		}
	})
	t.Run("ReadTokenCannotWrite", func(t *testing.T) {
		rec := Do(t, f.h, http.MethodPost, "/api/v1/org/teams", `{"name":"South"}`, bearer(riversideRead))
		wantError(t, rec, http.StatusForbidden, "forbidden")
	})
}

func TestOrgCompletionCSV(t *testing.T) {
	t.Parallel()
	f := mustOrgFixture(t)
	if _, err := testdb.Owner(f.store.DB()).Exec(`UPDATE people SET name = '=HYPERLINK("x")' WHERE id = $1`, f.trainee3); err != nil {
		t.Fatal(err)
	}
	token := mustToken(t, f.h, f.admin, "read")
	rec := Do(t, f.h, http.MethodGet, "/api/v1/org/completion.csv?status=overdue&sort=name", "", bearer(token))
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("got %d %s %s, want 200 text/csv", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
	if err != nil {
		t.Fatalf("parse %s: %v", rec.Body, err)
	}
	if len(rows) != 4 || rows[0][0] != "name" || rows[1][0] != `'=HYPERLINK("x")` || rows[1][5] != "overdue" {
		t.Errorf("csv: got %q, want a header and three overdue rows, the formula quoted", rows)
	}
	if rows[2][2] != "North team" {
		t.Errorf("teams cell: got %q, want North team", rows[2][2])
	}
	if n := MustCount(t, f.store, `SELECT count(*) FROM audit_log WHERE action = 'completion.export' AND actor_kind = 'api_token'`); n != 1 {
		t.Errorf("export audit entries by the token: got %d, want 1", n)
	}
	rec = Do(t, f.h, http.MethodGet, "/api/v1/org/completion.csv?status=expired", "", f.manager)
	if rec.Code != 200 || strings.Count(rec.Body.String(), "\n") != 1 {
		t.Errorf("empty export: got %d %q, want 200 and the header only", rec.Code, rec.Body)
	}
}

func TestOrgAPITokens(t *testing.T) {
	t.Parallel()
	f := mustOrgFixture(t)
	for _, tt := range []struct {
		name, body string
		fields     []string
	}{
		{"Empty", `{}`, []string{"name", "scope"}},
		{"BadScope", `{"name":"HR","scope":"admin"}`, []string{"scope"}},
		{"LongName", `{"name":"` + strings.Repeat("x", 101) + `","scope":"read"}`, []string{"name"}},
		{"WrongType", `{"name":3,"scope":"read"}`, []string{"name"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantFields(t, Do(t, f.h, http.MethodPost, "/api/v1/org/api-tokens", tt.body, f.admin), tt.fields...)
		})
	}
	for _, opt := range []reqOpt{f.manager, f.trainee} {
		rec := Do(t, f.h, http.MethodPost, "/api/v1/org/api-tokens", `{"name":"HR","scope":"read"}`, opt)
		wantError(t, rec, http.StatusForbidden, "forbidden")
	}
	secret := mustToken(t, f.h, f.admin, "write")
	rec := Do(t, f.h, http.MethodGet, "/api/v1/org/api-tokens", "", f.admin)
	if rec.Code != 200 || strings.Contains(rec.Body.String(), secret) || strings.Contains(rec.Body.String(), `"token"`) {
		t.Fatalf("list: got %d %s, want 200 without the secret", rec.Code, rec.Body)
	}
	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	json.Unmarshal(rec.Body.Bytes(), &list)
	if len(list.Items) != 1 {
		t.Fatalf("list: got %s, want one token", rec.Body)
	}
	id := list.Items[0].ID
	if rec := Do(t, f.h, http.MethodGet, "/api/v1/org/api-tokens", "", f.harbourAdmin); strings.Contains(rec.Body.String(), id) {
		t.Errorf("Harbour's list shows Riverside's token: %s", rec.Body)
	}
	wantError(t, Do(t, f.h, http.MethodDelete, "/api/v1/org/api-tokens/"+id, "", f.harbourAdmin), 404, "not_found")
	wantError(t, Do(t, f.h, http.MethodDelete, "/api/v1/org/api-tokens/"+id, "", f.trainee), 403, "forbidden")
	// A write token may change things the org admins may.
	if rec := Do(t, f.h, http.MethodPost, "/api/v1/org/teams", `{"name":"South"}`, bearer(secret)); rec.Code != http.StatusCreated {
		t.Errorf("write token creates a team: got %d %s, want 201", rec.Code, rec.Body)
	}
	if rec := Do(t, f.h, http.MethodDelete, "/api/v1/org/api-tokens/"+id, "", f.admin); rec.Code != http.StatusNoContent {
		t.Fatalf("revoke: got %d %s, want 204", rec.Code, rec.Body)
	}
	wantError(t, Do(t, f.h, http.MethodGet, "/api/v1/org/completion", "", bearer(secret)), 401, "unauthorized")
	wantError(t, Do(t, f.h, http.MethodDelete, "/api/v1/org/api-tokens/"+id, "", f.admin), 409, "conflict")
}

func TestMyDataPrivacy(t *testing.T) {
	t.Parallel()
	f := mustOrgFixture(t)
	rec := Do(t, f.h, http.MethodGet, "/api/v1/me/export", "", f.trainee)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "trainee1@riverside.example") {
		t.Fatalf("export: got %d %s", rec.Code, rec.Body)
	}
	wantError(t, Do(t, f.h, http.MethodGet, "/api/v1/me/export", "", func(*http.Request) {}), 401, "unauthorized")
	wantFields(t, Do(t, f.h, http.MethodPost, "/api/v1/me/deletion-request", `{}`, f.trainee), "password")
	wantFields(t, Do(t, f.h, http.MethodPost, "/api/v1/me/deletion-request", `{"password":"wrong"}`, f.trainee), "password")
	rec = Do(t, f.h, http.MethodPost, "/api/v1/me/deletion-request", `{"password":"`+demoPassword+`"}`, f.trainee)
	if rec.Code != http.StatusNoContent {
		t.Fatalf("deletion: got %d %s, want 204", rec.Code, rec.Body)
	}
	wantError(t, Do(t, f.h, http.MethodGet, "/api/v1/me", "", f.trainee), 401, "unauthorized")
	wantError(t, Do(t, f.h, http.MethodPost, "/api/v1/auth/login", loginBody("trainee1@riverside.example", demoPassword)), 401, "unauthorized")
	if got := strings.Join(emails(t, f.h, "/api/v1/org/completion", f.admin), " "); strings.Contains(got, "trainee1@") {
		t.Errorf("matrix after deletion: got %s, want trainee1 gone", got)
	}
}

// External training shows in the matrix and its export beside assigned courses, for the same
// people, and a training type of another organisation is not there.
func TestOrgCompletionExternalTraining(t *testing.T) {
	t.Parallel()
	f := mustOrgFixture(t)
	ctx := context.Background()
	rec := Do(t, f.h, http.MethodPost, "/api/v1/org/training-types", `{"name":"First aid","validity_months":12}`, f.admin)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create type: got %d %s", rec.Code, rec.Body)
	}
	var firstAid struct {
		ID string `json:"id"`
	}
	json.Unmarshal(rec.Body.Bytes(), &firstAid)
	admin, err := f.store.FindPrincipal(ctx, MustPersonID(t, f.store, "admin@riverside.example"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.CreateTrainingRecord(ctx, admin, courses.TrainingRecordInput{PersonID: f.trainee1,
		TrainingTypeID: firstAid.ID, CompletedOn: "2025-06-01", Evidence: []byte("%PDF-1.7\n%%EOF\n")}); err != nil {
		t.Fatal(err)
	}
	target := "/api/v1/org/completion?training_type=" + firstAid.ID

	t.Run("Manager", func(t *testing.T) {
		// Only North team's trainees: the manager is not a trainee and has no record.
		if got := strings.Join(emails(t, f.h, target, f.manager), " "); got != "trainee2@riverside.example trainee1@riverside.example" {
			t.Errorf("rows: got %s, want North team's two trainees", got)
		}
	})
	t.Run("Admin", func(t *testing.T) {
		rec := Do(t, f.h, http.MethodGet, target, "", f.admin)
		var m struct {
			Items []struct {
				Email          string  `json:"email"`
				Kind           string  `json:"kind"`
				Course         string  `json:"course"`
				TrainingTypeID *string `json:"training_type_id"`
				Title          string  `json:"course_title"`
				Status         string  `json:"status"`
				CompletedAt    *string `json:"completed_at"`
			} `json:"items"`
			TrainingTypes []struct {
				ID     string         `json:"id"`
				Name   string         `json:"name"`
				Total  int            `json:"total"`
				Counts map[string]int `json:"counts"`
			} `json:"training_types"`
			Courses []any `json:"courses"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil || rec.Code != http.StatusOK {
			t.Fatalf("got %d %s (%v)", rec.Code, rec.Body, err)
		}
		found := false
		for _, it := range m.Items {
			if it.Kind != "external" || it.Course != "" || it.TrainingTypeID == nil || *it.TrainingTypeID != firstAid.ID || it.Title != "First aid" {
				t.Errorf("row %+v: want external First aid with no course", it)
			}
			if it.Email == "trainee1@riverside.example" {
				found = true
				if it.Status != "completed" || it.CompletedAt == nil || *it.CompletedAt != "2025-06-01T00:00:00Z" {
					t.Errorf("trainee1's row: got %+v, want completed on 2025-06-01", it)
				}
			} else if it.Status != "not_started" {
				t.Errorf("%s without a record: got %s, want not_started", it.Email, it.Status)
			}
		}
		if !found || len(m.TrainingTypes) != 1 || m.TrainingTypes[0].Counts["completed"] != 1 ||
			m.TrainingTypes[0].Total != len(m.Items) || len(m.Courses) != 0 {
			t.Errorf("got %+v; want trainee1's row and First aid's totals only", m)
		}
	})
	t.Run("CSV", func(t *testing.T) {
		rec := Do(t, f.h, http.MethodGet, "/api/v1/org/completion.csv?training_type="+firstAid.ID+"&status=completed", "", f.admin)
		rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
		if err != nil || rec.Code != http.StatusOK {
			t.Fatalf("got %d %s (%v)", rec.Code, rec.Body, err)
		}
		want := [][]string{
			{"name", "email", "teams", "course", "course_title", "status", "due_at", "completed_at", "expires_at", "kind"},
			{"Sam Okafor", "trainee1@riverside.example", "North team", "", "First aid", "completed", "2026-06-01T00:00:00Z",
				"2025-06-01T00:00:00Z", "2026-06-01T00:00:00Z", "external"},
		}
		if diff := cmp.Diff(want, rows); diff != "" {
			t.Errorf("csv (-want +got):\n%s", diff)
		}
		// Course rows say what they are too.
		rec = Do(t, f.h, http.MethodGet, "/api/v1/org/completion.csv?course=storytelling-with-purpose", "", f.admin)
		rows, _ = csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
		if len(rows) != 4 || rows[1][9] != "course" || rows[1][3] != "storytelling-with-purpose" {
			t.Errorf("course csv: got %q, want three course rows", rows)
		}
	})
	for _, tt := range []struct {
		name   string
		target string
		opt    reqOpt
		status int
	}{
		{"OtherOrganisation", target, f.harbourAdmin, 404},
		{"OtherOrganisationCSV", "/api/v1/org/completion.csv?training_type=" + firstAid.ID, f.harbourAdmin, 404},
		{"Trainee", target, f.trainee, 403},
		{"NotAnID", "/api/v1/org/completion?training_type=first-aid", f.admin, 400},
		{"CourseAndType", target + "&course=storytelling-with-purpose", f.admin, 400},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := Do(t, f.h, http.MethodGet, tt.target, "", tt.opt)
			wantError(t, rec, tt.status, map[int]string{400: "invalid", 403: "forbidden", 404: "not_found"}[tt.status])
			if tt.status == 400 {
				wantFields(t, rec, "training_type")
			}
		})
	}
}

package server_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestOrgSettings(t *testing.T) {
	h, store, _ := MustLearningServer(t)
	MustImportOrgCourse(t, store, "harbour", "harbour-induction", "")
	admin := MustSessionCookie(t, store, "admin@riverside.example")
	trainee := MustSessionCookie(t, store, "trainee1@riverside.example")
	tests := []struct {
		name   string
		as     reqOpt
		path   string
		body   string
		status int
		code   string
		field  string
	}{
		{"time zone", admin, "/api/v1/org/settings/time-zone", `{"time_zone":"Europe/London"}`, http.StatusOK, "", ""},
		{"unknown time zone", admin, "/api/v1/org/settings/time-zone", `{"time_zone":"Mars/Olympus"}`, http.StatusBadRequest, "invalid", "time_zone"},
		{"empty time zone", admin, "/api/v1/org/settings/time-zone", `{}`, http.StatusBadRequest, "invalid", "time_zone"},
		{"time zone, not JSON", admin, "/api/v1/org/settings/time-zone", `{`, http.StatusBadRequest, "invalid", ""},
		{"time zone, trainee", trainee, "/api/v1/org/settings/time-zone", `{"time_zone":"UTC"}`, http.StatusForbidden, "forbidden", ""},
		{"period", admin, "/api/v1/org/courses/storytelling-with-purpose/certificate-period", `{"validity_months":24}`, http.StatusOK, "", ""},
		{"period, never expires", admin, "/api/v1/org/courses/boundaries-in-peer-work/certificate-period", `{"validity_months":0}`, http.StatusOK, "", ""},
		{"period, too long", admin, "/api/v1/org/courses/storytelling-with-purpose/certificate-period", `{"validity_months":500}`, http.StatusBadRequest, "invalid", "validity_months"},
		{"period, not a number", admin, "/api/v1/org/courses/storytelling-with-purpose/certificate-period", `{"validity_months":"two"}`, http.StatusBadRequest, "invalid", "validity_months"},
		{"period, unknown course", admin, "/api/v1/org/courses/no-such-course/certificate-period", `{"validity_months":12}`, http.StatusNotFound, "not_found", ""},
		{"period, another organisation's course", admin, "/api/v1/org/courses/harbour-induction/certificate-period", `{"validity_months":12}`, http.StatusNotFound, "not_found", ""},
		{"period, trainee", trainee, "/api/v1/org/courses/storytelling-with-purpose/certificate-period", `{"validity_months":12}`, http.StatusForbidden, "forbidden", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := Do(t, h, "PUT", tt.path, tt.body, tt.as)
			if tt.code == "" {
				if rec.Code != tt.status {
					t.Fatalf("got %d %s, want %d", rec.Code, rec.Body, tt.status)
				}
				return
			}
			wantError(t, rec, tt.status, tt.code)
			if tt.field != "" {
				wantFields(t, rec, tt.field)
			}
		})
	}
	if got := MustCount(t, store, `SELECT count(*) FROM organisations WHERE slug = 'riverside' AND time_zone = 'Europe/London'`); got != 1 {
		t.Errorf("time zone: got %d rows with Europe/London, want 1", got)
	}
	if got := MustCount(t, store, `SELECT count(*) FROM org_course_settings s JOIN courses c ON c.id = s.course_id
		WHERE (c.slug, s.validity_months) IN (('storytelling-with-purpose', 24), ('boundaries-in-peer-work', 0))`); got != 2 {
		t.Errorf("periods: got %d settings, want 2", got)
	}
	// null goes back to the course's own period.
	if rec := Do(t, h, "PUT", "/api/v1/org/courses/storytelling-with-purpose/certificate-period", `{"validity_months":null}`, admin); rec.Code != http.StatusOK {
		t.Fatalf("reset: got %d %s", rec.Code, rec.Body)
	}
	if got := MustCount(t, store, `SELECT count(*) FROM org_course_settings`); got != 1 {
		t.Errorf("after reset: got %d settings, want 1", got)
	}
}

func TestOrgSettingsGet(t *testing.T) {
	h, store, _ := MustLearningServer(t)
	MustImportOrgCourse(t, store, "harbour", "harbour-induction", "")
	admin := MustSessionCookie(t, store, "admin@riverside.example")
	if rec := Do(t, h, "PUT", "/api/v1/org/settings/time-zone", `{"time_zone":"Pacific/Auckland"}`, admin); rec.Code != http.StatusOK {
		t.Fatalf("set time zone: got %d %s", rec.Code, rec.Body)
	}
	if rec := Do(t, h, "PUT", "/api/v1/org/courses/boundaries-in-peer-work/certificate-period", `{"validity_months":0}`, admin); rec.Code != http.StatusOK {
		t.Fatalf("set period: got %d %s", rec.Code, rec.Body)
	}
	rec := Do(t, h, "GET", "/api/v1/org/settings", "", admin)
	if rec.Code != http.StatusOK {
		t.Fatalf("got %d %s, want 200", rec.Code, rec.Body)
	}
	var got struct {
		TimeZone string `json:"time_zone"`
		Courses  []struct {
			Course         string `json:"course"`
			Title          string `json:"title"`
			DefaultMonths  *int   `json:"default_validity_months"`
			ValidityMonths *int   `json:"validity_months"`
		} `json:"courses"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.TimeZone != "Pacific/Auckland" {
		t.Errorf("time zone: got %q, want Pacific/Auckland", got.TimeZone)
	}
	periods := map[string]string{}
	for _, c := range got.Courses {
		if c.Title == "" || c.DefaultMonths == nil {
			t.Errorf("course %+v: want a title and the course's own period", c)
		}
		periods[c.Course] = "default"
		if c.ValidityMonths != nil {
			periods[c.Course] = strconv.Itoa(*c.ValidityMonths)
		}
	}
	// The shipped courses, Boundaries never expiring; not Harbour's own course.
	if diff := cmp.Diff(map[string]string{"boundaries-in-peer-work": "0", "storytelling-with-purpose": "default"}, periods); diff != "" {
		t.Errorf("courses and their periods (-want +got):\n%s", diff)
	}

	harbour := MustSessionCookie(t, store, "admin@harbour.example")
	rec = Do(t, h, "GET", "/api/v1/org/settings", "", harbour)
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "Pacific/Auckland") || !strings.Contains(rec.Body.String(), "harbour-induction") {
		t.Errorf("Harbour's settings: got %d %s, want its own", rec.Code, rec.Body)
	}
	for _, email := range []string{"manager@riverside.example", "trainee1@riverside.example"} {
		wantError(t, Do(t, h, "GET", "/api/v1/org/settings", "", MustSessionCookie(t, store, email)), http.StatusForbidden, "forbidden")
	}
	wantError(t, Do(t, h, "GET", "/api/v1/org/settings", ""), http.StatusUnauthorized, "unauthorized")
}

package server_test

import (
	"net/http"
	"testing"
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

package server_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"peerpath/courses"
)

var (
	testPDF = []byte("%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n")
	testPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
)

// multipartBody builds a multipart/form-data body from fields and, when file is not nil, an
// "evidence" file part named filename; it returns the body and its content type.
func multipartBody(tb testing.TB, fields map[string]string, filename string, file []byte) (string, string) {
	tb.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			tb.Fatal(err)
		}
	}
	if file != nil {
		fw, err := w.CreateFormFile("evidence", filename)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := fw.Write(file); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.String(), w.FormDataContentType()
}

// DoUpload posts a training record form to path.
func DoUpload(tb testing.TB, h http.Handler, path string, fields map[string]string, filename string, file []byte, opts ...reqOpt) *httptest.ResponseRecorder {
	tb.Helper()
	body, ct := multipartBody(tb, fields, filename, file)
	return Do(tb, h, http.MethodPost, path, body, append([]reqOpt{withHeader("Content-Type", ct)}, opts...)...)
}

// trainingFixture is MustPeopleFixture with a First aid type valid for 36 months and one record
// for the outsider (in the south team, which the demo manager does not manage).
type trainingFixture struct {
	*peopleFixture
	firstAid, outsiderRecord string
}

func MustTrainingFixture(tb testing.TB) *trainingFixture {
	tb.Helper()
	f := &trainingFixture{peopleFixture: MustPeopleFixture(tb)}
	f.firstAid = mustCreated(tb, Do(tb, f.h, http.MethodPost, "/api/v1/org/training-types", `{"name":"First aid","validity_months":36}`, f.admin))
	f.outsiderRecord = mustCreated(tb, DoUpload(tb, f.h, "/api/v1/org/training-records",
		map[string]string{"person_id": f.outsider, "training_type_id": f.firstAid, "completed_on": "2025-06-30"}, "first-aid.pdf", testPDF, f.admin))
	return f
}

func TestOrgTrainingIsolation(t *testing.T) {
	t.Parallel()
	f := MustTrainingFixture(t)
	upload := func(who reqOpt) *httptest.ResponseRecorder {
		return DoUpload(t, f.h, "/api/v1/org/training-records",
			map[string]string{"person_id": f.outsider, "training_type_id": f.firstAid, "completed_on": "2026-01-05"}, "a.pdf", testPDF, who)
	}
	targeted := []struct {
		name string
		do   func(who reqOpt) *httptest.ResponseRecorder
	}{
		{"Evidence", func(who reqOpt) *httptest.ResponseRecorder {
			return Do(t, f.h, http.MethodGet, "/api/v1/org/training-records/"+f.outsiderRecord+"/evidence", "", who)
		}},
		{"DeleteRecord", func(who reqOpt) *httptest.ResponseRecorder {
			return Do(t, f.h, http.MethodDelete, "/api/v1/org/training-records/"+f.outsiderRecord, "", who)
		}},
		{"CreateForOutsider", upload},
	}
	for _, c := range targeted {
		for _, who := range []struct {
			name   string
			cookie reqOpt
		}{{"OtherOrgAdmin", f.harbour}, {"ManagerOutsideTeam", f.manager}} {
			t.Run(who.name+" "+c.name, func(t *testing.T) {
				e := wantError(t, c.do(who.cookie), http.StatusNotFound, "not_found")
				if strings.Contains(e.Message, "Outsider") {
					t.Errorf("message %q names what it hides", e.Message)
				}
			})
		}
		t.Run("Trainee "+c.name, func(t *testing.T) {
			wantError(t, c.do(f.trainee), http.StatusForbidden, "forbidden")
		})
	}
	wantError(t, Do(t, f.h, http.MethodDelete, "/api/v1/org/training-types/"+f.firstAid, "", f.harbour), http.StatusNotFound, "not_found")
	for _, c := range []struct{ method, path, body string }{
		{http.MethodGet, "/api/v1/org/training-types", ""},
		{http.MethodPost, "/api/v1/org/training-types", `{"name":"Mine"}`},
		{http.MethodDelete, "/api/v1/org/training-types/" + f.firstAid, ""},
		{http.MethodGet, "/api/v1/org/training-records", ""},
	} {
		t.Run("Trainee "+c.method+" "+c.path, func(t *testing.T) {
			wantError(t, Do(t, f.h, c.method, c.path, c.body, f.trainee), http.StatusForbidden, "forbidden")
		})
	}
	t.Run("ManagerReadOnly", func(t *testing.T) {
		wantError(t, Do(t, f.h, http.MethodPost, "/api/v1/org/training-types", `{"name":"Mine"}`, f.manager), http.StatusForbidden, "forbidden")
		rec := DoUpload(t, f.h, "/api/v1/org/training-records",
			map[string]string{"person_id": f.member, "training_type_id": f.firstAid, "completed_on": "2026-01-05"}, "a.pdf", testPDF, f.manager)
		wantError(t, rec, http.StatusForbidden, "forbidden")
	})
	for _, who := range []struct {
		name   string
		cookie reqOpt
	}{{"OtherOrgAdmin", f.harbour}, {"ManagerOutsideTeam", f.manager}} {
		t.Run(who.name+" Lists", func(t *testing.T) {
			for _, path := range []string{"/api/v1/org/training-records", "/api/v1/org/training-records?person=" + f.outsider, "/api/v1/org/training-types"} {
				rec := Do(t, f.h, http.MethodGet, path, "", who.cookie)
				if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), f.outsiderRecord) || strings.Contains(rec.Body.String(), "outsider@") {
					t.Errorf("%s: got %d %s, want 200 without the outsider's record", path, rec.Code, rec.Body)
				}
			}
		})
	}
	t.Run("HarbourSeesNoRiversideTypes", func(t *testing.T) {
		if rec := Do(t, f.h, http.MethodGet, "/api/v1/org/training-types", "", f.harbour); strings.Contains(rec.Body.String(), f.firstAid) {
			t.Errorf("got %s, want no Riverside types", rec.Body)
		}
	})
}

func TestOrgTrainingBadInput(t *testing.T) {
	t.Parallel()
	f := MustTrainingFixture(t)
	ok := map[string]string{"person_id": f.member, "training_type_id": f.firstAid, "completed_on": "2026-01-05"}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for kk, vv := range ok {
			m[kk] = vv
		}
		m[k] = v
		return m
	}
	oversize := append(append([]byte{}, testPDF...), bytes.Repeat([]byte{' '}, courses.MaxEvidenceBytes)...)
	for _, c := range []struct {
		name   string
		fields map[string]string
		file   []byte
		want   string
	}{
		{"Oversize", ok, oversize, "evidence"},
		{"WrongMagicBytes", ok, []byte("<html><script>alert(1)</script>"), "evidence"},
		{"NoFile", ok, nil, "evidence"},
		{"BadDate", with("completed_on", "5 January 2026"), testPDF, "completed_on"},
		{"FutureDate", with("completed_on", "2030-01-01"), testPDF, "completed_on"},
		{"UnknownType", with("training_type_id", "6f1c1d0e-9a6e-4d59-b0b5-2f3a1e7c0d11"), testPDF, "training_type_id"},
		{"TypeNotAnID", with("training_type_id", "first aid"), testPDF, "training_type_id"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantFields(t, DoUpload(t, f.h, "/api/v1/org/training-records", c.fields, "evidence.pdf", c.file, f.admin), c.want)
		})
	}
	t.Run("NotMultipart", func(t *testing.T) {
		wantError(t, Do(t, f.h, http.MethodPost, "/api/v1/org/training-records", `{"person_id":"x"}`, f.admin), http.StatusBadRequest, "invalid")
	})
	t.Run("FarTooLarge", func(t *testing.T) {
		body := strings.Repeat("x", 7<<20)
		wantError(t, Do(t, f.h, http.MethodPost, "/api/v1/org/training-records", body, f.admin, withHeader("Content-Type", "multipart/form-data; boundary=x")),
			http.StatusRequestEntityTooLarge, "too_large")
	})
	t.Run("OtherRoutesKeepTheUsualLimit", func(t *testing.T) {
		body := `{"name":"` + strings.Repeat("x", 2<<20) + `"}`
		wantError(t, Do(t, f.h, http.MethodPost, "/api/v1/org/training-types", body, f.admin), http.StatusRequestEntityTooLarge, "too_large")
	})
	t.Run("Types", func(t *testing.T) {
		wantFields(t, Do(t, f.h, http.MethodPost, "/api/v1/org/training-types", `{"name":"","validity_months":0}`, f.admin), "name", "validity_months")
		wantFields(t, Do(t, f.h, http.MethodPost, "/api/v1/org/training-types", `{"name":"ASIST","validity_months":"two"}`, f.admin), "validity_months")
		wantError(t, Do(t, f.h, http.MethodPost, "/api/v1/org/training-types", `{"name":"first AID"}`, f.admin), http.StatusConflict, "conflict")
		wantError(t, Do(t, f.h, http.MethodDelete, "/api/v1/org/training-types/"+f.firstAid, "", f.admin), http.StatusConflict, "conflict")
	})
	if n := MustCount(t, f.store, `SELECT count(*) FROM training_records`); n != 1 {
		t.Errorf("records after bad input: got %d, want only the fixture's 1", n)
	}
}

func TestOrgTraining(t *testing.T) {
	t.Parallel()
	f := MustTrainingFixture(t)

	t.Run("List", func(t *testing.T) {
		rec := Do(t, f.h, http.MethodGet, "/api/v1/org/training-records?type="+f.firstAid, "", f.admin)
		var body struct {
			Items      []courses.TrainingRecord `json:"items"`
			NextCursor string                   `json:"next_cursor"`
		}
		MustDecode(t, rec, &body)
		if len(body.Items) != 1 || body.Items[0].ExpiresOn == nil || *body.Items[0].ExpiresOn != "2028-06-30" ||
			body.Items[0].EvidenceName != "first-aid.pdf" || body.Items[0].EvidenceSize != len(testPDF) {
			t.Errorf("got %s, want the outsider's record expiring 2028-06-30", rec.Body)
		}
		wantFields(t, Do(t, f.h, http.MethodGet, "/api/v1/org/training-records?person=nobody", "", f.admin), "person")
	})
	t.Run("Evidence", func(t *testing.T) {
		rec := Do(t, f.h, http.MethodGet, "/api/v1/org/training-records/"+f.outsiderRecord+"/evidence", "", f.admin)
		if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), testPDF) {
			t.Fatalf("got %d %q, want the PDF", rec.Code, rec.Body)
		}
		for h, want := range map[string]string{
			"Content-Type":           "application/pdf",
			"Content-Disposition":    `attachment; filename=first-aid.pdf`,
			"X-Content-Type-Options": "nosniff",
		} {
			if got := rec.Header().Get(h); got != want {
				t.Errorf("%s: got %q, want %q", h, got, want)
			}
		}
	})
	t.Run("TraineeRecordsOwn", func(t *testing.T) {
		// person_id in the form is ignored: a trainee can only record their own training.
		rec := DoUpload(t, f.h, "/api/v1/me/training-records",
			map[string]string{"person_id": f.outsider, "training_type_id": f.firstAid, "completed_on": "2026-02-01"}, "card.png", testPNG, f.trainee)
		var got courses.TrainingRecord
		if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &got) != nil {
			t.Fatalf("got %d %s, want 201", rec.Code, rec.Body)
		}
		if got.Person.Email != "trainee1@riverside.example" || got.EvidenceType == nil || *got.EvidenceType != "image/png" {
			t.Errorf("got %+v, want trainee1's PNG", got)
		}
		mine := Do(t, f.h, http.MethodGet, "/api/v1/me/training-records", "", f.trainee)
		if !strings.Contains(mine.Body.String(), got.ID) || strings.Contains(mine.Body.String(), f.outsiderRecord) {
			t.Errorf("my records: got %s", mine.Body)
		}
		if rec := Do(t, f.h, http.MethodGet, "/api/v1/me/training-records/"+got.ID+"/evidence", "", f.trainee); rec.Code != http.StatusOK {
			t.Errorf("own evidence: got %d %s", rec.Code, rec.Body)
		}
		wantError(t, Do(t, f.h, http.MethodGet, "/api/v1/me/training-records/"+f.outsiderRecord+"/evidence", "", f.trainee), http.StatusNotFound, "not_found")
		if rec := Do(t, f.h, http.MethodGet, "/api/v1/me/training-types", "", f.trainee); !strings.Contains(rec.Body.String(), f.firstAid) {
			t.Errorf("types: got %s, want First aid", rec.Body)
		}
		wantFields(t, DoUpload(t, f.h, "/api/v1/me/training-records",
			map[string]string{"training_type_id": f.firstAid, "completed_on": "2026-02-01"}, "x.gif", []byte("GIF89a"), f.trainee), "evidence")
	})
	t.Run("AuditAndDelete", func(t *testing.T) {
		if rec := Do(t, f.h, http.MethodDelete, "/api/v1/org/training-records/"+f.outsiderRecord, "", f.admin); rec.Code != http.StatusNoContent {
			t.Fatalf("delete: got %d %s", rec.Code, rec.Body)
		}
		rec := Do(t, f.h, http.MethodGet, "/api/v1/org/audit?action=training", "", f.admin)
		for _, action := range []string{"training.type_create", "training.record_create", "training.record_delete"} {
			if !strings.Contains(rec.Body.String(), `"action":"`+action+`"`) {
				t.Errorf("audit log %s lacks %s", rec.Body, action)
			}
		}
	})
}

package courses_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
)

var (
	pdfFile  = []byte("%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n")
	pngFile  = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	jpegFile = []byte("\xff\xd8\xff\xe0\x00\x10JFIF")
)

// MustTrainingType creates a training type as admin and returns its id.
func MustTrainingType(tb testing.TB, store *courses.Store, admin *courses.Principal, name string, months *int) string {
	tb.Helper()
	t, err := store.CreateTrainingType(context.Background(), admin, name, months)
	if err != nil {
		tb.Fatalf("create training type %s: %v", name, err)
	}
	return t.ID
}

func TestTrainingTypes(t *testing.T) {
	t.Parallel()
	l := MustOrgLab(t)
	ctx := context.Background()
	firstAid := MustTrainingType(t, l.store, l.admin, "First aid", intp(36))

	t.Run("BadInput", func(t *testing.T) {
		for _, c := range []struct {
			name   string
			months *int
			fields []string
		}{
			{"", nil, []string{"name"}},
			{"ASIST", intp(0), []string{"validity_months"}},
			{"ASIST", intp(121), []string{"validity_months"}},
			{" ", intp(-1), []string{"name", "validity_months"}},
		} {
			_, err := l.store.CreateTrainingType(ctx, l.admin, c.name, c.months)
			wantFields(t, err, c.fields...)
		}
		_, err := l.store.CreateTrainingType(ctx, l.admin, "FIRST AID", nil)
		wantCode(t, err, courses.Conflict)
	})
	t.Run("OnlyAdmins", func(t *testing.T) {
		_, err := l.store.CreateTrainingType(ctx, l.manager, "ASIST", nil)
		wantCode(t, err, courses.Forbidden)
		wantCode(t, l.store.DeleteTrainingType(ctx, l.sam, firstAid), courses.Forbidden)
		wantCode(t, l.store.DeleteTrainingType(ctx, l.otherAdmin, firstAid), courses.NotFound)
	})
	t.Run("ListedForEveryoneInTheOrgOnly", func(t *testing.T) {
		got, err := l.store.FindTrainingTypes(ctx, l.sam)
		if err != nil || len(got) != 1 || got[0].Name != "First aid" || *got[0].ValidityMonths != 36 {
			t.Errorf("got %+v, %v; want First aid valid 36 months", got, err)
		}
		got, err = l.store.FindTrainingTypes(ctx, l.otherAdmin)
		if err != nil || len(got) != 0 {
			t.Errorf("other org: got %+v, %v; want none", got, err)
		}
	})
	t.Run("DeleteKeepsEvidence", func(t *testing.T) {
		id := MustTrainingType(t, l.store, l.admin, "Mental Health First Aid", nil)
		if _, err := l.store.CreateTrainingRecord(ctx, l.sam, courses.TrainingRecordInput{
			PersonID: l.sam.Person.ID, TrainingTypeID: id, CompletedOn: "2026-01-10", Evidence: pdfFile}); err != nil {
			t.Fatal(err)
		}
		wantCode(t, l.store.DeleteTrainingType(ctx, l.admin, id), courses.Conflict)
		empty := MustTrainingType(t, l.store, l.admin, "Unused", nil)
		if err := l.store.DeleteTrainingType(ctx, l.admin, empty); err != nil {
			t.Fatal(err)
		}
		if n := MustCount(t, l.store, `SELECT count(*) FROM audit_log WHERE action = 'training.type_delete' AND subject_id = $1`, empty); n != 1 {
			t.Errorf("audit entries: got %d, want 1", n)
		}
	})
}

func TestTrainingRecords(t *testing.T) {
	t.Parallel()
	l := MustOrgLab(t)
	ctx := context.Background()
	firstAid := MustTrainingType(t, l.store, l.admin, "First aid", intp(36))
	asist := MustTrainingType(t, l.store, l.admin, "ASIST", nil)
	otherType := MustTrainingType(t, l.store, l.otherAdmin, "Harbour first aid", nil)

	t.Run("BadInput", func(t *testing.T) {
		big := append(append([]byte{}, pdfFile...), bytes.Repeat([]byte{' '}, courses.MaxEvidenceBytes)...)
		ok := courses.TrainingRecordInput{PersonID: l.sam.Person.ID, TrainingTypeID: firstAid, CompletedOn: "2026-01-10", Evidence: pdfFile}
		for _, c := range []struct {
			name   string
			change func(*courses.TrainingRecordInput)
			field  string
		}{
			{"NoType", func(in *courses.TrainingRecordInput) { in.TrainingTypeID = "" }, "training_type_id"},
			{"TypeNotUUID", func(in *courses.TrainingRecordInput) { in.TrainingTypeID = "first-aid" }, "training_type_id"},
			{"UnknownType", func(in *courses.TrainingRecordInput) { in.TrainingTypeID = "6f1c1d0e-9a6e-4d59-b0b5-2f3a1e7c0d11" }, "training_type_id"},
			{"OtherOrgsType", func(in *courses.TrainingRecordInput) { in.TrainingTypeID = otherType }, "training_type_id"},
			{"BadDate", func(in *courses.TrainingRecordInput) { in.CompletedOn = "10/01/2026" }, "completed_on"},
			{"ImpossibleDate", func(in *courses.TrainingRecordInput) { in.CompletedOn = "2026-02-30" }, "completed_on"},
			{"FutureDate", func(in *courses.TrainingRecordInput) { in.CompletedOn = "2026-03-03" }, "completed_on"},
			{"NoDate", func(in *courses.TrainingRecordInput) { in.CompletedOn = "" }, "completed_on"},
			{"NoEvidence", func(in *courses.TrainingRecordInput) { in.Evidence = nil }, "evidence"},
			{"WrongMagic", func(in *courses.TrainingRecordInput) {
				in.Evidence = []byte("<svg onload=alert(1)>")
				in.EvidenceName = "a.pdf"
			}, "evidence"},
			{"Oversize", func(in *courses.TrainingRecordInput) { in.Evidence = big }, "evidence"},
		} {
			t.Run(c.name, func(t *testing.T) {
				in := ok
				c.change(&in)
				_, err := l.store.CreateTrainingRecord(ctx, l.admin, in)
				wantFields(t, err, c.field)
			})
		}
		if n := MustCount(t, l.store, `SELECT count(*) FROM training_records`); n != 0 {
			t.Errorf("records after bad input: got %d, want 0", n)
		}
	})

	t.Run("Isolation", func(t *testing.T) {
		in := courses.TrainingRecordInput{PersonID: l.jordan.Person.ID, TrainingTypeID: asist, CompletedOn: "2026-01-10", Evidence: pngFile}
		_, err := l.store.CreateTrainingRecord(ctx, l.otherAdmin, in)
		wantCode(t, err, courses.NotFound)
		_, err = l.store.CreateTrainingRecord(ctx, l.manager, in) // jordan is in south, outside the manager's team
		wantCode(t, err, courses.NotFound)
		_, err = l.store.CreateTrainingRecord(ctx, l.sam, in)
		wantCode(t, err, courses.NotFound)
		in.PersonID = l.priya.Person.ID // in the manager's team: seen, but only admins write
		_, err = l.store.CreateTrainingRecord(ctx, l.manager, in)
		wantCode(t, err, courses.Forbidden)
	})

	rec, err := l.store.CreateTrainingRecord(ctx, l.admin, courses.TrainingRecordInput{
		PersonID: l.jordan.Person.ID, TrainingTypeID: firstAid, CompletedOn: "2023-03-31", EvidenceName: `C:\scans\"first aid".jpg`, Evidence: jpegFile})
	if err != nil {
		t.Fatal(err)
	}
	l.clock.Advance(time.Minute)
	own, err := l.store.CreateTrainingRecord(ctx, l.sam, courses.TrainingRecordInput{
		PersonID: l.sam.Person.ID, TrainingTypeID: asist, CompletedOn: "2026-03-02", EvidenceName: "asist.pdf", Evidence: pdfFile})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("Created", func(t *testing.T) {
		expires := "2026-03-31"
		want := courses.TrainingRecord{ID: rec.ID, Person: courses.PersonRef{ID: l.jordan.Person.ID, Name: l.jordan.Person.Name, Email: l.jordan.Person.Email},
			TrainingType: courses.TrainingTypeRef{ID: firstAid, Name: "First aid"}, CompletedOn: "2023-03-31", ExpiresOn: &expires, Expired: false,
			EvidenceName: "first aid.jpg", EvidenceType: rec.EvidenceType, EvidenceSize: len(jpegFile), CreatedAt: rec.CreatedAt}
		if diff := cmp.Diff(want, *rec); diff != "" {
			t.Errorf("record (-want +got):\n%s", diff)
		}
		if *rec.EvidenceType != "image/jpeg" || own.ExpiresOn != nil || *own.EvidenceType != "application/pdf" {
			t.Errorf("got types %s, %s and expiry %v; want image/jpeg, application/pdf, none", *rec.EvidenceType, *own.EvidenceType, own.ExpiresOn)
		}
		if n := MustCount(t, l.store, `SELECT count(*) FROM audit_log WHERE action = 'training.record_create'`); n != 2 {
			t.Errorf("audit entries: got %d, want 2", n)
		}
	})

	t.Run("ExpiredOnTheDay", func(t *testing.T) {
		l.clock.Advance(30 * 24 * time.Hour) // 1 April 2026: the day after it expires
		defer l.clock.Advance(-30 * 24 * time.Hour)
		got, _, err := l.store.FindTrainingRecords(ctx, l.admin, courses.TrainingRecordFilter{PersonID: l.jordan.Person.ID}, courses.Page{})
		if err != nil || len(got) != 1 || !got[0].Expired {
			t.Errorf("got %+v, %v; want jordan's record, expired", got, err)
		}
	})

	t.Run("Visibility", func(t *testing.T) {
		for _, c := range []struct {
			name   string
			who    *courses.Principal
			filter courses.TrainingRecordFilter
			want   []string
		}{
			{"Admin", l.admin, courses.TrainingRecordFilter{}, []string{own.ID, rec.ID}},
			{"AdminByType", l.admin, courses.TrainingRecordFilter{TrainingTypeID: firstAid}, []string{rec.ID}},
			{"AdminByPerson", l.admin, courses.TrainingRecordFilter{PersonID: l.sam.Person.ID}, []string{own.ID}},
			{"ManagerSeesOwnTeam", l.manager, courses.TrainingRecordFilter{}, []string{own.ID}},
			{"OtherOrg", l.otherAdmin, courses.TrainingRecordFilter{}, []string{}},
			{"Trainee", l.sam, courses.TrainingRecordFilter{}, []string{}},
		} {
			t.Run(c.name, func(t *testing.T) {
				got, _, err := l.store.FindTrainingRecords(ctx, c.who, c.filter, courses.Page{})
				if err != nil {
					t.Fatal(err)
				}
				ids := []string{}
				for _, r := range got {
					ids = append(ids, r.ID)
				}
				if diff := cmp.Diff(c.want, ids); diff != "" {
					t.Errorf("records (-want +got):\n%s", diff)
				}
			})
		}
		mine, _, err := l.store.FindMyTrainingRecords(ctx, l.sam, courses.Page{})
		if err != nil || len(mine) != 1 || mine[0].ID != own.ID {
			t.Errorf("sam's own: got %+v, %v; want the ASIST record", mine, err)
		}
	})

	t.Run("Pagination", func(t *testing.T) {
		first, next, err := l.store.FindTrainingRecords(ctx, l.admin, courses.TrainingRecordFilter{}, courses.Page{Limit: 1})
		if err != nil || len(first) != 1 || next == "" {
			t.Fatalf("first page: got %d, %q, %v", len(first), next, err)
		}
		second, next, err := l.store.FindTrainingRecords(ctx, l.admin, courses.TrainingRecordFilter{}, courses.Page{Limit: 1, Cursor: next})
		if err != nil || len(second) != 1 || next != "" || second[0].ID == first[0].ID {
			t.Errorf("second page: got %+v, %q, %v", second, next, err)
		}
	})

	t.Run("Evidence", func(t *testing.T) {
		for _, c := range []struct {
			name string
			who  *courses.Principal
			id   string
			code courses.Code
		}{
			{"Admin", l.admin, rec.ID, ""},
			{"Owner", l.sam, own.ID, ""},
			{"Manager", l.manager, own.ID, ""},
			{"ManagerOutsideTeam", l.manager, rec.ID, courses.NotFound},
			{"OtherTrainee", l.priya, own.ID, courses.NotFound},
			{"OtherOrg", l.otherAdmin, rec.ID, courses.NotFound},
			{"NotAnID", l.admin, "x", courses.NotFound},
		} {
			t.Run(c.name, func(t *testing.T) {
				e, err := l.store.FindTrainingEvidence(ctx, c.who, c.id)
				if c.code != "" {
					wantCode(t, err, c.code)
					return
				}
				if err != nil || e.ContentType == "" || len(e.Data) == 0 {
					t.Errorf("got %+v, %v; want the file", e, err)
				}
			})
		}
	})

	t.Run("Delete", func(t *testing.T) {
		wantCode(t, l.store.DeleteTrainingRecord(ctx, l.otherAdmin, rec.ID), courses.NotFound)
		wantCode(t, l.store.DeleteTrainingRecord(ctx, l.manager, rec.ID), courses.NotFound)
		wantCode(t, l.store.DeleteTrainingRecord(ctx, l.manager, own.ID), courses.Forbidden)
		wantCode(t, l.store.DeleteTrainingRecord(ctx, l.sam, own.ID), courses.Forbidden)
		if err := l.store.DeleteTrainingRecord(ctx, l.admin, rec.ID); err != nil {
			t.Fatal(err)
		}
		if n := MustCount(t, l.store, `SELECT count(*) FROM audit_log WHERE action = 'training.record_delete'`); n != 1 {
			t.Errorf("audit entries: got %d, want 1", n)
		}
		wantCode(t, l.store.DeleteTrainingRecord(ctx, l.admin, rec.ID), courses.NotFound)
	})
}

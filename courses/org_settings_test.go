package courses_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
)

func TestFindOrgSettings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := MustOrgLab(t)
	MustImport(t, l.store, "", tinyFS("shipped", certFS("shipped")))                   // 12 months
	MustImport(t, l.store, l.org.ID, tinyFS("induction", nil))                         // never expires
	MustImport(t, l.store, l.other.ID, tinyFS("harbour-only", certFS("harbour-only"))) // not Riverside's
	if err := l.store.SetTimeZone(ctx, l.org.ID, "Pacific/Auckland"); err != nil {
		t.Fatal(err)
	}
	if err := l.store.SetCourseValidity(ctx, l.admin, "shipped", intp(24)); err != nil {
		t.Fatal(err)
	}
	// Harbour's own period for the shipped course is Harbour's alone.
	if err := l.store.SetCourseValidity(ctx, l.otherAdmin, "shipped", intp(0)); err != nil {
		t.Fatal(err)
	}

	got, err := l.store.FindOrgSettings(ctx, l.admin)
	if err != nil {
		t.Fatal(err)
	}
	want := &courses.OrgSettings{TimeZone: "Pacific/Auckland", Courses: []courses.CertificatePeriod{
		{Course: "induction", Title: "Course induction", DefaultMonths: 0, ValidityMonths: nil},
		{Course: "shipped", Title: "Course shipped", DefaultMonths: 12, ValidityMonths: intp(24)},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Riverside's settings (-want +got):\n%s", diff)
	}

	got, err = l.store.FindOrgSettings(ctx, l.otherAdmin)
	if err != nil {
		t.Fatal(err)
	}
	want = &courses.OrgSettings{TimeZone: "UTC", Courses: []courses.CertificatePeriod{
		{Course: "harbour-only", Title: "Course harbour-only", DefaultMonths: 12, ValidityMonths: nil},
		{Course: "shipped", Title: "Course shipped", DefaultMonths: 12, ValidityMonths: intp(0)},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Harbour's settings (-want +got):\n%s", diff)
	}

	for _, tc := range []struct {
		name string
		p    *courses.Principal
	}{{"Manager", l.manager}, {"Trainer", l.trainer}, {"Trainee", l.sam}} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := l.store.FindOrgSettings(ctx, tc.p)
			wantCode(t, err, courses.Forbidden)
		})
	}
}

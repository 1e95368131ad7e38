package mail_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
	mailer "peerpath/worker/mail"
	"peerpath/worker/mail/smtptest"
)

func testInvite(method string) *courses.CalendarInvite {
	start := time.Date(2026, 3, 9, 21, 0, 0, 0, time.UTC) // 10:00 on 10 March in Auckland (NZDT, +13)
	inv := &courses.CalendarInvite{UID: "roleplay-0b6f@peerpath", Method: method, Summary: "Boundaries practice",
		Description: "Live role-play practice. Join it here: http://peerpath.test/roleplay/0b6f",
		URL:         "http://peerpath.test/roleplay/0b6f", StartsAt: start, EndsAt: start.Add(90 * time.Minute),
		TimeZone: "Pacific/Auckland", OrganizerName: "Tomás Reyes", OrganizerEmail: "trainer@riverside.example",
		AttendeeName: "Sam Okafor", AttendeeEmail: "trainee1@riverside.example", Stamp: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	if method == "CANCEL" {
		inv.Sequence = 1
	}
	return inv
}

// mustParseICS parses an iCalendar file and returns it with its one event.
func mustParseICS(tb testing.TB, data []byte) (*ics.Calendar, *ics.VEvent) {
	tb.Helper()
	cal, err := ics.ParseCalendar(bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("parse calendar: %v\n%s", err, data)
	}
	evs := cal.Events()
	if len(evs) != 1 {
		tb.Fatalf("events: got %d, want 1\n%s", len(evs), data)
	}
	return cal, evs[0]
}

func prop(ev *ics.VEvent, p ics.ComponentProperty) string {
	if v := ev.GetProperty(p); v != nil {
		return v.Value
	}
	return ""
}

func calMethod(cal *ics.Calendar) string {
	for _, p := range cal.CalendarProperties {
		if p.IANAToken == string(ics.PropertyMethod) {
			return p.Value
		}
	}
	return ""
}

func TestICS(t *testing.T) {
	tests := []struct {
		method       string
		wantMethod   string
		wantSequence string
		wantStatus   string
	}{
		{method: "REQUEST", wantMethod: "REQUEST", wantSequence: "0", wantStatus: "CONFIRMED"},
		{method: "CANCEL", wantMethod: "CANCEL", wantSequence: "1", wantStatus: "CANCELLED"},
		{method: "PUBLISH", wantMethod: "PUBLISH", wantSequence: "0", wantStatus: "CONFIRMED"},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			inv := testInvite(tt.method)
			data, err := mailer.ICS(inv)
			if err != nil {
				t.Fatalf("ICS: %v", err)
			}
			cal, ev := mustParseICS(t, data)
			if got := calMethod(cal); got != tt.wantMethod {
				t.Errorf("METHOD: got %q, want %q", got, tt.wantMethod)
			}
			if got := ev.Id(); got != inv.UID {
				t.Errorf("UID: got %q, want %q", got, inv.UID)
			}
			start := ev.GetProperty(ics.ComponentPropertyDtStart)
			if got := start.ICalParameters["TZID"]; !cmp.Equal(got, []string{"Pacific/Auckland"}) {
				t.Errorf("DTSTART TZID: got %v, want Pacific/Auckland", got)
			}
			if start.Value != "20260310T100000" {
				t.Errorf("DTSTART: got %q, want local time 20260310T100000", start.Value)
			}
			gotStart, err := ev.GetStartAt()
			if err != nil || !gotStart.Equal(inv.StartsAt) {
				t.Errorf("start: got %v (%v), want %v", gotStart, err, inv.StartsAt)
			}
			gotEnd, err := ev.GetEndAt()
			if err != nil || !gotEnd.Equal(inv.EndsAt) {
				t.Errorf("end: got %v (%v), want %v", gotEnd, err, inv.EndsAt)
			}
			for p, want := range map[ics.ComponentProperty]string{
				ics.ComponentPropertySummary:   "Boundaries practice",
				ics.ComponentPropertySequence:  tt.wantSequence,
				ics.ComponentPropertyStatus:    tt.wantStatus,
				ics.ComponentPropertyOrganizer: "mailto:trainer@riverside.example",
				ics.ComponentPropertyUrl:       "http://peerpath.test/roleplay/0b6f",
			} {
				if got := prop(ev, p); got != want {
					t.Errorf("%s: got %q, want %q", p, got, want)
				}
			}
			if got := prop(ev, ics.ComponentPropertyDescription); !strings.Contains(got, "http://peerpath.test/roleplay/0b6f") {
				t.Errorf("DESCRIPTION: got %q, want the session link", got)
			}
			if as := ev.Attendees(); len(as) != 1 || as[0].Email() != "trainee1@riverside.example" {
				t.Errorf("attendees: got %v, want trainee1@riverside.example", as)
			}
			if tzs := cal.Timezones(); len(tzs) != 1 || tzs[0].GetProperty(ics.ComponentPropertyTzid).Value != "Pacific/Auckland" {
				t.Errorf("timezones: got %d, want one VTIMEZONE for Pacific/Auckland", len(tzs))
			}
			if !strings.Contains(string(data), "TZOFFSETTO:+1300") {
				t.Errorf("VTIMEZONE: got\n%s\nwant the +1300 offset in force on the day", data)
			}
		})
	}
	t.Run("ErrTimeZone", func(t *testing.T) {
		inv := testInvite("REQUEST")
		inv.TimeZone = "Mars/Olympus"
		if _, err := mailer.ICS(inv); err == nil {
			t.Fatal("got nil error, want one for an unknown time zone")
		}
	})
}

func TestRenderRoleplay(t *testing.T) {
	data := map[string]string{"title": "Boundaries practice", "trainer": "Tomás Reyes",
		"starts": "Tuesday 10 March 2026, 10:00 (Pacific/Auckland)", "duration": "90 minutes", "link": "http://peerpath.test/roleplay/0b6f"}
	tests := []struct {
		template    string
		method      string
		wantSubject string
		wantText    string
		wantType    string
	}{
		{"roleplay_invitation", "REQUEST", "Role-play practice: Boundaries practice", "Tomás Reyes has invited you",
			"text/calendar; charset=utf-8; method=REQUEST"},
		{"roleplay_cancelled", "CANCEL", "Cancelled: Boundaries practice", "has been cancelled",
			"text/calendar; charset=utf-8; method=CANCEL"},
	}
	for _, tt := range tests {
		t.Run(tt.template, func(t *testing.T) {
			m, err := mailer.Render(courses.Email{To: "trainee1@riverside.example", ToName: "Sam", Template: tt.template,
				OrgName: "Riverside", Data: data, Invite: testInvite(tt.method)})
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if m.Subject != tt.wantSubject {
				t.Errorf("subject: got %q, want %q", m.Subject, tt.wantSubject)
			}
			if !strings.Contains(m.Text, tt.wantText) || !strings.Contains(m.HTML, "Boundaries practice") {
				t.Errorf("body: got %q, want it to contain %q", m.Text, tt.wantText)
			}
			if len(m.Attachments) != 1 || m.Attachments[0].ContentType != tt.wantType {
				t.Fatalf("attachments: got %+v, want one of type %q", m.Attachments, tt.wantType)
			}
			mustParseICS(t, m.Attachments[0].Data)
		})
	}
	t.Run("NoInvite", func(t *testing.T) {
		m, err := mailer.Render(courses.Email{To: "a@example.org", Template: "roleplay_invitation", Data: data})
		if err != nil || len(m.Attachments) != 0 {
			t.Errorf("got %d attachments (%v), want none", len(m.Attachments), err)
		}
	})
	t.Run("ErrBadInvite", func(t *testing.T) {
		inv := testInvite("REQUEST")
		inv.TimeZone = "Nowhere/Special"
		if _, err := mailer.Render(courses.Email{To: "a@example.org", Template: "roleplay_invitation", Data: data, Invite: inv}); err == nil {
			t.Error("got nil error, want one for an invitation that cannot be drawn")
		}
	})
}

// The attachment arrives over real SMTP as a text/calendar part that parses back.
func TestSMTPSendsInvite(t *testing.T) {
	srv := smtptest.New(t)
	s, err := mailer.NewSMTP(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	m, err := mailer.Render(courses.Email{To: "trainee1@riverside.example", ToName: "Sam", Template: "roleplay_invitation",
		OrgName: "Riverside", Data: map[string]string{"title": "Boundaries practice", "link": "http://peerpath.test/roleplay/0b6f"},
		Invite: testInvite("REQUEST")})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("send: %v", err)
	}
	got := srv.Wait(t, 1, 5*time.Second)[0]
	part := findPart(t, got.Raw, "text/calendar")
	if part == nil {
		t.Fatalf("got message\n%s\nwant a text/calendar part", got.Raw)
	}
	if ct := part.Header.Get("Content-Type"); !strings.Contains(ct, "method=REQUEST") {
		t.Errorf("content type: got %q, want method=REQUEST", ct)
	}
	_, ev := mustParseICS(t, part.data)
	if ev.Id() != "roleplay-0b6f@peerpath" {
		t.Errorf("UID: got %q, want roleplay-0b6f@peerpath", ev.Id())
	}
}

type mimePart struct {
	Header mail.Header
	data   []byte
}

// findPart walks a MIME message and returns the first part of mediaType, decoded.
func findPart(tb testing.TB, raw, mediaType string) *mimePart {
	tb.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		tb.Fatalf("read message: %v", err)
	}
	var walk func(h mail.Header, body io.Reader) *mimePart
	walk = func(h mail.Header, body io.Reader) *mimePart {
		mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
		if err != nil {
			return nil
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err != nil {
					return nil
				}
				if found := walk(mail.Header(p.Header), p); found != nil {
					return found
				}
			}
		}
		if mt != mediaType {
			return nil
		}
		data, err := io.ReadAll(body)
		if err != nil {
			tb.Fatalf("read part: %v", err)
		}
		if strings.EqualFold(h.Get("Content-Transfer-Encoding"), "base64") {
			if data, err = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(data)), "")); err != nil {
				tb.Fatalf("decode part: %v", err)
			}
		}
		return &mimePart{Header: h, data: data}
	}
	return walk(msg.Header, msg.Body)
}

// The development mailbox keeps attachments, so the invitation can be checked there too.
func TestMailboxKeepsAttachments(t *testing.T) {
	box, err := mailer.NewMailbox(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m, err := mailer.Render(courses.Email{To: "trainee1@riverside.example", Template: "roleplay_invitation",
		Data: map[string]string{"title": "Boundaries practice"}, Invite: testInvite("REQUEST")})
	if err != nil {
		t.Fatal(err)
	}
	if err := box.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	got, err := box.Get(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m.Attachments, got.Attachments); diff != "" {
		t.Errorf("attachments (-sent +kept):\n%s", diff)
	}
	list, err := box.List(ctx)
	if err != nil || len(list) != 1 || list[0].Subject != "Role-play practice: Boundaries practice" {
		t.Errorf("list: got %+v (%v), want the one message", list, err)
	}
}

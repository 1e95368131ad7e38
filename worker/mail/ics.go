package mail

import (
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"

	ics "github.com/arran4/golang-ical"

	"peerpath/courses"
)

func init() {
	templates["roleplay_invitation"] = template{
		subject: "Role-play practice: {{.Data.title}}",
		text: texttemplate.Must(texttemplate.New("").Parse(`Hello{{if .ToName}} {{.ToName}}{{end}},

{{.Data.trainer}} has invited you to a live role-play practice session on Peerpath: {{.Data.title}}.

When: {{.Data.starts}}, for {{.Data.duration}}
Where: online, here:
{{.Data.link}}

You'll practise in small groups, taking turns as the person seeking support, the peer worker and the observer, with time for kind, useful feedback after each round. You can pause or step out at any time.

The invitation is attached, so you can add it to your calendar.

Peerpath, for {{.OrgName}}
`)),
		html: htmltemplate.Must(htmltemplate.New("").Parse(`<p>Hello{{if .ToName}} {{.ToName}}{{end}},</p>
<p>{{.Data.trainer}} has invited you to a live role-play practice session on Peerpath: <strong>{{.Data.title}}</strong>.</p>
<p>When: {{.Data.starts}}, for {{.Data.duration}}</p>
<p><a href="{{.Data.link}}">See the session and join it when it opens</a></p>
<p>You'll practise in small groups, taking turns as the person seeking support, the peer worker and the observer, with time for kind, useful feedback after each round. You can pause or step out at any time.</p>
<p>The invitation is attached, so you can add it to your calendar.</p>
<p>Peerpath, for {{.OrgName}}</p>`)),
	}
	templates["roleplay_cancelled"] = template{
		subject: "Cancelled: {{.Data.title}}",
		text: texttemplate.Must(texttemplate.New("").Parse(`Hello{{if .ToName}} {{.ToName}}{{end}},

The role-play practice session "{{.Data.title}}" on {{.Data.starts}} has been cancelled. The attached update takes it out of your calendar.

Your other sessions are here:
{{.Data.link}}

Peerpath, for {{.OrgName}}
`)),
		html: htmltemplate.Must(htmltemplate.New("").Parse(`<p>Hello{{if .ToName}} {{.ToName}}{{end}},</p>
<p>The role-play practice session <strong>{{.Data.title}}</strong> on {{.Data.starts}} has been cancelled. The attached update takes it out of your calendar.</p>
<p><a href="{{.Data.link}}">See your other sessions</a></p>
<p>Peerpath, for {{.OrgName}}</p>`)),
	}
}

// icsLocal is a date-time without a zone designator, read in the zone its TZID names.
const icsLocal = "20060102T150405"

// ICS renders a calendar invitation as an iCalendar file. The event's times carry the session's
// IANA zone, with a VTIMEZONE describing that zone's offset at the event, so calendars show it
// at the right local time.
func ICS(inv *courses.CalendarInvite) ([]byte, error) {
	loc, err := time.LoadLocation(inv.TimeZone)
	if err != nil || inv.TimeZone == "" {
		return nil, fmt.Errorf("calendar invite %s: time zone %q: %v", inv.UID, inv.TimeZone, err)
	}
	method := ics.MethodRequest
	switch inv.Method {
	case "", "REQUEST":
	case "CANCEL":
		method = ics.MethodCancel
	case "PUBLISH":
		method = ics.MethodPublish
	default:
		return nil, fmt.Errorf("calendar invite %s: unknown method %q", inv.UID, inv.Method)
	}
	cal := ics.NewCalendarFor("Peerpath")
	cal.SetMethod(method)

	start, end := inv.StartsAt.In(loc), inv.EndsAt.In(loc)
	name, offset := start.Zone()
	tz := cal.AddTimezone(inv.TimeZone)
	std := tz.AddStandard()
	std.SetProperty(ics.ComponentPropertyDtStart, "19700101T000000")
	std.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), utcOffset(offset))
	std.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), utcOffset(offset))
	std.SetProperty(ics.ComponentProperty(ics.PropertyTzname), name)

	ev := cal.AddEvent(inv.UID)
	ev.SetDtStampTime(inv.Stamp)
	ev.SetSequence(inv.Sequence)
	ev.SetProperty(ics.ComponentPropertyDtStart, start.Format(icsLocal), ics.WithTZID(inv.TimeZone))
	ev.SetProperty(ics.ComponentPropertyDtEnd, end.Format(icsLocal), ics.WithTZID(inv.TimeZone))
	ev.SetSummary(inv.Summary)
	ev.SetDescription(inv.Description)
	if inv.URL != "" {
		ev.SetURL(inv.URL)
	}
	if inv.OrganizerEmail != "" {
		ev.SetOrganizer("mailto:"+inv.OrganizerEmail, ics.WithCN(inv.OrganizerName))
	}
	if inv.AttendeeEmail != "" {
		ev.AddAttendee("mailto:"+inv.AttendeeEmail, ics.WithCN(inv.AttendeeName), ics.CalendarUserTypeIndividual,
			ics.ParticipationRoleReqParticipant, ics.ParticipationStatusNeedsAction, ics.WithRSVP(true))
	}
	if method == ics.MethodCancel {
		ev.SetStatus(ics.ObjectStatusCancelled)
	} else {
		ev.SetStatus(ics.ObjectStatusConfirmed)
	}
	return []byte(cal.Serialize()), nil
}

// utcOffset formats an offset in seconds east of UTC as iCalendar's ±hhmm.
func utcOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	return fmt.Sprintf("%s%02d%02d", sign, sec/3600, sec%3600/60)
}

// inviteAttachment is the .ics file that goes with an email.
func inviteAttachment(inv *courses.CalendarInvite) (Attachment, error) {
	data, err := ICS(inv)
	if err != nil {
		return Attachment{}, err
	}
	method := inv.Method
	if method == "" {
		method = "REQUEST"
	}
	name := "invite.ics"
	if method == "CANCEL" {
		name = "cancel.ics"
	}
	return Attachment{Name: name, ContentType: "text/calendar; charset=utf-8; method=" + strings.ToUpper(method), Data: data}, nil
}

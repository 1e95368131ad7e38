package mail_test

import (
	"encoding/json"
	"strings"
	"testing"

	"peerpath/courses"
	"peerpath/worker/mail"
)

func TestRenderDigest(t *testing.T) {
	items, err := json.Marshal([]courses.DigestItem{
		{Kind: courses.KindAssignmentDue, Section: "Your training", Title: "Holding boundaries", Detail: "Due tomorrow.", Link: "http://x/learn/b"},
		{Kind: courses.KindAssignmentOverdue, Section: "Your training", Title: "Story <script>", Detail: "Was due today.", Link: "http://x/learn/s"},
		{Kind: courses.KindRoleplayTomorrow, Section: "Role-play practice", Title: "Practice", Detail: "Starts at 10:00.", Link: "http://x/roleplay/1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	data := map[string]string{"items": string(items), "count": "3", "day": "Monday 23 November",
		"unsubscribe": "http://x/unsubscribe/T", "preferences": "http://x/notifications/settings", "notifications": "http://x/notifications"}
	m, err := mail.Render(courses.Email{To: "sam@example.org", ToName: "Sam", Template: courses.TemplateDigest, OrgName: "Riverside", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	if want := "3 reminders from Riverside for Monday 23 November"; m.Subject != want {
		t.Errorf("subject: got %q, want %q", m.Subject, want)
	}
	for _, want := range []string{"Hello Sam", "Your training\n", "- Holding boundaries: Due tomorrow.\n  http://x/learn/b", "Role-play practice\n",
		"http://x/unsubscribe/T", "Peerpath, for Riverside"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text: got %q, want it to contain %q", m.Text, want)
		}
	}
	if strings.Count(m.Text, "Your training") != 1 {
		t.Errorf("text: got %q, want one heading per section", m.Text)
	}
	for _, want := range []string{`<a href="http://x/learn/b">Holding boundaries</a>: Due tomorrow.`, "Story &lt;script&gt;",
		`href="http://x/unsubscribe/T"`, `<h2 style="font-size:1.1em">Role-play practice</h2>`} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("html: got %q, want it to contain %q", m.HTML, want)
		}
	}

	data["count"], data["items"] = "1", string(items[:0])+`[{"title":"One","section":"S"}]`
	if m, err := mail.Render(courses.Email{To: "a@example.org", Template: courses.TemplateDigest, OrgName: "R", Data: data}); err != nil || !strings.HasPrefix(m.Subject, "1 reminder from") {
		t.Errorf("one item: got %q, %v", m.Subject, err)
	}
	data["items"] = "{"
	if _, err := mail.Render(courses.Email{To: "a@example.org", Template: courses.TemplateDigest, Data: data}); err == nil {
		t.Error("broken items: got no error, want one")
	}
}

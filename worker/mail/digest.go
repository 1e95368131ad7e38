package mail

import (
	"encoding/json"
	htmltemplate "html/template"
	texttemplate "text/template"

	"peerpath/courses"
)

// digestSection is a heading of the digest and its items.
type digestSection struct {
	Title string
	Items []courses.DigestItem
}

// digestSections decodes a digest's items (JSON in Data["items"]) and groups them under their
// headings, in the order they come. Items that cannot be decoded make the template fail, so the
// task is not retried forever with a broken payload.
func digestSections(raw string) ([]digestSection, error) {
	var items []courses.DigestItem
	if err := json.Unmarshal([]byte(raw), &items); err != nil {
		return nil, err
	}
	var out []digestSection
	for _, it := range items {
		if len(out) == 0 || out[len(out)-1].Title != it.Section {
			out = append(out, digestSection{Title: it.Section})
		}
		last := &out[len(out)-1]
		last.Items = append(last.Items, it)
	}
	return out, nil
}

var digestFuncs = map[string]any{"sections": digestSections}

func init() {
	templates[courses.TemplateDigest] = template{
		subject: `{{if eq .Data.count "1"}}1 reminder{{else}}{{.Data.count}} reminders{{end}} from {{.OrgName}} for {{.Data.day}}`,
		text: texttemplate.Must(texttemplate.New("").Funcs(digestFuncs).Parse(`Hello{{if .ToName}} {{.ToName}}{{end}},

Here is what's coming up in your training with {{.OrgName}}. Everything is in one message, once a day.
{{range sections .Data.items}}
{{.Title}}
{{range .Items}}
- {{.Title}}: {{.Detail}}
  {{.Link}}
{{end}}{{end}}
You can also see these in Peerpath, under the bell at the top of the page:
{{.Data.notifications}}

Reminders about training your organisation requires always come. To stop the optional ones (role-play sessions tomorrow, and certificates for courses you chose yourself), use this link:
{{.Data.unsubscribe}}
Or choose which reminders you get here: {{.Data.preferences}}

Peerpath, for {{.OrgName}}
`)),
		html: htmltemplate.Must(htmltemplate.New("").Funcs(digestFuncs).Parse(`<p>Hello{{if .ToName}} {{.ToName}}{{end}},</p>
<p>Here is what's coming up in your training with <strong>{{.OrgName}}</strong>. Everything is in one message, once a day.</p>
{{range sections .Data.items}}<h2 style="font-size:1.1em">{{.Title}}</h2>
<ul>
{{range .Items}}<li><a href="{{.Link}}">{{.Title}}</a>: {{.Detail}}</li>
{{end}}</ul>
{{end}}<p>You can also see these in Peerpath, under the bell at the top of the page: <a href="{{.Data.notifications}}">your notifications</a>.</p>
<p>Reminders about training your organisation requires always come. You can <a href="{{.Data.unsubscribe}}">stop the optional ones</a> (role-play sessions tomorrow, and certificates for courses you chose yourself) with one click, or <a href="{{.Data.preferences}}">choose which reminders you get</a>.</p>
<p>Peerpath, for {{.OrgName}}</p>`)),
	}
}

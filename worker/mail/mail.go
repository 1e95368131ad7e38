// Package mail renders Peerpath's emails (plain text and HTML) and delivers them over SMTP, or,
// in development without SMTP, into a mailbox folder the operator can read.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	gomail "github.com/wneessen/go-mail"

	"peerpath/courses"
)

// Message is one rendered email.
type Message struct {
	ID      string    `json:"id"`
	To      string    `json:"to"`
	ToName  string    `json:"to_name,omitempty"`
	Subject string    `json:"subject"`
	Text    string    `json:"text"`
	HTML    string    `json:"html"`
	SentAt  time.Time `json:"sent_at"`
	// Attachments go with the message as files, such as a calendar invitation.
	Attachments []Attachment `json:"attachments,omitempty"`
}

// Attachment is a file sent with a message.
type Attachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"`
}

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

type template struct {
	subject string
	text    *texttemplate.Template
	html    *htmltemplate.Template
}

var templates = map[string]template{
	"invitation": {
		subject: "You're invited to join {{.OrgName}} on Peerpath",
		text: texttemplate.Must(texttemplate.New("").Parse(`Hello{{if .ToName}} {{.ToName}}{{end}},

{{if .Data.inviter}}{{.Data.inviter}} has invited you{{else}}You have been invited{{end}} to join {{.OrgName}} on Peerpath, where you can take your peer work training.

Accept the invitation and choose your password here:
{{.Data.link}}

The link works once and until {{.Data.expires_at}}. If you weren't expecting this, you can ignore this email.

Peerpath, for {{.OrgName}}
`)),
		html: htmltemplate.Must(htmltemplate.New("").Parse(`<p>Hello{{if .ToName}} {{.ToName}}{{end}},</p>
<p>{{if .Data.inviter}}{{.Data.inviter}} has invited you{{else}}You have been invited{{end}} to join <strong>{{.OrgName}}</strong> on Peerpath, where you can take your peer work training.</p>
<p><a href="{{.Data.link}}">Accept the invitation and choose your password</a></p>
<p>The link works once and until {{.Data.expires_at}}. If you weren't expecting this, you can ignore this email.</p>
<p>Peerpath, for {{.OrgName}}</p>`)),
	},
	"certificate_issued": {
		subject: "Your certificate for {{.Data.course}} is ready",
		text: texttemplate.Must(texttemplate.New("").Parse(`Hello{{if .ToName}} {{.ToName}}{{end}},

Well done: you have completed {{.Data.course}}. Your certificate ({{.Data.number}}) is ready to download, as a PDF and as a signed digital credential:
{{.Data.link}}

Anyone you show it to can check that it is valid here:
{{.Data.verify}}

Peerpath, for {{.OrgName}}
`)),
		html: htmltemplate.Must(htmltemplate.New("").Parse(`<p>Hello{{if .ToName}} {{.ToName}}{{end}},</p>
<p>Well done: you have completed <strong>{{.Data.course}}</strong>. Your certificate ({{.Data.number}}) is ready to download, as a PDF and as a signed digital credential.</p>
<p><a href="{{.Data.link}}">See your certificates</a></p>
<p>Anyone you show it to can check that it is valid at <a href="{{.Data.verify}}">{{.Data.verify}}</a>.</p>
<p>Peerpath, for {{.OrgName}}</p>`)),
	},
	"password_reset": {
		subject: "Reset your Peerpath password",
		text: texttemplate.Must(texttemplate.New("").Parse(`Hello{{if .ToName}} {{.ToName}}{{end}},

Someone asked to reset the password of your Peerpath account. If it was you, choose a new password here:
{{.Data.link}}

The link works once, for {{.Data.minutes}} minutes. If you didn't ask, you can ignore this email: your password stays as it is.

Peerpath{{if .OrgName}}, for {{.OrgName}}{{end}}
`)),
		html: htmltemplate.Must(htmltemplate.New("").Parse(`<p>Hello{{if .ToName}} {{.ToName}}{{end}},</p>
<p>Someone asked to reset the password of your Peerpath account. If it was you, choose a new password:</p>
<p><a href="{{.Data.link}}">Choose a new password</a></p>
<p>The link works once, for {{.Data.minutes}} minutes. If you didn't ask, you can ignore this email: your password stays as it is.</p>
<p>Peerpath{{if .OrgName}}, for {{.OrgName}}{{end}}</p>`)),
	},
}

// Render turns an email:send payload into a message. An unknown template is an error that no
// retry can fix.
func Render(e courses.Email) (Message, error) {
	t, ok := templates[e.Template]
	if !ok {
		return Message{}, fmt.Errorf("unknown mail template %q", e.Template)
	}
	var subj, text, html bytes.Buffer
	if err := texttemplate.Must(texttemplate.New("").Parse(t.subject)).Execute(&subj, e); err != nil {
		return Message{}, fmt.Errorf("render subject %s: %w", e.Template, err)
	}
	if err := t.text.Execute(&text, e); err != nil {
		return Message{}, fmt.Errorf("render text %s: %w", e.Template, err)
	}
	if err := t.html.Execute(&html, e); err != nil {
		return Message{}, fmt.Errorf("render html %s: %w", e.Template, err)
	}
	m := Message{ID: newID(), To: e.To, ToName: e.ToName, Subject: subj.String(), Text: text.String(), HTML: html.String()}
	if e.Invite != nil {
		a, err := inviteAttachment(e.Invite)
		if err != nil {
			return Message{}, fmt.Errorf("render %s: %w", e.Template, err)
		}
		m.Attachments = append(m.Attachments, a)
	}
	return m, nil
}

func newID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// SMTP delivers over SMTP.
type SMTP struct {
	host     string
	port     int
	ssl      bool
	tls      gomail.TLSPolicy
	user     string
	password string
	from     string
	fromName string
}

// NewSMTP reads an SMTP_URL: smtp://[user:password@]host[:port][?from=addr&tls=none|opportunistic|required]
// for plain SMTP with STARTTLS, or smtps:// for TLS from the first byte.
func NewSMTP(raw string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	s := &SMTP{host: u.Hostname(), tls: gomail.TLSOpportunistic, fromName: "Peerpath"}
	switch u.Scheme {
	case "smtp":
		s.port = 587
	case "smtps":
		s.port, s.ssl, s.tls = 465, true, gomail.TLSMandatory
	default:
		return nil, fmt.Errorf("scheme must be smtp or smtps, not %q", u.Scheme)
	}
	if s.host == "" {
		return nil, fmt.Errorf("no host")
	}
	if p := u.Port(); p != "" {
		if s.port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("port %q: %w", p, err)
		}
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.password, _ = u.User.Password()
	}
	q := u.Query()
	switch q.Get("tls") {
	case "", "opportunistic":
	case "none":
		s.tls = gomail.NoTLS
	case "required":
		s.tls = gomail.TLSMandatory
	default:
		return nil, fmt.Errorf("tls must be none, opportunistic or required")
	}
	s.from = q.Get("from")
	if s.from == "" {
		s.from = "no-reply@" + s.host
	}
	if !strings.Contains(s.from, "@") {
		return nil, fmt.Errorf("from %q is not an email address", s.from)
	}
	return s, nil
}

// Send delivers m. Errors are returned for the task to retry with backoff.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg := gomail.NewMsg()
	if err := msg.FromFormat(s.fromName, s.from); err != nil {
		return fmt.Errorf("from: %w", err)
	}
	if err := msg.AddToFormat(m.ToName, m.To); err != nil {
		return fmt.Errorf("to: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageID()
	msg.SetDate()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	for _, a := range m.Attachments {
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(a.ContentType))); err != nil {
			return fmt.Errorf("attach %s: %w", a.Name, err)
		}
	}
	opts := []gomail.Option{gomail.WithPort(s.port), gomail.WithTLSPolicy(s.tls), gomail.WithTimeout(30 * time.Second)}
	if s.ssl {
		opts = append(opts, gomail.WithSSL())
	}
	if s.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain), gomail.WithUsername(s.user), gomail.WithPassword(s.password))
	}
	c, err := gomail.NewClient(s.host, opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("smtp send to %s:%d: %w", s.host, s.port, err)
	}
	return nil
}

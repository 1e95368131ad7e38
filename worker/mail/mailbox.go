package mail

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"peerpath/courses"
)

// Mailbox is the development mailbox: each message is a JSON file in a folder, newest listed
// first. It stands in for SMTP when none is configured, so invitations and resets work out of
// the box.
type Mailbox struct {
	dir string
	now func() time.Time
}

// NewMailbox returns a mailbox in dir, creating it.
func NewMailbox(dir string, now func() time.Time) (*Mailbox, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("mailbox %s: %w", dir, err)
	}
	if now == nil {
		now = time.Now
	}
	return &Mailbox{dir: dir, now: now}, nil
}

// Dir is the mailbox folder.
func (b *Mailbox) Dir() string { return b.dir }

// Send writes m into the mailbox.
func (b *Mailbox) Send(_ context.Context, m Message) error {
	m.SentAt = b.now().UTC()
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	// The name sorts by time, so listing needs no parsing.
	name := fmt.Sprintf("%s-%s.json", m.SentAt.Format("20060102T150405.000000000Z"), m.ID)
	tmp := filepath.Join(b.dir, "."+name)
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("write mail: %w", err)
	}
	return os.Rename(tmp, filepath.Join(b.dir, name))
}

// maxListed bounds the listing; older mail stays on disk.
const maxListed = 200

// List returns up to 200 messages, newest first.
func (b *Mailbox) List(_ context.Context) ([]Message, error) {
	names, err := filepath.Glob(filepath.Join(b.dir, "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Sort(sort.Reverse(sort.StringSlice(names)))
	if len(names) > maxListed {
		names = names[:maxListed]
	}
	out := make([]Message, 0, len(names))
	for _, n := range names {
		m, err := readMessage(n)
		if err != nil {
			continue
		}
		out = append(out, m)
	}
	return out, nil
}

var idRE = regexp.MustCompile(`^[0-9a-f]{16}$`)

// Get returns the message with id.
func (b *Mailbox) Get(_ context.Context, id string) (Message, error) {
	notFound := courses.Errorf(courses.NotFound, "There is no message %s in the development mailbox.", id)
	if !idRE.MatchString(id) {
		return Message{}, notFound
	}
	names, err := filepath.Glob(filepath.Join(b.dir, "*-"+id+".json"))
	if err != nil || len(names) == 0 || strings.HasPrefix(filepath.Base(names[0]), ".") {
		return Message{}, notFound
	}
	return readMessage(names[0])
}

func readMessage(name string) (Message, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return Message{}, err
	}
	var m Message
	if err := json.Unmarshal(data, &m); err != nil {
		return Message{}, fmt.Errorf("read %s: %w", name, err)
	}
	return m, nil
}

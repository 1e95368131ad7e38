package courses

import (
	"encoding/base64"
	"strings"
	"time"
)

// Page asks for one page of a list: at most Limit items after Cursor (opaque, from the previous
// page's answer).
type Page struct {
	Limit  int
	Cursor string
}

// Page size limits.
const (
	DefaultPageSize = 50
	MaxPageSize     = 100
)

type cursor struct {
	At *time.Time
	ID *string
}

func (p *Page) decode() (cursor, error) {
	if p.Limit <= 0 {
		p.Limit = DefaultPageSize
	}
	if p.Limit > MaxPageSize {
		p.Limit = MaxPageSize
	}
	if p.Cursor == "" {
		return cursor{}, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(p.Cursor)
	bad := FieldError("cursor", "This cursor is not valid; start from the first page.")
	if err != nil {
		return cursor{}, bad
	}
	at, id, ok := strings.Cut(string(b), "|")
	t, err := time.Parse(time.RFC3339Nano, at)
	if !ok || err != nil || id == "" {
		return cursor{}, bad
	}
	return cursor{At: &t, ID: &id}, nil
}

func encodeCursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(at.UTC().Format(time.RFC3339Nano) + "|" + id))
}

// cutPage trims rows, read with one more than the page's limit, to the page, and returns the
// cursor of the next page: made by next from the page's last row, or "" when this page is the last.
func cutPage[T any](rows []T, limit int, next func(last T) string) ([]T, string) {
	if len(rows) <= limit {
		return rows, ""
	}
	rows = rows[:limit]
	return rows, next(rows[limit-1])
}

package courses

import (
	"context"
	"database/sql"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Role is what a person may do in their organisation. A person may hold several.
type Role string

// Roles.
const (
	RoleTrainee  Role = "trainee"
	RoleTrainer  Role = "trainer"
	RoleManager  Role = "manager"
	RoleOrgAdmin Role = "org_admin"
)

// AllRoles lists the roles in the order they are shown.
var AllRoles = []Role{RoleTrainee, RoleTrainer, RoleManager, RoleOrgAdmin}

// Organisation is a customer: every person except a platform operator belongs to one.
type Organisation struct {
	ID        string    `db:"id" json:"id"`
	Slug      string    `db:"slug" json:"slug"`
	Name      string    `db:"name" json:"name"`
	CreatedAt time.Time `db:"created_at" json:"-"`
}

// Person is someone who can sign in.
type Person struct {
	ID           string         `db:"id"`
	OrgID        sql.NullString `db:"org_id"`
	Email        string         `db:"email"`
	Name         string         `db:"name"`
	PasswordHash string         `db:"password_hash"`
	Roles        pq.StringArray `db:"roles"`
	Operator     bool           `db:"operator"`
	Active       bool           `db:"active"`
	CreatedAt    time.Time      `db:"created_at"`
}

// HasRole reports whether p holds any of roles.
func (p *Person) HasRole(roles ...Role) bool {
	for _, r := range roles {
		if slices.Contains(p.Roles, string(r)) {
			return true
		}
	}
	return false
}

// Principal is the authenticated caller: a person and their organisation (nil for an operator
// without one).
type Principal struct {
	Person       Person
	Organisation *Organisation
	// APIToken is set when the caller is an integration using an organisation API token; Person
	// is then the token's creator acting as an org admin (see FindAPIToken).
	APIToken *APIToken
}

// OrgID is the caller's organisation id, or "" for none. Organisation-scoped queries take it
// from here, never from a request.
func (p *Principal) OrgID() string {
	if p.Organisation == nil {
		return ""
	}
	return p.Organisation.ID
}

const personColumns = `p.id, p.org_id, p.email, p.name, p.password_hash, p.roles, p.operator, p.active, p.created_at`

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// NormaliseEmail trims an email and checks it; it returns the message for a bad one.
func NormaliseEmail(s string) (string, string) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", "Enter an email address."
	case len(s) > 254:
		return "", "Use at most 254 characters."
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return "", "Enter an email address like name@example.org."
	}
	return s, ""
}

// CheckName returns a message for a bad display name, or "".
func CheckName(s string) string {
	n := utf8.RuneCountInString(strings.TrimSpace(s))
	switch {
	case n == 0:
		return "Enter a name."
	case n > 200:
		return "Use at most 200 characters."
	}
	return ""
}

// CheckRoles returns a message for an empty or unknown set of roles, or "".
func CheckRoles(roles []string) string {
	if len(roles) == 0 {
		return "Choose at least one role."
	}
	for _, r := range roles {
		if !slices.Contains(AllRoles, Role(r)) {
			return "Unknown role " + r + "."
		}
	}
	return ""
}

func dedupe(roles []string) []string {
	out := make([]string, 0, len(roles))
	for _, r := range AllRoles {
		if slices.Contains(roles, string(r)) {
			out = append(out, string(r))
		}
	}
	return out
}

// FindPrincipal loads an active person and their organisation.
func (s *Store) FindPrincipal(ctx context.Context, personID string) (*Principal, error) {
	var p *Principal
	// Before anyone's organisation is known: the person is named by the caller's own proof.
	err := s.sysTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		p, err = findPrincipal(ctx, tx, personID)
		return err
	})
	return p, err
}

func findPrincipal(ctx context.Context, q sqlx.QueryerContext, personID string) (*Principal, error) {
	var row struct {
		Person
		OrgSlug sql.NullString `db:"org_slug"`
		OrgName sql.NullString `db:"org_name"`
	}
	err := sqlx.GetContext(ctx, q, &row, `
		SELECT `+personColumns+`, o.slug AS org_slug, o.name AS org_name
		FROM people p LEFT JOIN organisations o ON o.id = p.org_id
		WHERE p.id = $1 AND p.active`, personID)
	if err != nil {
		return nil, dbError(err)
	}
	pr := &Principal{Person: row.Person}
	if row.OrgID.Valid {
		pr.Organisation = &Organisation{ID: row.OrgID.String, Slug: row.OrgSlug.String, Name: row.OrgName.String}
	}
	return pr, nil
}

// CreateOrganisation adds an organisation. The slug must be unique.
func (s *Store) CreateOrganisation(ctx context.Context, o *Organisation) error {
	f := Fields{}
	if m := CheckName(o.Name); m != "" {
		f.Add("name", m)
	}
	if !slugRE.MatchString(o.Slug) {
		f.Add("slug", "Use lower-case letters, digits and hyphens (at most 63).")
	}
	if err := f.Err(); err != nil {
		return err
	}
	// A new organisation belongs to no tenant yet: only the system may add one.
	err := s.sysTx(ctx, func(tx *sqlx.Tx) error {
		return tx.QueryRowxContext(ctx, `
			INSERT INTO organisations (slug, name) VALUES ($1, $2) RETURNING id, created_at`,
			o.Slug, strings.TrimSpace(o.Name)).Scan(&o.ID, &o.CreatedAt)
	})
	if ErrorCode(dbError(err)) == Conflict {
		return FieldError("slug", "An organisation with this slug already exists.")
	}
	return dbError(err)
}

// FindOrganisationBySlug returns the organisation with slug.
func (s *Store) FindOrganisationBySlug(ctx context.Context, slug string) (*Organisation, error) {
	var o Organisation
	// Operators' commands name organisations by slug, before any is chosen.
	err := s.sysTx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &o, `SELECT id, slug, name, created_at FROM organisations WHERE slug = $1`, slug)
	})
	if err != nil {
		return nil, dbError(err)
	}
	return &o, nil
}

// Slugify makes a slug from a name: "Riverside Peer Network" → "riverside-peer-network".
func Slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case b.Len() > 0 && !dash:
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimRight(b.String(), "-")
	if len(out) > 63 {
		out = strings.TrimRight(out[:63], "-")
	}
	return out
}

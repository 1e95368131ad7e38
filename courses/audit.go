package courses

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
)

// Kinds of actor in the audit log.
const (
	ActorPerson   = "person"
	ActorAPIToken = "api_token"
)

// Actor is who did something: a person, or an organisation's API token. An empty ID is a
// platform operator acting from outside the organisation.
type Actor struct {
	Kind string
	ID   string
}

// Actor is the caller as the audit log records them: the API token when an integration calls.
func (p *Principal) Actor() Actor {
	if p.APIToken != nil {
		return Actor{Kind: ActorAPIToken, ID: p.APIToken.ID}
	}
	return Actor{Kind: ActorPerson, ID: p.Person.ID}
}

// audit records an action in the audit log, in tx: the record and the change it describes are
// committed together or not at all. detail is any JSON-encodable value (nil for none); it must
// never hold passwords, tokens or anything a person wrote about themselves.
func (s *Store) audit(ctx context.Context, tx *sqlx.Tx, orgID string, actor Actor, action, subjectType, subjectID string, detail any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	b, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("audit detail: %w", err)
	}
	kind := actor.Kind
	if kind == "" {
		kind = ActorPerson
	}
	var id sql.NullString
	if actor.ID != "" {
		id = sql.NullString{String: actor.ID, Valid: true}
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO audit_log (org_id, actor_id, actor_kind, action, subject_type, subject_id, detail, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, orgID, id, kind, action, subjectType, subjectID, b, s.Now())
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, dbError(err))
	}
	return nil
}

// AuditEntry is one line of the audit log as an org admin reads it.
type AuditEntry struct {
	ID          int64           `db:"id" json:"id"`
	At          time.Time       `db:"at" json:"at"`
	ActorKind   string          `db:"actor_kind" json:"-"`
	ActorID     sql.NullString  `db:"actor_id" json:"-"`
	ActorName   string          `db:"actor_name" json:"-"`
	Action      string          `db:"action" json:"action"`
	SubjectType string          `db:"subject_type" json:"-"`
	SubjectID   string          `db:"subject_id" json:"-"`
	Detail      json.RawMessage `db:"detail" json:"detail"`
}

// AuditFilter narrows the audit log; empty fields mean any.
type AuditFilter struct {
	Action string
}

var actionRE = regexp.MustCompile(`^[a-z_]+(\.[a-z_]+)?$`)

// FindAuditLog returns the organisation's audit log, newest first. Only org admins may read it.
// Action filters by an exact action ("team.create") or a whole family ("team").
func (s *Store) FindAuditLog(ctx context.Context, p *Principal, f AuditFilter, page Page) ([]AuditEntry, string, error) {
	if !p.Person.HasRole(RoleOrgAdmin) {
		return nil, "", Errorf(Forbidden, "Only organisation admins can read the audit log.")
	}
	if f.Action != "" && (len(f.Action) > 64 || !actionRE.MatchString(f.Action)) {
		return nil, "", FieldError("action", "Use an action like team.create, or a family like team.")
	}
	if page.Limit <= 0 {
		page.Limit = DefaultPageSize
	}
	page.Limit = min(page.Limit, MaxPageSize)
	// The id alone orders the log; the cursor is that id.
	var after *int64
	if page.Cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(page.Cursor)
		n, perr := strconv.ParseInt(string(b), 10, 64)
		if err != nil || perr != nil || n <= 0 {
			return nil, "", FieldError("cursor", "This cursor is not valid; start from the first page.")
		}
		after = &n
	}
	out := []AuditEntry{}
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		return dbError(tx.SelectContext(ctx, &out, `
			SELECT a.id, a.at, a.actor_kind, a.actor_id, COALESCE(pe.name, tk.name, '') AS actor_name, a.action,
				a.subject_type, a.subject_id, a.detail
			FROM audit_log a LEFT JOIN people pe ON a.actor_kind = 'person' AND pe.id = a.actor_id
			LEFT JOIN api_tokens tk ON a.actor_kind = 'api_token' AND tk.id = a.actor_id
			WHERE a.org_id = $1 AND ($2::bigint IS NULL OR a.id < $2)
				AND ($3 = '' OR a.action = $3 OR a.action LIKE $3 || '.%')
			ORDER BY a.id DESC LIMIT $4`, p.OrgID(), after, f.Action, page.Limit+1))
	})
	if err != nil {
		return nil, "", err
	}
	out, next := cutPage(out, page.Limit, func(last AuditEntry) string {
		return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(last.ID, 10)))
	})
	return out, next, nil
}

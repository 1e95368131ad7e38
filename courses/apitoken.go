package courses

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

// APITokenPrefix starts every organisation API token, so a leaked one is easy to recognise
// (and to find with secret scanners).
const APITokenPrefix = "pp_"

// API token scopes: read tokens may only read; write tokens may also change things.
const (
	ScopeRead  = "read"
	ScopeWrite = "write"
)

// apiTokenTouch bounds how often a busy token's last-used time is written.
const apiTokenTouch = time.Minute

// APIToken is an organisation's credential for an integration. The secret itself is shown once,
// when it is created, and never stored.
type APIToken struct {
	ID          string     `db:"id" json:"id"`
	OrgID       string     `db:"org_id" json:"-"`
	Name        string     `db:"name" json:"name"`
	Scope       string     `db:"scope" json:"scope"`
	Hint        string     `db:"hint" json:"hint"`
	CreatedBy   string     `db:"created_by" json:"-"`
	CreatorName string     `db:"creator_name" json:"created_by"`
	CreatedAt   time.Time  `db:"created_at" json:"created_at"`
	LastUsedAt  *time.Time `db:"last_used_at" json:"last_used_at"`
	RevokedAt   *time.Time `db:"revoked_at" json:"revoked_at"`
}

// actorOf is the caller as the audit log records them: the token for an integration, else the
// person.
func actorOf(p *Principal) Actor {
	if p.APIToken != nil {
		return Actor{Kind: ActorAPIToken, ID: p.APIToken.ID}
	}
	return p.Actor()
}

func requireAdmin(p *Principal) error {
	if p == nil || p.Organisation == nil || !p.Person.HasRole(RoleOrgAdmin) {
		return Errorf(Forbidden, "Only organisation admins can manage API tokens.")
	}
	return nil
}

const apiTokenColumns = `t.id, t.org_id, t.name, t.scope, t.hint, t.created_by, pe.name AS creator_name, t.created_at,
	t.last_used_at, t.revoked_at`

// CreateAPIToken makes a token for the caller's organisation and returns it with its secret,
// which the caller must copy now: only its hash is kept.
func (s *Store) CreateAPIToken(ctx context.Context, p *Principal, name, scope string) (*APIToken, string, error) {
	if err := requireAdmin(p); err != nil {
		return nil, "", err
	}
	name = strings.TrimSpace(name)
	f := Fields{}
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		f.Add("name", "Give the token a name that says what uses it, like “HR system”.")
	case n > 100:
		f.Add("name", "Use at most 100 characters.")
	}
	if scope != ScopeRead && scope != ScopeWrite {
		f.Add("scope", "Choose read or write.")
	}
	if err := f.Err(); err != nil {
		return nil, "", err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, "", fmt.Errorf("api token: %w", err)
	}
	secret := APITokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	t := &APIToken{OrgID: p.OrgID(), Name: name, Scope: scope, Hint: secret[:len(APITokenPrefix)+4] + "…",
		CreatedBy: p.Person.ID, CreatorName: p.Person.Name, CreatedAt: s.Now()}
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &t.ID, `
			INSERT INTO api_tokens (org_id, name, scope, token_hash, hint, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			t.OrgID, t.Name, t.Scope, HashToken(secret), t.Hint, t.CreatedBy, t.CreatedAt); err != nil {
			return dbError(err)
		}
		return s.audit(ctx, tx, t.OrgID, actorOf(p), "api_token.create", "api_token", t.ID,
			map[string]string{"name": t.Name, "scope": t.Scope})
	})
	if err != nil {
		return nil, "", err
	}
	return t, secret, nil
}

// FindAPITokens lists the organisation's tokens, newest first, revoked ones included.
func (s *Store) FindAPITokens(ctx context.Context, p *Principal) ([]APIToken, error) {
	if err := requireAdmin(p); err != nil {
		return nil, err
	}
	out := []APIToken{}
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		return dbError(tx.SelectContext(ctx, &out, `SELECT `+apiTokenColumns+`
			FROM api_tokens t JOIN people pe ON pe.id = t.created_by
			WHERE t.org_id = $1 ORDER BY t.created_at DESC, t.id DESC`, p.OrgID()))
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].CreatedAt = out[i].CreatedAt.UTC()
		out[i].LastUsedAt, out[i].RevokedAt = utc(out[i].LastUsedAt), utc(out[i].RevokedAt)
	}
	return out, nil
}

// RevokeAPIToken stops a token of the caller's organisation working at once. Another
// organisation's token is NotFound; one already revoked is a Conflict.
func (s *Store) RevokeAPIToken(ctx context.Context, p *Principal, id string) (*APIToken, error) {
	if err := requireAdmin(p); err != nil {
		return nil, err
	}
	notFound := Errorf(NotFound, "There is no such API token.")
	if _, err := uuid.Parse(id); err != nil {
		return nil, notFound
	}
	var t APIToken
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &t, `SELECT `+apiTokenColumns+`
			FROM api_tokens t JOIN people pe ON pe.id = t.created_by
			WHERE t.id = $1 AND t.org_id = $2 FOR UPDATE OF t`, id, p.OrgID())
		if ErrorCode(dbError(err)) == NotFound {
			return notFound
		}
		if err != nil {
			return dbError(err)
		}
		if t.RevokedAt != nil {
			return Errorf(Conflict, "This token was already revoked.")
		}
		now := s.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $2, revoked_by = $3 WHERE id = $1`,
			t.ID, now, p.Person.ID); err != nil {
			return dbError(err)
		}
		t.RevokedAt = &now
		return s.audit(ctx, tx, t.OrgID, actorOf(p), "api_token.revoke", "api_token", t.ID,
			map[string]string{"name": t.Name, "scope": t.Scope})
	})
	if err != nil {
		return nil, err
	}
	t.CreatedAt = t.CreatedAt.UTC()
	return &t, nil
}

var errBadToken = &Error{Code: Unauthorized, Message: "This API token is not valid or was revoked."}

// FindAPIToken returns the principal a bearer token acts as: its organisation, as an org admin,
// through the person who created it (so what it changes is attributed to a real person), with
// APIToken set. A malformed, unknown or revoked token is Unauthorized. The last-used time is
// written at most once a minute.
func (s *Store) FindAPIToken(ctx context.Context, secret string) (*Principal, error) {
	if !strings.HasPrefix(secret, APITokenPrefix) || len(secret) > 200 {
		return nil, errBadToken
	}
	var row struct {
		APIToken
		OrgSlug string `db:"org_slug"`
		OrgName string `db:"org_name"`
		Email   string `db:"creator_email"`
	}
	now := s.Now()
	// The token comes before its organisation is known.
	err := s.sysTx(ctx, func(tx *sqlx.Tx) error {
		st, err := s.stmt(ctx, tx, `SELECT `+apiTokenColumns+`, pe.email AS creator_email, o.slug AS org_slug, o.name AS org_name
			FROM api_tokens t JOIN people pe ON pe.id = t.created_by JOIN organisations o ON o.id = t.org_id
			WHERE t.token_hash = $1 AND t.revoked_at IS NULL`)
		if err != nil {
			return err
		}
		if err := st.GetContext(ctx, &row, HashToken(secret)); err != nil {
			if ErrorCode(dbError(err)) == NotFound {
				return errBadToken
			}
			return dbError(err)
		}
		if row.LastUsedAt != nil && now.Sub(*row.LastUsedAt) < apiTokenTouch {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $2 WHERE id = $1`, row.ID, now); err != nil {
			return dbError(err)
		}
		row.LastUsedAt = &now
		return nil
	})
	if err != nil {
		return nil, err
	}
	tok := row.APIToken
	return &Principal{
		Person: Person{ID: row.CreatedBy, OrgID: sql.NullString{String: row.OrgID, Valid: true}, Email: row.Email,
			Name: "API token “" + row.Name + "”", Roles: []string{string(RoleOrgAdmin)}, Active: true},
		Organisation: &Organisation{ID: row.OrgID, Slug: row.OrgSlug, Name: row.OrgName},
		APIToken:     &tok,
	}, nil
}

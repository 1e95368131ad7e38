package courses

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// InvitationTTL is how long an invitation link works.
const InvitationTTL = 7 * 24 * time.Hour

// Invitation asks someone to join an organisation with some roles.
type Invitation struct {
	ID         string         `db:"id" json:"id"`
	OrgID      string         `db:"org_id" json:"-"`
	Email      string         `db:"email" json:"email"`
	Name       string         `db:"name" json:"name"`
	Roles      pq.StringArray `db:"roles" json:"roles"`
	InvitedBy  sql.NullString `db:"invited_by" json:"-"`
	CreatedAt  time.Time      `db:"created_at" json:"created_at"`
	ExpiresAt  time.Time      `db:"expires_at" json:"expires_at"`
	AcceptedAt *time.Time     `db:"accepted_at" json:"-"`
	RevokedAt  *time.Time     `db:"revoked_at" json:"-"`
	OrgName    string         `db:"org_name" json:"-"`
}

const invitationColumns = `i.id, i.org_id, i.email, i.name, i.roles, i.invited_by, i.created_at,
	i.expires_at, i.accepted_at, i.revoked_at, o.name AS org_name`

// InvitationInput is what an org admin (or an operator, for a new organisation's first admin)
// gives to invite someone.
type InvitationInput struct {
	Email string
	Name  string
	Roles []string
}

// CreateInvitation invites a person to orgID and queues the email with the link, in one
// transaction. invitedBy is "" when an operator invites. It returns the invitation and its token
// (which appears only in the email).
func (s *Store) CreateInvitation(ctx context.Context, orgID, invitedBy string, in InvitationInput) (*Invitation, string, error) {
	f := Fields{}
	email, msg := NormaliseEmail(in.Email)
	if msg != "" {
		f.Add("email", msg)
	}
	name := strings.TrimSpace(in.Name)
	if name != "" {
		if m := CheckName(name); m != "" {
			f.Add("name", m)
		}
	}
	if m := CheckRoles(in.Roles); m != "" {
		f.Add("roles", m)
	}
	if err := f.Err(); err != nil {
		return nil, "", err
	}
	var inv *Invitation
	var token string
	err := s.tx(ctx, orgID, func(tx *sqlx.Tx) error {
		var err error
		inv, token, err = s.createInvitation(ctx, tx, orgID, invitedBy, email, name, in.Roles)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return inv, token, nil
}

// createInvitation writes a checked invitation, its email and its audit record in tx. The CSV
// import calls it once per row inside one transaction.
func (s *Store) createInvitation(ctx context.Context, tx *sqlx.Tx, orgID, invitedBy, email, name string, roles []string) (*Invitation, string, error) {
	token, hash, err := NewToken()
	if err != nil {
		return nil, "", err
	}
	now := s.Now()
	// Serialise invitations of one address so two admins cannot both invite it at once.
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext(lower($1)))`, email); err != nil {
		return nil, "", dbError(err)
	}
	// An address is one login across organisations, which this organisation's rows alone cannot
	// show: emails_taken (migration 0011) looks at them all and says only whether it is taken.
	var taken []bool
	if err := tx.SelectContext(ctx, &taken, `SELECT member FROM emails_taken(ARRAY[lower($1)], $2)`, email, now); err != nil {
		return nil, "", dbError(err)
	}
	for _, member := range taken {
		if member {
			return nil, "", emailConflict("Someone with this email already has an account.")
		}
	}
	if len(taken) > 0 {
		return nil, "", emailConflict("This email already has an invitation waiting.")
	}
	var inviter sql.NullString
	if invitedBy != "" {
		inviter = sql.NullString{String: invitedBy, Valid: true}
	}
	inv := &Invitation{}
	if err := tx.GetContext(ctx, inv, `
		WITH i AS (
			INSERT INTO invitations (org_id, email, name, roles, token_hash, invited_by, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			RETURNING *)
		SELECT `+invitationColumns+` FROM i JOIN organisations o ON o.id = i.org_id`,
		orgID, email, name, pq.StringArray(dedupe(roles)), hash, inviter, now, now.Add(InvitationTTL)); err != nil {
		return nil, "", dbError(err)
	}
	inviterName := ""
	if invitedBy != "" {
		if err := tx.GetContext(ctx, &inviterName, `SELECT name FROM people WHERE id = $1`, invitedBy); err != nil {
			return nil, "", dbError(err)
		}
	}
	if err := addOutbox(ctx, tx, TaskEmailSend, orgID, Email{
		Key: "invitation:" + inv.ID, To: email, ToName: name, Template: "invitation", OrgName: inv.OrgName,
		Data: map[string]string{
			"link":       s.link("/invite/" + token),
			"inviter":    inviterName,
			"expires_at": inv.ExpiresAt.Format(time.RFC1123),
		},
	}); err != nil {
		return nil, "", err
	}
	if err := s.audit(ctx, tx, orgID, Actor{Kind: ActorPerson, ID: invitedBy}, "invitation.create", "invitation", inv.ID,
		map[string]any{"email": email, "roles": inv.Roles}); err != nil {
		return nil, "", err
	}
	return inv, token, nil
}

// FindInvitations lists an organisation's invitations that are still waiting, newest first.
func (s *Store) FindInvitations(ctx context.Context, orgID string, page Page) ([]Invitation, string, error) {
	var out []Invitation
	cur, err := page.decode()
	if err != nil {
		return nil, "", err
	}
	err = s.tx(ctx, orgID, func(tx *sqlx.Tx) error {
		return dbError(tx.SelectContext(ctx, &out, `
			SELECT `+invitationColumns+` FROM invitations i JOIN organisations o ON o.id = i.org_id
			WHERE i.org_id = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $2
				AND ($3::timestamptz IS NULL OR (i.created_at, i.id) < ($3, $4::uuid))
			ORDER BY i.created_at DESC, i.id DESC LIMIT $5`,
			orgID, s.Now(), cur.At, cur.ID, page.Limit+1))
	})
	if err != nil {
		return nil, "", err
	}
	out, next := cutPage(out, page.Limit, func(last Invitation) string { return encodeCursor(last.CreatedAt, last.ID) })
	return out, next, nil
}

// FindInvitationByToken returns a usable invitation. An unknown token is NotFound; an expired,
// accepted or revoked one is Gone.
func (s *Store) FindInvitationByToken(ctx context.Context, token string) (*Invitation, error) {
	var inv *Invitation
	// The token in the link is all there is; its organisation is what we look up.
	err := s.sysTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		inv, err = s.findInvitation(ctx, tx, token, false)
		return err
	})
	return inv, err
}

func (s *Store) findInvitation(ctx context.Context, q sqlx.QueryerContext, token string, lock bool) (*Invitation, error) {
	var inv Invitation
	query := `SELECT ` + invitationColumns + ` FROM invitations i JOIN organisations o ON o.id = i.org_id
		WHERE i.token_hash = $1`
	if lock {
		query += ` FOR UPDATE OF i`
	}
	if err := sqlx.GetContext(ctx, q, &inv, query, HashToken(token)); err != nil {
		if ErrorCode(dbError(err)) == NotFound {
			return nil, Errorf(NotFound, "This invitation link is not valid. Check that you copied all of it.")
		}
		return nil, dbError(err)
	}
	switch {
	case inv.AcceptedAt != nil:
		return nil, Errorf(Gone, "This invitation has already been used. Sign in instead.")
	case inv.RevokedAt != nil:
		return nil, Errorf(Gone, "This invitation was withdrawn. Ask your organisation for a new one.")
	case !s.Now().Before(inv.ExpiresAt):
		return nil, Errorf(Gone, "This invitation has expired. Ask your organisation for a new one.")
	}
	return &inv, nil
}

// AcceptInvitation creates the invited person with their chosen name and password and uses up
// the invitation, in one transaction.
func (s *Store) AcceptInvitation(ctx context.Context, token, name, password string) (*Principal, error) {
	f := Fields{}
	if m := CheckName(name); m != "" {
		f.Add("name", m)
	}
	if m := CheckPassword(password); m != "" {
		f.Add("password", m)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	// The system transaction only finds the invitation's organisation. The tenant transaction
	// finds the invitation again, locked, and checks it again: the check and the writes stay
	// atomic, and the writes are bound to the organisation.
	found, err := s.FindInvitationByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	var p *Principal
	err = s.tx(ctx, found.OrgID, func(tx *sqlx.Tx) error {
		inv, err := s.findInvitation(ctx, tx, token, true)
		if err != nil {
			return err
		}
		id := uuid.NewString()
		_, err = tx.ExecContext(ctx, `
			INSERT INTO people (id, org_id, email, name, password_hash, roles, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
			id, inv.OrgID, inv.Email, strings.TrimSpace(name), hash, inv.Roles, s.Now())
		if ErrorCode(dbError(err)) == Conflict {
			return Errorf(Conflict, "Someone with this email already has an account. Sign in instead.")
		}
		if err != nil {
			return dbError(err)
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE invitations SET accepted_at = $2, person_id = $3 WHERE id = $1`, inv.ID, s.Now(), id); err != nil {
			return dbError(err)
		}
		if err := s.joinInvitedTeams(ctx, tx, inv.ID, id); err != nil {
			return err
		}
		p, err = findPrincipal(ctx, tx, id)
		return err
	})
	return p, err
}

// emailConflict is the Conflict (409) error for an email that already has an account or an open
// invitation; it names the field so a form can show it there.
func emailConflict(message string) *Error {
	return &Error{Code: Conflict, Message: message, Fields: map[string]string{"email": message}}
}

func (s *Store) link(path string) string { return strings.TrimRight(s.BaseURL, "/") + path }

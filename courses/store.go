// Package courses owns Peerpath's domain and its PostgreSQL store: organisations, people and
// roles, sessions, invitations, the outbox, and (as they arrive) courses, progress, quizzes,
// completions, certificates and role-play records. It knows nothing of HTTP or queues.
package courses

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Store reads and writes the domain in PostgreSQL.
type Store struct {
	db  *sqlx.DB
	now func() time.Time
	// BaseURL is where people reach the app; links in emails start with it.
	BaseURL string
	// RoleplayKit is the shipped scenario cards and rubric criteria that sessions are scheduled
	// from; cmd/peerpath sets it at start.
	RoleplayKit RoleplayKit
	versions    versionCache
	stmts       sync.Map // query text → *sqlx.Stmt
	// courseKeys caches what "org/slug" resolves to (*courseKey), for a few seconds.
	courseKeys sync.Map
	// scopeOverride, set only by tests, replaces the organisation every tenant transaction sets,
	// to show that row-level security alone keeps the others' rows out.
	scopeOverride string
}

// NewStore returns a Store on db. now is the clock; nil means time.Now.
func NewStore(db *sqlx.DB, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{db: db, now: now}
}

// DB returns the underlying connection pool.
func (s *Store) DB() *sqlx.DB { return s.db }

// Now returns the store's clock reading, in UTC.
func (s *Store) Now() time.Time { return s.now().UTC() }

// prepared returns a prepared statement for a hot read query, preparing it on first use.
// PostgreSQL then reuses its plan: for the learner's pages, planning the query cost several
// times more than running it.
func (s *Store) prepared(ctx context.Context, query string) (*sqlx.Stmt, error) {
	if st, ok := s.stmts.Load(query); ok {
		return st.(*sqlx.Stmt), nil
	}
	st, err := s.db.PreparexContext(ctx, query)
	if err != nil {
		return nil, dbError(err)
	}
	if prev, loaded := s.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sqlx.Stmt), nil
	}
	return st, nil
}

// Ping checks that PostgreSQL answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// AppRole is the database role the application works as: it owns no table, and row-level
// security shows it only the rows of the organisation its transaction set (migration 0011).
const AppRole = "peerpath_app"

// tx runs fn in a transaction that carries orgID as app.org_id, which the row-level security
// policies read. With orgID empty the transaction sees no organisation's rows at all.
func (s *Store) tx(ctx context.Context, orgID string, fn func(tx *sqlx.Tx) error) error {
	setup := ""
	if orgID != "" {
		id, err := uuid.Parse(orgID)
		if err != nil {
			return Errorf(NotFound, "Not found.")
		}
		// A literal rather than a parameter, one round trip instead of two: a parsed UUID's text
		// holds nothing but hex digits and hyphens.
		setup = "SELECT set_config('app.org_id', '" + s.scope(id.String()) + "', true)"
	}
	return s.begin(ctx, setup, fn)
}

// scope is the organisation a tenant statement for orgID sets: orgID, except under the tests'
// override.
func (s *Store) scope(orgID string) string {
	if s.scopeOverride != "" && orgID != "" {
		return s.scopeOverride
	}
	return orgID
}

// sysTx runs fn in a transaction that works as peerpath_system, which row-level security lets
// see every organisation: for work that spans organisations by nature (the outbox relay,
// reminder scans, certificate issue) or that comes before anyone's organisation is known
// (signing in, a token in a link, public certificate verification).
func (s *Store) sysTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	return s.begin(ctx, "SET LOCAL ROLE peerpath_system", fn)
}

// begin runs fn in a transaction that first runs setup, when there is one.
func (s *Store) begin(ctx context.Context, setup string, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return dbError(err)
	}
	defer tx.Rollback()
	if setup != "" {
		if _, err := tx.ExecContext(ctx, setup); err != nil {
			return dbError(err)
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	return dbError(tx.Commit())
}

// stmt returns the prepared statement for query bound to tx: the connection keeps its plan.
func (s *Store) stmt(ctx context.Context, tx *sqlx.Tx, query string) (*sqlx.Stmt, error) {
	st, err := s.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return tx.StmtxContext(ctx, st), nil
}

// dbError turns database facts into domain errors. Errors that are already domain errors pass
// through.
func dbError(err error) error {
	if err == nil {
		return nil
	}
	var de *Error
	if errors.As(err, &de) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &Error{Code: NotFound, Message: "Not found."}
	}
	var pe *pq.Error
	if errors.As(err, &pe) {
		switch pe.Code.Name() {
		case "unique_violation":
			return &Error{Code: Conflict, Message: "That already exists."}
		case "foreign_key_violation", "check_violation", "invalid_text_representation", "not_null_violation":
			return &Error{Code: Invalid, Message: "That is not a valid value."}
		case "admin_shutdown", "crash_shutdown", "cannot_connect_now", "too_many_connections":
			return fmt.Errorf("%w: %v", errUnavailable, err)
		}
	}
	if lostConnection(err) {
		return fmt.Errorf("%w: %v", errUnavailable, err)
	}
	return err
}

// lostConnection reports whether err says PostgreSQL could not be reached or dropped the
// connection, as while it restarts: the request may well succeed in a moment. lib/pq reports a
// FATAL error from the server (a shutdown ending the session) as driver.ErrBadConn.
func lostConnection(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF)
}

var errUnavailable = &Error{Code: Unavailable, Message: "The service is briefly unavailable. Please try again."}

// NewToken returns a random URL-safe token of 256 bits and the SHA-256 hash that is stored.
func NewToken() (token string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken is the stored form of a session, invitation or reset token.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

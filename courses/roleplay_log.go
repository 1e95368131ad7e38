package courses

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// ErrCommandTaken is returned by AppendRoleplayCommand when another server instance wrote that
// command number first: the caller catches up and tries the next number.
var ErrCommandTaken = errors.New("roleplay command number already taken")

// RoleplayCommand is one entry of a live session's command log. Every server instance applies
// the log in order to the same room state machine, so they all hold the same room.
type RoleplayCommand struct {
	N      int64           `json:"n" db:"n"`
	At     time.Time       `json:"at" db:"at"`
	Kind   string          `json:"kind" db:"kind"`
	Person string          `json:"person,omitempty" db:"person_id"`
	Intent json.RawMessage `json:"intent,omitempty" db:"intent"`
}

// Command kinds.
const (
	CommandIntent = "intent"
	CommandJoin   = "join"
	CommandLeave  = "leave"
	CommandTick   = "tick"
	// CommandResync starts a new owner's tenure: the event seq jumps past anything the previous
	// owner may have sent out without logging it.
	CommandResync = "resync"
)

// AppendRoleplayCommand writes command c.N of a session's log. When the number is taken, or the
// session is not the organisation's, it returns ErrCommandTaken and writes nothing.
func (s *Store) AppendRoleplayCommand(ctx context.Context, orgID, sessionID string, c RoleplayCommand) error {
	written, err := s.AppendRoleplayCommands(ctx, orgID, []SessionCommand{{Session: sessionID, RoleplayCommand: c}})
	if err != nil {
		return err
	}
	if !written[0] {
		return ErrCommandTaken
	}
	return nil
}

// SessionCommand is one command of a batch written by AppendRoleplayCommands.
type SessionCommand struct {
	Session string
	RoleplayCommand
}

// AppendRoleplayCommands writes commands of one organisation's sessions in one statement, as
// AppendRoleplayCommand does one: a live server gathers the commands of all its rooms for a
// moment and writes them together. It returns, in the order given, whether each was written;
// false means that number of that session was already taken.
func (s *Store) AppendRoleplayCommands(ctx context.Context, orgID string, cmds []SessionCommand) ([]bool, error) {
	org, err := uuid.Parse(orgID)
	if err != nil {
		return nil, Errorf(NotFound, "Not found.")
	}
	// The six arrays are written out by hand: through pq.Array's reflection they cost more
	// allocations than the rest of the rooms' busiest write together.
	// One buffer, kept from one batch to the next, builds all six.
	a := arrayTexts.Get().(*arrayText)
	defer func() {
		if cap(a.b) <= 1<<20 {
			arrayTexts.Put(a)
		}
	}()
	arrays := make([]any, 6)
	for i, field := range []func(c SessionCommand){
		func(c SessionCommand) { a.text(c.Session) },
		func(c SessionCommand) { a.b = strconv.AppendInt(a.next(), c.N, 10) },
		// An RFC 3339 time has no character an array element must quote.
		func(c SessionCommand) { a.b = c.At.UTC().AppendFormat(a.next(), time.RFC3339Nano) },
		func(c SessionCommand) { a.text(c.Kind) },
		func(c SessionCommand) {
			if c.Person == "" {
				a.null()
			} else {
				a.text(c.Person)
			}
		},
		func(c SessionCommand) {
			if len(c.Intent) == 0 {
				a.null()
			} else {
				quoteInto(a, c.Intent)
			}
		},
	} {
		a.open()
		for _, c := range cmds {
			field(c)
		}
		arrays[i] = a.close()
	}
	type key struct {
		session string
		n       int64
	}
	written := make(map[key]bool, len(cmds))
	// One statement that scopes itself and writes without waiting for the disk
	// (append_roleplay_commands, migration 0011): a transaction would cost three more round trips
	// on the rooms' busiest write.
	st, err := s.prepared(ctx, `SELECT session_id::text, n FROM append_roleplay_commands($1, $2, $3, $4, $5, $6, $7)`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, append([]any{s.scope(org.String())}, arrays...)...)
	if err != nil {
		return nil, dbError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k key
		if err := rows.Scan(&k.session, &k.n); err != nil {
			return nil, dbError(err)
		}
		written[k] = true
	}
	if err := rows.Err(); err != nil {
		return nil, dbError(err)
	}
	out := make([]bool, len(cmds))
	for i, c := range cmds {
		out[i] = written[key{c.Session, c.N}]
	}
	return out, nil
}

// arrayText builds the text form of a PostgreSQL array, one element at a time.
type arrayText struct{ b []byte }

var arrayTexts = sync.Pool{New: func() any { return new(arrayText) }}

func (a *arrayText) open() { a.b = append(a.b[:0], '{') }

// next starts an element.
func (a *arrayText) next() []byte {
	if len(a.b) > 1 {
		a.b = append(a.b, ',')
	}
	return a.b
}

func (a *arrayText) null() { a.b = append(a.next(), "NULL"...) }

// text adds a string, quoted, so that commas, braces, spaces and the word NULL stay text.
func (a *arrayText) text(s string) { quoteInto(a, s) }

func quoteInto[T ~string | ~[]byte](a *arrayText, s T) {
	a.b = append(a.next(), '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			a.b = append(a.b, '\\')
		}
		a.b = append(a.b, s[i])
	}
	a.b = append(a.b, '"')
}

func (a *arrayText) close() string { return string(append(a.b, '}')) }

// RoleplayCommands returns a session's commands after number after, in order.
func (s *Store) RoleplayCommands(ctx context.Context, orgID, sessionID string, after int64) ([]RoleplayCommand, error) {
	var out []RoleplayCommand
	err := s.tx(ctx, orgID, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &out, `
			SELECT n, at, kind, coalesce(person_id::text, '') AS person_id, convert_to(coalesce(intent::text, ''), 'UTF8') AS intent
			FROM roleplay_commands WHERE session_id = $1 AND org_id = $2 AND n > $3 ORDER BY n`,
			sessionID, orgID, after)
	})
	if err != nil {
		return nil, dbError(err)
	}
	for i := range out {
		out[i].At = out[i].At.UTC()
	}
	return out, nil
}

// RoleplayLogHeads returns the number of the last logged command of each of an organisation's
// sessions, by session id (0 for an empty log; sessions not the organisation's are left out):
// one read for many rooms, so a server can check a thousand rooms for commands it missed
// without a thousand queries.
func (s *Store) RoleplayLogHeads(ctx context.Context, orgID string, sessionIDs []string) (map[string]int64, error) {
	for _, id := range sessionIDs {
		if _, err := uuid.Parse(id); err != nil {
			return nil, Errorf(NotFound, "No such role-play session.")
		}
	}
	var rows []struct {
		Session string `db:"session_id"`
		Head    int64  `db:"head"`
	}
	err := s.tx(ctx, orgID, func(tx *sqlx.Tx) error {
		// One backward step down the primary key per session, however long its log.
		return tx.SelectContext(ctx, &rows, `
			SELECT s.id::text AS session_id,
				coalesce((SELECT max(n) FROM roleplay_commands c WHERE c.session_id = s.id AND c.org_id = $1), 0) AS head
			FROM roleplay_sessions s WHERE s.id = ANY($2::uuid[]) AND s.org_id = $1`, orgID, pq.Array(sessionIDs))
	})
	if err != nil {
		return nil, dbError(err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Session] = r.Head
	}
	return out, nil
}

// RoleplayFacts are what a live session leaves behind: attendance, the seats people held, the
// feedback they gave, chat when a transcript is kept, and the session's end.
type RoleplayFacts struct {
	Joins      []RoleplayJoin
	Leaves     []RoleplayLeave
	Seats      []RoleplaySeat
	Feedback   []RoleplayFeedback
	Transcript []RoleplayChatLine
	EndedAt    *time.Time
}

// Empty reports whether there is nothing to record.
func (f RoleplayFacts) Empty() bool {
	return len(f.Joins)+len(f.Leaves)+len(f.Seats)+len(f.Feedback)+len(f.Transcript) == 0 && f.EndedAt == nil
}

// RoleplayJoin is a person arriving, with their answer about keeping a transcript.
type RoleplayJoin struct {
	Person  string
	At      time.Time
	Consent bool
}

// RoleplayLeave is a person's last connection closing.
type RoleplayLeave struct {
	Person string
	At     time.Time
}

// RoleplaySeat is the seat a person held in one round.
type RoleplaySeat struct {
	Round     int
	Group     string
	Person    string
	Seat      Seat
	CardID    string
	StartedAt time.Time
}

// RoleplayFeedback is one person's feedback in one feedback phase, about the round's peer worker.
type RoleplayFeedback struct {
	Round   int
	Phase   string
	Group   string
	From    string
	Seat    Seat
	About   string
	Scores  map[string]int
	Comment string
	At      time.Time
}

// RoleplayChatLine is one chat message kept in a session's transcript.
type RoleplayChatLine struct {
	Seq    int64
	Person string
	Group  string
	Text   string
	At     time.Time
}

// RecordRoleplayFacts stores facts in one transaction. Each fact has a natural key, so recording
// the same facts again changes nothing.
func (s *Store) RecordRoleplayFacts(ctx context.Context, orgID, sessionID string, f RoleplayFacts) error {
	if f.Empty() {
		return nil
	}
	err := s.tx(ctx, orgID, func(tx *sqlx.Tx) error {
		for _, j := range f.Joins {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO roleplay_attendance (session_id, person_id, org_id, first_joined_at, transcript_consent)
				VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (session_id, person_id) DO UPDATE SET last_left_at = NULL,
					transcript_consent = EXCLUDED.transcript_consent`,
				sessionID, j.Person, orgID, j.At.UTC(), j.Consent); err != nil {
				return err
			}
		}
		for _, l := range f.Leaves {
			if _, err := tx.ExecContext(ctx, `
				UPDATE roleplay_attendance SET last_left_at = $4
				WHERE session_id = $1 AND person_id = $2 AND org_id = $3`,
				sessionID, l.Person, orgID, l.At.UTC()); err != nil {
				return err
			}
		}
		for _, st := range f.Seats {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO roleplay_seats (session_id, round, group_id, person_id, org_id, seat, card_id, started_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
				sessionID, st.Round, st.Group, st.Person, orgID, string(st.Seat), st.CardID, st.StartedAt.UTC()); err != nil {
				return err
			}
		}
		for _, fb := range f.Feedback {
			var scores []byte
			if len(fb.Scores) > 0 {
				b, err := json.Marshal(fb.Scores)
				if err != nil {
					return err
				}
				scores = b
			}
			var about *string
			if fb.About != "" {
				about = &fb.About
			}
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO roleplay_feedback (session_id, round, phase, group_id, from_person, seat, about_person,
					org_id, scores, comment, submitted_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
				sessionID, fb.Round, fb.Phase, fb.Group, fb.From, string(fb.Seat), about, orgID, scores,
				fb.Comment, fb.At.UTC()); err != nil {
				return err
			}
			// An observer's feedback on a peer worker is practice that may complete a course.
			if fb.Phase == RoleplayObserverPhase && fb.About != "" {
				if err := s.CreditRoleplayPractice(ctx, tx, orgID, fb.About); err != nil {
					return err
				}
			}
		}
		for _, c := range f.Transcript {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO roleplay_transcript (session_id, seq, org_id, person_id, group_id, text, at)
				VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
				sessionID, c.Seq, orgID, c.Person, c.Group, c.Text, c.At.UTC()); err != nil {
				return err
			}
		}
		if f.EndedAt != nil {
			if _, err := tx.ExecContext(ctx, `
				UPDATE roleplay_sessions SET ended_at = coalesce(ended_at, $3)
				WHERE id = $1 AND org_id = $2`, sessionID, orgID, f.EndedAt.UTC()); err != nil {
				return err
			}
		}
		return nil
	})
	return dbError(err)
}

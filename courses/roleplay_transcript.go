package courses

import (
	"context"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
)

// NotKept is the code for a session the caller may see but that kept no transcript, so a client
// can say "no transcript was kept" rather than "not found". The server answers it with 404.
const NotKept Code = "not_kept"

// Chat channels of a transcript line: the whole session, or one group.
const (
	ChannelSession = "session"
	ChannelGroup   = "group"
)

// RoleplayTranscriptLine is one kept chat message as a reader sees it. GroupID is empty for the
// session-wide channel.
type RoleplayTranscriptLine struct {
	Seq     int64          `json:"seq"`
	At      time.Time      `json:"at"`
	From    RoleplayPerson `json:"from"`
	GroupID string         `json:"group_id,omitempty"`
	Channel string         `json:"channel"`
	Text    string         `json:"text"`
}

type transcriptRow struct {
	Seq      int64     `db:"seq"`
	At       time.Time `db:"at"`
	PersonID string    `db:"person_id"`
	Name     string    `db:"person_name"`
	GroupID  string    `db:"group_id"`
	Text     string    `db:"text"`
}

// FindRoleplayTranscript returns a page of a session's kept chat, in seq order. The session's
// trainer and org admins read every line. An invitee who attended reads the session-wide
// channel, their own lines, and the lines of the group they sat in at the time: the seats table
// records a person's group once per round, so a line belongs to the reader's seat in the latest
// round that had started by then (or, before their first round, the group of that first round).
// Someone moved between groups within a round therefore reads the group of the round's start.
// A session the caller may not read is NotFound; one that kept no chat is NotKept.
func (s *Store) FindRoleplayTranscript(ctx context.Context, p *Principal, sessionID string, page Page) ([]RoleplayTranscriptLine, string, error) {
	cur, err := page.decode()
	if err != nil {
		return nil, "", err
	}
	after := int64(0)
	if cur.ID != nil {
		n, err := strconv.ParseInt(*cur.ID, 10, 64)
		if err != nil || n < 0 {
			return nil, "", FieldError("cursor", "This cursor is not valid; start from the first page.")
		}
		after = n
	}
	var rows []transcriptRow
	err = s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		r, err := s.findRoleplayRow(ctx, tx, p, sessionID)
		if err != nil {
			return err
		}
		all := youAre(p, r) == "trainer" || p.Person.HasRole(RoleOrgAdmin)
		if !all {
			var attended bool
			if err := tx.GetContext(ctx, &attended, `
				SELECT EXISTS (SELECT 1 FROM roleplay_attendance WHERE session_id = $1 AND org_id = $2 AND person_id = $3)`,
				sessionID, p.OrgID(), p.Person.ID); err != nil {
				return dbError(err)
			}
			if !attended {
				return Errorf(NotFound, "Only the people who took part in a session can read its transcript.")
			}
		}
		var kept bool
		if err := tx.GetContext(ctx, &kept, `
			SELECT EXISTS (SELECT 1 FROM roleplay_transcript WHERE session_id = $1 AND org_id = $2)`,
			sessionID, p.OrgID()); err != nil {
			return dbError(err)
		}
		if !kept {
			return Errorf(NotKept, "No transcript was kept for this session.")
		}
		return dbError(tx.SelectContext(ctx, &rows, `
			SELECT t.seq, t.at, t.person_id, pe.name AS person_name, t.group_id, t.text
			FROM roleplay_transcript t JOIN people pe ON pe.id = t.person_id
			WHERE t.session_id = $1 AND t.org_id = $2 AND t.seq > $3
				AND ($4 OR t.group_id = '' OR t.person_id = $5 OR t.group_id = (
					SELECT st.group_id FROM roleplay_seats st
					WHERE st.session_id = t.session_id AND st.org_id = t.org_id AND st.person_id = $5
					ORDER BY st.started_at > t.at, abs(extract(epoch FROM t.at - st.started_at)), st.round
					LIMIT 1))
			ORDER BY t.seq LIMIT $6`,
			sessionID, p.OrgID(), after, all, p.Person.ID, page.Limit+1))
	})
	if err != nil {
		return nil, "", err
	}
	rows, next := cutPage(rows, page.Limit, func(last transcriptRow) string {
		return encodeCursor(last.At, strconv.FormatInt(last.Seq, 10))
	})
	out := make([]RoleplayTranscriptLine, len(rows))
	for i, r := range rows {
		ch := ChannelSession
		if r.GroupID != "" {
			ch = ChannelGroup
		}
		out[i] = RoleplayTranscriptLine{Seq: r.Seq, At: r.At.UTC(), From: RoleplayPerson{ID: r.PersonID, Name: r.Name},
			GroupID: r.GroupID, Channel: ch, Text: r.Text}
	}
	return out, next, nil
}

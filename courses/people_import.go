package courses

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Limits of one CSV import.
const (
	MaxImportBytes = 1 << 20
	MaxImportRows  = 2000
)

// ImportRow is one person in an import file, with every problem found on it. Problems are keyed
// by column (name, email, team, roles) or "row" for the row as a whole.
type ImportRow struct {
	Line     int               `json:"line"`
	Name     string            `json:"name"`
	Email    string            `json:"email"`
	Team     string            `json:"team"`
	Roles    []string          `json:"roles"`
	Problems map[string]string `json:"problems"`
	teamID   string
}

func (r *ImportRow) problem(field, msg string) {
	if _, ok := r.Problems[field]; !ok {
		r.Problems[field] = msg
	}
}

// PeopleImport is the answer to an import: every row with its problems, and how many were
// invited (0 for a preview).
type PeopleImport struct {
	DryRun      bool        `json:"dry_run"`
	Rows        []ImportRow `json:"rows"`
	ProblemRows int         `json:"problem_rows"`
	Invited     int         `json:"invited"`
}

var importColumns = []string{"name", "email", "team", "roles"}

func fileError(format string, args ...any) error {
	return FieldError("file", fmt.Sprintf(format, args...))
}

// ParsePeopleCSV reads an import file: UTF-8 (a byte-order mark is fine), comma-separated, with a
// header row naming the columns name and email, and optionally team and roles, in any order.
// Roles are separated by ";" and default to trainee. It returns every row with the problems the
// file alone shows (missing name, bad email, unknown role, an email twice in the file); a problem
// with the file as a whole is an Invalid error on "file".
func ParsePeopleCSV(b []byte) ([]ImportRow, error) {
	if len(b) > MaxImportBytes {
		return nil, fileError("The file is larger than 1 MB. Split it into smaller files.")
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(b) {
		return nil, fileError("The file is not UTF-8 text. Save it as \"CSV UTF-8\" and try again.")
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	r.ReuseRecord = false
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, fileError("The file is empty. It needs a header row: name,email,team,roles.")
	}
	if err != nil {
		return nil, csvError(err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		known := false
		for _, c := range importColumns {
			known = known || h == c
		}
		if !known {
			return nil, fileError("The header names an unknown column %q. Use name, email, team and roles.", truncateRunes(h, 40))
		}
		if _, dup := col[h]; dup {
			return nil, fileError("The header names the column %q twice.", h)
		}
		col[h] = i
	}
	for _, need := range []string{"name", "email"} {
		if _, ok := col[need]; !ok {
			return nil, fileError("The header row needs a %q column: name,email,team,roles.", need)
		}
	}
	var rows []ImportRow
	seen := map[string]int{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		if len(rows) == MaxImportRows {
			return nil, fileError("The file has more than %d people. Split it into smaller files.", MaxImportRows)
		}
		line, _ := r.FieldPos(0)
		get := func(c string) string {
			if i, ok := col[c]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		row := ImportRow{Line: line, Name: get("name"), Email: get("email"), Team: get("team"), Roles: []string{},
			Problems: map[string]string{}}
		if len(rec) > len(header) {
			row.problem("row", fmt.Sprintf("This row has %d values but the header has %d columns.", len(rec), len(header)))
		}
		if m := CheckName(row.Name); m != "" {
			row.problem("name", m)
		}
		if email, m := NormaliseEmail(row.Email); m != "" {
			row.problem("email", m)
		} else {
			row.Email = email
			key := strings.ToLower(email)
			if first, dup := seen[key]; dup {
				row.problem("email", fmt.Sprintf("This email is also on line %d.", first))
			} else {
				seen[key] = line
			}
		}
		if utf8.RuneCountInString(row.Team) > 200 {
			row.problem("team", "Use at most 200 characters.")
		}
		for _, raw := range strings.Split(get("roles"), ";") {
			role := strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(raw)))
			if role == "" {
				continue
			}
			if CheckRoles([]string{role}) != "" {
				row.problem("roles", fmt.Sprintf("Unknown role %q. Use trainee, trainer, manager or org_admin.", truncateRunes(raw, 40)))
				continue
			}
			row.Roles = append(row.Roles, role)
		}
		if len(row.Roles) == 0 {
			row.Roles = []string{string(RoleTrainee)}
		}
		row.Roles = dedupe(row.Roles)
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, fileError("The file has a header but no people. Add one person per row.")
	}
	return rows, nil
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fileError("Line %d could not be read: %v. Check the quotes on that line.", pe.StartLine, pe.Err)
	}
	return fileError("The file could not be read as CSV.")
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// ImportPeople previews (dryRun) or carries out a CSV import for p's organisation. The preview
// writes nothing and returns every row with its problems: those of ParsePeopleCSV, an email
// that already has an account or a waiting invitation, and a team that does not exist (teams
// are not created by an import, so a misspelt team name cannot make a new team; create teams
// first on the Teams page). The real import is all or nothing: if any row has a problem it
// refuses with every problem named and writes nothing; otherwise it invites every row (the same
// invitation and email as a single invite) and records each invitee's team, which they join
// when they accept.
func (s *Store) ImportPeople(ctx context.Context, p *Principal, file []byte, dryRun bool) (*PeopleImport, error) {
	if err := canAdminister(p); err != nil {
		return nil, err
	}
	rows, err := ParsePeopleCSV(file)
	if err != nil {
		return nil, err
	}
	res := &PeopleImport{DryRun: dryRun, Rows: rows}
	err = s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		if err := s.checkImport(ctx, tx, p.OrgID(), rows); err != nil {
			return err
		}
		f := Fields{}
		for _, r := range rows {
			if len(r.Problems) > 0 {
				res.ProblemRows++
				for k, m := range r.Problems {
					f.Add(fmt.Sprintf("rows.%d.%s", r.Line, k), m)
				}
			}
		}
		if dryRun {
			return nil
		}
		if len(f) > 0 {
			return &Error{Code: Invalid, Fields: f, Message: fmt.Sprintf(
				"%d of %d rows have problems, so nobody was invited. Fix them and try again.", res.ProblemRows, len(rows))}
		}
		for _, r := range rows {
			inv, _, err := s.createInvitation(ctx, tx, p.OrgID(), p.Person.ID, r.Email, r.Name, r.Roles)
			if err != nil {
				// Someone invited the same address since the check: name the row.
				if e, ok := err.(*Error); ok && e.Code == Conflict {
					return &Error{Code: Conflict, Message: e.Message, Fields: map[string]string{fmt.Sprintf("rows.%d.email", r.Line): e.Message}}
				}
				return err
			}
			if r.teamID != "" {
				if _, err := tx.ExecContext(ctx, `
					INSERT INTO invitation_teams (invitation_id, team_id, org_id) VALUES ($1, $2, $3)`,
					inv.ID, r.teamID, p.OrgID()); err != nil {
					return dbError(err)
				}
			}
			res.Invited++
		}
		return s.audit(ctx, tx, p.OrgID(), p.Actor(), "people.import", "organisation", p.OrgID(),
			map[string]any{"invited": res.Invited})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// checkImport adds the problems only the database knows: accounts and invitations that already
// exist, and unknown teams. It resolves team names to ids.
func (s *Store) checkImport(ctx context.Context, tx *sqlx.Tx, orgID string, rows []ImportRow) error {
	emails := make([]string, 0, len(rows))
	teams := []string{}
	for _, r := range rows {
		emails = append(emails, strings.ToLower(r.Email))
		if r.Team != "" {
			teams = append(teams, strings.ToLower(r.Team))
		}
	}
	var taken []struct {
		Email  string `db:"email"`
		Member bool   `db:"member"`
	}
	// Addresses are unique across organisations, which this organisation's rows alone cannot
	// show: emails_taken (migration 0011) looks at every organisation and says only which are taken.
	if err := tx.SelectContext(ctx, &taken, `SELECT email, member FROM emails_taken($1, $2)`,
		pq.StringArray(emails), s.Now()); err != nil {
		return dbError(err)
	}
	member, invited := map[string]bool{}, map[string]bool{}
	for _, t := range taken {
		if t.Member {
			member[t.Email] = true
		} else {
			invited[t.Email] = true
		}
	}
	var found []struct {
		ID   string `db:"id"`
		Name string `db:"name"`
	}
	if err := tx.SelectContext(ctx, &found, `
		SELECT id, lower(name) AS name FROM teams WHERE org_id = $1 AND lower(name) = ANY($2)`,
		orgID, pq.StringArray(teams)); err != nil {
		return dbError(err)
	}
	teamIDs := map[string]string{}
	for _, t := range found {
		teamIDs[t.Name] = t.ID
	}
	for i := range rows {
		r := &rows[i]
		key := strings.ToLower(r.Email)
		switch {
		case member[key]:
			r.problem("email", "Someone with this email already has an account.")
		case invited[key]:
			r.problem("email", "This email already has an invitation waiting.")
		}
		if r.Team != "" {
			if id, ok := teamIDs[strings.ToLower(r.Team)]; ok {
				r.teamID = id
			} else if _, bad := r.Problems["team"]; !bad {
				r.problem("team", fmt.Sprintf("There is no team called %q. Create it on the Teams page first, or check the spelling.", truncateRunes(r.Team, 60)))
			}
		}
	}
	return nil
}

// joinInvitedTeams puts a person who just accepted an invitation into the teams the import
// recorded for it.
func (s *Store) joinInvitedTeams(ctx context.Context, tx *sqlx.Tx, invitationID, personID string) error {
	var teams []struct {
		TeamID string `db:"team_id"`
		OrgID  string `db:"org_id"`
	}
	if err := tx.SelectContext(ctx, &teams, `
		SELECT team_id, org_id FROM invitation_teams WHERE invitation_id = $1 ORDER BY team_id`, invitationID); err != nil {
		return dbError(err)
	}
	for _, t := range teams {
		if _, err := s.joinTeam(ctx, tx, t.OrgID, t.TeamID, personID, false); err != nil {
			return err
		}
	}
	return nil
}

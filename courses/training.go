package courses

import (
	"bytes"
	"context"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

// Limits on external training records.
const (
	MaxEvidenceBytes      = 5 << 20
	MaxTrainingValidity   = 120
	maxEvidenceNameLength = 255
	dateLayout            = "2006-01-02"
)

// TrainingType is a kind of external mandatory training an organisation tracks (first aid,
// ASIST…). A completion stays current for ValidityMonths; nil means it never expires.
type TrainingType struct {
	ID             string    `db:"id" json:"id"`
	Name           string    `db:"name" json:"name"`
	ValidityMonths *int      `db:"validity_months" json:"validity_months"`
	RecordCount    int       `db:"record_count" json:"record_count"`
	CreatedAt      time.Time `db:"created_at" json:"created_at"`
}

// TrainingTypeRef names a training type in a list.
type TrainingTypeRef struct {
	ID   string `db:"id" json:"id"`
	Name string `db:"name" json:"name"`
}

// TrainingRecord is one person's completion of an external training, with what is known of its
// evidence file (the file itself is read with FindTrainingEvidence). Dates are YYYY-MM-DD.
type TrainingRecord struct {
	ID           string          `db:"id" json:"id"`
	Person       PersonRef       `db:"person" json:"person"`
	TrainingType TrainingTypeRef `db:"training_type" json:"training_type"`
	CompletedOn  string          `db:"completed_on" json:"completed_on"`
	ExpiresOn    *string         `db:"expires_on" json:"expires_on"`
	Expired      bool            `db:"expired" json:"expired"`
	EvidenceName string          `db:"evidence_name" json:"evidence_name"`
	EvidenceType *string         `db:"evidence_type" json:"evidence_type"`
	EvidenceSize int             `db:"evidence_size" json:"evidence_size"`
	CreatedAt    time.Time       `db:"created_at" json:"created_at"`
}

// TrainingRecordInput is a completion to record. Evidence is the uploaded file's bytes as sent;
// its type is decided by its first bytes, never by the name or the client's content type.
type TrainingRecordInput struct {
	PersonID       string
	TrainingTypeID string
	CompletedOn    string
	EvidenceName   string
	Evidence       []byte
}

// TrainingRecordFilter narrows the training record list; empty fields mean any.
type TrainingRecordFilter struct {
	PersonID       string
	TrainingTypeID string
}

// Evidence is an evidence file as stored.
type Evidence struct {
	Name        string `db:"evidence_name"`
	ContentType string `db:"evidence_type"`
	Data        []byte `db:"evidence"`
}

// evidenceType names the content type of an evidence file by its first bytes: PDF, PNG or JPEG,
// the only kinds an auditor can open everywhere and that cannot run script in a browser.
func evidenceType(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return "application/pdf"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return "image/jpeg"
	}
	return ""
}

// evidenceName keeps the base of an uploaded file's name, without control characters, so it is
// safe to put back in a Content-Disposition header.
func evidenceName(name, contentType string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == "/" {
		name = "evidence" + map[string]string{"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}[contentType]
	}
	for len(name) > maxEvidenceNameLength {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}

// check validates the input against the clock and returns the completion date and the evidence's
// content type.
func (in *TrainingRecordInput) check(now time.Time) (time.Time, string, error) {
	f := Fields{}
	if in.PersonID == "" {
		f.Add("person_id", "Choose a person.")
	} else if _, err := uuid.Parse(in.PersonID); err != nil {
		f.Add("person_id", "This is not a person in your organisation.")
	}
	if in.TrainingTypeID == "" {
		f.Add("training_type_id", "Choose a type of training.")
	} else if _, err := uuid.Parse(in.TrainingTypeID); err != nil {
		f.Add("training_type_id", "This is not a type of training your organisation tracks.")
	}
	var done time.Time
	if in.CompletedOn == "" {
		f.Add("completed_on", "Enter the date the training was completed.")
	} else if d, err := time.Parse(dateLayout, in.CompletedOn); err != nil {
		f.Add("completed_on", "Enter a date like 2026-03-14.")
	} else if d.After(now) {
		f.Add("completed_on", "The completion date can't be in the future.")
	} else if d.Year() < 1950 {
		f.Add("completed_on", "Check the year of the completion date.")
	} else {
		done = d
	}
	var ct string
	switch {
	case len(in.Evidence) == 0:
		f.Add("evidence", "Attach the certificate or evidence: a PDF, PNG or JPEG file.")
	case len(in.Evidence) > MaxEvidenceBytes:
		f.Add("evidence", "The file is larger than 5 MB. Try a smaller scan or photo.")
	default:
		if ct = evidenceType(in.Evidence); ct == "" {
			f.Add("evidence", "The file must be a PDF, PNG or JPEG.")
		}
	}
	return done, ct, f.Err()
}

// FindTrainingTypes lists the organisation's training types by name. Anyone in the organisation
// may: trainees choose one when they record their own training.
func (s *Store) FindTrainingTypes(ctx context.Context, p *Principal) ([]TrainingType, error) {
	if p.Organisation == nil {
		return nil, Errorf(Forbidden, "Training types belong to an organisation.")
	}
	out := []TrainingType{}
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		return dbError(tx.SelectContext(ctx, &out, `
			SELECT t.id, t.name, t.validity_months, t.created_at,
				(SELECT count(*) FROM training_records r WHERE r.training_type_id = t.id) AS record_count
			FROM training_types t WHERE t.org_id = $1 ORDER BY lower(t.name), t.id`, p.OrgID()))
	})
	return out, err
}

// CreateTrainingType adds a training type. Only org admins may.
func (s *Store) CreateTrainingType(ctx context.Context, p *Principal, name string, validityMonths *int) (*TrainingType, error) {
	if err := canAdminister(p); err != nil {
		return nil, err
	}
	f := Fields{}
	name = strings.TrimSpace(name)
	if m := CheckName(name); m != "" {
		if name == "" {
			m = "Enter the name of the training, like First aid."
		}
		f.Add("name", m)
	}
	if validityMonths != nil && (*validityMonths < 1 || *validityMonths > MaxTrainingValidity) {
		f.Add("validity_months", "Use a whole number of months from 1 to 120, or leave it empty if it never expires.")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	t := &TrainingType{Name: name, ValidityMonths: validityMonths}
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, t, `
			INSERT INTO training_types (org_id, name, validity_months, created_at) VALUES ($1, $2, $3, $4)
			RETURNING id, name, validity_months, created_at, 0 AS record_count`, p.OrgID(), name, validityMonths, s.Now())
		if ErrorCode(dbError(err)) == Conflict {
			return &Error{Code: Conflict, Message: "There is already a training type with this name.",
				Fields: map[string]string{"name": "There is already a training type with this name."}}
		}
		if err != nil {
			return dbError(err)
		}
		return s.audit(ctx, tx, p.OrgID(), p.Actor(), "training.type_create", "training_type", t.ID,
			map[string]any{"name": name, "validity_months": validityMonths})
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// DeleteTrainingType removes a training type nobody has a record of. A type with records is
// kept, so no evidence disappears with it: delete the records first.
func (s *Store) DeleteTrainingType(ctx context.Context, p *Principal, id string) error {
	if err := canAdminister(p); err != nil {
		return err
	}
	if _, err := uuid.Parse(id); err != nil {
		return Errorf(NotFound, "There is no training type %s here.", id)
	}
	return s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		var t TrainingType
		err := tx.GetContext(ctx, &t, `
			SELECT t.id, t.name, t.validity_months, t.created_at,
				(SELECT count(*) FROM training_records r WHERE r.training_type_id = t.id) AS record_count
			FROM training_types t WHERE t.id = $1 AND t.org_id = $2 FOR UPDATE OF t`, id, p.OrgID())
		if ErrorCode(dbError(err)) == NotFound {
			return Errorf(NotFound, "There is no training type %s here.", id)
		}
		if err != nil {
			return dbError(err)
		}
		if t.RecordCount > 0 {
			return Errorf(Conflict, "%s has %d training records. Delete those records first; their evidence would be lost.", t.Name, t.RecordCount)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM training_types WHERE id = $1`, id); err != nil {
			return dbError(err)
		}
		return s.audit(ctx, tx, p.OrgID(), p.Actor(), "training.type_delete", "training_type", id, map[string]any{"name": t.Name})
	})
}

const trainingRecordColumns = `r.id, pe.id AS "person.id", pe.name AS "person.name", pe.email AS "person.email",
	t.id AS "training_type.id", t.name AS "training_type.name",
	to_char(r.completed_on, 'YYYY-MM-DD') AS completed_on, to_char(r.expires_on, 'YYYY-MM-DD') AS expires_on,
	(r.expires_on IS NOT NULL AND r.expires_on <= $3::date) AS expired,
	r.evidence_name, r.evidence_type, COALESCE(octet_length(r.evidence), 0) AS evidence_size, r.created_at`

// FindTrainingRecords lists the training records of the people p may see (everyone for an org
// admin, their teams' people for a manager), newest first.
func (s *Store) FindTrainingRecords(ctx context.Context, p *Principal, f TrainingRecordFilter, page Page) ([]TrainingRecord, string, error) {
	return s.findTrainingRecords(ctx, p, f, page, VisiblePeopleSQL(p, "pe", "$1", "$2"))
}

// FindMyTrainingRecords lists the caller's own training records, newest first.
func (s *Store) FindMyTrainingRecords(ctx context.Context, p *Principal, page Page) ([]TrainingRecord, string, error) {
	if p.Organisation == nil {
		return nil, "", Errorf(Forbidden, "Training records belong to an organisation.")
	}
	return s.findTrainingRecords(ctx, p, TrainingRecordFilter{}, page, "pe.org_id = $1::uuid AND pe.id = $2::uuid")
}

func (s *Store) findTrainingRecords(ctx context.Context, p *Principal, f TrainingRecordFilter, page Page, visible string) ([]TrainingRecord, string, error) {
	fs := Fields{}
	if f.PersonID != "" {
		if _, err := uuid.Parse(f.PersonID); err != nil {
			fs.Add("person", "This is not a person id.")
		}
	}
	if f.TrainingTypeID != "" {
		if _, err := uuid.Parse(f.TrainingTypeID); err != nil {
			fs.Add("type", "This is not a training type id.")
		}
	}
	if err := fs.Err(); err != nil {
		return nil, "", err
	}
	cur, err := page.decode()
	if err != nil {
		return nil, "", err
	}
	out := []TrainingRecord{}
	err = s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		return dbError(tx.SelectContext(ctx, &out, `
			SELECT `+trainingRecordColumns+`
			FROM training_records r JOIN people pe ON pe.id = r.person_id JOIN training_types t ON t.id = r.training_type_id
			WHERE r.org_id = $1 AND `+visible+`
				AND ($4 = '' OR r.person_id::text = $4) AND ($5 = '' OR r.training_type_id::text = $5)
				AND ($6::timestamptz IS NULL OR (r.created_at, r.id) < ($6, $7::uuid))
			ORDER BY r.created_at DESC, r.id DESC LIMIT $8`,
			p.OrgID(), p.Person.ID, s.Now(), f.PersonID, f.TrainingTypeID, cur.At, cur.ID, page.Limit+1))
	})
	if err != nil {
		return nil, "", err
	}
	out, next := cutPage(out, page.Limit, func(last TrainingRecord) string { return encodeCursor(last.CreatedAt, last.ID) })
	return out, next, nil
}

// CreateTrainingRecord records a completion of external training with its evidence. People may
// record their own; org admins may record anyone's. The expiry date is the completion date plus
// the type's validity.
func (s *Store) CreateTrainingRecord(ctx context.Context, p *Principal, in TrainingRecordInput) (*TrainingRecord, error) {
	if p.Organisation == nil {
		return nil, Errorf(Forbidden, "Training records belong to an organisation.")
	}
	done, ct, err := in.check(s.Now())
	if err != nil {
		return nil, err
	}
	var rec *TrainingRecord
	err = s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		if in.PersonID != p.Person.ID {
			if _, err := s.findVisiblePerson(ctx, tx, p, in.PersonID, false); err != nil {
				return err
			}
			if err := canAdminister(p); err != nil {
				return err
			}
		}
		var t struct {
			Name           string `db:"name"`
			ValidityMonths *int   `db:"validity_months"`
		}
		err := tx.GetContext(ctx, &t, `SELECT name, validity_months FROM training_types WHERE id = $1 AND org_id = $2`,
			in.TrainingTypeID, p.OrgID())
		if ErrorCode(dbError(err)) == NotFound {
			return FieldError("training_type_id", "This is not a type of training your organisation tracks.")
		}
		if err != nil {
			return dbError(err)
		}
		var id string
		// The expiry is calendar arithmetic in PostgreSQL: 31 January plus one month is 28 February.
		if err := tx.GetContext(ctx, &id, `
			INSERT INTO training_records (org_id, person_id, training_type_id, completed_on, expires_on,
				evidence, evidence_type, evidence_name, recorded_by, created_at)
			VALUES ($1, $2, $3, $4::date, ($4::date + make_interval(months => $5::int))::date, $6, $7, $8, $9, $10)
			RETURNING id`, p.OrgID(), in.PersonID, in.TrainingTypeID, done.Format(dateLayout), t.ValidityMonths,
			in.Evidence, ct, evidenceName(in.EvidenceName, ct), p.Person.ID, s.Now()); err != nil {
			return dbError(err)
		}
		rec = &TrainingRecord{}
		if err := tx.GetContext(ctx, rec, `
			SELECT `+trainingRecordColumns+`
			FROM training_records r JOIN people pe ON pe.id = r.person_id JOIN training_types t ON t.id = r.training_type_id
			WHERE r.id = $4 AND r.org_id = $1 AND $2::uuid IS NOT NULL`, p.OrgID(), p.Person.ID, s.Now(), id); err != nil {
			return dbError(err)
		}
		return s.audit(ctx, tx, p.OrgID(), p.Actor(), "training.record_create", "person", in.PersonID, map[string]any{
			"record_id": id, "training_type": t.Name, "email": rec.Person.Email, "completed_on": rec.CompletedOn,
			"expires_on": rec.ExpiresOn})
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// findVisibleTrainingRecord returns the person and type of a record p may see: their own, or one
// of the people they may see. Anything else is NotFound.
func (s *Store) findVisibleTrainingRecord(ctx context.Context, tx *sqlx.Tx, p *Principal, id string, lock bool) (*TrainingRecord, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, Errorf(NotFound, "There is no training record %s here.", id)
	}
	q := `SELECT ` + trainingRecordColumns + `
		FROM training_records r JOIN people pe ON pe.id = r.person_id JOIN training_types t ON t.id = r.training_type_id
		WHERE r.id = $4 AND r.org_id = $1 AND (pe.id = $2::uuid OR ` + VisiblePeopleSQL(p, "pe", "$1", "$2") + `)`
	if lock {
		q += ` FOR UPDATE OF r`
	}
	var rec TrainingRecord
	if err := tx.GetContext(ctx, &rec, q, p.OrgID(), p.Person.ID, s.Now(), id); err != nil {
		if ErrorCode(dbError(err)) == NotFound {
			return nil, Errorf(NotFound, "There is no training record %s here.", id)
		}
		return nil, dbError(err)
	}
	return &rec, nil
}

// FindTrainingEvidence returns a record's evidence file to its person, to org admins, and to the
// managers of the person's teams.
func (s *Store) FindTrainingEvidence(ctx context.Context, p *Principal, id string) (*Evidence, error) {
	if p.Organisation == nil {
		return nil, Errorf(NotFound, "There is no training record %s here.", id)
	}
	var e Evidence
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		if _, err := s.findVisibleTrainingRecord(ctx, tx, p, id, false); err != nil {
			return err
		}
		err := tx.GetContext(ctx, &e, `
			SELECT evidence_name, COALESCE(evidence_type, '') AS evidence_type, COALESCE(evidence, '') AS evidence
			FROM training_records WHERE id = $1`, id)
		if err != nil {
			return dbError(err)
		}
		if e.ContentType == "" {
			return Errorf(NotFound, "This training record has no evidence file.")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// DeleteTrainingRecord removes a training record and its evidence. Only org admins may.
func (s *Store) DeleteTrainingRecord(ctx context.Context, p *Principal, id string) error {
	if p.Organisation == nil {
		return Errorf(NotFound, "There is no training record %s here.", id)
	}
	return s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		rec, err := s.findVisibleTrainingRecord(ctx, tx, p, id, true)
		if err != nil {
			return err
		}
		if err := canAdminister(p); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM training_records WHERE id = $1`, id); err != nil {
			return dbError(err)
		}
		return s.audit(ctx, tx, p.OrgID(), p.Actor(), "training.record_delete", "person", rec.Person.ID, map[string]any{
			"record_id": id, "training_type": rec.TrainingType.Name, "email": rec.Person.Email, "completed_on": rec.CompletedOn})
	})
}

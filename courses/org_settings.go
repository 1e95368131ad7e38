package courses

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"
)

// OrgSettings is what an org admin can change about their organisation: the time zone its
// reminder digests follow, and how long its certificates for each course last.
type OrgSettings struct {
	TimeZone string              `json:"time_zone"`
	Courses  []CertificatePeriod `json:"courses"`
}

// CertificatePeriod is one course the organisation can use and how long its certificates last.
// DefaultMonths is the course's own period (0: never expires); ValidityMonths is the
// organisation's override, nil when it keeps the course's.
type CertificatePeriod struct {
	Course         string `json:"course"`
	Title          string `json:"title"`
	DefaultMonths  int    `json:"default_validity_months"`
	ValidityMonths *int   `json:"validity_months"`
}

// FindOrgSettings returns the caller's organisation's settings, courses by title. Only org admins
// may read them, as only they may change them.
func (s *Store) FindOrgSettings(ctx context.Context, p *Principal) (*OrgSettings, error) {
	if p.Organisation == nil || !p.Person.HasRole(RoleOrgAdmin) {
		return nil, Errorf(Forbidden, "Only an organisation admin can see the organisation's settings.")
	}
	out := &OrgSettings{Courses: []CertificatePeriod{}}
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &out.TimeZone, `SELECT time_zone FROM organisations WHERE id = $1`, p.OrgID()); err != nil {
			return dbError(err)
		}
		var rows []struct {
			Slug           string `db:"slug"`
			VersionID      string `db:"version_id"`
			ValidityMonths *int   `db:"validity_months"`
		}
		if err := tx.SelectContext(ctx, &rows, `
			SELECT c.slug, v.id AS version_id, o.validity_months
			FROM courses c
			JOIN LATERAL (SELECT id FROM course_versions WHERE course_id = c.id ORDER BY version DESC LIMIT 1) v ON true
			LEFT JOIN org_course_settings o ON o.org_id = $1 AND o.course_id = c.id
			WHERE c.org_id IS NULL OR c.org_id = $1`, p.OrgID()); err != nil {
			return dbError(err)
		}
		for _, r := range rows {
			v, err := s.version(ctx, tx, r.VersionID)
			if err != nil {
				return err
			}
			out.Courses = append(out.Courses, CertificatePeriod{Course: r.Slug, Title: v.Content.Title,
				DefaultMonths: v.Content.RecertificationMonths, ValidityMonths: r.ValidityMonths})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out.Courses, func(a, b CertificatePeriod) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title)), strings.Compare(a.Course, b.Course))
	})
	return out, nil
}

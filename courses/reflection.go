package courses

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
)

// MaxReflection bounds one reflection answer, in characters.
const MaxReflection = 20000

// ReflectionAnswer is a prompt with its author's answer.
type ReflectionAnswer struct {
	ID        string     `json:"id"`
	Prompt    string     `json:"prompt"`
	Answer    string     `json:"answer"`
	UpdatedAt *time.Time `json:"updated_at"`
}

// Every query here filters by the author: reflections are readable only by the person who wrote
// them, whatever their roles.

// FindReflection returns the caller's own answers to a module's prompts.
func (s *Store) FindReflection(ctx context.Context, p *Principal, slug, module string) ([]ReflectionAnswer, error) {
	var out []ReflectionAnswer
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		ref, v, err := s.findCourseRef(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		out, err = s.reflection(ctx, tx, p, ref.CourseID, v, module)
		return err
	})
	return out, err
}

func (s *Store) reflection(ctx context.Context, q sqlx.QueryerContext, p *Principal, courseID string, v *CourseVersion, module string) ([]ReflectionAnswer, error) {
	m, _, err := v.Content.Module(module)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		PromptID  string    `db:"prompt_id"`
		Body      string    `db:"body"`
		UpdatedAt time.Time `db:"updated_at"`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, `
		SELECT prompt_id, body, updated_at FROM reflections
		WHERE person_id = $1 AND course_id = $2 AND module_slug = $3`, p.Person.ID, courseID, module); err != nil {
		return nil, dbError(err)
	}
	out := make([]ReflectionAnswer, len(m.Reflection))
	for i, pr := range m.Reflection {
		out[i] = ReflectionAnswer{ID: pr.ID, Prompt: pr.Prompt}
		for _, r := range rows {
			if r.PromptID == pr.ID {
				t := r.UpdatedAt
				out[i].Answer, out[i].UpdatedAt = r.Body, &t
			}
		}
	}
	return out, nil
}

// SaveReflection stores the caller's answers to a module's prompts; an empty answer removes it.
func (s *Store) SaveReflection(ctx context.Context, p *Principal, slug, module string, answers map[string]string) ([]ReflectionAnswer, error) {
	if p.Organisation == nil {
		return nil, Errorf(Forbidden, "Reflections are written as a member of an organisation.")
	}
	var out []ReflectionAnswer
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		ref, v, err := s.findCourseRef(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		m, _, err := v.Content.Module(module)
		if err != nil {
			return err
		}
		f := Fields{}
		for id, text := range answers {
			known := false
			for _, pr := range m.Reflection {
				known = known || pr.ID == id
			}
			switch {
			case !known:
				f.Add("answers."+id, "There is no reflection prompt "+id+" in this module.")
			case utf8.RuneCountInString(text) > MaxReflection:
				f.Add("answers."+id, "Use at most 20,000 characters.")
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		now := s.Now()
		for id, text := range answers {
			if strings.TrimSpace(text) == "" {
				if _, err := tx.ExecContext(ctx, `
					DELETE FROM reflections WHERE person_id = $1 AND course_id = $2 AND module_slug = $3 AND prompt_id = $4`,
					p.Person.ID, ref.CourseID, module, id); err != nil {
					return dbError(err)
				}
				continue
			}
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO reflections (org_id, person_id, course_id, module_slug, prompt_id, body, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7)
				ON CONFLICT (person_id, course_id, module_slug, prompt_id)
				DO UPDATE SET body = EXCLUDED.body, updated_at = EXCLUDED.updated_at`,
				p.OrgID(), p.Person.ID, ref.CourseID, module, id, text, now); err != nil {
				return dbError(err)
			}
		}
		out, err = s.reflection(ctx, tx, p, ref.CourseID, v, module)
		return err
	})
	return out, err
}

// DeleteReflection deletes every answer the caller wrote for a module.
func (s *Store) DeleteReflection(ctx context.Context, p *Principal, slug, module string) error {
	return s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		ref, v, err := s.findCourseRef(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		if _, _, err := v.Content.Module(module); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `
			DELETE FROM reflections WHERE person_id = $1 AND course_id = $2 AND module_slug = $3`, p.Person.ID, ref.CourseID, module)
		return dbError(err)
	})
}

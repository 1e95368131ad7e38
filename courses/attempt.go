package courses

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
)

// PresentedQuestion is a question as an attempt shows it: never with its answer or feedback.
type PresentedQuestion struct {
	ID       string       `json:"id"`
	Kind     QuestionKind `json:"kind"`
	Prompt   string       `json:"prompt"`
	Scenario string       `json:"scenario"`
	Options  []Option     `json:"options"`
}

// QuizInfo describes the quiz an attempt belongs to.
type QuizInfo struct {
	ID               string `json:"id"`
	Title            string `json:"title"`
	PassMark         int    `json:"pass_mark"`
	TimeLimitMinutes int    `json:"time_limit_minutes"`
	Review           bool   `json:"review"`
}

// Attempt is one go at a quiz, as its taker sees it.
type Attempt struct {
	ID              string              `json:"id"`
	Quiz            QuizInfo            `json:"quiz"`
	Course          Link                `json:"course"`
	Number          int                 `json:"number"`
	AttemptsAllowed int                 `json:"attempts_allowed"`
	StartedAt       time.Time           `json:"started_at"`
	DeadlineAt      *time.Time          `json:"deadline_at"`
	SubmittedAt     *time.Time          `json:"submitted_at"`
	Questions       []PresentedQuestion `json:"questions"`
	Answers         Answers             `json:"answers"`
	Result          *Result             `json:"result"`
}

// Result is a graded attempt.
type Result struct {
	Score           float64          `json:"score"`
	Passed          bool             `json:"passed"`
	PassMark        int              `json:"pass_mark"`
	AttemptsUsed    int              `json:"attempts_used"`
	AttemptsLeft    *int             `json:"attempts_left"`
	TimedOut        bool             `json:"timed_out"`
	CourseCompleted bool             `json:"course_completed"`
	Review          []QuestionReview `json:"review"`
}

// AttemptSummary is one line of attempt history.
type AttemptSummary struct {
	ID          string     `db:"id" json:"id"`
	Number      int        `db:"number" json:"number"`
	StartedAt   time.Time  `db:"started_at" json:"started_at"`
	SubmittedAt *time.Time `db:"submitted_at" json:"submitted_at"`
	Score       *float64   `db:"score" json:"score"`
	Passed      *bool      `db:"passed" json:"passed"`
}

type presented struct {
	ID      string   `json:"id"`
	Options []string `json:"options"`
}

type attemptRow struct {
	ID          string          `db:"id"`
	OrgID       string          `db:"org_id"`
	PersonID    string          `db:"person_id"`
	EnrolmentID string          `db:"enrolment_id"`
	QuizID      string          `db:"quiz_id"`
	Number      int             `db:"number"`
	Presented   json.RawMessage `db:"presented"`
	Answers     json.RawMessage `db:"answers"`
	StartedAt   time.Time       `db:"started_at"`
	DeadlineAt  *time.Time      `db:"deadline_at"`
	SubmittedAt *time.Time      `db:"submitted_at"`
	Score       *float64        `db:"score"`
	Passed      *bool           `db:"passed"`
	Review      []byte          `db:"review"` // NULL until graded
	TimedOut    bool            `db:"timed_out"`
	VersionID   string          `db:"course_version_id"`
}

const attemptColumns = `a.id, a.org_id, a.person_id, a.enrolment_id, a.quiz_id, a.number, a.presented, a.answers,
	a.started_at, a.deadline_at, a.submitted_at, a.score, a.passed, a.review, a.timed_out, e.course_version_id`

// StartAttempt begins an attempt at a quiz ("course-slug.quiz-id"). When one is already open it
// is returned instead, with started false. With no attempts left it answers Conflict.
func (s *Store) StartAttempt(ctx context.Context, p *Principal, ref string) (a *Attempt, started bool, err error) {
	slug, quizID, err := splitRef(ref)
	if err != nil {
		return nil, false, err
	}
	err = s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		e, v, err := s.enrol(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		q, err := v.Content.Quiz(quizID)
		if err != nil {
			return err
		}
		if err := s.expireAttempts(ctx, tx, e, v, quizID); err != nil {
			return err
		}
		var open []attemptRow
		if err := tx.SelectContext(ctx, &open, `SELECT `+attemptColumns+` FROM quiz_attempts a JOIN enrolments e ON e.id = a.enrolment_id
			WHERE a.enrolment_id = $1 AND a.quiz_id = $2 AND a.submitted_at IS NULL`, e.ID, quizID); err != nil {
			return dbError(err)
		}
		if len(open) > 0 {
			a, err = s.attemptView(ctx, tx, &open[0], v)
			return err
		}
		var used int
		if err := tx.GetContext(ctx, &used, `SELECT count(*) FROM quiz_attempts WHERE enrolment_id = $1 AND quiz_id = $2`, e.ID, quizID); err != nil {
			return dbError(err)
		}
		if q.Attempts > 0 && used >= q.Attempts {
			return Errorf(Conflict, "You have used all %d attempts at this quiz.", q.Attempts)
		}
		pres := present(q)
		pb, _ := json.Marshal(pres)
		now := s.Now()
		var deadline *time.Time
		if q.TimeLimitMinutes > 0 {
			var extra int
			err := tx.GetContext(ctx, &extra, `SELECT extra_time_percent FROM quiz_accommodations WHERE person_id = $1`, p.Person.ID)
			if err != nil && ErrorCode(dbError(err)) != NotFound {
				return dbError(err)
			}
			d := now.Add(time.Duration(q.TimeLimitMinutes) * time.Minute * time.Duration(100+extra) / 100)
			deadline = &d
		}
		var row attemptRow
		if err := tx.GetContext(ctx, &row, `
			WITH a AS (
				INSERT INTO quiz_attempts (org_id, person_id, enrolment_id, quiz_id, number, presented, started_at, deadline_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *)
			SELECT `+attemptColumns+` FROM a JOIN enrolments e ON e.id = a.enrolment_id`,
			p.OrgID(), p.Person.ID, e.ID, quizID, used+1, pb, now, deadline); err != nil {
			return dbError(err)
		}
		started = true
		a, err = s.attemptView(ctx, tx, &row, v)
		return err
	})
	return a, started, err
}

// present orders each question's options for one attempt: shuffled when the quiz says so, and
// always for ordering questions, which never start in the right order.
func present(q *Quiz) []presented {
	out := make([]presented, len(q.Questions))
	for i, qq := range q.Questions {
		ids := make([]string, len(qq.Options))
		for j, o := range qq.Options {
			ids[j] = o.ID
		}
		if qq.Kind == KindOrdering || (q.Shuffle && qq.Kind != KindTrueFalse) {
			for tries := 0; tries < 10; tries++ {
				rand.Shuffle(len(ids), func(a, b int) { ids[a], ids[b] = ids[b], ids[a] })
				if qq.Kind != KindOrdering || len(ids) < 2 || !slices.Equal(ids, qq.Answer) {
					break
				}
			}
			// Ten shuffles of two options all land in order once in 1,024 attempts: swap then.
			if qq.Kind == KindOrdering && len(ids) > 1 && slices.Equal(ids, qq.Answer) {
				ids[0], ids[1] = ids[1], ids[0]
			}
		}
		out[i] = presented{ID: qq.ID, Options: ids}
	}
	return out
}

func (s *Store) attemptView(ctx context.Context, q sqlx.QueryerContext, r *attemptRow, v *CourseVersion) (*Attempt, error) {
	c := v.Content
	quiz, err := c.Quiz(r.QuizID)
	if err != nil {
		return nil, err
	}
	var pres []presented
	if err := json.Unmarshal(r.Presented, &pres); err != nil {
		return nil, err
	}
	a := &Attempt{ID: r.ID, Course: Link{Slug: c.Slug, Title: c.Title}, Number: r.Number, AttemptsAllowed: quiz.Attempts,
		Quiz:      QuizInfo{ID: c.Slug + "." + quiz.ID, Title: quiz.Title, PassMark: quiz.PassMark, TimeLimitMinutes: quiz.TimeLimitMinutes, Review: quiz.Review},
		StartedAt: r.StartedAt, DeadlineAt: r.DeadlineAt, SubmittedAt: r.SubmittedAt, Answers: Answers{}, Questions: []PresentedQuestion{}}
	if err := json.Unmarshal(r.Answers, &a.Answers); err != nil {
		return nil, err
	}
	for _, p := range pres {
		idx := slices.IndexFunc(quiz.Questions, func(qq Question) bool { return qq.ID == p.ID })
		if idx < 0 {
			continue
		}
		qq := quiz.Questions[idx]
		pq := PresentedQuestion{ID: qq.ID, Kind: qq.Kind, Prompt: qq.Prompt, Scenario: qq.Scenario, Options: []Option{}}
		for _, id := range p.Options {
			if j := slices.IndexFunc(qq.Options, func(o Option) bool { return o.ID == id }); j >= 0 {
				pq.Options = append(pq.Options, qq.Options[j])
			}
		}
		a.Questions = append(a.Questions, pq)
	}
	if r.SubmittedAt != nil {
		res, err := s.result(ctx, q, r, quiz)
		if err != nil {
			return nil, err
		}
		a.Result = res
	}
	return a, nil
}

func (s *Store) result(ctx context.Context, q sqlx.QueryerContext, r *attemptRow, quiz *Quiz) (*Result, error) {
	res := &Result{PassMark: quiz.PassMark, TimedOut: r.TimedOut}
	if r.Score != nil {
		res.Score = *r.Score
	}
	if r.Passed != nil {
		res.Passed = *r.Passed
	}
	if err := sqlx.GetContext(ctx, q, &res.AttemptsUsed, `
		SELECT count(*) FROM quiz_attempts WHERE enrolment_id = $1 AND quiz_id = $2`, r.EnrolmentID, r.QuizID); err != nil {
		return nil, dbError(err)
	}
	if quiz.Attempts > 0 {
		left := max(0, quiz.Attempts-res.AttemptsUsed)
		res.AttemptsLeft = &left
	}
	if quiz.Review && len(r.Review) > 0 {
		if err := json.Unmarshal(r.Review, &res.Review); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// loadAttempt returns the caller's own attempt, locked when lock is set. Anyone else's is NotFound.
func (s *Store) loadAttempt(ctx context.Context, q sqlx.QueryerContext, p *Principal, id string, lock bool) (*attemptRow, *CourseVersion, error) {
	query := `SELECT ` + attemptColumns + ` FROM quiz_attempts a JOIN enrolments e ON e.id = a.enrolment_id
		WHERE a.id = $1 AND a.person_id = $2 AND a.org_id = $3`
	if lock {
		query += ` FOR UPDATE OF a`
	}
	var r attemptRow
	if err := sqlx.GetContext(ctx, q, &r, query, id, p.Person.ID, p.OrgID()); err != nil {
		if ErrorCode(dbError(err)) == NotFound || ErrorCode(dbError(err)) == Invalid {
			return nil, nil, Errorf(NotFound, "There is no attempt %s.", id)
		}
		return nil, nil, dbError(err)
	}
	v, err := s.version(ctx, q, r.VersionID)
	if err != nil {
		return nil, nil, err
	}
	return &r, v, nil
}

// FindAttempt returns the caller's attempt, grading it first when its time ran out unsubmitted.
func (s *Store) FindAttempt(ctx context.Context, p *Principal, id string) (*Attempt, error) {
	var a *Attempt
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		r, v, err := s.loadAttempt(ctx, tx, p, id, true)
		if err != nil {
			return err
		}
		if r.SubmittedAt == nil && r.DeadlineAt != nil && !s.Now().Before(*r.DeadlineAt) {
			if _, err := s.grade(ctx, tx, r, v, true); err != nil {
				return err
			}
		}
		a, err = s.attemptView(ctx, tx, r, v)
		return err
	})
	return a, err
}

// SaveAnswers merges answers into an open attempt.
func (s *Store) SaveAnswers(ctx context.Context, p *Principal, id string, answers Answers) (*Attempt, error) {
	var a *Attempt
	var late bool
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		r, v, err := s.loadAttempt(ctx, tx, p, id, true)
		if err != nil {
			return err
		}
		quiz, err := v.Content.Quiz(r.QuizID)
		if err != nil {
			return err
		}
		if r.SubmittedAt != nil {
			return Errorf(Conflict, "This attempt was already submitted.")
		}
		if r.DeadlineAt != nil && !s.Now().Before(*r.DeadlineAt) {
			late = true
			_, err := s.grade(ctx, tx, r, v, true)
			return err
		}
		if err := CheckAnswers(quiz, answers).Err(); err != nil {
			return err
		}
		merged, err := merge(r.Answers, answers)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE quiz_attempts SET answers = $2 WHERE id = $1`, r.ID, merged); err != nil {
			return dbError(err)
		}
		r.Answers = merged
		a, err = s.attemptView(ctx, tx, r, v)
		return err
	})
	if err == nil && late {
		return nil, Errorf(Conflict, "Time is up: this attempt was graded with the answers saved before the deadline.")
	}
	return a, err
}

func merge(saved json.RawMessage, answers Answers) (json.RawMessage, error) {
	all := Answers{}
	if err := json.Unmarshal(saved, &all); err != nil {
		return nil, err
	}
	for k, v := range answers {
		all[k] = v
	}
	return json.Marshal(all)
}

// SubmitAttempt merges any final answers, grades the attempt once and, when that completes the
// course, records the completion in the same transaction.
func (s *Store) SubmitAttempt(ctx context.Context, p *Principal, id string, answers Answers) (*Result, error) {
	var res *Result
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		r, v, err := s.loadAttempt(ctx, tx, p, id, true)
		if err != nil {
			return err
		}
		quiz, err := v.Content.Quiz(r.QuizID)
		if err != nil {
			return err
		}
		if r.SubmittedAt != nil {
			return Errorf(Conflict, "This attempt was already submitted; it was graded once.")
		}
		timedOut := r.DeadlineAt != nil && !s.Now().Before(*r.DeadlineAt)
		if !timedOut && len(answers) > 0 {
			if err := CheckAnswers(quiz, answers).Err(); err != nil {
				return err
			}
			if r.Answers, err = merge(r.Answers, answers); err != nil {
				return err
			}
		}
		completed, err := s.grade(ctx, tx, r, v, timedOut)
		if err != nil {
			return err
		}
		res, err = s.result(ctx, tx, r, quiz)
		if err != nil {
			return err
		}
		res.CourseCompleted = completed
		return nil
	})
	return res, err
}

// grade scores an attempt with its saved answers and closes it, then checks course completion.
func (s *Store) grade(ctx context.Context, tx *sqlx.Tx, r *attemptRow, v *CourseVersion, timedOut bool) (bool, error) {
	quiz, err := v.Content.Quiz(r.QuizID)
	if err != nil {
		return false, err
	}
	var ans Answers
	if err := json.Unmarshal(r.Answers, &ans); err != nil {
		return false, err
	}
	g := GradeQuiz(quiz, ans)
	review, _ := json.Marshal(g.Review)
	now := s.Now()
	if _, err := tx.ExecContext(ctx, `
		UPDATE quiz_attempts SET answers = $2, submitted_at = $3, score = $4, passed = $5, review = $6, timed_out = $7
		WHERE id = $1`, r.ID, r.Answers, now, g.Score, g.Passed, review, timedOut); err != nil {
		return false, dbError(err)
	}
	r.SubmittedAt, r.Score, r.Passed, r.Review, r.TimedOut = &now, &g.Score, &g.Passed, review, timedOut
	var e enrolment
	if err := tx.GetContext(ctx, &e, `
		SELECT id, org_id, person_id, course_id, course_version_id, completed_at FROM enrolments WHERE id = $1 FOR UPDATE`,
		r.EnrolmentID); err != nil {
		return false, dbError(err)
	}
	return s.completeIfDone(ctx, tx, &e, v)
}

// expireAttempts grades the person's attempts at a quiz whose time ran out unsubmitted.
func (s *Store) expireAttempts(ctx context.Context, tx *sqlx.Tx, e *enrolment, v *CourseVersion, quizID string) error {
	var rows []attemptRow
	if err := tx.SelectContext(ctx, &rows, `SELECT `+attemptColumns+` FROM quiz_attempts a JOIN enrolments e ON e.id = a.enrolment_id
		WHERE a.enrolment_id = $1 AND a.quiz_id = $2 AND a.submitted_at IS NULL AND a.deadline_at <= $3
		FOR UPDATE OF a`, e.ID, quizID, s.Now()); err != nil {
		return dbError(err)
	}
	for i := range rows {
		if _, err := s.grade(ctx, tx, &rows[i], v, true); err != nil {
			return err
		}
	}
	return nil
}

// FindAttempts returns the caller's attempts at a quiz, newest first.
func (s *Store) FindAttempts(ctx context.Context, p *Principal, ref string) ([]AttemptSummary, error) {
	slug, quizID, err := splitRef(ref)
	if err != nil {
		return nil, err
	}
	out := []AttemptSummary{}
	err = s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		r, v, err := s.findCourseRef(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		if _, err := v.Content.Quiz(quizID); err != nil {
			return err
		}
		if !r.Enrolment.Valid {
			return nil
		}
		return dbError(tx.SelectContext(ctx, &out, `
			SELECT id, number, started_at, submitted_at, score, passed FROM quiz_attempts
			WHERE enrolment_id = $1 AND quiz_id = $2 AND person_id = $3 ORDER BY number DESC`, r.Enrolment.String, quizID, p.Person.ID))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SetExtraTime grants a person of the caller's organisation extra time on timed quizzes.
func (s *Store) SetExtraTime(ctx context.Context, p *Principal, personID string, percent int) error {
	if percent < 0 || percent > 300 {
		return FieldError("percent", "Use a whole number from 0 to 300.")
	}
	return s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		var ok bool
		if err := tx.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM people WHERE id::text = $1 AND org_id = $2)`, personID, p.OrgID()); err != nil {
			return dbError(err)
		}
		if !ok {
			return Errorf(NotFound, "There is no person %s in your organisation.", personID)
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO quiz_accommodations (org_id, person_id, extra_time_percent, granted_by, updated_at)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (person_id) DO UPDATE SET extra_time_percent = EXCLUDED.extra_time_percent,
				granted_by = EXCLUDED.granted_by, updated_at = EXCLUDED.updated_at`,
			p.OrgID(), personID, percent, p.Person.ID, s.Now())
		return dbError(err)
	})
}

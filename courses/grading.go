package courses

import (
	"encoding/json"
	"math"
	"slices"
)

// Answers maps question ids to chosen option ids.
type Answers map[string][]string

// QuestionReview is the verdict on one question after grading.
type QuestionReview struct {
	QuestionID    string   `json:"question_id"`
	Correct       bool     `json:"correct"`
	Credit        float64  `json:"credit"`
	Answer        []string `json:"answer"`
	CorrectAnswer []string `json:"correct_answer"`
	Feedback      string   `json:"feedback"`
}

// Grade is a quiz attempt's outcome.
type Grade struct {
	Score  float64          // percent, two decimals
	Passed bool             //
	Review []QuestionReview // in question order
}

// CheckAnswers returns a field error per answer whose shape does not fit its question: an unknown
// question, an unknown option, two options for a single-choice question, or an ordering that is
// not every option once. An empty answer is allowed (unanswered).
func CheckAnswers(q *Quiz, a Answers) Fields {
	f := Fields{}
	byID := map[string]*Question{}
	for i := range q.Questions {
		byID[q.Questions[i].ID] = &q.Questions[i]
	}
	for qid, picked := range a {
		field := "answers." + qid
		qq, ok := byID[qid]
		if !ok {
			f.Add(field, "There is no question "+qid+" in this quiz.")
			continue
		}
		if len(picked) == 0 {
			continue
		}
		for _, id := range picked {
			if !slices.ContainsFunc(qq.Options, func(o Option) bool { return o.ID == id }) {
				f.Add(field, "Question "+qid+" has no option "+id+".")
			}
		}
		if _, bad := f[field]; bad {
			continue
		}
		if dup := duplicate(picked); dup != "" {
			f.Add(field, "Question "+qid+": option "+dup+" is chosen twice.")
			continue
		}
		switch qq.Kind {
		case KindSingle, KindScenario, KindTrueFalse:
			if len(picked) > 1 {
				f.Add(field, "Question "+qid+" takes one answer.")
			}
		case KindOrdering:
			if len(picked) != len(qq.Options) {
				f.Add(field, "Question "+qid+": put every option in order.")
			}
		}
	}
	return f
}

func duplicate(ids []string) string {
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			return id
		}
		seen[id] = true
	}
	return ""
}

// Credit scores one answer from 0 to 1 (see docs/api.md, "Grading").
func Credit(q *Question, picked []string) float64 {
	switch q.Kind {
	case KindSingle, KindScenario, KindTrueFalse:
		if len(picked) == 1 && len(q.Answer) == 1 && picked[0] == q.Answer[0] {
			return 1
		}
		return 0
	case KindMultiple:
		if len(q.Answer) == 0 {
			return 0
		}
		// An option picked twice counts once, so the credit stays within 0 to 1 even for answers
		// that never went through CheckAnswers.
		right, wrong := 0, 0
		seen := make(map[string]bool, len(picked))
		for _, id := range picked {
			if seen[id] {
				continue
			}
			seen[id] = true
			if slices.Contains(q.Answer, id) {
				right++
			} else {
				wrong++
			}
		}
		return math.Max(0, float64(right-wrong)/float64(len(q.Answer)))
	case KindOrdering:
		if len(picked) != len(q.Answer) || len(q.Answer) < 2 {
			return 0
		}
		pos := map[string]int{}
		for i, id := range q.Answer {
			pos[id] = i
		}
		kept := 0
		for i := 0; i+1 < len(picked); i++ {
			a, okA := pos[picked[i]]
			b, okB := pos[picked[i+1]]
			if okA && okB && b == a+1 {
				kept++
			}
		}
		return float64(kept) / float64(len(q.Answer)-1)
	}
	return 0
}

// GradeQuiz grades answers against a quiz. The score is the mean credit as a percentage.
func GradeQuiz(q *Quiz, a Answers) Grade {
	g := Grade{Review: make([]QuestionReview, 0, len(q.Questions))}
	total := 0.0
	for i := range q.Questions {
		qq := &q.Questions[i]
		picked := a[qq.ID]
		c := Credit(qq, picked)
		total += c
		if picked == nil {
			picked = []string{}
		}
		g.Review = append(g.Review, QuestionReview{QuestionID: qq.ID, Correct: c == 1, Credit: math.Round(c*100) / 100,
			Answer: picked, CorrectAnswer: qq.Answer, Feedback: qq.Feedback})
	}
	if len(q.Questions) > 0 {
		g.Score = math.Round(total/float64(len(q.Questions))*10000) / 100
	}
	g.Passed = g.Score >= float64(q.PassMark)
	return g
}

// UnmarshalJSON reads answers and names each question whose answer is not a list of option ids,
// so a client learns which question it got wrong, not just that something was.
func (a *Answers) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make(Answers, len(raw))
	f := Fields{}
	for qid, v := range raw {
		var ids []string
		if err := json.Unmarshal(v, &ids); err != nil {
			f.Add("answers."+qid, `Question `+qid+`: give a list of option ids, like ["a"].`)
			continue
		}
		out[qid] = ids
	}
	if err := f.Err(); err != nil {
		return err
	}
	*a = out
	return nil
}

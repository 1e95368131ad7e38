package courses

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jmoiron/sqlx"
)

// ScenarioNodeView is a decision point as a learner sees it: choices without their quality.
type ScenarioNodeView struct {
	ID      string       `json:"id"`
	Text    string       `json:"text"`
	Choices []ChoiceView `json:"choices"`
}

// ChoiceView is a choice before it is made.
type ChoiceView struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// ScenarioStep is one recorded decision.
type ScenarioStep struct {
	Node        string    `json:"node"`
	Choice      string    `json:"choice"`
	ChoiceText  string    `json:"choice_text"`
	Quality     string    `json:"quality"`
	Consequence string    `json:"consequence"`
	Feedback    string    `json:"feedback"`
	At          time.Time `json:"at"`
}

// ScenarioRun is a learner's way through a scenario so far.
type ScenarioRun struct {
	ID       string            `json:"id"`
	Current  *ScenarioNodeView `json:"current"`
	Finished bool              `json:"finished"`
	Path     []ScenarioStep    `json:"path"`
}

// ScenarioView is a scenario, where it starts, and the caller's newest run.
type ScenarioView struct {
	ID             string           `json:"id"`
	Title          string           `json:"title"`
	Summary        string           `json:"summary"`
	ContentWarning string           `json:"content_warning"`
	Module         string           `json:"module"`
	Course         Link             `json:"course"`
	Start          ScenarioNodeView `json:"start"`
	Run            *ScenarioRun     `json:"run"`
}

// ChoiceResult is what a decision led to.
type ChoiceResult struct {
	RunID    string            `json:"run_id"`
	Step     ScenarioStep      `json:"step"`
	Next     *ScenarioNodeView `json:"next"`
	Finished bool              `json:"finished"`
}

// ScenarioListItem is a scenario on a course's list.
type ScenarioListItem struct {
	ID             string `json:"id"`
	Title          string `json:"title"`
	Summary        string `json:"summary"`
	ContentWarning string `json:"content_warning"`
	Module         string `json:"module"`
	Runs           int    `json:"runs"`
	FinishedRuns   int    `json:"finished_runs"`
}

func nodeView(sc *Scenario, id string) *ScenarioNodeView {
	for _, n := range sc.Nodes {
		if n.ID == id {
			v := &ScenarioNodeView{ID: n.ID, Text: n.Text, Choices: []ChoiceView{}}
			for _, c := range n.Choices {
				v.Choices = append(v.Choices, ChoiceView{ID: c.ID, Text: c.Text})
			}
			return v
		}
	}
	return nil
}

type runRow struct {
	ID          string          `db:"id"`
	Path        json.RawMessage `db:"path"`
	CurrentNode *string         `db:"current_node"`
	FinishedAt  *time.Time      `db:"finished_at"`
}

func (r *runRow) view(sc *Scenario) (*ScenarioRun, error) {
	run := &ScenarioRun{ID: r.ID, Finished: r.FinishedAt != nil, Path: []ScenarioStep{}}
	if err := json.Unmarshal(r.Path, &run.Path); err != nil {
		return nil, err
	}
	if r.CurrentNode != nil {
		run.Current = nodeView(sc, *r.CurrentNode)
	}
	return run, nil
}

// FindScenarios lists a course's scenarios with how often the caller has played each.
func (s *Store) FindScenarios(ctx context.Context, p *Principal, slug string) ([]ScenarioListItem, error) {
	var v *CourseVersion
	counts := map[string][2]int{}
	err := s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		ref, ver, err := s.findCourseRef(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		v = ver
		if !ref.Enrolment.Valid {
			return nil
		}
		var rows []struct {
			ID       string `db:"scenario_id"`
			Runs     int    `db:"runs"`
			Finished int    `db:"finished"`
		}
		if err := tx.SelectContext(ctx, &rows, `
			SELECT scenario_id, count(*) AS runs, count(finished_at) AS finished FROM scenario_runs
			WHERE enrolment_id = $1 AND person_id = $2 GROUP BY scenario_id`, ref.Enrolment.String, p.Person.ID); err != nil {
			return dbError(err)
		}
		for _, r := range rows {
			counts[r.ID] = [2]int{r.Runs, r.Finished}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := []ScenarioListItem{}
	for _, sc := range v.Content.Scenarios {
		n := counts[sc.ID]
		out = append(out, ScenarioListItem{ID: v.Content.Slug + "." + sc.ID, Title: sc.Title, Summary: sc.Summary,
			ContentWarning: sc.ContentWarning, Module: sc.Module, Runs: n[0], FinishedRuns: n[1]})
	}
	return out, nil
}

// FindScenario returns a scenario ("course-slug.scenario-id") with the caller's newest run.
func (s *Store) FindScenario(ctx context.Context, p *Principal, id string) (*ScenarioView, error) {
	slug, scID, err := splitRef(id)
	if err != nil {
		return nil, err
	}
	var view *ScenarioView
	err = s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		ref, v, err := s.findCourseRef(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		sc, err := v.Content.Scenario(scID)
		if err != nil {
			return err
		}
		view = &ScenarioView{ID: id, Title: sc.Title, Summary: sc.Summary, ContentWarning: sc.ContentWarning, Module: sc.Module,
			Course: Link{Slug: v.Content.Slug, Title: v.Content.Title}, Start: *nodeView(sc, sc.Start)}
		if !ref.Enrolment.Valid {
			return nil
		}
		var rows []runRow
		if err := tx.SelectContext(ctx, &rows, `
			SELECT id, path, current_node, finished_at FROM scenario_runs
			WHERE enrolment_id = $1 AND person_id = $2 AND scenario_id = $3
				AND (current_node IS NOT NULL OR finished_at IS NOT NULL)
			ORDER BY started_at DESC LIMIT 1`,
			ref.Enrolment.String, p.Person.ID, scID); err != nil {
			return dbError(err)
		}
		if len(rows) > 0 {
			view.Run, err = rows[0].view(sc)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return view, nil
}

// ChooseInScenario records a decision. A choice at the start node begins a new run; any other
// node must be where the caller's current run stands.
func (s *Store) ChooseInScenario(ctx context.Context, p *Principal, id, nodeID, choiceID string) (*ChoiceResult, error) {
	slug, scID, err := splitRef(id)
	if err != nil {
		return nil, err
	}
	var res *ChoiceResult
	err = s.tx(ctx, p.OrgID(), func(tx *sqlx.Tx) error {
		e, v, err := s.enrol(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		sc, err := v.Content.Scenario(scID)
		if err != nil {
			return err
		}
		var node *ScenarioNode
		for i := range sc.Nodes {
			if sc.Nodes[i].ID == nodeID {
				node = &sc.Nodes[i]
			}
		}
		if node == nil {
			return FieldError("node", "There is no point "+nodeID+" in this scenario.")
		}
		var choice *ScenarioChoice
		for i := range node.Choices {
			if node.Choices[i].ID == choiceID {
				choice = &node.Choices[i]
			}
		}
		if choice == nil {
			return FieldError("choice", "There is no choice "+choiceID+" at this point.")
		}
		var run runRow
		err = tx.GetContext(ctx, &run, `
			SELECT id, path, current_node, finished_at FROM scenario_runs
			WHERE enrolment_id = $1 AND person_id = $2 AND scenario_id = $3 AND current_node IS NOT NULL
			ORDER BY started_at DESC LIMIT 1 FOR UPDATE`, e.ID, p.Person.ID, scID)
		open := err == nil
		if err != nil && ErrorCode(dbError(err)) != NotFound {
			return dbError(err)
		}
		now := s.Now()
		atStart := open && *run.CurrentNode == sc.Start
		switch {
		case nodeID == sc.Start && !atStart:
			if open {
				// Starting over sets the unfinished run aside; its path so far stays recorded.
				if _, err := tx.ExecContext(ctx, `UPDATE scenario_runs SET current_node = NULL WHERE id = $1`, run.ID); err != nil {
					return dbError(err)
				}
			}
			if err := tx.GetContext(ctx, &run, `
				INSERT INTO scenario_runs (org_id, person_id, enrolment_id, scenario_id, current_node, started_at)
				VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, path, current_node, finished_at`,
				p.OrgID(), p.Person.ID, e.ID, scID, sc.Start, now); err != nil {
				return dbError(err)
			}
		case nodeID != sc.Start && (!open || *run.CurrentNode != nodeID):
			return Errorf(Conflict, "Your scenario is not at that point any more. Reload to continue where you are.")
		}
		step := ScenarioStep{Node: nodeID, Choice: choiceID, ChoiceText: choice.Text, Quality: choice.Quality,
			Consequence: choice.Consequence, Feedback: choice.Feedback, At: now}
		var path []ScenarioStep
		if err := json.Unmarshal(run.Path, &path); err != nil {
			return err
		}
		path = append(path, step)
		pb, _ := json.Marshal(path)
		var next any
		var finished any
		if choice.Next != "" {
			next = choice.Next
		} else {
			finished = now
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE scenario_runs SET path = $2, current_node = $3, finished_at = $4 WHERE id = $1`,
			run.ID, pb, next, finished); err != nil {
			return dbError(err)
		}
		res = &ChoiceResult{RunID: run.ID, Step: step, Finished: choice.Next == ""}
		if choice.Next != "" {
			res.Next = nodeView(sc, choice.Next)
		}
		return nil
	})
	return res, err
}

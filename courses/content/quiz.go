package content

import (
	"io/fs"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"peerpath/courses"
)

func (l *loader) quiz(file string) *courses.Quiz {
	data, err := fs.ReadFile(l.fsys, file)
	if err != nil {
		l.add(file, 0, "%v", err)
		return nil
	}
	var rq rawQuiz
	if !l.parse(file, data, 0, &rq) {
		return nil
	}
	line := func(k string) int { return rq.lines[k] }
	q := &courses.Quiz{ID: rq.ID, Title: strings.TrimSpace(rq.Title), Shuffle: rq.Shuffle, TimeLimitMinutes: rq.TimeLimitMinutes, Review: true}
	if !idRE.MatchString(q.ID) {
		l.add(file, line("id"), "quiz id %q: use letters, digits, hyphens and underscores", q.ID)
	}
	if q.Title == "" {
		l.add(file, line("title"), "title is required")
	}
	switch {
	case rq.PassMark == nil:
		l.add(file, 1, "pass_mark is required (a percentage from 1 to 100)")
	case *rq.PassMark < 1 || *rq.PassMark > 100:
		l.add(file, line("pass_mark"), "pass_mark %d is out of range: use 1 to 100", *rq.PassMark)
	default:
		q.PassMark = *rq.PassMark
	}
	if rq.Attempts != nil {
		if *rq.Attempts < 0 || *rq.Attempts > 20 {
			l.add(file, line("attempts"), "attempts %d is out of range: use 1 to 20, or 0 for unlimited", *rq.Attempts)
		}
		q.Attempts = *rq.Attempts
	}
	if q.TimeLimitMinutes < 0 || q.TimeLimitMinutes > 600 {
		l.add(file, line("time_limit_minutes"), "time_limit_minutes must be from 0 (untimed) to 600")
	}
	if rq.Review != nil {
		q.Review = *rq.Review
	}
	if len(rq.Questions) == 0 {
		l.add(file, line("questions"), "a quiz needs at least one question")
	}
	ids := map[string]bool{}
	for _, rqq := range rq.Questions {
		if ids[rqq.ID] {
			l.add(file, rqq.Line, "question id %q is used twice", rqq.ID)
		}
		ids[rqq.ID] = true
		if qq := l.question(file, rqq); qq != nil {
			q.Questions = append(q.Questions, *qq)
		}
	}
	return q
}

func (l *loader) question(file string, r rawQuestion) *courses.Question {
	q := &courses.Question{ID: r.ID, Kind: courses.QuestionKind(r.Kind), Prompt: strings.TrimSpace(r.Prompt),
		Scenario: strings.TrimSpace(r.Scenario), Feedback: strings.TrimSpace(r.Feedback)}
	at := r.Line
	name := "question " + r.ID
	if !idRE.MatchString(r.ID) {
		l.add(file, at, "question id %q: use letters, digits, hyphens and underscores", r.ID)
	}
	if q.Prompt == "" {
		l.add(file, at, "%s: prompt is required", name)
	}
	if q.Feedback == "" {
		l.add(file, at, "%s: feedback is required (say why the answer is right)", name)
	}
	optIDs := map[string]bool{}
	for _, o := range r.Options {
		switch {
		case !idRE.MatchString(o.ID):
			l.add(file, o.Line, "%s: option id %q is not valid", name, o.ID)
		case optIDs[o.ID]:
			l.add(file, o.Line, "%s: option id %q is used twice", name, o.ID)
		}
		if strings.TrimSpace(o.Text) == "" {
			l.add(file, o.Line, "%s: option %q has no text", name, o.ID)
		}
		optIDs[o.ID] = true
		q.Options = append(q.Options, courses.Option{ID: o.ID, Text: strings.TrimSpace(o.Text)})
	}
	ansLine := r.Answer.Line
	if ansLine == 0 {
		ansLine = at
	}
	if r.Answer.Kind == 0 {
		l.add(file, at, "%s: answer is required", name)
		return nil
	}
	inOptions := func(ids []string) bool {
		ok := true
		for _, id := range ids {
			if !optIDs[id] {
				l.add(file, ansLine, "%s: answer %q is not one of the options", name, id)
				ok = false
			}
		}
		return ok
	}
	switch q.Kind {
	case courses.KindSingle, courses.KindScenario:
		if len(r.Options) < 2 {
			l.add(file, at, "%s: a %s question needs at least two options", name, q.Kind)
		}
		if q.Kind == courses.KindScenario && q.Scenario == "" {
			l.add(file, at, "%s: a scenario question needs a scenario (the situation)", name)
		}
		if r.Answer.Kind != yaml.ScalarNode {
			l.add(file, ansLine, "%s: the answer of a %s question is one option id", name, q.Kind)
			return nil
		}
		q.Answer = []string{r.Answer.Value}
		inOptions(q.Answer)
	case courses.KindMultiple:
		if len(r.Options) < 2 {
			l.add(file, at, "%s: a multiple question needs at least two options", name)
		}
		var ans []string
		if r.Answer.Kind != yaml.SequenceNode || r.Answer.Decode(&ans) != nil || len(ans) == 0 {
			l.add(file, ansLine, "%s: the answer of a multiple question is a list of option ids, like [a, c]", name)
			return nil
		}
		if dup := firstDuplicate(ans); dup != "" {
			l.add(file, ansLine, "%s: answer %q is listed twice", name, dup)
		}
		q.Answer = ans
		inOptions(ans)
	case courses.KindTrueFalse:
		if len(r.Options) > 0 {
			l.add(file, at, "%s: a true_false question has no options", name)
		}
		var b bool
		if r.Answer.Kind != yaml.ScalarNode || r.Answer.Decode(&b) != nil {
			l.add(file, ansLine, "%s: the answer of a true_false question is true or false", name)
			return nil
		}
		q.Options = []courses.Option{{ID: "true", Text: "True"}, {ID: "false", Text: "False"}}
		q.Answer = []string{map[bool]string{true: "true", false: "false"}[b]}
	case courses.KindOrdering:
		var ans []string
		if r.Answer.Kind != yaml.SequenceNode || r.Answer.Decode(&ans) != nil {
			l.add(file, ansLine, "%s: the answer of an ordering question is every option id in order", name)
			return nil
		}
		if len(r.Options) < 2 {
			l.add(file, at, "%s: an ordering question needs at least two options", name)
		}
		if dup := firstDuplicate(ans); dup != "" {
			l.add(file, ansLine, "%s: answer %q is listed twice", name, dup)
		}
		if inOptions(ans) && len(ans) != len(r.Options) {
			l.add(file, ansLine, "%s: the answer must list all %d options in order, not %d", name, len(r.Options), len(ans))
		}
		q.Answer = ans
	default:
		l.add(file, at, "%s: unknown kind %q (use single, multiple, true_false, ordering or scenario)", name, r.Kind)
		return nil
	}
	return q
}

func firstDuplicate(ids []string) string {
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			return id
		}
		seen[id] = true
	}
	return ""
}

var qualities = []string{"best", "acceptable", "poor"}

func (l *loader) scenario(file string, modules map[string]bool) *courses.Scenario {
	data, err := fs.ReadFile(l.fsys, file)
	if err != nil {
		l.add(file, 0, "%v", err)
		return nil
	}
	var rs rawScenario
	if !l.parse(file, data, 0, &rs) {
		return nil
	}
	line := func(k string) int { return rs.lines[k] }
	s := &courses.Scenario{ID: rs.ID, Title: strings.TrimSpace(rs.Title), Module: rs.Module, Summary: strings.TrimSpace(rs.Summary),
		ContentWarning: strings.TrimSpace(rs.ContentWarning), Start: rs.Start}
	if !idRE.MatchString(s.ID) {
		l.add(file, line("id"), "scenario id %q is not valid", s.ID)
	}
	if s.Title == "" {
		l.add(file, line("title"), "title is required")
	}
	if !modules[s.Module] {
		l.add(file, line("module"), "module %q is not a module of this course", s.Module)
	}
	nodes := map[string]rawNode{}
	for _, n := range rs.Nodes {
		if _, dup := nodes[n.ID]; dup {
			l.add(file, n.Line, "node id %q is used twice", n.ID)
		}
		nodes[n.ID] = n
	}
	if _, ok := nodes[s.Start]; !ok {
		l.add(file, line("start"), "start %q is not a node", s.Start)
		return nil
	}
	for _, n := range rs.Nodes {
		if strings.TrimSpace(n.Text) == "" {
			l.add(file, n.Line, "node %q has no text", n.ID)
		}
		if len(n.Choices) < 2 || len(n.Choices) > 4 {
			l.add(file, n.Line, "node %q needs 2 to 4 choices", n.ID)
		}
		choiceIDs := map[string]bool{}
		node := courses.ScenarioNode{ID: n.ID, Text: strings.TrimSpace(n.Text)}
		for _, c := range n.Choices {
			if choiceIDs[c.ID] || !idRE.MatchString(c.ID) {
				l.add(file, c.Line, "node %q: choice id %q is missing, not valid or used twice", n.ID, c.ID)
			}
			choiceIDs[c.ID] = true
			if !slices.Contains(qualities, c.Quality) {
				l.add(file, c.Line, "choice %q: quality must be best, acceptable or poor", c.ID)
			}
			if strings.TrimSpace(c.Text) == "" || strings.TrimSpace(c.Consequence) == "" || strings.TrimSpace(c.Feedback) == "" {
				l.add(file, c.Line, "choice %q needs text, consequence and feedback", c.ID)
			}
			if _, ok := nodes[c.Next]; c.Next != "" && !ok {
				l.add(file, c.Line, "choice %q: next %q is not a node", c.ID, c.Next)
			}
			node.Choices = append(node.Choices, courses.ScenarioChoice{ID: c.ID, Text: strings.TrimSpace(c.Text), Quality: c.Quality,
				Consequence: strings.TrimSpace(c.Consequence), Feedback: strings.TrimSpace(c.Feedback), Next: c.Next})
		}
		s.Nodes = append(s.Nodes, node)
	}
	// Every node must be reachable from the start, and no path may loop.
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(id string) bool
	visit = func(id string) bool {
		switch state[id] {
		case 1:
			l.add(file, nodes[id].Line, "node %q is part of a loop: a scenario must always move forward", id)
			return false
		case 2:
			return true
		}
		state[id] = 1
		for _, c := range nodes[id].Choices {
			if _, ok := nodes[c.Next]; ok && !visit(c.Next) {
				return false
			}
		}
		state[id] = 2
		return true
	}
	if visit(s.Start) {
		for _, n := range rs.Nodes {
			if state[n.ID] == 0 {
				l.add(file, n.Line, "node %q cannot be reached from the start", n.ID)
			}
		}
	}
	return s
}

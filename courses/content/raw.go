package content

import (
	"errors"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The raw types mirror the files. Types with a lines map or Line field record where they were
// written, so problems found after decoding still name a line.

type keyLines map[string]int

func linesOf(n *yaml.Node) keyLines {
	out := keyLines{}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			out[n.Content[i].Value] = n.Content[i].Line
		}
	}
	return out
}

type rawCourse struct {
	Slug                  string   `yaml:"slug"`
	Title                 string   `yaml:"title"`
	Summary               string   `yaml:"summary"`
	Audience              string   `yaml:"audience"`
	Version               int      `yaml:"version"`
	EstimatedHours        float64  `yaml:"estimated_hours"`
	RecertificationMonths int      `yaml:"recertification_months"`
	Competencies          []string `yaml:"competencies"`
	Completion            struct {
		Modules  string `yaml:"modules"`
		Quizzes  string `yaml:"quizzes"`
		Roleplay bool   `yaml:"roleplay"`
	} `yaml:"completion"`
	lines keyLines
}

func (r *rawCourse) UnmarshalYAML(n *yaml.Node) error {
	type plain rawCourse
	r.lines = linesOf(n)
	return n.Decode((*plain)(r))
}

type rawModule struct {
	Slug           string      `yaml:"slug"`
	Title          string      `yaml:"title"`
	Minutes        int         `yaml:"minutes"`
	Objectives     []string    `yaml:"objectives"`
	Tags           []string    `yaml:"tags"`
	ContentWarning string      `yaml:"content_warning"`
	Reflection     []rawPrompt `yaml:"reflection"`
	Quiz           string      `yaml:"quiz"`
	lines          keyLines
}

func (r *rawModule) UnmarshalYAML(n *yaml.Node) error {
	type plain rawModule
	r.lines = linesOf(n)
	return n.Decode((*plain)(r))
}

type rawPrompt struct {
	ID     string `yaml:"id"`
	Prompt string `yaml:"prompt"`
	Line   int    `yaml:"-"`
}

func (r *rawPrompt) UnmarshalYAML(n *yaml.Node) error {
	type plain rawPrompt
	r.Line = n.Line
	return n.Decode((*plain)(r))
}

type rawQuiz struct {
	ID               string        `yaml:"id"`
	Title            string        `yaml:"title"`
	PassMark         *int          `yaml:"pass_mark"`
	Attempts         *int          `yaml:"attempts"`
	Shuffle          bool          `yaml:"shuffle"`
	TimeLimitMinutes int           `yaml:"time_limit_minutes"`
	Review           *bool         `yaml:"review"`
	Questions        []rawQuestion `yaml:"questions"`
	lines            keyLines
}

func (r *rawQuiz) UnmarshalYAML(n *yaml.Node) error {
	type plain rawQuiz
	r.lines = linesOf(n)
	return n.Decode((*plain)(r))
}

type rawQuestion struct {
	ID       string      `yaml:"id"`
	Kind     string      `yaml:"kind"`
	Prompt   string      `yaml:"prompt"`
	Scenario string      `yaml:"scenario"`
	Options  []rawOption `yaml:"options"`
	Answer   yaml.Node   `yaml:"answer"`
	Feedback string      `yaml:"feedback"`
	Line     int         `yaml:"-"`
}

func (r *rawQuestion) UnmarshalYAML(n *yaml.Node) error {
	type plain rawQuestion
	r.Line = n.Line
	return n.Decode((*plain)(r))
}

type rawOption struct {
	ID   string `yaml:"id"`
	Text string `yaml:"text"`
	Line int    `yaml:"-"`
}

func (r *rawOption) UnmarshalYAML(n *yaml.Node) error {
	type plain rawOption
	r.Line = n.Line
	return n.Decode((*plain)(r))
}

type rawScenario struct {
	ID             string    `yaml:"id"`
	Title          string    `yaml:"title"`
	Module         string    `yaml:"module"`
	Summary        string    `yaml:"summary"`
	ContentWarning string    `yaml:"content_warning"`
	Start          string    `yaml:"start"`
	Nodes          []rawNode `yaml:"nodes"`
	lines          keyLines
}

func (r *rawScenario) UnmarshalYAML(n *yaml.Node) error {
	type plain rawScenario
	r.lines = linesOf(n)
	return n.Decode((*plain)(r))
}

type rawNode struct {
	ID      string      `yaml:"id"`
	Text    string      `yaml:"text"`
	Choices []rawChoice `yaml:"choices"`
	Line    int         `yaml:"-"`
}

func (r *rawNode) UnmarshalYAML(n *yaml.Node) error {
	type plain rawNode
	r.Line = n.Line
	return n.Decode((*plain)(r))
}

type rawChoice struct {
	ID          string `yaml:"id"`
	Text        string `yaml:"text"`
	Quality     string `yaml:"quality"`
	Consequence string `yaml:"consequence"`
	Feedback    string `yaml:"feedback"`
	Next        string `yaml:"next"`
	Line        int    `yaml:"-"`
}

func (r *rawChoice) UnmarshalYAML(n *yaml.Node) error {
	type plain rawChoice
	r.Line = n.Line
	return n.Decode((*plain)(r))
}

type rawRubric struct {
	Criteria []rawCriterion `yaml:"criteria"`
}

type rawCriterion struct {
	ID          string         `yaml:"id"`
	Title       string         `yaml:"title"`
	Description string         `yaml:"description"`
	Levels      map[int]string `yaml:"levels"`
	Line        int            `yaml:"-"`
}

func (r *rawCriterion) UnmarshalYAML(n *yaml.Node) error {
	type plain rawCriterion
	r.Line = n.Line
	return n.Decode((*plain)(r))
}

type rawCard struct {
	ID             string            `yaml:"id"`
	Title          string            `yaml:"title"`
	Setting        string            `yaml:"setting"`
	ContentWarning string            `yaml:"content_warning"`
	Roles          map[string]string `yaml:"roles"`
	Shared         string            `yaml:"shared"`
	Briefs         map[string]string `yaml:"briefs"`
	Rubric         []string          `yaml:"rubric"`
	Anchors        map[string]string `yaml:"anchors"`
	lines          keyLines
}

func (r *rawCard) UnmarshalYAML(n *yaml.Node) error {
	type plain rawCard
	r.lines = linesOf(n)
	return n.Decode((*plain)(r))
}

// unknownKeys reports mapping keys that v's type has no field for: a misspelt key would
// otherwise be silently ignored.
func (l *loader) unknownKeys(file string, offset int, n *yaml.Node, v any) {
	l.walkKeys(file, offset, n, reflect.TypeOf(v))
}

func (l *loader) walkKeys(file string, offset int, n *yaml.Node, t reflect.Type) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == reflect.TypeOf(yaml.Node{}):
		return
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		for _, item := range n.Content {
			l.walkKeys(file, offset, item, t.Elem())
		}
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		fields := map[string]reflect.Type{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name != "" && name != "-" {
				fields[name] = f.Type
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			ft, ok := fields[k.Value]
			if !ok {
				l.add(file, offset+k.Line, "unknown key %q", k.Value)
				continue
			}
			l.walkKeys(file, offset, n.Content[i+1], ft)
		}
	}
}

var lineRE = regexp.MustCompile(`line (\d+)`)

func yamlErrorLine(err error) int {
	if m := lineRE.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

func lineOf(msg string) int { return yamlErrorLine(errors.New(msg)) }

// cleanYAMLError drops the library's "yaml: line N:" prefix: the line is reported separately.
func cleanYAMLError(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "yaml: ")
	s = lineRE.ReplaceAllString(s, "")
	s = strings.TrimLeft(s, ": ")
	return s
}

func asTypeError(err error, target **yaml.TypeError) bool { return errors.As(err, target) }

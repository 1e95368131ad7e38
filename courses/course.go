package courses

// Course is one course at one version, as authored in content files. Its JSON form is how a
// version is stored, answers included: handlers never send these types as they are.
type Course struct {
	Slug                  string         `json:"slug"`
	Title                 string         `json:"title"`
	Summary               string         `json:"summary"`
	Audience              string         `json:"audience"`
	Version               int            `json:"version"`
	EstimatedHours        float64        `json:"estimated_hours"`
	RecertificationMonths int            `json:"recertification_months"`
	Competencies          []string       `json:"competencies"`
	Completion            CompletionRule `json:"completion"`
	Modules               []Module       `json:"modules"`
	Quizzes               []Quiz         `json:"quizzes"`
	Scenarios             []Scenario     `json:"scenarios"`
}

// CompletionRule says what completes a course: every module read, every quiz passed, and, when
// Roleplay is set, a live round as peer worker with observer feedback.
type CompletionRule struct {
	Modules  string `json:"modules"`
	Quizzes  string `json:"quizzes"`
	Roleplay bool   `json:"roleplay"`
}

// Module is one reading unit.
type Module struct {
	Slug           string   `json:"slug"`
	Title          string   `json:"title"`
	Minutes        int      `json:"minutes"`
	Objectives     []string `json:"objectives"`
	Tags           []string `json:"tags"`
	ContentWarning string   `json:"content_warning,omitempty"`
	Reflection     []Prompt `json:"reflection"`
	Quiz           string   `json:"quiz,omitempty"`
	Body           string   `json:"body"` // Markdown
}

// Prompt is a private reflection prompt.
type Prompt struct {
	ID     string `json:"id"`
	Prompt string `json:"prompt"`
}

// QuestionKind is how a question is answered and graded.
type QuestionKind string

// Question kinds.
const (
	KindSingle    QuestionKind = "single"
	KindMultiple  QuestionKind = "multiple"
	KindTrueFalse QuestionKind = "true_false"
	KindOrdering  QuestionKind = "ordering"
	KindScenario  QuestionKind = "scenario"
)

// Quiz is a graded set of questions.
type Quiz struct {
	ID               string     `json:"id"`
	Title            string     `json:"title"`
	PassMark         int        `json:"pass_mark"`
	Attempts         int        `json:"attempts"` // 0: unlimited
	Shuffle          bool       `json:"shuffle"`
	TimeLimitMinutes int        `json:"time_limit_minutes"`
	Review           bool       `json:"review"`
	Questions        []Question `json:"questions"`
}

// Question is one quiz item. Answer holds option ids: one for single, scenario and true_false
// ("true" or "false"), every correct one for multiple, all of them in order for ordering.
type Question struct {
	ID       string       `json:"id"`
	Kind     QuestionKind `json:"kind"`
	Prompt   string       `json:"prompt"`
	Scenario string       `json:"scenario,omitempty"`
	Options  []Option     `json:"options"`
	Answer   []string     `json:"answer"`
	Feedback string       `json:"feedback"`
}

// Option is one answer choice.
type Option struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// Scenario is a branching "what would you do?" situation.
type Scenario struct {
	ID             string         `json:"id"`
	Title          string         `json:"title"`
	Module         string         `json:"module"`
	Summary        string         `json:"summary"`
	ContentWarning string         `json:"content_warning,omitempty"`
	Start          string         `json:"start"`
	Nodes          []ScenarioNode `json:"nodes"`
}

// ScenarioNode is one decision point.
type ScenarioNode struct {
	ID      string           `json:"id"`
	Text    string           `json:"text"`
	Choices []ScenarioChoice `json:"choices"`
}

// ScenarioChoice is one option at a decision point; Next is "" when it ends the scenario.
type ScenarioChoice struct {
	ID          string `json:"id"`
	Text        string `json:"text"`
	Quality     string `json:"quality"`
	Consequence string `json:"consequence"`
	Feedback    string `json:"feedback"`
	Next        string `json:"next,omitempty"`
}

// Criterion is one observer rubric criterion, scored 1 to 4.
type Criterion struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Levels      [4]string `json:"levels"`
}

// Seat is a role in a role-play triad.
type Seat string

// Seats.
const (
	SeatSpeaker    Seat = "speaker"
	SeatPeerWorker Seat = "peer_worker"
	SeatObserver   Seat = "observer"
)

// Card is a role-play scenario card: a situation all see and a private brief per seat.
type Card struct {
	ID             string            `json:"id"`
	Title          string            `json:"title"`
	Setting        string            `json:"setting"`
	ContentWarning string            `json:"content_warning,omitempty"`
	Roles          map[Seat]string   `json:"roles"`
	Shared         string            `json:"shared"`
	Briefs         map[Seat]string   `json:"briefs"`
	Rubric         []string          `json:"rubric"`
	Anchors        map[string]string `json:"anchors,omitempty"`
}

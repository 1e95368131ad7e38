-- Courses as imported content, enrolments, progress, quiz attempts, reflections, branching
-- scenario runs and completions.

-- A course is shipped (org_id NULL, visible to every organisation) or an organisation's own.
CREATE TABLE courses (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id     uuid REFERENCES organisations (id),
    slug       text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    created_at timestamptz NOT NULL DEFAULT now()
);
-- A slug names one course wherever it is visible: shipped slugs are unique, and an organisation's
-- slugs are unique within it (and, checked on import, never shadow a shipped one).
CREATE UNIQUE INDEX courses_slug_key ON courses (COALESCE(org_id, '00000000-0000-0000-0000-000000000000'::uuid), slug);

-- Each import of changed content is a new version; versions are never changed afterwards.
CREATE TABLE course_versions (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id    uuid NOT NULL REFERENCES courses (id),
    version      integer NOT NULL CHECK (version > 0),
    content_hash text NOT NULL,
    content      jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (course_id, version)
);

-- A person's journey through one course, pinned to the version they started on.
CREATE TABLE enrolments (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id            uuid NOT NULL REFERENCES organisations (id),
    person_id         uuid NOT NULL REFERENCES people (id),
    course_id         uuid NOT NULL REFERENCES courses (id),
    course_version_id uuid NOT NULL REFERENCES course_versions (id),
    started_at        timestamptz NOT NULL,
    completed_at      timestamptz
);
-- One open enrolment per person and course; completed ones stay as history.
CREATE UNIQUE INDEX enrolments_open_key ON enrolments (person_id, course_id) WHERE completed_at IS NULL;
CREATE INDEX enrolments_person_idx ON enrolments (org_id, person_id);

CREATE TABLE module_progress (
    enrolment_id uuid NOT NULL REFERENCES enrolments (id) ON DELETE CASCADE,
    module_slug  text NOT NULL,
    completed_at timestamptz NOT NULL,
    PRIMARY KEY (enrolment_id, module_slug)
);

-- Extra time on timed quizzes, an accessibility accommodation an org admin or trainer grants.
CREATE TABLE quiz_accommodations (
    org_id             uuid NOT NULL REFERENCES organisations (id),
    person_id          uuid PRIMARY KEY REFERENCES people (id),
    extra_time_percent integer NOT NULL CHECK (extra_time_percent BETWEEN 0 AND 300),
    granted_by         uuid REFERENCES people (id),
    updated_at         timestamptz NOT NULL
);

CREATE TABLE quiz_attempts (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id       uuid NOT NULL REFERENCES organisations (id),
    person_id    uuid NOT NULL REFERENCES people (id),
    enrolment_id uuid NOT NULL REFERENCES enrolments (id),
    quiz_id      text NOT NULL,
    number       integer NOT NULL CHECK (number > 0),
    -- The questions as presented: ids with their options in this attempt's order.
    presented    jsonb NOT NULL,
    answers      jsonb NOT NULL DEFAULT '{}',
    started_at   timestamptz NOT NULL,
    deadline_at  timestamptz,
    submitted_at timestamptz,
    score        numeric(5, 2),
    passed       boolean,
    review       jsonb,
    timed_out    boolean NOT NULL DEFAULT false,
    UNIQUE (enrolment_id, quiz_id, number)
);
CREATE INDEX quiz_attempts_person_idx ON quiz_attempts (person_id, enrolment_id, quiz_id);

-- Private to their author: no organisation view, report or export reads this table.
CREATE TABLE reflections (
    org_id      uuid NOT NULL REFERENCES organisations (id),
    person_id   uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    course_id   uuid NOT NULL REFERENCES courses (id),
    module_slug text NOT NULL,
    prompt_id   text NOT NULL,
    body        text NOT NULL CHECK (length(body) <= 20000),
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (person_id, course_id, module_slug, prompt_id)
);

CREATE TABLE scenario_runs (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id       uuid NOT NULL REFERENCES organisations (id),
    person_id    uuid NOT NULL REFERENCES people (id),
    enrolment_id uuid NOT NULL REFERENCES enrolments (id),
    scenario_id  text NOT NULL,
    -- [{"node": "n1", "choice": "c2", "quality": "poor", "at": "…"}, …]
    path         jsonb NOT NULL DEFAULT '[]',
    current_node text,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz
);
CREATE INDEX scenario_runs_person_idx ON scenario_runs (person_id, enrolment_id, scenario_id);

CREATE TABLE completions (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id            uuid NOT NULL REFERENCES organisations (id),
    person_id         uuid NOT NULL REFERENCES people (id),
    course_id         uuid NOT NULL REFERENCES courses (id),
    course_version_id uuid NOT NULL REFERENCES course_versions (id),
    enrolment_id      uuid NOT NULL UNIQUE REFERENCES enrolments (id),
    completed_at      timestamptz NOT NULL
);
CREATE INDEX completions_person_idx ON completions (org_id, person_id, course_id);

-- Mandatory training given to a person, with a due date. (Teams, recurrence and the
-- organisation views arrive with the organisations work.)
CREATE TABLE assignments (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid NOT NULL REFERENCES organisations (id),
    person_id   uuid NOT NULL REFERENCES people (id),
    course_id   uuid NOT NULL REFERENCES courses (id),
    due_at      timestamptz,
    assigned_by uuid REFERENCES people (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (person_id, course_id)
);
CREATE INDEX assignments_org_idx ON assignments (org_id, course_id);

-- The learner's pages find their newest enrolment in a course on every read.
CREATE INDEX enrolments_person_course_idx ON enrolments (person_id, course_id, started_at DESC);

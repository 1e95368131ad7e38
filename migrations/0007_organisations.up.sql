-- Organisations at work: deactivating people, assignment rules for teams with recertification,
-- team places waiting for invitees, the append-only audit log, and external training records.

-- A deactivated person keeps their history but cannot sign in and takes no seat.
ALTER TABLE people ADD COLUMN deactivated_at timestamptz;
CREATE INDEX people_org_active_idx ON people (org_id, active, lower(name), id);

-- A course assigned to a team: current members get an assignment at once, and people who join
-- later get one when they join (due a fixed date, or N days after joining).
CREATE TABLE team_assignment_rules (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id          uuid NOT NULL REFERENCES organisations (id),
    team_id         uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    course_id       uuid NOT NULL REFERENCES courses (id),
    due_at          timestamptz,
    due_within_days integer CHECK (due_within_days BETWEEN 1 AND 3650),
    recert_months   integer CHECK (recert_months BETWEEN 1 AND 120),
    created_by      uuid REFERENCES people (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (due_at IS NULL OR due_within_days IS NULL),
    UNIQUE (team_id, course_id)
);
CREATE INDEX team_assignment_rules_org_idx ON team_assignment_rules (org_id, created_at DESC);

-- team_rule_id: the team rule that made the assignment (NULL when given to the person directly
-- or when the rule was removed). recert_months: redo the course this often; see assignment_due.
ALTER TABLE assignments
    ADD COLUMN team_rule_id  uuid REFERENCES team_assignment_rules (id) ON DELETE SET NULL,
    ADD COLUMN recert_months integer CHECK (recert_months BETWEEN 1 AND 120);
CREATE INDEX assignments_org_created_idx ON assignments (org_id, created_at DESC, id DESC);
CREATE INDEX assignments_person_idx ON assignments (person_id);

-- The due date that counts for each assignment. Without recertification it is the assigned
-- due date. With recert_months set and a completion whose certificate is not revoked, the
-- next due date is when the newest such certificate expires, or recert_months after that
-- completion, whichever comes first (a completion whose certificate is not issued yet counts
-- from its completion date). Completion views and reminders read this, not assignments.due_at.
CREATE VIEW assignment_due AS
SELECT a.id, a.org_id, a.person_id, a.course_id, a.team_rule_id, a.recert_months,
    a.due_at AS assigned_due_at,
    lc.completed_at AS last_completed_at,
    lc.expires_at AS last_expires_at,
    CASE WHEN a.recert_months IS NOT NULL AND lc.completed_at IS NOT NULL
        THEN LEAST(lc.expires_at, lc.completed_at + make_interval(months => a.recert_months))
        ELSE a.due_at
    END AS due_at
FROM assignments a
LEFT JOIN LATERAL (
    SELECT k.completed_at, c.expires_at
    FROM completions k LEFT JOIN certificates c ON c.completion_id = k.id
    WHERE k.person_id = a.person_id AND k.course_id = a.course_id AND c.revoked_at IS NULL
    ORDER BY k.completed_at DESC LIMIT 1) lc ON true;

-- Teams an invitee joins when they accept (set by the CSV import).
CREATE TABLE invitation_teams (
    invitation_id uuid NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    team_id       uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    org_id        uuid NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (invitation_id, team_id)
);
CREATE INDEX invitation_teams_team_idx ON invitation_teams (team_id);

-- Who did what, when. Rows are written in the same transaction as the change they record and
-- can never be changed or removed: the trigger refuses UPDATE, DELETE and TRUNCATE.
CREATE TABLE audit_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id       uuid NOT NULL REFERENCES organisations (id),
    -- A person's id, or an API token's id; no foreign key, so the record outlives both.
    actor_id     uuid,
    actor_kind   text NOT NULL CHECK (actor_kind IN ('person', 'api_token')),
    action       text NOT NULL CHECK (action ~ '^[a-z_]+\.[a-z_]+$'),
    subject_type text NOT NULL DEFAULT '',
    subject_id   text NOT NULL DEFAULT '',
    detail       jsonb NOT NULL DEFAULT '{}',
    at           timestamptz NOT NULL
);
CREATE INDEX audit_log_org_idx ON audit_log (org_id, id DESC);
CREATE INDEX audit_log_org_action_idx ON audit_log (org_id, action, id DESC);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- External mandatory training (first aid, ASIST…): a type with a validity period, and each
-- person's completions with their evidence (PDF, PNG or JPEG, checked by its first bytes, ≤ 5 MB).
CREATE TABLE training_types (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id          uuid NOT NULL REFERENCES organisations (id),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    validity_months integer CHECK (validity_months BETWEEN 1 AND 120),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX training_types_org_name_key ON training_types (org_id, lower(name));

CREATE TABLE training_records (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id           uuid NOT NULL REFERENCES organisations (id),
    person_id        uuid NOT NULL REFERENCES people (id),
    training_type_id uuid NOT NULL REFERENCES training_types (id),
    completed_on     date NOT NULL,
    expires_on       date,
    evidence         bytea CHECK (octet_length(evidence) <= 5242880),
    evidence_type    text CHECK (evidence_type IN ('application/pdf', 'image/png', 'image/jpeg')),
    evidence_name    text NOT NULL DEFAULT '' CHECK (length(evidence_name) <= 255),
    recorded_by      uuid REFERENCES people (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((evidence IS NULL) = (evidence_type IS NULL))
);
CREATE INDEX training_records_person_idx ON training_records (org_id, person_id, training_type_id, completed_on DESC);

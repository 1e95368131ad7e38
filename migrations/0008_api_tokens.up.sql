-- Organisation API tokens for integrations, the indexes the completion matrix and its export
-- read through at 50,000 assignments, and the mark of a person de-identified at their request.

-- Only a SHA-256 of each token is stored; hint is its first characters, so people can tell
-- their tokens apart without the list revealing them.
CREATE TABLE api_tokens (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id       uuid NOT NULL REFERENCES organisations (id),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    scope        text NOT NULL CHECK (scope IN ('read', 'write')),
    token_hash   bytea NOT NULL UNIQUE,
    hint         text NOT NULL,
    created_by   uuid NOT NULL REFERENCES people (id),
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at   timestamptz,
    revoked_by   uuid REFERENCES people (id)
);
CREATE INDEX api_tokens_org_idx ON api_tokens (org_id, created_at DESC);

-- The matrix walks an organisation's assignments person by person, finds each one's newest
-- completion and open enrolment, and counts by team.
CREATE INDEX assignments_org_person_idx ON assignments (org_id, person_id, course_id);
CREATE INDEX completions_person_course_idx ON completions (person_id, course_id, completed_at DESC);
CREATE INDEX team_members_org_person_idx ON team_members (org_id, person_id, team_id);
-- The charts count completions per week.
CREATE INDEX completions_org_time_idx ON completions (org_id, completed_at);

-- Set when a person asked for their data to be deleted: their name and email are replaced and
-- they can no longer sign in, while their completions stay as a de-identified record.
ALTER TABLE people ADD COLUMN deidentified_at timestamptz;

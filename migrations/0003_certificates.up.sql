-- Certificates, one per completion (so one per person, course and certification cycle), and
-- every public signing key ever used, so rotated keys keep old credentials verifiable.

CREATE TABLE certificates (
    id             uuid PRIMARY KEY,
    org_id         uuid NOT NULL REFERENCES organisations (id),
    person_id      uuid NOT NULL REFERENCES people (id),
    course_id      uuid NOT NULL REFERENCES courses (id),
    completion_id  uuid NOT NULL UNIQUE REFERENCES completions (id),
    cycle          integer NOT NULL CHECK (cycle > 0),
    number         text NOT NULL UNIQUE,
    verify_code    text NOT NULL UNIQUE,
    person_name    text NOT NULL,
    course_slug    text NOT NULL,
    course_title   text NOT NULL,
    course_version integer NOT NULL,
    org_name       text NOT NULL,
    issued_at      timestamptz NOT NULL,
    expires_at     timestamptz,
    revoked_at     timestamptz,
    revoked_reason text NOT NULL DEFAULT '' CHECK (length(revoked_reason) <= 500),
    revoked_by     uuid REFERENCES people (id),
    credential     text NOT NULL,
    key_id         text NOT NULL,
    UNIQUE (person_id, course_id, cycle)
);
CREATE INDEX certificates_person_idx ON certificates (org_id, person_id, issued_at DESC);
CREATE INDEX certificates_expiry_idx ON certificates (expires_at) WHERE revoked_at IS NULL;

CREATE TABLE signing_keys (
    key_id     text PRIMARY KEY,
    public_jwk jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

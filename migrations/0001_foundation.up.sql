-- Organisations, people, sessions, invitations, password resets and the outbox.

CREATE TABLE organisations (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug       text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE people (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id        uuid REFERENCES organisations (id),
    email         text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    password_hash text NOT NULL,
    roles         text[] NOT NULL DEFAULT '{}'
                  CHECK (roles <@ ARRAY['trainee', 'trainer', 'manager', 'org_admin']::text[]),
    operator      boolean NOT NULL DEFAULT false,
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
-- Email is the login name, so it is unique across the platform regardless of case.
CREATE UNIQUE INDEX people_email_key ON people (lower(email));
CREATE INDEX people_org_idx ON people (org_id);

-- Only a SHA-256 of each session token is stored: a copy of this table signs nobody in.
CREATE TABLE sessions (
    token_hash   bytea PRIMARY KEY,
    person_id    uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_person_idx ON sessions (person_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE invitations (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid NOT NULL REFERENCES organisations (id),
    email       text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    name        text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
    roles       text[] NOT NULL
                CHECK (cardinality(roles) > 0 AND roles <@ ARRAY['trainee', 'trainer', 'manager', 'org_admin']::text[]),
    token_hash  bytea NOT NULL UNIQUE,
    invited_by  uuid REFERENCES people (id),
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    revoked_at  timestamptz,
    person_id   uuid REFERENCES people (id)
);
CREATE INDEX invitations_org_idx ON invitations (org_id, created_at DESC);
-- At most one open invitation per email; an expired one is replaced by the next invite.
CREATE INDEX invitations_email_idx ON invitations (lower(email)) WHERE accepted_at IS NULL AND revoked_at IS NULL;

CREATE TABLE password_resets (
    token_hash bytea PRIMARY KEY,
    person_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX password_resets_person_idx ON password_resets (person_id);

-- Follow-up jobs are written here in the same transaction as the change that needs them; the
-- relay moves them into the queue, using the row id as the task id.
CREATE TABLE outbox (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_type   text NOT NULL,
    payload     jsonb NOT NULL,
    org_id      uuid REFERENCES organisations (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    enqueued_at timestamptz,
    attempts    integer NOT NULL DEFAULT 0,
    last_error  text NOT NULL DEFAULT ''
);
CREATE INDEX outbox_pending_idx ON outbox (id) WHERE enqueued_at IS NULL;

-- Mail the worker has delivered, by the outbox key that asked for it, so a task that runs twice
-- sends once.
CREATE TABLE mail_deliveries (
    key          text PRIMARY KEY,
    recipient    text NOT NULL,
    delivered_at timestamptz NOT NULL DEFAULT now()
);

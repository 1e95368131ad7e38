-- Reminders: each organisation's time zone (digests go out at 08:00 local), every reminder ever
-- sent by its unique key, one digest per person and local day, the in-app notifications,
-- people's choices about optional reminders, one-click unsubscribe tokens, and an
-- organisation's own certificate period for a course.

ALTER TABLE organisations
    ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC' CHECK (length(time_zone) BETWEEN 1 AND 64);

-- A reminder is sent once per person and key ("assignment:<id>:due_7d:2026-11-30"): subject,
-- kind and period. A scan that runs twice inserts nothing the second time.
CREATE TABLE reminders (
    person_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    key        text NOT NULL CHECK (length(key) BETWEEN 1 AND 300),
    org_id     uuid NOT NULL REFERENCES organisations (id),
    kind       text NOT NULL,
    digest_id  bigint NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (person_id, key)
);

-- At most one digest per person and local day, whatever runs twice.
CREATE TABLE digests (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id     uuid NOT NULL REFERENCES organisations (id),
    person_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    local_day  date NOT NULL,
    items      integer NOT NULL CHECK (items > 0),
    created_at timestamptz NOT NULL,
    UNIQUE (person_id, local_day)
);

-- The organisations whose digests for a local day are done; a later hour's scan skips them, and a
-- scan that missed 08:00 (worker down) catches up later the same day.
CREATE TABLE reminder_scans (
    org_id      uuid NOT NULL REFERENCES organisations (id),
    local_day   date NOT NULL,
    finished_at timestamptz NOT NULL,
    PRIMARY KEY (org_id, local_day)
);

CREATE TABLE notifications (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id     uuid NOT NULL REFERENCES organisations (id),
    person_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    kind       text NOT NULL,
    title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    body       text NOT NULL DEFAULT '' CHECK (length(body) <= 2000),
    link       text NOT NULL DEFAULT '' CHECK (length(link) <= 500),
    created_at timestamptz NOT NULL,
    read_at    timestamptz
);
CREATE INDEX notifications_person_idx ON notifications (person_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (person_id) WHERE read_at IS NULL;

-- Only choices that differ from the default (on) need a row; mandatory kinds never have one
-- that is off.
CREATE TABLE notification_preferences (
    person_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    kind       text NOT NULL,
    org_id     uuid NOT NULL REFERENCES organisations (id),
    enabled    boolean NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (person_id, kind)
);
CREATE INDEX notification_preferences_org_idx ON notification_preferences (org_id) WHERE NOT enabled;

-- Only a SHA-256 of each unsubscribe token is stored, like every other token.
CREATE TABLE unsubscribe_tokens (
    token_hash bytea PRIMARY KEY,
    person_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX unsubscribe_tokens_expires_idx ON unsubscribe_tokens (expires_at);

-- An organisation's own certificate period for a course, overriding the course's
-- recertification_months; 0 means its certificates do not expire.
CREATE TABLE org_course_settings (
    org_id          uuid NOT NULL REFERENCES organisations (id),
    course_id       uuid NOT NULL REFERENCES courses (id),
    validity_months integer NOT NULL CHECK (validity_months BETWEEN 0 AND 120),
    updated_by      uuid REFERENCES people (id),
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (org_id, course_id)
);

-- The reminder scan reads these per organisation.
CREATE INDEX assignments_due_idx ON assignments (org_id, due_at) WHERE due_at IS NOT NULL;
CREATE INDEX certificates_org_expiry_idx ON certificates (org_id, expires_at) WHERE revoked_at IS NULL;

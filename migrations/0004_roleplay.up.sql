-- Live role-play sessions: what was scheduled, who was invited, the ordered command log that every
-- server instance replays to hold the same room, and the facts that outlive the session (who
-- attended, who sat in which seat, rubric feedback, and chat only when a transcript is allowed).

CREATE TABLE roleplay_sessions (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id             uuid NOT NULL REFERENCES organisations (id),
    title              text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    trainer_id         uuid NOT NULL REFERENCES people (id),
    starts_at          timestamptz NOT NULL,
    time_zone          text NOT NULL CHECK (length(time_zone) BETWEEN 1 AND 64),
    duration_minutes   integer NOT NULL CHECK (duration_minutes BETWEEN 15 AND 480),
    practice_seconds   integer NOT NULL CHECK (practice_seconds BETWEEN 60 AND 3600),
    feedback_seconds   integer NOT NULL CHECK (feedback_seconds BETWEEN 30 AND 1800),
    transcript_allowed boolean NOT NULL DEFAULT false,
    -- The cards and rubric criteria as they were when the session was scheduled, so later
    -- content changes never alter a session under way.
    cards              jsonb NOT NULL,
    criteria           jsonb NOT NULL,
    created_by         uuid REFERENCES people (id),
    created_at         timestamptz NOT NULL DEFAULT now(),
    cancelled_at       timestamptz,
    ended_at           timestamptz
);
CREATE INDEX roleplay_sessions_org_idx ON roleplay_sessions (org_id, starts_at);

-- Invitees are people; inviting a team invites its members at the time of scheduling.
CREATE TABLE roleplay_invitees (
    session_id uuid NOT NULL REFERENCES roleplay_sessions (id) ON DELETE CASCADE,
    person_id  uuid NOT NULL REFERENCES people (id),
    org_id     uuid NOT NULL REFERENCES organisations (id),
    invited_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, person_id)
);
CREATE INDEX roleplay_invitees_person_idx ON roleplay_invitees (person_id);

-- The room's command log. Commands are numbered without gaps per session; an instance appends
-- number n+1 and loses the race on the primary key when another got there first. Chat text is
-- replaced unless the session keeps a transcript.
CREATE TABLE roleplay_commands (
    session_id uuid NOT NULL REFERENCES roleplay_sessions (id) ON DELETE CASCADE,
    n          bigint NOT NULL CHECK (n > 0),
    org_id     uuid NOT NULL REFERENCES organisations (id),
    at         timestamptz NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('intent', 'join', 'leave', 'tick')),
    person_id  uuid REFERENCES people (id),
    intent     jsonb,
    PRIMARY KEY (session_id, n)
);

CREATE TABLE roleplay_attendance (
    session_id         uuid NOT NULL REFERENCES roleplay_sessions (id) ON DELETE CASCADE,
    person_id          uuid NOT NULL REFERENCES people (id),
    org_id             uuid NOT NULL REFERENCES organisations (id),
    first_joined_at    timestamptz NOT NULL,
    last_left_at       timestamptz,
    transcript_consent boolean NOT NULL DEFAULT false,
    PRIMARY KEY (session_id, person_id)
);

-- Who sat in which seat in each round: the practice record behind portfolios and the
-- "practised as peer worker" completion rule.
CREATE TABLE roleplay_seats (
    session_id uuid NOT NULL REFERENCES roleplay_sessions (id) ON DELETE CASCADE,
    round      integer NOT NULL CHECK (round > 0),
    group_id   text NOT NULL,
    person_id  uuid NOT NULL REFERENCES people (id),
    org_id     uuid NOT NULL REFERENCES organisations (id),
    seat       text NOT NULL CHECK (seat IN ('speaker', 'peer_worker', 'observer')),
    card_id    text NOT NULL,
    started_at timestamptz NOT NULL,
    PRIMARY KEY (session_id, round, person_id)
);
CREATE INDEX roleplay_seats_person_idx ON roleplay_seats (person_id, seat);

CREATE TABLE roleplay_feedback (
    session_id   uuid NOT NULL REFERENCES roleplay_sessions (id) ON DELETE CASCADE,
    round        integer NOT NULL CHECK (round > 0),
    phase        text NOT NULL,
    group_id     text NOT NULL,
    from_person  uuid NOT NULL REFERENCES people (id),
    seat         text NOT NULL DEFAULT '',
    -- The peer worker whose practice the feedback is about.
    about_person uuid REFERENCES people (id),
    org_id       uuid NOT NULL REFERENCES organisations (id),
    scores       jsonb,
    comment      text NOT NULL DEFAULT '',
    submitted_at timestamptz NOT NULL,
    PRIMARY KEY (session_id, round, phase, from_person)
);
CREATE INDEX roleplay_feedback_about_idx ON roleplay_feedback (about_person);

CREATE TABLE roleplay_transcript (
    session_id uuid NOT NULL REFERENCES roleplay_sessions (id) ON DELETE CASCADE,
    seq        bigint NOT NULL,
    org_id     uuid NOT NULL REFERENCES organisations (id),
    person_id  uuid NOT NULL REFERENCES people (id),
    group_id   text NOT NULL DEFAULT '',
    text       text NOT NULL,
    at         timestamptz NOT NULL,
    PRIMARY KEY (session_id, seq)
);

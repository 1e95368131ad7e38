-- Row-level security: a second wall behind the query filters. The application works as
-- peerpath_app, which owns nothing and sees only the rows of the organisation its transaction set
-- with set_config('app.org_id', …, true); with no organisation set it sees nothing.
-- peerpath_system is for work that spans organisations by nature (the outbox relay, reminder
-- scans, sign-in by email or token before the organisation is known); the store switches to it
-- for one transaction at a time, by name, so a tenant query can never fall into it by omission.
-- Both roles are cluster-wide and may already exist (another database, or made beforehand by an
-- administrator where the migrating login may not create roles).
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'peerpath_app') THEN
        CREATE ROLE peerpath_app NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'peerpath_system') THEN
        CREATE ROLE peerpath_system NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

-- The migrating login connects and then works as peerpath_app or peerpath_system, so it must be
-- a member of both.
DO $$
BEGIN
    IF NOT pg_has_role(current_user, 'peerpath_app', 'MEMBER') THEN
        GRANT peerpath_app TO CURRENT_USER;
    END IF;
    IF NOT pg_has_role(current_user, 'peerpath_system', 'MEMBER') THEN
        GRANT peerpath_system TO CURRENT_USER;
    END IF;
END $$;

GRANT USAGE ON SCHEMA public TO peerpath_app, peerpath_system;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO peerpath_app, peerpath_system;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO peerpath_app, peerpath_system;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO peerpath_app, peerpath_system;
-- Tables later migrations add are granted the same way.
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO peerpath_app, peerpath_system;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO peerpath_app, peerpath_system;
-- Only migrations change the schema's bookkeeping.
REVOKE ALL ON schema_migrations FROM peerpath_app, peerpath_system;
-- The audit log is append-only for the application as well as by its trigger.
REVOKE UPDATE, DELETE ON audit_log FROM peerpath_app, peerpath_system;

-- A view reads its tables with its owner's rights unless told otherwise; the owner would see
-- every organisation.
ALTER VIEW assignment_due SET (security_invoker = true);

-- Module progress hangs off an enrolment. It gets the enrolment's org_id of its own, like every
-- other tenant table, so that its policy is a plain comparison: a policy that looked the
-- enrolment up is planned as a scan of all the organisation's enrolments for every read. A
-- trigger fills it in, so writers need not name it.
ALTER TABLE module_progress ADD COLUMN org_id uuid REFERENCES organisations (id);
UPDATE module_progress mp SET org_id = e.org_id FROM enrolments e WHERE e.id = mp.enrolment_id;
ALTER TABLE module_progress ALTER COLUMN org_id SET NOT NULL;
CREATE FUNCTION module_progress_org() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.org_id IS NULL THEN
        SELECT e.org_id INTO NEW.org_id FROM enrolments e WHERE e.id = NEW.enrolment_id;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER module_progress_org BEFORE INSERT ON module_progress
    FOR EACH ROW EXECUTE FUNCTION module_progress_org();

-- Every table with an org_id: peerpath_app sees and writes only the organisation set for the
-- transaction. FORCE makes the owner obey the policies too.
DO $$
DECLARE
    t text;
BEGIN
    FOR t IN
        SELECT c.table_name FROM information_schema.columns c
        JOIN information_schema.tables tb ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name
        WHERE c.table_schema = 'public' AND c.column_name = 'org_id' AND tb.table_type = 'BASE TABLE'
          AND c.table_name <> 'courses'
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant ON %I TO peerpath_app
            USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
            WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)$p$, t);
        EXECUTE format('CREATE POLICY system ON %I TO peerpath_system USING (true) WITH CHECK (true)', t);
    END LOOP;
END $$;

-- Shipped courses (org_id NULL) are read by every organisation and written only by the system.
ALTER TABLE courses ENABLE ROW LEVEL SECURITY;
ALTER TABLE courses FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON courses TO peerpath_app
    USING (org_id IS NULL OR org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY system ON courses TO peerpath_system USING (true) WITH CHECK (true);

-- The organisation row itself.
ALTER TABLE organisations ENABLE ROW LEVEL SECURITY;
ALTER TABLE organisations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON organisations TO peerpath_app
    USING (id = NULLIF(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (id = NULLIF(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY system ON organisations TO peerpath_system USING (true) WITH CHECK (true);

-- Tables that hang off a tenant row without an org_id of their own follow their parent: the
-- subquery is itself filtered by the parent's policy.
CREATE FUNCTION pg_temp.parent_policy(child text, cond text, check_cond text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $f$
BEGIN
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', child);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', child);
    EXECUTE format('CREATE POLICY tenant ON %I TO peerpath_app USING (%s) WITH CHECK (%s)', child, cond,
        COALESCE(check_cond, cond));
    EXECUTE format('CREATE POLICY system ON %I TO peerpath_system USING (true) WITH CHECK (true)', child);
END $f$;
-- A shipped course's versions are read by all and written by none of them.
SELECT pg_temp.parent_policy('course_versions', 'EXISTS (SELECT 1 FROM courses c WHERE c.id = course_id)',
    $c$EXISTS (SELECT 1 FROM courses c WHERE c.id = course_id
        AND c.org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)$c$);
SELECT pg_temp.parent_policy('sessions', 'EXISTS (SELECT 1 FROM people p WHERE p.id = person_id)');
SELECT pg_temp.parent_policy('password_resets', 'EXISTS (SELECT 1 FROM people p WHERE p.id = person_id)');
SELECT pg_temp.parent_policy('unsubscribe_tokens', 'EXISTS (SELECT 1 FROM people p WHERE p.id = person_id)');

-- Every request finds its session before it knows its organisation. A function that works as
-- peerpath_system answers that one question, for the holder of the token, in one round trip
-- (a transaction switching role would take four).
CREATE FUNCTION session_principal(p_token_hash bytea)
RETURNS TABLE (id uuid, org_id uuid, email text, name text, password_hash text, roles text[],
    operator boolean, active boolean, created_at timestamptz, last_seen_at timestamptz,
    expires_at timestamptz, org_slug text, org_name text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN QUERY
    SELECT p.id, p.org_id, p.email, p.name, p.password_hash, p.roles, p.operator, p.active,
        p.created_at, x.last_seen_at, x.expires_at, o.slug, o.name
    FROM sessions x JOIN people p ON p.id = x.person_id LEFT JOIN organisations o ON o.id = p.org_id
    WHERE x.token_hash = p_token_hash;
END $$;
-- The new owner needs CREATE on the schema only while it takes the function over.
GRANT CREATE ON SCHEMA public TO peerpath_system;
ALTER FUNCTION session_principal(bytea) OWNER TO peerpath_system;
REVOKE CREATE ON SCHEMA public FROM peerpath_system;
REVOKE ALL ON FUNCTION session_principal(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION session_principal(bytea) TO peerpath_app;

-- An email address is one login across the platform, so inviting or importing someone must know
-- whether any organisation already has them as a person or an open invitation. This function
-- answers just that, for the lower-cased addresses given, and nothing else about those rows.
CREATE FUNCTION emails_taken(p_emails text[], p_now timestamptz)
RETURNS TABLE (email text, member boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN QUERY
    SELECT lower(p.email), true FROM people p WHERE lower(p.email) = ANY (p_emails)
    UNION ALL
    SELECT lower(i.email), false FROM invitations i WHERE lower(i.email) = ANY (p_emails)
        AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > p_now;
END $$;
GRANT CREATE ON SCHEMA public TO peerpath_system;
ALTER FUNCTION emails_taken(text[], timestamptz) OWNER TO peerpath_system;
REVOKE CREATE ON SCHEMA public FROM peerpath_system;
REVOKE ALL ON FUNCTION emails_taken(text[], timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION emails_taken(text[], timestamptz) TO peerpath_app;

-- The learner's module page is the most frequent read there is. This function scopes itself and
-- reads the learner's progress in one statement, so the page costs one round trip rather than a
-- transaction's four. It runs as its caller, so the policies apply as in any tenant query, and it
-- puts app.org_id back as it found it before it returns.
CREATE FUNCTION module_progress_of(p_org uuid, p_person uuid, p_course uuid, p_module text, p_quiz text)
RETURNS TABLE (id uuid, course_version_id uuid, done boolean, attempts bigint, passed boolean)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    outer_org text := COALESCE(current_setting('app.org_id', true), '');
BEGIN
    PERFORM set_config('app.org_id', COALESCE(p_org::text, ''), true);
    RETURN QUERY
    SELECT e.id, e.course_version_id,
        EXISTS (SELECT 1 FROM module_progress mp WHERE mp.enrolment_id = e.id AND mp.module_slug = p_module),
        (SELECT count(*) FROM quiz_attempts qa WHERE qa.enrolment_id = e.id AND qa.quiz_id = p_quiz),
        EXISTS (SELECT 1 FROM quiz_attempts qa WHERE qa.enrolment_id = e.id AND qa.quiz_id = p_quiz AND qa.passed)
    FROM enrolments e WHERE e.person_id = p_person AND e.course_id = p_course
    ORDER BY e.started_at DESC LIMIT 1;
    PERFORM set_config('app.org_id', outer_org, true);
END $$;

-- A live room's command log is written in batches many times a second. Like module_progress_of,
-- this function scopes its one statement itself, so a batch costs one round trip rather than a
-- transaction's four, and the policies apply as in any tenant write. The log is written without
-- waiting for the disk (synchronous_commit off for this statement's own transaction): what must
-- survive a crash (seats, feedback, attendance) is recorded separately with a normal commit.
CREATE FUNCTION append_roleplay_commands(p_org uuid, p_sessions uuid[], p_ns bigint[], p_ats timestamptz[],
    p_kinds text[], p_persons uuid[], p_intents text[])
RETURNS TABLE (session_id uuid, n bigint)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    outer_org text := COALESCE(current_setting('app.org_id', true), '');
BEGIN
    PERFORM set_config('app.org_id', COALESCE(p_org::text, ''), true);
    PERFORM set_config('synchronous_commit', 'off', true);
    RETURN QUERY
    WITH written AS (
        INSERT INTO roleplay_commands (session_id, n, org_id, at, kind, person_id, intent)
        SELECT c.session_id, c.n, p_org, c.at, c.kind, c.person_id, c.intent::jsonb
        FROM unnest(p_sessions, p_ns, p_ats, p_kinds, p_persons, p_intents)
                 AS c (session_id, n, at, kind, person_id, intent)
             JOIN roleplay_sessions s ON s.id = c.session_id AND s.org_id = p_org
        ON CONFLICT ON CONSTRAINT roleplay_commands_pkey DO NOTHING
        RETURNING roleplay_commands.session_id, roleplay_commands.n)
    SELECT w.session_id, w.n FROM written w;
    PERFORM set_config('app.org_id', outer_org, true);
END $$;

-- Each assignment keeps its latest completion, that completion's certificate expiry and whether
-- an enrolment is open, so the completion matrix and the reminders read one row per assignment
-- instead of searching completions, certificates and enrolments for every row (at 50,000
-- assignments that search was most of a matrix page's half second). Triggers on the tables the
-- facts come from keep the columns right, so no code path can forget them.

ALTER TABLE assignments
    ADD COLUMN last_completed_at timestamptz,
    ADD COLUMN last_expires_at   timestamptz,
    ADD COLUMN started           boolean NOT NULL DEFAULT false;

-- The newest completion whose certificate is not revoked (or not issued yet) counts.
CREATE FUNCTION assignment_progress_refresh(p_person uuid, p_course uuid) RETURNS void
LANGUAGE sql AS $$
    UPDATE assignments a SET
        last_completed_at = lc.completed_at,
        last_expires_at = lc.expires_at,
        started = EXISTS (SELECT 1 FROM enrolments e
            WHERE e.person_id = p_person AND e.course_id = p_course AND e.completed_at IS NULL)
    FROM (SELECT 1) one
    LEFT JOIN LATERAL (
        SELECT k.completed_at, c.expires_at
        FROM completions k LEFT JOIN certificates c ON c.completion_id = k.id
        WHERE k.person_id = p_person AND k.course_id = p_course AND c.revoked_at IS NULL
        ORDER BY k.completed_at DESC LIMIT 1) lc ON true
    WHERE a.person_id = p_person AND a.course_id = p_course;
$$;

CREATE FUNCTION assignment_progress_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM assignment_progress_refresh(OLD.person_id, OLD.course_id);
    ELSE
        PERFORM assignment_progress_refresh(NEW.person_id, NEW.course_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER enrolments_assignment_progress AFTER INSERT OR DELETE OR UPDATE OF completed_at ON enrolments
    FOR EACH ROW EXECUTE FUNCTION assignment_progress_changed();
CREATE TRIGGER completions_assignment_progress AFTER INSERT OR DELETE OR UPDATE OF completed_at ON completions
    FOR EACH ROW EXECUTE FUNCTION assignment_progress_changed();
CREATE TRIGGER certificates_assignment_progress AFTER INSERT OR DELETE OR UPDATE OF revoked_at, expires_at ON certificates
    FOR EACH ROW EXECUTE FUNCTION assignment_progress_changed();

-- A new assignment starts from what the person has already done.
CREATE FUNCTION assignment_progress_init() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.last_completed_at := NULL;
    NEW.last_expires_at := NULL;
    SELECT k.completed_at, c.expires_at INTO NEW.last_completed_at, NEW.last_expires_at
    FROM completions k LEFT JOIN certificates c ON c.completion_id = k.id
    WHERE k.person_id = NEW.person_id AND k.course_id = NEW.course_id AND c.revoked_at IS NULL
    ORDER BY k.completed_at DESC LIMIT 1;
    NEW.started := EXISTS (SELECT 1 FROM enrolments e
        WHERE e.person_id = NEW.person_id AND e.course_id = NEW.course_id AND e.completed_at IS NULL);
    RETURN NEW;
END
$$;

CREATE TRIGGER assignments_progress_init BEFORE INSERT OR UPDATE OF person_id, course_id ON assignments
    FOR EACH ROW EXECUTE FUNCTION assignment_progress_init();

UPDATE assignments a SET
    last_completed_at = lc.completed_at,
    last_expires_at = lc.expires_at,
    started = EXISTS (SELECT 1 FROM enrolments e
        WHERE e.person_id = a.person_id AND e.course_id = a.course_id AND e.completed_at IS NULL)
FROM assignments a2
LEFT JOIN LATERAL (
    SELECT k.completed_at, c.expires_at
    FROM completions k LEFT JOIN certificates c ON c.completion_id = k.id
    WHERE k.person_id = a2.person_id AND k.course_id = a2.course_id AND c.revoked_at IS NULL
    ORDER BY k.completed_at DESC LIMIT 1) lc ON true
WHERE a2.id = a.id;

-- Same columns as before, read from the assignment itself; started is new, at the end.
CREATE OR REPLACE VIEW assignment_due AS
SELECT a.id, a.org_id, a.person_id, a.course_id, a.team_rule_id, a.recert_months,
    a.due_at AS assigned_due_at,
    a.last_completed_at,
    a.last_expires_at,
    CASE WHEN a.recert_months IS NOT NULL AND a.last_completed_at IS NOT NULL
        THEN LEAST(a.last_expires_at, a.last_completed_at + make_interval(months => a.recert_months))
        ELSE a.due_at
    END AS due_at,
    a.started
FROM assignments a;

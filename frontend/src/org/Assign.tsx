import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, ApiError, messageOf } from '../api';
import { useAuth } from '../auth/AuthContext';
import { FieldError, TextField } from '../components/Field';
import { LiveRegion } from '../components/LiveRegion';
import { Loading } from '../components/Pages';
import { usePageTitle } from '../components/usePageTitle';
import { formatDate } from '../time';
import { orgApi, teamsApi, type Assignment, type AssignInput, type AssignmentRule, type OrgPerson, type Team } from './api';
import { ruleDue } from './Teams';

type Target = 'people' | 'team';
type Due = 'none' | 'date' | 'days';

interface CourseOption {
  slug: string;
  title: string;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** endOfDay turns a YYYY-MM-DD from a date input into the last second of that day, here. */
function endOfDay(date: string): string {
  return new Date(`${date}T23:59:59`).toISOString();
}

/** Assign gives a course to chosen people or a team, and lists what is assigned. */
export function Assign() {
  usePageTitle('Assign training');
  const { signedOut } = useAuth();
  const fail = useCallback(
    (err: unknown) => {
      if (err instanceof ApiError && err.status === 401) signedOut();
      return messageOf(err);
    },
    [signedOut],
  );
  const [courses, setCourses] = useState<CourseOption[] | null>(null);
  const [teams, setTeams] = useState<Team[]>([]);
  const [loadError, setLoadError] = useState('');
  const [course, setCourse] = useState('');
  const [target, setTarget] = useState<Target>('people');
  const [chosen, setChosen] = useState<OrgPerson[]>([]);
  const [teamId, setTeamId] = useState('');
  const [due, setDue] = useState<Due>('days');
  const [dueDate, setDueDate] = useState('');
  const [dueDays, setDueDays] = useState('14');
  const [recert, setRecert] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  const [listVersion, setListVersion] = useState(0);

  const loadChoices = useCallback(() => {
    setLoadError('');
    setCourses(null);
    Promise.all([api.courses(), orgApi.teams()])
      .then(([list, t]) => {
        const seen = new Map<string, CourseOption>();
        for (const c of [...list.assigned, ...list.catalogue]) seen.set(c.slug, { slug: c.slug, title: c.title });
        setCourses([...seen.values()].sort((a, b) => a.title.localeCompare(b.title)));
        setTeams(t.items);
      })
      .catch((err: unknown) => setLoadError(fail(err)));
  }, [fail]);

  useEffect(loadChoices, [loadChoices]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError('');
    setDone('');
    const f: Record<string, string> = {};
    if (!course) f.course_slug = 'Choose a course.';
    if (target === 'people' && chosen.length === 0) f.person_ids = 'Choose at least one person.';
    if (target === 'team' && !teamId) f.team_id = 'Choose a team.';
    if (due === 'date' && !dueDate) f.due_at = 'Choose a due date.';
    if (due === 'days' && !/^\d+$/.test(dueDays.trim())) f.due_within_days = 'Enter a whole number of days, like 14.';
    if (recert.trim() && !/^\d+$/.test(recert.trim())) f.recert_months = 'Enter a whole number of months, like 12, or leave it empty.';
    setFields(f);
    if (Object.keys(f).length > 0) return;
    const input: AssignInput = { course_slug: course };
    if (target === 'people') input.person_ids = chosen.map((p) => p.id);
    else input.team_id = teamId;
    if (due === 'date') input.due_at = endOfDay(dueDate);
    if (due === 'days') input.due_within_days = Number(dueDays.trim());
    if (recert.trim()) input.recert_months = Number(recert.trim());
    setBusy(true);
    try {
      const res = await orgApi.assign(input);
      const title = courses?.find((c) => c.slug === course)?.title ?? course;
      const parts = [`${title} is assigned to ${plural(res.assigned, 'person', 'people')}`];
      if (res.updated > 0) parts.push(`${plural(res.updated, 'person', 'people')} already had it and now have the new due date`);
      if (res.kept > 0) parts.push(`${plural(res.kept, 'person', 'people')} already had it and keep their own due date`);
      setDone(parts.join('; ') + '.');
      setChosen([]);
      setListVersion((v) => v + 1);
    } catch (err) {
      if (err instanceof ApiError && Object.keys(err.fields).length > 0) setFields(err.fields);
      setError(fail(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <h1>Assign training</h1>
      <p className="lead">
        Choose a course and who needs to do it. People see assigned courses first on their learning page, and get gentle
        reminders as the due date comes closer.
      </p>
      <LiveRegion role="status">
        {done ? (
          <>
            {done} <Link to="/org/completion">See progress on the completion page</Link>.
          </>
        ) : null}
      </LiveRegion>
      <LiveRegion role="alert">{error}</LiveRegion>
      {loadError ? (
        <div role="alert" className="notice notice-error">
          <p>{loadError}</p>
          <p>
            <button type="button" className="button-secondary" onClick={loadChoices}>
              Try again
            </button>
          </p>
        </div>
      ) : null}
      {courses === null && !loadError ? <Loading label="Loading courses and teams…" /> : null}
      {courses !== null ? (
        <form className="form section panel" onSubmit={submit} noValidate aria-labelledby="assign-heading">
          <h2 id="assign-heading">New assignment</h2>
          <SelectField
            id="assign-course"
            label="Course"
            value={course}
            onChange={setCourse}
            error={fields.course_slug}
            options={[{ value: '', label: 'Choose a course' }, ...courses.map((c) => ({ value: c.slug, label: c.title }))]}
          />
          <fieldset className="field">
            <legend>Assign to</legend>
            <div className="checkbox">
              <input type="radio" id="target-people" name="target" checked={target === 'people'} onChange={() => setTarget('people')} />
              <label htmlFor="target-people">Chosen people</label>
            </div>
            <div className="checkbox">
              <input type="radio" id="target-team" name="target" checked={target === 'team'} onChange={() => setTarget('team')} />
              <label htmlFor="target-team">A team, including people who join it later</label>
            </div>
          </fieldset>
          {target === 'people' ? (
            <PeoplePicker chosen={chosen} setChosen={setChosen} error={fields.person_ids} fail={fail} />
          ) : (
            <SelectField
              id="assign-team"
              label="Team"
              value={teamId}
              onChange={setTeamId}
              error={fields.team_id}
              hint="Everyone in the team now gets the course. People who join later get it on the day they join."
              options={[{ value: '', label: 'Choose a team' }, ...teams.map((t) => ({ value: t.id, label: t.name }))]}
            />
          )}
          <fieldset className="field" aria-describedby="due-hint">
            <legend>Due</legend>
            <p className="hint" id="due-hint">
              {target === 'team'
                ? '“Within a number of days” counts from today for current members, and from the day they join for people who join later.'
                : '“Within a number of days” counts from today.'}
            </p>
            <div className="checkbox">
              <input type="radio" id="due-days" name="due" checked={due === 'days'} onChange={() => setDue('days')} />
              <label htmlFor="due-days">Within a number of days</label>
            </div>
            <div className="checkbox">
              <input type="radio" id="due-date" name="due" checked={due === 'date'} onChange={() => setDue('date')} />
              <label htmlFor="due-date">On a date</label>
            </div>
            <div className="checkbox">
              <input type="radio" id="due-none" name="due" checked={due === 'none'} onChange={() => setDue('none')} />
              <label htmlFor="due-none">No due date</label>
            </div>
          </fieldset>
          {due === 'days' ? (
            <TextField label="Number of days" name="due_within_days" inputMode="numeric" value={dueDays} onValueChange={setDueDays} error={fields.due_within_days} hint="From 1 to 3650." />
          ) : null}
          {due === 'date' ? <DateField id="assign-due-date" label="Due date" value={dueDate} onChange={setDueDate} error={fields.due_at} /> : null}
          <TextField
            label="Recertify every N months (optional)"
            name="recert_months"
            inputMode="numeric"
            value={recert}
            onValueChange={setRecert}
            error={fields.recert_months}
            hint="For training that has to be refreshed: after each completion, people are due again this many months later. Leave empty if once is enough."
          />
          <div className="actions">
            <button type="submit" disabled={busy}>
              {busy ? 'Assigning…' : 'Assign training'}
            </button>
          </div>
        </form>
      ) : null}
      {courses !== null ? <CurrentAssignments key={listVersion} teams={teams} fail={fail} /> : null}
    </>
  );
}

function SelectField({
  id,
  label,
  value,
  onChange,
  options,
  error,
  hint,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: { value: string; label: string }[];
  error?: string | undefined;
  hint?: string;
}) {
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <FieldError id={`${id}-error`} error={error} />
      ) : null}
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={error ? true : undefined} aria-describedby={described}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

function DateField({
  id,
  label,
  value,
  onChange,
  error,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string | undefined;
}) {
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {error ? (
        <FieldError id={`${id}-error`} error={error} />
      ) : null}
      <input
        type="date"
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
    </div>
  );
}

/** PeoplePicker searches the organisation's active people and keeps a list of chosen ones. */
function PeoplePicker({
  chosen,
  setChosen,
  error,
  fail,
}: {
  chosen: OrgPerson[];
  setChosen: (p: OrgPerson[]) => void;
  error?: string | undefined;
  fail: (err: unknown) => string;
}) {
  const [q, setQ] = useState('');
  const [results, setResults] = useState<OrgPerson[] | null>(null);
  const [searchError, setSearchError] = useState('');
  const [busy, setBusy] = useState(false);

  async function search() {
    setSearchError('');
    setBusy(true);
    try {
      setResults((await teamsApi.searchPeople(q.trim())).items);
    } catch (err) {
      setSearchError(fail(err));
    } finally {
      setBusy(false);
    }
  }

  const picked = new Set(chosen.map((p) => p.id));
  return (
    <fieldset className={error ? 'field field-invalid' : 'field'} aria-describedby={error ? 'picker-error' : undefined}>
      <legend>People</legend>
      {error ? (
        <FieldError id="picker-error" error={error} />
      ) : null}
      <div className="filters">
        <TextField
          label="Find people by name or email"
          name="person-search"
          value={q}
          onValueChange={setQ}
          onKeyDown={(e) => {
            // Enter searches here instead of sending the whole assignment form.
            if (e.key === 'Enter') {
              e.preventDefault();
              void search();
            }
          }}
        />
        <div className="actions">
          <button type="button" className="button-secondary" onClick={() => void search()} disabled={busy}>
            {busy ? 'Searching…' : 'Find'}
          </button>
        </div>
      </div>
      {searchError ? <p role="alert">{searchError}</p> : null}
      {results !== null && results.length === 0 ? <p className="empty">Nobody matches that search.</p> : null}
      {results !== null && results.length > 0 ? (
        <ul className="plain" aria-label="Search results">
          {results.map((p) => (
            <li key={p.id}>
              {p.name} <span className="hint">({p.email})</span>{' '}
              {picked.has(p.id) ? (
                'Chosen'
              ) : (
                <button type="button" className="button-secondary" onClick={() => setChosen([...chosen, p])}>
                  Choose<span className="visually-hidden"> {p.name}</span>
                </button>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      <h3>Chosen ({chosen.length})</h3>
      {chosen.length === 0 ? (
        <p className="hint">Nobody yet.</p>
      ) : (
        <ul className="plain" aria-label="Chosen people">
          {chosen.map((p) => (
            <li key={p.id}>
              {p.name}{' '}
              <button type="button" className="button-secondary" onClick={() => setChosen(chosen.filter((x) => x.id !== p.id))}>
                Remove<span className="visually-hidden"> {p.name} from the list</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}

type ListState =
  | { state: 'loading' }
  | { state: 'ready'; items: Assignment[]; next: string; rules: (AssignmentRule & { team: string })[] }
  | { state: 'error'; message: string };

/** CurrentAssignments lists team rules and each person's assignments, with remove. */
function CurrentAssignments({ teams, fail }: { teams: Team[]; fail: (err: unknown) => string }) {
  const [list, setList] = useState<ListState>({ state: 'loading' });
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const [moreBusy, setMoreBusy] = useState(false);

  const load = useCallback(() => {
    setList({ state: 'loading' });
    // Team rules live on each team; organisations have a handful of teams, so ask each.
    Promise.all([teamsApi.assignments(), Promise.all(teams.map((t) => orgApi.team(t.id)))])
      .then(([page, details]) =>
        setList({
          state: 'ready',
          items: page.items,
          next: page.next_cursor ?? '',
          rules: details.flatMap((d) => d.assignment_rules.map((r) => ({ ...r, team: d.name }))),
        }),
      )
      .catch((err: unknown) => setList({ state: 'error', message: fail(err) }));
  }, [teams, fail]);

  useEffect(load, [load]);

  async function loadMore() {
    if (list.state !== 'ready' || !list.next) return;
    setMoreBusy(true);
    try {
      const page = await teamsApi.assignments(list.next);
      setList({ ...list, items: [...list.items, ...page.items], next: page.next_cursor ?? '' });
    } catch (err) {
      setError(fail(err));
    } finally {
      setMoreBusy(false);
    }
  }

  async function removeRule(r: AssignmentRule & { team: string }) {
    setStatus('');
    setError('');
    if (!window.confirm(`Stop assigning ${r.course.title} to people who join ${r.team}? People who already have it keep it.`)) return;
    try {
      await teamsApi.deleteRule(r.id);
      setList((l) => (l.state === 'ready' ? { ...l, rules: l.rules.filter((x) => x.id !== r.id) } : l));
      setStatus(`${r.course.title} is no longer assigned to people who join ${r.team}.`);
    } catch (err) {
      setError(fail(err));
    }
  }

  async function removeAssignment(a: Assignment) {
    setStatus('');
    setError('');
    if (!window.confirm(`Take ${a.course.title} off ${a.person.name}'s required training? Their progress and certificates are kept.`)) return;
    try {
      await teamsApi.deleteAssignment(a.id);
      setList((l) => (l.state === 'ready' ? { ...l, items: l.items.filter((x) => x.id !== a.id) } : l));
      setStatus(`${a.course.title} is no longer required for ${a.person.name}.`);
    } catch (err) {
      setError(fail(err));
    }
  }

  return (
    <section aria-labelledby="current-heading" className="section">
      <h2 id="current-heading">What's assigned now</h2>
      <LiveRegion role="status">{status}</LiveRegion>
      <LiveRegion role="alert">{error}</LiveRegion>
      {list.state === 'loading' ? <Loading label="Loading assignments…" /> : null}
      {list.state === 'error' ? (
        <div role="alert" className="notice notice-error">
          <p>{list.message}</p>
          <p>
            <button type="button" className="button-secondary" onClick={load}>
              Try again
            </button>
          </p>
        </div>
      ) : null}
      {list.state === 'ready' ? (
        <>
          <h3>Teams</h3>
          {list.rules.length === 0 ? (
            <p className="empty">No course is assigned to a whole team yet.</p>
          ) : (
            <table className="table">
              <caption className="visually-hidden">Courses assigned to teams</caption>
              <thead>
                <tr>
                  <th scope="col">Team</th>
                  <th scope="col">Course</th>
                  <th scope="col">Due</th>
                  <th scope="col">Recertify</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {list.rules.map((r) => (
                  <tr key={r.id}>
                    <th scope="row" data-label="Team">
                      {r.team}
                    </th>
                    <td data-label="Course">{r.course.title}</td>
                    <td data-label="Due">{ruleDue(r)}</td>
                    <td data-label="Recertify">{r.recert_months ? `Every ${plural(r.recert_months, 'month', 'months')}` : 'No'}</td>
                    <td data-label="Actions">
                      <button type="button" className="button-secondary" onClick={() => void removeRule(r)}>
                        Stop<span className="visually-hidden"> assigning {r.course.title} to {r.team}</span>
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h3>People</h3>
          {list.items.length === 0 ? (
            <p className="empty">Nobody has assigned training yet.</p>
          ) : (
            <>
              <table className="table">
                <caption className="visually-hidden">Assigned courses, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Person</th>
                    <th scope="col">Course</th>
                    <th scope="col">Due</th>
                    <th scope="col">Recertify</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {list.items.map((a) => (
                    <tr key={a.id}>
                      <th scope="row" data-label="Person">
                        {a.person.name}
                      </th>
                      <td data-label="Course">
                        {a.course.title}
                        {a.team_rule_id ? <span className="hint"> (from a team)</span> : null}
                      </td>
                      <td data-label="Due">{a.due_at ? formatDate(a.due_at) : 'No due date'}</td>
                      <td data-label="Recertify">{a.recert_months ? `Every ${plural(a.recert_months, 'month', 'months')}` : 'No'}</td>
                      <td data-label="Actions">
                        <button type="button" className="button-secondary" onClick={() => void removeAssignment(a)}>
                          Remove<span className="visually-hidden"> {a.course.title} for {a.person.name}</span>
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {list.next ? (
                <p>
                  <button type="button" className="button-secondary" onClick={() => void loadMore()} disabled={moreBusy}>
                    {moreBusy ? 'Loading…' : 'Show more'}
                  </button>
                </p>
              ) : null}
            </>
          )}
        </>
      ) : null}
    </section>
  );
}

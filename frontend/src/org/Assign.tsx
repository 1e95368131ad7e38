import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, ApiError } from '../api';
import { FieldError, SelectField, TextField } from '../components/Field';
import { LiveRegion } from '../components/LiveRegion';
import { LoadStatus, MoreButton, useFail, useLoad } from '../components/Load';
import { TableHead } from '../components/TableHead';
import { usePageTitle } from '../components/usePageTitle';
import { formatDate } from '../time';
import { orgApi, teamsApi, type Assignment, type AssignInput, type AssignmentRule, type OrgPerson, type Team } from './api';
import { useChange } from './change';
import { PersonSearch } from './PersonSearch';
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
  const fail = useFail();
  const { load: choices, reload: reloadChoices } = useLoad(
    () =>
      Promise.all([api.courses(), orgApi.teams()]).then(([list, t]) => {
        const seen = new Map<string, CourseOption>();
        for (const c of [...list.assigned, ...list.catalogue]) seen.set(c.slug, { slug: c.slug, title: c.title });
        return { courses: [...seen.values()].sort((a, b) => a.title.localeCompare(b.title)), teams: t.items };
      }),
    [],
  );
  const courses = choices.state === 'ready' ? choices.value.courses : null;
  const teams = choices.state === 'ready' ? choices.value.teams : [];
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
      <LoadStatus load={choices} label="Loading courses and teams…" onRetry={reloadChoices} />
      {courses !== null ? (
        <form className="form section panel" onSubmit={submit} noValidate aria-labelledby="assign-heading">
          <h2 id="assign-heading">New assignment</h2>
          <SelectField
            label="Course"
            value={course}
            onValueChange={setCourse}
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
              label="Team"
              value={teamId}
              onValueChange={setTeamId}
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
          {due === 'date' ? <TextField type="date" label="Due date" value={dueDate} onValueChange={setDueDate} error={fields.due_at} /> : null}
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
      <PersonSearch label="Find people by name or email" query={q} onQueryChange={setQ} onSearch={() => void search()} busy={busy} />
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

/** CurrentAssignments lists team rules and each person's assignments, with remove. */
function CurrentAssignments({ teams, fail }: { teams: Team[]; fail: (err: unknown) => string }) {
  const { load: list, reload, update } = useLoad(
    // Team rules live on each team; organisations have a handful of teams, so ask each.
    () =>
      Promise.all([teamsApi.assignments(), Promise.all(teams.map((t) => orgApi.team(t.id)))]).then(([page, details]) => ({
        ...page,
        rules: details.flatMap((d) => d.assignment_rules.map((r) => ({ ...r, team: d.name }))),
      })),
    [teams],
  );
  const { status, error, setError, change } = useChange();

  async function more() {
    if (list.state !== 'ready' || !list.value.next_cursor) return;
    const page = await teamsApi.assignments(list.value.next_cursor);
    update((l) => ({ ...l, items: [...l.items, ...page.items], next_cursor: page.next_cursor }));
  }

  function removeRule(r: AssignmentRule & { team: string }) {
    return change(`Stop assigning ${r.course.title} to people who join ${r.team}? People who already have it keep it.`, async () => {
      await teamsApi.deleteRule(r.id);
      update((l) => ({ ...l, rules: l.rules.filter((x) => x.id !== r.id) }));
      return `${r.course.title} is no longer assigned to people who join ${r.team}.`;
    });
  }

  function removeAssignment(a: Assignment) {
    return change(`Take ${a.course.title} off ${a.person.name}'s required training? Their progress and certificates are kept.`, async () => {
      await teamsApi.deleteAssignment(a.id);
      update((l) => ({ ...l, items: l.items.filter((x) => x.id !== a.id) }));
      return `${a.course.title} is no longer required for ${a.person.name}.`;
    });
  }

  return (
    <section aria-labelledby="current-heading" className="section">
      <h2 id="current-heading">What's assigned now</h2>
      <LiveRegion role="status">{status}</LiveRegion>
      <LiveRegion role="alert">{error}</LiveRegion>
      <LoadStatus load={list} label="Loading assignments…" onRetry={reload} />
      {list.state === 'ready' ? (
        <>
          <h3>Teams</h3>
          {list.value.rules.length === 0 ? (
            <p className="empty">No course is assigned to a whole team yet.</p>
          ) : (
            <table className="table">
              <caption className="visually-hidden">Courses assigned to teams</caption>
              <TableHead columns={['Team', 'Course', 'Due', 'Recertify', 'Actions']} />
              <tbody>
                {list.value.rules.map((r) => (
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
          {list.value.items.length === 0 ? (
            <p className="empty">Nobody has assigned training yet.</p>
          ) : (
            <>
              <table className="table">
                <caption className="visually-hidden">Assigned courses, newest first</caption>
                <TableHead columns={['Person', 'Course', 'Due', 'Recertify', 'Actions']} />
                <tbody>
                  {list.value.items.map((a) => (
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
              {list.value.next_cursor ? (
                <MoreButton onMore={more} onError={(err) => setError(fail(err))}>
                  Show more
                </MoreButton>
              ) : null}
            </>
          )}
        </>
      ) : null}
    </section>
  );
}

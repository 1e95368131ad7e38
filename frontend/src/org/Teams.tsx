import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError } from '../api';
import { useAuth } from '../auth/AuthContext';
import { FieldError, TextField } from '../components/Field';
import { LiveRegion } from '../components/LiveRegion';
import { LoadStatus, MoreButton, useFail, useLoad, usePages } from '../components/Load';
import { Loading, NoAccess } from '../components/Pages';
import { TableHead } from '../components/TableHead';
import { usePageTitle } from '../components/usePageTitle';
import { useSubmit } from '../components/useSubmit';
import { formatDate } from '../time';
import { orgApi, teamsApi, type AssignmentRule, type OrgPerson, type Team, type TeamDetail, type TeamMember } from './api';
import { useChange } from './change';

function useOrgRole() {
  const { me } = useAuth();
  const isAdmin = !!me?.roles.includes('org_admin');
  return { isAdmin, allowed: isAdmin || !!me?.roles.includes('manager') };
}

function countText(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Teams lists the organisation's teams (a manager's own, read-only) and lets admins change them. */
export function Teams() {
  usePageTitle('Teams');
  const { isAdmin, allowed } = useOrgRole();
  const fail = useFail();
  const { load: list, reload, update, more } = usePages((cursor) => orgApi.teams(cursor), [], allowed);
  const [managers, setManagers] = useState<Record<string, string[]>>({});
  const [renaming, setRenaming] = useState<Team | null>(null);
  const { status, setStatus, error, setError, change } = useChange();

  // Managers' names come from the people list (one request, not one per team). If it fails the
  // table still says how many managers each team has.
  const loadManagers = useCallback(() => {
    orgApi
      .people({ role: 'manager', status: 'active' })
      .then((page) => {
        const by: Record<string, string[]> = {};
        for (const p of page.items) for (const t of p.teams) if (t.manager) (by[t.id] ??= []).push(p.name);
        setManagers(by);
      })
      .catch(() => setManagers({}));
  }, []);

  useEffect(() => {
    if (allowed) loadManagers();
  }, [allowed, loadManagers]);

  if (!allowed) return <NoAccess />;

  function remove(t: Team) {
    return change(
      `Delete the team “${t.name}”? The ${countText(t.member_count, 'person', 'people')} in it stay in your organisation and keep their training, assignments and history. People who join later will no longer get the team's courses.`,
      async () => {
        await orgApi.deleteTeam(t.id);
        update((l) => ({ ...l, items: l.items.filter((x) => x.id !== t.id) }));
        return `The team “${t.name}” is deleted. Its people's training history is kept.`;
      },
    );
  }

  return (
    <>
      <h1>Teams</h1>
      <p className="lead">
        {isAdmin
          ? 'Group people into teams, choose who manages each one, and assign training to a whole team at once.'
          : 'The teams you manage. Ask an organisation admin if something here needs to change.'}
      </p>
      <LiveRegion role="status">{status}</LiveRegion>
      <LiveRegion role="alert">{error}</LiveRegion>
      <section aria-labelledby="teams-heading" className="section">
        <h2 id="teams-heading">{isAdmin ? 'All teams' : 'Your teams'}</h2>
        <LoadStatus
          load={list}
          label="Loading teams…"
          onRetry={() => {
            reload();
            loadManagers();
          }}
        />
        {list.state === 'ready' && list.value.items.length === 0 ? (
          <p className="empty">
            {isAdmin ? 'There are no teams yet. Create the first one below.' : "You don't manage any teams yet."}
          </p>
        ) : null}
        {list.state === 'ready' && list.value.items.length > 0 ? (
          <>
            <table className="table">
              <caption className="visually-hidden">Teams, by name</caption>
              <TableHead columns={['Team', 'Members', 'Managers', isAdmin && 'Actions']} />
              <tbody>
                {list.value.items.map((t) => (
                  <tr key={t.id}>
                    <th scope="row" data-label="Team">
                      <Link to={`/org/teams/${t.id}`}>{t.name}</Link>
                    </th>
                    <td data-label="Members">{countText(t.member_count, 'person', 'people')}</td>
                    <td data-label="Managers">
                      {managers[t.id]?.length
                        ? managers[t.id]?.join(', ')
                        : t.manager_count === 0
                          ? 'No manager yet'
                          : countText(t.manager_count, 'manager', 'managers')}
                    </td>
                    {isAdmin ? (
                      <td data-label="Actions">
                        <button type="button" className="button-secondary" onClick={() => setRenaming(t)}>
                          Rename<span className="visually-hidden"> {t.name}</span>
                        </button>{' '}
                        <button type="button" className="button-secondary" onClick={() => void remove(t)}>
                          Delete<span className="visually-hidden"> {t.name}</span>
                        </button>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
            {list.value.next_cursor ? (
              <MoreButton onMore={more} onError={(err) => setError(fail(err))}>
                Show more teams
              </MoreButton>
            ) : null}
          </>
        ) : null}
      </section>
      {isAdmin && renaming ? (
        <TeamNameForm
          key={renaming.id}
          team={renaming}
          onDone={(d, message) => {
            if (d) update((l) => ({ ...l, items: l.items.map((x) => (x.id === d.id ? { ...x, name: d.name } : x)) }));
            setRenaming(null);
            setStatus(message);
          }}
        />
      ) : null}
      {isAdmin ? (
        <TeamNameForm
          onDone={(d, message) => {
            if (d) update((l) => ({ ...l, items: [...l.items, d].sort((a, b) => a.name.localeCompare(b.name)) }));
            setStatus(message);
          }}
        />
      ) : null}
    </>
  );
}

/** TeamNameForm creates a team, or renames one when given it. */
function TeamNameForm({ team, onDone }: { team?: Team; onDone: (d: TeamDetail | null, message: string) => void }) {
  const [name, setName] = useState(team?.name ?? '');
  const { busy, fields, setFields, error, setError, send } = useSubmit(['name']);
  const headingId = team ? 'rename-team-heading' : 'new-team-heading';

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError('');
    if (!name.trim()) {
      setFields({ name: 'Enter a team name.' });
      return;
    }
    setFields({});
    await send(async () => {
      const d = team ? await teamsApi.renameTeam(team.id, name.trim()) : await orgApi.createTeam(name.trim());
      if (!team) setName('');
      onDone(d, team ? `Renamed “${team.name}” to “${d.name}”.` : `The team “${d.name}” is ready. Open it to add people.`);
    });
  }

  return (
    <section aria-labelledby={headingId} className="section panel">
      <h2 id={headingId}>{team ? `Rename ${team.name}` : 'Create a team'}</h2>
      <LiveRegion role="alert">{error}</LiveRegion>
      <form className="form" onSubmit={submit} noValidate>
        <TextField
          label={team ? 'New name' : 'Team name'}
          name="name"
          maxLength={200}
          value={name}
          onValueChange={setName}
          error={fields.name}
          autoFocus={!!team}
        />
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : team ? 'Save name' : 'Create team'}
          </button>
          {team ? (
            <>
              {' '}
              <button type="button" className="button-secondary" onClick={() => onDone(null, '')}>
                Cancel
              </button>
            </>
          ) : null}
        </div>
      </form>
    </section>
  );
}

export function ruleDue(r: Pick<AssignmentRule, 'due_at' | 'due_within_days'>): string {
  if (r.due_within_days) return `Within ${countText(r.due_within_days, 'day', 'days')} of joining`;
  if (r.due_at) return `By ${formatDate(r.due_at)}`;
  return 'No due date';
}

/** TeamPage shows one team's members and assigned courses; admins add, remove and promote people. */
export function TeamPage() {
  const { id = '' } = useParams();
  const { isAdmin, allowed } = useOrgRole();
  const fail = useFail();
  const { load: detail, reload, set, update } = useLoad(() => orgApi.team(id), [id], allowed);
  const { status, setStatus, error, setError, change } = useChange();
  usePageTitle(detail.state === 'ready' ? detail.value.name : 'Team');

  if (!allowed) return <NoAccess />;
  if (detail.state === 'loading') return <Loading label="Loading the team…" />;
  if (detail.state === 'error') {
    const missing = detail.status === 404;
    return (
      <>
        <h1>{missing ? 'Team not found' : "We couldn't load this team"}</h1>
        <p role="alert">{missing ? 'This team may have been deleted, or it is not one you can see.' : detail.message}</p>
        <p>
          {missing ? null : (
            <>
              <button type="button" className="button-secondary" onClick={reload}>
                Try again
              </button>{' '}
            </>
          )}
          <Link to="/org/teams">Back to teams</Link>
        </p>
      </>
    );
  }
  const team = detail.value;

  async function setManager(m: TeamMember, manager: boolean) {
    setStatus('');
    setError('');
    try {
      set(await orgApi.putMember(team.id, m.id, manager));
      setStatus(manager ? `${m.name} now manages ${team.name}.` : `${m.name} no longer manages ${team.name}.`);
    } catch (err) {
      setError(err instanceof ApiError && err.fields.manager ? err.fields.manager : fail(err));
    }
  }

  function removeMember(m: TeamMember) {
    return change(
      `Remove ${m.name} from ${team.name}? They keep the training already assigned to them and their history.`,
      async () => {
        await orgApi.removeMember(team.id, m.id);
        update((t) => ({ ...t, members: t.members.filter((x) => x.id !== m.id), member_count: t.member_count - 1 }));
        return `${m.name} is no longer in ${team.name}.`;
      },
    );
  }

  return (
    <>
      <p>
        <Link to="/org/teams">Back to teams</Link>
      </p>
      <h1>{team.name}</h1>
      <p className="lead">
        {countText(team.member_count, 'person', 'people')}, {countText(team.manager_count, 'manager', 'managers')}.
        {isAdmin ? '' : ' You can see this team because you manage it; an organisation admin makes changes.'}
      </p>
      <LiveRegion role="status">{status}</LiveRegion>
      <LiveRegion role="alert">{error}</LiveRegion>
      <section aria-labelledby="members-heading" className="section">
        <h2 id="members-heading">Members</h2>
        {team.members.length === 0 ? (
          <p className="empty">Nobody is in this team yet.{isAdmin ? ' Add people below.' : ''}</p>
        ) : (
          <table className="table">
            <caption className="visually-hidden">Members of {team.name}, managers first</caption>
            <TableHead columns={['Name', 'Email', 'Manages the team', 'Joined', isAdmin && 'Actions']} />
            <tbody>
              {team.members.map((m) => (
                <tr key={m.id}>
                  <th scope="row" data-label="Name">
                    {m.name}
                    {m.active ? null : ' (deactivated)'}
                  </th>
                  <td data-label="Email" className="break">
                    {m.email}
                  </td>
                  <td data-label="Manages the team">{m.manager ? 'Yes' : 'No'}</td>
                  <td data-label="Joined">{formatDate(m.joined_at)}</td>
                  {isAdmin ? (
                    <td data-label="Actions">
                      <button type="button" className="button-secondary" onClick={() => void setManager(m, !m.manager)}>
                        {m.manager ? 'Stop managing' : 'Make manager'}
                        <span className="visually-hidden"> {m.name}</span>
                      </button>{' '}
                      <button type="button" className="button-secondary" onClick={() => void removeMember(m)}>
                        Remove<span className="visually-hidden"> {m.name} from the team</span>
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {isAdmin ? (
        <AddMember
          team={team}
          fail={fail}
          onAdded={(d, message) => {
            set(d);
            setStatus(message);
          }}
        />
      ) : null}
      <section aria-labelledby="rules-heading" className="section">
        <h2 id="rules-heading">Training for this team</h2>
        {team.assignment_rules.length === 0 ? (
          <p className="empty">No courses are assigned to this team.</p>
        ) : (
          <ul>
            {team.assignment_rules.map((r) => (
              <li key={r.id}>
                {r.course.title}: {ruleDue(r).toLowerCase()}
                {r.recert_months ? `, redone every ${countText(r.recert_months, 'month', 'months')}` : ''}
              </li>
            ))}
          </ul>
        )}
        {isAdmin ? (
          <p>
            <Link to="/org/assign">Assign training to this team</Link>
          </p>
        ) : null}
      </section>
    </>
  );
}

/** AddMember finds people in the organisation by name or email and adds one to the team. */
function AddMember({
  team,
  fail,
  onAdded,
}: {
  team: TeamDetail;
  fail: (err: unknown) => string;
  onAdded: (d: TeamDetail, message: string) => void;
}) {
  const [q, setQ] = useState('');
  const [results, setResults] = useState<OrgPerson[] | null>(null);
  const [asManager, setAsManager] = useState(false);
  const [managerError, setManagerError] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function search(e: FormEvent) {
    e.preventDefault();
    setError('');
    setBusy(true);
    try {
      const page = await teamsApi.searchPeople(q.trim());
      setResults(page.items);
    } catch (err) {
      setError(fail(err));
    } finally {
      setBusy(false);
    }
  }

  async function add(p: OrgPerson) {
    setError('');
    setManagerError('');
    try {
      const d = await orgApi.putMember(team.id, p.id, asManager);
      setResults((rs) => rs?.filter((x) => x.id !== p.id) ?? null);
      onAdded(d, `${p.name} is now in ${team.name}${asManager ? ' as a manager' : ''}.`);
    } catch (err) {
      if (err instanceof ApiError && err.fields.manager) setManagerError(err.fields.manager);
      else setError(fail(err));
    }
  }

  const inTeam = new Set(team.members.map((m) => m.id));
  return (
    <section aria-labelledby="add-member-heading" className="section panel">
      <h2 id="add-member-heading">Add people</h2>
      <LiveRegion role="alert">{error}</LiveRegion>
      <form className="form filters" role="search" aria-label="Find people to add" onSubmit={search}>
        <TextField label="Name or email" name="q" maxLength={200} value={q} onValueChange={setQ} hint="Leave empty to list everyone." />
        <div className="actions">
          <button type="submit" className="button-secondary" disabled={busy}>
            {busy ? 'Searching…' : 'Find people'}
          </button>
        </div>
      </form>
      <div className={managerError ? 'field field-invalid' : 'field'}>
        {managerError ? (
          <FieldError id="add-as-manager-error" error={managerError} />
        ) : null}
        <div className="checkbox">
          <input
            type="checkbox"
            id="add-as-manager"
            checked={asManager}
            onChange={(e) => setAsManager(e.target.checked)}
            aria-invalid={managerError ? true : undefined}
            aria-describedby={managerError ? 'add-as-manager-hint add-as-manager-error' : 'add-as-manager-hint'}
          />
          <label htmlFor="add-as-manager">Add as a manager of this team</label>
          <p className="hint" id="add-as-manager-hint">
            Only people with the team manager role can manage a team. Change roles on the People page.
          </p>
        </div>
      </div>
      {results === null ? null : results.length === 0 ? (
        <p className="empty">Nobody matches. Try part of a name or email address.</p>
      ) : (
        <ul className="plain" aria-label="People found">
          {results.map((p) => (
            <li key={p.id} className="picker-row">
              <span>
                {p.name} <span className="hint">({p.email})</span>
              </span>{' '}
              {inTeam.has(p.id) ? (
                <span>Already in the team</span>
              ) : (
                <button type="button" className="button-secondary" onClick={() => void add(p)}>
                  Add<span className="visually-hidden"> {p.name}</span>
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError, messageOf, ROLES, type Role } from '../api';
import { useAuth } from '../auth/AuthContext';
import { FieldError, TextField } from '../components/Field';
import { LiveRegion } from '../components/LiveRegion';
import { Loading, NoAccess } from '../components/Pages';
import { usePageTitle } from '../components/usePageTitle';
import { roleList, roleName } from '../roles';
import { formatDate } from '../time';
import { orgApi, type OrgPerson, type PeopleImport, type PeopleQuery, type Team } from './api';
import './Matrix.css';

type ListState =
  | { state: 'loading' }
  | { state: 'ready'; items: OrgPerson[]; next: string }
  | { state: 'error'; message: string };

/** People lists the organisation's people (a manager's own teams only) with search and filters. */
export function People() {
  usePageTitle('People');
  const { me, signedOut } = useAuth();
  const isAdmin = !!me?.roles.includes('org_admin');
  const allowed = isAdmin || !!me?.roles.includes('manager');
  const [filters, setFilters] = useState<PeopleQuery>({ status: 'active' });
  const [draft, setDraft] = useState<PeopleQuery>({ status: 'active' });
  const [list, setList] = useState<ListState>({ state: 'loading' });
  const [teams, setTeams] = useState<Team[]>([]);
  const [moreBusy, setMoreBusy] = useState(false);
  const [editing, setEditing] = useState<OrgPerson | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');

  const fail = useCallback(
    (err: unknown) => {
      if (err instanceof ApiError && err.status === 401) signedOut();
      return messageOf(err);
    },
    [signedOut],
  );

  const load = useCallback(
    (q: PeopleQuery) => {
      setList({ state: 'loading' });
      orgApi
        .people(q)
        .then((page) => setList({ state: 'ready', items: page.items, next: page.next_cursor ?? '' }))
        .catch((err: unknown) => setList({ state: 'error', message: fail(err) }));
    },
    [fail],
  );

  useEffect(() => {
    if (!allowed) return;
    load(filters);
  }, [allowed, filters, load]);

  useEffect(() => {
    if (!allowed) return;
    orgApi
      .teams()
      .then((page) => setTeams(page.items))
      .catch(() => setTeams([]));
  }, [allowed]);

  if (!allowed) return <NoAccess />;

  function search(e: FormEvent) {
    e.preventDefault();
    setFilters({ ...draft, q: draft.q?.trim() });
  }

  async function loadMore() {
    if (list.state !== 'ready' || !list.next) return;
    setMoreBusy(true);
    try {
      const page = await orgApi.people({ ...filters, cursor: list.next });
      setList({ state: 'ready', items: [...list.items, ...page.items], next: page.next_cursor ?? '' });
    } catch (err) {
      setList({ state: 'error', message: fail(err) });
    } finally {
      setMoreBusy(false);
    }
  }

  function replace(p: OrgPerson) {
    setList((l) => (l.state === 'ready' ? { ...l, items: l.items.map((x) => (x.id === p.id ? p : x)) } : l));
  }

  async function toggleActive(p: OrgPerson) {
    setStatus('');
    setError('');
    if (p.active && !window.confirm(`Deactivate ${p.name}? They will be signed out and can't sign in until reactivated. Their training history is kept.`)) {
      return;
    }
    try {
      const updated = p.active ? await orgApi.deactivate(p.id) : await orgApi.reactivate(p.id);
      replace(updated);
      setStatus(updated.active ? `${p.name} can sign in again.` : `${p.name} is deactivated.`);
    } catch (err) {
      setError(fail(err));
    }
  }

  return (
    <>
      <h1>People</h1>
      <p className="lead">
        {isAdmin
          ? 'Everyone in your organisation. Search, change roles, or import a list of new people.'
          : 'The people in the teams you manage.'}
      </p>
      <LiveRegion role="status">{status}</LiveRegion>
      <LiveRegion role="alert">{error}</LiveRegion>
      <form className="form filters" onSubmit={search} role="search" aria-label="Find people">
        <TextField
          label="Name or email"
          name="q"
          maxLength={200}
          value={draft.q ?? ''}
          onValueChange={(q) => setDraft({ ...draft, q })}
        />
        <div className="field">
          <label htmlFor="people-role">Role</label>
          <select id="people-role" value={draft.role ?? ''} onChange={(e) => setDraft({ ...draft, role: e.target.value })}>
            <option value="">Any role</option>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {roleName(r)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="people-team">Team</label>
          <select id="people-team" value={draft.team ?? ''} onChange={(e) => setDraft({ ...draft, team: e.target.value })}>
            <option value="">Any team</option>
            {teams.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="people-status">Status</label>
          <select
            id="people-status"
            value={draft.status ?? ''}
            onChange={(e) => setDraft({ ...draft, status: e.target.value })}
          >
            <option value="">Everyone</option>
            <option value="active">Active</option>
            <option value="deactivated">Deactivated</option>
          </select>
        </div>
        <div className="actions">
          <button type="submit">Search</button>
        </div>
      </form>
      <section aria-labelledby="people-heading" className="section">
        <h2 id="people-heading">People found</h2>
        {list.state === 'loading' ? <Loading label="Loading people…" /> : null}
        {list.state === 'error' ? (
          <div role="alert" className="notice notice-error">
            <p>{list.message}</p>
            <p>
              <button type="button" className="button-secondary" onClick={() => load(filters)}>
                Try again
              </button>
            </p>
          </div>
        ) : null}
        {list.state === 'ready' && list.items.length === 0 ? (
          <p className="empty">Nobody matches. Try a different search or filter.</p>
        ) : null}
        {list.state === 'ready' && list.items.length > 0 ? (
          <>
            <table className="table">
              <caption className="visually-hidden">People, by name</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Roles</th>
                  <th scope="col">Teams</th>
                  <th scope="col">Status</th>
                  {isAdmin ? <th scope="col">Actions</th> : null}
                </tr>
              </thead>
              <tbody>
                {list.items.map((p) => (
                  <tr key={p.id}>
                    <th scope="row" data-label="Name">
                      {p.name}
                    </th>
                    <td data-label="Email" className="break">
                      {p.email}
                    </td>
                    <td data-label="Roles">{roleList(p.roles)}</td>
                    <td data-label="Teams">
                      {p.teams.length === 0
                        ? 'None'
                        : p.teams.map((t) => t.name + (t.manager ? ' (manager)' : '')).join(', ')}
                    </td>
                    <td data-label="Status">
                      {p.active ? 'Active' : `Deactivated${p.deactivated_at ? ` on ${formatDate(p.deactivated_at)}` : ''}`}
                    </td>
                    {isAdmin ? (
                      <td data-label="Actions">
                        <button type="button" className="button-secondary" onClick={() => setEditing(p)}>
                          Change roles<span className="visually-hidden"> for {p.name}</span>
                        </button>{' '}
                        {p.id === me?.id ? null : (
                          <button type="button" className="button-secondary" onClick={() => void toggleActive(p)}>
                            {p.active ? 'Deactivate' : 'Reactivate'}
                            <span className="visually-hidden"> {p.name}</span>
                          </button>
                        )}
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
            {list.next ? (
              <p>
                <button type="button" className="button-secondary" onClick={() => void loadMore()} disabled={moreBusy}>
                  {moreBusy ? 'Loading…' : 'Show more people'}
                </button>
              </p>
            ) : null}
          </>
        ) : null}
      </section>
      {editing ? (
        <RoleForm
          key={editing.id}
          person={editing}
          onDone={(p, message) => {
            if (p) replace(p);
            setEditing(null);
            setStatus(message);
          }}
          fail={fail}
        />
      ) : null}
      {isAdmin ? <ImportPeople onImported={() => load(filters)} fail={fail} /> : null}
    </>
  );
}

function RoleForm({
  person,
  onDone,
  fail,
}: {
  person: OrgPerson;
  onDone: (p: OrgPerson | null, message: string) => void;
  fail: (err: unknown) => string;
}) {
  const [roles, setRoles] = useState<Role[]>(person.roles);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function save(e: FormEvent) {
    e.preventDefault();
    if (roles.length === 0) {
      setError('Choose at least one role.');
      return;
    }
    setBusy(true);
    try {
      const p = await orgApi.setRoles(person.id, roles);
      onDone(p, `${person.name}'s roles are now: ${roleList(p.roles)}.`);
    } catch (err) {
      setError(err instanceof ApiError && err.fields.roles ? err.fields.roles : fail(err));
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="roles-heading" className="section panel">
      <h2 id="roles-heading">Roles for {person.name}</h2>
      <form onSubmit={save} noValidate className="form">
        <fieldset className={error ? 'field field-invalid checkboxes' : 'field checkboxes'} aria-describedby={error ? 'role-form-error' : undefined}>
          <legend>Roles</legend>
          {error ? (
            <FieldError id="role-form-error" error={error} />
          ) : null}
          {ROLES.map((r) => (
            <div className="checkbox" key={r}>
              <input
                type="checkbox"
                id={`edit-role-${r}`}
                checked={roles.includes(r)}
                onChange={(e) => setRoles((rs) => (e.target.checked ? ROLES.filter((x) => x === r || rs.includes(x)) : rs.filter((x) => x !== r)))}
              />
              <label htmlFor={`edit-role-${r}`}>{roleName(r)}</label>
            </div>
          ))}
        </fieldset>
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Save roles'}
          </button>{' '}
          <button type="button" className="button-secondary" onClick={() => onDone(null, '')}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}

const PROBLEM_ORDER = ['row', 'name', 'email', 'team', 'roles'];

/** ImportPeople checks a CSV file first and imports it only when every row is clean. */
function ImportPeople({ onImported, fail }: { onImported: () => void; fail: (err: unknown) => string }) {
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<PeopleImport | null>(null);
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  // A new key empties the file input after an import, so it never shows a file that is gone.
  const [fileKey, setFileKey] = useState(0);

  async function check(e: FormEvent) {
    e.preventDefault();
    setStatus('');
    setPreview(null);
    if (!file) {
      setError('Choose a CSV file first.');
      return;
    }
    setBusy(true);
    setError('');
    try {
      const res = await orgApi.importPeople(file, true);
      setPreview(res);
      setStatus(
        res.problem_rows === 0
          ? `All ${res.rows.length} rows look right. Nothing has been sent yet.`
          : `${res.problem_rows} of ${res.rows.length} rows need fixing. Nothing has been sent.`,
      );
    } catch (err) {
      setError(err instanceof ApiError && err.fields.file ? err.fields.file : fail(err));
    } finally {
      setBusy(false);
    }
  }

  async function run() {
    if (!file) return;
    setBusy(true);
    setError('');
    try {
      const res = await orgApi.importPeople(file, false);
      setPreview(null);
      setFile(null);
      setFileKey((k) => k + 1);
      setStatus(`Invitations sent to ${res.invited} ${res.invited === 1 ? 'person' : 'people'}.`);
      onImported();
    } catch (err) {
      setError(fail(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    // The preview has six columns: it gets the page's full width rather than the narrow panel's.
    <section aria-labelledby="import-heading" className={preview ? 'section panel panel-wide' : 'section panel'}>
      <h2 id="import-heading">Import from CSV</h2>
      <p>
        One person per row, with a header row: <code>name,email,team,roles</code>. Separate several roles with a
        semicolon (<code>trainee;trainer</code>); people without a role become trainees. Teams must already exist.
      </p>
      <LiveRegion role="status">{status}</LiveRegion>
      <LiveRegion role="alert">{error}</LiveRegion>
      <form onSubmit={check} className="form" noValidate>
        <div className="field">
          <label htmlFor="import-file">CSV file</label>
          <p className="hint" id="import-file-hint">
            Up to 2,000 people and 1 MB, saved as CSV UTF-8.
          </p>
          <input
            key={fileKey}
            id="import-file"
            type="file"
            accept=".csv,text/csv"
            aria-describedby="import-file-hint"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setPreview(null);
            }}
          />
        </div>
        <div className="actions">
          <button type="submit" className="button-secondary" disabled={busy}>
            Check file
          </button>{' '}
          <button
            type="button"
            onClick={() => void run()}
            disabled={busy || !preview || preview.problem_rows > 0}
            aria-describedby="import-button-hint"
          >
            Import and send invitations
          </button>
        </div>
        <p className="hint" id="import-button-hint">
          You can import once the check finds no problems.
        </p>
      </form>
      {preview ? (
        <table className="table">
          <caption>
            Preview: {preview.rows.length} rows, {preview.problem_rows} with problems
          </caption>
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Team</th>
              <th scope="col">Roles</th>
              <th scope="col">Problems</th>
            </tr>
          </thead>
          <tbody>
            {preview.rows.map((r) => {
              const problems = PROBLEM_ORDER.filter((k) => r.problems[k]).map((k) => r.problems[k]);
              return (
                <tr key={r.line} className={problems.length ? 'row-problem' : undefined}>
                  <th scope="row" data-label="Line">
                    {r.line}
                  </th>
                  <td data-label="Name">{r.name}</td>
                  <td data-label="Email" className="break">
                    {r.email}
                  </td>
                  <td data-label="Team">{r.team || 'None'}</td>
                  <td data-label="Roles">{roleList(r.roles)}</td>
                  <td data-label="Problems">
                    {problems.length === 0 ? (
                      'Ready'
                    ) : (
                      <ul className="plain">
                        {problems.map((m) => (
                          <li key={m}>Problem: {m}</li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, ROLES, type Role } from '../api';
import { useAuth } from '../auth/AuthContext';
import { FieldError, SelectField, TextField } from '../components/Field';
import { LiveRegion } from '../components/LiveRegion';
import { LoadStatus, MoreButton, useFail, usePages } from '../components/Load';
import { NoAccess } from '../components/Pages';
import { TableHead } from '../components/TableHead';
import { usePageTitle } from '../components/usePageTitle';
import { roleList, roleName } from '../roles';
import { formatDate } from '../time';
import { orgApi, type OrgPerson, type PeopleImport, type PeopleQuery, type Team } from './api';
import { useChange } from './change';
import './Matrix.css';

/** People lists the organisation's people (a manager's own teams only) with search and filters. */
export function People() {
  usePageTitle('People');
  const { me } = useAuth();
  const isAdmin = !!me?.roles.includes('org_admin');
  const allowed = isAdmin || !!me?.roles.includes('manager');
  const [filters, setFilters] = useState<PeopleQuery>({ status: 'active' });
  const [draft, setDraft] = useState<PeopleQuery>({ status: 'active' });
  const fail = useFail();
  const { load: list, reload, update, failed, more } = usePages(
    (cursor) => orgApi.people({ ...filters, cursor }),
    [filters],
    allowed,
  );
  const [teams, setTeams] = useState<Team[]>([]);
  const [editing, setEditing] = useState<OrgPerson | null>(null);
  const { status, setStatus, error, change } = useChange();

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

  function replace(p: OrgPerson) {
    update((l) => ({ ...l, items: l.items.map((x) => (x.id === p.id ? p : x)) }));
  }

  function toggleActive(p: OrgPerson) {
    const question = `Deactivate ${p.name}? They will be signed out and can't sign in until reactivated. Their training history is kept.`;
    return change(p.active ? question : null, async () => {
      const updated = p.active ? await orgApi.deactivate(p.id) : await orgApi.reactivate(p.id);
      replace(updated);
      return updated.active ? `${p.name} can sign in again.` : `${p.name} is deactivated.`;
    });
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
        <SelectField
          label="Role"
          value={draft.role ?? ''}
          onValueChange={(role) => setDraft({ ...draft, role })}
          options={[{ value: '', label: 'Any role' }, ...ROLES.map((r) => ({ value: r, label: roleName(r) }))]}
        />
        <SelectField
          label="Team"
          value={draft.team ?? ''}
          onValueChange={(team) => setDraft({ ...draft, team })}
          options={[{ value: '', label: 'Any team' }, ...teams.map((t) => ({ value: t.id, label: t.name }))]}
        />
        <SelectField
          label="Status"
          value={draft.status ?? ''}
          onValueChange={(status) => setDraft({ ...draft, status })}
          options={[
            { value: '', label: 'Everyone' },
            { value: 'active', label: 'Active' },
            { value: 'deactivated', label: 'Deactivated' },
          ]}
        />
        <div className="actions">
          <button type="submit">Search</button>
        </div>
      </form>
      <section aria-labelledby="people-heading" className="section">
        <h2 id="people-heading">People found</h2>
        <LoadStatus load={list} label="Loading people…" onRetry={reload} />
        {list.state === 'ready' && list.value.items.length === 0 ? (
          <p className="empty">Nobody matches. Try a different search or filter.</p>
        ) : null}
        {list.state === 'ready' && list.value.items.length > 0 ? (
          <>
            <table className="table">
              <caption className="visually-hidden">People, by name</caption>
              <TableHead columns={['Name', 'Email', 'Roles', 'Teams', 'Status', isAdmin && 'Actions']} />
              <tbody>
                {list.value.items.map((p) => (
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
            {list.value.next_cursor ? (
              <MoreButton onMore={more} onError={failed}>
                Show more people
              </MoreButton>
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
      {isAdmin ? <ImportPeople onImported={reload} fail={fail} /> : null}
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
          <TableHead columns={['Line', 'Name', 'Email', 'Team', 'Roles', 'Problems']} />
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

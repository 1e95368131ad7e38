import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, messageOf, ROLES, type Invitation, type Role } from '../api';
import { useAuth } from '../auth/AuthContext';
import { FieldError, TextField } from '../components/Field';
import { LiveRegion } from '../components/LiveRegion';
import { Loading } from '../components/Pages';
import { usePageTitle } from '../components/usePageTitle';
import { roleList, roleName } from '../roles';
import { formatDate } from '../time';

type Fields = { email?: string; name?: string; roles?: string };

const ROLE_HINTS: Record<Role, string> = {
  trainee: 'Takes courses, quizzes and role-play practice.',
  trainer: 'Schedules and runs role-play sessions.',
  manager: "Follows their team's training.",
  org_admin: 'Invites people and manages the organisation.',
};

type ListState =
  | { state: 'loading' }
  | { state: 'ready'; items: Invitation[]; next: string }
  | { state: 'error'; message: string };

/** Invitations lets an organisation admin invite people and see who has not accepted yet. */
export function Invitations() {
  usePageTitle('People and invitations');
  const auth = useAuth();
  const { signedOut } = auth;
  const [list, setList] = useState<ListState>({ state: 'loading' });
  const [moreBusy, setMoreBusy] = useState(false);

  const onAuthError = useCallback(
    (err: unknown) => {
      // The session ended (expired, or signed out in another tab): go back to sign-in.
      if (err instanceof ApiError && err.status === 401) signedOut();
    },
    [signedOut],
  );

  const load = useCallback(() => {
    api
      .orgInvitations()
      .then((page) => setList({ state: 'ready', items: page.items, next: page.next_cursor ?? '' }))
      .catch((err: unknown) => {
        onAuthError(err);
        setList({ state: 'error', message: messageOf(err) });
      });
  }, [onAuthError]);

  useEffect(load, [load]);

  async function loadMore() {
    if (list.state !== 'ready' || !list.next) return;
    setMoreBusy(true);
    try {
      const page = await api.orgInvitations(list.next);
      setList({ state: 'ready', items: [...list.items, ...page.items], next: page.next_cursor ?? '' });
    } catch (err) {
      onAuthError(err);
      setList({ state: 'error', message: messageOf(err) });
    } finally {
      setMoreBusy(false);
    }
  }

  return (
    <>
      <h1>People and invitations</h1>
      <p className="lead">
        Invite someone to {auth.me?.organisation?.name ?? 'your organisation'}. They'll get an email with a link to set
        up their account.
      </p>
      <InviteForm onInvited={load} onAuthError={onAuthError} />
      <section aria-labelledby="pending-heading" className="section">
        <h2 id="pending-heading">Pending invitations</h2>
        {list.state === 'loading' ? <Loading label="Loading invitations…" /> : null}
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
        {list.state === 'ready' && list.items.length === 0 ? (
          <p className="empty">No pending invitations. Invitations appear here until they are accepted or expire.</p>
        ) : null}
        {list.state === 'ready' && list.items.length > 0 ? (
          <>
            <table className="table">
              <caption className="visually-hidden">Invitations not yet accepted</caption>
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Name</th>
                  <th scope="col">Roles</th>
                  <th scope="col">Sent</th>
                  <th scope="col">Expires</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((inv) => (
                  <tr key={inv.id}>
                    <td data-label="Email" className="break">
                      {inv.email}
                    </td>
                    <td data-label="Name">{inv.name || <span className="muted">Not given</span>}</td>
                    <td data-label="Roles">{roleList(inv.roles)}</td>
                    <td data-label="Sent">
                      <time dateTime={inv.created_at}>{formatDate(inv.created_at)}</time>
                    </td>
                    <td data-label="Expires">
                      <time dateTime={inv.expires_at}>{formatDate(inv.expires_at)}</time>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {list.next ? (
              <p>
                <button type="button" className="button-secondary" onClick={loadMore} disabled={moreBusy}>
                  {moreBusy ? 'Loading…' : 'Show more invitations'}
                </button>
              </p>
            ) : null}
          </>
        ) : null}
      </section>
    </>
  );
}

function InviteForm({ onInvited, onAuthError }: { onInvited: () => void; onAuthError: (err: unknown) => void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [roles, setRoles] = useState<Role[]>(['trainee']);
  const [fields, setFields] = useState<Fields>({});
  const [error, setError] = useState('');
  const [success, setSuccess] = useState('');
  const [busy, setBusy] = useState(false);
  const emailRef = useRef<HTMLInputElement>(null);

  function toggle(role: Role, on: boolean) {
    setRoles((rs) => (on ? ROLES.filter((r) => r === role || rs.includes(r)) : rs.filter((r) => r !== role)));
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSuccess('');
    const f: Fields = {};
    if (!email.trim()) f.email = 'Enter their email address.';
    else if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) f.email = 'Enter an email address like name@example.org.';
    if (roles.length === 0) f.roles = 'Choose at least one role.';
    if (f.email || f.roles) {
      setFields(f);
      setError('Check the highlighted fields.');
      return;
    }
    setBusy(true);
    setFields({});
    setError('');
    try {
      const input: { email: string; name?: string; roles: Role[] } = { email: email.trim(), roles };
      if (name.trim()) input.name = name.trim();
      const inv = await api.createInvitation(input);
      setSuccess(`Invitation sent to ${inv.email}.`);
      setEmail('');
      setName('');
      setRoles(['trainee']);
      onInvited();
      emailRef.current?.focus();
    } catch (err) {
      onAuthError(err);
      if (err instanceof ApiError && (err.status === 400 || err.status === 409)) {
        const f: Fields = { email: err.fields.email, name: err.fields.name, roles: err.fields.roles };
        // A conflict is about the email: it already has an account or a pending invitation.
        if (err.status === 409 && !f.email) f.email = err.message;
        setFields(f);
      }
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="invite-heading" className="section panel">
      <h2 id="invite-heading">Invite a person</h2>
      <LiveRegion role="alert">{error}</LiveRegion>
      <LiveRegion role="status">{success}</LiveRegion>
      <form onSubmit={submit} noValidate className="form">
        <TextField
          label="Email address"
          type="email"
          name="email"
          autoComplete="off"
          inputMode="email"
          spellCheck={false}
          autoCapitalize="none"
          required
          maxLength={254}
          value={email}
          onValueChange={setEmail}
          error={fields.email}
          inputRef={emailRef}
        />
        <TextField
          label="Name (optional)"
          hint="They can change it when they accept."
          name="name"
          autoComplete="off"
          maxLength={200}
          value={name}
          onValueChange={setName}
          error={fields.name}
        />
        <fieldset
          className={fields.roles ? 'field field-invalid checkboxes' : 'field checkboxes'}
          aria-describedby={fields.roles ? 'roles-error' : undefined}
        >
          <legend>Roles</legend>
          {fields.roles ? (
            <FieldError id="roles-error" error={fields.roles} />
          ) : null}
          {ROLES.map((role) => (
            <div className="checkbox" key={role}>
              <input
                type="checkbox"
                id={`role-${role}`}
                name="roles"
                value={role}
                checked={roles.includes(role)}
                onChange={(e) => toggle(role, e.target.checked)}
                aria-describedby={`role-${role}-hint`}
              />
              <label htmlFor={`role-${role}`}>{roleName(role)}</label>
              <p className="hint" id={`role-${role}-hint`}>
                {ROLE_HINTS[role]}
              </p>
            </div>
          ))}
        </fieldset>
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Sending…' : 'Send invitation'}
          </button>
        </div>
      </form>
    </section>
  );
}

import { useRef, useState, type FormEvent } from 'react';
import { api, ApiError, ROLES, type Role } from '../api';
import { useAuth } from '../auth/AuthContext';
import { FieldError, TextField } from '../components/Field';
import { LiveRegion } from '../components/LiveRegion';
import { LoadStatus, MoreButton, useFail, usePages } from '../components/Load';
import { TableHead } from '../components/TableHead';
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

/** Invitations lets an organisation admin invite people and see who has not accepted yet. */
export function Invitations() {
  usePageTitle('People and invitations');
  const auth = useAuth();
  // refresh rather than reload, after an invitation and on Try again: what is on screen stays there
  // until the new list comes, with no loading line in between.
  const { load: list, refresh, failed, more } = usePages((cursor) => api.orgInvitations(cursor), []);

  return (
    <>
      <h1>People and invitations</h1>
      <p className="lead">
        Invite someone to {auth.me?.organisation?.name ?? 'your organisation'}. They'll get an email with a link to set
        up their account.
      </p>
      <InviteForm onInvited={refresh} />
      <section aria-labelledby="pending-heading" className="section">
        <h2 id="pending-heading">Pending invitations</h2>
        <LoadStatus load={list} label="Loading invitations…" onRetry={refresh} />
        {list.state === 'ready' && list.value.items.length === 0 ? (
          <p className="empty">No pending invitations. Invitations appear here until they are accepted or expire.</p>
        ) : null}
        {list.state === 'ready' && list.value.items.length > 0 ? (
          <>
            <table className="table">
              <caption className="visually-hidden">Invitations not yet accepted</caption>
              <TableHead columns={['Email', 'Name', 'Roles', 'Sent', 'Expires']} />
              <tbody>
                {list.value.items.map((inv) => (
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
            {list.value.next_cursor ? (
              <MoreButton onMore={more} onError={failed}>
                Show more invitations
              </MoreButton>
            ) : null}
          </>
        ) : null}
      </section>
    </>
  );
}

function InviteForm({ onInvited }: { onInvited: () => void }) {
  const fail = useFail();
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
      if (err instanceof ApiError && (err.status === 400 || err.status === 409)) {
        const f: Fields = { email: err.fields.email, name: err.fields.name, roles: err.fields.roles };
        // A conflict is about the email: it already has an account or a pending invitation.
        if (err.status === 409 && !f.email) f.email = err.message;
        setFields(f);
      }
      setError(fail(err));
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

import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ApiError, messageOf, type InvitationPreview } from '../api';
import { TextField } from '../components/Field';
import { LiveRegion } from '../components/LiveRegion';
import { Loading } from '../components/Pages';
import { usePageTitle } from '../components/usePageTitle';
import { roleList } from '../roles';
import { useAuth } from './AuthContext';
import { NewPasswordFields } from './NewPasswordFields';
import { checkNewPassword, type PasswordFields } from './password';

type Load =
  | { state: 'loading' }
  | { state: 'ready'; invitation: InvitationPreview }
  | { state: 'gone' }
  | { state: 'unknown' }
  | { state: 'error'; message: string };

export function Invite() {
  const { token = '' } = useParams();
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    api
      .invitation(token)
      .then((invitation) => live && setLoad({ state: 'ready', invitation }))
      .catch((err: unknown) => {
        if (!live) return;
        if (err instanceof ApiError && err.status === 410) setLoad({ state: 'gone' });
        else if (err instanceof ApiError && err.status === 404) setLoad({ state: 'unknown' });
        else setLoad({ state: 'error', message: messageOf(err) });
      });
    return () => {
      live = false;
    };
  }, [token, attempt]);

  switch (load.state) {
    case 'loading':
      return <InviteLoading />;
    case 'gone':
      return <InviteGone />;
    case 'unknown':
      return <InviteUnknown />;
    case 'error':
      return <InviteError message={load.message} onRetry={() => setAttempt((n) => n + 1)} />;
    case 'ready':
      return <AcceptForm token={token} invitation={load.invitation} onGone={() => setLoad({ state: 'gone' })} />;
  }
}

function InviteLoading() {
  usePageTitle('Your invitation');
  return (
    <>
      <h1>Your invitation</h1>
      <Loading label="Loading your invitation…" />
    </>
  );
}

function InviteGone() {
  usePageTitle('Invitation expired');
  return (
    <div className="narrow">
      <h1>This invitation has expired or was already used</h1>
      <p>
        Invitation links work once, for a limited time. If you have already set up your account, you can{' '}
        <Link to="/login">sign in</Link>.
      </p>
      <p>Otherwise, please ask your organisation's Peerpath admin to send you a new invitation.</p>
    </div>
  );
}

function InviteUnknown() {
  usePageTitle('Invitation not found');
  return (
    <div className="narrow">
      <h1>We don't recognise this invitation link</h1>
      <p>
        Check that you opened the whole link from your invitation email. Some email programs break long links across
        two lines.
      </p>
      <p>If it still doesn't work, please ask your organisation's Peerpath admin to invite you again.</p>
    </div>
  );
}

function InviteError({ message, onRetry }: { message: string; onRetry: () => void }) {
  usePageTitle('Your invitation');
  return (
    <div className="narrow">
      <h1>We couldn't load your invitation</h1>
      <p role="alert">{message}</p>
      <p>
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      </p>
    </div>
  );
}

function AcceptForm({
  token,
  invitation,
  onGone,
}: {
  token: string;
  invitation: InvitationPreview;
  onGone: () => void;
}) {
  usePageTitle('Set up your account');
  const auth = useAuth();
  const navigate = useNavigate();
  const [name, setName] = useState(invitation.name ?? '');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [fields, setFields] = useState<PasswordFields & { name?: string }>({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const f: PasswordFields & { name?: string } = checkNewPassword(password, confirm);
    if (!name.trim()) f.name = 'Enter your name.';
    else if (name.trim().length > 200) f.name = 'Use at most 200 characters.';
    if (f.name || f.password || f.confirm) {
      setFields(f);
      setError('Check the highlighted fields.');
      return;
    }
    setBusy(true);
    setFields({});
    setError('');
    try {
      const me = await api.acceptInvitation(token, name.trim(), password);
      auth.signedIn(me);
      navigate('/', { replace: true });
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.status === 410) {
        onGone();
        return;
      }
      if (err instanceof ApiError && err.status === 400) {
        setFields({ name: err.fields.name, password: err.fields.password });
      }
      setError(messageOf(err));
    }
  }

  return (
    <div className="narrow">
      <h1>Set up your account</h1>
      <p className="lead">
        You've been invited to join <strong>{invitation.organisation.name}</strong> on Peerpath. Choose your name and a
        password to finish setting up your account.
      </p>
      <dl className="facts">
        <div>
          <dt>Organisation</dt>
          <dd>{invitation.organisation.name}</dd>
        </div>
        <div>
          <dt>Your email</dt>
          <dd>{invitation.email}</dd>
        </div>
        {invitation.roles.length > 0 ? (
          <div>
            <dt>{invitation.roles.length === 1 ? 'Your role' : 'Your roles'}</dt>
            <dd>{roleList(invitation.roles)}</dd>
          </div>
        ) : null}
      </dl>
      <LiveRegion role="alert">{error}</LiveRegion>
      <form onSubmit={submit} noValidate className="form">
        <TextField
          label="Your name"
          hint="The name your trainers and colleagues will see."
          name="name"
          autoComplete="name"
          required
          maxLength={200}
          value={name}
          onValueChange={setName}
          error={fields.name}
        />
        <NewPasswordFields
          labels={['Choose a password', 'Type the password again']}
          password={password}
          confirm={confirm}
          onPassword={setPassword}
          onConfirm={setConfirm}
          errors={fields}
        />
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Setting up…' : 'Create my account'}
          </button>
        </div>
      </form>
    </div>
  );
}

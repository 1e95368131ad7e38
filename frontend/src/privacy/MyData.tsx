import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { ApiError, messageOf } from '../api';
import { useAuth } from '../auth/AuthContext';
import { FieldError, PasswordField } from '../components/Field';
import { LiveRegion } from '../components/LiveRegion';
import { usePageTitle } from '../components/usePageTitle';
import { d3Api } from '../org/api-d3';

/** saveJSON offers data to the browser as a file download. */
function saveJSON(data: unknown, filename: string) {
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Let the download start before the address is let go.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** MyData lets anyone download everything Peerpath holds about them, or ask for it to be deleted. */
export function MyData() {
  usePageTitle('My data');
  return (
    <>
      <h1>My data</h1>
      <p className="lead">
        What you do in Peerpath belongs to you. You can take a copy of it at any time, and you can ask us to delete it.
      </p>
      <Download />
      <Deletion />
    </>
  );
}

function Download() {
  const { signedOut } = useAuth();
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');

  async function download() {
    setBusy(true);
    setStatus('');
    setError('');
    try {
      const data = await d3Api.myExport();
      saveJSON(data, 'my-peerpath-data.json');
      setStatus('Your data is downloading as my-peerpath-data.json.');
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) signedOut();
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="download-heading" className="section panel">
      <h2 id="download-heading">Download a copy</h2>
      <p>
        One file (JSON, which most tools can open) with your profile, assigned training, course progress, quiz
        attempts and answers, your reflections, your role-play seats, feedback given and received, any chat that was
        kept, and your certificates.
      </p>
      <LiveRegion role="status">{status}</LiveRegion>
      <LiveRegion role="alert">{error}</LiveRegion>
      <p>
        <button type="button" onClick={() => void download()} disabled={busy}>
          {busy ? 'Preparing your file…' : 'Download my data'}
        </button>
      </p>
    </section>
  );
}

function Deletion() {
  const { me, signedOut } = useAuth();
  const navigate = useNavigate();
  const [asking, setAsking] = useState(false);
  const [password, setPassword] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const [fields, setFields] = useState<{ password?: string; confirm?: string }>({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const passwordRef = useRef<HTMLInputElement>(null);
  const doneRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (done) doneRef.current?.focus();
  }, [done]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const f: { password?: string; confirm?: string } = {};
    if (!password) f.password = 'Enter your password to confirm it is you.';
    if (!confirmed) f.confirm = 'Tick the box to confirm you understand this cannot be undone.';
    if (f.password || f.confirm) {
      setFields(f);
      setError('Check the highlighted fields.');
      if (f.password) passwordRef.current?.focus();
      return;
    }
    setBusy(true);
    setFields({});
    setError('');
    try {
      await d3Api.requestDeletion(password);
      setPassword('');
      setDone(true);
      setBusy(false);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) signedOut();
      if (err instanceof ApiError && err.status === 400) {
        setFields({ password: err.fields.password ?? err.message });
        passwordRef.current?.focus();
      }
      setError(messageOf(err));
      setBusy(false);
    }
  }

  if (done) {
    // The server has already ended the session; the page stays until the person has read this.
    return (
      <section aria-labelledby="deleted-heading" className="section panel" role="status">
        <h2 id="deleted-heading" ref={doneRef} tabIndex={-1}>
          Your data has been deleted
        </h2>
        <p>
          You've been signed out everywhere. Thank you for the learning and practice you did with Peerpath. Take care
          of yourself.
        </p>
        <p>
          <button
            type="button"
            onClick={() => {
              signedOut();
              navigate('/login', { replace: true });
            }}
          >
            Close
          </button>
        </p>
      </section>
    );
  }

  return (
    <section aria-labelledby="delete-heading" className="section panel">
      <h2 id="delete-heading">Delete my data</h2>
      <p>When you ask us to delete your data:</p>
      <ul>
        <li>
          <strong>Deleted:</strong> your reflections, any role-play chat, the comments in feedback you gave or
          received, and your notifications.
        </li>
        <li>
          <strong>Removed from your account:</strong> your name and email. You are signed out everywhere and can't sign
          in again.
        </li>
        <li>
          <strong>Kept, without your name:</strong> the record that training was completed, quiz scores and
          certificates. {me?.organisation ? `${me.organisation.name} may` : 'Your organisation may'} be required to
          keep these to show its workforce was trained.
        </li>
      </ul>
      <p>You may want to download a copy of your data first. This cannot be undone.</p>
      {asking ? (
        <form onSubmit={submit} noValidate className="form">
          <LiveRegion role="alert">{error}</LiveRegion>
          <PasswordField
            label="Your password"
            hint="So we know it's really you."
            name="password"
            autoComplete="current-password"
            value={password}
            onValueChange={setPassword}
            error={fields.password}
            inputRef={passwordRef}
          />
          <div className={fields.confirm ? 'field field-invalid checkbox' : 'field checkbox'}>
            <input
              type="checkbox"
              id="delete-confirm"
              checked={confirmed}
              onChange={(e) => setConfirmed(e.target.checked)}
              aria-invalid={fields.confirm ? true : undefined}
              aria-describedby={fields.confirm ? 'delete-confirm-error' : undefined}
            />
            <label htmlFor="delete-confirm">I understand my data will be deleted and I won't be able to sign in again.</label>
            {fields.confirm ? (
              <FieldError id="delete-confirm-error" error={fields.confirm} />
            ) : null}
          </div>
          <div className="actions">
            <button type="submit" className="button-danger" disabled={busy}>
              {busy ? 'Deleting…' : 'Delete my data'}
            </button>{' '}
            <button
              type="button"
              className="button-secondary"
              disabled={busy}
              onClick={() => {
                setAsking(false);
                setPassword('');
                setConfirmed(false);
                setFields({});
                setError('');
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <p>
          <button
            type="button"
            className="button-secondary"
            onClick={() => {
              setAsking(true);
              setTimeout(() => passwordRef.current?.focus(), 0);
            }}
          >
            Ask to delete my data
          </button>
        </p>
      )}
    </section>
  );
}

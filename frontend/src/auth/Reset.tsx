import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api, ApiError, messageOf, waitText } from '../api';
import { TextField } from '../components/Field';
import { LiveRegion } from '../components/LiveRegion';
import { usePageTitle } from '../components/usePageTitle';
import { NewPasswordFields } from './NewPasswordFields';
import { checkNewPassword, type PasswordFields } from './password';

export const RESET_SENT = "If an account exists for that email, we've sent a link to reset your password.";

/** ResetRequest asks for a password reset link by email. */
export function ResetRequest() {
  usePageTitle('Reset your password');
  const [email, setEmail] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [error, setError] = useState('');
  const [sentTo, setSentTo] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSentTo('');
    if (!email.trim()) {
      setFieldError('Enter your email address.');
      setError('Check the highlighted fields.');
      return;
    }
    setBusy(true);
    setFieldError(undefined);
    setError('');
    try {
      await api.requestPasswordReset(email.trim());
      setSentTo(email.trim());
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) setFieldError(err.fields.email);
      if (err instanceof ApiError && err.status === 429 && err.retryAfter !== undefined) {
        setError(`Too many requests. Please wait ${waitText(err.retryAfter)} and try again.`);
      } else {
        setError(messageOf(err));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="narrow">
      <h1>Reset your password</h1>
      <p className="lead">Enter the email address you use for Peerpath. We'll send you a link to choose a new password.</p>
      <LiveRegion role="alert">{error}</LiveRegion>
      <LiveRegion role="status">
        {sentTo ? (
          <>
            <p>{RESET_SENT}</p>
            <p>The link works for a limited time. If nothing arrives in a few minutes, check your junk mail folder.</p>
          </>
        ) : null}
      </LiveRegion>
      <form onSubmit={submit} noValidate className="form">
        <TextField
          label="Email address"
          type="email"
          name="email"
          autoComplete="email"
          inputMode="email"
          spellCheck={false}
          autoCapitalize="none"
          required
          value={email}
          onValueChange={setEmail}
          error={fieldError}
        />
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Sending…' : 'Send me a link'}
          </button>
          <Link to="/login">Back to sign in</Link>
        </div>
      </form>
    </div>
  );
}

type Outcome = 'form' | 'done' | 'gone' | 'unknown';

/** ResetComplete sets a new password from the link in a reset email. */
export function ResetComplete() {
  const { token = '' } = useParams();
  const [outcome, setOutcome] = useState<Outcome>('form');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [fields, setFields] = useState<PasswordFields>({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  usePageTitle(
    outcome === 'done'
      ? 'Password changed'
      : outcome === 'gone'
        ? 'Link expired'
        : outcome === 'unknown'
          ? 'Link not recognised'
          : 'Choose a new password',
  );

  async function submit(e: FormEvent) {
    e.preventDefault();
    const f = checkNewPassword(password, confirm);
    if (f.password || f.confirm) {
      setFields(f);
      setError('Check the highlighted fields.');
      return;
    }
    setBusy(true);
    setFields({});
    setError('');
    try {
      await api.completePasswordReset(token, password);
      setOutcome('done');
    } catch (err) {
      if (err instanceof ApiError && err.status === 410) setOutcome('gone');
      else if (err instanceof ApiError && err.status === 404) setOutcome('unknown');
      else {
        if (err instanceof ApiError && err.status === 400) setFields({ password: err.fields.password });
        setError(messageOf(err));
      }
    } finally {
      setBusy(false);
    }
  }

  if (outcome === 'done') {
    return (
      <div className="narrow">
        <h1>Your password has been changed</h1>
        <div role="status" className="notice notice-success">
          <p>You can now sign in with your new password.</p>
        </div>
        <p>
          <Link to="/login" className="button-link">
            Sign in
          </Link>
        </p>
      </div>
    );
  }
  if (outcome === 'gone' || outcome === 'unknown') {
    return (
      <div className="narrow">
        <h1>{outcome === 'gone' ? 'This link has expired or was already used' : "We don't recognise this link"}</h1>
        <p role="alert">
          {outcome === 'gone'
            ? 'Password reset links work once, for a limited time.'
            : 'Check that you opened the whole link from your email.'}{' '}
          You can ask for a new link below.
        </p>
        <p>
          <Link to="/reset">Send me a new reset link</Link>
        </p>
      </div>
    );
  }
  return (
    <div className="narrow">
      <h1>Choose a new password</h1>
      <LiveRegion role="alert">{error}</LiveRegion>
      <form onSubmit={submit} noValidate className="form">
        <NewPasswordFields
          labels={['New password', 'Type the new password again']}
          password={password}
          confirm={confirm}
          onPassword={setPassword}
          onConfirm={setConfirm}
          errors={fields}
        />
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Change my password'}
          </button>
        </div>
      </form>
    </div>
  );
}

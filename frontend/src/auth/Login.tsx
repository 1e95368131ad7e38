import { useRef, useState, type FormEvent } from 'react';
import { Link, Navigate, useLocation } from 'react-router';
import { api, ApiError, messageOf, waitText } from '../api';
import { PasswordField, TextField } from '../components/Field';
import { LiveRegion } from '../components/LiveRegion';
import { usePageTitle } from '../components/usePageTitle';
import { useAuth } from './AuthContext';

export const WRONG_CREDENTIALS = "That email and password don't match an account. Check them and try again.";

type Fields = { email?: string; password?: string };

/** safeFrom keeps a "come back to" path only when it is a path on this site. */
function safeFrom(state: unknown): string {
  if (typeof state === 'object' && state !== null && 'from' in state) {
    const from = (state as { from: unknown }).from;
    if (typeof from === 'string' && from.startsWith('/') && !from.startsWith('//') && !from.startsWith('/login')) {
      return from;
    }
  }
  return '/';
}

export function Login() {
  usePageTitle('Sign in');
  const auth = useAuth();
  const location = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [fields, setFields] = useState<Fields>({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  if (auth.me) return <Navigate to={safeFrom(location.state)} replace />;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const f: Fields = {};
    if (!email.trim()) f.email = 'Enter your email address.';
    if (!password) f.password = 'Enter your password.';
    if (f.email || f.password) {
      setFields(f);
      setError('Check the highlighted fields.');
      (f.email ? emailRef : passwordRef).current?.focus();
      return;
    }
    setBusy(true);
    setFields({});
    setError('');
    try {
      const me = await api.login(email.trim(), password);
      auth.signedIn(me);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        setError(WRONG_CREDENTIALS);
      } else if (err instanceof ApiError && err.status === 429) {
        setError(
          err.retryAfter !== undefined
            ? `Too many sign-in attempts. Please wait ${waitText(err.retryAfter)} before trying again, or reset your password.`
            : err.message,
        );
      } else if (err instanceof ApiError && err.status === 400) {
        setFields({ email: err.fields.email, password: err.fields.password });
        setError(err.message);
      } else {
        setError(messageOf(err));
      }
      setBusy(false);
    }
  }

  return (
    <div className="narrow">
      <h1>Sign in</h1>
      <p className="lead">Sign in to continue your training with Peerpath.</p>
      <LiveRegion role="alert">{error}</LiveRegion>
      <form onSubmit={submit} noValidate className="form">
        <TextField
          label="Email address"
          type="email"
          name="email"
          autoComplete="username"
          inputMode="email"
          spellCheck={false}
          autoCapitalize="none"
          required
          value={email}
          onValueChange={setEmail}
          error={fields.email}
          inputRef={emailRef}
        />
        <PasswordField
          label="Password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onValueChange={setPassword}
          error={fields.password}
          inputRef={passwordRef}
        />
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
          <Link to="/reset">Forgot your password?</Link>
        </div>
      </form>
    </div>
  );
}

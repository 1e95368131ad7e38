import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError, messageOf } from '../api';
import { useAuth } from '../auth/AuthContext';
import { LiveRegion } from '../components/LiveRegion';
import { Loading } from '../components/Pages';
import { usePageTitle } from '../components/usePageTitle';
import { notificationsApi, type Preference } from './api';
import './notifications.css';

/** PreferenceList shows each kind of reminder; required ones are shown as always on. */
export function PreferenceList({
  prefs,
  onChange,
}: {
  prefs: Preference[];
  onChange?: (kind: string, on: boolean) => void;
}) {
  return (
    <ul className="preference-list">
      {prefs.map((p) => (
        <li key={p.kind} className="checkbox">
          <input
            type="checkbox"
            id={`pref-${p.kind}`}
            checked={p.enabled}
            disabled={p.mandatory || !onChange}
            aria-describedby={`pref-${p.kind}-hint`}
            onChange={(e) => onChange?.(p.kind, e.target.checked)}
          />
          <label htmlFor={`pref-${p.kind}`}>
            {p.label}
            {p.mandatory ? ' (always on: required training)' : ''}
          </label>
          <p className="hint" id={`pref-${p.kind}-hint`}>
            {p.description}
          </p>
        </li>
      ))}
    </ul>
  );
}

type State = { state: 'loading' } | { state: 'ready'; prefs: Preference[] } | { state: 'error'; message: string };

/** Settings lets a person choose which optional reminders they get. */
export function Settings() {
  usePageTitle('Reminder settings');
  const { signedOut } = useAuth();
  const [data, setData] = useState<State>({ state: 'loading' });
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');

  const load = useCallback(() => {
    setData({ state: 'loading' });
    notificationsApi
      .preferences()
      .then((r) => setData({ state: 'ready', prefs: r.preferences }))
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 401) signedOut();
        setData({ state: 'error', message: messageOf(err) });
      });
  }, [signedOut]);

  useEffect(load, [load]);

  function change(kind: string, on: boolean) {
    if (data.state !== 'ready') return;
    setStatus('');
    setData({ state: 'ready', prefs: data.prefs.map((p) => (p.kind === kind ? { ...p, enabled: on } : p)) });
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    if (data.state !== 'ready') return;
    setBusy(true);
    setError('');
    setStatus('');
    const changes: Record<string, boolean> = {};
    for (const p of data.prefs) if (!p.mandatory) changes[p.kind] = p.enabled;
    try {
      const r = await notificationsApi.savePreferences(changes);
      setData({ state: 'ready', prefs: r.preferences });
      setStatus('Your reminder settings are saved.');
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) signedOut();
      const fields = err instanceof ApiError ? Object.values(err.fields) : [];
      setError(fields.length > 0 ? fields.join(' ') : messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <h1>Reminder settings</h1>
      <p className="lead">
        We gather your reminders into one email a day, sent at 8 in the morning, and show them under the bell at the top
        of the page. Reminders about training your organisation requires always come; you can turn the others off.
      </p>
      <LiveRegion role="status">{status}</LiveRegion>
      <LiveRegion role="alert">{error}</LiveRegion>
      {data.state === 'loading' ? <Loading label="Loading your settings…" /> : null}
      {data.state === 'error' ? (
        <div role="alert" className="notice notice-error">
          <p>{data.message}</p>
          <p>
            <button type="button" className="button-secondary" onClick={load}>
              Try again
            </button>
          </p>
        </div>
      ) : null}
      {data.state === 'ready' ? (
        <form onSubmit={save} className="form" noValidate>
          <fieldset className="field checkboxes">
            <legend>Reminders you get</legend>
            <PreferenceList prefs={data.prefs} onChange={change} />
          </fieldset>
          <div className="actions">
            <button type="submit" disabled={busy}>
              {busy ? 'Saving…' : 'Save settings'}
            </button>
          </div>
        </form>
      ) : null}
    </>
  );
}

import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, messageOf } from '../api';
import { LiveRegion } from '../components/LiveRegion';
import { Loading } from '../components/Pages';
import { usePageTitle } from '../components/usePageTitle';
import { notificationsApi, type Preference } from './api';
import { PreferenceList } from './Settings';
import './notifications.css';

type State =
  | { state: 'loading' }
  | { state: 'ready'; prefs: Preference[]; done: boolean }
  | { state: 'invalid' }
  | { state: 'error'; message: string };

/**
 * Unsubscribe is the page behind the link in every digest: one click turns off the optional
 * reminders, and the page says plainly which reminders still come. It needs no sign-in.
 */
export function Unsubscribe() {
  const { token = '' } = useParams();
  const [data, setData] = useState<State>({ state: 'loading' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  usePageTitle(data.state === 'ready' && data.done ? 'Optional reminders turned off' : 'Stop optional reminders');

  useEffect(() => {
    let live = true;
    notificationsApi
      .unsubscribePreview(token)
      .then((r) => {
        if (live) setData({ state: 'ready', prefs: r.preferences, done: false });
      })
      .catch((err: unknown) => {
        if (!live) return;
        if (err instanceof ApiError && err.status === 404) setData({ state: 'invalid' });
        else setData({ state: 'error', message: messageOf(err) });
      });
    return () => {
      live = false;
    };
  }, [token]);

  async function unsubscribe() {
    setBusy(true);
    setError('');
    try {
      const r = await notificationsApi.unsubscribe(token);
      setData({ state: 'ready', prefs: r.preferences, done: true });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) setData({ state: 'invalid' });
      else setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  if (data.state === 'loading') {
    return (
      <>
        <h1>Stop optional reminders</h1>
        <Loading />
      </>
    );
  }
  if (data.state === 'invalid') {
    return (
      <>
        <h1>This link doesn't work any more</h1>
        <p>
          Links in reminder emails work for 90 days. You can still choose which reminders you get in{' '}
          <Link to="/notifications/settings">your reminder settings</Link> after signing in.
        </p>
      </>
    );
  }
  if (data.state === 'error') {
    return (
      <>
        <h1>Stop optional reminders</h1>
        <div role="alert" className="notice notice-error">
          <p>{data.message}</p>
        </div>
      </>
    );
  }
  const still = data.prefs.filter((p) => p.enabled);
  return (
    <>
      <h1>{data.done ? 'Optional reminders turned off' : 'Stop optional reminders'}</h1>
      <LiveRegion role="alert">{error}</LiveRegion>
      <LiveRegion role="status">
        {data.done ? "Done. You won't get optional reminders any more." : ''}
      </LiveRegion>
      {data.done ? null : (
        <>
          <p className="lead">
            You can stop the reminders that are optional with one click: role-play sessions the day before, and
            certificates for courses you chose yourself.
          </p>
          <p>
            <button type="button" onClick={unsubscribe} disabled={busy}>
              {busy ? 'Turning them off…' : 'Turn off optional reminders'}
            </button>
          </p>
        </>
      )}
      <section aria-labelledby="still-heading" className="section">
        <h2 id="still-heading">{data.done ? 'What still comes' : 'What you get now'}</h2>
        {data.done ? (
          <p>
            These are about training your organisation requires, so they keep coming, gathered into one email a day:
          </p>
        ) : null}
        <ul>
          {still.map((p) => (
            <li key={p.kind}>
              <strong>{p.label}</strong>: {p.description}
            </li>
          ))}
        </ul>
        <details>
          <summary>Every kind of reminder</summary>
          <PreferenceList prefs={data.prefs} />
        </details>
        <p>
          You can turn reminders back on at any time in <Link to="/notifications/settings">your reminder settings</Link>.
        </p>
      </section>
    </>
  );
}

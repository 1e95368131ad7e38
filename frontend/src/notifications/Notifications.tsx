import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { ApiError, messageOf } from '../api';
import { useAuth } from '../auth/AuthContext';
import { LiveRegion } from '../components/LiveRegion';
import { Loading } from '../components/Pages';
import { usePageTitle } from '../components/usePageTitle';
import { formatDateTime } from '../time';
import { isInternal, notificationsApi, type Notification } from './api';
import './notifications.css';

const PAGE = 20;

type State =
  | { state: 'loading' }
  | { state: 'ready'; items: Notification[]; next: string; unread: number }
  | { state: 'error'; message: string };

/** Notifications lists every reminder a person was sent in the app, newest first. */
export function Notifications() {
  usePageTitle('Notifications');
  const { signedOut } = useAuth();
  const [list, setList] = useState<State>({ state: 'loading' });
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');

  const onError = useCallback(
    (err: unknown) => {
      if (err instanceof ApiError && err.status === 401) signedOut();
    },
    [signedOut],
  );

  const load = useCallback(() => {
    setList({ state: 'loading' });
    notificationsApi
      .list(PAGE)
      .then((p) => setList({ state: 'ready', items: p.items, next: p.next_cursor, unread: p.unread_count }))
      .catch((err: unknown) => {
        onError(err);
        setList({ state: 'error', message: messageOf(err) });
      });
  }, [onError]);

  useEffect(load, [load]);

  async function more() {
    if (list.state !== 'ready' || !list.next) return;
    setBusy(true);
    setError('');
    try {
      const p = await notificationsApi.list(PAGE, list.next);
      setList({ state: 'ready', items: [...list.items, ...p.items], next: p.next_cursor, unread: p.unread_count });
    } catch (err) {
      onError(err);
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  async function markAll() {
    if (list.state !== 'ready') return;
    setBusy(true);
    setError('');
    setStatus('');
    try {
      const res = await notificationsApi.markAllRead();
      const now = new Date().toISOString();
      setList({
        ...list,
        unread: res.unread_count,
        items: list.items.map((n) => (n.read_at ? n : { ...n, read_at: now })),
      });
      setStatus('All notifications are marked as read.');
    } catch (err) {
      onError(err);
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  function opened(n: Notification) {
    if (!n.read_at) notificationsApi.markRead([n.id]).catch(() => undefined);
  }

  return (
    <>
      <h1>Notifications</h1>
      <p className="lead">
        Reminders about your training, in one place. We also send them in one email a day, never more.{' '}
        <Link to="/notifications/settings">Choose which reminders you get</Link>.
      </p>
      <LiveRegion role="status">{status}</LiveRegion>
      <LiveRegion role="alert">{error}</LiveRegion>
      {list.state === 'loading' ? <Loading label="Loading notifications…" /> : null}
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
        <p className="empty">
          You have no notifications yet. When training is coming due, or a role-play session is tomorrow, it will show up
          here.
        </p>
      ) : null}
      {list.state === 'ready' && list.items.length > 0 ? (
        <>
          <p>
            {list.unread === 0 ? 'You have read them all.' : `${list.unread} unread.`}{' '}
            {list.unread > 0 ? (
              <button type="button" className="button-secondary" onClick={markAll} disabled={busy}>
                Mark all as read
              </button>
            ) : null}
          </p>
          <ul className="notification-list">
            {list.items.map((n) => (
              <li key={n.id} className={n.read_at ? 'notification-item' : 'notification-item notification-item-unread'}>
                <h2 className="notification-title">
                  {isInternal(n.link) ? (
                    <Link to={n.link} onClick={() => opened(n)}>
                      {n.title}
                    </Link>
                  ) : (
                    n.title
                  )}
                  {n.read_at ? null : <span className="bell-new"> (new)</span>}
                </h2>
                <p>{n.body}</p>
                <p className="muted">
                  <time dateTime={n.created_at}>{formatDateTime(n.created_at)}</time>
                </p>
              </li>
            ))}
          </ul>
          {list.next ? (
            <p>
              <button type="button" className="button-secondary" onClick={more} disabled={busy}>
                {busy ? 'Loading…' : 'Show older notifications'}
              </button>
            </p>
          ) : null}
        </>
      ) : null}
    </>
  );
}

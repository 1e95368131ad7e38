import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { ApiError, messageOf } from '../api';
import { useAuth } from '../auth/AuthContext';
import { Loading } from '../components/Pages';
import { usePageTitle } from '../components/usePageTitle';
import './roleplay.css';
import { canSchedule, formatIn, roleplayApi, STATE_NAMES, type SessionSummary } from './api';

type ListState =
  | { state: 'loading' }
  | { state: 'ready'; items: SessionSummary[]; next: string }
  | { state: 'error'; message: string };

/** Sessions lists the role-play sessions someone is part of: upcoming first, then past. */
export function Sessions() {
  usePageTitle('Role-play');
  const { me } = useAuth();
  return (
    <>
      <h1>Role-play practice</h1>
      <p className="lead">
        Live practice in small groups: one person seeks support, one practises as the peer worker and one observes, then
        you swap. Anyone can pause at any time.
      </p>
      <p className="actions">
        {me && canSchedule(me.roles) ? (
          <Link className="button-link" to="/roleplay/new">
            Schedule a session
          </Link>
        ) : null}
        <Link to="/roleplay/portfolio">My practice portfolio</Link>
      </p>
      <SessionList when="upcoming" />
      <SessionList when="past" />
    </>
  );
}

function SessionList({ when }: { when: 'upcoming' | 'past' }) {
  const { signedOut } = useAuth();
  const [list, setList] = useState<ListState>({ state: 'loading' });
  const [moreBusy, setMoreBusy] = useState(false);
  const headingId = `${when}-heading`;

  const fail = useCallback(
    (err: unknown) => {
      if (err instanceof ApiError && err.status === 401) signedOut();
      setList({ state: 'error', message: messageOf(err) });
    },
    [signedOut],
  );

  const load = useCallback(() => {
    setList({ state: 'loading' });
    roleplayApi
      .sessions(when)
      .then((page) => setList({ state: 'ready', items: page.items, next: page.next_cursor ?? '' }))
      .catch(fail);
  }, [when, fail]);

  useEffect(load, [load]);

  async function loadMore() {
    if (list.state !== 'ready' || !list.next) return;
    setMoreBusy(true);
    try {
      const page = await roleplayApi.sessions(when, list.next);
      setList({ state: 'ready', items: [...list.items, ...page.items], next: page.next_cursor ?? '' });
    } catch (err) {
      fail(err);
    } finally {
      setMoreBusy(false);
    }
  }

  return (
    <section aria-labelledby={headingId} className="section">
      <h2 id={headingId}>{when === 'upcoming' ? 'Upcoming sessions' : 'Past sessions'}</h2>
      {list.state === 'loading' ? (
        <Loading label={when === 'upcoming' ? 'Loading upcoming sessions…' : 'Loading past sessions…'} />
      ) : null}
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
          {when === 'upcoming'
            ? 'Nothing planned yet. When a trainer invites you to a session, it shows up here and in your email.'
            : 'Sessions you have been part of will be listed here afterwards, with a link to their debrief.'}
        </p>
      ) : null}
      {list.state === 'ready' && list.items.length > 0 ? (
        <>
          <ul className="session-list">
            {list.items.map((s) => (
              <li key={s.id} className="card">
                <h3>
                  <Link to={`/roleplay/${s.id}`}>{s.title}</Link>
                </h3>
                <p>
                  <time dateTime={s.starts_at}>{formatIn(s.starts_at)}</time>
                </p>
                <p className="meta">
                  <span className={`badge badge-${s.state}`}>{STATE_NAMES[s.state]}</span> · Trainer: {s.trainer.name} ·{' '}
                  {s.invitee_count === 1 ? '1 person invited' : `${s.invitee_count} people invited`}
                  {s.you_are === 'trainer' ? ' · You are running it' : ''}
                </p>
              </li>
            ))}
          </ul>
          {list.next ? (
            <p>
              <button type="button" className="button-secondary" onClick={loadMore} disabled={moreBusy}>
                {moreBusy ? 'Loading…' : when === 'upcoming' ? 'Show more upcoming sessions' : 'Show more past sessions'}
              </button>
            </p>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

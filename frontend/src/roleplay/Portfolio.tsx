import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { ApiError, messageOf } from '../api';
import { useAuth } from '../auth/AuthContext';
import { Loading } from '../components/Pages';
import { usePageTitle } from '../components/usePageTitle';
import './roleplay.css';
import { formatDate } from '../time';
import { FeedbackItem } from './Debrief';
import { roleplayApi, SEAT_NAMES, type Practice } from './api';

type State =
  | { state: 'loading' }
  | { state: 'ready'; items: Practice[]; next: string }
  | { state: 'error'; message: string };

/** Portfolio is the reader's own role-play practice across sessions, latest round first. */
export function Portfolio() {
  usePageTitle('My practice portfolio');
  const { signedOut } = useAuth();
  const [page, setPage] = useState<State>({ state: 'loading' });
  const [moreBusy, setMoreBusy] = useState(false);

  const fail = useCallback(
    (err: unknown) => {
      if (err instanceof ApiError && err.status === 401) signedOut();
      setPage({ state: 'error', message: messageOf(err) });
    },
    [signedOut],
  );

  const load = useCallback(() => {
    setPage({ state: 'loading' });
    roleplayApi
      .portfolio()
      .then((p) => setPage({ state: 'ready', items: p.items, next: p.next_cursor ?? '' }))
      .catch(fail);
  }, [fail]);

  useEffect(load, [load]);

  async function loadMore() {
    if (page.state !== 'ready' || !page.next) return;
    setMoreBusy(true);
    try {
      const p = await roleplayApi.portfolio(page.next);
      setPage({ state: 'ready', items: [...page.items, ...p.items], next: p.next_cursor ?? '' });
    } catch (err) {
      fail(err);
    } finally {
      setMoreBusy(false);
    }
  }

  return (
    <>
      <p>
        <Link to="/roleplay">Back to role-play</Link>
      </p>
      <h1>My practice portfolio</h1>
      <p className="lead">
        Every round you have taken part in, and the feedback about your practice as the peer worker. Only you and your
        trainer can see this feedback.
      </p>
      {page.state === 'loading' ? <Loading label="Loading your practice…" /> : null}
      {page.state === 'error' ? (
        <div role="alert" className="notice notice-error">
          <p>{page.message}</p>
          <p>
            <button type="button" className="button-secondary" onClick={load}>
              Try again
            </button>
          </p>
        </div>
      ) : null}
      {page.state === 'ready' && page.items.length === 0 ? (
        <p className="empty">
          No practice yet. After your first live role-play round, it will be recorded here with the feedback you received.
        </p>
      ) : null}
      {page.state === 'ready' && page.items.length > 0 ? (
        <>
          <ul className="portfolio-list">
            {page.items.map((p) => (
              <li key={`${p.session_id}-${p.round}`} className="section">
                <h2>
                  {p.session_title}, round {p.round}
                </h2>
                <p className="meta">
                  <time dateTime={p.started_at}>{formatDate(p.started_at)}</time> · Your role:{' '}
                  {SEAT_NAMES[p.seat] ?? p.seat} · Scenario: {p.card.title}
                </p>
                {p.seat === 'peer_worker' ? (
                  p.feedback.length === 0 ? (
                    <p className="empty">No feedback was recorded for this round.</p>
                  ) : (
                    <ul className="feedback-list">
                      {p.feedback.map((f) => (
                        <FeedbackItem key={`${f.phase}-${f.from.id}`} row={f} />
                      ))}
                    </ul>
                  )
                ) : null}
                <p>
                  <Link to={`/roleplay/${p.session_id}/debrief`}>
                    Debrief for {p.session_title}
                  </Link>
                </p>
              </li>
            ))}
          </ul>
          {page.next ? (
            <p>
              <button type="button" className="button-secondary" onClick={loadMore} disabled={moreBusy}>
                {moreBusy ? 'Loading…' : 'Show earlier practice'}
              </button>
            </p>
          ) : null}
        </>
      ) : null}
    </>
  );
}

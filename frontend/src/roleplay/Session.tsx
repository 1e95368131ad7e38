import { useCallback, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, messageOf } from '../api';
import { useAuth } from '../auth/AuthContext';
import { LiveRegion } from '../components/LiveRegion';
import { Loading, NotFound } from '../components/Pages';
import { usePageTitle } from '../components/usePageTitle';
import './roleplay.css';
import { browserZone, formatIn, icsURL, roleplayApi, STATE_NAMES, type SessionDetail } from './api';

type State =
  | { state: 'loading' }
  | { state: 'ready'; session: SessionDetail }
  | { state: 'missing' }
  | { state: 'error'; message: string };

function minutes(seconds: number): string {
  const m = seconds / 60;
  if (m === 1) return '1 minute';
  return Number.isInteger(m) ? `${m} minutes` : `${seconds} seconds`;
}

/** Session is a role-play session's page: when, who, which scenarios, and the way in. */
export function Session() {
  const { id = '' } = useParams();
  const { signedOut, me } = useAuth();
  const [page, setPage] = useState<State>({ state: 'loading' });
  const [notice, setNotice] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  usePageTitle(page.state === 'ready' ? page.session.title : 'Role-play session');

  const load = useCallback(() => {
    roleplayApi
      .session(id)
      .then((session) => setPage({ state: 'ready', session }))
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 401) signedOut();
        if (err instanceof ApiError && err.status === 404) setPage({ state: 'missing' });
        else setPage({ state: 'error', message: messageOf(err) });
      });
  }, [id, signedOut]);

  useEffect(load, [load]);

  async function cancel() {
    if (!window.confirm('Cancel this session? Everyone invited will get an email saying so.')) return;
    setBusy(true);
    setError('');
    try {
      const session = await roleplayApi.cancel(id);
      setPage({ state: 'ready', session });
      setNotice('The session is cancelled, and everyone invited has been told.');
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  if (page.state === 'missing') return <NotFound />;
  if (page.state === 'loading') {
    return (
      <>
        <h1>Role-play session</h1>
        <Loading label="Loading the session…" />
      </>
    );
  }
  if (page.state === 'error') {
    return (
      <>
        <h1>Role-play session</h1>
        <div role="alert" className="notice notice-error">
          <p>{page.message}</p>
          <p>
            <button type="button" className="button-secondary" onClick={load}>
              Try again
            </button>
          </p>
        </div>
      </>
    );
  }
  const s = page.session;
  const mine = browserZone();
  const open = s.state === 'lobby' || s.state === 'running';
  const canCancel =
    (s.you_are === 'trainer' || me?.roles.includes('org_admin')) && (s.state === 'scheduled' || s.state === 'lobby');
  return (
    <>
      <p>
        <Link to="/roleplay">Back to role-play</Link>
      </p>
      <h1>{s.title}</h1>
      <LiveRegion role="status">{notice}</LiveRegion>
      <LiveRegion role="alert">{error}</LiveRegion>
      <p>
        <span className={`badge badge-${s.state}`}>{STATE_NAMES[s.state]}</span>
      </p>
      {open ? (
        <p className="notice notice-info">
          {s.state === 'lobby' ? 'The lobby is open.' : 'The session is under way.'}{' '}
          <Link className="button-link" to={`/roleplay/${s.id}/room`}>
            Join the session
          </Link>
        </p>
      ) : null}
      {s.state === 'ended' ? (
        <p>
          <Link className="button-link" to={`/roleplay/${s.id}/debrief`}>
            See the debrief
          </Link>
        </p>
      ) : null}
      <dl className="facts">
        <dt>When (your time)</dt>
        <dd>
          <time dateTime={s.starts_at}>{formatIn(s.starts_at, mine)}</time> ({mine.replace(/_/g, ' ')})
        </dd>
        {s.time_zone !== mine ? (
          <>
            <dt>When (session time)</dt>
            <dd>
              {formatIn(s.starts_at, s.time_zone)} ({s.time_zone.replace(/_/g, ' ')})
            </dd>
          </>
        ) : null}
        <dt>Length</dt>
        <dd>
          {s.duration_minutes} minutes, with practice rounds of {minutes(s.practice_seconds)} and feedback turns of{' '}
          {minutes(s.feedback_seconds)}
        </dd>
        <dt>Trainer</dt>
        <dd>{s.trainer.name}</dd>
        <dt>Chat transcript</dt>
        <dd>
          {s.transcript_allowed
            ? 'May be kept, only if everyone agrees when they join'
            : 'Not kept: chat disappears when the session ends'}
        </dd>
      </dl>
      {s.state !== 'cancelled' && (s.you_are === 'trainer' || s.you_are === 'invitee') ? (
        <p>
          <a href={icsURL(s.id)} download>
            Add to calendar (.ics file)
          </a>
        </p>
      ) : null}
      <section aria-labelledby="people-heading" className="section">
        <h2 id="people-heading">Who is invited</h2>
        {s.invitees.length === 0 ? (
          <p className="empty">No one is invited.</p>
        ) : (
          <ul>
            {s.invitees.map((p) => (
              <li key={p.id}>{p.name}</li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="cards-heading" className="section">
        <h2 id="cards-heading">Scenarios</h2>
        <p>
          Everyone in a group sees the situation below. Each person also gets a short private brief for their role when the
          round starts.
        </p>
        {s.cards.map((c) => (
          <article key={c.id} className="card" aria-labelledby={`card-${c.id}`}>
            <h3 id={`card-${c.id}`}>{c.title}</h3>
            <p className="meta">{c.setting}</p>
            {c.content_warning ? (
              <p className="notice notice-info">
                <strong>Content warning:</strong> {c.content_warning}
              </p>
            ) : null}
            <p>{c.shared}</p>
            {c.rubric.length > 0 ? (
              <>
                <p>The observer looks for:</p>
                <ul>
                  {c.rubric.map((r) => (
                    <li key={r}>{r}</li>
                  ))}
                </ul>
              </>
            ) : null}
          </article>
        ))}
      </section>
      {canCancel ? (
        <section aria-labelledby="cancel-heading" className="section">
          <h2 id="cancel-heading">Cancel the session</h2>
          <p>
            <button type="button" className="button-secondary" onClick={cancel} disabled={busy}>
              {busy ? 'Cancelling…' : 'Cancel this session'}
            </button>
          </p>
        </section>
      ) : null}
    </>
  );
}

import { useCallback, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, messageOf } from '../api';
import { useAuth } from '../auth/AuthContext';
import { Loading, NotFound } from '../components/Pages';
import { usePageTitle } from '../components/usePageTitle';
import './roleplay.css';
import { formatDateTime } from '../time';
import { Transcript } from './Transcript';
import { PHASE_NAMES, roleplayApi, SEAT_NAMES, type DebriefGroup, type FeedbackRow, type SessionFeedback } from './api';

type State =
  | { state: 'loading' }
  | { state: 'ready'; data: SessionFeedback }
  | { state: 'missing' }
  | { state: 'error'; message: string };

function groupName(id: string): string {
  return `Group ${id.replace(/^g/, '')}`;
}

/** ScoreChart draws one group's mean observer scores as labelled bars on the 1–4 scale. */
export function ScoreChart({ group }: { group: DebriefGroup }) {
  // Each criterion's name sits above its bar, so long names are never cut short.
  const rowH = 58;
  const barW = 520;
  const height = group.criteria.length * rowH + 30;
  const id = `chart-${group.group_id}`;
  return (
    <svg
      className="score-chart"
      role="img"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-desc`}
      viewBox={`0 0 ${barW + 60} ${height}`}
      width="100%"
      preserveAspectRatio="xMinYMin meet"
    >
      <title id={`${id}-title`}>{`${groupName(group.group_id)}: mean observer score per criterion, out of 4`}</title>
      <desc id={`${id}-desc`}>
        {group.criteria.map((c) => `${c.title}: ${c.mean.toFixed(1)} from ${c.count}`).join('; ')}
      </desc>
      {[1, 2, 3, 4].map((tick) => (
        <g key={tick}>
          <line x1={(tick / 4) * barW} x2={(tick / 4) * barW} y1={0} y2={height - 24} className="chart-grid" />
          <text x={(tick / 4) * barW} y={height - 8} textAnchor="middle" className="chart-axis">
            {tick}
          </text>
        </g>
      ))}
      {group.criteria.map((c, i) => {
        const y = i * rowH + 4;
        return (
          <g key={c.criterion_id}>
            <text x={0} y={y + 16} className="chart-label">
              {c.title}
            </text>
            <rect x={0} y={y + 24} width={(Math.min(c.mean, 4) / 4) * barW} height={22} className="chart-bar" />
            <text x={(Math.min(c.mean, 4) / 4) * barW + 6} y={y + 40} className="chart-value">
              {c.mean.toFixed(1)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** FeedbackItem is one piece of feedback with its scores and comment. */
export function FeedbackItem({ row }: { row: FeedbackRow }) {
  return (
    <li className="card">
      <p className="meta">
        Round {row.round}, {groupName(row.group_id)} · {PHASE_NAMES[row.phase] ?? row.phase} · from {row.from.name}
        {row.seat ? ` (${SEAT_NAMES[row.seat] ?? row.seat})` : ''}
        {row.about ? `, about ${row.about.name}'s practice` : ''}
      </p>
      {row.scores.length > 0 ? (
        <ul>
          {row.scores.map((s) => (
            <li key={s.criterion_id}>
              {s.title}: {s.score} out of 4
            </li>
          ))}
        </ul>
      ) : null}
      {row.comment ? <p>{row.comment}</p> : null}
      <p className="muted">
        <time dateTime={row.submitted_at}>{formatDateTime(row.submitted_at)}</time>
      </p>
    </li>
  );
}

/** Debrief shows a session's observer scores per group, the feedback and the transcript the reader may see. */
export function Debrief() {
  const { id = '' } = useParams();
  const { signedOut } = useAuth();
  const [page, setPage] = useState<State>({ state: 'loading' });
  usePageTitle(page.state === 'ready' ? `Debrief: ${page.data.session.title}` : 'Debrief');

  const load = useCallback(() => {
    roleplayApi
      .feedback(id)
      .then((data) => setPage({ state: 'ready', data }))
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 401) signedOut();
        if (err instanceof ApiError && err.status === 404) setPage({ state: 'missing' });
        else setPage({ state: 'error', message: messageOf(err) });
      });
  }, [id, signedOut]);

  useEffect(load, [load]);

  if (page.state === 'missing') return <NotFound />;
  if (page.state !== 'ready') {
    return (
      <>
        <h1>Debrief</h1>
        {page.state === 'loading' ? <Loading label="Loading the debrief…" /> : null}
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
      </>
    );
  }
  const { session, rows, debrief } = page.data;
  return (
    <>
      <p>
        <Link to={`/roleplay/${session.id}`}>Back to the session</Link>
      </p>
      <h1>Debrief: {session.title}</h1>
      <p className="lead">
        Scores run from 1 (not yet) to 4 (consistently). They are a starting point for reflection, not a verdict.
      </p>
      <section aria-labelledby="scores-heading" className="section">
        <h2 id="scores-heading">Observer scores by group</h2>
        {debrief.length === 0 ? <p className="empty">No observer scores were recorded in this session.</p> : null}
        {debrief.map((g) => (
          <div key={g.group_id} className="debrief-group">
            <h3>{groupName(g.group_id)}</h3>
            <ScoreChart group={g} />
            <table className="table">
              <caption>{groupName(g.group_id)}: mean observer scores</caption>
              <thead>
                <tr>
                  <th scope="col">Criterion</th>
                  <th scope="col">Mean score (out of 4)</th>
                  <th scope="col">Scores given</th>
                </tr>
              </thead>
              <tbody>
                {g.criteria.map((c) => (
                  <tr key={c.criterion_id}>
                    <th scope="row">{c.title}</th>
                    <td>{c.mean.toFixed(1)}</td>
                    <td>{c.count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      </section>
      <section aria-labelledby="feedback-heading" className="section">
        <h2 id="feedback-heading">Feedback</h2>
        <p className="hint">
          {session.you_are === 'invitee'
            ? 'You see the feedback about your own practice and the feedback you gave. No one else sees yours except the trainer.'
            : 'As the trainer you see all the feedback given in this session.'}
        </p>
        {rows.length === 0 ? (
          <p className="empty">No feedback to show yet.</p>
        ) : (
          <ul className="feedback-list">
            {rows.map((r) => (
              <FeedbackItem key={`${r.round}-${r.phase}-${r.from.id}`} row={r} />
            ))}
          </ul>
        )}
      </section>
      <Transcript sessionId={session.id} youAre={session.you_are} />
    </>
  );
}

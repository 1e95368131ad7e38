import { useCallback, useEffect, useState } from 'react';
import { messageOf } from '../api';
import { useAuth } from '../auth/AuthContext';
import { Loading, NotFound } from '../components/Pages';
import { usePageTitle } from '../components/usePageTitle';
import { formatDateTime } from '../time';
import { opsApi, type ArchivedTask, type QueueInfo } from './api';

type QueuesState = { state: 'loading' } | { state: 'ready'; queues: QueueInfo[] } | { state: 'error'; message: string };

type ArchivedState =
  | { state: 'closed' }
  | { state: 'loading'; queue: string }
  | { state: 'ready'; queue: string; items: ArchivedTask[]; next: string }
  | { state: 'error'; queue: string; message: string };

/** Ops is the platform operators' read-only view of the job queues and the tasks that failed. */
export function Ops() {
  const { me } = useAuth();
  if (!me?.operator) return <NotFound />;
  return <OpsView />;
}

function OpsView() {
  usePageTitle('Job queues');
  const [queues, setQueues] = useState<QueuesState>({ state: 'loading' });
  const [archived, setArchived] = useState<ArchivedState>({ state: 'closed' });
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    setQueues({ state: 'loading' });
    opsApi
      .queues()
      .then((r) => setQueues({ state: 'ready', queues: r.queues }))
      .catch((err: unknown) => setQueues({ state: 'error', message: messageOf(err) }));
  }, []);

  useEffect(load, [load]);

  async function showArchived(queue: string, cursor?: string) {
    setBusy(true);
    if (!cursor) setArchived({ state: 'loading', queue });
    try {
      const page = await opsApi.archived(queue, cursor);
      setArchived((prev) => ({
        state: 'ready',
        queue,
        items: cursor && prev.state === 'ready' ? [...prev.items, ...page.items] : page.items,
        next: page.next_cursor ?? '',
      }));
    } catch (err) {
      setArchived({ state: 'error', queue, message: messageOf(err) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <h1>Job queues</h1>
      <p className="lead">
        Background work (emails, certificates, reminder scans) waits in these queues. Failed tasks are retried with
        backoff; after the last retry they are archived here. This view is read-only, and never shows a task's contents.
      </p>
      <p>
        <button type="button" className="button-secondary" onClick={load}>
          Refresh
        </button>
      </p>
      {queues.state === 'loading' ? <Loading label="Loading queues…" /> : null}
      {queues.state === 'error' ? (
        <div role="alert" className="notice notice-error">
          <p>{queues.message}</p>
        </div>
      ) : null}
      {queues.state === 'ready' && queues.queues.length === 0 ? <p className="empty">There are no queues yet.</p> : null}
      {queues.state === 'ready' && queues.queues.length > 0 ? (
        <table className="table">
          <caption>Tasks in each queue, by state</caption>
          <thead>
            <tr>
              <th scope="col">Queue</th>
              <th scope="col">Pending</th>
              <th scope="col">Running</th>
              <th scope="col">Scheduled</th>
              <th scope="col">Waiting to retry</th>
              <th scope="col">Archived (failed)</th>
              <th scope="col">Failed today</th>
              <th scope="col">Oldest waiting</th>
            </tr>
          </thead>
          <tbody>
            {queues.queues.map((q) => (
              <tr key={q.name}>
                <th scope="row">
                  {q.name}
                  {q.paused ? ' (paused)' : ''}
                </th>
                <td data-label="Pending">{q.pending}</td>
                <td data-label="Running">{q.active}</td>
                <td data-label="Scheduled">{q.scheduled}</td>
                <td data-label="Waiting to retry">{q.retry}</td>
                <td data-label="Archived (failed)">
                  {q.archived}{' '}
                  {q.archived > 0 ? (
                    <button
                      type="button"
                      className="button-link"
                      aria-label={`Show archived tasks in ${q.name}`}
                      onClick={() => showArchived(q.name)}
                    >
                      Show
                    </button>
                  ) : null}
                </td>
                <td data-label="Failed today">{q.failed_today}</td>
                <td data-label="Oldest waiting">{Math.round(q.latency_seconds)} s</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {archived.state !== 'closed' ? (
        <section aria-labelledby="archived-heading" className="section">
          <h2 id="archived-heading">Archived tasks in {archived.queue}</h2>
          {archived.state === 'loading' ? <Loading label="Loading archived tasks…" /> : null}
          {archived.state === 'error' ? (
            <div role="alert" className="notice notice-error">
              <p>{archived.message}</p>
            </div>
          ) : null}
          {archived.state === 'ready' && archived.items.length === 0 ? (
            <p className="empty">No archived tasks in this queue.</p>
          ) : null}
          {archived.state === 'ready' && archived.items.length > 0 ? (
            <>
              <table className="table">
                <caption className="visually-hidden">Archived tasks in {archived.queue}</caption>
                <thead>
                  <tr>
                    <th scope="col">Type</th>
                    <th scope="col">Task id</th>
                    <th scope="col">Last error</th>
                    <th scope="col">Failed at</th>
                    <th scope="col">Tries</th>
                  </tr>
                </thead>
                <tbody>
                  {archived.items.map((t) => (
                    <tr key={t.id}>
                      <td data-label="Type">{t.type}</td>
                      <td data-label="Task id" className="break">
                        <code>{t.id}</code>
                      </td>
                      <td data-label="Last error" className="break">
                        {t.last_error || <span className="muted">None recorded</span>}
                      </td>
                      <td data-label="Failed at">
                        {t.failed_at ? <time dateTime={t.failed_at}>{formatDateTime(t.failed_at)}</time> : '—'}
                      </td>
                      <td data-label="Tries">
                        {t.retried} of {t.max_retry}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {archived.next ? (
                <p>
                  <button
                    type="button"
                    className="button-secondary"
                    disabled={busy}
                    onClick={() => showArchived(archived.queue, archived.next)}
                  >
                    {busy ? 'Loading…' : 'Show more archived tasks'}
                  </button>
                </p>
              ) : null}
            </>
          ) : null}
        </section>
      ) : null}
    </>
  );
}

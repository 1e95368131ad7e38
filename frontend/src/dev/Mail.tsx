import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, ApiError, messageOf, type Mail, type MailSummary } from '../api';
import { Loading } from '../components/Pages';
import { usePageTitle } from '../components/usePageTitle';
import { formatDateTime } from '../time';
import { linkify } from './linkify';

export const DEV_ONLY = 'The development mailbox is only available in development.';

type Load<T> = { state: 'loading' } | { state: 'ready'; value: T } | { state: 'error'; message: string; status: number };

function failed(err: unknown): { state: 'error'; message: string; status: number } {
  return { state: 'error', message: messageOf(err), status: err instanceof ApiError ? err.status : 0 };
}

/** MailList shows the mail a development server has written instead of sending it. */
export function MailList() {
  usePageTitle('Development mailbox');
  const [load, setLoad] = useState<Load<MailSummary[]>>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    api
      .devMail()
      .then((page) => live && setLoad({ state: 'ready', value: page.items }))
      .catch((err: unknown) => live && setLoad(failed(err)));
    return () => {
      live = false;
    };
  }, [attempt]);

  return (
    <>
      <h1>Development mailbox</h1>
      <p className="lead">Mail that this development server would have sent, newest first.</p>
      {load.state === 'loading' ? <Loading label="Loading messages…" /> : null}
      {load.state === 'error' ? (
        <div role="alert" className="notice notice-error">
          <p>{load.status === 404 ? DEV_ONLY : load.message}</p>
        </div>
      ) : null}
      {load.state === 'ready' ? (
        <>
          <p>
            <button type="button" className="button-secondary" onClick={() => setAttempt((n) => n + 1)}>
              Refresh
            </button>
          </p>
          {load.value.length === 0 ? (
            <p className="empty">No messages yet.</p>
          ) : (
            <table className="table">
              <caption className="visually-hidden">Messages, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">To</th>
                  <th scope="col">Subject</th>
                  <th scope="col">Sent</th>
                </tr>
              </thead>
              <tbody>
                {load.value.map((m) => (
                  <tr key={m.id}>
                    <td data-label="To" className="break">
                      {m.to}
                    </td>
                    <td data-label="Subject">
                      <Link to={`/dev/mail/${encodeURIComponent(m.id)}`}>{m.subject || '(no subject)'}</Link>
                    </td>
                    <td data-label="Sent">
                      <time dateTime={m.sent_at}>{formatDateTime(m.sent_at)}</time>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      ) : null}
    </>
  );
}

/** MailMessage shows one message's plain text, with its links made clickable. */
export function MailMessage() {
  const { id = '' } = useParams();
  const [load, setLoad] = useState<Load<Mail>>({ state: 'loading' });
  usePageTitle(load.state === 'ready' ? load.value.subject || 'Message' : 'Message');

  useEffect(() => {
    let live = true;
    setLoad({ state: 'loading' });
    api
      .devMailMessage(id)
      .then((value) => live && setLoad({ state: 'ready', value }))
      .catch((err: unknown) => live && setLoad(failed(err)));
    return () => {
      live = false;
    };
  }, [id]);

  const back = (
    <p>
      <Link to="/dev/mail">Back to the mailbox</Link>
    </p>
  );
  if (load.state === 'loading') {
    return (
      <>
        <h1>Message</h1>
        <Loading label="Loading the message…" />
      </>
    );
  }
  if (load.state === 'error') {
    return (
      <>
        <h1>Message not available</h1>
        <div role="alert" className="notice notice-error">
          <p>
            {load.status === 404
              ? `We couldn't find that message. ${DEV_ONLY}`
              : load.message}
          </p>
        </div>
        {back}
      </>
    );
  }
  const m = load.value;
  return (
    <>
      {back}
      <h1 className="break">{m.subject || '(no subject)'}</h1>
      <dl className="facts">
        <div>
          <dt>To</dt>
          <dd className="break">{m.to}</dd>
        </div>
        <div>
          <dt>Sent</dt>
          <dd>
            <time dateTime={m.sent_at}>{formatDateTime(m.sent_at)}</time>
          </dd>
        </div>
      </dl>
      <h2 className="visually-hidden">Message text</h2>
      <pre className="mail-text">{linkify(m.text)}</pre>
    </>
  );
}

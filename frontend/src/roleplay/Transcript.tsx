import { useState } from 'react';
import { ApiError, messageOf } from '../api';
import { useLoad, useOnSignedOut } from '../components/Load';
import { Loading } from '../components/Pages';
import { formatDateTime } from '../time';
import { roleplayApi, type TranscriptLine } from './api';

// The API answers 404 with code not_kept when the session kept no chat; that is a normal answer
// here, not a failure, so the fetcher turns it into a value.
type Kept = { kept: true; lines: TranscriptLine[]; next: string } | { kept: false };

const SESSION = '';

function channelOf(line: TranscriptLine): string {
  return line.channel === 'session' || !line.group_id ? SESSION : line.group_id;
}

function channelName(key: string): string {
  return key === SESSION ? 'Everyone in the session' : `Group ${key.replace(/^g/, '')}`;
}

/** byChannel splits lines (in seq order) by channel: the session-wide one first, then groups. */
function byChannel(lines: TranscriptLine[]): [string, TranscriptLine[]][] {
  const groups = new Map<string, TranscriptLine[]>();
  for (const line of lines) {
    const key = channelOf(line);
    const list = groups.get(key) ?? [];
    list.push(line);
    groups.set(key, list);
  }
  return [...groups.entries()].sort(([a], [b]) => {
    if (a === SESSION || b === SESSION) return a === SESSION ? (b === SESSION ? 0 : -1) : 1;
    return a.localeCompare(b, undefined, { numeric: true });
  });
}

async function firstPage(sessionId: string): Promise<Kept> {
  try {
    const page = await roleplayApi.transcript(sessionId);
    return { kept: true, lines: page.items, next: page.next_cursor ?? '' };
  } catch (err) {
    if (err instanceof ApiError && err.code === 'not_kept') return { kept: false };
    throw err;
  }
}

/**
 * Transcript shows a session's kept chat, grouped by channel, as much of it as the reader may
 * read: all of it for the trainer, the session-wide channel and their own groups for a trainee.
 */
export function Transcript({ sessionId, youAre }: { sessionId: string; youAre: string }) {
  const { load, reload, set } = useLoad(() => firstPage(sessionId), [sessionId]);
  const onSignedOut = useOnSignedOut();
  const [more, setMore] = useState({ busy: false, error: '' });

  async function loadMore() {
    if (load.state !== 'ready' || !load.value.kept || !load.value.next) return;
    const current = load.value;
    setMore({ busy: true, error: '' });
    try {
      const page = await roleplayApi.transcript(sessionId, current.next);
      set({ kept: true, lines: [...current.lines, ...page.items], next: page.next_cursor ?? '' });
      setMore({ busy: false, error: '' });
    } catch (err) {
      onSignedOut(err);
      setMore({ busy: false, error: messageOf(err) });
    }
  }

  let body;
  if (load.state === 'loading') {
    body = <Loading label="Loading the transcript…" />;
  } else if (load.state === 'error' && load.status === 404) {
    // Not the reader's to read (an invitee who did not attend): say so quietly, it is no fault.
    body = <p className="empty">{load.message}</p>;
  } else if (load.state === 'error') {
    body = (
      <div role="alert" className="notice notice-error">
        <p>{load.message}</p>
        <p>
          <button type="button" className="button-secondary" onClick={reload}>
            Try again
          </button>
        </p>
      </div>
    );
  } else if (!load.value.kept) {
    body = (
      <p className="empty">
        No transcript was kept. Chat is kept only when the session allows it and everyone who joined agrees.
      </p>
    );
  } else {
    const { lines, next } = load.value;
    body = (
      <>
        <p className="hint">
          {youAre === 'invitee'
            ? 'You see the messages to everyone in the session and those of the groups you were in. Oldest first.'
            : 'You see every message kept from this session. Oldest first.'}
        </p>
        {lines.length === 0 ? <p className="empty">There are no messages for you to read.</p> : null}
        {byChannel(lines).map(([key, list]) => {
          const headingId = `transcript-${key || 'session'}`;
          const name = channelName(key);
          return (
            <section key={key || 'session'} aria-labelledby={headingId} className="transcript-channel">
              <h3 id={headingId}>{name}</h3>
              <ol className="transcript-list" aria-label={`Messages: ${name}`}>
                {list.map((line) => (
                  <li key={line.seq}>
                    <p className="meta">
                      <strong>{line.from.name}</strong> · <time dateTime={line.at}>{formatDateTime(line.at)}</time>
                    </p>
                    <p>{line.text}</p>
                  </li>
                ))}
              </ol>
            </section>
          );
        })}
        {more.error ? (
          <div role="alert" className="notice notice-error">
            <p>{more.error}</p>
          </div>
        ) : null}
        {next ? (
          <p>
            <button type="button" className="button-secondary" onClick={loadMore} disabled={more.busy}>
              {more.busy ? 'Loading…' : 'Load more'}
            </button>
          </p>
        ) : null}
      </>
    );
  }

  return (
    <section aria-labelledby="transcript-heading" className="section">
      <h2 id="transcript-heading">Transcript</h2>
      {body}
    </section>
  );
}

// The live role-play room at /roleplay/:id/room: the participant's view or the trainer's console,
// chosen by the role the server gives this person in the session.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api';
import { useAuth } from '../../auth/AuthContext';
import { LiveRegion } from '../../components/LiveRegion';
import { Loading } from '../../components/Pages';
import { usePageTitle } from '../../components/usePageTitle';
import { fetchSessionInfo, type SessionInfo } from './api';
import type { ConnectionStatus, WebSocketFactory } from './socket';
import { TraineeView } from './TraineeView';
import { TrainerConsole } from './TrainerConsole';
import { useRoom } from './useRoom';
import './room.css';

const consentKey = (id: string) => `peerpath.roleplay.consent.${id}`;

function readConsent(id: string): boolean | undefined {
  try {
    const v = window.sessionStorage.getItem(consentKey(id));
    return v === 'yes' ? true : v === 'no' ? false : undefined;
  } catch {
    return undefined;
  }
}

function saveConsent(id: string, yes: boolean) {
  try {
    window.sessionStorage.setItem(consentKey(id), yes ? 'yes' : 'no');
  } catch {
    // Private browsing may refuse storage: the answer still holds for this page.
  }
}

type InfoLoad =
  | { state: 'loading' }
  | { state: 'done'; info: SessionInfo }
  | { state: 'refused'; message: string };

export const NOT_FOUND_MESSAGE = "We couldn't find this session. It may have been cancelled, or the link may be mistyped.";
export const FORBIDDEN_MESSAGE = "This session is for the people invited to it. You're not on its list.";

/**
 * useSessionInfo asks for the session's title and whether it may keep a transcript, so the
 * person can be asked before joining. The same answer says whether they may join at all: the
 * WebSocket upgrade is refused with a plain HTTP status the browser does not pass on, so this is
 * where "not found" and "not invited" can be told apart from a dropped connection. When the
 * details cannot be had for another reason, the room connects anyway.
 */
function useSessionInfo(id: string): { load: InfoLoad; recheck: () => void } {
  const { signedOut } = useAuth();
  const [load, setLoad] = useState<InfoLoad>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    fetchSessionInfo(id)
      .then((info) => live && setLoad({ state: 'done', info: info ?? {} }))
      .catch((err: unknown) => {
        if (!live) return;
        if (err instanceof ApiError && err.status === 401) signedOut();
        else if (err instanceof ApiError && err.status === 404) setLoad({ state: 'refused', message: NOT_FOUND_MESSAGE });
        else if (err instanceof ApiError && err.status === 403) setLoad({ state: 'refused', message: FORBIDDEN_MESSAGE });
        else setLoad((l) => (l.state === 'done' ? l : { state: 'done', info: {} }));
      });
    return () => {
      live = false;
    };
  }, [id, signedOut, attempt]);
  const recheck = useCallback(() => setAttempt((n) => n + 1), []);
  return { load, recheck };
}

export function RoomPage({ WebSocket }: { WebSocket?: WebSocketFactory } = {}) {
  const { id = '' } = useParams();
  const { load, recheck } = useSessionInfo(id);
  const info = load.state === 'done' ? load.info : {};
  const [consent, setConsent] = useState<boolean | undefined>(() => readConsent(id));
  const askFirst = info.transcript_allowed === true && consent === undefined;
  // Once the session has ended there is nothing more to hear: a dropped connection stays dropped.
  const [afterEnd, setAfterEnd] = useState(false);
  const room = useRoom(id, { enabled: load.state === 'done' && !askFirst && !afterEnd, consent, WebSocket });
  const s = room.state;
  const ended = s.ready && s.session === 'ended';
  const dropped = room.status.kind === 'reconnecting';
  useEffect(() => {
    if (ended && dropped) setAfterEnd(true);
  }, [ended, dropped]);
  const opened = useRef(false);
  if (room.status.kind === 'open') opened.current = true;
  const failedAttempt = room.status.kind === 'reconnecting' && !opened.current ? room.status.attempt : 0;
  // A socket that has never opened, again and again, may be refused: ask the API why.
  useEffect(() => {
    if (failedAttempt > 0 && failedAttempt % 3 === 0) recheck();
  }, [failedAttempt, recheck]);
  // An older server may not say beforehand; the snapshot does, and the answer reconnects.
  const askNow = askFirst || (s.ready && s.transcriptAllowed && consent === undefined);
  const trainer = s.you?.role === 'trainer';
  const title = info.title || 'Live role-play';
  usePageTitle(s.ready ? `${trainer ? 'Trainer console' : 'Practice room'}: ${title}` : title);

  function answer(yes: boolean) {
    saveConsent(id, yes);
    setConsent(yes);
  }

  const closed = room.status.kind === 'closed' ? room.status : null;
  if (load.state === 'refused') {
    return (
      <div className="room">
        <h1>{title}</h1>
        <p role="alert" className="notice notice-error">
          {load.message}
        </p>
        <p>
          <Link to="/roleplay">Back to your role-play sessions</Link>
        </p>
      </div>
    );
  }
  return (
    <div className="room">
      <h1>{title}</h1>
      {s.ready ? <p className="room-kind">{trainer ? 'Trainer console' : 'Practice room'}</p> : null}
      <StatusLine status={room.status} ready={s.ready} ended={afterEnd} />
      <LiveRegion role="alert">{room.notice ? room.notice.message : ''}</LiveRegion>
      {closed && !s.ready ? (
        <p>
          <Link to="/roleplay">Back to your role-play sessions</Link>
        </p>
      ) : null}
      {load.state === 'loading' ? (
        <Loading label="Getting the session ready…" />
      ) : askNow ? (
        <Consent onAnswer={answer} />
      ) : !s.ready ? (
        closed ? null : <Loading label="Joining the session…" />
      ) : trainer ? (
        <TrainerConsole
          sessionId={id}
          s={s}
          send={room.send}
          practiceSeconds={info.practice_seconds}
          feedbackSeconds={info.feedback_seconds}
        />
      ) : (
        <TraineeView sessionId={id} s={s} send={room.send} />
      )}
    </div>
  );
}

function statusText(status: ConnectionStatus, ready: boolean, ended: boolean): [string, string] {
  if (ended) return ['The session has ended, so the room is no longer connected.', 'ended'];
  switch (status.kind) {
    case 'connecting':
      return ['Connecting…', 'waiting'];
    case 'open':
      return ready ? ['Connected to the session', 'open'] : ['Connecting…', 'waiting'];
    case 'reconnecting':
      return [ready ? 'Reconnecting… Your place is kept.' : 'Reconnecting…', 'waiting'];
    case 'closed':
      return ['', 'closed'];
  }
}

function StatusLine({ status, ready, ended }: { status: ConnectionStatus; ready: boolean; ended: boolean }) {
  const [text, kind] = statusText(status, ready, ended);
  return (
    <div className="room-status">
      <LiveRegion role="status" quiet className={`room-status-line room-status-${kind}`}>
        {text ? (
          <>
            <span className="room-dot" aria-hidden="true" />
            {text}
          </>
        ) : null}
      </LiveRegion>
      <LiveRegion role="alert">{status.kind === 'closed' ? status.message : ''}</LiveRegion>
    </div>
  );
}

/** Consent asks, in plain words, whether the chat may be kept. Both answers are equally easy. */
function Consent({ onAnswer }: { onAnswer: (yes: boolean) => void }) {
  return (
    <section className="room-consent" aria-labelledby="room-consent-heading">
      <h2 id="room-consent-heading">Can we keep a record of the chat?</h2>
      <p>
        This session can keep a written record of the chat messages, so the group can look back at them later. The
        record is only kept if everyone in the session says yes.
      </p>
      <p>
        Either answer is fine. You take part in exactly the same way, and your rubric scores and attendance are
        recorded either way.
      </p>
      <div className="room-actions room-consent-choices">
        <button type="button" className="button-secondary" onClick={() => onAnswer(true)}>
          Yes, keep the chat
        </button>
        <button type="button" className="button-secondary" onClick={() => onAnswer(false)}>
          No, don't keep the chat
        </button>
      </div>
    </section>
  );
}

import { Link } from 'react-router';
import { formatDateTime } from '../../time';
import type { RoomState } from './state';

const seg = encodeURIComponent;

/** PhaseBanner says where the session is in its life, in a few plain words. */
export function PhaseBanner({ sessionId, s, trainer }: { sessionId: string; s: RoomState; trainer: boolean }) {
  const starts = s.startsAt ? formatDateTime(s.startsAt) : '';
  let title = '';
  let body: React.ReactNode = null;
  switch (s.session) {
    case 'scheduled':
      title = 'Not open yet';
      body = <p>The room opens 15 minutes before the session starts{starts ? ` (${starts})` : ''}.</p>;
      break;
    case 'lobby':
      title = trainer ? 'Lobby: people are arriving' : 'Waiting for the trainer';
      body = trainer ? (
        <p>The session starts{starts ? ` at ${starts}` : ' soon'}. You can form groups while people arrive.</p>
      ) : (
        <p>You're in the right place. The trainer will start the session{starts ? ` at ${starts}` : ' soon'}.</p>
      );
      break;
    case 'running':
      title = 'Session running';
      if (trainer) body = <p>Rounds keep time on the server, so they carry on even if your browser closes.</p>;
      break;
    case 'debrief':
      title = 'Practice is over';
      body = (
        <p>
          Thank you for taking part.{' '}
          <Link to={`/roleplay/${seg(sessionId)}/debrief`}>Go to the debrief</Link>
        </p>
      );
      break;
    case 'ended':
      title = 'This session has ended';
      body = (
        <p>
          Thank you for taking part.{' '}
          <Link to={`/roleplay/${seg(sessionId)}/debrief`}>See the debrief</Link>
        </p>
      );
      break;
  }
  return (
    <section className={`room-phase room-phase-${s.session}`} aria-labelledby="room-phase-heading">
      <h2 id="room-phase-heading">{title}</h2>
      {body}
    </section>
  );
}

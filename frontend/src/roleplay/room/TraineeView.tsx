// The participant's view of the room: the phase, their group, the card with their own private
// brief, the round's clock, feedback, safety controls and chat.
import { useEffect, useRef, useState } from 'react';
import { LiveRegion } from '../../components/LiveRegion';
import { MAX_REASON_CHARS, type CardView, type GroupView } from './protocol';
import {
  ActionResult,
  ChatPanel,
  criteriaOf,
  FeedbackForm,
  FeedbackList,
  groupLabel,
  RoundClock,
  Section,
  seatName,
  turnText,
  useAction,
  useNow,
  useRoundAnnouncement,
  type ChatChannelProps,
} from './common';
import { isActive, myGroup, participantName, turnSeat, type RoomState } from './state';
import type { Send } from './useRoom';
import { PhaseBanner } from './PhaseBanner';

export function TraineeView({ sessionId, s, send }: { sessionId: string; s: RoomState; send: Send }) {
  const g = myGroup(s);
  const inPractice = s.session === 'running' && g !== undefined;
  const me = s.you?.id ?? '';

  const channels: ChatChannelProps[] = [];
  if (g) {
    channels.push({
      name: 'group',
      label: 'Group',
      audience: 'your group',
      items: s.chat.filter((c) => c.channel === 'group' && c.group === g.id),
      send: (text) => send('chat', { text }),
    });
  }
  channels.push({
    name: 'session',
    label: 'Everyone',
    audience: 'everyone',
    items: s.chat.filter((c) => c.channel === 'session'),
    send: (text) => send('chat', g ? { text, channel: 'session' } : { text }),
  });

  return (
    <div className="room-trainee">
      <PhaseBanner sessionId={sessionId} s={s} trainer={false} />
      <Broadcasts s={s} />
      {s.session === 'lobby' && g ? <GroupSection s={s} g={g} /> : null}
      {inPractice && g ? (
        <>
          <GroupSection s={s} g={g} />
          <RoundSection s={s} g={g} />
          <CardSection key={s.card ? `${s.card.id}:${s.card.seat ?? ''}` : 'none'} card={s.card} />
          <FeedbackSection s={s} g={g} send={send} me={me} />
        </>
      ) : null}
      {s.session === 'running' && !g ? (
        <p className="room-note">
          You're in the main room. Your trainer will put you in a practice group soon.
        </p>
      ) : null}
      {s.session === 'lobby' || s.session === 'running' || s.session === 'debrief' ? (
        <SafetySection
          s={s}
          send={send}
          inGroup={g !== undefined && s.session === 'running'}
          roundGoing={isActive(g?.round?.phase) && !g?.round?.paused}
        />
      ) : null}
      {s.session === 'lobby' || s.session === 'running' || s.session === 'debrief' ? (
        <ChatPanel s={s} channels={channels} />
      ) : null}
    </div>
  );
}

/** Broadcasts shows the trainer's latest message to every group, and announces new ones. */
export function Broadcasts({ s }: { s: RoomState }) {
  const latest = s.broadcasts[s.broadcasts.length - 1];
  return (
    <LiveRegion role="status" className="room-broadcast">
      {latest ? (
        <>
          <strong>Message from {participantName(s, latest.from)}:</strong> {latest.text}
        </>
      ) : null}
    </LiveRegion>
  );
}

function GroupSection({ s, g }: { s: RoomState; g: GroupView }) {
  const me = s.you?.id;
  return (
    <Section title={`Your group: ${groupLabel(g.id)}`}>
      <ul className="room-members">
        {g.members.map((id) => {
          const p = s.participants.find((x) => x.id === id);
          return (
            <li key={id}>
              <span className="room-member-name">{id === me ? `${participantName(s, id)} (you)` : participantName(s, id)}</span>
              <span className="room-seat">{seatName(g.seats[id])}</span>
              <Presence connected={p?.connected ?? false} />
              {p?.hand_raised ? <span className="room-hand">Hand raised</span> : null}
            </li>
          );
        })}
        {g.trainer_seat ? (
          <li>
            <span className="room-member-name">Your trainer</span>
            <span className="room-seat">{seatName(g.trainer_seat)}</span>
          </li>
        ) : null}
      </ul>
    </Section>
  );
}

export function Presence({ connected }: { connected: boolean }) {
  return (
    <span className={connected ? 'room-presence room-online' : 'room-presence room-offline'}>
      <span className="room-dot" aria-hidden="true" />
      {connected ? 'Connected' : 'Not connected'}
    </span>
  );
}

function RoundSection({ s, g }: { s: RoomState; g: GroupView }) {
  const now = useNow();
  const round = g.round;
  const announcement = useRoundAnnouncement(round, now);
  const turn = turnText(s, g);
  return (
    <Section title="This round">
      {round ? (
        <>
          <RoundClock round={round} now={now} />
          {round.paused ? (
            <p className="room-note">Your group is paused. Take the time you need; the trainer will resume the round.</p>
          ) : null}
          {turn ? <p className="room-turn">Feedback now comes from {turn}.</p> : null}
        </>
      ) : (
        <p className="room-note">Your group is ready. The trainer will start the round.</p>
      )}
      <LiveRegion role="status" className="visually-hidden">
        {announcement}
      </LiveRegion>
    </Section>
  );
}

/**
 * CardSection shows the scenario: the content warning first (acknowledged to reveal the rest),
 * then the situation everyone shares and this person's own private brief.
 */
function CardSection({ card }: { card: CardView | null }) {
  const [revealed, setRevealed] = useState(() => !card?.content_warning);
  const body = useRef<HTMLDivElement>(null);
  const moved = useRef(false);

  useEffect(() => {
    if (revealed && moved.current) {
      moved.current = false;
      body.current?.focus();
    }
  }, [revealed]);

  if (!card) {
    return (
      <Section title="Scenario">
        <p className="empty">The scenario card appears here when the round starts.</p>
      </Section>
    );
  }
  return (
    <Section title={`Scenario: ${card.title}`}>
      {!revealed && card.content_warning ? (
        <div className="gate room-gate">
          <h3>Content warning</h3>
          <p className="gate-warning">{card.content_warning}</p>
          <p>
            Take a moment to check in with yourself. You can step out of role at any time with the button below, and
            your trainer will be told. If this brings things up for you, talk to your trainer or your own supports.
          </p>
          <div className="room-actions">
            <button
              type="button"
              onClick={() => {
                moved.current = true;
                setRevealed(true);
              }}
            >
              Show the scenario
            </button>
          </div>
        </div>
      ) : (
        <div ref={body} tabIndex={-1} className="room-card">
          {card.content_warning ? (
            <p className="room-cw">
              <strong>Content warning:</strong> {card.content_warning}
            </p>
          ) : null}
          <p className="muted">Setting: {card.setting}</p>
          <h3>The situation (everyone in your group sees this)</h3>
          <p className="room-shared">{card.shared}</p>
          {card.seat ? (
            <p className="room-your-role">
              <strong>Your role:</strong> {card.role || seatName(card.seat)}
              {card.role ? <span className="muted"> ({seatName(card.seat)})</span> : null}
            </p>
          ) : null}
          {card.brief ? (
            <section className="room-brief" aria-labelledby="room-brief-heading">
              <h3 id="room-brief-heading">Your private brief</h3>
              <p className="room-brief-note">Only you can see this. Please don't read it out or share it.</p>
              <p className="room-brief-text">{card.brief}</p>
            </section>
          ) : null}
        </div>
      )}
    </Section>
  );
}

function FeedbackSection({ s, g, send, me }: { s: RoomState; g: GroupView; send: Send; me: string }) {
  const round = g.round;
  if (!round || round.phase === '' || round.phase === 'practice') return null;
  const turn = turnSeat(round.phase);
  const mine = turn !== undefined && turn !== null && s.seat === turn;
  const feedback = s.feedback.filter((f) => f.group === g.id && f.round === round.number);
  const sent = feedback.some((f) => f.from === me && f.phase === round.phase);
  const observer = round.phase === 'feedback.observer';
  return (
    <Section title="Feedback">
      {mine && !sent && isActive(round.phase) && !round.paused ? (
        <FeedbackForm
          key={`${round.number}:${round.phase}`}
          criteria={observer ? criteriaOf(s.card) : []}
          heading="Your turn to give feedback"
          intro={
            observer
              ? 'Score each part of the rubric from 1 to 4. Each score comes with a description to guide you.'
              : round.phase === 'feedback.self'
                ? 'How did the practice go for you? What would you keep, and what would you try differently?'
                : 'How did it feel to be listened to? What helped, and what could have helped more?'
          }
          submit={(scores, comment) => send('feedback.submit', scores ? { scores, comment } : { comment })}
        />
      ) : null}
      {mine && sent ? <p className="done-line">Your feedback is in. Thank you.</p> : null}
      <h3>Feedback in this round</h3>
      <FeedbackList s={s} feedback={feedback} card={s.card} empty="No feedback yet in this round." />
    </Section>
  );
}

/** SafetySection: raise a hand, pause the group, or step out of role, each with one click. */
function SafetySection({
  s,
  send,
  inGroup,
  roundGoing,
}: {
  s: RoomState;
  send: Send;
  inGroup: boolean;
  roundGoing: boolean;
}) {
  const hand = useAction();
  const pause = useAction();
  const [reason, setReason] = useState('');
  const raised = s.you?.hand_raised ?? false;

  return (
    <Section title="Need the trainer, or a pause?" className="room-safety">
      <div className="room-actions">
        <button
          type="button"
          className="button-secondary"
          disabled={hand.pending}
          onClick={() =>
            void hand.run(
              () => (raised ? send('hand.lower', {}) : send('hand.raise', {})),
              raised ? 'Your hand is lowered.' : 'Your hand is raised. The trainer can see it.',
            )
          }
        >
          {raised ? 'Lower hand' : 'Raise hand'}
        </button>
      </div>
      <ActionResult action={hand} />
      {inGroup ? (
        <>
          <p>
            Anyone can stop the practice at any time. Pausing stops your group's clock and lets the trainer know
            straight away.
          </p>
          <div className="field">
            <label htmlFor="room-pause-reason">Reason (optional)</label>
            <p className="hint" id="room-pause-reason-hint">
              Only your group and the trainer see it.
            </p>
            <input
              id="room-pause-reason"
              type="text"
              value={reason}
              maxLength={MAX_REASON_CHARS}
              aria-describedby="room-pause-reason-hint"
              onChange={(e) => setReason(e.target.value)}
            />
          </div>
          <div className="room-actions">
            <button
              type="button"
              className="button-secondary"
              disabled={pause.pending}
              onClick={() =>
                void pause
                  .run(
                    () => send('pause_signal', reason.trim() ? { reason: reason.trim() } : {}),
                    roundGoing
                      ? 'Your group is paused and the trainer has been told.'
                      : 'The trainer has been told.',
                  )
                  .then((ok) => ok && setReason(''))
              }
            >
              Pause our group
            </button>
            <button
              type="button"
              className="button-secondary"
              disabled={pause.pending}
              onClick={() =>
                void pause.run(
                  () => send('pause_signal', { reason: 'Stepped out of role' }),
                  roundGoing
                    ? "You've stepped out of role. Your group is paused and the trainer has been told. Take the time you need."
                    : "You've stepped out of role, and the trainer has been told. Take the time you need.",
                )
              }
            >
              Step out of role
            </button>
          </div>
          <ActionResult action={pause} />
        </>
      ) : null}
    </Section>
  );
}

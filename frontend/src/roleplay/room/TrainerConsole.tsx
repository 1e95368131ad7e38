// The trainer's console: every group at a glance, the controls that run the session, and any one
// group's view opened beside it without leaving.
import { useEffect, useId, useRef, useState } from 'react';
import { FieldError, FieldFrame } from '../../components/Field';
import { LiveRegion } from '../../components/LiveRegion';
import { formatTime } from '../../time';
import type { CardView, GroupView, ParticipantId } from './protocol';
import { MAX_CHAT_CHARS } from './protocol';
import {
  ActionResult,
  charCount,
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
} from './common';
import { PhaseBanner } from './PhaseBanner';
import { isActive, participantName, turnSeat, type RoomState, type SignalItem } from './state';
import { Broadcasts, Presence } from './TraineeView';
import type { Send } from './useRoom';

const EXTEND_MINUTES = [1, 2, 5];

export function TrainerConsole({
  sessionId,
  s,
  send,
  practiceSeconds,
  feedbackSeconds,
}: {
  sessionId: string;
  s: RoomState;
  send: Send;
  /** The session's planned round lengths, offered as the start of each round. */
  practiceSeconds?: number | undefined;
  feedbackSeconds?: number | undefined;
}) {
  const [openGroup, setOpenGroup] = useState<string | null>(null);
  const returnTo = useRef<string | null>(null);
  // Closing the side panel puts focus back on the button that opened it.
  useEffect(() => {
    if (openGroup === null && returnTo.current) {
      document.getElementById(`room-open-${returnTo.current}`)?.focus();
      returnTo.current = null;
    }
  }, [openGroup]);
  const [dismissed, setDismissed] = useState<Set<string>>(() => new Set());
  const now = useNow();
  const open = openGroup ? s.groups.find((g) => g.id === openGroup) : undefined;
  const live = s.session === 'lobby' || s.session === 'running';
  const signals = s.signals.filter((x) => x.open && !dismissed.has(signalKey(x)));

  return (
    <div className={open ? 'room-console room-console-split' : 'room-console'}>
      <div className="room-console-main">
        <PhaseBanner sessionId={sessionId} s={s} trainer />
        <SessionControls s={s} send={send} />
        <Broadcasts s={s} />
        {signals.length > 0 ? (
          <SignalsSection
            s={s}
            signals={signals}
            send={send}
            dismiss={(x) => setDismissed((d) => new Set(d).add(signalKey(x)))}
          />
        ) : null}
        {live ? (
          <Section title="Groups">
            <GroupingControls s={s} send={send} />
            {s.session === 'running' && s.groups.length > 0 ? <StartRound
                s={s}
                send={send}
                practiceMinutes={minutes(practiceSeconds, 10, 60)}
                feedbackMinutes={minutes(feedbackSeconds, 2, 30)}
              /> : null}
            {s.session === 'running' && s.groups.length > 1 ? <AllGroups s={s} send={send} /> : null}
            {s.groups.length === 0 ? (
              <p className="empty">No groups yet. Form triads automatically, or arrange them by hand.</p>
            ) : (
              <ul className="room-groups">
                {s.groups.map((g) => (
                  <GroupCard
                    key={g.id}
                    s={s}
                    g={g}
                    send={send}
                    now={now}
                    onOpen={() => setOpenGroup(g.id)}
                    isOpen={openGroup === g.id}
                    signals={signals.filter((x) => x.group === g.id)}
                  />
                ))}
              </ul>
            )}
          </Section>
        ) : null}
        {live ? <Unassigned s={s} /> : null}
        <Participants s={s} />
        {live ? <BroadcastForm send={send} /> : null}
        {s.session !== 'ended' && s.session !== 'scheduled' ? (
          <ChatPanel
            s={s}
            heading="Chat with everyone"
            channels={[
              {
                name: 'session',
                label: 'Everyone',
                audience: 'everyone',
                items: s.chat.filter((c) => c.channel === 'session'),
                send: (text) => send('chat', { text }),
              },
            ]}
          />
        ) : null}
      </div>
      {open ? (
        <GroupPanel
          key={open.id}
          s={s}
          g={open}
          send={send}
          now={now}
          onClose={() => {
            returnTo.current = open.id;
            setOpenGroup(null);
          }}
        />
      ) : null}
    </div>
  );
}

/** minutes turns a planned length into whole minutes for the form, within what the server takes. */
function minutes(seconds: number | undefined, fallback: number, max: number): string {
  if (!seconds || seconds <= 0) return String(fallback);
  return String(Math.min(max, Math.max(1, Math.round(seconds / 60))));
}

function signalKey(x: SignalItem): string {
  return `${x.group}|${x.participant}|${x.at}`;
}

// ---------------------------------------------------------------- session

function SessionControls({ s, send }: { s: RoomState; send: Send }) {
  const [confirming, setConfirming] = useState(false);
  const action = useAction();
  const confirmRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

  const running = s.session === 'running';
  if (s.session !== 'lobby' && s.session !== 'running' && s.session !== 'debrief') return null;
  const label = running ? 'End practice' : 'Close session';
  const question = running
    ? 'End practice for everyone? Any round still going stops now, and everyone moves to the debrief.'
    : 'Close the session for everyone? People can no longer join or chat.';

  return (
    <div className="room-session-controls">
      {confirming ? (
        <div className="confirm">
          <p ref={confirmRef} tabIndex={-1}>
            {question}
          </p>
          <div className="actions">
            <button
              type="button"
              className="button-danger"
              disabled={action.pending}
              onClick={() =>
                void action.run(() => send('session.end', {}), running ? 'Practice has ended.' : 'The session is closed.').then(() => setConfirming(false))
              }
            >
              Yes, {label.toLowerCase()}
            </button>
            <button type="button" className="button-secondary" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <div className="room-actions">
          {s.session === 'lobby' ? (
            <button type="button" disabled={action.pending} onClick={() => void action.run(() => send('session.start', {}), 'The session has started.')}>
              Start the session now
            </button>
          ) : null}
          <button type="button" className="button-secondary" onClick={() => setConfirming(true)}>
            {label}
          </button>
        </div>
      )}
      <ActionResult action={action} />
    </div>
  );
}

// ---------------------------------------------------------------- pause signals

function SignalsSection({
  s,
  signals,
  send,
  dismiss,
}: {
  s: RoomState;
  signals: SignalItem[];
  send: Send;
  dismiss: (x: SignalItem) => void;
}) {
  return (
    <section className="room-signals" aria-labelledby="room-signals-heading">
      <h2 id="room-signals-heading">Pause signals</h2>
      <ul>
        {signals.map((x) => (
          <SignalRow key={signalKey(x)} s={s} x={x} send={send} dismiss={() => dismiss(x)} />
        ))}
      </ul>
      {/* Announced at once: someone asked to stop. */}
      <LiveRegion role="alert" className="visually-hidden">
        {signals.length > 0 ? signalText(s, signals[signals.length - 1]!) : ''}
      </LiveRegion>
    </section>
  );
}

function signalText(s: RoomState, x: SignalItem): string {
  const who = participantName(s, x.participant);
  return `${who} in ${groupLabel(x.group)} asked to pause${x.reason ? `: ${x.reason}` : ''}.`;
}

function SignalRow({ s, x, send, dismiss }: { s: RoomState; x: SignalItem; send: Send; dismiss: () => void }) {
  const action = useAction();
  const g = s.groups.find((y) => y.id === x.group);
  const paused = g?.round?.paused && isActive(g.round.phase);
  return (
    <li className="room-signal">
      <p>
        <strong>{participantName(s, x.participant)}</strong> in {groupLabel(x.group)} asked to pause at{' '}
        {formatTime(new Date(x.at))}.
      </p>
      <p>{x.reason ? <>Reason: {x.reason}</> : <span className="muted">No reason given.</span>}</p>
      <div className="room-actions">
        {paused ? (
          <button
            type="button"
            disabled={action.pending}
            onClick={() => void action.run(() => send('round.resume', { group: x.group }), `${groupLabel(x.group)} resumed.`)}
          >
            Resume {groupLabel(x.group)}
          </button>
        ) : null}
        <button type="button" className="button-secondary" onClick={dismiss} aria-label={`Mark as seen: ${signalText(s, x)}`}>
          Mark as seen
        </button>
      </div>
      <ActionResult action={action} />
    </li>
  );
}

// ---------------------------------------------------------------- forming groups

function GroupingControls({ s, send }: { s: RoomState; send: Send }) {
  const auto = useAction();
  const back = useAction();
  const [arranging, setArranging] = useState(false);
  const anyRound = s.groups.some((g) => isActive(g.round?.phase));
  const panelId = useId();

  return (
    <div className="room-grouping">
      {anyRound ? (
        <p className="hint">Groups can be changed once every round has finished.</p>
      ) : null}
      <div className="room-actions">
        <button
          type="button"
          disabled={auto.pending}
          onClick={() => void auto.run(() => send('groups.assign', { auto: true }), 'Triads formed from everyone connected.')}
        >
          Form triads automatically
        </button>
        <button
          type="button"
          className="button-secondary"
          aria-expanded={arranging}
          aria-controls={panelId}
          onClick={() => setArranging((a) => !a)}
        >
          Arrange groups by hand
        </button>
        {s.groups.length > 0 ? (
          <button
            type="button"
            className="button-secondary"
            disabled={back.pending}
            onClick={() => void back.run(() => send('groups.assign', { groups: [] }), 'Everyone is back in the main room.')}
          >
            Bring everyone back
          </button>
        ) : null}
      </div>
      <ActionResult action={auto} />
      <ActionResult action={back} />
      <div id={panelId}>{arranging ? <Arrange s={s} send={send} onDone={() => setArranging(false)} /> : null}</div>
    </div>
  );
}

/** Arrange edits groups by hand: each person gets a group, and their order in it sets the seats. */
function Arrange({ s, send, onDone }: { s: RoomState; send: Send; onDone: () => void }) {
  const trainees = s.participants.filter((p) => p.role === 'trainee');
  const [groups, setGroups] = useState<ParticipantId[][]>(() => {
    const gs = s.groups.map((g) => g.members.filter((id) => trainees.some((p) => p.id === id)));
    return gs.length > 0 ? gs : [[]];
  });
  const action = useAction();
  const placed = new Set(groups.flat());
  const unplaced = trainees.filter((p) => !placed.has(p.id));
  const name = (id: string) => participantName(s, id);

  function moveTo(id: ParticipantId, target: string) {
    setGroups((gs) => {
      const next = gs.map((g) => g.filter((x) => x !== id));
      if (target === 'new') next.push([id]);
      else if (target !== '') next[Number(target)]?.push(id);
      return next;
    });
  }

  function shift(gi: number, i: number, by: -1 | 1) {
    setGroups((gs) =>
      gs.map((g, j) => {
        if (j !== gi) return g;
        const k = i + by;
        if (k < 0 || k >= g.length) return g;
        const next = g.slice();
        [next[i], next[k]] = [next[k]!, next[i]!];
        return next;
      }),
    );
  }

  async function save() {
    const lists = groups.filter((g) => g.length > 0);
    const ok = await action.run(() => send('groups.assign', { groups: lists }), 'Groups saved.');
    if (ok) onDone();
  }

  const select = (id: ParticipantId, current: number | null) => (
    <select
      aria-label={`Group for ${name(id)}`}
      value={current === null ? '' : String(current)}
      onChange={(e) => moveTo(id, e.target.value)}
    >
      <option value="">Not in a group</option>
      {groups.map((_, gi) => (
        <option key={gi} value={String(gi)}>
          Group {gi + 1}
        </option>
      ))}
      <option value="new">A new group</option>
    </select>
  );

  return (
    <div className="room-arrange">
      <h3>Arrange groups by hand</h3>
      <p className="hint">
        In each group the first person is the speaker, the second the peer worker, and anyone else observes. A group
        of two works with you in the third seat. Use the buttons to change the order.
      </p>
      {groups.map((g, gi) => (
        <div key={gi} className="room-arrange-group" role="group" aria-label={`Group ${gi + 1}`}>
          <h4>Group {gi + 1}</h4>
          {g.length === 0 ? <p className="empty">Nobody yet.</p> : null}
          <ol>
            {g.map((id, i) => (
              <li key={id}>
                <span className="room-member-name">{name(id)}</span>
                <span className="room-seat">{seatName(i === 0 ? 'speaker' : i === 1 ? 'peer_worker' : 'observer')}</span>
                <span className="room-arrange-controls">
                  {select(id, gi)}
                  <button
                    type="button"
                    className="button-secondary button-small"
                    aria-disabled={i === 0 ? true : undefined}
                    onClick={() => shift(gi, i, -1)}
                    aria-label={`Up: move ${name(id)} earlier`}
                  >
                    Up
                  </button>
                  <button
                    type="button"
                    className="button-secondary button-small"
                    aria-disabled={i === g.length - 1 ? true : undefined}
                    onClick={() => shift(gi, i, 1)}
                    aria-label={`Down: move ${name(id)} later`}
                  >
                    Down
                  </button>
                </span>
              </li>
            ))}
          </ol>
        </div>
      ))}
      <div className="room-arrange-group" role="group" aria-label="Not in a group">
        <h4>Not in a group</h4>
        {unplaced.length === 0 ? <p className="empty">Everyone has a group.</p> : null}
        <ul>
          {unplaced.map((p) => (
            <li key={p.id}>
              <span className="room-member-name">{p.name}</span>
              <Presence connected={p.connected} />
              <span className="room-arrange-controls">{select(p.id, null)}</span>
            </li>
          ))}
        </ul>
      </div>
      <div className="room-actions">
        <button type="button" onClick={() => void save()} disabled={action.pending}>
          Save groups
        </button>
        <button type="button" className="button-secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
      <ActionResult action={action} />
    </div>
  );
}

// ---------------------------------------------------------------- rounds

function StartRound({
  s,
  send,
  practiceMinutes,
  feedbackMinutes,
}: {
  s: RoomState;
  send: Send;
  practiceMinutes: string;
  feedbackMinutes: string;
}) {
  const id = useId();
  const [cardId, setCardId] = useState(s.cards[0]?.id ?? '');
  const [practice, setPractice] = useState(practiceMinutes);
  const [feedback, setFeedback] = useState(feedbackMinutes);
  const [target, setTarget] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const action = useAction();
  const card = s.cards.find((c) => c.id === cardId);
  const idle = s.groups.filter((g) => !isActive(g.round?.phase));

  if (s.cards.length === 0) {
    return <p className="empty">This session has no scenario cards, so no round can start.</p>;
  }
  if (idle.length === 0) {
    return (
      <div className="room-start">
        <h3>Start a round</h3>
        <p className="hint">Every group is in a round. When a round finishes, you can start the next one here.</p>
      </div>
    );
  }

  async function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    const found: Record<string, string> = {};
    const p = Number(practice);
    const f = Number(feedback);
    if (!card) found.card = 'Choose a scenario card.';
    if (!Number.isInteger(p) || p < 1 || p > 60) found.practice = 'Give a whole number of minutes from 1 to 60.';
    if (!Number.isInteger(f) || f < 1 || f > 30) found.feedback = 'Give a whole number of minutes from 1 to 30.';
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    const data = { card_id: cardId, practice_seconds: p * 60, feedback_seconds: f * 60 };
    await action.run(
      () => send('round.start', target ? { ...data, group: target } : data),
      `Round started in ${target ? groupLabel(target) : 'every group'}.`,
    );
  }

  const err = (k: string) =>
    problems[k] ? (
      <FieldError id={`${id}-${k}-error`} error={problems[k]} />
    ) : null;

  return (
    <form className="room-start" onSubmit={onSubmit} noValidate aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>Start a round</h3>
      <div className={problems.card ? 'field field-invalid' : 'field'}>
        <label htmlFor={`${id}-card`}>Scenario card</label>
        {err('card')}
        <select
          id={`${id}-card`}
          value={cardId}
          onChange={(e) => setCardId(e.target.value)}
          aria-describedby={card?.content_warning ? `${id}-cw` : undefined}
        >
          {s.cards.map((c) => (
            <option key={c.id} value={c.id}>
              {c.title}
              {c.content_warning ? ` (content warning: ${c.content_warning})` : ''}
            </option>
          ))}
        </select>
        {card?.content_warning ? (
          <p className="room-cw" id={`${id}-cw`}>
            <strong>Content warning:</strong> {card.content_warning}
          </p>
        ) : null}
      </div>
      <div className="room-fields">
        <div className={problems.practice ? 'field field-invalid' : 'field'}>
          <label htmlFor={`${id}-practice`}>Practice minutes</label>
          {err('practice')}
          <input
            id={`${id}-practice`}
            type="number"
            inputMode="numeric"
            min={1}
            max={60}
            value={practice}
            onChange={(e) => setPractice(e.target.value)}
            aria-invalid={problems.practice ? true : undefined}
            aria-describedby={problems.practice ? `${id}-practice-error` : undefined}
          />
        </div>
        <div className={problems.feedback ? 'field field-invalid' : 'field'}>
          <label htmlFor={`${id}-feedback`}>Feedback minutes for each turn</label>
          {err('feedback')}
          <input
            id={`${id}-feedback`}
            type="number"
            inputMode="numeric"
            min={1}
            max={30}
            value={feedback}
            onChange={(e) => setFeedback(e.target.value)}
            aria-invalid={problems.feedback ? true : undefined}
            aria-describedby={problems.feedback ? `${id}-feedback-error` : undefined}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-target`}>Start it in</label>
          <select id={`${id}-target`} value={target} onChange={(e) => setTarget(e.target.value)}>
            <option value="">Every group</option>
            {s.groups.map((g) => (
              <option key={g.id} value={g.id}>
                {groupLabel(g.id)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="room-actions">
        <button type="submit" disabled={action.pending}>
          Start round
        </button>
      </div>
      <ActionResult action={action} />
    </form>
  );
}

/** RoundControls are pause, resume, extend, end and rotate, for one group or (group undefined) all. */
function RoundControls({ s, send, g }: { s: RoomState; send: Send; g?: GroupView }) {
  const action = useAction();
  const groups = g ? [g] : s.groups;
  const target = g ? { group: g.id } : {};
  const who = g ? groupLabel(g.id) : 'every group';
  const suffix = g ? ` ${groupLabel(g.id)}` : ' every group';
  const running = groups.some((x) => isActive(x.round?.phase) && !x.round?.paused);
  const paused = groups.some((x) => isActive(x.round?.phase) && x.round?.paused);
  const active = running || paused;
  const idle = groups.some((x) => !isActive(x.round?.phase));
  const run = (fn: () => Promise<void>, done: string) => void action.run(fn, done);

  return (
    <div className="room-round-controls">
      <div className="room-actions room-actions-tight">
        {running ? (
          <button type="button" className="button-secondary" disabled={action.pending} onClick={() => run(() => send('round.pause', target), `Paused ${who}.`)} aria-label={`Pause${suffix}`}>
            Pause
          </button>
        ) : null}
        {paused ? (
          <button type="button" disabled={action.pending} onClick={() => run(() => send('round.resume', target), `Resumed ${who}.`)} aria-label={`Resume${suffix}`}>
            Resume
          </button>
        ) : null}
        {active
          ? EXTEND_MINUTES.map((m) => (
              <button
                key={m}
                type="button"
                className="button-secondary"
                disabled={action.pending}
                onClick={() => run(() => send('round.extend', { ...target, seconds: m * 60 }), `Added ${m} ${m === 1 ? 'minute' : 'minutes'} for ${who}.`)}
                aria-label={`+${m} min for${suffix}`}
              >
                +{m} min
              </button>
            ))
          : null}
        {running ? (
          <button type="button" className="button-secondary" disabled={action.pending} onClick={() => run(() => send('round.advance', target), `Moved ${who} on to the next step.`)} aria-label={`Next step for${suffix}`}>
            Next step
          </button>
        ) : null}
        {active ? (
          <button type="button" className="button-secondary" disabled={action.pending} onClick={() => run(() => send('round.end', target), `Ended the round for ${who}.`)} aria-label={`End round in${suffix}`}>
            End round
          </button>
        ) : null}
        {idle && !active ? (
          <button type="button" className="button-secondary" disabled={action.pending} onClick={() => run(() => send('roles.rotate', target), `Roles rotated in ${who}.`)} aria-label={`Rotate roles in${suffix}`}>
            Rotate roles
          </button>
        ) : null}
      </div>
      <ActionResult action={action} />
    </div>
  );
}

function AllGroups({ s, send }: { s: RoomState; send: Send }) {
  return (
    <div className="room-all-groups">
      <h3>All groups at once</h3>
      <RoundControls s={s} send={send} />
    </div>
  );
}

// ---------------------------------------------------------------- one group

function trainersTurn(g: GroupView): boolean {
  const phase = g.round?.phase;
  if (!isActive(phase) || g.round?.paused) return false;
  const turn = turnSeat(phase);
  return turn === null || (turn !== undefined && g.trainer_seat === turn);
}

function GroupCard({
  s,
  g,
  send,
  now,
  onOpen,
  isOpen,
  signals,
}: {
  s: RoomState;
  g: GroupView;
  send: Send;
  now: number;
  onOpen: () => void;
  isOpen: boolean;
  signals: SignalItem[];
}) {
  const hands = useAction();
  const label = groupLabel(g.id);
  const round = g.round;
  const card = round ? s.cards.find((c) => c.id === round.card_id) : undefined;
  const turn = turnText(s, g);
  return (
    <li className={signals.length > 0 ? 'room-group room-group-alert' : 'room-group'}>
      <article aria-labelledby={`room-group-${g.id}`}>
        <h3 id={`room-group-${g.id}`}>{label}</h3>
        {card ? <p className="muted room-group-card">{card.title}</p> : null}
        <RoundClock round={round} now={now} />
        {turn ? <p className="room-turn">Feedback from {turn}.</p> : null}
        {trainersTurn(g) ? <p className="room-your-turn">Your turn to give feedback. Open the group to write it.</p> : null}
        {signals.length > 0 ? (
          <p className="room-group-signal">
            <strong>Pause asked for</strong> by {signals.map((x) => participantName(s, x.participant)).join(', ')}
          </p>
        ) : null}
        <ul className="room-members">
          {g.members.map((id) => {
            const p = s.participants.find((x) => x.id === id);
            return (
              <li key={id}>
                <span className="room-member-name">{participantName(s, id)}</span>
                <span className="room-seat">{seatName(g.seats[id])}</span>
                <Presence connected={p?.connected ?? false} />
                {p?.hand_raised ? (
                  <span className="room-hand">
                    Hand raised{' '}
                    <button
                      type="button"
                      className="button-secondary button-small"
                      disabled={hands.pending}
                      onClick={() => void hands.run(() => send('hand.lower', { participant: id }), `Lowered ${participantName(s, id)}'s hand.`)}
                      aria-label={`Lower ${participantName(s, id)}'s hand`}
                    >
                      Lower
                    </button>
                  </span>
                ) : null}
              </li>
            );
          })}
          {g.trainer_seat ? (
            <li>
              <span className="room-member-name">You</span>
              <span className="room-seat">{seatName(g.trainer_seat)}</span>
            </li>
          ) : null}
        </ul>
        <ActionResult action={hands} />
        {s.session === 'running' ? <RoundControls s={s} send={send} g={g} /> : null}
        <div className="room-actions room-actions-tight">
          <button
            type="button"
            id={`room-open-${g.id}`}
            className="button-secondary"
            onClick={onOpen}
            aria-pressed={isOpen}
            aria-label={`Open ${label}`}
          >
            Open
          </button>
        </div>
      </article>
    </li>
  );
}

/** GroupPanel is one group's view beside the console: its card, its feedback and its chat. */
function GroupPanel({
  s,
  g,
  send,
  now,
  onClose,
}: {
  s: RoomState;
  g: GroupView;
  send: Send;
  now: number;
  onClose: () => void;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  const label = groupLabel(g.id);
  const round = g.round;
  const card: CardView | undefined = round ? s.cards.find((c) => c.id === round.card_id) : undefined;
  const brief = s.trainerCards[g.id];
  const announcement = useRoundAnnouncement(round, now, label);
  const feedback = s.feedback.filter((f) => f.group === g.id && (!round || f.round === round.number));
  const mine = round ? feedback.some((f) => f.from === s.you?.id && f.phase === round.phase) : false;

  useEffect(() => {
    heading.current?.focus();
  }, []);

  return (
    <aside className="room-panel" aria-labelledby="room-panel-heading">
      <div className="room-panel-head">
        <h2 id="room-panel-heading" ref={heading} tabIndex={-1}>
          {label}
        </h2>
        <button type="button" className="button-secondary button-small" onClick={onClose} aria-label={`Close ${label}`}>
          Close
        </button>
      </div>
      <RoundClock round={round} now={now} />
      <LiveRegion role="status" className="visually-hidden">
        {announcement}
      </LiveRegion>
      {card ? (
        <section aria-labelledby="room-panel-card">
          <h3 id="room-panel-card">Scenario: {card.title}</h3>
          {card.content_warning ? (
            <p className="room-cw">
              <strong>Content warning:</strong> {card.content_warning}
            </p>
          ) : null}
          <p className="muted">Setting: {card.setting}</p>
          <p className="room-shared">{card.shared}</p>
        </section>
      ) : (
        <p className="empty">No round has started in this group yet.</p>
      )}
      {brief?.brief ? (
        <section className="room-brief" aria-labelledby="room-panel-brief">
          <h3 id="room-panel-brief">Your private brief as {seatName(brief.seat).toLowerCase()}</h3>
          <p className="room-brief-note">You play this seat in this group. Only you can see this.</p>
          {brief.role ? (
            <p>
              <strong>Your role:</strong> {brief.role}
            </p>
          ) : null}
          <p className="room-brief-text">{brief.brief}</p>
        </section>
      ) : null}
      {round && trainersTurn(g) && !mine ? (
        <FeedbackForm
          key={`${round.number}:${round.phase}`}
          criteria={round.phase === 'feedback.observer' ? criteriaOf(card) : []}
          heading={`Your feedback for ${label}`}
          intro="What did you notice? Name what went well, and one thing to try next time."
          submit={(scores, comment) => send('feedback.submit', scores ? { group: g.id, scores, comment } : { group: g.id, comment })}
        />
      ) : null}
      {mine ? <p className="done-line">Your feedback is in.</p> : null}
      <h3>Feedback in this round</h3>
      <FeedbackList s={s} feedback={feedback} card={card} empty="No feedback yet in this round." />
      <ChatPanel
        s={s}
        heading={`${label} chat`}
        headingLevel={3}
        channels={[
          {
            name: 'group',
            label: 'Group',
            audience: label,
            items: s.chat.filter((c) => c.channel === 'group' && c.group === g.id),
            send: (text) => send('chat', { text, group: g.id }),
          },
        ]}
      />
    </aside>
  );
}

// ---------------------------------------------------------------- people

function Unassigned({ s }: { s: RoomState }) {
  return (
    <Section title="Not in a group">
      {s.unassigned.length === 0 ? (
        <p className="empty">Everyone is in a group.</p>
      ) : (
        <ul className="room-members">
          {s.unassigned.map((id) => {
            const p = s.participants.find((x) => x.id === id);
            return (
              <li key={id}>
                <span className="room-member-name">{participantName(s, id)}</span>
                <Presence connected={p?.connected ?? false} />
              </li>
            );
          })}
        </ul>
      )}
    </Section>
  );
}

function Participants({ s }: { s: RoomState }) {
  const connected = s.participants.filter((p) => p.connected).length;
  return (
    <Section title="Everyone in this session">
      <table className="table room-people">
        <caption className="visually-hidden">
          Everyone in this session: {connected} of {s.participants.length} connected
        </caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Connection</th>
            <th scope="col">Hand</th>
          </tr>
        </thead>
        <tbody>
          {s.participants.map((p) => (
            <tr key={p.id}>
              <td data-label="Name">{p.id === s.you?.id ? `${p.name} (you)` : p.name}</td>
              <td data-label="Role">{p.role === 'trainer' ? 'Trainer' : 'Trainee'}</td>
              <td data-label="Connection">
                <Presence connected={p.connected} />
              </td>
              <td data-label="Hand">{p.hand_raised ? 'Raised' : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

function BroadcastForm({ send }: { send: Send }) {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState('');
  const action = useAction();

  async function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    const t = text.trim();
    if (!t) return setProblem('Write a message first.');
    if (charCount(t) > MAX_CHAT_CHARS) return setProblem(`Keep it to ${MAX_CHAT_CHARS.toLocaleString()} characters.`);
    setProblem('');
    if (await action.run(() => send('broadcast', { text: t }), 'Message sent to every group.')) setText('');
  }

  return (
    <Section title="Message to every group">
      <form onSubmit={onSubmit} noValidate>
        <FieldFrame
          label="Message"
          error={problem || undefined}
          hint={`Shown at the top of everyone's screen, e.g. "Two minutes left, then we come back together." Up to ${MAX_CHAT_CHARS.toLocaleString()} characters.`}
        >
          {(attrs) => <textarea {...attrs} rows={2} value={text} onChange={(e) => setText(e.target.value)} />}
        </FieldFrame>
        <div className="room-actions">
          <button type="submit" disabled={action.pending}>
            Send to every group
          </button>
        </div>
        <ActionResult action={action} />
      </form>
    </Section>
  );
}

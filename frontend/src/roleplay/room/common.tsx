// Pieces both room views use: words for seats and phases, the countdown, intent buttons with
// their errors, feedback and chat.
import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { FieldError } from '../../components/Field';
import { LiveRegion } from '../../components/LiveRegion';
import { formatTime } from '../../time';
import {
  MAX_CHAT_CHARS,
  MAX_COMMENT_CHARS,
  type CardView,
  type Criterion,
  type Feedback,
  type GroupView,
  type RoundPhase,
  type RoundView,
  type Seat,
} from './protocol';
import { IntentError } from './socket';
import { isActive, participantName, remainingMs, turnSeat, type ChatItem, type RoomState } from './state';

export const SEAT_NAMES: Record<Seat, string> = {
  speaker: 'Speaker',
  peer_worker: 'Peer worker',
  observer: 'Observer',
};

export function seatName(seat: Seat | undefined | null): string {
  return seat ? (SEAT_NAMES[seat] ?? seat) : '';
}

export const PHASE_NAMES: Record<RoundPhase, string> = {
  '': 'No round yet',
  practice: 'Practice',
  'feedback.observer': 'Feedback from the observer',
  'feedback.self': 'Self-review by the peer worker',
  'feedback.trainer': 'Feedback from the trainer',
  'feedback.speaker': 'Feedback from the speaker',
  done: 'Round finished',
};

export function phaseName(round: RoundView | undefined): string {
  return PHASE_NAMES[round?.phase ?? ''] ?? round?.phase ?? '';
}

/** groupLabel turns "g2" into "Group 2". */
export function groupLabel(id: string): string {
  const m = /^g(\d+)$/.exec(id);
  return m ? `Group ${m[1]}` : `Group ${id}`;
}

/** charCount counts characters as the server does (code points, not UTF-16 units). */
export function charCount(s: string): number {
  return Array.from(s).length;
}

export function messageOfIntent(err: unknown): string {
  if (err instanceof IntentError) return err.message;
  return 'Something went wrong. Please try again.';
}

/** clock shows milliseconds as m:ss. */
export function clock(ms: number): string {
  const total = Math.ceil(ms / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${m}:${String(s).padStart(2, '0')}`;
}

/** spokenTime says milliseconds in words for screen readers: "4 minutes 5 seconds". */
export function spokenTime(ms: number): string {
  const total = Math.ceil(ms / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  const parts: string[] = [];
  if (m > 0) parts.push(m === 1 ? '1 minute' : `${m} minutes`);
  if (s > 0 || m === 0) parts.push(s === 1 ? '1 second' : `${s} seconds`);
  return parts.join(' ');
}

/** useNow is the time, refreshed every second while mounted. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

/**
 * RoundClock shows the phase and the time left. It is not a live region: the time changes every
 * second, which would drown out everything else; phase changes are announced separately.
 */
export function RoundClock({ round, now }: { round: RoundView | undefined; now: number }) {
  if (!round || !isActive(round.phase)) {
    return <p className="room-clock">{phaseName(round)}</p>;
  }
  const left = remainingMs(round, now);
  return (
    <p className={round.paused ? 'room-clock room-clock-paused' : 'room-clock'}>
      <span className="room-clock-phase">{phaseName(round)}</span>
      <span className="room-clock-time">
        {round.paused ? <strong>Paused · </strong> : null}
        <span aria-hidden="true">{clock(left)}</span>
        <span className="visually-hidden">{spokenTime(left)}</span> left
      </span>
    </p>
  );
}

/**
 * useRoundAnnouncement gives the text for a polite live region: set when the phase changes, when
 * the round is paused or resumed, and once when a minute is left. Never every second.
 */
export function useRoundAnnouncement(round: RoundView | undefined, now: number, who = 'your group'): string {
  const [message, setMessage] = useState('');
  const key = round ? `${round.number}:${round.phase}:${round.paused}` : '';
  const lastKey = useRef(key);
  const warned = useRef('');
  const left = round ? remainingMs(round, now) : 0;

  useEffect(() => {
    if (key === lastKey.current || !round) return;
    lastKey.current = key;
    if (round.paused) setMessage(`The round is paused for ${who}.`);
    else if (round.phase === 'done') setMessage('The round has finished.');
    else if (isActive(round.phase)) setMessage(`Now: ${phaseName(round)}. ${spokenTime(remainingMs(round, Date.now()))} left.`);
    // Only the key matters: the time left is read when the phase changes, not followed.
  }, [key]);

  useEffect(() => {
    if (!round || round.paused || !isActive(round.phase) || warned.current === key) return;
    if (left > 0 && left <= 60_000) {
      warned.current = key;
      setMessage('One minute left in this part of the round.');
    }
  }, [round, left, key]);

  return message;
}

export type ActionState = { pending: boolean; error: string; done: string };

/**
 * useAction runs an intent and keeps what came of it (sending, an error, a confirmation) for the
 * control that sent it to show.
 */
export function useAction() {
  const [state, setState] = useState<ActionState>({ pending: false, error: '', done: '' });
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);
  const run = useCallback(async (fn: () => Promise<void>, done = ''): Promise<boolean> => {
    setState({ pending: true, error: '', done: '' });
    try {
      await fn();
      if (live.current) setState({ pending: false, error: '', done });
      return true;
    } catch (err) {
      if (live.current) setState({ pending: false, error: messageOfIntent(err), done: '' });
      return false;
    }
  }, []);
  const clear = useCallback(() => setState({ pending: false, error: '', done: '' }), []);
  return { ...state, run, clear };
}

/** ActionResult shows an action's error (as an alert) and its confirmation (politely). */
export function ActionResult({ action }: { action: ActionState }) {
  return (
    <>
      <LiveRegion role="alert" quiet className="room-error">
        {action.error}
      </LiveRegion>
      <LiveRegion role="status" quiet className="room-done">
        {action.done}
      </LiveRegion>
    </>
  );
}

// ---------------------------------------------------------------- whose turn

/** turnText says whose feedback a group's phase is for: "the observer (Cy)". */
export function turnText(s: RoomState, g: GroupView): string {
  const turn = turnSeat(g.round?.phase);
  if (turn === undefined) return '';
  if (turn === null) return 'the trainer';
  const names = g.members.filter((id) => g.seats[id] === turn).map((id) => participantName(s, id));
  if (g.trainer_seat === turn) names.push('the trainer');
  const seat = seatName(turn).toLowerCase();
  return names.length ? `the ${seat} (${names.join(' and ')})` : `the ${seat}`;
}

export function criteriaOf(card: CardView | undefined | null): Criterion[] {
  if (!card) return [];
  const list = card.criteria ?? [];
  // Keep the rubric's order; a criterion the server did not describe still gets a score.
  return card.rubric.map(
    (id) => list.find((c) => c.id === id) ?? { id, title: id, description: '', levels: ['', '', '', ''] },
  );
}

// ---------------------------------------------------------------- feedback

interface FeedbackFormProps {
  /** Criteria to score: the observer's rubric. Empty for comment-only feedback. */
  criteria: Criterion[];
  submit: (scores: Record<string, number> | undefined, comment: string) => Promise<void>;
  /** Who the feedback is for, in a heading: "Your feedback" or "Your feedback for Group 1". */
  heading: string;
  intro: string;
}

/** FeedbackForm asks the observer for a 1–4 score per criterion and a comment; others for a comment. */
export function FeedbackForm({ criteria, submit, heading, intro }: FeedbackFormProps) {
  const id = useId();
  const [scores, setScores] = useState<Record<string, number>>({});
  const [comment, setComment] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const action = useAction();
  const rubric = criteria.length > 0;

  async function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    const found: Record<string, string> = {};
    for (const c of criteria) if (!scores[c.id]) found[c.id] = `Choose a score for ${c.title}.`;
    if (!rubric && !comment.trim()) found.comment = 'Write a few words before sending.';
    if (charCount(comment) > MAX_COMMENT_CHARS) found.comment = `Keep it to ${MAX_COMMENT_CHARS.toLocaleString()} characters.`;
    setProblems(found);
    if (Object.keys(found).length > 0) {
      const first = Object.keys(found)[0];
      document.getElementById(`${id}-${first}`)?.focus();
      return;
    }
    await action.run(() => submit(rubric ? scores : undefined, comment.trim()), 'Feedback sent. Thank you.');
  }

  return (
    <form className="room-feedback-form" onSubmit={onSubmit} noValidate aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>{heading}</h3>
      <p className="hint">{intro}</p>
      {criteria.map((c) => (
        <fieldset
          key={c.id}
          className={problems[c.id] ? 'room-criterion field-invalid' : 'room-criterion'}
          aria-describedby={c.description ? `${id}-${c.id}-desc` : undefined}
        >
          <legend>{c.title}</legend>
          {c.description ? (
            <p className="hint" id={`${id}-${c.id}-desc`}>
              {c.description}
            </p>
          ) : null}
          {problems[c.id] ? (
            <p className="field-error">
              <span className="visually-hidden">Error:</span> {problems[c.id]}
            </p>
          ) : null}
          <div className="room-levels">
            {[1, 2, 3, 4].map((n) => {
              const inputId = `${id}-${c.id}-${n}`;
              return (
                <div className="room-level" key={n}>
                  <input
                    type="radio"
                    id={n === 1 ? `${id}-${c.id}` : inputId}
                    name={`${id}-${c.id}`}
                    value={n}
                    checked={scores[c.id] === n}
                    onChange={() => setScores((s) => ({ ...s, [c.id]: n }))}
                    aria-describedby={c.levels[n - 1] ? `${inputId}-anchor` : undefined}
                    aria-label={`Score ${n}`}
                  />
                  {/* The whole row is the label, so the anchor text is a target too; the
                      input's name stays "Score n" and the anchor is its description. */}
                  <label htmlFor={n === 1 ? `${id}-${c.id}` : inputId}>
                    <span className="room-level-n">{n}</span>
                    {c.levels[n - 1] ? (
                      <span className="room-anchor" id={`${inputId}-anchor`}>
                        {c.levels[n - 1]}
                      </span>
                    ) : null}
                  </label>
                </div>
              );
            })}
          </div>
        </fieldset>
      ))}
      <div className={problems.comment ? 'field field-invalid' : 'field'}>
        <label htmlFor={`${id}-comment`}>{rubric ? 'Comment (optional)' : 'Your feedback'}</label>
        <p className="hint" id={`${id}-comment-hint`}>
          What went well, and one thing to try next time. Up to {MAX_COMMENT_CHARS.toLocaleString()} characters.
        </p>
        {problems.comment ? (
          <FieldError id={`${id}-comment-error`} error={problems.comment} />
        ) : null}
        <textarea
          id={`${id}-comment`}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          aria-invalid={problems.comment ? true : undefined}
          aria-describedby={`${id}-comment-hint${problems.comment ? ` ${id}-comment-error` : ''}`}
          rows={4}
        />
      </div>
      <div className="room-actions">
        <button type="submit" disabled={action.pending}>
          {action.pending ? 'Sending…' : 'Send feedback'}
        </button>
      </div>
      <ActionResult action={action} />
    </form>
  );
}

/** FeedbackList shows the feedback given in a group's round, in the order it came. */
export function FeedbackList({
  s,
  feedback,
  card,
  empty,
}: {
  s: RoomState;
  feedback: Feedback[];
  card: CardView | null | undefined;
  empty: string;
}) {
  if (feedback.length === 0) return <p className="empty">{empty}</p>;
  const crit = criteriaOf(card);
  return (
    <ul className="room-feedback-list">
      {feedback.map((f) => (
        <li key={`${f.round}-${f.phase}-${f.from}`}>
          <p className="room-feedback-from">
            <strong>{participantName(s, f.from)}</strong>
            {f.seat ? ` · ${seatName(f.seat)}` : ' · Trainer'}
            <span className="muted"> · {formatTime(new Date(f.at))}</span>
          </p>
          {f.scores && Object.keys(f.scores).length > 0 ? (
            <dl className="room-scores">
              {Object.entries(f.scores).map(([cid, n]) => (
                <div key={cid}>
                  <dt>{crit.find((c) => c.id === cid)?.title ?? cid}</dt>
                  <dd>{n} of 4</dd>
                </div>
              ))}
            </dl>
          ) : null}
          {f.comment ? <p className="room-feedback-comment">{f.comment}</p> : null}
        </li>
      ))}
    </ul>
  );
}

// ---------------------------------------------------------------- chat

export interface ChatChannelProps {
  name: string;
  /** The tab's name: "Group" or "Everyone". */
  label: string;
  /** Who reads it, for the message box's label: "your group", "everyone". */
  audience: string;
  items: ChatItem[];
  send: (text: string) => Promise<void>;
}

/** ChatPanel is the chat, with a tab per channel when there is more than one. */
export function ChatPanel({
  s,
  channels,
  heading = 'Chat',
  headingLevel = 2,
}: {
  s: RoomState;
  channels: ChatChannelProps[];
  heading?: string;
  headingLevel?: 2 | 3;
}) {
  const id = useId();
  const [active, setActive] = useState(0);
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  const current = channels[Math.min(active, channels.length - 1)];
  const H = headingLevel === 2 ? 'h2' : 'h3';

  // Announce what others write, politely, wherever it was written.
  const me = s.you?.id;
  const all = channels.flatMap((c) => c.items.map((item) => ({ item, label: c.label })));
  const latest = all.filter((x) => x.item.from !== me).sort((a, b) => a.item.seq - b.item.seq).pop();
  const announcement = latest ? `${participantName(s, latest.item.from)} (${latest.label.toLowerCase()}): ${latest.item.text}` : '';

  function onKeyDown(e: KeyboardEvent<HTMLButtonElement>) {
    let next = -1;
    if (e.key === 'ArrowRight') next = (active + 1) % channels.length;
    else if (e.key === 'ArrowLeft') next = (active - 1 + channels.length) % channels.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = channels.length - 1;
    if (next < 0) return;
    e.preventDefault();
    setActive(next);
    tabs.current[next]?.focus();
  }

  if (!current) return null;
  return (
    <section className="room-chat" aria-labelledby={`${id}-heading`}>
      <H id={`${id}-heading`}>{heading}</H>
      {s.transcriptKept ? (
        <p className="hint">A transcript of this chat is being kept, as everyone agreed.</p>
      ) : (
        <p className="hint">This chat is not stored. It is gone when the session ends.</p>
      )}
      {channels.length > 1 ? (
        <div role="tablist" aria-label={heading} className="room-tabs">
          {channels.map((c, i) => (
            <button
              key={c.name}
              type="button"
              role="tab"
              id={`${id}-tab-${c.name}`}
              aria-selected={i === active}
              aria-controls={`${id}-panel-${c.name}`}
              tabIndex={i === active ? 0 : -1}
              className="room-tab"
              ref={(el) => {
                tabs.current[i] = el;
              }}
              onClick={() => setActive(i)}
              onKeyDown={onKeyDown}
            >
              {c.label}
            </button>
          ))}
        </div>
      ) : null}
      <div
        role={channels.length > 1 ? 'tabpanel' : undefined}
        id={`${id}-panel-${current.name}`}
        aria-labelledby={channels.length > 1 ? `${id}-tab-${current.name}` : undefined}
        className="room-chat-panel"
      >
        <ChatLog s={s} items={current.items} label={`Messages to ${current.audience}`} />
        <ChatForm key={current.name} audience={current.audience} send={current.send} />
      </div>
      <LiveRegion role="status" className="visually-hidden">
        {announcement ? `New message from ${announcement}` : ''}
      </LiveRegion>
    </section>
  );
}

function ChatLog({ s, items, label }: { s: RoomState; items: ChatItem[]; label: string }) {
  const end = useRef<HTMLLIElement>(null);
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'nearest' });
  }, [items.length]);
  if (items.length === 0) return <p className="empty">No messages yet.</p>;
  return (
    <ol className="room-chat-log" aria-label={label} tabIndex={0}>
      {items.map((m, i) => (
        <li key={m.seq} ref={i === items.length - 1 ? end : undefined}>
          <span className="room-chat-from">{m.from === s.you?.id ? 'You' : participantName(s, m.from)}</span>
          <span className="muted"> · {formatTime(new Date(m.at))}</span>
          <p>{m.text}</p>
        </li>
      ))}
    </ol>
  );
}

function ChatForm({ audience, send }: { audience: string; send: (text: string) => Promise<void> }) {
  const id = useId();
  const [text, setText] = useState('');
  const [problem, setProblem] = useState('');
  const action = useAction();
  const n = charCount(text);
  const over = n > MAX_CHAT_CHARS;

  async function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    const t = text.trim();
    if (!t) {
      setProblem('Write a message first.');
      return;
    }
    if (over) {
      setProblem(`Keep it to ${MAX_CHAT_CHARS.toLocaleString()} characters.`);
      return;
    }
    setProblem('');
    if (await action.run(() => send(t))) setText('');
  }

  return (
    <form className="room-chat-form" onSubmit={onSubmit} noValidate>
      <label htmlFor={`${id}-text`}>Message to {audience}</label>
      <p className="hint" id={`${id}-hint`}>
        Up to {MAX_CHAT_CHARS.toLocaleString()} characters.{' '}
        <span className={over ? 'room-over' : undefined}>
          {n.toLocaleString()} of {MAX_CHAT_CHARS.toLocaleString()} used.
        </span>
      </p>
      {problem ? (
        <FieldError id={`${id}-error`} error={problem} />
      ) : null}
      <textarea
        id={`${id}-text`}
        rows={2}
        value={text}
        onChange={(e) => setText(e.target.value)}
        aria-invalid={problem ? true : undefined}
        aria-describedby={`${id}-hint${problem ? ` ${id}-error` : ''}`}
      />
      <div className="room-actions">
        <button type="submit" disabled={action.pending}>
          {action.pending ? 'Sending…' : `Send to ${audience}`}
        </button>
      </div>
      <ActionResult action={action} />
    </form>
  );
}

/** Section is a titled block of the room. */
export function Section({
  title,
  children,
  className,
  level = 2,
}: {
  title: ReactNode;
  children: ReactNode;
  className?: string;
  level?: 2 | 3;
}) {
  const id = useId();
  const H = level === 2 ? 'h2' : 'h3';
  return (
    <section aria-labelledby={id} className={className ? `room-section ${className}` : 'room-section'}>
      <H id={id}>{title}</H>
      {children}
    </section>
  );
}

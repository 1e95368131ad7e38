// The room as this client knows it, and the pure reducer that applies the server's events to it.
import type {
  CardView,
  ChatChannel,
  Feedback,
  GroupId,
  GroupView,
  Participant,
  ParticipantId,
  PauseSignal,
  RoomEvent,
  RoundPhase,
  RoundView,
  Seat,
  SessionPhase,
  Snapshot,
  YouUpdate,
} from './protocol';

export interface ChatItem {
  seq: number;
  at: string;
  from: ParticipantId;
  group?: GroupId;
  channel: ChatChannel;
  text: string;
}

export interface BroadcastItem {
  seq: number;
  at: string;
  from: ParticipantId;
  text: string;
}

/** SignalItem is a pause signal; open until its group's round is resumed, restarted or ended. */
export interface SignalItem extends PauseSignal {
  seq: number;
  open: boolean;
}

export interface RoomState {
  /** The highest event seq seen; sent in hello on reconnect. */
  lastSeq: number;
  /** False until the first snapshot: until then nothing else is known. */
  ready: boolean;
  session: SessionPhase;
  startsAt: string;
  you: Participant | null;
  /** A trainee's own group and seat. */
  group?: GroupId;
  seat?: Seat;
  participants: Participant[];
  groups: GroupView[];
  unassigned: ParticipantId[];
  /** A trainee's card for the current round, with only their own seat's brief. */
  card: CardView | null;
  /** A trainer's view of every card of the session (no briefs). */
  cards: CardView[];
  /** A trainer's briefs for the seat they play in a pair, per group. */
  trainerCards: Record<GroupId, CardView>;
  /** Feedback of each group's current round. */
  feedback: Feedback[];
  signals: SignalItem[];
  chat: ChatItem[];
  broadcasts: BroadcastItem[];
  transcriptAllowed: boolean;
  transcriptKept: boolean;
}

/** Chat is not part of a snapshot (it is not stored), so only this much is kept in the page. */
export const MAX_CHAT_ITEMS = 500;

export const initialState: RoomState = {
  lastSeq: 0,
  ready: false,
  session: 'scheduled',
  startsAt: '',
  you: null,
  participants: [],
  groups: [],
  unassigned: [],
  card: null,
  cards: [],
  trainerCards: {},
  feedback: [],
  signals: [],
  chat: [],
  broadcasts: [],
  transcriptAllowed: false,
  transcriptKept: false,
};

export function isActive(phase: RoundPhase | undefined): boolean {
  return phase !== undefined && phase !== '' && phase !== 'done';
}

/** signalOpen guesses, from a snapshot, whether a pause signal is still waiting for the trainer. */
function signalOpen(s: PauseSignal, groups: GroupView[]): boolean {
  const g = groups.find((x) => x.id === s.group);
  if (!g) return false;
  const round = g.round;
  if (!round) return true;
  if (Date.parse(s.at) < Date.parse(round.started_at)) return false;
  return round.paused || !isActive(round.phase);
}

function fromSnapshot(prev: RoomState, seq: number, s: Snapshot): RoomState {
  const groups = s.groups ?? [];
  return {
    lastSeq: seq,
    ready: true,
    session: s.session,
    startsAt: s.starts_at,
    you: s.you,
    group: s.group || undefined,
    seat: s.seat || undefined,
    participants: s.participants ?? [],
    groups,
    unassigned: s.unassigned ?? [],
    card: s.card ?? null,
    cards: s.cards ?? [],
    trainerCards: s.trainer_cards ?? {},
    feedback: s.feedback ?? [],
    signals: (s.pause_signals ?? []).map((p) => ({ ...p, seq: 0, open: signalOpen(p, groups) })),
    // Chat and broadcasts are not in a snapshot: keep what this page has seen, so a phase change
    // (which arrives as a snapshot) does not wipe the conversation.
    chat: prev.chat,
    broadcasts: prev.broadcasts,
    transcriptAllowed: s.transcript_allowed ?? false,
    transcriptKept: s.transcript_kept ?? false,
  };
}

function upsertParticipant(list: Participant[], p: Participant): Participant[] {
  const i = list.findIndex((x) => x.id === p.id);
  if (i < 0) return [...list, p];
  const next = list.slice();
  next[i] = p;
  return next;
}

function replaceGroup(groups: GroupView[], g: GroupView): GroupView[] {
  const i = groups.findIndex((x) => x.id === g.id);
  if (i < 0) return [...groups, g];
  const next = groups.slice();
  next[i] = g;
  return next;
}

function setRound(groups: GroupView[], id: GroupId, round: RoundView): GroupView[] {
  return groups.map((g) => (g.id === id ? { ...g, round } : g));
}

function closeSignals(signals: SignalItem[], group?: GroupId): SignalItem[] {
  if (!signals.some((s) => s.open && (group === undefined || s.group === group))) return signals;
  return signals.map((s) => (s.open && (group === undefined || s.group === group) ? { ...s, open: false } : s));
}

function isTrainer(s: RoomState): boolean {
  return s.you?.role === 'trainer';
}

/**
 * applyYou updates the private view from an event's `you`. Without one (an older server), a
 * trainee's group and seat are worked out from the groups, and a brief that may belong to another
 * seat is dropped rather than shown.
 */
function applyYou(
  s: RoomState,
  you: YouUpdate | undefined,
  kind: 'assigned' | 'round' | 'rotated',
  eventGroup?: GroupId,
): RoomState {
  if (isTrainer(s)) {
    // A trainer's `you` holds every brief they need as the room stands now.
    if (you || kind === 'assigned') return { ...s, trainerCards: { ...(you?.trainer_cards ?? {}) } };
    const cards = { ...s.trainerCards };
    if (eventGroup !== undefined) delete cards[eventGroup];
    return { ...s, trainerCards: cards };
  }
  if (you) {
    return { ...s, group: you.group || undefined, seat: you.seat || undefined, card: you.card ?? null };
  }
  const me = s.you?.id;
  if (!me) return s;
  const g = s.groups.find((x) => x.members.includes(me));
  if (kind === 'round' && eventGroup !== s.group) return s;
  const seat = g?.seats[me];
  let card: CardView | null = null;
  if (kind === 'rotated' && s.card) card = { ...s.card, seat, role: undefined, brief: undefined };
  if (kind === 'round' && s.card && g?.round?.card_id === s.card.id && s.card.seat === seat) card = s.card;
  return { ...s, group: g?.id, seat, card };
}

/**
 * reduce applies one logged event to the state. An event at or below the last seq seen is a
 * duplicate (a replay overlapping what arrived) and is ignored. A snapshot always replaces the
 * state and its seq becomes the last seen, even a lower one: the server sends one only when
 * replaying cannot be trusted (say, it no longer has the events a client asked for), and ignoring
 * it would leave the page deaf to everything after.
 */
export function reduce(s: RoomState, e: RoomEvent): RoomState {
  if (e.type === 'snapshot') return fromSnapshot(s, Math.max(e.seq, e.data.seq ?? 0), e.data);
  if (e.seq <= s.lastSeq) return s;
  const next = apply({ ...s, lastSeq: e.seq }, e);
  return next;
}

function apply(s: RoomState, e: Exclude<RoomEvent, { type: 'snapshot' }>): RoomState {
  switch (e.type) {
    case 'participant.joined':
    case 'participant.left': {
      const p = e.data.participant;
      return {
        ...s,
        participants: upsertParticipant(s.participants, p),
        you: s.you && s.you.id === p.id ? { ...s.you, ...p } : s.you,
      };
    }
    case 'hand.raised': {
      const { participant, raised } = e.data;
      return {
        ...s,
        participants: s.participants.map((p) => (p.id === participant ? { ...p, hand_raised: raised } : p)),
        you: s.you && s.you.id === participant ? { ...s.you, hand_raised: raised } : s.you,
      };
    }
    case 'groups.assigned': {
      const { you, ...rest } = e.data;
      const next: RoomState = {
        ...s,
        groups: rest.groups ?? [],
        unassigned: rest.unassigned ?? [],
        // New groups start without a round, so no round's feedback or pause carries over.
        feedback: [],
        signals: closeSignals(s.signals),
      };
      return applyYou(next, you, 'assigned');
    }
    case 'round.started': {
      const { group, round, you } = e.data;
      const next: RoomState = {
        ...s,
        groups: setRound(s.groups, group, round),
        feedback: s.feedback.filter((f) => f.group !== group || f.round === round.number),
        signals: closeSignals(s.signals, group),
      };
      return applyYou(next, you, 'round', group);
    }
    case 'round.phase': {
      const { group, round } = e.data;
      // A round.phase that is not paused follows a resume (or a phase moving on while running):
      // the group is going again, so its pause signals have been dealt with.
      return {
        ...s,
        groups: setRound(s.groups, group, round),
        signals: round.paused ? s.signals : closeSignals(s.signals, group),
      };
    }
    case 'round.paused':
      return { ...s, groups: setRound(s.groups, e.data.group, e.data.round) };
    case 'round.ended':
      return {
        ...s,
        groups: setRound(s.groups, e.data.group, e.data.round),
        signals: closeSignals(s.signals, e.data.group),
      };
    case 'roles.rotated': {
      const { you, ...view } = e.data;
      const next: RoomState = { ...s, groups: replaceGroup(s.groups, view) };
      return applyYou(next, you, 'rotated', view.id);
    }
    case 'chat': {
      const d = e.data;
      const item: ChatItem = {
        seq: e.seq,
        at: e.at,
        from: d.from,
        group: d.group || undefined,
        channel: d.channel ?? (d.group ? 'group' : 'session'),
        text: d.text,
      };
      return { ...s, chat: [...s.chat, item].slice(-MAX_CHAT_ITEMS) };
    }
    case 'broadcast':
      return {
        ...s,
        broadcasts: [...s.broadcasts, { seq: e.seq, at: e.at, from: e.data.from, text: e.data.text }].slice(
          -MAX_CHAT_ITEMS,
        ),
      };
    case 'pause_signal':
      return { ...s, signals: [...s.signals, { ...e.data, seq: e.seq, open: true }] };
    case 'feedback.submitted': {
      const f = e.data;
      const dup = s.feedback.some(
        (x) => x.group === f.group && x.round === f.round && x.phase === f.phase && x.from === f.from,
      );
      return dup ? s : { ...s, feedback: [...s.feedback, f] };
    }
    case 'session.ended':
      return { ...s, session: e.data.phase };
  }
  return s;
}

// ---------------------------------------------------------------- reading the state

/** myGroup is a trainee's own group, or undefined. */
export function myGroup(s: RoomState): GroupView | undefined {
  if (!s.group) return undefined;
  return s.groups.find((g) => g.id === s.group);
}

export function participantName(s: RoomState, id: ParticipantId): string {
  return s.participants.find((p) => p.id === id)?.name ?? (s.you?.id === id ? s.you.name : 'Someone');
}

/** turnSeat is the seat whose feedback a phase collects; null is the trainer's turn. */
export function turnSeat(phase: RoundPhase | undefined): Seat | null | undefined {
  switch (phase) {
    case 'feedback.observer':
      return 'observer';
    case 'feedback.self':
      return 'peer_worker';
    case 'feedback.speaker':
      return 'speaker';
    case 'feedback.trainer':
      return null;
  }
  return undefined;
}

/** remainingMs is what is left of a round's phase at now. */
export function remainingMs(round: RoundView, now: number): number {
  if (round.paused) return Math.max(0, round.remaining_ms ?? 0);
  return Math.max(0, Date.parse(round.ends_at) - now);
}

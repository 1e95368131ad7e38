// The live role-play room's WebSocket protocol, mirroring server/rooms/protocol.go and
// server/rooms/room.go (docs/roleplay-protocol.md). Times are RFC 3339 strings.

export type ParticipantId = string;
export type GroupId = string;

export type Role = 'trainer' | 'trainee';
export type Seat = 'speaker' | 'peer_worker' | 'observer';
export type SessionPhase = 'scheduled' | 'lobby' | 'running' | 'debrief' | 'ended';
export type RoundPhase =
  | ''
  | 'practice'
  | 'feedback.observer'
  | 'feedback.self'
  | 'feedback.trainer'
  | 'feedback.speaker'
  | 'done';

export type ChatChannel = 'group' | 'session';

// ---------------------------------------------------------------- shared shapes

export interface Participant {
  id: ParticipantId;
  name: string;
  role: Role;
  connected: boolean;
  hand_raised: boolean;
}

/** RoundView: while paused, ends_at is stale and remaining_ms counts. */
export interface RoundView {
  number: number;
  card_id: string;
  phase: RoundPhase;
  started_at: string;
  ends_at: string;
  paused: boolean;
  remaining_ms?: number;
}

export interface GroupView {
  id: GroupId;
  /** In seat order at the group's forming: the first is the speaker, the second the peer worker. */
  members: ParticipantId[];
  seats: Record<ParticipantId, Seat>;
  /** The seat the trainer plays in a group of fewer than three. */
  trainer_seat?: Seat;
  round?: RoundView;
}

export interface Criterion {
  id: string;
  title: string;
  description: string;
  /** Behavioural anchors for scores 1 to 4. */
  levels: string[];
}

/** CardView is what one participant may see of a scenario card: the brief only for their own seat. */
export interface CardView {
  id: string;
  title: string;
  setting: string;
  content_warning?: string;
  shared: string;
  rubric: string[];
  criteria?: Criterion[];
  seat?: Seat;
  role?: string;
  brief?: string;
}

export interface Feedback {
  group: GroupId;
  round: number;
  phase: RoundPhase;
  from: ParticipantId;
  /** Empty for a trainer who holds no seat. */
  seat?: Seat;
  scores?: Record<string, number>;
  comment: string;
  at: string;
}

export interface PauseSignal {
  participant: ParticipantId;
  group: GroupId;
  reason?: string;
  at: string;
}

export interface Snapshot {
  seq: number;
  session: SessionPhase;
  starts_at: string;
  you: Participant;
  group?: GroupId;
  seat?: Seat;
  participants: Participant[] | null;
  groups: GroupView[] | null;
  unassigned?: ParticipantId[] | null;
  /** A trainee's card for their group's round, with their own seat's brief. */
  card?: CardView | null;
  feedback: Feedback[] | null;
  pause_signals?: PauseSignal[] | null;
  transcript_allowed?: boolean;
  transcript_kept?: boolean;
  /** For trainers: every card of the session, without briefs. */
  cards?: CardView[] | null;
  /** For trainers: per group, the card with the brief of the seat the trainer plays in a pair. */
  trainer_cards?: Record<GroupId, CardView> | null;
}

/** You is the private part of groups.assigned, round.started and roles.rotated. */
export interface YouUpdate {
  group?: GroupId;
  seat?: Seat;
  card?: CardView | null;
  trainer_cards?: Record<GroupId, CardView> | null;
}

// ---------------------------------------------------------------- events (server → client)

export interface ParticipantEvent {
  participant: Participant;
}

export interface GroupsEvent {
  groups: GroupView[] | null;
  unassigned: ParticipantId[] | null;
  you?: YouUpdate;
}

export interface RoundEvent {
  group: GroupId;
  round: RoundView;
  you?: YouUpdate;
}

export interface RolesRotatedEvent extends GroupView {
  you?: YouUpdate;
}

export interface ChatEvent {
  from: ParticipantId;
  group?: GroupId;
  channel?: ChatChannel;
  text: string;
}

export interface HandEvent {
  participant: ParticipantId;
  raised: boolean;
}

export interface BroadcastEvent {
  from: ParticipantId;
  text: string;
}

export interface SessionEvent {
  phase: SessionPhase;
}

export interface AckData {
  req_id: string;
}

export interface ErrorData {
  req_id?: string;
  code: string;
  message: string;
}

export interface EventDataMap {
  snapshot: Snapshot;
  'participant.joined': ParticipantEvent;
  'participant.left': ParticipantEvent;
  'groups.assigned': GroupsEvent;
  'round.started': RoundEvent;
  'round.phase': RoundEvent;
  'round.paused': RoundEvent;
  'round.ended': RoundEvent;
  'roles.rotated': RolesRotatedEvent;
  chat: ChatEvent;
  'hand.raised': HandEvent;
  pause_signal: PauseSignal;
  broadcast: BroadcastEvent;
  'feedback.submitted': Feedback;
  'session.ended': SessionEvent;
  ack: AckData;
  error: ErrorData;
}

export type EventType = keyof EventDataMap;

/** Envelope is every server message. Ack and error are replies outside the log, with seq 0. */
export type Envelope = {
  [T in EventType]: { type: T; seq: number; at: string; data: EventDataMap[T] };
}[EventType];

/** RoomEvent is a logged event: everything but ack and error. */
export type RoomEvent = Exclude<Envelope, { type: 'ack' } | { type: 'error' }>;

// ---------------------------------------------------------------- intents (client → server)

export interface HelloData {
  last_seq: number;
  transcript_consent?: boolean;
}

export interface ChatData {
  text: string;
  group?: GroupId;
  channel?: ChatChannel;
}

export type HandRaiseData = Record<string, never>;

export interface HandLowerData {
  participant?: ParticipantId;
}

export interface PauseSignalData {
  reason?: string;
}

export interface FeedbackSubmitData {
  group?: GroupId;
  scores?: Record<string, number>;
  comment: string;
}

export interface GroupsAssignData {
  auto?: boolean;
  groups?: ParticipantId[][];
}

export interface RoundStartData {
  group?: GroupId;
  card_id: string;
  practice_seconds: number;
  feedback_seconds: number;
}

export interface RoundTargetData {
  group?: GroupId;
}

export interface RoundExtendData {
  group?: GroupId;
  seconds: number;
}

export interface BroadcastData {
  text: string;
}

export type SessionEndData = Record<string, never>;

export interface IntentDataMap {
  hello: HelloData;
  chat: ChatData;
  'hand.raise': HandRaiseData;
  'hand.lower': HandLowerData;
  pause_signal: PauseSignalData;
  'feedback.submit': FeedbackSubmitData;
  'groups.assign': GroupsAssignData;
  'round.start': RoundStartData;
  'round.pause': RoundTargetData;
  'round.resume': RoundTargetData;
  'round.extend': RoundExtendData;
  'round.end': RoundTargetData;
  'round.advance': RoundTargetData;
  'roles.rotate': RoundTargetData;
  broadcast: BroadcastData;
  'session.end': SessionEndData;
  'session.start': SessionEndData;
}

export type IntentType = keyof IntentDataMap;

export interface IntentMessage<T extends IntentType = IntentType> {
  type: T;
  req_id: string;
  data: IntentDataMap[T];
}

/** Limits the server enforces on free text, in characters (code points). */
export const MAX_CHAT_CHARS = 2000;
export const MAX_COMMENT_CHARS = 4000;
export const MAX_REASON_CHARS = 500;

/** Close codes the server uses. */
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_POLICY = 1008;
export const CLOSE_NOT_SIGNED_IN = 4001;
export const CLOSE_FORBIDDEN = 4003;
export const CLOSE_NOT_FOUND = 4004;

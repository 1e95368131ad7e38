// Test data for the room: a session of a trainer and three trainees, and builders for events.
import type {
  CardView,
  Criterion,
  Envelope,
  EventDataMap,
  EventType,
  GroupView,
  Participant,
  RoundView,
  Snapshot,
} from './protocol';

export const AT = '2026-11-24T10:00:00Z';

export const trainer: Participant = { id: 't1', name: 'Tess Trainer', role: 'trainer', connected: true, hand_raised: false };
export const ana: Participant = { id: 'p1', name: 'Ana Speaker', role: 'trainee', connected: true, hand_raised: false };
export const ben: Participant = { id: 'p2', name: 'Ben Peer', role: 'trainee', connected: true, hand_raised: false };
export const cy: Participant = { id: 'p3', name: 'Cy Observer', role: 'trainee', connected: true, hand_raised: false };
export const dee: Participant = { id: 'p4', name: 'Dee Late', role: 'trainee', connected: false, hand_raised: false };

export const criteria: Criterion[] = [
  {
    id: 'listening',
    title: 'Listening',
    description: 'Gives the speaker room to talk and shows they heard.',
    levels: ['Talks over the speaker.', 'Listens in part.', 'Listens and reflects back.', 'Reflects feeling and meaning.'],
  },
  {
    id: 'boundaries',
    title: 'Boundaries',
    description: 'Keeps the conversation safe for both people.',
    levels: ['Crosses a boundary.', 'Holds some limits.', 'Holds limits kindly.', 'Names limits with warmth.'],
  },
];

export const sharedCard: CardView = {
  id: 'c1',
  title: 'A hard week',
  setting: 'A drop-in centre',
  content_warning: 'Mentions drug use and a recent overdose.',
  shared: 'Someone you have met twice asks to talk after a group.',
  rubric: ['listening', 'boundaries'],
  criteria,
};

export const briefs = {
  speaker: 'SPEAKER-BRIEF: you have had a very hard week and want someone to listen.',
  peer_worker: 'PEER-BRIEF: listen first; you may share a little of your story if it helps.',
  observer: 'OBSERVER-BRIEF: watch for reflective listening and boundaries.',
};

export const roles = { speaker: 'Jo, a visitor', peer_worker: 'Peer worker on shift', observer: 'Observer' };

export function cardFor(seat: 'speaker' | 'peer_worker' | 'observer'): CardView {
  return { ...sharedCard, seat, role: roles[seat], brief: briefs[seat] };
}

export const card2: CardView = {
  id: 'c2',
  title: 'Saying no kindly',
  setting: 'A phone call',
  shared: 'A person you support asks for your personal number.',
  rubric: ['boundaries'],
  criteria: [criteria[1]!],
};

export function round(overrides: Partial<RoundView> = {}): RoundView {
  return {
    number: 1,
    card_id: 'c1',
    phase: 'practice',
    started_at: AT,
    ends_at: '2026-11-24T10:10:00Z',
    paused: false,
    ...overrides,
  };
}

export function group(overrides: Partial<GroupView> = {}): GroupView {
  return {
    id: 'g1',
    members: ['p1', 'p2', 'p3'],
    seats: { p1: 'speaker', p2: 'peer_worker', p3: 'observer' },
    ...overrides,
  };
}

export function traineeSnapshot(you: Participant, overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    seq: 10,
    session: 'running',
    starts_at: AT,
    you,
    participants: [trainer, ana, ben, cy, dee],
    groups: [],
    feedback: [],
    transcript_allowed: false,
    transcript_kept: false,
    ...overrides,
  };
}

export function trainerSnapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    seq: 10,
    session: 'running',
    starts_at: AT,
    you: trainer,
    participants: [trainer, ana, ben, cy, dee],
    groups: [],
    unassigned: ['p1', 'p2', 'p3', 'p4'],
    feedback: [],
    pause_signals: [],
    cards: [
      { id: sharedCard.id, title: sharedCard.title, setting: sharedCard.setting, content_warning: sharedCard.content_warning, shared: sharedCard.shared, rubric: sharedCard.rubric, criteria },
      card2,
    ],
    trainer_cards: {},
    transcript_allowed: false,
    transcript_kept: false,
    ...overrides,
  };
}

/** ev builds an event envelope. */
export function ev<T extends EventType>(type: T, seq: number, data: EventDataMap[T], at = AT): Envelope {
  return { type, seq, at, data } as Envelope;
}

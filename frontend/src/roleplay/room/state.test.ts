import { describe, expect, it } from 'vitest';
import {
  AT,
  ana,
  ben,
  cardFor,
  cy,
  dee,
  ev,
  group,
  round,
  sharedCard,
  trainer,
  traineeSnapshot,
  trainerSnapshot,
} from './fixtures';
import type { Envelope, RoomEvent } from './protocol';
import { initialState, MAX_CHAT_ITEMS, reduce, remainingMs, turnSeat, type RoomState } from './state';

function run(...events: Envelope[]): RoomState {
  return events.reduce((s, e) => reduce(s, e as RoomEvent), initialState);
}

const anaInGroup = ev(
  'snapshot',
  10,
  traineeSnapshot(ana, {
    group: 'g1',
    seat: 'speaker',
    groups: [group({ round: round() })],
    card: cardFor('speaker'),
  }),
);

const trainerStart = ev(
  'snapshot',
  10,
  trainerSnapshot({ groups: [group({ round: round() })], unassigned: ['p4'] }),
);

describe('reduce', () => {
  it('takes everything from the first snapshot', () => {
    const s = run(anaInGroup);
    const checks: [string, unknown, unknown][] = [
      ['ready', s.ready, true],
      ['lastSeq', s.lastSeq, 10],
      ['session', s.session, 'running'],
      ['you', s.you?.id, 'p1'],
      ['group', s.group, 'g1'],
      ['seat', s.seat, 'speaker'],
      ['brief', s.card?.brief, cardFor('speaker').brief],
      ['participants', s.participants.length, 5],
      ['groups', s.groups.length, 1],
    ];
    for (const [name, got, want] of checks) expect(got, `${name}: got ${String(got)}, want ${String(want)}`).toEqual(want);
  });

  it('uses the larger of the envelope seq and the snapshot seq', () => {
    const s = run(ev('snapshot', 0, traineeSnapshot(ana, { seq: 42 })));
    expect(s.lastSeq).toBe(42);
  });

  it('replaces the whole state with a later snapshot but keeps the chat seen so far', () => {
    const s = run(
      anaInGroup,
      ev('chat', 11, { from: 'p2', group: 'g1', channel: 'group', text: 'hello' }),
      ev('hand.raised', 12, { participant: 'p1', raised: true }),
      ev('snapshot', 13, traineeSnapshot(ana, { session: 'debrief', groups: [] })),
    );
    expect(s.session).toBe('debrief');
    expect(s.group).toBeUndefined();
    expect(s.card).toBeNull();
    expect(s.lastSeq).toBe(13);
    expect(s.chat.map((c) => c.text)).toEqual(['hello']);
    expect(s.you?.hand_raised).toBe(false);
  });

  it('follows a snapshot even when its seq is lower than the last seen', () => {
    const s0 = run(anaInGroup, ev('hand.raised', 11, { participant: 'p1', raised: true }));
    const s1 = reduce(s0, ev('snapshot', 5, traineeSnapshot(ana, { seq: 5, session: 'lobby' })) as RoomEvent);
    expect([s1.session, s1.lastSeq, s1.you?.hand_raised]).toEqual(['lobby', 5, false]);
    // Events after it apply again.
    const s2 = reduce(s1, ev('hand.raised', 6, { participant: 'p1', raised: true }) as RoomEvent);
    expect(s2.you?.hand_raised).toBe(true);
  });

  it('ignores duplicates: any event at or below the last seq', () => {
    const events: Envelope[] = [
      ev('participant.left', 10, { participant: { ...ben, connected: false } }),
      ev('participant.joined', 9, { participant: { ...dee, connected: true } }),
      ev('hand.raised', 3, { participant: 'p1', raised: true }),
      ev('chat', 10, { from: 'p2', text: 'again', channel: 'session' }),
      ev('round.paused', 1, { group: 'g1', round: round({ paused: true, remaining_ms: 1000 }) }),
      ev('feedback.submitted', 10, { group: 'g1', round: 1, phase: 'feedback.observer', from: 'p3', comment: 'x', at: AT }),
      ev('session.ended', 2, { phase: 'ended' }),
      ev('pause_signal', 7, { participant: 'p2', group: 'g1', at: AT }),
      ev('broadcast', 10, { from: 't1', text: 'old' }),
    ];
    const s0 = run(anaInGroup);
    for (const e of events) {
      expect(reduce(s0, e as RoomEvent), `${e.type} seq ${e.seq}`).toBe(s0);
    }
  });

  it('applies the same event only once when a replay overlaps', () => {
    const chat = ev('chat', 11, { from: 'p2', group: 'g1', channel: 'group', text: 'once' });
    const s = run(anaInGroup, chat, chat, ev('chat', 12, { from: 'p3', group: 'g1', channel: 'group', text: 'twice' }), chat);
    expect(s.chat.map((c) => c.text)).toEqual(['once', 'twice']);
    expect(s.lastSeq).toBe(12);
  });

  it('marks people joining and leaving', () => {
    const s = run(
      anaInGroup,
      ev('participant.joined', 11, { participant: { ...dee, connected: true } }),
      ev('participant.left', 12, { participant: { ...ben, connected: false } }),
      ev('participant.joined', 13, { participant: { id: 'p9', name: 'New Person', role: 'trainee', connected: true, hand_raised: false } }),
    );
    const connected = Object.fromEntries(s.participants.map((p) => [p.id, p.connected]));
    expect(connected).toEqual({ t1: true, p1: true, p2: false, p3: true, p4: true, p9: true });
  });

  it('raises and lowers hands, including your own', () => {
    const cases: { events: Envelope[]; want: Record<string, boolean>; you: boolean }[] = [
      { events: [ev('hand.raised', 11, { participant: 'p1', raised: true })], want: { p1: true, p2: false }, you: true },
      {
        events: [ev('hand.raised', 11, { participant: 'p1', raised: true }), ev('hand.raised', 12, { participant: 'p1', raised: false })],
        want: { p1: false, p2: false },
        you: false,
      },
      { events: [ev('hand.raised', 11, { participant: 'p2', raised: true })], want: { p1: false, p2: true }, you: false },
    ];
    for (const c of cases) {
      const s = run(anaInGroup, ...c.events);
      const got = { p1: s.participants.find((p) => p.id === 'p1')?.hand_raised, p2: s.participants.find((p) => p.id === 'p2')?.hand_raised };
      expect(got).toEqual(c.want);
      expect(s.you?.hand_raised).toBe(c.you);
    }
  });

  it('takes a trainee’s new group, seat and card from groups.assigned', () => {
    const s = run(
      ev('snapshot', 10, traineeSnapshot(cy)),
      ev('groups.assigned', 11, {
        groups: [group()],
        unassigned: ['p4'],
        you: { group: 'g1', seat: 'observer' },
      }),
    );
    expect([s.group, s.seat, s.card, s.unassigned]).toEqual(['g1', 'observer', null, ['p4']]);
  });

  it('takes a trainee out of their group when `you` has no group', () => {
    const s = run(anaInGroup, ev('groups.assigned', 11, { groups: [], unassigned: ['p1', 'p2', 'p3'], you: {} }));
    expect([s.group, s.seat, s.card]).toEqual([undefined, undefined, null]);
    expect(s.feedback).toEqual([]);
  });

  it('works out the group and seat from the groups when `you` is missing', () => {
    const s = run(ev('snapshot', 10, traineeSnapshot(ben)), ev('groups.assigned', 11, { groups: [group()], unassigned: [] }));
    expect([s.group, s.seat]).toEqual(['g1', 'peer_worker']);
  });

  it('gives a trainee the card with their own brief when a round starts', () => {
    const s = run(
      ev('snapshot', 10, traineeSnapshot(cy, { group: 'g1', seat: 'observer', groups: [group()] })),
      ev('round.started', 11, { group: 'g1', round: round(), you: { group: 'g1', seat: 'observer', card: cardFor('observer') } }),
    );
    expect(s.card?.brief).toBe(cardFor('observer').brief);
    expect(s.groups[0]?.round?.phase).toBe('practice');
  });

  it('moves to the new seat and card when roles rotate', () => {
    const s = run(
      anaInGroup,
      ev('round.ended', 11, { group: 'g1', round: round({ phase: 'done' }) }),
      ev('roles.rotated', 12, {
        ...group({ seats: { p1: 'observer', p2: 'speaker', p3: 'peer_worker' }, round: round({ phase: 'done' }) }),
        you: { group: 'g1', seat: 'observer', card: cardFor('observer') },
      }),
    );
    expect([s.seat, s.card?.brief]).toEqual(['observer', cardFor('observer').brief]);
    expect(s.groups[0]?.seats.p2).toBe('speaker');
  });

  it('drops a brief that is no longer yours when roles rotate without `you`', () => {
    const s = run(anaInGroup, ev('roles.rotated', 11, group({ seats: { p1: 'observer', p2: 'speaker', p3: 'peer_worker' } })));
    expect(s.seat).toBe('observer');
    expect(s.card?.brief).toBeUndefined();
    expect(s.card?.shared).toBe(sharedCard.shared);
  });

  it('keeps a trainer’s briefs for the seats they play', () => {
    const pair = group({ id: 'g2', members: ['p4', 'p1'], seats: { p4: 'speaker', p1: 'peer_worker' }, trainer_seat: 'observer' });
    const trainerCard = { ...cardFor('observer') };
    const s1 = run(
      ev('snapshot', 10, trainerSnapshot({ groups: [pair] })),
      ev('round.started', 11, { group: 'g2', round: round(), you: { trainer_cards: { g2: trainerCard } } }),
    );
    expect(s1.trainerCards.g2?.brief).toBe(trainerCard.brief);
    const s2 = reduce(s1, ev('groups.assigned', 12, { groups: [], unassigned: [], you: {} }) as RoomEvent);
    expect(s2.trainerCards).toEqual({});
  });

  it('follows a round through its phases, pause and end', () => {
    const cases: { name: string; event: Envelope; phase: string; paused: boolean }[] = [
      { name: 'started', event: ev('round.started', 11, { group: 'g1', round: round({ number: 2 }) }), phase: 'practice', paused: false },
      { name: 'paused', event: ev('round.paused', 11, { group: 'g1', round: round({ paused: true, remaining_ms: 30000 }) }), phase: 'practice', paused: true },
      { name: 'phase', event: ev('round.phase', 11, { group: 'g1', round: round({ phase: 'feedback.observer' }) }), phase: 'feedback.observer', paused: false },
      { name: 'ended', event: ev('round.ended', 11, { group: 'g1', round: round({ phase: 'done' }) }), phase: 'done', paused: false },
    ];
    for (const c of cases) {
      const s = run(trainerStart, c.event);
      expect([s.groups[0]?.round?.phase, s.groups[0]?.round?.paused], c.name).toEqual([c.phase, c.paused]);
    }
  });

  it('opens a pause signal and closes it when the group resumes', () => {
    const signal = ev('pause_signal', 12, { participant: 'p2', group: 'g1', reason: 'Stepped out of role', at: AT });
    const paused = ev('round.paused', 11, { group: 'g1', round: round({ paused: true, remaining_ms: 60000 }) });
    const s1 = run(trainerStart, paused, signal);
    expect(s1.signals.map((x) => [x.participant, x.reason, x.open])).toEqual([['p2', 'Stepped out of role', true]]);
    // Extending a paused round keeps it paused: the signal stays open.
    const s2 = reduce(s1, ev('round.phase', 13, { group: 'g1', round: round({ paused: true, remaining_ms: 120000 }) }) as RoomEvent);
    expect(s2.signals[0]?.open).toBe(true);
    const s3 = reduce(s2, ev('round.phase', 14, { group: 'g1', round: round({ ends_at: '2026-11-24T10:20:00Z' }) }) as RoomEvent);
    expect(s3.signals[0]?.open).toBe(false);
  });

  it('opens pause signals from a snapshot only for groups still stopped', () => {
    const s = run(
      ev(
        'snapshot',
        10,
        trainerSnapshot({
          groups: [
            group({ id: 'g1', round: round({ paused: true, remaining_ms: 1000 }) }),
            group({ id: 'g2', members: ['p4'], seats: { p4: 'speaker' }, round: round() }),
          ],
          pause_signals: [
            { participant: 'p1', group: 'g1', at: '2026-11-24T10:02:00Z' },
            { participant: 'p4', group: 'g2', at: '2026-11-24T10:01:00Z' },
          ],
        }),
      ),
    );
    expect(s.signals.map((x) => [x.group, x.open])).toEqual([
      ['g1', true],
      ['g2', false],
    ]);
  });

  it('lists feedback once each, and starts afresh for a new round', () => {
    const observer = ev('feedback.submitted', 11, {
      group: 'g1',
      round: 1,
      phase: 'feedback.observer',
      from: 'p3',
      seat: 'observer',
      scores: { listening: 3, boundaries: 4 },
      comment: 'Warm and steady.',
      at: AT,
    });
    const again = { ...observer, seq: 12 } as Envelope;
    const self = ev('feedback.submitted', 13, { group: 'g1', round: 1, phase: 'feedback.self', from: 'p2', seat: 'peer_worker', comment: 'I rushed.', at: AT });
    const s1 = run(anaInGroup, observer, again, self);
    expect(s1.feedback.map((f) => f.from)).toEqual(['p3', 'p2']);
    const s2 = reduce(s1, ev('round.started', 14, { group: 'g1', round: round({ number: 2 }) }) as RoomEvent);
    expect(s2.feedback).toEqual([]);
  });

  it('keeps chat with its channel, and only the latest messages', () => {
    const s1 = run(
      anaInGroup,
      ev('chat', 11, { from: 'p2', group: 'g1', channel: 'group', text: 'group' }),
      ev('chat', 12, { from: 't1', text: 'everyone', channel: 'session' }),
      ev('chat', 13, { from: 't1', text: 'older server' }),
    );
    expect(s1.chat.map((c) => [c.text, c.channel])).toEqual([
      ['group', 'group'],
      ['everyone', 'session'],
      ['older server', 'session'],
    ]);
    let s = run(anaInGroup);
    for (let i = 0; i < MAX_CHAT_ITEMS + 5; i++) {
      s = reduce(s, ev('chat', 11 + i, { from: 'p2', text: `m${i}`, channel: 'session' }) as RoomEvent);
    }
    expect(s.chat).toHaveLength(MAX_CHAT_ITEMS);
    expect(s.chat[0]?.text).toBe('m5');
  });

  it('keeps broadcasts and follows the session to debrief', () => {
    const s = run(
      anaInGroup,
      ev('broadcast', 11, { from: 't1', text: 'Two minutes, everyone.' }),
      ev('round.ended', 12, { group: 'g1', round: round({ phase: 'done' }) }),
      ev('session.ended', 13, { phase: 'debrief' }),
    );
    expect(s.broadcasts.map((b) => b.text)).toEqual(['Two minutes, everyone.']);
    expect(s.session).toBe('debrief');
  });

  it('closes every signal and clears feedback when groups are formed again', () => {
    const s = run(
      trainerStart,
      ev('pause_signal', 11, { participant: 'p1', group: 'g1', at: AT }),
      ev('groups.assigned', 12, { groups: [], unassigned: ['p1', 'p2', 'p3', 'p4'] }),
    );
    expect(s.signals.every((x) => !x.open)).toBe(true);
    expect(s.groups).toEqual([]);
    expect(s.unassigned).toEqual(['p1', 'p2', 'p3', 'p4']);
  });

  it('keeps a trainer’s view of everyone', () => {
    const s = run(trainerStart);
    expect(s.you).toEqual(trainer);
    expect(s.cards.map((c) => c.id)).toEqual(['c1', 'c2']);
    expect(s.card).toBeNull();
  });
});

describe('turnSeat', () => {
  it('names whose turn each phase is', () => {
    const cases = [
      ['practice', undefined],
      ['feedback.observer', 'observer'],
      ['feedback.self', 'peer_worker'],
      ['feedback.trainer', null],
      ['feedback.speaker', 'speaker'],
      ['done', undefined],
    ] as const;
    for (const [phase, want] of cases) expect(turnSeat(phase), phase).toBe(want);
  });
});

describe('remainingMs', () => {
  it('counts to ends_at, or holds remaining_ms while paused', () => {
    const now = Date.parse('2026-11-24T10:09:00Z');
    expect(remainingMs(round(), now)).toBe(60000);
    expect(remainingMs(round({ paused: true, remaining_ms: 5000 }), now)).toBe(5000);
    expect(remainingMs(round(), Date.parse('2026-11-24T11:00:00Z'))).toBe(0);
  });
});

import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from './fakeSocket';
import { ana, ev, traineeSnapshot } from './fixtures';
import { backoffMs, BACKOFF_MAX_MS, closeMessage, IntentError, roomUrl } from './socket';
import { useRoom } from './useRoom';

beforeEach(() => {
  FakeWebSocket.reset();
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

function setup(consent?: boolean) {
  return renderHook(() => useRoom('s1', { WebSocket: FakeWebSocket, consent, url: 'ws://test/ws' }));
}

describe('useRoom', () => {
  it('says hello with last_seq 0 and the consent, and applies the snapshot', () => {
    const { result } = setup(true);
    expect(result.current.status.kind).toBe('connecting');
    const ws = FakeWebSocket.latest;
    expect(ws.url).toBe('ws://test/ws');
    ws.open();
    expect(ws.sent[0]).toMatchObject({ type: 'hello', data: { last_seq: 0, transcript_consent: true } });
    expect(result.current.status.kind).toBe('open');
    ws.receive(ev('snapshot', 7, traineeSnapshot(ana, { seq: 7 })));
    expect(result.current.state.ready).toBe(true);
    expect(result.current.state.lastSeq).toBe(7);
  });

  it('leaves transcript_consent out when the person was not asked', () => {
    setup();
    FakeWebSocket.latest.open();
    expect(FakeWebSocket.latest.sent[0]?.data).toEqual({ last_seq: 0 });
  });

  it('reconnects with backoff after a drop and resumes from the last seq', () => {
    const { result } = setup(false);
    const first = FakeWebSocket.latest;
    first.open();
    first.receive(ev('snapshot', 7, traineeSnapshot(ana, { seq: 7 })), ev('hand.raised', 9, { participant: 'p1', raised: true }));
    first.serverClose(1001, 'going away');
    expect(result.current.status).toMatchObject({ kind: 'reconnecting', attempt: 1 });
    expect(FakeWebSocket.instances).toHaveLength(1);
    act(() => {
      vi.advanceTimersByTime(BACKOFF_MAX_MS);
    });
    expect(FakeWebSocket.instances).toHaveLength(2);
    const second = FakeWebSocket.latest;
    second.open();
    expect(second.sent[0]).toMatchObject({ type: 'hello', data: { last_seq: 9, transcript_consent: false } });
    // The replay overlaps what was seen: the duplicate is ignored, the new event applied.
    second.receive(ev('hand.raised', 9, { participant: 'p1', raised: true }), ev('hand.raised', 10, { participant: 'p1', raised: false }));
    expect(result.current.state.you?.hand_raised).toBe(false);
    expect(result.current.state.lastSeq).toBe(10);
  });

  it('waits longer after each failed attempt, up to 8 seconds', () => {
    const { result } = setup();
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      FakeWebSocket.latest.serverClose(1006);
      const s = result.current.status;
      if (s.kind !== 'reconnecting') throw new Error(`got ${s.kind}, want reconnecting`);
      delays.push(s.delayMs);
      act(() => {
        vi.advanceTimersByTime(s.delayMs);
      });
    }
    expect(delays[0]).toBeGreaterThanOrEqual(375);
    expect(delays[0]).toBeLessThanOrEqual(625);
    expect(delays[6]).toBeLessThanOrEqual(BACKOFF_MAX_MS);
    expect(delays[6]).toBeGreaterThanOrEqual(6000);
    expect(FakeWebSocket.instances).toHaveLength(8);
  });

  it('does not retry when the server refuses for good', () => {
    const cases: [number, string, string][] = [
      [1008, 'The session has ended.', 'The session has ended.'],
      [4001, '', "You're signed out. Please sign in again to join the session."],
      [4003, '', "This session is for the people invited to it. You're not on its list."],
      [4004, '', "We couldn't find this session. It may have been cancelled."],
    ];
    for (const [code, reason, want] of cases) {
      FakeWebSocket.reset();
      const { result, unmount } = setup();
      FakeWebSocket.latest.open();
      FakeWebSocket.latest.serverClose(code, reason);
      expect(result.current.status).toEqual({ kind: 'closed', code, message: want });
      act(() => {
        vi.advanceTimersByTime(60_000);
      });
      expect(FakeWebSocket.instances, `code ${code}`).toHaveLength(1);
      unmount();
    }
  });

  it('settles each intent by its req_id: ack resolves, error rejects with the message', async () => {
    const { result } = setup();
    const ws = FakeWebSocket.latest;
    ws.open();
    let raised = false;
    let refused: unknown;
    act(() => {
      void result.current.send('hand.raise', {}).then(() => (raised = true));
      result.current.send('round.start', { card_id: 'c1', practice_seconds: 600, feedback_seconds: 120 }).catch((e: unknown) => (refused = e));
    });
    const [hand, start] = ws.sent.slice(1);
    expect(hand?.req_id).not.toBe(start?.req_id);
    ws.refuse('round.start', 'forbidden', 'Only a trainer can start a round.');
    ws.ack('hand.raise');
    await act(async () => {});
    expect(raised).toBe(true);
    expect(refused).toBeInstanceOf(IntentError);
    expect((refused as IntentError).message).toBe('Only a trainer can start a round.');
  });

  it('rejects an intent that gets no answer in time, or when the connection drops', async () => {
    const { result } = setup();
    const ws = FakeWebSocket.latest;
    ws.open();
    const errors: string[] = [];
    act(() => {
      result.current.send('hand.raise', {}).catch((e: IntentError) => errors.push(e.code));
    });
    act(() => {
      vi.advanceTimersByTime(10_001);
    });
    act(() => {
      result.current.send('hand.lower', {}).catch((e: IntentError) => errors.push(e.code));
    });
    ws.serverClose(1006);
    act(() => {
      result.current.send('hand.lower', {}).catch((e: IntentError) => errors.push(e.code));
    });
    await act(async () => {});
    expect(errors).toEqual(['timeout', 'disconnected', 'offline']);
  });

  it('passes on an error that answers nothing it sent', () => {
    const { result } = setup();
    const ws = FakeWebSocket.latest;
    ws.open();
    ws.receive({ type: 'error', seq: 0, at: '', data: { code: 'rate_limited', message: 'Slow down a little.' } });
    expect(result.current.notice?.message).toBe('Slow down a little.');
  });

  it('closes the socket when the page goes', () => {
    const { unmount } = setup();
    const ws = FakeWebSocket.latest;
    ws.open();
    unmount();
    expect(ws.closedByClient?.code).toBe(1000);
  });
});

describe('socket helpers', () => {
  it('picks ws: or wss: to match the page', () => {
    expect(roomUrl('a b', { protocol: 'https:', host: 'peerpath.example' } as Location)).toBe(
      'wss://peerpath.example/api/v1/roleplay/sessions/a%20b/ws',
    );
    expect(roomUrl('s1', { protocol: 'http:', host: '127.0.0.1:8080' } as Location)).toBe(
      'ws://127.0.0.1:8080/api/v1/roleplay/sessions/s1/ws',
    );
  });

  it('doubles the backoff from half a second to eight', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 9].map((n) => backoffMs(n, mid))).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('reconnects after going away and other drops', () => {
    for (const code of [1000, 1001, 1006, 1011, 1012]) expect(closeMessage(code, ''), String(code)).toBeNull();
  });
});

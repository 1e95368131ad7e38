// axe-core over the room's two views, as the end-to-end run will check them in Chromium. Colour
// contrast needs a real layout engine, so it is left to that run.
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, json, person, renderApp } from '../../testing';
import { FakeWebSocket } from './fakeSocket';
import { AT, cardFor, cy, ev, group, round, traineeSnapshot, trainerSnapshot } from './fixtures';
import type { Snapshot } from './protocol';

beforeEach(() => {
  FakeWebSocket.reset();
  vi.stubGlobal('WebSocket', FakeWebSocket);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

async function open(snapshot: Snapshot, roles: ('trainee' | 'trainer')[]) {
  fakeApi({
    'GET /me': json(200, person({ id: snapshot.you.id, roles })),
    'GET /roleplay/sessions/s1': json(200, { id: 's1', title: 'Boundaries practice', transcript_allowed: false }),
  });
  const view = renderApp('/roleplay/s1/room');
  await vi.waitFor(() => expect(FakeWebSocket.instances).toHaveLength(1));
  FakeWebSocket.latest.open();
  FakeWebSocket.latest.receive(ev('snapshot', snapshot.seq, snapshot));
  return view;
}

async function violations(container: HTMLElement): Promise<string[]> {
  const result = await axe.run(container, { rules: { 'color-contrast': { enabled: false } } });
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe('room accessibility', () => {
  it('has no axe violations in the observer’s view with the rubric open', async () => {
    const { container } = await open(
      traineeSnapshot(cy, {
        group: 'g1',
        seat: 'observer',
        groups: [group({ round: round({ phase: 'feedback.observer', ends_at: '2099-01-01T00:00:00Z' }) })],
        card: cardFor('observer'),
        feedback: [{ group: 'g1', round: 1, phase: 'feedback.observer', from: 'p9', comment: 'x', at: AT }],
      }),
      ['trainee'],
    );
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Show the scenario' }));
    expect(await violations(container)).toEqual([]);
  });

  it('has no axe violations in the trainer console with a group open', async () => {
    const { container } = await open(
      trainerSnapshot({
        groups: [group({ round: round({ phase: 'feedback.trainer', ends_at: '2099-01-01T00:00:00Z' }) })],
        unassigned: ['p4'],
        pause_signals: [],
      }),
      ['trainer'],
    );
    const user = userEvent.setup();
    FakeWebSocket.latest.receive(
      ev('round.paused', 11, { group: 'g1', round: round({ phase: 'feedback.trainer', paused: true, remaining_ms: 1000 }) }),
      ev('pause_signal', 12, { participant: 'p1', group: 'g1', reason: 'Need a break', at: AT }),
    );
    await user.click(await screen.findByRole('button', { name: 'Open Group 1' }));
    await user.click(screen.getByRole('button', { name: 'Arrange groups by hand' }));
    expect(await violations(container)).toEqual([]);
  });
});

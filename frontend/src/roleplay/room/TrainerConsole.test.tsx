import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, json, person, renderApp } from '../../testing';
import { FakeWebSocket } from './fakeSocket';
import { AT, briefs, cardFor, ev, group, round, trainerSnapshot } from './fixtures';
import type { Snapshot } from './protocol';

beforeEach(() => {
  FakeWebSocket.reset();
  vi.stubGlobal('WebSocket', FakeWebSocket);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

async function join(snapshot: Snapshot) {
  fakeApi({
    'GET /me': json(200, person({ id: 't1', name: 'Tess Trainer', roles: ['trainer'] })),
    'GET /roleplay/sessions/s1': json(200, { id: 's1', title: 'Boundaries practice', transcript_allowed: false, practice_seconds: 720, feedback_seconds: 120 }),
  });
  renderApp('/roleplay/s1/room');
  await vi.waitFor(() => expect(FakeWebSocket.instances).toHaveLength(1));
  const ws = FakeWebSocket.latest;
  ws.open();
  ws.receive(ev('snapshot', snapshot.seq, snapshot));
  await screen.findByText('Trainer console');
  return ws;
}

const later = '2099-01-01T00:00:00Z';

describe('Trainer console', () => {
  it('shows every group at a glance, the unassigned and everyone’s connection', async () => {
    await join(
      trainerSnapshot({
        groups: [group({ round: round({ ends_at: later }) })],
        unassigned: ['p4'],
        participants: [
          { id: 't1', name: 'Tess Trainer', role: 'trainer', connected: true, hand_raised: false },
          { id: 'p1', name: 'Ana Speaker', role: 'trainee', connected: true, hand_raised: false },
          { id: 'p2', name: 'Ben Peer', role: 'trainee', connected: false, hand_raised: true },
          { id: 'p3', name: 'Cy Observer', role: 'trainee', connected: true, hand_raised: false },
          { id: 'p4', name: 'Dee Late', role: 'trainee', connected: false, hand_raised: false },
        ],
      }),
    );
    expect(document.title).toBe('Trainer console: Boundaries practice · Peerpath');
    const g1 = screen.getByRole('article', { name: 'Group 1' });
    expect(within(g1).getByText('A hard week')).toBeInTheDocument();
    expect(within(g1).getByText('Practice')).toBeInTheDocument();
    expect(within(g1).getByText(/left/)).toBeInTheDocument();
    const ben = within(g1).getByText('Ben Peer').closest('li')!;
    expect(ben).toHaveTextContent('Peer worker');
    expect(ben).toHaveTextContent('Not connected');
    expect(ben).toHaveTextContent('Hand raised');
    expect(within(g1).getByText('Ana Speaker').closest('li')).toHaveTextContent('Connected');

    const unassigned = screen.getByRole('region', { name: 'Not in a group' });
    expect(within(unassigned).getByText('Dee Late')).toBeInTheDocument();
    const people = screen.getByRole('table', { name: /Everyone in this session: 3 of 5 connected/ });
    expect(within(people).getAllByRole('row')).toHaveLength(6);
    // A trainer sees no trainee's private brief.
    const page = document.body.textContent ?? '';
    for (const b of Object.values(briefs)) expect(page).not.toContain(b);
  });

  it('starts the session early from the lobby', async () => {
    const ws = await join(trainerSnapshot({ session: 'lobby' }));
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Start the session now' }));
    expect(ws.last('session.start')?.data).toEqual({});
    ws.ack('session.start');
    expect(await screen.findByText('The session has started.')).toBeInTheDocument();
  });

  it('forms triads, arranges groups by hand and brings everyone back', async () => {
    const ws = await join(trainerSnapshot({ session: 'lobby' }));
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Form triads automatically' }));
    expect(ws.last('groups.assign')?.data).toEqual({ auto: true });
    ws.refuse('groups.assign', 'invalid_state', 'No trainees are connected yet.');
    expect(await screen.findByText('No trainees are connected yet.')).toBeInTheDocument();

    const arrange = screen.getByRole('button', { name: 'Arrange groups by hand' });
    await user.click(arrange);
    expect(arrange).toHaveAttribute('aria-expanded', 'true');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Group for Cy Observer' }), 'Group 1');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Group for Ana Speaker' }), 'Group 1');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Group for Ben Peer' }), 'Group 1');
    // Cy was put first, so Cy would speak: move Ana up to the speaker's seat.
    await user.click(screen.getByRole('button', { name: 'Up: move Ana Speaker earlier' }));
    const draft = screen.getByRole('group', { name: 'Group 1' });
    expect(within(draft).getByText('Ana Speaker').closest('li')).toHaveTextContent('Speaker');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Group for Dee Late' }), 'A new group');
    await user.click(screen.getByRole('button', { name: 'Save groups' }));
    expect(ws.last('groups.assign')?.data).toEqual({ groups: [['p1', 'p3', 'p2'], ['p4']] });
    ws.ack('groups.assign');
    ws.receive(
      ev('groups.assigned', 11, {
        groups: [group({ members: ['p1', 'p3', 'p2'], seats: { p1: 'speaker', p3: 'peer_worker', p2: 'observer' } }), group({ id: 'g2', members: ['p4'], seats: { p4: 'speaker' }, trainer_seat: 'peer_worker' })],
        unassigned: [],
        you: {},
      }),
    );
    expect(await screen.findByRole('article', { name: 'Group 2' })).toBeInTheDocument();
    expect(screen.getByText('Everyone is in a group.')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Bring everyone back' }));
    expect(ws.last('groups.assign')?.data).toEqual({ groups: [] });
  });

  it('starts a round with a card, lengths and groups', async () => {
    const ws = await join(trainerSnapshot({ groups: [group(), group({ id: 'g2', members: ['p4'], seats: { p4: 'speaker' } })] }));
    const user = userEvent.setup();
    const form = screen.getByRole('form', { name: 'Start a round' });
    const card = within(form).getByRole('combobox', { name: 'Scenario card' });
    expect(within(card).getByRole('option', { name: 'A hard week (content warning: Mentions drug use and a recent overdose.)' })).toBeInTheDocument();
    expect(card).toHaveAccessibleDescription('Content warning: Mentions drug use and a recent overdose.');
    const practice = within(form).getByRole('spinbutton', { name: 'Practice minutes' });
    // The session's planned lengths are the starting point.
    expect(practice).toHaveValue(12);
    expect(within(form).getByRole('spinbutton', { name: 'Feedback minutes for each turn' })).toHaveValue(2);
    await user.clear(practice);
    await user.type(practice, '0');
    await user.click(within(form).getByRole('button', { name: 'Start round' }));
    expect(within(form).getByText('Give a whole number of minutes from 1 to 60.')).toBeInTheDocument();
    expect(ws.last('round.start')).toBeUndefined();

    await user.clear(practice);
    await user.type(practice, '8');
    await user.selectOptions(card, 'c2');
    await user.selectOptions(within(form).getByRole('combobox', { name: 'Start it in' }), 'g2');
    await user.click(within(form).getByRole('button', { name: 'Start round' }));
    expect(ws.last('round.start')?.data).toEqual({ card_id: 'c2', practice_seconds: 480, feedback_seconds: 120, group: 'g2' });
    ws.ack('round.start');
    expect(await within(form).findByText('Round started in Group 2.')).toBeInTheDocument();
  });

  it('pauses, extends, ends and rotates per group and for all', async () => {
    const ws = await join(
      trainerSnapshot({
        groups: [group({ round: round({ ends_at: later }) }), group({ id: 'g2', members: ['p4'], seats: { p4: 'speaker' }, round: round({ phase: 'done' }) })],
      }),
    );
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Pause Group 1' }));
    expect(ws.last('round.pause')?.data).toEqual({ group: 'g1' });
    ws.ack('round.pause');
    await user.click(screen.getByRole('button', { name: '+2 min for Group 1' }));
    expect(ws.last('round.extend')?.data).toEqual({ group: 'g1', seconds: 120 });
    ws.ack('round.extend');
    await user.click(screen.getByRole('button', { name: '+5 min for every group' }));
    expect(ws.last('round.extend')?.data).toEqual({ seconds: 300 });
    ws.ack('round.extend');
    await user.click(screen.getByRole('button', { name: 'Next step for Group 1' }));
    expect(ws.last('round.advance')?.data).toEqual({ group: 'g1' });
    ws.ack('round.advance');
    await user.click(screen.getByRole('button', { name: 'End round in Group 1' }));
    expect(ws.last('round.end')?.data).toEqual({ group: 'g1' });
    ws.ack('round.end');
    await user.click(screen.getByRole('button', { name: 'Rotate roles in Group 2' }));
    expect(ws.last('roles.rotate')?.data).toEqual({ group: 'g2' });
    ws.refuse('roles.rotate', 'invalid_state', 'Group g2 is in a round.');
    const g2 = screen.getByRole('article', { name: 'Group 2' });
    expect(await within(g2).findByText('Group g2 is in a round.')).toBeInTheDocument();

    ws.receive(ev('round.paused', 11, { group: 'g1', round: round({ paused: true, remaining_ms: 90_000 }) }));
    await user.click(await screen.findByRole('button', { name: 'Resume Group 1' }));
    expect(ws.last('round.resume')?.data).toEqual({ group: 'g1' });
  });

  it('shows a pause signal prominently, with the reason, the time and a way to resume', async () => {
    const ws = await join(trainerSnapshot({ groups: [group({ round: round({ ends_at: later }) })] }));
    const user = userEvent.setup();
    ws.receive(
      ev('round.paused', 11, { group: 'g1', round: round({ paused: true, remaining_ms: 60_000 }) }),
      ev('pause_signal', 12, { participant: 'p2', group: 'g1', reason: 'Stepped out of role', at: AT }),
    );
    const signals = await screen.findByRole('region', { name: 'Pause signals' });
    expect(within(signals).getByText('Ben Peer')).toBeInTheDocument();
    expect(within(signals).getByText('Reason: Stepped out of role')).toBeInTheDocument();
    const alert = screen.getByText('Ben Peer in Group 1 asked to pause: Stepped out of role.');
    expect(alert.closest('[role="alert"]')).not.toBeNull();
    await user.click(within(signals).getByRole('button', { name: 'Resume Group 1' }));
    expect(ws.last('round.resume')?.data).toEqual({ group: 'g1' });
    ws.ack('round.resume');
    ws.receive(ev('round.phase', 13, { group: 'g1', round: round({ ends_at: later }) }));
    await vi.waitFor(() => expect(screen.queryByRole('region', { name: 'Pause signals' })).not.toBeInTheDocument());
  });

  it('lowers a raised hand', async () => {
    const ws = await join(trainerSnapshot({ groups: [group()] }));
    const user = userEvent.setup();
    ws.receive(ev('hand.raised', 11, { participant: 'p3', raised: true }));
    await user.click(await screen.findByRole('button', { name: "Lower Cy Observer's hand" }));
    expect(ws.last('hand.lower')?.data).toEqual({ participant: 'p3' });
  });

  it('opens a group beside the console with its card, feedback, chat and the trainer’s feedback form', async () => {
    const ws = await join(
      trainerSnapshot({
        groups: [
          group({ round: round({ phase: 'feedback.trainer', ends_at: later }) }),
          group({ id: 'g2', members: ['p4'], seats: { p4: 'speaker' }, trainer_seat: 'peer_worker', round: round({ ends_at: later }) }),
        ],
        feedback: [{ group: 'g1', round: 1, phase: 'feedback.observer', from: 'p3', seat: 'observer', scores: { listening: 2, boundaries: 3 }, comment: 'Good eye contact.', at: AT }],
        trainer_cards: { g2: { ...cardFor('peer_worker') } },
      }),
    );
    const user = userEvent.setup();
    expect(within(screen.getByRole('article', { name: 'Group 1' })).getByText(/Your turn to give feedback/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Open Group 1' }));
    const panel = screen.getByRole('complementary', { name: 'Group 1' });
    expect(within(panel).getByRole('heading', { name: 'Group 1' })).toHaveFocus();
    expect(within(panel).getByText('Someone you have met twice asks to talk after a group.')).toBeInTheDocument();
    expect(within(panel).getByText('Good eye contact.').closest('li')).toHaveTextContent(/Listening\s*2 of 4/);
    expect(within(panel).queryByText(briefs.peer_worker)).not.toBeInTheDocument();

    const form = within(panel).getByRole('form', { name: 'Your feedback for Group 1' });
    await user.type(within(form).getByLabelText('Your feedback'), 'You slowed down well.');
    await user.click(within(form).getByRole('button', { name: 'Send feedback' }));
    expect(ws.last('feedback.submit')?.data).toEqual({ group: 'g1', comment: 'You slowed down well.' });

    await user.type(within(panel).getByLabelText('Message to Group 1'), 'Two minutes');
    await user.click(within(panel).getByRole('button', { name: 'Send to Group 1' }));
    expect(ws.last('chat')?.data).toEqual({ text: 'Two minutes', group: 'g1' });

    await user.click(screen.getByRole('button', { name: 'Open Group 2' }));
    const panel2 = screen.getByRole('complementary', { name: 'Group 2' });
    expect(within(panel2).getByText(briefs.peer_worker)).toBeInTheDocument();
    await user.click(within(panel2).getByRole('button', { name: 'Close Group 2' }));
    expect(screen.queryByRole('complementary')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Open Group 2' })).toHaveFocus();
  });

  it('broadcasts, and ends practice after confirming', async () => {
    const ws = await join(trainerSnapshot({ groups: [group()] }));
    const user = userEvent.setup();
    const broadcast = screen.getByRole('region', { name: 'Message to every group' });
    await user.type(within(broadcast).getByLabelText('Message'), 'Two minutes left.');
    await user.click(within(broadcast).getByRole('button', { name: 'Send to every group' }));
    expect(ws.last('broadcast')?.data).toEqual({ text: 'Two minutes left.' });

    await user.click(screen.getByRole('button', { name: 'End practice' }));
    expect(ws.last('session.end')).toBeUndefined();
    await user.click(screen.getByRole('button', { name: 'Yes, end practice' }));
    expect(ws.last('session.end')?.data).toEqual({});
    ws.ack('session.end');
    ws.receive(ev('session.ended', 11, { phase: 'debrief' }));
    expect(await screen.findByRole('heading', { name: 'Practice is over' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Close session' })).toBeInTheDocument();
  });
});

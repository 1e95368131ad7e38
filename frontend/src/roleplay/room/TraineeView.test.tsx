import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeApi, json, person, renderApp } from '../../testing';
import { FakeWebSocket } from './fakeSocket';
import { ana, AT, briefs, cardFor, cy, ev, group, round, traineeSnapshot } from './fixtures';
import type { Snapshot } from './protocol';

beforeEach(() => {
  FakeWebSocket.reset();
  vi.stubGlobal('WebSocket', FakeWebSocket);
  window.sessionStorage.clear();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const info = { id: 's1', title: 'Boundaries practice', transcript_allowed: false };

/** join opens the room page as a trainee and plays the server's snapshot. */
async function join(snapshot: Snapshot, sessionInfo: object = info) {
  fakeApi({
    'GET /me': json(200, person({ id: snapshot.you.id, name: snapshot.you.name })),
    'GET /roleplay/sessions/s1': json(200, sessionInfo),
  });
  renderApp('/roleplay/s1/room');
  await vi.waitFor(() => expect(FakeWebSocket.instances).toHaveLength(1));
  const ws = FakeWebSocket.latest;
  ws.open();
  ws.receive(ev('snapshot', snapshot.seq, snapshot));
  await screen.findByText('Practice room');
  return ws;
}

function speakerInPractice(): Snapshot {
  return traineeSnapshot(ana, {
    seq: 12,
    group: 'g1',
    seat: 'speaker',
    groups: [group({ round: round() })],
    card: cardFor('speaker'),
  });
}

describe('Trainee view', () => {
  it('shows the content warning first, then the shared situation and only their own brief', async () => {
    const ws = await join(speakerInPractice());
    const user = userEvent.setup();
    expect(document.title).toBe('Practice room: Boundaries practice · Peerpath');
    expect(ws.url).toMatch(/^ws:\/\/.+\/api\/v1\/roleplay\/sessions\/s1\/ws$/);
    expect(screen.getByRole('heading', { level: 1, name: 'Boundaries practice' })).toBeInTheDocument();
    expect(screen.getByText('Connected to the session')).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Content warning' })).toBeInTheDocument();
    expect(screen.getByText('Mentions drug use and a recent overdose.')).toBeInTheDocument();
    expect(screen.queryByText(briefs.speaker)).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Show the scenario' }));
    expect(screen.getByText('Someone you have met twice asks to talk after a group.')).toBeInTheDocument();
    const brief = screen.getByRole('region', { name: 'Your private brief' });
    expect(within(brief).getByText(briefs.speaker)).toBeInTheDocument();
    expect(within(brief).getByText(/Only you can see this/)).toBeInTheDocument();
    expect(screen.getByText(/Your role:/).parentElement).toHaveTextContent('Your role: Jo, a visitor (Speaker)');
    const page = document.body.textContent ?? '';
    expect(page).not.toContain(briefs.peer_worker);
    expect(page).not.toContain(briefs.observer);

    const members = screen.getByRole('region', { name: 'Your group: Group 1' });
    expect(within(members).getByText('Ana Speaker (you)')).toBeInTheDocument();
    expect(within(members).getByText('Peer worker')).toBeInTheDocument();
    expect(screen.getByText('Practice')).toBeInTheDocument();
  });

  it('asks about the transcript before connecting and sends the answer in hello', async () => {
    fakeApi({
      'GET /me': json(200, person({ id: 'p1' })),
      'GET /roleplay/sessions/s1': json(200, { ...info, transcript_allowed: true }),
    });
    renderApp('/roleplay/s1/room');
    const user = userEvent.setup();
    await screen.findByRole('heading', { name: 'Can we keep a record of the chat?' });
    expect(FakeWebSocket.instances).toHaveLength(0);
    const yes = screen.getByRole('button', { name: 'Yes, keep the chat' });
    const no = screen.getByRole('button', { name: "No, don't keep the chat" });
    expect(yes.className).toBe(no.className);
    await user.click(no);
    await vi.waitFor(() => expect(FakeWebSocket.instances).toHaveLength(1));
    FakeWebSocket.latest.open();
    expect(FakeWebSocket.latest.sent[0]).toMatchObject({ type: 'hello', data: { last_seq: 0, transcript_consent: false } });
  });

  it('says the lobby is waiting for the trainer, and lets people chat to everyone', async () => {
    const ws = await join(traineeSnapshot(ana, { session: 'lobby' }));
    const user = userEvent.setup();
    expect(screen.getByRole('heading', { name: 'Waiting for the trainer' })).toBeInTheDocument();
    expect(screen.queryByRole('tab')).not.toBeInTheDocument();
    await user.type(screen.getByLabelText('Message to everyone'), 'Hi all');
    await user.click(screen.getByRole('button', { name: 'Send to everyone' }));
    expect(ws.last('chat')?.data).toEqual({ text: 'Hi all' });
  });

  it('links to the debrief when practice is over', async () => {
    await join(traineeSnapshot(ana, { session: 'debrief' }));
    expect(screen.getByRole('link', { name: 'Go to the debrief' })).toHaveAttribute('href', '/roleplay/s1/debrief');
  });

  it('gives the observer the rubric and sends the scores', async () => {
    const ws = await join(
      traineeSnapshot(cy, {
        seq: 20,
        group: 'g1',
        seat: 'observer',
        groups: [group({ round: round({ phase: 'feedback.observer', ends_at: '2099-01-01T00:00:00Z' }) })],
        card: cardFor('observer'),
      }),
    );
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Show the scenario' }));
    expect(screen.getByText(/Feedback now comes from the observer \(Cy Observer\)/)).toBeInTheDocument();
    const form = screen.getByRole('form', { name: 'Your turn to give feedback' });

    await user.click(within(form).getByRole('button', { name: 'Send feedback' }));
    expect(within(form).getByText('Choose a score for Listening.')).toBeInTheDocument();
    expect(ws.last('feedback.submit')).toBeUndefined();

    const listening = within(form).getByRole('group', { name: 'Listening' });
    const three = within(listening).getByRole('radio', { name: 'Score 3' });
    expect(three).toHaveAccessibleDescription('Listens and reflects back.');
    await user.click(three);
    await user.click(within(within(form).getByRole('group', { name: 'Boundaries' })).getByRole('radio', { name: 'Score 4' }));
    await user.type(within(form).getByLabelText('Comment (optional)'), 'Warm and steady.');
    await user.click(within(form).getByRole('button', { name: 'Send feedback' }));
    expect(ws.last('feedback.submit')?.data).toEqual({ scores: { listening: 3, boundaries: 4 }, comment: 'Warm and steady.' });
    expect(within(form).getByRole('button', { name: 'Sending…' })).toBeDisabled();

    ws.ack('feedback.submit');
    expect(await screen.findByText('Feedback sent. Thank you.')).toBeInTheDocument();
    ws.receive(
      ev('feedback.submitted', 21, {
        group: 'g1',
        round: 1,
        phase: 'feedback.observer',
        from: 'p3',
        seat: 'observer',
        scores: { listening: 3, boundaries: 4 },
        comment: 'Warm and steady.',
        at: AT,
      }),
    );
    expect(await screen.findByText('Your feedback is in. Thank you.')).toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Your turn to give feedback' })).not.toBeInTheDocument();
    const item = screen.getByText('Warm and steady.').closest('li')!;
    expect(item).toHaveTextContent(/Listening\s*3 of 4/);
  });

  it('asks the speaker for a comment only', async () => {
    const ws = await join(
      traineeSnapshot(ana, {
        group: 'g1',
        seat: 'speaker',
        groups: [group({ round: round({ phase: 'feedback.speaker', ends_at: '2099-01-01T00:00:00Z' }) })],
        card: { ...cardFor('speaker'), content_warning: undefined },
      }),
    );
    const user = userEvent.setup();
    const form = screen.getByRole('form', { name: 'Your turn to give feedback' });
    expect(within(form).queryByRole('radio')).not.toBeInTheDocument();
    await user.type(within(form).getByLabelText('Your feedback'), 'I felt heard.');
    await user.click(within(form).getByRole('button', { name: 'Send feedback' }));
    expect(ws.last('feedback.submit')?.data).toEqual({ comment: 'I felt heard.' });
    ws.refuse('feedback.submit', 'forbidden', 'It is not your turn to give feedback.');
    const alert = await within(form).findByText('It is not your turn to give feedback.');
    expect(alert.closest('[role="alert"]')).not.toBeNull();
  });

  it('raises a hand, and shows an error from the server next to the button', async () => {
    const ws = await join(speakerInPractice());
    const user = userEvent.setup();
    const safety = screen.getByRole('region', { name: 'Need the trainer, or a pause?' });
    await user.click(within(safety).getByRole('button', { name: 'Raise hand' }));
    expect(ws.last('hand.raise')).toBeDefined();
    ws.refuse('hand.raise', 'rate_limited', 'Slow down a little, then try again.');
    expect(await within(safety).findByText('Slow down a little, then try again.')).toBeInTheDocument();

    await user.click(within(safety).getByRole('button', { name: 'Raise hand' }));
    ws.ack('hand.raise');
    ws.receive(ev('hand.raised', 13, { participant: 'p1', raised: true }));
    expect(await within(safety).findByText('Your hand is raised. The trainer can see it.')).toBeInTheDocument();
    expect(within(safety).getByRole('button', { name: 'Lower hand' })).toBeInTheDocument();
  });

  it('pauses the group, or steps out of role, with one click', async () => {
    const ws = await join(speakerInPractice());
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Step out of role' }));
    expect(ws.last('pause_signal')?.data).toEqual({ reason: 'Stepped out of role' });
    ws.ack('pause_signal');
    expect(await screen.findByText(/You've stepped out of role/)).toBeInTheDocument();

    await user.type(screen.getByLabelText('Reason (optional)'), 'I need a minute');
    await user.click(screen.getByRole('button', { name: 'Pause our group' }));
    expect(ws.last('pause_signal')?.data).toEqual({ reason: 'I need a minute' });
    ws.ack('pause_signal');
    expect(await screen.findByText('Your group is paused and the trainer has been told.')).toBeInTheDocument();

    ws.receive(ev('round.paused', 13, { group: 'g1', round: round({ paused: true, remaining_ms: 125000 }) }));
    expect(await screen.findByText(/Paused ·/)).toBeInTheDocument();
    expect(screen.getByText('2 minutes 5 seconds')).toBeInTheDocument();
  });

  it('has Group and Everyone chat tabs, usable from the keyboard', async () => {
    const ws = await join(speakerInPractice());
    const user = userEvent.setup();
    const group = screen.getByRole('tab', { name: 'Group' });
    expect(group).toHaveAttribute('aria-selected', 'true');
    await user.type(screen.getByLabelText('Message to your group'), 'Ready?');
    await user.click(screen.getByRole('button', { name: 'Send to your group' }));
    expect(ws.last('chat')?.data).toEqual({ text: 'Ready?' });
    ws.ack('chat');

    group.focus();
    await user.keyboard('{ArrowRight}');
    const everyone = screen.getByRole('tab', { name: 'Everyone' });
    expect(everyone).toHaveFocus();
    expect(everyone).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByText(/0 of 2,000 used/)).toBeInTheDocument();
    await user.type(screen.getByLabelText('Message to everyone'), 'Hello room');
    await user.click(screen.getByRole('button', { name: 'Send to everyone' }));
    expect(ws.last('chat')?.data).toEqual({ text: 'Hello room', channel: 'session' });

    ws.receive(ev('chat', 13, { from: 'p2', group: 'g1', channel: 'group', text: 'Yes, ready' }));
    const status = await screen.findByText('New message from Ben Peer (group): Yes, ready');
    expect(status.closest('[role="status"]')).not.toBeNull();
  });

  it('reconnects after the connection drops and resumes from the last event seen', async () => {
    const ws = await join(speakerInPractice());
    ws.receive(ev('hand.raised', 15, { participant: 'p2', raised: true }));
    ws.serverClose(1001, 'going away');
    expect(await screen.findByText('Reconnecting… Your place is kept.')).toBeInTheDocument();
    await vi.waitFor(() => expect(FakeWebSocket.instances).toHaveLength(2));
    const again = FakeWebSocket.latest;
    again.open();
    expect(again.sent[0]).toMatchObject({ type: 'hello', data: { last_seq: 15 } });
    expect(await screen.findByText('Connected to the session')).toBeInTheDocument();
  });

  it('says why it cannot join, and does not retry', async () => {
    fakeApi({ 'GET /me': json(200, person({ id: 'p9' })), 'GET /roleplay/sessions/s1': json(200, info) });
    renderApp('/roleplay/s1/room');
    await vi.waitFor(() => expect(FakeWebSocket.instances).toHaveLength(1));
    FakeWebSocket.latest.open();
    FakeWebSocket.latest.serverClose(4003);
    expect(await screen.findByText("This session is for the people invited to it. You're not on its list.")).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Back to your role-play sessions' })).toHaveAttribute('href', '/roleplay');
    await new Promise((r) => setTimeout(r, 700));
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('does not connect to a session the person is not invited to', async () => {
    fakeApi({
      'GET /me': json(200, person({ id: 'p9' })),
      'GET /roleplay/sessions/s1': apiError(404, 'not_found', 'No such role-play session.'),
    });
    renderApp('/roleplay/s1/room');
    expect(await screen.findByText(/We couldn't find this session/)).toBeInTheDocument();
    expect(FakeWebSocket.instances).toHaveLength(0);
  });

  it('asks the API why when the socket never opens, and stops when refused', async () => {
    let refused = false;
    fakeApi({
      'GET /me': json(200, person({ id: 'p9' })),
      'GET /roleplay/sessions/s1': () =>
        refused ? apiError(403, 'forbidden', 'Not invited.') : json(200, info),
    });
    renderApp('/roleplay/s1/room');
    await vi.waitFor(() => expect(FakeWebSocket.instances).toHaveLength(1));
    refused = true;
    // The upgrade is refused over HTTP: the browser only sees the socket close before it opens.
    for (let i = 1; i <= 3; i++) {
      await vi.waitFor(() => expect(FakeWebSocket.instances).toHaveLength(i), { timeout: 6000 });
      FakeWebSocket.latest.serverClose(1006);
    }
    expect(await screen.findByText("This session is for the people invited to it. You're not on its list.")).toBeInTheDocument();
    const count = FakeWebSocket.instances.length;
    await new Promise((r) => setTimeout(r, 2500));
    expect(FakeWebSocket.instances).toHaveLength(count);
  }, 15000);

  it('announces a new phase once, not every second', async () => {
    const ws = await join(speakerInPractice());
    ws.receive(ev('round.phase', 13, { group: 'g1', round: round({ phase: 'feedback.observer', ends_at: '2099-01-01T00:00:00Z' }) }));
    const said = await screen.findByText(/^Now: Feedback from the observer\./);
    expect(said.closest('[role="status"]')).not.toBeNull();
    expect(screen.getByText(/Feedback now comes from the observer \(Cy Observer\)/)).toBeInTheDocument();
    ws.receive(ev('round.paused', 14, { group: 'g1', round: round({ phase: 'feedback.observer', paused: true, remaining_ms: 50_000 }) }));
    expect(await screen.findByText('The round is paused for your group.')).toBeInTheDocument();
  });

  it('stays disconnected after the session has ended and the connection drops', async () => {
    const ws = await join(traineeSnapshot(ana, { session: 'debrief' }));
    ws.receive(ev('session.ended', 11, { phase: 'ended' }));
    expect(await screen.findByRole('heading', { name: 'This session has ended' })).toBeInTheDocument();
    ws.serverClose(1013, 'try again later');
    expect(await screen.findByText('The session has ended, so the room is no longer connected.')).toBeInTheDocument();
    await new Promise((r) => setTimeout(r, 900));
    expect(FakeWebSocket.instances).toHaveLength(1);
  });
});

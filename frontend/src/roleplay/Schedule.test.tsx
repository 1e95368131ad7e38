import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeApi, held, json, person, renderApp } from '../testing';
import { card, detail } from './testdata';

afterEach(() => {
  vi.unstubAllGlobals();
});

const trainer = person({ name: 'Tomás Reyes', roles: ['trainer'] });
const candidates = {
  people: [
    { id: 'p1', name: 'Sam Okafor' },
    { id: 'p2', name: 'Priya Nair' },
  ],
  teams: [{ id: 'tm1', name: 'Evening crew', member_count: 4 }],
};

function kit(extra: Parameters<typeof fakeApi>[0] = {}) {
  return fakeApi({
    'GET /me': json(200, trainer),
    'GET /roleplay/cards': json(200, { items: [card] }),
    'GET /roleplay/candidates': json(200, candidates),
    ...extra,
  });
}

describe('Schedule', () => {
  it('is not for trainees', async () => {
    const calls = fakeApi({ 'GET /me': json(200, person()) });
    renderApp('/roleplay/new');
    expect(await screen.findByRole('heading', { level: 1, name: "You don't have access to this page" })).toBeInTheDocument();
    expect(calls.some((c) => c.path.startsWith('/roleplay'))).toBe(false);
  });

  it('shows loading, then an error with a way to try again', async () => {
    let fail = true;
    const cards = held(() => (fail ? apiError(500, 'internal', 'Internal error.') : json(200, { items: [card] })));
    fakeApi({
      'GET /me': json(200, trainer),
      'GET /roleplay/cards': cards.reply,
      'GET /roleplay/candidates': json(200, candidates),
    });
    renderApp('/roleplay/new');
    expect(await screen.findByText('Loading scenario cards and people…')).toBeInTheDocument();
    cards.release();
    expect(await screen.findByRole('alert')).toHaveTextContent('Internal error.');
    fail = false;
    await userEvent.setup().click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('checkbox', { name: 'Have you been in here?' })).toBeInTheDocument();
  });

  it('checks the title and start before sending', async () => {
    const calls = kit();
    renderApp('/roleplay/new');
    const user = userEvent.setup();
    await screen.findByRole('heading', { level: 1, name: 'Schedule a role-play session' });
    await user.click(await screen.findByRole('button', { name: 'Schedule and send invitations' }));
    expect(screen.getByLabelText('Title')).toHaveAccessibleDescription('Error: Give the session a title.');
    expect(screen.getByLabelText('Date')).toHaveAttribute('aria-invalid', 'true');
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('shows the API’s field errors on the fields', async () => {
    kit({
      'POST /roleplay/sessions': apiError(400, 'invalid', 'Check the highlighted fields.', {
        duration_minutes: 'A session lasts from 15 minutes to 8 hours (480 minutes).',
        card_ids: 'Choose at least one scenario card.',
        invitees: 'Invite at least one person or team.',
        time_zone: 'Choose a time zone, such as Pacific/Auckland.',
      }),
    });
    renderApp('/roleplay/new');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Title'), 'Boundaries practice');
    await user.type(screen.getByLabelText('Date'), '2026-03-09');
    await user.type(screen.getByLabelText('Start time'), '10:00');
    await user.click(screen.getByRole('button', { name: 'Schedule and send invitations' }));
    const duration = screen.getByLabelText('Length of the session, in minutes');
    await vi.waitFor(() => expect(duration).toHaveAttribute('aria-invalid', 'true'));
    expect(duration).toHaveAccessibleDescription(
      'From 15 to 480. Error: A session lasts from 15 minutes to 8 hours (480 minutes).',
    );
    expect(screen.getByRole('group', { name: 'Scenario cards' })).toHaveAccessibleDescription(
      'Error: Choose at least one scenario card.',
    );
    expect(screen.getByRole('group', { name: 'Who to invite' })).toHaveAccessibleDescription(
      'Error: Invite at least one person or team.',
    );
    expect(screen.getByLabelText('Time zone')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByRole('alert')).toHaveTextContent('Check the highlighted fields.');
  });

  it('schedules a session in the chosen zone and opens its page', async () => {
    const calls = kit({
      'POST /roleplay/sessions': json(201, detail),
      'GET /roleplay/sessions/s1': json(200, detail),
    });
    renderApp('/roleplay/new');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Title'), 'Boundaries practice');
    await user.type(screen.getByLabelText('Date'), '2026-03-09');
    await user.type(screen.getByLabelText('Start time'), '10:00');
    await user.selectOptions(screen.getByLabelText('Time zone'), 'Pacific/Auckland');
    await user.click(screen.getByRole('checkbox', { name: 'Have you been in here?' }));
    await user.click(screen.getByRole('checkbox', { name: 'Evening crew (4 people)' }));
    await user.click(screen.getByRole('checkbox', { name: 'Sam Okafor' }));
    await user.click(screen.getByRole('checkbox', { name: 'Keep a transcript of the chat' }));
    await user.click(screen.getByRole('button', { name: 'Schedule and send invitations' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Boundaries practice' })).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      title: 'Boundaries practice',
      starts_at: '2026-03-08T21:00:00Z',
      time_zone: 'Pacific/Auckland',
      duration_minutes: 90,
      practice_seconds: 600,
      feedback_seconds: 180,
      card_ids: ['RP-01'],
      person_ids: ['p1'],
      team_ids: ['tm1'],
      transcript_allowed: true,
    });
  });
});

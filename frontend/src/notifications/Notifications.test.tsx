import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeApi, json, person, renderApp } from '../testing';
import { notification, preferences } from './testdata';

afterEach(() => {
  vi.unstubAllGlobals();
});

const BELL = 'GET /me/notifications?limit=8';
const empty = () => json(200, { items: [], next_cursor: '', unread_count: 0 });

describe('Notifications page', () => {
  it('lists notifications, pages through older ones and marks all read', async () => {
    const calls = fakeApi({
      'GET /me': json(200, person()),
      [BELL]: empty(),
      'GET /me/notifications?limit=20': json(200, {
        items: [notification()],
        next_cursor: 'c2',
        unread_count: 2,
      }),
      'GET /me/notifications?limit=20&cursor=c2': json(200, {
        items: [notification({ id: 'n2', title: 'Older one', read_at: '2026-11-22T08:00:00Z' })],
        next_cursor: '',
        unread_count: 2,
      }),
      'POST /me/notifications/read': json(200, { unread_count: 0 }),
    });
    renderApp('/notifications');
    expect(await screen.findByRole('heading', { level: 1, name: 'Notifications' })).toBeInTheDocument();
    expect(document.title).toBe('Notifications · Peerpath');
    expect(await screen.findByRole('link', { name: 'Holding boundaries' })).toHaveAttribute('href', '/learn/boundaries');
    expect(screen.getByText('2 unread.')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Show older notifications' }));
    expect(await screen.findByRole('heading', { level: 2, name: 'Older one' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Show older notifications' })).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Mark all as read' }));
    expect(await screen.findByRole('status')).toHaveTextContent('All notifications are marked as read.');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ all: true });
  });

  it('says when there is nothing yet', async () => {
    fakeApi({ 'GET /me': json(200, person()), [BELL]: empty(), 'GET /me/notifications?limit=20': empty() });
    renderApp('/notifications');
    expect(await screen.findByText(/You have no notifications yet/)).toBeInTheDocument();
  });

  it('offers to try again after an error', async () => {
    fakeApi({
      'GET /me': json(200, person()),
      [BELL]: empty(),
      'GET /me/notifications?limit=20': apiError(503, 'unavailable', 'Peerpath is busy.'),
    });
    renderApp('/notifications');
    expect(await screen.findByText('Peerpath is busy.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });
});

describe('Reminder settings', () => {
  it('shows required reminders locked on and saves the optional ones', async () => {
    const calls = fakeApi({
      'GET /me': json(200, person()),
      [BELL]: empty(),
      'GET /me/notification-preferences': json(200, { preferences: preferences() }),
      'PUT /me/notification-preferences': json(200, { preferences: preferences(['roleplay_tomorrow']) }),
    });
    renderApp('/notifications/settings');
    expect(await screen.findByRole('heading', { level: 1, name: 'Reminder settings' })).toBeInTheDocument();
    const required = await screen.findByRole('checkbox', { name: /Training coming due/ });
    expect(required).toBeChecked();
    expect(required).toBeDisabled();
    expect(screen.getByRole('checkbox', { name: /Training coming due/ })).toHaveAccessibleName(
      'Training coming due (always on: required training)',
    );
    const roleplay = screen.getByRole('checkbox', { name: 'Role-play sessions tomorrow' });
    expect(roleplay).toBeEnabled();
    await userEvent.click(roleplay);
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Your reminder settings are saved.');
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({
      preferences: { roleplay_tomorrow: false, certificate_expiring: true },
    });
    expect(screen.getByRole('checkbox', { name: 'Role-play sessions tomorrow' })).not.toBeChecked();
  });

  it('shows the reason a change was refused', async () => {
    fakeApi({
      'GET /me': json(200, person()),
      [BELL]: empty(),
      'GET /me/notification-preferences': json(200, { preferences: preferences() }),
      'PUT /me/notification-preferences': apiError(400, 'invalid', 'Check the highlighted fields.', {
        'preferences.assignment_due': "This reminder can't be turned off.",
      }),
    });
    renderApp('/notifications/settings');
    await userEvent.click(await screen.findByRole('button', { name: 'Save settings' }));
    expect(await screen.findByRole('alert')).toHaveTextContent("This reminder can't be turned off.");
  });
});

describe('Unsubscribe', () => {
  it('turns off optional reminders with one click, without signing in, and says what still comes', async () => {
    const calls = fakeApi({
      'GET /me': apiError(401, 'unauthorized', 'Please sign in.'),
      'GET /unsubscribe/TOKEN': json(200, { preferences: preferences() }),
      'POST /unsubscribe/TOKEN': json(200, { preferences: preferences(['roleplay_tomorrow', 'certificate_expiring']) }),
    });
    renderApp('/unsubscribe/TOKEN');
    expect(await screen.findByRole('heading', { level: 1, name: 'Stop optional reminders' })).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Turn off optional reminders' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Optional reminders turned off' })).toBeInTheDocument();
    expect(document.title).toBe('Optional reminders turned off · Peerpath');
    expect(screen.getByRole('status')).toHaveTextContent("You won't get optional reminders any more.");
    const still = screen.getByRole('region', { name: 'What still comes' });
    const items = within(still)
      .getAllByRole('listitem')
      .filter((li) => li.querySelector('strong'))
      .map((li) => li.querySelector('strong')?.textContent);
    expect(items).toEqual([
      'Training coming due',
      'Overdue training',
      'Required certificates to renew',
      "Your team's overdue training",
    ]);
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual(['/unsubscribe/TOKEN']);
  });

  it('explains a link that no longer works', async () => {
    fakeApi({
      'GET /me': apiError(401, 'unauthorized', 'Please sign in.'),
      'GET /unsubscribe/OLD': apiError(404, 'not_found', 'This link is not valid any more.'),
    });
    renderApp('/unsubscribe/OLD');
    expect(await screen.findByRole('heading', { level: 1, name: "This link doesn't work any more" })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'your reminder settings' })).toHaveAttribute('href', '/notifications/settings');
  });
});

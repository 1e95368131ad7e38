import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, json, person, renderApp } from '../testing';
import { notification } from './testdata';

afterEach(() => {
  vi.unstubAllGlobals();
});

const LIST = 'GET /me/notifications?limit=8';

function page(unread: number) {
  return json(200, {
    items: [
      notification(),
      notification({ id: 'n2', title: 'Sharing your story', link: '/learn/story', body: 'Due in 7 days.' }),
      notification({ id: 'n3', title: 'Old news', read_at: '2026-11-20T08:00:00Z' }),
    ],
    next_cursor: '',
    unread_count: unread,
  });
}

describe('Bell', () => {
  it('says how many notifications are unread in its accessible name', async () => {
    fakeApi({ 'GET /me': json(200, person()), [LIST]: page(3) });
    renderApp('/');
    expect(await screen.findByRole('button', { name: 'Notifications, 3 unread' })).toBeInTheDocument();
  });

  it('says none are unread', async () => {
    fakeApi({ 'GET /me': json(200, person()), [LIST]: json(200, { items: [], next_cursor: '', unread_count: 0 }) });
    renderApp('/');
    const bell = await screen.findByRole('button', { name: 'Notifications, none unread' });
    await userEvent.click(bell);
    expect(await screen.findByText(/Nothing new/)).toBeInTheDocument();
  });

  it('opens a list with links, and Escape closes it and returns focus', async () => {
    fakeApi({ 'GET /me': json(200, person()), [LIST]: page(2) });
    renderApp('/');
    const bell = await screen.findByRole('button', { name: 'Notifications, 2 unread' });
    expect(bell).toHaveAttribute('aria-expanded', 'false');
    await userEvent.click(bell);
    expect(bell).toHaveAttribute('aria-expanded', 'true');
    const panel = await screen.findByRole('region', { name: 'Notifications' });
    expect(within(panel).getByRole('link', { name: 'Holding boundaries' })).toHaveAttribute('href', '/learn/boundaries');
    expect(within(panel).getByRole('link', { name: 'See all notifications' })).toHaveAttribute('href', '/notifications');
    expect(within(panel).getAllByText('(new)')).toHaveLength(2);

    within(panel).getByRole('link', { name: 'Holding boundaries' }).focus();
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('region', { name: 'Notifications' })).not.toBeInTheDocument();
    expect(bell).toHaveFocus();
    expect(bell).toHaveAttribute('aria-expanded', 'false');
  });

  it('marks all as read', async () => {
    const calls = fakeApi({
      'GET /me': json(200, person()),
      [LIST]: page(2),
      'POST /me/notifications/read': json(200, { unread_count: 0 }),
    });
    renderApp('/');
    await userEvent.click(await screen.findByRole('button', { name: 'Notifications, 2 unread' }));
    await userEvent.click(await screen.findByRole('button', { name: 'Mark all as read' }));
    expect(await screen.findByRole('button', { name: 'Notifications, none unread' })).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ all: true });
  });

  it('marks a notification read when its link is followed', async () => {
    const calls = fakeApi({
      'GET /me': json(200, person()),
      [LIST]: page(2),
      'POST /me/notifications/read': json(200, { unread_count: 1 }),
    });
    renderApp('/');
    await userEvent.click(await screen.findByRole('button', { name: 'Notifications, 2 unread' }));
    await userEvent.click(await screen.findByRole('link', { name: 'Sharing your story' }));
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ ids: ['n2'] });
    expect(screen.queryByRole('region', { name: 'Notifications' })).not.toBeInTheDocument();
  });

  it('stays quiet when notifications cannot load', async () => {
    fakeApi({ 'GET /me': json(200, person()) });
    renderApp('/');
    expect(await screen.findByRole('button', { name: 'Notifications' })).toBeInTheDocument();
  });

  it('is not shown to someone without an organisation', async () => {
    fakeApi({ 'GET /me': json(200, person({ organisation: null, operator: true, roles: [] })) });
    renderApp('/');
    expect(await screen.findByRole('button', { name: 'Sign out' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Notifications/ })).not.toBeInTheDocument();
  });
});

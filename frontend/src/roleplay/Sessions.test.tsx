import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeApi, json, person, renderApp } from '../testing';
import { summary } from './testdata';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('Sessions', () => {
  it('shows both empty states, with no scheduling link for a trainee', async () => {
    fakeApi({
      'GET /me': json(200, person()),
      'GET /roleplay/sessions?when=upcoming': json(200, { items: [], next_cursor: '' }),
      'GET /roleplay/sessions?when=past': json(200, { items: [], next_cursor: '' }),
    });
    renderApp('/roleplay');
    expect(await screen.findByRole('heading', { level: 1, name: 'Role-play practice' })).toBeInTheDocument();
    expect(await screen.findByText(/Nothing planned yet/)).toBeInTheDocument();
    expect(await screen.findByText(/will be listed here afterwards/)).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Schedule a session' })).toBeNull();
    expect(document.title).toBe('Role-play · Peerpath');
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Role-play' })).toHaveAttribute('href', '/roleplay');
  });

  it('lists sessions, pages on, and offers scheduling to a trainer', async () => {
    const second = { ...summary, id: 's2', title: 'Second practice', you_are: 'trainer' as const };
    fakeApi({
      'GET /me': json(200, person({ roles: ['trainer'] })),
      'GET /roleplay/sessions?when=upcoming': json(200, { items: [summary], next_cursor: 'c1' }),
      'GET /roleplay/sessions?when=upcoming&cursor=c1': json(200, { items: [second], next_cursor: '' }),
      'GET /roleplay/sessions?when=past': json(200, { items: [], next_cursor: '' }),
    });
    renderApp('/roleplay');
    const user = userEvent.setup();
    expect(await screen.findByRole('link', { name: 'Boundaries practice' })).toHaveAttribute('href', '/roleplay/s1');
    expect(screen.getByRole('link', { name: 'Schedule a session' })).toHaveAttribute('href', '/roleplay/new');
    expect(screen.getByText(/3 people invited/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Show more upcoming sessions' }));
    expect(await screen.findByRole('link', { name: 'Second practice' })).toBeInTheDocument();
    expect(screen.getByText(/You are running it/)).toBeInTheDocument();
  });

  it('shows an error with a way to try again', async () => {
    let fail = true;
    fakeApi({
      'GET /me': json(200, person()),
      'GET /roleplay/sessions?when=upcoming': () =>
        fail ? apiError(503, 'unavailable', 'The service is briefly unavailable.') : json(200, { items: [summary] }),
      'GET /roleplay/sessions?when=past': json(200, { items: [] }),
    });
    renderApp('/roleplay');
    const user = userEvent.setup();
    expect(await screen.findByRole('alert')).toHaveTextContent('The service is briefly unavailable.');
    fail = false;
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('link', { name: 'Boundaries practice' })).toBeInTheDocument();
  });
});

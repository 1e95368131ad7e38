import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeApi, json, person, renderApp } from '../testing';
import { detail } from './testdata';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const pending = (() => new Promise(() => {})) as unknown as () => Response;

describe('Session', () => {
  it('shows loading while the session comes', async () => {
    fakeApi({ 'GET /me': json(200, person()), 'GET /roleplay/sessions/s1': pending });
    renderApp('/roleplay/s1');
    expect(await screen.findByText('Loading the session…')).toBeInTheDocument();
  });

  it('shows when, who and the shared scenario with its warning, and the calendar file', async () => {
    fakeApi({ 'GET /me': json(200, person()), 'GET /roleplay/sessions/s1': json(200, detail) });
    renderApp('/roleplay/s1');
    expect(await screen.findByRole('heading', { level: 1, name: 'Boundaries practice' })).toBeInTheDocument();
    expect(document.title).toBe('Boundaries practice · Peerpath');
    expect(screen.getByText('Tomás Reyes')).toBeInTheDocument();
    expect(screen.getByText('Priya Nair')).toBeInTheDocument();
    expect(screen.getByText(/Jordan, 24, came into an inpatient unit/)).toBeInTheDocument();
    expect(screen.getByText(/Involuntary treatment and distress/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Add to calendar (.ics file)' })).toHaveAttribute(
      'href',
      '/api/v1/roleplay/sessions/s1.ics',
    );
    expect(screen.queryByRole('link', { name: 'Join the session' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Cancel this session' })).toBeNull();
  });

  it('offers the room from the lobby on, and the debrief afterwards', async () => {
    fakeApi({ 'GET /me': json(200, person()), 'GET /roleplay/sessions/s1': json(200, { ...detail, state: 'lobby' }) });
    const { unmount } = renderApp('/roleplay/s1');
    expect(await screen.findByRole('link', { name: 'Join the session' })).toHaveAttribute('href', '/roleplay/s1/room');
    unmount();
    fakeApi({ 'GET /me': json(200, person()), 'GET /roleplay/sessions/s1': json(200, { ...detail, state: 'ended' }) });
    renderApp('/roleplay/s1');
    expect(await screen.findByRole('link', { name: 'See the debrief' })).toHaveAttribute('href', '/roleplay/s1/debrief');
  });

  it('lets the trainer cancel before it starts', async () => {
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    fakeApi({
      'GET /me': json(200, person({ roles: ['trainer'] })),
      'GET /roleplay/sessions/s1': json(200, { ...detail, you_are: 'trainer' }),
      'POST /roleplay/sessions/s1/cancel': json(200, { ...detail, you_are: 'trainer', state: 'cancelled' }),
    });
    renderApp('/roleplay/s1');
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Cancel this session' }));
    expect(await screen.findByText(/The session is cancelled/)).toBeInTheDocument();
    expect(screen.getByText('Cancelled')).toBeInTheDocument();
  });

  it('says not found for a session the reader is not part of', async () => {
    fakeApi({
      'GET /me': json(200, person()),
      'GET /roleplay/sessions/s9': apiError(404, 'not_found', "We couldn't find that role-play session."),
    });
    renderApp('/roleplay/s9');
    expect(await screen.findByRole('heading', { level: 1, name: 'Page not found' })).toBeInTheDocument();
  });

  it('shows other errors with a way to try again', async () => {
    fakeApi({
      'GET /me': json(200, person()),
      'GET /roleplay/sessions/s1': apiError(503, 'unavailable', 'The service is briefly unavailable.'),
    });
    renderApp('/roleplay/s1');
    expect(await screen.findByRole('alert')).toHaveTextContent('The service is briefly unavailable.');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });
});

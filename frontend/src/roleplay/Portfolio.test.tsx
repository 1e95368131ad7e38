import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeApi, json, person, renderApp } from '../testing';
import { feedback } from './testdata';

afterEach(() => {
  vi.unstubAllGlobals();
});

const practice = {
  session_id: 's1',
  session_title: 'Boundaries practice',
  round: 2,
  group_id: 'g1',
  seat: 'peer_worker',
  started_at: '2026-03-08T21:30:00Z',
  card: { id: 'RP-01', title: 'Have you been in here?' },
  feedback: feedback.rows,
};

describe('Portfolio', () => {
  it('shows loading, then the empty state', async () => {
    fakeApi({ 'GET /me': json(200, person()), 'GET /me/roleplay/portfolio': json(200, { items: [], next_cursor: '' }) });
    renderApp('/roleplay/portfolio');
    expect(await screen.findByRole('heading', { level: 1, name: 'My practice portfolio' })).toBeInTheDocument();
    expect(await screen.findByText(/No practice yet/)).toBeInTheDocument();
    expect(document.title).toBe('My practice portfolio · Peerpath');
  });

  it('lists rounds with the role held, the scenario and the feedback, and pages on', async () => {
    fakeApi({
      'GET /me': json(200, person()),
      'GET /me/roleplay/portfolio': json(200, { items: [practice], next_cursor: 'c1' }),
      'GET /me/roleplay/portfolio?cursor=c1': json(200, {
        items: [{ ...practice, round: 1, seat: 'observer', feedback: [] }],
        next_cursor: '',
      }),
    });
    renderApp('/roleplay/portfolio');
    expect(await screen.findByRole('heading', { level: 2, name: 'Boundaries practice, round 2' })).toBeInTheDocument();
    expect(screen.getByText(/Your role: Peer worker · Scenario: Have you been in here\?/)).toBeInTheDocument();
    expect(screen.getByText('You kept the focus on Jordan.')).toBeInTheDocument();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Show earlier practice' }));
    expect(await screen.findByRole('heading', { level: 2, name: 'Boundaries practice, round 1' })).toBeInTheDocument();
    expect(screen.getByText(/Your role: Observer/)).toBeInTheDocument();
  });

  it('shows errors', async () => {
    fakeApi({ 'GET /me': json(200, person()), 'GET /me/roleplay/portfolio': apiError(500, 'internal', 'Internal error.') });
    renderApp('/roleplay/portfolio');
    expect(await screen.findByRole('alert')).toHaveTextContent('Internal error.');
  });
});

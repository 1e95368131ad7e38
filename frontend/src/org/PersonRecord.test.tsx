import { screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeApi, json, person, renderApp } from '../testing';
import type { PersonRecord } from './api-d3';

afterEach(() => {
  vi.unstubAllGlobals();
});

const manager = person({ id: 'm1', name: 'Mere Manager', roles: ['manager'] });

const record: PersonRecord = {
  person: { id: 'p2', name: 'Sam Okafor', email: 'sam@riverside.example', active: true, teams: ['North team'] },
  assignments: [
    {
      person_id: 'p2',
      name: 'Sam Okafor',
      email: 'sam@riverside.example',
      teams: ['North team'],
      course: 'holding-boundaries',
      course_title: 'Holding boundaries',
      status: 'expired',
      due_at: null,
      completed_at: '2025-01-10T00:00:00Z',
      expires_at: '2026-01-10T00:00:00Z',
    },
  ],
  courses: [
    {
      course: 'holding-boundaries',
      title: 'Holding boundaries',
      version: 1,
      started_at: '2025-01-01T00:00:00Z',
      completed_at: '2025-01-10T00:00:00Z',
      modules: [
        { slug: 'why', title: 'Why boundaries matter', completed_at: '2025-01-02T00:00:00Z' },
        { slug: 'saying-no', title: 'Saying no kindly', completed_at: null },
      ],
    },
  ],
  attempts: [
    {
      quiz: 'holding-boundaries.check',
      course: 'holding-boundaries',
      number: 1,
      started_at: '2025-01-09T00:00:00Z',
      submitted_at: '2025-01-09T00:10:00Z',
      score: 85,
      passed: true,
      timed_out: false,
    },
  ],
  roleplay: {
    seats: [
      {
        session_id: 's1',
        session_title: 'Boundaries practice',
        round: 1,
        seat: 'peer_worker',
        card: 'RP-01',
        started_at: '2025-01-05T00:00:00Z',
      },
    ],
    feedback: [
      {
        session_id: 's1',
        session_title: 'Boundaries practice',
        round: 1,
        from_seat: 'observer',
        scores: { 'warm-tone': 3 },
        submitted_at: '2025-01-05T00:20:00Z',
      },
    ],
  },
  certificates: [
    {
      id: 'c1',
      number: 'PP-2025-0001',
      course: 'holding-boundaries',
      course_title: 'Holding boundaries',
      cycle: 1,
      issued_at: '2025-01-10T00:00:00Z',
      expires_at: '2026-01-10T00:00:00Z',
      revoked_at: null,
      status: 'expired',
    },
  ],
};

describe('Person record', () => {
  it('shows modules, attempts with scores, role-play practice and certificates', async () => {
    fakeApi({ 'GET /me': json(200, manager), 'GET /org/people/p2/record': json(200, record) });
    renderApp('/org/people/p2/record');
    expect(screen.getByText('Loading…')).toBeInTheDocument();
    expect(await screen.findByRole('heading', { level: 1, name: 'Training record: Sam Okafor' })).toBeInTheDocument();
    expect(document.title).toBe('Training record: Sam Okafor · Peerpath');
    const assigned = screen.getByRole('table', { name: 'Assigned training and its status' });
    expect(within(assigned).getByText('Expired')).toBeInTheDocument();
    expect(screen.getByText(/Saying no kindly/)).toHaveTextContent('not done yet');
    const attempts = screen.getByRole('table', { name: 'Quiz attempts with their scores' });
    expect(within(attempts).getByText('85%')).toBeInTheDocument();
    expect(within(attempts).getByText('Passed')).toBeInTheDocument();
    expect(screen.getByRole('table', { name: 'Role-play rounds taken part in' })).toHaveTextContent('Peer worker');
    expect(screen.getByText('warm tone: 3 of 4')).toBeInTheDocument();
    expect(screen.getByRole('table', { name: 'Certificates issued' })).toHaveTextContent('PP-2025-0001');
    expect(screen.getByText(/Reflections, role-play chat and written feedback/)).toBeInTheDocument();
  });

  it('answers not found for someone the caller may not see', async () => {
    fakeApi({
      'GET /me': json(200, manager),
      'GET /org/people/p9/record': apiError(404, 'not_found', 'There is no such person.'),
    });
    renderApp('/org/people/p9/record');
    expect(await screen.findByRole('heading', { level: 1, name: 'Page not found' })).toBeInTheDocument();
  });

  it('shows an error when the record cannot load', async () => {
    fakeApi({ 'GET /me': json(200, manager), 'GET /org/people/p2/record': apiError(503, 'unavailable', 'Down for a moment.') });
    renderApp('/org/people/p2/record');
    expect(await screen.findByRole('alert')).toHaveTextContent('Down for a moment.');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });

  it('shows empty sections for someone with no history', async () => {
    fakeApi({
      'GET /me': json(200, manager),
      'GET /org/people/p2/record': json(200, {
        ...record,
        assignments: [],
        courses: [],
        attempts: [],
        roleplay: { seats: [], feedback: [] },
        certificates: [],
      }),
    });
    renderApp('/org/people/p2/record');
    expect(await screen.findByText('No training is assigned to Sam Okafor.')).toBeInTheDocument();
    expect(screen.getByText('No quiz attempts yet.')).toBeInTheDocument();
    expect(screen.getByText('No certificates yet.')).toBeInTheDocument();
  });
});

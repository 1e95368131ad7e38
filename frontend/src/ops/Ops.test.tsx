import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeApi, json, person, renderApp } from '../testing';

afterEach(() => {
  vi.unstubAllGlobals();
});

const operator = person({ organisation: null, operator: true, roles: [], name: 'Olu Operator' });

const queue = {
  name: 'default',
  size: 4,
  pending: 1,
  active: 0,
  scheduled: 0,
  retry: 1,
  archived: 2,
  completed: 0,
  processed_today: 40,
  failed_today: 3,
  latency_seconds: 2.4,
  paused: false,
};

describe('Job queues', () => {
  it('shows each queue and its archived tasks, without their contents', async () => {
    const calls = fakeApi({
      'GET /me': json(200, operator),
      'GET /ops/queues': json(200, { queues: [queue] }),
      'GET /ops/queues/default/archived?limit=50': json(200, {
        items: [
          {
            id: 'outbox:12',
            type: 'email:send',
            last_error: 'smtp send: connection refused',
            failed_at: '2026-11-23T08:00:00Z',
            retried: 15,
            max_retry: 15,
          },
        ],
        next_cursor: '',
      }),
    });
    renderApp('/ops');
    expect(await screen.findByRole('heading', { level: 1, name: 'Job queues' })).toBeInTheDocument();
    expect(document.title).toBe('Job queues · Peerpath');
    const table = await screen.findByRole('table', { name: 'Tasks in each queue, by state' });
    const row = within(table).getByRole('row', { name: /default/ });
    expect(within(row).getByRole('rowheader')).toHaveTextContent('default');
    expect(screen.getByRole('link', { name: 'Job queues' })).toHaveAttribute('href', '/ops');

    await userEvent.click(within(row).getByRole('button', { name: 'Show archived tasks in default' }));
    expect(await screen.findByRole('heading', { level: 2, name: 'Archived tasks in default' })).toBeInTheDocument();
    expect(screen.getByText('smtp send: connection refused')).toBeInTheDocument();
    expect(screen.getByText('15 of 15')).toBeInTheDocument();
    expect(calls.every((c) => c.method === 'GET')).toBe(true);
  });

  it('is not there for people who are not operators', async () => {
    const calls = fakeApi({ 'GET /me': json(200, person({ roles: ['org_admin'] })) });
    renderApp('/ops');
    expect(await screen.findByRole('heading', { level: 1, name: 'Page not found' })).toBeInTheDocument();
    expect(calls.some((c) => c.path.startsWith('/ops'))).toBe(false);
    expect(screen.queryByRole('link', { name: 'Job queues' })).not.toBeInTheDocument();
  });

  it('says when the queue cannot be read', async () => {
    fakeApi({
      'GET /me': json(200, operator),
      'GET /ops/queues': apiError(503, 'unavailable', 'The job queue (Redis) is not answering.'),
    });
    renderApp('/ops');
    expect(await screen.findByRole('alert')).toHaveTextContent('The job queue (Redis) is not answering.');
  });
});

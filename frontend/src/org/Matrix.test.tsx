import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeApi, json, person, renderApp } from '../testing';
import type { Charts, Matrix, MatrixRow } from './api-d3';
import { niceMax } from './charts';

afterEach(() => {
  vi.unstubAllGlobals();
});

const admin = person({ id: 'a1', name: 'Aroha Ngata', roles: ['org_admin'] });

const overdueRow: MatrixRow = {
  person_id: 'p2',
  name: 'Sam Okafor',
  email: 'sam@riverside.example',
  teams: ['North team'],
  kind: 'course',
  course: 'holding-boundaries',
  training_type_id: null,
  course_title: 'Holding boundaries',
  status: 'overdue',
  due_at: '2026-02-20T00:00:00Z',
  completed_at: null,
  expires_at: null,
};
const doneRow: MatrixRow = {
  ...overdueRow,
  person_id: 'p3',
  name: 'Tia Brown',
  email: 'tia@riverside.example',
  status: 'completed',
  due_at: null,
  completed_at: '2026-02-10T00:00:00Z',
  expires_at: '2027-02-10T00:00:00Z',
};

function matrix(items: MatrixRow[], next = ''): Matrix {
  return {
    items,
    next_cursor: next,
    total: items.length,
    courses: [
      {
        course: 'holding-boundaries',
        title: 'Holding boundaries',
        total: 2,
        counts: { overdue: 1, completed: 1 },
      },
    ],
    training_types: [],
    teams: [{ id: 't1', name: 'North team', total: 2, counts: { overdue: 1, completed: 1 } }],
  };
}

const charts: Charts = {
  completions_per_week: [
    { week_start: '2026-02-16', completions: 0 },
    { week_start: '2026-02-23', completions: 3 },
  ],
  overdue_by_team: [{ id: 't1', name: 'North team', overdue: 1, total: 2 }],
};

function base() {
  return {
    'GET /me': json(200, admin),
    'GET /org/charts': json(200, charts),
    'GET /org/teams?limit=100': json(200, { items: [{ id: 't1', name: 'North team' }], next_cursor: '' }),
    'GET /courses': json(200, { assigned: [], catalogue: [{ slug: 'holding-boundaries', title: 'Holding boundaries' }] }),
  };
}

describe('Completion matrix', () => {
  it('refuses trainees without calling the organisation API', async () => {
    const calls = fakeApi({ 'GET /me': json(200, person({ roles: ['trainee'] })) });
    renderApp('/org/completion');
    expect(await screen.findByRole('heading', { level: 1, name: "You don't have access to this page" })).toBeInTheDocument();
    expect(calls.some((c) => c.path.startsWith('/org/'))).toBe(false);
  });

  it('shows loading, then people with status in words, totals, charts and a person link', async () => {
    fakeApi({ ...base(), 'GET /org/completion': json(200, matrix([overdueRow, doneRow])) });
    renderApp('/org/completion');
    expect(screen.getByText('Loading…')).toBeInTheDocument();
    const table = await screen.findByRole('table', { name: 'Assigned training for each person' });
    const sam = within(table).getByRole('rowheader', { name: /Sam Okafor/ });
    const samRow = sam.closest('tr');
    expect(samRow).not.toBeNull();
    expect(within(samRow as HTMLElement).getByText('Overdue')).toBeInTheDocument();
    expect(within(sam).getByRole('link', { name: 'Sam Okafor' })).toHaveAttribute('href', '/org/people/p2/record');
    expect(screen.getByRole('table', { name: 'By training' })).toBeInTheDocument();
    expect(screen.getByRole('table', { name: 'By team' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Audit report for Holding boundaries' })).toHaveAttribute(
      'href',
      '/org/report/holding-boundaries',
    );
    const chart = await screen.findByRole('img', { name: /Completions per week/ });
    expect(chart).toHaveAccessibleName(/3 completions in the 2 weeks/);
    expect(screen.getByRole('img', { name: /Overdue training by team/ })).toBeInTheDocument();
    expect(screen.getByText('Show completions per week as a table')).toBeInTheDocument();
  });

  it('puts filters in the request, the address and the CSV link', async () => {
    const calls = fakeApi({
      ...base(),
      'GET /org/completion': json(200, matrix([overdueRow, doneRow])),
      'GET /org/completion?team=t1&status=overdue&sort=due': json(200, matrix([overdueRow])),
    });
    renderApp('/org/completion');
    const user = userEvent.setup();
    await screen.findByRole('table', { name: 'Assigned training for each person' });
    await screen.findByRole('option', { name: 'North team' });
    await user.selectOptions(screen.getByLabelText('Team'), 't1');
    await user.selectOptions(screen.getByLabelText('Status'), 'overdue');
    await user.selectOptions(screen.getByLabelText('Sort by'), 'due');
    await user.click(screen.getByRole('button', { name: 'Show' }));
    await vi.waitFor(() =>
      expect(calls.some((c) => c.path === '/org/completion?team=t1&status=overdue&sort=due')).toBe(true),
    );
    await vi.waitFor(() => expect(screen.queryByRole('rowheader', { name: /Tia Brown/ })).toBeNull());
    expect(screen.getByRole('link', { name: /Download CSV/ })).toHaveAttribute(
      'href',
      '/api/v1/org/completion.csv?team=t1&status=overdue&sort=due',
    );
  });

  it('reads filters from the address on arrival', async () => {
    const calls = fakeApi({ ...base(), 'GET /org/completion?status=expired': json(200, matrix([])) });
    renderApp('/org/completion?status=expired');
    expect(await screen.findByText(/Nothing matches these filters/)).toBeInTheDocument();
    expect(calls.some((c) => c.path === '/org/completion?status=expired')).toBe(true);
    expect(screen.getByLabelText('Status')).toHaveValue('expired');
  });

  it('says when nothing is assigned yet', async () => {
    fakeApi({ ...base(), 'GET /org/completion': json(200, { ...matrix([]), courses: [], teams: [] }) });
    renderApp('/org/completion');
    expect(await screen.findByText(/No training has been assigned yet/)).toBeInTheDocument();
  });

  it('pages forward with the cursor and back again', async () => {
    const calls = fakeApi({
      ...base(),
      'GET /org/completion': json(200, matrix([overdueRow], 'c2')),
      'GET /org/completion?cursor=c2': json(200, matrix([doneRow])),
    });
    renderApp('/org/completion');
    const user = userEvent.setup();
    await screen.findByRole('rowheader', { name: /Sam Okafor/ });
    await user.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByRole('rowheader', { name: /Tia Brown/ })).toBeInTheDocument();
    expect(calls.some((c) => c.path === '/org/completion?cursor=c2')).toBe(true);
    await user.click(screen.getByRole('button', { name: 'Previous page' }));
    expect(await screen.findByRole('rowheader', { name: /Sam Okafor/ })).toBeInTheDocument();
  });

  it('shows an error with a way to try again', async () => {
    let fail = true;
    fakeApi({
      ...base(),
      'GET /org/completion': () =>
        fail ? apiError(400, 'invalid', 'That status is not one we know.') : json(200, matrix([overdueRow])),
    });
    renderApp('/org/completion');
    const user = userEvent.setup();
    expect(await screen.findByRole('alert')).toHaveTextContent('That status is not one we know.');
    fail = false;
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('rowheader', { name: /Sam Okafor/ })).toBeInTheDocument();
  });

  it('has no axe violations', async () => {
    fakeApi({ ...base(), 'GET /org/completion': json(200, matrix([overdueRow, doneRow])) });
    const { container } = renderApp('/org/completion');
    await screen.findByRole('table', { name: 'Assigned training for each person' });
    await screen.findByRole('img', { name: /Completions per week/ });
    const result = await axe.run(container, { rules: { 'color-contrast': { enabled: false } } });
    expect(result.violations.map((v) => v.id)).toEqual([]);
  });
});

describe('niceMax', () => {
  it.each([
    [0, 4],
    [3, 4],
    [9, 12],
    [40, 40],
    [101, 120],
    [1234, 1400],
  ])('rounds %i up to %i', (got, want) => {
    expect(niceMax(got)).toBe(want);
  });
});

describe('Completion matrix with external training', () => {
  const firstAid: MatrixRow = {
    ...overdueRow,
    kind: 'external',
    course: '',
    training_type_id: 'tt1',
    course_title: 'First aid',
    status: 'due_soon',
    completed_at: '2025-03-20T00:00:00Z',
    expires_at: '2026-03-20T00:00:00Z',
    due_at: '2026-03-20T00:00:00Z',
  };
  const withTraining = (items: MatrixRow[]): Matrix => ({
    ...matrix(items),
    training_types: [{ id: 'tt1', name: 'First aid', total: 2, counts: { due_soon: 1, not_started: 1 } }],
  });

  it('shows external training beside courses, its own totals, and filters by it', async () => {
    const calls = fakeApi({
      ...base(),
      'GET /org/training-types': json(200, {
        items: [{ id: 'tt1', name: 'First aid', validity_months: 12, record_count: 1, created_at: '2026-01-01T00:00:00Z' }],
        next_cursor: '',
      }),
      'GET /org/completion': json(200, withTraining([overdueRow, firstAid])),
      'GET /org/completion?training_type=tt1': json(200, withTraining([firstAid])),
    });
    renderApp('/org/completion');
    const user = userEvent.setup();
    const table = await screen.findByRole('table', { name: 'Assigned training for each person' });
    const cell = within(table).getByText('First aid').closest('tr') as HTMLElement;
    expect(within(cell).getByText('External training')).toBeInTheDocument();
    expect(within(cell).getByText('Due soon')).toBeInTheDocument();
    // A day of external training is that day wherever the reader is.
    const expires = cell.querySelector('td[data-label="Expires"] time');
    expect(expires).toHaveAttribute('dateTime', '2026-03-20');
    const day = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
    expect(expires).toHaveTextContent(day.format(new Date('2026-03-20T00:00:00Z')));
    const totals = screen.getByRole('table', { name: 'By external training' });
    expect(within(totals).getByRole('rowheader', { name: 'First aid' })).toBeInTheDocument();

    const training = screen.getByLabelText('Training');
    const group = await within(training).findByRole('group', { name: 'External training' });
    expect(within(group).getByRole('option', { name: 'First aid' })).toBeInTheDocument();
    await user.selectOptions(training, 'type:tt1');
    await user.click(screen.getByRole('button', { name: 'Show' }));
    await vi.waitFor(() => expect(calls.some((c) => c.path === '/org/completion?training_type=tt1')).toBe(true));
    await vi.waitFor(() => expect(screen.queryByRole('rowheader', { name: /Sam Okafor/ })).not.toBeNull());
    expect(screen.getByRole('link', { name: /Download CSV/ })).toHaveAttribute(
      'href',
      '/api/v1/org/completion.csv?training_type=tt1',
    );
    expect(screen.getByLabelText('Training')).toHaveValue('type:tt1');

    // Choosing a course again drops the training type.
    await user.selectOptions(screen.getByLabelText('Training'), 'holding-boundaries');
    await user.click(screen.getByRole('button', { name: 'Show' }));
    await vi.waitFor(() => expect(calls.some((c) => c.path === '/org/completion?course=holding-boundaries')).toBe(true));
  });
});

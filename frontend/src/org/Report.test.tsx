import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeApi, held, json, person, renderApp } from '../testing';
import type { CourseReport } from './api-d3';

afterEach(() => {
  vi.unstubAllGlobals();
});

const admin = person({ id: 'a1', name: 'Aroha Ngata', roles: ['org_admin'] });

const report: CourseReport = {
  course: { slug: 'holding-boundaries', title: 'Holding boundaries', version: 2 },
  organisation: 'Riverside Peer Network',
  generated_at: '2026-03-02T09:00:00Z',
  scope: 'organisation',
  totals: { completed: 1, overdue: 1 },
  rows: [
    {
      person_id: 'p2',
      name: 'Sam Okafor',
      email: 'sam@riverside.example',
      teams: ['North team'],
      kind: 'course',
      course: 'holding-boundaries',
      training_type_id: null,
      course_title: 'Holding boundaries',
      status: 'completed',
      due_at: null,
      completed_at: '2026-02-10T00:00:00Z',
      expires_at: null,
      certificate_number: 'PP-2026-0007',
    },
    {
      person_id: 'p3',
      name: 'Tia Brown',
      email: 'tia@riverside.example',
      teams: [],
      kind: 'course',
      course: 'holding-boundaries',
      training_type_id: null,
      course_title: 'Holding boundaries',
      status: 'overdue',
      due_at: '2026-02-20T00:00:00Z',
      completed_at: null,
      expires_at: null,
      certificate_number: '',
    },
  ],
};

describe('Audit report', () => {
  it('shows the course, totals, every person with their certificate, and prints', async () => {
    fakeApi({ 'GET /me': json(200, admin), 'GET /org/courses/holding-boundaries/report': json(200, report) });
    const print = vi.fn();
    vi.stubGlobal('print', print);
    renderApp('/org/report/holding-boundaries');
    expect(await screen.findByRole('heading', { level: 1, name: 'Audit report: Holding boundaries' })).toBeInTheDocument();
    expect(screen.getByText('1 of 2 people have a current completion.')).toBeInTheDocument();
    const people = screen.getByRole('table', { name: /Each person's status and certificate/ });
    const sam = within(people).getByRole('rowheader', { name: 'Sam Okafor' }).closest('tr') as HTMLElement;
    expect(within(sam).getByText('PP-2026-0007')).toBeInTheDocument();
    const tia = within(people).getByRole('rowheader', { name: 'Tia Brown' }).closest('tr') as HTMLElement;
    expect(within(tia).getByText('Overdue')).toBeInTheDocument();
    const totals = screen.getByRole('table', { name: 'People by status' });
    expect(within(totals).getByRole('rowheader', { name: 'Overdue' }).closest('tr')).toHaveTextContent('1');
    await userEvent.setup().click(screen.getByRole('button', { name: 'Print this report' }));
    expect(print).toHaveBeenCalled();
  });

  it('answers not found for an unknown course', async () => {
    fakeApi({ 'GET /me': json(200, admin), 'GET /org/courses/nope/report': apiError(404, 'not_found', 'No such course.') });
    renderApp('/org/report/nope');
    expect(await screen.findByRole('heading', { level: 1, name: 'Page not found' })).toBeInTheDocument();
  });

  it('shows loading, then an error', async () => {
    const reply = held(apiError(500, 'internal', 'Internal error.'));
    fakeApi({ 'GET /me': json(200, admin), 'GET /org/courses/holding-boundaries/report': reply.reply });
    renderApp('/org/report/holding-boundaries');
    expect(await screen.findByText('Preparing the report…')).toBeInTheDocument();
    reply.release();
    expect(await screen.findByRole('alert')).toHaveTextContent('Internal error.');
  });

  it('says when the course is assigned to nobody', async () => {
    fakeApi({
      'GET /me': json(200, admin),
      'GET /org/courses/holding-boundaries/report': json(200, { ...report, rows: [], totals: {} }),
    });
    renderApp('/org/report/holding-boundaries');
    expect(await screen.findByText('Nobody is assigned this course.')).toBeInTheDocument();
  });
});

import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeApi, json, person, renderApp } from '../testing';
import type { Assignment, OrgPerson, Team, TeamDetail } from './api';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const admin = person({ id: 'a1', name: 'Aroha Ngata', roles: ['org_admin'] });
const card = {
  summary: '',
  estimated_hours: 2,
  status: 'not_started',
  percent: 0,
  due_at: null,
  organisation_course: false,
};
const courses = json(200, {
  assigned: [],
  catalogue: [
    { ...card, slug: 'boundaries', title: 'Boundaries in peer work' },
    { ...card, slug: 'storytelling', title: 'Sharing your story with purpose' },
  ],
});
const north: Team = { id: 't1', name: 'North', member_count: 3, manager_count: 1, created_at: '2026-03-01T00:00:00Z' };
const northDetail: TeamDetail = {
  ...north,
  members: [],
  assignment_rules: [
    {
      id: 'r1',
      team_id: 't1',
      course: { slug: 'storytelling', title: 'Sharing your story with purpose' },
      due_at: null,
      due_within_days: 30,
      recert_months: null,
      created_at: '2026-03-01T00:00:00Z',
    },
  ],
};
const sam: OrgPerson = {
  id: 'p2',
  name: 'Sam Okafor',
  email: 'sam@riverside.example',
  roles: ['trainee'],
  active: true,
  deactivated_at: null,
  created_at: '2026-03-01T00:00:00Z',
  teams: [],
};
const samBoundaries: Assignment = {
  id: 'as1',
  person: { id: 'p2', name: 'Sam Okafor', email: sam.email },
  course: { slug: 'boundaries', title: 'Boundaries in peer work' },
  due_at: '2026-03-16T09:00:00Z',
  assigned_due_at: '2026-03-16T09:00:00Z',
  recert_months: null,
  last_completed_at: null,
  team_rule_id: null,
  created_at: '2026-03-02T09:00:00Z',
};
const empty = json(200, { items: [], next_cursor: '' });

function base(extra: Record<string, Parameters<typeof fakeApi>[0][string]> = {}) {
  return fakeApi({
    'GET /me': json(200, admin),
    'GET /courses': courses,
    'GET /org/teams?limit=100': json(200, { items: [north], next_cursor: '' }),
    'GET /org/teams/t1': json(200, northDetail),
    'GET /org/assignments': empty,
    ...extra,
  });
}

describe('Assign', () => {
  it('is for org admins only', async () => {
    const calls = fakeApi({ 'GET /me': json(200, person({ roles: ['manager'] })) });
    renderApp('/org/assign');
    expect(await screen.findByRole('heading', { level: 1, name: "You don't have access to this page" })).toBeInTheDocument();
    expect(calls.some((c) => c.path.startsWith('/org/'))).toBe(false);
  });

  it('shows an error when courses cannot load', async () => {
    base({ 'GET /courses': apiError(503, 'unavailable', 'Peerpath is busy.') });
    renderApp('/org/assign');
    expect(await screen.findByText('Peerpath is busy.')).toBeInTheDocument();
  });

  it('checks the form, assigns a team within N days, explains joiners, and links to the matrix', async () => {
    const calls = base({
      'POST /org/assignments': json(201, { assigned: 2, updated: 0, kept: 1, rule: northDetail.assignment_rules[0] }),
    });
    renderApp('/org/assign');
    const user = userEvent.setup();
    await screen.findByLabelText('Course');
    expect(await screen.findByText(/No one has|Nobody has assigned training yet/)).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Assign training' }));
    expect(screen.getByLabelText('Course')).toHaveAccessibleDescription('Error: Choose a course.');
    expect(screen.getByRole('group', { name: 'People' })).toHaveAccessibleDescription('Error: Choose at least one person.');
    expect(calls.some((c) => c.method === 'POST')).toBe(false);

    await user.selectOptions(screen.getByLabelText('Course'), 'Boundaries in peer work');
    await user.click(screen.getByLabelText('A team, including people who join it later'));
    expect(screen.getByText(/from the day they join for people who join later/)).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText('Team'), 'North');
    await user.type(screen.getByLabelText('Recertify every N months (optional)'), '12');
    await user.click(screen.getByRole('button', { name: 'Assign training' }));

    const done = await screen.findByText(/Boundaries in peer work is assigned to 2 people/);
    expect(done.closest('[role="status"]')).not.toBeNull();
    expect(screen.getByRole('link', { name: 'See progress on the completion page' })).toHaveAttribute('href', '/org/completion');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      course_slug: 'boundaries',
      team_id: 't1',
      due_within_days: 14,
      recert_months: 12,
    });
  });

  it('puts the API field errors on the fields', async () => {
    base({
      'GET /org/people?q=sam&status=active&limit=20': json(200, { items: [sam], next_cursor: '' }),
      'POST /org/assignments': apiError(400, 'invalid', 'Check the highlighted fields.', {
        due_within_days: 'Use a whole number of days from 1 to 3650.',
      }),
    });
    renderApp('/org/assign');
    const user = userEvent.setup();
    await user.selectOptions(await screen.findByLabelText('Course'), 'Boundaries in peer work');
    await user.type(screen.getByLabelText('Find people by name or email'), 'sam{Enter}');
    await user.click(await screen.findByRole('button', { name: /Choose\s*Sam Okafor/ }));
    expect(within(screen.getByRole('list', { name: 'Chosen people' })).getByRole('button', { name: /Remove\s*Sam Okafor/ })).toBeInTheDocument();
    const days = screen.getByLabelText('Number of days');
    await user.clear(days);
    await user.type(days, '9999');
    await user.click(screen.getByRole('button', { name: 'Assign training' }));
    await vi.waitFor(() => expect(days).toHaveAttribute('aria-invalid', 'true'));
    expect(days).toHaveAccessibleDescription(/Use a whole number of days from 1 to 3650/);
  });

  it('lists team rules and assignments and removes them after confirming', async () => {
    const calls = base({
      'GET /org/assignments': json(200, { items: [samBoundaries], next_cursor: '' }),
      'DELETE /org/assignment-rules/r1': new Response(null, { status: 204 }),
      'DELETE /org/assignments/as1': new Response(null, { status: 204 }),
    });
    const confirm = vi.spyOn(window, 'confirm').mockReturnValueOnce(false).mockReturnValue(true);
    renderApp('/org/assign');
    const user = userEvent.setup();
    const rules = await screen.findByRole('table', { name: 'Courses assigned to teams' });
    expect(within(rules).getByText('Within 30 days of joining')).toBeInTheDocument();

    const stop = within(rules).getByRole('button', { name: /Stop\s*assigning/ });
    await user.click(stop);
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    await user.click(stop);
    expect(confirm.mock.calls[1]?.[0]).toMatch(/People who already have it keep it/);
    expect(await screen.findByText(/no longer assigned to people who join North/)).toBeInTheDocument();

    const people = screen.getByRole('table', { name: 'Assigned courses, newest first' });
    await user.click(within(people).getByRole('button', { name: /Remove\s*Boundaries in peer work for Sam Okafor/ }));
    expect(await screen.findByText('Boundaries in peer work is no longer required for Sam Okafor.')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual(['/org/assignment-rules/r1', '/org/assignments/as1']);
  });
});

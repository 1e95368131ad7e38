import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeApi, held, json, person, renderApp } from '../testing';
import type { OrgPerson, Team, TeamDetail } from './api';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const admin = person({ id: 'a1', name: 'Aroha Ngata', roles: ['org_admin'] });
const manager = person({ id: 'm1', name: 'Mei Lin Chen', roles: ['manager'] });
const north: Team = { id: 't1', name: 'North', member_count: 2, manager_count: 1, created_at: '2026-03-01T00:00:00Z' };
const mei: OrgPerson = {
  id: 'm1',
  name: 'Mei Lin Chen',
  email: 'manager@riverside.example',
  roles: ['manager'],
  active: true,
  deactivated_at: null,
  created_at: '2026-03-01T00:00:00Z',
  teams: [{ id: 't1', name: 'North', manager: true }],
};
const sam: OrgPerson = { ...mei, id: 'p2', name: 'Sam Okafor', email: 'sam@riverside.example', roles: ['trainee'], teams: [] };
const detail: TeamDetail = {
  ...north,
  members: [
    { id: 'm1', name: 'Mei Lin Chen', email: 'manager@riverside.example', manager: true, active: true, joined_at: '2026-03-01T00:00:00Z' },
    { id: 'p3', name: 'Priya Das', email: 'priya@riverside.example', manager: false, active: true, joined_at: '2026-03-01T00:00:00Z' },
  ],
  assignment_rules: [
    {
      id: 'r1',
      team_id: 't1',
      course: { slug: 'boundaries', title: 'Boundaries in peer work' },
      due_at: null,
      due_within_days: 14,
      recert_months: 12,
      created_at: '2026-03-01T00:00:00Z',
    },
  ],
};
const list = (items: unknown[]) => json(200, { items, next_cursor: '' });

describe('Teams', () => {
  it('refuses trainees without calling the organisation API', async () => {
    const calls = fakeApi({ 'GET /me': json(200, person({ roles: ['trainee'] })) });
    renderApp('/org/teams');
    expect(await screen.findByRole('heading', { level: 1, name: "You don't have access to this page" })).toBeInTheDocument();
    expect(calls.some((c) => c.path.startsWith('/org/'))).toBe(false);
  });

  it('shows loading, then the empty state for an admin', async () => {
    const teams = held(list([]));
    fakeApi({
      'GET /me': json(200, admin),
      'GET /org/teams?limit=100': teams.reply,
      'GET /org/people?role=manager&status=active': list([]),
    });
    renderApp('/org/teams');
    expect(await screen.findByText('Loading teams…')).toBeInTheDocument();
    teams.release();
    expect(await screen.findByText(/There are no teams yet/)).toBeInTheDocument();
  });

  it('shows an error with a way to try again', async () => {
    let fail = true;
    fakeApi({
      'GET /me': json(200, admin),
      'GET /org/teams?limit=100': () => (fail ? apiError(503, 'unavailable', 'Peerpath is busy.') : list([north])),
      'GET /org/people?role=manager&status=active': list([]),
    });
    renderApp('/org/teams');
    const user = userEvent.setup();
    expect(await screen.findByText('Peerpath is busy.')).toBeInTheDocument();
    fail = false;
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('link', { name: 'North' })).toBeInTheDocument();
  });

  it('lists teams with managers, creates one and shows the field error, deletes after confirming', async () => {
    const calls = fakeApi({
      'GET /me': json(200, admin),
      'GET /org/teams?limit=100': list([north]),
      'GET /org/people?role=manager&status=active': list([mei]),
      'POST /org/teams': (body) =>
        (body as { name: string }).name === 'North'
          ? apiError(409, 'conflict', 'There is already a team with this name.', { name: 'There is already a team with this name.' })
          : json(201, { ...detail, id: 't2', name: 'South', member_count: 0, manager_count: 0, members: [], assignment_rules: [] }),
      'DELETE /org/teams/t1': new Response(null, { status: 204 }),
    });
    const confirm = vi.spyOn(window, 'confirm').mockReturnValue(true);
    renderApp('/org/teams');
    const user = userEvent.setup();
    const table = await screen.findByRole('table', { name: 'Teams, by name' });
    const row = within(table).getByRole('link', { name: 'North' }).closest('tr') as HTMLElement;
    expect(row).toHaveTextContent('2 people');
    expect(await within(row).findByText('Mei Lin Chen')).toBeInTheDocument();

    const name = screen.getByLabelText('Team name');
    await user.click(screen.getByRole('button', { name: 'Create team' }));
    expect(name).toHaveAccessibleDescription('Error: Enter a team name.');
    await user.type(name, 'North');
    await user.click(screen.getByRole('button', { name: 'Create team' }));
    await vi.waitFor(() => expect(name).toHaveAccessibleDescription('Error: There is already a team with this name.'));
    await user.clear(name);
    await user.type(name, 'South');
    await user.click(screen.getByRole('button', { name: 'Create team' }));
    expect(await screen.findByRole('link', { name: 'South' })).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: /Delete\s*North/ }));
    expect(confirm.mock.calls[0]?.[0]).toMatch(/keep their training, assignments and history/);
    expect(await screen.findByText(/The team “North” is deleted/)).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'DELETE' && c.path === '/org/teams/t1')).toBe(true);
  });

  it('does nothing when the delete is not confirmed', async () => {
    const calls = fakeApi({
      'GET /me': json(200, admin),
      'GET /org/teams?limit=100': list([north]),
      'GET /org/people?role=manager&status=active': list([]),
    });
    vi.spyOn(window, 'confirm').mockReturnValue(false);
    renderApp('/org/teams');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: /Delete\s*North/ }));
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    expect(screen.getByRole('link', { name: 'North' })).toBeInTheDocument();
  });

  it('shows managers their teams read-only', async () => {
    fakeApi({
      'GET /me': json(200, manager),
      'GET /org/teams?limit=100': list([north]),
      'GET /org/people?role=manager&status=active': list([mei]),
      'GET /org/teams/t1': json(200, detail),
    });
    renderApp('/org/teams');
    const user = userEvent.setup();
    await screen.findByRole('table', { name: 'Teams, by name' });
    expect(within(screen.getByRole('main')).queryAllByRole('button')).toEqual([]);
    expect(screen.queryByLabelText('Team name')).toBeNull();

    await user.click(screen.getByRole('link', { name: 'North' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'North' })).toBeInTheDocument();
    expect(screen.getByRole('rowheader', { name: 'Priya Das' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Make manager|Remove|Stop managing|Find people/ })).toBeNull();
    expect(screen.getByText(/within 14 days of joining, redone every 12 months/)).toBeInTheDocument();
  });
});

describe('TeamPage', () => {
  it('says when a team is not there', async () => {
    fakeApi({ 'GET /me': json(200, admin), 'GET /org/teams/zz': apiError(404, 'not_found', 'There is no team zz here.') });
    renderApp('/org/teams/zz');
    expect(await screen.findByRole('heading', { level: 1, name: 'Team not found' })).toBeInTheDocument();
  });

  it('adds a person found by search, shows the manager field error, and removes after confirming', async () => {
    const calls = fakeApi({
      'GET /me': json(200, admin),
      'GET /org/teams/t1': json(200, detail),
      'GET /org/people?q=sam&status=active&limit=20': list([sam]),
      'PUT /org/teams/t1/members/p2': (body) =>
        (body as { manager: boolean }).manager
          ? apiError(400, 'invalid', 'Check the highlighted fields.', {
              manager: 'Sam Okafor needs the manager role before they can manage a team.',
            })
          : json(200, {
              ...detail,
              member_count: 3,
              members: [...detail.members, { id: 'p2', name: 'Sam Okafor', email: sam.email, manager: false, active: true, joined_at: '2026-03-02T00:00:00Z' }],
            }),
      'DELETE /org/teams/t1/members/p3': new Response(null, { status: 204 }),
    });
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    renderApp('/org/teams/t1');
    const user = userEvent.setup();
    await screen.findByRole('heading', { level: 1, name: 'North' });

    await user.type(screen.getByLabelText('Name or email'), 'sam');
    await user.click(screen.getByRole('button', { name: 'Find people' }));
    const found = await screen.findByRole('list', { name: 'People found' });

    const asManager = screen.getByRole('checkbox', { name: 'Add as a manager of this team' });
    await user.click(asManager);
    await user.click(within(found).getByRole('button', { name: /Add\s*Sam Okafor/ }));
    await vi.waitFor(() => expect(asManager).toHaveAttribute('aria-invalid', 'true'));
    expect(asManager).toHaveAccessibleDescription(/Error: Sam Okafor needs the manager role/);

    await user.click(asManager);
    await user.click(within(found).getByRole('button', { name: /Add\s*Sam Okafor/ }));
    expect(await screen.findByText('Sam Okafor is now in North.')).toBeInTheDocument();
    expect(screen.getByRole('rowheader', { name: 'Sam Okafor' })).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: /Remove\s*Priya Das from the team/ }));
    expect(await screen.findByText('Priya Das is no longer in North.')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'PUT').map((c) => c.body)).toEqual([{ manager: true }, { manager: false }]);
  });
});

import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, json, person, renderApp } from '../testing';
import type { OrgPerson, PeopleImport } from './api';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const admin = person({ id: 'a1', name: 'Aroha Ngata', roles: ['org_admin'] });
const sam: OrgPerson = {
  id: 'p2',
  name: 'Sam Okafor',
  email: 'sam@riverside.example',
  roles: ['trainee'],
  active: true,
  deactivated_at: null,
  created_at: '2026-03-01T00:00:00Z',
  teams: [{ id: 't1', name: 'North team', manager: false }],
};
const noTeams = json(200, { items: [], next_cursor: '' });

describe('People', () => {
  it('refuses trainees without calling the organisation API', async () => {
    const calls = fakeApi({ 'GET /me': json(200, person({ roles: ['trainee'] })) });
    renderApp('/org/people');
    expect(await screen.findByRole('heading', { level: 1, name: "You don't have access to this page" })).toBeInTheDocument();
    expect(calls.some((c) => c.path.startsWith('/org/'))).toBe(false);
  });

  it('lists people, searches, and deactivates after confirming', async () => {
    const calls = fakeApi({
      'GET /me': json(200, admin),
      'GET /org/teams?limit=100': noTeams,
      'GET /org/people?status=active': json(200, { items: [sam], next_cursor: '' }),
      'GET /org/people?status=active&q=sam': json(200, { items: [sam], next_cursor: '' }),
      'POST /org/people/p2/deactivate': json(200, { ...sam, active: false, deactivated_at: '2026-03-02T00:00:00Z' }),
    });
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    renderApp('/org/people');
    const user = userEvent.setup();
    const table = await screen.findByRole('table', { name: 'People, by name' });
    expect(within(table).getByRole('rowheader', { name: 'Sam Okafor' })).toBeInTheDocument();
    expect(within(table).getByText('North team')).toBeInTheDocument();

    await user.type(screen.getByLabelText('Name or email'), ' sam ');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    await vi.waitFor(() => expect(calls.some((c) => c.path === '/org/people?status=active&q=sam')).toBe(true));

    await user.click(await screen.findByRole('button', { name: /Deactivate\s*Sam Okafor/ }));
    expect(await screen.findByText('Sam Okafor is deactivated.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /Reactivate\s*Sam Okafor/ })).toBeInTheDocument();
  });

  it('previews a CSV import, names the bad row, and only imports a clean file', async () => {
    const bad: PeopleImport = {
      dry_run: true,
      problem_rows: 1,
      invited: 0,
      rows: [
        { line: 2, name: 'Dee', email: 'dee@example.org', team: '', roles: ['trainee'], problems: {} },
        { line: 3, name: 'Lee', email: 'not-an-email', team: '', roles: ['trainee'], problems: { email: 'Enter an email address like name@example.org.' } },
      ],
    };
    const clean: PeopleImport = { ...bad, problem_rows: 0, rows: bad.rows.slice(0, 1) };
    let preview = bad;
    const calls = fakeApi({
      'GET /me': json(200, admin),
      'GET /org/teams?limit=100': noTeams,
      'GET /org/people?status=active': json(200, { items: [], next_cursor: '' }),
      'POST /org/people/import?dry_run=true': () => json(200, preview),
      'POST /org/people/import?dry_run=false': () => json(201, { ...clean, dry_run: false, invited: 1 }),
    });
    renderApp('/org/people');
    const user = userEvent.setup();
    await screen.findByText(/Nobody matches/);
    const importButton = screen.getByRole('button', { name: 'Import and send invitations' });
    expect(importButton).toBeDisabled();

    await user.upload(screen.getByLabelText('CSV file'), new File(['name,email\n'], 'people.csv', { type: 'text/csv' }));
    await user.click(screen.getByRole('button', { name: 'Check file' }));
    const table = await screen.findByRole('table', { name: /Preview: 2 rows, 1 with problems/ });
    const row = within(table).getByRole('rowheader', { name: '3' }).closest('tr');
    expect(row).toHaveTextContent('Problem: Enter an email address like name@example.org.');
    expect(importButton).toBeDisabled();

    preview = clean;
    await user.click(screen.getByRole('button', { name: 'Check file' }));
    await screen.findByText('All 1 rows look right. Nothing has been sent yet.');
    expect(importButton).toBeEnabled();
    await user.click(importButton);
    expect(await screen.findByText('Invitations sent to 1 person.')).toBeInTheDocument();
    expect(calls.filter((c) => c.path.startsWith('/org/people/import')).map((c) => c.path)).toEqual([
      '/org/people/import?dry_run=true',
      '/org/people/import?dry_run=true',
      '/org/people/import?dry_run=false',
    ]);
  });

  it('empties the file field after an import, so the same file is not checked again by mistake', async () => {
    const clean: PeopleImport = {
      dry_run: true,
      problem_rows: 0,
      invited: 0,
      rows: [{ line: 2, name: 'Dee', email: 'dee@example.org', team: '', roles: ['trainee'], problems: {} }],
    };
    const calls = fakeApi({
      'GET /me': json(200, admin),
      'GET /org/teams?limit=100': noTeams,
      'GET /org/people?status=active': json(200, { items: [], next_cursor: '' }),
      'POST /org/people/import?dry_run=true': () => json(200, clean),
      'POST /org/people/import?dry_run=false': () => json(201, { ...clean, dry_run: false, invited: 1 }),
    });
    renderApp('/org/people');
    const user = userEvent.setup();
    await screen.findByText(/Nobody matches/);
    await user.upload(screen.getByLabelText('CSV file'), new File(['name,email\n'], 'people.csv', { type: 'text/csv' }));
    await user.click(screen.getByRole('button', { name: 'Check file' }));
    // The six-column preview gets the full width instead of spilling out of the narrow panel.
    await screen.findByRole('table', { name: /Preview: 1 rows, 0 with problems/ });
    const panel = screen.getByRole('region', { name: 'Import from CSV' });
    expect(panel).toHaveClass('panel-wide');
    await user.click(screen.getByRole('button', { name: 'Import and send invitations' }));
    expect(await screen.findByText('Invitations sent to 1 person.')).toBeInTheDocument();
    expect(panel).not.toHaveClass('panel-wide');

    const input = screen.getByLabelText('CSV file');
    expect((input as HTMLInputElement).files ?? []).toHaveLength(0);
    await user.click(screen.getByRole('button', { name: 'Check file' }));
    expect(await screen.findByText('Choose a CSV file first.')).toBeInTheDocument();
    expect(calls.filter((c) => c.path.startsWith('/org/people/import'))).toHaveLength(2);
  });
});

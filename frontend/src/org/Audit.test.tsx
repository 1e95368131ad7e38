import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeApi, json, person, renderApp } from '../testing';
import type { AuditEntry } from './api';
import { describeAudit } from './Audit';

afterEach(() => {
  vi.unstubAllGlobals();
});

const admin = person({ id: 'a1', name: 'Aroha Ngata', roles: ['org_admin'] });

function entry(id: number, action: string, detail: Record<string, unknown>, actor: Partial<AuditEntry['actor']> = {}): AuditEntry {
  return {
    id,
    at: '2026-03-02T09:00:00Z',
    actor: { kind: 'person', id: 'a1', name: 'Aroha Ngata', ...actor },
    action,
    subject: { type: 'team', id: 't1' },
    detail,
  };
}

describe('Audit', () => {
  it('is for org admins only', async () => {
    const calls = fakeApi({ 'GET /me': json(200, person({ roles: ['manager'] })) });
    renderApp('/org/audit');
    expect(await screen.findByRole('heading', { level: 1, name: "You don't have access to this page" })).toBeInTheDocument();
    expect(calls.some((c) => c.path.startsWith('/org/'))).toBe(false);
  });

  it('shows entries in plain words, filters by family, and loads more', async () => {
    const calls = fakeApi({
      'GET /me': json(200, admin),
      'GET /org/audit': json(200, {
        items: [
          entry(3, 'team.rename', { from: 'North', to: 'North team' }),
          entry(2, 'api_token.create', { name: 'HR sync', scope: 'read' }, { kind: 'api_token', id: 'k1', name: 'HR sync' }),
        ],
        next_cursor: 'c1',
      }),
      'GET /org/audit?cursor=c1': json(200, { items: [entry(1, 'team.create', { name: 'North' })], next_cursor: '' }),
      'GET /org/audit?action=team': json(200, { items: [entry(3, 'team.rename', { from: 'North', to: 'North team' })], next_cursor: '' }),
    });
    renderApp('/org/audit');
    const user = userEvent.setup();
    const table = await screen.findByRole('table', { name: 'Audit log, newest first' });
    expect(within(table).getByText('Renamed the team “North” to “North team”.')).toBeInTheDocument();
    expect(within(table).getByText('API token “HR sync”')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await within(table).findByText('Created the team “North”.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
    expect(screen.getByText("That's the whole log.")).toBeInTheDocument();

    await user.selectOptions(screen.getByLabelText('Show'), 'Teams');
    expect(await screen.findByRole('heading', { name: 'Entries: teams' })).toBeInTheDocument();
    await vi.waitFor(() => expect(calls.some((c) => c.path === '/org/audit?action=team')).toBe(true));
  });

  it('has an empty state', async () => {
    fakeApi({ 'GET /me': json(200, admin), 'GET /org/audit': json(200, { items: [], next_cursor: '' }) });
    renderApp('/org/audit');
    expect(await screen.findByText(/Nothing has been recorded yet/)).toBeInTheDocument();
  });

  it('shows an error', async () => {
    fakeApi({ 'GET /me': json(200, admin), 'GET /org/audit': apiError(500, 'internal', 'Internal error.') });
    renderApp('/org/audit');
    expect(await screen.findByText('Internal error.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });
});

describe('describeAudit', () => {
  it.each([
    [entry(1, 'team.member_add', { email: 'sam@x.org', team: 'North', manager: true }), 'Added sam@x.org to “North” as a manager.'],
    [entry(1, 'assignment.create', { course: 'boundaries', team: 'North', due_within_days: 14 }), 'Assigned boundaries to the team “North”, due within 14 days.'],
    [entry(1, 'assignment.create', { course: 'boundaries', assigned: 1, updated: 0 }), 'Assigned boundaries to 1 person.'],
    [entry(1, 'person.roles_change', { email: 'sam@x.org', from: ['trainee'], to: ['trainee', 'manager'] }), "Changed sam@x.org's roles from Trainee to trainee and team manager."],
    [entry(1, 'training.record_create', { training_type: 'First aid', email: 'sam@x.org', completed_on: '2026-01-10' }), 'Recorded First aid for sam@x.org, completed 2026-01-10.'],
    [entry(1, 'something.new', { thing_id: 'x' }), 'something new. thing id: x'],
  ])('describes %#', (e, want) => {
    expect(describeAudit(e)).toBe(want);
  });
});

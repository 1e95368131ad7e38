import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeApi, json, person, renderApp } from '../testing';

afterEach(() => {
  vi.unstubAllGlobals();
});

const admin = person({ name: 'Alex Admin', roles: ['org_admin'] });

describe('Invitations', () => {
  it('tells people without the role they have no access', async () => {
    const calls = fakeApi({ 'GET /me': json(200, person({ roles: ['trainee'] })) });
    renderApp('/org/invitations');
    expect(
      await screen.findByRole('heading', { level: 1, name: "You don't have access to this page" }),
    ).toBeInTheDocument();
    expect(calls.some((c) => c.path.startsWith('/org/'))).toBe(false);
  });

  it('shows the empty state, invites a trainee by default, and lists the invitation', async () => {
    let pending: unknown[] = [];
    const invitation = {
      id: 'i1',
      email: 'new@riverside.example',
      name: '',
      roles: ['trainee'],
      expires_at: '2026-12-01T00:00:00Z',
      created_at: '2026-11-24T00:00:00Z',
    };
    const calls = fakeApi({
      'GET /me': json(200, admin),
      'GET /org/invitations': () => json(200, { items: pending, next_cursor: '' }),
      'POST /org/invitations': () => {
        pending = [invitation];
        return json(201, invitation);
      },
    });
    renderApp('/org/invitations');
    const user = userEvent.setup();
    expect(await screen.findByText(/No pending invitations/)).toBeInTheDocument();
    expect(screen.getByRole('checkbox', { name: 'Trainee' })).toBeChecked();
    expect(screen.getByRole('checkbox', { name: 'Trainer' })).not.toBeChecked();

    await user.type(screen.getByLabelText('Email address'), 'new@riverside.example');
    await user.click(screen.getByRole('button', { name: 'Send invitation' }));

    const sent = await screen.findByText('Invitation sent to new@riverside.example.');
    expect(sent.closest('[role="status"]')).not.toBeNull();
    const table = await screen.findByRole('table');
    expect(within(table).getByText('new@riverside.example')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      email: 'new@riverside.example',
      roles: ['trainee'],
    });
  });

  it('shows a conflict next to the email field', async () => {
    fakeApi({
      'GET /me': json(200, admin),
      'GET /org/invitations': json(200, { items: [], next_cursor: '' }),
      'POST /org/invitations': apiError(409, 'conflict', 'That email already has an account.'),
    });
    renderApp('/org/invitations');
    const user = userEvent.setup();
    await screen.findByText(/No pending invitations/);
    await user.type(screen.getByLabelText('Email address'), 'trainee1@riverside.example');
    await user.click(screen.getByRole('checkbox', { name: 'Trainer' }));
    await user.click(screen.getByRole('button', { name: 'Send invitation' }));
    const input = screen.getByLabelText('Email address');
    await vi.waitFor(() => expect(input).toHaveAttribute('aria-invalid', 'true'));
    expect(input).toHaveAccessibleDescription('Error: That email already has an account.');
  });

  it('needs at least one role', async () => {
    const calls = fakeApi({
      'GET /me': json(200, admin),
      'GET /org/invitations': json(200, { items: [], next_cursor: '' }),
    });
    renderApp('/org/invitations');
    const user = userEvent.setup();
    await screen.findByText(/No pending invitations/);
    await user.type(screen.getByLabelText('Email address'), 'x@riverside.example');
    await user.click(screen.getByRole('checkbox', { name: 'Trainee' }));
    await user.click(screen.getByRole('button', { name: 'Send invitation' }));
    expect(await screen.findByText('Choose at least one role.')).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });
});

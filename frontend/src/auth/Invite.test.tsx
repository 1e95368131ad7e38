import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeApi, json, person, renderApp, signedOut } from '../testing';

afterEach(() => {
  vi.unstubAllGlobals();
});

const preview = {
  email: 'new@riverside.example',
  organisation: { name: 'Riverside Peer Network' },
  roles: ['trainee'],
  expires_at: '2026-12-01T00:00:00Z',
};

describe('Invite', () => {
  it('explains an expired or used link (410)', async () => {
    fakeApi({
      'GET /me': signedOut,
      'GET /invitations/old-token': apiError(410, 'gone', 'This invitation has expired.'),
    });
    renderApp('/invite/old-token');
    expect(
      await screen.findByRole('heading', { level: 1, name: 'This invitation has expired or was already used' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'sign in' })).toHaveAttribute('href', '/login');
    expect(screen.queryByLabelText('Choose a password')).not.toBeInTheDocument();
  });

  it('explains an unknown link (404)', async () => {
    fakeApi({ 'GET /me': signedOut });
    renderApp('/invite/doesnotexist');
    expect(
      await screen.findByRole('heading', { level: 1, name: "We don't recognise this invitation link" }),
    ).toBeInTheDocument();
  });

  it('shows the organisation and email, checks the passwords, then signs in', async () => {
    const calls = fakeApi({
      'GET /me': signedOut,
      'GET /invitations/tok': json(200, preview),
      'POST /invitations/tok/accept': json(200, person({ name: 'New Person', email: preview.email })),
    });
    renderApp('/invite/tok');
    const user = userEvent.setup();
    await screen.findByRole('heading', { level: 1, name: 'Set up your account' });
    expect(screen.getAllByText('Riverside Peer Network').length).toBeGreaterThan(0);
    expect(screen.getByText('new@riverside.example')).toBeInTheDocument();

    await user.type(screen.getByLabelText('Your name'), 'New Person');
    await user.type(screen.getByLabelText('Choose a password'), 'short');
    await user.type(screen.getByLabelText('Type the password again'), 'different');
    await user.click(screen.getByRole('button', { name: 'Create my account' }));
    expect(await screen.findByText('Use at least 12 characters.')).toBeInTheDocument();
    expect(screen.getByText("The two passwords don't match.")).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);

    await user.clear(screen.getByLabelText('Choose a password'));
    await user.type(screen.getByLabelText('Choose a password'), 'a long enough passphrase');
    await user.clear(screen.getByLabelText('Type the password again'));
    await user.type(screen.getByLabelText('Type the password again'), 'a long enough passphrase');
    await user.click(screen.getByRole('button', { name: 'Create my account' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Welcome to Peerpath' })).toBeInTheDocument();
    expect(screen.getAllByText('New Person').length).toBeGreaterThan(0);
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      name: 'New Person',
      password: 'a long enough passphrase',
    });
  });

  it('shows the expired message when the link expires while the form is open', async () => {
    fakeApi({
      'GET /me': signedOut,
      'GET /invitations/tok': json(200, preview),
      'POST /invitations/tok/accept': apiError(410, 'gone', 'This invitation has expired.'),
    });
    renderApp('/invite/tok');
    const user = userEvent.setup();
    await screen.findByRole('heading', { level: 1, name: 'Set up your account' });
    await user.type(screen.getByLabelText('Your name'), 'New Person');
    await user.type(screen.getByLabelText('Choose a password'), 'a long enough passphrase');
    await user.type(screen.getByLabelText('Type the password again'), 'a long enough passphrase');
    await user.click(screen.getByRole('button', { name: 'Create my account' }));
    expect(
      await screen.findByRole('heading', { level: 1, name: 'This invitation has expired or was already used' }),
    ).toBeInTheDocument();
  });
});

import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeApi, renderApp, signedOut } from '../testing';
import { RESET_SENT } from './Reset';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('Password reset', () => {
  it('says a link was sent, whether or not the account exists', async () => {
    const calls = fakeApi({
      'GET /me': signedOut,
      'POST /auth/password-reset': () => new Response(null, { status: 202 }),
    });
    renderApp('/reset');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Email address'), 'nobody@riverside.example');
    await user.click(screen.getByRole('button', { name: 'Send me a link' }));
    expect(await screen.findByText(RESET_SENT)).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ email: 'nobody@riverside.example' });
  });

  it('sets a new password and offers to sign in', async () => {
    fakeApi({
      'GET /me': signedOut,
      'POST /auth/password-reset/tok': () => new Response(null, { status: 204 }),
    });
    renderApp('/reset/tok');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('New password'), 'a brand new passphrase');
    await user.type(screen.getByLabelText('Type the new password again'), 'a brand new passphrase');
    await user.click(screen.getByRole('button', { name: 'Change my password' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Your password has been changed' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Sign in' })).toHaveAttribute('href', '/login');
  });

  it('explains an expired or used link (410)', async () => {
    fakeApi({
      'GET /me': signedOut,
      'POST /auth/password-reset/old': apiError(410, 'gone', 'This link has expired.'),
    });
    renderApp('/reset/old');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('New password'), 'a brand new passphrase');
    await user.type(screen.getByLabelText('Type the new password again'), 'a brand new passphrase');
    await user.click(screen.getByRole('button', { name: 'Change my password' }));
    expect(
      await screen.findByRole('heading', { level: 1, name: 'This link has expired or was already used' }),
    ).toBeInTheDocument();
  });
});

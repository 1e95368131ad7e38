import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeApi, json, person, renderApp, signedOut } from '../testing';
import { WRONG_CREDENTIALS } from './Login';

afterEach(() => {
  vi.unstubAllGlobals();
});

async function fillAndSubmit(email: string, password: string) {
  const user = userEvent.setup();
  await screen.findByRole('heading', { level: 1, name: 'Sign in' });
  await user.type(screen.getByLabelText('Email address'), email);
  await user.type(screen.getByLabelText('Password'), password);
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
  return user;
}

describe('Login', () => {
  it('sends signed-out visitors from home to the sign-in page', async () => {
    fakeApi({ 'GET /me': signedOut });
    renderApp('/');
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
    expect(document.title).toBe('Sign in · Peerpath');
    expect(screen.getByRole('link', { name: 'Forgot your password?' })).toHaveAttribute('href', '/reset');
  });

  it('shows the generic message for a wrong email or password', async () => {
    fakeApi({
      'GET /me': signedOut,
      'POST /auth/login': apiError(401, 'unauthorized', 'Wrong email or password.'),
    });
    renderApp('/login');
    await fillAndSubmit('sam@riverside.example', 'not the password');
    const alert = await screen.findByText(WRONG_CREDENTIALS);
    expect(alert.closest('[role="alert"]')).not.toBeNull();
    expect(screen.getByLabelText('Email address')).toHaveValue('sam@riverside.example');
  });

  it('shows field errors from the API next to the field', async () => {
    fakeApi({
      'GET /me': signedOut,
      'POST /auth/login': apiError(400, 'invalid', 'Check the highlighted fields.', {
        email: 'Enter a valid email address.',
      }),
    });
    renderApp('/login');
    await fillAndSubmit('not-an-email', 'whatever password');
    const input = await screen.findByLabelText('Email address');
    expect(await screen.findByText('Enter a valid email address.')).toBeInTheDocument();
    expect(input).toHaveAttribute('aria-invalid', 'true');
    expect(input).toHaveAccessibleDescription('Error: Enter a valid email address.');
    expect(within(screen.getByRole('alert')).getByText('Check the highlighted fields.')).toBeInTheDocument();
  });

  it('checks for empty fields before asking the server', async () => {
    const calls = fakeApi({ 'GET /me': signedOut });
    renderApp('/login');
    const user = userEvent.setup();
    await screen.findByRole('heading', { level: 1, name: 'Sign in' });
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Enter your email address.')).toBeInTheDocument();
    expect(screen.getByText('Enter your password.')).toBeInTheDocument();
    expect(calls.filter((c) => c.path === '/auth/login')).toHaveLength(0);
  });

  it('says how long to wait after too many attempts', async () => {
    fakeApi({
      'GET /me': signedOut,
      'POST /auth/login': apiError(429, 'rate_limited', 'Too many failed sign-in attempts.', undefined, {
        'Retry-After': '840',
      }),
    });
    renderApp('/login');
    await fillAndSubmit('sam@riverside.example', 'not the password');
    expect(await screen.findByText(/Please wait 14 minutes before trying again/)).toBeInTheDocument();
  });

  it('signs in and goes home', async () => {
    const calls = fakeApi({
      'GET /me': signedOut,
      'POST /auth/login': json(200, person()),
    });
    renderApp('/login');
    await fillAndSubmit('sam@riverside.example', 'peerpath-demo-2026');
    expect(
      await screen.findByText((_, el) => el?.tagName === 'P' && el.textContent === 'Signed in as Sam Trainee'),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeInTheDocument();
    expect(calls.find((c) => c.path === '/auth/login')?.body).toEqual({
      email: 'sam@riverside.example',
      password: 'peerpath-demo-2026',
    });
  });

  it('shows and hides the password with a real button', async () => {
    fakeApi({ 'GET /me': signedOut });
    renderApp('/login');
    const user = userEvent.setup();
    await screen.findByRole('heading', { level: 1, name: 'Sign in' });
    const input = screen.getByLabelText('Password');
    expect(input).toHaveAttribute('type', 'password');
    expect(input).toHaveAttribute('autocomplete', 'current-password');
    await user.click(screen.getByRole('button', { name: 'Show password' }));
    expect(input).toHaveAttribute('type', 'text');
    await user.click(screen.getByRole('button', { name: 'Hide password' }));
    expect(input).toHaveAttribute('type', 'password');
  });
});

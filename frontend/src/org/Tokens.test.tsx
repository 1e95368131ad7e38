import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeApi, json, person, renderApp } from '../testing';
import type { APIToken } from './api-d3';

afterEach(() => {
  vi.unstubAllGlobals();
});

const admin = person({ id: 'a1', name: 'Aroha Ngata', roles: ['org_admin'] });

const token: APIToken = {
  id: 'k1',
  name: 'Rostering system',
  scope: 'read',
  hint: 'pp_abcd…',
  created_by: 'Aroha Ngata',
  created_at: '2026-03-01T00:00:00Z',
  last_used_at: null,
  revoked_at: null,
};

describe('API tokens', () => {
  it('is for org admins only', async () => {
    const calls = fakeApi({ 'GET /me': json(200, person({ roles: ['manager'] })) });
    renderApp('/org/api-tokens');
    expect(await screen.findByRole('heading', { level: 1, name: "You don't have access to this page" })).toBeInTheDocument();
    expect(calls.some((c) => c.path.startsWith('/org/'))).toBe(false);
  });

  it('creates a token and shows its secret once', async () => {
    let tokens: APIToken[] = [];
    const calls = fakeApi({
      'GET /me': json(200, admin),
      'GET /org/api-tokens': () => json(200, { items: tokens }),
      'POST /org/api-tokens': () => {
        tokens = [{ ...token, scope: 'write' }];
        return json(201, { ...tokens[0], token: 'pp_secret_once' });
      },
    });
    renderApp('/org/api-tokens');
    // user-event puts its own clipboard in place; read what was written to it.
    const user = userEvent.setup();
    expect(await screen.findByText(/No tokens yet/)).toBeInTheDocument();

    await user.type(screen.getByLabelText('Name'), 'Rostering system');
    await user.click(screen.getByLabelText('Read and write'));
    await user.click(screen.getByRole('button', { name: 'Create token' }));

    expect(await screen.findByText(/You won't be able to see it again/)).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: /Token/ })).toHaveValue('pp_secret_once');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ name: 'Rostering system', scope: 'write' });
    await user.click(screen.getByRole('button', { name: 'Copy token' }));
    expect(await navigator.clipboard.readText()).toBe('pp_secret_once');
    expect(await screen.findByText('Copied to the clipboard.')).toBeInTheDocument();

    const table = await screen.findByRole('table', { name: 'API tokens, newest first' });
    expect(within(table).getByText('Read and write')).toBeInTheDocument();
    expect(within(table).getByText('Never')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: "I've saved it" }));
    expect(screen.queryByDisplayValue('pp_secret_once')).toBeNull();
    expect(document.body.textContent).not.toContain('pp_secret_once');
    expect(screen.getByRole('button', { name: 'Create token' })).toBeInTheDocument();
  });

  it('needs a name and shows the server’s field errors', async () => {
    const calls = fakeApi({
      'GET /me': json(200, admin),
      'GET /org/api-tokens': json(200, { items: [] }),
      'POST /org/api-tokens': apiError(400, 'invalid', 'Check the highlighted fields.', { name: 'Use up to 100 characters.' }),
    });
    renderApp('/org/api-tokens');
    const user = userEvent.setup();
    await screen.findByText(/No tokens yet/);
    await user.click(screen.getByRole('button', { name: 'Create token' }));
    expect(screen.getByLabelText('Name')).toHaveAccessibleDescription(/Give the token a name/);
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
    await user.type(screen.getByLabelText('Name'), 'x');
    await user.click(screen.getByRole('button', { name: 'Create token' }));
    await vi.waitFor(() => expect(screen.getByLabelText('Name')).toHaveAccessibleDescription(/Use up to 100 characters/));
  });

  it('revokes only after confirming', async () => {
    let tokens = [token];
    const calls = fakeApi({
      'GET /me': json(200, admin),
      'GET /org/api-tokens': () => json(200, { items: tokens }),
      'DELETE /org/api-tokens/k1': () => {
        tokens = [{ ...token, revoked_at: '2026-03-02T00:00:00Z' }];
        return new Response(null, { status: 204 });
      },
    });
    renderApp('/org/api-tokens');
    const user = userEvent.setup();
    await screen.findByRole('table', { name: 'API tokens, newest first' });
    await user.click(await screen.findByRole('button', { name: 'Revoke Rostering system' }));
    const confirm = screen.getByRole('group', { name: /Revoke “Rostering system”\?/ });
    await user.click(within(confirm).getByRole('button', { name: 'Keep it' }));
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    expect(screen.getByRole('button', { name: 'Revoke Rostering system' })).toHaveFocus();

    await user.click(screen.getByRole('button', { name: 'Revoke Rostering system' }));
    await user.click(screen.getByRole('button', { name: 'Yes, revoke it' }));
    expect(await screen.findByText(/is revoked/)).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(1);
    expect(await screen.findByText(/^Revoked/)).toBeInTheDocument();
  });

  it('shows a list error', async () => {
    fakeApi({ 'GET /me': json(200, admin), 'GET /org/api-tokens': apiError(503, 'unavailable', 'Down for a moment.') });
    renderApp('/org/api-tokens');
    expect(await screen.findByText('Down for a moment.')).toBeInTheDocument();
  });
});

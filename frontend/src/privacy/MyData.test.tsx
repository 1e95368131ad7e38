import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeApi, json, person, renderApp } from '../testing';

afterEach(() => {
  vi.unstubAllGlobals();
});

const trainee = person();

describe('My data', () => {
  it('downloads the export as a JSON file', async () => {
    const calls = fakeApi({ 'GET /me': json(200, trainee), 'GET /me/export': json(200, { profile: { name: 'Sam' } }) });
    const createObjectURL = vi.fn((_: Blob) => 'blob:export');
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() }));
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    renderApp('/me/data');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Download my data' }));
    expect(await screen.findByText(/Your data is downloading/)).toBeInTheDocument();
    expect(calls.some((c) => c.path === '/me/export')).toBe(true);
    expect(click).toHaveBeenCalled();
    const blob = createObjectURL.mock.calls[0]?.[0];
    expect(blob?.type).toBe('application/json');
    expect(JSON.parse(await (blob as Blob).text())).toEqual({ profile: { name: 'Sam' } });
  });

  it('shows an error when the export fails', async () => {
    fakeApi({ 'GET /me': json(200, trainee), 'GET /me/export': apiError(500, 'internal', 'Internal error.') });
    renderApp('/me/data');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Download my data' }));
    expect(await screen.findByText('Internal error.')).toBeInTheDocument();
  });

  it('explains deletion and asks for the password and a confirmation first', async () => {
    const calls = fakeApi({ 'GET /me': json(200, trainee) });
    renderApp('/me/data');
    const user = userEvent.setup();
    expect(await screen.findByText(/Kept, without your name/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Ask to delete my data' }));
    await user.click(screen.getByRole('button', { name: 'Delete my data' }));
    expect(screen.getByLabelText('Your password')).toHaveAccessibleDescription(/Enter your password/);
    expect(screen.getByRole('checkbox')).toHaveAccessibleDescription(/Tick the box/);
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('shows a wrong password beside the field', async () => {
    fakeApi({
      'GET /me': json(200, trainee),
      'POST /me/deletion-request': apiError(400, 'invalid', 'Check the highlighted fields.', {
        password: 'That password is not right.',
      }),
    });
    renderApp('/me/data');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Ask to delete my data' }));
    await user.type(screen.getByLabelText('Your password'), 'wrong password!');
    await user.click(screen.getByRole('checkbox'));
    await user.click(screen.getByRole('button', { name: 'Delete my data' }));
    await vi.waitFor(() =>
      expect(screen.getByLabelText('Your password')).toHaveAccessibleDescription(/That password is not right/),
    );
  });

  it('deletes with the password, then says so and signs out', async () => {
    const calls = fakeApi({
      'GET /me': json(200, trainee),
      'POST /me/deletion-request': () => new Response(null, { status: 204 }),
    });
    renderApp('/me/data');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Ask to delete my data' }));
    await user.type(screen.getByLabelText('Your password'), 'correct horse battery');
    await user.click(screen.getByRole('checkbox'));
    await user.click(screen.getByRole('button', { name: 'Delete my data' }));
    expect(await screen.findByRole('heading', { name: 'Your data has been deleted' })).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ password: 'correct horse battery' });
    await user.click(screen.getByRole('button', { name: 'Close' }));
    expect(await screen.findByRole('heading', { level: 1, name: /Sign in/ })).toBeInTheDocument();
  });
});

import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeApi, json, person, renderApp, signedOut } from '../testing';
import { formatDate } from '../time';
import { verification } from './testdata';

const CODE = 'abcdefghjkmnpqrs';
const PAGE = `/verify/${CODE}`;

afterEach(() => {
  vi.unstubAllGlobals();
});

function fact(label: string): string {
  const dt = screen.getByText(label, { selector: 'dt' });
  return dt.nextElementSibling?.textContent ?? '';
}

describe('Verification page', () => {
  it('says a valid certificate is valid, with what the certificate shows', async () => {
    const calls = fakeApi({ 'GET /me': signedOut(), [`GET /verify/${CODE}`]: json(200, verification()) });
    renderApp(PAGE);
    expect(await screen.findByRole('heading', { level: 1, name: 'This certificate is valid' })).toBeInTheDocument();
    expect(document.title).toBe('This certificate is valid · Peerpath');
    const details = screen.getByRole('region', { name: 'Certificate details' });
    expect(within(details).getAllByRole('term').map((dt) => dt.textContent)).toEqual([
      'Name',
      'Course',
      'Organisation',
      'Certificate number',
      'Issued',
      'Expiry date',
    ]);
    expect(fact('Name')).toBe('Sam Trainee');
    expect(fact('Course')).toBe('Storytelling with purpose, version 1');
    expect(fact('Organisation')).toBe('Riverside Peer Network');
    expect(fact('Certificate number')).toBe('PP-7K3M-9QXD');
    expect(fact('Issued')).toBe(formatDate('2026-11-20T09:00:00Z'));
    expect(fact('Expiry date')).toBe(formatDate('2028-11-20T09:00:00Z'));
    expect(calls.map((c) => `${c.method} ${c.path}`)).toContain(`GET /verify/${CODE}`);
  });

  it('works while signed out: the route is not behind sign-in', async () => {
    const calls = fakeApi({ 'GET /me': signedOut(), [`GET /verify/${CODE}`]: json(200, verification()) });
    renderApp(PAGE);
    expect(await screen.findByRole('heading', { level: 1, name: 'This certificate is valid' })).toBeInTheDocument();
    // The /me call answered 401, and the page stayed: no sign-in form, no menu of a signed-in person.
    expect(calls.some((c) => c.path === '/me')).toBe(true);
    expect(screen.queryByRole('heading', { name: 'Sign in' })).toBeNull();
    expect(screen.queryByRole('navigation', { name: 'Main' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Sign out' })).toBeNull();
  });

  it('works for signed-in people too', async () => {
    fakeApi({ 'GET /me': json(200, person()), [`GET /verify/${CODE}`]: json(200, verification()) });
    renderApp(PAGE);
    expect(await screen.findByRole('heading', { level: 1, name: 'This certificate is valid' })).toBeInTheDocument();
  });

  it('says an expired certificate has expired', async () => {
    fakeApi({
      'GET /me': signedOut(),
      [`GET /verify/${CODE}`]: json(200, verification({ status: 'expired', expires_at: '2026-01-10T09:00:00Z' })),
    });
    renderApp(PAGE);
    expect(await screen.findByRole('heading', { level: 1, name: 'This certificate has expired' })).toBeInTheDocument();
    expect(fact('Expiry date')).toBe(formatDate('2026-01-10T09:00:00Z'));
  });

  it('says a revoked certificate was revoked, and when', async () => {
    fakeApi({
      'GET /me': signedOut(),
      [`GET /verify/${CODE}`]: json(
        200,
        verification({ status: 'revoked', expires_at: null, revoked_at: '2026-11-25T12:00:00Z' }),
      ),
    });
    renderApp(PAGE);
    expect(await screen.findByRole('heading', { level: 1, name: 'This certificate was revoked' })).toBeInTheDocument();
    expect(fact('Revoked')).toBe(formatDate('2026-11-25T12:00:00Z'));
    expect(fact('Expiry date')).toBe('Does not expire');
    expect(screen.getByText(/no longer counts as proof of completion/)).toBeInTheDocument();
    expect(screen.queryByText('This certificate is valid')).toBeNull();
  });

  it('says when no certificate has the code', async () => {
    fakeApi({
      'GET /me': signedOut(),
      'GET /verify/nosuchcode': apiError(404, 'not_found', 'No such certificate.'),
    });
    renderApp('/verify/nosuchcode');
    expect(await screen.findByRole('heading', { level: 1, name: 'Certificate not found' })).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent(
      "We couldn't find a certificate with this code. Check it against the certificate.",
    );
    expect(screen.getByText('nosuchcode')).toBeInTheDocument();
    expect(document.title).toBe('Certificate not found · Peerpath');
  });

  it('says how long to wait when there have been too many checks', async () => {
    let limited = true;
    fakeApi({
      'GET /me': signedOut(),
      [`GET /verify/${CODE}`]: () =>
        limited
          ? apiError(429, 'rate_limited', 'Too many checks from your address. Try again in a minute.', undefined, {
              'Retry-After': '42',
            })
          : json(200, verification()),
    });
    renderApp(PAGE);
    expect(await screen.findByRole('heading', { level: 1, name: 'Please wait a moment' })).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('Please wait 42 seconds and try again.');
    limited = false;
    await userEvent.setup().click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'This certificate is valid' })).toBeInTheDocument();
  });
});

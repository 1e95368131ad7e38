import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { courseCard } from '../learn/testdata';
import { apiError, fakeApi, held, json, person, renderApp } from '../testing';
import { formatDate } from '../time';
import { POLL_MS } from './Certificates';
import { certificate } from './testdata';

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function cards(): HTMLElement[] {
  return [...document.querySelectorAll<HTMLElement>('li.certificate-card')];
}

function card(title: string): HTMLElement {
  const heading = screen.getByRole('heading', { level: 2, name: title });
  const li = heading.closest('li');
  if (!li) throw new Error(`no card for ${title}`);
  return li;
}

/** fact answers the value next to a label in a card's facts. */
function fact(within_: HTMLElement, label: string): string {
  const dt = within(within_).getByText(label, { selector: 'dt' });
  return dt.nextElementSibling?.textContent ?? '';
}

describe('My certificates', () => {
  it('lists valid, expired and revoked certificates with their status in words', async () => {
    const certificates = held(
      json(200, {
        items: [
          certificate(),
          certificate({
            id: 'cert2',
            number: 'PP-2B4C-6DFG',
            status: 'expired',
            course: { slug: 'boundaries-in-peer-work', title: 'Boundaries in peer work', version: 2 },
            issued_at: '2024-01-10T09:00:00Z',
            expires_at: '2026-01-10T09:00:00Z',
            verify_url: 'http://127.0.0.1:8080/verify/bbbbbbbbbbbbbbbb',
            pdf_url: '/api/v1/certificates/cert2.pdf',
            credential_url: '/api/v1/certificates/cert2/credential',
          }),
          certificate({
            id: 'cert3',
            number: 'PP-8H9J-KMNP',
            status: 'revoked',
            course: { slug: 'our-own-course', title: 'Our own course', version: 1 },
            expires_at: null,
            revoked_at: '2026-11-25T12:00:00Z',
            revoked_reason: 'Issued to the wrong person.',
          }),
        ],
      }),
    );
    fakeApi({
      'GET /me': json(200, person()),
      'GET /me/certificates': certificates.reply,
    });
    renderApp('/certificates');
    expect(await screen.findByText('Loading your certificates…')).toBeInTheDocument();
    certificates.release();
    expect(await screen.findByRole('heading', { level: 2, name: 'Storytelling with purpose' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1, name: 'My certificates' })).toBeInTheDocument();
    expect(document.title).toBe('My certificates · Peerpath');
    expect(cards()).toHaveLength(3);

    const valid = card('Storytelling with purpose');
    expect(fact(valid, 'Status')).toBe('Valid');
    expect(fact(valid, 'Course version')).toBe('Version 1');
    expect(fact(valid, 'Certificate number')).toBe('PP-7K3M-9QXD');
    expect(fact(valid, 'Issued')).toBe(formatDate('2026-11-20T09:00:00Z'));
    expect(fact(valid, 'Expiry date')).toBe(formatDate('2028-11-20T09:00:00Z'));
    expect(within(valid).queryByText('Revoked', { selector: 'dt' })).toBeNull();
    expect(within(valid).getByRole('link', { name: /^Download PDF/ })).toHaveAttribute(
      'href',
      '/api/v1/certificates/cert1.pdf',
    );
    const credential = within(valid).getByRole('link', { name: /^Download digital credential/ });
    expect(credential).toHaveAttribute('href', '/api/v1/certificates/cert1/credential');
    expect(credential).toHaveAccessibleDescription('A signed file other systems can check.');
    expect(within(valid).getByRole('link', { name: /^Verification page/ })).toHaveAttribute(
      'href',
      'http://127.0.0.1:8080/verify/abcdefghjkmnpqrs',
    );
    // Each link names its certificate for people who list the links on their own.
    expect(within(valid).getByRole('link', { name: /^Download PDF/ })).toHaveAccessibleName(
      'Download PDF: Storytelling with purpose, version 1',
    );

    const expired = card('Boundaries in peer work');
    expect(fact(expired, 'Status')).toBe('Expired');
    expect(fact(expired, 'Course version')).toBe('Version 2');
    expect(fact(expired, 'Expiry date')).toBe(formatDate('2026-01-10T09:00:00Z'));
    expect(within(expired).getByText(/passed its expiry date/)).toBeInTheDocument();

    const revoked = card('Our own course');
    expect(fact(revoked, 'Status')).toBe('Revoked');
    expect(fact(revoked, 'Expiry date')).toBe('Does not expire');
    expect(fact(revoked, 'Revoked')).toBe(formatDate('2026-11-25T12:00:00Z'));
    expect(fact(revoked, 'Reason')).toBe('Issued to the wrong person.');
    expect(within(revoked).getByText(/no longer counts as proof/)).toBeInTheDocument();
  });

  it('is in the menu for trainees', async () => {
    fakeApi({
      'GET /me': json(200, person()),
      'GET /me/certificates': json(200, { items: [] }),
    });
    renderApp('/certificates');
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Certificates' })).toHaveAttribute('href', '/certificates');
  });

  it('says how to earn one when there are none', async () => {
    fakeApi({
      'GET /me': json(200, person()),
      'GET /me/certificates': json(200, { items: [] }),
      'GET /courses': json(200, { assigned: [courseCard()], catalogue: [] }),
    });
    renderApp('/certificates');
    expect(await screen.findByText(/Complete a course to earn a certificate/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Go to My learning' })).toHaveAttribute('href', '/learn');
    expect(screen.queryByText(/being prepared/)).toBeNull();
  });

  it('says when a certificate is being prepared, and shows it once it is issued', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let issued = false;
    fakeApi({
      'GET /me': json(200, person()),
      'GET /me/certificates': () => json(200, { items: issued ? [certificate()] : [] }),
      'GET /courses': json(200, { assigned: [courseCard({ status: 'completed', percent: 100 })], catalogue: [] }),
    });
    renderApp('/certificates');
    expect(
      await screen.findByText((_, el) => el?.tagName === 'P' && /Your certificate for Storytelling with purpose is being prepared/.test(el.textContent ?? '')),
    ).toBeInTheDocument();
    expect(screen.queryByText(/Complete a course to earn a certificate/)).toBeNull();

    issued = true;
    await act(() => vi.advanceTimersByTimeAsync(POLL_MS));
    expect(await screen.findByRole('heading', { level: 2, name: 'Storytelling with purpose' })).toBeInTheDocument();
    expect(screen.queryByText(/being prepared/)).toBeNull();
    expect(screen.getByRole('status')).toHaveTextContent('Your certificate for Storytelling with purpose is ready.');
  });

  it('offers to try again when the certificates could not be loaded', async () => {
    let down = true;
    fakeApi({
      'GET /me': json(200, person()),
      'GET /me/certificates': () =>
        down ? apiError(503, 'unavailable', 'Down for a moment.') : json(200, { items: [certificate()] }),
    });
    renderApp('/certificates');
    expect(await screen.findByRole('heading', { level: 1, name: "We couldn't load your certificates" })).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('Down for a moment.');
    down = false;
    await userEvent.setup().click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('heading', { level: 2, name: 'Storytelling with purpose' })).toBeInTheDocument();
  });

  it('sends people who are not signed in to sign in', async () => {
    fakeApi({ 'GET /me': apiError(401, 'unauthorized', 'Sign in first.') });
    renderApp('/certificates');
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
  });
});

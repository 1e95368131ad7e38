import { fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeApi, json, person, renderApp } from '../testing';
import type { Certificate } from '../api';
import type { PersonRecord } from './api-d3';

afterEach(() => {
  vi.unstubAllGlobals();
});

const manager = person({ id: 'm1', name: 'Mere Manager', roles: ['manager'] });

const record: PersonRecord = {
  person: { id: 'p2', name: 'Sam Okafor', email: 'sam@riverside.example', active: true, teams: ['North team'] },
  assignments: [
    {
      person_id: 'p2',
      name: 'Sam Okafor',
      email: 'sam@riverside.example',
      teams: ['North team'],
      kind: 'course',
      course: 'holding-boundaries',
      training_type_id: null,
      course_title: 'Holding boundaries',
      status: 'expired',
      due_at: null,
      completed_at: '2025-01-10T00:00:00Z',
      expires_at: '2026-01-10T00:00:00Z',
    },
  ],
  courses: [
    {
      course: 'holding-boundaries',
      title: 'Holding boundaries',
      version: 1,
      started_at: '2025-01-01T00:00:00Z',
      completed_at: '2025-01-10T00:00:00Z',
      modules: [
        { slug: 'why', title: 'Why boundaries matter', completed_at: '2025-01-02T00:00:00Z' },
        { slug: 'saying-no', title: 'Saying no kindly', completed_at: null },
      ],
    },
  ],
  attempts: [
    {
      quiz: 'holding-boundaries.check',
      course: 'holding-boundaries',
      number: 1,
      started_at: '2025-01-09T00:00:00Z',
      submitted_at: '2025-01-09T00:10:00Z',
      score: 85,
      passed: true,
      timed_out: false,
    },
  ],
  roleplay: {
    seats: [
      {
        session_id: 's1',
        session_title: 'Boundaries practice',
        round: 1,
        seat: 'peer_worker',
        card: 'RP-01',
        started_at: '2025-01-05T00:00:00Z',
      },
    ],
    feedback: [
      {
        session_id: 's1',
        session_title: 'Boundaries practice',
        round: 1,
        from_seat: 'observer',
        scores: { 'warm-tone': 3 },
        submitted_at: '2025-01-05T00:20:00Z',
      },
    ],
  },
  certificates: [
    {
      id: 'c1',
      number: 'PP-2025-0001',
      course: 'holding-boundaries',
      course_title: 'Holding boundaries',
      cycle: 1,
      issued_at: '2025-01-10T00:00:00Z',
      expires_at: '2026-01-10T00:00:00Z',
      revoked_at: null,
      status: 'expired',
    },
  ],
};

describe('Person record', () => {
  it('shows modules, attempts with scores, role-play practice and certificates', async () => {
    fakeApi({ 'GET /me': json(200, manager), 'GET /org/people/p2/record': json(200, record) });
    renderApp('/org/people/p2/record');
    expect(screen.getByText('Loading…')).toBeInTheDocument();
    expect(await screen.findByRole('heading', { level: 1, name: 'Training record: Sam Okafor' })).toBeInTheDocument();
    expect(document.title).toBe('Training record: Sam Okafor · Peerpath');
    const assigned = screen.getByRole('table', { name: 'Assigned training and its status' });
    expect(within(assigned).getByText('Expired')).toBeInTheDocument();
    expect(screen.getByText(/Saying no kindly/)).toHaveTextContent('not done yet');
    const attempts = screen.getByRole('table', { name: 'Quiz attempts with their scores' });
    expect(within(attempts).getByText('85%')).toBeInTheDocument();
    expect(within(attempts).getByText('Passed')).toBeInTheDocument();
    expect(screen.getByRole('table', { name: 'Role-play rounds taken part in' })).toHaveTextContent('Peer worker');
    expect(screen.getByText('warm tone: 3 of 4')).toBeInTheDocument();
    expect(screen.getByRole('table', { name: 'Certificates issued' })).toHaveTextContent('PP-2025-0001');
    expect(screen.getByText(/Reflections, role-play chat and written feedback/)).toBeInTheDocument();
  });

  it('answers not found for someone the caller may not see', async () => {
    fakeApi({
      'GET /me': json(200, manager),
      'GET /org/people/p9/record': apiError(404, 'not_found', 'There is no such person.'),
    });
    renderApp('/org/people/p9/record');
    expect(await screen.findByRole('heading', { level: 1, name: 'Page not found' })).toBeInTheDocument();
  });

  it('shows an error when the record cannot load', async () => {
    fakeApi({ 'GET /me': json(200, manager), 'GET /org/people/p2/record': apiError(503, 'unavailable', 'Down for a moment.') });
    renderApp('/org/people/p2/record');
    expect(await screen.findByRole('alert')).toHaveTextContent('Down for a moment.');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });

  it('shows empty sections for someone with no history', async () => {
    fakeApi({
      'GET /me': json(200, manager),
      'GET /org/people/p2/record': json(200, {
        ...record,
        assignments: [],
        courses: [],
        attempts: [],
        roleplay: { seats: [], feedback: [] },
        certificates: [],
      }),
    });
    renderApp('/org/people/p2/record');
    expect(await screen.findByText('No training is assigned to Sam Okafor.')).toBeInTheDocument();
    expect(screen.getByText('No quiz attempts yet.')).toBeInTheDocument();
    expect(screen.getByText('No certificates yet.')).toBeInTheDocument();
  });
});

const admin = person({ id: 'a1', name: 'Aroha Ngata', roles: ['org_admin'] });

const validCert: PersonRecord['certificates'][number] = {
  id: 'c2',
  number: 'PP-2026-0042',
  course: 'storytelling',
  course_title: 'Sharing your story with purpose',
  cycle: 1,
  issued_at: '2026-03-01T00:00:00Z',
  expires_at: '2028-03-01T00:00:00Z',
  revoked_at: null,
  status: 'valid',
};

const withValid: PersonRecord = { ...record, certificates: [validCert, ...record.certificates] };

function revokedAnswer(reason: string): Certificate {
  return {
    id: 'c2',
    number: 'PP-2026-0042',
    status: 'revoked',
    person_name: 'Sam Okafor',
    course: { slug: 'storytelling', title: 'Sharing your story with purpose', version: 1 },
    organisation: 'Riverside Peer Network',
    cycle: 1,
    issued_at: '2026-03-01T00:00:00Z',
    expires_at: '2028-03-01T00:00:00Z',
    revoked_at: '2026-04-02T09:00:00Z',
    revoked_reason: reason,
    verify_url: 'http://peerpath.test/verify/abc123',
    pdf_url: '/api/v1/certificates/c2.pdf',
    credential_url: '/api/v1/certificates/c2/credential',
  };
}

describe('Revoking a certificate', () => {
  it('is offered to org admins for valid certificates only', async () => {
    fakeApi({ 'GET /me': json(200, admin), 'GET /org/people/p2/record': json(200, withValid) });
    renderApp('/org/people/p2/record');
    const table = await screen.findByRole('table', { name: 'Certificates issued' });
    const buttons = within(table).getAllByRole('button', { name: /^Revoke certificate/ });
    expect(buttons).toHaveLength(1);
    expect(buttons[0]).toHaveAccessibleName('Revoke certificate PP-2026-0042');
  });

  it('is not offered to managers', async () => {
    fakeApi({ 'GET /me': json(200, manager), 'GET /org/people/p2/record': json(200, withValid) });
    renderApp('/org/people/p2/record');
    const table = await screen.findByRole('table', { name: 'Certificates issued' });
    expect(within(table).getByText('PP-2026-0042')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Revoke/ })).toBeNull();
  });

  it('asks for a reason, revokes, and shows the certificate as revoked with the reason', async () => {
    const calls = fakeApi({
      'GET /me': json(200, admin),
      'GET /org/people/p2/record': json(200, withValid),
      'POST /org/certificates/c2/revoke': (body) => json(200, revokedAnswer((body as { reason: string }).reason)),
    });
    renderApp('/org/people/p2/record');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Revoke certificate PP-2026-0042' }));

    const form = screen.getByRole('form', { name: 'Revoke certificate PP-2026-0042' });
    expect(screen.getByRole('heading', { level: 3, name: 'Revoke certificate PP-2026-0042' })).toHaveFocus();
    expect(form).toHaveTextContent(/public verification page will say it was revoked/);

    // No reason: the field says so and nothing is sent.
    await user.click(within(form).getByRole('button', { name: 'Yes, revoke it' }));
    const reason = within(form).getByLabelText('Reason for revoking');
    expect(reason).toHaveAccessibleDescription(/Say why you are revoking this certificate\./);
    expect(reason).toHaveAttribute('aria-invalid', 'true');
    expect(reason).toHaveFocus();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);

    // Too long: the same, counted in characters.
    fireEvent.change(reason, { target: { value: 'x'.repeat(501) } });
    await user.click(within(form).getByRole('button', { name: 'Yes, revoke it' }));
    expect(reason).toHaveAccessibleDescription(/Use at most 500 characters\. This reason has 501\./);
    expect(calls.some((c) => c.method === 'POST')).toBe(false);

    await user.clear(reason);
    await user.type(reason, '  Issued to the wrong person.  ');
    await user.click(within(form).getByRole('button', { name: 'Yes, revoke it' }));

    expect(await screen.findByText(/Certificate PP-2026-0042 is revoked/)).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ reason: 'Issued to the wrong person.' });
    expect(screen.queryByRole('form', { name: /Revoke certificate/ })).toBeNull();
    const row = within(screen.getByRole('table', { name: 'Certificates issued' }))
      .getByText('PP-2026-0042')
      .closest('tr') as HTMLElement;
    expect(row).toHaveTextContent(/Revoked on/);
    expect(row).toHaveTextContent('Reason: Issued to the wrong person.');
    expect(within(row).queryByRole('button')).toBeNull();
    expect(screen.getByRole('link', { name: 'Open its verification page' })).toHaveAttribute(
      'href',
      'http://peerpath.test/verify/abc123',
    );
    expect(screen.getByRole('heading', { level: 2, name: 'Certificates' })).toHaveFocus();
  });

  it("shows the server's field error beside the reason", async () => {
    fakeApi({
      'GET /me': json(200, admin),
      'GET /org/people/p2/record': json(200, withValid),
      'POST /org/certificates/c2/revoke': apiError(400, 'invalid', 'Check the highlighted fields.', {
        reason: 'Say why the certificate is revoked.',
      }),
    });
    renderApp('/org/people/p2/record');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Revoke certificate PP-2026-0042' }));
    await user.type(screen.getByLabelText('Reason for revoking'), 'Because');
    await user.click(screen.getByRole('button', { name: 'Yes, revoke it' }));
    const reason = screen.getByLabelText('Reason for revoking');
    await vi.waitFor(() => expect(reason).toHaveAccessibleDescription(/Say why the certificate is revoked\./));
    expect(reason).toHaveFocus();
    expect(screen.getByRole('button', { name: 'Yes, revoke it' })).toBeEnabled();
  });

  it('says so and reloads the record when someone else revoked it first', async () => {
    let revoked = false;
    const calls = fakeApi({
      'GET /me': json(200, admin),
      'GET /org/people/p2/record': () =>
        json(200, {
          ...withValid,
          certificates: [
            revoked ? { ...validCert, status: 'revoked', revoked_at: '2026-04-01T00:00:00Z' } : validCert,
            ...record.certificates,
          ],
        }),
      'POST /org/certificates/c2/revoke': () => {
        revoked = true;
        return apiError(409, 'conflict', 'This certificate was already revoked on 1 April 2026.');
      },
    });
    renderApp('/org/people/p2/record');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Revoke certificate PP-2026-0042' }));
    await user.type(screen.getByLabelText('Reason for revoking'), 'Wrong person');
    await user.click(screen.getByRole('button', { name: 'Yes, revoke it' }));
    expect(await screen.findByText('This certificate was already revoked on 1 April 2026.')).toBeInTheDocument();
    await vi.waitFor(() => expect(screen.queryByRole('button', { name: /Revoke certificate/ })).toBeNull());
    expect(calls.filter((c) => c.path === '/org/people/p2/record')).toHaveLength(2);
    const row = screen.getByText('PP-2026-0042').closest('tr') as HTMLElement;
    expect(row).toHaveTextContent(/Revoked on/);
    // The message stays on the page after the record is fetched again.
    expect(screen.getByRole('alert')).toHaveTextContent('This certificate was already revoked on 1 April 2026.');
  });

  it('gives focus back to the button on Cancel', async () => {
    const calls = fakeApi({ 'GET /me': json(200, admin), 'GET /org/people/p2/record': json(200, withValid) });
    renderApp('/org/people/p2/record');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Revoke certificate PP-2026-0042' }));
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('form', { name: /Revoke certificate/ })).toBeNull();
    expect(screen.getByRole('button', { name: 'Revoke certificate PP-2026-0042' })).toHaveFocus();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });
});

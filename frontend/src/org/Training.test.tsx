import { fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeApi, json, person, renderApp } from '../testing';
import type { OrgPerson, TrainingRecord, TrainingType } from './api';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const admin = person({ id: 'a1', name: 'Aroha Ngata', roles: ['org_admin'] });
const manager = person({ id: 'm1', name: 'Mei Lin Chen', roles: ['manager'] });
const trainee = person({ id: 'p2', name: 'Sam Okafor', roles: ['trainee'] });
const firstAid: TrainingType = { id: 'tt1', name: 'First aid', validity_months: 36, record_count: 1, created_at: '2026-03-01T00:00:00Z' };
const asist: TrainingType = { id: 'tt2', name: 'ASIST', validity_months: null, record_count: 0, created_at: '2026-03-01T00:00:00Z' };
const record: TrainingRecord = {
  id: 'tr1',
  person: { id: 'p3', name: 'Priya Das', email: 'priya@riverside.example' },
  training_type: { id: 'tt1', name: 'First aid' },
  completed_on: '2023-01-10',
  expires_on: '2026-01-10',
  expired: true,
  evidence_name: 'first-aid.pdf',
  evidence_type: 'application/pdf',
  evidence_size: 2048,
  created_at: '2026-03-01T00:00:00Z',
};
const priya: OrgPerson = {
  id: 'p3',
  name: 'Priya Das',
  email: 'priya@riverside.example',
  roles: ['trainee'],
  active: true,
  deactivated_at: null,
  created_at: '2026-03-01T00:00:00Z',
  teams: [],
};
const list = (items: unknown[]) => json(200, { items, next_cursor: '' });
const pdf = () => new File(['%PDF-1.7'], 'certificate.pdf', { type: 'application/pdf' });

describe('Training', () => {
  it('refuses trainees', async () => {
    const calls = fakeApi({ 'GET /me': json(200, trainee) });
    renderApp('/org/training');
    expect(await screen.findByRole('heading', { level: 1, name: "You don't have access to this page" })).toBeInTheDocument();
    expect(calls.some((c) => c.path.startsWith('/org/'))).toBe(false);
  });

  it('shows empty states and a load error', async () => {
    fakeApi({
      'GET /me': json(200, admin),
      'GET /org/training-types': list([]),
      'GET /org/training-records': apiError(503, 'unavailable', 'Peerpath is busy.'),
    });
    renderApp('/org/training');
    expect(await screen.findByText(/Nothing yet. Add the first kind of training below./)).toBeInTheDocument();
    expect(await screen.findByText('Peerpath is busy.')).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Record training for someone' })).toBeNull();
  });

  it('shows expiry in words and a download link, and deletes a type after confirming', async () => {
    const calls = fakeApi({
      'GET /me': json(200, admin),
      'GET /org/training-types': list([asist, firstAid]),
      'GET /org/training-records': list([record]),
      'DELETE /org/training-types/tt2': new Response(null, { status: 204 }),
    });
    const confirm = vi.spyOn(window, 'confirm').mockReturnValue(true);
    renderApp('/org/training');
    const user = userEvent.setup();
    const records = await screen.findByRole('table', { name: 'Training records, newest first' });
    const row = within(records).getByRole('rowheader', { name: 'Priya Das' }).closest('tr') as HTMLElement;
    expect(row).toHaveTextContent(/Expired on/);
    expect(within(row).getByRole('link', { name: /Download first-aid.pdf/ })).toHaveAttribute(
      'href',
      '/api/v1/org/training-records/tr1/evidence',
    );
    const types = screen.getByRole('table', { name: 'Kinds of external training, by name' });
    expect(within(types).getByText('Has records, so it is kept')).toBeInTheDocument();
    await user.click(within(types).getByRole('button', { name: /Stop tracking\s*ASIST/ }));
    expect(confirm).toHaveBeenCalled();
    expect(await screen.findByText('ASIST is no longer tracked.')).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'DELETE' && c.path === '/org/training-types/tt2')).toBe(true);
  });

  it('puts field errors on the new type form', async () => {
    fakeApi({
      'GET /me': json(200, admin),
      'GET /org/training-types': list([]),
      'GET /org/training-records': list([]),
      'POST /org/training-types': apiError(400, 'invalid', 'Check the highlighted fields.', {
        validity_months: 'Use a whole number of months from 1 to 120, or leave it empty if it never expires.',
      }),
    });
    renderApp('/org/training');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Start tracking' }));
    expect(screen.getByLabelText('Name')).toHaveAccessibleDescription('Error: Enter the name of the training, like First aid.');
    await user.type(screen.getByLabelText('Name'), 'First aid');
    await user.type(screen.getByLabelText('Valid for (months, optional)'), '500');
    await user.click(screen.getByRole('button', { name: 'Start tracking' }));
    const months = screen.getByLabelText('Valid for (months, optional)');
    await vi.waitFor(() => expect(months).toHaveAttribute('aria-invalid', 'true'));
    expect(months).toHaveAccessibleDescription(/Use a whole number of months from 1 to 120/);
  });

  it('uploads a record for a person, with the hint on the file input and the server field error', async () => {
    let reply = apiError(400, 'invalid', 'Check the highlighted fields.', { evidence: 'The file must be a PDF, PNG or JPEG.' });
    const calls = fakeApi({
      'GET /me': json(200, admin),
      'GET /org/training-types': list([firstAid]),
      'GET /org/training-records': list([]),
      'GET /org/people?q=priya&status=active&limit=20': list([priya]),
      'POST /org/training-records': () => reply.clone(),
    });
    renderApp('/org/training');
    const user = userEvent.setup();
    const file = await screen.findByLabelText('Evidence file');
    expect(file).toHaveAccessibleDescription('A PDF, PNG or JPEG file of up to 5 MB: a certificate, a scan or a clear photo.');

    await user.click(screen.getByRole('button', { name: 'Save record' }));
    expect(screen.getByLabelText('Person')).toHaveAccessibleDescription('Error: Find and choose a person.');
    expect(file).toHaveAttribute('aria-invalid', 'true');

    await user.type(screen.getByLabelText('Find a person by name or email'), 'priya');
    await user.click(screen.getByRole('button', { name: 'Find' }));
    await vi.waitFor(() => expect(screen.getByLabelText('Person')).toHaveValue('p3'));
    await user.selectOptions(screen.getByLabelText('Training'), 'First aid');
    fireEvent.change(screen.getByLabelText('Date completed'), { target: { value: '2026-01-10' } });

    const big = new File([new Uint8Array(5 * 1024 * 1024 + 1)], 'scan.pdf', { type: 'application/pdf' });
    await user.upload(file, big);
    await user.click(screen.getByRole('button', { name: 'Save record' }));
    expect(file).toHaveAccessibleDescription(/The file is larger than 5 MB/);
    expect(calls.some((c) => c.method === 'POST')).toBe(false);

    await user.upload(file, pdf());
    await user.click(screen.getByRole('button', { name: 'Save record' }));
    await vi.waitFor(() => expect(file).toHaveAccessibleDescription(/The file must be a PDF, PNG or JPEG./));

    reply = json(201, { ...record, expired: false, completed_on: '2026-01-10', expires_on: '2029-01-10' });
    await user.click(screen.getByRole('button', { name: 'Save record' }));
    expect(await screen.findByText('Recorded First aid for Priya Das.')).toBeInTheDocument();
    expect(screen.getByRole('table', { name: 'Training records, newest first' })).toHaveTextContent('Priya Das');
  });

  it('shows managers records read-only', async () => {
    fakeApi({
      'GET /me': json(200, manager),
      'GET /org/training-types': list([firstAid]),
      'GET /org/training-records': list([record]),
    });
    renderApp('/org/training');
    await screen.findByRole('table', { name: 'Training records, newest first' });
    expect(within(screen.getByRole('main')).queryAllByRole('button')).toEqual([]);
    expect(screen.queryByLabelText('Evidence file')).toBeNull();
  });
});

describe('MyTraining', () => {
  it('lets a trainee record their own training', async () => {
    const calls = fakeApi({
      'GET /me': json(200, trainee),
      'GET /me/training-types': list([firstAid]),
      'GET /me/training-records': list([]),
      'POST /me/training-records': json(201, {
        ...record,
        person: { id: 'p2', name: 'Sam Okafor', email: 'sam@riverside.example' },
        expired: false,
        expires_on: null,
      }),
    });
    renderApp('/me/training');
    const user = userEvent.setup();
    expect(await screen.findByText('Nothing yet.')).toBeInTheDocument();
    expect(screen.queryByLabelText('Person')).toBeNull();
    await user.selectOptions(screen.getByLabelText('Training'), 'First aid');
    fireEvent.change(screen.getByLabelText('Date completed'), { target: { value: '2026-01-10' } });
    await user.upload(screen.getByLabelText('Evidence file'), pdf());
    await user.click(screen.getByRole('button', { name: 'Save record' }));
    expect(await screen.findByText('Saved your First aid record. Thank you.')).toBeInTheDocument();
    const link = screen.getByRole('link', { name: /Download first-aid.pdf/ });
    expect(link).toHaveAttribute('href', '/api/v1/me/training-records/tr1/evidence');
    expect(calls.some((c) => c.method === 'POST' && c.path === '/me/training-records')).toBe(true);
  });
});

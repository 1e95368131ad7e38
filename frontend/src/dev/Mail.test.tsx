import { screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeApi, json, renderApp, signedOut } from '../testing';
import { DEV_ONLY } from './Mail';

afterEach(() => {
  vi.unstubAllGlobals();
});

const mail = {
  id: 'm1',
  to: 'new@riverside.example',
  subject: 'You are invited to Peerpath',
  sent_at: '2026-11-23T10:00:00Z',
  text: 'Hello,\n\nAccept your invitation: http://127.0.0.1:18080/invite/tok123\n',
  html: '<p>Hello <img src=x onerror="alert(1)"></p>',
};

describe('Development mailbox', () => {
  it('lists messages with links to each', async () => {
    fakeApi({ 'GET /me': signedOut, 'GET /dev/mail': json(200, { items: [mail] }) });
    renderApp('/dev/mail');
    const link = await screen.findByRole('link', { name: 'You are invited to Peerpath' });
    expect(link).toHaveAttribute('href', '/dev/mail/m1');
    expect(screen.getByText('new@riverside.example')).toBeInTheDocument();
  });

  it('says it is only for development when the API answers 404', async () => {
    fakeApi({
      'GET /me': signedOut,
      'GET /dev/mail': apiError(404, 'not_found', 'Not here.'),
    });
    renderApp('/dev/mail');
    expect(await screen.findByText(DEV_ONLY)).toBeInTheDocument();
  });

  it('shows the plain text with clickable links, never the HTML body', async () => {
    fakeApi({ 'GET /me': signedOut, 'GET /dev/mail/m1': json(200, mail) });
    const { container } = renderApp('/dev/mail/m1');
    expect(
      await screen.findByRole('heading', { level: 1, name: 'You are invited to Peerpath' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'http://127.0.0.1:18080/invite/tok123' })).toHaveAttribute(
      'href',
      'http://127.0.0.1:18080/invite/tok123',
    );
    expect(container.querySelector('pre')?.textContent).toBe(mail.text);
    expect(container.querySelector('img')).toBeNull();
  });
});

import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, messageOf, type List } from '../api';
import { AuthProvider, useAuth } from '../auth/AuthContext';
import { fakeApi, json, person } from '../testing';
import { LoadStatus, MoreButton, usePages } from './Load';

afterEach(() => {
  vi.unstubAllGlobals();
});

/** answers hands out promises the test settles by hand, one per fetch, in the order asked for. */
function answers() {
  const asked: { cursor: string | undefined; resolve: (l: List<string>) => void; reject: (err: unknown) => void }[] = [];
  const fetchPage = (cursor?: string) =>
    new Promise<List<string>>((resolve, reject) => {
      asked.push({ cursor, resolve, reject });
    });
  async function settle(n: number, how: (a: (typeof asked)[number]) => void) {
    await vi.waitFor(() => expect(asked.length).toBeGreaterThan(n));
    await act(async () => how(asked[n] as (typeof asked)[number]));
  }
  return { asked, fetchPage, settle };
}

function Things({ fetchPage }: { fetchPage: (cursor?: string) => Promise<List<string>> }) {
  const { me } = useAuth();
  const { load, reload, refresh, more } = usePages(fetchPage, [], !!me);
  const [error, setError] = useState('');
  return (
    <main>
      <h1>Things</h1>
      <p>{me ? `Signed in as ${me.name}` : 'Signed out'}</p>
      <p role="alert">{error}</p>
      <LoadStatus load={load} label="Loading things…" onRetry={reload} />
      {load.state === 'ready' ? (
        <>
          <ul aria-label="Things">
            {load.value.items.map((t) => (
              <li key={t}>{t}</li>
            ))}
          </ul>
          {load.value.next_cursor ? (
            <MoreButton onMore={more} onError={(err) => setError(messageOf(err))}>
              Show more things
            </MoreButton>
          ) : null}
          <button type="button" onClick={refresh}>
            Look again
          </button>
        </>
      ) : null}
    </main>
  );
}

async function renderThings() {
  fakeApi({ 'GET /me': json(200, person({ name: 'Sam Trainee' })) });
  const a = answers();
  const view = render(
    <AuthProvider>
      <Things fetchPage={a.fetchPage} />
    </AuthProvider>,
  );
  await screen.findByText('Signed in as Sam Trainee');
  return { ...a, ...view };
}

const items = () => within(screen.getByRole('list', { name: 'Things' })).getAllByRole('listitem').map((li) => li.textContent);

describe('usePages with LoadStatus and MoreButton', () => {
  it('says it is loading, then why it failed, and loads again from the start on Try again', async () => {
    const { settle, asked } = await renderThings();
    const user = userEvent.setup();
    expect(screen.getByRole('status')).toHaveTextContent('Loading things…');

    await settle(0, (a) => a.reject(new ApiError(503, 'unavailable', 'Peerpath is busy.')));
    expect(screen.getByText('Peerpath is busy.').closest('[role="alert"]')).toBeInTheDocument();
    expect(screen.queryByText('Loading things…')).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(screen.getByText('Loading things…')).toBeInTheDocument();
    await settle(1, (a) => a.resolve({ items: ['first'] }));
    expect(items()).toEqual(['first']);
    expect(asked.map((a) => a.cursor)).toEqual([undefined, undefined]);
  });

  it('adds the next page, busy until it is in, and drops the button after the last page', async () => {
    const { settle, asked } = await renderThings();
    const user = userEvent.setup();
    await settle(0, (a) => a.resolve({ items: ['first'], next_cursor: 'c2' }));

    await user.click(screen.getByRole('button', { name: 'Show more things' }));
    const busy = screen.getByRole('button', { name: 'Loading…' });
    expect(busy).toBeDisabled();
    await settle(1, (a) => a.resolve({ items: ['second'] }));
    expect(items()).toEqual(['first', 'second']);
    expect(asked[1]?.cursor).toBe('c2');
    expect(screen.queryByRole('button', { name: /Show more things|Loading…/ })).toBeNull();
  });

  it('hands a failed page to onError and keeps the list', async () => {
    const { settle } = await renderThings();
    const user = userEvent.setup();
    await settle(0, (a) => a.resolve({ items: ['first'], next_cursor: 'c2' }));

    await user.click(screen.getByRole('button', { name: 'Show more things' }));
    await settle(1, (a) => a.reject(new ApiError(0, 'network', 'We couldn’t reach Peerpath.')));
    expect(screen.getByText('We couldn’t reach Peerpath.')).toBeInTheDocument();
    expect(items()).toEqual(['first']);
    expect(screen.getByRole('button', { name: 'Show more things' })).toBeEnabled();
  });

  it('refresh keeps what is shown until the new answer comes', async () => {
    const { settle } = await renderThings();
    const user = userEvent.setup();
    await settle(0, (a) => a.resolve({ items: ['first'] }));

    await user.click(screen.getByRole('button', { name: 'Look again' }));
    expect(screen.queryByText('Loading things…')).toBeNull();
    expect(items()).toEqual(['first']);
    await settle(1, (a) => a.resolve({ items: ['first', 'new'] }));
    expect(items()).toEqual(['first', 'new']);
  });

  it('sends the person to sign in when the API says 401', async () => {
    const { settle } = await renderThings();
    await settle(0, (a) => a.reject(new ApiError(401, 'unauthorized', 'Sign in first.')));
    expect(screen.getByText('Signed out')).toBeInTheDocument();
  });

  it('has no axe violations when loading failed or a page can be added', async () => {
    const { settle, container } = await renderThings();
    const user = userEvent.setup();
    await settle(0, (a) => a.reject(new ApiError(503, 'unavailable', 'Peerpath is busy.')));
    const check = async () => (await axe.run(container, { rules: { 'color-contrast': { enabled: false } } })).violations.map((v) => v.id);
    expect(await check()).toEqual([]);

    await user.click(screen.getByRole('button', { name: 'Try again' }));
    await settle(1, (a) => a.resolve({ items: ['first'], next_cursor: 'c2' }));
    expect(await check()).toEqual([]);
  });
});

// Helpers for unit tests: a fake API behind a mocked fetch, and rendering inside the app's routes.
import { render } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { vi } from 'vitest';
import type { Me } from './api';
import { App } from './App';

export interface FakeCall {
  method: string;
  path: string;
  body: unknown;
}

// A function may answer later, so a test can see what shows while a request is under way.
type Reply = Response | ((body: unknown) => Response | Promise<Response>);

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

export function apiError(
  status: number,
  code: string,
  message: string,
  fields?: Record<string, string>,
  headers: Record<string, string> = {},
): Response {
  return json(status, { error: fields ? { code, message, fields } : { code, message } }, headers);
}

export const signedOut = () => apiError(401, 'unauthorized', 'Sign in first.');

/**
 * held answers with reply only once release is called, and at once after that: a test sees the
 * loading state for certain, where an answer at once could replace it before the test looks.
 */
export function held(reply: Response | (() => Response)): { reply: () => Promise<Response>; release: () => void } {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  return {
    reply: () => gate.then(() => (typeof reply === 'function' ? reply() : reply.clone())),
    release,
  };
}

/**
 * fakeApi mocks fetch with replies keyed by "METHOD /path" (the path after /api/v1). Unknown
 * requests get a 404 envelope. It answers the list of calls made.
 */
export function fakeApi(replies: Record<string, Reply>): FakeCall[] {
  const calls: FakeCall[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const path = url.replace(/^\/api\/v1/, '');
    const method = (init?.method ?? 'GET').toUpperCase();
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    calls.push({ method, path, body });
    const reply = replies[`${method} ${path}`];
    if (!reply) return apiError(404, 'not_found', `There is nothing at ${path}.`);
    return typeof reply === 'function' ? reply(body) : reply.clone();
  });
  vi.stubGlobal('fetch', fetchMock);
  return calls;
}

export function person(overrides: Partial<Me> = {}): Me {
  return {
    id: 'p1',
    name: 'Sam Trainee',
    email: 'sam@riverside.example',
    roles: ['trainee'],
    organisation: { id: 'o1', name: 'Riverside Peer Network', slug: 'riverside' },
    operator: false,
    ...overrides,
  };
}

/** renderApp renders the whole app at a path, as the browser would. */
export function renderApp(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <App />
    </MemoryRouter>,
  );
}

import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, errorFromResponse, NETWORK_MESSAGE, parseRetryAfter, request, waitText } from './api';
import { apiError, fakeApi, json } from './testing';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('errorFromResponse', () => {
  it('reads the error envelope with its fields', async () => {
    const err = await errorFromResponse(
      apiError(400, 'invalid', 'Check the highlighted fields.', { password: 'Use at least 12 characters.' }),
    );
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(400);
    expect(err.code).toBe('invalid');
    expect(err.message).toBe('Check the highlighted fields.');
    expect(err.fields).toEqual({ password: 'Use at least 12 characters.' });
  });

  it('reads Retry-After seconds on 429', async () => {
    const err = await errorFromResponse(
      apiError(429, 'rate_limited', 'Too many failed sign-in attempts.', undefined, { 'Retry-After': '120' }),
    );
    expect(err.code).toBe('rate_limited');
    expect(err.retryAfter).toBe(120);
    expect(err.fields).toEqual({});
  });

  it('gives a friendly message when the body is not the envelope', async () => {
    const err = await errorFromResponse(new Response('<html>Bad gateway</html>', { status: 502 }));
    expect(err.status).toBe(502);
    expect(err.code).toBe('internal');
    expect(err.message).toMatch(/went wrong on our side/);
  });

  it('ignores fields that are not strings', async () => {
    const err = await errorFromResponse(
      json(400, { error: { code: 'invalid', message: 'Bad.', fields: { email: 'Required.', n: 3 } } }),
    );
    expect(err.fields).toEqual({ email: 'Required.' });
  });
});

describe('request', () => {
  it('sends JSON with same-origin credentials', async () => {
    const calls = fakeApi({ 'POST /auth/login': json(200, { id: 'p1' }) });
    const me = await api.login('a@b.example', 'correct horse battery');
    expect(me).toEqual({ id: 'p1' });
    expect(calls).toEqual([
      { method: 'POST', path: '/auth/login', body: { email: 'a@b.example', password: 'correct horse battery' } },
    ]);
    const init = vi.mocked(fetch).mock.calls[0]?.[1];
    expect(init?.credentials).toBe('same-origin');
    expect((init?.headers as Record<string, string>)['Content-Type']).toBe('application/json');
  });

  it('answers undefined for 204', async () => {
    fakeApi({ 'POST /auth/logout': () => new Response(null, { status: 204 }) });
    await expect(api.logout()).resolves.toBeUndefined();
  });

  it('throws ApiError for an error answer', async () => {
    fakeApi({ 'GET /me': apiError(401, 'unauthorized', 'Sign in first.') });
    await expect(api.me()).rejects.toMatchObject({ status: 401, code: 'unauthorized', message: 'Sign in first.' });
  });

  it('turns a network failure into a friendly error', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));
    const err = await request('GET', '/me').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 0, code: 'network', message: NETWORK_MESSAGE });
  });

  it('escapes tokens in paths', async () => {
    const calls = fakeApi({});
    await api.invitation('a/b?c').catch(() => undefined);
    expect(calls[0]?.path).toBe('/invitations/a%2Fb%3Fc');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and dates', () => {
    expect(parseRetryAfter('30')).toBe(30);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    const now = Date.parse('2026-11-23T10:00:00Z');
    expect(parseRetryAfter('Mon, 23 Nov 2026 10:01:00 GMT', now)).toBe(60);
  });
});

describe('waitText', () => {
  it('says the wait in plain words', () => {
    expect(waitText(1)).toBe('1 second');
    expect(waitText(45)).toBe('45 seconds');
    expect(waitText(60)).toBe('1 minute');
    expect(waitText(61)).toBe('2 minutes');
    expect(waitText(900)).toBe('15 minutes');
  });
});

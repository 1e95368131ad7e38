// A small typed client for the Peerpath HTTP API (docs/api.md). Every error the server sends has
// one shape, {"error":{"code","message","fields"}}, and becomes an ApiError here.

export type Role = 'trainee' | 'trainer' | 'manager' | 'org_admin';

export const ROLES: readonly Role[] = ['trainee', 'trainer', 'manager', 'org_admin'];

export interface Organisation {
  id: string;
  name: string;
  slug: string;
}

export interface Me {
  id: string;
  name: string;
  email: string;
  roles: Role[];
  organisation: Organisation | null;
  operator: boolean;
}

export interface Invitation {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  expires_at: string;
  created_at: string;
}

export interface InvitationPreview {
  email: string;
  name?: string;
  organisation: { name: string };
  roles: Role[];
  expires_at: string;
}

export interface List<T> {
  items: T[];
  next_cursor?: string;
}

export interface MailSummary {
  id: string;
  to: string;
  subject: string;
  sent_at: string;
}

export interface Mail extends MailSummary {
  text: string;
  html: string;
}

export const NETWORK_MESSAGE =
  "We couldn't reach Peerpath. Check your internet connection and try again.";

const STATUS_MESSAGES: Record<number, string> = {
  400: 'Check the highlighted fields.',
  401: 'Please sign in.',
  403: "You don't have access to this.",
  404: 'We could not find that.',
  409: 'That conflicts with something that already exists.',
  410: 'This link has expired or was already used.',
  413: 'That is too large to send.',
  429: 'Too many attempts. Please wait a little and try again.',
  503: 'Peerpath is not available just now. Please try again in a few minutes.',
};

/** An error answer from the API, or a network failure (status 0, code "network"). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: Record<string, string>;
  /** Seconds to wait, from a Retry-After header, when the server sent one. */
  readonly retryAfter: number | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    fields: Record<string, string> = {},
    retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.retryAfter = retryAfter;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** parseRetryAfter reads a Retry-After header: delay seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** errorFromResponse turns a non-2xx response into an ApiError, whatever its body holds. */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  const retryAfter = parseRetryAfter(res.headers.get('Retry-After'));
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const fallback =
    STATUS_MESSAGES[res.status] ??
    (res.status >= 500 ? 'Something went wrong on our side. Please try again.' : 'Something went wrong.');
  if (isRecord(body) && isRecord(body.error)) {
    const e = body.error;
    const fields: Record<string, string> = {};
    if (isRecord(e.fields)) {
      for (const [k, v] of Object.entries(e.fields)) {
        if (typeof v === 'string') fields[k] = v;
      }
    }
    return new ApiError(
      res.status,
      typeof e.code === 'string' && e.code ? e.code : 'unknown',
      typeof e.message === 'string' && e.message ? e.message : fallback,
      fields,
      retryAfter,
    );
  }
  return new ApiError(res.status, res.status >= 500 ? 'internal' : 'unknown', fallback, {}, retryAfter);
}

export const API_BASE = '/api/v1';

/** request calls the API and answers the decoded JSON body (undefined for 204). */
export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const init: RequestInit = { method, credentials: 'same-origin', headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(API_BASE + path, init);
  } catch {
    throw new ApiError(0, 'network', NETWORK_MESSAGE);
  }
  if (!res.ok) throw await errorFromResponse(res);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(res.status, 'bad_response', 'Peerpath sent an answer we could not read. Please try again.');
  }
}

const seg = encodeURIComponent;

export const api = {
  me: () => request<Me>('GET', '/me'),
  login: (email: string, password: string) => request<Me>('POST', '/auth/login', { email, password }),
  logout: () => request<void>('POST', '/auth/logout'),

  invitation: (token: string) => request<InvitationPreview>('GET', `/invitations/${seg(token)}`),
  acceptInvitation: (token: string, name: string, password: string) =>
    request<Me>('POST', `/invitations/${seg(token)}/accept`, { name, password }),

  requestPasswordReset: (email: string) => request<void>('POST', '/auth/password-reset', { email }),
  completePasswordReset: (token: string, password: string) =>
    request<void>('POST', `/auth/password-reset/${seg(token)}`, { password }),

  orgInvitations: (cursor?: string) =>
    request<List<Invitation>>('GET', '/org/invitations' + (cursor ? `?cursor=${seg(cursor)}` : '')),
  createInvitation: (input: { email: string; name?: string; roles: Role[] }) =>
    request<Invitation>('POST', '/org/invitations', input),

  devMail: () => request<List<MailSummary>>('GET', '/dev/mail'),
  devMailMessage: (id: string) => request<Mail>('GET', `/dev/mail/${seg(id)}`),
};

/** waitText says how long "Retry-After: seconds" is in plain words. */
export function waitText(seconds: number): string {
  if (seconds < 60) {
    const s = Math.max(1, Math.round(seconds));
    return s === 1 ? '1 second' : `${s} seconds`;
  }
  const m = Math.ceil(seconds / 60);
  return m === 1 ? '1 minute' : `${m} minutes`;
}

/** messageOf gives a friendly message for anything thrown. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return 'Something went wrong. Please try again.';
}

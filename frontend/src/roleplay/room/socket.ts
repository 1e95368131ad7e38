// The room's WebSocket: hello, resume from the last seq after a dropped connection, and one
// promise per intent that the server's ack or error (matched by req_id) settles.
import {
  CLOSE_FORBIDDEN,
  CLOSE_NOT_FOUND,
  CLOSE_NOT_SIGNED_IN,
  CLOSE_POLICY,
  type Envelope,
  type ErrorData,
  type IntentDataMap,
  type IntentType,
  type RoomEvent,
} from './protocol';

export type ConnectionStatus =
  | { kind: 'connecting' }
  | { kind: 'open' }
  | { kind: 'reconnecting'; attempt: number; delayMs: number }
  | { kind: 'closed'; code: number; message: string };

/** IntentError is the server's refusal of an intent, or the connection failing before an answer. */
export class IntentError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'IntentError';
    this.code = code;
  }
}

/** The part of the browser's WebSocket the room uses, so tests can pass a fake. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketFactory = new (url: string) => WebSocketLike;

const OPEN = 1;

export const INTENT_TIMEOUT_MS = 10_000;
export const BACKOFF_MIN_MS = 500;
export const BACKOFF_MAX_MS = 8_000;

export const OFFLINE_MESSAGE = "You're not connected just now. Wait until the room reconnects, then try again.";
export const DROPPED_MESSAGE =
  "The connection dropped before Peerpath confirmed this. Check whether it went through, and try again if not.";
export const TIMEOUT_MESSAGE = "Peerpath didn't confirm this in time. Check whether it went through, and try again if not.";

/** backoffMs is the wait before reconnect attempt n (0-based): doubling from 0.5 s to 8 s, with jitter. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const full = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt);
  // Jitter spreads a room's reconnects after a server restart, so they do not all arrive at once.
  return Math.round(Math.min(BACKOFF_MAX_MS, full * (0.75 + random() * 0.5)));
}

/** closeMessage says why the server closed for good, or null when the room should reconnect. */
export function closeMessage(code: number, reason: string): string | null {
  switch (code) {
    case CLOSE_POLICY:
      return reason ? reason : "You can't join this session.";
    case CLOSE_NOT_SIGNED_IN:
      return "You're signed out. Please sign in again to join the session.";
    case CLOSE_FORBIDDEN:
      return reason ? reason : "This session is for the people invited to it. You're not on its list.";
    case CLOSE_NOT_FOUND:
      return "We couldn't find this session. It may have been cancelled.";
  }
  return null;
}

export function roomUrl(sessionId: string, loc: Location = window.location): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}/api/v1/roleplay/sessions/${encodeURIComponent(sessionId)}/ws`;
}

export interface RoomSocketOptions {
  url: string;
  WebSocket: WebSocketFactory;
  /** lastSeq is read at each hello, so a reconnect resumes from the latest event applied. */
  lastSeq: () => number;
  /** The person's answer about keeping a transcript; undefined when they were not asked. */
  consent?: boolean | undefined;
  onEvent: (e: RoomEvent) => void;
  onStatus: (s: ConnectionStatus) => void;
  /** An error the server sent that answers no pending intent. */
  onError?: (e: ErrorData) => void;
  timeoutMs?: number;
  random?: () => number;
}

interface Pending {
  resolve: () => void;
  reject: (e: IntentError) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class RoomSocket {
  private readonly opts: RoomSocketOptions;
  private ws: WebSocketLike | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();

  constructor(opts: RoomSocketOptions) {
    this.opts = opts;
  }

  start(): void {
    this.stopped = false;
    this.opts.onStatus({ kind: 'connecting' });
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.failPending(DROPPED_MESSAGE);
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      ws.close(1000, 'leaving');
    }
  }

  /** send sends an intent and settles when the server answers with ack or error. */
  send<T extends IntentType>(type: T, data: IntentDataMap[T]): Promise<void> {
    const ws = this.ws;
    if (!ws || ws.readyState !== OPEN) return Promise.reject(new IntentError('offline', OFFLINE_MESSAGE));
    const reqId = `r${this.nextId++}`;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(reqId);
        reject(new IntentError('timeout', TIMEOUT_MESSAGE));
      }, this.opts.timeoutMs ?? INTENT_TIMEOUT_MS);
      this.pending.set(reqId, { resolve, reject, timer });
      try {
        ws.send(JSON.stringify({ type, req_id: reqId, data }));
      } catch {
        clearTimeout(timer);
        this.pending.delete(reqId);
        reject(new IntentError('offline', OFFLINE_MESSAGE));
      }
    });
  }

  private connect(): void {
    let ws: WebSocketLike;
    try {
      ws = new this.opts.WebSocket(this.opts.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      const hello: { last_seq: number; transcript_consent?: boolean } = { last_seq: this.opts.lastSeq() };
      if (this.opts.consent !== undefined) hello.transcript_consent = this.opts.consent;
      ws.send(JSON.stringify({ type: 'hello', req_id: `r${this.nextId++}`, data: hello }));
      this.opts.onStatus({ kind: 'open' });
    };
    ws.onmessage = (ev: MessageEvent) => this.receive(ev.data);
    ws.onclose = (ev: CloseEvent) => this.closed(ws, ev.code, ev.reason);
    // An error is always followed by close, which decides what to do.
    ws.onerror = () => {};
  }

  private receive(raw: unknown): void {
    if (typeof raw !== 'string') return;
    let env: Envelope;
    try {
      env = JSON.parse(raw) as Envelope;
    } catch {
      return;
    }
    if (!env || typeof env !== 'object' || typeof env.type !== 'string') return;
    // The server has taken the hello: later drops start the backoff afresh.
    this.attempt = 0;
    if (env.type === 'ack') {
      this.settle(env.data?.req_id, null);
      return;
    }
    if (env.type === 'error') {
      const d = env.data ?? { code: 'unknown', message: 'Something went wrong.' };
      if (!this.settle(d.req_id, new IntentError(d.code, d.message))) this.opts.onError?.(d);
      return;
    }
    this.opts.onEvent(env);
  }

  private settle(reqId: string | undefined, err: IntentError | null): boolean {
    if (!reqId) return false;
    const p = this.pending.get(reqId);
    if (!p) return false;
    this.pending.delete(reqId);
    clearTimeout(p.timer);
    if (err) p.reject(err);
    else p.resolve();
    return true;
  }

  private failPending(message: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new IntentError('disconnected', message));
      this.pending.delete(id);
    }
  }

  private closed(ws: WebSocketLike, code: number, reason: string): void {
    if (ws !== this.ws || this.stopped) return;
    this.ws = null;
    this.failPending(DROPPED_MESSAGE);
    const final = closeMessage(code, reason);
    if (final !== null) {
      this.opts.onStatus({ kind: 'closed', code, message: final });
      return;
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delayMs = backoffMs(this.attempt, this.opts.random);
    this.attempt++;
    this.opts.onStatus({ kind: 'reconnecting', attempt: this.attempt, delayMs });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this.connect();
    }, delayMs);
  }
}

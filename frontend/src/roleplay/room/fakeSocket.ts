// A stand-in for the browser's WebSocket in tests: it records what the page sends and lets the
// test play the server. No network is involved.
import { act } from '@testing-library/react';
import type { Envelope } from './protocol';
import type { WebSocketLike } from './socket';

export interface SentIntent {
  type: string;
  req_id: string;
  data: Record<string, unknown>;
}

export class FakeWebSocket implements WebSocketLike {
  static instances: FakeWebSocket[] = [];

  static reset(): void {
    FakeWebSocket.instances = [];
  }

  /** latest is the socket the page opened last. */
  static get latest(): FakeWebSocket {
    const ws = FakeWebSocket.instances[FakeWebSocket.instances.length - 1];
    if (!ws) throw new Error('no WebSocket was opened');
    return ws;
  }

  readonly url: string;
  readyState = 0;
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  sent: SentIntent[] = [];
  closedByClient: { code?: number | undefined; reason?: string | undefined } | null = null;

  constructor(url: string) {
    this.url = url;
    FakeWebSocket.instances.push(this);
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(JSON.parse(data) as SentIntent);
  }

  close(code?: number, reason?: string): void {
    this.closedByClient = { code, reason };
    this.readyState = 3;
  }

  // ------------------------------------------------------------- the server's side

  open(): void {
    act(() => {
      this.readyState = 1;
      this.onopen?.(new Event('open'));
    });
  }

  /** receive delivers server envelopes to the page. */
  receive(...envs: (Envelope | Record<string, unknown>)[]): void {
    act(() => {
      for (const env of envs) this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(env) }));
    });
  }

  /** serverClose closes the connection from the server's side. */
  serverClose(code: number, reason = ''): void {
    act(() => {
      this.readyState = 3;
      this.onclose?.(new CloseEvent('close', { code, reason }));
    });
  }

  /** last is the latest intent of a type the page sent. */
  last(type: string): SentIntent | undefined {
    return this.sent.filter((m) => m.type === type).pop();
  }

  ack(type: string): void {
    const m = this.last(type);
    if (!m) throw new Error(`no ${type} was sent`);
    this.receive({ type: 'ack', seq: 0, at: '2026-11-24T10:00:00Z', data: { req_id: m.req_id } });
  }

  refuse(type: string, code: string, message: string): void {
    const m = this.last(type);
    if (!m) throw new Error(`no ${type} was sent`);
    this.receive({ type: 'error', seq: 0, at: '2026-11-24T10:00:00Z', data: { req_id: m.req_id, code, message } });
  }
}

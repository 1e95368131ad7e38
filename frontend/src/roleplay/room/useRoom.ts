import { useCallback, useEffect, useRef, useState } from 'react';
import type { ErrorData, IntentDataMap, IntentType } from './protocol';
import {
  IntentError,
  OFFLINE_MESSAGE,
  RoomSocket,
  roomUrl,
  type ConnectionStatus,
  type WebSocketFactory,
} from './socket';
import { initialState, reduce, type RoomState } from './state';

export type Send = <T extends IntentType>(type: T, data: IntentDataMap[T]) => Promise<void>;

export interface RoomOptions {
  /** False holds the connection back, e.g. until the person has answered about the transcript. */
  enabled?: boolean;
  consent?: boolean | undefined;
  /** The WebSocket class; the browser's by default. Tests pass a fake. */
  WebSocket?: WebSocketFactory | undefined;
  url?: string;
}

export interface Room {
  state: RoomState;
  status: ConnectionStatus;
  send: Send;
  /** The latest error the server sent that answered no intent of ours. */
  notice: ErrorData | null;
}

/** useRoom connects to a session's room and keeps its state, resuming after a dropped connection. */
export function useRoom(sessionId: string, { enabled = true, consent, WebSocket: Impl, url }: RoomOptions = {}): Room {
  const [state, setState] = useState<RoomState>(initialState);
  const [status, setStatus] = useState<ConnectionStatus>({ kind: 'connecting' });
  const [notice, setNotice] = useState<ErrorData | null>(null);
  const stateRef = useRef<RoomState>(initialState);
  const socketRef = useRef<RoomSocket | null>(null);

  useEffect(() => {
    if (!enabled) return;
    const WS = Impl ?? (globalThis.WebSocket as unknown as WebSocketFactory);
    const socket = new RoomSocket({
      url: url ?? roomUrl(sessionId),
      WebSocket: WS,
      consent,
      lastSeq: () => stateRef.current.lastSeq,
      onEvent: (e) => {
        const next = reduce(stateRef.current, e);
        if (next !== stateRef.current) {
          stateRef.current = next;
          setState(next);
        }
      },
      onStatus: setStatus,
      onError: setNotice,
    });
    socketRef.current = socket;
    socket.start();
    return () => {
      socket.stop();
      if (socketRef.current === socket) socketRef.current = null;
    };
  }, [sessionId, enabled, consent, Impl, url]);

  const send: Send = useCallback((type, data) => {
    const socket = socketRef.current;
    if (!socket) return Promise.reject(new IntentError('offline', OFFLINE_MESSAGE));
    return socket.send(type, data);
  }, []);

  return { state, status, send, notice };
}

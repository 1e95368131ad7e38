import { request } from '../../api';

/** SessionInfo is the little the room needs to know before it connects. */
export interface SessionInfo {
  id?: string;
  title?: string;
  /** Whether the session may keep a chat transcript: if so, people are asked before they join. */
  transcript_allowed?: boolean;
  /** The round lengths the session was planned with: the trainer's starting point. */
  practice_seconds?: number;
  feedback_seconds?: number;
}

export function fetchSessionInfo(id: string): Promise<SessionInfo> {
  return request<SessionInfo>('GET', `/roleplay/sessions/${encodeURIComponent(id)}`);
}

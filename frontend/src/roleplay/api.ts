// The role-play records around live sessions: scheduling, lists, a session's page, feedback,
// debrief, the kept transcript and the practice portfolio (docs/api.md, "Role-play sessions").
import { request, type List } from '../api';

export type SessionState = 'scheduled' | 'lobby' | 'running' | 'ended' | 'cancelled';

export interface RoleplayPerson {
  id: string;
  name: string;
}

export interface SessionSummary {
  id: string;
  title: string;
  starts_at: string;
  ends_at: string;
  time_zone: string;
  state: SessionState;
  trainer: RoleplayPerson;
  invitee_count: number;
  you_are: 'trainer' | 'invitee' | 'admin';
}

/** CardView is what everyone may see of a scenario card: never the private briefs. */
export interface CardView {
  id: string;
  title: string;
  setting: string;
  content_warning: string;
  shared: string;
  /** The titles of the rubric criteria the observer scores. */
  rubric: string[];
}

export interface SessionDetail extends SessionSummary {
  duration_minutes: number;
  practice_seconds: number;
  feedback_seconds: number;
  transcript_allowed: boolean;
  invitees: RoleplayPerson[];
  cards: CardView[];
}

export interface Candidates {
  people: RoleplayPerson[];
  teams: { id: string; name: string; member_count: number }[];
}

export interface SessionInput {
  title: string;
  starts_at: string;
  time_zone: string;
  duration_minutes: number;
  practice_seconds: number;
  feedback_seconds: number;
  card_ids: string[];
  person_ids: string[];
  team_ids: string[];
  transcript_allowed: boolean;
}

export interface Score {
  criterion_id: string;
  title: string;
  score: number;
}

export interface FeedbackRow {
  round: number;
  phase: string;
  group_id: string;
  from: RoleplayPerson;
  seat: string;
  about: RoleplayPerson | null;
  scores: Score[];
  comment: string;
  submitted_at: string;
}

export interface DebriefGroup {
  group_id: string;
  criteria: { criterion_id: string; title: string; mean: number; count: number }[];
}

export interface SessionFeedback {
  session: SessionSummary;
  rows: FeedbackRow[];
  debrief: DebriefGroup[];
}

export interface Practice {
  session_id: string;
  session_title: string;
  round: number;
  group_id: string;
  seat: string;
  started_at: string;
  card: { id: string; title: string };
  feedback: FeedbackRow[];
}

/** TranscriptLine is one kept chat message; group_id is absent on the session-wide channel. */
export interface TranscriptLine {
  seq: number;
  at: string;
  from: RoleplayPerson;
  group_id?: string;
  channel: 'session' | 'group';
  text: string;
}

const seg = encodeURIComponent;

function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const roleplayApi = {
  sessions: (when: 'upcoming' | 'past', cursor?: string) =>
    request<List<SessionSummary>>('GET', '/roleplay/sessions' + query({ when, cursor })),
  session: (id: string) => request<SessionDetail>('GET', `/roleplay/sessions/${seg(id)}`),
  create: (input: SessionInput) => request<SessionDetail>('POST', '/roleplay/sessions', input),
  cancel: (id: string) => request<SessionDetail>('POST', `/roleplay/sessions/${seg(id)}/cancel`),
  cards: () => request<{ items: CardView[] }>('GET', '/roleplay/cards'),
  candidates: () => request<Candidates>('GET', '/roleplay/candidates'),
  feedback: (id: string) => request<SessionFeedback>('GET', `/roleplay/sessions/${seg(id)}/feedback`),
  transcript: (id: string, cursor?: string) =>
    request<List<TranscriptLine>>('GET', `/roleplay/sessions/${seg(id)}/transcript` + query({ cursor })),
  portfolio: (cursor?: string) => request<List<Practice>>('GET', '/me/roleplay/portfolio' + query({ cursor })),
};

/** icsURL is where a session's calendar file downloads from. */
export function icsURL(id: string): string {
  return `/api/v1/roleplay/sessions/${seg(id)}.ics`;
}

export const SEAT_NAMES: Record<string, string> = {
  speaker: 'Person seeking support',
  peer_worker: 'Peer worker',
  observer: 'Observer',
};

export const PHASE_NAMES: Record<string, string> = {
  'feedback.observer': 'Observer feedback',
  'feedback.self': "Peer worker's self-review",
  'feedback.trainer': 'Trainer feedback',
  'feedback.speaker': 'Feedback from the person seeking support',
};

export const STATE_NAMES: Record<SessionState, string> = {
  scheduled: 'Scheduled',
  lobby: 'Lobby open',
  running: 'Running now',
  ended: 'Ended',
  cancelled: 'Cancelled',
};

/** canSchedule is whether someone with these roles may schedule sessions. */
export function canSchedule(roles: readonly string[]): boolean {
  return roles.includes('trainer') || roles.includes('org_admin');
}

// ------------------------------------------------------------- time zones

/** browserZone is the zone the browser is in, e.g. "Pacific/Auckland". */
export function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** zoneList is every IANA zone the browser knows, with the given ones first if missing. */
export function zoneList(...include: string[]): string[] {
  let zones: string[] = [];
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  try {
    zones = intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : [];
  } catch {
    zones = [];
  }
  if (zones.length === 0) zones = ['UTC', 'Australia/Sydney', 'Europe/London', 'Pacific/Auckland', 'America/New_York'];
  for (const z of include) if (z && !zones.includes(z)) zones = [z, ...zones];
  return zones;
}

/** offsetAt is how far zone's clocks are ahead of UTC at the instant ms, in milliseconds. */
function offsetAt(zone: string, ms: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms));
  const n = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - ms;
}

/**
 * zonedToISO turns a wall-clock date ("2026-03-09") and time ("10:00") in zone into an RFC 3339
 * UTC time, or "" when they are not a valid date and time.
 */
export function zonedToISO(date: string, time: string, zone: string): string {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})$/.exec(time);
  if (!d || !t) return '';
  const wall = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(t[1]), Number(t[2]));
  try {
    // Two passes settle the offset when the guess lands across a daylight-saving change.
    let ms = wall - offsetAt(zone, wall);
    ms = wall - offsetAt(zone, ms);
    return new Date(ms).toISOString().replace('.000Z', 'Z');
  } catch {
    return '';
  }
}

/** formatIn shows an RFC 3339 time in a zone (the reader's when none is given). */
export function formatIn(iso: string, zone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat(undefined, {
      dateStyle: 'full',
      timeStyle: 'short',
      ...(zone ? { timeZone: zone } : {}),
    }).format(d);
  } catch {
    return d.toUTCString();
  }
}

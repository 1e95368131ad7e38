// Completion, charts, audit reports, API tokens and "My data" (docs/api.md, "Completion,
// exports, API tokens and privacy").
import { API_BASE, request, type Certificate, type List } from '../api';

export type MatrixStatus = 'not_started' | 'in_progress' | 'completed' | 'due_soon' | 'overdue' | 'expired';

/** MATRIX_STATUSES is most urgent first, the order the server sorts by status. */
export const MATRIX_STATUSES: readonly MatrixStatus[] = [
  'overdue',
  'expired',
  'due_soon',
  'not_started',
  'in_progress',
  'completed',
];

export type StatusCounts = Partial<Record<MatrixStatus, number>>;

/**
 * MatrixRow is one person and one assigned course, or one type of external training (first aid,
 * ASIST…): then course is empty, course_title is the training's name and its dates are days.
 */
export interface MatrixRow {
  person_id: string;
  name: string;
  email: string;
  teams: string[];
  kind: 'course' | 'external';
  course: string;
  training_type_id: string | null;
  course_title: string;
  status: MatrixStatus;
  due_at: string | null;
  completed_at: string | null;
  expires_at: string | null;
}

export interface CourseTotal {
  course: string;
  title: string;
  total: number;
  counts: StatusCounts;
}

export interface TrainingTypeTotal {
  id: string;
  name: string;
  total: number;
  counts: StatusCounts;
}

export interface TeamTotal {
  id: string | null;
  name: string;
  total: number;
  counts: StatusCounts;
}

export interface Matrix {
  items: MatrixRow[];
  next_cursor: string;
  total: number;
  courses: CourseTotal[];
  training_types: TrainingTypeTotal[];
  teams: TeamTotal[];
}

export type MatrixSort = 'name' | 'status' | 'due';

export interface MatrixQuery {
  team?: string;
  course?: string;
  /** A type of external training, by id; never together with course. */
  training_type?: string;
  status?: string;
  sort?: string;
  order?: string;
  cursor?: string;
}

export interface PersonRecord {
  person: { id: string; name: string; email: string; active: boolean; teams: string[] };
  assignments: MatrixRow[];
  courses: {
    course: string;
    title: string;
    version: number;
    started_at: string;
    completed_at: string | null;
    modules: { slug: string; title: string; completed_at: string | null }[];
  }[];
  attempts: {
    quiz: string;
    course: string;
    number: number;
    started_at: string;
    submitted_at: string | null;
    score: number | null;
    passed: boolean | null;
    timed_out: boolean;
  }[];
  roleplay: {
    seats: { session_id: string; session_title: string; round: number; seat: string; card: string; started_at: string }[];
    feedback: {
      session_id: string;
      session_title: string;
      round: number;
      from_seat: string;
      scores: unknown;
      submitted_at: string;
    }[];
  };
  certificates: {
    id: string;
    number: string;
    course: string;
    course_title: string;
    cycle: number;
    issued_at: string;
    expires_at: string | null;
    revoked_at: string | null;
    /** Sent by the revoke answer; the record itself may not carry it. */
    revoked_reason?: string;
    status: string;
  }[];
}

export interface ReportRow extends MatrixRow {
  certificate_number: string;
}

export interface CourseReport {
  course: { slug: string; title: string; version: number };
  organisation: string;
  generated_at: string;
  scope: 'organisation' | 'my teams';
  totals: StatusCounts;
  rows: ReportRow[];
}

export interface Charts {
  completions_per_week: { week_start: string; completions: number }[];
  overdue_by_team: { id: string | null; name: string; overdue: number; total: number }[];
}

export type TokenScope = 'read' | 'write';

export interface APIToken {
  id: string;
  name: string;
  scope: TokenScope;
  hint: string;
  created_by: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface CreatedToken extends APIToken {
  /** The secret: sent once, never again. */
  token: string;
}

export interface TeamOption {
  id: string;
  name: string;
}

export interface CourseOption {
  slug: string;
  title: string;
}

const seg = encodeURIComponent;

/** matrixQuery is the query string of the matrix and of its CSV export, in one fixed order. */
export function matrixQuery(q: MatrixQuery): string {
  const p = new URLSearchParams();
  for (const k of ['team', 'course', 'training_type', 'status', 'sort', 'order', 'cursor'] as const) {
    const v = q[k];
    if (v) p.set(k, v);
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** completionCSVHref is where the browser downloads the matrix, with its filters but no cursor. */
export function completionCSVHref(q: MatrixQuery): string {
  return `${API_BASE}/org/completion.csv${matrixQuery({ ...q, cursor: undefined })}`;
}

export const d3Api = {
  completion: (q: MatrixQuery) => request<Matrix>('GET', `/org/completion${matrixQuery(q)}`),
  charts: () => request<Charts>('GET', '/org/charts'),
  personRecord: (id: string) => request<PersonRecord>('GET', `/org/people/${seg(id)}/record`),
  courseReport: (slug: string) => request<CourseReport>('GET', `/org/courses/${seg(slug)}/report`),
  teams: () => request<List<TeamOption>>('GET', '/org/teams?limit=100'),
  courses: () =>
    request<{ assigned: CourseOption[]; catalogue: CourseOption[] }>('GET', '/courses').then((r) => [
      ...r.assigned,
      ...r.catalogue,
    ]),

  apiTokens: () => request<List<APIToken>>('GET', '/org/api-tokens'),
  createAPIToken: (name: string, scope: TokenScope) =>
    request<CreatedToken>('POST', '/org/api-tokens', { name, scope }),
  revokeAPIToken: (id: string) => request<void>('DELETE', `/org/api-tokens/${seg(id)}`),
  revokeCertificate: (id: string, reason: string) =>
    request<Certificate>('POST', `/org/certificates/${seg(id)}/revoke`, { reason }),

  /** myExport answers the export as the server sent it, ready to save as a file. */
  myExport: () => request<unknown>('GET', '/me/export'),
  requestDeletion: (password: string) => request<void>('POST', '/me/deletion-request', { password }),
};

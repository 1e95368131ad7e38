// The organisation pages' API: people, CSV import, teams, assignments and the audit log
// (docs/api.md, "Organisation: people, teams, assignments, audit log").
import { API_BASE, ApiError, errorFromResponse, NETWORK_MESSAGE, request, type List, type Role } from '../api';

export interface PersonTeam {
  id: string;
  name: string;
  manager: boolean;
}

export interface OrgPerson {
  id: string;
  name: string;
  email: string;
  roles: Role[];
  active: boolean;
  deactivated_at: string | null;
  created_at: string;
  teams: PersonTeam[];
}

export interface ImportRow {
  line: number;
  name: string;
  email: string;
  team: string;
  roles: Role[];
  problems: Record<string, string>;
}

export interface PeopleImport {
  dry_run: boolean;
  rows: ImportRow[];
  problem_rows: number;
  invited: number;
}

export interface Team {
  id: string;
  name: string;
  member_count: number;
  manager_count: number;
  created_at: string;
}

export interface TeamMember {
  id: string;
  name: string;
  email: string;
  manager: boolean;
  active: boolean;
  joined_at: string;
}

export interface AssignmentRule {
  id: string;
  team_id: string;
  course: { slug: string; title: string };
  due_at: string | null;
  due_within_days: number | null;
  recert_months: number | null;
  created_at: string;
}

export interface TeamDetail extends Team {
  members: TeamMember[];
  assignment_rules: AssignmentRule[];
}

export interface AssignInput {
  course_slug: string;
  person_ids?: string[];
  team_id?: string;
  due_at?: string;
  due_within_days?: number;
  recert_months?: number;
}

export interface AssignResult {
  assigned: number;
  updated: number;
  kept: number;
  rule: AssignmentRule | null;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: { kind: 'person' | 'api_token'; id: string | null; name: string };
  action: string;
  subject: { type: string; id: string };
  detail: Record<string, unknown>;
}

export interface PeopleQuery {
  q?: string;
  role?: string;
  team?: string;
  status?: string;
  cursor?: string;
}

const seg = encodeURIComponent;

function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** importPeople sends a CSV file as it is (not JSON) for a preview or the import itself. */
async function importPeople(csv: Blob, dryRun: boolean): Promise<PeopleImport> {
  let res: Response;
  try {
    res = await fetch(`${API_BASE}/org/people/import?dry_run=${dryRun ? 'true' : 'false'}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'Content-Type': 'text/csv' },
      body: csv,
    });
  } catch {
    throw new ApiError(0, 'network', NETWORK_MESSAGE);
  }
  if (!res.ok) throw await errorFromResponse(res);
  return (await res.json()) as PeopleImport;
}

export const orgApi = {
  people: (q: PeopleQuery = {}) => request<List<OrgPerson>>('GET', '/org/people' + query({ ...q })),
  setRoles: (id: string, roles: Role[]) => request<OrgPerson>('PATCH', `/org/people/${seg(id)}`, { roles }),
  deactivate: (id: string) => request<OrgPerson>('POST', `/org/people/${seg(id)}/deactivate`),
  reactivate: (id: string) => request<OrgPerson>('POST', `/org/people/${seg(id)}/reactivate`),
  importPeople,
  teams: (cursor?: string) => request<List<Team>>('GET', '/org/teams' + query({ cursor, limit: '100' })),
  team: (id: string) => request<TeamDetail>('GET', `/org/teams/${seg(id)}`),
  createTeam: (name: string) => request<TeamDetail>('POST', '/org/teams', { name }),
  deleteTeam: (id: string) => request<void>('DELETE', `/org/teams/${seg(id)}`),
  putMember: (team: string, person: string, manager: boolean) =>
    request<TeamDetail>('PUT', `/org/teams/${seg(team)}/members/${seg(person)}`, { manager }),
  removeMember: (team: string, person: string) =>
    request<void>('DELETE', `/org/teams/${seg(team)}/members/${seg(person)}`),
  assign: (input: AssignInput) => request<AssignResult>('POST', '/org/assignments', input),
  audit: (action?: string, cursor?: string) =>
    request<List<AuditEntry>>('GET', '/org/audit' + query({ action, cursor })),
};

// ---------------------------------------------------------------- teams, assignments (D4 pages)

export interface Assignment {
  id: string;
  person: { id: string; name: string; email: string };
  course: { slug: string; title: string };
  due_at: string | null;
  assigned_due_at: string | null;
  recert_months: number | null;
  last_completed_at: string | null;
  team_rule_id: string | null;
  created_at: string;
}

export const teamsApi = {
  renameTeam: (id: string, name: string) => request<TeamDetail>('PATCH', `/org/teams/${seg(id)}`, { name }),
  /** searchPeople is the member picker's search: active people whose name or email matches. */
  searchPeople: (q: string) => request<List<OrgPerson>>('GET', '/org/people' + query({ q, status: 'active', limit: '20' })),
  assignments: (cursor?: string) => request<List<Assignment>>('GET', '/org/assignments' + query({ cursor })),
  deleteAssignment: (id: string) => request<void>('DELETE', `/org/assignments/${seg(id)}`),
  deleteRule: (id: string) => request<void>('DELETE', `/org/assignment-rules/${seg(id)}`),
};

// ---------------------------------------------------------------- external training

export interface TrainingType {
  id: string;
  name: string;
  validity_months: number | null;
  record_count: number;
  created_at: string;
}

export interface TrainingRecord {
  id: string;
  person: { id: string; name: string; email: string };
  training_type: { id: string; name: string };
  /** YYYY-MM-DD */
  completed_on: string;
  expires_on: string | null;
  expired: boolean;
  evidence_name: string;
  evidence_type: string | null;
  evidence_size: number;
  created_at: string;
}

export interface TrainingRecordInput {
  person_id?: string;
  training_type_id: string;
  completed_on: string;
  evidence: File | null;
}

/** sendTrainingRecord posts the record as multipart/form-data, with the evidence file. */
async function sendTrainingRecord(path: string, input: TrainingRecordInput): Promise<TrainingRecord> {
  const form = new FormData();
  if (input.person_id) form.set('person_id', input.person_id);
  form.set('training_type_id', input.training_type_id);
  form.set('completed_on', input.completed_on);
  if (input.evidence) form.set('evidence', input.evidence);
  let res: Response;
  try {
    res = await fetch(API_BASE + path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
      body: form,
    });
  } catch {
    throw new ApiError(0, 'network', NETWORK_MESSAGE);
  }
  if (!res.ok) throw await errorFromResponse(res);
  return (await res.json()) as TrainingRecord;
}

export const trainingApi = {
  types: () => request<List<TrainingType>>('GET', '/org/training-types'),
  myTypes: () => request<List<TrainingType>>('GET', '/me/training-types'),
  createType: (name: string, validity_months: number | null) =>
    request<TrainingType>('POST', '/org/training-types', { name, validity_months }),
  deleteType: (id: string) => request<void>('DELETE', `/org/training-types/${seg(id)}`),
  records: (q: { person?: string; type?: string; cursor?: string } = {}) =>
    request<List<TrainingRecord>>('GET', '/org/training-records' + query(q)),
  myRecords: (cursor?: string) => request<List<TrainingRecord>>('GET', '/me/training-records' + query({ cursor })),
  createRecord: (input: TrainingRecordInput) => sendTrainingRecord('/org/training-records', input),
  createMyRecord: (input: TrainingRecordInput) => sendTrainingRecord('/me/training-records', input),
  deleteRecord: (id: string) => request<void>('DELETE', `/org/training-records/${seg(id)}`),
  /** evidenceUrl is where the browser downloads a record's evidence file. */
  evidenceUrl: (id: string, own = false) =>
    `${API_BASE}/${own ? 'me' : 'org'}/training-records/${seg(id)}/evidence`,
};

// ---------------------------------------------------------------- organisation settings

/** CertificatePeriod is how long a course's certificates last in this organisation. */
export interface CertificatePeriod {
  course: string;
  title: string;
  /** The course's own period in months; 0 never expires. */
  default_validity_months: number;
  /** The organisation's own period in months (0 never expires), or null for the course's. */
  validity_months: number | null;
}

export interface OrgSettings {
  /** An IANA time zone, like Pacific/Auckland: daily reminders go out at 08:00 there. */
  time_zone: string;
  courses: CertificatePeriod[];
}

export const settingsApi = {
  get: () => request<OrgSettings>('GET', '/org/settings'),
  setTimeZone: (time_zone: string) => request<{ time_zone: string }>('PUT', '/org/settings/time-zone', { time_zone }),
  setCertificatePeriod: (course: string, validity_months: number | null) =>
    request<{ validity_months: number | null }>('PUT', `/org/courses/${seg(course)}/certificate-period`, {
      validity_months,
    }),
};

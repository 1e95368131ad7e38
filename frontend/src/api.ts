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

// ---------------------------------------------------------------- learning

export type CourseStatus = 'not_started' | 'in_progress' | 'completed' | 'overdue';

export interface CourseCard {
  slug: string;
  title: string;
  summary: string;
  estimated_hours: number;
  status: CourseStatus;
  percent: number;
  due_at: string | null;
  organisation_course: boolean;
}

export interface CourseList {
  assigned: CourseCard[];
  catalogue: CourseCard[];
}

export interface ModuleQuiz {
  id: string;
  title: string;
  passed: boolean;
  attempts_used: number;
  /** 0 means unlimited. */
  attempts_allowed: number;
}

export interface CourseModule {
  slug: string;
  title: string;
  minutes: number;
  completed: boolean;
  content_warning: string | null;
  tags: string[];
  quiz: ModuleQuiz | null;
}

export interface CourseProgress {
  modules_done: number;
  modules_total: number;
  quizzes_passed: number;
  quizzes_total: number;
  percent: number;
}

export interface CourseDetail extends CourseCard {
  audience: string;
  version: number;
  competencies: string[];
  completion: { modules: string | number; quizzes: string | number; roleplay: boolean };
  progress: CourseProgress;
  still_required: string[];
  completed_at: string | null;
  modules: CourseModule[];
  scenarios: { id: string; title: string }[];
}

export interface ModuleLink {
  slug: string;
  title: string;
}

export interface ModuleView {
  course: { slug: string; title: string };
  slug: string;
  title: string;
  minutes: number;
  objectives: string[];
  tags: string[];
  content_warning: string | null;
  /** Sanitised by the server. */
  html: string;
  completed: boolean;
  prev: ModuleLink | null;
  next: ModuleLink | null;
  reflection: { id: string; prompt: string }[];
  quiz: { id: string; title: string; passed: boolean } | null;
}

export interface ReflectionPrompt {
  id: string;
  prompt: string;
  answer: string;
  updated_at: string | null;
}

export interface Reflection {
  prompts: ReflectionPrompt[];
}

export type QuestionKind = 'single' | 'multiple' | 'true_false' | 'ordering' | 'scenario';

export interface QuestionOption {
  id: string;
  text: string;
}

export interface Question {
  id: string;
  kind: QuestionKind;
  prompt: string;
  scenario?: string | null;
  options: QuestionOption[] | null;
}

/** Answers are option ids per question id: ["a"], ["true"], every pick, or every id in order. */
export type Answers = Record<string, string[]>;

export interface ReviewItem {
  question_id: string;
  correct: boolean;
  credit: number;
  answer: string[];
  correct_answer: string[];
  feedback: string;
}

export interface QuizResult {
  score: number;
  passed: boolean;
  pass_mark: number;
  attempts_used: number;
  attempts_left: number | null;
  timed_out: boolean;
  course_completed: boolean;
  review: ReviewItem[] | null;
}

export interface AttemptQuiz {
  id: string;
  title: string;
  pass_mark: number;
  time_limit_minutes: number;
  review: boolean;
}

export interface Attempt {
  id: string;
  quiz: AttemptQuiz;
  course: { slug: string; title: string };
  number: number;
  attempts_allowed: number;
  started_at: string;
  deadline_at: string | null;
  submitted_at: string | null;
  questions: Question[];
  answers: Answers | null;
  result: QuizResult | null;
}

export interface AttemptSummary {
  id: string;
  number: number;
  started_at: string;
  submitted_at: string | null;
  score: number | null;
  passed: boolean | null;
}

export type ChoiceQuality = 'best' | 'acceptable' | 'poor';

export interface ScenarioNode {
  id: string;
  /** Markdown. */
  text: string;
  choices: { id: string; text: string }[];
}

export interface ScenarioStep {
  node: string;
  choice: string;
  choice_text: string;
  quality: ChoiceQuality;
  consequence: string;
  feedback: string;
}

export interface ScenarioRun {
  id: string;
  current: ScenarioNode | null;
  finished: boolean;
  path: ScenarioStep[];
}

export interface ScenarioView {
  id: string;
  title: string;
  summary: string;
  content_warning: string | null;
  course: { slug: string; title: string };
  start: ScenarioNode;
  run: ScenarioRun | null;
}

export interface ChoiceResult {
  run_id: string;
  step: ScenarioStep;
  next: ScenarioNode | null;
  finished: boolean;
}

export interface ScenarioSummary {
  id: string;
  title: string;
  summary: string;
  content_warning: string | null;
  module: string;
  runs: number;
  finished_runs: number;
}

// ---------------------------------------------------------------- certificates

export type CertificateStatus = 'valid' | 'expired' | 'revoked';

export interface Certificate {
  id: string;
  number: string;
  status: CertificateStatus;
  person_name: string;
  course: { slug: string; title: string; version: number };
  organisation: string;
  cycle: number;
  issued_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  revoked_reason?: string;
  /** The public verification page, a full address. */
  verify_url: string;
  pdf_url: string;
  credential_url: string;
}

/** Verification is what the public verification page may show: only what the certificate shows. */
export interface Verification {
  status: CertificateStatus;
  name: string;
  course: string;
  course_version: number;
  organisation: string;
  number: string;
  issued_at: string;
  expires_at: string | null;
  revoked_at: string | null;
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

/** requestWithStatus calls the API and answers the status with the decoded JSON body. */
export async function requestWithStatus<T>(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
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
  if (res.status === 204) return { status: res.status, body: undefined as T };
  const text = await res.text();
  if (!text) return { status: res.status, body: undefined as T };
  try {
    return { status: res.status, body: JSON.parse(text) as T };
  } catch {
    throw new ApiError(res.status, 'bad_response', 'Peerpath sent an answer we could not read. Please try again.');
  }
}

/** request calls the API and answers the decoded JSON body (undefined for 204). */
export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  return (await requestWithStatus<T>(method, path, body)).body;
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

  courses: () => request<CourseList>('GET', '/courses'),
  course: (slug: string) => request<CourseDetail>('GET', `/courses/${seg(slug)}`),
  module: (slug: string, module: string) =>
    request<ModuleView>('GET', `/courses/${seg(slug)}/modules/${seg(module)}`),
  completeModule: (slug: string, module: string) =>
    request<CourseDetail>('POST', `/courses/${seg(slug)}/modules/${seg(module)}/complete`),
  reflection: (slug: string, module: string) =>
    request<Reflection>('GET', `/courses/${seg(slug)}/modules/${seg(module)}/reflection`),
  saveReflection: (slug: string, module: string, answers: Record<string, string>) =>
    request<Reflection>('PUT', `/courses/${seg(slug)}/modules/${seg(module)}/reflection`, { answers }),
  deleteReflection: (slug: string, module: string) =>
    request<void>('DELETE', `/courses/${seg(slug)}/modules/${seg(module)}/reflection`),

  /** startAttempt answers 201 with a new attempt, or 200 with the one already open. */
  startAttempt: (quizId: string) => requestWithStatus<Attempt>('POST', `/quizzes/${seg(quizId)}/attempts`),
  attempts: (quizId: string) => request<List<AttemptSummary>>('GET', `/quizzes/${seg(quizId)}/attempts`),
  attempt: (id: string) => request<Attempt>('GET', `/attempts/${seg(String(id))}`),
  saveAnswers: (id: string, answers: Answers) =>
    request<Attempt>('PUT', `/attempts/${seg(String(id))}/answers`, { answers }),
  submitAttempt: (id: string, answers: Answers) =>
    request<QuizResult>('POST', `/attempts/${seg(String(id))}/submit`, { answers }),

  courseScenarios: (slug: string) => request<List<ScenarioSummary>>('GET', `/courses/${seg(slug)}/scenarios`),
  scenario: (id: string) => request<ScenarioView>('GET', `/scenarios/${seg(id)}`),
  choose: (id: string, node: string, choice: string) =>
    request<ChoiceResult>('POST', `/scenarios/${seg(id)}/choices`, { node, choice }),

  myCertificates: () => request<List<Certificate>>('GET', '/me/certificates'),
  verify: (code: string) => request<Verification>('GET', `/verify/${seg(code)}`),
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

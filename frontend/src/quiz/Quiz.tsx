import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import {
  api,
  ApiError,
  messageOf,
  type Answers,
  type Attempt,
  type AttemptSummary,
  type CourseDetail,
  type ModuleQuiz,
  type QuizResult,
} from '../api';
import { LiveRegion } from '../components/LiveRegion';
import { useLoad, useOnSignedOut } from '../components/Load';
import { Loading } from '../components/Pages';
import { usePageTitle } from '../components/usePageTitle';
import { attemptsText } from '../learn/Course';
import { Breadcrumb, fullId, LoadFailed, paths } from '../learn/common';
import { formatDateTime, formatTime } from '../time';
import { optionsOf, QuestionField } from './Question';
import { ResultView } from './Result';
import { Timer } from './Timer';

/** How long after the last change the answers are saved. */
export const SAVE_MS = 800;

interface Overview {
  course: CourseDetail;
  quiz: ModuleQuiz | null;
  history: AttemptSummary[];
  /** latest is the newest attempt in full, for the quiz's pass mark and time limit. */
  latest: Attempt | null;
}

type View =
  | { kind: 'overview' }
  | { kind: 'attempt'; attempt: Attempt; resumed: boolean }
  | { kind: 'grading' }
  | { kind: 'result'; attempt: Attempt; result: QuizResult };

async function loadOverview(slug: string, quizId: string): Promise<Overview> {
  const [course, history] = await Promise.all([api.course(slug), api.attempts(quizId)]);
  const quiz = course.modules.map((m) => m.quiz).find((q) => q !== null && fullId(slug, q.id) === quizId) ?? null;
  const newest = history.items[0];
  const latest = newest ? await api.attempt(String(newest.id)) : null;
  return { course, quiz, history: history.items, latest };
}

/** QuizPage is a module's quiz: its overview and history, an attempt, and the result. */
export function QuizPage() {
  const { slug = '', quizId = '' } = useParams();
  const id = fullId(slug, quizId);
  return <Quiz key={id} slug={slug} quizId={id} />;
}

function Quiz({ slug, quizId }: { slug: string; quizId: string }) {
  const onSignedOut = useOnSignedOut();
  const { load, reload } = useLoad(() => loadOverview(slug, quizId), [slug, quizId]);
  const [view, setView] = useState<View>({ kind: 'overview' });
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState('');
  const [notice, setNotice] = useState('');

  const overview = load.state === 'ready' ? load.value : null;
  const attempt = view.kind === 'attempt' || view.kind === 'result' ? view.attempt : null;
  const title = attempt?.quiz.title ?? overview?.quiz?.title ?? overview?.latest?.quiz.title ?? 'Quiz';
  const course = attempt?.course ?? (overview ? { slug, title: overview.course.title } : undefined);
  usePageTitle(title);

  async function start() {
    setStarting(true);
    setStartError('');
    setNotice('');
    try {
      const { status, body } = await api.startAttempt(quizId);
      setView({ kind: 'attempt', attempt: body, resumed: status === 200 });
    } catch (err) {
      onSignedOut(err);
      setStartError(
        err instanceof ApiError && err.status === 409
          ? `${err.message} You have no attempts left for this quiz. Your trainer can tell you what happens next.`
          : messageOf(err),
      );
    } finally {
      setStarting(false);
    }
  }

  function backToOverview(message = '') {
    setView({ kind: 'overview' });
    setNotice(message);
    reload();
  }

  /** graded shows an attempt that the server has graded (submitted elsewhere, or out of time). */
  const graded = useCallback(
    async (attemptId: string, why: string) => {
      setView({ kind: 'grading' });
      for (let i = 0; i < 5; i++) {
        try {
          const a = await api.attempt(attemptId);
          if (a.result) {
            setView({ kind: 'result', attempt: a, result: a.result });
            return;
          }
        } catch (err) {
          onSignedOut(err);
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
      setView({ kind: 'overview' });
      setNotice(why);
      reload();
    },
    [onSignedOut, reload],
  );

  if (load.state === 'error') {
    return (
      <LoadFailed
        what="Quiz"
        message={load.message}
        status={load.status}
        onRetry={reload}
        back={<Link to={paths.course(slug)}>Back to the course</Link>}
      />
    );
  }

  return (
    <>
      <Breadcrumb course={course} />
      <h1>{title}</h1>
      {view.kind === 'overview' ? (
        load.state === 'loading' || !overview ? (
          <Loading label="Loading the quiz…" />
        ) : (
          <OverviewView
            slug={slug}
            overview={overview}
            onStart={start}
            starting={starting}
            startError={startError}
            notice={notice}
          />
        )
      ) : null}
      {view.kind === 'attempt' ? (
        <AttemptView
          attempt={view.attempt}
          resumed={view.resumed}
          onResult={(result) => setView({ kind: 'result', attempt: view.attempt, result })}
          onClosed={(why) => void graded(String(view.attempt.id), why)}
          onLeave={() => backToOverview()}
        />
      ) : null}
      {view.kind === 'grading' ? <Loading label="Time is up. Getting your result…" /> : null}
      {view.kind === 'result' ? (
        <ResultView
          attempt={view.attempt}
          result={view.result}
          onStartAnother={start}
          starting={starting}
          startError={startError}
        />
      ) : null}
    </>
  );
}

function OverviewView({
  slug,
  overview,
  onStart,
  starting,
  startError,
  notice,
}: {
  slug: string;
  overview: Overview;
  onStart: () => void;
  starting: boolean;
  startError: string;
  notice: string;
}) {
  const { quiz, history, latest } = overview;
  const allowed = quiz?.attempts_allowed ?? latest?.attempts_allowed ?? 0;
  const used = history.length;
  const open = history.find((h) => !h.submitted_at);
  const passed = quiz?.passed || history.some((h) => h.passed);
  const left = allowed > 0 ? Math.max(0, allowed - used) : null;
  const canStart = Boolean(open) || left === null || left > 0;

  return (
    <>
      <LiveRegion role="status">{notice}</LiveRegion>
      <dl className="facts quiz-facts">
        <div>
          <dt>Pass mark</dt>
          <dd>{latest ? `${latest.quiz.pass_mark}%` : 'Shown when you start'}</dd>
        </div>
        <div>
          <dt>Attempts</dt>
          <dd>{allowed > 0 ? attemptsText(used, allowed) : `No limit (${attemptsText(used, 0)})`}</dd>
        </div>
        <div>
          <dt>Time limit</dt>
          <dd>
            {latest
              ? latest.quiz.time_limit_minutes > 0
                ? `${latest.quiz.time_limit_minutes} minutes`
                : 'None: take your time'
              : 'Shown when you start'}
          </dd>
        </div>
      </dl>
      {passed ? (
        <div className="notice notice-success">
          <p>You have passed this quiz ✓</p>
        </div>
      ) : null}
      <p>
        Your answers are saved as you go, so you can leave and come back to an attempt. You'll see your score when you
        submit.
      </p>
      <LiveRegion role="alert">{startError}</LiveRegion>
      {canStart ? (
        <div className="actions">
          <button type="button" onClick={onStart} disabled={starting}>
            {starting
              ? 'Starting…'
              : open
                ? `Continue attempt ${open.number}`
                : used > 0
                  ? 'Start another attempt'
                  : 'Start attempt'}
          </button>
          <Link to={paths.course(slug)}>Back to the course</Link>
        </div>
      ) : (
        <>
          <p>You have used all your attempts at this quiz.</p>
          <p>
            <Link to={paths.course(slug)}>Back to the course</Link>
          </p>
        </>
      )}
      <section aria-labelledby="history-heading" className="section">
        <h2 id="history-heading">Your attempts</h2>
        {history.length === 0 ? (
          <p className="empty">You haven't tried this quiz yet.</p>
        ) : (
          <table className="table">
            <caption className="visually-hidden">Your attempts at this quiz, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Attempt</th>
                <th scope="col">Started</th>
                <th scope="col">Score</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {history.map((h) => (
                <tr key={h.id}>
                  <td data-label="Attempt">{h.number}</td>
                  <td data-label="Started">
                    <time dateTime={h.started_at}>{formatDateTime(h.started_at)}</time>
                  </td>
                  <td data-label="Score">{h.submitted_at && h.score !== null ? `${Math.round(h.score)}%` : '–'}</td>
                  <td data-label="Result">
                    {!h.submitted_at ? 'In progress' : h.passed ? <span className="done">Passed ✓</span> : 'Not passed'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

/** initialAnswers fills in what was saved; an ordering question starts in the order shown. */
function initialAnswers(attempt: Attempt): Answers {
  const out: Answers = {};
  for (const q of attempt.questions) {
    const saved = attempt.answers?.[q.id];
    if (q.kind === 'ordering') {
      const ids = optionsOf(q).map((o) => o.id);
      const same = saved && saved.length === ids.length && ids.every((id) => saved.includes(id));
      out[q.id] = same ? [...saved] : ids;
    } else {
      out[q.id] = saved ? [...saved] : [];
    }
  }
  return out;
}

/** questionErrors reads which questions a 400 names: fields "answers.q3" (or "q3"). */
function questionErrors(err: ApiError, ids: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const id of ids) {
    const m = err.fields[`answers.${id}`] ?? err.fields[id];
    if (m) out[id] = m;
  }
  return out;
}

type SaveState = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved'; at: Date } | { kind: 'error'; message: string };

function AttemptView({
  attempt,
  resumed,
  onResult,
  onClosed,
  onLeave,
}: {
  attempt: Attempt;
  resumed: boolean;
  onResult: (r: QuizResult) => void;
  onClosed: (why: string) => void;
  onLeave: () => void;
}) {
  const onSignedOut = useOnSignedOut();
  const [answers, setAnswers] = useState<Answers>(() => initialAnswers(attempt));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });
  const [submitError, setSubmitError] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [closed, setClosed] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const headingRef = useRef<HTMLHeadingElement>(null);

  const latest = useRef(answers);
  const dirty = useRef(new Set<string>());
  // Questions the person has changed, so that clearing every box of a "multiple" is still sent.
  const changed = useRef(new Set<string>());
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const saving = useRef<Promise<void> | null>(null);
  const ids = attempt.questions.map((q) => q.id);
  const attemptId = String(attempt.id);

  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  useEffect(() => () => clearTimeout(timer.current), []);

  const flush = useCallback(async (): Promise<boolean> => {
    clearTimeout(timer.current);
    timer.current = undefined;
    if (saving.current) await saving.current;
    if (dirty.current.size === 0) return true;
    const sent = [...dirty.current];
    dirty.current.clear();
    const body: Answers = {};
    for (const id of sent) body[id] = latest.current[id] ?? [];
    setSave({ kind: 'saving' });
    let ok = true;
    const p = api
      .saveAnswers(attemptId, body)
      .then(() => setSave({ kind: 'saved', at: new Date() }))
      .catch((err: unknown) => {
        ok = false;
        onSignedOut(err);
        if (err instanceof ApiError && err.status === 409) {
          setClosed(true);
          setSave({ kind: 'error', message: err.message });
          return;
        }
        for (const id of sent) dirty.current.add(id);
        if (err instanceof ApiError && err.status === 400) setErrors((old) => ({ ...old, ...questionErrors(err, sent) }));
        setSave({ kind: 'error', message: messageOf(err) });
      });
    saving.current = p;
    await p;
    saving.current = null;
    return ok;
  }, [attemptId, onSignedOut]);

  function change(id: string, value: string[]) {
    latest.current = { ...latest.current, [id]: value };
    setAnswers(latest.current);
    dirty.current.add(id);
    changed.current.add(id);
    if (errors[id]) setErrors(({ [id]: _, ...rest }) => rest);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void flush(), SAVE_MS);
  }

  /** toSend is every answer given, and every ordering (its order is always an answer). */
  function toSend(): Answers {
    const out: Answers = {};
    for (const q of attempt.questions) {
      const v = latest.current[q.id] ?? [];
      if (q.kind === 'ordering' || v.length > 0 || changed.current.has(q.id)) out[q.id] = v;
    }
    return out;
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (submitting || closed) return;
    clearTimeout(timer.current);
    timer.current = undefined;
    setSubmitting(true);
    setSubmitError('');
    try {
      if (saving.current) await saving.current;
      dirty.current.clear();
      const result = await api.submitAttempt(attemptId, toSend());
      onResult(result);
    } catch (err) {
      onSignedOut(err);
      if (err instanceof ApiError && err.status === 400) {
        const found = questionErrors(err, ids);
        setErrors(found);
        const names = attempt.questions
          .map((q, i) => (found[q.id] ? `question ${i + 1}` : ''))
          .filter(Boolean)
          .join(', ');
        setSubmitError(names ? `${err.message} See ${names}.` : err.message);
      } else if (err instanceof ApiError && err.status === 409) {
        setClosed(true);
        setSubmitError(`${err.message} This attempt can't take any more answers.`);
      } else {
        setSubmitError(messageOf(err));
      }
    } finally {
      setSubmitting(false);
    }
  }

  async function timeUp() {
    setClosed(true);
    await flush();
    onClosed('Time is up. Your attempt was graded with the answers saved by then.');
  }

  const unanswered = attempt.questions.filter((q) => q.kind !== 'ordering' && (answers[q.id] ?? []).length === 0).length;
  let saveText = '';
  if (save.kind === 'saving') saveText = 'Saving…';
  if (save.kind === 'saved') saveText = `Progress saved at ${formatTime(save.at)}`;
  if (save.kind === 'error') saveText = `Not saved: ${save.message}`;

  return (
    <section aria-labelledby="attempt-heading" className="attempt">
      <h2 id="attempt-heading" ref={headingRef} tabIndex={-1}>
        Attempt {attempt.number}
        {attempt.attempts_allowed > 0 ? ` of ${attempt.attempts_allowed}` : ''}
      </h2>
      {resumed ? (
        <div className="notice notice-info">
          <p>You already had this attempt open, so we've picked it up where you left off. Your saved answers are filled in.</p>
        </div>
      ) : null}
      <p>
        Pass mark: {attempt.quiz.pass_mark}%. Answer each question, then choose "Submit answers". Your answers are saved
        as you go.
      </p>
      {attempt.deadline_at && !attempt.submitted_at ? <Timer deadline={attempt.deadline_at} onTimeUp={timeUp} /> : null}
      <LiveRegion role="status" quiet className="visually-hidden">
        {announcement}
      </LiveRegion>
      <form onSubmit={submit} noValidate className="quiz-form">
        {attempt.questions.map((q, i) => (
          <QuestionField
            key={q.id}
            question={q}
            index={i}
            total={attempt.questions.length}
            value={answers[q.id] ?? []}
            onChange={(v) => change(q.id, v)}
            onAnnounce={setAnnouncement}
            error={errors[q.id]}
            disabled={closed}
          />
        ))}
        <LiveRegion role="status" quiet className={save.kind === 'error' ? 'save-status save-error' : 'save-status'}>
          {saveText}
        </LiveRegion>
        <LiveRegion role="alert">{submitError}</LiveRegion>
        {unanswered > 0 && !closed ? (
          <p className="hint">
            {unanswered === 1 ? '1 question has' : `${unanswered} questions have`} no answer yet. Unanswered questions
            score 0.
          </p>
        ) : null}
        <div className="actions">
          {closed ? (
            <button type="button" onClick={() => onClosed('This attempt is closed.')}>
              See your result
            </button>
          ) : (
            <button type="submit" disabled={submitting}>
              {submitting ? 'Submitting…' : 'Submit answers'}
            </button>
          )}
          <button
            type="button"
            className="button-secondary"
            onClick={() => {
              void flush();
              onLeave();
            }}
          >
            Save and leave
          </button>
        </div>
      </form>
    </section>
  );
}

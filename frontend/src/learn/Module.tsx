import { useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, messageOf, type CourseDetail, type ModuleView } from '../api';
import { LiveRegion } from '../components/LiveRegion';
import { useLoad, useOnSignedOut } from '../components/Load';
import { Loading } from '../components/Pages';
import { usePageTitle } from '../components/usePageTitle';
import {
  acceptWarning,
  Breadcrumb,
  LoadFailed,
  minutesText,
  paths,
  progressLabel,
  warningAccepted,
} from './common';
import { ContentWarningGate } from './ContentWarning';
import { ReflectionSection } from './Reflection';

/** ModuleReader shows one module: its text, a private reflection, and marking it as read. */
export function ModuleReader() {
  const { slug = '', module = '' } = useParams();
  const { load, reload } = useLoad(() => api.module(slug, module), [slug, module]);
  usePageTitle(load.state === 'ready' ? load.value.title : 'Module');

  if (load.state === 'error') {
    return (
      <LoadFailed
        what="Module"
        message={load.message}
        status={load.status}
        onRetry={reload}
        back={<Link to={paths.course(slug)}>Back to the course</Link>}
      />
    );
  }
  // The heading stays the same element while loading and after, so focus put on it by a page
  // change stays there.
  const view = load.state === 'ready' ? load.value : null;
  return (
    <>
      <Breadcrumb course={view?.course} />
      <h1>{view ? view.title : 'Module'}</h1>
      {/* Keyed, so that moving to the next module starts afresh: gate, reflection and all. */}
      {view ? <ModuleContent key={`${slug}/${module}`} view={view} /> : <Loading label="Loading the module…" />}
    </>
  );
}

function ModuleContent({ view }: { view: ModuleView }) {
  const slug = view.course.slug;
  const warningKey = `module:${slug}/${view.slug}`;
  const [gateOpen, setGateOpen] = useState(() => !view.content_warning || warningAccepted(warningKey));
  const bodyRef = useRef<HTMLDivElement>(null);
  const focusBody = useRef(false);

  useEffect(() => {
    if (gateOpen && focusBody.current) {
      focusBody.current = false;
      bodyRef.current?.focus();
    }
  }, [gateOpen]);

  function continueToModule() {
    acceptWarning(warningKey);
    focusBody.current = true;
    setGateOpen(true);
  }

  return (
    <>
      <p className="module-meta">
        <span>{minutesText(view.minutes)}</span>
        {view.completed ? <span className="done">Read ✓</span> : null}
      </p>
      {view.objectives.length > 0 ? (
        <section aria-labelledby="objectives-heading" className="objectives">
          <h2 id="objectives-heading">In this module you will learn to</h2>
          <ul>
            {view.objectives.map((o) => (
              <li key={o}>{o}</li>
            ))}
          </ul>
        </section>
      ) : null}
      {view.tags.length > 0 ? (
        <div className="tag-row">
          <span id="competencies-label" className="tag-label">
            Competencies:
          </span>
          <ul className="tags" aria-labelledby="competencies-label">
            {view.tags.map((t) => (
              <li key={t}>{t}</li>
            ))}
          </ul>
        </div>
      ) : null}

      {!gateOpen && view.content_warning ? (
        <ContentWarningGate
          warning={view.content_warning}
          onContinue={continueToModule}
          continueLabel="Continue to the module"
          backTo={paths.course(slug)}
        />
      ) : (
        <>
          {/* The server renders the Markdown and sanitises the HTML (only plain formatting is
              kept), so it is safe to put into the page as it is. */}
          <div
            className="prose"
            ref={bodyRef}
            tabIndex={-1}
            aria-label="Module text"
            role="region"
            dangerouslySetInnerHTML={{ __html: view.html }}
          />
          {view.reflection.length > 0 ? (
            <ReflectionSection slug={slug} module={view.slug} prompts={view.reflection} />
          ) : null}
          <FinishSection view={view} />
        </>
      )}

      {view.prev || view.next ? (
        <nav aria-label="Modules in this course" className="pager">
          {view.prev ? (
            <Link to={paths.module(slug, view.prev.slug)} className="pager-prev">
              <span className="pager-dir">
                <span aria-hidden="true">← </span>Previous module
              </span>
              <span className="visually-hidden">:</span>{' '}
              <span className="pager-title">{view.prev.title}</span>
            </Link>
          ) : null}
          {view.next ? (
            <Link to={paths.module(slug, view.next.slug)} className="pager-next">
              <span className="pager-dir">
                Next module<span aria-hidden="true"> →</span>
              </span>
              <span className="visually-hidden">:</span>{' '}
              <span className="pager-title">{view.next.title}</span>
            </Link>
          ) : null}
        </nav>
      ) : null}
    </>
  );
}

function FinishSection({ view }: { view: ModuleView }) {
  const slug = view.course.slug;
  const onSignedOut = useOnSignedOut();
  const [read, setRead] = useState(view.completed);
  const [after, setAfter] = useState<CourseDetail | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const readRef = useRef<HTMLParagraphElement>(null);

  useEffect(() => {
    if (after) readRef.current?.focus();
  }, [after]);

  async function markRead() {
    setBusy(true);
    setError('');
    try {
      const detail = await api.completeModule(slug, view.slug);
      setRead(true);
      setAfter(detail);
    } catch (err) {
      onSignedOut(err);
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="finish-heading" className="section finish">
      <h2 id="finish-heading">When you have finished reading</h2>
      <LiveRegion role="alert">{error}</LiveRegion>
      {read ? (
        <p className="done-line" ref={readRef} tabIndex={-1}>
          Read ✓
        </p>
      ) : (
        <p>
          <button type="button" onClick={markRead} disabled={busy}>
            {busy ? 'Saving…' : 'Mark as read'}
          </button>
        </p>
      )}
      <LiveRegion role="status">
        {after ? (
          <p>
            Marked as read. Course progress: {progressLabel(after.progress)}.
            {after.status === 'completed' ? ' You have completed this course.' : ''}
          </p>
        ) : null}
      </LiveRegion>
      {view.quiz ? (
        <p className="module-quiz">
          <Link to={paths.quiz(slug, view.quiz.id)}>Take the quiz: {view.quiz.title}</Link>
          {view.quiz.passed ? <span className="done"> (passed ✓)</span> : null}
        </p>
      ) : null}
      <p>
        <Link to={paths.course(slug)}>Back to {view.course.title}</Link>
      </p>
    </section>
  );
}

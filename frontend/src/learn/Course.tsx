import { Link, useParams } from 'react-router';
import { api, type CourseDetail, type CourseModule } from '../api';
import { CourseCertificateLine } from '../certificates/common';
import { useLoad } from '../components/Load';
import { Loading } from '../components/Pages';
import { usePageTitle } from '../components/usePageTitle';
import { formatDate } from '../time';
import {
  Breadcrumb,
  hoursText,
  LoadFailed,
  minutesText,
  paths,
  progressLabel,
  StatusBadge,
} from './common';

/** Course is one course: what it is, how far the person has come, and its modules. */
export function Course() {
  const { slug = '' } = useParams();
  const { load, reload } = useLoad(() => api.course(slug), [slug]);
  usePageTitle(load.state === 'ready' ? load.value.title : 'Course');

  if (load.state === 'loading') {
    return (
      <>
        <Breadcrumb />
        <h1>Course</h1>
        <Loading label="Loading the course…" />
      </>
    );
  }
  if (load.state === 'error') {
    return <LoadFailed what="Course" message={load.message} status={load.status} onRetry={reload} />;
  }
  const c = load.value;
  return (
    <>
      <Breadcrumb />
      <h1>{c.title}</h1>
      <p className="lead">{c.summary}</p>
      <CourseProgressPanel course={c} />

      <section aria-labelledby="about-heading" className="section">
        <h2 id="about-heading">About this course</h2>
        <dl className="facts">
          <div>
            <dt>Who it's for</dt>
            <dd>{c.audience}</dd>
          </div>
          <div>
            <dt>Length</dt>
            <dd>{hoursText(c.estimated_hours)}</dd>
          </div>
          {c.competencies.length > 0 ? (
            <div>
              <dt>Competencies</dt>
              <dd>
                <ul className="tags">
                  {c.competencies.map((t) => (
                    <li key={t}>{t}</li>
                  ))}
                </ul>
              </dd>
            </div>
          ) : null}
        </dl>
      </section>

      <section aria-labelledby="modules-heading" className="section">
        <h2 id="modules-heading">Modules</h2>
        <ol className="module-list">
          {c.modules.map((m, i) => (
            <ModuleItem key={m.slug} course={c} module={m} index={i} />
          ))}
        </ol>
      </section>

      {c.scenarios.length > 0 ? (
        <section aria-labelledby="scenarios-heading" className="section">
          <h2 id="scenarios-heading">Practise decisions</h2>
          <p>
            Short "what would you do?" stories. Choose what you would do at each point and see how it plays out. They
            are practice only: nothing here counts towards your progress.
          </p>
          <ul className="link-list">
            {c.scenarios.map((s) => (
              <li key={s.id}>
                <Link to={paths.scenario(c.slug, s.id)}>{s.title}</Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}

function CourseProgressPanel({ course: c }: { course: CourseDetail }) {
  const done = c.status === 'completed' || c.completed_at !== null;
  return (
    <section aria-labelledby="progress-heading" className="panel progress-panel">
      <h2 id="progress-heading">Your progress</h2>
      <p className="status-row">
        <StatusBadge status={c.status} />
        {c.due_at ? (
          <span>
            Due <time dateTime={c.due_at}>{formatDate(c.due_at)}</time>
          </span>
        ) : null}
      </p>
      {done ? (
        <div className="notice notice-success">
          <p>
            You completed this course
            {c.completed_at ? (
              <>
                {' '}
                on <time dateTime={c.completed_at}>{formatDate(c.completed_at)}</time>
              </>
            ) : null}
            . Well done.
          </p>
          <CourseCertificateLine slug={c.slug} />
        </div>
      ) : null}
      <div className="progress-bar">
        <label htmlFor="course-progress">{progressLabel(c.progress)}</label>
        <progress id="course-progress" max={100} value={c.progress.percent}>
          {c.progress.percent}%
        </progress>
        <span className="percent" aria-hidden="true">
          {c.progress.percent}%
        </span>
      </div>
      {!done && c.still_required.length > 0 ? (
        <>
          <h3 id="required-heading">Still required</h3>
          <ul aria-labelledby="required-heading">
            {c.still_required.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

function ModuleItem({ course, module: m, index }: { course: CourseDetail; module: CourseModule; index: number }) {
  return (
    <li className="module-item">
      <h3>
        <span className="module-number">Module {index + 1}</span>{' '}
        <Link to={paths.module(course.slug, m.slug)}>{m.title}</Link>
      </h3>
      <ul className="module-facts">
        <li>{minutesText(m.minutes)}</li>
        <li className={m.completed ? 'done' : undefined}>{m.completed ? 'Read ✓' : 'Not read yet'}</li>
        {m.content_warning ? <li>Has a content warning</li> : null}
      </ul>
      {m.quiz ? (
        <p className="module-quiz">
          <span className="quiz-label">Quiz:</span> <Link to={paths.quiz(course.slug, m.quiz.id)}>{m.quiz.title}</Link>
          <span className="module-quiz-state">
            <span className={m.quiz.passed ? 'done' : undefined}>{m.quiz.passed ? 'Passed ✓' : 'Not passed yet'}</span>
            {m.quiz.attempts_used > 0 ? (
              <span className="muted"> ({attemptsText(m.quiz.attempts_used, m.quiz.attempts_allowed)})</span>
            ) : null}
          </span>
        </p>
      ) : null}
    </li>
  );
}

/** attemptsText: "1 of 3 attempts used", or "2 attempts used" when there is no limit. */
export function attemptsText(used: number, allowed: number): string {
  if (allowed > 0) return `${used} of ${allowed} ${allowed === 1 ? 'attempt' : 'attempts'} used`;
  return `${used} ${used === 1 ? 'attempt' : 'attempts'} used`;
}

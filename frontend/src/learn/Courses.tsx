import { useId } from 'react';
import { Link } from 'react-router';
import { api, type CourseCard } from '../api';
import { useLoad } from '../components/Load';
import { Loading } from '../components/Pages';
import { usePageTitle } from '../components/usePageTitle';
import { formatDate } from '../time';
import { hoursText, LoadFailed, paths, StatusBadge } from './common';

/** Courses is "My learning": the courses assigned to the person, then the rest of the catalogue. */
export function Courses() {
  usePageTitle('My learning');
  const { load, reload } = useLoad(() => api.courses(), []);

  if (load.state === 'error') {
    return <LoadFailed what="Courses" message={load.message} status={load.status} onRetry={reload} />;
  }
  return (
    <>
      <h1>My learning</h1>
      <p className="lead">
        Your courses, at your own pace. Your progress is saved as you go, so you can stop and pick up again whenever
        you like.
      </p>
      {load.state === 'loading' ? <Loading label="Loading your courses…" /> : null}
      {load.state === 'ready' ? (
        <>
          <section aria-labelledby="assigned-heading" className="section">
            <h2 id="assigned-heading">Assigned to you</h2>
            {load.value.assigned.length === 0 ? (
              <p className="empty">
                Nothing has been assigned to you yet. When your organisation assigns a course, it appears here with its
                due date.
              </p>
            ) : (
              <ul className="course-list">
                {load.value.assigned.map((c) => (
                  <CourseItem key={c.slug} course={c} assigned />
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="catalogue-heading" className="section">
            <h2 id="catalogue-heading">Catalogue</h2>
            {load.value.catalogue.length === 0 ? (
              <p className="empty">There are no other courses in the catalogue just now.</p>
            ) : (
              <>
                <p>Courses you can take whenever you like.</p>
                <ul className="course-list">
                  {load.value.catalogue.map((c) => (
                    <CourseItem key={c.slug} course={c} />
                  ))}
                </ul>
              </>
            )}
          </section>
        </>
      ) : null}
    </>
  );
}

function CourseItem({ course: c, assigned }: { course: CourseCard; assigned?: boolean }) {
  const id = useId();
  const started = c.status !== 'not_started' || c.percent > 0;
  return (
    <li className={`course-card course-${c.status.replace(/_/g, '-')}`}>
      <h3>
        <Link to={paths.course(c.slug)}>{c.title}</Link>
      </h3>
      <p>{c.summary}</p>
      <dl className="meta">
        <div>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={c.status} />
          </dd>
        </div>
        {assigned || c.due_at ? (
          <div>
            <dt>Due</dt>
            <dd>{c.due_at ? <time dateTime={c.due_at}>{formatDate(c.due_at)}</time> : 'No due date'}</dd>
          </div>
        ) : null}
        <div>
          <dt>Length</dt>
          <dd>{hoursText(c.estimated_hours)}</dd>
        </div>
        {c.organisation_course ? (
          <div>
            <dt>From</dt>
            <dd>Your organisation</dd>
          </div>
        ) : null}
      </dl>
      {assigned || started ? (
        <div className="progress-line">
          <span id={`${id}-progress`}>{c.percent}% complete</span>
          <progress max={100} value={c.percent} aria-labelledby={`${id}-progress`} />
        </div>
      ) : null}
    </li>
  );
}

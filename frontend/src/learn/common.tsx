// Pieces shared by the learning pages: paths, status words, progress text and the load-failed page.
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { CourseProgress, CourseStatus } from '../api';
import { usePageTitle } from '../components/usePageTitle';

const seg = encodeURIComponent;

/** fullId makes a quiz or scenario id "<course-slug>.<id>", whichever form the API gave. */
export function fullId(courseSlug: string, id: string): string {
  return id.includes('.') ? id : `${courseSlug}.${id}`;
}

/**
 * urlId is a quiz or scenario id as it appears in a page address: without the course slug the
 * address already holds. A dot in the last part of an address would make the server take it for
 * a file (and answer 404 on a reload), so "/learn/c/quiz/why-we-share", not ".../quiz/c.why-we-share".
 * The pages accept both forms.
 */
export function urlId(courseSlug: string, id: string): string {
  const prefix = `${courseSlug}.`;
  return id.startsWith(prefix) ? id.slice(prefix.length) : id;
}

export const paths = {
  learn: '/learn',
  course: (slug: string) => `/learn/${seg(slug)}`,
  module: (slug: string, module: string) => `/learn/${seg(slug)}/${seg(module)}`,
  quiz: (slug: string, quizId: string) => `/learn/${seg(slug)}/quiz/${seg(urlId(slug, quizId))}`,
  scenario: (slug: string, scenarioId: string) => `/learn/${seg(slug)}/scenario/${seg(urlId(slug, scenarioId))}`,
};

export const STATUS_NAMES: Record<CourseStatus, string> = {
  not_started: 'Not started',
  in_progress: 'In progress',
  completed: 'Completed',
  overdue: 'Overdue',
};

/** StatusBadge says a course's status in words; the colour only repeats it. */
export function StatusBadge({ status }: { status: CourseStatus }) {
  return <span className={`status status-${status.replace(/_/g, '-')}`}>{STATUS_NAMES[status] ?? status}</span>;
}

function count(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}

/** progressLabel says progress in words: "3 of 5 modules read, 1 of 5 quizzes passed". */
export function progressLabel(p: CourseProgress): string {
  const parts = [`${p.modules_done} of ${p.modules_total} ${count(p.modules_total, 'module', 'modules')} read`];
  if (p.quizzes_total > 0) {
    parts.push(`${p.quizzes_passed} of ${p.quizzes_total} ${count(p.quizzes_total, 'quiz', 'quizzes')} passed`);
  }
  return parts.join(', ');
}

/** minutesText says a reading time: "About 14 minutes". */
export function minutesText(minutes: number): string {
  return `About ${minutes} ${count(minutes, 'minute', 'minutes')}`;
}

/** hoursText says a course's length: "About 4 hours". */
export function hoursText(hours: number): string {
  return `About ${hours} ${count(hours, 'hour', 'hours')}`;
}

/** LoadFailed is the page shown when its main data could not be loaded. */
export function LoadFailed({
  what,
  message,
  status,
  onRetry,
  back,
}: {
  what: string;
  message: string;
  status: number;
  onRetry: () => void;
  back?: ReactNode;
}) {
  const notFound = status === 404;
  usePageTitle(notFound ? `${what} not found` : 'Something went wrong');
  return (
    <>
      <h1>{notFound ? `We couldn't find that ${what.toLowerCase()}` : `We couldn't load this ${what.toLowerCase()}`}</h1>
      <div role="alert" className="notice notice-error">
        <p>
          {notFound
            ? 'The address may be mistyped, or it may not be part of your courses.'
            : message}
        </p>
      </div>
      {notFound ? null : (
        <p>
          <button type="button" className="button-secondary" onClick={onRetry}>
            Try again
          </button>
        </p>
      )}
      <p>{back ?? <Link to={paths.learn}>Back to My learning</Link>}</p>
    </>
  );
}

/** Breadcrumb is the way back up: My learning, then the course. */
export function Breadcrumb({ course }: { course?: { slug: string; title: string } }) {
  return (
    <nav aria-label="Breadcrumb" className="breadcrumb">
      <ol>
        <li>
          <Link to={paths.learn}>My learning</Link>
        </li>
        {course ? (
          <li>
            <Link to={paths.course(course.slug)}>{course.title}</Link>
          </li>
        ) : null}
      </ol>
    </nav>
  );
}

const WARNING_KEY = 'peerpath.content-warning.';

/** warningAccepted says whether the person chose to go on past a content warning in this tab. */
export function warningAccepted(key: string): boolean {
  try {
    return sessionStorage.getItem(WARNING_KEY + key) === 'yes';
  } catch {
    return false;
  }
}

export function acceptWarning(key: string): void {
  try {
    sessionStorage.setItem(WARNING_KEY + key, 'yes');
  } catch {
    // Storage may be off (private browsing): the gate shows again next time, which is safe.
  }
}

import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import type { Attempt, Question, QuizResult, ReviewItem } from '../api';
import { CertificatePreparing } from '../certificates/common';
import { LiveRegion } from '../components/LiveRegion';
import { paths } from '../learn/common';
import { optionsOf } from './Question';

function attemptsLeftText(left: number | null): string {
  if (left === null) return 'There is no limit on attempts at this quiz.';
  if (left === 0) return 'You have no attempts left at this quiz.';
  return left === 1 ? 'You have 1 attempt left.' : `You have ${left} attempts left.`;
}

/** ResultView is the score of a submitted attempt and, when the quiz allows, a review of it. */
export function ResultView({
  attempt,
  result,
  onStartAnother,
  starting,
  startError,
}: {
  attempt: Attempt;
  result: QuizResult;
  onStartAnother: () => void;
  starting: boolean;
  startError: string;
}) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    headingRef.current?.focus();
  }, []);
  const score = Math.round(result.score);
  const canRetry = !result.passed && result.attempts_left !== 0;
  const byId = new Map(attempt.questions.map((q) => [q.id, q]));

  return (
    <section aria-labelledby="result-heading" className="result-view">
      <h2 id="result-heading" ref={headingRef} tabIndex={-1}>
        Your result
      </h2>
      <div className={result.passed ? 'result result-pass' : 'result result-fail'}>
        <p className="score">
          You scored <strong>{score}%</strong>
        </p>
        <p className="verdict-line">
          <strong>{result.passed ? 'Passed ✓' : 'Not passed this time'}</strong>
        </p>
        <p>The pass mark is {result.pass_mark}%.</p>
      </div>
      {result.timed_out ? (
        <p>Time ran out, so this attempt was graded with the answers saved by then.</p>
      ) : null}
      {result.course_completed ? (
        <div className="notice notice-success">
          <p>
            <strong>You have completed {attempt.course.title}.</strong> Well done: every module and quiz it needs is
            done.
          </p>
          <CertificatePreparing />
        </div>
      ) : null}
      <p>{attemptsLeftText(result.attempts_left)}</p>
      {!result.passed && canRetry ? (
        <p>Have a look at the review below, then try again whenever you are ready. There's no rush.</p>
      ) : null}
      <LiveRegion role="alert">{startError}</LiveRegion>
      <div className="actions">
        {canRetry ? (
          <button type="button" onClick={onStartAnother} disabled={starting}>
            {starting ? 'Starting…' : 'Start another attempt'}
          </button>
        ) : null}
        <Link to={paths.course(attempt.course.slug)}>Back to {attempt.course.title}</Link>
      </div>

      {result.review ? (
        <section aria-labelledby="review-heading" className="section">
          <h3 id="review-heading">Review your answers</h3>
          <ol className="review">
            {result.review.map((r, i) => (
              <ReviewEntry key={r.question_id} item={r} index={i} question={byId.get(r.question_id)} />
            ))}
          </ol>
        </section>
      ) : (
        <p className="muted">This quiz doesn't show the answers after an attempt.</p>
      )}
    </section>
  );
}

function verdict(r: ReviewItem): { text: string; className: string } {
  if (r.correct) return { text: '✓ Correct', className: 'verdict verdict-right' };
  if (r.credit > 0) return { text: `◐ Partly right (${Math.round(r.credit * 100)}% credit)`, className: 'verdict verdict-part' };
  return { text: '✗ Not right', className: 'verdict verdict-wrong' };
}

function Answer({ ids, question }: { ids: string[]; question: Question | undefined }) {
  if (ids.length === 0) return <span className="muted">No answer</span>;
  const text = new Map((question ? optionsOf(question) : []).map((o) => [o.id, o.text]));
  const items = ids.map((id) => text.get(id) ?? id);
  if (items.length === 1) return <>{items[0]}</>;
  const List = question?.kind === 'ordering' ? 'ol' : 'ul';
  return (
    <List>
      {items.map((t, i) => (
        <li key={i}>{t}</li>
      ))}
    </List>
  );
}

function ReviewEntry({ item, index, question }: { item: ReviewItem; index: number; question: Question | undefined }) {
  const v = verdict(item);
  return (
    <li className="review-item">
      <h4>
        Question {index + 1}
        {question ? `: ${question.prompt}` : ''}
      </h4>
      <p className={v.className}>{v.text}</p>
      <dl className="facts review-answers">
        <div>
          <dt>Your answer</dt>
          <dd>
            <Answer ids={item.answer} question={question} />
          </dd>
        </div>
        <div>
          <dt>Correct answer</dt>
          <dd>
            <Answer ids={item.correct_answer} question={question} />
          </dd>
        </div>
      </dl>
      {item.feedback ? <p className="feedback">{item.feedback}</p> : null}
    </li>
  );
}

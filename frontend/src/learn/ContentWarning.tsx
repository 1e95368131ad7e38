import { Link } from 'react-router';

/**
 * ContentWarningGate comes before material that touches on hard experiences: it says what is
 * ahead and offers both a way on and a visible way out.
 */
export function ContentWarningGate({
  warning,
  onContinue,
  continueLabel,
  backTo,
}: {
  warning: string;
  onContinue: () => void;
  continueLabel: string;
  backTo: string;
}) {
  return (
    <section className="gate" aria-labelledby="gate-heading">
      <h2 id="gate-heading">Content warning</h2>
      <p className="gate-warning">{warning}</p>
      <p>
        Take a moment to check in with yourself. You can stop at any time, and come back when it suits you. If this
        brings things up for you, talk to your supervisor or your own supports.
      </p>
      <div className="actions">
        <button type="button" onClick={onContinue}>
          {continueLabel}
        </button>
        <Link to={backTo}>Not now — back to the course</Link>
      </div>
    </section>
  );
}

import { useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import {
  api,
  ApiError,
  messageOf,
  type ChoiceQuality,
  type ScenarioNode,
  type ScenarioStep,
  type ScenarioView,
} from '../api';
import { LiveRegion } from '../components/LiveRegion';
import { useLoad, useOnSignedOut } from '../components/Load';
import { Markdown } from '../components/Markdown';
import { Loading } from '../components/Pages';
import { usePageTitle } from '../components/usePageTitle';
import {
  acceptWarning,
  Breadcrumb,
  fullId,
  LoadFailed,
  paths,
  warningAccepted,
} from './common';
import { ContentWarningGate } from './ContentWarning';

/** How each choice is described: in words, with a mark that only repeats them. */
export const QUALITY: Record<ChoiceQuality, { text: string; mark: string }> = {
  best: { text: 'A strong choice', mark: '★' },
  acceptable: { text: 'A reasonable choice, with room to do better', mark: '◐' },
  poor: { text: 'Worth reconsidering', mark: '!' },
};

function qualityOf(q: ChoiceQuality) {
  return QUALITY[q] ?? { text: q, mark: '' };
}

type Stage =
  | { kind: 'node'; node: ScenarioNode }
  | { kind: 'step'; step: ScenarioStep; next: ScenarioNode | null; finished: boolean }
  | { kind: 'end' };

interface Play {
  stage: Stage;
  path: ScenarioStep[];
  resumed: boolean;
}

/** fromView picks up where the person's current run stands, or at the start. */
function fromView(v: ScenarioView): Play {
  if (v.run && !v.run.finished && v.run.current) {
    return { stage: { kind: 'node', node: v.run.current }, path: v.run.path ?? [], resumed: (v.run.path ?? []).length > 0 };
  }
  return { stage: { kind: 'node', node: v.start }, path: [], resumed: false };
}

/** ScenarioPage is a branching "what would you do?" scenario. */
export function ScenarioPage() {
  const { slug = '', scenarioId = '' } = useParams();
  const id = fullId(slug, scenarioId);
  const { load, reload } = useLoad(() => api.scenario(id), [id]);
  usePageTitle(load.state === 'ready' ? load.value.title : 'Scenario');

  if (load.state === 'error') {
    return (
      <LoadFailed
        what="Scenario"
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
      <h1>{view ? view.title : 'Scenario'}</h1>
      {view ? <Scenario key={id} view={view} /> : <Loading label="Loading the scenario…" />}
    </>
  );
}

function Scenario({ view }: { view: ScenarioView }) {
  const onSignedOut = useOnSignedOut();
  const warningKey = `scenario:${view.id}`;
  const [gateOpen, setGateOpen] = useState(() => !view.content_warning || warningAccepted(warningKey));
  const [play, setPlay] = useState<Play>(() => fromView(view));
  const [start, setStart] = useState(view.start);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const headingRef = useRef<HTMLHeadingElement>(null);
  const moved = useRef(false);

  // Each new stage puts focus on its heading, so keyboard and screen reader users start there.
  useEffect(() => {
    if (!moved.current) return;
    moved.current = false;
    headingRef.current?.focus();
  }, [play.stage, gateOpen]);

  function go(next: Play) {
    moved.current = true;
    setPlay(next);
  }

  async function choose(node: ScenarioNode, choiceId: string) {
    setBusy(true);
    setError('');
    try {
      const r = await api.choose(view.id, node.id, choiceId);
      const path = node.id === start.id ? [r.step] : [...play.path, r.step];
      go({ stage: { kind: 'step', step: r.step, next: r.next, finished: r.finished }, path, resumed: false });
    } catch (err) {
      onSignedOut(err);
      if (err instanceof ApiError && err.status === 409) {
        // The run moved on elsewhere (another tab, say): pick up where it now stands.
        setError(`${err.message} We've brought the scenario up to where you are now.`);
        try {
          const fresh = await api.scenario(view.id);
          setStart(fresh.start);
          go(fromView(fresh));
        } catch (e) {
          onSignedOut(e);
        }
      } else {
        setError(messageOf(err));
      }
    } finally {
      setBusy(false);
    }
  }

  function proceed() {
    if (play.stage.kind !== 'step') return;
    if (play.stage.finished || !play.stage.next) go({ ...play, stage: { kind: 'end' } });
    else go({ ...play, stage: { kind: 'node', node: play.stage.next } });
  }

  function tryAgain() {
    setError('');
    go({ stage: { kind: 'node', node: start }, path: [], resumed: false });
  }

  const course = view.course;
  const stage = play.stage;
  return (
    <>
      <p className="lead">{view.summary}</p>
      {!gateOpen && view.content_warning ? (
        <ContentWarningGate
          warning={view.content_warning}
          continueLabel="Continue to the scenario"
          backTo={paths.course(course.slug)}
          onContinue={() => {
            acceptWarning(warningKey);
            moved.current = true;
            setGateOpen(true);
          }}
        />
      ) : (
        <>
          <LiveRegion role="alert">{error}</LiveRegion>
          {stage.kind === 'node' ? (
            <section aria-labelledby="stage-heading" className="scene">
              <h2 id="stage-heading" ref={headingRef} tabIndex={-1}>
                Decision {play.path.length + 1}
              </h2>
              {play.resumed ? (
                <div className="notice notice-info">
                  <p>You're partway through this scenario, so we've picked up where you left off.</p>
                  <p>
                    <button type="button" className="button-secondary" onClick={tryAgain}>
                      Start from the beginning
                    </button>
                  </p>
                </div>
              ) : null}
              <Markdown text={stage.node.text} className="scene-text" />
              <h3 id="choices-heading">What would you do?</h3>
              <ul className="choices" aria-labelledby="choices-heading">
                {stage.node.choices.map((c) => (
                  <li key={c.id}>
                    <button
                      type="button"
                      className="choice-button"
                      disabled={busy}
                      onClick={() => void choose(stage.node, c.id)}
                    >
                      {c.text}
                    </button>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          {stage.kind === 'step' ? (
            <section aria-labelledby="stage-heading" className="scene">
              <h2 id="stage-heading" ref={headingRef} tabIndex={-1}>
                What happened
              </h2>
              <p className="you-chose">
                <span className="you-chose-label">You chose:</span> {stage.step.choice_text}
              </p>
              <Markdown text={stage.step.consequence} className="scene-text" />
              <Feedback step={stage.step} />
              <div className="actions">
                <button type="button" onClick={proceed}>
                  Continue
                </button>
              </div>
            </section>
          ) : null}
          {stage.kind === 'end' ? (
            <section aria-labelledby="stage-heading" className="scene">
              <h2 id="stage-heading" ref={headingRef} tabIndex={-1}>
                The end of this scenario
              </h2>
              <p>Here is the path you took. Every path teaches something: try again to see where other choices lead.</p>
              <ol className="path">
                {play.path.map((s, i) => (
                  <li key={`${i}-${s.node}-${s.choice}`} className="path-step">
                    <h3>Decision {i + 1}</h3>
                    <p className="you-chose">
                      <span className="you-chose-label">You chose:</span> {s.choice_text}
                    </p>
                    <Feedback step={s} />
                  </li>
                ))}
              </ol>
              <div className="actions">
                <button type="button" onClick={tryAgain}>
                  Try again
                </button>
                <Link to={paths.course(course.slug)}>Back to {course.title}</Link>
              </div>
            </section>
          ) : null}
        </>
      )}
    </>
  );
}

function Feedback({ step }: { step: ScenarioStep }) {
  const q = qualityOf(step.quality);
  return (
    <div className={`feedback quality-${step.quality}`}>
      <p className="quality">
        <span className="quality-mark" aria-hidden="true">
          {q.mark}
        </span>{' '}
        {q.text}
      </p>
      {step.feedback ? <p>{step.feedback}</p> : null}
    </div>
  );
}

import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { api, ApiError, messageOf } from '../api';
import { FieldError } from '../components/Field';
import { LiveRegion } from '../components/LiveRegion';
import { useOnSignedOut } from '../components/Load';
import { Loading } from '../components/Pages';
import { formatTime } from '../time';

/** How long after the last keystroke the reflection is saved. */
export const AUTOSAVE_MS = 800;

/** The most the server keeps for one answer. */
const MAX_ANSWER = 20_000;

type Status =
  | { kind: 'idle' }
  | { kind: 'saving' }
  | { kind: 'saved'; at: Date }
  | { kind: 'deleted' }
  | { kind: 'error'; message: string };

interface Prompt {
  id: string;
  prompt: string;
}

/**
 * ReflectionSection holds the person's private answers to a module's reflection prompts. What is
 * typed is saved a moment after typing stops; only the changed answers are sent.
 */
export function ReflectionSection({ slug, module, prompts }: { slug: string; module: string; prompts: Prompt[] }) {
  const onSignedOut = useOnSignedOut();
  const baseId = useId();
  const [answers, setAnswers] = useState<Record<string, string> | null>(null);
  const [loadError, setLoadError] = useState('');
  const [loadAttempt, setLoadAttempt] = useState(0);
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);

  // What the person has typed, and which answers changed since they were last sent.
  const latest = useRef<Record<string, string>>({});
  const dirty = useRef(new Set<string>());
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const inFlight = useRef(false);
  const again = useRef(false);
  const confirmRef = useRef<HTMLParagraphElement>(null);
  const deleteRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    let live = true;
    setLoadError('');
    api
      .reflection(slug, module)
      .then((r) => {
        if (!live) return;
        const a: Record<string, string> = {};
        for (const p of r.prompts) a[p.id] = p.answer ?? '';
        latest.current = { ...a, ...latest.current };
        setAnswers(latest.current);
      })
      .catch((err: unknown) => {
        if (!live) return;
        onSignedOut(err);
        setLoadError(messageOf(err));
      });
    return () => {
      live = false;
    };
  }, [slug, module, loadAttempt, onSignedOut]);

  const save = useCallback(async () => {
    clearTimeout(timer.current);
    timer.current = undefined;
    if (dirty.current.size === 0) return;
    if (inFlight.current) {
      // One save at a time, so answers reach the server in the order they were typed.
      again.current = true;
      return;
    }
    const ids = [...dirty.current];
    dirty.current.clear();
    const body: Record<string, string> = {};
    for (const id of ids) body[id] = latest.current[id] ?? '';
    inFlight.current = true;
    setStatus({ kind: 'saving' });
    try {
      await api.saveReflection(slug, module, body);
      setStatus({ kind: 'saved', at: new Date() });
    } catch (err) {
      onSignedOut(err);
      for (const id of ids) dirty.current.add(id);
      if (err instanceof ApiError && err.status === 400) {
        const f: Record<string, string> = {};
        for (const id of ids) {
          const m = err.fields[`answers.${id}`] ?? err.fields[id];
          if (m) f[id] = m;
        }
        setFieldErrors((old) => ({ ...old, ...f }));
      }
      setStatus({ kind: 'error', message: messageOf(err) });
    } finally {
      inFlight.current = false;
      if (again.current) {
        again.current = false;
        void save();
      }
    }
  }, [slug, module, onSignedOut]);

  // Leaving the page with unsaved typing: send it now rather than lose it.
  useEffect(
    () => () => {
      clearTimeout(timer.current);
      if (dirty.current.size === 0) return;
      const body: Record<string, string> = {};
      for (const id of dirty.current) body[id] = latest.current[id] ?? '';
      dirty.current.clear();
      api.saveReflection(slug, module, body).catch(() => {});
    },
    [slug, module],
  );

  function change(id: string, value: string) {
    latest.current = { ...latest.current, [id]: value };
    setAnswers(latest.current);
    dirty.current.add(id);
    if (fieldErrors[id]) setFieldErrors(({ [id]: _, ...rest }) => rest);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void save(), AUTOSAVE_MS);
  }

  function askDelete() {
    setConfirming(true);
    setTimeout(() => confirmRef.current?.focus(), 0);
  }

  function cancelDelete() {
    setConfirming(false);
    setTimeout(() => deleteRef.current?.focus(), 0);
  }

  async function doDelete() {
    setDeleting(true);
    clearTimeout(timer.current);
    timer.current = undefined;
    try {
      await api.deleteReflection(slug, module);
      dirty.current.clear();
      const empty: Record<string, string> = {};
      for (const p of prompts) empty[p.id] = '';
      latest.current = empty;
      setAnswers(empty);
      setFieldErrors({});
      setStatus({ kind: 'deleted' });
      setConfirming(false);
      setTimeout(() => deleteRef.current?.focus(), 0);
    } catch (err) {
      onSignedOut(err);
      setStatus({ kind: 'error', message: messageOf(err) });
    } finally {
      setDeleting(false);
    }
  }

  let statusText = '';
  if (status.kind === 'saving') statusText = 'Saving…';
  if (status.kind === 'saved') statusText = `Saved at ${formatTime(status.at)}`;
  if (status.kind === 'deleted') statusText = 'Your reflection for this module was deleted.';
  if (status.kind === 'error') statusText = `Not saved: ${status.message}`;

  return (
    <section aria-labelledby="reflection-heading" className="section reflection">
      <h2 id="reflection-heading">Private reflection</h2>
      <p className="private-note">
        <svg className="lock" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
          <rect x="2.5" y="7" width="11" height="8" rx="1.5" fill="currentColor" />
          <path d="M5 7V5a3 3 0 0 1 6 0v2" fill="none" stroke="currentColor" strokeWidth="1.8" />
        </svg>{' '}
        Only you can see this. It is never shown to your organisation.
      </p>
      <p className="hint reflection-hint">Your answers are saved as you type. Write as much or as little as you like.</p>
      {answers === null && !loadError ? <Loading label="Loading your reflection…" /> : null}
      {loadError ? (
        <div role="alert" className="notice notice-error">
          <p>We couldn't load your reflection. {loadError}</p>
          <p>
            <button type="button" className="button-secondary" onClick={() => setLoadAttempt((n) => n + 1)}>
              Try again
            </button>
          </p>
        </div>
      ) : null}
      {answers !== null ? (
        <>
          {prompts.map((p, i) => {
            const id = `${baseId}-${p.id}`;
            const error = fieldErrors[p.id];
            return (
              <div key={p.id} className={error ? 'field field-invalid' : 'field'}>
                <label htmlFor={id}>
                  <span className="visually-hidden">Reflection {i + 1}: </span>
                  {p.prompt}
                </label>
                {error ? (
                  <FieldError id={`${id}-error`} error={error} />
                ) : null}
                <textarea
                  id={id}
                  rows={5}
                  maxLength={MAX_ANSWER}
                  value={answers[p.id] ?? ''}
                  onChange={(e) => change(p.id, e.target.value)}
                  onBlur={() => {
                    if (dirty.current.size > 0) void save();
                  }}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={error ? `${id}-error` : undefined}
                />
              </div>
            );
          })}
          <LiveRegion role="status" quiet className={status.kind === 'error' ? 'save-status save-error' : 'save-status'}>
            {statusText}
          </LiveRegion>
          {status.kind === 'error' && dirty.current.size > 0 ? (
            <p>
              <button type="button" className="button-secondary" onClick={() => void save()}>
                Try saving again
              </button>
            </p>
          ) : null}
          {confirming ? (
            <div className="confirm" role="group" aria-labelledby={`${baseId}-confirm`}>
              <p id={`${baseId}-confirm`} ref={confirmRef} tabIndex={-1}>
                <strong>Delete everything you wrote for this module?</strong> This can't be undone.
              </p>
              <div className="actions">
                <button type="button" className="button-danger" onClick={doDelete} disabled={deleting}>
                  {deleting ? 'Deleting…' : 'Yes, delete my reflection'}
                </button>
                <button type="button" className="button-secondary" onClick={cancelDelete} disabled={deleting}>
                  Keep it
                </button>
              </div>
            </div>
          ) : (
            <p>
              <button type="button" className="button-secondary" onClick={askDelete} ref={deleteRef}>
                Delete my reflection
              </button>
            </p>
          )}
        </>
      ) : null}
    </section>
  );
}

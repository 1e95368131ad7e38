import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError, messageOf, type List } from '../api';
import { useAuth } from '../auth/AuthContext';
import { Loading } from './Pages';

export type Load<T> =
  | { state: 'loading' }
  | { state: 'ready'; value: T }
  | { state: 'error'; message: string; status: number; retryAfter?: number | undefined };

/** useOnSignedOut answers a handler that sends the person to sign in when the API says 401. */
export function useOnSignedOut(): (err: unknown) => void {
  const { signedOut } = useAuth();
  return useCallback(
    (err: unknown) => {
      if (err instanceof ApiError && err.status === 401) signedOut();
    },
    [signedOut],
  );
}

/** useFail answers a handler that says in words what went wrong, after useOnSignedOut's. */
export function useFail(): (err: unknown) => string {
  const onSignedOut = useOnSignedOut();
  return useCallback(
    (err: unknown) => {
      onSignedOut(err);
      return messageOf(err);
    },
    [onSignedOut],
  );
}

/**
 * useLoad runs fetcher when its dependencies change and answers what came back. A 401 means the
 * session ended: the person is sent back to sign in. While enabled is false nothing is fetched (a
 * page the person may not see asks for nothing).
 *
 * reload fetches again from the loading state. refresh fetches again but leaves what is shown in
 * place until the answer comes, for a list that has just been changed on the same page. failed
 * shows an error as if the fetch had failed with it, for a follow-up request that should.
 */
export function useLoad<T>(fetcher: () => Promise<T>, deps: readonly unknown[], enabled = true) {
  const onSignedOut = useOnSignedOut();
  const [load, setLoad] = useState<Load<T>>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const quiet = useRef(false);

  const failed = useCallback(
    (err: unknown) => {
      onSignedOut(err);
      setLoad({
        state: 'error',
        message: messageOf(err),
        status: err instanceof ApiError ? err.status : 0,
        retryAfter: err instanceof ApiError ? err.retryAfter : undefined,
      });
    },
    [onSignedOut],
  );

  useEffect(() => {
    if (!enabled) return;
    let live = true;
    if (quiet.current) quiet.current = false;
    else setLoad({ state: 'loading' });
    fetcher()
      .then((value) => live && setLoad({ state: 'ready', value }))
      .catch((err: unknown) => live && failed(err));
    return () => {
      live = false;
    };
    // fetcher is a new function each render; deps says when to fetch again.
  }, [...deps, attempt, failed, enabled]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  const refresh = useCallback(() => {
    quiet.current = true;
    setAttempt((n) => n + 1);
  }, []);
  const set = useCallback((value: T) => setLoad({ state: 'ready', value }), []);
  /** update changes what was loaded in place; before anything is loaded there is nothing to change. */
  const update = useCallback(
    (change: (value: T) => T) => setLoad((l) => (l.state === 'ready' ? { state: 'ready', value: change(l.value) } : l)),
    [],
  );
  return { load, reload, refresh, set, update, failed };
}

/**
 * usePages is useLoad for a list the API gives a page at a time. more fetches the page after the
 * last one shown and adds it to the list; it throws what the fetch threw, for the page to say.
 */
export function usePages<T>(
  fetchPage: (cursor?: string) => Promise<List<T>>,
  deps: readonly unknown[],
  enabled = true,
) {
  const loaded = useLoad(() => fetchPage(), deps, enabled);
  const { load, update } = loaded;

  async function more() {
    if (load.state !== 'ready' || !load.value.next_cursor) return;
    const page = await fetchPage(load.value.next_cursor);
    update((list) => ({ items: [...list.items, ...page.items], next_cursor: page.next_cursor }));
  }

  return { ...loaded, more };
}

/**
 * LoadStatus stands where loaded content will be: a loading line while it is on its way, or why it
 * could not be loaded with a button to try again. Once it is ready, LoadStatus shows nothing.
 */
export function LoadStatus<T>({ load, label, onRetry }: { load: Load<T>; label: string; onRetry: () => void }) {
  if (load.state === 'loading') return <Loading label={label} />;
  if (load.state === 'error') {
    return (
      <div role="alert" className="notice notice-error">
        <p>{load.message}</p>
        <p>
          <button type="button" className="button-secondary" onClick={onRetry}>
            Try again
          </button>
        </p>
      </div>
    );
  }
  return null;
}

/**
 * MoreButton asks for the next page of a list. It says "Loading…" and cannot be pressed again
 * until the page is in; a failure goes to onError, since pages show it in different places.
 */
export function MoreButton({
  onMore,
  onError,
  children,
}: {
  onMore: () => Promise<void>;
  onError: (err: unknown) => void;
  children: ReactNode;
}) {
  const [busy, setBusy] = useState(false);

  async function more() {
    setBusy(true);
    try {
      await onMore();
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <p>
      <button type="button" className="button-secondary" onClick={() => void more()} disabled={busy}>
        {busy ? 'Loading…' : children}
      </button>
    </p>
  );
}

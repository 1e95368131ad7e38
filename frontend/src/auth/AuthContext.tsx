import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, messageOf, type Me } from '../api';

export type AuthState =
  | { status: 'loading' }
  | { status: 'signedOut' }
  | { status: 'signedIn'; me: Me }
  | { status: 'error'; message: string };

export interface Auth {
  state: AuthState;
  /** me is the signed-in person, or null. */
  me: Me | null;
  /** signedIn records who the server just signed in (after login or accepting an invitation). */
  signedIn: (me: Me) => void;
  /** signedOut forgets the person locally, e.g. after a 401 from an expired session. */
  signedOut: () => void;
  /** signOut ends the session on the server, then locally. */
  signOut: () => Promise<void>;
  /** reload asks the server again who is signed in. */
  reload: () => void;
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    api
      .me()
      .then((me) => {
        if (live) setState({ status: 'signedIn', me });
      })
      .catch((err: unknown) => {
        if (!live) return;
        if (err instanceof ApiError && err.status === 401) setState({ status: 'signedOut' });
        else setState({ status: 'error', message: messageOf(err) });
      });
    return () => {
      live = false;
    };
  }, [attempt]);

  const signedIn = useCallback((me: Me) => setState({ status: 'signedIn', me }), []);
  const signedOut = useCallback(() => setState({ status: 'signedOut' }), []);
  const signOut = useCallback(async () => {
    try {
      await api.logout();
    } finally {
      // Even if the server could not be reached, stop showing the person's data here.
      setState({ status: 'signedOut' });
    }
  }, []);
  const reload = useCallback(() => {
    setState({ status: 'loading' });
    setAttempt((n) => n + 1);
  }, []);

  const value = useMemo<Auth>(
    () => ({
      state,
      me: state.status === 'signedIn' ? state.me : null,
      signedIn,
      signedOut,
      signOut,
      reload,
    }),
    [state, signedIn, signedOut, signOut, reload],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth must be used inside <AuthProvider>');
  return auth;
}

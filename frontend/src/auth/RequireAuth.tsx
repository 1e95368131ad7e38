import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import type { Role } from '../api';
import { Loading, NoAccess } from '../components/Pages';
import { usePageTitle } from '../components/usePageTitle';
import { useAuth } from './AuthContext';

/** RequireAuth shows its children to signed-in people (with the role, when one is named). */
export function RequireAuth({ role, children }: { role?: Role; children: ReactNode }) {
  const auth = useAuth();
  const location = useLocation();
  switch (auth.state.status) {
    case 'loading':
      return <Loading />;
    case 'error':
      return <AuthError message={auth.state.message} onRetry={auth.reload} />;
    case 'signedOut':
      return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
    case 'signedIn':
      if (role && !auth.state.me.roles.includes(role)) return <NoAccess />;
      return <>{children}</>;
  }
}

function AuthError({ message, onRetry }: { message: string; onRetry: () => void }) {
  usePageTitle('Something went wrong');
  return (
    <>
      <h1>We couldn't load your account</h1>
      <p role="alert">{message}</p>
      <p>
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      </p>
    </>
  );
}

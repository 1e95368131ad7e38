import { Link } from 'react-router';
import { usePageTitle } from './usePageTitle';

export function NotFound() {
  usePageTitle('Page not found');
  return (
    <>
      <h1>Page not found</h1>
      <p>We couldn't find the page you were looking for. The address may be mistyped, or the page may have moved.</p>
      <p>
        <Link to="/">Go to your home page</Link>
      </p>
    </>
  );
}

export function NoAccess() {
  usePageTitle("You don't have access");
  return (
    <>
      <h1>You don't have access to this page</h1>
      <p>
        This page is for people with a different role in your organisation. If you think you should be able to see it,
        please ask your organisation admin.
      </p>
      <p>
        <Link to="/">Go to your home page</Link>
      </p>
    </>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p role="status" className="loading">
      {label}
    </p>
  );
}

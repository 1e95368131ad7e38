import { useEffect, useRef, useState, type MouseEvent, type ReactNode } from 'react';
import { Link, NavLink, useLocation, useNavigate } from 'react-router';
import { useAuth } from '../auth/AuthContext';
import { Bell } from '../notifications/Bell';

/** Layout is the frame of every page: skip link, header, main landmark and footer. */
export function Layout({ children }: { children: ReactNode }) {
  const auth = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const firstRender = useRef(true);
  const [signingOut, setSigningOut] = useState(false);

  // After moving to another page, put focus at its heading, as a full page load would put
  // a screen reader at the top of the new page.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    const main = mainRef.current;
    if (!main) return;
    const h1 = main.querySelector('h1');
    if (h1) {
      h1.setAttribute('tabindex', '-1');
      h1.focus();
    } else {
      main.focus();
    }
  }, [location.pathname]);

  function skip(e: MouseEvent<HTMLAnchorElement>) {
    e.preventDefault();
    mainRef.current?.focus();
    mainRef.current?.scrollIntoView();
  }

  async function signOut() {
    setSigningOut(true);
    try {
      await auth.signOut();
    } catch {
      // Signed out here anyway; the server's session expires on its own.
    } finally {
      setSigningOut(false);
    }
    navigate('/login', { replace: true });
  }

  const me = auth.me;
  return (
    <div className="page">
      <a className="skip-link" href="#main" onClick={skip}>
        Skip to main content
      </a>
      <header className="site-header">
        <div className="container header-inner">
          <Link to="/" className="brand">
            <svg className="brand-mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
              <rect width="32" height="32" rx="7" fill="#0b5d5b" />
              <path d="M7 22c4-9 8-13 18-13" fill="none" stroke="#fff" strokeWidth="3" strokeLinecap="round" />
              <circle cx="9" cy="22" r="3" fill="#f2c14e" />
              <circle cx="24" cy="9" r="3" fill="#f2c14e" />
            </svg>
            Peerpath
          </Link>
          {me ? (
            <div className="account">
              {me.organisation ? <Bell /> : null}
              <span className="account-name">
                <span className="visually-hidden">Signed in as </span>
                {me.name}
              </span>
              <Link to="/me/data" className="account-link">
                My data
              </Link>
              <button type="button" className="button-secondary" onClick={signOut} disabled={signingOut}>
                Sign out
              </button>
            </div>
          ) : null}
        </div>
        {me ? (
          <nav className="container site-nav" aria-label="Main">
            <ul>
              <li>
                <NavLink to="/" end>
                  Home
                </NavLink>
              </li>
              {me.roles.includes('trainee') ? (
                <li>
                  <NavLink to="/learn">My learning</NavLink>
                </li>
              ) : null}
              {me.roles.includes('trainee') ? (
                <li>
                  <NavLink to="/certificates">Certificates</NavLink>
                </li>
              ) : null}
              {me.roles.includes('trainee') && me.organisation ? (
                <li>
                  <NavLink to="/me/training">My external training</NavLink>
                </li>
              ) : null}
              <li>
                <NavLink to="/roleplay">Role-play</NavLink>
              </li>
              {me.operator ? (
                <li>
                  <NavLink to="/ops">Job queues</NavLink>
                </li>
              ) : null}
              {me.roles.includes('org_admin') || me.roles.includes('manager') ? (
                <li>
                  <NavLink to="/org/people">People</NavLink>
                </li>
              ) : null}
              {me.roles.includes('org_admin') ? (
                <li>
                  <NavLink to="/org/invitations">People and invitations</NavLink>
                </li>
              ) : null}
              {me.roles.includes('org_admin') || me.roles.includes('manager') ? (
                <li>
                  <NavLink to="/org/completion">Completion</NavLink>
                </li>
              ) : null}
              {me.roles.includes('org_admin') ? (
                <li>
                  <NavLink to="/org/api-tokens">API tokens</NavLink>
                </li>
              ) : null}
              {me.roles.includes('org_admin') || me.roles.includes('manager') ? (
                <li>
                  <NavLink to="/org/teams">Teams</NavLink>
                </li>
              ) : null}
              {me.roles.includes('org_admin') ? (
                <li>
                  <NavLink to="/org/assign">Assign training</NavLink>
                </li>
              ) : null}
              {me.roles.includes('org_admin') || me.roles.includes('manager') ? (
                <li>
                  <NavLink to="/org/training">External training</NavLink>
                </li>
              ) : null}
              {me.roles.includes('org_admin') ? (
                <li>
                  <NavLink to="/org/audit">Audit log</NavLink>
                </li>
              ) : null}
              {me.roles.includes('org_admin') ? (
                <li>
                  <NavLink to="/org/settings">Organisation settings</NavLink>
                </li>
              ) : null}
            </ul>
          </nav>
        ) : null}
      </header>
      <main id="main" ref={mainRef} tabIndex={-1} className="container main">
        {children}
      </main>
      <footer className="site-footer">
        <div className="container">
          <p>Peerpath: training for peer support workers.</p>
          <p>
            Take your time. You can step away and come back whenever you need to.
          </p>
        </div>
      </footer>
    </div>
  );
}

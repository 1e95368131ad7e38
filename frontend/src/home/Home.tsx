import { Link } from 'react-router';
import type { Me, Role } from '../api';
import { useAuth } from '../auth/AuthContext';
import { usePageTitle } from '../components/usePageTitle';
import { roleList } from '../roles';

interface Area {
  role: Role;
  title: string;
  body: string;
  /** to is where the area lives, once it exists. */
  to?: string;
}

// One card per area of the product, shown to the roles it serves. Areas still being built say so.
const AREAS: Area[] = [
  {
    role: 'trainee',
    title: 'My learning',
    body: 'Your courses on sharing your story with purpose and holding boundaries, with quizzes and practice scenarios.',
    to: '/learn',
  },
  {
    role: 'trainee',
    title: 'Certificates',
    body: 'A certificate for each course you complete: download it as a PDF, and share a page anyone can use to check it.',
    to: '/certificates',
  },
  {
    role: 'trainer',
    title: 'Role-play sessions',
    body: 'Scheduling and running live role-play practice sessions will appear here.',
  },
  {
    role: 'manager',
    title: 'My teams',
    body: "Your teams' training progress and due dates will appear here.",
  },
  {
    role: 'org_admin',
    title: 'People and invitations',
    body: 'Invite people to your organisation and see who has not yet accepted.',
    to: '/org/invitations',
  },
];

export function areasFor(me: Me): Area[] {
  return AREAS.filter((a) => me.roles.includes(a.role));
}

export function Home() {
  usePageTitle('Home');
  const { me } = useAuth();
  if (!me) return null;
  const areas = areasFor(me);
  return (
    <>
      <h1>Welcome to Peerpath</h1>
      <section className="summary" aria-labelledby="you-heading">
        <h2 id="you-heading" className="visually-hidden">
          Your account
        </h2>
        <p className="signed-in-as">
          Signed in as <strong>{me.name}</strong>
        </p>
        <dl className="facts">
          <div>
            <dt>Email</dt>
            <dd>{me.email}</dd>
          </div>
          <div>
            <dt>Organisation</dt>
            <dd>{me.organisation ? me.organisation.name : 'Not part of an organisation'}</dd>
          </div>
          <div>
            <dt>{me.roles.length === 1 ? 'Role' : 'Roles'}</dt>
            <dd>
              {roleList(me.roles)}
              {me.operator ? ' (and platform operator)' : ''}
            </dd>
          </div>
        </dl>
      </section>
      <section aria-labelledby="areas-heading">
        <h2 id="areas-heading">Your areas</h2>
        {areas.length === 0 ? (
          <p>There is nothing here for your roles yet. Your organisation admin can give you a role.</p>
        ) : (
          <ul className="cards">
            {areas.map((a) => (
              <li key={a.title} className="card">
                <h3>{a.to ? <Link to={a.to}>{a.title}</Link> : a.title}</h3>
                <p>{a.body}</p>
                {a.to ? null : <p className="badge">Coming soon</p>}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

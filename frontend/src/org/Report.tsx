import { Link, useParams } from 'react-router';
import { useAuth } from '../auth/AuthContext';
import { LoadStatus, useLoad } from '../components/Load';
import { NoAccess, NotFound } from '../components/Pages';
import { TableHead } from '../components/TableHead';
import { usePageTitle } from '../components/usePageTitle';
import { formatDateTime } from '../time';
import { d3Api, MATRIX_STATUSES } from './api-d3';
import { STATUS_LABELS, StatusCells } from './MatrixStatus';
import './Matrix.css';

/**
 * Report is the printable audit report of one course: who it is assigned to, where each person
 * is, and the certificate that proves it. It prints black on white without the site's frame.
 */
export function Report() {
  const { slug = '' } = useParams();
  const { me } = useAuth();
  const allowed = !!me && (me.roles.includes('org_admin') || me.roles.includes('manager'));
  const { load: rep, reload } = useLoad(() => d3Api.courseReport(slug), [slug], allowed);
  usePageTitle(rep.state === 'ready' ? `Audit report: ${rep.value.course.title}` : 'Audit report');

  if (!allowed) return <NoAccess />;
  if (rep.state === 'error' && rep.status === 404) return <NotFound />;
  if (rep.state !== 'ready') {
    return (
      <>
        <h1>Audit report</h1>
        <LoadStatus load={rep} label="Preparing the report…" onRetry={reload} />
      </>
    );
  }

  const r = rep.value;
  const assigned = r.rows.length;
  const current = r.totals.completed ?? 0;
  return (
    <article className="audit-report">
      <p className="no-print">
        <Link to="/org/completion">Back to training completion</Link>
      </p>
      <h1>Audit report: {r.course.title}</h1>
      <dl className="facts">
        <div>
          <dt>Organisation</dt>
          <dd>{r.organisation}</dd>
        </div>
        <div>
          <dt>Course</dt>
          <dd>
            {r.course.title}, version {r.course.version}
          </dd>
        </div>
        <div>
          <dt>Covers</dt>
          <dd>{r.scope === 'my teams' ? 'The teams I manage' : 'Everyone in the organisation'}</dd>
        </div>
        <div>
          <dt>Prepared</dt>
          <dd>
            <time dateTime={r.generated_at}>{formatDateTime(r.generated_at)}</time>
          </dd>
        </div>
      </dl>
      <p className="no-print">
        <button type="button" onClick={() => window.print()}>
          Print this report
        </button>
      </p>

      <section aria-labelledby="report-summary" className="section report-section">
        <h2 id="report-summary">Summary</h2>
        <p>
          {assigned === 0
            ? 'This course is not assigned to anyone yet.'
            : `${current} of ${assigned} ${assigned === 1 ? 'person has' : 'people have'} a current completion.`}
        </p>
        <table className="table">
          <caption>People by status</caption>
          <TableHead columns={['Status', 'People']} />
          <tbody>
            {MATRIX_STATUSES.map((s) => (
              <tr key={s}>
                <th scope="row" data-label="Status">
                  {STATUS_LABELS[s]}
                </th>
                <td data-label="People">{r.totals[s] ?? 0}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="report-people" className="section report-section report-break">
        <h2 id="report-people">Everyone assigned</h2>
        {assigned === 0 ? (
          <p className="empty">Nobody is assigned this course.</p>
        ) : (
          <table className="table report-table">
            <caption>Each person's status and certificate for {r.course.title}</caption>
            <TableHead columns={['Name', 'Email', 'Teams', 'Status', 'Due', 'Completed', 'Expires', 'Certificate']} />
            <tbody>
              {r.rows.map((row) => (
                <tr key={row.person_id}>
                  <th scope="row" data-label="Name">
                    {row.name}
                  </th>
                  <td data-label="Email" className="break">
                    {row.email}
                  </td>
                  <td data-label="Teams">{row.teams.join(', ') || 'None'}</td>
                  <StatusCells row={row} />
                  <td data-label="Certificate">{row.certificate_number || 'None'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <p className="report-footer">
        Statuses as at {formatDateTime(r.generated_at)}, from Peerpath's records. "Completed" counts only a
        completion whose certificate has not been revoked.
      </p>
    </article>
  );
}

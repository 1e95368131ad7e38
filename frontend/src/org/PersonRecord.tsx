import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { FieldFrame } from '../components/Field';
import { Link, useParams } from 'react-router';
import { ApiError, type Certificate } from '../api';
import { useAuth } from '../auth/AuthContext';
import { LiveRegion } from '../components/LiveRegion';
import { LoadStatus, useFail, useLoad } from '../components/Load';
import { NoAccess, NotFound } from '../components/Pages';
import { TableHead } from '../components/TableHead';
import { usePageTitle } from '../components/usePageTitle';
import { formatDate, formatDateTime } from '../time';
import { d3Api, type PersonRecord as RecordData } from './api-d3';
import { DateCell, StatusCells } from './MatrixStatus';
import './Matrix.css';


const SEATS: { [seat: string]: string } = {
  speaker: 'Speaker',
  peer_worker: 'Peer worker',
  observer: 'Observer',
};

function seatName(seat: string): string {
  return SEATS[seat] ?? seat.replace(/_/g, ' ');
}

/** scoreList reads the rubric scores a record holds ({"criterion": 3}) as "criterion: 3 of 4". */
function scoreList(scores: unknown): string[] {
  if (!scores || typeof scores !== 'object' || Array.isArray(scores)) return [];
  return Object.entries(scores as { [k: string]: unknown })
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => `${k.replace(/[-_]/g, ' ')}: ${String(v)} of 4`);
}

/**
 * PersonRecord is one person's training record for their org admin or team manager: assigned
 * training, modules, quiz attempts, role-play practice and certificates. What the person wrote
 * (reflections, chat, feedback comments) is theirs and never appears here.
 */
export function PersonRecord() {
  const { id = '' } = useParams();
  const { me } = useAuth();
  const allowed = !!me && (me.roles.includes('org_admin') || me.roles.includes('manager'));
  const { load: rec, reload, set } = useLoad(() => d3Api.personRecord(id), [id], allowed);
  usePageTitle(rec.state === 'ready' ? `Training record: ${rec.value.person.name}` : 'Training record');

  // refresh fetches the record again in place, keeping the page (and any message on it) as it is.
  const refresh = useCallback(() => {
    d3Api
      .personRecord(id)
      .then(set)
      .catch(() => {
        // The page keeps showing what it has; the message that led here already says what happened.
      });
  }, [id, set]);

  if (!me || !allowed) return <NoAccess />;
  if (rec.state === 'error' && rec.status === 404) return <NotFound />;
  if (rec.state !== 'ready') {
    return (
      <>
        <h1>Training record</h1>
        <LoadStatus load={rec} label="Loading the training record…" onRetry={reload} />
      </>
    );
  }

  const r = rec.value;
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <ol>
          <li>
            <Link to="/org/completion">Training completion</Link>
          </li>
          <li aria-current="page">{r.person.name}</li>
        </ol>
      </nav>
      <h1>Training record: {r.person.name}</h1>
      <dl className="facts">
        <div>
          <dt>Email</dt>
          <dd className="break">{r.person.email}</dd>
        </div>
        <div>
          <dt>Teams</dt>
          <dd>{r.person.teams.length ? r.person.teams.join(', ') : 'None'}</dd>
        </div>
        <div>
          <dt>Account</dt>
          <dd>{r.person.active ? 'Active' : 'Deactivated'}</dd>
        </div>
      </dl>
      <p className="hint">
        Reflections, role-play chat and written feedback belong to the person and are never shown here.
      </p>

      <section aria-labelledby="rec-assigned" className="section">
        <h2 id="rec-assigned">Assigned training</h2>
        {r.assignments.length === 0 ? (
          <p className="empty">No training is assigned to {r.person.name}.</p>
        ) : (
          <div className="table-scroll">
            <table className="table">
              <caption className="visually-hidden">Assigned training and its status</caption>
              <TableHead columns={['Training', 'Status', 'Due', 'Completed', 'Expires']} />
              <tbody>
                {r.assignments.map((a) => (
                  <tr key={`${a.kind}/${a.training_type_id ?? a.course}`}>
                    <th scope="row" data-label="Training">
                      {a.course_title}
                      {a.kind === 'external' ? <span className="matrix-kind">External training</span> : null}
                    </th>
                    <StatusCells row={a} day={a.kind === 'external'} />
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="rec-courses" className="section">
        <h2 id="rec-courses">Courses and modules</h2>
        {r.courses.length === 0 ? <p className="empty">{r.person.name} hasn't started a course yet.</p> : null}
        {r.courses.map((c) => {
          const done = c.modules.filter((m) => m.completed_at).length;
          return (
            <div key={`${c.course}/${c.started_at}`} className="record-course">
              <h3>
                {c.title} <span className="muted">(version {c.version})</span>
              </h3>
              <p>
                Started <DateCell at={c.started_at} />.{' '}
                {c.completed_at ? (
                  <>
                    Completed <DateCell at={c.completed_at} />.
                  </>
                ) : (
                  'Not completed yet.'
                )}{' '}
                {done} of {c.modules.length} modules done.
              </p>
              {c.modules.length > 0 ? (
                <ul className="record-modules">
                  {c.modules.map((m) => (
                    <li key={m.slug}>
                      {m.title}:{' '}
                      {m.completed_at ? (
                        <>
                          done <DateCell at={m.completed_at} />
                        </>
                      ) : (
                        'not done yet'
                      )}
                    </li>
                  ))}
                </ul>
              ) : null}
            </div>
          );
        })}
      </section>

      <section aria-labelledby="rec-attempts" className="section">
        <h2 id="rec-attempts">Quiz attempts</h2>
        {r.attempts.length === 0 ? (
          <p className="empty">No quiz attempts yet.</p>
        ) : (
          <div className="table-scroll">
            <table className="table">
              <caption className="visually-hidden">Quiz attempts with their scores</caption>
              <TableHead columns={['Quiz', 'Attempt', 'Started', 'Score', 'Result']} />
              <tbody>
                {r.attempts.map((a) => (
                  <tr key={`${a.quiz}/${a.number}`}>
                    <th scope="row" data-label="Quiz">
                      {a.quiz}
                    </th>
                    <td data-label="Attempt">{a.number}</td>
                    <td data-label="Started">
                      <time dateTime={a.started_at}>{formatDateTime(a.started_at)}</time>
                    </td>
                    <td data-label="Score">{a.score === null ? 'Not submitted' : `${Math.round(a.score)}%`}</td>
                    <td data-label="Result">
                      {a.passed === null ? 'In progress' : a.passed ? 'Passed' : 'Not passed'}
                      {a.timed_out ? ' (ran out of time)' : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="rec-roleplay" className="section">
        <h2 id="rec-roleplay">Role-play practice</h2>
        {r.roleplay.seats.length === 0 ? (
          <p className="empty">No role-play practice yet.</p>
        ) : (
          <div className="table-scroll">
            <table className="table">
              <caption className="visually-hidden">Role-play rounds taken part in</caption>
              <TableHead columns={['Session', 'Round', 'Seat', 'Card', 'When']} />
              <tbody>
                {r.roleplay.seats.map((s) => (
                  <tr key={`${s.session_id}/${s.round}`}>
                    <th scope="row" data-label="Session">
                      {s.session_title}
                    </th>
                    <td data-label="Round">{s.round}</td>
                    <td data-label="Seat">{seatName(s.seat)}</td>
                    <td data-label="Card">{s.card}</td>
                    <td data-label="When">
                      <time dateTime={s.started_at}>{formatDateTime(s.started_at)}</time>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {r.roleplay.feedback.length > 0 ? (
          <>
            <h3>Rubric results</h3>
            <div className="table-scroll">
              <table className="table">
                <caption className="visually-hidden">Rubric scores from observers, 1 to 4</caption>
                <TableHead columns={['Session', 'Round', 'From', 'Scores (1 to 4)']} />
                <tbody>
                  {r.roleplay.feedback.map((f) => {
                    const scores = scoreList(f.scores);
                    return (
                      <tr key={`${f.session_id}/${f.round}/${f.from_seat}/${f.submitted_at}`}>
                        <th scope="row" data-label="Session">
                          {f.session_title}
                        </th>
                        <td data-label="Round">{f.round}</td>
                        <td data-label="From">{seatName(f.from_seat)}</td>
                        <td data-label="Scores (1 to 4)">
                          {scores.length === 0 ? (
                            <span className="muted">No scores</span>
                          ) : (
                            <ul className="plain-list">
                              {scores.map((s) => (
                                <li key={s}>{s}</li>
                              ))}
                            </ul>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </>
        ) : null}
      </section>

      <CertificatesSection
        person={r.person.name}
        certificates={r.certificates}
        canRevoke={me.roles.includes('org_admin')}
        onRevoked={(c) =>
          set({
            ...r,
            certificates: r.certificates.map((x) =>
              x.id === c.id ? { ...x, status: c.status, revoked_at: c.revoked_at, revoked_reason: c.revoked_reason } : x,
            ),
          })
        }
        onStale={refresh}
      />
    </>
  );
}

type RecordCertificate = RecordData['certificates'][number];

/** MAX_REASON matches the server's limit on a revocation reason (docs/api.md). */
const MAX_REASON = 500;

function certificateStatus(status: string): string {
  switch (status) {
    case 'valid':
      return 'Valid';
    case 'revoked':
      return 'Revoked';
    case 'expired':
      return 'Expired';
    default:
      return status;
  }
}

/**
 * CertificatesSection lists a person's certificates; an org admin may revoke a valid one, with a
 * reason, from here.
 */
function CertificatesSection({
  person,
  certificates,
  canRevoke,
  onRevoked,
  onStale,
}: {
  person: string;
  certificates: RecordCertificate[];
  canRevoke: boolean;
  onRevoked: (c: Certificate) => void;
  onStale: () => void;
}) {
  const fail = useFail();
  const [revoking, setRevoking] = useState<RecordCertificate | null>(null);
  const [done, setDone] = useState<Certificate | null>(null);
  const [error, setError] = useState('');
  // When the form closes, focus goes back where it makes sense: the button that opened it after
  // Cancel, the section heading after a revocation (the button is gone by then).
  const [focusTo, setFocusTo] = useState<{ to: 'button' | 'heading'; id: string } | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (!focusTo) return;
    if (focusTo.to === 'heading') headingRef.current?.focus();
    else document.getElementById(`revoke-cert-${focusTo.id}`)?.focus();
  }, [focusTo]);

  return (
    <section aria-labelledby="rec-certificates" className="section">
      <h2 id="rec-certificates" ref={headingRef} tabIndex={-1}>
        Certificates
      </h2>
      <LiveRegion role="status">
        {done ? (
          <>
            <p>
              Certificate {done.number} is revoked. Anyone who checks it on the public verification page now sees that
              it no longer counts.
            </p>
            {done.verify_url ? (
              <p>
                <a href={done.verify_url}>Open its verification page</a>
              </p>
            ) : null}
          </>
        ) : null}
      </LiveRegion>
      <LiveRegion role="alert">{error}</LiveRegion>
      {certificates.length === 0 ? (
        <p className="empty">No certificates yet.</p>
      ) : (
        <div className="table-scroll">
          <table className="table">
            <caption className="visually-hidden">Certificates issued</caption>
            <TableHead columns={['Number', 'Course', 'Issued', 'Expires', 'Status']} />
            <tbody>
              {certificates.map((c) => (
                <tr key={c.id}>
                  <th scope="row" data-label="Number">
                    {c.number}
                  </th>
                  <td data-label="Course">
                    {c.course_title}
                    {c.cycle > 1 ? ` (cycle ${c.cycle})` : ''}
                  </td>
                  <td data-label="Issued">
                    <DateCell at={c.issued_at} />
                  </td>
                  <td data-label="Expires">
                    <DateCell at={c.expires_at} />
                  </td>
                  <td data-label="Status">
                    {certificateStatus(c.status)}
                    {c.revoked_at ? (
                      <>
                        {' '}
                        on <time dateTime={c.revoked_at}>{formatDate(c.revoked_at)}</time>
                      </>
                    ) : null}
                    {c.revoked_reason ? <span className="matrix-email">Reason: {c.revoked_reason}</span> : null}
                    {canRevoke && c.status === 'valid' && revoking?.id !== c.id ? (
                      <>
                        {' '}
                        <button
                          type="button"
                          id={`revoke-cert-${c.id}`}
                          className="button-secondary button-small"
                          onClick={() => {
                            setDone(null);
                            setError('');
                            setFocusTo(null);
                            setRevoking(c);
                          }}
                        >
                          Revoke certificate <span className="visually-hidden">{c.number}</span>
                        </button>
                      </>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {revoking ? (
        <RevokeForm
          key={revoking.id}
          person={person}
          certificate={revoking}
          onCancel={() => {
            setRevoking(null);
            setFocusTo({ to: 'button', id: revoking.id });
          }}
          onRevoked={(c) => {
            setRevoking(null);
            setDone(c);
            onRevoked(c);
            setFocusTo({ to: 'heading', id: c.id });
          }}
          onFailed={(err) => {
            setRevoking(null);
            setError(fail(err));
            setFocusTo({ to: 'heading', id: revoking.id });
            // Someone else revoked it meanwhile, or it is gone: show the record as it is now.
            if (err instanceof ApiError && (err.status === 404 || err.status === 409)) onStale();
          }}
        />
      ) : null}
    </section>
  );
}

/** RevokeForm asks why a certificate is revoked and says what revoking does before it is done. */
function RevokeForm({
  person,
  certificate,
  onCancel,
  onRevoked,
  onFailed,
}: {
  person: string;
  certificate: RecordCertificate;
  onCancel: () => void;
  onRevoked: (c: Certificate) => void;
  onFailed: (err: unknown) => void;
}) {
  const id = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);
  const used = [...reason].length;

  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const text = reason.trim();
    const why = !text
      ? 'Say why you are revoking this certificate.'
      : [...text].length > MAX_REASON
        ? `Use at most ${MAX_REASON} characters. This reason has ${[...text].length}.`
        : '';
    if (why) {
      setProblem(why);
      reasonRef.current?.focus();
      return;
    }
    setBusy(true);
    setProblem('');
    try {
      onRevoked(await d3Api.revokeCertificate(certificate.id, text));
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) {
        setProblem(err.fields.reason ?? err.message);
        setBusy(false);
        reasonRef.current?.focus();
        return;
      }
      onFailed(err);
    }
  }

  return (
    <form className="confirm form" aria-labelledby={`${id}-heading`} onSubmit={(e) => void submit(e)} noValidate>
      <h3 id={`${id}-heading`} ref={headingRef} tabIndex={-1}>
        Revoke certificate {certificate.number}
      </h3>
      <p>
        Revoking means this certificate no longer counts as proof that {person} completed {certificate.course_title}.
        Its public verification page will say it was revoked, and when, to anyone who checks it. {person} will see it
        marked as revoked, with your reason. This can&apos;t be undone.
      </p>
      <FieldFrame
        label="Reason for revoking"
        error={problem || undefined}
        hint={
          <>
            {person} will read this; the public verification page doesn&apos;t show it. Up to {MAX_REASON} characters:{' '}
            {used} used.
          </>
        }
      >
        {(attrs) => (
          <textarea {...attrs} ref={reasonRef} name="reason" rows={3} required value={reason} onChange={(e) => setReason(e.target.value)} />
        )}
      </FieldFrame>
      <div className="actions">
        <button type="submit" className="button-danger" disabled={busy}>
          {busy ? 'Revoking…' : 'Yes, revoke it'}
        </button>{' '}
        <button type="button" className="button-secondary" disabled={busy} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

import { useEffect, useId, useState } from 'react';
import { Link } from 'react-router';
import { api, type Certificate } from '../api';
import { LiveRegion } from '../components/LiveRegion';
import { useLoad } from '../components/Load';
import { Loading } from '../components/Pages';
import { usePageTitle } from '../components/usePageTitle';
import { paths } from '../learn/common';
import { formatDate } from '../time';
import { CertificateStatusBadge, CertificateDateRows } from './common';

/** How often the page looks again while a certificate is being prepared, and for how long. */
export const POLL_MS = 3000;
export const POLL_TRIES = 20;

interface CertificatesView {
  items: Certificate[];
  /** preparing are completed courses whose certificate has not been issued yet. */
  preparing: { slug: string; title: string }[];
}

async function loadCertificates(): Promise<CertificatesView> {
  // The courses only tell which certificates are still on their way: the page works without them.
  const [certificates, courses] = await Promise.all([api.myCertificates(), api.courses().catch(() => null)]);
  const held = new Set(certificates.items.map((c) => c.course.slug));
  const preparing = courses
    ? [...courses.assigned, ...courses.catalogue]
        .filter((c) => c.status === 'completed' && !held.has(c.slug))
        .map((c) => ({ slug: c.slug, title: c.title }))
    : [];
  return { items: certificates.items, preparing };
}

/** Certificates is "My certificates": every certificate the person holds, newest first. */
export function Certificates() {
  usePageTitle('My certificates');
  const { load, reload, set } = useLoad(loadCertificates, []);
  const [tries, setTries] = useState(0);
  const [announcement, setAnnouncement] = useState('');

  const waiting = load.state === 'ready' && load.value.preparing.length > 0 && tries < POLL_TRIES;
  useEffect(() => {
    if (!waiting || load.state !== 'ready') return;
    let live = true;
    const before = load.value.preparing;
    const timer = setTimeout(() => {
      loadCertificates()
        .then((next) => {
          if (!live) return;
          const still = new Set(next.preparing.map((p) => p.slug));
          const ready = before.filter((p) => !still.has(p.slug));
          if (ready.length > 0) {
            setAnnouncement(ready.map((p) => `Your certificate for ${p.title} is ready.`).join(' '));
          }
          set(next);
        })
        .catch(() => {
          // Looked again in the background only; the page keeps what it shows.
        })
        .finally(() => {
          if (live) setTries((n) => n + 1);
        });
    }, POLL_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [load, waiting, set]);

  if (load.state === 'error') {
    return (
      <>
        <h1>We couldn't load your certificates</h1>
        <div role="alert" className="notice notice-error">
          <p>{load.message}</p>
        </div>
        <p>
          <button type="button" className="button-secondary" onClick={reload}>
            Try again
          </button>
        </p>
      </>
    );
  }
  return (
    <>
      <h1>My certificates</h1>
      <p className="lead">
        A certificate for each course you complete. Anyone you show one to can check it on its verification page,
        without an account.
      </p>
      <LiveRegion role="status">{announcement}</LiveRegion>
      {load.state === 'loading' ? <Loading label="Loading your certificates…" /> : null}
      {load.state === 'ready' ? (
        <>
          {load.value.preparing.map((p) => (
            <div key={p.slug} className="notice notice-info certificate-preparing">
              <p>
                Your certificate for <strong>{p.title}</strong> is being prepared — it will appear here in a moment.
              </p>
            </div>
          ))}
          {load.value.items.length === 0 ? (
            load.value.preparing.length === 0 ? (
              <div className="empty-state">
                <p>You don't have any certificates yet.</p>
                <p>
                  Complete a course to earn a certificate. <Link to={paths.learn}>Go to My learning</Link>
                </p>
              </div>
            ) : null
          ) : (
            <ul className="certificate-list">
              {load.value.items.map((c) => (
                <CertificateCard key={c.id} certificate={c} />
              ))}
            </ul>
          )}
        </>
      ) : null}
    </>
  );
}

function CertificateCard({ certificate: c }: { certificate: Certificate }) {
  const id = useId();
  const about = `: ${c.course.title}, version ${c.course.version}`;
  return (
    <li className={`certificate-card certificate-${c.status}`}>
      <h2>{c.course.title}</h2>
      <dl className="facts certificate-facts">
        <div>
          <dt>Status</dt>
          <dd>
            <CertificateStatusBadge status={c.status} />
          </dd>
        </div>
        <div>
          <dt>Course version</dt>
          <dd>Version {c.course.version}</dd>
        </div>
        <CertificateDateRows number={c.number} issuedAt={c.issued_at} expiresAt={c.expires_at} />
        {c.revoked_at ? (
          <div>
            <dt>Revoked</dt>
            <dd>
              <time dateTime={c.revoked_at}>{formatDate(c.revoked_at)}</time>
            </dd>
          </div>
        ) : null}
        {c.status === 'revoked' && c.revoked_reason ? (
          <div>
            <dt>Reason</dt>
            <dd>{c.revoked_reason}</dd>
          </div>
        ) : null}
      </dl>
      {c.status === 'revoked' ? (
        <p className="certificate-note">
          Your organisation revoked this certificate, so it no longer counts as proof that you completed the course. Its
          verification page says so too.
        </p>
      ) : null}
      {c.status === 'expired' ? (
        <p className="certificate-note">This certificate has passed its expiry date. Its verification page says so too.</p>
      ) : null}
      <ul className="certificate-links">
        <li>
          <a href={c.pdf_url} download>
            Download PDF<span className="visually-hidden">{about}</span>
          </a>
        </li>
        <li>
          <a href={c.credential_url} download aria-describedby={`${id}-credential`}>
            Download digital credential<span className="visually-hidden">{about}</span>
          </a>
          <span className="hint" id={`${id}-credential`}>
            A signed file other systems can check.
          </span>
        </li>
        <li>
          <a href={c.verify_url}>
            Verification page<span className="visually-hidden">{about}</span>
          </a>
        </li>
      </ul>
    </li>
  );
}

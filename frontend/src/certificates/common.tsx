// Pieces shared by the certificate pages and the places that lead to them.
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api, type CertificateStatus } from '../api';
import { formatDate } from '../time';

export const CERTIFICATES_PATH = '/certificates';

export const CERTIFICATE_STATUS_NAMES: Record<CertificateStatus, string> = {
  valid: 'Valid',
  expired: 'Expired',
  revoked: 'Revoked',
};

/** CertificateStatusBadge says a certificate's status in words; the colour only repeats it. */
export function CertificateStatusBadge({ status }: { status: CertificateStatus }) {
  return (
    <span className={`status status-certificate-${status}`}>{CERTIFICATE_STATUS_NAMES[status] ?? status}</span>
  );
}

/** CertificatePreparing is the line shown when a course has just been completed. */
export function CertificatePreparing() {
  return (
    <p className="certificate-line">
      Your certificate is being prepared — it will appear under <Link to={CERTIFICATES_PATH}>Certificates</Link> in a
      moment.
    </p>
  );
}

/**
 * CourseCertificateLine is said under a completed course: that its certificate is ready when the
 * person already has one for it, else that it is being prepared. It says nothing while it checks.
 */
export function CourseCertificateLine({ slug }: { slug: string }) {
  const [state, setState] = useState<'checking' | 'ready' | 'preparing'>('checking');
  useEffect(() => {
    let live = true;
    setState('checking');
    api
      .myCertificates()
      .then((list) => {
        if (live) setState(list.items.some((c) => c.course.slug === slug) ? 'ready' : 'preparing');
      })
      .catch(() => {
        if (live) setState('preparing');
      });
    return () => {
      live = false;
    };
  }, [slug]);
  if (state === 'checking') return null;
  if (state === 'preparing') return <CertificatePreparing />;
  return (
    <p className="certificate-line">
      Your certificate is ready under <Link to={CERTIFICATES_PATH}>Certificates</Link>.
    </p>
  );
}

/** CertificateDateRows are the number, issue and expiry rows of a certificate's details list. */
export function CertificateDateRows({ number, issuedAt, expiresAt }: { number: string; issuedAt: string; expiresAt: string | null }) {
  return (
    <>
      <div>
        <dt>Certificate number</dt>
        <dd className="certificate-number">{number}</dd>
      </div>
      <div>
        <dt>Issued</dt>
        <dd>
          <time dateTime={issuedAt}>{formatDate(issuedAt)}</time>
        </dd>
      </div>
      <div>
        <dt>Expiry date</dt>
        <dd>{expiresAt ? <time dateTime={expiresAt}>{formatDate(expiresAt)}</time> : 'Does not expire'}</dd>
      </div>
    </>
  );
}

import { useParams } from 'react-router';
import { api, waitText, type CertificateStatus, type Verification } from '../api';
import { useLoad } from '../components/Load';
import { Loading } from '../components/Pages';
import { usePageTitle } from '../components/usePageTitle';
import { formatDate } from '../time';
import { CertificateDateRows } from './common';

const HEADINGS: Record<CertificateStatus, string> = {
  valid: 'This certificate is valid',
  expired: 'This certificate has expired',
  revoked: 'This certificate was revoked',
};

const MARKS: Record<CertificateStatus, string> = {
  valid: '✓',
  expired: '!',
  revoked: '✗',
};

/**
 * Verify is the public verification page, reached from the QR code on a certificate. It needs no
 * account, and shows only what the certificate itself shows.
 */
export function Verify() {
  const { code = '' } = useParams();
  const { load, reload } = useLoad(() => api.verify(code), [code]);
  const title =
    load.state === 'ready'
      ? HEADINGS[load.value.status]
      : load.state === 'error' && load.status === 404
        ? 'Certificate not found'
        : 'Check a certificate';
  usePageTitle(title);

  if (load.state === 'loading') {
    return (
      <>
        <h1>Check a certificate</h1>
        <Loading label="Checking the certificate…" />
      </>
    );
  }
  if (load.state === 'error') {
    if (load.status === 404) {
      return (
        <div className="verify-message">
          <h1>Certificate not found</h1>
          <div role="alert" className="notice notice-error">
            <p>We couldn't find a certificate with this code. Check it against the certificate.</p>
          </div>
          <p>
            The code checked was <code className="verify-code">{code}</code>. It is the last part of the address
            printed under the QR code on the certificate.
          </p>
        </div>
      );
    }
    const message =
      load.status === 429
        ? `Too many certificates have been checked from your network just now. Please wait ${
            load.retryAfter !== undefined ? waitText(load.retryAfter) : 'a minute'
          } and try again.`
        : load.message;
    return (
      <div className="verify-message">
        <h1>{load.status === 429 ? 'Please wait a moment' : "We couldn't check this certificate"}</h1>
        <div role="alert" className="notice notice-error">
          <p>{message}</p>
        </div>
        <p>
          <button type="button" className="button-secondary" onClick={reload}>
            Try again
          </button>
        </p>
      </div>
    );
  }
  return <VerificationResult v={load.value} />;
}

function VerificationResult({ v }: { v: Verification }) {
  return (
    <>
      <div className={`verify-result verify-${v.status}`}>
        <h1>
          <span className="verify-mark" aria-hidden="true">
            {MARKS[v.status]}
          </span>
          {HEADINGS[v.status]}
        </h1>
        <p>
          {v.status === 'valid'
            ? `${v.organisation} issued this certificate to ${v.name}, and it is valid today.`
            : v.status === 'expired'
              ? `${v.organisation} issued this certificate to ${v.name}, and it has passed its expiry date.`
              : `${v.organisation} issued this certificate to ${v.name}, and has since revoked it: it no longer counts as proof of completion.`}
        </p>
      </div>
      <section aria-labelledby="details-heading" className="panel verify-details">
        <h2 id="details-heading">Certificate details</h2>
        <dl className="facts certificate-facts">
          <div>
            <dt>Name</dt>
            <dd>{v.name}</dd>
          </div>
          <div>
            <dt>Course</dt>
            <dd>
              {v.course}, version {v.course_version}
            </dd>
          </div>
          <div>
            <dt>Organisation</dt>
            <dd>{v.organisation}</dd>
          </div>
          <CertificateDateRows number={v.number} issuedAt={v.issued_at} expiresAt={v.expires_at} />
          {v.status === 'revoked' || v.revoked_at ? (
            <div>
              <dt>Revoked</dt>
              <dd>{v.revoked_at ? <time dateTime={v.revoked_at}>{formatDate(v.revoked_at)}</time> : 'Yes'}</dd>
            </div>
          ) : null}
        </dl>
      </section>
      <p className="muted verify-note">
        These are Peerpath's records, checked just now. Compare them with the certificate you were shown: the name,
        course and certificate number should match.
      </p>
    </>
  );
}

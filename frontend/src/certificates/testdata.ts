// Sample API answers for the certificate pages' unit tests, shaped as docs/api.md describes them.
import type { Certificate, Verification } from '../api';

export function certificate(overrides: Partial<Certificate> = {}): Certificate {
  return {
    id: 'cert1',
    number: 'PP-7K3M-9QXD',
    status: 'valid',
    person_name: 'Sam Trainee',
    course: { slug: 'storytelling-with-purpose', title: 'Storytelling with purpose', version: 1 },
    organisation: 'Riverside Peer Network',
    cycle: 1,
    issued_at: '2026-11-20T09:00:00Z',
    expires_at: '2028-11-20T09:00:00Z',
    revoked_at: null,
    verify_url: 'http://127.0.0.1:8080/verify/abcdefghjkmnpqrs',
    pdf_url: '/api/v1/certificates/cert1.pdf',
    credential_url: '/api/v1/certificates/cert1/credential',
    ...overrides,
  };
}

export function verification(overrides: Partial<Verification> = {}): Verification {
  return {
    status: 'valid',
    name: 'Sam Trainee',
    course: 'Storytelling with purpose',
    course_version: 1,
    organisation: 'Riverside Peer Network',
    number: 'PP-7K3M-9QXD',
    issued_at: '2026-11-20T09:00:00Z',
    expires_at: '2028-11-20T09:00:00Z',
    revoked_at: null,
    ...overrides,
  };
}

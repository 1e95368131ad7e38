import type { Notification, Preference } from './api';

export function notification(overrides: Partial<Notification> = {}): Notification {
  return {
    id: 'n1',
    kind: 'assignment_due',
    title: 'Holding boundaries',
    body: 'Due tomorrow, Tuesday 24 November.',
    link: '/learn/boundaries',
    created_at: '2026-11-23T08:00:00Z',
    read_at: null,
    ...overrides,
  };
}

export function preferences(off: string[] = []): Preference[] {
  const kinds: [string, string, boolean][] = [
    ['assignment_due', 'Training coming due', true],
    ['assignment_overdue', 'Overdue training', true],
    ['required_certificate_expiring', 'Required certificates to renew', true],
    ['staff_overdue', "Your team's overdue training", true],
    ['roleplay_tomorrow', 'Role-play sessions tomorrow', false],
    ['certificate_expiring', 'Other certificates to renew', false],
  ];
  return kinds.map(([kind, label, mandatory]) => ({
    kind,
    label,
    description: `About ${label.toLowerCase()}.`,
    mandatory,
    enabled: mandatory || !off.includes(kind),
  }));
}

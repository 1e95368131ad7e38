import type { Role } from './api';

const ROLE_NAMES: Record<Role, string> = {
  trainee: 'Trainee',
  trainer: 'Trainer',
  manager: 'Team manager',
  org_admin: 'Organisation admin',
};

/** roleName says a role in plain words. */
export function roleName(role: string): string {
  return ROLE_NAMES[role as Role] ?? role.replace(/_/g, ' ');
}

/** roleList says several roles in plain words: "Trainee, trainer and team manager". */
export function roleList(roles: readonly string[]): string {
  const names = roles.map((r, i) => (i === 0 ? roleName(r) : roleName(r).toLowerCase()));
  if (names.length === 0) return 'No roles yet';
  if (names.length === 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

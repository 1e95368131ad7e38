// Reminders in the app: the bell's notifications, reminder settings and the one-click
// unsubscribe link from a daily digest (docs/api.md, "Reminders").
import { request } from '../api';

export type ReminderKind =
  | 'assignment_due'
  | 'assignment_overdue'
  | 'required_certificate_expiring'
  | 'training_expired'
  | 'training_expiring'
  | 'staff_overdue'
  | 'roleplay_tomorrow'
  | 'certificate_expiring';

export interface Notification {
  id: string;
  kind: ReminderKind | string;
  title: string;
  body: string;
  /** A path inside the app, like /learn/boundaries. */
  link: string;
  created_at: string;
  read_at: string | null;
}

export interface NotificationPage {
  items: Notification[];
  next_cursor: string;
  unread_count: number;
}

export interface Preference {
  kind: ReminderKind | string;
  label: string;
  description: string;
  /** Mandatory reminders are about required training: they are always on. */
  mandatory: boolean;
  enabled: boolean;
}

export interface Preferences {
  preferences: Preference[];
}

const seg = encodeURIComponent;

export const notificationsApi = {
  list: (limit: number, cursor?: string) =>
    request<NotificationPage>(
      'GET',
      `/me/notifications?limit=${limit}` + (cursor ? `&cursor=${seg(cursor)}` : ''),
    ),
  markRead: (ids: string[]) => request<{ unread_count: number }>('POST', '/me/notifications/read', { ids }),
  markAllRead: () => request<{ unread_count: number }>('POST', '/me/notifications/read', { all: true }),
  preferences: () => request<Preferences>('GET', '/me/notification-preferences'),
  savePreferences: (changes: Record<string, boolean>) =>
    request<Preferences>('PUT', '/me/notification-preferences', { preferences: changes }),
  unsubscribePreview: (token: string) => request<Preferences>('GET', `/unsubscribe/${seg(token)}`),
  unsubscribe: (token: string) => request<Preferences>('POST', `/unsubscribe/${seg(token)}`),
};

/** isInternal tells an app path from anything else, so links never leave the app. */
export function isInternal(link: string): boolean {
  return link.startsWith('/') && !link.startsWith('//');
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function parse(iso: string): Date | null {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** formatDate shows an RFC 3339 time as a date in the reader's locale. */
export function formatDate(iso: string): string {
  const d = parse(iso);
  return d ? dateFormat.format(d) : iso;
}

const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

/**
 * formatDay shows a calendar day the API sends as midnight UTC (such as the dates of external
 * training) as that same day wherever the reader is.
 */
export function formatDay(iso: string): string {
  const d = parse(iso);
  return d ? dayFormat.format(d) : iso;
}

/** formatDateTime shows an RFC 3339 time as a date and time in the reader's locale. */
export function formatDateTime(iso: string): string {
  const d = parse(iso);
  return d ? dateTimeFormat.format(d) : iso;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/** formatTime shows a moment as a time of day in the reader's locale: "14:02" or "2:02 pm". */
export function formatTime(d: Date): string {
  return timeFormat.format(d);
}

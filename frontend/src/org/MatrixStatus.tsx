import { formatDate, formatDay } from '../time';
import { MATRIX_STATUSES, type MatrixStatus, type StatusCounts } from './api-d3';

export const STATUS_LABELS: Record<MatrixStatus, string> = {
  not_started: 'Not started',
  in_progress: 'In progress',
  completed: 'Completed',
  due_soon: 'Due soon',
  overdue: 'Overdue',
  expired: 'Expired',
};

/** statusLabel says a status in words, whatever the server sends. */
export function statusLabel(status: string): string {
  return STATUS_LABELS[status as MatrixStatus] ?? status.replace(/_/g, ' ');
}

// Each status has its own shape as well as its own colour, so it reads the same in greyscale, in
// print and for people who don't see the difference between the colours.
function StatusIcon({ status }: { status: string }) {
  const common = { className: 'status-icon', viewBox: '0 0 16 16', 'aria-hidden': true, focusable: false } as const;
  switch (status) {
    case 'completed':
      return (
        <svg {...common}>
          <path d="M3 8.5l3 3 7-7" fill="none" stroke="currentColor" strokeWidth="2" />
        </svg>
      );
    case 'in_progress':
      return (
        <svg {...common}>
          <circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" strokeWidth="1.5" />
          <path d="M8 2a6 6 0 0 1 0 12z" fill="currentColor" />
        </svg>
      );
    case 'due_soon':
      return (
        <svg {...common}>
          <circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" strokeWidth="1.5" />
          <path d="M8 4.5V8l2.5 1.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
        </svg>
      );
    case 'overdue':
      return (
        <svg {...common}>
          <path d="M8 1.5l7 13H1z" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinejoin="round" />
          <path d="M8 6v4M8 11.5v1.5" stroke="currentColor" strokeWidth="1.75" />
        </svg>
      );
    case 'expired':
      return (
        <svg {...common}>
          <circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" strokeWidth="1.5" />
          <path d="M5.5 5.5l5 5M10.5 5.5l-5 5" stroke="currentColor" strokeWidth="1.5" />
        </svg>
      );
    default:
      return (
        <svg {...common}>
          <circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" strokeWidth="1.5" strokeDasharray="2.5 2" />
        </svg>
      );
  }
}

/** StatusBadge shows a training status as an icon and words, never by colour alone. */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`matrix-status matrix-status-${status.replace(/_/g, '-')}`}>
      <StatusIcon status={status} />
      {statusLabel(status)}
    </span>
  );
}

/**
 * DateCell shows an optional date, or a dash that a screen reader reads as "none". day says the
 * time is a calendar day sent as midnight UTC (external training's dates).
 */
export function DateCell({ at, day = false }: { at: string | null | undefined; day?: boolean }) {
  if (!at) {
    return (
      <>
        <span aria-hidden="true">–</span>
        <span className="visually-hidden">None</span>
      </>
    );
  }
  return <time dateTime={day ? at.slice(0, 10) : at}>{day ? formatDay(at) : formatDate(at)}</time>;
}

/**
 * StatusCells are the status, due, completed and expiry cells of a row of assigned training. day
 * is as for DateCell.
 */
export function StatusCells({
  row,
  day = false,
}: {
  row: { status: string; due_at: string | null; completed_at: string | null; expires_at: string | null };
  day?: boolean;
}) {
  return (
    <>
      <td data-label="Status">
        <StatusBadge status={row.status} />
      </td>
      <td data-label="Due">
        <DateCell at={row.due_at} day={day} />
      </td>
      <td data-label="Completed">
        <DateCell at={row.completed_at} day={day} />
      </td>
      <td data-label="Expires">
        <DateCell at={row.expires_at} day={day} />
      </td>
    </>
  );
}

/** CountsTable is a table of status counts, one row per thing counted (a course, a team). */
export function CountsTable({
  caption,
  heading,
  rows,
}: {
  caption: string;
  heading: string;
  rows: { key: string; name: string; total: number; counts: StatusCounts }[];
}) {
  return (
    <div className="table-scroll">
      <table className="table counts-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{heading}</th>
            <th scope="col">Assigned</th>
            {MATRIX_STATUSES.map((s) => (
              <th scope="col" key={s}>
                {STATUS_LABELS[s]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <th scope="row" data-label={heading}>
                {r.name}
              </th>
              <td data-label="Assigned">{r.total}</td>
              {MATRIX_STATUSES.map((s) => (
                <td key={s} data-label={STATUS_LABELS[s]}>
                  {r.counts[s] ?? 0}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

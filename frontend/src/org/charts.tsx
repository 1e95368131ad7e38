// Hand-drawn SVG charts for the completion page. Each chart is one image with a title and a
// description a screen reader reads out, and the same numbers as a table one click away.
import { useId } from 'react';
import type { Charts } from './api-d3';

const weekFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });

/** weekLabel shows a week's Monday ("2026-03-02") as a short date: "2 Mar". */
export function weekLabel(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? day : weekFormat.format(d);
}

/** niceMax rounds a maximum up so that each quarter of the axis is a round whole number: 0 → 4, 9 → 12, 101 → 120. */
export function niceMax(max: number): number {
  let q = Math.max(1, Math.ceil(max / 4));
  if (q > 10) {
    const half = 10 ** Math.floor(Math.log10(q)) / 2;
    q = Math.ceil(q / half) * half;
  }
  return q * 4;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** CompletionsChart is a column chart of completions in each of the last weeks. */
export function CompletionsChart({ weeks }: { weeks: Charts['completions_per_week'] }) {
  const id = useId();
  const total = weeks.reduce((n, w) => n + w.completions, 0);
  const busiest = weeks.reduce<(typeof weeks)[number] | null>(
    (b, w) => (b === null || w.completions > b.completions ? w : b),
    null,
  );
  const max = niceMax(Math.max(0, ...weeks.map((w) => w.completions)));
  const W = 640;
  const H = 280;
  const left = 48;
  const right = 12;
  const top = 16;
  const bottom = 64;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const slot = weeks.length ? plotW / weeks.length : plotW;
  const barW = Math.max(4, slot * 0.6);
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const ticks = [0, 1, 2, 3, 4].map((i) => (max / 4) * i);
  const first = weeks[0];
  const last = weeks[weeks.length - 1];
  const desc =
    weeks.length === 0 || !first || !last
      ? 'No weeks to show.'
      : `${plural(total, 'completion', 'completions')} in the ${weeks.length} weeks from ${weekLabel(first.week_start)} to the week of ${weekLabel(last.week_start)}.` +
        (busiest && busiest.completions > 0
          ? ` The busiest week began ${weekLabel(busiest.week_start)}, with ${busiest.completions}.`
          : '');

  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        className="chart-svg"
        preserveAspectRatio="xMidYMid meet"
      >
        <title id={`${id}-title`}>Completions per week</title>
        <desc id={`${id}-desc`}>{desc}</desc>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={left} x2={W - right} y1={y(t)} y2={y(t)} className="chart-grid" />
            <text x={left - 8} y={y(t) + 4} textAnchor="end" className="chart-tick">
              {t}
            </text>
          </g>
        ))}
        {weeks.map((w, i) => {
          const x = left + slot * i + (slot - barW) / 2;
          return (
            <g key={w.week_start}>
              <rect x={x} y={y(w.completions)} width={barW} height={top + plotH - y(w.completions)} className="chart-bar" />
              {w.completions > 0 ? (
                <text x={x + barW / 2} y={y(w.completions) - 4} textAnchor="middle" className="chart-value">
                  {w.completions}
                </text>
              ) : null}
              <text
                x={x + barW / 2}
                y={top + plotH + 14}
                textAnchor="end"
                transform={`rotate(-40 ${x + barW / 2} ${top + plotH + 14})`}
                className="chart-tick"
              >
                {weekLabel(w.week_start)}
              </text>
            </g>
          );
        })}
        <line x1={left} x2={W - right} y1={top + plotH} y2={top + plotH} className="chart-axis" />
        <line x1={left} x2={left} y1={top} y2={top + plotH} className="chart-axis" />
        <text x={left + plotW / 2} y={H - 4} textAnchor="middle" className="chart-label">
          Week starting (Monday)
        </text>
        <text
          x={12}
          y={top + plotH / 2}
          textAnchor="middle"
          transform={`rotate(-90 12 ${top + plotH / 2})`}
          className="chart-label"
        >
          Completions
        </text>
      </svg>
      <figcaption>
        <details className="chart-table">
          <summary>Show completions per week as a table</summary>
          <table className="table">
            <caption className="visually-hidden">Completions per week</caption>
            <thead>
              <tr>
                <th scope="col">Week starting</th>
                <th scope="col">Completions</th>
              </tr>
            </thead>
            <tbody>
              {weeks.map((w) => (
                <tr key={w.week_start}>
                  <th scope="row" data-label="Week starting">
                    <time dateTime={w.week_start}>{weekLabel(w.week_start)}</time>
                  </th>
                  <td data-label="Completions">{w.completions}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </figcaption>
    </figure>
  );
}

/** OverdueChart is a bar chart of overdue assignments in each team, with each team's total. */
export function OverdueChart({ teams }: { teams: Charts['overdue_by_team'] }) {
  const id = useId();
  const overdue = teams.reduce((n, t) => n + t.overdue, 0);
  const max = niceMax(Math.max(0, ...teams.map((t) => t.overdue)));
  const W = 640;
  const row = 32;
  const left = 180;
  const right = 110;
  const top = 12;
  const bottom = 48;
  const plotW = W - left - right;
  const plotH = Math.max(row, teams.length * row);
  const H = top + plotH + bottom;
  const x = (v: number) => left + (v / max) * plotW;
  const ticks = [0, 1, 2, 3, 4].map((i) => (max / 4) * i);
  const worst = teams.reduce<(typeof teams)[number] | null>((b, t) => (b === null || t.overdue > b.overdue ? t : b), null);
  const desc =
    teams.length === 0
      ? 'No teams have assigned training yet.'
      : overdue === 0
        ? `Nothing is overdue in any of the ${plural(teams.length, 'team', 'teams')}.`
        : `${plural(overdue, 'assignment is', 'assignments are')} overdue across ${plural(teams.length, 'team', 'teams')}.` +
          (worst ? ` ${worst.name} has the most: ${worst.overdue} of ${worst.total}.` : '');

  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        className="chart-svg"
        preserveAspectRatio="xMidYMid meet"
      >
        <title id={`${id}-title`}>Overdue training by team</title>
        <desc id={`${id}-desc`}>{desc}</desc>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={x(t)} x2={x(t)} y1={top} y2={top + plotH} className="chart-grid" />
            <text x={x(t)} y={top + plotH + 16} textAnchor="middle" className="chart-tick">
              {t}
            </text>
          </g>
        ))}
        {teams.map((t, i) => {
          const yy = top + i * row;
          const name = t.name.length > 24 ? `${t.name.slice(0, 23)}…` : t.name;
          return (
            <g key={t.id ?? `none-${i}`}>
              <text x={left - 8} y={yy + row / 2 + 5} textAnchor="end" className="chart-tick">
                {name}
              </text>
              <rect x={left} y={yy + 6} width={x(t.overdue) - left} height={row - 12} className="chart-bar chart-bar-overdue" />
              <text x={x(t.overdue) + 6} y={yy + row / 2 + 5} className="chart-value">
                {t.overdue} of {t.total}
              </text>
            </g>
          );
        })}
        <line x1={left} x2={left} y1={top} y2={top + plotH} className="chart-axis" />
        <line x1={left} x2={left + plotW} y1={top + plotH} y2={top + plotH} className="chart-axis" />
        <text x={left + plotW / 2} y={H - 6} textAnchor="middle" className="chart-label">
          Overdue assignments
        </text>
      </svg>
      <figcaption>
        <details className="chart-table">
          <summary>Show overdue training by team as a table</summary>
          <table className="table">
            <caption className="visually-hidden">Overdue training by team</caption>
            <thead>
              <tr>
                <th scope="col">Team</th>
                <th scope="col">Overdue</th>
                <th scope="col">Assigned</th>
              </tr>
            </thead>
            <tbody>
              {teams.map((t, i) => (
                <tr key={t.id ?? `none-${i}`}>
                  <th scope="row" data-label="Team">
                    {t.name}
                  </th>
                  <td data-label="Overdue">{t.overdue}</td>
                  <td data-label="Assigned">{t.total}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </figcaption>
    </figure>
  );
}

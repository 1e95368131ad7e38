import { useEffect, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useAuth } from '../auth/AuthContext';
import { SelectField } from '../components/Field';
import { LoadStatus, useLoad } from '../components/Load';
import { Loading, NoAccess } from '../components/Pages';
import { TableHead } from '../components/TableHead';
import { usePageTitle } from '../components/usePageTitle';
import {
  completionCSVHref,
  d3Api,
  MATRIX_STATUSES,
  type CourseOption,
  type Matrix as MatrixPage,
  type MatrixQuery,
  type TeamOption,
} from './api-d3';
import { trainingApi, type TrainingType } from './api';
import { CompletionsChart, OverdueChart } from './charts';
import { CountsTable, STATUS_LABELS, StatusCells } from './MatrixStatus';
import './Matrix.css';

const FILTER_KEYS = ['team', 'course', 'training_type', 'status', 'sort', 'order'] as const;

// The Training filter holds courses by slug and external training types as "type:<id>"; a slug
// never holds a colon.
const TYPE_PREFIX = 'type:';

function trainingValue(q: MatrixQuery): string {
  return q.training_type ? TYPE_PREFIX + q.training_type : (q.course ?? '');
}

function withTraining(q: MatrixQuery, value: string): MatrixQuery {
  return value.startsWith(TYPE_PREFIX)
    ? { ...q, course: undefined, training_type: value.slice(TYPE_PREFIX.length) }
    : { ...q, course: value || undefined, training_type: undefined };
}

function queryOf(params: URLSearchParams): MatrixQuery {
  const q: MatrixQuery = {};
  for (const k of [...FILTER_KEYS, 'cursor'] as const) {
    const v = params.get(k);
    if (v) q[k] = v;
  }
  return q;
}

/**
 * Matrix is the completion matrix: every assigned training of every person the caller may see,
 * with filters, sorting and paging kept in the address so a view can be bookmarked or shared.
 */
export function Matrix() {
  usePageTitle('Training completion');
  const { me } = useAuth();
  const allowed = !!me && (me.roles.includes('org_admin') || me.roles.includes('manager'));
  const [params, setParams] = useSearchParams();
  const query = queryOf(params);
  const key = params.toString();
  const { load: page, reload } = useLoad(() => d3Api.completion(queryOf(new URLSearchParams(key))), [key], allowed);
  const { load: charts } = useLoad(() => d3Api.charts(), [], allowed);
  const [teams, setTeams] = useState<TeamOption[]>([]);
  const [courses, setCourses] = useState<CourseOption[]>([]);
  const [trainingTypes, setTrainingTypes] = useState<TrainingType[]>([]);
  // The cursors of the pages before this one, so "Previous page" can go back without the server
  // having to page backwards.
  const [previous, setPrevious] = useState<string[]>([]);
  const [draft, setDraft] = useState<MatrixQuery>(query);

  // Back and forward move through the address: the form shows what the page shows.
  useEffect(() => {
    setDraft(queryOf(new URLSearchParams(key)));
  }, [key]);

  useEffect(() => {
    if (!allowed) return;
    // The filter lists are a convenience: without them the page still works from its address.
    d3Api
      .teams()
      .then((r) => setTeams(r.items))
      .catch(() => setTeams([]));
    d3Api
      .courses()
      .then(setCourses)
      .catch(() => setCourses([]));
    trainingApi
      .types()
      .then((r) => setTrainingTypes(r.items))
      .catch(() => setTrainingTypes([]));
  }, [allowed]);

  if (!allowed) return <NoAccess />;

  function go(next: MatrixQuery) {
    const p = new URLSearchParams();
    for (const k of [...FILTER_KEYS, 'cursor'] as const) {
      const v = next[k];
      if (v) p.set(k, v);
    }
    setParams(p);
  }

  function apply(e: FormEvent) {
    e.preventDefault();
    setPrevious([]);
    go({ ...draft, cursor: undefined });
  }

  function clear() {
    setPrevious([]);
    setDraft({});
    go({});
  }

  function nextPage(cursor: string) {
    setPrevious((p) => [...p, query.cursor ?? '']);
    go({ ...query, cursor });
  }

  function previousPage() {
    const prev = previous[previous.length - 1] ?? '';
    setPrevious((p) => p.slice(0, -1));
    go({ ...query, cursor: prev || undefined });
  }

  const filtered = FILTER_KEYS.some((k) => k !== 'sort' && k !== 'order' && query[k]);
  const courseOptions = [...courses];
  const typeOptions = trainingTypes.map((t) => ({ id: t.id, name: t.name }));
  if (page.state === 'ready') {
    for (const c of page.value.courses) {
      if (!courseOptions.some((o) => o.slug === c.course)) courseOptions.push({ slug: c.course, title: c.title });
    }
    for (const t of page.value.training_types) {
      if (!typeOptions.some((o) => o.id === t.id)) typeOptions.push({ id: t.id, name: t.name });
    }
  }
  const chosenTraining = trainingValue(draft);
  const knownTraining =
    !chosenTraining ||
    courseOptions.some((c) => c.slug === chosenTraining) ||
    typeOptions.some((t) => TYPE_PREFIX + t.id === chosenTraining);

  return (
    <>
      <h1>Training completion</h1>
      <p className="lead">
        {me?.roles.includes('org_admin')
          ? 'Where everyone in your organisation is with the training assigned to them.'
          : 'Where the people in your teams are with the training assigned to them.'}{' '}
        External training your organisation tracks, such as first aid, is listed for every trainee: due soon
        means it expires within 30 days.
      </p>

      <form className="form filters matrix-filters" onSubmit={apply} aria-label="Filter and sort">
        <div className="field">
          <label htmlFor="matrix-team">Team</label>
          <select id="matrix-team" value={draft.team ?? ''} onChange={(e) => setDraft({ ...draft, team: e.target.value })}>
            <option value="">All teams</option>
            {teams.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
            {draft.team && !teams.some((t) => t.id === draft.team) ? (
              <option value={draft.team}>The chosen team</option>
            ) : null}
          </select>
        </div>
        <div className="field">
          <label htmlFor="matrix-course">Training</label>
          <select
            id="matrix-course"
            value={chosenTraining}
            onChange={(e) => setDraft(withTraining(draft, e.target.value))}
          >
            <option value="">All training</option>
            {courseOptions.length > 0 ? (
              <optgroup label="Courses">
                {courseOptions.map((c) => (
                  <option key={c.slug} value={c.slug}>
                    {c.title}
                  </option>
                ))}
              </optgroup>
            ) : null}
            {typeOptions.length > 0 ? (
              <optgroup label="External training">
                {typeOptions.map((t) => (
                  <option key={t.id} value={TYPE_PREFIX + t.id}>
                    {t.name}
                  </option>
                ))}
              </optgroup>
            ) : null}
            {knownTraining ? null : (
              <option value={chosenTraining}>{draft.course ?? 'The chosen external training'}</option>
            )}
          </select>
        </div>
        <SelectField
          label="Status"
          value={draft.status ?? ''}
          onValueChange={(status) => setDraft({ ...draft, status })}
          options={[{ value: '', label: 'Any status' }, ...MATRIX_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] }))]}
        />
        <SelectField
          label="Sort by"
          value={draft.sort ?? ''}
          onValueChange={(sort) => setDraft({ ...draft, sort })}
          options={[
            { value: '', label: 'Name' },
            { value: 'status', label: 'Status (most urgent first)' },
            { value: 'due', label: 'Due date' },
          ]}
        />
        <SelectField
          label="Order"
          value={draft.order ?? ''}
          onValueChange={(order) => setDraft({ ...draft, order })}
          options={[
            { value: '', label: 'Ascending' },
            { value: 'desc', label: 'Descending' },
          ]}
        />
        <div className="actions">
          <button type="submit">Show</button>{' '}
          <button type="button" className="button-secondary" onClick={clear}>
            Clear filters
          </button>
        </div>
      </form>

      <p className="matrix-downloads">
        <a className="button-link button-secondary" href={completionCSVHref(query)} download>
          Download CSV <span className="visually-hidden">of {filtered ? 'the filtered' : 'all'} training</span>
        </a>
      </p>

      <section aria-labelledby="matrix-heading" className="section">
        <h2 id="matrix-heading">People and their training</h2>
        <LoadStatus load={page} label="Loading training completion…" onRetry={reload} />
        {page.state === 'ready' ? (
          <MatrixResults
            data={page.value}
            filtered={filtered}
            narrowed={!!(query.team || query.course || query.training_type)}
          />
        ) : null}
        {page.state === 'ready' && (page.value.next_cursor || query.cursor) ? (
          <nav aria-label="Pages" className="matrix-pager">
            {previous.length > 0 ? (
              <button type="button" className="button-secondary" onClick={previousPage}>
                Previous page
              </button>
            ) : query.cursor ? (
              <button type="button" className="button-secondary" onClick={() => go({ ...query, cursor: undefined })}>
                First page
              </button>
            ) : null}{' '}
            {page.value.next_cursor ? (
              <button type="button" className="button-secondary" onClick={() => nextPage(page.value.next_cursor)}>
                Next page
              </button>
            ) : null}
          </nav>
        ) : null}
      </section>

      {page.state === 'ready' && (page.value.courses.length > 0 || page.value.training_types.length > 0) ? (
        <section aria-labelledby="totals-heading" className="section">
          <h2 id="totals-heading">Totals</h2>
          <p className="hint">These count everything the team and training filters match, on every page.</p>
          {page.value.courses.length > 0 ? (
            <>
              <CountsTable
                caption="By training"
                heading="Training"
                rows={page.value.courses.map((c) => ({ key: c.course, name: c.title, total: c.total, counts: c.counts }))}
              />
              <ul className="link-list report-links">
                {page.value.courses.map((c) => (
                  <li key={c.course}>
                    <Link to={`/org/report/${encodeURIComponent(c.course)}`}>Audit report for {c.title}</Link>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {page.value.training_types.length > 0 ? (
            <CountsTable
              caption="By external training"
              heading="External training"
              rows={page.value.training_types.map((t) => ({ key: t.id, name: t.name, total: t.total, counts: t.counts }))}
            />
          ) : null}
          {page.value.teams.length > 0 ? (
            <CountsTable
              caption="By team"
              heading="Team"
              rows={page.value.teams.map((t, i) => ({
                key: t.id ?? `none-${i}`,
                name: t.name,
                total: t.total,
                counts: t.counts,
              }))}
            />
          ) : null}
        </section>
      ) : null}

      <section aria-labelledby="charts-heading" className="section">
        <h2 id="charts-heading">At a glance</h2>
        {charts.state === 'loading' ? <Loading label="Loading charts…" /> : null}
        {charts.state === 'error' ? (
          <p role="alert" className="notice notice-error">
            We couldn't load the charts. {charts.message}
          </p>
        ) : null}
        {charts.state === 'ready' ? (
          <div className="charts">
            <div>
              <h3>Completions over the last {charts.value.completions_per_week.length} weeks</h3>
              <CompletionsChart weeks={charts.value.completions_per_week} />
            </div>
            <div>
              <h3>Overdue by team</h3>
              {charts.value.overdue_by_team.length === 0 ? (
                <p className="empty">No team has assigned training yet.</p>
              ) : (
                <OverdueChart teams={charts.value.overdue_by_team} />
              )}
            </div>
          </div>
        ) : null}
      </section>
    </>
  );
}

function MatrixResults({ data, filtered, narrowed }: { data: MatrixPage; filtered: boolean; narrowed: boolean }) {
  if (data.items.length === 0) {
    return (
      <p className="empty">
        {filtered
          ? 'Nothing matches these filters. Try another status, team or training, or clear the filters.'
          : 'No training has been assigned yet. Once you assign a course to people or a team, their progress shows here.'}
      </p>
    );
  }
  return (
    <>
      <p className="status-line">
        {data.total === 1 ? '1 assigned training' : `${data.total.toLocaleString()} assigned trainings`}
        {narrowed ? ' for the team and training you chose' : ''}.
      </p>
      <div className="table-scroll">
        <table className="table matrix-table">
          <caption className="visually-hidden">Assigned training for each person</caption>
          <TableHead columns={['Person', 'Teams', 'Training', 'Status', 'Due', 'Completed', 'Expires']} />
          <tbody>
            {data.items.map((r) => (
              <tr key={`${r.person_id}/${r.kind}/${r.training_type_id ?? r.course}`}>
                <th scope="row" data-label="Person">
                  <Link to={`/org/people/${encodeURIComponent(r.person_id)}/record`}>{r.name}</Link>
                  <span className="matrix-email break">{r.email}</span>
                </th>
                <td data-label="Teams">{r.teams.length ? r.teams.join(', ') : <span className="muted">None</span>}</td>
                <td data-label="Training">
                  {r.course_title}
                  {r.kind === 'external' ? <span className="matrix-kind">External training</span> : null}
                </td>
                <StatusCells row={r} day={r.kind === 'external'} />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

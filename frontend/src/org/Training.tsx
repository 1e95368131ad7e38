import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, messageOf } from '../api';
import { useAuth } from '../auth/AuthContext';
import { FieldError, TextField } from '../components/Field';
import { LiveRegion } from '../components/LiveRegion';
import { Loading, NoAccess } from '../components/Pages';
import { usePageTitle } from '../components/usePageTitle';
import { formatDate } from '../time';
import { teamsApi, trainingApi, type OrgPerson, type TrainingRecord, type TrainingType } from './api';

const MAX_EVIDENCE = 5 * 1024 * 1024;
const EVIDENCE_HINT = 'A PDF, PNG or JPEG file of up to 5 MB: a certificate, a scan or a clear photo.';

function useFail() {
  const { signedOut } = useAuth();
  return useCallback(
    (err: unknown) => {
      if (err instanceof ApiError && err.status === 401) signedOut();
      return messageOf(err);
    },
    [signedOut],
  );
}

function validityText(t: TrainingType): string {
  if (!t.validity_months) return 'Does not expire';
  return t.validity_months === 1 ? 'Valid for 1 month' : `Valid for ${t.validity_months} months`;
}

/** dateOnly shows a YYYY-MM-DD date in the reader's locale without moving it across time zones. */
function dateOnly(d: string): string {
  return formatDate(`${d}T12:00:00`);
}

function fileSize(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

function today(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

type Records =
  | { state: 'loading' }
  | { state: 'ready'; items: TrainingRecord[]; next: string }
  | { state: 'error'; message: string };

/** Training is the organisation's external training: the types it tracks and everyone's records. */
export function Training() {
  usePageTitle('External training');
  const { me } = useAuth();
  const isAdmin = !!me?.roles.includes('org_admin');
  const allowed = isAdmin || !!me?.roles.includes('manager');
  const fail = useFail();
  const [types, setTypes] = useState<TrainingType[] | null>(null);
  const [typesError, setTypesError] = useState('');
  const [typeFilter, setTypeFilter] = useState('');
  const [records, setRecords] = useState<Records>({ state: 'loading' });
  const [moreBusy, setMoreBusy] = useState(false);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');

  const loadTypes = useCallback(() => {
    setTypesError('');
    trainingApi
      .types()
      .then((l) => setTypes(l.items))
      .catch((err: unknown) => setTypesError(fail(err)));
  }, [fail]);

  const loadRecords = useCallback(
    (type: string) => {
      setRecords({ state: 'loading' });
      trainingApi
        .records({ type: type || undefined })
        .then((l) => setRecords({ state: 'ready', items: l.items, next: l.next_cursor ?? '' }))
        .catch((err: unknown) => setRecords({ state: 'error', message: fail(err) }));
    },
    [fail],
  );

  useEffect(() => {
    if (allowed) loadTypes();
  }, [allowed, loadTypes]);
  useEffect(() => {
    if (allowed) loadRecords(typeFilter);
  }, [allowed, typeFilter, loadRecords]);

  if (!allowed) return <NoAccess />;

  async function loadMore() {
    if (records.state !== 'ready' || !records.next) return;
    setMoreBusy(true);
    try {
      const l = await trainingApi.records({ type: typeFilter || undefined, cursor: records.next });
      setRecords({ state: 'ready', items: [...records.items, ...l.items], next: l.next_cursor ?? '' });
    } catch (err) {
      setError(fail(err));
    } finally {
      setMoreBusy(false);
    }
  }

  async function deleteType(t: TrainingType) {
    setStatus('');
    setError('');
    if (!window.confirm(`Stop tracking ${t.name}? You can add it again later.`)) return;
    try {
      await trainingApi.deleteType(t.id);
      setTypes((ts) => ts?.filter((x) => x.id !== t.id) ?? null);
      setStatus(`${t.name} is no longer tracked.`);
    } catch (err) {
      setError(fail(err));
    }
  }

  async function deleteRecord(r: TrainingRecord) {
    setStatus('');
    setError('');
    if (!window.confirm(`Delete ${r.person.name}'s ${r.training_type.name} record and its evidence file? This can't be undone.`)) return;
    try {
      await trainingApi.deleteRecord(r.id);
      setRecords((l) => (l.state === 'ready' ? { ...l, items: l.items.filter((x) => x.id !== r.id) } : l));
      setTypes((ts) => ts?.map((t) => (t.id === r.training_type.id ? { ...t, record_count: t.record_count - 1 } : t)) ?? null);
      setStatus(`Deleted ${r.person.name}'s ${r.training_type.name} record.`);
    } catch (err) {
      setError(fail(err));
    }
  }

  return (
    <>
      <h1>External training</h1>
      <p className="lead">
        Mandatory training people do outside Peerpath, like first aid or ASIST. Keep the evidence here so it is ready
        when an auditor asks, and see when it runs out.
      </p>
      <LiveRegion role="status">{status}</LiveRegion>
      <LiveRegion role="alert">{error}</LiveRegion>
      <section aria-labelledby="types-heading" className="section">
        <h2 id="types-heading">Training you track</h2>
        {typesError ? (
          <div role="alert" className="notice notice-error">
            <p>{typesError}</p>
            <p>
              <button type="button" className="button-secondary" onClick={loadTypes}>
                Try again
              </button>
            </p>
          </div>
        ) : null}
        {types === null && !typesError ? <Loading label="Loading training types…" /> : null}
        {types !== null && types.length === 0 ? (
          <p className="empty">{isAdmin ? 'Nothing yet. Add the first kind of training below.' : 'Your organisation does not track any external training yet.'}</p>
        ) : null}
        {types !== null && types.length > 0 ? (
          <table className="table">
            <caption className="visually-hidden">Kinds of external training, by name</caption>
            <thead>
              <tr>
                <th scope="col">Training</th>
                <th scope="col">Validity</th>
                <th scope="col">Records</th>
                {isAdmin ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {types.map((t) => (
                <tr key={t.id}>
                  <th scope="row" data-label="Training">
                    {t.name}
                  </th>
                  <td data-label="Validity">{validityText(t)}</td>
                  <td data-label="Records">{t.record_count}</td>
                  {isAdmin ? (
                    <td data-label="Actions">
                      {t.record_count === 0 ? (
                        <button type="button" className="button-secondary" onClick={() => void deleteType(t)}>
                          Stop tracking<span className="visually-hidden"> {t.name}</span>
                        </button>
                      ) : (
                        <span className="hint">Has records, so it is kept</span>
                      )}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
      {isAdmin ? <NewTypeForm fail={fail} onCreated={(t) => { setTypes((ts) => [...(ts ?? []), t].sort((a, b) => a.name.localeCompare(b.name))); setStatus(`${t.name} is now tracked.`); }} /> : null}
      {isAdmin && types !== null && types.length > 0 ? (
        <RecordForm
          types={types}
          pickPerson
          fail={fail}
          onCreated={(r) => {
            setRecords((l) => (l.state === 'ready' ? { ...l, items: [r, ...l.items] } : l));
            setTypes((ts) => ts?.map((t) => (t.id === r.training_type.id ? { ...t, record_count: t.record_count + 1 } : t)) ?? null);
            setStatus(`Recorded ${r.training_type.name} for ${r.person.name}.`);
          }}
        />
      ) : null}
      <section aria-labelledby="records-heading" className="section">
        <h2 id="records-heading">Records</h2>
        {!isAdmin ? <p>The records of the people in the teams you manage.</p> : null}
        {types !== null && types.length > 0 ? (
          <div className="form filters">
            <div className="field">
              <label htmlFor="records-type">Show records for</label>
              <select id="records-type" value={typeFilter} onChange={(e) => setTypeFilter(e.target.value)}>
                <option value="">All training</option>
                {types.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </select>
            </div>
          </div>
        ) : null}
        {records.state === 'loading' ? <Loading label="Loading records…" /> : null}
        {records.state === 'error' ? (
          <div role="alert" className="notice notice-error">
            <p>{records.message}</p>
            <p>
              <button type="button" className="button-secondary" onClick={() => loadRecords(typeFilter)}>
                Try again
              </button>
            </p>
          </div>
        ) : null}
        {records.state === 'ready' && records.items.length === 0 ? <p className="empty">No training has been recorded yet.</p> : null}
        {records.state === 'ready' && records.items.length > 0 ? (
          <>
            <RecordTable records={records.items} showPerson onDelete={isAdmin ? (r) => void deleteRecord(r) : undefined} />
            {records.next ? (
              <p>
                <button type="button" className="button-secondary" onClick={() => void loadMore()} disabled={moreBusy}>
                  {moreBusy ? 'Loading…' : 'Show more records'}
                </button>
              </p>
            ) : null}
          </>
        ) : null}
      </section>
    </>
  );
}

function RecordTable({
  records,
  showPerson,
  own,
  onDelete,
}: {
  records: TrainingRecord[];
  showPerson?: boolean;
  own?: boolean;
  onDelete?: ((r: TrainingRecord) => void) | undefined;
}) {
  return (
    <table className="table">
      <caption className="visually-hidden">Training records, newest first</caption>
      <thead>
        <tr>
          {showPerson ? <th scope="col">Person</th> : null}
          <th scope="col">Training</th>
          <th scope="col">Completed</th>
          <th scope="col">Expires</th>
          <th scope="col">Evidence</th>
          {onDelete ? <th scope="col">Actions</th> : null}
        </tr>
      </thead>
      <tbody>
        {records.map((r) => {
          const who = showPerson ? (
            <th scope="row" data-label="Person">
              {r.person.name}
            </th>
          ) : null;
          return (
            <tr key={r.id}>
              {who}
              {showPerson ? (
                <td data-label="Training">{r.training_type.name}</td>
              ) : (
                <th scope="row" data-label="Training">
                  {r.training_type.name}
                </th>
              )}
              <td data-label="Completed">{dateOnly(r.completed_on)}</td>
              <td data-label="Expires">
                {r.expires_on ? (r.expired ? `Expired on ${dateOnly(r.expires_on)}` : dateOnly(r.expires_on)) : 'Does not expire'}
              </td>
              <td data-label="Evidence" className="break">
                {r.evidence_type ? (
                  <a href={trainingApi.evidenceUrl(r.id, own)} download>
                    Download {r.evidence_name}
                    <span className="visually-hidden"> ({r.training_type.name}{showPerson ? `, ${r.person.name}` : ''})</span>
                  </a>
                ) : (
                  'None'
                )}
                {r.evidence_type ? <span className="hint"> {fileSize(r.evidence_size)}</span> : null}
              </td>
              {onDelete ? (
                <td data-label="Actions">
                  <button type="button" className="button-secondary" onClick={() => onDelete(r)}>
                    Delete<span className="visually-hidden"> {r.person.name}'s {r.training_type.name} record</span>
                  </button>
                </td>
              ) : null}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function NewTypeForm({ fail, onCreated }: { fail: (err: unknown) => string; onCreated: (t: TrainingType) => void }) {
  const [name, setName] = useState('');
  const [months, setMonths] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError('');
    const f: Record<string, string> = {};
    if (!name.trim()) f.name = 'Enter the name of the training, like First aid.';
    if (months.trim() && !/^\d+$/.test(months.trim())) f.validity_months = 'Enter a whole number of months, or leave it empty.';
    setFields(f);
    if (Object.keys(f).length) return;
    setBusy(true);
    try {
      const t = await trainingApi.createType(name.trim(), months.trim() ? Number(months.trim()) : null);
      setName('');
      setMonths('');
      onCreated(t);
    } catch (err) {
      if (err instanceof ApiError && Object.keys(err.fields).length) setFields(err.fields);
      else setError(fail(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="new-type-heading" className="section panel">
      <h2 id="new-type-heading">Track a kind of training</h2>
      <LiveRegion role="alert">{error}</LiveRegion>
      <form className="form" onSubmit={submit} noValidate>
        <TextField label="Name" name="name" maxLength={200} value={name} onValueChange={setName} error={fields.name} />
        <TextField
          label="Valid for (months, optional)"
          name="validity_months"
          inputMode="numeric"
          value={months}
          onValueChange={setMonths}
          error={fields.validity_months}
          hint="How long a completion counts, from 1 to 120 months. Leave empty if it never expires."
        />
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Start tracking'}
          </button>
        </div>
      </form>
    </section>
  );
}

/** RecordForm records a completion with its evidence: for a chosen person, or for oneself. */
function RecordForm({
  types,
  pickPerson,
  fail,
  onCreated,
}: {
  types: TrainingType[];
  pickPerson?: boolean;
  fail: (err: unknown) => string;
  onCreated: (r: TrainingRecord) => void;
}) {
  const [people, setPeople] = useState<OrgPerson[] | null>(null);
  const [q, setQ] = useState('');
  const [personId, setPersonId] = useState('');
  const [typeId, setTypeId] = useState('');
  const [completed, setCompleted] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function findPeople() {
    setError('');
    try {
      const l = await teamsApi.searchPeople(q.trim());
      setPeople(l.items);
      setPersonId(l.items[0]?.id ?? '');
    } catch (err) {
      setError(fail(err));
    }
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError('');
    const f: Record<string, string> = {};
    if (pickPerson && !personId) f.person_id = 'Find and choose a person.';
    if (!typeId) f.training_type_id = 'Choose the training.';
    if (!completed) f.completed_on = 'Enter the date the training was completed.';
    else if (completed > today()) f.completed_on = "The completion date can't be in the future.";
    if (!file) f.evidence = 'Attach the certificate or evidence.';
    else if (file.size > MAX_EVIDENCE) f.evidence = 'The file is larger than 5 MB. Try a smaller scan or photo.';
    setFields(f);
    if (Object.keys(f).length) return;
    setBusy(true);
    try {
      const input = { training_type_id: typeId, completed_on: completed, evidence: file, ...(pickPerson ? { person_id: personId } : {}) };
      const r = pickPerson ? await trainingApi.createRecord(input) : await trainingApi.createMyRecord(input);
      setCompleted('');
      setFile(null);
      if (fileRef.current) fileRef.current.value = '';
      onCreated(r);
    } catch (err) {
      if (err instanceof ApiError && Object.keys(err.fields).length) setFields(err.fields);
      else setError(fail(err));
    } finally {
      setBusy(false);
    }
  }

  const fileError = fields.evidence;
  return (
    <section aria-labelledby="record-heading" className="section panel">
      <h2 id="record-heading">{pickPerson ? 'Record training for someone' : 'Record training you have done'}</h2>
      <LiveRegion role="alert">{error}</LiveRegion>
      <form className="form" onSubmit={submit} noValidate>
        {pickPerson ? (
          <>
            <div className="filters">
              <TextField
                label="Find a person by name or email"
                name="person-search"
                value={q}
                onValueChange={setQ}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') {
                    e.preventDefault();
                    void findPeople();
                  }
                }}
              />
              <div className="actions">
                <button type="button" className="button-secondary" onClick={() => void findPeople()}>
                  Find
                </button>
              </div>
            </div>
            <Select
              id="record-person"
              label="Person"
              value={personId}
              onChange={setPersonId}
              error={fields.person_id}
              options={[
                { value: '', label: people === null ? 'Search first' : people.length ? 'Choose a person' : 'Nobody matches' },
                ...(people ?? []).map((p) => ({ value: p.id, label: `${p.name} (${p.email})` })),
              ]}
            />
          </>
        ) : null}
        <Select
          id="record-type"
          label="Training"
          value={typeId}
          onChange={setTypeId}
          error={fields.training_type_id}
          options={[{ value: '', label: 'Choose the training' }, ...types.map((t) => ({ value: t.id, label: t.name }))]}
        />
        <div className={fields.completed_on ? 'field field-invalid' : 'field'}>
          <label htmlFor="record-completed">Date completed</label>
          {fields.completed_on ? (
            <FieldError id="record-completed-error" error={fields.completed_on} />
          ) : null}
          <input
            type="date"
            id="record-completed"
            max={today()}
            value={completed}
            onChange={(e) => setCompleted(e.target.value)}
            aria-invalid={fields.completed_on ? true : undefined}
            aria-describedby={fields.completed_on ? 'record-completed-error' : undefined}
          />
        </div>
        <div className={fileError ? 'field field-invalid' : 'field'}>
          <label htmlFor="record-evidence">Evidence file</label>
          <p className="hint" id="record-evidence-hint">
            {EVIDENCE_HINT}
          </p>
          {fileError ? (
            <FieldError id="record-evidence-error" error={fileError} />
          ) : null}
          <input
            ref={fileRef}
            type="file"
            id="record-evidence"
            accept="application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"
            aria-invalid={fileError ? true : undefined}
            aria-describedby={fileError ? 'record-evidence-hint record-evidence-error' : 'record-evidence-hint'}
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          />
        </div>
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Uploading…' : 'Save record'}
          </button>
        </div>
      </form>
    </section>
  );
}

function Select({
  id,
  label,
  value,
  onChange,
  options,
  error,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: { value: string; label: string }[];
  error?: string | undefined;
}) {
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {error ? (
        <FieldError id={`${id}-error`} error={error} />
      ) : null}
      <select
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** MyTraining lets anyone in an organisation keep their own external training and its evidence. */
export function MyTraining() {
  usePageTitle('My external training');
  const { me } = useAuth();
  const fail = useFail();
  const [types, setTypes] = useState<TrainingType[] | null>(null);
  const [records, setRecords] = useState<Records>({ state: 'loading' });
  const [status, setStatus] = useState('');

  const load = useCallback(() => {
    setRecords({ state: 'loading' });
    Promise.all([trainingApi.myTypes(), trainingApi.myRecords()])
      .then(([t, r]) => {
        setTypes(t.items);
        setRecords({ state: 'ready', items: r.items, next: r.next_cursor ?? '' });
      })
      .catch((err: unknown) => setRecords({ state: 'error', message: fail(err) }));
  }, [fail]);

  useEffect(() => {
    if (me?.organisation) load();
  }, [me, load]);

  if (!me?.organisation) return <NoAccess />;

  return (
    <>
      <h1>My external training</h1>
      <p className="lead">
        Training you have done outside Peerpath that your organisation asks for, like first aid. Add the certificate
        here and your organisation can see it is done.
      </p>
      <LiveRegion role="status">{status}</LiveRegion>
      {records.state === 'loading' ? <Loading label="Loading your training…" /> : null}
      {records.state === 'error' ? (
        <div role="alert" className="notice notice-error">
          <p>{records.message}</p>
          <p>
            <button type="button" className="button-secondary" onClick={load}>
              Try again
            </button>
          </p>
        </div>
      ) : null}
      {records.state === 'ready' ? (
        <section aria-labelledby="my-records-heading" className="section">
          <h2 id="my-records-heading">What you have recorded</h2>
          {records.items.length === 0 ? (
            <p className="empty">Nothing yet.</p>
          ) : (
            <RecordTable records={records.items} own />
          )}
        </section>
      ) : null}
      {types !== null && types.length === 0 ? (
        <p className="empty">Your organisation does not track any external training yet, so there is nothing to add.</p>
      ) : null}
      {types !== null && types.length > 0 ? (
        <RecordForm
          types={types}
          fail={fail}
          onCreated={(r) => {
            setRecords((l) => (l.state === 'ready' ? { ...l, items: [r, ...l.items] } : l));
            setStatus(`Saved your ${r.training_type.name} record. Thank you.`);
          }}
        />
      ) : null}
    </>
  );
}

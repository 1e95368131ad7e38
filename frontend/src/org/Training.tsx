import { useRef, useState, type FormEvent } from 'react';
import { useAuth } from '../auth/AuthContext';
import { FieldFrame, SelectField, TextField } from '../components/Field';
import { LiveRegion } from '../components/LiveRegion';
import { LoadStatus, MoreButton, useFail, useLoad, usePages } from '../components/Load';
import { NoAccess } from '../components/Pages';
import { TableHead } from '../components/TableHead';
import { usePageTitle } from '../components/usePageTitle';
import { useSubmit } from '../components/useSubmit';
import { formatDate } from '../time';
import { teamsApi, trainingApi, type OrgPerson, type TrainingRecord, type TrainingType } from './api';
import { useChange } from './change';
import { PersonSearch } from './PersonSearch';

const MAX_EVIDENCE = 5 * 1024 * 1024;
const EVIDENCE_HINT = 'A PDF, PNG or JPEG file of up to 5 MB: a certificate, a scan or a clear photo.';

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

/** Training is the organisation's external training: the types it tracks and everyone's records. */
export function Training() {
  usePageTitle('External training');
  const { me } = useAuth();
  const isAdmin = !!me?.roles.includes('org_admin');
  const allowed = isAdmin || !!me?.roles.includes('manager');
  const fail = useFail();
  const {
    load: typesLoad,
    reload: reloadTypes,
    update: updateTypes,
  } = useLoad(() => trainingApi.types().then((l) => l.items), [], allowed);
  const types = typesLoad.state === 'ready' ? typesLoad.value : null;
  const [typeFilter, setTypeFilter] = useState('');
  const {
    load: records,
    reload: reloadRecords,
    update: updateRecords,
    more,
  } = usePages((cursor) => trainingApi.records({ type: typeFilter || undefined, cursor }), [typeFilter], allowed);
  const { status, setStatus, error, setError, change } = useChange();

  if (!allowed) return <NoAccess />;

  function deleteType(t: TrainingType) {
    return change(`Stop tracking ${t.name}? You can add it again later.`, async () => {
      await trainingApi.deleteType(t.id);
      updateTypes((ts) => ts.filter((x) => x.id !== t.id));
      return `${t.name} is no longer tracked.`;
    });
  }

  function deleteRecord(r: TrainingRecord) {
    return change(`Delete ${r.person.name}'s ${r.training_type.name} record and its evidence file? This can't be undone.`, async () => {
      await trainingApi.deleteRecord(r.id);
      updateRecords((l) => ({ ...l, items: l.items.filter((x) => x.id !== r.id) }));
      updateTypes((ts) => ts.map((t) => (t.id === r.training_type.id ? { ...t, record_count: t.record_count - 1 } : t)));
      return `Deleted ${r.person.name}'s ${r.training_type.name} record.`;
    });
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
        <LoadStatus load={typesLoad} label="Loading training types…" onRetry={reloadTypes} />
        {types !== null && types.length === 0 ? (
          <p className="empty">{isAdmin ? 'Nothing yet. Add the first kind of training below.' : 'Your organisation does not track any external training yet.'}</p>
        ) : null}
        {types !== null && types.length > 0 ? (
          <table className="table">
            <caption className="visually-hidden">Kinds of external training, by name</caption>
            <TableHead columns={['Training', 'Validity', 'Records', isAdmin && 'Actions']} />
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
      {isAdmin ? <NewTypeForm onCreated={(t) => { updateTypes((ts) => [...ts, t].sort((a, b) => a.name.localeCompare(b.name))); setStatus(`${t.name} is now tracked.`); }} /> : null}
      {isAdmin && types !== null && types.length > 0 ? (
        <RecordForm
          types={types}
          pickPerson
          fail={fail}
          onCreated={(r) => {
            updateRecords((l) => ({ ...l, items: [r, ...l.items] }));
            updateTypes((ts) => ts.map((t) => (t.id === r.training_type.id ? { ...t, record_count: t.record_count + 1 } : t)));
            setStatus(`Recorded ${r.training_type.name} for ${r.person.name}.`);
          }}
        />
      ) : null}
      <section aria-labelledby="records-heading" className="section">
        <h2 id="records-heading">Records</h2>
        {!isAdmin ? <p>The records of the people in the teams you manage.</p> : null}
        {types !== null && types.length > 0 ? (
          <div className="form filters">
            <SelectField
              label="Show records for"
              value={typeFilter}
              onValueChange={setTypeFilter}
              options={[{ value: '', label: 'All training' }, ...types.map((t) => ({ value: t.id, label: t.name }))]}
            />
          </div>
        ) : null}
        <LoadStatus load={records} label="Loading records…" onRetry={reloadRecords} />
        {records.state === 'ready' && records.value.items.length === 0 ? <p className="empty">No training has been recorded yet.</p> : null}
        {records.state === 'ready' && records.value.items.length > 0 ? (
          <>
            <RecordTable records={records.value.items} showPerson onDelete={isAdmin ? (r) => void deleteRecord(r) : undefined} />
            {records.value.next_cursor ? (
              <MoreButton onMore={more} onError={(err) => setError(fail(err))}>
                Show more records
              </MoreButton>
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
      <TableHead columns={[showPerson && 'Person', 'Training', 'Completed', 'Expires', 'Evidence', onDelete && 'Actions']} />
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

function NewTypeForm({ onCreated }: { onCreated: (t: TrainingType) => void }) {
  const [name, setName] = useState('');
  const [months, setMonths] = useState('');
  const { busy, fields, setFields, error, setError, send } = useSubmit(['name', 'validity_months']);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError('');
    const f: Record<string, string> = {};
    if (!name.trim()) f.name = 'Enter the name of the training, like First aid.';
    if (months.trim() && !/^\d+$/.test(months.trim())) f.validity_months = 'Enter a whole number of months, or leave it empty.';
    setFields(f);
    if (Object.keys(f).length) return;
    await send(async () => {
      const t = await trainingApi.createType(name.trim(), months.trim() ? Number(months.trim()) : null);
      setName('');
      setMonths('');
      onCreated(t);
    });
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
  const { busy, fields, setFields, error, setError, send } = useSubmit(['person_id', 'training_type_id', 'completed_on', 'evidence']);

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
    await send(async () => {
      const input = { training_type_id: typeId, completed_on: completed, evidence: file, ...(pickPerson ? { person_id: personId } : {}) };
      const r = pickPerson ? await trainingApi.createRecord(input) : await trainingApi.createMyRecord(input);
      setCompleted('');
      setFile(null);
      if (fileRef.current) fileRef.current.value = '';
      onCreated(r);
    });
  }

  return (
    <section aria-labelledby="record-heading" className="section panel">
      <h2 id="record-heading">{pickPerson ? 'Record training for someone' : 'Record training you have done'}</h2>
      <LiveRegion role="alert">{error}</LiveRegion>
      <form className="form" onSubmit={submit} noValidate>
        {pickPerson ? (
          <>
            <PersonSearch label="Find a person by name or email" query={q} onQueryChange={setQ} onSearch={() => void findPeople()} />
            <SelectField
              label="Person"
              value={personId}
              onValueChange={setPersonId}
              error={fields.person_id}
              options={[
                { value: '', label: people === null ? 'Search first' : people.length ? 'Choose a person' : 'Nobody matches' },
                ...(people ?? []).map((p) => ({ value: p.id, label: `${p.name} (${p.email})` })),
              ]}
            />
          </>
        ) : null}
        <SelectField
          label="Training"
          value={typeId}
          onValueChange={setTypeId}
          error={fields.training_type_id}
          options={[{ value: '', label: 'Choose the training' }, ...types.map((t) => ({ value: t.id, label: t.name }))]}
        />
        <TextField type="date" label="Date completed" max={today()} value={completed} onValueChange={setCompleted} error={fields.completed_on} />
        <FieldFrame label="Evidence file" hint={EVIDENCE_HINT} error={fields.evidence}>
          {(attrs) => (
            <input
              {...attrs}
              ref={fileRef}
              type="file"
              accept="application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            />
          )}
        </FieldFrame>
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Uploading…' : 'Save record'}
          </button>
        </div>
      </form>
    </section>
  );
}

/** MyTraining lets anyone in an organisation keep their own external training and its evidence. */
export function MyTraining() {
  usePageTitle('My external training');
  const { me } = useAuth();
  const fail = useFail();
  const { load, reload, update } = useLoad(
    () => Promise.all([trainingApi.myTypes(), trainingApi.myRecords()]).then(([t, r]) => ({ types: t.items, records: r.items })),
    [],
    !!me?.organisation,
  );
  const types = load.state === 'ready' ? load.value.types : null;
  const [status, setStatus] = useState('');

  if (!me?.organisation) return <NoAccess />;

  return (
    <>
      <h1>My external training</h1>
      <p className="lead">
        Training you have done outside Peerpath that your organisation asks for, like first aid. Add the certificate
        here and your organisation can see it is done.
      </p>
      <LiveRegion role="status">{status}</LiveRegion>
      <LoadStatus load={load} label="Loading your training…" onRetry={reload} />
      {load.state === 'ready' ? (
        <section aria-labelledby="my-records-heading" className="section">
          <h2 id="my-records-heading">What you have recorded</h2>
          {load.value.records.length === 0 ? (
            <p className="empty">Nothing yet.</p>
          ) : (
            <RecordTable records={load.value.records} own />
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
            update((v) => ({ ...v, records: [r, ...v.records] }));
            setStatus(`Saved your ${r.training_type.name} record. Thank you.`);
          }}
        />
      ) : null}
    </>
  );
}

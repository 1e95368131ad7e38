import { useId, useState, type FormEvent } from 'react';
import { FieldError, FieldFrame } from '../components/Field';
import { LiveRegion } from '../components/LiveRegion';
import { LoadStatus, useLoad } from '../components/Load';
import { usePageTitle } from '../components/usePageTitle';
import { useSubmit } from '../components/useSubmit';
import { settingsApi, type CertificatePeriod } from './api';
import './Settings.css';

/**
 * zoneChoices lists the time zones this browser knows, with UTC and the current zone always
 * among them, grouped by region ("America", "Pacific"…) for a select. The server checks the name
 * against its own list.
 */
export function zoneChoices(current: string): { region: string; zones: string[] }[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const all = [...new Set([...known, 'UTC', current].filter(Boolean))].sort();
  const groups = new Map<string, string[]>();
  for (const z of all) {
    const slash = z.indexOf('/');
    const region = slash > 0 ? z.slice(0, slash) : 'Other';
    groups.set(region, [...(groups.get(region) ?? []), z]);
  }
  return [...groups].map(([region, zones]) => ({ region, zones }));
}

function zoneLabel(zone: string): string {
  return zone.replace(/_/g, ' ');
}

function months(n: number): string {
  return n === 1 ? '1 month' : `${n} months`;
}

/** periodText says how long certificates last: "24 months", "never expire". */
export function periodText(n: number): string {
  return n === 0 ? 'never expire' : `last ${months(n)}`;
}

/**
 * Settings is where an org admin sets the organisation's time zone (daily reminders follow it)
 * and how long its certificates for each course last.
 */
export function Settings() {
  usePageTitle('Organisation settings');
  const { load, reload, set } = useLoad(() => settingsApi.get(), []);

  return (
    <>
      <h1>Organisation settings</h1>
      <p className="lead">Choices that apply to everyone in your organisation.</p>
      <LoadStatus load={load} label="Loading your organisation's settings…" onRetry={reload} />
      {load.state === 'ready' ? (
        <>
          <TimeZoneForm current={load.value.time_zone} onSaved={(time_zone) => set({ ...load.value, time_zone })} />
          <section aria-labelledby="periods-heading" className="section">
            <h2 id="periods-heading">Certificate periods</h2>
            <p className="hint">
              How long a certificate for each course stays current before people need to take the course again. A
              change applies to certificates issued from now on; certificates already issued keep their dates.
            </p>
            {load.value.courses.length === 0 ? (
              <p className="empty">Your organisation has no courses yet.</p>
            ) : (
              load.value.courses.map((c) => (
                <PeriodForm
                  key={c.course}
                  course={c}
                  onSaved={(validity_months) =>
                    set({
                      ...load.value,
                      courses: load.value.courses.map((o) => (o.course === c.course ? { ...o, validity_months } : o)),
                    })
                  }
                />
              ))
            )}
          </section>
        </>
      ) : null}
    </>
  );
}

function TimeZoneForm({ current, onSaved }: { current: string; onSaved: (zone: string) => void }) {
  const [zone, setZone] = useState(current);
  const { busy, fields, setFields, error, setError, send } = useSubmit(['time_zone']);
  const [saved, setSaved] = useState('');

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved('');
    setError('');
    setFields({});
    await send(async () => {
      const r = await settingsApi.setTimeZone(zone);
      onSaved(r.time_zone);
      setSaved(`Saved. Daily reminders now go out at 08:00 ${zoneLabel(r.time_zone)} time.`);
    });
  }

  return (
    <form className="form panel" onSubmit={submit} noValidate aria-labelledby="tz-heading">
      <h2 id="tz-heading">Time zone for reminders</h2>
      <p>
        Your organisation's time zone is <strong>{zoneLabel(current)}</strong>.
      </p>
      <FieldFrame
        label="Time zone"
        hint="Daily reminder emails go out at 08:00 in this time zone, and the days they mention are its days."
        error={fields.time_zone}
      >
        {(attrs) => (
          <select {...attrs} className="settings-select" value={zone} onChange={(e) => setZone(e.target.value)}>
            {zoneChoices(current).map((g) => (
              <optgroup key={g.region} label={g.region}>
                {g.zones.map((z) => (
                  <option key={z} value={z}>
                    {zoneLabel(z)}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        )}
      </FieldFrame>
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save time zone'}
        </button>
      </div>
      <LiveRegion role="status" quiet>
        {saved}
      </LiveRegion>
      <LiveRegion role="alert">{error}</LiveRegion>
    </form>
  );
}

type Choice = 'default' | 'never' | 'months';

function choiceOf(n: number | null): Choice {
  if (n === null) return 'default';
  return n === 0 ? 'never' : 'months';
}

function PeriodForm({ course, onSaved }: { course: CertificatePeriod; onSaved: (n: number | null) => void }) {
  const id = useId();
  const [choice, setChoice] = useState<Choice>(choiceOf(course.validity_months));
  const [count, setCount] = useState(course.validity_months ? String(course.validity_months) : '');
  const { busy, fields, setFields, error, setError, send } = useSubmit(['validity_months']);
  const [saved, setSaved] = useState('');
  const own = course.default_validity_months;
  const now = course.validity_months ?? own;
  const fieldError = fields.validity_months;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved('');
    setError('');
    setFields({});
    let value: number | null = null;
    if (choice === 'never') value = 0;
    if (choice === 'months') {
      const n = Number(count.trim());
      if (!/^\d+$/.test(count.trim()) || n < 1 || n > 120) {
        setFields({ validity_months: 'Enter a whole number of months from 1 to 120.' });
        return;
      }
      value = n;
    }
    await send(async () => {
      const r = await settingsApi.setCertificatePeriod(course.course, value);
      onSaved(r.validity_months);
      setSaved(`Saved. New certificates for ${course.title} ${periodText(r.validity_months ?? own)}.`);
    });
  }

  return (
    <form className="form panel settings-period" onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{course.title}</h3>
      <p>
        Certificates {periodText(now)}
        {course.validity_months === null ? ", the course's own period" : ', as your organisation chose'}.
      </p>
      <fieldset
        className={fieldError && choice !== 'months' ? 'field field-invalid' : 'field'}
        aria-describedby={fieldError && choice !== 'months' ? `${id}-error` : undefined}
      >
        <legend>How long certificates last</legend>
        {choice !== 'months' ? <FieldError id={`${id}-error`} error={fieldError} /> : null}
        {(
          [
            ['default', `Use the course default (${own === 0 ? 'never expire' : months(own)})`],
            ['never', 'Never expire'],
            ['months', 'Expire after a number of months'],
          ] as const
        ).map(([value, label]) => (
          <div className="checkbox" key={value}>
            <input
              type="radio"
              id={`${id}-${value}`}
              name={`${id}-period`}
              checked={choice === value}
              onChange={() => setChoice(value)}
            />
            <label htmlFor={`${id}-${value}`}>{label}</label>
          </div>
        ))}
      </fieldset>
      {choice === 'months' ? (
        <FieldFrame label="Number of months" hint="From 1 to 120." error={fieldError}>
          {(attrs) => (
            <input
              {...attrs}
              type="text"
              inputMode="numeric"
              className="settings-months"
              value={count}
              onChange={(e) => setCount(e.target.value)}
            />
          )}
        </FieldFrame>
      ) : null}
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save'} <span className="visually-hidden">the certificate period for {course.title}</span>
        </button>
      </div>
      <LiveRegion role="status" quiet>
        {saved}
      </LiveRegion>
      <LiveRegion role="alert">{error}</LiveRegion>
    </form>
  );
}

import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { ApiError, messageOf } from '../api';
import { useAuth } from '../auth/AuthContext';
import { FieldError, FieldFrame, TextField } from '../components/Field';
import { LiveRegion } from '../components/LiveRegion';
import { Loading, NoAccess } from '../components/Pages';
import { usePageTitle } from '../components/usePageTitle';
import './roleplay.css';
import { browserZone, canSchedule, roleplayApi, zonedToISO, zoneList, type Candidates, type CardView } from './api';

type Fields = Partial<
  Record<
    | 'title'
    | 'starts_at'
    | 'time_zone'
    | 'duration_minutes'
    | 'practice_seconds'
    | 'feedback_seconds'
    | 'card_ids'
    | 'invitees'
    | 'trainer_id',
    string
  >
>;

type Kit = { state: 'loading' } | { state: 'ready'; cards: CardView[]; candidates: Candidates } | { state: 'error'; message: string };

/** Schedule is the form a trainer or org admin uses to plan a role-play session and invite people. */
export function Schedule() {
  const { me } = useAuth();
  if (!me || !canSchedule(me.roles)) return <NoAccess />;
  return <ScheduleForm />;
}

function ScheduleForm() {
  usePageTitle('Schedule a role-play session');
  const { signedOut } = useAuth();
  const navigate = useNavigate();
  const [kit, setKit] = useState<Kit>({ state: 'loading' });
  const defaultZone = useMemo(browserZone, []);
  const zones = useMemo(() => zoneList(defaultZone), [defaultZone]);

  const [title, setTitle] = useState('');
  const [date, setDate] = useState('');
  const [time, setTime] = useState('');
  const [zone, setZone] = useState(defaultZone);
  const [duration, setDuration] = useState('90');
  const [practice, setPractice] = useState('10');
  const [feedback, setFeedback] = useState('3');
  const [cards, setCards] = useState<string[]>([]);
  const [people, setPeople] = useState<string[]>([]);
  const [teams, setTeams] = useState<string[]>([]);
  const [transcript, setTranscript] = useState(false);
  const [fields, setFields] = useState<Fields>({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const fail = useCallback(
    (err: unknown) => {
      if (err instanceof ApiError && err.status === 401) signedOut();
    },
    [signedOut],
  );

  const load = useCallback(() => {
    setKit({ state: 'loading' });
    Promise.all([roleplayApi.cards(), roleplayApi.candidates()])
      .then(([c, cand]) => setKit({ state: 'ready', cards: c.items, candidates: cand }))
      .catch((err: unknown) => {
        fail(err);
        setKit({ state: 'error', message: messageOf(err) });
      });
  }, [fail]);

  useEffect(load, [load]);

  function toggle(list: string[], set: (v: string[]) => void, id: string, on: boolean) {
    set(on ? [...list.filter((x) => x !== id), id] : list.filter((x) => x !== id));
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const f: Fields = {};
    const startsAt = zonedToISO(date, time, zone);
    if (!date || !time) f.starts_at = 'Choose the date and the time the session starts.';
    else if (!startsAt) f.starts_at = 'Enter the date and time like 2026-03-09 and 10:00.';
    if (!title.trim()) f.title = 'Give the session a title.';
    if (Object.keys(f).length > 0) {
      setFields(f);
      setError('Check the highlighted fields.');
      return;
    }
    setBusy(true);
    setFields({});
    setError('');
    try {
      const d = await roleplayApi.create({
        title: title.trim(),
        starts_at: startsAt,
        time_zone: zone,
        duration_minutes: Number(duration),
        practice_seconds: Math.round(Number(practice) * 60),
        feedback_seconds: Math.round(Number(feedback) * 60),
        card_ids: cards,
        person_ids: people,
        team_ids: teams,
        transcript_allowed: transcript,
      });
      navigate(`/roleplay/${d.id}`);
    } catch (err) {
      fail(err);
      if (err instanceof ApiError && err.status === 400) {
        const ef = err.fields;
        setFields({
          title: ef.title,
          starts_at: ef.starts_at,
          time_zone: ef.time_zone,
          duration_minutes: ef.duration_minutes,
          practice_seconds: ef.practice_seconds,
          feedback_seconds: ef.feedback_seconds,
          card_ids: ef.card_ids,
          invitees: ef.invitees ?? ef.person_ids ?? ef.team_ids,
          trainer_id: ef.trainer_id,
        });
        setError(ef.trainer_id ?? err.message);
      } else {
        setError(messageOf(err));
      }
      setBusy(false);
    }
  }

  if (kit.state === 'loading') {
    return (
      <>
        <h1>Schedule a role-play session</h1>
        <Loading label="Loading scenario cards and people…" />
      </>
    );
  }
  if (kit.state === 'error') {
    return (
      <>
        <h1>Schedule a role-play session</h1>
        <div role="alert" className="notice notice-error">
          <p>{kit.message}</p>
          <p>
            <button type="button" className="button-secondary" onClick={load}>
              Try again
            </button>
          </p>
        </div>
      </>
    );
  }
  const { candidates } = kit;
  return (
    <>
      <h1>Schedule a role-play session</h1>
      <p className="lead">
        Everyone you invite gets an email with a calendar invitation, and sees the session on their Role-play page.
      </p>
      <LiveRegion role="alert">{error}</LiveRegion>
      <form onSubmit={submit} noValidate className="form">
        <TextField label="Title" name="title" maxLength={200} value={title} onValueChange={setTitle} error={fields.title} />
        <fieldset className="field-row">
          <legend>When</legend>
          <FieldFrame label="Date" error={fields.starts_at}>
            {(a) => <input {...a} type="date" name="date" value={date} onChange={(e) => setDate(e.target.value)} />}
          </FieldFrame>
          <FieldFrame label="Start time">
            {(a) => <input {...a} type="time" name="time" value={time} onChange={(e) => setTime(e.target.value)} />}
          </FieldFrame>
          <FieldFrame label="Time zone" hint="People in other places see the time in their own zone." error={fields.time_zone}>
            {(a) => (
              <select {...a} name="time_zone" value={zone} onChange={(e) => setZone(e.target.value)}>
                {zones.map((z) => (
                  <option key={z} value={z}>
                    {z.replace(/_/g, ' ')}
                  </option>
                ))}
              </select>
            )}
          </FieldFrame>
        </fieldset>
        <FieldFrame label="Length of the session, in minutes" hint="From 15 to 480." error={fields.duration_minutes}>
          {(a) => (
            <input {...a} type="number" inputMode="numeric" min={15} max={480} name="duration" value={duration}
              onChange={(e) => setDuration(e.target.value)} />
          )}
        </FieldFrame>
        <FieldFrame label="Length of each practice round, in minutes" hint="From 1 to 60. Ten minutes suits most scenarios."
          error={fields.practice_seconds}>
          {(a) => (
            <input {...a} type="number" inputMode="decimal" min={1} max={60} step={0.5} name="practice" value={practice}
              onChange={(e) => setPractice(e.target.value)} />
          )}
        </FieldFrame>
        <FieldFrame label="Length of each feedback turn, in minutes" hint="From half a minute to 30." error={fields.feedback_seconds}>
          {(a) => (
            <input {...a} type="number" inputMode="decimal" min={0.5} max={30} step={0.5} name="feedback" value={feedback}
              onChange={(e) => setFeedback(e.target.value)} />
          )}
        </FieldFrame>

        <fieldset className={fields.card_ids ? 'field field-invalid checkboxes' : 'field checkboxes'}
          aria-describedby={fields.card_ids ? 'cards-error' : undefined}>
          <legend>Scenario cards</legend>
          <FieldError id="cards-error" error={fields.card_ids} />
          {kit.cards.map((c) => (
            <div className="checkbox" key={c.id}>
              <input type="checkbox" id={`card-${c.id}`} checked={cards.includes(c.id)}
                onChange={(e) => toggle(cards, setCards, c.id, e.target.checked)} aria-describedby={`card-${c.id}-hint`} />
              <label htmlFor={`card-${c.id}`}>{c.title}</label>
              <p className="hint" id={`card-${c.id}-hint`}>
                {c.setting}
                {c.content_warning ? ` Content warning: ${c.content_warning}` : ''}
              </p>
            </div>
          ))}
        </fieldset>

        <fieldset className={fields.invitees ? 'field field-invalid checkboxes' : 'field checkboxes'}
          aria-describedby={fields.invitees ? 'invitees-error' : undefined}>
          <legend>Who to invite</legend>
          <FieldError id="invitees-error" error={fields.invitees} />
          {candidates.teams.length > 0 ? (
            <>
              <p className="hint">Teams: everyone in the team now is invited.</p>
              {candidates.teams.map((t) => (
                <div className="checkbox" key={t.id}>
                  <input type="checkbox" id={`team-${t.id}`} checked={teams.includes(t.id)}
                    onChange={(e) => toggle(teams, setTeams, t.id, e.target.checked)} />
                  <label htmlFor={`team-${t.id}`}>
                    {t.name} ({t.member_count === 1 ? '1 person' : `${t.member_count} people`})
                  </label>
                </div>
              ))}
            </>
          ) : null}
          {candidates.people.length === 0 ? <p className="empty">There are no trainees in your organisation yet.</p> : null}
          {candidates.people.map((p) => (
            <div className="checkbox" key={p.id}>
              <input type="checkbox" id={`person-${p.id}`} checked={people.includes(p.id)}
                onChange={(e) => toggle(people, setPeople, p.id, e.target.checked)} />
              <label htmlFor={`person-${p.id}`}>{p.name}</label>
            </div>
          ))}
        </fieldset>

        <div className="checkbox">
          <input type="checkbox" id="transcript" checked={transcript} onChange={(e) => setTranscript(e.target.checked)}
            aria-describedby="transcript-hint" />
          <label htmlFor="transcript">Keep a transcript of the chat</label>
          <p className="hint" id="transcript-hint">
            Chat is only kept if you tick this and every person agrees when they join. Without it, chat disappears when the
            session ends. Scores, roles played and attendance are always kept.
          </p>
        </div>
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Scheduling…' : 'Schedule and send invitations'}
          </button>
        </div>
      </form>
    </>
  );
}

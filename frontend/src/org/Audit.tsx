import { useState } from 'react';
import { SelectField } from '../components/Field';
import { LoadStatus, MoreButton, useFail, usePages } from '../components/Load';
import { TableHead } from '../components/TableHead';
import { usePageTitle } from '../components/usePageTitle';
import { roleList } from '../roles';
import { formatDateTime } from '../time';
import { orgApi, type AuditEntry } from './api';

/** The action families people can filter by, in the words they would use. */
export const AUDIT_FAMILIES: { value: string; label: string }[] = [
  { value: '', label: 'Everything' },
  { value: 'person', label: 'People and roles' },
  { value: 'invitation', label: 'Invitations' },
  { value: 'people', label: 'CSV imports' },
  { value: 'team', label: 'Teams' },
  { value: 'assignment', label: 'Assigned training' },
  { value: 'training', label: 'External training' },
  { value: 'certificate', label: 'Certificates' },
  { value: 'completion', label: 'Exports' },
  { value: 'api_token', label: 'API tokens' },
];

function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(text).join(', ');
  return JSON.stringify(v);
}

function quoted(v: unknown): string {
  const s = text(v);
  return s ? `“${s}”` : 'a team';
}

function people(n: unknown): string {
  const k = typeof n === 'number' ? n : 0;
  return k === 1 ? '1 person' : `${k} people`;
}

function dueText(d: Record<string, unknown>): string {
  if (typeof d.due_within_days === 'number') return `, due within ${d.due_within_days} days`;
  if (typeof d.due_at === 'string' && d.due_at) return `, due ${formatDateTime(d.due_at)}`;
  return '';
}

/** describeAudit says what an audit entry records in plain words. */
export function describeAudit(e: AuditEntry): string {
  const d = e.detail ?? {};
  switch (e.action) {
    case 'team.create':
      return `Created the team ${quoted(d.name)}.`;
    case 'team.rename':
      return `Renamed the team ${quoted(d.from)} to ${quoted(d.to)}.`;
    case 'team.delete':
      return `Deleted the team ${quoted(d.name)}, which had ${people(d.members)}.`;
    case 'team.member_add':
      return `Added ${text(d.email)} to ${quoted(d.team)}${d.manager ? ' as a manager' : ''}.`;
    case 'team.member_update':
      return d.manager
        ? `Made ${text(d.email)} a manager of ${quoted(d.team)}.`
        : `${text(d.email)} no longer manages ${quoted(d.team)}.`;
    case 'team.member_remove':
      return `Removed ${text(d.email)} from ${quoted(d.team)}.`;
    case 'assignment.create':
      return d.team
        ? `Assigned ${text(d.course)} to the team ${quoted(d.team)}${dueText(d)}.`
        : `Assigned ${text(d.course)} to ${people(d.assigned)}${
            typeof d.updated === 'number' && d.updated > 0 ? ` and updated it for ${people(d.updated)}` : ''
          }${dueText(d)}.`;
    case 'assignment.delete':
      return `Took ${text(d.course)} off ${text(d.email)}'s required training.`;
    case 'assignment.rule_delete':
      return `Stopped assigning ${text(d.course)} to people who join ${quoted(d.team)}.`;
    case 'person.roles_change':
      return `Changed ${text(d.email)}'s roles from ${roleList(Array.isArray(d.from) ? d.from.map(text) : [])} to ${roleList(
        Array.isArray(d.to) ? d.to.map(text) : [],
      ).toLowerCase()}.`;
    case 'person.deactivate':
      return `Deactivated ${text(d.email)}.`;
    case 'person.reactivate':
      return `Reactivated ${text(d.email)}.`;
    case 'person.deidentify':
      return "De-identified a person's record at their request.";
    case 'invitation.create':
      return `Invited ${text(d.email)}.`;
    case 'people.import':
      return `Imported people from a CSV file and invited ${people(d.invited)}.`;
    case 'certificate.revoke':
      return `Revoked certificate ${text(d.number)}${d.reason ? `: ${text(d.reason)}` : '.'}`;
    case 'completion.export':
      return 'Downloaded the completion spreadsheet.';
    case 'api_token.create':
      return `Created the API token ${quoted(d.name)} (${d.scope === 'write' ? 'read and write' : 'read only'}).`;
    case 'api_token.revoke':
      return `Revoked the API token ${quoted(d.name)}.`;
    case 'training.type_create':
      return `Started tracking ${quoted(d.name)}${
        typeof d.validity_months === 'number' ? `, valid for ${d.validity_months} months` : ''
      }.`;
    case 'training.type_delete':
      return `Stopped tracking ${quoted(d.name)}.`;
    case 'training.record_create':
      return `Recorded ${text(d.training_type)} for ${text(d.email)}, completed ${text(d.completed_on)}.`;
    case 'training.record_delete':
      return `Deleted the ${text(d.training_type)} record of ${text(d.email)}.`;
  }
  const rest = Object.entries(d)
    .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${text(v)}`)
    .join('; ');
  return rest ? `${e.action.replace(/[._]/g, ' ')}. ${rest}` : e.action.replace(/[._]/g, ' ');
}

function actorName(e: AuditEntry): string {
  if (e.actor.kind === 'api_token') return `API token ${e.actor.name ? `“${e.actor.name}”` : '(revoked)'}`;
  if (!e.actor.id) return 'Peerpath support';
  return e.actor.name || 'A person no longer here';
}

/** Audit shows the organisation's audit log, newest first, to org admins. */
export function Audit() {
  usePageTitle('Audit log');
  const fail = useFail();
  const [family, setFamily] = useState('');
  const { load: list, reload, more } = usePages((cursor) => orgApi.audit(family || undefined, cursor), [family]);
  const [moreError, setMoreError] = useState('');

  const familyLabel = AUDIT_FAMILIES.find((f) => f.value === family)?.label ?? 'Everything';
  return (
    <>
      <h1>Audit log</h1>
      <p className="lead">
        Who changed what in your organisation, and when. Entries can't be edited or removed, so you can show them to an
        auditor as they are.
      </p>
      <div className="form filters">
        <SelectField
          label="Show"
          value={family}
          onValueChange={(f) => {
            setFamily(f);
            setMoreError('');
          }}
          options={AUDIT_FAMILIES}
        />
      </div>
      <section aria-labelledby="audit-heading" className="section">
        <h2 id="audit-heading">Entries: {familyLabel.toLowerCase()}</h2>
        <LoadStatus load={list} label="Loading the audit log…" onRetry={reload} />
        {list.state === 'ready' && list.value.items.length === 0 ? (
          <p className="empty">
            {family ? 'Nothing of this kind has happened yet.' : 'Nothing has been recorded yet. Changes people make will appear here.'}
          </p>
        ) : null}
        {list.state === 'ready' && list.value.items.length > 0 ? (
          <>
            <table className="table">
              <caption className="visually-hidden">Audit log, newest first</caption>
              <TableHead columns={['When', 'Who', 'Action', 'What happened']} />
              <tbody>
                {list.value.items.map((e) => (
                  <tr key={e.id}>
                    <th scope="row" data-label="When">
                      <time dateTime={e.at}>{formatDateTime(e.at)}</time>
                    </th>
                    <td data-label="Who">{actorName(e)}</td>
                    <td data-label="Action">
                      <code>{e.action}</code>
                    </td>
                    <td data-label="What happened" className="break">
                      {describeAudit(e)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {moreError ? (
              <p role="alert" className="notice notice-error">
                {moreError}
              </p>
            ) : null}
            {list.value.next_cursor ? (
              <MoreButton
                onMore={() => {
                  setMoreError('');
                  return more();
                }}
                onError={(err) => setMoreError(fail(err))}
              >
                Load more
              </MoreButton>
            ) : (
              <p className="hint">That's the whole log{family ? ' for this kind of change' : ''}.</p>
            )}
          </>
        ) : null}
      </section>
    </>
  );
}

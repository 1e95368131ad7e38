import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api';
import { FieldError, TextField } from '../components/Field';
import { LiveRegion } from '../components/LiveRegion';
import { LoadStatus, useFail, useLoad } from '../components/Load';
import { TableHead } from '../components/TableHead';
import { usePageTitle } from '../components/usePageTitle';
import { formatDate, formatDateTime } from '../time';
import { d3Api, type APIToken, type CreatedToken, type TokenScope } from './api-d3';
import './Matrix.css';

/**
 * Tokens lets an org admin give another system (an HR or rostering tool) access to the
 * organisation's training records, and take it away again.
 */
export function Tokens() {
  usePageTitle('API tokens');
  const fail = useFail();
  // refresh rather than reload, after a change and on Try again: what is on screen stays there until
  // the new list comes, with no loading line in between.
  const { load: list, refresh } = useLoad(() => d3Api.apiTokens(), []);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');

  return (
    <>
      <h1>API tokens</h1>
      <p className="lead">
        A token lets another system, such as your HR or rostering software, read your organisation's training
        records through the Peerpath API. Give each system its own token, so you can switch one off without
        affecting the others.
      </p>
      <LiveRegion role="status">{status}</LiveRegion>
      <LiveRegion role="alert">{error}</LiveRegion>
      {created ? (
        <NewToken
          token={created}
          onDone={() => {
            setCreated(null);
            setStatus('');
          }}
        />
      ) : (
        <CreateToken
          fail={fail}
          onCreated={(t) => {
            setCreated(t);
            setError('');
            setStatus(`Token "${t.name}" created.`);
            refresh();
          }}
        />
      )}
      <section aria-labelledby="tokens-heading" className="section">
        <h2 id="tokens-heading">Your organisation's tokens</h2>
        <LoadStatus load={list} label="Loading tokens…" onRetry={refresh} />
        {list.state === 'ready' && list.value.items.length === 0 ? (
          <p className="empty">No tokens yet. Nothing outside Peerpath can read your organisation's records.</p>
        ) : null}
        {list.state === 'ready' && list.value.items.length > 0 ? (
          <TokenTable
            items={list.value.items}
            onRevoked={(t) => {
              setError('');
              setStatus(`Token "${t.name}" is revoked. Anything using it can no longer reach Peerpath.`);
              refresh();
            }}
            onError={(err) => {
              setStatus('');
              setError(fail(err));
            }}
          />
        ) : null}
      </section>
    </>
  );
}

function CreateToken({ onCreated, fail }: { onCreated: (t: CreatedToken) => void; fail: (err: unknown) => string }) {
  const [name, setName] = useState('');
  const [scope, setScope] = useState<TokenScope>('read');
  const [fields, setFields] = useState<{ name?: string; scope?: string }>({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!name.trim()) {
      setFields({ name: 'Give the token a name, such as the system that will use it.' });
      setError('Check the highlighted fields.');
      return;
    }
    setBusy(true);
    setFields({});
    setError('');
    try {
      const t = await d3Api.createAPIToken(name.trim(), scope);
      setName('');
      setScope('read');
      onCreated(t);
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) setFields({ name: err.fields.name, scope: err.fields.scope });
      setError(fail(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="create-token-heading" className="section panel">
      <h2 id="create-token-heading">Create a token</h2>
      <LiveRegion role="alert">{error}</LiveRegion>
      <form onSubmit={submit} noValidate className="form">
        <TextField
          label="Name"
          hint="Who or what will use it, e.g. “Rostering system”."
          name="name"
          autoComplete="off"
          maxLength={100}
          required
          value={name}
          onValueChange={setName}
          error={fields.name}
        />
        <fieldset
          className={fields.scope ? 'field field-invalid checkboxes' : 'field checkboxes'}
          aria-describedby={fields.scope ? 'scope-error' : undefined}
        >
          <legend>What it may do</legend>
          {fields.scope ? (
            <FieldError id="scope-error" error={fields.scope} />
          ) : null}
          <div className="checkbox">
            <input
              type="radio"
              id="scope-read"
              name="scope"
              value="read"
              checked={scope === 'read'}
              onChange={() => setScope('read')}
              aria-describedby="scope-read-hint"
            />
            <label htmlFor="scope-read">Read only</label>
            <p className="hint" id="scope-read-hint">
              See people, teams, assignments and completion. The safest choice for reports.
            </p>
          </div>
          <div className="checkbox">
            <input
              type="radio"
              id="scope-write"
              name="scope"
              value="write"
              checked={scope === 'write'}
              onChange={() => setScope('write')}
              aria-describedby="scope-write-hint"
            />
            <label htmlFor="scope-write">Read and write</label>
            <p className="hint" id="scope-write-hint">
              Also invite people, change teams and assign training, acting as an organisation admin.
            </p>
          </div>
        </fieldset>
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Creating…' : 'Create token'}
          </button>
        </div>
      </form>
    </section>
  );
}

/** NewToken shows a token's secret the one time it can be seen. */
function NewToken({ token, onDone }: { token: CreatedToken; onDone: () => void }) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [copied, setCopied] = useState('');
  const id = useId();

  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  async function copy() {
    try {
      await navigator.clipboard.writeText(token.token);
      setCopied('Copied to the clipboard.');
    } catch {
      setCopied("We couldn't copy it. Select the token and copy it yourself.");
    }
  }

  return (
    <section aria-labelledby={`${id}-heading`} className="section panel new-token">
      <h2 id={`${id}-heading`} ref={headingRef} tabIndex={-1}>
        Your new token: {token.name}
      </h2>
      <div className="notice notice-info">
        <p>
          <strong>Copy this token now. You won't be able to see it again.</strong> Peerpath keeps only a scrambled
          form of it. If it's lost, revoke it and create another.
        </p>
        <p>Keep it somewhere safe, like a password manager: anyone who has it can reach your organisation's records.</p>
      </div>
      <label htmlFor={`${id}-token`}>Token ({token.scope === 'write' ? 'read and write' : 'read only'})</label>
      <div className="token-row">
        <input
          id={`${id}-token`}
          className="token-value"
          type="text"
          readOnly
          value={token.token}
          spellCheck={false}
          autoComplete="off"
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" className="button-secondary" onClick={() => void copy()}>
          Copy token
        </button>
      </div>
      <LiveRegion role="status" quiet>
        {copied}
      </LiveRegion>
      <p className="hint">
        Send it in the <code>Authorization</code> header: <code>Bearer {token.hint}</code>
      </p>
      <div className="actions">
        <button type="button" onClick={onDone}>
          I've saved it
        </button>
      </div>
    </section>
  );
}

function TokenTable({
  items,
  onRevoked,
  onError,
}: {
  items: APIToken[];
  onRevoked: (t: APIToken) => void;
  onError: (err: unknown) => void;
}) {
  const [confirming, setConfirming] = useState<APIToken | null>(null);
  const [busy, setBusy] = useState(false);
  const confirmRef = useRef<HTMLParagraphElement>(null);
  // After "Keep it", focus goes back to the button that asked, not to the top of the page.
  const [returnTo, setReturnTo] = useState('');

  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

  useEffect(() => {
    if (returnTo) document.getElementById(`revoke-button-${returnTo}`)?.focus();
  }, [returnTo]);

  async function revoke(t: APIToken) {
    setBusy(true);
    try {
      await d3Api.revokeAPIToken(t.id);
      setConfirming(null);
      onRevoked(t);
    } catch (err) {
      setConfirming(null);
      onError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="table-scroll">
      <table className="table">
        <caption className="visually-hidden">API tokens, newest first</caption>
        <TableHead columns={['Name', 'Access', 'Created', 'Last used', 'Status']} />
        <tbody>
          {items.map((t) => (
            <tr key={t.id}>
              <th scope="row" data-label="Name">
                {t.name}
                <span className="matrix-email">
                  <code>{t.hint}</code>
                </span>
              </th>
              <td data-label="Access">{t.scope === 'write' ? 'Read and write' : 'Read only'}</td>
              <td data-label="Created">
                <time dateTime={t.created_at}>{formatDate(t.created_at)}</time>
                {t.created_by ? <span className="matrix-email">by {t.created_by}</span> : null}
              </td>
              <td data-label="Last used">
                {t.last_used_at ? (
                  <time dateTime={t.last_used_at}>{formatDateTime(t.last_used_at)}</time>
                ) : (
                  'Never'
                )}
              </td>
              <td data-label="Status">
                {t.revoked_at ? (
                  <>
                    Revoked <time dateTime={t.revoked_at}>{formatDate(t.revoked_at)}</time>
                  </>
                ) : confirming?.id === t.id ? (
                  <div className="confirm" role="group" aria-labelledby={`revoke-${t.id}`}>
                    <p id={`revoke-${t.id}`} ref={confirmRef} tabIndex={-1}>
                      <strong>Revoke “{t.name}”?</strong> Anything using it stops working at once. This can't be
                      undone.
                    </p>
                    <div className="actions">
                      <button type="button" className="button-danger" disabled={busy} onClick={() => void revoke(t)}>
                        {busy ? 'Revoking…' : 'Yes, revoke it'}
                      </button>{' '}
                      <button type="button" className="button-secondary" disabled={busy} onClick={() => {
                          setConfirming(null);
                          setReturnTo(t.id);
                        }}
                      >
                        Keep it
                      </button>
                    </div>
                  </div>
                ) : (
                  <>
                    Active{' '}
                    <button
                      type="button"
                      id={`revoke-button-${t.id}`}
                      className="button-secondary button-small"
                      onClick={() => {
                        setReturnTo('');
                        setConfirming(t);
                      }}
                    >
                      Revoke <span className="visually-hidden">{t.name}</span>
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

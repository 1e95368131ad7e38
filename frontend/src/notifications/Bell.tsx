import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { Link, useLocation } from 'react-router';
import { formatDate } from '../time';
import { isInternal, notificationsApi, type Notification } from './api';
import './notifications.css';

/** How often the bell asks for new notifications while a page stays open. */
export const BELL_POLL_MS = 120_000;
const BELL_ITEMS = 8;

export function unreadLabel(n: number): string {
  if (n === 0) return 'Notifications, none unread';
  return `Notifications, ${n} unread`;
}

/**
 * Bell is the header's notifications button: it says how many are unread and opens a short list
 * of the newest. Escape or a second press closes the list and returns focus to the button.
 */
export function Bell() {
  const [open, setOpen] = useState(false);
  const [unread, setUnread] = useState<number | null>(null);
  const [items, setItems] = useState<Notification[] | null>(null);
  const [error, setError] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const panelId = useId();
  const headingId = useId();
  const location = useLocation();

  const refresh = useCallback(() => {
    notificationsApi
      .list(BELL_ITEMS)
      .then((page) => {
        setItems(page.items);
        setUnread(page.unread_count);
        setError(false);
      })
      .catch(() => {
        // The bell is a convenience: when it cannot load, the page still works.
        setError(true);
      });
  }, []);

  useEffect(() => {
    refresh();
    const t = window.setInterval(refresh, BELL_POLL_MS);
    return () => window.clearInterval(t);
  }, [refresh]);

  // Going to another page closes the list.
  useEffect(() => {
    setOpen(false);
  }, [location.pathname]);

  useEffect(() => {
    if (!open) return;
    function onPointer(e: PointerEvent) {
      const t = e.target as Node;
      if (!panelRef.current?.contains(t) && !buttonRef.current?.contains(t)) setOpen(false);
    }
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  function toggle() {
    if (!open) refresh();
    setOpen((o) => !o);
  }

  function close() {
    setOpen(false);
    buttonRef.current?.focus();
  }

  function onKeyDown(e: KeyboardEvent) {
    if (e.key === 'Escape' && open) {
      e.stopPropagation();
      close();
    }
  }

  async function markAll() {
    try {
      const res = await notificationsApi.markAllRead();
      setUnread(res.unread_count);
      setItems((list) => list?.map((n) => (n.read_at ? n : { ...n, read_at: new Date().toISOString() })) ?? list);
    } catch {
      setError(true);
    }
  }

  function opened(n: Notification) {
    if (!n.read_at) {
      notificationsApi
        .markRead([n.id])
        .then((res) => setUnread(res.unread_count))
        .catch(() => undefined);
    }
  }

  const count = unread ?? 0;
  return (
    <div className="bell" onKeyDown={onKeyDown}>
      <button
        type="button"
        ref={buttonRef}
        className="bell-button"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={unread === null ? 'Notifications' : unreadLabel(count)}
        onClick={toggle}
      >
        <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
          <path
            d="M12 3a6 6 0 0 0-6 6v3.6L4.3 15.4A1 1 0 0 0 5.2 17h13.6a1 1 0 0 0 .9-1.6L18 12.6V9a6 6 0 0 0-6-6Zm-2.2 15.5a2.3 2.3 0 0 0 4.4 0Z"
            fill="currentColor"
          />
        </svg>
        {count > 0 ? (
          <span className="bell-count" aria-hidden="true">
            {count > 99 ? '99+' : count}
          </span>
        ) : null}
      </button>
      {open ? (
        <div className="bell-panel" id={panelId} ref={panelRef} role="region" aria-labelledby={headingId}>
          <h2 id={headingId} className="bell-heading">
            Notifications
          </h2>
          {items === null && !error ? <p className="muted">Loading…</p> : null}
          {error ? <p className="muted">We couldn't load your notifications just now.</p> : null}
          {items !== null && items.length === 0 ? (
            <p className="muted">Nothing new. Reminders about your training will show up here.</p>
          ) : null}
          {items !== null && items.length > 0 ? (
            <ul className="bell-list">
              {items.map((n) => (
                <li key={n.id} className={n.read_at ? 'bell-item' : 'bell-item bell-item-unread'}>
                  {isInternal(n.link) ? (
                    <Link to={n.link} onClick={() => opened(n)}>
                      {n.title}
                    </Link>
                  ) : (
                    <span>{n.title}</span>
                  )}
                  {n.read_at ? null : <span className="bell-new"> (new)</span>}
                  <span className="bell-body">{n.body}</span>
                  <span className="bell-date">
                    <time dateTime={n.created_at}>{formatDate(n.created_at)}</time>
                  </span>
                </li>
              ))}
            </ul>
          ) : null}
          <p className="bell-actions">
            {count > 0 ? (
              <button type="button" className="button-link" onClick={markAll}>
                Mark all as read
              </button>
            ) : null}
            <Link to="/notifications">See all notifications</Link>
            <Link to="/notifications/settings">Reminder settings</Link>
          </p>
        </div>
      ) : null}
    </div>
  );
}

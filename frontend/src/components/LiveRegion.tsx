import type { ReactNode } from 'react';

interface Props {
  /** alert for errors (assertive), status for confirmations (polite). */
  role: 'alert' | 'status';
  children?: ReactNode;
  id?: string;
  /** quiet shows the message as a small line of text rather than a boxed notice. */
  quiet?: boolean;
  className?: string;
}

/**
 * LiveRegion is always in the page, empty or not, so that screen readers announce what is put
 * into it later.
 */
export function LiveRegion({ role, children, id, quiet, className }: Props) {
  const has = children !== undefined && children !== null && children !== false && children !== '';
  const box = quiet ? 'status-line' : role === 'alert' ? 'notice notice-error' : 'notice notice-success';
  return (
    <div role={role} id={id} className={className ? `live-region ${className}` : 'live-region'}>
      {has ? <div className={box}>{children}</div> : null}
    </div>
  );
}

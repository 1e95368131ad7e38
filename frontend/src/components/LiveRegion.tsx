import type { ReactNode } from 'react';

interface Props {
  /** alert for errors (assertive), status for confirmations (polite). */
  role: 'alert' | 'status';
  children?: ReactNode;
  id?: string;
}

/**
 * LiveRegion is always in the page, empty or not, so that screen readers announce what is put
 * into it later.
 */
export function LiveRegion({ role, children, id }: Props) {
  const has = children !== undefined && children !== null && children !== false && children !== '';
  return (
    <div role={role} id={id} className="live-region">
      {has ? <div className={role === 'alert' ? 'notice notice-error' : 'notice notice-success'}>{children}</div> : null}
    </div>
  );
}

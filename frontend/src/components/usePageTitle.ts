import { useLayoutEffect } from 'react';

/**
 * usePageTitle sets document.title for the page: "Sign in · Peerpath". It is set as the page is
 * put on screen, not a moment later, so the title never lags behind the page it names.
 */
export function usePageTitle(title: string): void {
  useLayoutEffect(() => {
    document.title = title ? `${title} · Peerpath` : 'Peerpath';
  }, [title]);
}

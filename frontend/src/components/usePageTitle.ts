import { useEffect } from 'react';

/** usePageTitle sets document.title for the page: "Sign in · Peerpath". */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Peerpath` : 'Peerpath';
  }, [title]);
}

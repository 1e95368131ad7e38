import type { ReactNode } from 'react';

// Web addresses in plain text. Trailing punctuation that usually ends a sentence is left out below.
const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/g;
const TRAILING = /[.,;:!?)\]}'"]+$/;

/**
 * linkify turns the web addresses in plain text into links and leaves the rest as text. Nothing
 * is parsed as HTML, so a message cannot inject markup into the page.
 */
export function linkify(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    const start = m.index;
    let url = m[0];
    const trail = TRAILING.exec(url);
    if (trail) url = url.slice(0, url.length - trail[0].length);
    if (!url.match(/^https?:\/\/[^/]/)) continue;
    if (start > last) out.push(text.slice(last, start));
    out.push(
      <a key={`${start}`} href={url}>
        {url}
      </a>,
    );
    last = start + url.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

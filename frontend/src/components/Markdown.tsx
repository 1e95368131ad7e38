import type { ReactNode } from 'react';

// Bold (**text** or __text__), then italic (*text* or _text_). Underscores count only at word
// edges, so snake_case stays as it is.
const INLINE = /\*\*(?=\S)([\s\S]*?\S)\*\*|(?<!\w)__(?=\S)([\s\S]*?\S)__(?!\w)|\*(?=\S)([^*]*?\S)\*|(?<!\w)_(?=\S)([^_]*?\S)_(?!\w)/g;

function inline(text: string, key: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  let n = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    const k = `${key}.${n++}`;
    const bold = m[1] ?? m[2];
    if (bold !== undefined) out.push(<strong key={k}>{inline(bold, k)}</strong>);
    else out.push(<em key={k}>{inline(m[3] ?? m[4] ?? '', k)}</em>);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function lines(paragraph: string, key: string): ReactNode[] {
  const out: ReactNode[] = [];
  paragraph.split('\n').forEach((line, i) => {
    if (i > 0) out.push(<br key={`${key}.br${i}`} />);
    out.push(...inline(line.trim(), `${key}.${i}`));
  });
  return out;
}

/**
 * Markdown renders the small part of Markdown that scenario text uses: paragraphs, line breaks,
 * bold and italic. Everything else stays as plain text; nothing is parsed as HTML, so the text
 * cannot put markup into the page.
 */
export function Markdown({ text, className }: { text: string; className?: string }) {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  return (
    <div className={className ? `markdown ${className}` : 'markdown'}>
      {paragraphs.map((p, i) => (
        <p key={i}>{lines(p, `${i}`)}</p>
      ))}
    </div>
  );
}

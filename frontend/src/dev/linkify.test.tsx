import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { linkify } from './linkify';

describe('linkify', () => {
  it('turns addresses into links and leaves punctuation and text alone', () => {
    render(<pre>{linkify('Accept here: http://127.0.0.1:18080/invite/abc123.\nThanks (see https://example.org/a?b=c).')}</pre>);
    const links = screen.getAllByRole('link');
    expect(links.map((a) => a.getAttribute('href'))).toEqual([
      'http://127.0.0.1:18080/invite/abc123',
      'https://example.org/a?b=c',
    ]);
    expect(links[0]?.closest('pre')?.textContent).toBe(
      'Accept here: http://127.0.0.1:18080/invite/abc123.\nThanks (see https://example.org/a?b=c).',
    );
  });

  it('never turns text into markup', () => {
    const { container } = render(<pre>{linkify('<img src=x onerror=alert(1)> javascript:alert(1)')}</pre>);
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('a')).toBeNull();
  });
});

import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Markdown } from './Markdown';

function html(text: string): string {
  const { container } = render(<Markdown text={text} />);
  return (container.firstElementChild as HTMLElement).innerHTML;
}

describe('Markdown', () => {
  it('makes paragraphs and line breaks', () => {
    expect(html('First line\nsecond line\n\n  Next paragraph.  \n')).toBe(
      '<p>First line<br>second line</p><p>Next paragraph.</p>',
    );
  });

  it('renders bold and italic, nested', () => {
    expect(html('You visit **Len**, 58, *at home* and __often _gladly___.')).toBe(
      '<p>You visit <strong>Len</strong>, 58, <em>at home</em> and <strong>often <em>gladly</em></strong>.</p>',
    );
  });

  it('leaves snake_case, lone asterisks and HTML as text', () => {
    expect(html('a snake_case_name, 2 * 3 * 4 and <img src=x onerror="alert(1)">')).toBe(
      '<p>a snake_case_name, 2 * 3 * 4 and &lt;img src=x onerror="alert(1)"&gt;</p>',
    );
  });
});

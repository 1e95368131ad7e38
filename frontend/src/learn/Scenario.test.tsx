import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChoiceResult } from '../api';
import { apiError, fakeApi, json, person, renderApp } from '../testing';
import { scenarioView } from './testdata';

const ID = 'boundaries-in-peer-work.gifts-and-goodbyes';
const PAGE = '/learn/boundaries-in-peer-work/scenario/gifts-and-goodbyes';

const second = {
  id: 'n2',
  text: 'Today is your last planned visit. He hands you a *small* box.',
  choices: [
    { id: 'c1', text: 'Thank him and explain the policy.' },
    { id: 'c3', text: 'Accept the watch.' },
  ],
};

function step(node: string, choice: string, choice_text: string, quality: 'best' | 'acceptable' | 'poor') {
  return {
    node,
    choice,
    choice_text,
    quality,
    consequence: `After ${choice_text}\n\nLen **nods**.`,
    feedback: `Feedback on ${choice_text}`,
  };
}

beforeEach(() => {
  sessionStorage.clear();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('Branching scenario', () => {
  it('plays through the choices to the end and starts again', async () => {
    const calls = fakeApi({
      'GET /me': json(200, person()),
      [`GET /scenarios/${ID}`]: json(200, scenarioView()),
      [`POST /scenarios/${ID}/choices`]: (body: unknown) => {
        const b = body as { node: string; choice: string };
        const r: ChoiceResult =
          b.node === 'n1'
            ? { run_id: 'run1', step: step('n1', b.choice, 'Sort something out together.', 'best'), next: second, finished: false }
            : { run_id: 'run1', step: step('n2', b.choice, 'Accept the watch.', 'poor'), next: null, finished: true };
        return json(200, r);
      },
    });
    renderApp(PAGE);
    const user = userEvent.setup();
    expect(await screen.findByRole('heading', { level: 1, name: 'Twenty dollars and a watch' })).toBeInTheDocument();
    expect(screen.getByText('A man you support asks to borrow money.')).toBeInTheDocument();

    // The content warning comes first, with a way out.
    expect(screen.getByText('Mentions money hardship.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Not now — back to the course' })).toHaveAttribute(
      'href',
      '/learn/boundaries-in-peer-work',
    );
    expect(screen.queryByRole('button', { name: 'Hand him a twenty.' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Continue to the scenario' }));

    const first = screen.getByRole('heading', { level: 2, name: 'Decision 1' });
    expect(first).toHaveFocus();
    // Markdown: bold made safely, paragraphs kept.
    expect(screen.getByText('Len').tagName).toBe('STRONG');
    const choices = screen.getByRole('list', { name: 'What would you do?' });
    expect(within(choices).getAllByRole('button').map((b) => b.textContent)).toEqual([
      'Sort something out together.',
      'Hand him a twenty.',
    ]);
    await user.click(within(choices).getByRole('button', { name: 'Sort something out together.' }));

    expect(await screen.findByRole('heading', { level: 2, name: 'What happened' })).toHaveFocus();
    expect(screen.getByText('A strong choice')).toBeInTheDocument();
    expect(screen.getByText('Feedback on Sort something out together.')).toBeInTheDocument();
    expect(screen.getByText('nods').tagName).toBe('STRONG');
    await user.click(screen.getByRole('button', { name: 'Continue' }));

    expect(screen.getByRole('heading', { level: 2, name: 'Decision 2' })).toHaveFocus();
    expect(screen.getByText('small').tagName).toBe('EM');
    await user.click(screen.getByRole('button', { name: 'Accept the watch.' }));
    expect(await screen.findByText('Worth reconsidering')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Continue' }));

    expect(screen.getByRole('heading', { level: 2, name: 'The end of this scenario' })).toHaveFocus();
    const path = screen.getAllByRole('listitem').filter((li) => li.classList.contains('path-step'));
    expect(path.map((li) => li.querySelector('.you-chose')?.textContent)).toEqual([
      'You chose: Sort something out together.',
      'You chose: Accept the watch.',
    ]);
    expect(within(path[0] as HTMLElement).getByText('A strong choice')).toBeInTheDocument();
    expect(within(path[1] as HTMLElement).getByText('Worth reconsidering')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(screen.getByRole('heading', { level: 2, name: 'Decision 1' })).toHaveFocus();
    await user.click(screen.getByRole('button', { name: 'Hand him a twenty.' }));
    const posts = calls.filter((c) => c.method === 'POST').map((c) => c.body);
    expect(posts).toEqual([
      { node: 'n1', choice: 'c1' },
      { node: 'n2', choice: 'c3' },
      { node: 'n1', choice: 'c2' },
    ]);
  });

  it('picks up a run where it stands', async () => {
    fakeApi({
      'GET /me': json(200, person()),
      [`GET /scenarios/${ID}`]: json(
        200,
        scenarioView({
          content_warning: null,
          run: { id: 'run1', current: second, finished: false, path: [step('n1', 'c1', 'Sort something out together.', 'best')] },
        }),
      ),
    });
    renderApp(PAGE);
    expect(await screen.findByRole('heading', { level: 2, name: 'Decision 2' })).toBeInTheDocument();
    expect(screen.getByText(/picked up where you left off/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Start from the beginning' })).toBeInTheDocument();
  });

  it('brings the run up to date after a 409', async () => {
    let fresh = false;
    fakeApi({
      'GET /me': json(200, person()),
      [`GET /scenarios/${ID}`]: () =>
        json(
          200,
          scenarioView({
            content_warning: null,
            run: fresh
              ? { id: 'run1', current: second, finished: false, path: [step('n1', 'c1', 'Sort something out together.', 'best')] }
              : null,
          }),
        ),
      [`POST /scenarios/${ID}/choices`]: () => {
        fresh = true;
        return apiError(409, 'conflict', 'That choice is not where your run stands.');
      },
    });
    renderApp(PAGE);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Hand him a twenty.' }));
    const alert = await screen.findByText(/That choice is not where your run stands\./);
    expect(alert.closest('[role="alert"]')).not.toBeNull();
    expect(await screen.findByRole('heading', { level: 2, name: 'Decision 2' })).toBeInTheDocument();
  });
});

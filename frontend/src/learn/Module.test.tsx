import { act, fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, json, person, renderApp } from '../testing';
import { AUTOSAVE_MS } from './Reflection';
import { courseDetail, moduleView } from './testdata';

const PATH = '/courses/storytelling-with-purpose/modules/why-we-share';
const BODY = 'Most jobs ask you to leave your private history at the door.';

function reflection(answers: Record<string, string> = {}) {
  return {
    prompts: moduleView().reflection.map((p) => ({
      ...p,
      answer: answers[p.id] ?? '',
      updated_at: answers[p.id] ? '2026-11-24T10:00:00Z' : null,
    })),
  };
}

beforeEach(() => {
  sessionStorage.clear();
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('Module reader', () => {
  it('shows the module facts and holds the text behind the content warning', async () => {
    fakeApi({
      'GET /me': json(200, person()),
      [`GET ${PATH}`]: json(200, moduleView()),
      [`GET ${PATH}/reflection`]: json(200, reflection()),
    });
    renderApp('/learn/storytelling-with-purpose/why-we-share');
    expect(await screen.findByRole('heading', { level: 1, name: 'Why we share' })).toBeInTheDocument();
    expect(screen.getByText('About 14 minutes')).toBeInTheDocument();
    expect(screen.getByText('Name four purposes of sharing.')).toBeInTheDocument();
    const tags = screen.getByRole('list', { name: 'Competencies:' });
    expect(within(tags).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['CHCPWK003 El.1', 'SAMHSA Cat.3']);

    // The gate: the warning, a way on and a way out; no text, reflection or "Mark as read" yet.
    expect(screen.getByRole('heading', { level: 2, name: 'Content warning' })).toBeInTheDocument();
    expect(screen.getByText('Worked examples mention a hospital admission.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Not now — back to the course' })).toHaveAttribute(
      'href',
      '/learn/storytelling-with-purpose',
    );
    expect(screen.queryByText(BODY)).toBeNull();
    expect(screen.queryByRole('heading', { name: 'Private reflection' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Mark as read' })).toBeNull();

    await userEvent.setup().click(screen.getByRole('button', { name: 'Continue to the module' }));
    expect(screen.getByText(BODY)).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 2, name: 'Your experience is part of the job' })).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Content warning' })).toBeNull();
    expect(screen.getByRole('region', { name: 'Module text' })).toHaveFocus();
    expect(await screen.findByRole('heading', { level: 2, name: 'Private reflection' })).toBeInTheDocument();
    expect(screen.getByText('Only you can see this. It is never shown to your organisation.')).toBeInTheDocument();
    expect(sessionStorage.getItem('peerpath.content-warning.module:storytelling-with-purpose/why-we-share')).toBe('yes');
  });

  it('remembers passing the gate for the rest of the visit', async () => {
    sessionStorage.setItem('peerpath.content-warning.module:storytelling-with-purpose/why-we-share', 'yes');
    fakeApi({
      'GET /me': json(200, person()),
      [`GET ${PATH}`]: json(200, moduleView()),
      [`GET ${PATH}/reflection`]: json(200, reflection()),
    });
    renderApp('/learn/storytelling-with-purpose/why-we-share');
    expect(await screen.findByText(BODY)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Continue to the module' })).toBeNull();
  });

  it('has no gate without a content warning, and links to the quiz and the next module', async () => {
    fakeApi({
      'GET /me': json(200, person()),
      [`GET ${PATH}`]: json(200, moduleView({ content_warning: null })),
      [`GET ${PATH}/reflection`]: json(200, reflection()),
    });
    renderApp('/learn/storytelling-with-purpose/why-we-share');
    expect(await screen.findByText(BODY)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Take the quiz: Check your understanding: why we share' })).toHaveAttribute(
      'href',
      '/learn/storytelling-with-purpose/quiz/why-we-share',
    );
    const pager = screen.getByRole('navigation', { name: 'Modules in this course' });
    expect(within(pager).getByRole('link', { name: /Next module: Knowing and shaping your story/ })).toHaveAttribute(
      'href',
      '/learn/storytelling-with-purpose/knowing-and-shaping-your-story',
    );
  });

  it('saves the reflection once typing stops, sending only what changed', async () => {
    const calls = fakeApi({
      'GET /me': json(200, person()),
      [`GET ${PATH}`]: json(200, moduleView({ content_warning: null })),
      [`GET ${PATH}/reflection`]: json(200, reflection({ r2: 'Wanting to be understood.' })),
      [`PUT ${PATH}/reflection`]: json(200, reflection({ r1: 'They listened first.', r2: 'Wanting to be understood.' })),
    });
    renderApp('/learn/storytelling-with-purpose/why-we-share');
    const first = await screen.findByLabelText(/Think of a time someone’s story helped you/);
    expect(screen.getByLabelText(/Which pull do you expect/)).toHaveValue('Wanting to be understood.');

    vi.useFakeTimers();
    const puts = () => calls.filter((c) => c.method === 'PUT');
    fireEvent.change(first, { target: { value: 'They' } });
    act(() => vi.advanceTimersByTime(500));
    fireEvent.change(first, { target: { value: 'They listened' } });
    act(() => vi.advanceTimersByTime(500));
    fireEvent.change(first, { target: { value: 'They listened first.' } });
    act(() => vi.advanceTimersByTime(AUTOSAVE_MS - 1));
    expect(puts()).toHaveLength(0);
    act(() => vi.advanceTimersByTime(1));
    expect(puts()).toHaveLength(1);
    expect(puts()[0]?.body).toEqual({ answers: { r1: 'They listened first.' } });
    expect(screen.getByText('Saving…').closest('[role="status"]')).not.toBeNull();
    vi.useRealTimers();

    const saved = await screen.findByText(/^Saved at /);
    expect(saved.closest('[role="status"]')).not.toBeNull();
  });

  it('deletes the reflection only after confirming', async () => {
    const calls = fakeApi({
      'GET /me': json(200, person()),
      [`GET ${PATH}`]: json(200, moduleView({ content_warning: null })),
      [`GET ${PATH}/reflection`]: json(200, reflection({ r1: 'Something private.' })),
      [`DELETE ${PATH}/reflection`]: () => new Response(null, { status: 204 }),
    });
    renderApp('/learn/storytelling-with-purpose/why-we-share');
    const user = userEvent.setup();
    const first = await screen.findByLabelText(/Think of a time/);
    expect(first).toHaveValue('Something private.');

    await user.click(screen.getByRole('button', { name: 'Delete my reflection' }));
    const confirm = screen.getByRole('group', { name: /Delete everything you wrote for this module\?/ });
    await user.click(within(confirm).getByRole('button', { name: 'Keep it' }));
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    expect(first).toHaveValue('Something private.');

    await user.click(screen.getByRole('button', { name: 'Delete my reflection' }));
    await user.click(screen.getByRole('button', { name: 'Yes, delete my reflection' }));
    expect(await screen.findByText('Your reflection for this module was deleted.')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual([`${PATH}/reflection`]);
    expect(screen.getByLabelText(/Think of a time/)).toHaveValue('');
  });

  it('marks the module as read and shows the course progress', async () => {
    const calls = fakeApi({
      'GET /me': json(200, person()),
      [`GET ${PATH}`]: json(200, moduleView({ content_warning: null })),
      [`GET ${PATH}/reflection`]: json(200, reflection()),
      [`POST ${PATH}/complete`]: json(
        200,
        courseDetail({ progress: { modules_done: 4, modules_total: 5, quizzes_passed: 1, quizzes_total: 5, percent: 50 } }),
      ),
    });
    renderApp('/learn/storytelling-with-purpose/why-we-share');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Mark as read' }));
    expect(await screen.findByText('Read ✓')).toHaveFocus();
    expect(screen.getByText(/4 of 5 modules read, 1 of 5 quizzes passed/).closest('[role="status"]')).not.toBeNull();
    expect(screen.queryByRole('button', { name: 'Mark as read' })).toBeNull();
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([`${PATH}/complete`]);
  });
});

import { act, fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { courseDetail, attempt, result } from '../learn/testdata';
import { apiError, fakeApi, json, person, renderApp } from '../testing';
import { SAVE_MS } from './Quiz';

const QUIZ = 'storytelling-with-purpose.why-we-share';
const PAGE = '/learn/storytelling-with-purpose/quiz/why-we-share';

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function replies(extra: Record<string, Parameters<typeof fakeApi>[0][string]> = {}) {
  return {
    'GET /me': json(200, person()),
    'GET /courses/storytelling-with-purpose': json(200, courseDetail()),
    [`GET /quizzes/${QUIZ}/attempts`]: json(200, { items: [] }),
    [`POST /quizzes/${QUIZ}/attempts`]: json(201, attempt()),
    ...extra,
  };
}

async function startAttempt() {
  const user = userEvent.setup();
  await user.click(await screen.findByRole('button', { name: 'Start attempt' }));
  const heading = await screen.findByRole('heading', { level: 2, name: 'Attempt 1 of 3' });
  expect(heading).toHaveFocus();
  return user;
}

function group(name: string | RegExp): HTMLElement {
  return screen.getByRole('group', { name });
}

describe('Quiz', () => {
  it('takes the full quiz id in the address too', async () => {
    fakeApi(replies());
    renderApp(`/learn/storytelling-with-purpose/quiz/${QUIZ}`);
    expect(await screen.findByRole('button', { name: 'Start attempt' })).toBeInTheDocument();
  });

  it('shows the start screen with attempts and history', async () => {
    fakeApi(
      replies({
        [`GET /quizzes/${QUIZ}/attempts`]: json(200, {
          items: [{ id: 'old1', number: 1, started_at: '2026-11-20T10:00:00Z', submitted_at: '2026-11-20T10:10:00Z', score: 55.6, passed: false }],
        }),
        'GET /attempts/old1': json(200, attempt({ id: 'old1', submitted_at: '2026-11-20T10:10:00Z', result: result() })),
      }),
    );
    renderApp(PAGE);
    expect(await screen.findByRole('heading', { level: 1, name: 'Check your understanding: why we share' })).toBeInTheDocument();
    expect(await screen.findByRole('button', { name: 'Start another attempt' })).toBeInTheDocument();
    expect(screen.getByText('80%')).toBeInTheDocument();
    expect(screen.getByText('1 of 3 attempts used')).toBeInTheDocument();
    expect(screen.getByText('None: take your time')).toBeInTheDocument();
    const table = screen.getByRole('table');
    expect(within(table).getByText('56%')).toBeInTheDocument();
    expect(within(table).getByText('Not passed')).toBeInTheDocument();
  });

  it('posts every kind of answer in the documented shape', async () => {
    const calls = fakeApi(replies({ 'POST /attempts/att1/submit': json(200, result()) }));
    renderApp(PAGE);
    const user = await startAttempt();

    await user.click(within(group('Which question is the most useful to ask yourself?')).getByLabelText('Who is this for?'));
    const multiple = group('Which are good reasons to share?');
    expect(multiple).toHaveAccessibleDescription('Select all that apply.');
    await user.click(within(multiple).getByLabelText('Helping the person feel less alone'));
    await user.click(within(multiple).getByLabelText('Making change seem possible'));
    await user.click(within(group(/must answer every question/)).getByLabelText('True'));

    // Ordering: starts as a, b, c; move "Friends" up, then "A paid peer worker role" down.
    const ordering = group('Put these in order from least to most formal.');
    const up = within(ordering).getByRole('button', { name: 'Move up: Friends supporting each other' });
    await user.click(up);
    // At the top now: focus goes to its "Move down", as "Move up" can't go further.
    expect(within(ordering).getByRole('button', { name: 'Move down: Friends supporting each other' })).toHaveFocus();
    expect(screen.getByText('“Friends supporting each other” moved to position 1 of 3.').closest('[role="status"]')).not.toBeNull();
    await user.click(within(ordering).getByRole('button', { name: 'Move down: A paid peer worker role' }));
    expect(screen.getByText('“A paid peer worker role” moved to position 3 of 3.')).toBeInTheDocument();
    expect(within(ordering).getAllByRole('listitem').map((li) => li.querySelector('.ordering-text')?.textContent)).toEqual([
      'Friends supporting each other',
      'A peer-run group',
      'A paid peer worker role',
    ]);

    // The scenario shows its situation, which describes the group.
    const scenario = group('What is the best thing to do now?');
    expect(scenario).toHaveAccessibleDescription(/Ahmed has gone quiet/);
    await user.click(within(scenario).getByLabelText('Stop and ask what is coming up for him'));

    await user.click(screen.getByRole('button', { name: 'Submit answers' }));
    const submit = calls.find((c) => c.method === 'POST' && c.path === '/attempts/att1/submit');
    expect(submit?.body).toEqual({
      answers: { q1: ['b'], q2: ['a', 'c'], q3: ['true'], q4: ['b', 'c', 'a'], q5: ['b'] },
    });
  });

  it('keeps ordering answers in the chosen order with the keyboard', async () => {
    const calls = fakeApi(replies({ 'POST /attempts/att1/submit': json(200, result()) }));
    renderApp(PAGE);
    const user = await startAttempt();
    const ordering = group('Put these in order from least to most formal.');
    within(ordering).getByRole('button', { name: 'Move up: A peer-run group' }).focus();
    await user.keyboard('{Enter}');
    // Now c, at the top: its "Move up" can't go further, so focus moved to its "Move down".
    await user.keyboard('{Enter}');
    expect(within(ordering).getByRole('button', { name: 'Move down: A peer-run group' })).toHaveFocus();
    await user.keyboard(' ');
    await user.click(screen.getByRole('button', { name: 'Submit answers' }));
    const submit = calls.find((c) => c.path === '/attempts/att1/submit');
    expect((submit?.body as { answers: Record<string, string[]> }).answers.q4).toEqual(['a', 'c', 'b']);
  });

  it('saves progress a moment after answering', async () => {
    const calls = fakeApi(replies({ 'PUT /attempts/att1/answers': json(200, attempt()) }));
    renderApp(PAGE);
    await startAttempt();
    vi.useFakeTimers();
    fireEvent.click(within(group('Which question is the most useful to ask yourself?')).getByLabelText('Who is this for?'));
    fireEvent.click(within(group('Which are good reasons to share?')).getByLabelText('Making change seem possible'));
    act(() => vi.advanceTimersByTime(SAVE_MS - 1));
    expect(calls.filter((c) => c.method === 'PUT')).toHaveLength(0);
    act(() => vi.advanceTimersByTime(1));
    const puts = calls.filter((c) => c.method === 'PUT');
    expect(puts).toHaveLength(1);
    expect(puts[0]?.body).toEqual({ answers: { q1: ['b'], q2: ['c'] } });
    vi.useRealTimers();
    expect(await screen.findByText(/^Progress saved at /)).toBeInTheDocument();
  });

  it('shows the result with the review, and moves focus to it', async () => {
    fakeApi(replies({ 'POST /attempts/att1/submit': json(200, result()) }));
    renderApp(PAGE);
    const user = await startAttempt();
    await user.click(within(group('Which question is the most useful to ask yourself?')).getByLabelText('Will this make me seem credible?'));
    await user.click(screen.getByRole('button', { name: 'Submit answers' }));

    const heading = await screen.findByRole('heading', { level: 2, name: 'Your result' });
    expect(heading).toHaveFocus();
    expect(screen.getByText('40%')).toBeInTheDocument();
    expect(screen.getByText('Not passed this time')).toBeInTheDocument();
    expect(screen.getByText(/The pass mark is 80%/)).toBeInTheDocument();
    expect(screen.getByText('You have 2 attempts left.')).toBeInTheDocument();
    expect(screen.queryByText(/Your certificate/)).toBeNull();
    expect(screen.getByRole('button', { name: 'Start another attempt' })).toBeInTheDocument();

    const review = screen.getByRole('region', { name: 'Review your answers' });
    const items = within(review).getAllByRole('listitem').filter((li) => li.classList.contains('review-item'));
    expect(items).toHaveLength(2);
    const [one, two] = items as [HTMLElement, HTMLElement];
    expect(within(one).getByRole('heading', { name: 'Question 1: Which question is the most useful to ask yourself?' })).toBeInTheDocument();
    expect(within(one).getByText('✗ Not right')).toBeInTheDocument();
    expect(within(one).getByText('Your answer').nextElementSibling).toHaveTextContent('Will this make me seem credible?');
    expect(within(one).getByText('Correct answer').nextElementSibling).toHaveTextContent('Who is this for?');
    expect(within(one).getByText('The central test is whether the share serves the person.')).toBeInTheDocument();
    expect(within(two).getByText('◐ Partly right (50% credit)')).toBeInTheDocument();
    expect(within(two).getByText('Correct answer').nextElementSibling).toHaveTextContent(
      'Helping the person feel less aloneMaking change seem possible',
    );
  });

  it('says when the course is completed, and hides the review when the quiz does', async () => {
    fakeApi(
      replies({
        'POST /attempts/att1/submit': json(
          200,
          result({ score: 100, passed: true, attempts_left: 1, course_completed: true, review: null }),
        ),
      }),
    );
    renderApp(PAGE);
    const user = await startAttempt();
    await user.click(screen.getByRole('button', { name: 'Submit answers' }));
    expect(await screen.findByText('Passed ✓')).toBeInTheDocument();
    expect(screen.getByText('You have completed Storytelling with purpose.')).toBeInTheDocument();
    const line = screen.getByText(/Your certificate is being prepared/);
    expect(line).toHaveTextContent('Your certificate is being prepared — it will appear under Certificates in a moment.');
    expect(within(line).getByRole('link', { name: 'Certificates' })).toHaveAttribute('href', '/certificates');
    expect(screen.queryByRole('region', { name: 'Review your answers' })).toBeNull();
    expect(screen.getByText("This quiz doesn't show the answers after an attempt.")).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Start another attempt' })).toBeNull();
  });

  it('shows a 409 clearly', async () => {
    fakeApi(
      replies({ 'POST /attempts/att1/submit': apiError(409, 'conflict', 'This attempt has already been submitted.') }),
    );
    renderApp(PAGE);
    const user = await startAttempt();
    await user.click(screen.getByRole('button', { name: 'Submit answers' }));
    const alert = await screen.findByText(/This attempt has already been submitted\./);
    expect(alert.closest('[role="alert"]')).not.toBeNull();
    expect(screen.getByRole('button', { name: 'See your result' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Submit answers' })).toBeNull();
  });

  it('shows a 400 next to the question it names', async () => {
    fakeApi(
      replies({
        'POST /attempts/att1/submit': apiError(400, 'invalid', 'Check the highlighted questions.', {
          'answers.q2': 'Choose options from this question.',
        }),
      }),
    );
    renderApp(PAGE);
    const user = await startAttempt();
    await user.click(screen.getByRole('button', { name: 'Submit answers' }));
    const message = await screen.findByText('Check the highlighted questions. See question 2.');
    expect(message.closest('[role="alert"]')).not.toBeNull();
    expect(group('Which are good reasons to share?')).toHaveAccessibleDescription(
      'Select all that apply. Error: Choose options from this question.',
    );
  });

  it('says when it picks up an attempt already open, with its saved answers', async () => {
    fakeApi(
      replies({
        [`POST /quizzes/${QUIZ}/attempts`]: json(200, attempt({ answers: { q1: ['b'], q4: ['c', 'b', 'a'] } })),
      }),
    );
    renderApp(PAGE);
    await startAttempt();
    expect(screen.getByText(/picked it up where you left off/)).toBeInTheDocument();
    expect(within(group('Which question is the most useful to ask yourself?')).getByLabelText('Who is this for?')).toBeChecked();
    const ordering = group('Put these in order from least to most formal.');
    expect(within(ordering).getAllByRole('listitem').map((li) => li.querySelector('.ordering-text')?.textContent)).toEqual([
      'A peer-run group',
      'Friends supporting each other',
      'A paid peer worker role',
    ]);
  });

  it('says so when there are no attempts left', async () => {
    fakeApi(replies({ [`POST /quizzes/${QUIZ}/attempts`]: apiError(409, 'conflict', 'No attempts left.') }));
    renderApp(PAGE);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Start attempt' }));
    const alert = await screen.findByText(/No attempts left\. You have no attempts left for this quiz\./);
    expect(alert.closest('[role="alert"]')).not.toBeNull();
  });
});

describe('Timed quiz', () => {
  it('shows the result graded with the saved answers when time is up', { timeout: 15_000 }, async () => {
    const deadline = new Date(Date.now() + 4000).toISOString();
    const timed = attempt({
      deadline_at: deadline,
      quiz: { ...attempt().quiz, time_limit_minutes: 10 },
    });
    fakeApi(
      replies({
        [`POST /quizzes/${QUIZ}/attempts`]: json(201, timed),
        'GET /attempts/att1': json(200, {
          ...timed,
          submitted_at: deadline,
          result: result({ timed_out: true }),
        }),
      }),
    );
    renderApp(PAGE);
    await startAttempt();
    expect(screen.getByText(/^Time left:/)).toBeInTheDocument();
    const heading = await screen.findByRole('heading', { level: 2, name: 'Your result' }, { timeout: 9000 });
    expect(heading).toHaveFocus();
    expect(screen.getByText('Time ran out, so this attempt was graded with the answers saved by then.')).toBeInTheDocument();
  });
});

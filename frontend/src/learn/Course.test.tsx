import { screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeApi, json, person, renderApp } from '../testing';
import { certificate } from '../certificates/testdata';
import { courseDetail } from './testdata';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('Course page', () => {
  it('shows progress in words on a real progress bar, and what is still required', async () => {
    fakeApi({
      'GET /me': json(200, person()),
      'GET /courses/storytelling-with-purpose': json(200, courseDetail()),
    });
    renderApp('/learn/storytelling-with-purpose');
    expect(await screen.findByRole('heading', { level: 1, name: 'Storytelling with purpose' })).toBeInTheDocument();
    expect(document.title).toBe('Storytelling with purpose · Peerpath');

    const bar = screen.getByRole('progressbar', { name: '3 of 5 modules read, 1 of 5 quizzes passed' });
    expect(bar.tagName).toBe('PROGRESS');
    expect(bar).toHaveAttribute('value', '40');
    expect(bar).toHaveAttribute('max', '100');

    const required = screen.getByRole('list', { name: 'Still required' });
    expect(within(required).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'Read "Knowing and shaping your story"',
      'Pass "Check your understanding: why we share"',
    ]);

    expect(screen.getByText('New and experienced peer workers.')).toBeInTheDocument();
    expect(screen.getByText('CHCPWK003')).toBeInTheDocument();
    expect(screen.getByText('In progress')).toBeInTheDocument();
  });

  it('lists the modules with their state and links to the reader and the quiz', async () => {
    fakeApi({
      'GET /me': json(200, person()),
      'GET /courses/storytelling-with-purpose': json(
        200,
        courseDetail({ scenarios: [{ id: 'storytelling-with-purpose.first-meeting', title: 'A first meeting' }] }),
      ),
    });
    renderApp('/learn/storytelling-with-purpose');
    const modules = await screen.findByRole('region', { name: 'Modules' });
    const items = within(modules).getAllByRole('listitem').filter((li) => li.classList.contains('module-item'));
    expect(items).toHaveLength(2);
    const [first, second] = items as [HTMLElement, HTMLElement];
    expect(within(first).getByRole('link', { name: 'Why we share' })).toHaveAttribute(
      'href',
      '/learn/storytelling-with-purpose/why-we-share',
    );
    expect(within(first).getByText('Read ✓')).toBeInTheDocument();
    expect(within(first).getByText('About 15 minutes')).toBeInTheDocument();
    expect(within(first).getByText('Has a content warning')).toBeInTheDocument();
    expect(within(first).getByRole('link', { name: 'Check your understanding: why we share' })).toHaveAttribute(
      'href',
      '/learn/storytelling-with-purpose/quiz/why-we-share',
    );
    expect(within(first).getByText('Passed ✓')).toBeInTheDocument();
    expect(within(first).getByText('(2 of 3 attempts used)')).toBeInTheDocument();
    expect(within(second).getByText('Not read yet')).toBeInTheDocument();

    const practise = screen.getByRole('region', { name: 'Practise decisions' });
    expect(within(practise).getByRole('link', { name: 'A first meeting' })).toHaveAttribute(
      'href',
      '/learn/storytelling-with-purpose/scenario/first-meeting',
    );
  });

  it('has no practice section without scenarios', async () => {
    fakeApi({
      'GET /me': json(200, person()),
      'GET /courses/storytelling-with-purpose': json(200, courseDetail()),
    });
    renderApp('/learn/storytelling-with-purpose');
    await screen.findByRole('region', { name: 'Modules' });
    expect(screen.queryByRole('region', { name: 'Practise decisions' })).toBeNull();
  });

  it('shows the completed state with its date', async () => {
    fakeApi({
      'GET /me': json(200, person()),
      'GET /courses/storytelling-with-purpose': json(
        200,
        courseDetail({
          status: 'completed',
          percent: 100,
          completed_at: '2026-11-20T09:00:00Z',
          still_required: [],
          progress: { modules_done: 5, modules_total: 5, quizzes_passed: 5, quizzes_total: 5, percent: 100 },
        }),
      ),
    });
    renderApp('/learn/storytelling-with-purpose');
    expect(await screen.findByText(/You completed this course/)).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: '5 of 5 modules read, 5 of 5 quizzes passed' })).toHaveAttribute(
      'value',
      '100',
    );
    expect(screen.queryByRole('list', { name: 'Still required' })).toBeNull();
    const time = document.querySelector('time[datetime="2026-11-20T09:00:00Z"]');
    expect(time).not.toBeNull();
    // No certificate yet: it is on its way.
    const line = await screen.findByText(/Your certificate is being prepared/);
    expect(line).toHaveTextContent(
      'Your certificate is being prepared — it will appear under Certificates in a moment.',
    );
    expect(within(line).getByRole('link', { name: 'Certificates' })).toHaveAttribute('href', '/certificates');
  });

  it('says the certificate is ready once it is issued', async () => {
    fakeApi({
      'GET /me': json(200, person()),
      'GET /courses/storytelling-with-purpose': json(
        200,
        courseDetail({ status: 'completed', percent: 100, completed_at: '2026-11-20T09:00:00Z', still_required: [] }),
      ),
      'GET /me/certificates': json(200, { items: [certificate()] }),
    });
    renderApp('/learn/storytelling-with-purpose');
    const line = await screen.findByText(/Your certificate is ready/);
    expect(within(line).getByRole('link', { name: 'Certificates' })).toHaveAttribute('href', '/certificates');
    expect(screen.queryByText(/being prepared/)).toBeNull();
  });

  it('says nothing about certificates before the course is completed', async () => {
    const calls = fakeApi({
      'GET /me': json(200, person()),
      'GET /courses/storytelling-with-purpose': json(200, courseDetail()),
    });
    renderApp('/learn/storytelling-with-purpose');
    await screen.findByRole('region', { name: 'Modules' });
    expect(screen.queryByText(/Your certificate/)).toBeNull();
    expect(calls.some((c) => c.path === '/me/certificates')).toBe(false);
  });

  it('says when a course is not found', async () => {
    fakeApi({
      'GET /me': json(200, person()),
      'GET /courses/nope': apiError(404, 'not_found', 'No such course.'),
    });
    renderApp('/learn/nope');
    expect(await screen.findByRole('heading', { level: 1, name: "We couldn't find that course" })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Back to My learning' })).toHaveAttribute('href', '/learn');
  });
});

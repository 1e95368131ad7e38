import { screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeApi, json, person, renderApp } from '../testing';
import { courseCard } from './testdata';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('My learning', () => {
  it('shows assigned courses first, then the catalogue', async () => {
    fakeApi({
      'GET /me': json(200, person()),
      'GET /courses': json(200, {
        assigned: [
          courseCard({ status: 'overdue', percent: 20, due_at: '2026-01-10T00:00:00Z' }),
          courseCard({
            slug: 'boundaries-in-peer-work',
            title: 'Boundaries in peer work',
            status: 'completed',
            percent: 100,
          }),
        ],
        catalogue: [
          courseCard({
            slug: 'our-own-course',
            title: 'Our own course',
            status: 'not_started',
            percent: 0,
            due_at: null,
            organisation_course: true,
          }),
        ],
      }),
    });
    renderApp('/learn');
    expect(screen.getByRole('status')).toHaveTextContent('Loading');
    const assigned = await screen.findByRole('region', { name: 'Assigned to you' });
    const catalogue = screen.getByRole('region', { name: 'Catalogue' });
    expect(document.title).toBe('My learning · Peerpath');
    // Assigned comes before the catalogue in the page.
    expect(assigned.compareDocumentPosition(catalogue) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();

    const items = within(assigned).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    const first = items[0] as HTMLElement;
    expect(within(first).getByRole('link', { name: 'Storytelling with purpose' })).toHaveAttribute(
      'href',
      '/learn/storytelling-with-purpose',
    );
    expect(within(first).getByText('Overdue')).toBeInTheDocument();
    expect(within(first).getByText('20% complete')).toBeInTheDocument();
    expect(within(first).getByRole('progressbar', { name: '20% complete' })).toHaveAttribute('value', '20');
    expect(within(first).getByText('Due')).toBeInTheDocument();
    expect(within(items[1] as HTMLElement).getByText('Completed')).toBeInTheDocument();

    expect(within(catalogue).getByRole('link', { name: 'Our own course' })).toBeInTheDocument();
    expect(within(catalogue).getByText('Not started')).toBeInTheDocument();
    expect(within(catalogue).getByText('Your organisation')).toBeInTheDocument();
    expect(within(catalogue).queryByRole('progressbar')).toBeNull();
  });

  it('says so when nothing is assigned and the catalogue is empty', async () => {
    fakeApi({
      'GET /me': json(200, person()),
      'GET /courses': json(200, { assigned: [], catalogue: [] }),
    });
    renderApp('/learn');
    const assigned = await screen.findByRole('region', { name: 'Assigned to you' });
    expect(within(assigned).getByText(/Nothing has been assigned to you yet/)).toBeInTheDocument();
    const catalogue = screen.getByRole('region', { name: 'Catalogue' });
    expect(within(catalogue).getByText(/no other courses/)).toBeInTheDocument();
  });

  it('offers to try again when the courses could not be loaded', async () => {
    fakeApi({
      'GET /me': json(200, person()),
      'GET /courses': apiError(503, 'unavailable', 'Down for a moment.'),
    });
    renderApp('/learn');
    expect(await screen.findByText('Down for a moment.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });
});

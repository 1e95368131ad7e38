import { screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeApi, json, person, renderApp } from '../testing';
import { feedback } from './testdata';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('Debrief', () => {
  it('shows loading first', async () => {
    fakeApi({
      'GET /me': json(200, person()),
      'GET /roleplay/sessions/s1/feedback': (() => new Promise(() => {})) as unknown as () => Response,
    });
    renderApp('/roleplay/s1/debrief');
    expect(await screen.findByText('Loading the debrief…')).toBeInTheDocument();
  });

  it('draws the scores as a chart with a table alternative, and lists the feedback', async () => {
    fakeApi({ 'GET /me': json(200, person()), 'GET /roleplay/sessions/s1/feedback': json(200, feedback) });
    renderApp('/roleplay/s1/debrief');
    expect(await screen.findByRole('heading', { level: 1, name: 'Debrief: Boundaries practice' })).toBeInTheDocument();
    const chart = screen.getByRole('img', { name: /Group 1: mean observer score per criterion/ });
    expect(chart).toHaveAccessibleDescription(/Reflective listening: 3.5 from 2/);
    const table = screen.getByRole('table', { name: 'Group 1: mean observer scores' });
    const row = within(table).getByRole('row', { name: /Reflective listening/ });
    expect(within(row).getByText('3.5')).toBeInTheDocument();
    expect(screen.getByText('You kept the focus on Jordan.')).toBeInTheDocument();
    expect(screen.getByText(/Reflective listening: 3 out of 4/)).toBeInTheDocument();
  });

  it('has empty states', async () => {
    fakeApi({
      'GET /me': json(200, person()),
      'GET /roleplay/sessions/s1/feedback': json(200, { ...feedback, rows: [], debrief: [] }),
    });
    renderApp('/roleplay/s1/debrief');
    expect(await screen.findByText('No observer scores were recorded in this session.')).toBeInTheDocument();
    expect(screen.getByText('No feedback to show yet.')).toBeInTheDocument();
  });

  it('shows errors', async () => {
    fakeApi({
      'GET /me': json(200, person()),
      'GET /roleplay/sessions/s1/feedback': apiError(500, 'internal', 'Internal error.'),
    });
    renderApp('/roleplay/s1/debrief');
    expect(await screen.findByRole('alert')).toHaveTextContent('Internal error.');
  });
});

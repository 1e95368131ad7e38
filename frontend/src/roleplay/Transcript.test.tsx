import { fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeApi, json, person, renderApp } from '../testing';
import type { TranscriptLine } from './api';
import { feedback } from './testdata';

afterEach(() => {
  vi.unstubAllGlobals();
});

const line = (seq: number, name: string, text: string, group?: string): TranscriptLine => ({
  seq,
  at: `2026-03-08T21:0${seq % 10}:00Z`,
  from: { id: `p-${name}`, name },
  ...(group ? { group_id: group, channel: 'group' as const } : { channel: 'session' as const }),
  text,
});

const transcript = 'GET /roleplay/sessions/s1/transcript';

describe('Debrief transcript', () => {
  it('groups the lines by channel, with names and times, and loads more', async () => {
    const calls = fakeApi({
      'GET /me': json(200, person()),
      'GET /roleplay/sessions/s1/feedback': json(200, feedback),
      [transcript]: json(200, {
        items: [line(1, 'Tomás Reyes', 'Welcome, everyone.'), line(2, 'Sam Okafor', 'Hello group one.', 'g1')],
        next_cursor: 'c1',
      }),
      [`${transcript}?cursor=c1`]: json(200, {
        items: [line(3, 'Priya Nair', 'Hello group two.', 'g2'), line(4, 'Sam Okafor', 'Thanks, all.')],
      }),
    });
    renderApp('/roleplay/s1/debrief');
    const section = await screen.findByRole('region', { name: 'Transcript' });
    const everyone = await within(section).findByRole('list', { name: 'Messages: Everyone in the session' });
    expect(within(everyone).getAllByRole('listitem')).toHaveLength(1);
    expect(within(everyone).getByText('Tomás Reyes')).toBeInTheDocument();
    expect(within(everyone).getByText('Welcome, everyone.')).toBeInTheDocument();
    const time = everyone.querySelector('time');
    expect(time).toHaveAttribute('dateTime', '2026-03-08T21:01:00Z');
    const group1 = within(section).getByRole('list', { name: 'Messages: Group 1' });
    expect(within(group1).getByText('Hello group one.')).toBeInTheDocument();
    expect(within(section).queryByRole('list', { name: 'Messages: Group 2' })).not.toBeInTheDocument();
    expect(within(section).getByText(/those of the groups you were in/)).toBeInTheDocument();

    fireEvent.click(within(section).getByRole('button', { name: 'Load more' }));
    const group2 = await within(section).findByRole('list', { name: 'Messages: Group 2' });
    expect(within(group2).getByText('Hello group two.')).toBeInTheDocument();
    const after = within(section).getByRole('list', { name: 'Messages: Everyone in the session' });
    expect(within(after).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      expect.stringContaining('Welcome, everyone.'),
      expect.stringContaining('Thanks, all.'),
    ]);
    expect(within(section).queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
    expect(calls.filter((c) => c.path.startsWith('/roleplay/sessions/s1/transcript')).map((c) => c.path)).toEqual([
      '/roleplay/sessions/s1/transcript',
      '/roleplay/sessions/s1/transcript?cursor=c1',
    ]);
  });

  it('says when no transcript was kept', async () => {
    fakeApi({
      'GET /me': json(200, person()),
      'GET /roleplay/sessions/s1/feedback': json(200, feedback),
      [transcript]: apiError(404, 'not_kept', 'No transcript was kept for this session.'),
    });
    renderApp('/roleplay/s1/debrief');
    const section = await screen.findByRole('region', { name: 'Transcript' });
    expect(await within(section).findByText(/^No transcript was kept\./)).toBeInTheDocument();
    expect(within(section).queryByRole('list')).not.toBeInTheDocument();
  });

  it('shows the reason when the reader may not read it', async () => {
    fakeApi({
      'GET /me': json(200, person()),
      'GET /roleplay/sessions/s1/feedback': json(200, feedback),
      [transcript]: apiError(404, 'not_found', 'Only the people who took part in a session can read its transcript.'),
    });
    renderApp('/roleplay/s1/debrief');
    const section = await screen.findByRole('region', { name: 'Transcript' });
    expect(await within(section).findByText(/Only the people who took part/)).toBeInTheDocument();
    expect(within(section).queryByText(/No transcript was kept/)).not.toBeInTheDocument();
    expect(within(section).queryByRole('alert')).not.toBeInTheDocument();
  });

  it('shows an error with a retry', async () => {
    fakeApi({
      'GET /me': json(200, person()),
      'GET /roleplay/sessions/s1/feedback': json(200, feedback),
      [transcript]: apiError(500, 'internal', 'Internal error.'),
    });
    renderApp('/roleplay/s1/debrief');
    const section = await screen.findByRole('region', { name: 'Transcript' });
    expect(await within(section).findByRole('alert')).toHaveTextContent('Internal error.');
    expect(within(section).getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });
});

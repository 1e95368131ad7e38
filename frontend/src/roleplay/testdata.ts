import type { CardView, SessionDetail, SessionFeedback, SessionSummary } from './api';

export const summary: SessionSummary = {
  id: 's1',
  title: 'Boundaries practice',
  starts_at: '2026-03-08T21:00:00Z',
  ends_at: '2026-03-08T22:30:00Z',
  time_zone: 'Pacific/Auckland',
  state: 'scheduled',
  trainer: { id: 't1', name: 'Tomás Reyes' },
  invitee_count: 3,
  you_are: 'invitee',
};

export const card: CardView = {
  id: 'RP-01',
  title: 'Have you been in here?',
  setting: 'Mental health, inpatient, first contact',
  content_warning: 'Involuntary treatment and distress.',
  shared: 'Jordan, 24, came into an inpatient unit two days ago.',
  rubric: ['Reflective listening', 'Purposeful sharing'],
};

export const detail: SessionDetail = {
  ...summary,
  duration_minutes: 90,
  practice_seconds: 600,
  feedback_seconds: 180,
  transcript_allowed: false,
  invitees: [
    { id: 'p1', name: 'Sam Okafor' },
    { id: 'p2', name: 'Priya Nair' },
  ],
  cards: [card],
};

export const feedback: SessionFeedback = {
  session: { ...summary, state: 'ended' },
  rows: [
    {
      round: 1,
      phase: 'feedback.observer',
      group_id: 'g1',
      from: { id: 'p2', name: 'Priya Nair' },
      seat: 'observer',
      about: { id: 'p1', name: 'Sam Okafor' },
      scores: [{ criterion_id: 'R1', title: 'Reflective listening', score: 3 }],
      comment: 'You kept the focus on Jordan.',
      submitted_at: '2026-03-08T21:20:00Z',
    },
  ],
  debrief: [
    {
      group_id: 'g1',
      criteria: [
        { criterion_id: 'R1', title: 'Reflective listening', mean: 3.5, count: 2 },
        { criterion_id: 'R2', title: 'Purposeful sharing', mean: 2, count: 2 },
      ],
    },
  ],
};

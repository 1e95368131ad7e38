// Sample API answers for the learning pages' unit tests, shaped as docs/api.md describes them.
import type { Attempt, CourseCard, CourseDetail, ModuleView, QuizResult, ScenarioView } from '../api';

export function courseCard(overrides: Partial<CourseCard> = {}): CourseCard {
  return {
    slug: 'storytelling-with-purpose',
    title: 'Storytelling with purpose',
    summary: 'Learn to use your lived experience deliberately and safely.',
    estimated_hours: 4,
    status: 'in_progress',
    percent: 40,
    due_at: '2026-12-01T00:00:00Z',
    organisation_course: false,
    ...overrides,
  };
}

export function courseDetail(overrides: Partial<CourseDetail> = {}): CourseDetail {
  return {
    ...courseCard(),
    audience: 'New and experienced peer workers.',
    version: 1,
    competencies: ['CHCPWK003', 'SAMHSA Cat.3'],
    completion: { modules: 'all', quizzes: 'all', roleplay: false },
    progress: { modules_done: 3, modules_total: 5, quizzes_passed: 1, quizzes_total: 5, percent: 40 },
    still_required: ['Read "Knowing and shaping your story"', 'Pass "Check your understanding: why we share"'],
    completed_at: null,
    modules: [
      {
        slug: 'why-we-share',
        title: 'Why we share',
        minutes: 15,
        completed: true,
        content_warning: 'Mentions a hospital admission.',
        tags: ['CHCPWK003 El.1'],
        quiz: {
          id: 'storytelling-with-purpose.why-we-share',
          title: 'Check your understanding: why we share',
          passed: true,
          attempts_used: 2,
          attempts_allowed: 3,
        },
      },
      {
        slug: 'knowing-and-shaping-your-story',
        title: 'Knowing and shaping your story',
        minutes: 20,
        completed: false,
        content_warning: null,
        tags: [],
        quiz: null,
      },
    ],
    scenarios: [],
    ...overrides,
  };
}

export function moduleView(overrides: Partial<ModuleView> = {}): ModuleView {
  return {
    course: { slug: 'storytelling-with-purpose', title: 'Storytelling with purpose' },
    slug: 'why-we-share',
    title: 'Why we share',
    minutes: 14,
    objectives: ['Name four purposes of sharing.'],
    tags: ['CHCPWK003 El.1', 'SAMHSA Cat.3'],
    content_warning: 'Worked examples mention a hospital admission.',
    html: '<p>Most jobs ask you to leave your private history at the door.</p><h2>Your experience is part of the job</h2>',
    completed: false,
    prev: null,
    next: { slug: 'knowing-and-shaping-your-story', title: 'Knowing and shaping your story' },
    reflection: [
      { id: 'r1', prompt: 'Think of a time someone’s story helped you.' },
      { id: 'r2', prompt: 'Which pull do you expect to feel most often?' },
    ],
    quiz: { id: 'storytelling-with-purpose.why-we-share', title: 'Check your understanding: why we share', passed: false },
    ...overrides,
  };
}

export function attempt(overrides: Partial<Attempt> = {}): Attempt {
  return {
    id: 'att1',
    quiz: {
      id: 'storytelling-with-purpose.why-we-share',
      title: 'Check your understanding: why we share',
      pass_mark: 80,
      time_limit_minutes: 0,
      review: true,
    },
    course: { slug: 'storytelling-with-purpose', title: 'Storytelling with purpose' },
    number: 1,
    attempts_allowed: 3,
    started_at: '2026-11-24T10:00:00Z',
    deadline_at: null,
    submitted_at: null,
    questions: [
      {
        id: 'q1',
        kind: 'single',
        prompt: 'Which question is the most useful to ask yourself?',
        options: [
          { id: 'a', text: 'Will this make me seem credible?' },
          { id: 'b', text: 'Who is this for?' },
        ],
      },
      {
        id: 'q2',
        kind: 'multiple',
        prompt: 'Which are good reasons to share?',
        options: [
          { id: 'a', text: 'Helping the person feel less alone' },
          { id: 'b', text: 'Showing you have been through more' },
          { id: 'c', text: 'Making change seem possible' },
        ],
      },
      {
        id: 'q3',
        kind: 'true_false',
        prompt: 'Peer workers must answer every question about their past.',
        options: [],
      },
      {
        id: 'q4',
        kind: 'ordering',
        prompt: 'Put these in order from least to most formal.',
        options: [
          { id: 'a', text: 'A paid peer worker role' },
          { id: 'b', text: 'Friends supporting each other' },
          { id: 'c', text: 'A peer-run group' },
        ],
      },
      {
        id: 'q5',
        kind: 'scenario',
        scenario: 'Ahmed has gone quiet and is looking at the floor.',
        prompt: 'What is the best thing to do now?',
        options: [
          { id: 'a', text: 'Finish your story quickly' },
          { id: 'b', text: 'Stop and ask what is coming up for him' },
        ],
      },
    ],
    answers: {},
    result: null,
    ...overrides,
  };
}

export function result(overrides: Partial<QuizResult> = {}): QuizResult {
  return {
    score: 40,
    passed: false,
    pass_mark: 80,
    attempts_used: 1,
    attempts_left: 2,
    timed_out: false,
    course_completed: false,
    review: [
      {
        question_id: 'q1',
        correct: false,
        credit: 0,
        answer: ['a'],
        correct_answer: ['b'],
        feedback: 'The central test is whether the share serves the person.',
      },
      {
        question_id: 'q2',
        correct: false,
        credit: 0.5,
        answer: ['a'],
        correct_answer: ['a', 'c'],
        feedback: 'Purposeful sharing points towards the person.',
      },
    ],
    ...overrides,
  };
}

export function scenarioView(overrides: Partial<ScenarioView> = {}): ScenarioView {
  return {
    id: 'boundaries-in-peer-work.gifts-and-goodbyes',
    title: 'Twenty dollars and a watch',
    summary: 'A man you support asks to borrow money.',
    content_warning: 'Mentions money hardship.',
    course: { slug: 'boundaries-in-peer-work', title: 'Boundaries in peer work' },
    start: {
      id: 'n1',
      text: 'You have been visiting **Len**, 58.\n\n"Could you lend me twenty bucks?"',
      choices: [
        { id: 'c1', text: 'Sort something out together.' },
        { id: 'c2', text: 'Hand him a twenty.' },
      ],
    },
    run: null,
    ...overrides,
  };
}

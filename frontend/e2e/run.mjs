// Browser end-to-end tests: the built app, served by a running peerpath server with the demo data,
// driven in the system's Chromium through playwright-core. Every page visited gets a screenshot in
// e2e/screenshots/ and an axe-core accessibility check.
//
//   PEERPATH_URL=http://127.0.0.1:18080 npm run e2e
//
// CHROMIUM names the browser binary (default /usr/bin/chromium).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import YAML from 'yaml';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const shots = path.join(here, 'screenshots');
const content = path.join(here, '..', '..', 'courses', 'content');
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const BASE = (process.env.PEERPATH_URL || 'http://127.0.0.1:18080').replace(/\/+$/, '');
const DEMO_PASSWORD = 'peerpath-demo-2026';
const ORG = 'Riverside Peer Network';
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

const tests = [];
function test(name, fn) {
  tests.push({ name, fn });
}

// ---------------------------------------------------------------- helpers

/** check screenshots the page as it is now and fails on any axe violation. */
async function check(page, name) {
  await page.waitForFunction(() => !document.querySelector('.loading'), null, { timeout: 10_000 });
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  const hasAxe = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!hasAxe) await page.evaluate(axeSource);
  const result = await page.evaluate(
    (values) => window.axe.run(document, { runOnly: { type: 'tag', values } }),
    AXE_TAGS,
  );
  if (result.violations.length > 0) {
    const lines = result.violations.map(
      (v) =>
        `  [${v.impact}] ${v.id}: ${v.help}\n` +
        v.nodes.map((n) => `      ${n.target.join(' ')}\n        ${n.failureSummary?.replace(/\n/g, '\n        ')}`).join('\n'),
    );
    throw new Error(`axe found ${result.violations.length} violation(s) on ${name} (${page.url()}):\n${lines.join('\n')}`);
  }
  const title = await page.title();
  assert.ok(title.endsWith('Peerpath'), `${name}: document.title ${JSON.stringify(title)} should name the page`);
  const h1s = await page.locator('h1').count();
  assert.equal(h1s, 1, `${name}: want exactly one h1, got ${h1s}`);
}

async function heading(page, name) {
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

async function signedInHome(page, name) {
  await heading(page, 'Welcome to Peerpath');
  const line = page.locator('main p.signed-in-as');
  await line.waitFor();
  const text = (await line.innerText()).trim();
  if (name !== undefined) assert.equal(text, `Signed in as ${name}`);
  return text.replace(/^Signed in as /, '');
}

async function signIn(page, email, password) {
  await page.goto('/login');
  await heading(page, 'Sign in');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function signOut(page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await heading(page, 'Sign in');
  assert.equal(new URL(page.url()).pathname, '/login');
}

/** mailIDs lists the ids of the messages to an address, newest first, through the API. */
async function mailIDs(page, address, subject = '') {
  const res = await page.request.get('/api/v1/dev/mail');
  assert.equal(res.status(), 200, `GET /api/v1/dev/mail answered ${res.status()}`);
  const body = await res.json();
  return body.items
    .filter((m) => m.to.toLowerCase().includes(address.toLowerCase()) && m.subject.includes(subject))
    .map((m) => m.id);
}

/**
 * openNewestMail opens the mailbox page, waits for a message to the address that is not one of
 * `seen` (mail goes out through the job queue, so it may take a moment), and opens it.
 */
async function openNewestMail(page, address, seen, shotName, subject = '') {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ids = await mailIDs(page, address, subject);
    if (ids.some((id) => !seen.includes(id))) break;
    if (Date.now() > deadline) throw new Error(`no new mail to ${address} within 30 s`);
    await page.waitForTimeout(500);
  }
  await page.goto('/dev/mail');
  await heading(page, 'Development mailbox');
  await page.locator('table').waitFor();
  await check(page, shotName);
  // The list is newest first: the first row to the address is the newest message.
  // Other mail (a reminder digest, say) may reach the same person meanwhile: match the subject.
  const row = page.locator('tbody tr', { hasText: address }).filter({ hasText: subject }).first();
  await row.getByRole('link').click();
  await page.locator('pre.mail-text').waitFor();
  await check(page, `${shotName}-message`);
}

async function followMailLink(page, pathPart) {
  const link = page.locator('pre.mail-text a', { hasText: pathPart }).first();
  const href = await link.getAttribute('href');
  assert.ok(href && href.includes(pathPart), `the mail should hold a link containing ${pathPart}`);
  await link.click();
  return href;
}


/** readQuiz reads a quiz file of the shipped courses (docs/content-format.md). */
function readQuiz(course, file) {
  return YAML.parse(fs.readFileSync(path.join(content, course, 'quizzes', file), 'utf8'));
}

/** rightAnswer is the option ids that answer a quiz file's question correctly. */
function rightAnswer(q) {
  if (q.kind === 'true_false') return [String(q.answer)];
  return Array.isArray(q.answer) ? q.answer : [q.answer];
}

/** apiJSON checks an API answer's status and answers its body. */
async function apiJSON(res, want, what) {
  const status = res.status();
  if (!want.includes(status)) {
    throw new Error(`${what} answered ${status}, want ${want.join(' or ')}: ${await res.text()}`);
  }
  return res.json();
}

/** passQuizByApi starts an attempt at a quiz and submits the right answers, with the page's session. */
async function passQuizByApi(page, quizId, quiz) {
  const attempt = await apiJSON(
    await page.request.post(`/api/v1/quizzes/${encodeURIComponent(quizId)}/attempts`),
    [200, 201],
    `POST /quizzes/${quizId}/attempts`,
  );
  const answers = Object.fromEntries(quiz.questions.map((q) => [q.id, rightAnswer(q)]));
  const result = await apiJSON(
    await page.request.post(`/api/v1/attempts/${encodeURIComponent(attempt.id)}/submit`, { data: { answers } }),
    [200],
    `POST /attempts/${attempt.id}/submit`,
  );
  assert.ok(result.passed, `quiz ${quizId} should pass with the right answers, scored ${result.score}`);
  return result;
}

/** noSideScroll fails when the page is wider than its window (WCAG 1.4.10 reflow). */
async function noSideScroll(page, name) {
  const [scroll, client] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.clientWidth,
  ]);
  assert.ok(scroll <= client, `${name}: page is ${scroll}px wide in a ${client}px window`);
}

/** pdfText reads the text of a PDF with pdftotext (Debian's poppler-utils). */
function pdfText(file) {
  try {
    return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  } catch (err) {
    if (err && err.code === 'ENOENT') {
      throw new Error('pdftotext is missing: install poppler-utils (sudo apt-get install -y poppler-utils) to read the certificate PDF');
    }
    throw err;
  }
}

/** progressText says course progress as the course page does. */
function progressText(p) {
  const parts = [`${p.modules_done} of ${p.modules_total} ${p.modules_total === 1 ? 'module' : 'modules'} read`];
  if (p.quizzes_total > 0) {
    parts.push(`${p.quizzes_passed} of ${p.quizzes_total} ${p.quizzes_total === 1 ? 'quiz' : 'quizzes'} passed`);
  }
  return parts.join(', ');
}

/** focused describes the element that has keyboard focus. */
async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el) return {};
    return {
      tag: el.tagName,
      type: el.getAttribute('type') || '',
      name: el.getAttribute('name') || '',
      value: 'value' in el ? String(el.value) : '',
      checked: 'checked' in el ? Boolean(el.checked) : false,
      text: (el.textContent || '').replace(/\s+/g, ' ').trim(),
    };
  });
}

/** tabTo presses Tab until the focused element matches, as a keyboard user would. */
async function tabTo(page, what, matches, max = 120) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (matches(await focused(page))) return;
  }
  throw new Error(`Tab did not reach ${what} within ${max} presses`);
}

/** tabToButton presses Tab until a button or link with exactly this text has focus. */
async function tabToButton(page, text) {
  await tabTo(page, `"${text}"`, (f) => (f.tag === 'BUTTON' || f.tag === 'A') && f.text === text);
}

/**
 * answerQuiz answers every question of the attempt on screen with the keyboard only: Tab into each
 * group, arrow keys for radios, Space for checkboxes, Enter on "Move up" for ordering. want(q)
 * says the option ids to give for the quiz file's question q.
 */
async function answerQuiz(page, quiz, want) {
  const questions = await page.$$eval('.question', (els) =>
    els.map((el) => ({
      prompt: el.querySelector('legend')?.textContent?.trim() ?? '',
      inputs: [...el.querySelectorAll('input')].map((i) => ({ name: i.name, value: i.value, type: i.type })),
    })),
  );
  assert.equal(questions.length, quiz.questions.length, 'the attempt should show every question');
  for (const shown of questions) {
    const q = quiz.questions.find((x) => x.prompt.trim() === shown.prompt);
    assert.ok(q, `no question in the quiz file has the prompt ${JSON.stringify(shown.prompt)}`);
    const ids = want(q);
    if (q.kind === 'ordering') {
      await orderWithKeyboard(page, q, ids);
      continue;
    }
    const name = `q-${q.id}`;
    const values = shown.inputs.map((i) => i.value);
    await tabTo(page, `question ${q.id}`, (f) => f.tag === 'INPUT' && f.name === name);
    if (q.kind === 'multiple') {
      // Tab reaches the first checkbox; Space ticks; Tab moves to the next.
      for (let i = 0; i < values.length; i++) {
        const f = await focused(page);
        assert.equal(f.value, values[i]);
        if (ids.includes(f.value) !== f.checked) await page.keyboard.press('Space');
        if (i < values.length - 1) await page.keyboard.press('Tab');
      }
    } else {
      // A radio group is one Tab stop: Space picks the focused radio, arrows move and pick.
      const target = values.indexOf(ids[0]);
      assert.ok(target >= 0, `question ${q.id} has no option ${ids[0]}`);
      const at = values.indexOf((await focused(page)).value);
      if (target === at) await page.keyboard.press('Space');
      for (let i = at; i < target; i++) await page.keyboard.press('ArrowDown');
      for (let i = at; i > target; i--) await page.keyboard.press('ArrowUp');
    }
    const picked = await page.$$eval(`input[name="${name}"]:checked`, (els) => els.map((e) => e.value));
    assert.deepEqual([...picked].sort(), [...ids].sort(), `question ${q.id}: picked ${picked}, wanted ${ids}`);
  }
}

async function orderWithKeyboard(page, q, ids) {
  const textOf = new Map(q.options.map((o) => [o.id, o.text]));
  const idOf = new Map(q.options.map((o) => [o.text, o.id]));
  const list = page.locator('.question', { has: page.locator('legend', { hasText: q.prompt }) }).locator('.ordering-text');
  const current = async () => (await list.allTextContents()).map((t) => idOf.get(t.trim()));
  for (let p = 0; p < ids.length; p++) {
    const order = await current();
    const j = order.indexOf(ids[p]);
    if (j === p) continue;
    // Reach this item's "Move up" and press Enter until it stands at p: focus stays on the button.
    await tabTo(page, `Move up for ${ids[p]}`, (f) => f.tag === 'BUTTON' && f.text === `Move up: ${textOf.get(ids[p])}`);
    for (let k = j; k > p; k--) await page.keyboard.press('Enter');
    await page
      .getByRole('status')
      .filter({ hasText: `moved to position ${p + 1} of ${ids.length}` })
      .waitFor();
  }
  assert.deepEqual(await current(), ids, `question ${q.id} should be in the order ${ids}`);
}

// ---------------------------------------------------------------- tests

test('sign in and out', async (page) => {
  await page.goto('/login');
  await heading(page, 'Sign in');
  await check(page, 'login');
  assert.ok(await page.getByRole('link', { name: 'Forgot your password?' }).isVisible());

  await page.getByLabel('Email address').fill('trainee1@riverside.example');
  await page.getByLabel('Password', { exact: true }).fill('not the right password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: "don't match" }).waitFor();
  await check(page, 'login-error');

  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  const me = await (await page.request.get('/api/v1/me')).json();
  const name = await signedInHome(page, me.name);
  assert.ok(name.length > 0);
  await page.locator('main').getByText(ORG, { exact: true }).waitFor();
  await page.locator('main').getByText('trainee1@riverside.example').waitFor();
  await page.locator('main').getByRole('heading', { level: 3, name: 'My learning' }).waitFor();
  assert.equal((await page.locator('header .account-name').textContent())?.trim(), `Signed in as ${name}`);
  await check(page, 'home-trainee');

  await signOut(page);
  await check(page, 'login-after-sign-out');
  const res = await page.request.get('/api/v1/me');
  assert.equal(res.status(), 401, 'after signing out /me should answer 401');
});

test('sign in with the keyboard only', async (page) => {
  await page.goto('/login');
  await heading(page, 'Sign in');
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => document.activeElement?.textContent?.trim());
  assert.equal(first, 'Skip to main content', 'the first Tab stop should be the skip link');
  let onEmail = false;
  for (let i = 0; i < 10 && !onEmail; i++) {
    await page.keyboard.press('Tab');
    onEmail = await page.evaluate(() => document.activeElement?.getAttribute('type') === 'email');
  }
  assert.ok(onEmail, 'Tab should reach the email field');
  await page.keyboard.type('trainee1@riverside.example');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('autocomplete')), 'current-password');
  await page.keyboard.type(DEMO_PASSWORD);
  await page.keyboard.press('Enter');
  await signedInHome(page);
  await page.locator('main').getByText(ORG, { exact: true }).waitFor();
  await check(page, 'home-keyboard');
});

test('invite a person who then joins', async (page) => {
  const email = `newperson+${Date.now()}@riverside.example`;
  await signIn(page, 'admin@riverside.example', DEMO_PASSWORD);
  await signedInHome(page);
  await check(page, 'home-admin');

  await page.locator('main').getByRole('link', { name: 'People and invitations' }).click();
  await heading(page, 'People and invitations');
  await page.getByRole('heading', { level: 2, name: 'Pending invitations' }).waitFor();
  await check(page, 'org-invitations');

  assert.ok(await page.getByRole('checkbox', { name: 'Trainee' }).isChecked(), 'trainee is ticked by default');
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await page.getByRole('status').filter({ hasText: `Invitation sent to ${email}` }).waitFor();
  await page.locator('table tbody tr', { hasText: email }).waitFor();
  await check(page, 'org-invitations-sent');

  // The same email again is a conflict, shown next to the field.
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await page.locator('input[type=email][aria-invalid=true]').waitFor();
  await check(page, 'org-invitations-conflict');

  await signOut(page);

  await openNewestMail(page, email, [], 'dev-mail-invitation');
  const href = await followMailLink(page, '/invite/');
  assert.ok(href.startsWith(BASE), `invitation link ${href} should start with ${BASE}`);
  await heading(page, 'Set up your account');
  await page.locator('main').getByText(email).waitFor();
  await page.locator('main').getByText(ORG).first().waitFor();
  await check(page, 'invite');

  const password = `a new person passphrase ${Date.now()}`;
  await page.getByLabel('Your name').fill('New Person');
  await page.getByLabel('Choose a password').fill(password);
  await page.getByLabel('Type the password again').fill(password);
  await page.getByRole('button', { name: 'Create my account' }).click();
  await signedInHome(page, 'New Person');
  await page.locator('main').getByText(ORG, { exact: true }).waitFor();
  await check(page, 'home-new-person');

  // The link worked once.
  await page.goto(href);
  await heading(page, 'This invitation has expired or was already used');
  await check(page, 'invite-used');
});

test('reset a forgotten password', async (page) => {
  // trainee5, so the role-play test can still sign trainee1–3 in with the demo password.
  const email = 'trainee5@riverside.example';
  const seen = await mailIDs(page, email);

  await page.goto('/login');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await heading(page, 'Reset your password');
  await check(page, 'reset-request');
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await page.getByRole('status').filter({ hasText: "If an account exists for that email, we've sent a link" }).waitFor();
  await check(page, 'reset-sent');

  await openNewestMail(page, email, seen, 'dev-mail-reset', 'Reset your Peerpath password');
  const href = await followMailLink(page, '/reset/');
  await heading(page, 'Choose a new password');
  await check(page, 'reset-complete');

  const password = `trainee five passphrase ${Date.now()}`;
  await page.getByLabel('New password', { exact: true }).fill(password);
  await page.getByLabel('Type the new password again').fill(password);
  await page.getByRole('button', { name: 'Change my password' }).click();
  await heading(page, 'Your password has been changed');
  await check(page, 'reset-done');

  await page.getByRole('link', { name: 'Sign in', exact: true }).click();
  await heading(page, 'Sign in');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await signedInHome(page);
  await page.locator('main').getByText(email).waitFor();
  await check(page, 'home-after-reset');

  // The reset link worked once.
  await page.goto(href);
  await heading(page, 'Choose a new password');
  await page.getByLabel('New password', { exact: true }).fill(password + ' again');
  await page.getByLabel('Type the new password again').fill(password + ' again');
  await page.getByRole('button', { name: 'Change my password' }).click();
  await heading(page, 'This link has expired or was already used');
  await check(page, 'reset-used');
});

test('unknown pages and links', async (page) => {
  await page.goto('/no/such/page');
  await heading(page, 'Page not found');
  await check(page, 'not-found');

  await page.goto('/invite/doesnotexist');
  await heading(page, "We don't recognise this invitation link");
  await check(page, 'invite-unknown');

  await signIn(page, 'trainee1@riverside.example', DEMO_PASSWORD);
  await signedInHome(page);
  await page.goto('/org/invitations');
  await heading(page, "You don't have access to this page");
  await check(page, 'no-access');
});

test('reflows at 400% zoom without horizontal scrolling', async (page) => {
  // 1280 CSS pixels wide at 400% zoom is 320 CSS pixels.
  await page.setViewportSize({ width: 320, height: 256 });
  const noSideScroll = async (name) => {
    const [scroll, client] = await page.evaluate(() => [
      document.documentElement.scrollWidth,
      document.documentElement.clientWidth,
    ]);
    assert.ok(scroll <= client, `${name}: page is ${scroll}px wide in a ${client}px window`);
  };
  await page.goto('/login');
  await heading(page, 'Sign in');
  await noSideScroll('login');
  await check(page, 'zoom-login');

  await signIn(page, 'admin@riverside.example', DEMO_PASSWORD);
  await signedInHome(page);
  await noSideScroll('home');
  await check(page, 'zoom-home-admin');

  await page.goto('/org/invitations');
  await heading(page, 'People and invitations');
  await page.getByRole('heading', { level: 2, name: 'Pending invitations' }).waitFor();
  await noSideScroll('invitations');
  await check(page, 'zoom-org-invitations');

  await page.goto('/dev/mail');
  await heading(page, 'Development mailbox');
  await noSideScroll('mailbox');
  await check(page, 'zoom-dev-mail');
});

test('learn storytelling with the keyboard', async (page) => {
  const slug = 'storytelling-with-purpose';
  const quizFile = readQuiz(slug, '01-why-we-share.yaml');
  await signIn(page, 'trainee1@riverside.example', DEMO_PASSWORD);
  await signedInHome(page);
  const before = await (await page.request.get(`/api/v1/courses/${slug}`)).json();
  const first = before.modules[0];
  const expected = {
    ...before.progress,
    modules_done: before.progress.modules_done + (first.completed ? 0 : 1),
    quizzes_passed: before.progress.quizzes_passed + (first.quiz.passed ? 0 : 1),
  };

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My learning' }).click();
  await heading(page, 'My learning');
  await page.getByRole('heading', { level: 2, name: 'Assigned to you' }).waitFor();
  await page.getByRole('heading', { level: 2, name: 'Catalogue' }).waitFor();
  await check(page, 'learn-list');

  await page.getByRole('link', { name: 'Storytelling with purpose' }).click();
  await heading(page, 'Storytelling with purpose');
  await page.getByRole('progressbar', { name: progressText(before.progress) }).waitFor();
  await check(page, 'learn-course');

  await page.getByRole('link', { name: first.title }).click();
  await heading(page, first.title);
  // The content warning comes first, with a way out; the text only after continuing.
  await page.getByRole('heading', { level: 2, name: 'Content warning' }).waitFor();
  assert.ok(await page.getByRole('link', { name: 'Not now — back to the course' }).isVisible());
  assert.equal(await page.locator('.prose').count(), 0, 'the module text should wait behind the warning');
  await check(page, 'learn-module-warning');
  await page.getByRole('button', { name: 'Continue to the module' }).click();
  await page.locator('.prose').waitFor();
  await check(page, 'learn-module');

  await page.getByRole('heading', { level: 2, name: 'Private reflection' }).waitFor();
  const prompt = await page.locator('.reflection label').first().innerText();
  await page.getByLabel(prompt.trim()).fill('They asked how I was before telling me anything about themselves.');
  await page.locator('.save-status').filter({ hasText: /Saved at/ }).waitFor();
  await check(page, 'learn-reflection-saved');

  if (!first.completed) {
    await page.getByRole('button', { name: 'Mark as read' }).click();
  }
  await page.getByText('Read ✓').first().waitFor();
  await check(page, 'learn-module-read');

  // From here on, the keyboard only.
  await tabToButton(page, `Take the quiz: ${first.quiz.title}`);
  await page.keyboard.press('Enter');
  await heading(page, first.quiz.title);
  await page.getByRole('heading', { level: 2, name: 'Your attempts' }).waitFor();
  await check(page, 'quiz-start');

  await tabTo(page, 'the start button', (f) => f.tag === 'BUTTON' && /^(Start|Continue)/.test(f.text));
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 2, name: /^Attempt \d/ }).waitFor();
  await check(page, 'quiz-attempt');

  // Deliberately wrong: another option, the other truth value, only the wrong picks, reversed order.
  await answerQuiz(page, quizFile, (q) => {
    switch (q.kind) {
      case 'true_false':
        return [q.answer ? 'false' : 'true'];
      case 'multiple':
        return q.options.map((o) => o.id).filter((id) => !q.answer.includes(id));
      case 'ordering':
        return [...q.answer].reverse();
      default:
        return [q.options.find((o) => o.id !== q.answer).id];
    }
  });
  await page.locator('.save-status').filter({ hasText: /Progress saved at/ }).waitFor();
  await check(page, 'quiz-attempt-wrong');
  await tabToButton(page, 'Submit answers');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 2, name: 'Your result' }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Your result', 'focus should be on the result');
  await page.getByText('Not passed this time').waitFor();
  await page.getByRole('heading', { level: 3, name: 'Review your answers' }).waitFor();
  assert.equal(await page.locator('.review-item').count(), quizFile.questions.length);
  await check(page, 'quiz-result-fail');

  await tabToButton(page, 'Start another attempt');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 2, name: /^Attempt \d/ }).waitFor();
  await answerQuiz(page, quizFile, (q) => {
    if (q.kind === 'true_false') return [String(q.answer)];
    return Array.isArray(q.answer) ? q.answer : [q.answer];
  });
  await check(page, 'quiz-attempt-right');
  await tabToButton(page, 'Submit answers');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 2, name: 'Your result' }).waitFor();
  await page.getByText('Passed ✓').first().waitFor();
  await page.locator('.score').filter({ hasText: '100%' }).waitFor();
  await check(page, 'quiz-result-pass');

  await tabToButton(page, 'Back to Storytelling with purpose');
  await page.keyboard.press('Enter');
  await heading(page, 'Storytelling with purpose');
  await page.getByRole('progressbar', { name: progressText(expected) }).waitFor();
  await check(page, 'learn-course-progress');
});

test('play a boundaries scenario to an ending', async (page) => {
  await signIn(page, 'trainee3@riverside.example', DEMO_PASSWORD);
  await signedInHome(page);
  await page.goto('/learn');
  await heading(page, 'My learning');
  await page.getByRole('link', { name: 'Boundaries in peer work' }).click();
  await heading(page, 'Boundaries in peer work');
  const practise = page.getByRole('region', { name: 'Practise decisions' });
  await practise.waitFor();
  const link = practise.getByRole('link').first();
  const title = (await link.innerText()).trim();
  await link.click();
  await heading(page, title);
  const gate = page.getByRole('button', { name: 'Continue to the scenario' });
  await gate.or(page.getByRole('heading', { level: 2, name: 'Decision 1' })).waitFor();
  if (await gate.isVisible()) {
    await check(page, 'scenario-warning');
    await page.getByRole('button', { name: 'Continue to the scenario' }).click();
  }
  await page.getByRole('heading', { level: 2, name: 'Decision 1' }).waitFor();
  await check(page, 'scenario-decision');

  const words = ['A strong choice', 'A reasonable choice, with room to do better', 'Worth reconsidering'];
  let steps = 0;
  for (; steps < 10; steps++) {
    const choices = page.getByRole('list', { name: 'What would you do?' }).getByRole('button');
    // The last choice at each point, to see a path other than the obvious one.
    await choices.last().click();
    await page.getByRole('heading', { level: 2, name: 'What happened' }).waitFor();
    const quality = (await page.locator('.feedback .quality').innerText()).replace(/^\W+/, '').trim();
    assert.ok(words.includes(quality), `the choice's quality should be said in words, got ${JSON.stringify(quality)}`);
    if (steps === 0) await check(page, 'scenario-outcome');
    await page.getByRole('button', { name: 'Continue' }).click();
    const end = page.getByRole('heading', { level: 2, name: 'The end of this scenario' });
    const next = page.getByRole('heading', { level: 2, name: `Decision ${steps + 2}` });
    await end.or(next).waitFor();
    if (await end.isVisible()) break;
    if (steps === 0) {
      // Coming back by the page's address picks the run up where it stands.
      await page.reload();
      await next.waitFor();
      await page.getByText(/picked up where you left off/).waitFor();
      await check(page, 'scenario-resumed');
    }
  }
  assert.ok(steps >= 1 && steps < 10, 'the scenario should end after a few decisions');
  assert.equal(await page.locator('.path-step').count(), steps + 1);
  await check(page, 'scenario-end');

  await page.getByRole('button', { name: 'Try again' }).click();
  await page.getByRole('heading', { level: 2, name: 'Decision 1' }).waitFor();
});

test('learning pages reflow at 400% zoom', async (page) => {
  await page.setViewportSize({ width: 320, height: 256 });
  const noSideScroll = async (name) => {
    const [scroll, client] = await page.evaluate(() => [
      document.documentElement.scrollWidth,
      document.documentElement.clientWidth,
    ]);
    assert.ok(scroll <= client, `${name}: page is ${scroll}px wide in a ${client}px window`);
  };
  await signIn(page, 'trainee4@riverside.example', DEMO_PASSWORD);
  await signedInHome(page);
  await page.goto('/learn');
  await heading(page, 'My learning');
  await page.getByRole('heading', { level: 2, name: 'Catalogue' }).waitFor();
  await noSideScroll('my learning');
  await check(page, 'zoom-learn-list');

  await page.goto('/learn/storytelling-with-purpose');
  await heading(page, 'Storytelling with purpose');
  await noSideScroll('course');
  await check(page, 'zoom-learn-course');

  // The module with a table in its text.
  await page.goto('/learn/storytelling-with-purpose/sharing-across-settings-and-sectors');
  const gate = page.getByRole('button', { name: 'Continue to the module' });
  await gate.or(page.locator('.prose')).waitFor();
  if (await gate.isVisible()) await gate.click();
  await page.locator('.prose').waitFor();
  await noSideScroll('module');
  await check(page, 'zoom-learn-module');

  // Opened by its address, as after a reload.
  await page.goto('/learn/storytelling-with-purpose/quiz/why-we-share');
  await page.getByRole('heading', { level: 2, name: 'Your attempts' }).waitFor();
  await page.getByRole('button', { name: /^(Start|Continue)/ }).click();
  await page.getByRole('heading', { level: 2, name: /^Attempt \d/ }).waitFor();
  await noSideScroll('quiz attempt');
  await check(page, 'zoom-quiz-attempt');
});

test('earn a certificate', async (page) => {
  const slug = 'storytelling-with-purpose';
  const title = 'Storytelling with purpose';
  const name = 'Jordan Ellis';
  const quizFiles = fs
    .readdirSync(path.join(content, slug, 'quizzes'))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => readQuiz(slug, f));
  const quizFor = (id) => {
    const quiz = quizFiles.find((q) => id === q.id || id.endsWith(`.${q.id}`));
    assert.ok(quiz, `no quiz file for ${id}`);
    return quiz;
  };

  await signIn(page, 'trainee3@riverside.example', DEMO_PASSWORD);
  await signedInHome(page, name);
  await page.locator('main').getByRole('heading', { level: 3, name: 'Certificates' }).waitFor();
  await check(page, 'certificate-home');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Certificates' }).click();
  await heading(page, 'My certificates');
  await page.getByText('Complete a course to earn a certificate').waitFor();
  assert.equal(await page.getByRole('link', { name: 'Go to My learning' }).getAttribute('href'), '/learn');
  await check(page, 'certificates-empty');

  // Every module but the last, with its quiz, through the API with this page's session.
  const course = await apiJSON(await page.request.get(`/api/v1/courses/${slug}`), [200], `GET /courses/${slug}`);
  assert.equal(course.modules.length, 5, 'Storytelling with purpose has five modules');
  assert.equal(quizFiles.length, 5, 'Storytelling with purpose has five quizzes');
  const last = course.modules[course.modules.length - 1];
  for (const m of course.modules.slice(0, -1)) {
    await apiJSON(
      await page.request.post(`/api/v1/courses/${slug}/modules/${m.slug}/complete`),
      [200],
      `POST /courses/${slug}/modules/${m.slug}/complete`,
    );
    if (!m.quiz.passed) await passQuizByApi(page, m.quiz.id, quizFor(m.quiz.id));
  }

  // The last module and its quiz through the page, which completes the course.
  await page.goto(`/learn/${slug}/${last.slug}`);
  await heading(page, last.title);
  const gate = page.getByRole('button', { name: 'Continue to the module' });
  await gate.or(page.locator('.prose')).waitFor();
  if (await gate.isVisible()) await gate.click();
  await page.locator('.prose').waitFor();
  await page.getByRole('button', { name: 'Mark as read' }).click();
  await page.getByText('Read ✓').first().waitFor();
  await check(page, 'certificate-last-module');

  await page.getByRole('link', { name: `Take the quiz: ${last.quiz.title}` }).click();
  await heading(page, last.quiz.title);
  await page.getByRole('heading', { level: 2, name: 'Your attempts' }).waitFor();
  await check(page, 'certificate-last-quiz');
  await page.getByRole('button', { name: /^(Start|Continue)/ }).click();
  await page.getByRole('heading', { level: 2, name: /^Attempt \d/ }).waitFor();
  await answerQuiz(page, quizFor(last.quiz.id), rightAnswer);
  await check(page, 'certificate-last-quiz-attempt');
  await page.getByRole('button', { name: 'Submit answers' }).click();
  await page.getByRole('heading', { level: 2, name: 'Your result' }).waitFor();
  await page.getByText('Passed ✓').first().waitFor();
  await page.getByText(`You have completed ${title}.`).waitFor();
  const line = page.locator('main p', { hasText: 'Your certificate is being prepared' });
  assert.equal(
    (await line.innerText()).trim(),
    'Your certificate is being prepared — it will appear under Certificates in a moment.',
  );
  await check(page, 'certificate-course-completed');

  // The certificate is issued by the worker a moment later: reload until it is there.
  await line.getByRole('link', { name: 'Certificates' }).click();
  await heading(page, 'My certificates');
  const card = page.locator('li.certificate-card', { has: page.getByRole('heading', { level: 2, name: title }) });
  const deadline = Date.now() + 20_000;
  let preparingShot = false;
  for (;;) {
    await page.locator('.loading').waitFor({ state: 'detached' });
    if ((await card.count()) > 0) break;
    if (!preparingShot && (await page.getByText(/is being prepared/).count()) > 0) {
      await check(page, 'certificates-preparing');
      preparingShot = true;
    }
    if (Date.now() > deadline) throw new Error('the certificate did not appear under Certificates within 20 s');
    await page.waitForTimeout(1000);
    await page.reload();
    await heading(page, 'My certificates');
  }
  await card.getByText('Valid', { exact: true }).waitFor();
  const number = (await card.locator('.certificate-number').innerText()).trim();
  assert.ok(number.length > 0, 'the certificate shows its number');
  const expiry = await card.locator('dt', { hasText: 'Expiry date' }).locator('xpath=following-sibling::dd').innerText();
  assert.notEqual(expiry.trim(), 'Does not expire', 'the course asks for recertification, so the certificate expires');
  await card.getByText('A signed file other systems can check.').waitFor();
  await check(page, 'certificates');
  // 1280 CSS pixels wide at 400% zoom is 320 CSS pixels.
  await page.setViewportSize({ width: 320, height: 256 });
  await noSideScroll(page, 'certificates');
  await check(page, 'zoom-certificates');
  await page.setViewportSize({ width: 1280, height: 900 });

  // The PDF, with the session, saved for a look.
  const pdfHref = await card.getByRole('link', { name: /^Download PDF/ }).getAttribute('href');
  assert.ok(pdfHref, 'the Download PDF link has an address');
  const pdf = await page.request.get(pdfHref);
  assert.equal(pdf.status(), 200, `GET ${pdfHref} answered ${pdf.status()}`);
  assert.match(pdf.headers()['content-type'] ?? '', /^application\/pdf/);
  const pdfFile = path.join(shots, 'certificate.pdf');
  fs.writeFileSync(pdfFile, await pdf.body());
  const text = pdfText(pdfFile).replace(/\s+/g, ' ');
  assert.ok(text.includes(name), `the PDF should name ${name}; its text is: ${text.slice(0, 500)}`);
  assert.ok(text.includes(title), `the PDF should name the course; its text is: ${text.slice(0, 500)}`);
  assert.ok(text.includes(number), `the PDF should show the number ${number}`);

  const credentialHref = await card.getByRole('link', { name: /^Download digital credential/ }).getAttribute('href');
  const credential = await page.request.get(credentialHref);
  assert.equal(credential.status(), 200, `GET ${credentialHref} answered ${credential.status()}`);
  assert.match(credential.headers()['content-type'] ?? '', /^application\/vc\+jwt/);
  assert.equal((await credential.text()).trim().split('.').length, 3, 'the credential is a signed JWT');

  const verifyHref = await card.getByRole('link', { name: /^Verification page/ }).getAttribute('href');
  assert.ok(verifyHref, 'the Verification page link has an address');

  // The course page says the certificate is ready.
  await page.goto(`/learn/${slug}`);
  await heading(page, title);
  await page.getByText(/You completed this course/).waitFor();
  await page.getByText('Your certificate is ready under Certificates.').waitFor();
  await check(page, 'certificate-course-page');

  // The verification page, in a new browser context that is not signed in.
  const verifyPath = new URL(verifyHref, BASE).pathname;
  assert.match(verifyPath, /^\/verify\/[^/]+$/);
  const anon = await page.context().browser().newContext({ baseURL: BASE, viewport: { width: 1280, height: 900 } });
  anon.setDefaultTimeout(10_000);
  try {
    const visitor = await anon.newPage();
    const errors = [];
    visitor.on('pageerror', (err) => errors.push(err.message));
    assert.equal((await visitor.request.get('/api/v1/me')).status(), 401, 'the new context is signed out');
    await visitor.goto(verifyPath);
    await heading(visitor, 'This certificate is valid');
    assert.equal(new URL(visitor.url()).pathname, verifyPath, 'the verification page does not send people to sign in');
    const details = visitor.getByRole('region', { name: 'Certificate details' });
    await details.getByText(name, { exact: true }).waitFor();
    await details.getByText(`${title}, version ${course.version}`).waitFor();
    await details.getByText(ORG, { exact: true }).waitFor();
    await details.getByText(number, { exact: true }).waitFor();
    assert.equal(await visitor.getByRole('button', { name: 'Sign out' }).count(), 0);
    await check(visitor, 'verify-valid');
    await visitor.setViewportSize({ width: 320, height: 256 });
    await noSideScroll(visitor, 'verification page');
    await check(visitor, 'zoom-verify');
    await visitor.setViewportSize({ width: 1280, height: 900 });

    await visitor.goto('/verify/nosuchcertificate');
    await heading(visitor, 'Certificate not found');
    await visitor.getByText("We couldn't find a certificate with this code. Check it against the certificate.").waitFor();
    await check(visitor, 'verify-not-found');
    assert.deepEqual(errors, [], 'the verification page runs without errors');
  } finally {
    await anon.close();
  }
});

// ---------------------------------------------------------------- role-play

/** seatOf reads the seat a trainee holds from their own room page. */
async function seatOf(page) {
  const me = page.locator('.room-members li', { hasText: '(you)' });
  await me.waitFor();
  return (await me.locator('.room-seat').innerText()).trim();
}

test('run a live role-play triad', async (trainer) => {
  const browser = trainer.context().browser();
  await signIn(trainer, 'trainer@riverside.example', DEMO_PASSWORD);
  await signedInHome(trainer);

  // The trainer schedules a session for trainee1–3, starting in a few minutes.
  await trainer.goto('/roleplay');
  await heading(trainer, 'Role-play practice');
  await check(trainer, 'roleplay-sessions');
  await trainer.getByRole('link', { name: 'Schedule a session' }).click();
  await heading(trainer, 'Schedule a role-play session');
  await trainer.getByLabel('Title').fill('Triad practice: first visits');
  const [date, time] = await trainer.evaluate(() => {
    const d = new Date(Date.now() + 4 * 60_000);
    const pad = (n) => String(n).padStart(2, '0');
    return [`${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`, `${pad(d.getHours())}:${pad(d.getMinutes())}`];
  });
  await trainer.getByLabel('Date', { exact: true }).fill(date);
  await trainer.getByLabel('Start time').fill(time);
  await trainer.locator('input[id^="card-"]').first().check();
  const trainees = { trainee1: 'Sam Okafor', trainee2: 'Priya Nair', trainee3: 'Jordan Ellis' };
  for (const name of Object.values(trainees)) await trainer.getByLabel(name, { exact: true }).check();
  await check(trainer, 'roleplay-schedule');
  await trainer.getByRole('button', { name: /^Schedule/ }).click();
  await heading(trainer, 'Triad practice: first visits');
  const sessionPath = new URL(trainer.url()).pathname;
  assert.match(sessionPath, /^\/roleplay\/[0-9a-f-]{36}$/);
  await check(trainer, 'roleplay-session');
  await trainer.getByRole('link', { name: 'Join the session' }).click();
  await trainer.getByText('Trainer console').first().waitFor();
  await trainer.getByText('Connected to the session').waitFor();
  await check(trainer, 'roleplay-console-lobby');

  // Each trainee joins from their own browser.
  const contexts = [];
  const pages = {};
  try {
    for (const [who, name] of Object.entries(trainees)) {
      const ctx = await browser.newContext({ baseURL: BASE, viewport: { width: 1280, height: 900 } });
      ctx.setDefaultTimeout(10_000);
      contexts.push(ctx);
      const page = await ctx.newPage();
      await signIn(page, `${who}@riverside.example`, DEMO_PASSWORD);
      await signedInHome(page, name);
      await page.goto(sessionPath);
      await heading(page, 'Triad practice: first visits');
      await page.getByRole('link', { name: 'Join the session' }).click();
      await page.getByText('Connected to the session').waitFor();
      await page.getByRole('heading', { name: 'Waiting for the trainer' }).waitFor();
      pages[who] = page;
    }
    await check(pages.trainee1, 'roleplay-trainee-lobby');
    await trainer.getByRole('table', { name: /Everyone in this session: 4 of 4 connected/ }).waitFor();

    // The trainer starts early, forms the triad and starts a round.
    await trainer.getByRole('button', { name: 'Start the session now' }).click();
    for (const page of Object.values(pages)) await page.getByRole('heading', { name: 'Session running' }).waitFor();
    await trainer.getByRole('button', { name: 'Form triads automatically' }).click();
    await trainer.getByRole('article', { name: 'Group 1' }).waitFor();
    const form = trainer.getByRole('form', { name: 'Start a round' });
    await form.getByRole('button', { name: 'Start round' }).click();
    await check(trainer, 'roleplay-console-round');

    const bySeat = {};
    for (const [who, page] of Object.entries(pages)) {
      const seat = await seatOf(page);
      bySeat[seat] = { who, page };
      const show = page.getByRole('button', { name: 'Show the scenario' });
      if (await show.count()) await show.click();
      await page.getByRole('heading', { name: 'The situation (everyone in your group sees this)' }).waitFor();
    }
    assert.deepEqual(Object.keys(bySeat).sort(), ['Observer', 'Peer worker', 'Speaker'], 'one trainee in each seat');
    const speaker = bySeat.Speaker.page;
    const peer = bySeat['Peer worker'].page;
    const observer = bySeat.Observer.page;
    await check(speaker, 'roleplay-speaker');
    await check(observer, 'roleplay-observer');

    // The speaker's brief reaches the speaker and nobody else.
    const speakerBrief = (await speaker.locator('.room-brief-text').innerText()).trim();
    assert.ok(speakerBrief.length > 20, 'the speaker has a private brief');
    for (const page of [peer, observer, trainer]) {
      const text = await page.locator('body').innerText();
      assert.ok(!text.includes(speakerBrief.slice(0, 60)), 'only the speaker sees the speaker brief');
    }

    // Practice ends early; the observer scores the peer worker against the rubric.
    await trainer.getByRole('button', { name: 'Next step for Group 1' }).click();
    const feedback = observer.getByRole('form', { name: 'Your turn to give feedback' });
    await feedback.waitFor();
    const criteria = feedback.locator('fieldset');
    const n = await criteria.count();
    assert.ok(n >= 2, `the rubric has criteria (got ${n})`);
    for (let i = 0; i < n; i++) await criteria.nth(i).getByRole('radio', { name: 'Score 3' }).check();
    await feedback.getByRole('textbox').fill('You let them set the pace and checked what they wanted.');
    await check(observer, 'roleplay-rubric');
    await feedback.getByRole('button', { name: 'Send feedback' }).click();
    await observer.getByText(/^(Feedback sent\. Thank you\.|Your feedback is in\. Thank you\.)$/).first().waitFor();

    // The round ends and roles rotate: the old observer now holds another seat.
    await trainer.getByRole('button', { name: 'End round in Group 1' }).click();
    await trainer.getByRole('button', { name: 'Rotate roles in Group 1' }).click();
    await observer.locator('.room-members li', { hasText: '(you)' }).getByText('Observer').waitFor({ state: 'detached' });
    assert.notEqual(await seatOf(observer), 'Observer', 'roles rotated');

    // Practice ends; the debrief shows the scores.
    await trainer.getByRole('button', { name: 'End practice' }).click();
    await trainer.getByRole('button', { name: 'Yes, end practice' }).click();
    await speaker.getByRole('heading', { name: 'Practice is over' }).waitFor();
    await check(speaker, 'roleplay-practice-over');
    await trainer.goto(`${sessionPath}/debrief`);
    await heading(trainer, 'Debrief: Triad practice: first visits');
    const scores = trainer.getByRole('table', { name: /Group 1: mean observer scores/ });
    await scores.waitFor();
    assert.ok((await scores.innerText()).includes('3'), 'the debrief shows the observer scores');
    await check(trainer, 'roleplay-debrief');
  } finally {
    for (const ctx of contexts) await ctx.close();
  }
});

// ---------------------------------------------------------------- organisations

/** navTo follows a link of the main navigation, as someone clicking through the app would. */
async function navTo(page, name) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
}

const SOUTH_TEAM = { trainee4: 'Dee Walker', trainee5: 'Lee Nguyen', trainee6: 'Casey Morgan' };

test('run an organisation', async (page) => {
  await signIn(page, 'admin@riverside.example', DEMO_PASSWORD);
  await signedInHome(page, 'Aroha Ngata');

  // Five new people from a CSV file; one row has an email address that cannot be right.
  await navTo(page, 'People');
  await heading(page, 'People');
  await page.getByRole('table', { name: 'People, by name' }).waitFor();
  await check(page, 'org-people');
  const csv = (chloe) =>
    [
      'name,email,team,roles',
      'Ana Lima,ana.lima@riverside.example,North team,trainee',
      'Ben Carter,ben.carter@riverside.example,North team,trainee',
      `Chloe Tan,${chloe},South team,trainee`,
      'Dev Patel,dev.patel@riverside.example,,trainee',
      'Eru Walker,eru.walker@riverside.example,North team,trainee;trainer',
      '',
    ].join('\n');
  const file = page.getByLabel('CSV file');
  await file.setInputFiles({ name: 'new-people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv('chloe.tan at riverside')) });
  await page.getByRole('button', { name: 'Check file' }).click();
  const preview = page.getByRole('table', { name: /^Preview:/ });
  await preview.waitFor();
  assert.equal((await preview.locator('caption').innerText()).trim(), 'Preview: 5 rows, 1 with problems');
  const bad = preview.locator('tbody tr', { hasText: 'Chloe Tan' });
  assert.equal((await bad.locator('th').innerText()).trim(), '4', 'the preview names the line of the bad row');
  await bad.getByText('Problem: Enter an email address like name@example.org.').waitFor();
  assert.equal(await preview.getByText(/^Problem:/).count(), 1, 'only the bad row has a problem');
  await page.getByRole('status').filter({ hasText: '1 of 5 rows need fixing. Nothing has been sent.' }).waitFor();
  const importButton = page.getByRole('button', { name: 'Import and send invitations' });
  assert.ok(await importButton.isDisabled(), 'Import is not possible while a row has a problem');
  await check(page, 'org-import-problem');

  // The row fixed, the file checks clean and the import sends five invitations.
  const mailBefore = await mailIDs(page, '@riverside.example', "You're invited");
  await file.setInputFiles({ name: 'new-people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv('chloe.tan@riverside.example')) });
  await page.getByRole('button', { name: 'Check file' }).click();
  await page.getByRole('status').filter({ hasText: 'All 5 rows look right. Nothing has been sent yet.' }).waitFor();
  assert.equal(await preview.getByText(/^Problem:/).count(), 0);
  await check(page, 'org-import-clean');
  await importButton.click();
  await page.getByRole('status').filter({ hasText: 'Invitations sent to 5 people.' }).waitFor();
  assert.equal(await file.inputValue(), '', 'the file field is empty again after the import');
  await check(page, 'org-import-done');
  const newEmails = ['ana.lima', 'ben.carter', 'chloe.tan', 'dev.patel', 'eru.walker'].map((n) => `${n}@riverside.example`);
  const invitations = await apiJSON(await page.request.get('/api/v1/org/invitations'), [200], 'GET /org/invitations');
  const invited = (invitations.items ?? invitations).map((i) => i.email);
  for (const email of newEmails) assert.ok(invited.includes(email), `${email} should have a pending invitation`);
  // The invitation mails go out through the job queue.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await apiJSON(await page.request.get('/api/v1/dev/mail'), [200], 'GET /dev/mail');
    const fresh = res.items.filter((m) => !mailBefore.includes(m.id) && m.subject.includes("You're invited"));
    const missing = newEmails.filter((e) => !fresh.some((m) => m.to.toLowerCase().includes(e)));
    if (missing.length === 0) break;
    if (Date.now() > deadline) throw new Error(`no invitation mail within 30 s for ${missing.join(', ')}`);
    await page.waitForTimeout(500);
  }

  // Boundaries for everyone in North team, due in 14 days.
  await navTo(page, 'Assign training');
  await heading(page, 'Assign training');
  await page.getByLabel('Course', { exact: true }).selectOption({ label: 'Boundaries in peer work' });
  await page.getByLabel('A team, including people who join it later').check();
  await page.getByLabel('Team', { exact: true }).selectOption({ label: 'North team' });
  await page.getByLabel('Within a number of days').check();
  await page.getByLabel('Number of days', { exact: true }).fill('14');
  await check(page, 'org-assign');
  await page.getByRole('button', { name: 'Assign training' }).click();
  const assigned = page.getByRole('status').filter({ hasText: /Boundaries in peer work is assigned to \d+ (person|people)/ });
  await assigned.waitFor();
  await check(page, 'org-assign-done');
  const sinceAssigned = Date.now();
  const boundaries = await apiJSON(
    await page.request.get('/api/v1/org/completion?course=boundaries-in-peer-work&limit=100'),
    [200],
    'GET /org/completion',
  );
  for (const email of ['trainee1', 'trainee2', 'trainee3'].map((t) => `${t}@riverside.example`)) {
    const row = boundaries.items.find((r) => r.email === email);
    assert.ok(row, `${email} (North team) should now have Boundaries`);
    assert.ok(row.due_at, `${email} should have a due date`);
    const days = (Date.parse(row.due_at) - sinceAssigned) / 86_400_000;
    assert.ok(days > 13 && days < 15, `${email} is due in ${days.toFixed(2)} days, want 14`);
  }

  // The completion page, filtered to what is overdue: the address and the table follow.
  await assigned.getByRole('link', { name: 'See progress on the completion page' }).click();
  await heading(page, 'Training completion');
  await page.getByRole('table', { name: 'Assigned training for each person' }).waitFor();
  await check(page, 'org-completion');
  await page.getByLabel('Status', { exact: true }).selectOption('overdue');
  await page.getByRole('button', { name: 'Show', exact: true }).click();
  await page.waitForURL((u) => u.searchParams.get('status') === 'overdue');
  const table = page.getByRole('table', { name: 'Assigned training for each person' });
  await table.waitFor();
  await page.locator('.loading').waitFor({ state: 'detached' });
  const statuses = await table.locator('tbody td[data-label="Status"]').allInnerTexts();
  assert.ok(statuses.length > 0, 'someone is overdue');
  for (const s of statuses) assert.equal(s.trim(), 'Overdue', 'the filtered table shows only overdue training');
  await table.getByRole('link', { name: SOUTH_TEAM.trainee5 }).waitFor();
  assert.equal(await page.getByLabel('Status', { exact: true }).inputValue(), 'overdue');
  await check(page, 'org-completion-overdue');
  // Reloading keeps the filter: it lives in the address.
  await page.reload();
  await heading(page, 'Training completion');
  await table.getByRole('link', { name: SOUTH_TEAM.trainee5 }).waitFor();
  assert.equal(await page.getByLabel('Status', { exact: true }).inputValue(), 'overdue');

  // The CSV download has the same filter.
  const csvHref = await page.getByRole('link', { name: /^Download CSV/ }).getAttribute('href');
  assert.ok(csvHref && new URL(csvHref, BASE).searchParams.get('status') === 'overdue', `the CSV link ${csvHref} keeps the filter`);
  const download = await page.request.get(csvHref);
  assert.equal(download.status(), 200, `GET ${csvHref} answered ${download.status()}`);
  assert.match(download.headers()['content-type'] ?? '', /^text\/csv/);
  const lines = (await download.text()).trim().split(/\r?\n/);
  assert.equal(lines[0], 'name,email,teams,course,course_title,status,due_at,completed_at,expires_at,kind');
  assert.equal(lines.length - 1, statuses.length, 'the CSV has a row for each row of the filtered table');
  for (const line of lines.slice(1)) assert.ok(line.includes(',overdue,'), `only overdue rows in the CSV: ${line}`);
  assert.ok(lines.some((l) => l.startsWith(`${SOUTH_TEAM.trainee5},trainee5@riverside.example,`)), 'trainee5 is in the CSV');
  fs.writeFileSync(path.join(shots, 'completion-overdue.csv'), lines.join('\n'));

  // A read-only API token reads the matrix from outside, with no session.
  await navTo(page, 'API tokens');
  await heading(page, 'API tokens');
  await check(page, 'org-tokens');
  await page.getByLabel('Name', { exact: true }).fill('Rostering system');
  await page.getByLabel('Read only').check();
  await page.getByRole('button', { name: 'Create token' }).click();
  await page.getByRole('heading', { level: 2, name: 'Your new token: Rostering system' }).waitFor();
  const token = await page.getByRole('textbox', { name: /^Token/ }).inputValue();
  assert.match(token, /^pp_/, 'the token is shown once');
  await check(page, 'org-token-created');
  await page.getByRole('button', { name: "I've saved it" }).click();
  await page.getByRole('table', { name: 'API tokens, newest first' }).getByRole('rowheader', { name: /^Rostering system/ }).waitFor();
  assert.equal(await page.getByText(token).count(), 0, 'the secret is gone from the page');

  const browser = page.context().browser();
  const outside = await browser.newContext({ baseURL: BASE });
  try {
    assert.equal((await outside.cookies()).length, 0, 'the new context has no cookies');
    const bearer = { Authorization: `Bearer ${token}` };
    const matrix = await apiJSON(
      await outside.request.get('/api/v1/org/completion?status=overdue', { headers: bearer }),
      [200],
      'GET /org/completion with the token',
    );
    assert.ok(matrix.items.length > 0, 'the token reads the matrix');
    assert.ok(matrix.items.some((r) => r.email === 'trainee5@riverside.example'));
    assert.equal((await outside.request.get('/api/v1/org/completion')).status(), 401, 'without the token: 401');
    const write = await outside.request.post('/api/v1/org/teams', { headers: bearer, data: { name: 'Made by a read token' } });
    assert.equal(write.status(), 403, 'a read token cannot change anything');
  } finally {
    await outside.close();
  }

  // The manager of North team sees North team and nobody else.
  const mctx = await browser.newContext({ baseURL: BASE, viewport: { width: 1280, height: 900 } });
  mctx.setDefaultTimeout(10_000);
  try {
    const manager = await mctx.newPage();
    await signIn(manager, 'manager@riverside.example', DEMO_PASSWORD);
    await signedInHome(manager, 'Mei Lin Chen');
    await navTo(manager, 'Completion');
    await heading(manager, 'Training completion');
    const mtable = manager.getByRole('table', { name: 'Assigned training for each person' });
    await mtable.getByRole('link', { name: 'Sam Okafor' }).first().waitFor();
    await check(manager, 'org-completion-manager');
    const shown = await mtable.locator('tbody').innerText();
    for (const [who, name] of Object.entries(SOUTH_TEAM)) {
      assert.ok(!shown.includes(name) && !shown.includes(`${who}@`), `the manager should not see ${name} (South team)`);
    }
    const teams = await mtable.locator('tbody td[data-label="Teams"]').allInnerTexts();
    for (const t of teams) assert.equal(t.trim(), 'North team', 'every row is North team');

    await navTo(manager, 'People');
    await heading(manager, 'People');
    const people = manager.getByRole('table', { name: 'People, by name' });
    await people.getByText('Sam Okafor').waitFor();
    await check(manager, 'org-people-manager');
    const names = (await people.locator('tbody th').allInnerTexts()).map((n) => n.trim());
    for (const name of Object.values(SOUTH_TEAM)) assert.ok(!names.includes(name), `the manager should not see ${name}`);
    for (const name of ['Sam Okafor', 'Priya Nair', 'Jordan Ellis']) assert.ok(names.includes(name), `the manager sees ${name}`);
    // And no way round it through the API.
    const south = await apiJSON(
      await page.request.get('/api/v1/org/people?q=trainee5%40riverside.example'),
      [200],
      'GET /org/people as the admin',
    );
    const res = await manager.request.get(`/api/v1/org/people/${south.items[0].id}/record`);
    assert.equal(res.status(), 404, "another team's person is not found for the manager");
  } finally {
    await mctx.close();
  }
});

test('change the organisation settings', async (page) => {
  await signIn(page, 'admin@riverside.example', DEMO_PASSWORD);
  await signedInHome(page, 'Aroha Ngata');
  await navTo(page, 'Organisation settings');
  await heading(page, 'Organisation settings');
  const zone = page.getByLabel('Time zone', { exact: true });
  await zone.waitFor();
  const before = await zone.inputValue();
  await check(page, 'org-settings');
  const other = before === 'Europe/London' ? 'Pacific/Auckland' : 'Europe/London';
  try {
    // The time zone, chosen and saved with the keyboard.
    await zone.focus();
    await zone.selectOption(other);
    await tabToButton(page, 'Save time zone');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: `Daily reminders now go out at 08:00 ${other} time.` }).waitFor();
    await page.reload();
    await heading(page, 'Organisation settings');
    await zone.waitFor();
    assert.equal(await zone.inputValue(), other, 'the saved time zone is shown after a reload');

    // Boundaries' certificate period: a wrong number is named beside the field, then 18 months.
    const panel = page.getByRole('form', { name: 'Boundaries in peer work' });
    await panel.getByLabel('Expire after a number of months').check();
    const months = panel.getByLabel('Number of months', { exact: true });
    await months.fill('500');
    await panel.getByRole('button', { name: /^Save/ }).click();
    await panel.getByText('Enter a whole number of months from 1 to 120.').waitFor();
    assert.equal(await months.getAttribute('aria-invalid'), 'true');
    await check(page, 'org-settings-error');
    await months.fill('18');
    await panel.getByRole('button', { name: /^Save/ }).click();
    await panel
      .getByRole('status')
      .filter({ hasText: 'New certificates for Boundaries in peer work last 18 months.' })
      .waitFor();
    await check(page, 'org-settings-saved');
    const saved = await apiJSON(await page.request.get('/api/v1/org/settings'), [200], 'GET /org/settings');
    assert.equal(saved.time_zone, other);
    assert.equal(saved.courses.find((c) => c.course === 'boundaries-in-peer-work')?.validity_months, 18);
  } finally {
    // Later tests expect the demo's settings.
    await page.request.put('/api/v1/org/settings/time-zone', { data: { time_zone: before } });
    await page.request.put('/api/v1/org/courses/boundaries-in-peer-work/certificate-period', {
      data: { validity_months: null },
    });
  }
});

test('revoke a certificate', async (page) => {
  await signIn(page, 'admin@riverside.example', DEMO_PASSWORD);
  await signedInHome(page, 'Aroha Ngata');

  // trainee4's demo completion gets its certificate from the worker: wait for it.
  const found = await apiJSON(
    await page.request.get('/api/v1/org/people?q=trainee4%40riverside.example'),
    [200],
    'GET /org/people',
  );
  assert.equal(found.items.length, 1, 'trainee4 is found');
  const personId = found.items[0].id;
  let cert;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const rec = await apiJSON(await page.request.get(`/api/v1/org/people/${personId}/record`), [200], 'GET record');
    cert = rec.certificates.find((c) => c.status === 'valid');
    if (cert) break;
    if (Date.now() > deadline) throw new Error('trainee4 has no valid certificate within 30 s');
    await page.waitForTimeout(500);
  }

  // The admin finds them on the completion page and opens their record.
  await navTo(page, 'Completion');
  await heading(page, 'Training completion');
  await page.getByRole('link', { name: SOUTH_TEAM.trainee4 }).first().click();
  await heading(page, `Training record: ${SOUTH_TEAM.trainee4}`);
  assert.equal(new URL(page.url()).pathname, `/org/people/${personId}/record`);
  const certs = page.getByRole('table', { name: 'Certificates issued' });
  const row = certs.locator('tbody tr', { has: page.getByRole('rowheader', { name: cert.number }) });
  await row.getByText('Valid').waitFor();
  await check(page, 'org-record');

  await row.getByRole('button', { name: `Revoke certificate ${cert.number}` }).click();
  const form = page.getByRole('form', { name: `Revoke certificate ${cert.number}` });
  await form.waitFor();
  await form.getByText(/public verification page will say it was revoked/).waitFor();
  // Without a reason nothing is sent.
  await form.getByRole('button', { name: 'Yes, revoke it' }).click();
  await form.getByText('Say why you are revoking this certificate.').waitFor();
  await check(page, 'org-record-revoke-reason-missing');
  const reason = 'Issued for a completion recorded against the wrong person.';
  await form.getByLabel('Reason for revoking').fill(reason);
  await check(page, 'org-record-revoke-form');
  await form.getByRole('button', { name: 'Yes, revoke it' }).click();
  const done = page.getByRole('status').filter({ hasText: `Certificate ${cert.number} is revoked.` });
  await done.waitFor();
  await row.getByText(/^Revoked on/).waitFor();
  await row.getByText(`Reason: ${reason}`).waitFor();
  assert.equal(await row.getByRole('button').count(), 0, 'a revoked certificate cannot be revoked again');
  await check(page, 'org-record-revoked');
  const verifyHref = await done.getByRole('link', { name: 'Open its verification page' }).getAttribute('href');
  assert.ok(verifyHref, 'the message links to the verification page');

  // A second try through the API is refused, and the record says revoked after a reload.
  const again = await page.request.post(`/api/v1/org/certificates/${cert.id}/revoke`, { data: { reason: 'Twice' } });
  assert.equal(again.status(), 409, 'revoking twice is a conflict');
  await page.reload();
  await heading(page, `Training record: ${SOUTH_TEAM.trainee4}`);
  await row.getByText(/^Revoked on/).waitFor();

  // The public verification page, signed out, says revoked.
  const verifyPath = new URL(verifyHref, BASE).pathname;
  assert.match(verifyPath, /^\/verify\/[^/]+$/);
  const anon = await page.context().browser().newContext({ baseURL: BASE, viewport: { width: 1280, height: 900 } });
  anon.setDefaultTimeout(10_000);
  try {
    const visitor = await anon.newPage();
    assert.equal((await visitor.request.get('/api/v1/me')).status(), 401, 'the new context is signed out');
    await visitor.goto(verifyPath);
    await heading(visitor, 'This certificate was revoked');
    const details = visitor.getByRole('region', { name: 'Certificate details' });
    await details.getByText(SOUTH_TEAM.trainee4, { exact: true }).waitFor();
    await details.getByText(cert.number, { exact: true }).waitFor();
    assert.ok(!(await visitor.locator('body').innerText()).includes(reason), 'the public page does not show the reason');
    await check(visitor, 'verify-revoked');
    const api = await apiJSON(
      await visitor.request.get(`/api/v1/verify/${verifyPath.split('/').pop()}`),
      [200],
      'GET /verify/{code}',
    );
    assert.equal(api.status, 'revoked');
  } finally {
    await anon.close();
  }
});

// ---------------------------------------------------------------- runner

async function main() {
  fs.rmSync(shots, { recursive: true, force: true });
  fs.mkdirSync(shots, { recursive: true });
  try {
    const res = await fetch(`${BASE}/healthz`);
    if (!res.ok) throw new Error(`status ${res.status}`);
  } catch (err) {
    console.error(`The server at ${BASE} is not answering (${err.message}). Start it first, or set PEERPATH_URL.`);
    console.log(`0 passed, ${tests.length} failed`);
    process.exit(1);
  }

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });

  let passed = 0;
  let failed = 0;
  const only = process.argv[2];
  for (const t of tests) {
    if (only && !t.name.includes(only)) continue;
    const context = await browser.newContext({ baseURL: BASE, viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      const text = msg.text();
      // A CSP refusal means the build relies on something the server's policy forbids.
      if (/Content Security Policy|Refused to/i.test(text)) problems.push(`console: ${text}`);
    });
    try {
      await t.fn(page);
      if (problems.length) throw new Error(problems.join('\n'));
      passed++;
      console.log(`ok - ${t.name}`);
    } catch (err) {
      failed++;
      console.log(`not ok - ${t.name}`);
      console.log(
        String(err && err.stack ? err.stack : err)
          .split('\n')
          .map((l) => `  ${l}`)
          .join('\n'),
      );
      if (problems.length) console.log(`  also: ${problems.join('\n  ')}`);
      const slug = t.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
      await page.screenshot({ path: path.join(shots, `failed-${slug}.png`), fullPage: true }).catch(() => {});
    } finally {
      await context.close();
    }
  }
  await browser.close();
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

await main();

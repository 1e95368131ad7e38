import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeApi, held, json, person, renderApp } from '../testing';
import type { OrgSettings } from './api';
import { zoneChoices } from './Settings';

afterEach(() => {
  vi.unstubAllGlobals();
});

const admin = person({ id: 'a1', name: 'Aroha Ngata', roles: ['org_admin'] });

const settings: OrgSettings = {
  time_zone: 'Pacific/Auckland',
  courses: [
    { course: 'boundaries', title: 'Boundaries in peer work', default_validity_months: 24, validity_months: null },
    { course: 'storytelling', title: 'Sharing your story', default_validity_months: 0, validity_months: 12 },
  ],
};

/** form answers the panel of a course's certificate period, by the course's title. */
function form(title: string): HTMLElement {
  return screen.getByRole('form', { name: title });
}

describe('Organisation settings', () => {
  it('is for org admins only', async () => {
    const calls = fakeApi({ 'GET /me': json(200, person({ roles: ['manager'] })) });
    renderApp('/org/settings');
    expect(await screen.findByRole('heading', { level: 1, name: "You don't have access to this page" })).toBeInTheDocument();
    expect(calls.some((c) => c.path.startsWith('/org/'))).toBe(false);
  });

  it('shows loading, then the time zone and each course’s period, linked from the navigation', async () => {
    const reply = held(json(200, settings));
    fakeApi({ 'GET /me': json(200, admin), 'GET /org/settings': reply.reply });
    renderApp('/org/settings');
    expect(await screen.findByText("Loading your organisation's settings…")).toBeInTheDocument();
    reply.release();
    expect(await screen.findByText('Pacific/Auckland', { selector: 'strong' })).toBeInTheDocument();
    expect(screen.getByLabelText('Time zone')).toHaveValue('Pacific/Auckland');
    expect(screen.getByLabelText('Time zone')).toHaveAccessibleDescription(/08:00 in this time zone/);
    expect(
      screen.getByRole('navigation', { name: 'Main' }).querySelector('a[href="/org/settings"]'),
    ).toHaveTextContent('Organisation settings');

    const boundaries = form('Boundaries in peer work');
    expect(within(boundaries).getByText(/Certificates last 24 months, the course's own period/)).toBeInTheDocument();
    expect(within(boundaries).getByLabelText('Use the course default (24 months)')).toBeChecked();
    const story = form('Sharing your story');
    expect(within(story).getByText(/Certificates last 12 months, as your organisation chose/)).toBeInTheDocument();
    expect(within(story).getByLabelText('Expire after a number of months')).toBeChecked();
    expect(within(story).getByLabelText('Number of months')).toHaveValue('12');
    expect(within(story).getByLabelText('Use the course default (never expire)')).not.toBeChecked();
  });

  it('saves the time zone and says so', async () => {
    const calls = fakeApi({
      'GET /me': json(200, admin),
      'GET /org/settings': json(200, settings),
      'PUT /org/settings/time-zone': (body) => json(200, body),
    });
    renderApp('/org/settings');
    const user = userEvent.setup();
    const select = await screen.findByLabelText('Time zone');
    await user.selectOptions(select, 'Europe/London');
    await user.click(screen.getByRole('button', { name: 'Save time zone' }));
    expect(await screen.findByText('Saved. Daily reminders now go out at 08:00 Europe/London time.')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ time_zone: 'Europe/London' });
    expect(screen.getByText('Europe/London', { selector: 'strong' })).toBeInTheDocument();
  });

  it('shows the server’s error beside the time zone', async () => {
    fakeApi({
      'GET /me': json(200, admin),
      'GET /org/settings': json(200, settings),
      'PUT /org/settings/time-zone': apiError(400, 'invalid', 'Check the highlighted fields.', {
        time_zone: 'Use a time zone name like Pacific/Auckland or Europe/London.',
      }),
    });
    renderApp('/org/settings');
    const user = userEvent.setup();
    await screen.findByLabelText('Time zone');
    await user.click(screen.getByRole('button', { name: 'Save time zone' }));
    const select = screen.getByLabelText('Time zone');
    await vi.waitFor(() => expect(select).toHaveAttribute('aria-invalid', 'true'));
    expect(select).toHaveAccessibleDescription(/Use a time zone name like Pacific\/Auckland/);
    expect(screen.getByText('Pacific/Auckland', { selector: 'strong' })).toBeInTheDocument();
  });

  it('sets a number of months, never, or the course default', async () => {
    const calls = fakeApi({
      'GET /me': json(200, admin),
      'GET /org/settings': json(200, settings),
      'PUT /org/courses/boundaries/certificate-period': (body) => json(200, body),
      'PUT /org/courses/storytelling/certificate-period': (body) => json(200, body),
    });
    renderApp('/org/settings');
    const user = userEvent.setup();
    await screen.findByLabelText('Time zone');

    const boundaries = form('Boundaries in peer work');
    await user.click(within(boundaries).getByLabelText('Expire after a number of months'));
    await user.type(within(boundaries).getByLabelText('Number of months'), '36');
    await user.click(within(boundaries).getByRole('button', { name: /^Save/ }));
    expect(
      await within(boundaries).findByText('Saved. New certificates for Boundaries in peer work last 36 months.'),
    ).toBeInTheDocument();
    expect(within(boundaries).getByText(/Certificates last 36 months, as your organisation chose/)).toBeInTheDocument();

    await user.click(within(boundaries).getByLabelText('Never expire'));
    await user.click(within(boundaries).getByRole('button', { name: /^Save/ }));
    expect(
      await within(boundaries).findByText('Saved. New certificates for Boundaries in peer work never expire.'),
    ).toBeInTheDocument();

    const story = form('Sharing your story');
    await user.click(within(story).getByLabelText('Use the course default (never expire)'));
    await user.click(within(story).getByRole('button', { name: 'Save the certificate period for Sharing your story' }));
    expect(await within(story).findByText(/Certificates never expire, the course's own period/)).toBeInTheDocument();

    expect(calls.filter((c) => c.method === 'PUT').map((c) => [c.path, c.body])).toEqual([
      ['/org/courses/boundaries/certificate-period', { validity_months: 36 }],
      ['/org/courses/boundaries/certificate-period', { validity_months: 0 }],
      ['/org/courses/storytelling/certificate-period', { validity_months: null }],
    ]);
  });

  it('checks the number of months before sending, and shows the server’s field error', async () => {
    const calls = fakeApi({
      'GET /me': json(200, admin),
      'GET /org/settings': json(200, settings),
      'PUT /org/courses/storytelling/certificate-period': apiError(400, 'invalid', 'Check the highlighted fields.', {
        validity_months: 'Use a number of months from 0 (never expires) to 120.',
      }),
    });
    renderApp('/org/settings');
    const user = userEvent.setup();
    await screen.findByLabelText('Time zone');
    const story = form('Sharing your story');
    const input = within(story).getByLabelText('Number of months');
    await user.clear(input);
    await user.type(input, '500');
    await user.click(within(story).getByRole('button', { name: /^Save/ }));
    expect(input).toHaveAccessibleDescription(/Enter a whole number of months from 1 to 120/);
    expect(calls.some((c) => c.method === 'PUT')).toBe(false);

    await user.clear(input);
    await user.type(input, '6');
    await user.click(within(story).getByRole('button', { name: /^Save/ }));
    await vi.waitFor(() => expect(input).toHaveAccessibleDescription(/Use a number of months from 0/));
    expect(input).toHaveAttribute('aria-invalid', 'true');
  });

  it('works with the keyboard alone', async () => {
    const calls = fakeApi({
      'GET /me': json(200, admin),
      'GET /org/settings': json(200, settings),
      'PUT /org/courses/boundaries/certificate-period': (body) => json(200, body),
    });
    renderApp('/org/settings');
    const user = userEvent.setup();
    await screen.findByLabelText('Time zone');
    const boundaries = form('Boundaries in peer work');
    const never = within(boundaries).getByLabelText('Never expire');
    const byDefault = within(boundaries).getByLabelText('Use the course default (24 months)');
    for (let i = 0; i < 60 && document.activeElement !== byDefault; i++) await user.tab();
    expect(byDefault).toHaveFocus();
    await user.keyboard('{ArrowDown}');
    expect(never).toBeChecked();
    await user.tab();
    expect(within(boundaries).getByRole('button', { name: /^Save/ })).toHaveFocus();
    await user.keyboard('{Enter}');
    await vi.waitFor(() => expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ validity_months: 0 }));
  });

  it('says when the settings cannot be loaded, with a way to try again', async () => {
    let fail = true;
    fakeApi({
      'GET /me': json(200, admin),
      'GET /org/settings': () =>
        fail ? apiError(503, 'unavailable', 'Peerpath is busy. Try again soon.') : json(200, settings),
    });
    renderApp('/org/settings');
    const user = userEvent.setup();
    expect(await screen.findByRole('alert')).toHaveTextContent('Peerpath is busy. Try again soon.');
    fail = false;
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByLabelText('Time zone')).toHaveValue('Pacific/Auckland');
  });

  it('has no axe violations', async () => {
    fakeApi({ 'GET /me': json(200, admin), 'GET /org/settings': json(200, settings) });
    const { container } = renderApp('/org/settings');
    await screen.findByLabelText('Time zone');
    const result = await axe.run(container, { rules: { 'color-contrast': { enabled: false } } });
    expect(result.violations.map((v) => v.id)).toEqual([]);
  });
});

describe('zoneChoices', () => {
  it('groups zones by region and always holds UTC and the current zone', () => {
    const groups = zoneChoices('Mars/Olympus_Mons');
    const all = groups.flatMap((g) => g.zones);
    expect(all).toContain('UTC');
    expect(groups.find((g) => g.region === 'Mars')?.zones).toEqual(['Mars/Olympus_Mons']);
    expect(new Set(all).size).toBe(all.length);
    for (const g of groups) for (const z of g.zones) expect(z === 'UTC' || z.startsWith(`${g.region}/`)).toBe(true);
  });
});

import { screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Role } from '../api';
import { fakeApi, json, person, renderApp } from '../testing';

afterEach(() => {
  vi.unstubAllGlobals();
});

async function cardTitles(roles: Role[]): Promise<string[]> {
  fakeApi({ 'GET /me': json(200, person({ roles })) });
  renderApp('/');
  const areas = await screen.findByRole('region', { name: 'Your areas' });
  return within(areas)
    .queryAllByRole('heading', { level: 3 })
    .map((h) => h.textContent ?? '');
}

describe('Home', () => {
  it('shows who is signed in', async () => {
    fakeApi({ 'GET /me': json(200, person({ roles: ['trainee', 'manager'] })) });
    renderApp('/');
    expect(
      await screen.findByText((_, el) => el?.tagName === 'P' && el.textContent === 'Signed in as Sam Trainee'),
    ).toBeInTheDocument();
    expect(screen.getByText('sam@riverside.example')).toBeInTheDocument();
    expect(screen.getByText('Riverside Peer Network')).toBeInTheDocument();
    expect(screen.getByText('Trainee and team manager')).toBeInTheDocument();
    expect(document.title).toBe('Home · Peerpath');
  });

  it.each<[string, Role[], string[]]>([
    ['trainee', ['trainee'], ['My learning', 'Certificates']],
    ['trainer', ['trainer'], ['Role-play sessions']],
    ['manager', ['manager'], ['My teams']],
    ['org admin', ['org_admin'], ['People and invitations']],
    ['everything', ['trainee', 'trainer', 'manager', 'org_admin'], [
      'My learning',
      'Certificates',
      'Role-play sessions',
      'My teams',
      'People and invitations',
    ]],
  ])('shows the cards for a %s', async (_name, roles, want) => {
    expect(await cardTitles(roles)).toEqual(want);
  });

  it('links org admins to people and invitations', async () => {
    fakeApi({ 'GET /me': json(200, person({ roles: ['org_admin'] })) });
    renderApp('/');
    const areas = await screen.findByRole('region', { name: 'Your areas' });
    expect(within(areas).getByRole('link', { name: 'People and invitations' })).toHaveAttribute(
      'href',
      '/org/invitations',
    );
  });

  it('links trainees to their learning', async () => {
    fakeApi({ 'GET /me': json(200, person({ roles: ['trainee'] })) });
    renderApp('/');
    const areas = await screen.findByRole('region', { name: 'Your areas' });
    expect(within(areas).getByRole('link', { name: 'My learning' })).toHaveAttribute('href', '/learn');
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'My learning' })).toHaveAttribute('href', '/learn');
  });

  it('links trainees to their certificates', async () => {
    fakeApi({ 'GET /me': json(200, person({ roles: ['trainee'] })) });
    renderApp('/');
    const areas = await screen.findByRole('region', { name: 'Your areas' });
    expect(within(areas).getByRole('link', { name: 'Certificates' })).toHaveAttribute('href', '/certificates');
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Certificates' })).toHaveAttribute('href', '/certificates');
  });

  it('leaves My learning and Certificates out of the menu for people who are not trainees', async () => {
    fakeApi({ 'GET /me': json(200, person({ roles: ['org_admin'] })) });
    renderApp('/');
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    expect(within(nav).queryByRole('link', { name: 'My learning' })).toBeNull();
    expect(within(nav).queryByRole('link', { name: 'Certificates' })).toBeNull();
  });

  it('says so when there is nothing for the roles yet', async () => {
    expect(await cardTitles([])).toEqual([]);
    expect(screen.getByText(/nothing here for your roles yet/)).toBeInTheDocument();
  });
});

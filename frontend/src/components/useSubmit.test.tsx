import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import { useState, type FormEvent } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api';
import { AuthProvider } from '../auth/AuthContext';
import { fakeApi, json, person } from '../testing';
import { TextField } from './Field';
import { LiveRegion } from './LiveRegion';
import { useSubmit } from './useSubmit';

afterEach(() => {
  vi.unstubAllGlobals();
});

function NameForm({ save }: { save: (name: string) => Promise<void> }) {
  const [name, setName] = useState('');
  const [saved, setSaved] = useState('');
  const { busy, fields, error, send } = useSubmit(['name']);

  async function submit(e: FormEvent) {
    e.preventDefault();
    await send(async () => {
      await save(name);
      setSaved(`Saved ${name}.`);
    });
  }

  return (
    <main>
      <h1>Name</h1>
      <LiveRegion role="alert">{error}</LiveRegion>
      <LiveRegion role="status">{saved}</LiveRegion>
      <form onSubmit={submit} noValidate>
        <TextField label="Name" value={name} onValueChange={setName} error={fields.name} />
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
      </form>
    </main>
  );
}

async function renderForm(save: (name: string) => Promise<void>) {
  fakeApi({ 'GET /me': json(200, person()) });
  const view = render(
    <AuthProvider>
      <NameForm save={save} />
    </AuthProvider>,
  );
  const user = userEvent.setup();
  await user.type(screen.getByLabelText('Name'), 'North');
  return { ...view, user };
}

describe('useSubmit', () => {
  it('is busy while the request is out, then runs what follows it', async () => {
    let done = () => {};
    const { user } = await renderForm(() => new Promise<void>((resolve) => (done = resolve)));
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(screen.getByRole('button', { name: 'Saving…' })).toBeDisabled();
    done();
    expect(await screen.findByText('Saved North.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Save' })).toBeEnabled();
  });

  it('shows an error the API ties to a field of the form beside that field, and no message', async () => {
    const { user, container } = await renderForm(() =>
      Promise.reject(new ApiError(409, 'conflict', 'Check the highlighted fields.', { name: 'There is already a team with this name.' })),
    );
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await vi.waitFor(() =>
      expect(screen.getByLabelText('Name')).toHaveAccessibleDescription('Error: There is already a team with this name.'),
    );
    expect(screen.getByRole('alert')).toBeEmptyDOMElement();
    const result = await axe.run(container, { rules: { 'color-contrast': { enabled: false } } });
    expect(result.violations.map((v) => v.id)).toEqual([]);
  });

  it('shows any other error as one message for the form', async () => {
    const { user } = await renderForm(() =>
      Promise.reject(new ApiError(400, 'invalid', 'Check the highlighted fields.', { colour: 'Choose a colour.' })),
    );
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Check the highlighted fields.')).toBeInTheDocument();
    expect(screen.getByLabelText('Name')).not.toHaveAttribute('aria-invalid');
  });
});

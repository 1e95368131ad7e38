import { useState } from 'react';
import { useFail } from '../components/Load';

/**
 * useChange holds what a page says after a change made on it: a status when it worked, an error
 * when it did not. change asks the question first, when there is one, and does nothing if the
 * answer is no; run makes the change and answers the status to show.
 */
export function useChange() {
  const fail = useFail();
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');

  async function change(question: string | null, run: () => Promise<string>) {
    setStatus('');
    setError('');
    if (question !== null && !window.confirm(question)) return;
    try {
      setStatus(await run());
    } catch (err) {
      setError(fail(err));
    }
  }

  return { status, setStatus, error, setError, change };
}

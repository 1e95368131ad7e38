import { useState } from 'react';
import { ApiError } from '../api';
import { useFail } from './Load';

/**
 * useSubmit holds what a form shows about sending it: busy while the request is out, then what
 * went wrong. When the API ties its answer to some of the form's fields (names), the errors show
 * beside those fields; anything else shows as one message for the whole form.
 */
export function useSubmit(names: readonly string[]) {
  const fail = useFail();
  const [busy, setBusy] = useState(false);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState('');

  async function send(request: () => Promise<void>) {
    setBusy(true);
    try {
      await request();
    } catch (err) {
      const message = fail(err);
      const named: Record<string, string> = {};
      for (const n of names) {
        const e = err instanceof ApiError ? err.fields[n] : undefined;
        if (e) named[n] = e;
      }
      if (Object.keys(named).length > 0) setFields(named);
      else setError(message);
    } finally {
      setBusy(false);
    }
  }

  return { busy, fields, setFields, error, setError, send };
}

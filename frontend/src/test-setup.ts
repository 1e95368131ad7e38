import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// A busy machine (CI running several suites at once) can take more than the default second to
// render a page after its fake API answers.
configure({ asyncUtilTimeout: 4000 });

afterEach(() => {
  cleanup();
});

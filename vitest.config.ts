import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    // The CLI tests spawn node processes; two cores are shared with the other test files.
    pool: 'forks',
    setupFiles: ['test/setup.ts'],
  },
});

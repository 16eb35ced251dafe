import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests spawn real processes and git; two workers match CI's two cores.
    pool: 'forks',
    maxWorkers: 2,
  },
});

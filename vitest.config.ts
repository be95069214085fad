import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['*/test/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/build/**', '**/dist/**'],
    globalSetup: ['testkit/src/global-setup.ts'],
    // Real servers and real browsers: generous limits, but no timing assertions anywhere.
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Two cores: more parallel files only make the servers slower for everyone.
    maxWorkers: 2,
    minWorkers: 1,
  },
});

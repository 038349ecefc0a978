import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Real processes, mounts and namespaces: every test file gets its own process.
    pool: 'forks',
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/file-leftovers.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    maxWorkers: 2,
    reporters: ['default'],
  },
});

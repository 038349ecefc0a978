import { defineConfig } from 'vitest/config';

// The pure cgroup v2 suite: runs inside ../shared/vm/cgroup2-vm.sh (scripts/test-cgroup2.mjs).
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/cgroup2/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    maxWorkers: 1,
    fileParallelism: false,
  },
});

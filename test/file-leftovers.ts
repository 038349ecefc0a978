// After each test file: no cgroup named after this file's containers may be left. The run's
// leftover check (global-setup.ts) catches the rest, but only this one can name the file.

import { afterAll } from 'vitest';
import { testCgroups } from './helpers/leftovers.js';

afterAll(() => {
  // Container ids are "<prefix>-<pid of the test file's process>-<n>" (helpers/sandbox.ts).
  const ours = testCgroups(new RegExp(`^[a-z]+-${process.pid}-\\d+$`));
  if (ours.length) throw new Error(`this file left cgroups behind:\n  ${ours.join('\n  ')}`);
});

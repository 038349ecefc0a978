// What a test can leave behind that the checks look for: cgroups named like the tests'
// containers, wherever in the cgroup trees they are.

import { describeProcs, subdirs } from '../../lib/cgroups/manager.js';

/**
 * Names the tests give containers ("c-PID-N", "bad-PID-N") and the parents they make, and the
 * names the examples and the package test's program give theirs (examples.test.ts and
 * package.test.ts run them).
 */
export const TEST_CGROUP_NAME =
  /^(c|bad)-\d+-\d+$|^caisson-(cgtest|ctd|pod)-\d+$|^sub-\d+$|^(parallel-\d+-\d+|run-command-\d+|service-\d+|pty-session-\d+|from-package)$/;

/** Cgroup directories whose name matches, each with the pids still in it (if any). */
export function testCgroups(name: RegExp = TEST_CGROUP_NAME): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    for (const e of subdirs(dir)) {
      if (name.test(e)) out.push(`cgroup ${dir}/${e}${describeProcs(`${dir}/${e}`)}`);
      else if (depth > 0) walk(`${dir}/${e}`, depth - 1);
    }
  };
  walk('/sys/fs/cgroup', 4);
  return out;
}

// What a test can leave behind that the checks look for: cgroups named like the tests'
// containers, wherever in the cgroup trees they are.

import { readFileSync } from 'node:fs';
import { subdirs } from '../../lib/cgroups/manager.js';

/** Names the tests give containers ("c-PID-N", "bad-PID-N") and the parents they make. */
export const TEST_CGROUP_NAME = /^(c|bad)-\d+-\d+$|^caisson-(cgtest|ctd|pod)-\d+$|^sub-\d+$/;

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

/** " (holds pid 12 sleep [S])", or "" for an empty cgroup: what keeps it there. */
function describeProcs(dir: string): string {
  let pids: string[] = [];
  try {
    pids = readFileSync(`${dir}/cgroup.procs`, 'utf8').split('\n').filter(Boolean);
  } catch {
    return '';
  }
  if (!pids.length) return '';
  const what = pids.slice(0, 5).map((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
      return `${pid} ${comm} [${state}]`;
    } catch {
      return pid;
    }
  });
  return ` (holds pid ${what.join(', ')}${pids.length > 5 ? ', …' : ''})`;
}

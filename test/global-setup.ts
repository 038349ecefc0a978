// Once per test run: build the busybox rootfs fixture, and afterwards check that no test left
// anything behind (state directories, mounts, processes).

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildBusyboxRootfs } from '../lib/example-bundle.js';
import { testCgroups } from './helpers/leftovers.js';
import { FIXTURE_ROOTFS, TEST_BASE, TEST_ROOT } from './helpers/paths.js';

/** Every process the test run starts carries this in its environment; containers get it too. */
export const RUN_MARK = 'CAISSON_TEST_RUN';

function markedProcesses(): string[] {
  const out: string[] = [];
  const mark = `${RUN_MARK}=${process.env[RUN_MARK]}`;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      if (!env.includes(mark)) continue;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      // vitest's own workers may still be winding down.
      const ppid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      if (ppid === process.pid && cmdline.includes('vitest')) continue;
      out.push(`process ${pid} (${cmdline})`);
    } catch {
      /* gone, or a kernel thread */
    }
  }
  return out;
}

export function leftovers(): string[] {
  const found: string[] = [...markedProcesses(), ...testCgroups()];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mp = line.split(' ')[4];
    if (mp?.startsWith(TEST_BASE)) found.push(`mount ${mp}`);
  }
  // Each sandbox removes its directory when it is clean; one that is still here was not.
  try {
    for (const sandbox of readdirSync(`${TEST_BASE}/sandboxes`)) found.push(`sandbox ${TEST_BASE}/sandboxes/${sandbox}`);
  } catch {
    /* no sandboxes left: good */
  }
  return found;
}

/** Directories of earlier runs whose vitest process is gone (a run killed before teardown). */
function removeStaleRuns(): void {
  try {
    for (const name of readdirSync(TEST_ROOT)) {
      if (/^\d+$/.test(name) && Number(name) !== process.pid && !existsSync(`/proc/${name}`)) {
        rmSync(`${TEST_ROOT}/${name}`, { recursive: true, force: true });
      }
    }
  } catch {
    /* no earlier runs */
  }
}

export function setup(): void {
  process.env[RUN_MARK] = String(process.pid);
  removeStaleRuns();
  rmSync(TEST_BASE, { recursive: true, force: true });
  mkdirSync(dirname(FIXTURE_ROOTFS), { recursive: true });
  buildBusyboxRootfs(dirname(FIXTURE_ROOTFS));
}

export function teardown(): void {
  const found = leftovers();
  if (found.length) {
    // npm test repeats this list above its summary line (the tail of a CI log).
    const report = process.env.CAISSON_LEFTOVERS_FILE;
    if (report) writeFileSync(report, `${found.join('\n')}\n`);
    // Fail the run: a runtime's tests must leave nothing behind.
    throw new Error(`tests left things behind:\n  ${found.join('\n  ')}`);
  }
  rmSync(TEST_BASE, { recursive: true, force: true });
}

// Once per test run: build the busybox rootfs fixture, and afterwards check that no test left
// anything behind (state directories, mounts, processes).

import { mkdirSync, readdirSync, readlinkSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildBusyboxRootfs } from '../lib/example-bundle.js';
import { FIXTURE_ROOTFS, TEST_BASE } from './helpers/paths.js';

export function leftovers(): string[] {
  const found: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mp = line.split(' ')[4];
    if (mp?.startsWith(TEST_BASE)) found.push(`mount ${mp}`);
  }
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const root = readlinkSync(`/proc/${pid}/root`);
      if (root.startsWith(TEST_BASE)) found.push(`process ${pid} (${readFileSync(`/proc/${pid}/comm`, 'utf8').trim()}) rooted in ${root}`);
    } catch {
      /* gone or not ours to read */
    }
  }
  try {
    for (const sandbox of readdirSync(`${TEST_BASE}/sandboxes`)) {
      for (const id of readdirSync(`${TEST_BASE}/sandboxes/${sandbox}/state`)) found.push(`state ${sandbox}/state/${id}`);
    }
  } catch {
    /* no sandboxes left: good */
  }
  return found;
}

export function setup(): void {
  rmSync(TEST_BASE, { recursive: true, force: true });
  mkdirSync(dirname(FIXTURE_ROOTFS), { recursive: true });
  buildBusyboxRootfs(dirname(FIXTURE_ROOTFS));
}

export function teardown(): void {
  const found = leftovers();
  if (found.length) {
    // Fail the run: a runtime's tests must leave nothing behind.
    throw new Error(`tests left things behind:\n  ${found.join('\n  ')}`);
  }
  rmSync(TEST_BASE, { recursive: true, force: true });
}

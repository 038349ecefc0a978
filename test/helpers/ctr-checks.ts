// Checks shared by the scenarios that ctr runs through the runc v2 shim (containerd.test.ts) and
// through our own shim (shim.test.ts), and podman's: the same scenario must check the same thing
// whichever path runs it.

import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { PrivateContainerd } from './containerd.js';

/** A cgroup file of `pid` on the host: its v1 controller's, else its cgroup2 directory's. */
export function cgroupFileOf(pid: number, ctrl: string, v1file: string, v2file: string): string {
  const cg = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  const v1 = cg.match(new RegExp(`^\\d+:[^:]*\\b${ctrl}\\b[^:]*:(.*)$`, 'm'))?.[1];
  return v1 ? `/sys/fs/cgroup/${ctrl}${v1}/${v1file}` : `/sys/fs/cgroup${cg.match(/^0::(.*)$/m)![1]}/${v2file}`;
}

/** `ctr task pause` freezes the task (its freezer says so on v1), `resume` thaws it. */
export async function expectPauseResume(ctd: PrivateContainerd, cid: string, pid: number): Promise<void> {
  expect((await ctd.ctr(['task', 'pause', cid])).code).toBe(0);
  expect(await ctd.taskStatus(cid)).toBe('PAUSED');
  expect(readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(/^State:\s+[DS]/m);
  const freezer = readFileSync(`/proc/${pid}/cgroup`, 'utf8').match(/:freezer:(.*)$/m)?.[1];
  if (freezer) expect(readFileSync(`/sys/fs/cgroup/freezer${freezer}/freezer.state`, 'utf8').trim()).toBe('FROZEN');
  expect((await ctd.ctr(['task', 'resume', cid])).code).toBe(0);
  expect(await ctd.taskStatus(cid)).toBe('RUNNING');
}

/** `ctr task metrics` of a task running one process shows memory use and that one pid. */
export async function expectMetrics(ctd: PrivateContainerd, cid: string): Promise<void> {
  const r = await ctd.ctr(['task', 'metrics', cid]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/memory\.usage_in_bytes\s+\d+|memory\.usage\s+\d+/);
  expect(r.stdout).toMatch(/pids\.current\s+1\b/);
}

/** The memory limit of `pid`'s cgroup, as the kernel has it. */
export function memoryLimitOf(pid: number): string {
  return readFileSync(cgroupFileOf(pid, 'memory', 'memory.limit_in_bytes', 'memory.max'), 'utf8').trim();
}

// kill: signal the init, or with --all every process of the container.

import { closeSync } from 'node:fs';
import { StateError } from '../errors.js';
import * as native from '../native.js';
import { CgroupManager } from '../cgroups/manager.js';
import { isAlive, nsId, pidsInNamespace } from '../state/proc.js';
import type { ContainerRecord, StateStore } from '../state/store.js';
import { statusOf } from './status.js';

const SIGKILL = 9;

/** Has the container a pid namespace of its own (made for it, not joined)? */
export function ownPidNamespace(rec: ContainerRecord): boolean {
  return (rec.config.linux?.namespaces ?? []).some((n) => n.type === 'pid' && !n.path);
}

/**
 * Every process of the container: those in its cgroup; without one (a rootless container),
 * those in its own pid namespace, or only the init when it shares the host's.
 */
export function containerPids(rec: ContainerRecord): number[] {
  if (rec.cgroup) return new CgroupManager(rec.cgroup).pids();
  const ownPidNs = ownPidNamespace(rec);
  // A dead init's pid may belong to someone else by now: never look it up.
  if (!isAlive(rec.pid, rec.startTime)) return [];
  if (!ownPidNs) return [rec.pid];
  const ns = nsId(rec.pid, 'pid');
  return ns ? pidsInNamespace('pid', ns) : [];
}

/** Signal one process through a pidfd, checking it is still the process we mean. */
export function signalProcess(pid: number, startTime: string | undefined, signal: number): boolean {
  let fd: number;
  try {
    fd = native.pidfdOpen(pid);
  } catch {
    return false;
  }
  try {
    // The pidfd pins the process; if the start time still matches, it is the one we mean.
    if (startTime !== undefined && !isAlive(pid, startTime)) return false;
    native.pidfdSendSignal(fd, signal);
    return true;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

export async function signalContainer(rec: ContainerRecord, signal: number, all: boolean): Promise<void> {
  const cg = rec.cgroup ? new CgroupManager(rec.cgroup) : undefined;
  if (!all) {
    if (!signalProcess(rec.pid, rec.startTime, signal)) throw new StateError('container not running', 'stopped');
  } else if (cg && signal === SIGKILL) {
    await cg.killAll((pid) => signalProcess(pid, undefined, signal));
  } else {
    for (const pid of containerPids(rec)) signalProcess(pid, pid === rec.pid ? rec.startTime : undefined, signal);
  }
  // A frozen v1 cgroup holds SIGKILL back until it thaws: kill means kill (runc does the same).
  if (signal === SIGKILL && cg?.isFrozen()) await cg.setFrozen(false);
}

export async function killContainer(store: StateStore, id: string, signal: number, all = false): Promise<void> {
  await store.withRecord(id, async (rec) => {
    // With --all, a stopped container's cgroup may still hold processes (no pid namespace of its
    // own, so they outlived the init): runc signals them, and so do we.
    if (statusOf(store, rec) === 'stopped' && !(all && rec.cgroup)) throw new StateError('container not running', 'stopped');
    await signalContainer(rec, signal, all);
  });
}

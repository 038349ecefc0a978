// delete: destroy a stopped container; with --force, kill a running one first.

import { setTimeout as sleep } from 'node:timers/promises';
import { CaissonError, NotFoundError, StateError } from '../errors.js';
import { hookState, runPoststop } from '../hooks/run.js';
import { isAlive } from '../state/proc.js';
import type { ContainerRecord, StateStore } from '../state/store.js';
import { CgroupManager } from '../cgroups/manager.js';
import { containerPids, ownPidNamespace, signalContainer } from './kill.js';
import { statusOf } from './status.js';

const SIGKILL = 9;

/** Wait until the init (and, with a pid namespace, everything in it) is gone. */
async function waitGone(rec: ContainerRecord, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 1; isAlive(rec.pid, rec.startTime); delay = Math.min(delay * 2, 100)) {
    if (Date.now() > deadline) throw new CaissonError('ESYSTEM', `container ${rec.id} did not die after SIGKILL`);
    await sleep(delay);
  }
}

export async function deleteContainer(store: StateStore, id: string, force = false, warn: (msg: string) => void = () => {}): Promise<void> {
  let lock;
  try {
    lock = await store.lock(id);
  } catch (err) {
    // containerd always follows delete with delete --force; a missing container is then fine.
    if (force && err instanceof NotFoundError) return;
    throw err;
  }
  try {
    const rec = store.read(id);
    if (!rec) {
      // A create that died before writing its state: nothing runs, only the directory is left.
      store.remove(id);
      return;
    }
    const status = statusOf(store, rec);
    if ((status === 'running' || status === 'paused') && !force) {
      throw new StateError(`cannot delete container ${id} that is not stopped: ${status}`, status);
    }
    if (status !== 'stopped' || (force && containerPids(rec).length > 0)) {
      await signalContainer(rec, SIGKILL, true);
      await waitGone(rec, 10_000);
    }
    // Without a pid namespace of its own, what its init started may outlive it: runc kills that.
    if (rec.cgroup) await new CgroupManager(rec.cgroup).destroy({ killLeft: !ownPidNamespace(rec) });
    // What a started container's directory holds (start removed its socket).
    store.remove(id, rec.bundle === store.dir(id) ? ['state.json', 'config.json'] : ['state.json']);
    // Spec step 13: after destroy, before delete returns; failures only warn.
    await runPoststop(rec.config.hooks?.poststop, hookState(id, rec.bundle, 'stopped', undefined, rec.annotations), warn);
  } finally {
    lock.release();
  }
}

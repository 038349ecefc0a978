// pause / resume: freeze and thaw every process of the container through its cgroup.

import { StateError } from '../errors.js';
import { CgroupManager } from '../cgroups/manager.js';
import type { StateStore } from '../state/store.js';
import { statusOf } from './status.js';

export async function setPaused(store: StateStore, id: string, paused: boolean): Promise<void> {
  await store.withRecord(id, async (rec) => {
    const status = statusOf(store, rec);
    if (status === 'stopped') throw new StateError('container not running', status);
    if (!paused && status !== 'paused') throw new StateError('container not paused', status);
    if (!rec.cgroup) throw new StateError('container has no cgroup to freeze (rootless)', status);
    await new CgroupManager(rec.cgroup).setFrozen(paused);
  });
}

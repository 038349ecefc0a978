// events: stats every interval and OOM notices, as `runc events` prints them, until the
// container stops.

import { setTimeout as sleep } from 'node:timers/promises';
import { NotFoundError, StateError } from '../errors.js';
import { CgroupManager } from '../cgroups/manager.js';
import { oomKills, readStats } from '../cgroups/stats.js';
import type { Stats } from '../cgroups/stats.js';
import { isAlive } from '../state/proc.js';
import type { StateStore } from '../state/store.js';

export type ContainerEvent = { type: 'stats'; id: string; data: Stats } | { type: 'oom'; id: string };

function manager(store: StateStore, id: string): { mgr: CgroupManager; alive: () => boolean } {
  const rec = store.read(id);
  if (!rec) throw new NotFoundError(id);
  if (!isAlive(rec.pid, rec.startTime)) throw new StateError('container not running', 'stopped');
  if (!rec.cgroup) throw new StateError('container has no cgroup to read (rootless)');
  return { mgr: new CgroupManager(rec.cgroup), alive: () => isAlive(rec.pid, rec.startTime) };
}

export function containerStats(store: StateStore, id: string): Stats {
  return readStats(manager(store, id).mgr);
}

/** Stats every `intervalMs`, an oom event as soon as an OOM kill is counted (polled every 50 ms). */
export async function* containerEvents(store: StateStore, id: string, intervalMs: number, signal?: AbortSignal): AsyncGenerator<ContainerEvent> {
  const { mgr, alive } = manager(store, id);
  let ooms = oomKills(mgr);
  let nextStats = 0;
  while (!signal?.aborted) {
    const now = Date.now();
    const kills = oomKills(mgr);
    if (kills > ooms) {
      ooms = kills;
      yield { type: 'oom', id };
    }
    if (!alive()) return;
    if (now >= nextStats) {
      yield { type: 'stats', id, data: readStats(mgr) };
      nextStats = now + intervalMs;
    }
    await sleep(Math.min(50, Math.max(1, nextStats - Date.now())));
  }
}

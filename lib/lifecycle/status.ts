// A container's status, derived from the world rather than stored: the init's liveness (with
// its start time against pid reuse) and whether the start socket still exists.

import { existsSync } from 'node:fs';
import { SPEC_VERSION } from '../../spec/types.js';
import type { ContainerRecord, StateStore } from '../state/store.js';
import { isAlive } from '../state/proc.js';
import { CgroupManager } from '../cgroups/manager.js';

export type Status = 'created' | 'running' | 'paused' | 'stopped';

export function statusOf(store: StateStore, rec: ContainerRecord): Status {
  if (!isAlive(rec.pid, rec.startTime)) return 'stopped';
  if (rec.cgroup && new CgroupManager(rec.cgroup).isFrozen()) return 'paused';
  if (existsSync(store.startSocket(rec.id))) return 'created';
  return 'running';
}

/** The state document as runc prints it (field order included). */
export interface ContainerState {
  ociVersion: string;
  id: string;
  pid: number;
  status: Status;
  bundle: string;
  rootfs: string;
  created: string;
  annotations?: Record<string, string>;
  owner: string;
}

export function stateOf(store: StateStore, rec: ContainerRecord): ContainerState {
  const status = statusOf(store, rec);
  return {
    ociVersion: SPEC_VERSION,
    id: rec.id,
    pid: status === 'stopped' ? 0 : rec.pid,
    status,
    bundle: rec.bundle,
    rootfs: rec.rootfs,
    created: rec.created,
    ...(Object.keys(rec.annotations).length ? { annotations: rec.annotations } : {}),
    owner: '',
  };
}

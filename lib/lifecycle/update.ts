// update: change a running container's resources. The document is a LinuxResources object (what
// `runc update --resources` reads); the values replace the stored ones field by field.

import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { ConfigError, StateError } from '../errors.js';
import { validateResources } from '../../spec/index.js';
import type { LinuxResources } from '../../spec/types.js';
import { CgroupManager } from '../cgroups/manager.js';
import { v1Dir } from '../cgroups/paths.js';
import type { StateStore } from '../state/store.js';
import { statusOf } from './status.js';

/** One level deep merge: each resource group's fields replace the stored ones. */
export function mergeResources(old: LinuxResources | undefined, update: LinuxResources): LinuxResources {
  const out: Record<string, unknown> = { ...(old ?? {}) };
  for (const [k, v] of Object.entries(update)) {
    const prev = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object' && !Array.isArray(prev) ? { ...prev, ...v } : v;
  }
  return out as LinuxResources;
}

function usage(mgr: CgroupManager): number | undefined {
  const v2 = mgr.rec.layout === 'v2' ? mgr.place.v2 : undefined;
  const file = v2 ? posix.join(v2.dir, 'memory.current') : (() => {
    const d = v1Dir(mgr.place, 'memory');
    return d && posix.join(d.dir, 'memory.usage_in_bytes');
  })();
  try {
    return file ? Number(readFileSync(file, 'utf8').trim()) : undefined;
  } catch {
    return undefined;
  }
}

export async function updateContainer(store: StateStore, id: string, raw: unknown, warn: (m: string) => void = () => {}): Promise<LinuxResources> {
  const update = validateResources(raw, '$');
  return store.withRecord(id, async (rec) => {
    const status = statusOf(store, rec);
    if (status === 'stopped') throw new StateError('container not running', status);
    if (!rec.cgroup) throw new StateError('container has no cgroup to update (rootless)', status);
    const mgr = new CgroupManager(rec.cgroup);
    const merged = mergeResources(rec.config.linux?.resources, update);
    // checkBeforeUpdate: refuse a memory limit below what is in use (v1 refuses it by itself).
    const limit = update.memory?.limit;
    if (merged.memory?.checkBeforeUpdate && limit !== undefined && limit > 0) {
      const used = usage(mgr);
      if (used !== undefined && limit < used) {
        throw new ConfigError('$.memory.limit', `the new limit (${limit}) is below the current usage (${used})`);
      }
    }
    // Only what the update names is written (with what it implies, e.g. swap with limit).
    const { devices, ...groups } = update;
    mgr.apply(mergeGroupsFor(groups, merged), warn, '$');
    if (devices) mgr.applyDevices(devices);
    store.write({ ...rec, config: { ...rec.config, linux: { ...rec.config.linux, resources: merged } } });
    return merged;
  });
}

/** The merged values of just the groups the update touches. */
function mergeGroupsFor(update: LinuxResources, merged: LinuxResources): LinuxResources {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(update)) out[k] = (merged as Record<string, unknown>)[k];
  return out as LinuxResources;
}

// Where a container's cgroup lives in each hierarchy, from linux.cgroupsPath as runc reads it:
//   "/a/b"   absolute: below the root of every hierarchy
//   "a/b"    relative: below the caller's own cgroup in each hierarchy
//   unset    "<id>", relative: what runc does without a path
// Systemd's "slice:prefix:name" form belongs to --systemd-cgroup, which caisson does not do.

import { posix } from 'node:path';
import { joinClean } from '../clean-path.js';
import { ConfigError } from '../errors.js';
import type { CgroupFacts, CgroupHierarchy } from '../host.js';

export interface CgroupDir {
  /** the hierarchy's mount point */
  mountPoint: string;
  /** path below the mount point, absolute ("/a/b") */
  path: string;
  /** mountPoint + path */
  dir: string;
  version: 1 | 2;
  /** v1: the controllers of this hierarchy (or name=...) */
  controllers: string[];
}

export interface CgroupPlace {
  v2?: CgroupDir;
  v1: CgroupDir[];
}

/** The key of a hierarchy in /proc/PID/cgroup: "" for v2, its controllers joined by "," for v1. */
export function hierarchyKey(h: Pick<CgroupHierarchy, 'version' | 'controllers'>): string {
  return h.version === 2 ? '' : h.controllers.join(',');
}

export function resolveCgroupsPath(
  cgroupsPath: string | undefined,
  id: string,
  facts: CgroupFacts,
  own: Map<string, string>,
): CgroupPlace {
  // An empty path means unset, as runc reads it.
  const raw = cgroupsPath || id;
  if (/^[^/]*:[^/]*:/.test(raw)) {
    throw new ConfigError('$.linux.cgroupsPath', `"${raw}" is a systemd slice:prefix:name path, which needs --systemd-cgroup (not supported yet)`);
  }
  const clean = posix.normalize(raw).replace(/(.)\/+$/, '$1');
  if (clean.split('/').includes('..')) throw new ConfigError('$.linux.cgroupsPath', `"${raw}" must not leave the cgroup hierarchy`);
  if (clean === '.' || clean === '/') {
    throw new ConfigError('$.linux.cgroupsPath', `"${raw}" names an existing cgroup, not one of the container's own`);
  }
  const place: CgroupPlace = { v1: [] };
  for (const h of facts.hierarchies) {
    if (h.version === 1 && h.controllers.length === 0) continue;
    const base = raw.startsWith('/') ? '/' : (own.get(hierarchyKey(h)) ?? '/');
    const path = joinClean(base, clean);
    const d: CgroupDir = { mountPoint: h.mountPoint, path, dir: joinClean(h.mountPoint, path), version: h.version, controllers: h.controllers };
    if (h.version === 2) place.v2 = d;
    else place.v1.push(d);
  }
  return place;
}

/** The v1 directory carrying `controller`, if any hierarchy has it. */
export function v1Dir(place: CgroupPlace, controller: string): CgroupDir | undefined {
  return place.v1.find((d) => d.controllers.includes(controller));
}

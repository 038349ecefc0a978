// config.json `mounts` to plan operations, in listed order.
//
// A mount is a bind mount iff its options say bind or rbind (spec). Other mounts create a new
// filesystem instance of `type`. The OCI "cgroup" type means "the cgroup hierarchy": on a
// cgroup v2 host that is one cgroup2 mount, on v1 and hybrid hosts a tmpfs holding one mount
// per hierarchy, as runc builds it.

import { posix } from 'node:path';
import { isCleanAbsolute, joinClean } from '../clean-path.js';
import { ConfigError, UnsupportedError } from '../errors.js';
import type { Mount, Spec } from '../../spec/types.js';
import type { CgroupHierarchy } from '../host.js';
import { hierarchyKey } from '../cgroups/paths.js';
import type { PlanContext } from './context.js';
import type { PlanOp } from './encode.js';
import { parseMountOptions } from './mount-options.js';
import type { ParsedMountOptions } from './mount-options.js';
import { MF_BIND_FALLBACK, MF_DEST_FILE, MF_RECURSIVE_BIND, MF_REMOUNT, MF_TMPCOPYUP, MountKind, MOUNT_ATTR, Op } from './opcodes.js';

/** Clean a destination the way runc does: absolute (relative means relative to /), no "..". */
export function cleanDestination(dest: string): string {
  if (isCleanAbsolute(dest)) return dest; // most are: "/proc", "/dev/pts"
  const clean = posix.normalize(posix.join('/', dest));
  return clean.length > 1 ? clean.replace(/\/+$/, '') : clean;
}

interface MountOpInput {
  kind: number;
  source: string;
  dest: string;
  fstype: string;
  o: ParsedMountOptions;
  flags: number;
  fallback?: string;
  label: string;
}

function mountOp(m: MountOpInput): PlanOp {
  return {
    code: Op.MOUNT,
    label: m.label,
    fields: [
      m.kind,
      m.source,
      m.dest,
      m.fstype,
      m.o.attrs.set,
      m.o.attrs.clr,
      m.o.recursiveAttrs.set,
      m.o.recursiveAttrs.clr,
      m.o.propagation,
      m.o.propagationRecursive ? 1 : 0,
      m.o.sbFlags,
      m.o.data.length,
      ...m.o.data,
      m.flags,
      m.fallback ?? '',
    ],
  };
}

function hasNs(spec: Spec, type: string): boolean {
  return (spec.linux?.namespaces ?? []).some((n) => n.type === type);
}

/**
 * Without a cgroup namespace a fresh cgroup mount would show the whole host hierarchy, so each
 * hierarchy is bind-mounted from the container's own cgroup instead (runc does the same). With a
 * cgroup namespace the kernel roots a fresh mount at the namespace's cgroup; for a v1 hierarchy
 * that is the container's own cgroup again, so it is bound all the same: the same directory,
 * shown the same way from inside the namespace (a cgroup mount's root is printed relative to the
 * reader's cgroup namespace), without a new superblock for each of up to a dozen hierarchies
 * (~10 us each here). cgroup2 gets a fresh mount, which knows the namespace (nsdelegate).
 */
function cgroupMountOps(m: Mount, index: number, dest: string, o: ParsedMountOptions, spec: Spec, ctx: PlanContext, v2only: boolean): PlanOp[] {
  const cgroupns = hasNs(spec, 'cgroup');
  const ops: PlanOp[] = [];
  const one = (h: CgroupHierarchy, at: string, sub: ParsedMountOptions): PlanOp => {
    const label = `mount cgroup${h.version === 2 ? '2' : ` (${h.controllers.join(',')})`} on ${at}`;
    if (cgroupns && h.version === 2) {
      const data = h.version === 2 ? sub.data : [...h.controllers, ...sub.data];
      return mountOp({ kind: MountKind.FS, source: m.source ?? 'cgroup', dest: at, fstype: h.version === 2 ? 'cgroup2' : 'cgroup', o: { ...sub, data }, flags: 0, label });
    }
    const own = ctx.cgroupPaths.get(hierarchyKey(h)) ?? '/';
    const source = joinClean(h.mountPoint, own);
    return mountOp({ kind: MountKind.BIND, source, dest: at, fstype: '', o: { ...sub, data: [] }, flags: MF_RECURSIVE_BIND, label });
  };

  const v2 = ctx.cgroups.hierarchies.find((h) => h.version === 2);
  if (v2only || ctx.cgroups.layout === 'v2') {
    const h = v2 ?? { version: 2 as const, mountPoint: '/sys/fs/cgroup', controllers: [] };
    return [one(h, dest, o)];
  }
  // v1 or hybrid: a tmpfs with one directory per hierarchy, made read-only last if asked.
  const tmpfsOpts: ParsedMountOptions = { ...o, attrs: { set: o.attrs.set & ~MOUNT_ATTR.RDONLY, clr: 0 }, data: ['mode=755'] };
  ops.push(mountOp({ kind: MountKind.FS, source: 'tmpfs', dest, fstype: 'tmpfs', o: tmpfsOpts, flags: 0, label: `mount cgroup tmpfs on ${dest}` }));
  for (const h of ctx.cgroups.hierarchies) {
    const name = posix.basename(h.mountPoint);
    if (h.version === 1 && h.controllers.length === 0) continue;
    ops.push(one(h, joinClean(dest, name), o));
  }
  if (o.readonly) {
    const ro = parseMountOptions(['ro'], `$.mounts[${index}].options`);
    ops.push(mountOp({ kind: MountKind.BIND, source: '', dest, fstype: '', o: ro, flags: MF_REMOUNT, label: `make ${dest} read-only` }));
  }
  return ops;
}

export function mountOps(spec: Spec, ctx: PlanContext, newUserNs: boolean): PlanOp[] {
  const ops: PlanOp[] = [];
  (spec.mounts ?? []).forEach((m: Mount, i) => {
    const path = `$.mounts[${i}]`;
    if (m.uidMappings || m.gidMappings) throw new UnsupportedError(`${path}.uidMappings`, 'id-mapped mounts are not supported yet');
    const o = parseMountOptions(m.options, `${path}.options`);
    const dest = cleanDestination(m.destination);
    const type = m.type ?? '';
    const what = o.bind ? `bind ${m.source ?? ''}` : type || 'filesystem';

    if (o.remount && !o.bind) {
      ops.push(mountOp({ kind: MountKind.BIND, source: '', dest, fstype: '', o, flags: MF_REMOUNT, label: `remount ${dest}` }));
      return;
    }
    if (o.bind) {
      const src = ctx.bindSources.get(i);
      if (!src) throw new ConfigError(`${path}.source`, 'is required for a bind mount');
      const flags = (src.isDirectory ? 0 : MF_DEST_FILE) | (o.recursiveBind ? MF_RECURSIVE_BIND : 0);
      ops.push(mountOp({ kind: MountKind.BIND, source: src.path, dest, fstype: '', o, flags, label: `mount ${what} on ${dest}` }));
      return;
    }
    if (!type) throw new ConfigError(`${path}.type`, 'is required for a mount that is not a bind mount');
    if (type === 'cgroup' || type === 'cgroup2') {
      ops.push(...cgroupMountOps(m, i, dest, o, spec, ctx, type === 'cgroup2'));
      return;
    }
    // sysfs cannot be mounted from a user namespace that does not own the network namespace:
    // fall back to a recursive bind of the host's /sys, as runc does.
    const fallback = type === 'sysfs' && newUserNs ? '/sys' : undefined;
    if (o.copyUp && type !== 'tmpfs') throw new ConfigError(`${path}.options`, `tmpcopyup is only for tmpfs mounts, not ${type}`);
    ops.push(
      mountOp({
        kind: MountKind.FS,
        source: m.source ?? type,
        dest,
        fstype: type,
        o,
        flags: (fallback ? MF_BIND_FALLBACK : 0) | (o.copyUp ? MF_TMPCOPYUP : 0),
        fallback,
        label: `mount ${type} on ${dest}`,
      }),
    );
  });
  return ops;
}

/** runc skips creating /dev nodes when the container bind-mounts its own /dev. */
export function bindsDev(spec: Spec): boolean {
  return (spec.mounts ?? []).some((m) => cleanDestination(m.destination) === '/dev' && parseMountOptions(m.options, '').bind);
}

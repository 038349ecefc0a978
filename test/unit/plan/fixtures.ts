// Shared, hand-made inputs for the plan unit tests: PlanContext objects, cgroup layouts, a
// minimal config, and helpers that turn op field lists back into something readable.
// Nothing here touches the host: every "host fact" is written out by hand.

import { expect } from 'vitest';
import { ConfigError } from '../../../lib/errors.js';
import type { CgroupFacts } from '../../../lib/host.js';
import type { PlanContext } from '../../../lib/plan/context.js';
import type { Field, PlanOp } from '../../../lib/plan/encode.js';
import { Op } from '../../../lib/plan/opcodes.js';
import type { Spec } from '../../../spec/types.js';

/** A pure cgroup v2 host: one cgroup2 mount at /sys/fs/cgroup. */
export const V2_FACTS: CgroupFacts = {
  layout: 'v2',
  hierarchies: [{ version: 2, mountPoint: '/sys/fs/cgroup', controllers: [] }],
};

/** systemd's hybrid layout: v1 controllers plus cgroup2 at /sys/fs/cgroup/unified. */
export const HYBRID_FACTS: CgroupFacts = {
  layout: 'hybrid',
  hierarchies: [
    { version: 1, mountPoint: '/sys/fs/cgroup/systemd', controllers: ['name=systemd'] },
    { version: 2, mountPoint: '/sys/fs/cgroup/unified', controllers: [] },
    { version: 1, mountPoint: '/sys/fs/cgroup/cpu,cpuacct', controllers: ['cpu', 'cpuacct'] },
    { version: 1, mountPoint: '/sys/fs/cgroup/memory', controllers: ['memory'] },
  ],
};

/** A v1-only host, including a controller-less v1 hierarchy that must be skipped. */
export const V1_FACTS: CgroupFacts = {
  layout: 'v1',
  hierarchies: [
    { version: 1, mountPoint: '/sys/fs/cgroup/systemd', controllers: ['name=systemd'] },
    { version: 1, mountPoint: '/sys/fs/cgroup/cpu,cpuacct', controllers: ['cpu', 'cpuacct'] },
    { version: 1, mountPoint: '/sys/fs/cgroup/empty', controllers: [] },
    { version: 1, mountPoint: '/sys/fs/cgroup/pids', controllers: ['pids'] },
  ],
};

/** /proc/self/cgroup of the caller, keyed as host.ownCgroups keys it. */
export const OWN_CGROUPS_V2 = new Map([['', '/user.slice/caisson.scope']]);
export const OWN_CGROUPS_V1 = new Map([
  ['name=systemd', '/user.slice/caisson.scope'],
  ['', '/user.slice/caisson.scope'],
  ['cpu,cpuacct', '/caisson/cpu'],
  ['pids', '/caisson/pids'],
  // memory deliberately missing: the bind source then falls back to the hierarchy root
]);

export function makeCtx(over: Partial<PlanContext> = {}): PlanContext {
  return {
    id: 'box1',
    bundle: '/srv/bundles/box1',
    rootfs: '/srv/bundles/box1/rootfs',
    rootfsParentMount: '/srv',
    noPivot: false,
    noNewKeyring: false,
    rootless: false,
    cgroupTaskFds: [],
    preserveFds: 0,
    startListenFd: 9,
    nsFds: {},
    bindSources: new Map(),
    cgroups: V2_FACTS,
    cgroupPaths: OWN_CGROUPS_V2,
    lastCap: 40,
    hostHasKcore: true,
    lsm: { apparmor: false, selinux: false },
    ...over,
  };
}

/** The smallest config the plan builder accepts: a process and a mount namespace. */
export function minimalSpec(over: Partial<Spec> = {}): Spec {
  return {
    ociVersion: '1.3.0',
    root: { path: 'rootfs' },
    process: { args: ['sh'], cwd: '/' },
    linux: { namespaces: [{ type: 'mount' }] },
    ...over,
  };
}

const OP_NAMES = new Map<number, string>(Object.entries(Op).map(([k, v]) => [v, k]));

/** "MOUNT", "SETNS", ... for an op code. */
export function opName(code: number): string {
  return OP_NAMES.get(code) ?? `op ${code}`;
}

export function opNames(ops: readonly PlanOp[]): string[] {
  return ops.map((o) => opName(o.code));
}

/** The CS_OP_MOUNT field list (see native/plan.h `cs_mount_args`), by name. */
export interface MountFields {
  kind: Field;
  source: Field;
  dest: Field;
  fstype: Field;
  attrSet: Field;
  attrClr: Field;
  rattrSet: Field;
  rattrClr: Field;
  propagation: Field;
  propRec: Field;
  sbFlags: Field;
  data: Field[];
  flags: Field;
  fallback: Field;
}

export function mountFields(op: PlanOp): MountFields {
  if (op.code !== Op.MOUNT) throw new Error(`not a mount op: ${opName(op.code)} (${op.label})`);
  const f = op.fields;
  const ndata = Number(f[11]);
  const rest = f.slice(12 + ndata);
  if (rest.length !== 2) throw new Error(`mount op has ${rest.length} trailing fields, expected 2: ${op.label}`);
  return {
    kind: f[0]!,
    source: f[1]!,
    dest: f[2]!,
    fstype: f[3]!,
    attrSet: f[4]!,
    attrClr: f[5]!,
    rattrSet: f[6]!,
    rattrClr: f[7]!,
    propagation: f[8]!,
    propRec: f[9]!,
    sbFlags: f[10]!,
    data: f.slice(12, 12 + ndata),
    flags: rest[0]!,
    fallback: rest[1]!,
  };
}

/** The ConfigError `fn` throws (the test fails if it throws anything else, or nothing). */
export function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

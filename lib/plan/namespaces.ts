// Namespace operations for stage 1, in the order the kernel needs them.
//
// 1. Join every namespace given by path, the user namespace first: it owns the others, and
//    joining it gives the capabilities needed to join them. Mount goes last, since joining it
//    changes what paths mean.
// 2. Create the new user namespace (if any) and have the parent write its id maps.
// 3. Create the remaining new namespaces. PID and time namespaces apply to children only, which
//    is why the init is cloned afterwards (FORK_INIT).
//
// Without anything to join and without a user or time namespace, there is nothing for a first
// stage to do before the init exists: the parent then clones the init itself, straight into its
// new namespaces (clone3 flags), and the plan has no stage 1 at all. That saves a whole copy of
// Node's address space per container. A cgroup namespace is still made by the init, once it is
// in its cgroups: one made by clone3 would be rooted at the parent's cgroup.

import { ConfigError } from '../errors.js';
import type { LinuxNamespaceType, Spec } from '../../spec/types.js';
import type { PlanOp } from './encode.js';
import { CLONE, Op } from './opcodes.js';

export const NS_FLAG: Record<LinuxNamespaceType, number> = {
  user: CLONE.NEWUSER,
  mount: CLONE.NEWNS,
  pid: CLONE.NEWPID,
  network: CLONE.NEWNET,
  ipc: CLONE.NEWIPC,
  uts: CLONE.NEWUTS,
  cgroup: CLONE.NEWCGROUP,
  time: CLONE.NEWTIME,
};

/** /proc/PID/ns/<name> for each type. */
export const NS_PROC_NAME: Record<LinuxNamespaceType, string> = {
  user: 'user',
  mount: 'mnt',
  pid: 'pid',
  network: 'net',
  ipc: 'ipc',
  uts: 'uts',
  cgroup: 'cgroup',
  time: 'time',
};

const JOIN_ORDER: LinuxNamespaceType[] = ['user', 'ipc', 'uts', 'network', 'pid', 'cgroup', 'time', 'mount'];

export interface NamespacePlan {
  ops: PlanOp[];
  /** CLONE_NEW* flags for the parent's clone3 of the init (direct); 0 when a stage 1 runs `ops` first */
  cloneFlags: number;
  newUser: boolean;
  /** the cgroup namespace is the init's to make, after it joined its cgroups */
  cgroupNsDeferred: boolean;
  newTypes: Set<LinuxNamespaceType>;
  joinedTypes: Set<LinuxNamespaceType>;
}

/**
 * The CLONE_NEW* flags of an init the parent clones itself, straight into its new namespaces;
 * undefined when a stage 1 must run first (namespaces to join, a user namespace whose maps the
 * parent writes, a time namespace whose offsets are set before anyone enters). The cgroup
 * namespace is never among them: the init makes it once it is in its cgroups.
 */
export function directCloneFlags(spec: Spec): number | undefined {
  const namespaces = spec.linux?.namespaces ?? [];
  if (namespaces.some((ns) => ns.path || ns.type === 'user' || ns.type === 'time')) return undefined;
  let flags = 0;
  for (const ns of namespaces) if (ns.type !== 'cgroup') flags |= NS_FLAG[ns.type];
  return flags;
}

/**
 * `cgroupSync`: on v1 and hybrid hosts the init joins the v1 hierarchies itself (see
 * `cgroupJoinOps`). A new cgroup namespace, whose root is the cgroup the process is in when it is
 * made, is then left to the init, which makes it right after joining.
 */
export function namespaceOps(spec: Spec, nsFds: Partial<Record<LinuxNamespaceType, number>>, rootless = false, cgroupSync = false): NamespacePlan {
  const namespaces = spec.linux?.namespaces ?? [];
  const newTypes = new Set<LinuxNamespaceType>();
  const joinedTypes = new Set<LinuxNamespaceType>();
  for (const ns of namespaces) (ns.path ? joinedTypes : newTypes).add(ns.type);

  if (!newTypes.has('mount') && !joinedTypes.has('mount')) {
    // Without a mount namespace, pivot_root and every mount would change the host.
    throw new ConfigError('$.linux.namespaces', 'a "mount" namespace is required');
  }

  const ops: PlanOp[] = [];
  for (const type of JOIN_ORDER) {
    if (!joinedTypes.has(type)) continue;
    const fd = nsFds[type];
    if (fd === undefined) throw new Error(`internal: no fd opened for the ${type} namespace`);
    const path = namespaces.find((n) => n.type === type)!.path!;
    ops.push({ code: Op.SETNS, label: `join ${type} namespace ${path}`, fields: [fd, NS_FLAG[type]] });
  }
  if (joinedTypes.has('user')) {
    // Joining keeps our host ids, which that namespace may not map: files we create would then
    // be refused (EOVERFLOW). Take its root, as a process started in it would be.
    ops.push({ code: Op.SETUSER, label: 'become root in the joined user namespace', fields: [0, 0, 0, 0] });
  }
  const newUser = newTypes.has('user');
  const direct = directCloneFlags(spec);
  if (direct !== undefined) return { ops: [], cloneFlags: direct, newUser, newTypes, joinedTypes, cgroupNsDeferred: newTypes.has('cgroup') };
  if (newUser) {
    // A parent without privileges can only write the id maps of a dumpable child (the /proc
    // files of a non-dumpable one belong to root). It is the same user: no boundary is crossed.
    if (rootless) ops.push({ code: Op.DUMPABLE, label: 'let the parent write the id maps', fields: [1] });
    ops.push({ code: Op.UNSHARE, label: 'create user namespace', fields: [CLONE.NEWUSER] });
    ops.push({ code: Op.USERNS_SYNC, label: 'set up user namespace id mappings', fields: [0, 0] });
    if (rootless) ops.push({ code: Op.DUMPABLE, label: 'become non-dumpable again', fields: [0] });
  }
  let flags = 0;
  const names: string[] = [];
  for (const type of newTypes) {
    if (type === 'user' || (cgroupSync && type === 'cgroup')) continue;
    flags |= NS_FLAG[type];
    names.push(type);
  }
  if (flags) ops.push({ code: Op.UNSHARE, label: `create ${names.join(', ')} namespaces`, fields: [flags] });

  const offsets = spec.linux?.timeOffsets;
  if (offsets && Object.keys(offsets).length) {
    const text = Object.entries(offsets)
      .map(([clock, o]) => `${clock} ${o.secs ?? 0} ${o.nanosecs ?? 0}\n`)
      .join('');
    ops.push({ code: Op.WRITE_PROC, label: 'set time namespace offsets', fields: ['self/timens_offsets', text] });
  }
  ops.push({ code: Op.FORK_INIT, label: 'start container init', fields: [] });
  return { ops, cloneFlags: 0, newUser, newTypes, joinedTypes, cgroupNsDeferred: cgroupSync && newTypes.has('cgroup') };
}

/**
 * The init's cgroup join on v1 and hybrid hosts, its first ops: it writes "0" to each v1
 * hierarchy's `tasks` file through the fds the parent opened (a thread moving itself avoids the
 * kernel's global lock and the RCU grace period a move by pid waits for), then makes the cgroup
 * namespace if it was deferred, whose root is the cgroup it is in by then.
 */
export function cgroupJoinOps(taskFds: number[], cgroupNsDeferred: boolean): PlanOp[] {
  return [
    ...taskFds.map((fd) => ({ code: Op.JOIN_CGROUP, label: 'join the container cgroups', fields: [fd] }) as PlanOp),
    ...(cgroupNsDeferred ? [{ code: Op.UNSHARE, label: 'create cgroup namespace', fields: [NS_FLAG.cgroup] } as PlanOp] : []),
  ];
}

// config + host facts → plan. Pure: no I/O, so every decision here is unit-testable.
//
// The order of the whole plan, stage by stage:
//   stage 1   join/create namespaces, id maps, time offsets, clone the init
//   init      hostname, mount propagation, rootfs bind, mounts, /dev, sysctls,
//             [parent: pre-pivot hooks], read-only and masked paths, pivot_root, read-only root,
//             rlimits, user and capabilities, cwd, exec lookup, fds, wait for start, execve

import { ConfigError } from '../errors.js';
import type { Spec } from '../../spec/types.js';
import { capabilityMasks } from './capabilities.js';
import type { PlanContext } from './context.js';
import { deviceOps } from './devices.js';
import type { Plan, PlanOp } from './encode.js';
import { bindsDev, mountOps } from './mounts.js';
import { cgroupJoinOps, namespaceOps } from './namespaces.js';
import { MS, Op, SyncTag } from './opcodes.js';
import { INIT_UMASK, processOps } from './process.js';
import { ioPriorityOp, lsmOps, memoryPolicyOp, personalityOp, schedulerOp } from './process-attrs.js';
import { sysctlWrites } from './sysctl.js';

export interface BuiltPlan extends Plan {
  /** the parent must write uid_map/gid_map when the child asks */
  newUserNs: boolean;
  /** non-zero: no stage 1, the parent clones the init with these CLONE_NEW* flags (see namespaces.ts) */
  cloneFlags: number;
  /** the fds the child keeps (CLOSE_FDS): where a spawner must place them */
  keepFds: number[];
  warnings: string[];
}

const PROPAGATION: Record<string, number> = {
  shared: MS.SHARED,
  rshared: MS.SHARED,
  slave: MS.SLAVE,
  rslave: MS.SLAVE,
  private: MS.PRIVATE,
  rprivate: MS.PRIVATE,
  unbindable: MS.UNBINDABLE,
  runbindable: MS.UNBINDABLE,
};

function hasNs(spec: Spec, type: string): boolean {
  return (spec.linux?.namespaces ?? []).some((n) => n.type === type);
}

export function buildPlan(spec: Spec, ctx: PlanContext): BuiltPlan {
  const warnings: string[] = [];
  const process = spec.process;
  if (!process) throw new ConfigError('$.process', 'is required to create a container');
  if (spec.hostname !== undefined && !hasNs(spec, 'uts'))
    throw new ConfigError('$.hostname', 'unable to set hostname without a private UTS namespace');
  if (spec.domainname !== undefined && !hasNs(spec, 'uts'))
    throw new ConfigError('$.domainname', 'unable to set domainname without a private UTS namespace');

  const selfJoin = ctx.cgroupTaskFds.length > 0;
  const ns = namespaceOps(spec, ctx.nsFds, ctx.rootless, selfJoin);
  // Unprivileged, the parent must deny setgroups before it may write gid_map.
  const canSetGroups = !(ctx.rootless && ns.newUser);
  if (!canSetGroups && process.user?.additionalGids?.length) {
    throw new ConfigError('$.process.user.additionalGids', 'cannot set additional gids in a rootless container (setgroups is denied)');
  }
  const inUserNs = hasNs(spec, 'user');
  const caps = capabilityMasks(process.capabilities, ctx.lastCap, (w) => warnings.push(w));
  const sysctls = sysctlWrites(spec);
  const keep = [
    ctx.startListenFd,
    ...Object.values(ctx.nsFds),
    ...(ctx.consoleFd !== undefined ? [ctx.consoleFd] : []),
    ...(ctx.seccomp?.listenerFd !== undefined ? [ctx.seccomp.listenerFd] : []),
    ...(ctx.stdio ?? []),
    ...ctx.cgroupTaskFds,
  ];
  const ops: PlanOp[] = [
    { code: Op.CLOSE_FDS, label: 'close inherited fds', fields: [3 + ctx.preserveFds, keep.length, ...keep] },
    // The init's own stdio (the shim's pipes), in place before anything else can write to it.
    ...(ctx.stdio ?? []).map((fd, to) => ({ code: Op.DUP2, label: `stdio ${to}`, fields: [fd, to] }) as PlanOp),
    ...ns.ops,
  ];
  // The init's first act on v1 and hybrid hosts: join its cgroups, before it allocates anything.
  if (selfJoin || ns.cgroupNsDeferred) ops.push(...cgroupJoinOps(ctx.cgroupTaskFds, ns.cgroupNsDeferred));

  if (!ctx.noNewKeyring) {
    // Search permission for the possessor's uid, or for "other" when uids are remapped.
    ops.push({ code: Op.JOIN_KEYRING, label: 'join a new session keyring', fields: [`_ses.${ctx.id}`, inUserNs ? 0x8 : 0x80000] });
  }
  if (spec.hostname !== undefined) ops.push({ code: Op.SETHOSTNAME, label: 'set hostname', fields: [spec.hostname] });
  if (spec.domainname !== undefined)
    ops.push({ code: Op.SETDOMAINNAME, label: 'set domainname', fields: [spec.domainname] });

  // Default rprivate: nothing the container mounts leaks to the host, nothing from the host
  // appears in the container after the fact. Unbindable cannot be set up front: the rootfs and
  // every bind would then refuse to be cloned (runc fails that way); it is applied after
  // pivot_root instead, with the setup done private.
  const requested = PROPAGATION[spec.linux?.rootfsPropagation ?? 'rprivate']!;
  const prop = requested === MS.UNBINDABLE ? MS.PRIVATE : requested;
  ops.push({ code: Op.MOUNT_PROPAGATION, label: 'set mount propagation of /', fields: ['/', MS.REC | prop] });
  if (prop !== MS.PRIVATE) {
    // pivot_root refuses a new root whose parent mount is shared.
    ops.push({
      code: Op.MOUNT_PROPAGATION,
      label: `make ${ctx.rootfsParentMount} private`,
      fields: [ctx.rootfsParentMount, MS.PRIVATE],
    });
  }
  ops.push({ code: Op.ROOTFS_BIND, label: `bind rootfs ${ctx.rootfs}`, fields: [ctx.rootfs] });
  ops.push(...mountOps(spec, ctx, ns.newUser));
  if (!bindsDev(spec)) ops.push(...deviceOps(spec, ctx, inUserNs));
  for (const s of sysctls) ops.push({ code: Op.SYSCTL, label: `set sysctl ${s.key}`, fields: [s.rel, s.value] });

  // The cwd is created if missing, as runc does, while the rootfs is still writable.
  ops.push({ code: Op.MKDIR, label: `create cwd ${process.cwd}`, fields: [process.cwd] });
  // prestart, createRuntime and createContainer run here: mounts done, pivot_root not yet.
  const h = spec.hooks;
  if (h?.prestart?.length || h?.createRuntime?.length || h?.createContainer?.length) {
    ops.push({ code: Op.WAIT_PARENT, label: 'run the prestart, createRuntime and createContainer hooks', fields: [SyncTag.PRE_PIVOT] });
  }
  for (const p of spec.linux?.readonlyPaths ?? []) ops.push({ code: Op.READONLY, label: `make ${p} read-only`, fields: [p] });
  for (const p of spec.linux?.maskedPaths ?? []) ops.push({ code: Op.MASK, label: `mask ${p}`, fields: [p] });

  ops.push(
    ctx.noPivot
      ? { code: Op.CHROOT, label: 'chroot into rootfs (--no-pivot)', fields: [] }
      : { code: Op.PIVOT_ROOT, label: 'pivot_root into rootfs', fields: [] },
  );
  if (requested === MS.UNBINDABLE) {
    ops.push({ code: Op.MOUNT_PROPAGATION, label: 'make / unbindable', fields: ['/', MS.REC | MS.UNBINDABLE] });
  }
  if (spec.root.readonly) ops.push({ code: Op.ROOT_READONLY, label: 'make rootfs read-only', fields: [] });

  if (process.terminal) {
    if (ctx.consoleFd === undefined) {
      throw new ConfigError('$.process.terminal', 'cannot allocate tty if caisson will detach without setting console socket');
    }
    const size = process.consoleSize;
    ops.push({ code: Op.CONSOLE, label: 'set up the console', fields: [ctx.consoleFd, size?.height ?? 0, size?.width ?? 0, 1] });
  }
  const personality = personalityOp(spec.linux?.personality);
  if (personality) ops.push(personality);
  const mempolicy = memoryPolicyOp(spec.linux?.memoryPolicy);
  if (mempolicy) ops.push(mempolicy);

  ops.push(
    ...processOps({
      process,
      caps,
      privileged: [schedulerOp(process), ioPriorityOp(process), ...lsmOps(process, ctx.lsm)].filter((o): o is PlanOp => !!o),
      canSetGroups,
      preserveFds: ctx.preserveFds,
      startListenFd: ctx.startListenFd,
      seccomp: ctx.seccomp,
      defaultUmask: INIT_UMASK,
    }),
  );
  return { ops, newUserNs: ns.newUser, cloneFlags: ns.cloneFlags, keepFds: keep, warnings };
}

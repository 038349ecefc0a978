// Start a process inside a running container: in the namespaces and cgroups of its init.
//
// Same machinery as create: a plan for the native child. It joins every namespace of the init
// that differs from ours in one setns() on a pidfd (the kernel orders them, user namespace
// first, and it is all or nothing), takes root inside a joined user namespace, forks into the pid
// namespace, and runs the ops the caller adds before execve. The child is non-dumpable from its
// first instruction (native/child.c), so nothing in the container can ptrace it or open its
// /proc/PID/exe (our Node binary) or fds while it is still ours (CVE-2016-9962, CVE-2019-5736).
// exec and the hooks that run in the container's namespaces use it.

import { closeSync, constants, openSync, readlinkSync } from 'node:fs';
import { untilAborted } from '../abort.js';
import { CaissonError, StateError } from '../errors.js';
import * as native from '../native.js';
import type { CgroupManager } from '../cgroups/manager.js';
import type { PlanOp } from '../plan/encode.js';
import { encodePlan } from '../plan/encode.js';
import { NS_FLAG, NS_PROC_NAME } from '../plan/namespaces.js';
import { Op, SyncTag } from '../plan/opcodes.js';
import { isAlive } from '../state/proc.js';
import type { LinuxNamespaceType } from '../../spec/types.js';
import { initError } from './init-error.js';
import { SyncChannel } from './sync.js';

const TYPES: LinuxNamespaceType[] = ['user', 'ipc', 'uts', 'network', 'pid', 'cgroup', 'time', 'mount'];

export interface Joined {
  /** host pid of the process (it runs `ops` and then execs) */
  pid: number;
  /**
   * Signal it through its pidfd; false once it has exited. The pidfd is closed when the exit is
   * collected, so its number must never be used after that (it may be another file by then).
   */
  signal(sig: number): boolean;
  /** its exit; we are its parent (CLONE_PARENT), so the status is ours to collect */
  exit: Promise<native.WaitResult>;
}

export interface JoinOptions {
  /** the process whose namespaces to join, and its start time (against pid reuse) */
  pid: number;
  startTime?: string;
  /** fds the child needs (stdio pipes, the console socket) */
  keep?: number[];
  /** fds from 3 up to this stay for the new process (--preserve-fds) */
  minFd?: number;
  /** ops after the joins, inside the pid namespace; they must end with EXEC */
  ops: PlanOp[];
  /** put the process in these cgroups (born there on v2, placed by us on v1) */
  cgroups?: CgroupManager;
  /** ops for the first child before it joins anything (execCPUAffinity.initial) */
  before?: PlanOp[];
  /**
   * false: never collect the exit status (exit never settles). For a CLI that returns at once
   * (exec --detach): the status belongs to whoever takes the process on when we exit (the shim,
   * a subreaper). Reaping it ourselves, should it end before we do, would make it vanish for
   * them, as runc's exec never does.
   */
  reap?: boolean;
  /** stop waiting for the process to start, and kill it */
  signal?: AbortSignal;
  /** the process installed a notify filter and waits: hand its listener on (it has `pid`) */
  onSeccomp?: (pid: number) => Promise<void>;
}

/** CLONE_NEW* flags of the namespaces of `pid` that differ from ours. */
function differingNamespaces(pid: number): { flags: number; types: LinuxNamespaceType[] } {
  let flags = 0;
  const types: LinuxNamespaceType[] = [];
  for (const type of TYPES) {
    const name = NS_PROC_NAME[type];
    let theirs: string;
    try {
      theirs = readlinkSync(`/proc/${pid}/ns/${name}`);
    } catch {
      continue; // the kernel lacks this namespace type
    }
    // Joining our own user namespace is EINVAL; the others would only be a waste.
    if (theirs === readlinkSync(`/proc/self/ns/${name}`)) continue;
    flags |= NS_FLAG[type];
    types.push(type);
  }
  return { flags, types };
}

export async function spawnJoined(o: JoinOptions): Promise<Joined> {
  const target = native.pidfdOpen(o.pid);
  try {
    // The pidfd pins the process: if its start time still matches, the namespaces are its own.
    if (o.startTime !== undefined && !isAlive(o.pid, o.startTime)) throw new StateError('container not running', 'stopped');
    const { flags, types } = differingNamespaces(o.pid);
    const intoDir = o.cgroups?.intoCgroupDir();
    // v1 hierarchies: the child joins them itself (cgroup2, if any, it is cloned into).
    const taskFds = o.cgroups?.openTaskFiles() ?? [];
    const keep = [...(o.keep ?? []), target, ...taskFds];
    const plan: PlanOp[] = [
      { code: Op.CLOSE_FDS, label: 'close inherited fds', fields: [o.minFd ?? 3, keep.length, ...keep] },
      ...(o.before ?? []),
      ...taskFds.map((fd) => ({ code: Op.JOIN_CGROUP, label: 'join the container cgroups', fields: [fd] }) as PlanOp),
      ...(flags ? [{ code: Op.SETNS, label: `join the container's ${types.join(', ')} namespaces`, fields: [target, flags] } as PlanOp] : []),
      ...(types.includes('user') ? [{ code: Op.SETUSER, label: 'become root in the container user namespace', fields: [0, 0, 0, 0] } as PlanOp] : []),
      { code: Op.FORK_INIT, label: 'enter the pid namespace', fields: [] },
      ...o.ops,
    ];
    let spawned: native.SpawnResult;
    try {
      const cgroupFd = intoDir ? openSync(intoDir, constants.O_RDONLY | constants.O_DIRECTORY) : undefined;
      try {
        spawned = native.spawn(encodePlan({ ops: plan }), o.minFd ?? 3, cgroupFd, 0, keep);
      } finally {
        if (cgroupFd !== undefined) closeSync(cgroupFd);
      }
    } finally {
      for (const fd of taskFds) closeSync(fd);
    }
    return await drive(spawned, plan, o);
  } finally {
    closeSync(target);
  }
}

/** A pidfd on the joined process, its exit (when we reap it), and signalling that ends with it. */
function watchJoined(pid: number, reap: boolean): Joined {
  const pidfd = native.pidfdOpen(pid);
  let open = true;
  const exit = reap
    ? native.waitPidfd(pidfd, false).finally(() => {
        open = false;
        closeSync(pidfd);
      })
    : new Promise<native.WaitResult>(() => undefined);
  const signal = (sig: number): boolean => {
    if (!open) return false;
    try {
      native.pidfdSendSignal(pidfd, sig);
      return true;
    } catch {
      return false; // exited, not yet collected
    }
  };
  return { pid, signal, exit };
}

async function drive(spawned: native.SpawnResult, plan: PlanOp[], o: JoinOptions): Promise<Joined> {
  const stage1 = native.waitPidfd(spawned.pidfd, false).finally(() => closeSync(spawned.pidfd));
  const sync = new SyncChannel(spawned.fd);
  let joined: Joined | undefined;
  try {
    for (;;) {
      const m = await untilAborted(sync.next(), o.signal);
      if (m.type === 'reached' && m.tag === SyncTag.SECCOMP && joined && o.onSeccomp) {
        await o.onSeccomp(joined.pid);
        sync.go();
      } else if (m.type === 'pid') {
        joined = watchJoined(m.pid, o.reap !== false);
        sync.go();
      } else if (m.type === 'error') {
        const err = initError((i) => plan[i], m);
        // The container went away under us: say so, in the words clients match on.
        if (m.errno === 3 /* ESRCH */) throw new StateError(`container not running (${err.message})`, 'stopped');
        throw err;
      } else if (m.type === 'eof') {
        // The sync socket is close-on-exec: EOF after the pid means execve succeeded.
        if (!joined) throw new CaissonError('ESYSTEM', `could not start a process in the container of ${o.pid}`);
        return joined;
      } else {
        throw new CaissonError('ESYSTEM', `unexpected message ${m.type} while joining the container of ${o.pid}`);
      }
    }
  } catch (err) {
    if (joined) {
      joined.signal(9);
      if (o.reap !== false) await native.keepingAlive(joined.exit);
    }
    throw err;
  } finally {
    sync.close();
    await native.keepingAlive(stage1);
  }
}

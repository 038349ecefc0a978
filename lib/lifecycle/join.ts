// Start a process inside the namespaces of a running container process (its init).
//
// Same machinery as create: a plan for the native child, which joins the namespaces (user first,
// mount last), takes root inside a joined user namespace, forks into the pid namespace, and runs
// whatever ops the caller adds before execve. Hooks in the container namespaces use it; so will
// `exec`.

import { closeSync, constants, openSync, readlinkSync } from 'node:fs';
import { CaissonError } from '../errors.js';
import * as native from '../native.js';
import type { PlanOp } from '../plan/encode.js';
import { encodePlan } from '../plan/encode.js';
import { NS_FLAG, NS_PROC_NAME } from '../plan/namespaces.js';
import { Op } from '../plan/opcodes.js';
import type { LinuxNamespaceType } from '../../spec/types.js';
import { initError } from './init-error.js';
import { SyncChannel } from './sync.js';

const JOIN_ORDER: LinuxNamespaceType[] = ['user', 'ipc', 'uts', 'network', 'pid', 'cgroup', 'time', 'mount'];

export interface Joined {
  /** host pid of the process (it runs `ops` and then execs) */
  pid: number;
  pidfd: number;
  /** its exit; we are its parent (CLONE_PARENT), so the status is ours to collect */
  exit: Promise<native.WaitResult>;
}

/** The namespaces of `pid` that differ from ours, opened (fds to close after the spawn). */
function openNamespaces(pid: number): { type: LinuxNamespaceType; fd: number }[] {
  const out: { type: LinuxNamespaceType; fd: number }[] = [];
  try {
    for (const type of JOIN_ORDER) {
      const name = NS_PROC_NAME[type];
      let theirs: string;
      try {
        theirs = readlinkSync(`/proc/${pid}/ns/${name}`);
      } catch {
        continue; // the kernel lacks this namespace type
      }
      if (theirs === readlinkSync(`/proc/self/ns/${name}`)) continue; // joining our own user ns is EINVAL
      out.push({ type, fd: openSync(`/proc/${pid}/ns/${name}`, constants.O_RDONLY) });
    }
  } catch (err) {
    for (const { fd } of out) closeSync(fd);
    throw err;
  }
  return out;
}

/**
 * Spawn into the namespaces of `pid`. `keep` are fds the child needs (stdio pipes); `ops` run
 * after the joins, inside the pid namespace, and must end with EXEC. Resolves once execve has
 * succeeded; a failure before it rejects with the op's label and errno.
 */
export async function spawnJoined(pid: number, keep: number[], ops: PlanOp[]): Promise<Joined> {
  const namespaces = openNamespaces(pid);
  const nsFds = namespaces.map((n) => n.fd);
  const plan: PlanOp[] = [
    { code: Op.CLOSE_FDS, label: 'close inherited fds', fields: [3, keep.length + nsFds.length, ...keep, ...nsFds] },
    ...namespaces.map(({ type, fd }) => ({ code: Op.SETNS, label: `join the container's ${type} namespace`, fields: [fd, NS_FLAG[type]] })),
    ...(namespaces.some((n) => n.type === 'user')
      ? [{ code: Op.SETUSER, label: 'become root in the container user namespace', fields: [0, 0, 0, 0] } as PlanOp]
      : []),
    { code: Op.FORK_INIT, label: 'enter the pid namespace', fields: [] },
    ...ops,
  ];
  let spawned: native.SpawnResult;
  try {
    spawned = native.spawn(encodePlan({ ops: plan }), 3);
  } finally {
    for (const fd of nsFds) closeSync(fd);
  }
  const stage1 = native.waitPidfd(spawned.pidfd, false).finally(() => closeSync(spawned.pidfd));
  const sync = new SyncChannel(spawned.fd);
  let joined: Joined | undefined;
  try {
    for (;;) {
      const m = await sync.next();
      if (m.type === 'pid') {
        const pidfd = native.pidfdOpen(m.pid);
        joined = { pid: m.pid, pidfd, exit: native.waitPidfd(pidfd, false).finally(() => closeSync(pidfd)) };
        sync.go();
      } else if (m.type === 'error') {
        throw initError((i) => plan[i], m);
      } else if (m.type === 'eof') {
        // The sync socket is close-on-exec: EOF after the pid means execve succeeded.
        if (!joined) throw new CaissonError('ESYSTEM', `could not start a process in the namespaces of ${pid}`);
        return joined;
      } else {
        throw new CaissonError('ESYSTEM', `unexpected message ${m.type} while joining container ${pid}`);
      }
    }
  } catch (err) {
    if (joined) {
      try {
        native.pidfdSendSignal(joined.pidfd, 9);
      } catch {
        /* gone */
      }
      await native.keepingAlive(joined.exit);
    }
    throw err;
  } finally {
    sync.close();
    await native.keepingAlive(stage1);
  }
}

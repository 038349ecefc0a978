// exec: run a new process inside a running (or created) container, as `runc exec` does.
//
// The process joins the init's namespaces and cgroups (lib/lifecycle/join.ts), then gets the
// identity, capabilities, limits, seccomp filter, environment and cwd its process spec asks
// for, exactly as the init did (lib/plan/process.ts), and execs.

import { closeSync } from 'node:fs';
import { resolve } from 'node:path';
import { NotFoundError, StateError, UsageError } from '../errors.js';
import * as native from '../native.js';
import { CgroupManager } from '../cgroups/manager.js';
import type { CgroupRecord } from '../cgroups/manager.js';
import { kernelLastCap, lsmFacts } from '../host.js';
import { capabilityMasks } from '../plan/capabilities.js';
import type { PlanOp } from '../plan/encode.js';
import { Op } from '../plan/opcodes.js';
import { processOps } from '../plan/process.js';
import { affinityOp, ioPriorityOp, lsmOps, schedulerOp } from '../plan/process-attrs.js';
import { writePidFile } from '../state/store.js';
import type { ContainerRecord, StateStore } from '../state/store.js';
import type { Process } from '../../spec/types.js';
import { validateProcess } from '../../spec/index.js';
import { spawnJoined } from './join.js';
import type { Joined } from './join.js';
import { seccompFor } from './seccomp.js';
import { statusOf } from './status.js';

export interface ExecOptions {
  /** the unix socket to send the pty master to (process.terminal) */
  consoleSocket?: string;
  /** receive the pty master here (foreground exec, the library): see ExecStarted.console */
  ownConsole?: boolean;
  pidFile?: string;
  /** fds 3 .. 3+n-1 of ours go to the process */
  preserveFds?: number;
  /** a cgroup below the container's: "path", or "ctrl[,ctrl]:path" for v1 controllers */
  cgroup?: string;
  /** allow exec into a paused (frozen) container */
  ignorePaused?: boolean;
  /** the process's stdin, stdout, stderr (default: ours) */
  stdio?: [number, number, number];
  /** return at once and leave the exit status to our parent (see JoinOptions.reap) */
  detach?: boolean;
  /** give up starting it (the half-started process is killed) */
  signal?: AbortSignal;
  warn?: (msg: string) => void;
}

export interface ExecStarted extends Joined {
  /** the pty master, with ownConsole and process.terminal */
  console?: number;
}

/** The container's cgroups, or a sub-cgroup of them (created if missing, never removed by exec). */
function execCgroups(rec: ContainerRecord, sub: string | undefined): CgroupManager | undefined {
  if (!rec.cgroup) return undefined;
  if (!sub) return new CgroupManager(rec.cgroup);
  const colon = sub.indexOf(':');
  const controllers = colon >= 0 ? sub.slice(0, colon).split(',') : undefined;
  const rel = colon >= 0 ? sub.slice(colon + 1) : sub;
  if (rel.split('/').includes('..')) throw new UsageError(`--cgroup ${sub}: must stay below the container's cgroup`);
  const place = {
    v2: rec.cgroup.place.v2 && { ...rec.cgroup.place.v2, path: `${rec.cgroup.place.v2.path}/${rel}`, dir: `${rec.cgroup.place.v2.dir}/${rel}` },
    v1: rec.cgroup.place.v1.map((d) =>
      !controllers || d.controllers.some((c) => controllers.includes(c)) ? { ...d, path: `${d.path}/${rel}`, dir: `${d.dir}/${rel}` } : d,
    ),
  };
  const made = CgroupManager.create(place, rec.cgroup.layout);
  // exec does not own these for deletion: the container's delete removes the tree below it.
  const record: CgroupRecord = { ...made.rec, created: [] };
  return new CgroupManager(record);
}

/** The process spec `runc exec` builds from --process, or from the container's own. */
export function checkExecProcess(raw: unknown): Process {
  const p = validateProcess(raw, '$');
  if (!p.args?.length) throw new UsageError('process args must not be empty');
  if (!p.cwd.startsWith('/')) throw new UsageError('cwd must be an absolute path');
  return p;
}

export async function execInContainer(store: StateStore, id: string, process: Process, opts: ExecOptions = {}): Promise<ExecStarted> {
  const lock = await store.lock(id);
  let consoleFd: number | undefined;
  let consoleOurs: number | undefined;
  let seccompOurs: number | undefined;
  let seccompTheirs: number | undefined;
  try {
    const rec = store.read(id);
    if (!rec) throw new NotFoundError(id);
    const status = statusOf(store, rec);
    if (status === 'stopped') throw new StateError('cannot exec in a stopped container', status);
    if (status === 'paused' && !opts.ignorePaused) throw new StateError('cannot exec in a paused container', status);
    const preserve = opts.preserveFds ?? 0;
    const minFd = 3 + preserve;

    if (opts.consoleSocket && !process.terminal) throw new UsageError('cannot use console socket if caisson will not detach or allocate tty');
    if (process.terminal) {
      if (opts.consoleSocket) consoleFd = native.unixConnect(resolve(opts.consoleSocket), minFd);
      else if (opts.ownConsole) [consoleOurs, consoleFd] = native.socketPair(minFd);
      else throw new UsageError('cannot allocate tty if caisson will detach without setting console socket');
    }

    const userns = (rec.config.linux?.namespaces ?? []).some((n) => n.type === 'user');
    const rootless = (globalThis.process.geteuid?.() ?? 0) !== 0;
    const seccomp = await seccompFor(rec.config, minFd);
    seccompOurs = seccomp?.ours;
    seccompTheirs = seccomp?.install.listenerFd;
    const ops: PlanOp[] = [
      ...(opts.stdio ? opts.stdio.map((fd, to) => ({ code: Op.DUP2, label: `stdio ${to}`, fields: [fd, to] }) as PlanOp) : []),
      ...(process.terminal
        ? [{ code: Op.CONSOLE, label: 'set up the terminal', fields: [consoleFd!, process.consoleSize?.height ?? 0, process.consoleSize?.width ?? 0, 0] } as PlanOp]
        : []),
      ...[affinityOp(process.execCPUAffinity?.final, '$.execCPUAffinity.final')].filter((o): o is PlanOp => !!o),
      ...processOps({
        process,
        caps: capabilityMasks(process.capabilities, kernelLastCap(), (w) => opts.warn?.(w)),
        privileged: [schedulerOp(process), ioPriorityOp(process), ...lsmOps(process, lsmFacts())].filter((o): o is PlanOp => !!o),
        canSetGroups: !(rootless && userns),
        preserveFds: preserve,
        seccomp: seccomp?.install,
      }),
    ];
    const keep = [...(consoleFd !== undefined ? [consoleFd] : []), ...(opts.stdio ?? []), ...(seccomp?.install.listenerFd !== undefined ? [seccomp.install.listenerFd] : [])];
    const initial = affinityOp(process.execCPUAffinity?.initial, '$.execCPUAffinity.initial');
    const joined = await spawnJoined({
      pid: rec.pid,
      startTime: rec.startTime,
      keep,
      minFd,
      ops,
      cgroups: execCgroups(rec, opts.cgroup),
      before: initial ? [initial] : [],
      reap: !opts.detach,
      signal: opts.signal,
      onSeccomp: async (pid) => {
        await seccomp!.deliver(native.recvFd(seccompOurs!).fd, pid, { id: rec.id, bundle: rec.bundle, annotations: rec.annotations, pid: rec.pid, status: status === 'created' ? 'created' : 'running' });
      },
    });
    if (opts.pidFile) writePidFile(resolve(opts.pidFile), joined.pid);
    const console = consoleOurs !== undefined ? native.recvFd(consoleOurs).fd : undefined;
    return { ...joined, console };
  } finally {
    for (const fd of [consoleFd, consoleOurs, seccompOurs, seccompTheirs]) if (fd !== undefined) closeSync(fd);
    lock.release();
  }
}

// create: validate, plan, clone the init, drive it through setup, record it.
//
// Nothing touches the system before the config has been validated and planned. Once the state
// directory exists, every failure undoes everything: the init and the first child are killed and
// reaped, and the directory is removed, so a failed create leaves nothing behind.

import { closeSync, constants, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { untilAborted } from '../abort.js';
import { checkConfig, loadBundle, resolveRootfs } from '../bundle.js';
import type { LoadedBundle } from '../bundle.js';
import { CaissonError, UsageError, fromNodeError } from '../errors.js';
import * as native from '../native.js';
import { buildPlan } from '../plan/build.js';
import { directCloneFlags } from '../plan/namespaces.js';
import { encodePlan } from '../plan/encode.js';
import { INIT_UMASK } from '../plan/process.js';
import { Op, SyncTag } from '../plan/opcodes.js';
import { HookError, hookState, runHooks, runPoststop } from '../hooks/run.js';
import { readProcStat } from '../state/proc.js';
import { writePidFile } from '../state/store.js';
import type { ContainerRecord, StateStore } from '../state/store.js';
import type { Spec } from '../../spec/types.js';
import { gatherContext } from './context.js';
import { CgroupManager } from '../cgroups/manager.js';
import { hierarchyKey, resolveCgroupsPath } from '../cgroups/paths.js';
import type { PlanContext } from '../plan/context.js';
import { initError } from './init-error.js';
import { seccompFor } from './seccomp.js';
import type { PreparedSeccomp } from './seccomp.js';
import { SyncChannel } from './sync.js';
import { rfc3339Nano } from './time.js';

export interface CreateOptions {
  /** bundle directory (default: the current directory) */
  bundle?: string;
  /**
   * Instead of a bundle: a config object and the rootfs directory it runs in (root.path is
   * replaced by it). The config is kept as config.json in the container's state directory, which
   * is the bundle its state and hooks see.
   */
  config?: unknown;
  rootfs?: string;
  /** give up (and remove everything made so far) when this aborts */
  signal?: AbortSignal;
  /** an already loaded bundle, instead of reading `bundle` */
  loaded?: LoadedBundle;
  pidFile?: string;
  /** path of a unix socket that receives the pty master (runc's --console-socket) */
  consoleSocket?: string;
  /** when the config asks for a terminal, receive the pty master here (`run` in the foreground,
   * the library) instead of through a console socket: see CreatedContainer.console */
  ownConsole?: boolean;
  noPivot?: boolean;
  noNewKeyring?: boolean;
  /** number of fds from 3 up handed to the container (--preserve-fds plus LISTEN_FDS) */
  preserveFds?: number;
  /** the init's stdin, stdout and stderr (default: ours, as runc passes its own on) */
  stdio?: [number, number, number];
  /** socket activation: the first `listenFds` of the preserved fds are LISTEN_FDS for the
   * container, which then gets LISTEN_FDS=n and LISTEN_PID=1 in its environment */
  listenFds?: number;
  /** called with warnings (unknown-to-kernel capabilities, ...) */
  warn?: (msg: string) => void;
  /** called with debug messages (the plan, the init's progress) */
  debug?: (msg: string) => void;
}

export interface CreatedContainer {
  record: ContainerRecord;
  /** with `ownConsole`: the pty master (ours to close) */
  console?: number;
  /** pidfd of the init, open until `exit` settles */
  pidfd: number;
  /** the init's exit, reaped by us (its parent); does not keep the event loop alive */
  exit: Promise<native.WaitResult>;
}

const SIGKILL = 9;

function idMap(maps: { containerID: number; hostID: number; size: number }[] | undefined): string {
  return (maps ?? []).map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join('');
}

/**
 * The first child is in its new user namespace: write its maps (one write(2) each). Without
 * privileges the kernel only takes a map of our own ids, and gid_map only after setgroups is
 * denied.
 */
function writeIdMaps(pid: number, spec: Spec): void {
  try {
    if (process.geteuid?.() !== 0) writeFileSync(`/proc/${pid}/setgroups`, 'deny');
    writeFileSync(`/proc/${pid}/uid_map`, idMap(spec.linux?.uidMappings));
    writeFileSync(`/proc/${pid}/gid_map`, idMap(spec.linux?.gidMappings));
  } catch (err) {
    throw fromNodeError('write user namespace id mappings', err);
  }
}

function withListenFds(spec: Spec, n: number): Spec {
  if (!n || !spec.process) return spec;
  const env = (spec.process.env ?? []).filter((e) => !e.startsWith('LISTEN_FDS=') && !e.startsWith('LISTEN_PID='));
  return { ...spec, process: { ...spec.process, env: [...env, `LISTEN_FDS=${n}`, 'LISTEN_PID=1'] } };
}

/** The pid of a process as its own pid namespace sees it (last field of NSpid). */
export function nsPid(pid: number): number {
  const m = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]!.trim().split(/\s+/).pop()) : pid;
}

/** Spec steps 3-5: prestart and createRuntime in our namespaces, createContainer in the container's. */
async function runCreateHooks(id: string, bundle: string, spec: Spec, initPid: number, signal?: AbortSignal): Promise<void> {
  const h = spec.hooks;
  const state = hookState(id, bundle, 'creating', initPid, spec.annotations);
  await runHooks('prestart', h?.prestart, state, { signal });
  await runHooks('createRuntime', h?.createRuntime, state, { signal });
  if (h?.createContainer?.length) {
    await runHooks('createContainer', h.createContainer, { ...state, pid: nsPid(initPid) }, { inContainerOf: initPid, signal });
  }
}

/**
 * The container's cgroups, made (and then filled) before the init runs its first op, so its
 * limits hold from its first instruction. With `v1Later` only the cgroup2 directory is made here
 * (a clone ahead needs it); create makes the v1 ones while the clone is made. A caller who is
 * not root gets none (no delegation to use here).
 */
function setUpCgroups(id: string, spec: Spec, ctx: PlanContext, warn: (m: string) => void, v1Later: boolean): CgroupManager | undefined {
  if (ctx.rootless) {
    if (spec.linux?.resources && Object.keys(spec.linux.resources).length) warn('rootless container: linux.resources ignored (no cgroup of its own)');
    return undefined;
  }
  const place = resolveCgroupsPath(spec.linux?.cgroupsPath, id, ctx.cgroups, ctx.cgroupPaths);
  const mgr = CgroupManager.create(place, ctx.cgroups.layout, v1Later);
  // The cgroup mount binds the container's own cgroups, and v1 hosts place it by hand.
  ctx.cgroupPaths = new Map(mgr.dirs().map((d) => [hierarchyKey(d), d.path]));
  return mgr;
}

/** A bundle made of a config object: root.path becomes the given rootfs. */
function configBundle(config: unknown, rootfs: string | undefined, dir: string): LoadedBundle {
  if (!rootfs) throw new UsageError('a container made from a config object needs its rootfs directory');
  const raw = config as { root?: { path?: string; readonly?: boolean } };
  const spec = checkConfig({ ...raw, root: { ...raw?.root, path: resolve(rootfs) } });
  return { bundle: dir, spec, rootfs: resolveRootfs(dir, spec) };
}

function writeOomScoreAdj(pid: number, value: number): void {
  try {
    writeFileSync(`/proc/${pid}/oom_score_adj`, String(value));
  } catch (err) {
    throw fromNodeError(`set oom_score_adj to ${value}`, err);
  }
}

/** `fn` with an O_DIRECTORY fd of `dir` (undefined without one), closed afterwards. */
function withDirFd<T>(dir: string | undefined, fn: (fd: number | undefined) => T): T {
  const fd = dir ? openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY) : undefined;
  try {
    return fn(fd);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function describeExit(w: native.WaitResult | undefined): string {
  if (!w || !w.reaped) return 'exited';
  return w.signal !== null ? `was killed by signal ${w.signal}` : `exited with status ${w.exitCode}`;
}

export async function createContainer(store: StateStore, id: string, opts: CreateOptions): Promise<CreatedContainer> {
  // Everything that can be checked without touching the system comes first.
  opts.signal?.throwIfAborted();
  const fromConfig = opts.config !== undefined;
  const loaded = opts.loaded ?? (fromConfig ? configBundle(opts.config, opts.rootfs, store.dir(id)) : loadBundle(opts.bundle ?? process.cwd()));
  const spec = withListenFds(loaded.spec, opts.listenFds ?? 0);
  if (opts.consoleSocket && !spec.process?.terminal) {
    throw new UsageError('cannot use console socket if caisson will not detach or allocate tty');
  }
  const preserveFds = opts.preserveFds ?? 0;
  const minFd = 3 + preserveFds;

  const lock = await store.reserve(id);
  let listenFd: number | undefined;
  let gatheredFds: number[] = [];
  let spawned: native.SpawnResult | undefined;
  let sync: SyncChannel | undefined;
  // A stage 1 (namespaces to join, or a user namespace) clones the init and exits; without one
  // the child we clone is the init itself (plan.cloneFlags).
  let stage1Pidfd: number | undefined;
  let stage1Exit: Promise<native.WaitResult> | undefined;
  let initPid = 0;
  let initPidfd: number | undefined;
  let initExit: Promise<native.WaitResult> | undefined;
  // The init's end of the console socket, and (ownConsole) ours, where the master arrives.
  let consoleFd: number | undefined;
  let consoleOurs: number | undefined;
  let cgroups: CgroupManager | undefined;
  let seccomp: PreparedSeccomp | undefined;
  // A clone ahead not yet handed its plan.
  let ahead: native.Ahead | undefined;
  try {
    if (fromConfig) writeFileSync(join(loaded.bundle, 'config.json'), JSON.stringify(loaded.spec, null, 2));
    listenFd = native.unixListen(store.startSocket(id), minFd);
    if (spec.process?.terminal && opts.consoleSocket) {
      try {
        consoleFd = native.unixConnect(resolve(opts.consoleSocket), minFd);
      } catch (err) {
        throw new UsageError(`cannot connect to the console socket ${opts.consoleSocket}: ${(err as Error).message}`);
      }
    } else if (spec.process?.terminal && opts.ownConsole) {
      [consoleOurs, consoleFd] = native.socketPair(minFd);
    }
    const gathered = gatherContext(id, loaded, { noPivot: opts.noPivot, noNewKeyring: opts.noNewKeyring, preserveFds, consoleFd }, listenFd);
    gatheredFds = gathered.fds;
    const ctx = gathered.ctx;
    ctx.stdio = opts.stdio;
    seccomp = await seccompFor(spec, minFd, opts.debug);
    ctx.seccomp = seccomp?.install;
    // The init can be cloned once the cgroup2 directory it goes into exists: ask caisson-spawner
    // for it then, and make the v1 directories, fill them and build its plan while the clone is
    // made (a clone ahead: native/spawn-proto.h). Asked this early, the spawner is also done
    // making its next network namespace by the time the plan goes out, so the init does not wait
    // for a CPU behind it.
    const aheadFlags = directCloneFlags(spec);
    cgroups = setUpCgroups(id, spec, ctx, (m) => opts.warn?.(m), aheadFlags !== undefined);
    const intoDir = cgroups?.intoCgroupDir();
    if (aheadFlags !== undefined) {
      ahead = withDirFd(intoDir, (fd) => native.spawnAhead(minFd, fd, aheadFlags));
      cgroups?.createV1();
    }
    cgroups?.apply(spec.linux?.resources, (m) => opts.warn?.(m));
    cgroups?.applyDevices(spec.linux?.resources?.devices);
    // v1 hierarchies are joined by the init itself, first thing (cgroup2, if any, by clone3).
    if (cgroups) {
      ctx.cgroupTaskFds = cgroups.openTaskFiles();
      gatheredFds.push(...ctx.cgroupTaskFds);
    }
    const plan = buildPlan(spec, ctx);
    for (const w of plan.warnings) opts.warn?.(w);
    if (opts.debug) opts.debug(`plan for ${id}: ${plan.ops.map((o) => o.label).join('; ')}`);

    // The init sets itself up under runc's umask, whatever ours is (the plan sets the program's).
    if (ahead && (await ahead.settled())) {
      spawned = ahead.take(encodePlan(plan), plan.keepFds, INIT_UMASK);
    } else {
      // No spawner, or it could not clone: clone here (the error, if any, is then our own).
      await ahead?.abandon();
      spawned = withDirFd(intoDir, (fd) => native.spawn(encodePlan(plan), minFd, fd, plan.cloneFlags, plan.keepFds, INIT_UMASK));
    }
    ahead = undefined;
    sync = new SyncChannel(spawned.fd);
    /** The init exists and (two stages) waits for GO: watch it, and what only we may set. */
    const initBorn = (pid: number, pidfd: number) => {
      initPid = pid;
      initPidfd = pidfd;
      initExit = native.waitPidfd(pidfd, false);
      opts.debug?.(`container init of ${id} is pid ${pid}`);
      // From here, with host privileges: lowering it needs CAP_SYS_RESOURCE in the initial
      // user namespace, which the init itself may not have.
      if (spec.process?.oomScoreAdj !== undefined) writeOomScoreAdj(pid, spec.process.oomScoreAdj);
    };
    if (plan.cloneFlags) {
      initBorn(spawned.pid, spawned.pidfd);
    } else {
      stage1Pidfd = spawned.pidfd;
      stage1Exit = native.waitPidfd(stage1Pidfd, false);
    }
    // The child has its own copies now; ours must not linger (and must never reach a container).
    for (const fd of gatheredFds.splice(0)) closeSync(fd);
    if (consoleFd !== undefined) closeSync(consoleFd);
    consoleFd = undefined;
    if (seccomp?.install.listenerFd !== undefined) closeSync(seccomp.install.listenerFd);
    delete seccomp?.install.listenerFd;

    const makeRecord = (startTime: string): ContainerRecord => {
      // Ops after WAIT_START fail at `start` time; keep what start needs to explain them.
      const startIndex = plan.ops.findIndex((o) => o.code === Op.WAIT_START);
      const startOps: ContainerRecord['startOps'] = {};
      plan.ops.forEach((o, i) => {
        if (i >= startIndex) startOps[i] = { code: o.code, label: o.label };
      });
      return {
        version: 1,
        id,
        bundle: loaded.bundle,
        rootfs: loaded.rootfs,
        created: rfc3339Nano(),
        pid: initPid,
        startTime,
        annotations: spec.annotations ?? {},
        config: spec,
        owner: process.getuid?.() ?? 0,
        cgroup: cgroups?.rec,
        startOps,
      };
    };
    // A clone ahead came with its start time (the spawner read it while the clone waited for its
    // plan): the record is written now, while the init sets itself up, and put in place at READY.
    let staged: { record: ContainerRecord; commit(): void } | undefined;
    if (plan.cloneFlags && spawned.startTime) {
      const record = makeRecord(spawned.startTime);
      staged = { record, ...store.stage(record) };
    }

    for (let ready = false; !ready; ) {
      const m = await untilAborted(sync.next(), opts.signal);
      switch (m.type) {
        case 'idmap':
          writeIdMaps(spawned.pid, spec);
          sync.go();
          break;
        case 'pid':
          // The init is our child (CLONE_PARENT) and waits for GO: its pid cannot be reused yet.
          initBorn(m.pid, native.pidfdOpen(m.pid));
          sync.go();
          break;
        case 'reached':
          if (m.tag === SyncTag.PRE_PIVOT) await runCreateHooks(id, loaded.bundle, spec, initPid, opts.signal);
          // The filter is in; the init waits until the agent has its listener.
          if (m.tag === SyncTag.SECCOMP) {
            const container = { id, bundle: loaded.bundle, annotations: spec.annotations ?? {}, pid: initPid, status: 'creating' as const };
            await seccomp!.deliver(native.recvFd(seccomp!.ours!).fd, initPid, container);
          }
          sync.go();
          break;
        case 'ready':
          ready = true;
          break;
        case 'error':
          throw initError((i) => plan.ops[i], m);
        case 'eof': {
          const w = await Promise.race([initExit ?? stage1Exit, new Promise<undefined>((r) => setTimeout(() => r(undefined), 1000))]);
          throw new CaissonError('ESYSTEM', `container init ${describeExit(w)} before it was set up`);
        }
      }
    }
    if (stage1Exit) await native.keepingAlive(stage1Exit);
    let record: ContainerRecord;
    if (staged) {
      record = staged.record;
      staged.commit();
    } else {
      // Read now that the init waits for start: while it still sets itself up, reading its stat
      // contends with it (a quarter of a millisecond here). Our pidfd keeps its pid from reuse.
      record = makeRecord(readProcStat(initPid)?.startTime ?? '');
      store.write(record);
    }
    if (opts.pidFile) writePidFile(resolve(opts.pidFile), initPid);
    const pidfd = initPidfd!;
    const exit = initExit!.finally(() => closeSync(pidfd));
    // The init sent the master before READY: it is waiting in our end of the pair.
    const console = consoleOurs !== undefined ? native.recvFd(consoleOurs).fd : undefined;
    return { record, pidfd, exit, console };
  } catch (err) {
    await ahead?.abandon();
    sync?.abort();
    const hookFailed = err instanceof HookError;
    // Kill and reap what we started, then remove every trace.
    for (const fd of [initPidfd, stage1Pidfd]) {
      if (fd === undefined) continue;
      try {
        native.pidfdSendSignal(fd, SIGKILL);
      } catch {
        /* already gone */
      }
    }
    await native.keepingAlive(Promise.all([initExit, stage1Exit].filter(Boolean)));
    if (initPidfd !== undefined) closeSync(initPidfd);
    // Fresh cgroups: whatever is in them is ours (a clone that never reached its namespaces).
    await cgroups?.destroy({ killLeft: true }).catch((e: Error) => opts.warn?.(e.message));
    store.remove(id);
    // A failed hook stops the container and the lifecycle goes on to destroy and poststop.
    if (hookFailed) await runPoststop(spec.hooks?.poststop, hookState(id, loaded.bundle, 'stopped', undefined, spec.annotations), (m) => opts.warn?.(m));
    throw err;
  } finally {
    for (const fd of gatheredFds) closeSync(fd);
    for (const fd of [consoleFd, consoleOurs, seccomp?.ours, seccomp?.install.listenerFd]) if (fd !== undefined) closeSync(fd);
    if (listenFd !== undefined) closeSync(listenFd);
    if (stage1Pidfd !== undefined) closeSync(stage1Pidfd);
    sync?.close();
    lock.release();
  }
}

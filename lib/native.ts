// The only importer of the native addon. Everything the addon offers is typed and documented here;
// the rest of lib/ calls these wrappers, never the .node file.

import { closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SystemError } from './errors.js';

export interface SpawnResult {
  /** pid of the first child (stage 1); it exits once it has cloned the init */
  pid: number;
  /** pidfd of the first child, for reaping it */
  pidfd: number;
  /** our end of the sync socket (non-blocking, close-on-exec) */
  fd: number;
  /** the child's start time (/proc/PID/stat field 22), when caisson-spawner read it for us */
  startTime?: string;
}

/** A child caisson-spawner cloned ahead, as its reply describes it. */
export interface AheadChild {
  pid: number;
  pidfd: number;
  /** its start time (/proc/PID/stat field 22), read by the spawner while it waited for its plan */
  startTime?: string;
}

export interface WaitResult {
  /** true when we were the parent and collected the status */
  reaped: boolean;
  pid?: number;
  exitCode: number | null;
  signal: number | null;
  errno?: number;
}

interface Addon {
  spawn(plan: Buffer, minFd: number, cgroupFd?: number, nsFlags?: number, place?: number[], umask?: number): SpawnResult;
  startSpawner(path: string): boolean;
  spawnAhead(minFd: number, cgroupFd: number, nsFlags: number): { fd: number; childEnd: number; seq: number } | undefined;
  aheadResult(seq: number): AheadChild | null;
  aheadPoll(seq: number): AheadChild | null | undefined;
  spawnerFd(): number;
  replyWakeFd(): number;
  sendPlan(fd: number, childEnd: number, plan: Buffer, minFd: number, nsFlags: number, place: number[], umask?: number): void;
  spawnerRunning(): boolean;
  loadExecTrampoline(path: string): void;
  seccompFlagSupported(flag: number): boolean;
  pidfdOpen(pid: number): number;
  pidfdSendSignal(pidfd: number, signal: number): void;
  flock(fd: number, op: number): number;
  unixListen(path: string, minFd: number): number;
  waitPidfd(pidfd: number, ref: boolean): Promise<WaitResult>;
  readable(fd: number, ref: boolean): Promise<void>;
  unixConnect(path: string, minFd: number): number;
  socketPair(minFd: number): [number, number];
  pipe(minFd: number): [number, number];
  recvFd(sock: number): { fd: number; name: string };
  setWinsize(fd: number, rows: number, cols: number): void;
  setNonBlocking(fd: number): void;
  readSome(fd: number, buf: Buffer): number;
  readAgain: number;
  priorityEvent(fd: number): boolean;
  ttyMakeRaw(fd: number): Buffer;
  ttyRestore(fd: number, saved: Buffer): void;
  bpfDeviceFilter(cgroupDir: string, insns: Buffer): void;
  sendFd(sock: number, fd: number, data: string): void;
  setChildSubreaper(): void;
  reapChild(pid: number): { exitCode: number | null; signal: number | null } | null;
  hostMount(source: string, target: string, type: string, flags: number, data: string): void;
  hostUnmount(target: string, flags: number): void;
  planVersion: number;
}

let addon: Addon | undefined;

let addonPath: string | undefined;
let trampolineLoaded = false;

function load(): Addon {
  if (!addon) {
    // Source (lib/native.ts) and bundle (dist/*.js) both sit one level below the package root.
    const require = createRequire(import.meta.url);
    try {
      addonPath = require.resolve('../build/Release/caisson.node');
      addon = require(addonPath) as Addon;
    } catch (err) {
      throw new Error(
        `caisson's native addon is not built (build/Release/caisson.node): run \`npm install\` or \`npm run build\` in the caisson package (${(err as Error).message})`,
      );
    }
  }
  return addon;
}

/**
 * Every container process is exec'd through caisson-exec, a tiny static program held in a
 * sealed memfd, never straight from this copy of Node (CVE-2019-5736: a "#!/proc/self/exe"
 * program would otherwise run the host's Node binary inside the container). Without it nothing
 * is started: failing open would bring the escape back.
 */
function loadTrampoline(a: Addon): void {
  if (trampolineLoaded) return;
  const path = join(dirname(addonPath!), 'caisson-exec');
  try {
    a.loadExecTrampoline(path);
  } catch (err) {
    const e = err as { errno?: number; message?: string };
    throw new SystemError(`prepare the exec trampoline (${path}, built with the addon: run \`npm run build\`)`, e.errno ?? 5, {
      syscall: 'memfd_create',
    });
  }
  trampolineLoaded = true;
}

/** Re-throw an addon error (which carries errno and syscall) as a SystemError for `step`. */
function wrap<T>(step: string, fn: () => T, detail?: string): T {
  try {
    return fn();
  } catch (err) {
    const e = err as { errno?: number; syscall?: string };
    if (typeof e?.errno === 'number') throw new SystemError(step, e.errno, { syscall: e.syscall, detail });
    throw err;
  }
}

/**
 * Clone the first child, which executes `plan` (see native/plan.h). Fds below `minFd` are left
 * for the container (stdio and --preserve-fds), so the sync socket is placed above them. With
 * `cgroupFd` (a cgroup v2 directory) the child is born in that cgroup. With `nsFlags` (CLONE_NEW*
 * bits) the child is the init itself, cloned into those new namespaces (no stage 1). With
 * `umask` the child runs under it; without, under ours.
 */
export function spawn(plan: Buffer, minFd = 3, cgroupFd?: number, nsFlags = 0, place?: number[], umask?: number): SpawnResult {
  const a = load();
  loadTrampoline(a);
  const fds = place && spawnerUp(a) ? placement(minFd, place) : undefined;
  const r = wrap(nsFlags ? 'start container init in its new namespaces' : 'start container init', () => a.spawn(plan, minFd, cgroupFd ?? -1, nsFlags, fds, umask ?? -1));
  spawns++;
  return r;
}

/*
 * Waiting for the spawner's replies without blocking. They all come on one socket, read by
 * whichever call asks first, which puts the others' aside (native/spawn-client.cc) and then
 * signals an eventfd of every environment that polls (replyWakeFd; worker threads share the
 * spawner): the socket will not show that input again. So waiters share one poll of the socket
 * and one of that eventfd. Neither holds the event loop open (a poll outlives its waiters until
 * its next input, and the spawner lives as long as we do): each waiter does while it waits.
 */
class SharedPoll {
  private fd = -1;
  private seen: Promise<void> | undefined;
  /** `fired` runs first when the poll fires (to reset an eventfd, say). */
  constructor(private readonly fired: (fd: number) => void = () => {}) {}

  /** Settles when `fd` is readable: one poll for every waiter, made afresh once it fired. */
  wait(fd: number): Promise<void> {
    if (this.seen && this.fd === fd) return this.seen;
    const seen: Promise<void> = readable(fd, false).finally(() => {
      this.fired(fd);
      if (this.seen === seen) this.seen = undefined;
    });
    this.fd = fd;
    this.seen = seen;
    return seen;
  }
}
const replyInput = new SharedPoll();
const wakeBuf = Buffer.alloc(8);
const asideInput = new SharedPoll((fd) => load().readSome(fd, wakeBuf));
let wakeFd: number | undefined; // this environment's, for its lifetime

/** Settles when the socket `fd` has input, or a reply was put aside: time to ask again. */
function replyMayHaveCome(a: Addon, fd: number): Promise<void> {
  wakeFd ??= a.replyWakeFd();
  return Promise.race([replyInput.wait(fd), asideInput.wait(wakeFd)]);
}

/** The fds a child cloned by the spawner must hold at their numbers: those below minFd, and the plan's. */
function placement(minFd: number, place: number[]): number[] {
  return [...Array(minFd).keys(), ...place];
}

/**
 * A clone ahead (native/spawn-proto.h): caisson-spawner starts cloning the init of a plan not
 * built yet, so the clone overlaps the last steps of create. `take` sends the plan and returns the started child as spawn() does; `abandon` collects a child
 * whose plan will never come. One of the two must be called.
 */
export interface Ahead {
  /** the clone's reply: the child (null when the spawner did not clone: spawn() as usual) */
  result(): AheadChild | null;
  /**
   * The same reply, waited for without blocking the event loop. The spawner makes clones one
   * after another; behind a network namespace the kernel is slow to make (its lock held by the
   * teardown of an earlier one), a reply can take milliseconds, and other containers' events
   * must not wait for it.
   */
  settled(): Promise<AheadChild | null>;
  /** hand over the plan; the child runs it under `umask` (default: ours, as spawn()) */
  take(plan: Buffer, place: number[], umask?: number): SpawnResult;
  /** kill and reap the child (if any) and close everything; resolves once it is gone */
  abandon(): Promise<void>;
}

/** Start a clone ahead through the spawner; undefined without one (spawn() then clones). */
export function spawnAhead(minFd: number, cgroupFd: number | undefined, nsFlags: number): Ahead | undefined {
  const a = load();
  loadTrampoline(a);
  if (!spawnerUp(a)) return undefined;
  const sent = wrap('start container init ahead', () => a.spawnAhead(minFd, cgroupFd ?? -1, nsFlags));
  if (!sent) return undefined;
  spawns++;
  // Our two ends of the sync socket, each closed once (a number closed twice may be another file's by then).
  let childEnd: number | undefined = sent.childEnd;
  let ourEnd: number | undefined = sent.fd;
  const dropChildEnd = () => {
    if (childEnd !== undefined) closeSync(childEnd);
    childEnd = undefined;
  };
  const dropOurEnd = () => {
    if (ourEnd !== undefined) closeSync(ourEnd);
    ourEnd = undefined;
  };
  let reply: AheadChild | null | undefined;
  /** The reply, waiting for it or (`poll`) undefined while it has not come. */
  const collect = (poll: boolean) => {
    if (reply === undefined) {
      try {
        // The addon's only error here: the spawner died or broke the protocol mid-request.
        const read = () => (poll ? a.aheadPoll(sent.seq) : a.aheadResult(sent.seq));
        reply = wrap('start container init ahead', read, 'caisson-spawner died during the request');
      } catch (err) {
        reply = null;
        dropChildEnd();
        dropOurEnd();
        throw err;
      }
    }
    return reply;
  };
  const result = () => collect(false) as AheadChild | null;
  const settled = async () => {
    for (;;) {
      const r = collect(true);
      if (r !== undefined) return r;
      // A copy of the socket is polled (see readable): a spawner dropped meanwhile shuts it
      // down, which wakes us to find the reply gone.
      const fd = a.spawnerFd();
      if (fd < 0) return result();
      await keepingAlive(replyMayHaveCome(a, fd));
    }
  };
  return {
    result,
    settled,
    take(plan, place, umask) {
      const born = result();
      if (!born) throw new Error('internal: a clone ahead the spawner refused has no child to take');
      const end = childEnd!;
      childEnd = undefined; // sendPlan closes it
      wrap('hand the plan to the container init', () => a.sendPlan(sent.fd, end, plan, minFd, nsFlags, placement(minFd, place), umask ?? -1));
      ourEnd = undefined; // the caller's now, as spawn()'s fd
      return { pid: born.pid, pidfd: born.pidfd, fd: sent.fd, startTime: born.startTime };
    },
    async abandon() {
      // Our ends closed, the child would see EOF where its plan should be and exit; it is
      // killed all the same, and reaped here.
      dropChildEnd();
      let born: AheadChild | null = null;
      try {
        born = await settled();
      } catch {
        /* the spawner died: no child of ours to reap */
      }
      dropOurEnd();
      if (!born) return;
      try {
        a.pidfdSendSignal(born.pidfd, 9);
      } catch {
        /* already gone */
      }
      await a.waitPidfd(born.pidfd, true).finally(() => closeSync(born.pidfd));
    },
  };
}

/**
 * caisson-spawner (native/spawn-proto.h) clones containers' first children from a small
 * process instead of from Node: about a millisecond less per container. Starting it costs a
 * process, so only a process that creates a second container (the library, the shim) starts
 * it; a CLI call, which creates one, never does. One that died is replaced, a few times at
 * most (the clone it failed was made by the addon). CAISSON_SPAWNER=0 turns it off.
 */
let spawns = 0;
let spawnerStarts = 0;
const MAX_SPAWNER_STARTS = 5;
function spawnerUp(a: Addon): boolean {
  if (spawns < 1 || process.env.CAISSON_SPAWNER === '0') return false;
  if (a.spawnerRunning()) return true;
  if (spawnerStarts >= MAX_SPAWNER_STARTS) return false;
  spawnerStarts++;
  return a.startSpawner(join(dirname(addonPath!), 'caisson-spawner'));
}

export function pidfdOpen(pid: number): number {
  return wrap(`open pidfd of ${pid}`, () => load().pidfdOpen(pid));
}

/** Signal through a pidfd: immune to pid reuse once the pidfd is open. */
export function pidfdSendSignal(pidfd: number, signal: number): void {
  wrap('send signal', () => load().pidfdSendSignal(pidfd, signal));
}

export const LOCK_SH = 1;
export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;

/** flock(2); returns 0 or the errno (EWOULDBLOCK when held and LOCK_NB is set). */
export function flock(fd: number, op: number): number {
  return load().flock(fd, op);
}

/** A listening unix socket at `path` (mode 0600), placed at fd >= minFd, close-on-exec. */
export function unixListen(path: string, minFd = 3): number {
  return wrap(`listen on ${path}`, () => load().unixListen(path, minFd));
}

/**
 * Resolves when the process behind `pidfd` exits; reaps it when it is our child. With
 * `ref = false` the wait does not keep the event loop alive.
 */
export function waitPidfd(pidfd: number, ref = true): Promise<WaitResult> {
  return wrap('wait for process', () => load().waitPidfd(pidfd, ref));
}

export function setNonBlocking(fd: number): void {
  wrap('make fd non-blocking', () => load().setNonBlocking(fd));
}

/** What readSome returns when the fd has nothing to read yet (-EAGAIN, as the addon was built). */
export function readAgain(): number {
  return load().readAgain;
}

/** One read into `buf`: the bytes read (0 at EOF), or readAgain() (never an exception for it). */
export function readSome(fd: number, buf: Buffer): number {
  return wrap('read', () => load().readSome(fd, buf));
}

/** Is an exceptional condition (POLLPRI/POLLERR) pending on `fd`? Never waits. */
export function priorityEvent(fd: number): boolean {
  return wrap('poll', () => load().priorityEvent(fd));
}

/** Resolves once `fd` (non-blocking) has something to read: data, EOF or an error. */
export function readable(fd: number, ref = true): Promise<void> {
  return wrap('poll', () => load().readable(fd, ref));
}

/** A connected unix stream socket (close-on-exec, fd >= minFd). */
export function unixConnect(path: string, minFd = 3): number {
  return wrap(`connect to ${path}`, () => load().unixConnect(path, minFd));
}

/** A connected socket pair, both ends close-on-exec and >= minFd. */
export function socketPair(minFd = 3): [number, number] {
  return wrap('create socket pair', () => load().socketPair(minFd));
}

/** A pipe [read, write], both ends close-on-exec and >= minFd. */
export function pipe(minFd = 3): [number, number] {
  return wrap('create pipe', () => load().pipe(minFd));
}

/** Receive one fd sent with SCM_RIGHTS (blocking: the message must be on its way). */
export function recvFd(sock: number): { fd: number; name: string } {
  return wrap('receive fd', () => load().recvFd(sock));
}

/** Send `fd` with SCM_RIGHTS on a connected unix socket, `data` as the message. */
export function sendFd(sock: number, fd: number, data: string): void {
  wrap('send fd', () => load().sendFd(sock, fd, data));
}

/** TIOCSWINSZ: resize a terminal. */
export function setWinsize(fd: number, rows: number, cols: number): void {
  wrap('set terminal size', () => load().setWinsize(fd, rows, cols));
}

/** Whether the kernel knows a SECCOMP_FILTER_FLAG_* bit (nothing is installed). */
export function seccompFlagSupported(flag: number): boolean {
  return load().seccompFlagSupported(flag);
}

/** Raw mode on a terminal (cfmakeraw, output processing off too); returns the old settings. */
export function ttyMakeRaw(fd: number): Buffer {
  return wrap('set terminal raw', () => load().ttyMakeRaw(fd));
}

/** Put back what ttyMakeRaw returned. */
export function ttyRestore(fd: number, saved: Buffer): void {
  wrap('restore terminal', () => load().ttyRestore(fd, saved));
}

/** Load a cgroup device eBPF program and attach it to a cgroup v2 directory (replacing). */
export function bpfDeviceFilter(cgroupDir: string, insns: Buffer): void {
  try {
    load().bpfDeviceFilter(cgroupDir, insns);
  } catch (err) {
    const e = err as { errno?: number; syscall?: string; log?: string };
    if (typeof e?.errno === 'number') {
      throw new SystemError(`load the device filter for ${cgroupDir}`, e.errno, { syscall: e.syscall, detail: e.log?.trim().split('\n').slice(-3).join(' / ') || undefined });
    }
    throw err;
  }
}

/**
 * Await `p` while holding the event loop open. Exit watches do not keep the loop alive on their
 * own (a library must not pin its host process for containers nobody waits on), so code that
 * does await one must: otherwise Node would exit mid-await with status 13.
 */
export async function keepingAlive<T>(p: Promise<T>): Promise<T> {
  const timer = setInterval(() => {}, 1 << 30);
  try {
    return await p;
  } finally {
    clearInterval(timer);
  }
}

/** PR_SET_CHILD_SUBREAPER: orphaned descendants become our children (the shim). */
export function setChildSubreaper(): void {
  wrap('become a child subreaper', () => load().setChildSubreaper());
}

/**
 * Collect one exited child without blocking (waitid P_PID): null while it runs. Throws a
 * SystemError with errno ECHILD when `pid` is not, or no longer, our child.
 */
export function reapChild(pid: number): { exitCode: number | null; signal: number | null } | null {
  return wrap(`collect the exit of ${pid}`, () => load().reapChild(pid));
}

/** mount(2) in our own mount namespace; `type` and `data` may be empty. */
export function hostMount(source: string, target: string, type: string, flags: number, data: string): void {
  wrap(`mount ${type || 'bind'} ${source} on ${target}`, () => load().hostMount(source, target, type, flags, data));
}

/** umount2(2) (flags: MNT_DETACH = 2). */
export function hostUnmount(target: string, flags = 0): void {
  wrap(`unmount ${target}`, () => load().hostUnmount(target, flags));
}

export function planVersion(): number {
  return load().planVersion;
}

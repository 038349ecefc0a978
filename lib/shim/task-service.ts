// The Task service (containerd.task.v2.Task, also served as v3): every RPC of shim.proto, done
// in-process through the library's public API (Runtime, Container, ExecProcess), as any Node
// program would use it. exec_id "" means the container's init.
//
// Event order (containerd's runtime v2 contract): create → start → exit → delete for the init;
// exec-added → exec-started → exit for an exec; one queue keeps them ordered. A process's exit
// is queued only after its start event (ShimProcess.startDecided), and the init's exit only after
// every running exec of its container has exited and been published.

import { StateError } from '../errors.js';
import { loadBundle, parseJson } from '../bundle.js';
import { checkExecProcess } from '../lifecycle/exec.js';
import { validateId } from '../state/store.js';
import { Runtime } from '../api/runtime.js';
import type { ExitStatus } from '../api/exit.js';
import type { LinuxResources } from '../../spec/types.js';
import type { Handler } from './ttrpc/server.js';
import * as task from './proto/task.js';
import { TaskStatus } from './proto/task.js';
import * as ev from './proto/events.js';
import { ProcessDetails } from './proto/runtime.js';
import { anyOf, Empty } from './proto/well-known.js';
import type { EventPublisher } from './events/publisher.js';
import type { ShimLog } from './log.js';
import type { OrphanReaper } from './reaper.js';
import { ShimContainer } from './container.js';
import { ShimProcess } from './process.js';
import type { ExitInfo } from './process.js';
import { ProcessIO } from './io/process-io.js';
import { mountRootfs, unmountRootfs } from './rootfs.js';
import { parseOptions } from './options.js';
import { recordRuntimeRoot, runtimeRoot } from './runtime-root.js';
import { metricsOf } from './metrics.js';
import { alreadyExists, failedPrecondition, invalidArgument, notFound, toTtrpcError, unimplemented } from './grpc-errors.js';

export const TASK_SERVICES = ['containerd.task.v2.Task', 'containerd.task.v3.Task'];

const SIGKILL = 9;
const IO_DRAIN_MS = 5000;
const OOM_POLL_MS = 500;
const PROCESS_SPEC_URL = 'types.containerd.io/opencontainers/runtime-spec/1/Process';

export interface TaskServiceOptions {
  namespace: string;
  publisher: EventPublisher;
  log: ShimLog;
  reaper?: OrphanReaper;
  /** called when the last container is gone and containerd asked the shim to shut down */
  onIdle?: () => void;
  /** called on Connect: a `start` of the shim about to hand it a new container */
  onActivity?: () => void;
}

export class TaskService {
  readonly containers = new Map<string, ShimContainer>();
  /** one Runtime per state root (containerd's namespace, or the root its options name) */
  private readonly runtimes = new Map<string, Runtime>();
  private oomTimer?: NodeJS.Timeout;
  private shutdownRequested = false;

  constructor(private readonly o: TaskServiceOptions) {}

  /** The handlers, by method name, for the ttrpc server. */
  handlers(): Record<string, Handler> {
    const h = <Req, Res>(req: { decode(b: Uint8Array): Req }, res: { encode(v: never): Buffer } | typeof Empty, fn: (r: Req) => Promise<unknown>): Handler => {
      return async (payload) => {
        const r = req.decode(payload);
        try {
          return res.encode((await fn(r)) as never);
        } catch (err) {
          throw toTtrpcError(err);
        }
      };
    };
    return {
      State: h(task.StateRequest, task.StateResponse, (r) => this.state(r.id, r.execId)),
      Create: h(task.CreateTaskRequest, task.CreateTaskResponse, (r) => this.create(r)),
      Start: h(task.StartRequest, task.StartResponse, (r) => this.start(r.id, r.execId)),
      Delete: h(task.DeleteRequest, task.DeleteResponse, (r) => this.delete(r.id, r.execId)),
      Pids: h(task.PidsRequest, task.PidsResponse, (r) => this.pids(r.id)),
      Pause: h(task.PauseRequest, Empty, (r) => this.pause(r.id, true)),
      Resume: h(task.ResumeRequest, Empty, (r) => this.pause(r.id, false)),
      Checkpoint: h(task.CheckpointTaskRequest, Empty, async () => {
        throw unimplemented('checkpoint is not supported by caisson yet');
      }),
      Kill: h(task.KillRequest, Empty, (r) => this.kill(r.id, r.execId, r.signal, r.all)),
      Exec: h(task.ExecProcessRequest, Empty, (r) => this.exec(r)),
      ResizePty: h(task.ResizePtyRequest, Empty, (r) => this.resize(r.id, r.execId, r.width, r.height)),
      CloseIO: h(task.CloseIORequest, Empty, (r) => this.closeIO(r.id, r.execId, r.stdin)),
      Update: h(task.UpdateTaskRequest, Empty, (r) => this.update(r.id, r.resources)),
      Wait: h(task.WaitRequest, task.WaitResponse, (r) => this.wait(r.id, r.execId)),
      Stats: h(task.StatsRequest, task.StatsResponse, (r) => this.stats(r.id)),
      Connect: h(task.ConnectRequest, task.ConnectResponse, (r) => this.connect(r.id)),
      Shutdown: h(task.ShutdownRequest, Empty, async () => this.shutdown()),
    };
  }

  // ---- lookups ----

  private container(id: string): ShimContainer {
    const c = this.containers.get(id);
    if (!c || c.deleted) throw notFound(`container ${id} not found`);
    return c;
  }

  private process(id: string, execId: string): { c: ShimContainer; p: ShimProcess } {
    const c = this.container(id);
    const p = c.process(execId);
    if (!p) throw notFound(`process ${execId} does not exist in container ${id}`);
    return { c, p };
  }

  private warn = (id: string) => (m: string) => this.o.log.warn(m, id);

  private runtime(root: string): Runtime {
    let rt = this.runtimes.get(root);
    if (!rt) {
      const log = this.o.log;
      const logger = { warn: (m: string, c?: { id: string }) => log.warn(m, c?.id), debug: log.debugEnabled ? (m: string, c?: { id: string }) => log.debug(m, c?.id) : undefined };
      this.runtimes.set(root, (rt = new Runtime({ root, logger })));
    }
    return rt;
  }

  // ---- Create / Start ----

  private async create(r: task.CreateTaskRequest): Promise<{ pid: number }> {
    validateId(r.id);
    if (this.containers.has(r.id)) throw alreadyExists(`container ${r.id} already exists in this shim`);
    if (r.checkpoint || r.parentCheckpoint) throw unimplemented('restoring from a checkpoint is not supported by caisson yet');
    const opts = parseOptions(r.options, this.warn(r.id));
    const root = runtimeRoot(this.o.namespace, opts.root);
    const runtime = this.runtime(root);
    this.o.log.attach(r.id, r.bundle);

    const paths = { stdin: r.stdin, stdout: r.stdout, stderr: r.stderr, terminal: r.terminal };
    const init = new ShimProcess(r.id, '', paths);
    const c = new ShimContainer(r.id, r.bundle, init);
    // Reserve the id before the first await: a second Create for it fails at once.
    this.containers.set(r.id, c);
    let io: ProcessIO | undefined;
    try {
      mountRootfs(r.bundle, r.rootfs);
      c.rootfsMounted = r.rootfs.length > 0;
      const loaded = loadBundle(r.bundle);
      c.ownPidNamespace = (loaded.spec.linux?.namespaces ?? []).some((n) => n.type === 'pid' && !n.path);
      io = await ProcessIO.prepare(paths, { id: r.id, namespace: this.o.namespace }, this.o.log);
      init.io = io;
      const container = await runtime.create(r.id, {
        loaded,
        stdio: io.childStdio ?? 'inherit',
        ownConsole: r.terminal,
        noPivot: opts.noPivot,
        noNewKeyring: opts.noNewKeyring,
      });
      c.api = container;
      init.pid = container.state().pid;
      this.o.reaper?.own(init.pid);
      if (container.pty) io.attachConsole(container.pty);
      io.afterStart();
      recordRuntimeRoot(r.bundle, root);
      c.oomKills = container.oomKills();
      void this.watchExit(c, init, container.wait());
    } catch (err) {
      this.containers.delete(r.id);
      io?.close();
      if (c.rootfsMounted) {
        try {
          unmountRootfs(r.bundle);
        } catch (e) {
          this.o.log.warn(`unmount rootfs after a failed create: ${(e as Error).message}`, r.id);
        }
      }
      this.o.log.detach(r.id);
      throw err;
    }
    void this.o.publisher.publish(
      anyOf(ev.TaskCreate, {
        containerId: r.id,
        bundle: r.bundle,
        rootfs: r.rootfs,
        io: { stdin: r.stdin, stdout: r.stdout, stderr: r.stderr, terminal: r.terminal },
        checkpoint: r.checkpoint,
        pid: init.pid,
      }),
    );
    this.watchOom();
    return { pid: init.pid };
  }

  private async start(id: string, execId: string): Promise<{ pid: number }> {
    const { c, p } = this.process(id, execId);
    if (p.state !== 'created') throw failedPrecondition(`process ${execId || id} is already ${p.state === 'running' ? 'running' : 'stopped'}`);
    if (p.isInit) {
      // A failed start leaves the init created (or gone); Delete reports and removes it.
      await c.container.start();
      p.markStarted();
      void this.o.publisher.publish(anyOf(ev.TaskStart, { containerId: id, pid: p.pid }));
      return { pid: p.pid };
    }
    if (c.init.exitedRaw || c.init.state === 'stopped') throw failedPrecondition(`cannot start exec ${execId}: the container's init has exited`);
    // The id is taken while the exec starts (a second Start sees "running").
    p.state = 'running';
    let io: ProcessIO | undefined;
    try {
      io = await ProcessIO.prepare(p.paths, { id, namespace: this.o.namespace }, this.o.log);
      p.io = io;
      const handle = await c.container.exec(p.spec!, { stdio: io.childStdio ?? 'inherit' });
      p.handle = handle;
      p.pid = handle.pid;
      this.o.reaper?.own(p.pid);
      if (handle.pty) io.attachConsole(handle.pty);
      io.afterStart();
      p.markStarted();
      void this.o.publisher.publish(anyOf(ev.TaskExecStarted, { containerId: id, execId, pid: p.pid }));
      void this.watchExit(c, p, handle.wait());
      return { pid: p.pid };
    } catch (err) {
      io?.close();
      p.markNeverStarted();
      p.markExited({ status: 255, at: ShimProcess.exitOf({ exitCode: null, signal: null }).at });
      throw err;
    }
  }

  /** The exit of a process we started: recorded at once, published in order. */
  private async watchExit(c: ShimContainer, p: ShimProcess, exit: Promise<ExitStatus>): Promise<void> {
    const e = ShimProcess.exitOf(await exit);
    p.exitedRaw = e;
    this.o.reaper?.disown(p.pid);
    this.o.log.debug(`process ${p.execId || 'init'} (pid ${p.pid}) exited with ${e.status}`, c.id);
    try {
      if (p.isInit) await this.beforeInitExit(c);
    } catch (err) {
      this.o.log.warn(`after the init exited: ${(err as Error).message}`, c.id);
    }
    if (!(await p.startDecided)) {
      p.markExited(e);
      return;
    }
    void this.o.publisher.publish(anyOf(ev.TaskExit, { containerId: c.id, id: p.execId || c.id, pid: p.pid, exitStatus: e.status, exitedAt: e.at }));
    p.markExited(e);
  }

  /**
   * Before the init's exit goes out: without a pid namespace of its own the container's other
   * processes live on, so they are killed (as the runc shim does); then every running exec's
   * exit must have been published first. An OOM kill that ended it is reported before the exit.
   */
  private async beforeInitExit(c: ShimContainer): Promise<void> {
    if (!c.ownPidNamespace) await c.container.kill(SIGKILL, { all: true }).catch(() => undefined);
    this.checkOom(c);
    await Promise.all(c.runningExecs().map((x) => x.wait()));
  }

  // ---- OOM ----

  private checkOom(c: ShimContainer): void {
    const n = c.container.oomKills();
    if (n > c.oomKills) {
      c.oomKills = n;
      void this.o.publisher.publish(anyOf(ev.TaskOOM, { containerId: c.id }));
    }
  }

  /** One timer for all containers: OOM kill counters are polled while any container runs. */
  private watchOom(): void {
    if (this.oomTimer) return;
    this.oomTimer = setInterval(() => {
      let live = 0;
      for (const c of this.containers.values()) {
        if (c.deleted || c.init.exitedRaw) continue;
        live++;
        try {
          this.checkOom(c);
        } catch {
          /* cgroup going away */
        }
      }
      if (!live) {
        clearInterval(this.oomTimer);
        this.oomTimer = undefined;
      }
    }, OOM_POLL_MS);
    this.oomTimer.unref();
  }

  // ---- Exec ----

  private async exec(r: task.ExecProcessRequest): Promise<void> {
    const c = this.container(r.id);
    validateId(r.execId);
    if (c.execs.has(r.execId)) throw alreadyExists(`exec process ${r.execId} already exists`);
    if (c.init.exitedRaw || c.init.state === 'stopped') throw failedPrecondition(`container ${r.id} is not running`);
    if (!r.spec) throw invalidArgument('exec needs a process spec');
    if (r.spec.typeUrl && !r.spec.typeUrl.endsWith('runtime-spec/1/Process')) throw invalidArgument(`exec spec of type ${r.spec.typeUrl}, expected ${PROCESS_SPEC_URL}`);
    const spec = checkExecProcess(parseJson(Buffer.from(r.spec.value).toString('utf8'), 'the exec process spec'));
    const p = new ShimProcess(r.id, r.execId, { stdin: r.stdin, stdout: r.stdout, stderr: r.stderr, terminal: r.terminal });
    p.spec = { ...spec, terminal: r.terminal };
    c.execs.set(r.execId, p);
    void this.o.publisher.publish(anyOf(ev.TaskExecAdded, { containerId: r.id, execId: r.execId }));
  }

  // ---- signals and state ----

  private async kill(id: string, execId: string, signal: number, all: boolean): Promise<void> {
    const { c, p } = this.process(id, execId);
    if (p.state === 'stopped' || p.exitedRaw) throw notFound('process already finished');
    if (p.isInit) {
      try {
        await c.container.kill(signal, { all });
      } catch (err) {
        if (err instanceof StateError) throw notFound('process already finished');
        throw err;
      }
      return;
    }
    if (p.state === 'created') throw failedPrecondition(`exec ${execId} is not started`);
    if (!p.handle?.kill(signal)) throw notFound('process already finished');
  }

  private async state(id: string, execId: string): Promise<Parameters<typeof task.StateResponse.encode>[0]> {
    const { c, p } = this.process(id, execId);
    let status: number = p.state === 'created' ? TaskStatus.CREATED : p.state === 'stopped' ? TaskStatus.STOPPED : TaskStatus.RUNNING;
    if (status === TaskStatus.RUNNING && c.container.state().status === 'paused') status = TaskStatus.PAUSED;
    return {
      id: p.execId || c.id,
      bundle: c.bundle,
      pid: p.pid,
      status,
      stdin: p.paths.stdin,
      stdout: p.paths.stdout,
      stderr: p.paths.stderr,
      terminal: p.paths.terminal,
      exitStatus: p.exit?.status ?? 0,
      exitedAt: p.exit?.at,
      execId: p.execId,
    };
  }

  private async pids(id: string): Promise<{ processes: Parameters<typeof task.ProcessInfo.encode>[0][] }> {
    const c = this.container(id);
    const byPid = new Map([...c.execs.values()].filter((p) => p.pid).map((p) => [p.pid, p.execId]));
    const pids = c.init.exitedRaw ? [] : c.container.pids();
    return {
      processes: pids.map((pid) => ({ pid, info: byPid.has(pid) ? anyOf(ProcessDetails, { execId: byPid.get(pid)! }) : undefined })),
    };
  }

  private async pause(id: string, paused: boolean): Promise<void> {
    const c = this.container(id);
    await (paused ? c.container.pause() : c.container.resume());
    void this.o.publisher.publish(paused ? anyOf(ev.TaskPaused, { containerId: id }) : anyOf(ev.TaskResumed, { containerId: id }));
  }

  private async resize(id: string, execId: string, width: number, height: number): Promise<void> {
    const { p } = this.process(id, execId);
    if (!p.paths.terminal || !p.io) throw failedPrecondition(`process ${execId || id} has no terminal`);
    p.io.resize(width, height);
  }

  private async closeIO(id: string, execId: string, stdin: boolean): Promise<void> {
    const { p } = this.process(id, execId);
    if (stdin) p.io?.closeStdin();
  }

  private async update(id: string, resources: task.CreateTaskRequest['options']): Promise<void> {
    const c = this.container(id);
    if (!resources) throw invalidArgument('update needs resources');
    // Validated by update itself (errors name the JSON path).
    await c.container.update(parseJson(Buffer.from(resources.value).toString('utf8'), 'the resources') as LinuxResources);
  }

  private async wait(id: string, execId: string): Promise<{ exitStatus: number; exitedAt: ExitInfo['at'] }> {
    const { p } = this.process(id, execId);
    const e = await p.wait();
    return { exitStatus: e.status, exitedAt: e.at };
  }

  private async stats(id: string): Promise<{ stats: ReturnType<typeof metricsOf> }> {
    const c = this.container(id);
    const cgroup = c.container.cgroup();
    if (!cgroup) throw failedPrecondition(`container ${id} has no cgroup to read`);
    return { stats: metricsOf(c.container.stats(), cgroup) };
  }

  private async connect(id: string): Promise<{ shimPid: number; taskPid: number; version: string }> {
    this.o.onActivity?.();
    const c = this.containers.get(id);
    return { shimPid: process.pid, taskPid: c && !c.deleted ? c.init.pid : 0, version: '' };
  }

  // ---- Delete / Shutdown ----

  private async delete(id: string, execId: string): Promise<{ pid: number; exitStatus: number; exitedAt: ExitInfo['at'] }> {
    const { c, p } = this.process(id, execId);
    if (!p.isInit) {
      if (p.state === 'running') throw failedPrecondition(`cannot delete a running process (exec ${execId})`);
      c.execs.delete(execId);
      // What it wrote may still be on its way to the client's FIFO: let it through first, as
      // for the init (a client deletes an exec as soon as it has seen the exit).
      await p.io?.drained(IO_DRAIN_MS);
      p.io?.close();
      return { pid: p.pid, exitStatus: p.exit?.status ?? 0, exitedAt: p.exit?.at ?? { seconds: 0, nanos: 0 } };
    }
    if (p.state === 'running') throw failedPrecondition(`cannot delete a running process (container ${id})`);
    if (c.runningExecs().length) throw failedPrecondition(`cannot delete container ${id}: execs still running`);
    c.deleted = true;
    try {
      if (p.state === 'created') {
        // Never started: kill the waiting init; its exit is recorded, not published.
        p.markNeverStarted();
        await c.container.kill(SIGKILL).catch(() => undefined);
      }
      const e = await p.wait();
      await p.io?.drained(IO_DRAIN_MS);
      p.io?.close();
      for (const x of c.execs.values()) x.io?.close();
      // Forced: without a pid namespace of its own, what the init left behind goes too.
      await c.container.delete({ force: true });
      if (c.rootfsMounted) unmountRootfs(c.bundle);
      c.rootfsMounted = false;
      void this.o.publisher.publish(anyOf(ev.TaskDelete, { containerId: id, pid: p.pid, exitStatus: e.status, exitedAt: e.at }));
      this.containers.delete(id);
      this.o.log.detach(id);
      if (this.shutdownRequested && this.containers.size === 0) this.o.onIdle?.();
      return { pid: p.pid, exitStatus: e.status, exitedAt: e.at };
    } catch (err) {
      c.deleted = false;
      throw err;
    }
  }

  /** Shutdown is ignored while the shim still has containers (it serves a whole group). */
  private shutdown(): void {
    this.shutdownRequested = true;
    if (this.containers.size === 0) setImmediate(() => this.o.onIdle?.());
  }

  /** A new container is on its way (a `start` found this shim): do not exit for now. */
  cancelShutdown(): void {
    this.shutdownRequested = false;
  }
}

// The public library API: Runtime (a state-root scope) and Container. The CLI and the shim are
// thin clients of this; they hold no lifecycle logic of their own.

import type { LoadedBundle } from './bundle.js';
import { NotFoundError, StateError } from './errors.js';
import { closeSync } from 'node:fs';
import { Socket } from 'node:net';
import * as native from './native.js';
import { keepingAlive } from './native.js';
import { checkExecProcess, execInContainer } from './lifecycle/exec.js';
import type { ExecOptions, ExecStarted } from './lifecycle/exec.js';
import { parseSignal as signalNumber } from './signals.js';
import type { WaitResult } from './native.js';
import { createContainer } from './lifecycle/create.js';
import type { CreateOptions } from './lifecycle/create.js';
import { deleteContainer } from './lifecycle/delete.js';
import { killContainer } from './lifecycle/kill.js';
import { startContainer } from './lifecycle/start.js';
import { stateOf } from './lifecycle/status.js';
import type { ContainerState } from './lifecycle/status.js';
import { parseSignal } from './signals.js';
import { setPaused } from './lifecycle/pause.js';
import { updateContainer } from './lifecycle/update.js';
import { containerPids } from './lifecycle/kill.js';
import { containerEvents, containerStats } from './lifecycle/events.js';
import type { ContainerEvent } from './lifecycle/events.js';
import type { Stats } from './cgroups/stats.js';
import type { LinuxResources, Process } from '../spec/types.js';
import { DEFAULT_ROOT, StateStore } from './state/store.js';

export interface RuntimeOptions {
  /** state directory (default /run/caisson) */
  root?: string;
  /** receives warnings, e.g. capabilities the kernel lacks */
  logger?: { warn(msg: string): void; debug?(msg: string): void };
}

export interface ExitStatus {
  /** exit code, or null when killed by a signal */
  exitCode: number | null;
  /** signal number that killed it, or null */
  signal: number | null;
}

export class Runtime {
  readonly root: string;
  readonly store: StateStore;
  private readonly logger: RuntimeOptions['logger'];
  /** exits of inits this process created (we are their parent and reap them) */
  private readonly exits = new Map<string, Promise<WaitResult>>();

  constructor(opts: RuntimeOptions = {}) {
    this.root = opts.root ?? DEFAULT_ROOT;
    this.store = new StateStore(this.root);
    this.logger = opts.logger;
  }

  /** Create a container from a bundle directory: the init is set up and waits for start(). */
  async create(id: string, opts: Omit<CreateOptions, 'loaded' | 'warn' | 'debug'> & { loaded?: LoadedBundle } = {}): Promise<Container> {
    const created = await createContainer(this.store, id, {
      ...opts,
      warn: (m) => this.logger?.warn(m),
      debug: this.logger?.debug ? (m) => this.logger?.debug?.(m) : undefined,
    });
    this.exits.set(id, created.exit);
    return new Container(this, id, created.console);
  }

  /** A handle on an existing container (created by any process using the same root). */
  load(id: string): Container {
    if (!this.store.read(id)) {
      if (!this.store.exists(id)) throw new NotFoundError(id);
    }
    return new Container(this, id);
  }

  list(): ContainerState[] {
    const out: ContainerState[] = [];
    for (const id of this.store.ids()) {
      const rec = this.store.read(id);
      if (rec) out.push(stateOf(this.store, rec));
    }
    return out;
  }

  /** @internal the exit promise of an init this process created */
  exitOf(id: string): Promise<WaitResult> | undefined {
    return this.exits.get(id);
  }

  /** @internal */
  warn(msg: string): void {
    this.logger?.warn(msg);
  }

  /** @internal */
  forget(id: string): void {
    this.exits.delete(id);
  }
}

export class Container {
  readonly id: string;
  /** the pty master, when created with `ownConsole` and the config asks for a terminal */
  readonly console: number | undefined;
  private readonly runtime: Runtime;

  constructor(runtime: Runtime, id: string, console?: number) {
    this.runtime = runtime;
    this.id = id;
    this.console = console;
  }

  async start(): Promise<void> {
    await startContainer(this.runtime.store, this.id);
  }

  state(): ContainerState {
    const rec = this.runtime.store.read(this.id);
    if (!rec) throw new NotFoundError(this.id);
    return stateOf(this.runtime.store, rec);
  }

  /** Send a signal (number or name, default SIGTERM) to the init, or to every process. */
  async kill(signal: number | string = 'SIGTERM', opts: { all?: boolean } = {}): Promise<void> {
    await killContainer(this.runtime.store, this.id, parseSignal(signal), opts.all);
  }

  /**
   * Wait for the init to exit. Only the process that created the container is its parent and
   * learns the exit status; elsewhere this resolves with nulls when the init is gone.
   */
  async wait(): Promise<ExitStatus> {
    const exit = this.runtime.exitOf(this.id);
    if (exit) {
      const w = await keepingAlive(exit);
      return { exitCode: w.exitCode, signal: w.signal };
    }
    const { waitForExit } = await import('./lifecycle/wait.js');
    return waitForExit(this.runtime.store, this.id);
  }

  /** Freeze every process of the container (state becomes "paused"). */
  async pause(): Promise<void> {
    await setPaused(this.runtime.store, this.id, true);
  }

  async resume(): Promise<void> {
    await setPaused(this.runtime.store, this.id, false);
  }

  /** Change resources live; returns the resources now in force. */
  async update(resources: LinuxResources): Promise<LinuxResources> {
    return updateContainer(this.runtime.store, this.id, resources, (m) => this.runtime.warn(m));
  }

  /** Host pids of every process in the container. */
  pids(): number[] {
    const rec = this.runtime.store.read(this.id);
    if (!rec) throw new NotFoundError(this.id);
    return containerPids(rec);
  }

  stats(): Stats {
    return containerStats(this.runtime.store, this.id);
  }

  /** Stats every `intervalMs` (default 5 s) and OOM events, until the container stops. */
  events(opts: { intervalMs?: number; signal?: AbortSignal } = {}): AsyncGenerator<ContainerEvent> {
    return containerEvents(this.runtime.store, this.id, opts.intervalMs ?? 5000, opts.signal);
  }

  /**
   * Start `process` inside the container (runc exec). The process spec is validated; stdio is
   * ours unless `stdio` gives fds. Resolves once it runs; `exit` settles when it ends.
   */
  async execRaw(process: Process, opts: Omit<ExecOptions, 'warn'> = {}): Promise<ExecStarted> {
    return execInContainer(this.runtime.store, this.id, checkExecProcess(process), { ...opts, warn: (m) => this.runtime.warn(m) });
  }

  /** Start a process in the container, with pipes for its stdio by default. */
  async exec(process: Process, opts: { stdio?: 'pipe' | 'inherit' } = {}): Promise<ExecProcess> {
    if (opts.stdio === 'inherit') return new ExecProcess(await this.execRaw(process, { ownConsole: true }), undefined);
    const pipes = [native.pipe(), native.pipe(), native.pipe()];
    const theirs: [number, number, number] = [pipes[0]![0], pipes[1]![1], pipes[2]![1]];
    const ours: [number, number, number] = [pipes[0]![1], pipes[1]![0], pipes[2]![0]];
    try {
      const started = await this.execRaw(process, { stdio: theirs, ownConsole: true });
      return new ExecProcess(started, ours);
    } catch (err) {
      for (const fd of ours) closeSync(fd);
      throw err;
    } finally {
      for (const fd of theirs) closeSync(fd);
    }
  }

  async delete(opts: { force?: boolean } = {}): Promise<void> {
    await deleteContainer(this.runtime.store, this.id, opts.force, (m) => this.runtime.warn(m));
    // Reap an init we created (it is dead by now) so it does not linger as a zombie.
    const exit = this.runtime.exitOf(this.id);
    if (exit) await keepingAlive(exit);
    this.runtime.forget(this.id);
  }
}

/** A process started in a container with Container.exec(). */
export class ExecProcess {
  readonly pid: number;
  /** with stdio "pipe": writable stdin, readable stdout and stderr */
  readonly stdin?: Socket;
  readonly stdout?: Socket;
  readonly stderr?: Socket;
  /** the pty master when the process spec asks for a terminal */
  readonly console?: number;
  private readonly started: ExecStarted;

  constructor(started: ExecStarted, fds: [number, number, number] | undefined) {
    this.started = started;
    this.pid = started.pid;
    this.console = started.console;
    if (fds) {
      this.stdin = new Socket({ fd: fds[0], readable: false, writable: true });
      this.stdout = new Socket({ fd: fds[1], readable: true, writable: false });
      this.stderr = new Socket({ fd: fds[2], readable: true, writable: false });
    }
  }

  /** The exit status (we are the process's parent). */
  async wait(): Promise<ExitStatus> {
    const w = await keepingAlive(this.started.exit);
    return { exitCode: w.exitCode, signal: w.signal };
  }

  kill(signal: number | string = 'SIGTERM'): void {
    native.pidfdSendSignal(this.started.pidfd, signalNumber(signal));
  }

  /** Resize its terminal (process.terminal). */
  resize(rows: number, cols: number): void {
    if (this.console === undefined) throw new StateError('the process has no terminal');
    native.setWinsize(this.console, rows, cols);
  }
}

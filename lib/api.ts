// The public library API: Runtime (a state-root scope) and Container. The CLI and the shim are
// thin clients of this; they hold no lifecycle logic of their own.

import type { LoadedBundle } from './bundle.js';
import { NotFoundError } from './errors.js';
import { keepingAlive } from './native.js';
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
import type { LinuxResources } from '../spec/types.js';
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

  async delete(opts: { force?: boolean } = {}): Promise<void> {
    await deleteContainer(this.runtime.store, this.id, opts.force, (m) => this.runtime.warn(m));
    // Reap an init we created (it is dead by now) so it does not linger as a zombie.
    const exit = this.runtime.exitOf(this.id);
    if (exit) await keepingAlive(exit);
    this.runtime.forget(this.id);
  }
}

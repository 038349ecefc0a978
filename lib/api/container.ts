// A container, as the library hands it out: every operation of the OCI lifecycle and of runc's
// CLI beyond it, in-process (no process is started per operation).

import type { Readable, Writable } from 'node:stream';
import { untilAborted } from '../abort.js';
import { NotFoundError } from '../errors.js';
import { keepingAlive } from '../native.js';
import { CgroupManager } from '../cgroups/manager.js';
import { oomKills } from '../cgroups/stats.js';
import type { Stats } from '../cgroups/stats.js';
import { deleteContainer } from '../lifecycle/delete.js';
import { containerEvents, containerStats } from '../lifecycle/events.js';
import type { ContainerEvent } from '../lifecycle/events.js';
import { checkExecProcess, execInContainer } from '../lifecycle/exec.js';
import type { ExecOptions, ExecStarted } from '../lifecycle/exec.js';
import { containerPids, killContainer } from '../lifecycle/kill.js';
import { setPaused } from '../lifecycle/pause.js';
import { startContainer } from '../lifecycle/start.js';
import { stateOf } from '../lifecycle/status.js';
import type { ContainerState } from '../lifecycle/status.js';
import type { ContainerRecord } from '../state/store.js';
import { updateContainer } from '../lifecycle/update.js';
import { parseSignal } from '../signals.js';
import type { LinuxResources, Process } from '../../spec/types.js';
import { ExecProcess } from './exec-process.js';
import type { ExitStatus } from './exit.js';
import type { Runtime } from './runtime.js';
import { prepareStdio, Pty } from './stdio.js';
import type { StdioOption } from './stdio.js';

/** What events() yields: stats every interval, OOM kills as they happen, and the exit last. */
export type ContainerEventWithExit = ContainerEvent | ({ type: 'exit'; id: string } & ExitStatus);

export interface ExecProcessOptions {
  /** the process gets a terminal: the handle's `pty` (stdio is then the terminal) */
  tty?: boolean;
  /** default 'pipe': streams on the handle */
  stdio?: StdioOption;
  /** run in a sub-cgroup of the container ("path", or "ctrl[,ctrl]:path" on v1) */
  cgroup?: string;
  /** exec into a paused container */
  ignorePaused?: boolean;
  /** give up starting it */
  signal?: AbortSignal;
}

/** Where a container's cgroups are: for reading files caisson does not report itself. */
export interface CgroupInfo {
  /** the host's layout: pure cgroup2, pure v1, or v1 controllers beside a cgroup2 hierarchy */
  layout: 'v2' | 'v1' | 'hybrid';
  /** the container's cgroup2 directory (on hybrid hosts, in the unified hierarchy) */
  unified?: string;
  /** v1: the container's directory in each hierarchy, with that hierarchy's controllers */
  v1: { controllers: string[]; dir: string }[];
}

/** How a Container was made in this process: its stdio and terminal. */
export interface ContainerIo {
  stdin?: Writable;
  stdout?: Readable;
  stderr?: Readable;
  console?: number;
}

export class Container {
  readonly id: string;
  /** with stdio 'pipe' at create: the init's stdin (write), stdout and stderr (read) */
  readonly stdin?: Writable;
  readonly stdout?: Readable;
  readonly stderr?: Readable;
  /** when the init has a terminal and this process created it: the pty */
  readonly pty?: Pty;
  /** @deprecated the pty master fd; use `pty` */
  readonly console: number | undefined;
  private readonly runtime: Runtime;

  constructor(runtime: Runtime, id: string, io: ContainerIo = {}) {
    this.runtime = runtime;
    this.id = id;
    this.stdin = io.stdin;
    this.stdout = io.stdout;
    this.stderr = io.stderr;
    this.console = io.console;
    if (io.console !== undefined) this.pty = new Pty(io.console);
  }

  /** Its state record; NotFoundError once it is gone. */
  private record(): ContainerRecord {
    const rec = this.runtime.store.read(this.id);
    if (!rec) throw new NotFoundError(this.id);
    return rec;
  }

  /** Run the user program (the init has been waiting for this). */
  async start(): Promise<void> {
    await startContainer(this.runtime.store, this.id);
  }

  state(): ContainerState {
    const rec = this.record();
    return stateOf(this.runtime.store, rec);
  }

  /** Send a signal (number or name, default SIGTERM) to the init, or with `all` to every process. */
  async kill(signal: number | string = 'SIGTERM', opts: { all?: boolean } = {}): Promise<void> {
    await killContainer(this.runtime.store, this.id, parseSignal(signal), opts.all);
  }

  /**
   * Wait for the init to exit. The process that created the container is the init's parent and
   * learns how it ended; elsewhere this resolves with nulls once it is gone. An abort stops the
   * waiting only.
   */
  async wait(opts: { signal?: AbortSignal } = {}): Promise<ExitStatus> {
    const exit = this.runtime.exitOf(this.id);
    if (exit) return keepingAlive(untilAborted(exit, opts.signal));
    const { waitForExit } = await import('../lifecycle/wait.js');
    const w = await untilAborted(waitForExit(this.runtime.store, this.id), opts.signal);
    return { ...w, exitedAt: null };
  }

  /** Freeze every process of the container (status "paused"). */
  async pause(): Promise<void> {
    await setPaused(this.runtime.store, this.id, true);
  }

  async resume(): Promise<void> {
    await setPaused(this.runtime.store, this.id, false);
  }

  /** Change resources live; returns the resources now in force. */
  async update(resources: LinuxResources): Promise<LinuxResources> {
    return updateContainer(this.runtime.store, this.id, resources, (m) => this.runtime.warn(m, this.id));
  }

  /** Host pids of every process in the container. */
  pids(): number[] {
    const rec = this.record();
    return containerPids(rec);
  }

  stats(): Stats {
    return containerStats(this.runtime.store, this.id);
  }

  /** How many times the kernel's OOM killer has killed a process of the container so far. */
  oomKills(): number {
    const rec = this.record();
    return rec.cgroup ? oomKills(new CgroupManager(rec.cgroup)) : 0;
  }

  /** Its cgroup directories; undefined when it has none (a rootless container without access). */
  cgroup(): CgroupInfo | undefined {
    const rec = this.record();
    if (!rec.cgroup) return undefined;
    const { place, layout } = rec.cgroup;
    return { layout, unified: place.v2?.dir, v1: place.v1.map((d) => ({ controllers: [...d.controllers], dir: d.dir })) };
  }

  /** Stats every `intervalMs` (default 5 s) and OOM kills until the container stops, then its exit. */
  async *events(opts: { intervalMs?: number; signal?: AbortSignal } = {}): AsyncGenerator<ContainerEventWithExit> {
    yield* containerEvents(this.runtime.store, this.id, opts.intervalMs ?? 5000, opts.signal);
    if (opts.signal?.aborted) return;
    yield { type: 'exit', id: this.id, ...(await this.wait({ signal: opts.signal })) };
  }

  /** Start a process in the container: pipes for its stdio by default, or a terminal with `tty`. */
  async exec(process: Process, opts: ExecProcessOptions = {}): Promise<ExecProcess> {
    const p = opts.tty ? { ...process, terminal: true } : process;
    const stdio = p.terminal ? undefined : prepareStdio(opts.stdio ?? 'pipe');
    try {
      const started = await this.execRaw(p, {
        stdio: stdio?.fds,
        ownConsole: true,
        cgroup: opts.cgroup,
        ignorePaused: opts.ignorePaused,
        signal: opts.signal,
      });
      stdio?.handedOver();
      return new ExecProcess(started, stdio);
    } catch (err) {
      stdio?.abandon();
      throw err;
    }
  }

  /**
   * The same at a lower level: your own fds for stdio, a console socket, a pid file; the exit is
   * a promise of the raw wait result.
   */
  async execRaw(process: Process, opts: Omit<ExecOptions, 'warn'> = {}): Promise<ExecStarted> {
    return execInContainer(this.runtime.store, this.id, checkExecProcess(process), { ...opts, warn: (m) => this.runtime.warn(m, this.id) });
  }

  /** Remove the container (with `force`, kill it first); also its cgroups. */
  async delete(opts: { force?: boolean } = {}): Promise<void> {
    await deleteContainer(this.runtime.store, this.id, opts.force, (m) => this.runtime.warn(m, this.id));
    // Reap an init we created (it is dead by now) so it does not linger as a zombie.
    const exit = this.runtime.exitOf(this.id);
    if (exit) await keepingAlive(exit);
    this.pty?.close();
    this.runtime.forget(this.id);
  }
}

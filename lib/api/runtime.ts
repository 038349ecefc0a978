// The library's entry: a Runtime is one state root (runc's --root). Several can live in one
// process; each keeps the exit statuses of the inits it created (it is their parent).

import type { LoadedBundle } from '../bundle.js';
import { NotFoundError, UnsupportedError } from '../errors.js';
import type { WaitResult } from '../native.js';
import { createContainer } from '../lifecycle/create.js';
import type { CreateOptions } from '../lifecycle/create.js';
import { stateOf } from '../lifecycle/status.js';
import type { ContainerState } from '../lifecycle/status.js';
import { DEFAULT_ROOT, StateStore } from '../state/store.js';
import type { Features, Spec } from '../../spec/types.js';
import { Container } from './container.js';
import { stamped } from './exit.js';
import type { ExitStatus } from './exit.js';
import { prepareStdio } from './stdio.js';
import type { StdioOption } from './stdio.js';

/** Which container a log message is about (one logger serves every container of a Runtime). */
export interface LogContext {
  id: string;
}

export interface Logger {
  warn(msg: string, context?: LogContext): void;
  debug?(msg: string, context?: LogContext): void;
}

export interface RuntimeOptions {
  /** state directory (default /run/caisson) */
  root?: string;
  /** receives warnings (capabilities the kernel lacks, ...) and, with debug, the plan */
  logger?: Logger;
  /** how cgroups are managed: cgroupfs (the only one so far; 'systemd' is refused) */
  cgroupManager?: 'cgroupfs' | 'systemd';
}

/** Where the container comes from: a bundle directory, or a config object and its rootfs. */
export type ContainerSource = { bundle: string; config?: undefined } | { config: Spec; rootfs: string; bundle?: undefined };

export type CreateContainerOptions = Partial<ContainerSource> &
  Omit<CreateOptions, 'bundle' | 'config' | 'rootfs' | 'loaded' | 'warn' | 'debug' | 'stdio'> & {
    /** the init's stdio: default 'inherit' (ours, as runc passes its own on) */
    stdio?: StdioOption;
    /** the init gets a terminal: the container's `pty` (whatever the config says) */
    tty?: boolean;
    /** @internal an already loaded bundle */
    loaded?: LoadedBundle;
  };

export class Runtime {
  readonly root: string;
  readonly store: StateStore;
  private readonly logger: Logger | undefined;
  private readonly exits = new Map<string, Promise<ExitStatus>>();

  constructor(opts: RuntimeOptions = {}) {
    if (opts.cgroupManager === 'systemd') throw new UnsupportedError('cgroupManager', 'the systemd cgroup manager is not supported yet: use cgroupfs');
    this.root = opts.root ?? DEFAULT_ROOT;
    this.store = new StateStore(this.root);
    this.logger = opts.logger;
  }

  /**
   * Create a container: the init is set up and waits for start(). From `{ bundle }`, or from
   * `{ config, rootfs }` (config.json is then kept in the container's state directory). A
   * `signal` that aborts during create removes everything made so far.
   */
  async create(id: string, opts: CreateContainerOptions = {}): Promise<Container> {
    let loaded = opts.loaded;
    if (opts.tty) {
      const { loadBundle } = await import('../bundle.js');
      const base = loaded ?? (opts.config === undefined ? loadBundle(opts.bundle ?? process.cwd()) : undefined);
      if (base) loaded = { ...base, spec: { ...base.spec, process: { ...base.spec.process!, terminal: true } } };
    }
    const config = opts.tty && opts.config ? { ...opts.config, process: { ...opts.config.process!, terminal: true } } : opts.config;
    // A terminal is ours unless a console socket is to receive it.
    const ownConsole = opts.ownConsole ?? !opts.consoleSocket;
    const stdio = prepareStdio(opts.stdio ?? 'inherit');
    try {
      const created = await createContainer(this.store, id, {
        ...opts,
        loaded,
        config,
        ownConsole,
        stdio: opts.stdio === undefined || opts.stdio === 'inherit' ? undefined : stdio.fds,
        warn: (m) => this.warn(m, id),
        debug: this.logger?.debug ? (m) => this.logger?.debug?.(m, { id }) : undefined,
      });
      stdio.handedOver();
      this.exits.set(id, stamped(created.exit));
      return new Container(this, id, { stdin: stdio.stdin, stdout: stdio.stdout, stderr: stdio.stderr, console: created.console });
    } catch (err) {
      stdio.abandon();
      throw err;
    }
  }

  /** A handle on an existing container (created by any process using the same root). */
  load(id: string): Container {
    if (!this.store.read(id) && !this.store.exists(id)) throw new NotFoundError(id);
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

  /** The OCI features document: what this build implements and this kernel has. */
  async features(): Promise<Features> {
    const { features } = await import('../features.js');
    return features();
  }

  /** @internal the exit of an init this process created */
  exitOf(id: string): Promise<ExitStatus> | undefined {
    return this.exits.get(id);
  }

  /** @internal */
  warn(msg: string, id: string): void {
    this.logger?.warn(msg, { id });
  }

  /** @internal */
  forget(id: string): void {
    this.exits.delete(id);
  }
}

export type { WaitResult };

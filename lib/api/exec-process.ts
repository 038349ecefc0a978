// A process started in a container with Container.exec(): its pid, its stdio as streams (or
// its terminal), its exit status.

import type { Readable, Writable } from 'node:stream';
import { StateError } from '../errors.js';
import { keepingAlive } from '../native.js';
import type { ExecStarted } from '../lifecycle/exec.js';
import { parseSignal } from '../signals.js';
import { untilAborted } from '../abort.js';
import { stamped } from './exit.js';
import type { ExitStatus } from './exit.js';
import type { PreparedStdio } from './stdio.js';
import { Pty } from './stdio.js';

export class ExecProcess {
  /** host pid */
  readonly pid: number;
  /** with stdio 'pipe': its stdin (write), stdout and stderr (read) */
  readonly stdin?: Writable;
  readonly stdout?: Readable;
  readonly stderr?: Readable;
  /** with a terminal (tty, or process.terminal): the pty */
  readonly pty?: Pty;
  private readonly started: ExecStarted;
  private readonly exit: Promise<ExitStatus>;

  constructor(started: ExecStarted, stdio: PreparedStdio | undefined) {
    this.started = started;
    this.pid = started.pid;
    this.exit = stamped(started.exit);
    if (started.console !== undefined) this.pty = new Pty(started.console);
    this.stdin = stdio?.stdin;
    this.stdout = stdio?.stdout;
    this.stderr = stdio?.stderr;
  }

  /** @deprecated the pty master fd; use `pty` */
  get console(): number | undefined {
    return this.started.console;
  }

  /** Its exit status (we are its parent). An abort stops the waiting, not the process. */
  async wait(opts: { signal?: AbortSignal } = {}): Promise<ExitStatus> {
    return keepingAlive(untilAborted(this.exit, opts.signal));
  }

  /** Signal it (through its pidfd: never another process that took its pid). False once it has exited. */
  kill(signal: number | string = 'SIGTERM'): boolean {
    return this.started.signal(parseSignal(signal));
  }

  /** Resize its terminal. */
  resize(rows: number, cols: number): void {
    if (!this.pty) throw new StateError('the process has no terminal');
    this.pty.resize(rows, cols);
  }
}

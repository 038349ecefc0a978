// One process the shim runs for containerd: a container's init (exec id "") or an exec. It
// keeps what containerd asks about (pid, status, stdio paths, exit status and time) and enforces
// the event order: a process's exit is published only after its start (TaskStart or
// TaskExecStarted) was, so a reply to Start is never overtaken by that process's exit.

import type { Timestamp } from './proto/well-known.js';
import { timestampOf } from './proto/well-known.js';
import type { ProcessIO, StdioPaths } from './io/process-io.js';
import type { Process } from '../../spec/types.js';
import type { ExecProcess } from '../api/exec-process.js';

/** How a process ended, as far as the shim needs it (a wait result, or the library's ExitStatus). */
type Ended = { exitCode: number | null; signal: number | null };

export interface ExitInfo {
  status: number;
  at: Timestamp;
}

function deferred<T>(): { promise: Promise<T>; resolve(v: T): void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** 128+signal for a killed process, as the runc shim reports it. */
export function exitStatusOf(w: Ended): number {
  if (w.signal !== null) return 128 + w.signal;
  if (w.exitCode !== null) return w.exitCode;
  return 255; // we were not the one who collected it: containerd's "unknown" status
}

export class ShimProcess {
  pid = 0;
  /** an exec, once started: the library's handle (signals go through its pidfd) */
  handle?: ExecProcess;
  state: 'created' | 'running' | 'stopped' = 'created';
  exit?: ExitInfo;
  io?: ProcessIO;
  /** exec: the process spec from Exec, run at Start */
  spec?: Process;
  /** the OS-level exit, once known (before it is published) */
  exitedRaw?: ExitInfo;
  private readonly started = deferred<boolean>();
  private readonly published = deferred<ExitInfo>();

  constructor(
    readonly containerId: string,
    /** '' for the init */
    readonly execId: string,
    readonly paths: StdioPaths,
  ) {}

  get isInit(): boolean {
    return this.execId === '';
  }

  /** Resolves with whether the process was started (its start event queued) or never will be. */
  get startDecided(): Promise<boolean> {
    return this.started.promise;
  }

  markStarted(): void {
    this.state = 'running';
    this.started.resolve(true);
  }

  /** The process will never be started (start failed, or it was deleted while created). */
  markNeverStarted(): void {
    this.started.resolve(false);
  }

  /** The exit was published (or, for a process never started, recorded): Wait may return. */
  markExited(e: ExitInfo): void {
    this.state = 'stopped';
    this.exit = e;
    this.published.resolve(e);
  }

  wait(): Promise<ExitInfo> {
    return this.published.promise;
  }

  static exitOf(w: Ended): ExitInfo {
    return { status: exitStatusOf(w), at: timestampOf(Date.now()) };
  }
}

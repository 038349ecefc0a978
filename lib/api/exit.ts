// How a process ended, as the library reports it.

import type { WaitResult } from '../native.js';

export interface ExitStatus {
  /** exit code, or null when killed by a signal (or when we could not learn it) */
  exitCode: number | null;
  /** number of the signal that killed it, or null */
  signal: number | null;
  /** when we saw it end; null when we could not watch it (not our child and already gone) */
  exitedAt: Date | null;
}

/** Stamp a wait result with the moment it arrived. */
export function stamped(p: Promise<WaitResult>): Promise<ExitStatus> {
  return p.then((w) => ({ exitCode: w.exitCode, signal: w.signal, exitedAt: new Date() }));
}

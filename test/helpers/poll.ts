// Waiting for something a container does on its own time. A fixed sleep before a check is a race
// on a loaded CI machine (a shell may not have set its trap or forked its children yet); polling
// for the condition itself is not.

import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Resolve once `ok()` is true; after `timeoutMs`, return anyway (the caller's expect says what is wrong). */
export async function eventually(ok: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok()) && Date.now() < deadline) await sleep(20);
}

/** Whether process `pid` has a handler for signal `sig` (its SigCgt mask in /proc). */
export function catches(pid: number, sig: number): boolean {
  const m = /^SigCgt:\s*([0-9a-f]+)$/m.exec(existsSync(`/proc/${pid}/status`) ? readFileSync(`/proc/${pid}/status`, 'utf8') : '');
  return !!m && (BigInt(`0x${m[1]}`) & (1n << BigInt(sig - 1))) !== 0n;
}

/** Whether process `pid` still runs (exists and is no zombie). */
export function alive(pid: number): boolean {
  try {
    return !/State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

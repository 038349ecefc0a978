// Waiting for a container we did not create: we are not the init's parent, so a pidfd tells us
// when it exits but not how.

import { closeSync } from 'node:fs';
import { NotFoundError } from '../errors.js';
import * as native from '../native.js';
import { isAlive } from '../state/proc.js';
import type { StateStore } from '../state/store.js';

export async function waitForExit(store: StateStore, id: string): Promise<{ exitCode: number | null; signal: number | null }> {
  const rec = store.read(id);
  if (!rec) throw new NotFoundError(id);
  let fd: number;
  try {
    fd = native.pidfdOpen(rec.pid);
  } catch {
    return { exitCode: null, signal: null };
  }
  try {
    if (isAlive(rec.pid, rec.startTime)) await native.waitPidfd(fd, true);
  } finally {
    closeSync(fd);
  }
  return { exitCode: null, signal: null };
}

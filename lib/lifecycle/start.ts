// start: run the startContainer hooks, tell the waiting init to exec the user program, then
// run the poststart hooks.
//
// The init blocks in accept() on <state>/<id>/start.sock. We connect and send one byte; the
// connection is close-on-exec in the init, so EOF with nothing read means execve succeeded, and
// an error message means it did not (which op, which errno). A failing startContainer or
// poststart hook stops the container (spec steps 7 and 9; poststart is fatal as of v1.3.0);
// `delete` then destroys it and runs the poststop hooks.

import { closeSync, unlinkSync, writeSync } from 'node:fs';
import * as native from '../native.js';
import { CaissonError, StateError } from '../errors.js';
import { hookState, runHooks } from '../hooks/run.js';
import { START_REQUEST } from '../plan/opcodes.js';
import type { ContainerRecord, StateStore } from '../state/store.js';
import { nsPid } from './create.js';
import { initError } from './init-error.js';
import { signalContainer } from './kill.js';
import { statusOf } from './status.js';
import type { Status } from './status.js';
import { CgroupManager } from '../cgroups/manager.js';
import { MessageReader } from './sync.js';

const ENOENT = 2;
const ECONNREFUSED = 111;

/** Our end of a connection to the waiting init (connecting to a listening unix socket never blocks). */
function connectStart(path: string): MessageReader {
  let fd: number;
  try {
    fd = native.unixConnect(path, 3);
  } catch (err) {
    const errno = (err as { errno?: number }).errno;
    if (errno === ECONNREFUSED || errno === ENOENT) throw new StateError('container process is already dead', 'stopped');
    throw err;
  }
  try {
    native.setNonBlocking(fd); // MessageReader reads with plain reads and polls
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return new MessageReader(fd);
}

/** Run hooks of `kind`; if one fails, stop the container and rethrow. */
async function hooksOrStop(rec: ContainerRecord, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    await signalContainer(rec, 9, true);
    throw err;
  }
}

/** runc's words for each status start refuses. */
function refuseUnlessCreated(status: Status): void {
  if (status === 'stopped') throw new StateError('cannot start a container that has stopped', status);
  if (status === 'running') throw new StateError('cannot start an already running container', status);
  if (status !== 'created') throw new StateError(`cannot start a container in the ${status} state`, status);
}

export async function startContainer(store: StateStore, id: string): Promise<void> {
  await store.withRecord(id, async (rec) => {
    const hooks = rec.config.hooks;
    const path = store.startSocket(id);
    // Only a living init that waits for start listens there (the socket goes with its exec or
    // its death), so a connection says "created" unless the container is paused; the status
    // is worked out only to explain a refusal.
    let conn: MessageReader;
    try {
      conn = connectStart(path);
    } catch (err) {
      refuseUnlessCreated(statusOf(store, rec));
      throw err;
    }
    // Paused while created: refused, and still created (a connection that sends nothing is
    // one the init ignores).
    if (rec.cgroup && new CgroupManager(rec.cgroup).isFrozen()) {
      conn.close();
      refuseUnlessCreated('paused');
    }
    try {
      if (hooks?.startContainer?.length) {
        const state = hookState(id, rec.bundle, 'created', nsPid(rec.pid), rec.annotations);
        await hooksOrStop(rec, () => runHooks('startContainer', hooks.startContainer, state, { inContainerOf: rec.pid }));
      }
      writeSync(conn.fd, START_REQUEST);
      const m = await conn.next();
      if (m.type === 'error') throw initError((i) => rec.startOps[i], m);
      if (m.type !== 'eof') throw new CaissonError('ESYSTEM', `unexpected reply from the container init: ${m.type}`);
    } finally {
      conn.close();
      // Only one start can win: whatever happened, the container is no longer "created".
      try {
        unlinkSync(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    if (hooks?.poststart?.length) {
      const state = hookState(id, rec.bundle, 'running', rec.pid, rec.annotations);
      await hooksOrStop(rec, () => runHooks('poststart', hooks.poststart, state));
    }
  });
}

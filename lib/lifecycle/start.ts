// start: run the startContainer hooks, tell the waiting init to exec the user program, then
// run the poststart hooks.
//
// The init blocks in accept() on <state>/<id>/start.sock. We connect and send one byte; the
// connection is close-on-exec in the init, so EOF with nothing read means execve succeeded, and
// an error message means it did not (which op, which errno). A failing startContainer or
// poststart hook stops the container (spec steps 7 and 9; poststart is fatal as of v1.3.0);
// `delete` then destroys it and runs the poststop hooks.

import { rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { CaissonError, StateError } from '../errors.js';
import { hookState, runHooks } from '../hooks/run.js';
import { START_REQUEST } from '../plan/opcodes.js';
import type { ContainerRecord, StateStore } from '../state/store.js';
import { nsPid } from './create.js';
import { initError } from './init-error.js';
import { signalContainer } from './kill.js';
import { statusOf } from './status.js';
import { MessageReader } from './sync.js';

async function connectStart(path: string) {
  const sock = createConnection({ path });
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ECONNREFUSED' || err.code === 'ENOENT' ? new StateError('container process is already dead', 'stopped') : err),
    );
  });
  return sock;
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

export async function startContainer(store: StateStore, id: string): Promise<void> {
  await store.withRecord(id, async (rec) => {
    const status = statusOf(store, rec);
    if (status === 'stopped') throw new StateError('cannot start a container that has stopped', status);
    if (status !== 'created') throw new StateError('cannot start an already running container', status);
    const hooks = rec.config.hooks;

    const path = store.startSocket(id);
    const sock = await connectStart(path);
    try {
      if (hooks?.startContainer?.length) {
        const state = hookState(id, rec.bundle, 'created', nsPid(rec.pid), rec.annotations);
        await hooksOrStop(rec, () => runHooks('startContainer', hooks.startContainer, state, { inContainerOf: rec.pid }));
      }
      const reader = new MessageReader(sock);
      sock.write(START_REQUEST);
      const m = await reader.next();
      if (m.type === 'error') throw initError((i) => rec.startOps[i], m);
      if (m.type !== 'eof') throw new CaissonError('ESYSTEM', `unexpected reply from the container init: ${m.type}`);
    } finally {
      sock.destroy();
      // Only one start can win: whatever happened, the container is no longer "created".
      rmSync(path, { force: true });
    }
    if (hooks?.poststart?.length) {
      const state = hookState(id, rec.bundle, 'running', rec.pid, rec.annotations);
      await hooksOrStop(rec, () => runHooks('poststart', hooks.poststart, state));
    }
  });
}

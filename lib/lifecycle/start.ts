// start: tell the waiting init to exec the user program.
//
// The init blocks in accept() on <state>/<id>/start.sock. We connect and send one byte; the
// connection is close-on-exec in the init, so EOF with nothing read means execve succeeded, and
// an error message means it did not (which op, which errno).

import { rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { CaissonError, NotFoundError, StateError } from '../errors.js';
import { START_REQUEST } from '../plan/opcodes.js';
import type { StateStore } from '../state/store.js';
import { initError } from './create.js';
import { statusOf } from './status.js';
import { MessageReader } from './sync.js';

export async function startContainer(store: StateStore, id: string): Promise<void> {
  const lock = await store.lock(id);
  try {
    const rec = store.read(id);
    if (!rec) throw new NotFoundError(id);
    const status = statusOf(store, rec);
    if (status === 'stopped') throw new StateError('cannot start a container that has stopped', status);
    if (status !== 'created') throw new StateError('cannot start an already running container', status);

    const path = store.startSocket(id);
    const sock = createConnection({ path });
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', (err: NodeJS.ErrnoException) =>
        reject(err.code === 'ECONNREFUSED' || err.code === 'ENOENT' ? new StateError('container process is already dead', 'stopped') : err),
      );
    });
    const reader = new MessageReader(sock);
    sock.write(START_REQUEST);
    const m = await reader.next();
    sock.destroy();
    // Only one start can win: whatever happened, the container is no longer "created".
    rmSync(path, { force: true });
    if (m.type === 'error') throw initError((i) => rec.startOps[i], m);
    if (m.type !== 'eof') throw new CaissonError('ESYSTEM', `unexpected reply from the container init: ${m.type}`);
  } finally {
    lock.release();
  }
}

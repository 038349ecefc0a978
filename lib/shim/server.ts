// The long-lived shim server: what `start` spawns (no action word), serving the Task API on the
// listening socket it inherits as fd 3, for every container of its group. It is a child
// subreaper, logs to the bundle's `log` FIFO, publishes events to containerd, and keeps running
// across containerd restarts (containerd reconnects through each bundle's `address` file).
//
// It exits once containerd has asked it to shut down and it has no containers left, after a
// short linger (CAISSON_SHIM_LINGER_MS, default 2000): back-to-back `ctr run --rm`s then reuse
// one warm server instead of paying Node's start-up each time. A `start` that finds the server
// calls Connect, which cancels a pending exit; once the exit has begun the server answers
// Unavailable, and that `start` spawns a new server instead.

import { closeSync, constants, openSync, rmSync } from 'node:fs';
import * as native from '../native.js';
import { ShimLog } from './log.js';
import { OrphanReaper } from './reaper.js';
import { EventPublisher } from './events/publisher.js';
import { TtrpcServer } from './ttrpc/server.js';
import { Code, TtrpcError } from './ttrpc/status.js';
import { TaskService, TASK_SERVICES } from './task-service.js';
import type { ShimFlags } from './flags.js';
import { lockPathOf } from './start.js';

const DEFAULT_LINGER_MS = 2000;

export async function runServer(flags: ShimFlags): Promise<void> {
  if (!flags.namespace) throw new Error('shim namespace cannot be empty');
  const log = new ShimLog(flags.debug);
  log.attach(flags.id, process.cwd());
  const reaper = new OrphanReaper((m) => log.debug(m));
  reaper.start();
  const publisher = new EventPublisher({
    namespace: flags.namespace,
    ttrpcAddress: flags.ttrpcAddress,
    grpcAddress: flags.address,
    publishBinary: flags.publishBinary,
    log,
  });
  const socketPath = process.env.CAISSON_SHIM_SOCKET_PATH || flags.socket;
  const lingerMs = Number(process.env.CAISSON_SHIM_LINGER_MS ?? DEFAULT_LINGER_MS);
  const server = new TtrpcServer({ warn: (m) => log.warn(m), debug: (m) => log.debug(m) });
  let linger: NodeJS.Timeout | undefined;
  let exiting = false;

  const exit = async (why: string) => {
    if (exiting) return;
    exiting = true;
    log.info(`shim exiting: ${why}`);
    // Nobody may find this server any more before it stops answering.
    removeSocket(socketPath);
    await server.close();
    await Promise.race([publisher.flush(), new Promise((r) => setTimeout(r, 3000))]);
    publisher.close();
    reaper.stop();
    process.exit(0);
  };

  const service: TaskService = new TaskService({
    namespace: flags.namespace,
    publisher,
    log,
    reaper,
    onIdle: () => {
      if (linger) clearTimeout(linger);
      linger = setTimeout(() => {
        if (service.containers.size === 0) void exit('no containers left');
      }, lingerMs);
    },
    onActivity: () => {
      if (exiting) throw new TtrpcError(Code.UNAVAILABLE, 'shim is shutting down');
      if (linger) clearTimeout(linger);
      linger = undefined;
      service.cancelShutdown();
    },
  });
  const handlers = service.handlers();
  for (const name of TASK_SERVICES) server.register(name, handlers);
  await server.listen(flags.socket && !process.env.CAISSON_SHIM_SOCKET_PATH ? { path: flags.socket } : { fd: 3 });

  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => void exit(`${sig}`));
  log.debug(`shim ${process.pid} serving namespace ${flags.namespace} on ${socketPath || 'fd 3'}`);
}

/** Unlink our socket (and the group's lock file) under the group lock, so no `start` races us. */
function removeSocket(path: string | undefined): void {
  if (!path) return;
  let fd: number | undefined;
  try {
    fd = openSync(lockPathOf(path), constants.O_RDWR);
    native.flock(fd, native.LOCK_EX);
  } catch {
    /* no lock file: nobody else uses it */
  }
  rmSync(path, { force: true });
  rmSync(lockPathOf(path), { force: true });
  if (fd !== undefined) closeSync(fd);
}

// `start`: make sure a shim server for this container's group runs, and tell containerd its
// address. The path is kept short because containerd waits for it on every container: read
// the bundle's annotations, hash the group into a socket path, and under the group's lock
// either reuse a live server (it answers Connect) or bind the socket and spawn a server that
// inherits it as fd 3. The server gets /dev/null for stdio and its own session: containerd reads
// this process's output until every holder of it has closed it.

import { spawn } from 'node:child_process';
import { closeSync, constants, fstatSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as native from '../native.js';
import { DEFAULT_SOCKET_DIR, groupKey, socketPath } from './address.js';
import { readStartRequest, startResult } from './bootstrap.js';
import type { ShimFlags } from './flags.js';
import { TtrpcClient } from './ttrpc/client.js';
import { ConnectRequest } from './proto/task.js';

const CONNECT_TIMEOUT_MS = 5000;

export function lockPathOf(socket: string): string {
  return `${socket}.lock`;
}

function annotations(bundle: string): Record<string, unknown> {
  try {
    const spec = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')) as { annotations?: Record<string, unknown> };
    return spec.annotations ?? {};
  } catch (err) {
    throw new Error(`read ${join(bundle, 'config.json')}: ${(err as Error).message}`);
  }
}

/** Whether a server answers on `path` (and has agreed to take container `id`). */
async function alive(path: string, id: string): Promise<boolean> {
  let client: TtrpcClient;
  try {
    client = await TtrpcClient.connect(path, CONNECT_TIMEOUT_MS);
  } catch {
    return false;
  }
  try {
    await client.call('containerd.task.v2.Task', 'Connect', ConnectRequest.encode({ id }), { timeoutMs: CONNECT_TIMEOUT_MS });
    return true;
  } catch {
    return false;
  } finally {
    client.close();
  }
}

/** The group's lock, held while deciding; retried when a server removed the file under us. */
async function lockGroup(socket: string): Promise<number> {
  for (;;) {
    const fd = openSync(lockPathOf(socket), constants.O_RDWR | constants.O_CREAT, 0o600);
    for (let delay = 1; native.flock(fd, native.LOCK_EX | native.LOCK_NB) !== 0; delay = Math.min(delay * 2, 20)) await sleep(delay);
    try {
      const a = fstatSync(fd);
      const b = statSync(lockPathOf(socket));
      if (a.ino === b.ino && a.dev === b.dev) return fd;
    } catch {
      /* removed: take the new one */
    }
    closeSync(fd);
  }
}

function spawnServer(flags: ShimFlags, req: ReturnType<typeof readStartRequest>, socket: string, listenFd: number): void {
  const args = ['-namespace', req.namespace, '-id', req.id, '-address', req.grpcAddress];
  if (flags.publishBinary) args.push('-publish-binary', flags.publishBinary);
  if (req.debug) args.push('-debug');
  const child = spawn(process.execPath, [process.argv[1]!, ...args], {
    cwd: process.cwd(),
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', listenFd],
    env: { ...process.env, TTRPC_ADDRESS: req.ttrpcAddress, CAISSON_SHIM_SOCKET_PATH: socket },
  });
  child.unref();
}

export async function runStart(flags: ShimFlags, stdin: Buffer): Promise<Buffer> {
  const req = readStartRequest(stdin, flags);
  if (!req.namespace) throw new Error('shim namespace cannot be empty');
  if (!req.id) throw new Error('shim id cannot be empty');
  const bundle = process.cwd();
  const socketDir = req.socketDir ?? DEFAULT_SOCKET_DIR;
  const socket = socketPath(req.grpcAddress, req.namespace, groupKey(annotations(bundle)), socketDir);
  mkdirSync(socketDir, { recursive: true, mode: 0o711 });
  const lock = await lockGroup(socket);
  try {
    if (!(await alive(socket, req.id))) {
      rmSync(socket, { force: true }); // a dead server's socket
      const fd = native.unixListen(socket);
      try {
        spawnServer(flags, req, socket, fd);
      } finally {
        closeSync(fd);
      }
    }
  } finally {
    closeSync(lock);
  }
  const address = `unix://${socket}`;
  // containerd 1.x reconnects after a restart through this file.
  writeFileSync(join(bundle, 'address'), address);
  return startResult(req, address);
}

// Opening the client's FIFOs without ever blocking the event loop or a libuv thread. containerd's
// client opens its ends asynchronously, so ours may come first: a writer is opened non-blocking
// and retried while no reader exists yet (ENXIO), up to a deadline.

import { closeSync, constants, openSync } from 'node:fs';
import { Socket } from 'node:net';

const ENXIO_RETRY_MS = [1, 2, 5, 10, 20, 50];

export async function openFifoWriter(path: string, timeoutMs = 10_000): Promise<Socket> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; ; i++) {
    try {
      const fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
      return new Socket({ fd, readable: false, writable: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENXIO' || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, ENXIO_RETRY_MS[Math.min(i, ENXIO_RETRY_MS.length - 1)]));
    }
  }
}

/**
 * A reader on the stdin FIFO, plus a writer we hold ourselves: a FIFO reads EOF whenever it has
 * no writer, and the client's may come and go; the container gets EOF only once CloseIO drops
 * ours (after the client closed its own), as with the runc shim.
 */
export function openStdinFifo(path: string): { reader: Socket; holder: number } {
  const rfd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  let holder: number;
  try {
    holder = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (err) {
    closeSync(rfd);
    throw err;
  }
  return { reader: new Socket({ fd: rfd, readable: true, writable: false }), holder };
}

// `run` in the foreground with a terminal: relay between our stdio and the pty master, with our
// terminal in raw mode (the container's pty does the line discipline) and resizes passed on.

import { closeSync, fstatSync } from 'node:fs';
import { PtyStream } from '../api/pty-stream.js';
import { setWinsize, ttyMakeRaw, ttyRestore } from '../native.js';

const RELAY_DRAIN_MS = 2000;

export interface Relay {
  close(): Promise<void>;
}

/** Whether two fds are the same terminal (so its settings are saved and restored once). */
function sameTty(a: number, b: number): boolean {
  const [x, y] = [fstatSync(a), fstatSync(b)];
  return x.rdev === y.rdev && x.ino === y.ino && x.dev === y.dev;
}

export function relayConsole(master: number): Relay {
  // One duplex stream on the master, read to its real end (libuv's would stop early).
  const pty = new PtyStream(master);
  const fromPty = pty;
  const toPty = pty;
  const stdin = process.stdin;
  // Our own raw mode rather than setRawMode: libuv keeps ONLCR on, which would turn the pty's
  // \r\n into \r\r\n. stdout is the terminal that matters for output; stdin for input.
  const saved = new Map<number, Buffer>();
  for (const fd of [0, 1]) {
    const stream = fd === 0 ? process.stdin : process.stdout;
    if (!(stream as { isTTY?: boolean }).isTTY || (fd === 1 && saved.size && sameTty(0, 1))) continue;
    saved.set(fd, ttyMakeRaw(fd));
  }
  const resize = () => {
    if (process.stdout.isTTY) setWinsize(master, process.stdout.rows, process.stdout.columns);
  };
  resize();
  process.stdout.on('resize', resize);
  stdin.pipe(toPty);
  fromPty.pipe(process.stdout);
  // The master reads EIO once the last holder of the slave is gone: that is the end.
  const ended = new Promise<void>((resolve) => {
    fromPty.once('error', () => resolve());
    fromPty.once('end', () => resolve());
    fromPty.once('close', () => resolve());
  });
  return {
    async close() {
      // The process has exited; what it wrote is in the master until we read it, and the master
      // ends (EIO) once no one holds the slave. Wait for that, so no output is lost on a busy
      // machine; the bound is for a slave someone else still holds (a daemonised child), which
      // runc would wait for indefinitely.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([ended, new Promise((r) => (timer = setTimeout(r, RELAY_DRAIN_MS)))]);
      clearTimeout(timer);
      stdin.unpipe(toPty);
      for (const [fd, old] of saved) ttyRestore(fd, old);
      stdin.pause();
      process.stdout.off('resize', resize);
      pty.destroy();
      try {
        closeSync(master);
      } catch {
        /* the streams closed it */
      }
    },
  };
}

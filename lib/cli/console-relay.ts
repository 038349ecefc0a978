// `run` in the foreground with a terminal: relay between our stdio and the pty master, with our
// terminal in raw mode (the container's pty does the line discipline) and resizes passed on.

import { closeSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import { setWinsize } from '../native.js';

export interface Relay {
  close(): Promise<void>;
}

export function relayConsole(master: number): Relay {
  // One duplex stream on the master: libuv cannot watch one fd with two handles.
  const pty = new ReadStream(master, { writable: true } as never);
  const fromPty = pty;
  const toPty = pty;
  const stdin = process.stdin;
  const raw = stdin.isTTY === true;
  if (raw) stdin.setRawMode(true);
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
      await Promise.race([ended, new Promise((r) => setTimeout(r, 200))]);
      stdin.unpipe(toPty);
      if (raw) stdin.setRawMode(false);
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

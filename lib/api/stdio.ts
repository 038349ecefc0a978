// Stdio for a process started through the library: each of stdin, stdout and stderr is ours
// ('inherit'), /dev/null ('ignore'), a pipe whose other end we hand back as a Node stream
// ('pipe'), or an fd of the caller's. A terminal is a Pty instead.

import { closeSync, openSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { StateError } from '../errors.js';
import * as native from '../native.js';
import { PtyStream } from './pty-stream.js';

export type StdioKind = 'inherit' | 'pipe' | 'ignore';
/** One kind for all three, or one per stream: a kind, or an fd of yours. */
export type StdioOption = StdioKind | [StdioKind | number, StdioKind | number, StdioKind | number];

export interface PreparedStdio {
  /** the process's three fds (some may be ours, e.g. 'inherit') */
  fds: [number, number, number];
  /** our ends, with 'pipe' */
  stdin?: Writable;
  stdout?: Readable;
  stderr?: Readable;
  /** close the fds that were only for the process, once it has them */
  handedOver(): void;
  /** close everything made here (the process never started) */
  abandon(): void;
}

export function prepareStdio(option: StdioOption = 'inherit'): PreparedStdio {
  const kinds = Array.isArray(option) ? option : [option, option, option];
  const theirs: number[] = [];
  const ours: (number | undefined)[] = [];
  const made: number[] = [];
  try {
    kinds.forEach((k, i) => {
      if (typeof k === 'number') {
        theirs.push(k);
        ours.push(undefined);
      } else if (k === 'inherit') {
        theirs.push(i);
        ours.push(undefined);
      } else if (k === 'ignore') {
        const fd = openSync('/dev/null', i === 0 ? 'r' : 'w');
        made.push(fd);
        theirs.push(fd);
        ours.push(undefined);
      } else {
        const [r, w] = native.pipe();
        const [t, o] = i === 0 ? [r, w] : [w, r];
        made.push(t);
        theirs.push(t);
        ours.push(o);
      }
    });
  } catch (err) {
    for (const fd of [...made, ...ours]) if (fd !== undefined) closeSync(fd);
    throw err;
  }
  const stream = (fd: number | undefined, write: boolean) => (fd === undefined ? undefined : new Socket({ fd, readable: !write, writable: write }));
  const stdin = stream(ours[0], true);
  const stdout = stream(ours[1], false);
  const stderr = stream(ours[2], false);
  return {
    fds: theirs as [number, number, number],
    stdin,
    stdout,
    stderr,
    handedOver() {
      for (const fd of made.splice(0)) closeSync(fd);
    },
    abandon() {
      for (const fd of made.splice(0)) closeSync(fd);
      for (const s of [stdin, stdout, stderr]) s?.destroy();
    },
  };
}

/** A process's terminal: the pty master, as a stream both ways, with resize. */
export class Pty {
  readonly fd: number;
  /** read the terminal's output, write its input */
  readonly stream: Readable & Writable;

  constructor(master: number) {
    this.fd = master;
    // One duplex stream on the master, read to its real end (see pty-stream.ts).
    this.stream = new PtyStream(master);
    this.stream.on('error', () => this.stream.destroy());
  }

  /** Resize it; a StateError once the terminal has ended (its process and all holders gone). */
  resize(rows: number, cols: number): void {
    if (this.stream.destroyed) throw new StateError('the terminal has closed: its process has exited');
    native.setWinsize(this.fd, rows, cols);
  }

  close(): void {
    this.stream.destroy();
  }
}

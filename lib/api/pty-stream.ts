// A pty master as a Node stream, read to its real end.
//
// libuv's own stream (tty.ReadStream) declares EOF on a pty too early: when the slave side
// hangs up (POLLHUP) after a read that did not fill its buffer, libuv takes the short read for
// the last one, while the line discipline still holds output to pass on (up to several KiB of
// a process that wrote a lot just before exiting). Here the master is read with plain
// non-blocking reads until the kernel says EIO, which it does only once the output is drained
// and no one holds the slave any more; a native poll waits when there is nothing yet.

import { closeSync, writeSync } from 'node:fs';
import { Duplex } from 'node:stream';
import { readWhenReady } from '../fd-read.js';
import * as native from '../native.js';

const CHUNK = 64 * 1024;

export class PtyStream extends Duplex {
  private pumping = false;
  private released = false;
  private readonly chunk = Buffer.allocUnsafe(CHUNK);

  constructor(readonly fd: number) {
    // Its two directions are independent: input may end (CloseIO) while output goes on.
    super({ allowHalfOpen: true });
    native.setNonBlocking(fd);
    // Once its output has all been read, the terminal is gone: let go of the master.
    this.once('end', () => this.destroy());
  }

  override _read(): void {
    if (!this.pumping) void this.pump();
  }

  /** Read until the consumer wants no more for now (push() false), the end, or an error. */
  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      for (;;) {
        let n: number;
        try {
          n = await readWhenReady(this.fd, this.chunk, () => !this.released);
        } catch (err) {
          // EIO: drained, and the last holder of the slave is gone. That is the end, not an error.
          if ((err as { errnoName?: string }).errnoName === 'EIO') this.push(null);
          else this.destroy(err as Error);
          return;
        }
        if (n < 0) return; // released while we waited
        if (n === 0) {
          this.push(null);
          return;
        }
        if (!this.push(Buffer.from(this.chunk.subarray(0, n)))) return;
      }
    } finally {
      this.pumping = false;
    }
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    let off = 0;
    const attempt = (): void => {
      if (this.released) return done(new Error('the terminal is closed'));
      try {
        while (off < chunk.length) off += writeSync(this.fd, chunk, off, chunk.length - off);
        done();
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // The terminal's input queue is full: its reader will make room.
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR') setTimeout(attempt, 2);
        else done(err as Error);
      }
    };
    attempt();
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    if (!this.released) {
      this.released = true;
      try {
        closeSync(this.fd);
      } catch {
        /* already closed */
      }
    }
    done(err);
  }
}

// The parent's end of the sync socket: typed messages from the child, GO/ABORT back.
// Framing is native/plan.h's cs_msg: u32 type, u32 len, payload.

import { closeSync, writeSync } from 'node:fs';
import { readWhenReady } from '../fd-read.js';
import { MSG_ERROR_LEN, MSG_HEADER_LEN, Msg } from '../plan/opcodes.js';

export type ChildMessage =
  | { type: 'pid'; pid: number }
  | { type: 'idmap' }
  | { type: 'reached'; tag: number }
  | { type: 'ready' }
  | { type: 'error'; errno: number; opIndex: number; syscall: string; detail: string }
  | { type: 'eof' };

function decode(type: number, payload: Buffer): ChildMessage {
  switch (type) {
    case Msg.PID:
      return { type: 'pid', pid: payload.readUInt32LE(0) };
    case Msg.IDMAP:
      return { type: 'idmap' };
    case Msg.REACHED:
      return { type: 'reached', tag: payload.readUInt32LE(0) };
    case Msg.READY:
      return { type: 'ready' };
    case Msg.ERROR: {
      const call = payload.subarray(8, MSG_ERROR_LEN);
      const nul = call.indexOf(0);
      return {
        type: 'error',
        errno: payload.readInt32LE(0),
        opIndex: payload.readUInt32LE(4),
        syscall: call.subarray(0, nul < 0 ? call.length : nul).toString('utf8'),
        detail: payload.subarray(MSG_ERROR_LEN).toString('utf8'),
      };
    }
    default:
      throw new Error(`unexpected message type ${type} from the container init`);
  }
}

/**
 * Reads framed messages from a non-blocking fd: the sync socket, and start's connection. Plain
 * reads, and a poll of the fd when there is nothing yet: no stream machinery per container.
 */
export class MessageReader {
  private buf: Buffer = Buffer.alloc(0);
  private ended = false;
  private closed = false;
  private readonly chunk = Buffer.allocUnsafe(4096);

  constructor(readonly fd: number) {}

  /** The next whole message, or eof once the other end is gone (or the fd was closed here). */
  async next(): Promise<ChildMessage> {
    for (;;) {
      const m = this.take();
      if (m) return m;
      if (this.ended || this.closed) return { type: 'eof' };
      let n: number;
      try {
        n = await readWhenReady(this.fd, this.chunk, () => !this.closed);
      } catch {
        n = 0; // ECONNRESET and the like: the other end is gone
      }
      if (n < 0) return { type: 'eof' }; // closed here while waiting
      if (n === 0) this.ended = true;
      else this.buf = this.buf.length ? Buffer.concat([this.buf, this.chunk.subarray(0, n)]) : Buffer.from(this.chunk.subarray(0, n));
    }
  }

  private take(): ChildMessage | undefined {
    if (this.buf.length < MSG_HEADER_LEN) return undefined;
    const type = this.buf.readUInt32LE(0);
    const len = this.buf.readUInt32LE(4);
    if (this.buf.length < MSG_HEADER_LEN + len) return undefined;
    const payload = this.buf.subarray(MSG_HEADER_LEN, MSG_HEADER_LEN + len);
    this.buf = this.buf.subarray(MSG_HEADER_LEN + len);
    return decode(type, payload);
  }

  /** Send one header-only message (messages are 8 bytes: a socket buffer always takes them). */
  protected send(type: number): void {
    const b = Buffer.alloc(MSG_HEADER_LEN);
    b.writeUInt32LE(type, 0);
    writeSync(this.fd, b);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

/** The parent's end of the sync socket with a child running a plan. */
export class SyncChannel extends MessageReader {
  go(): void {
    this.send(Msg.GO);
  }

  /** Tell a child waiting for GO to give up (it may be gone already: then nothing is sent). */
  abort(): void {
    try {
      this.send(Msg.ABORT);
    } catch {
      /* EPIPE, or closed: it is gone */
    }
  }
}

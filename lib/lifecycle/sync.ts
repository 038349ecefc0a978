// The parent's end of the sync socket: typed messages from the child, GO/ABORT back.
// Framing is native/plan.h's cs_msg: u32 type, u32 len, payload.

import { Socket } from 'node:net';
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

/** Reads framed messages from a stream; used for the sync socket and the start connection. */
export class MessageReader {
  private buf: Buffer = Buffer.alloc(0);
  private queue: ChildMessage[] = [];
  private waiters: ((m: ChildMessage) => void)[] = [];
  private ended = false;
  readonly socket: Socket;

  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
      while (this.buf.length >= MSG_HEADER_LEN) {
        const type = this.buf.readUInt32LE(0);
        const len = this.buf.readUInt32LE(4);
        if (this.buf.length < MSG_HEADER_LEN + len) break;
        const payload = this.buf.subarray(MSG_HEADER_LEN, MSG_HEADER_LEN + len);
        this.buf = this.buf.subarray(MSG_HEADER_LEN + len);
        this.push(decode(type, payload));
      }
    });
    const end = () => {
      if (!this.ended) {
        this.ended = true;
        this.push({ type: 'eof' });
      }
    };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', end);
  }

  private push(m: ChildMessage): void {
    const w = this.waiters.shift();
    if (w) w(m);
    else this.queue.push(m);
  }

  next(): Promise<ChildMessage> {
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    if (this.ended) return Promise.resolve({ type: 'eof' });
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

export class SyncChannel extends MessageReader {
  constructor(fd: number) {
    super(new Socket({ fd, readable: true, writable: true }));
  }

  private send(type: number): void {
    const b = Buffer.alloc(MSG_HEADER_LEN);
    b.writeUInt32LE(type, 0);
    this.socket.write(b);
  }

  go(): void {
    this.send(Msg.GO);
  }

  abort(): void {
    if (!this.socket.destroyed) this.send(Msg.ABORT);
  }

  close(): void {
    this.socket.destroy();
  }
}

// A ttrpc client for unary calls (the shim's events publisher, and tests): odd stream ids from
// 1 up, many calls in flight, each with its own timeout.

import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import { Request, Response } from '../proto/ttrpc.js';
import { encodeFrame, FrameDecoder, MessageType } from './frame.js';
import { TtrpcError } from './status.js';

interface Pending {
  resolve(payload: Buffer): void;
  reject(err: Error): void;
  timer?: NodeJS.Timeout;
}

export class TtrpcClient {
  private nextStream = 1;
  private readonly pending = new Map<number, Pending>();
  private closedWith?: Error;

  private constructor(private readonly sock: Socket) {
    const decoder = new FrameDecoder();
    sock.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        const p = this.pending.get(frame.streamId);
        if (!p || frame.type !== MessageType.RESPONSE) continue;
        this.settle(frame.streamId);
        if (frame.oversized !== undefined) {
          p.reject(new TtrpcError(8, `response of ${frame.oversized} bytes exceeds the maximum message size`));
          continue;
        }
        try {
          const res = Response.decode(frame.payload);
          if (res.status && res.status.code !== 0) p.reject(new TtrpcError(res.status.code, res.status.message));
          else p.resolve(Buffer.from(res.payload));
        } catch (err) {
          p.reject(err as Error);
        }
      }
    });
    const close = (err?: Error) => {
      this.closedWith = err ?? new Error('ttrpc: closed');
      for (const id of [...this.pending.keys()]) {
        const p = this.pending.get(id)!;
        this.settle(id);
        p.reject(this.closedWith);
      }
    };
    sock.on('error', (err) => close(new Error(`ttrpc: ${err.message}`)));
    sock.on('close', () => close());
  }

  static connect(path: string, timeoutMs = 5000): Promise<TtrpcClient> {
    return new Promise((resolve, reject) => {
      const sock = createConnection({ path });
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error(`ttrpc: timed out connecting to ${path}`));
      }, timeoutMs);
      sock.once('connect', () => {
        clearTimeout(timer);
        resolve(new TtrpcClient(sock));
      });
      sock.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`ttrpc: connect to ${path}: ${err.message}`));
      });
    });
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  private settle(id: number): void {
    const p = this.pending.get(id);
    if (p?.timer) clearTimeout(p.timer);
    this.pending.delete(id);
  }

  call(service: string, method: string, payload: Uint8Array, opts: { timeoutMs?: number; metadata?: Record<string, string> } = {}): Promise<Buffer> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextStream;
    this.nextStream += 2;
    const req = Request.encode({
      service,
      method,
      payload,
      timeoutNano: opts.timeoutMs ? opts.timeoutMs * 1e6 : 0,
      metadata: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
    });
    return new Promise((resolve, reject) => {
      const p: Pending = { resolve, reject };
      if (opts.timeoutMs) {
        p.timer = setTimeout(() => {
          this.pending.delete(id);
          reject(new TtrpcError(4, `ttrpc: ${service}/${method} timed out after ${opts.timeoutMs} ms`));
        }, opts.timeoutMs);
      }
      this.pending.set(id, p);
      this.sock.write(encodeFrame(id, MessageType.REQUEST, 0, req));
    });
  }

  close(): void {
    this.sock.destroy();
  }

  /** Keep (or stop keeping) the process alive for this connection. */
  unref(): void {
    this.sock.unref();
  }
}

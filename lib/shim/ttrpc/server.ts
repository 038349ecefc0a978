// A ttrpc server for unary calls: frames in, a handler per "service/method", a Response frame
// (google.rpc.Status + payload) back on the same stream. Many calls run at once on one
// connection and answer in any order. Nothing a peer sends can take the server down: a bad
// frame, stream id or payload is answered with an error status on that stream, and an error
// thrown by a handler becomes its status.

import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { ProtoError } from '../proto/codec.js';
import { Request, Response } from '../proto/ttrpc.js';
import { encodeFrame, FrameDecoder, MAX_MESSAGE_LENGTH, MessageType } from './frame.js';
import { Code, TtrpcError } from './status.js';

export interface CallContext {
  service: string;
  method: string;
  /** request metadata, e.g. containerd-namespace-ttrpc */
  metadata: Record<string, string>;
}

export type Handler = (payload: Uint8Array, ctx: CallContext) => Promise<Uint8Array> | Uint8Array;

export interface ServerLog {
  debug?(msg: string): void;
  warn(msg: string): void;
}

/** Turn whatever a handler threw into a status. */
export function statusOf(err: unknown): { code: number; message: string } {
  if (err instanceof TtrpcError) return { code: err.code, message: err.message };
  if (err instanceof ProtoError) return { code: Code.INVALID_ARGUMENT, message: `invalid request: ${err.message}` };
  return { code: Code.UNKNOWN, message: (err as Error)?.message ?? String(err) };
}

export class TtrpcServer {
  private readonly services = new Map<string, Map<string, Handler>>();
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  /** calls running now, so a shutdown can let them answer first */
  private inFlight = 0;

  constructor(private readonly log: ServerLog = { warn: () => {} }) {}

  register(service: string, methods: Record<string, Handler>): void {
    const m = this.services.get(service) ?? new Map<string, Handler>();
    for (const [name, h] of Object.entries(methods)) m.set(name, h);
    this.services.set(service, m);
  }

  /** Serve on an already listening socket fd (the shim gets it as fd 3) or a path. */
  listen(where: { fd: number } | { path: string }): Promise<void> {
    const server = createServer({ allowHalfOpen: false }, (sock) => this.serve(sock));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(where, () => {
        server.off('error', reject);
        server.on('error', (err) => this.log.warn(`ttrpc server: ${err.message}`));
        resolve();
      });
    });
  }

  /** Serve one connected socket (also used by tests with a socket pair). */
  serve(sock: Socket): void {
    this.sockets.add(sock);
    const decoder = new FrameDecoder();
    let lastStream = 0;
    const send = (streamId: number, res: Parameters<typeof Response.encode>[0]) => {
      let payload = Response.encode(res);
      if (payload.length > MAX_MESSAGE_LENGTH) {
        payload = Response.encode({ status: { code: Code.RESOURCE_EXHAUSTED, message: `response of ${payload.length} bytes exceeds the maximum message size` } });
      }
      if (!sock.destroyed) sock.write(encodeFrame(streamId, MessageType.RESPONSE, 0, payload));
    };
    const fail = (streamId: number, code: number, message: string) => send(streamId, { status: { code, message } });
    sock.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        if (frame.oversized !== undefined) {
          fail(frame.streamId, Code.RESOURCE_EXHAUSTED, `message length ${frame.oversized} exceeds maximum message size of ${MAX_MESSAGE_LENGTH}`);
          continue;
        }
        // Streaming data frames belong to streaming calls, which no service here has.
        if (frame.type !== MessageType.REQUEST) continue;
        if (frame.streamId % 2 !== 1) {
          fail(frame.streamId, Code.INVALID_ARGUMENT, 'StreamID must be odd for client initiated streams');
          continue;
        }
        if (frame.streamId <= lastStream) {
          fail(frame.streamId, Code.INVALID_ARGUMENT, 'StreamID cannot be re-used and must increment');
          continue;
        }
        lastStream = frame.streamId;
        void this.dispatch(frame.streamId, frame.payload, send);
      }
    });
    sock.on('error', (err) => this.log.debug?.(`ttrpc connection: ${err.message}`));
    sock.on('close', () => this.sockets.delete(sock));
  }

  private async dispatch(streamId: number, bytes: Buffer, send: (id: number, res: Parameters<typeof Response.encode>[0]) => void): Promise<void> {
    this.inFlight++;
    try {
      let req: Request;
      try {
        req = Request.decode(bytes);
      } catch (err) {
        send(streamId, { status: { code: Code.INVALID_ARGUMENT, message: `unmarshal request error: ${(err as Error).message}` } });
        return;
      }
      const service = this.services.get(req.service);
      const handler = service?.get(req.method);
      if (!service) {
        send(streamId, { status: { code: Code.UNIMPLEMENTED, message: `service ${req.service}` } });
        return;
      }
      if (!handler) {
        send(streamId, { status: { code: Code.UNIMPLEMENTED, message: `method ${req.method}` } });
        return;
      }
      const metadata: Record<string, string> = {};
      for (const kv of req.metadata) metadata[kv.key] = kv.value;
      try {
        const payload = await handler(req.payload, { service: req.service, method: req.method, metadata });
        send(streamId, { status: { code: Code.OK, message: '' }, payload });
      } catch (err) {
        const status = statusOf(err);
        if (status.code === Code.UNKNOWN) this.log.debug?.(`${req.service}/${req.method}: ${status.message}`);
        send(streamId, { status });
      }
    } finally {
      this.inFlight--;
    }
  }

  /** Stop accepting, let running calls answer (up to `graceMs`), then close every connection. */
  async close(graceMs = 2000): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const closed = server ? new Promise<void>((r) => server.close(() => r())) : Promise.resolve();
    const deadline = Date.now() + graceMs;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    for (const s of this.sockets) s.end();
    await new Promise((r) => setTimeout(r, 10));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

// The ttrpc server over a real unix socket: calls, errors as statuses, and hostile peers
// (unknown services and methods, even or reused stream ids, garbage payloads, oversized
// lengths, a connection cut mid-frame). After each, the server must still answer.

import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TtrpcClient } from '../../../lib/shim/ttrpc/client.js';
import { encodeFrame, FrameDecoder, MAX_MESSAGE_LENGTH, MessageType } from '../../../lib/shim/ttrpc/frame.js';
import { TtrpcServer } from '../../../lib/shim/ttrpc/server.js';
import { Code, TtrpcError } from '../../../lib/shim/ttrpc/status.js';
import { Request, Response } from '../../../lib/shim/proto/ttrpc.js';
import { StateRequest } from '../../../lib/shim/proto/task.js';

let dir: string;
let path: string;
let server: TtrpcServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'caisson-ttrpc-'));
  path = join(dir, 's.sock');
  server = new TtrpcServer();
  server.register('test.Echo', {
    Echo: (p) => p,
    Slow: async (p) => {
      await new Promise((r) => setTimeout(r, 50));
      return p;
    },
    NotFound: () => {
      throw new TtrpcError(Code.NOT_FOUND, 'no such thing');
    },
    Crash: () => {
      throw new Error('handler bug');
    },
    Decode: (p) => StateRequest.encode(StateRequest.decode(p)),
    Meta: (_p, ctx) => Buffer.from(ctx.metadata['containerd-namespace-ttrpc'] ?? ''),
  });
  await server.listen({ path });
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A raw connection that collects Response frames by stream id. */
async function raw(): Promise<{ sock: Socket; next(): Promise<{ streamId: number; code: number; message: string; payload: Buffer }> }> {
  const sock = createConnection({ path });
  await new Promise((r) => sock.once('connect', r));
  const decoder = new FrameDecoder();
  const queue: { streamId: number; code: number; message: string; payload: Buffer }[] = [];
  const waiters: ((v: (typeof queue)[number]) => void)[] = [];
  sock.on('data', (c: Buffer) => {
    for (const fr of decoder.push(c)) {
      const res = Response.decode(fr.payload);
      const v = { streamId: fr.streamId, code: res.status?.code ?? 0, message: res.status?.message ?? '', payload: Buffer.from(res.payload) };
      const w = waiters.shift();
      if (w) w(v);
      else queue.push(v);
    }
  });
  return { sock, next: () => (queue.length ? Promise.resolve(queue.shift()!) : new Promise((r) => waiters.push(r))) };
}

const request = (service: string, method: string, payload: Uint8Array = Buffer.alloc(0)) => Request.encode({ service, method, payload });

describe('ttrpc server', () => {
  it('answers calls, many at once and out of order', async () => {
    const c = await TtrpcClient.connect(path);
    const [slow, fast] = await Promise.all([c.call('test.Echo', 'Slow', Buffer.from('s')), c.call('test.Echo', 'Echo', Buffer.from('f'))]);
    expect([slow.toString(), fast.toString()]).toEqual(['s', 'f']);
    expect((await c.call('test.Echo', 'Meta', Buffer.alloc(0), { metadata: { 'containerd-namespace-ttrpc': 'k8s.io' } })).toString()).toBe('k8s.io');
    c.close();
  });

  it('returns thrown errors as statuses: chosen codes, Unknown for plain errors, InvalidArgument for bad payloads', async () => {
    const c = await TtrpcClient.connect(path);
    await expect(c.call('test.Echo', 'NotFound', Buffer.alloc(0))).rejects.toMatchObject({ code: Code.NOT_FOUND, message: 'no such thing' });
    await expect(c.call('test.Echo', 'Crash', Buffer.alloc(0))).rejects.toMatchObject({ code: Code.UNKNOWN, message: 'handler bug' });
    await expect(c.call('test.Echo', 'Decode', Buffer.from('0a05ab', 'hex'))).rejects.toMatchObject({ code: Code.INVALID_ARGUMENT });
    expect((await c.call('test.Echo', 'Echo', Buffer.from('still here'))).toString()).toBe('still here');
    c.close();
  });

  it('answers unknown services and methods with Unimplemented', async () => {
    const c = await TtrpcClient.connect(path);
    await expect(c.call('no.Such', 'Echo', Buffer.alloc(0))).rejects.toMatchObject({ code: Code.UNIMPLEMENTED, message: 'service no.Such' });
    await expect(c.call('test.Echo', 'Nope', Buffer.alloc(0))).rejects.toMatchObject({ code: Code.UNIMPLEMENTED, message: 'method Nope' });
    c.close();
  });

  it('refuses even and reused stream ids, and garbage requests, on the same connection', async () => {
    const r = await raw();
    r.sock.write(encodeFrame(2, MessageType.REQUEST, 0, request('test.Echo', 'Echo')));
    expect(await r.next()).toMatchObject({ streamId: 2, code: Code.INVALID_ARGUMENT, message: expect.stringMatching(/odd/) });
    r.sock.write(encodeFrame(5, MessageType.REQUEST, 0, request('test.Echo', 'Echo', Buffer.from('a'))));
    expect(await r.next()).toMatchObject({ streamId: 5, code: 0 });
    r.sock.write(encodeFrame(3, MessageType.REQUEST, 0, request('test.Echo', 'Echo')));
    expect(await r.next()).toMatchObject({ streamId: 3, code: Code.INVALID_ARGUMENT, message: expect.stringMatching(/re-used/) });
    r.sock.write(encodeFrame(7, MessageType.REQUEST, 0, Buffer.from('ffffffff', 'hex')));
    expect(await r.next()).toMatchObject({ streamId: 7, code: Code.INVALID_ARGUMENT, message: expect.stringMatching(/unmarshal request/) });
    // A data frame and an unknown message type are ignored; the next call still works.
    r.sock.write(encodeFrame(9, MessageType.DATA, 0, Buffer.from('x')));
    r.sock.write(encodeFrame(11, 0x7f, 0, Buffer.from('x')));
    r.sock.write(encodeFrame(13, MessageType.REQUEST, 0, request('test.Echo', 'Echo', Buffer.from('b'))));
    expect(await r.next()).toMatchObject({ streamId: 13, code: 0, payload: Buffer.from('b') });
    r.sock.destroy();
  });

  it('answers an oversized frame with ResourceExhausted and keeps the connection', async () => {
    const r = await raw();
    const header = Buffer.alloc(10);
    header.writeUInt32BE(MAX_MESSAGE_LENGTH + 1, 0);
    header.writeUInt32BE(1, 4);
    header.writeUInt8(MessageType.REQUEST, 8);
    r.sock.write(header);
    expect(await r.next()).toMatchObject({ streamId: 1, code: Code.RESOURCE_EXHAUSTED });
    r.sock.write(Buffer.alloc(MAX_MESSAGE_LENGTH + 1));
    r.sock.write(encodeFrame(3, MessageType.REQUEST, 0, request('test.Echo', 'Echo', Buffer.from('after'))));
    expect(await r.next()).toMatchObject({ streamId: 3, code: 0, payload: Buffer.from('after') });
    r.sock.destroy();
  });

  it('survives a peer that hangs up mid-frame or mid-call', async () => {
    const r = await raw();
    r.sock.write(encodeFrame(1, MessageType.REQUEST, 0, request('test.Echo', 'Slow')));
    r.sock.write(Buffer.from('00000010000000', 'hex'));
    r.sock.destroy();
    await new Promise((res) => setTimeout(res, 100));
    const c = await TtrpcClient.connect(path);
    expect((await c.call('test.Echo', 'Echo', Buffer.from('alive'))).toString()).toBe('alive');
    c.close();
  });
});

// ttrpc framing: the header layout, reassembly from arbitrary chunks, and oversized frames.

import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, HEADER_LENGTH, MAX_MESSAGE_LENGTH, MessageType } from '../../../lib/shim/ttrpc/frame.js';

describe('ttrpc frames', () => {
  it('have a 10-byte big-endian header', () => {
    const b = encodeFrame(0x01020305, MessageType.REQUEST, 0, Buffer.from('hi'));
    expect(b.subarray(0, HEADER_LENGTH).toString('hex')).toBe('00000002' + '01020305' + '01' + '00');
    expect(b.subarray(HEADER_LENGTH).toString()).toBe('hi');
  });

  it('reassemble from one byte at a time, and several frames in one chunk', () => {
    const a = encodeFrame(1, 1, 0, Buffer.from('first'));
    const b = encodeFrame(3, 1, 0, Buffer.alloc(0));
    const c = encodeFrame(5, 2, 0, Buffer.from('third'));
    const all = Buffer.concat([a, b, c]);
    const d = new FrameDecoder();
    const got = [];
    for (const byte of all) got.push(...d.push(Buffer.from([byte])));
    expect(got.map((f) => [f.streamId, f.type, f.payload.toString()])).toEqual([
      [1, 1, 'first'],
      [3, 1, ''],
      [5, 2, 'third'],
    ]);
    expect(new FrameDecoder().push(all)).toHaveLength(3);
    expect(d.buffered()).toBe(0);
  });

  it('hold back a partial frame', () => {
    const d = new FrameDecoder();
    const a = encodeFrame(1, 1, 0, Buffer.from('abcdef'));
    expect(d.push(a.subarray(0, 12))).toEqual([]);
    expect(d.buffered()).toBe(12);
    expect(d.push(a.subarray(12))[0]!.payload.toString()).toBe('abcdef');
  });

  it('report an oversized frame by its header, skip its payload, and go on', () => {
    const d = new FrameDecoder(16);
    const header = Buffer.alloc(HEADER_LENGTH);
    header.writeUInt32BE(40, 0);
    header.writeUInt32BE(7, 4);
    header.writeUInt8(1, 8);
    const next = encodeFrame(9, 1, 0, Buffer.from('ok'));
    const frames = [...d.push(header), ...d.push(Buffer.alloc(25)), ...d.push(Buffer.concat([Buffer.alloc(15), next]))];
    expect(frames.map((f) => [f.streamId, f.oversized, f.payload.toString()])).toEqual([
      [7, 40, ''],
      [9, undefined, 'ok'],
    ]);
  });

  it('refuse to encode past the 4 MiB limit', () => {
    expect(() => encodeFrame(1, 1, 0, Buffer.alloc(MAX_MESSAGE_LENGTH + 1))).toThrow(/exceeds the maximum/);
  });
});

// ttrpc framing: a 10-byte big-endian header (payload length, stream id, message type, flags)
// and the payload. A decoder turns a byte stream into frames; it never buffers more than one
// frame's worth, and a frame longer than the limit is skipped byte by byte (its header is still
// reported, so the server can answer that stream with ResourceExhausted, as ttrpc does).

export const HEADER_LENGTH = 10;
/** ttrpc's default and containerd's limit: 4 MiB. */
export const MAX_MESSAGE_LENGTH = 4 << 20;

export const MessageType = { REQUEST: 1, RESPONSE: 2, DATA: 3 } as const;

export interface Frame {
  streamId: number;
  type: number;
  flags: number;
  payload: Buffer;
  /** set when the payload exceeded the limit: its length (the payload itself is empty) */
  oversized?: number;
}

export function encodeFrame(streamId: number, type: number, flags: number, payload: Uint8Array): Buffer {
  if (payload.length > MAX_MESSAGE_LENGTH) throw new RangeError(`ttrpc message of ${payload.length} bytes exceeds the maximum of ${MAX_MESSAGE_LENGTH}`);
  const out = Buffer.allocUnsafe(HEADER_LENGTH + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out.writeUInt32BE(streamId >>> 0, 4);
  out.writeUInt8(type, 8);
  out.writeUInt8(flags, 9);
  out.set(payload, HEADER_LENGTH);
  return out;
}

export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);
  /** bytes of an oversized payload still to throw away */
  private discarding = 0;

  constructor(private readonly maxLength = MAX_MESSAGE_LENGTH) {}

  /** Feed bytes; returns the frames completed by them. */
  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    let data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    for (;;) {
      if (this.discarding > 0) {
        const n = Math.min(this.discarding, data.length);
        this.discarding -= n;
        data = data.subarray(n);
        if (this.discarding > 0) break;
      }
      if (data.length < HEADER_LENGTH) break;
      const length = data.readUInt32BE(0);
      const header = { streamId: data.readUInt32BE(4), type: data.readUInt8(8), flags: data.readUInt8(9) };
      if (length > this.maxLength) {
        frames.push({ ...header, payload: Buffer.alloc(0), oversized: length });
        this.discarding = length;
        data = data.subarray(HEADER_LENGTH);
        continue;
      }
      if (data.length < HEADER_LENGTH + length) break;
      // Copy out: the frame must not pin (or alias) the socket's chunk.
      frames.push({ ...header, payload: Buffer.from(data.subarray(HEADER_LENGTH, HEADER_LENGTH + length)) });
      data = data.subarray(HEADER_LENGTH + length);
    }
    this.pending = data.length ? Buffer.from(data) : Buffer.alloc(0);
    return frames;
  }

  /** Bytes of an incomplete frame held back (for tests and for a clean close check). */
  buffered(): number {
    return this.pending.length;
  }
}

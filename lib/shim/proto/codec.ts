// A small proto3 codec driven by message descriptors written in TypeScript (the `.proto` files
// of the few messages the shim speaks, as data). Why not @bufbuild/protobuf or protobufjs: the
// shim needs ~60 plain messages and no reflection, JSON mapping or descriptors; a generated
// runtime would add ~100 KB to a bundle that every `start` of the shim loads. This file is the
// whole wire format: varints, length-delimited fields, packed repeated scalars, maps, and
// skipping unknown fields. Decoding never trusts a length: every read is checked against the end
// of its buffer and fails with a ProtoError that says what was truncated or malformed.

export class ProtoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtoError';
  }
}

type Scalar = 'string' | 'bytes' | 'bool' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'enum';

export interface FieldDef<T> {
  readonly no: number;
  readonly kind: Scalar | 'message' | 'map';
  readonly repeated: boolean;
  readonly type?: MessageType<unknown>;
  /** phantom: the decoded TypeScript type */
  readonly _t?: T;
}

type Fields = Record<string, FieldDef<unknown>>;
export type Shape<F extends Fields> = { [K in keyof F]: F[K] extends FieldDef<infer V> ? V : never };

/** What encode takes: every field optional, nested messages too (proto3 defaults fill in). */
export type Input<T> = T extends Uint8Array ? T : T extends (infer U)[] ? Input<U>[] : T extends object ? { [K in keyof T]?: Input<T[K]> } : T;

export interface MessageType<T> {
  /** the fully qualified proto name (also the Any type URL containerd uses) */
  readonly name: string;
  readonly fields: Fields;
  encode(value: Input<T>): Buffer;
  decode(bytes: Uint8Array): T;
}

const scalar =
  <T>(kind: Scalar) =>
  (no: number): FieldDef<T> => ({ no, kind, repeated: false });
const repeatedScalar =
  <T>(kind: Scalar) =>
  (no: number): FieldDef<T[]> => ({ no, kind, repeated: true });

/** Field constructors, named as in a .proto file. 64-bit integers decode to numbers. */
export const f = {
  string: scalar<string>('string'),
  bytes: scalar<Uint8Array>('bytes'),
  bool: scalar<boolean>('bool'),
  int32: scalar<number>('int32'),
  uint32: scalar<number>('uint32'),
  int64: scalar<number>('int64'),
  uint64: scalar<number>('uint64'),
  enum: scalar<number>('enum'),
  message: <T>(no: number, type: MessageType<T>): FieldDef<T | undefined> => ({ no, kind: 'message', repeated: false, type: type as MessageType<unknown> }),
  /** map<string, string> */
  map: (no: number): FieldDef<Record<string, string>> => ({ no, kind: 'map', repeated: false }),
  repeated: {
    string: repeatedScalar<string>('string'),
    uint64: repeatedScalar<number>('uint64'),
    uint32: repeatedScalar<number>('uint32'),
    enum: repeatedScalar<number>('enum'),
    message: <T>(no: number, type: MessageType<T>): FieldDef<T[]> => ({ no, kind: 'message', repeated: true, type: type as MessageType<unknown> }),
  },
};

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;
const TWO32 = 2 ** 32;
const utf8 = new TextDecoder();

// ---- writing ----

class Writer {
  private buf = Buffer.allocUnsafe(64);
  private pos = 0;

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** A varint from its two 32-bit halves (unsigned). */
  varint(lo: number, hi: number): void {
    this.room(10);
    while (hi !== 0 || lo > 0x7f) {
      this.buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi = hi >>> 7;
    }
    this.buf[this.pos++] = lo;
  }

  tag(no: number, wire: number): void {
    this.uint(no * 8 + wire);
  }

  uint(n: number): void {
    this.varint(n >>> 0, Math.floor(n / TWO32) >>> 0);
  }

  bytes(b: Uint8Array): void {
    this.uint(b.length);
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/** Split an integer into unsigned 32-bit halves of its 64-bit two's complement. */
function halves(v: number | bigint, kind: Scalar): [number, number] {
  if (typeof v === 'bigint' || v < 0 || !Number.isSafeInteger(v)) {
    let b: bigint;
    if (typeof v === 'bigint') b = v;
    else if (!Number.isFinite(v)) throw new ProtoError(`cannot encode ${v} as ${kind}`);
    else if (v >= 2 ** 64) b = (1n << 64n) - 1n; // 2^64-1 read as a double rounds up: clamp
    else b = BigInt(Math.trunc(v));
    b = BigInt.asUintN(64, b);
    return [Number(b & 0xffffffffn), Number(b >> 32n)];
  }
  return [v >>> 0, Math.floor(v / TWO32) >>> 0];
}

function isDefault(v: unknown): boolean {
  if (v === undefined || v === null || v === 0 || v === 0n || v === false || v === '') return true;
  if (v instanceof Uint8Array) return v.length === 0;
  return false;
}

function writeScalar(w: Writer, kind: Scalar, v: unknown): void {
  switch (kind) {
    case 'string':
      w.bytes(Buffer.from(String(v), 'utf8'));
      break;
    case 'bytes':
      w.bytes(v as Uint8Array);
      break;
    case 'bool':
      w.varint(v ? 1 : 0, 0);
      break;
    default: {
      const [lo, hi] = halves(v as number | bigint, kind);
      // int32 and enums are sign-extended to 64 bits on the wire; uint32 is not.
      w.varint(lo, kind === 'uint32' ? 0 : hi);
    }
  }
}

function wireOf(kind: Scalar): number {
  return kind === 'string' || kind === 'bytes' ? WIRE_LEN : WIRE_VARINT;
}

function encodeFields(fields: Fields, value: Record<string, unknown>, w: Writer): void {
  for (const [key, def] of Object.entries(fields)) {
    const v = value[key];
    if (v === undefined || v === null) continue;
    if (def.kind === 'map') {
      for (const [mk, mv] of Object.entries(v as Record<string, string>)) {
        const entry = new Writer();
        entry.tag(1, WIRE_LEN);
        entry.bytes(Buffer.from(mk, 'utf8'));
        entry.tag(2, WIRE_LEN);
        entry.bytes(Buffer.from(String(mv), 'utf8'));
        w.tag(def.no, WIRE_LEN);
        w.bytes(entry.finish());
      }
    } else if (def.kind === 'message') {
      for (const item of def.repeated ? (v as unknown[]) : [v]) {
        w.tag(def.no, WIRE_LEN);
        w.bytes(def.type!.encode(item as never));
      }
    } else if (def.repeated) {
      const items = v as unknown[];
      if (!items.length) continue;
      if (wireOf(def.kind) === WIRE_VARINT) {
        // proto3 packs repeated scalars
        const packed = new Writer();
        for (const item of items) writeScalar(packed, def.kind, item);
        w.tag(def.no, WIRE_LEN);
        w.bytes(packed.finish());
      } else {
        for (const item of items) {
          w.tag(def.no, WIRE_LEN);
          writeScalar(w, def.kind, item);
        }
      }
    } else {
      if (isDefault(v)) continue;
      w.tag(def.no, wireOf(def.kind));
      writeScalar(w, def.kind, v);
    }
  }
}

// ---- reading ----

class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    readonly what: string,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** A varint as unsigned 32-bit halves. */
  varint(): [number, number] {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtoError(`${this.what}: truncated varint`);
      const b = this.buf[this.pos++]!;
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if (!(b & 0x80)) return [lo >>> 0, hi >>> 0];
    }
    throw new ProtoError(`${this.what}: varint longer than 10 bytes`);
  }

  uint(): number {
    const [lo, hi] = this.varint();
    return hi * TWO32 + lo;
  }

  lengthDelimited(): Uint8Array {
    const n = this.uint();
    if (n > this.end - this.pos) throw new ProtoError(`${this.what}: length ${n} runs past the end of the message (${this.end - this.pos} bytes left)`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  skip(wire: number, no: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.advance(8);
        return;
      case WIRE_LEN:
        this.lengthDelimited();
        return;
      case WIRE_FIXED32:
        this.advance(4);
        return;
      default:
        throw new ProtoError(`${this.what}: field ${no} has unsupported wire type ${wire}`);
    }
  }

  private advance(n: number): void {
    if (n > this.end - this.pos) throw new ProtoError(`${this.what}: truncated fixed-width field`);
    this.pos += n;
  }
}

function readScalar(r: Reader, kind: Scalar): unknown {
  switch (kind) {
    case 'string':
      return utf8.decode(r.lengthDelimited());
    case 'bytes':
      return Buffer.from(r.lengthDelimited());
    case 'bool': {
      const [lo, hi] = r.varint();
      return lo !== 0 || hi !== 0;
    }
    case 'uint32':
      return r.varint()[0];
    case 'int32':
    case 'enum':
      return r.varint()[0] | 0;
    case 'uint64': {
      const [lo, hi] = r.varint();
      return hi * TWO32 + lo;
    }
    case 'int64': {
      const [lo, hi] = r.varint();
      return (hi | 0) * TWO32 + lo;
    }
  }
}

function defaultOf(def: FieldDef<unknown>): unknown {
  if (def.repeated) return [];
  switch (def.kind) {
    case 'map':
      return {};
    case 'message':
      return undefined;
    case 'string':
      return '';
    case 'bytes':
      return Buffer.alloc(0);
    case 'bool':
      return false;
    default:
      return 0;
  }
}

function decodeFields(type: MessageType<unknown>, byNo: Map<number, [string, FieldDef<unknown>]>, bytes: Uint8Array): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, def] of Object.entries(type.fields)) out[key] = defaultOf(def);
  const r = new Reader(bytes, type.name);
  while (!r.done()) {
    const tag = r.uint();
    const no = Math.floor(tag / 8);
    const wire = tag & 7;
    if (no === 0) throw new ProtoError(`${type.name}: field number 0`);
    const known = byNo.get(no);
    if (!known) {
      r.skip(wire, no);
      continue;
    }
    const [key, def] = known;
    const bad = () => new ProtoError(`${type.name}.${key} (field ${no}): wrong wire type ${wire}`);
    if (def.kind === 'map') {
      if (wire !== WIRE_LEN) throw bad();
      const entry = new Reader(r.lengthDelimited(), `${type.name}.${key} entry`);
      let k = '';
      let v = '';
      while (!entry.done()) {
        const t = entry.uint();
        if (t === (1 << 3) + WIRE_LEN) k = utf8.decode(entry.lengthDelimited());
        else if (t === (2 << 3) + WIRE_LEN) v = utf8.decode(entry.lengthDelimited());
        else entry.skip(t & 7, Math.floor(t / 8));
      }
      (out[key] as Record<string, string>)[k] = v;
    } else if (def.kind === 'message') {
      if (wire !== WIRE_LEN) throw bad();
      const value = def.type!.decode(r.lengthDelimited());
      if (def.repeated) (out[key] as unknown[]).push(value);
      else out[key] = value;
    } else if (def.repeated && wire === WIRE_LEN && wireOf(def.kind) === WIRE_VARINT) {
      const packed = new Reader(r.lengthDelimited(), `${type.name}.${key}`);
      while (!packed.done()) (out[key] as unknown[]).push(readScalar(packed, def.kind));
    } else {
      if (wire !== wireOf(def.kind as Scalar)) throw bad();
      const value = readScalar(r, def.kind as Scalar);
      if (def.repeated) (out[key] as unknown[]).push(value);
      else out[key] = value;
    }
  }
  return out;
}

/** Declare a message: `message('containerd.types.Mount', { type: f.string(1), ... })`. */
export function message<F extends Fields>(name: string, fields: F): MessageType<Shape<F>> {
  const byNo = new Map<number, [string, FieldDef<unknown>]>();
  for (const [key, def] of Object.entries(fields)) {
    if (byNo.has(def.no)) throw new Error(`${name}: field number ${def.no} used twice`);
    byNo.set(def.no, [key, def]);
  }
  const type: MessageType<Shape<F>> = {
    name,
    fields,
    encode(value) {
      const w = new Writer();
      encodeFields(fields, value as Record<string, unknown>, w);
      return w.finish();
    },
    decode(bytes) {
      return decodeFields(type as MessageType<unknown>, byNo, bytes) as Shape<F>;
    },
  };
  return type;
}

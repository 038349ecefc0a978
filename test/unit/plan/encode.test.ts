import { describe, expect, it } from 'vitest';
import { defaultSpec } from '../../../lib/default-spec.js';
import { buildPlan } from '../../../lib/plan/build.js';
import { encodePlan } from '../../../lib/plan/encode.js';
import type { Field, Plan, PlanOp } from '../../../lib/plan/encode.js';
import { OP_HEADER_LEN, Op, PLAN_HEADER_LEN, PLAN_MAGIC, PLAN_MAX_LEN, PLAN_VERSION, TAG_BYTES, TAG_STR, TAG_U64 } from '../../../lib/plan/opcodes.js';
import type { OpCode } from '../../../lib/plan/opcodes.js';
import { makeCtx } from './fixtures.js';

const op = (code: OpCode, label: string, ...fields: Field[]): PlanOp => ({ code, label, fields });

interface Decoded {
  magic: number;
  version: number;
  reserved: number;
  total: number;
  ops: { code: number; reserved: number; len: number; fields: (bigint | string | Buffer)[] }[];
}

/**
 * An independent reader of the wire format, strict the way native/child.c is: every length is
 * checked against its record and every record against the buffer.
 */
function decode(buf: Buffer): Decoded {
  expect(buf.length).toBeGreaterThanOrEqual(PLAN_HEADER_LEN);
  const d: Decoded = {
    magic: buf.readUInt32LE(0),
    version: buf.readUInt16LE(4),
    reserved: buf.readUInt16LE(6),
    total: buf.readUInt32LE(8),
    ops: [],
  };
  const count = buf.readUInt32LE(12);
  let p = PLAN_HEADER_LEN;
  for (let i = 0; i < count; i++) {
    const code = buf.readUInt16LE(p);
    const reserved = buf.readUInt16LE(p + 2);
    const len = buf.readUInt32LE(p + 4);
    const end = p + len;
    expect(end).toBeLessThanOrEqual(buf.length);
    let q = p + OP_HEADER_LEN;
    const fields: (bigint | string | Buffer)[] = [];
    while (q < end) {
      const tag = buf[q]!;
      if (tag === TAG_U64) {
        fields.push(buf.readBigUInt64LE(q + 1));
        q += 9;
      } else if (tag === TAG_STR) {
        const n = buf.readUInt32LE(q + 1);
        const s = buf.subarray(q + 5, q + 5 + n);
        expect(s.includes(0)).toBe(false);
        expect(buf[q + 5 + n]).toBe(0); // the NUL after the string
        fields.push(s.toString('utf8'));
        q += 5 + n + 1;
      } else if (tag === TAG_BYTES) {
        const n = buf.readUInt32LE(q + 1);
        fields.push(Buffer.from(buf.subarray(q + 5, q + 5 + n)));
        q += 5 + n;
      } else {
        throw new Error(`bad tag ${tag} at ${q}`);
      }
    }
    expect(q).toBe(end);
    d.ops.push({ code, reserved, len, fields });
    p = end;
  }
  expect(p).toBe(buf.length);
  return d;
}

describe('encodePlan: byte layout', () => {
  it('an empty plan is just the 16-byte header', () => {
    const buf = encodePlan({ ops: [] });
    expect([...buf]).toEqual([
      0x43, 0x53, 0x50, 0x4c, // magic 0x4c505343 little-endian: "CSPL"
      0x02, 0x00, // version 2
      0x00, 0x00, // reserved
      0x10, 0x00, 0x00, 0x00, // total length 16
      0x00, 0x00, 0x00, 0x00, // 0 ops
    ]);
    expect(buf.subarray(0, 4).toString('latin1')).toBe('CSPL');
    expect(PLAN_MAGIC).toBe(0x4c505343);
    expect(PLAN_VERSION).toBe(2);
  });

  it('one op, byte by byte; its label stays in the parent', () => {
    const buf = encodePlan({ ops: [op(Op.UMASK, 'ab', 0x12, 'xy')] });
    // prettier-ignore
    expect([...buf]).toEqual([
      // header
      0x43, 0x53, 0x50, 0x4c, 0x02, 0x00, 0x00, 0x00,
      41, 0, 0, 0, // total = 16 + 25
      1, 0, 0, 0, // 1 op
      // op header: code (u16), reserved (u16), len (u32, the whole record)
      29, 0, 0, 0, 25, 0, 0, 0,
      // TAG_U64, 8 bytes little-endian
      1, 0x12, 0, 0, 0, 0, 0, 0, 0,
      // TAG_STR, n = 2 (the NUL not counted), bytes, NUL
      2, 2, 0, 0, 0, 0x78, 0x79, 0,
    ]);
  });

  it('u64 fields are little-endian, from numbers and bigints', () => {
    const buf = encodePlan({ ops: [op(Op.CAPS, 'l', 0x0102030405060708n, 0, Number.MAX_SAFE_INTEGER, (1n << 64n) - 1n)] });
    const f = decode(buf).ops[0]!.fields;
    expect(f).toEqual([0x0102030405060708n, 0n, 9007199254740991n, 18446744073709551615n]);
    const first = PLAN_HEADER_LEN + OP_HEADER_LEN;
    expect(buf[first]).toBe(TAG_U64);
    expect([...buf.subarray(first + 1, first + 9)]).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it('string lengths count UTF-8 bytes', () => {
    const buf = encodePlan({ ops: [op(Op.SETHOSTNAME, 'é', 'hôst✓', 'ascii then ü')] });
    const at = PLAN_HEADER_LEN + OP_HEADER_LEN;
    expect(buf.readUInt32LE(at + 1)).toBe(Buffer.byteLength('hôst✓'));
    expect(decode(buf).ops[0]!.fields).toEqual(['hôst✓', 'ascii then ü']);
  });

  it('an empty string is a length 0 and the NUL', () => {
    const buf = encodePlan({ ops: [op(Op.SYMLINK, 'l', '', '')] });
    expect([...buf.subarray(PLAN_HEADER_LEN + OP_HEADER_LEN)]).toEqual([2, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0]);
  });

  it('op codes and records are laid out in order, and the totals add up', () => {
    const plan: Plan = {
      ops: [op(Op.CLOSE_FDS, 'close', 3, 1, 9), op(Op.FORK_INIT, 'fork'), op(Op.MASK, 'mask /proc/kcore', '/proc/kcore')],
    };
    const buf = encodePlan(plan);
    const d = decode(buf);
    expect(d).toMatchObject({ magic: PLAN_MAGIC, version: PLAN_VERSION, reserved: 0, total: buf.length });
    expect(d.ops).toEqual([
      { code: Op.CLOSE_FDS, reserved: 0, len: 8 + 27, fields: [3n, 1n, 9n] },
      { code: Op.FORK_INIT, reserved: 0, len: 8, fields: [] },
      { code: Op.MASK, reserved: 0, len: 8 + 17, fields: ['/proc/kcore'] },
    ]);
    expect(d.total).toBe(PLAN_HEADER_LEN + d.ops.reduce((s, o) => s + o.len, 0));
  });

  it('a whole built plan round-trips through the decoder', () => {
    const plan = buildPlan(defaultSpec(), makeCtx());
    const d = decode(encodePlan(plan));
    expect(d.ops).toHaveLength(plan.ops.length);
    d.ops.forEach((o, i) => {
      const src = plan.ops[i]!;
      expect(o.code).toBe(src.code);
      expect(o.fields).toEqual(src.fields.map((f) => (typeof f === 'string' || Buffer.isBuffer(f) ? f : BigInt(f))));
    });
  });
});

describe('encodePlan: bytes fields', () => {
  it('are length-prefixed, unterminated, and may hold NULs', () => {
    const bytes = Buffer.from([0, 1, 0, 255]);
    const d = decode(encodePlan({ ops: [{ code: Op.SECCOMP, label: 's', fields: [0, bytes, 7] }] }));
    expect(d.ops[0]!.fields).toEqual([0n, bytes, 7n]);
  });
});

describe('encodePlan: rejects what the child would misread', () => {
  it.each([
    ['in a field', op(Op.MASK, 'mask', '/x\0/y')],
    ['after non-ASCII', op(Op.MASK, 'mask', '/ü\0/y')],
  ])('a NUL %s', (_, o) => {
    expect(() => encodePlan({ ops: [o] })).toThrow(TypeError);
    expect(() => encodePlan({ ops: [o] })).toThrow(/^mask: string contains a NUL byte$/);
  });

  it('a label is never sent, so it may hold anything', () => {
    expect(encodePlan({ ops: [op(Op.MASK, 'mask \0/x', '/x')] })).toEqual(encodePlan({ ops: [op(Op.MASK, '', '/x')] }));
  });

  it.each([
    ['-1', -1],
    ['-1n', -1n],
    ['2^64n', 1n << 64n],
    ['2 ** 64 (a rounded number)', 2 ** 64],
    ['1e30', 1e30],
  ] as [string, number | bigint][])('%s: does not fit in 64 bits', (_, v) => {
    expect(() => encodePlan({ ops: [op(Op.UMASK, 'set umask', v)] })).toThrow(RangeError);
    expect(() => encodePlan({ ops: [op(Op.UMASK, 'set umask', v)] })).toThrow(/^set umask: .* does not fit in 64 bits$/);
  });

  it.each([
    ['1.5', 1.5],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-0.5', -0.5],
  ])('%s: not an integer, refused', (_, v) => {
    expect(() => encodePlan({ ops: [op(Op.UMASK, 'set umask', v)] })).toThrow();
  });

  it.each([
    ['1.5', 1.5],
    ['NaN', NaN],
  ])('%s: the error is a TypeError naming the op', (_, v) => {
    expect(() => encodePlan({ ops: [op(Op.UMASK, 'set umask', v)] })).toThrow(TypeError);
    expect(() => encodePlan({ ops: [op(Op.UMASK, 'set umask', v)] })).toThrow(new TypeError(`set umask: ${v} is not an integer`));
  });

  it('-0 is 0', () => {
    expect(decode(encodePlan({ ops: [op(Op.UMASK, 'l', -0)] })).ops[0]!.fields).toEqual([0n]);
  });

  describe('total length', () => {
    // header + op header + one string field (5 + n + 1)
    const stringFor = (total: number) => 'a'.repeat(total - PLAN_HEADER_LEN - OP_HEADER_LEN - 6);

    it('a plan of exactly PLAN_MAX_LEN bytes is accepted', () => {
      const buf = encodePlan({ ops: [op(Op.MASK, 'm', stringFor(PLAN_MAX_LEN))] });
      expect(buf.length).toBe(PLAN_MAX_LEN);
      expect(buf.readUInt32LE(8)).toBe(PLAN_MAX_LEN);
    });

    it('one byte more is refused', () => {
      expect(() => encodePlan({ ops: [op(Op.MASK, 'm', stringFor(PLAN_MAX_LEN + 1))] })).toThrow(
        new RangeError(`plan is ${PLAN_MAX_LEN + 1} bytes, more than ${PLAN_MAX_LEN}`),
      );
    });
  });

  it('more than 65536 ops (CS_PLAN_MAX_OPS) is refused', () => {
    const ops = Array.from({ length: 65537 }, () => op(Op.MASK, 'm', '/x'));
    expect(() => encodePlan({ ops })).toThrow(RangeError);
  });

  it('65536 ops are fine', () => {
    const ops = Array.from({ length: 65536 }, () => op(Op.FORK_INIT, 'm'));
    expect(encodePlan({ ops }).readUInt32LE(12)).toBe(65536);
  });
});

// Serialise a plan (a list of typed operations) into the flat buffer native/plan.h describes.
// Each op starts with a label; when the child reports a failure by op index, the parent prints
// the label ("mount proc on /proc"), so every error says where it happened.

import { OP_HEADER_LEN, PLAN_HEADER_LEN, PLAN_MAGIC, PLAN_MAX_LEN, PLAN_MAX_OPS, PLAN_VERSION, TAG_BYTES, TAG_STR, TAG_U64 } from './opcodes.js';
import type { OpCode } from './opcodes.js';

/** A field of an op: an unsigned 64-bit integer, a string (no NUL inside), or raw bytes. */
export type Field = number | bigint | string | Buffer;

export interface PlanOp {
  code: OpCode;
  label: string;
  fields: Field[];
}

/** What TypeScript decided, in order. Plain data: easy to inspect, print and test. */
export interface Plan {
  ops: PlanOp[];
}

const U64_MAX = (1n << 64n) - 1n;

function u64(v: number | bigint, where: string): bigint {
  if (typeof v === 'number' && !Number.isInteger(v)) throw new TypeError(`${where}: ${v} is not an integer`);
  const b = typeof v === 'bigint' ? v : BigInt(v);
  if (b < 0n || b > U64_MAX) throw new RangeError(`${where}: ${v} does not fit in 64 bits`);
  return b;
}

/** The most bytes a field can take: tag, length or value, the data (a string's NUL too). */
function fieldBound(f: Field, label: string): number {
  if (typeof f === 'string') {
    if (f.includes('\0')) throw new TypeError(`${label}: string contains a NUL byte`);
    return 5 + 3 * f.length + 1; // UTF-8 takes at most 3 bytes per UTF-16 unit
  }
  if (Buffer.isBuffer(f)) return 5 + f.length;
  return 9;
}

// One pass into one buffer sized for the worst case (every check made on the way), each op's
// length written once its fields are. A create encodes a plan of a hundred-odd ops, and a buffer
// per field cost more than the rest of the planning.
export function encodePlan(plan: Plan): Buffer {
  if (plan.ops.length > PLAN_MAX_OPS) throw new RangeError(`plan has ${plan.ops.length} operations, more than ${PLAN_MAX_OPS}`);
  let bound = PLAN_HEADER_LEN;
  for (const op of plan.ops) {
    bound += OP_HEADER_LEN + fieldBound(op.label, op.label);
    for (const f of op.fields) bound += fieldBound(f, op.label);
  }
  if (bound > 3 * PLAN_MAX_LEN) throw new RangeError(`plan is more than ${PLAN_MAX_LEN} bytes`);
  const out = Buffer.alloc(bound);
  let off = PLAN_HEADER_LEN;
  const put = (f: Field, label: string) => {
    if (typeof f === 'string') {
      out[off] = TAG_STR;
      const n = out.write(f, off + 5, 'utf8');
      out.writeUInt32LE(n, off + 1);
      off += 5 + n + 1; // the NUL is already there (alloc zeroes)
    } else if (typeof f === 'number' && Number.isSafeInteger(f) && f >= 0) {
      // Most fields: no BigInt needed for a safe integer, written as its two 32-bit halves.
      out[off] = TAG_U64;
      out.writeUInt32LE(f % 0x1_0000_0000, off + 1);
      out.writeUInt32LE(Math.floor(f / 0x1_0000_0000), off + 5);
      off += 9;
    } else if (Buffer.isBuffer(f)) {
      out[off] = TAG_BYTES;
      out.writeUInt32LE(f.length, off + 1);
      f.copy(out, off + 5);
      off += 5 + f.length;
    } else {
      out[off] = TAG_U64;
      out.writeBigUInt64LE(u64(f, label), off + 1);
      off += 9;
    }
  };
  for (const op of plan.ops) {
    const at = off;
    out.writeUInt16LE(op.code, at);
    off += OP_HEADER_LEN;
    put(op.label, op.label);
    for (const f of op.fields) put(f, op.label);
    out.writeUInt32LE(off - at, at + 4);
  }
  if (off > PLAN_MAX_LEN) throw new RangeError(`plan is ${off} bytes, more than ${PLAN_MAX_LEN}`);
  out.writeUInt32LE(PLAN_MAGIC, 0);
  out.writeUInt16LE(PLAN_VERSION, 4);
  out.writeUInt32LE(off, 8);
  out.writeUInt32LE(plan.ops.length, 12);
  return out.subarray(0, off);
}


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

/** Bytes a field takes: tag, length or value, the data (and a string's NUL). */
function fieldSize(f: Field, label: string): number {
  if (Buffer.isBuffer(f)) return 5 + f.length;
  if (typeof f === 'string') {
    if (f.includes('\0')) throw new TypeError(`${label}: string contains a NUL byte`);
    return 5 + Buffer.byteLength(f, 'utf8') + 1;
  }
  return 9;
}

// Two passes, one buffer: sizes first (with every check), then the bytes. A create encodes a
// plan of a hundred-odd ops, and a buffer per field cost more than the rest of the planning.
export function encodePlan(plan: Plan): Buffer {
  if (plan.ops.length > PLAN_MAX_OPS) throw new RangeError(`plan has ${plan.ops.length} operations, more than ${PLAN_MAX_OPS}`);
  const opLens: number[] = [];
  let total = PLAN_HEADER_LEN;
  for (const op of plan.ops) {
    let len = OP_HEADER_LEN + fieldSize(op.label, op.label);
    for (const f of op.fields) len += fieldSize(f, op.label);
    opLens.push(len);
    total += len;
  }
  if (total > PLAN_MAX_LEN) throw new RangeError(`plan is ${total} bytes, more than ${PLAN_MAX_LEN}`);
  const out = Buffer.alloc(total);
  out.writeUInt32LE(PLAN_MAGIC, 0);
  out.writeUInt16LE(PLAN_VERSION, 4);
  out.writeUInt32LE(total, 8);
  out.writeUInt32LE(plan.ops.length, 12);
  let off = PLAN_HEADER_LEN;
  plan.ops.forEach((op, i) => {
    out.writeUInt16LE(op.code, off);
    out.writeUInt32LE(opLens[i]!, off + 4);
    off += OP_HEADER_LEN;
    for (const f of [op.label, ...op.fields]) {
      if (Buffer.isBuffer(f)) {
        out[off] = TAG_BYTES;
        out.writeUInt32LE(f.length, off + 1);
        f.copy(out, off + 5);
        off += 5 + f.length;
      } else if (typeof f === 'string') {
        out[off] = TAG_STR;
        const n = out.write(f, off + 5, 'utf8');
        out.writeUInt32LE(n, off + 1);
        off += 5 + n + 1; // the NUL is already there (alloc zeroes)
      } else {
        out[off] = TAG_U64;
        out.writeBigUInt64LE(u64(f, op.label), off + 1);
        off += 9;
      }
    }
  });
  return out;
}

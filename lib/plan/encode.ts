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

export function encodePlan(plan: Plan): Buffer {
  if (plan.ops.length > PLAN_MAX_OPS) throw new RangeError(`plan has ${plan.ops.length} operations, more than ${PLAN_MAX_OPS}`);
  const chunks: Buffer[] = [];
  let total = PLAN_HEADER_LEN;
  for (const op of plan.ops) {
    const parts: Buffer[] = [];
    let len = OP_HEADER_LEN;
    for (const f of [op.label, ...op.fields]) {
      let b: Buffer;
      if (Buffer.isBuffer(f)) {
        b = Buffer.alloc(5 + f.length);
        b[0] = TAG_BYTES;
        b.writeUInt32LE(f.length, 1);
        f.copy(b, 5);
      } else if (typeof f === 'string') {
        const s = Buffer.from(f, 'utf8');
        if (s.includes(0)) throw new TypeError(`${op.label}: string contains a NUL byte`);
        b = Buffer.alloc(5 + s.length + 1);
        b[0] = TAG_STR;
        b.writeUInt32LE(s.length, 1);
        s.copy(b, 5);
      } else {
        b = Buffer.alloc(9);
        b[0] = TAG_U64;
        b.writeBigUInt64LE(u64(f, op.label), 1);
      }
      parts.push(b);
      len += b.length;
    }
    const head = Buffer.alloc(OP_HEADER_LEN);
    head.writeUInt16LE(op.code, 0);
    head.writeUInt32LE(len, 4);
    chunks.push(head, ...parts);
    total += len;
  }
  if (total > PLAN_MAX_LEN) throw new RangeError(`plan is ${total} bytes, more than ${PLAN_MAX_LEN}`);
  const header = Buffer.alloc(PLAN_HEADER_LEN);
  header.writeUInt32LE(PLAN_MAGIC, 0);
  header.writeUInt16LE(PLAN_VERSION, 4);
  header.writeUInt32LE(total, 8);
  header.writeUInt32LE(plan.ops.length, 12);
  return Buffer.concat([header, ...chunks], total);
}

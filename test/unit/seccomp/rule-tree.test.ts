// lib/seccomp/rule-tree.ts: how rules for one syscall merge. The differential test pins the
// results to libseccomp's; these tests state, without libseccomp, what that means: for rules
// that only test equality (with or without a mask), merging is exactly the OR of the rules; with
// ranges and NE, libseccomp's merge can accept inputs no rule accepts, and so does ours.

import { describe, expect, it } from 'vitest';
import { ArchRules, RuleConflict, evaluate } from '../../../lib/seccomp/rule-tree.js';
import type { ArgCompare, CompareOp, Rule } from '../../../lib/seccomp/rule-tree.js';
import { compileSeccomp } from '../../../lib/seccomp/index.js';
import { EDGE_VALUES, Rng, adversarialProfile } from '../../helpers/seccomp/adversarial.js';

const ALL = (1n << 64n) - 1n;
const ALLOW = 1;
const DEFAULT = 0;
const cmp = (op: CompareOp, datum: bigint, mask = ALL): ArgCompare => ({ op, mask, datum });

function holds(c: ArgCompare, v: bigint, bits: 32 | 64): boolean {
  const w = (x: bigint) => (bits === 32 ? x & 0xffffffffn : x);
  const [a, d, m] = [w(v), w(c.datum), w(c.mask)];
  switch (c.op) {
    case 'SCMP_CMP_NE':
      return a !== d;
    case 'SCMP_CMP_LT':
      return a < d;
    case 'SCMP_CMP_LE':
      return a <= d;
    case 'SCMP_CMP_EQ':
      return a === d;
    case 'SCMP_CMP_GE':
      return a >= d;
    case 'SCMP_CMP_GT':
      return a > d;
    case 'SCMP_CMP_MASKED_EQ':
      return (a & m) === (d & m);
  }
}

describe('merging rules for one syscall', () => {
  it.each([64, 32] as const)('equality tests (EQ, MASKED_EQ) with one action merge into exactly their OR (%i-bit words)', (bits) => {
    const values = [...EDGE_VALUES, 3n, 5n, 0x30n];
    for (let seed = 0; seed < 400; seed++) {
      const r = new Rng(seed);
      const rules: Rule[] = Array.from({ length: 1 + r.int(6) }, () => ({
        action: ALLOW,
        args: [0, 1, 2].map(() => (r.chance(0.5) ? (r.chance(0.5) ? cmp('SCMP_CMP_EQ', r.pick(values)) : cmp('SCMP_CMP_MASKED_EQ', r.pick(values), r.pick(values))) : undefined)),
      }));
      const db = new ArchRules(bits);
      for (const rule of rules) db.add(0, rule);
      const entry = db.entries.get(0)!;
      for (let t = 0; t < 200; t++) {
        const args = [r.pick(values), r.pick(values), r.pick(values)];
        const want = rules.some((rule) => rule.args.every((c, k) => !c || holds(c, args[k]!, bits))) ? ALLOW : DEFAULT;
        expect(evaluate(entry, args, DEFAULT), `seed ${seed}`).toBe(want);
      }
    }
  });

  it('with range tests libseccomp can accept what no rule accepts; we keep its result', () => {
    // Rule 2's argument-1 test ends up under rule 1's "a0 > 2" node instead of "a0 > 3":
    // libseccomp 2.5.4 then allows read(3, 0xffffffffffffffff), which neither rule allows.
    const db = new ArchRules(64);
    db.add(0, { action: ALLOW, args: [cmp('SCMP_CMP_GT', 2n), cmp('SCMP_CMP_EQ', 0n)] });
    db.add(0, { action: ALLOW, args: [cmp('SCMP_CMP_GT', 3n), cmp('SCMP_CMP_MASKED_EQ', 0xffffffffn, 0x7fffffffn)] });
    db.add(0, { action: ALLOW, args: [cmp('SCMP_CMP_GT', 3n)] });
    const e = db.entries.get(0)!;
    expect(evaluate(e, [3n, ALL], DEFAULT)).toBe(ALLOW);
    expect(evaluate(e, [3n, 0n], DEFAULT)).toBe(ALLOW);
    expect(evaluate(e, [2n, ALL], DEFAULT)).toBe(DEFAULT);
    expect(evaluate(e, [4n, 7n], DEFAULT)).toBe(ALLOW);
  });

  it('the same test leading to two different actions is a conflict', () => {
    const db = new ArchRules(64);
    db.add(0, { action: ALLOW, args: [cmp('SCMP_CMP_EQ', 1n)] });
    expect(() => db.add(0, { action: 2, args: [cmp('SCMP_CMP_EQ', 1n)] })).toThrow(RuleConflict);
  });

  it('a shorter rule with the same action absorbs a longer one', () => {
    const db = new ArchRules(64);
    db.add(0, { action: ALLOW, args: [cmp('SCMP_CMP_EQ', 1n), cmp('SCMP_CMP_EQ', 2n)] });
    db.add(0, { action: ALLOW, args: [cmp('SCMP_CMP_EQ', 1n)] });
    const e = db.entries.get(0)!;
    expect(evaluate(e, [1n, 7n], DEFAULT)).toBe(ALLOW);
    expect(evaluate(e, [2n, 2n], DEFAULT)).toBe(DEFAULT);
  });

  it('stops a merge that loops (libseccomp 2.5.4 never returns on this profile) with an error naming the entry', () => {
    expect(() => compileSeccomp(adversarialProfile(2023), { nativeArch: 'SCMP_ARCH_X86_64' })).toThrow(/syscalls\[13\]: makes the rules for read on SCMP_ARCH_X86_64 loop/);
  });
});

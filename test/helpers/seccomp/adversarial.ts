// Seeded random profiles that go where the merge rules are subtle, and the inputs to try them
// on: few syscall names (so entries collide), every operator, 64-bit operands with the high
// word set, masks, one argument tested twice, conflicting and default-equal actions, notify,
// trace, errno values, several architectures. Deterministic per seed, so a failure names a seed
// that reproduces it.

import type { LinuxSeccomp, LinuxSeccompArg, LinuxSyscall, SeccompAction, SeccompArch, SeccompOperator } from '../../../spec/types.js';
import { SECCOMP_OPERATORS } from '../../../spec/types.js';

/** xorshift128+, good enough and reproducible. */
export class Rng {
  private a: bigint;
  private b: bigint;
  constructor(seed: number) {
    this.a = BigInt(seed) * 0x9e3779b97f4a7c15n + 0x1234567n;
    this.b = BigInt(seed) ^ 0xdeadbeefcafebaben;
    for (let i = 0; i < 8; i++) this.u64();
  }
  u64(): bigint {
    const M = (1n << 64n) - 1n;
    let x = this.a;
    const y = this.b;
    this.a = y;
    x ^= (x << 23n) & M;
    x ^= x >> 17n;
    x ^= y ^ (y >> 26n);
    this.b = x;
    return (x + y) & M;
  }
  int(n: number): number {
    return Number(this.u64() % BigInt(n));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.int(1_000_000) < p * 1_000_000;
  }
}

const TWO32 = 1n << 32n;
const U64_MAX = (1n << 64n) - 1n;
/** Operands the tests lean on: word boundaries, the top bit, all ones. */
export const EDGE_VALUES: readonly bigint[] = [0n, 1n, 2n, 7n, 0xffn, 0x7fffffffn, 0x80000000n, TWO32 - 1n, TWO32, TWO32 + 1n, 3n * TWO32 + 5n, 1n << 63n, (1n << 63n) + 1n, U64_MAX - 1n, U64_MAX];

// Names that collide across entries; some exist only on some architectures, some go through
// i386's socketcall/ipc, one exists nowhere.
const NAMES = ['read', 'write', 'openat', 'close', 'personality', 'socket', 'connect', 'accept', 'send', 'semget', 'semop', 'shmat', 'socketcall', 'ipc', 'clone', 'mmap', '_llseek', 'arch_prctl', 'futex_waitv', 'futex_wake', 'map_shadow_stack', 'set_tls', 'sysmips', 'nosuchcall'];
const ARCHES: SeccompArch[] = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'];

function value(r: Rng, near: bigint[]): bigint {
  const k = r.int(10);
  if (k < 4) return r.pick(EDGE_VALUES);
  if (k < 7 && near.length) {
    const v = r.pick(near) + BigInt(r.int(3) - 1) + (r.chance(0.3) ? TWO32 * BigInt(r.int(3) - 1) : 0n);
    return v < 0n ? 0n : v > U64_MAX ? U64_MAX : v;
  }
  if (k < 9) return BigInt(r.int(8));
  return r.u64();
}

type Act = { action: SeccompAction; errnoRet?: number };

function action(r: Rng, def: Act): Act {
  const k = r.int(12);
  if (k === 0) return def; // equal to the default: dropped
  if (k < 5) return { action: 'SCMP_ACT_ALLOW' };
  if (k < 8) return { action: 'SCMP_ACT_ERRNO', errnoRet: r.pick([1, 13, 22, 38, 4094]) };
  return r.pick<Act>([{ action: 'SCMP_ACT_ERRNO' }, { action: 'SCMP_ACT_TRACE', errnoRet: r.int(70000) }, { action: 'SCMP_ACT_TRACE' }, { action: 'SCMP_ACT_NOTIFY' }, { action: 'SCMP_ACT_LOG' }, { action: 'SCMP_ACT_TRAP' }, { action: 'SCMP_ACT_KILL_PROCESS' }, { action: 'SCMP_ACT_KILL' }]);
}

export function adversarialProfile(seed: number): LinuxSeccomp {
  const r = new Rng(seed);
  const def = r.pick<Act>([
    { action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
    { action: 'SCMP_ACT_ERRNO' },
    { action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
    { action: 'SCMP_ACT_KILL' },
    { action: 'SCMP_ACT_KILL_PROCESS' },
    { action: 'SCMP_ACT_TRAP' },
    { action: 'SCMP_ACT_ALLOW' },
    { action: 'SCMP_ACT_LOG' },
    { action: 'SCMP_ACT_TRACE', errnoRet: 5 },
  ]);
  const architectures = ARCHES.filter(() => r.chance(0.5));
  // Big-endian: refused by libseccomp next to x86_64, and by us.
  if (r.chance(0.05)) architectures.push('SCMP_ARCH_MIPS');
  const names = r.chance(0.5) ? NAMES.slice(0, 6 + r.int(NAMES.length - 6)) : [r.pick(NAMES), r.pick(NAMES), r.pick(NAMES)];
  const near: bigint[] = [];
  const syscalls: LinuxSyscall[] = [];
  const count = 1 + r.int(14);
  for (let i = 0; i < count; i++) {
    const a = action(r, def);
    const entry: LinuxSyscall = { names: [...new Set(Array.from({ length: 1 + r.int(3) }, () => r.pick(names)))], action: a.action };
    if (a.errnoRet !== undefined) entry.errnoRet = a.errnoRet;
    const nargs = r.chance(0.2) ? 0 : 1 + r.int(3);
    const args: LinuxSeccompArg[] = [];
    const indexes = r.chance(0.5) ? [0, 1] : [0, 1, 2, 3, 4, 5];
    for (let k = 0; k < nargs; k++) {
      const op = r.pick<SeccompOperator>(SECCOMP_OPERATORS);
      const v = value(r, near);
      near.push(v);
      const arg = { index: r.pick(indexes), value: v as unknown as number, op } as LinuxSeccompArg;
      if (op === 'SCMP_CMP_MASKED_EQ') {
        const datum = r.chance(0.7) ? v & value(r, near) : value(r, near);
        arg.valueTwo = datum as unknown as number;
        near.push(datum);
      }
      args.push(arg);
    }
    if (args.length) entry.args = args;
    syscalls.push(entry);
  }
  return {
    defaultAction: def.action,
    ...(def.errnoRet !== undefined ? { defaultErrnoRet: def.errnoRet } : {}),
    ...(architectures.length ? { architectures } : {}),
    syscalls,
  };
}

/** Argument vectors for a profile: edges, the operands it compares with and their neighbours, random values. */
export function argumentVectors(p: LinuxSeccomp, r: Rng, count: number): bigint[][] {
  const near = new Set<bigint>(EDGE_VALUES);
  for (const s of p.syscalls ?? []) {
    for (const a of s.args ?? []) {
      for (const v of [BigInt(a.value as unknown as bigint), BigInt((a.valueTwo ?? 0) as unknown as bigint)]) {
        for (const d of [-1n, 0n, 1n, TWO32, -TWO32]) {
          const x = v + d;
          if (x >= 0n && x <= U64_MAX) near.add(x);
        }
        near.add(v & (TWO32 - 1n));
        near.add(v >> 32n);
        near.add((v & (TWO32 - 1n)) << 32n);
        near.add(v ^ (1n << 63n));
      }
    }
  }
  const pool = [...near];
  const out: bigint[][] = [[0n, 0n, 0n, 0n, 0n, 0n]];
  for (let i = 0; i < count; i++) {
    out.push(Array.from({ length: 6 }, () => (r.chance(0.85) ? r.pick(pool) : r.u64())));
  }
  return out;
}

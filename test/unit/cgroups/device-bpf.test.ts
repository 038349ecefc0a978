// lib/cgroups/device-bpf.ts: device rules → a BPF_PROG_TYPE_CGROUP_DEVICE program for cgroup v2.
// The semantics are checked with the module's own interpreter (runDeviceFilter): hand-written
// scenarios, the always-allowed devices, and a seeded property test against a reference written
// here. The bytes are checked against struct bpf_insn, and the programs are walked the way the
// kernel verifier's CFG check walks them (jump targets, fall-through, R0 and registers set
// before use, unreachable instructions).

import { describe, expect, it } from 'vitest';
import { compileDeviceFilter, deviceFilterInsns, runDeviceFilter } from '../../../lib/cgroups/device-bpf.js';
import type { DeviceRule } from '../../../lib/cgroups/devices.js';
import { deviceRules } from '../../../lib/cgroups/devices.js';
import type { LinuxDeviceCgroup } from '../../../spec/types.js';

type Insn = ReturnType<typeof deviceFilterInsns>[number];
type DevType = 'b' | 'c';

const allow = (type: DeviceRule['type'], major: number, minor: number, access: string): DeviceRule => ({ allow: true, type, major, minor, access });
const deny = (type: DeviceRule['type'], major: number, minor: number, access: string): DeviceRule => ({ allow: false, type, major, minor, access });
const DENY_ALL = deny('a', -1, -1, 'rwm');
const ALLOW_ALL = allow('a', -1, -1, 'rwm');

/** Every non-empty access request, written as the kernel reports it (any order is the same). */
const ACCESSES = ['r', 'w', 'm', 'rw', 'rm', 'wm', 'rwm'] as const;

const run = (rules: DeviceRule[], type: DevType, access: string, major: number, minor: number) => runDeviceFilter(deviceFilterInsns(rules), type, access, major, minor);

/**
 * The semantics, written plainly: the last matching rule decides; an allow rule matches when it
 * grants every requested access, a deny rule when it names any of them; no match → allow.
 */
function reference(rules: DeviceRule[], type: DevType, access: string, major: number, minor: number): number {
  const requested = [...new Set(access)];
  for (let i = rules.length - 1; i >= 0; i--) {
    const r = rules[i]!;
    if (r.type !== 'a' && r.type !== type) continue;
    if (r.major !== -1 && r.major !== major) continue;
    if (r.minor !== -1 && r.minor !== minor) continue;
    const hit = r.allow ? requested.every((a) => r.access.includes(a)) : requested.some((a) => r.access.includes(a));
    if (hit) return r.allow ? 1 : 0;
  }
  return 1;
}

// A request [type, access, major, minor] and the verdict expected for it.
type Case = [type: DevType, access: string, major: number, minor: number, verdict: 0 | 1];

describe('runDeviceFilter: scenarios', () => {
  it.each<[string, DeviceRule[], Case[]]>([
    [
      'no rules: everything is allowed',
      [],
      [
        ['c', 'rwm', 1, 3, 1],
        ['b', 'r', 8, 0, 1],
        ['c', 'm', 10, 229, 1],
      ],
    ],
    [
      'deny all, then allow c 1:3 rw: only that device, and only subsets of rw',
      [DENY_ALL, allow('c', 1, 3, 'rw')],
      [
        ['c', 'r', 1, 3, 1],
        ['c', 'w', 1, 3, 1],
        ['c', 'rw', 1, 3, 1],
        ['c', 'wr', 1, 3, 1],
        ['c', 'm', 1, 3, 0],
        ['c', 'rm', 1, 3, 0],
        ['c', 'wm', 1, 3, 0],
        ['c', 'rwm', 1, 3, 0],
        ['c', 'r', 1, 4, 0],
        ['c', 'r', 2, 3, 0],
        ['b', 'r', 1, 3, 0],
      ],
    ],
    [
      'allow all, then deny c 1:3 w: a deny matches on any overlap',
      [ALLOW_ALL, deny('c', 1, 3, 'w')],
      [
        ['c', 'w', 1, 3, 0],
        ['c', 'rw', 1, 3, 0],
        ['c', 'wm', 1, 3, 0],
        ['c', 'rwm', 1, 3, 0],
        ['c', 'r', 1, 3, 1],
        ['c', 'm', 1, 3, 1],
        ['c', 'rm', 1, 3, 1],
        ['c', 'w', 1, 4, 1],
        ['b', 'w', 1, 3, 1],
      ],
    ],
    ['the last matching rule wins: allow, then deny', [allow('c', 1, 3, 'rwm'), deny('c', 1, 3, 'rwm')], [['c', 'r', 1, 3, 0]]],
    ['the last matching rule wins: deny, then allow', [deny('c', 1, 3, 'rwm'), allow('c', 1, 3, 'rwm')], [['c', 'r', 1, 3, 1]]],
    ['a later deny-all overrides earlier allows', [allow('c', 1, 3, 'rwm'), DENY_ALL], [['c', 'r', 1, 3, 0]]],
    ['a later allow-all overrides earlier denies', [deny('c', 1, 3, 'rwm'), ALLOW_ALL], [['c', 'rwm', 1, 3, 1]]],
    [
      'two narrow allows do not add up: rw needs one rule granting both',
      [DENY_ALL, allow('c', 1, 3, 'r'), allow('c', 1, 3, 'w')],
      [
        ['c', 'r', 1, 3, 1],
        ['c', 'w', 1, 3, 1],
        ['c', 'rw', 1, 3, 0],
      ],
    ],
    [
      'a later partial deny carves out of an allow',
      [DENY_ALL, allow('c', 1, 3, 'rw'), deny('c', 1, 3, 'w')],
      [
        ['c', 'r', 1, 3, 1],
        ['c', 'w', 1, 3, 0],
        ['c', 'rw', 1, 3, 0],
      ],
    ],
    [
      'type a matches block and char devices',
      [DENY_ALL, allow('a', 7, -1, 'r')],
      [
        ['b', 'r', 7, 0, 1],
        ['c', 'r', 7, 99, 1],
        ['b', 'w', 7, 0, 0],
        ['c', 'r', 8, 0, 0],
      ],
    ],
    [
      'a wildcard major',
      [DENY_ALL, allow('c', -1, 5, 'rw')],
      [
        ['c', 'r', 99, 5, 1],
        ['c', 'w', 0, 5, 1],
        ['c', 'r', 99, 6, 0],
        ['b', 'r', 99, 5, 0],
      ],
    ],
    [
      'a wildcard minor',
      [DENY_ALL, allow('b', 8, -1, 'r')],
      [
        ['b', 'r', 8, 0, 1],
        ['b', 'r', 8, 16, 1],
        ['b', 'r', 9, 0, 0],
        ['c', 'r', 8, 0, 0],
      ],
    ],
    [
      'major and minor 0 are real numbers, not wildcards',
      [DENY_ALL, allow('c', 0, 0, 'rwm')],
      [
        ['c', 'r', 0, 0, 1],
        ['c', 'r', 0, 1, 0],
        ['c', 'r', 1, 0, 0],
      ],
    ],
    [
      'no rule matches → allowed',
      [deny('c', 1, 3, 'rwm')],
      [
        ['c', 'r', 1, 3, 0],
        ['c', 'r', 1, 4, 1],
        ['b', 'r', 1, 3, 1],
      ],
    ],
    [
      'an allow that does not cover the request is no match (→ the default, allow)',
      [allow('c', 1, 3, 'r')],
      [
        ['c', 'r', 1, 3, 1],
        ['c', 'w', 1, 3, 1],
      ],
    ],
    [
      'deny mknod everywhere',
      [deny('a', -1, -1, 'm')],
      [
        ['b', 'm', 8, 0, 0],
        ['c', 'rm', 1, 3, 0],
        ['c', 'rw', 1, 3, 1],
      ],
    ],
    [
      'the access letters of a rule may come in any order',
      [DENY_ALL, allow('c', 1, 3, 'mwr')],
      ACCESSES.map((a): Case => ['c', a, 1, 3, 1]),
    ],
    [
      'a large major and minor (12 and 20 bits)',
      [DENY_ALL, allow('c', 4095, 1048575, 'r')],
      [
        ['c', 'r', 4095, 1048575, 1],
        ['c', 'r', 4095, 1048574, 0],
      ],
    ],
  ])('%s', (_, rules, cases) => {
    const insns = deviceFilterInsns(rules);
    for (const [type, access, major, minor, verdict] of cases) {
      expect(runDeviceFilter(insns, type, access, major, minor), `${type} ${major}:${minor} ${access}`).toBe(verdict);
      expect(reference(rules, type, access, major, minor), `reference: ${type} ${major}:${minor} ${access}`).toBe(verdict);
    }
  });
});

describe('runDeviceFilter: the always-allowed devices survive a deny-all config', () => {
  const rules = deviceRules([{ allow: false, access: 'rwm' }])!;
  const insns = deviceFilterInsns(rules);

  it.each<[string, number, number]>([
    ['/dev/null', 1, 3],
    ['/dev/zero', 1, 5],
    ['/dev/full', 1, 7],
    ['/dev/random', 1, 8],
    ['/dev/urandom', 1, 9],
    ['/dev/tty', 5, 0],
    ['/dev/console', 5, 1],
    ['/dev/ptmx', 5, 2],
    ['/dev/pts/0', 136, 0],
    ['/dev/pts/7', 136, 7],
    ['/dev/pts/1048575', 136, 1048575],
    ['/dev/net/tun', 10, 200],
  ])('%s (c %d:%d): every access', (_, major, minor) => {
    for (const a of ACCESSES) expect(runDeviceFilter(insns, 'c', a, major, minor), a).toBe(1);
    // only as a char device
    for (const a of ['r', 'w', 'rw']) expect(runDeviceFilter(insns, 'b', a, major, minor), `b ${a}`).toBe(0);
  });

  it.each<[string, DevType, number, number]>([
    ['/dev/mem', 'c', 1, 1],
    ['/dev/kmsg', 'c', 1, 11],
    ['/dev/tty0', 'c', 4, 0],
    ['/dev/ttyS0', 'c', 4, 64],
    ['a 5:3 neighbour of the ptmx', 'c', 5, 3],
    ['/dev/fuse', 'c', 10, 229],
    ['/dev/kvm', 'c', 10, 232],
    ['/dev/sda', 'b', 8, 0],
    ['/dev/loop0', 'b', 7, 0],
    ['/dev/nvme0n1', 'b', 259, 0],
  ])('%s (%s %d:%d): no read or write, but mknod', (_, type, major, minor) => {
    for (const a of ['r', 'w', 'rw', 'rm', 'wm', 'rwm']) expect(runDeviceFilter(insns, type, a, major, minor), a).toBe(0);
    expect(runDeviceFilter(insns, type, 'm', major, minor)).toBe(1);
  });

  it('the always-allowed devices win over a config that denies them (they come last)', () => {
    const r = deviceRules([DENY_ALL, { allow: false, type: 'c', major: 1, minor: 3, access: 'rwm' }, { allow: false, type: 'c', access: 'm' }])!;
    expect(run(r, 'c', 'rw', 1, 3)).toBe(1);
    expect(run(r, 'c', 'm', 10, 229)).toBe(1);
  });
});

// A small, seeded PRNG (mulberry32): the same lists every run, no dependencies.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MAJORS = [-1, -1, 0, 1, 5, 8, 10, 136];
const MINORS = [-1, -1, 0, 1, 3, 5, 200];
const REQ_MAJORS = [0, 1, 5, 8, 10, 136, 200];
const REQ_MINORS = [0, 1, 3, 5, 200];

function randomRuleLists(count: number, seed: number): DeviceRule[][] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  // 1..3 letters of r/w/m in any order, repeats allowed; now and then an empty access
  const access = () => (rnd() < 0.03 ? '' : Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(['r', 'w', 'm'])).join(''));
  const lists: DeviceRule[][] = [];
  for (let n = 0; n < count; n++) {
    const len = Math.floor(rnd() * 9);
    if (n % 4 === 3) {
      // through deviceRules: config entries with fields left out, then the defaults
      const devices: LinuxDeviceCgroup[] = Array.from({ length: Math.max(1, len) }, () => {
        const d: LinuxDeviceCgroup = { allow: rnd() < 0.5 };
        if (rnd() < 0.7) d.type = pick(['a', 'b', 'c']);
        if (rnd() < 0.6) d.major = pick(MAJORS.filter((m) => m >= 0));
        if (rnd() < 0.6) d.minor = pick(MINORS.filter((m) => m >= 0));
        if (rnd() < 0.8) d.access = access();
        return d;
      });
      lists.push(deviceRules(devices)!);
    } else {
      const start = rnd() < 0.3 ? [DENY_ALL] : rnd() < 0.1 ? [ALLOW_ALL] : [];
      const rest = Array.from({ length: len }, (): DeviceRule => ({ allow: rnd() < 0.5, type: pick(['a', 'b', 'c']), major: pick(MAJORS), minor: pick(MINORS), access: access() }));
      lists.push([...start, ...rest]);
    }
  }
  return lists;
}

const LISTS = randomRuleLists(200, 0xdecade);

describe('runDeviceFilter: property test against the reference', () => {
  it('the generator covers the interesting shapes', () => {
    const all = LISTS.flat();
    expect(LISTS).toHaveLength(200);
    expect(LISTS.some((l) => l.length === 0)).toBe(true);
    for (const t of ['a', 'b', 'c']) expect(all.some((r) => r.type === t)).toBe(true);
    expect(all.some((r) => r.allow) && all.some((r) => !r.allow)).toBe(true);
    expect(all.some((r) => r.major === -1) && all.some((r) => r.minor === -1)).toBe(true);
    expect(all.some((r) => r.access === 'rwm') && all.some((r) => r.access.length === 1)).toBe(true);
  });

  it('agrees on every request of a grid, and on random ones, for 200 random rule lists', () => {
    const rnd = prng(42);
    const mismatches: string[] = [];
    let checked = 0;
    const check = (rules: DeviceRule[], insns: Insn[], type: DevType, access: string, major: number, minor: number) => {
      checked++;
      const got = runDeviceFilter(insns, type, access, major, minor);
      const want = reference(rules, type, access, major, minor);
      if (got !== want) mismatches.push(`${JSON.stringify(rules)}: ${type} ${major}:${minor} ${access} → ${got}, want ${want}`);
    };
    for (const rules of LISTS) {
      const insns = deviceFilterInsns(rules);
      for (const type of ['b', 'c'] as const) {
        for (const access of ACCESSES) {
          for (const major of REQ_MAJORS) for (const minor of REQ_MINORS) check(rules, insns, type, access, major, minor);
        }
      }
      for (let i = 0; i < 25; i++) {
        const type = rnd() < 0.5 ? 'b' : 'c';
        const access = ACCESSES[Math.floor(rnd() * ACCESSES.length)]!;
        check(rules, insns, type, access, Math.floor(rnd() * 4096), Math.floor(rnd() * 1048576));
      }
    }
    expect(checked).toBe(200 * (2 * 7 * REQ_MAJORS.length * REQ_MINORS.length + 25));
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it('both verdicts occur (the property is not trivially "allow")', () => {
    let denied = 0;
    for (const rules of LISTS) for (const a of ACCESSES) if (run(rules, 'c', a, 1, 1) === 0) denied++;
    expect(denied).toBeGreaterThan(50);
  });
});

// ---------------------------------------------------------------------------------------------
// Bytes

function decode(buf: Buffer): Insn[] {
  const out: Insn[] = [];
  for (let n = 0; n < buf.length / 8; n++) {
    out.push({ code: buf[n * 8]!, dst: buf[n * 8 + 1]! & 0x0f, src: buf[n * 8 + 1]! >> 4, off: buf.readInt16LE(n * 8 + 2), imm: buf.readInt32LE(n * 8 + 4) });
  }
  return out;
}

const hex = (buf: Buffer) => Array.from({ length: buf.length / 8 }, (_, n) => buf.subarray(n * 8, n * 8 + 8).toString('hex').replace(/(..)(?!$)/g, '$1 '));

const PROLOGUE = [
  '61 12 00 00 00 00 00 00', // r2 = *(u32 *)(r1 + 0)      access_type
  '54 02 00 00 ff ff 00 00', // w2 &= 0xffff              device type
  '61 13 00 00 00 00 00 00', // r3 = *(u32 *)(r1 + 0)
  '74 03 00 00 10 00 00 00', // w3 >>= 16                 access
  '61 14 04 00 00 00 00 00', // r4 = *(u32 *)(r1 + 4)      major
  '61 15 08 00 00 00 00 00', // r5 = *(u32 *)(r1 + 8)      minor
];
const ALLOW_REST = ['b7 00 00 00 01 00 00 00', '95 00 00 00 00 00 00 00']; // r0 = 1; exit

describe('compileDeviceFilter: struct bpf_insn encoding', () => {
  it('no rules: the prologue, then allow', () => {
    expect(hex(compileDeviceFilter([]))).toEqual([...PROLOGUE, ...ALLOW_REST]);
  });

  it('allow c 1:3 rw', () => {
    expect(hex(compileDeviceFilter([allow('c', 1, 3, 'rw')]))).toEqual([
      ...PROLOGUE,
      '55 02 07 00 02 00 00 00', // if r2 != 2 (char) goto +7
      'bc 31 00 00 00 00 00 00', // w1 = w3
      '54 01 00 00 f9 ff 00 00', // w1 &= ~(read|write) & 0xffff
      '55 01 04 00 00 00 00 00', // if r1 != 0 goto +4
      '55 04 03 00 01 00 00 00', // if r4 != 1 goto +3
      '55 05 02 00 03 00 00 00', // if r5 != 3 goto +2
      'b7 00 00 00 01 00 00 00', // r0 = 1
      '95 00 00 00 00 00 00 00', // exit
      ...ALLOW_REST,
    ]);
  });

  it('deny b 8:* w', () => {
    expect(hex(compileDeviceFilter([deny('b', 8, -1, 'w')]))).toEqual([
      ...PROLOGUE,
      '55 02 06 00 01 00 00 00', // if r2 != 1 (block) goto +6
      'bc 31 00 00 00 00 00 00', // w1 = w3
      '54 01 00 00 04 00 00 00', // w1 &= write
      '15 01 03 00 00 00 00 00', // if r1 == 0 goto +3
      '55 04 02 00 08 00 00 00', // if r4 != 8 goto +2
      'b7 00 00 00 00 00 00 00', // r0 = 0
      '95 00 00 00 00 00 00 00', // exit
      ...ALLOW_REST,
    ]);
  });

  it('rules are laid out last first', () => {
    expect(hex(compileDeviceFilter([deny('c', 1, -1, 'rwm'), allow('b', -1, 2, 'rwm')]))).toEqual([
      ...PROLOGUE,
      '55 02 03 00 01 00 00 00', // (allow b *:2) if r2 != 1 goto +3
      '55 05 02 00 02 00 00 00', //   if r5 != 2 goto +2
      'b7 00 00 00 01 00 00 00',
      '95 00 00 00 00 00 00 00',
      '55 02 03 00 02 00 00 00', // (deny c 1:*) if r2 != 2 goto +3
      '55 04 02 00 01 00 00 00', //   if r4 != 1 goto +2
      'b7 00 00 00 00 00 00 00',
      '95 00 00 00 00 00 00 00',
      ...ALLOW_REST,
    ]);
  });

  it('an immediate above 2^31 is written as its 32-bit two’s complement', () => {
    const buf = compileDeviceFilter([allow('c', 0xffffffff, -1, 'rwm')]);
    expect(hex(buf)[7]).toBe('55 04 02 00 ff ff ff ff');
    // and the interpreter still matches it (the kernel's majors are 12 bits; this is about encoding)
    expect(runDeviceFilter(deviceFilterInsns([deny('a', -1, -1, 'rwm'), allow('c', 0xffffffff, -1, 'rwm')]), 'c', 'r', 0xffffffff, 0)).toBe(1);
  });

  it.each([
    ['no rules', [] as DeviceRule[]],
    ['the defaults after a deny-all', deviceRules([{ allow: false, access: 'rwm' }])!],
    ...LISTS.slice(0, 40).map((l, i) => [`random list ${i}`, l] as [string, DeviceRule[]]),
  ])('decodes back to deviceFilterInsns: %s', (_, rules) => {
    const insns = deviceFilterInsns(rules);
    const buf = compileDeviceFilter(rules);
    expect(buf.length).toBe(insns.length * 8);
    expect(decode(buf)).toEqual(insns.map((i) => ({ ...i, imm: i.imm | 0 })));
    for (const i of insns) {
      expect(i.dst).toBeGreaterThanOrEqual(0);
      expect(i.dst).toBeLessThan(11);
      expect(i.src).toBeGreaterThanOrEqual(0);
      expect(i.src).toBeLessThan(11);
      expect(i.off).toBeGreaterThanOrEqual(-32768);
      expect(i.off).toBeLessThanOrEqual(32767);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The program's shape, as the verifier sees it

const LDX_W_MEM = 0x61;
const ALU32_AND_K = 0x54;
const ALU32_RSH_K = 0x74;
const ALU32_MOV_X = 0xbc;
const ALU64_MOV_K = 0xb7;
const JNE_K = 0x55;
const JEQ_K = 0x15;
const EXIT = 0x95;

/** [registers read, registers written] of an instruction (bit masks). */
function regUse(i: Insn): [number, number] {
  const d = 1 << i.dst;
  const s = 1 << i.src;
  switch (i.code) {
    case LDX_W_MEM:
      return [s, d];
    case ALU32_AND_K:
    case ALU32_RSH_K:
      return [d, d];
    case ALU32_MOV_X:
      return [s, d];
    case ALU64_MOV_K:
      return [0, d];
    case JNE_K:
    case JEQ_K:
      return [d, 0];
    case EXIT:
      return [1 << 0, 0];
    default:
      throw new Error(`unexpected opcode 0x${i.code.toString(16)}`);
  }
}

interface Walk {
  problems: string[];
  reachable: boolean[];
}

/**
 * Walk every path from instruction 0: jumps must land inside the program and go forward (so
 * every path terminates), no path may fall off the end (so every path ends in EXIT), and no
 * register may be read before every path to it has written it (R1 holds the context on entry,
 * R10 the frame pointer). Forward-only jumps let one pass in program order do the dataflow.
 */
function walk(insns: Insn[]): Walk {
  const problems: string[] = [];
  const inState: (number | undefined)[] = new Array(insns.length).fill(undefined);
  const reach = (to: number, regs: number, from: number) => {
    if (to >= insns.length) {
      problems.push(`insn ${from} leads past the end (to ${to})`);
      return;
    }
    inState[to] = inState[to] === undefined ? regs : inState[to]! & regs;
  };
  inState[0] = (1 << 1) | (1 << 10);
  for (let pc = 0; pc < insns.length; pc++) {
    const regs = inState[pc];
    if (regs === undefined) continue;
    const i = insns[pc]!;
    const [reads, writes] = regUse(i);
    if ((reads & regs) !== reads) problems.push(`insn ${pc} (0x${i.code.toString(16)}) reads an unset register (set: ${regs.toString(2)}, reads: ${reads.toString(2)})`);
    if (i.code === EXIT) continue;
    const out = regs | writes;
    if (i.code === JNE_K || i.code === JEQ_K) {
      if (i.off < 0) problems.push(`insn ${pc} jumps backwards (${i.off})`);
      reach(pc + 1 + i.off, out, pc);
    }
    reach(pc + 1, out, pc);
  }
  return { problems, reachable: inState.map((s) => s !== undefined) };
}

const SHAPES: [string, DeviceRule[]][] = [
  ['no rules', []],
  ['one narrow allow', [allow('c', 1, 3, 'r')]],
  ['one narrow deny', [deny('b', 8, 0, 'w')]],
  ['the defaults after a deny-all', deviceRules([{ allow: false, access: 'rwm' }])!],
  ['a deny-all alone', [DENY_ALL]],
  ['allow-all then deny', [ALLOW_ALL, deny('c', 1, 3, 'w')]],
  ...LISTS.map((l, i) => [`random list ${i}`, l] as [string, DeviceRule[]]),
];

describe('deviceFilterInsns: control flow', () => {
  it.each(SHAPES)('%s: jumps stay inside, every path ends in EXIT with R0 and all registers set', (_, rules) => {
    const insns = deviceFilterInsns(rules);
    expect(walk(insns).problems).toEqual([]);
    expect(insns.at(-1)?.code).toBe(EXIT);
  });

  it('the walker catches what it should', () => {
    const ok = deviceFilterInsns([]);
    expect(walk(ok).problems).toEqual([]);
    // a jump past the end, a fall off the end, and an EXIT before R0 is set
    expect(walk([{ code: JNE_K, dst: 1, src: 0, off: 5, imm: 0 }, ...ok.slice(-2)]).problems).toEqual(['insn 0 leads past the end (to 6)']);
    expect(walk(ok.slice(0, -1)).problems).toEqual([`insn ${ok.length - 2} leads past the end (to ${ok.length - 1})`]);
    expect(walk([ok.at(-1)!]).problems).toHaveLength(1);
    expect(walk([{ code: JNE_K, dst: 1, src: 0, off: 1, imm: 0 }, ...ok.slice(-2)]).reachable).toEqual([true, true, true]);
    expect(walk([...ok.slice(-2), ...ok.slice(-2)]).reachable).toEqual([true, true, false, false]);
  });

  // The verifier (check_cfg) refuses a program with an instruction no path reaches
  // ("unreachable insn N", EINVAL). A rule without tests ("a *:* rwm") matches everything, so
  // nothing may be laid out after it: neither earlier rules nor the allow-by-default tail.
  it.each(SHAPES)('%s: every instruction is reachable', (_, rules) => {
    const { reachable } = walk(deviceFilterInsns(rules));
    expect(reachable.map((r, pc) => (r ? -1 : pc)).filter((pc) => pc >= 0)).toEqual([]);
  });

  it.each<[string, DeviceRule[], string[]]>([
    ['a deny-all alone', [DENY_ALL], ['b7 00 00 00 00 00 00 00', '95 00 00 00 00 00 00 00']],
    ['an allow-all alone', [ALLOW_ALL], ALLOW_REST],
    ['rules before a deny-all are dropped', [allow('c', 1, 3, 'rwm'), deny('b', 8, 0, 'w'), DENY_ALL], ['b7 00 00 00 00 00 00 00', '95 00 00 00 00 00 00 00']],
    [
      'rules after it stay, and end the program with its verdict',
      [DENY_ALL, allow('c', 5, -1, 'rwm')],
      ['55 02 03 00 02 00 00 00', '55 04 02 00 05 00 00 00', 'b7 00 00 00 01 00 00 00', '95 00 00 00 00 00 00 00', 'b7 00 00 00 00 00 00 00', '95 00 00 00 00 00 00 00'],
    ],
  ])('a rule that matches everything ends the program: %s', (_, rules, body) => {
    expect(hex(compileDeviceFilter(rules))).toEqual([...PROLOGUE, ...body]);
  });

  it('the integration suite’s deny-all + allow c 10:229 r list is loadable and means the same', () => {
    const rules = deviceRules([{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 10, minor: 229, access: 'r' }])!;
    const insns = deviceFilterInsns(rules);
    expect(walk(insns)).toEqual({ problems: [], reachable: insns.map(() => true) });
    expect(runDeviceFilter(insns, 'c', 'r', 10, 229)).toBe(1);
    expect(runDeviceFilter(insns, 'c', 'w', 10, 229)).toBe(0);
    expect(runDeviceFilter(insns, 'c', 'rw', 1, 3)).toBe(1);
  });
});

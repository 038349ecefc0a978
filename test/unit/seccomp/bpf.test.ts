// lib/seccomp/bpf.ts: block layout (every jump forward), offsets, trampolines for conditional
// jumps beyond 255 instructions, and the struct sock_filter encoding; plus the test
// interpreter's own checks, since the other seccomp tests lean on it.

import { describe, expect, it } from 'vitest';
import { Assembler, BPF_ABS, BPF_JA, BPF_JEQ, BPF_JMP, BPF_LD, BPF_RET, BPF_W, decode, encode } from '../../../lib/seccomp/bpf.js';
import { checkProgram, decodeProgram, runFilter, staleAccumulatorSites } from '../../helpers/cbpf.js';
import type { Insn } from '../../helpers/cbpf.js';

const run = (prog: Insn[], nr: number, args: bigint[] = []) => runFilter(prog, { nr, arch: 0xc000003e, args });

/** `n` filler blocks in a chain, each a compare that falls through to the next. */
function filler(asm: Assembler, n: number, end: number, ret: number): number {
  let next = end;
  for (let i = 0; i < n; i++) {
    const b = asm.block();
    asm.jump(b, 'JEQ', 0xdead0000 + i, ret, next);
    next = b;
  }
  return next;
}

describe('Assembler', () => {
  it('lays blocks out so every jump goes forward, the false exit falling through', () => {
    const asm = new Asm();
    const prog = asm.build();
    checkProgram(prog);
    expect(run(prog, 1)).toBe(0x7fff0000);
    expect(run(prog, 2)).toBe(0x00050001);
    // entry: ld, jeq → 2 RETs; the false RET directly after the jump.
    expect(prog).toHaveLength(4);
    expect(prog[1]).toMatchObject({ code: BPF_JMP | BPF_JEQ, jf: 0 });
  });

  it('drops a JA whose target is laid out right after it', () => {
    const a = new Assembler();
    const entry = a.block();
    const tail = a.block();
    a.load(entry, 0);
    a.goto(entry, tail);
    a.ret(tail, 7);
    const prog = a.assemble(entry);
    expect(prog.map((x) => x.code)).toEqual([BPF_LD | BPF_W | BPF_ABS, BPF_RET]);
  });

  it('reaches targets beyond 255 instructions through a trampoline', () => {
    const a = new Assembler();
    const entry = a.block();
    const far = a.block();
    const ret = a.block();
    a.ret(far, 0x7fff0000);
    a.ret(ret, 0x00050001);
    const chain = filler(a, 300, ret, ret);
    a.load(entry, 0);
    a.jump(entry, 'JEQ', 42, far, chain);
    const prog = a.assemble(entry);
    checkProgram(prog);
    expect(prog.some((x) => x.code === (BPF_JMP | BPF_JA))).toBe(true);
    expect(run(prog, 42)).toBe(0x7fff0000);
    expect(run(prog, 43)).toBe(0x00050001);
    for (const x of prog) expect(Math.max(x.jt, x.jf)).toBeLessThanOrEqual(255);
  });

  it('handles both exits of one jump being far', () => {
    const a = new Assembler();
    const entry = a.block();
    const left = a.block();
    const right = a.block();
    const sink = a.block();
    a.ret(sink, 1);
    const fillL = filler(a, 280, sink, sink);
    const fillR = filler(a, 280, sink, sink);
    a.load(left, 0);
    a.jump(left, 'JEQ', 5, fillL, fillR);
    a.ret(right, 2);
    a.load(entry, 0);
    // both targets are laid out after the two filler chains
    a.jump(entry, 'JGT', 100, right, left);
    const prog = a.assemble(entry);
    checkProgram(prog);
    expect(run(prog, 101)).toBe(2);
    expect(run(prog, 5)).toBe(1);
  });

  it('refuses a cycle and an unterminated block', () => {
    const a = new Assembler();
    const x = a.block();
    const y = a.block();
    a.goto(x, y);
    a.goto(y, x);
    expect(() => a.assemble(x)).toThrow(/cycle/);
    const b = new Assembler();
    const open = b.block();
    b.load(open, 0);
    expect(() => b.assemble(open)).toThrow(/no terminator/);
  });

  it('encodes struct sock_filter little-endian, 8 bytes each, and decodes it back', () => {
    const prog = new Asm().build();
    const buf = encode(prog);
    expect(buf.length).toBe(prog.length * 8);
    expect(buf.subarray(0, 8)).toEqual(Buffer.from([0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]));
    expect(decode(buf)).toEqual(prog);
    expect(decodeProgram(buf)).toEqual(prog);
  });
});

/** The smallest useful filter: nr == 1 → ALLOW, else ERRNO(1). */
class Asm {
  build(): Insn[] {
    const a = new Assembler();
    const entry = a.block();
    const yes = a.block();
    const no = a.block();
    a.load(entry, 0);
    a.jump(entry, 'JEQ', 1, yes, no);
    a.ret(yes, 0x7fff0000);
    a.ret(no, 0x00050001);
    return a.assemble(entry);
  }
}

describe('test interpreter (test/helpers/cbpf.ts)', () => {
  it('refuses what the kernel refuses', () => {
    expect(() => checkProgram([])).toThrow();
    expect(() => checkProgram([{ code: BPF_LD | BPF_W | BPF_ABS, jt: 0, jf: 0, k: 64 }, { code: BPF_RET, jt: 0, jf: 0, k: 0 }])).toThrow(/outside seccomp_data/);
    expect(() => checkProgram([{ code: BPF_LD | BPF_W | BPF_ABS, jt: 0, jf: 0, k: 2 }, { code: BPF_RET, jt: 0, jf: 0, k: 0 }])).toThrow();
    expect(() => checkProgram([{ code: BPF_JMP | BPF_JEQ, jt: 5, jf: 0, k: 0 }, { code: BPF_RET, jt: 0, jf: 0, k: 0 }])).toThrow(/past the end/);
    expect(() => checkProgram([{ code: BPF_LD | BPF_W | BPF_ABS, jt: 0, jf: 0, k: 0 }])).toThrow(/not a RET/);
  });

  it('reads seccomp_data words: nr, arch, and both halves of each argument', () => {
    const words: Array<[number, number]> = [
      [0, 7],
      [4, 0xc000003e],
      [16, 0x89abcdef],
      [20, 0x01234567],
      [56, 0x2],
      [60, 0x1],
    ];
    for (const [off, want] of words) {
      const prog: Insn[] = [
        { code: BPF_LD | BPF_W | BPF_ABS, jt: 0, jf: 0, k: off },
        { code: BPF_RET | 0x10, jt: 0, jf: 0, k: 0 }, // RET A
      ];
      expect(runFilter(prog, { nr: 7, arch: 0xc000003e, args: [0x0123456789abcdefn, 0n, 0n, 0n, 0n, 0x100000002n] })).toBe(want);
    }
  });

  it('finds instructions that can see two different loads (a stale accumulator)', () => {
    const prog: Insn[] = [
      { code: BPF_LD | BPF_W | BPF_ABS, jt: 0, jf: 0, k: 0 },
      { code: BPF_JMP | BPF_JEQ, jt: 0, jf: 1, k: 1 },
      { code: BPF_LD | BPF_W | BPF_ABS, jt: 0, jf: 0, k: 16 },
      { code: BPF_JMP | BPF_JEQ, jt: 0, jf: 0, k: 3 }, // reached with nr or arg0 loaded
      { code: BPF_RET, jt: 0, jf: 0, k: 0 },
    ];
    expect([...staleAccumulatorSites(prog)]).toEqual([3]);
  });
});

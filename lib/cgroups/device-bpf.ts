// Device rules → a BPF_PROG_TYPE_CGROUP_DEVICE program for cgroup v2, in TypeScript.
//
// The kernel runs the program on every device access of the cgroup with
// struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }, where access_type holds
// the device type in its low 16 bits (block 1, char 2) and the access in its high 16 bits
// (mknod 1, read 2, write 4). The program returns 1 to allow, 0 to deny.
//
// Semantics, the same as the v1 lists: rules apply in order, so the last rule that matches
// decides; with no matching rule the access is allowed (the kernel's default without rules). The
// rules caisson compiles always start with deny-all (devices.ts), so that fallback is never
// reached for a container. An allow rule matches when every
// requested access is in it; a deny rule when any requested access is in it (a deny of "w" must
// stop an open for read and write). The program checks the rules from the last to the first and
// returns at the first match.

import type { DeviceRule } from './devices.js';

const BPF_DEVCG_ACC_MKNOD = 1;
const BPF_DEVCG_ACC_READ = 2;
const BPF_DEVCG_ACC_WRITE = 4;
const BPF_DEVCG_DEV_BLOCK = 1;
const BPF_DEVCG_DEV_CHAR = 2;

// Opcodes (class | op | source).
const LDX_W_MEM = 0x61; // dst = *(u32 *)(src + off)
const ALU32_AND_K = 0x54; // dst &= imm (32 bit)
const ALU32_RSH_K = 0x74; // dst >>= imm (32 bit)
const ALU32_MOV_X = 0xbc; // dst = src (32 bit)
const ALU64_MOV_K = 0xb7; // dst = imm
const JNE_K = 0x55; // if dst != imm goto +off
const JEQ_K = 0x15; // if dst == imm goto +off
const EXIT = 0x95;

const R0 = 0;
const R1 = 1;
const TYPE = 2;
const ACCESS = 3;
const MAJOR = 4;
const MINOR = 5;

interface Insn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

const insn = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({ code, dst, src, off, imm });

function accessBits(access: string): number {
  let a = 0;
  if (access.includes('m')) a |= BPF_DEVCG_ACC_MKNOD;
  if (access.includes('r')) a |= BPF_DEVCG_ACC_READ;
  if (access.includes('w')) a |= BPF_DEVCG_ACC_WRITE;
  return a;
}

const ALL = BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;

/** One rule: tests that jump past the block when it does not match, then the verdict. */
function ruleBlock(r: DeviceRule): Insn[] {
  const tests: ((skip: number) => Insn[])[] = [];
  if (r.type !== 'a') {
    const t = r.type === 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
    tests.push((skip) => [insn(JNE_K, TYPE, 0, skip, t)]);
  }
  const bits = accessBits(r.access);
  if (r.allow && bits !== ALL) {
    // requested & ~rule == 0, or no match
    tests.push((skip) => [insn(ALU32_MOV_X, R1, ACCESS, 0, 0), insn(ALU32_AND_K, R1, 0, 0, ~bits & 0xffff), insn(JNE_K, R1, 0, skip, 0)]);
  }
  if (!r.allow && bits !== ALL) {
    // requested & rule != 0, or no match
    tests.push((skip) => [insn(ALU32_MOV_X, R1, ACCESS, 0, 0), insn(ALU32_AND_K, R1, 0, 0, bits), insn(JEQ_K, R1, 0, skip, 0)]);
  }
  if (r.major >= 0) tests.push((skip) => [insn(JNE_K, MAJOR, 0, skip, r.major)]);
  if (r.minor >= 0) tests.push((skip) => [insn(JNE_K, MINOR, 0, skip, r.minor)]);
  const verdict = [insn(ALU64_MOV_K, R0, 0, 0, r.allow ? 1 : 0), insn(EXIT, 0, 0, 0, 0)];
  // Build back to front: each test jumps over whatever follows it in the block.
  let tail = verdict;
  for (const test of [...tests].reverse()) tail = [...test(tail.length), ...tail];
  return tail;
}

/** The program, as instructions (exported for the tests' interpreter). */
export function deviceFilterInsns(rules: DeviceRule[]): Insn[] {
  const prologue = [
    insn(LDX_W_MEM, TYPE, R1, 0, 0),
    insn(ALU32_AND_K, TYPE, 0, 0, 0xffff),
    insn(LDX_W_MEM, ACCESS, R1, 0, 0),
    insn(ALU32_RSH_K, ACCESS, 0, 0, 16),
    insn(LDX_W_MEM, MAJOR, R1, 4, 0),
    insn(LDX_W_MEM, MINOR, R1, 8, 0),
  ];
  // The verifier refuses unreachable code: stop after a rule that matches everything (then
  // neither the earlier rules nor the allow-by-default tail can ever run).
  const body: Insn[] = [];
  for (const r of [...rules].reverse()) {
    const block = ruleBlock(r);
    body.push(...block);
    if (block.length === 2) return [...prologue, ...body];
  }
  const fallthrough = [insn(ALU64_MOV_K, R0, 0, 0, 1), insn(EXIT, 0, 0, 0, 0)];
  return [...prologue, ...body, ...fallthrough];
}

/** The program as the bytes bpf(BPF_PROG_LOAD) takes: struct bpf_insn, 8 bytes each. */
export function compileDeviceFilter(rules: DeviceRule[]): Buffer {
  const insns = deviceFilterInsns(rules);
  const buf = Buffer.alloc(insns.length * 8);
  insns.forEach((i, n) => {
    buf[n * 8] = i.code;
    buf[n * 8 + 1] = (i.src << 4) | i.dst;
    buf.writeInt16LE(i.off, n * 8 + 2);
    buf.writeInt32LE(i.imm | 0, n * 8 + 4);
  });
  return buf;
}

/** A tiny interpreter of exactly these programs, for tests and to check the compiler. */
export function runDeviceFilter(insns: Insn[], type: 'b' | 'c', access: string, major: number, minor: number): number {
  const regs = new Array<number>(11).fill(0);
  const ctx = [(accessBits(access) << 16) | (type === 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR), major, minor];
  for (let pc = 0; pc < insns.length; pc++) {
    const i = insns[pc]!;
    switch (i.code) {
      case LDX_W_MEM:
        regs[i.dst] = ctx[i.off / 4]! >>> 0;
        break;
      case ALU32_AND_K:
        regs[i.dst] = (regs[i.dst]! & i.imm) >>> 0;
        break;
      case ALU32_RSH_K:
        regs[i.dst] = regs[i.dst]! >>> i.imm;
        break;
      case ALU32_MOV_X:
        regs[i.dst] = regs[i.src]! >>> 0;
        break;
      case ALU64_MOV_K:
        regs[i.dst] = i.imm;
        break;
      case JNE_K:
        if (regs[i.dst] !== i.imm >>> 0) pc += i.off;
        break;
      case JEQ_K:
        if (regs[i.dst] === i.imm >>> 0) pc += i.off;
        break;
      case EXIT:
        return regs[R0]!;
      default:
        throw new Error(`unknown opcode ${i.code}`);
    }
  }
  throw new Error('program fell off its end');
}

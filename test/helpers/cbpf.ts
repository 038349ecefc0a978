// A classic-BPF interpreter for seccomp programs, for tests: runs a program over one
// struct seccomp_data { int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]; } and
// returns what the filter returns. It accepts what the kernel's seccomp checker accepts
// (loads of aligned 32-bit words inside seccomp_data, scratch memory, ALU, forward jumps, RET)
// and throws on anything the kernel would refuse or a program that runs off its end.

const SECCOMP_DATA_SIZE = 64;
const MEMWORDS = 16;

export interface SeccompData {
  nr: number;
  arch: number;
  instructionPointer?: bigint;
  /** Missing arguments are 0. */
  args?: readonly bigint[];
}

export interface Insn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

export function decodeProgram(buf: Buffer): Insn[] {
  if (buf.length % 8 !== 0) throw new Error('cbpf: program length is not a multiple of 8');
  const out: Insn[] = [];
  for (let o = 0; o < buf.length; o += 8) out.push({ code: buf.readUInt16LE(o), jt: buf[o + 2]!, jf: buf[o + 3]!, k: buf.readUInt32LE(o + 4) });
  return out;
}

/** seccomp_data as the kernel lays it out on a little-endian machine. */
export function seccompDataBytes(d: SeccompData): Buffer {
  const b = Buffer.alloc(SECCOMP_DATA_SIZE);
  b.writeUInt32LE(d.nr >>> 0, 0);
  b.writeUInt32LE(d.arch >>> 0, 4);
  b.writeBigUInt64LE(BigInt.asUintN(64, d.instructionPointer ?? 0n), 8);
  for (let i = 0; i < 6; i++) b.writeBigUInt64LE(BigInt.asUintN(64, d.args?.[i] ?? 0n), 16 + 8 * i);
  return b;
}

const CLASS = (c: number) => c & 0x07;
const SIZE = (c: number) => c & 0x18;
const MODE = (c: number) => c & 0xe0;
const OP = (c: number) => c & 0xf0;
const SRC = (c: number) => c & 0x08;

/** Checks a program the way the kernel does before accepting it (sk_chk_filter + seccomp's checks). */
export function checkProgram(prog: readonly Insn[]): void {
  if (prog.length === 0 || prog.length > 4096) throw new Error(`cbpf: ${prog.length} instructions (1 … 4096 allowed)`);
  prog.forEach((x, pc) => {
    const cls = CLASS(x.code);
    if (cls === 0x00 || cls === 0x01) {
      // LD / LDX
      const mode = MODE(x.code);
      if (mode === 0x20) {
        if (cls !== 0x00 || SIZE(x.code) !== 0x00 || x.k % 4 !== 0 || x.k >= SECCOMP_DATA_SIZE) throw new Error(`cbpf: ${pc}: load of ${x.k} outside seccomp_data or not a word`);
      } else if (mode === 0x60) {
        if (x.k >= MEMWORDS) throw new Error(`cbpf: ${pc}: scratch slot ${x.k}`);
      } else if (mode !== 0x00 && mode !== 0x80) throw new Error(`cbpf: ${pc}: load mode 0x${mode.toString(16)} not allowed in seccomp`);
    } else if (cls === 0x02 || cls === 0x03) {
      if (x.k >= MEMWORDS) throw new Error(`cbpf: ${pc}: scratch slot ${x.k}`);
    } else if (cls === 0x05) {
      const op = OP(x.code);
      if (op === 0x00) {
        if (pc + 1 + x.k >= prog.length) throw new Error(`cbpf: ${pc}: JA past the end`);
      } else {
        if (![0x10, 0x20, 0x30, 0x40].includes(op)) throw new Error(`cbpf: ${pc}: jump op 0x${op.toString(16)}`);
        if (pc + 1 + Math.max(x.jt, x.jf) >= prog.length) throw new Error(`cbpf: ${pc}: jump past the end`);
      }
    } else if (cls === 0x04) {
      if ((OP(x.code) === 0x30 || OP(x.code) === 0x90) && SRC(x.code) === 0 && x.k === 0) throw new Error(`cbpf: ${pc}: division by constant 0`);
    }
  });
  // Running off the end is caught by runFilter; the kernel requires the last insn to be a RET.
  if (CLASS(prog.at(-1)!.code) !== 0x06) throw new Error('cbpf: the last instruction is not a RET');
}

/** Runs the filter; returns its 32-bit return value. */
export function runFilter(prog: readonly Insn[], d: SeccompData): number {
  const data = seccompDataBytes(d);
  const mem = new Uint32Array(MEMWORDS);
  let A = 0;
  let X = 0;
  let pc = 0;
  for (let steps = 0; steps <= prog.length; steps++) {
    const x = prog[pc];
    if (!x) throw new Error(`cbpf: ran off the end at ${pc}`);
    const { code, k } = x;
    pc++;
    switch (CLASS(code)) {
      case 0x00: // LD
        switch (MODE(code)) {
          case 0x00:
            A = k >>> 0;
            break;
          case 0x20:
            if (k % 4 !== 0 || k + 4 > SECCOMP_DATA_SIZE) throw new Error(`cbpf: bad load offset ${k}`);
            A = data.readUInt32LE(k);
            break;
          case 0x60:
            A = mem[k]!;
            break;
          case 0x80:
            A = SECCOMP_DATA_SIZE;
            break;
          default:
            throw new Error(`cbpf: unsupported LD 0x${code.toString(16)}`);
        }
        break;
      case 0x01: // LDX
        X = MODE(code) === 0x60 ? mem[k]! : MODE(code) === 0x80 ? SECCOMP_DATA_SIZE : k >>> 0;
        break;
      case 0x02: // ST
        mem[k] = A;
        break;
      case 0x03: // STX
        mem[k] = X;
        break;
      case 0x04: {
        // ALU
        const v = SRC(code) ? X : k >>> 0;
        switch (OP(code)) {
          case 0x00:
            A = (A + v) >>> 0;
            break;
          case 0x10:
            A = (A - v) >>> 0;
            break;
          case 0x20:
            A = Number((BigInt(A) * BigInt(v)) & 0xffffffffn);
            break;
          case 0x30:
            if (v === 0) return 0; // the kernel's classic BPF returns 0 on division by zero
            A = Math.floor(A / v) >>> 0;
            break;
          case 0x40:
            A = (A | v) >>> 0;
            break;
          case 0x50:
            A = (A & v) >>> 0;
            break;
          case 0x60:
            A = v >= 32 ? 0 : (A << v) >>> 0;
            break;
          case 0x70:
            A = v >= 32 ? 0 : A >>> v;
            break;
          case 0x80:
            A = -A >>> 0;
            break;
          case 0x90:
            if (v === 0) return 0;
            A = A % v >>> 0;
            break;
          case 0xa0:
            A = (A ^ v) >>> 0;
            break;
          default:
            throw new Error(`cbpf: unsupported ALU 0x${code.toString(16)}`);
        }
        break;
      }
      case 0x05: {
        // JMP
        const op = OP(code);
        if (op === 0x00) {
          pc += k >>> 0;
          break;
        }
        const v = SRC(code) ? X : k >>> 0;
        const cond = op === 0x10 ? A === v : op === 0x20 ? A > v : op === 0x30 ? A >= v : op === 0x40 ? (A & v) !== 0 : undefined;
        if (cond === undefined) throw new Error(`cbpf: unsupported JMP 0x${code.toString(16)}`);
        pc += cond ? x.jt : x.jf;
        break;
      }
      case 0x06: // RET
        return ((code & 0x18) === 0x10 ? A : k) >>> 0;
      case 0x07: // MISC
        if ((code & 0xf8) === 0x00) X = A;
        else A = X;
        break;
    }
  }
  throw new Error('cbpf: too many steps (a backward jump?)');
}

const NAMES: Record<number, string> = { 0x00: 'ld', 0x01: 'ldx', 0x02: 'st', 0x03: 'stx', 0x04: 'alu', 0x05: 'jmp', 0x06: 'ret', 0x07: 'misc' };

/** One line per instruction, for failure messages. */
export function disassemble(prog: readonly Insn[]): string {
  return prog
    .map((x, pc) => {
      const c = CLASS(x.code);
      let s: string;
      if (c === 0x00 && MODE(x.code) === 0x20) s = `ld [${x.k}]`;
      else if (c === 0x04 && OP(x.code) === 0x50) s = `and #0x${x.k.toString(16)}`;
      else if (c === 0x05 && OP(x.code) === 0x00) s = `ja ${pc + 1 + x.k}`;
      else if (c === 0x05) s = `${({ 0x10: 'jeq', 0x20: 'jgt', 0x30: 'jge', 0x40: 'jset' } as Record<number, string>)[OP(x.code)]} #0x${x.k.toString(16)} ${pc + 1 + x.jt} ${pc + 1 + x.jf}`;
      else if (c === 0x06) s = `ret #0x${x.k.toString(16)}`;
      else s = `${NAMES[c]} code=0x${x.code.toString(16)} k=0x${x.k.toString(16)}`;
      return `${String(pc).padStart(4)}: ${s}`;
    })
    .join('\n');
}

/** runFilter, also returning the instructions executed. */
export function traceFilter(prog: readonly Insn[], d: SeccompData): { ret: number; path: number[] } {
  const path: number[] = [];
  // Same semantics as runFilter, on a copy that records each pc: run one step at a time.
  const data = seccompDataBytes(d);
  let A = 0;
  let pc = 0;
  for (let steps = 0; steps <= prog.length; steps++) {
    const x = prog[pc];
    if (!x) throw new Error(`cbpf: ran off the end at ${pc}`);
    path.push(pc);
    pc++;
    const cls = CLASS(x.code);
    if (cls === 0x00 && MODE(x.code) === 0x20) A = data.readUInt32LE(x.k);
    else if (cls === 0x04 && OP(x.code) === 0x50 && !SRC(x.code)) A = (A & x.k) >>> 0;
    else if (cls === 0x05) {
      const op = OP(x.code);
      if (op === 0x00) pc += x.k;
      else {
        const cond = op === 0x10 ? A === x.k : op === 0x20 ? A > x.k : op === 0x30 ? A >= x.k : (A & x.k) !== 0;
        pc += cond ? x.jt : x.jf;
      }
    } else if (cls === 0x06) return { ret: ((x.code & 0x18) === 0x10 ? A : x.k) >>> 0, path };
    else throw new Error(`cbpf: traceFilter only follows seccomp compiler output (LD ABS, AND K, JMP, RET), got 0x${x.code.toString(16)}`);
  }
  throw new Error('cbpf: too many steps');
}

/**
 * Instructions that use the accumulator while more than one load can reach them: what they
 * test depends on the path taken, so a compiler that meant one argument word got it wrong on
 * some path (a stale accumulator). Seccomp compiler output only (LD ABS, AND K, JMP, RET).
 */
export function staleAccumulatorSites(prog: readonly Insn[]): Set<number> {
  // For each instruction, the set of "last load" offsets on paths reaching it (-1: none yet).
  const reach: Array<Set<number>> = prog.map(() => new Set());
  reach[0]!.add(-1);
  const sites = new Set<number>();
  for (let pc = 0; pc < prog.length; pc++) {
    const x = prog[pc]!;
    const cur = reach[pc]!;
    if (!cur.size) continue;
    const cls = CLASS(x.code);
    const out = cls === 0x00 && MODE(x.code) === 0x20 ? new Set([x.k]) : cur;
    const uses = cls === 0x04 || (cls === 0x05 && OP(x.code) !== 0x00) || (cls === 0x06 && (x.code & 0x18) === 0x10);
    if (uses && cur.size > 1) sites.add(pc);
    const succ = cls === 0x06 ? [] : cls === 0x05 ? (OP(x.code) === 0x00 ? [pc + 1 + x.k] : [pc + 1 + x.jt, pc + 1 + x.jf]) : [pc + 1];
    for (const s of succ) for (const o of out) reach[s]?.add(o);
  }
  return sites;
}

const AUDIT_ARCH_WORDS = new Set([0xc000003e, 0x40000003, 0xc00000b7, 0x40000028, 0x00000008, 0x40000008, 0x80000008, 0xc0000008, 0xa0000008, 0xe0000008, 0x00000014, 0x80000015, 0xc0000015, 0x00000016, 0x80000016, 0xc00000f3, 0x0000000f, 0x8000000f]);

/**
 * True if running the program on `d` reads a stale accumulator: it passes an instruction that
 * more than one load can reach (see staleAccumulatorSites), or it compares the arch word
 * (offset 4) with something that is no AUDIT_ARCH value, i.e. a syscall number the program
 * never loaded. Both are code generation faults, whatever the program was meant to do.
 */
export function readsStaleAccumulator(prog: readonly Insn[], d: SeccompData, sites = staleAccumulatorSites(prog)): boolean {
  let last = -1;
  for (const pc of traceFilter(prog, d).path) {
    const x = prog[pc]!;
    if (sites.has(pc)) return true;
    const cls = CLASS(x.code);
    if (cls === 0x00 && MODE(x.code) === 0x20) last = x.k;
    else if (last === 4 && (cls === 0x04 || (cls === 0x05 && OP(x.code) !== 0x00 && !AUDIT_ARCH_WORDS.has(x.k >>> 0)))) return true;
  }
  return false;
}

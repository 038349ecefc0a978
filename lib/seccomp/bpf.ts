// A small classic-BPF assembler for seccomp programs. Code is written as basic blocks (straight
// instructions, then one RET, JA or conditional jump naming target blocks); `assemble` lays the
// blocks out so that every jump goes forward, as classic BPF requires, and resolves offsets.
// Conditional jumps reach at most 255 instructions: a farther target is reached through a JA
// (32-bit offset) placed right after the jump, a "trampoline".

// linux/filter.h, linux/bpf_common.h
export const BPF_LD = 0x00;
export const BPF_ALU = 0x04;
export const BPF_JMP = 0x05;
export const BPF_RET = 0x06;
export const BPF_W = 0x00;
export const BPF_ABS = 0x20;
export const BPF_K = 0x00;
export const BPF_AND = 0x50;
export const BPF_JA = 0x00;
export const BPF_JEQ = 0x10;
export const BPF_JGT = 0x20;
export const BPF_JGE = 0x30;
export const BPF_JSET = 0x40;

/** The kernel's limit on a filter's length (BPF_MAXINSNS). */
export const BPF_MAXINSNS = 4096;
/** Size of struct sock_filter. */
export const SOCK_FILTER_SIZE = 8;

export interface Insn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

export type CondOp = 'JEQ' | 'JGT' | 'JGE' | 'JSET';
const COND: Record<CondOp, number> = { JEQ: BPF_JEQ, JGT: BPF_JGT, JGE: BPF_JGE, JSET: BPF_JSET };

export type BlockId = number;

type Terminator = { kind: 'ret'; k: number } | { kind: 'goto'; target: BlockId } | { kind: 'cond'; op: CondOp; k: number; t: BlockId; f: BlockId };

interface Block {
  body: Insn[];
  end?: Terminator;
}

const MAX_SHORT = 255;

export class Assembler {
  private blocks: Block[] = [];

  block(): BlockId {
    this.blocks.push({ body: [] });
    return this.blocks.length - 1;
  }

  /** A = 32-bit word at `offset` of seccomp_data. */
  load(b: BlockId, offset: number): void {
    this.open(b).body.push({ code: BPF_LD | BPF_W | BPF_ABS, jt: 0, jf: 0, k: offset });
  }

  /** A &= mask. */
  and(b: BlockId, mask: number): void {
    this.open(b).body.push({ code: BPF_ALU | BPF_AND | BPF_K, jt: 0, jf: 0, k: mask >>> 0 });
  }

  ret(b: BlockId, k: number): void {
    this.open(b).end = { kind: 'ret', k: k >>> 0 };
  }

  goto(b: BlockId, target: BlockId): void {
    this.open(b).end = { kind: 'goto', target };
  }

  /** if (A op k) goto t else goto f. */
  jump(b: BlockId, op: CondOp, k: number, t: BlockId, f: BlockId): void {
    this.open(b).end = { kind: 'cond', op, k: k >>> 0, t, f };
  }

  private open(b: BlockId): Block {
    const blk = this.blocks[b];
    if (!blk) throw new Error(`bpf: no block ${b}`);
    if (blk.end) throw new Error(`bpf: block ${b} is already terminated`);
    return blk;
  }

  /** The program starting at `entry`, only the blocks reachable from it. */
  assemble(entry: BlockId): Insn[] {
    const order = this.layout(entry);
    const place = new Map(order.map((b, i) => [b, i]));
    // Which exits of each conditional jump need a trampoline; grows until offsets fit.
    const far = new Map<BlockId, { t: boolean; f: boolean }>();
    for (;;) {
      const start = new Map<BlockId, number>();
      let pc = 0;
      for (const [i, b] of order.entries()) {
        start.set(b, pc);
        pc += this.sizeOf(b, order[i + 1], far.get(b));
      }
      let grew = false;
      for (const b of order) {
        const end = this.blocks[b]!.end!;
        if (end.kind !== 'cond') continue;
        const at = start.get(b)! + this.blocks[b]!.body.length;
        const tramp = far.get(b) ?? { t: false, f: false };
        // Offsets count from the instruction after the jump; block starts already include
        // the trampolines decided so far.
        const reach = (target: BlockId) => start.get(target)! - (at + 1);
        if (!tramp.t && reach(end.t) > MAX_SHORT) {
          tramp.t = true;
          grew = true;
        }
        if (!tramp.f && reach(end.f) > MAX_SHORT) {
          tramp.f = true;
          grew = true;
        }
        if (tramp.t || tramp.f) far.set(b, tramp);
      }
      if (!grew) return this.emit(order, start, far, place);
    }
  }

  private sizeOf(b: BlockId, next: BlockId | undefined, tramp?: { t: boolean; f: boolean }): number {
    const blk = this.blocks[b]!;
    const end = blk.end!;
    let n = blk.body.length;
    if (end.kind === 'ret') n += 1;
    else if (end.kind === 'goto') n += end.target === next ? 0 : 1;
    else n += 1 + (tramp?.t ? 1 : 0) + (tramp?.f ? 1 : 0);
    return n;
  }

  private emit(order: BlockId[], start: Map<BlockId, number>, far: Map<BlockId, { t: boolean; f: boolean }>, place: Map<BlockId, number>): Insn[] {
    const out: Insn[] = [];
    for (const [i, b] of order.entries()) {
      const blk = this.blocks[b]!;
      out.push(...blk.body.map((x) => ({ ...x })));
      const end = blk.end!;
      if (end.kind === 'ret') {
        out.push({ code: BPF_RET | BPF_K, jt: 0, jf: 0, k: end.k });
      } else if (end.kind === 'goto') {
        if (end.target !== order[i + 1]) out.push(ja(start.get(end.target)! - (out.length + 1)));
      } else {
        const at = out.length;
        const tramp = far.get(b) ?? { t: false, f: false };
        const jt = tramp.t ? 0 : start.get(end.t)! - (at + 1);
        const jf = tramp.f ? (tramp.t ? 1 : 0) : start.get(end.f)! - (at + 1);
        out.push({ code: BPF_JMP | COND[end.op] | BPF_K, jt, jf, k: end.k });
        if (tramp.t) out.push(ja(start.get(end.t)! - (out.length + 1)));
        if (tramp.f) out.push(ja(start.get(end.f)! - (out.length + 1)));
        if (!tramp.t && jt > MAX_SHORT) throw new Error('bpf: jump out of range');
        if (!tramp.f && jf > MAX_SHORT) throw new Error('bpf: jump out of range');
      }
      for (const t of targets(end)) {
        if ((place.get(t) ?? -1) <= i) throw new Error(`bpf: block ${b} jumps backwards to ${t}`);
      }
    }
    return out;
  }

  /**
   * Blocks in reverse post-order of a depth-first walk: every block comes before the blocks it
   * jumps to (the code is acyclic), and the target walked last, the false exit or a JA's
   * target, tends to land right after its block, where the jump costs nothing.
   */
  private layout(entry: BlockId): BlockId[] {
    const post: BlockId[] = [];
    const state = new Map<BlockId, 'open' | 'done'>();
    // Iterative, so deep argument trees cannot overflow the stack.
    const stack: Array<{ b: BlockId; next: number }> = [{ b: entry, next: 0 }];
    state.set(entry, 'open');
    while (stack.length) {
      const top = stack.at(-1)!;
      const end = this.blocks[top.b]?.end;
      if (!end) throw new Error(`bpf: block ${top.b} has no terminator`);
      const succ = targets(end);
      if (top.next < succ.length) {
        const s = succ[top.next++]!;
        const st = state.get(s);
        if (st === 'open') throw new Error(`bpf: cycle through block ${s}`);
        if (!st) {
          state.set(s, 'open');
          stack.push({ b: s, next: 0 });
        }
        continue;
      }
      state.set(top.b, 'done');
      post.push(top.b);
      stack.pop();
    }
    return post.reverse();
  }
}

function targets(end: Terminator): BlockId[] {
  return end.kind === 'ret' ? [] : end.kind === 'goto' ? [end.target] : [end.t, end.f];
}

function ja(offset: number): Insn {
  return { code: BPF_JMP | BPF_JA, jt: 0, jf: 0, k: offset >>> 0 };
}

/** struct sock_filter[], little-endian (the byte order of every architecture supported here). */
export function encode(program: readonly Insn[]): Buffer {
  const buf = Buffer.alloc(program.length * SOCK_FILTER_SIZE);
  program.forEach((x, i) => {
    const o = i * SOCK_FILTER_SIZE;
    buf.writeUInt16LE(x.code, o);
    buf.writeUInt8(x.jt, o + 2);
    buf.writeUInt8(x.jf, o + 3);
    buf.writeUInt32LE(x.k >>> 0, o + 4);
  });
  return buf;
}

export function decode(buf: Buffer): Insn[] {
  if (buf.length % SOCK_FILTER_SIZE !== 0) throw new Error('bpf: program length is not a multiple of 8');
  const out: Insn[] = [];
  for (let o = 0; o < buf.length; o += SOCK_FILTER_SIZE) {
    out.push({ code: buf.readUInt16LE(o), jt: buf.readUInt8(o + 2), jf: buf.readUInt8(o + 3), k: buf.readUInt32LE(o + 4) });
  }
  return out;
}

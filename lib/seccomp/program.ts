// Lays out the filter: what each architecture word decides for each syscall number, as a BPF
// program.
//
//   load arch; one JEQ per architecture word of the filter → its section; else RET bad-arch
//   section: load nr; a binary search over the number ranges of the section → a RET, or the
//            argument tree of one syscall
//   argument tree: one block per test node: [load word] [AND mask] Jxx datum → targets
//
// A section is a piecewise function of the syscall number (see `Section`): ranges that end in
// the same action are merged before the search is built, so a large allow-list costs a few
// compares, not one per syscall. Actions are one shared RET per section and value.

import { Assembler } from './bpf.js';
import type { BlockId, CondOp, Insn } from './bpf.js';
import { levelStart } from './rule-tree.js';
import type { SyscallEntry, TestNode } from './rule-tree.js';

const NR_OFFSET = 0;
const ARCH_OFFSET = 4;
const FULL = 0xffffffff;

/** What a range of syscall numbers gets: a return value, or the argument tree of one syscall. */
export type Decision = { ret: number } | { entry: SyscallEntry; fallback: number };

export interface Range {
  from: number;
  to: number;
  decision: Decision;
}

/** One architecture word: its ranges, sorted, covering 0 … 0xffffffff without gaps. */
export interface Section {
  audit: number;
  ranges: Range[];
}

/**
 * The ranges of a section from layers of assignments, later layers winning: `layers[0]` should
 * cover every number. Adjacent ranges with the same return value are merged.
 */
export function flatten(layers: ReadonlyArray<ReadonlyArray<Range>>): Range[] {
  const cuts = new Set<number>([0]);
  for (const layer of layers) {
    for (const r of layer) {
      cuts.add(r.from);
      if (r.to < FULL) cuts.add(r.to + 1);
    }
  }
  const points = [...cuts].sort((a, b) => a - b);
  // Per layer, ranges sorted by start for a forward sweep.
  const sorted = layers.map((l) => [...l].sort((a, b) => a.from - b.from));
  const cursor = sorted.map(() => 0);
  const out: Range[] = [];
  for (const [i, from] of points.entries()) {
    const to = i + 1 < points.length ? points[i + 1]! - 1 : FULL;
    let decision: Decision | undefined;
    for (let l = sorted.length - 1; l >= 0 && !decision; l--) {
      const layer = sorted[l]!;
      while (cursor[l]! < layer.length && layer[cursor[l]!]!.to < from) cursor[l]!++;
      const r = layer[cursor[l]!];
      if (r && r.from <= from && r.to >= to) decision = r.decision;
    }
    if (!decision) throw new Error(`seccomp: no decision for syscall numbers ${from}…${to}`);
    const prev = out.at(-1);
    if (prev && 'ret' in prev.decision && 'ret' in decision && prev.decision.ret === decision.ret) prev.to = to;
    else out.push({ from, to, decision });
  }
  return out;
}

/** State of the accumulator: which seccomp_data word, after which mask. */
interface Acc {
  offset: number;
  mask: number;
}

interface TestBlock {
  id: BlockId;
  need: Acc;
  op: CondOp;
  datum: number;
  t?: BlockId;
  f?: BlockId;
  incoming: Acc[];
}

const OPS: Record<TestNode['op'], CondOp> = { EQ: 'JEQ', MASKED_EQ: 'JEQ', GT: 'JGT', GE: 'JGE' };

export function buildProgram(sections: readonly Section[], badArch: number): Insn[] {
  const asm = new Assembler();
  const tests = new Map<BlockId, TestBlock>();

  const entry = asm.block();
  asm.load(entry, ARCH_OFFSET);
  const badArchRet = asm.block();
  asm.ret(badArchRet, badArch);

  // The arch compares, in order, each falling through to the next.
  let at = entry;
  for (const [i, s] of sections.entries()) {
    const sectionStart = emitSection(asm, tests, s);
    const next = i + 1 < sections.length ? asm.block() : badArchRet;
    asm.jump(at, 'JEQ', s.audit, sectionStart, next);
    at = next;
  }
  if (!sections.length) asm.goto(entry, badArchRet);

  // Test blocks get their loads last, once every way into them is known.
  for (const tb of tests.values()) {
    const same = (a: Acc) => a.offset === tb.need.offset && a.mask === tb.need.mask;
    const loaded = (a: Acc) => a.offset === tb.need.offset && a.mask === FULL;
    if (!tb.incoming.every(same)) {
      if (!tb.incoming.every(loaded)) asm.load(tb.id, tb.need.offset);
      if (tb.need.mask !== FULL) asm.and(tb.id, tb.need.mask);
    }
    asm.jump(tb.id, tb.op, tb.datum, tb.t!, tb.f!);
  }
  return asm.assemble(entry);
}

function emitSection(asm: Assembler, tests: Map<BlockId, TestBlock>, s: Section): BlockId {
  const rets = new Map<number, BlockId>();
  const ret = (v: number) => {
    let b = rets.get(v);
    if (b === undefined) {
      b = asm.block();
      asm.ret(b, v);
      rets.set(v, b);
    }
    return b;
  };
  const trees = new TreeEmitter(asm, tests, ret);
  const NR: Acc = { offset: NR_OFFSET, mask: FULL };

  const start = asm.block();
  asm.load(start, NR_OFFSET);
  const leaf = (r: Range): BlockId => ('ret' in r.decision ? ret(r.decision.ret) : trees.entry(r.decision.entry, r.decision.fallback, NR));
  // Balanced search: JGE on the first number of the upper half.
  const search = (lo: number, hi: number, into: BlockId | undefined): BlockId => {
    if (lo === hi) {
      const target = leaf(s.ranges[lo]!);
      if (into !== undefined) asm.goto(into, target);
      return target;
    }
    const mid = (lo + hi + 1) >> 1;
    const b = into ?? asm.block();
    const upper = search(mid, hi, undefined);
    const lower = search(lo, mid - 1, undefined);
    asm.jump(b, 'JGE', s.ranges[mid]!.from, upper, lower);
    trees.from(upper, NR);
    trees.from(lower, NR);
    return b;
  };
  search(0, s.ranges.length - 1, start);
  trees.from(leaf(s.ranges[0]!), NR);
  return start;
}

/** Argument trees of one section: one block per test node and way of continuing. */
class TreeEmitter {
  // (level start, continuation) → the block of the level's first node
  private levels = new Map<TestNode, Map<BlockId, BlockId>>();

  constructor(
    private asm: Assembler,
    private tests: Map<BlockId, TestBlock>,
    private ret: (v: number) => BlockId,
  ) {}

  /** The block that runs `entry`'s tree; entered with the accumulator in state `acc`. */
  entry(e: SyscallEntry, fallback: number, acc: Acc): BlockId {
    if (!e.chains) return this.ret(e.action);
    const b = this.level(levelStart(e.chains), this.ret(fallback));
    this.from(b, acc);
    return b;
  }

  /** Records a way into `b` with the accumulator in state `acc` (only test blocks care). */
  from(b: BlockId, acc: Acc): void {
    this.tests.get(b)?.incoming.push(acc);
  }

  private level(first: TestNode, cont: BlockId): BlockId {
    let byCont = this.levels.get(first);
    if (!byCont) this.levels.set(first, (byCont = new Map()));
    const known = byCont.get(cont);
    if (known !== undefined) return known;
    // Blocks for every node first, so each can name its successor as its fall-through.
    const nodes: TestNode[] = [];
    for (let n: TestNode | null = first; n; n = n.next) nodes.push(n);
    const blocks = nodes.map(() => this.asm.block());
    byCont.set(cont, blocks[0]!);
    nodes.forEach((n, i) => {
      const tb: TestBlock = { id: blocks[i]!, need: { offset: n.offset, mask: n.mask }, op: OPS[n.op], datum: n.datum, incoming: [] };
      this.tests.set(tb.id, tb);
    });
    nodes.forEach((n, i) => {
      const tb = this.tests.get(blocks[i]!)!;
      const after = i + 1 < nodes.length ? blocks[i + 1]! : cont;
      const exit = (sub: TestNode | null, has: boolean, action: number): BlockId => (sub ? this.level(levelStart(sub), after) : has ? this.ret(action) : after);
      tb.t = exit(n.onTrue, n.hasTrueAction, n.trueAction);
      tb.f = exit(n.onFalse, n.hasFalseAction, n.falseAction);
      this.from(tb.t, tb.need);
      this.from(tb.f, tb.need);
    });
    return blocks[0]!;
  }
}

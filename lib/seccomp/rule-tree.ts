// The rules of one architecture, merged per syscall into a tree of 32-bit word tests, with the
// same merge results as libseccomp 2.5.4. That is what "exactly as strict as libseccomp" rests
// on: which of two overlapping rules wins, which conflicting pair is refused, and which rule is
// swallowed by a broader one all fall out of how libseccomp merges, not out of a simple
// "first match" or "last match" rule. The behaviour was worked out from libseccomp's source and
// is pinned down by the differential test (test/unit/seccomp/differential.test.ts); the code
// here is written for this project. Its shape follows the data libseccomp keeps, because the
// results depend on it:
//
//   - A test node compares one 32-bit word of one argument (the high or the low half on 64-bit
//     ABIs). Each outcome either ends in an action, continues at a deeper level, or (neither)
//     falls through to the node's next sibling.
//   - A level is a doubly linked list of sibling nodes, kept sorted (see `below`). Parents hold
//     a pointer to some node of a level, not necessarily its first one, and the same level can
//     hang under several parents (a 64-bit GT test has two accepting exits).
//   - Nodes are reference counted the way libseccomp counts them, because a pruning pass decides
//     whether to keep looking at a node by whether the node is still alive.
//
// BPF for the tree is generated elsewhere (program.ts); `evaluate` here is the reference
// semantics of a tree, used by the tests.

/** A comparison as a rule holds it: on 64-bit values, MASKED_EQ's mask in `mask`. */
export interface ArgCompare {
  op: CompareOp;
  mask: bigint;
  datum: bigint;
}

export type CompareOp = 'SCMP_CMP_NE' | 'SCMP_CMP_LT' | 'SCMP_CMP_LE' | 'SCMP_CMP_EQ' | 'SCMP_CMP_GE' | 'SCMP_CMP_GT' | 'SCMP_CMP_MASKED_EQ';

/** One rule for one syscall: an action and up to one comparison per argument (index = argument). */
export interface Rule {
  action: number;
  args: ReadonlyArray<ArgCompare | undefined>;
}

/** The jump a test node ends in: compare the (masked) word with the datum. */
export type WordOp = 'EQ' | 'MASKED_EQ' | 'GT' | 'GE';

const U32 = 0xffffffffn;
const lo32 = (v: bigint) => Number(v & U32);
const hi32 = (v: bigint) => Number((v >> 32n) & U32);

export class TestNode {
  prev: TestNode | null = null;
  next: TestNode | null = null;
  onTrue: TestNode | null = null;
  onFalse: TestNode | null = null;
  hasTrueAction = false;
  hasFalseAction = false;
  // Kept even when the flag is off: one merge step copies it unconditionally.
  trueAction = 0;
  falseAction = 0;
  refs = 0;

  constructor(
    readonly arg: number,
    readonly high: boolean,
    readonly op: WordOp,
    /** The rule's operator, which orders siblings. */
    readonly ruleOp: CompareOp,
    readonly mask: number,
    /** Already masked. */
    readonly datum: number,
    /** The rule's whole 64-bit operand. */
    readonly fullDatum: bigint,
  ) {}

  /** seccomp_data offset of the word (little-endian ABIs: low word first). */
  get offset(): number {
    return 16 + 8 * this.arg + (this.high ? 4 : 0);
  }
}

export interface SyscallEntry {
  nr: number;
  /** The action when there is no tree. */
  action: number;
  /** Some node of the top level, or null for an unconditional entry. */
  chains: TestNode | null;
}

/** A merge libseccomp refuses: two rules test the same thing with different outcomes. */
export class RuleConflict extends Error {}

/**
 * A merge that corrupts the tree into a loop. libseccomp 2.5.4 then never returns (found by the
 * differential test's generator: runc would hang creating the container); we stop and refuse.
 */
export class RuleLoop extends Error {}

// Work allowed for one rule: far above what any real merge needs (a merge visits each existing
// node a few times), low enough to fail fast.
const STEP_LIMIT = 2_000_000;
let steps = 0;
function step(): void {
  if (++steps > STEP_LIMIT) throw new RuleLoop();
}

// ---------------------------------------------------------------------------------------------
// Building the chain of one rule

function word(arg: number, high: boolean, op: WordOp, ruleOp: CompareOp, mask: number, datum: number, full: bigint): TestNode {
  return new TestNode(arg, high, op, ruleOp, mask >>> 0, (datum & mask) >>> 0, full);
}

function ref<T extends TestNode | null>(n: T): T {
  if (n) n.refs++;
  return n;
}

/**
 * A rule as a chain of tests, one argument after the other in argument order. Per argument on a
 * 64-bit ABI (H = high word, L = low word, "→" the accepting exit):
 *   EQ, MASKED_EQ  H==  true→ L==  true→
 *   NE             H==  false→, true→ L== false→
 *   GT, GE         H>   true→, false→ H==  true→ L> (GT) / L>= (GE)  true→
 *   LT, LE         H>   false→ H== false→, true→ L>= (LT) / L> (LE)  false→
 * On 32-bit ABIs only the low word is tested, NE/LT/LE as EQ/GE/GT with the false exit.
 * MASKED_EQ with a mask that leaves nothing to test is dropped (on 32-bit ABIs: the low half).
 */
function chainFor(rule: Rule, wordBits: 32 | 64): TestNode | null {
  let head: TestNode | null = null;
  // The previous argument's nodes and exits, to hang the next argument on.
  let exits: Array<[TestNode, 'onTrue' | 'onFalse']> = [];
  let last: { nodes: TestNode[]; op: CompareOp } | undefined;
  const link = (first: TestNode) => {
    if (!head) head = ref(first);
    for (const [n, side] of exits) n[side] = ref(first);
  };
  for (let arg = 0; arg < 6; arg++) {
    const c = rule.args[arg];
    if (!c) continue;
    const maskLo = lo32(c.mask);
    const maskHi = hi32(c.mask);
    if (wordBits === 32) {
      if (c.op === 'SCMP_CMP_MASKED_EQ' && maskLo === 0) continue;
      const [op, side]: [WordOp, 'onTrue' | 'onFalse'] =
        c.op === 'SCMP_CMP_NE' ? ['EQ', 'onFalse'] : c.op === 'SCMP_CMP_LT' ? ['GE', 'onFalse'] : c.op === 'SCMP_CMP_LE' ? ['GT', 'onFalse'] : c.op === 'SCMP_CMP_EQ' ? ['EQ', 'onTrue'] : c.op === 'SCMP_CMP_MASKED_EQ' ? ['MASKED_EQ', 'onTrue'] : c.op === 'SCMP_CMP_GT' ? ['GT', 'onTrue'] : ['GE', 'onTrue'];
      const n = word(arg, false, op, c.op, maskLo, lo32(c.datum), c.datum);
      link(n);
      exits = [[n, side]];
      last = { nodes: [n], op: c.op };
      continue;
    }
    if (c.op === 'SCMP_CMP_MASKED_EQ' && maskLo === 0 && maskHi === 0) continue;
    const dLo = lo32(c.datum);
    const dHi = hi32(c.datum);
    switch (c.op) {
      case 'SCMP_CMP_GT':
      case 'SCMP_CMP_GE':
      case 'SCMP_CMP_LT':
      case 'SCMP_CMP_LE': {
        const h1 = word(arg, true, 'GT', c.op, maskHi, dHi, c.datum);
        const h2 = word(arg, true, 'EQ', c.op, maskHi, dHi, c.datum);
        const lowOp: WordOp = c.op === 'SCMP_CMP_GT' || c.op === 'SCMP_CMP_LE' ? 'GT' : 'GE';
        const l = word(arg, false, lowOp, c.op, maskLo, dLo, c.datum);
        h1.onFalse = ref(h2);
        h2.onTrue = ref(l);
        link(h1);
        exits = c.op === 'SCMP_CMP_GT' || c.op === 'SCMP_CMP_GE' ? [[h1, 'onTrue'], [l, 'onTrue']] : [[h2, 'onFalse'], [l, 'onFalse']];
        last = { nodes: [h1, h2, l], op: c.op };
        break;
      }
      default: {
        const op: WordOp = c.op === 'SCMP_CMP_MASKED_EQ' ? 'MASKED_EQ' : 'EQ';
        const h = word(arg, true, op, c.op, maskHi, dHi, c.datum);
        const l = word(arg, false, op, c.op, maskLo, dLo, c.datum);
        h.onTrue = ref(l);
        link(h);
        exits = c.op === 'SCMP_CMP_NE' ? [[h, 'onFalse'], [l, 'onFalse']] : [[l, 'onTrue']];
        last = { nodes: [h, l], op: c.op };
      }
    }
  }
  if (!last) return null;
  for (const [n, side] of exits) {
    if (side === 'onTrue') {
      n.hasTrueAction = true;
      n.trueAction = rule.action;
    } else {
      n.hasFalseAction = true;
      n.falseAction = rule.action;
    }
  }
  return head;
}

// ---------------------------------------------------------------------------------------------
// Node identity, order and lifetime

const argRank = (n: TestNode) => n.arg * 2 + (n.high ? 1 : 0);
const opRank = (op: CompareOp) => (op === 'SCMP_CMP_EQ' || op === 'SCMP_CMP_NE' || op === 'SCMP_CMP_MASKED_EQ' ? 3 : op === 'SCMP_CMP_LT' || op === 'SCMP_CMP_LE' ? 2 : 1);

/** Nodes that test the same thing merge into one. */
function sameTest(a: TestNode, b: TestNode): boolean {
  return argRank(a) === argRank(b) && a.op === b.op && a.datum === b.datum && a.mask === b.mask;
}

/**
 * Sibling order: a level is kept with the greater nodes first, so `below(a, b)` means a is
 * evaluated after b. Later arguments and high words rank higher, then equality tests, then
 * LT/LE, then GT/GE; within LT/LE smaller operands rank higher, otherwise larger ones do.
 */
function below(a: TestNode, b: TestNode): boolean {
  const ra = argRank(a);
  const rb = argRank(b);
  if (ra !== rb) return ra < rb;
  const oa = opRank(a.ruleOp);
  const ob = opRank(b.ruleOp);
  if (oa !== ob) return oa < ob;
  return a.ruleOp === 'SCMP_CMP_LT' || a.ruleOp === 'SCMP_CMP_LE' ? a.datum > b.datum : a.datum < b.datum;
}

const isLeaf = (n: TestNode) => !n.onTrue && !n.onFalse;
const isZombie = (n: TestNode) => isLeaf(n) && !n.hasTrueAction && !n.hasFalseAction;

function levelStart(n: TestNode): TestNode {
  while (n.prev) {
    step();
    n = n.prev;
  }
  return n;
}

/**
 * Drops one reference. A node whose last reference goes is unlinked from its level and its
 * subtrees are released. Returns how many nodes were freed and what a pointer to the node
 * should now hold (the node itself if it lives on).
 */
function release(n: TestNode | null): { freed: number; node: TestNode | null } {
  if (!n) return { freed: 0, node: null };
  if (--n.refs !== 0) return { freed: 0, node: n };
  let freed = 0;
  let p = n.prev;
  let q = n.next;
  const t = n.onTrue;
  const f = n.onFalse;
  if (p) p.next = null;
  if (q) q.prev = null;
  if (p) {
    const r = release(p);
    freed += r.freed;
    p = r.node;
  }
  if (q) {
    const r = release(q);
    freed += r.freed;
    q = r.node;
  }
  if (p) p.next = ref(q);
  if (q) q.prev = ref(p);
  freed += releaseTree(t) + releaseTree(f) + 1;
  return { freed, node: p ?? q ?? null };
}

/** Releases a pointer into a level, then the whole level if nothing outside it holds it. */
function releaseTree(n: TestNode | null): number {
  const r = release(n);
  return r.freed + (r.node ? sweepLevel(r.node) : 0);
}

function sweepLevel(n: TestNode): number {
  const start = levelStart(n);
  for (let m: TestNode | null = start; m; m = m.next) {
    step();
    const links = (m.prev ? 1 : 0) + (m.next ? 1 : 0);
    if (m.refs > links) return 0;
  }
  let freed = 0;
  let m: TestNode | null = start;
  while (m) {
    step();
    const r = release(m);
    freed += r.freed;
    // A node that survives its release is held from elsewhere after all; stop rather than spin.
    if (r.node === m) break;
    m = r.node;
  }
  return freed;
}

/** True if every action in the levels reachable from `n` (its whole level included) is `action`. */
function allActionsAre(n: TestNode | null, action: number): boolean {
  if (!n) return true;
  for (let m: TestNode | null = levelStart(n); m; m = m.next) {
    step();
    if (m.hasTrueAction && m.trueAction !== action) return false;
    if (m.hasFalseAction && m.falseAction !== action) return false;
    if (!allActionsAre(m.onTrue, action) || !allActionsAre(m.onFalse, action)) return false;
  }
  return true;
}

/** A place holding a node pointer: the entry's top level, or one exit of a node. */
interface Slot {
  get(): TestNode | null;
  set(n: TestNode | null): void;
}
const exitSlot = (n: TestNode, side: 'onTrue' | 'onFalse'): Slot => ({ get: () => n[side], set: (v) => (n[side] = v) });
const entrySlot = (e: SyscallEntry): Slot => ({ get: () => e.chains, set: (v) => (e.chains = v) });

/**
 * Takes `target` out of the tree under `slot`, searching depth first in level order; on the way
 * it also drops nodes left with nothing to do. The search stops at the first level that gave
 * something up.
 */
function removeNode(slot: Slot, target: TestNode): number {
  const top = slot.get();
  if (!top) return 0;
  let freed = 0;
  let c: TestNode | null = levelStart(top);
  let hit: TestNode | undefined;
  do {
    step();
    if (c === target) {
      hit = c;
      break;
    }
    freed += removeNode(exitSlot(c, 'onTrue'), target);
    freed += removeNode(exitSlot(c, 'onFalse'), target);
    if (isZombie(c)) {
      hit = c;
      break;
    }
    c = c.next;
  } while (c && freed === 0);
  if (!hit) return freed;
  if (hit === slot.get()) slot.set(hit.prev ?? hit.next);
  if (hit.prev) hit.prev.next = hit.next;
  if (hit.next) hit.next.prev = hit.prev;
  hit.prev = null;
  hit.next = null;
  return freed + release(hit).freed;
}

// ---------------------------------------------------------------------------------------------
// Pruning: before a new chain is merged, parts of the existing tree that the new chain makes
// redundant (same action, implied condition) are cut, and a new chain that adds nothing is
// recognised.

const MATCH = 0x1;
const MATCH_ONCE = 0x2;
const X_FINISHED = 0x10;
const N_FINISHED = 0x20;
const X_PREFIX = 0x100;
const N_PREFIX = 0x200;
const MATCH_SET = MATCH | MATCH_ONCE;
const REDUNDANT = MATCH | X_FINISHED | N_PREFIX;

interface PruneState {
  flags: number;
  action: number;
  entry: SyscallEntry;
}

function prune(existing: TestNode | null, added: TestNode | null, state: PruneState): number {
  let freed = 0;
  const mine: PruneState = { ...state };
  const done = () => {
    if (mine.flags & MATCH) state.flags |= mine.flags;
    else state.flags &= ~MATCH;
    return freed;
  };
  if (!added || !existing) return done();
  if ((state.flags & MATCH_SET) === MATCH_ONCE) return done();

  // Descends into `x` (kept alive meanwhile); false when `x` died on the way.
  const descend = (x: TestNode, sub: TestNode | null, nodeSide: TestNode | null, flagsIn: (f: number) => number): { alive: TestNode | null; flags: number } => {
    ref(x);
    const next: PruneState = { ...state, flags: flagsIn(state.flags) };
    freed += prune(sub, nodeSide, next);
    const r = release(x);
    freed += r.freed;
    return { alive: r.node, flags: next.flags };
  };

  let x: TestNode | null = levelStart(existing);
  const n = added;
  do {
    step();
    const following: TestNode | null = x.next;
    let cur: TestNode | null = x;
    if (sameTest(cur, n)) {
      mine.flags |= MATCH_SET;
      if (isLeaf(n)) mine.flags |= N_FINISHED;
      if (isLeaf(cur)) mine.flags |= X_FINISHED;
      // The existing node does more than the new one on some side: nothing to cut here.
      if ((cur.hasTrueAction || cur.onTrue) && !(n.hasTrueAction || n.onTrue)) return done();
      if ((cur.hasFalseAction || cur.onFalse) && !(n.hasFalseAction || n.onFalse)) return done();
      if (mine.flags & N_FINISHED && mine.flags & X_FINISHED) {
        if (n.hasTrueAction !== cur.hasTrueAction || n.trueAction !== cur.trueAction) return done();
        if (n.hasFalseAction !== cur.hasFalseAction || n.falseAction !== cur.falseAction) return done();
      }
      let gone = false;
      for (const side of ['onTrue', 'onFalse'] as const) {
        if (!n[side]) continue;
        const r = descend(cur, cur[side], n[side], (f) => f | MATCH_SET);
        if (r.flags & MATCH) mine.flags |= r.flags;
        cur = r.alive;
        if (!cur) {
          gone = true;
          break;
        }
      }
      if (!gone && cur) {
        const sameAction = allActionsAre(cur, mine.action);
        if (sameAction && mine.flags & MATCH && mine.flags & N_FINISHED && mine.flags & X_PREFIX) {
          // The new chain is shorter: the existing longer path goes.
          freed += removeNode(entrySlot(state.entry), cur);
          if (!state.entry.chains) return done();
        } else if (sameAction && mine.flags & MATCH && mine.flags & X_FINISHED && mine.flags & N_PREFIX) {
          // The existing chain is shorter: the new one adds nothing.
          return done();
        }
      }
    } else if (below(cur, n)) {
      if (state.flags & N_PREFIX) return done();
      for (const side of ['onTrue', 'onFalse'] as const) {
        if (!cur[side]) continue;
        const r = descend(cur, cur[side], n, (f) => (f & ~MATCH) | X_PREFIX);
        if (r.flags & MATCH) {
          mine.flags |= r.flags;
          return done();
        }
        cur = r.alive;
        if (!cur) break;
      }
    } else {
      if (state.flags & X_PREFIX) return done();
      for (const side of ['onTrue', 'onFalse'] as const) {
        if (!n[side]) continue;
        const r = descend(cur, cur, n[side], (f) => (f & ~MATCH) | N_PREFIX);
        if (r.flags & MATCH) {
          mine.flags |= r.flags;
          return done();
        }
        cur = r.alive;
        if (!cur) break;
      }
    }
    x = following;
  } while (x);
  mine.flags &= ~MATCH;
  return done();
}

// ---------------------------------------------------------------------------------------------
// Merging a new chain into a level

function merge(slot: Slot, added: TestNode): void {
  let x = slot.get()!;
  const n = added;
  for (;;) {
    step();
    if (sameTest(x, n)) {
      if (n.hasTrueAction) {
        if (!x.hasTrueAction) {
          if (!allActionsAre(x.onTrue, n.trueAction)) throw new RuleConflict();
          release(x.onTrue);
          x.onTrue = null;
          x.trueAction = n.trueAction;
          x.hasTrueAction = true;
        } else if (n.trueAction !== x.trueAction) {
          // On a high word a larger operand is the narrower GT/GE test, which then decides.
          if (n.high && n.fullDatum > x.fullDatum) x.trueAction = n.trueAction;
          if (isLeaf(x) || isLeaf(n)) throw new RuleConflict();
        }
      }
      if (n.hasFalseAction) {
        if (!x.hasFalseAction) {
          if (!allActionsAre(x.onFalse, n.falseAction)) throw new RuleConflict();
          release(x.onFalse);
          x.onFalse = null;
          x.falseAction = n.falseAction;
          x.hasFalseAction = true;
        } else if (n.falseAction !== x.falseAction) {
          // libseccomp updates the true action here (for LT/LE it means the false one); kept
          // as it is, since the results must be the same.
          if (n.high && n.fullDatum < x.fullDatum) x.trueAction = n.trueAction;
          if (isLeaf(x) || isLeaf(n)) throw new RuleConflict();
        }
      }
      for (const side of ['onTrue', 'onFalse'] as const) {
        const sub = n[side];
        if (!sub) continue;
        if (x[side]) merge(exitSlot(x, side), sub);
        else if (!(side === 'onTrue' ? x.hasTrueAction : x.hasFalseAction)) x[side] = ref(sub);
        else return; // the existing node already decides this side
      }
      return;
    }
    if (!below(x, n)) {
      if (!x.next) {
        n.prev = ref(x);
        x.next = ref(n);
        return;
      }
      x = x.next;
      continue;
    }
    // Insert before x.
    if (x.prev) {
      x.prev.next = ref(n);
      n.prev = x.prev;
      x.prev = ref(n);
      n.next = x;
    } else {
      x.prev = ref(n);
      n.next = ref(x);
    }
    if (slot.get() === x) {
      slot.set(ref(n));
      release(x);
    }
    return;
  }
}

// ---------------------------------------------------------------------------------------------

/** The merged rules of one architecture, by syscall number. */
export class ArchRules {
  readonly entries = new Map<number, SyscallEntry>();
  constructor(readonly wordBits: 32 | 64) {}

  /**
   * Adds a rule for syscall `nr`; throws RuleConflict where libseccomp returns EEXIST, RuleLoop
   * where libseccomp would never return.
   */
  add(nr: number, rule: Rule): void {
    steps = 0;
    this.merge(nr, rule);
    const e = this.entries.get(nr);
    if (e?.chains) checkShape(e.chains);
  }

  private merge(nr: number, rule: Rule): void {
    const chain = chainFor(rule, this.wordBits);
    const entry = this.entries.get(nr);
    if (!entry) {
      this.entries.set(nr, { nr, action: rule.action, chains: chain });
      return;
    }
    let pruned = false;
    for (;;) {
      if (!entry.chains) {
        if (pruned) {
          // The new rule cut the whole tree: it takes the entry over.
          entry.chains = chain;
          entry.action = rule.action;
        } else {
          // Unconditional already: at least as broad as anything new.
          releaseTree(chain);
        }
        return;
      }
      if (!chain) {
        // Unconditional now: the tree goes, the new action stands.
        releaseTree(entry.chains);
        entry.chains = null;
        entry.action = rule.action;
        return;
      }
      const state: PruneState = { flags: 0, action: rule.action, entry };
      const cut = prune(entry.chains, chain, state);
      if (cut > 0) {
        pruned = true;
        if (!entry.chains) continue;
      } else if ((state.flags & REDUNDANT) === REDUNDANT) {
        releaseTree(chain);
        return;
      }
      merge(entrySlot(entry), chain);
      releaseTree(chain);
      return;
    }
  }
}

/**
 * Checks that the tree under `top` can be walked: every level a finite list, no level reachable
 * from itself. Code generation and evaluation rely on both.
 */
function checkShape(top: TestNode): void {
  const done = new Set<TestNode>();
  const open = new Set<TestNode>();
  const visit = (some: TestNode) => {
    const first = levelStart(some);
    if (done.has(first)) return;
    if (open.has(first)) throw new RuleLoop();
    open.add(first);
    const seen = new Set<TestNode>();
    for (let n: TestNode | null = first; n; n = n.next) {
      step();
      if (seen.has(n) || (n.next && n.next.prev !== n)) throw new RuleLoop();
      seen.add(n);
      if (n.onTrue) visit(n.onTrue);
      if (n.onFalse) visit(n.onFalse);
    }
    open.delete(first);
    done.add(first);
  };
  visit(top);
}

// ---------------------------------------------------------------------------------------------
// Reference semantics

/** The word a node tests, from 64-bit argument values. */
export function nodeWord(n: TestNode, args: readonly bigint[]): number {
  const v = args[n.arg] ?? 0n;
  return n.high ? hi32(v) : lo32(v);
}

function test(n: TestNode, w: number): boolean {
  const a = (w & n.mask) >>> 0;
  switch (n.op) {
    case 'EQ':
    case 'MASKED_EQ':
      return a === n.datum;
    case 'GT':
      return a > n.datum;
    case 'GE':
      return a >= n.datum;
  }
}

/**
 * What the entry decides for these arguments, reading the tree the way the generated BPF runs
 * it: siblings in order, an exit without action or deeper level falls through to the next
 * sibling, a deeper level that falls through returns to the sibling after its parent.
 * `fallback` is the action when nothing decides (the default action).
 */
export function evaluate(entry: SyscallEntry, args: readonly bigint[], fallback: number): number {
  if (!entry.chains) return entry.action;
  const level = (start: TestNode): number | undefined => {
    for (let n: TestNode | null = levelStart(start); n; n = n.next) {
      const r = test(n, nodeWord(n, args));
      const sub = r ? n.onTrue : n.onFalse;
      if (sub) {
        const d = level(sub);
        if (d !== undefined) return d;
      } else if (r ? n.hasTrueAction : n.hasFalseAction) {
        return r ? n.trueAction : n.falseAction;
      }
    }
    return undefined;
  };
  return level(entry.chains) ?? fallback;
}

export { levelStart };

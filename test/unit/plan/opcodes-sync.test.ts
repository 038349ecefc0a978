// native/plan.h and lib/plan/opcodes.ts describe the same wire format from both ends. This test
// reads plan.h as text and checks that every CS_* constant in it has its TypeScript counterpart
// with the same value, and the other way round, so changing one side only fails here.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as opcodes from '../../../lib/plan/opcodes.js';
import { ChdirWhen, MSG_ERROR_LEN, MSG_HEADER_LEN, MountKind, Msg, Op } from '../../../lib/plan/opcodes.js';

const HEADER_PATH = resolve(import.meta.dirname, '../../../native/plan.h');
const HEADER = readFileSync(HEADER_PATH, 'utf8');

// ---------------------------------------------------------------------------------------------
// A small reader for the C header: #defines, enums and structs of fixed-size fields.

interface ParsedHeader {
  /** every CS_* #define and enum member, by name */
  constants: Map<string, number>;
  /** enum name -> its members in order */
  enums: Map<string, string[]>;
  /** struct name -> byte size (fixed-width fields only, natural alignment checked) */
  structSizes: Map<string, number>;
}

function stripComments(c: string): string {
  return c.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
}

/** Evaluates the constant expressions plan.h uses: integers (with u/U/l suffixes), 'c', ( ), <<, |. */
function evalC(expr: string, known: Map<string, number> = new Map()): number {
  const tokens = expr.match(/0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|'[^'\\]'|<<|[()|]|[A-Za-z_]\w*|\S/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const primary = (): number => {
    const t = tokens[i++];
    if (t === undefined) throw new Error(`unexpected end of expression: ${expr}`);
    if (t === '(') {
      const v = or();
      if (tokens[i++] !== ')') throw new Error(`missing ) in: ${expr}`);
      return v;
    }
    if (/^'.'$/.test(t)) return t.charCodeAt(1);
    if (/^(0[xX][0-9a-fA-F]+|\d+)[uUlL]*$/.test(t)) return Number(t.replace(/[uUlL]+$/, ''));
    if (known.has(t)) return known.get(t)!;
    throw new Error(`cannot evaluate "${t}" in: ${expr}`);
  };
  const shift = (): number => {
    let v = primary();
    while (peek() === '<<') {
      i++;
      v = v * 2 ** primary();
    }
    return v;
  };
  const or = (): number => {
    let v = shift();
    while (peek() === '|') {
      i++;
      v = Number(BigInt(v) | BigInt(shift()));
    }
    return v;
  };
  const v = or();
  if (i !== tokens.length) throw new Error(`trailing tokens in: ${expr}`);
  return v;
}

const C_TYPE_SIZES: Record<string, number> = {
  char: 1,
  int8_t: 1,
  uint8_t: 1,
  int16_t: 2,
  uint16_t: 2,
  int32_t: 4,
  uint32_t: 4,
  int64_t: 8,
  uint64_t: 8,
};

function parseHeader(text: string): ParsedHeader {
  const src = stripComments(text);
  const constants = new Map<string, number>();
  const enums = new Map<string, string[]>();
  const structSizes = new Map<string, number>();

  for (const m of src.matchAll(/^[ \t]*#define[ \t]+(CS_\w+)[ \t]+(.+?)[ \t]*$/gm)) {
    constants.set(m[1]!, evalC(m[2]!, constants));
  }
  for (const m of src.matchAll(/enum\s+(\w+)\s*\{([^}]*)\}/g)) {
    const members: string[] = [];
    let next = 0;
    for (const raw of m[2]!.split(',')) {
      const entry = raw.trim();
      if (!entry) continue;
      const em = /^(\w+)\s*(?:=\s*(.+))?$/s.exec(entry);
      if (!em) throw new Error(`cannot parse enum ${m[1]} member: ${entry}`);
      const value = em[2] === undefined ? next : evalC(em[2], constants);
      constants.set(em[1]!, value);
      members.push(em[1]!);
      next = value + 1;
    }
    enums.set(m[1]!, members);
  }
  for (const m of src.matchAll(/struct\s+(\w+)\s*\{([^}]*)\}/g)) {
    let size = 0;
    for (const raw of m[2]!.split(';')) {
      const decl = raw.trim();
      if (!decl) continue;
      const dm = /^(\w+)\s+\w+\s*(?:\[\s*(\d+)\s*\])?$/.exec(decl);
      if (!dm || !(dm[1]! in C_TYPE_SIZES)) throw new Error(`cannot size struct ${m[1]} field: ${decl}`);
      const elem = C_TYPE_SIZES[dm[1]!]!;
      // Natural alignment without padding: true for every struct the wire format uses.
      if (size % elem !== 0) throw new Error(`struct ${m[1]} field "${decl}" would need padding`);
      size += elem * Number(dm[2] ?? 1);
    }
    structSizes.set(m[1]!, size);
  }
  return { constants, enums, structSizes };
}

// ---------------------------------------------------------------------------------------------
// The TypeScript side, under the C names.

function tsConstants(mod: Record<string, unknown> = opcodes): Map<string, number> {
  const ts = new Map<string, number>();
  const add = (name: string, value: unknown) => {
    if (typeof value !== 'number') throw new Error(`${name} is not a number in opcodes.ts`);
    ts.set(name, value);
  };
  for (const [k, v] of Object.entries(mod.Op as object)) add(`CS_OP_${k}`, v);
  for (const [k, v] of Object.entries(mod.Msg as object)) add(`CS_MSG_${k}`, v);
  for (const [k, v] of Object.entries(mod.MountKind as object)) add(`CS_MOUNT_${k}`, v);
  for (const [k, v] of Object.entries(mod.ChdirWhen as object)) add(`CS_CHDIR_${k}`, v);
  for (const [k, v] of Object.entries(mod.ExecHow as object)) add(`CS_EXEC_${k}`, v);
  // MF_* and SB_* are top-level exports: pick them all, so a TS-only flag is noticed too.
  for (const [k, v] of Object.entries(mod)) if (/^(MF|SB)_/.test(k)) add(`CS_${k}`, v);
  add('CS_PLAN_MAGIC', mod.PLAN_MAGIC);
  add('CS_PLAN_VERSION', mod.PLAN_VERSION);
  add('CS_PLAN_HEADER_LEN', mod.PLAN_HEADER_LEN);
  add('CS_OP_HEADER_LEN', mod.OP_HEADER_LEN);
  add('CS_PLAN_MAX_LEN', mod.PLAN_MAX_LEN);
  add('CS_PLAN_MAX_OPS', mod.PLAN_MAX_OPS);
  add('CS_TAG_U64', mod.TAG_U64);
  add('CS_TAG_STR', mod.TAG_STR);
  add('CS_TAG_BYTES', mod.TAG_BYTES);
  add('CS_START_REQUEST', (mod.START_REQUEST as string).charCodeAt(0));
  return ts;
}

/** Constants that exist on the native side only, on purpose. */
const NATIVE_ONLY: Record<string, string> = {
  CS_OP_MAX_: 'enum sentinel: the bound of the child dispatch table (checked below)',
  CS_MSG_MAX_PAYLOAD: "the child's send buffer; the TypeScript reader takes any length",
};

/** Known drift, each one a failing expectation (it.fails) until someone fixes it. None today. */
const KNOWN_GAPS = new Set<string>();

/** Every disagreement between the two sides, as readable lines. */
function compare(c: Map<string, number>, ts: Map<string, number>): string[] {
  const problems: string[] = [];
  for (const [name, value] of c) {
    if (name in NATIVE_ONLY) continue;
    if (!ts.has(name)) problems.push(`${name} = ${value} in plan.h has no counterpart in opcodes.ts`);
    else if (ts.get(name) !== value) problems.push(`${name}: plan.h says ${value}, opcodes.ts says ${ts.get(name)}`);
  }
  for (const [name, value] of ts) {
    if (!c.has(name)) problems.push(`${name} = ${value} in opcodes.ts has no counterpart in plan.h`);
  }
  return problems;
}

const header = parseHeader(HEADER);
const TS = tsConstants();

describe('the plan.h reader', () => {
  it('evaluates the expressions plan.h uses', () => {
    expect(evalC('0x4c505343u')).toBe(0x4c505343);
    expect(evalC('(16u << 20)')).toBe(16 << 20);
    expect(evalC("'S'")).toBe(83);
    expect(evalC('0x10')).toBe(16);
    expect(evalC('1 | 4')).toBe(5);
    expect(() => evalC('sizeof(int)')).toThrow();
  });

  it('finds the enums and a plausible number of constants (a broken reader must not pass vacuously)', () => {
    expect([...header.enums.keys()]).toEqual(expect.arrayContaining(['cs_op', 'cs_mount_kind', 'cs_msg_type']));
    expect(header.enums.get('cs_op')!.length).toBeGreaterThanOrEqual(Object.keys(Op).length);
    expect(header.constants.size).toBeGreaterThan(60);
  });

  it('handles enum members without a value (previous + 1)', () => {
    const h = parseHeader('enum e { CS_A = 5, CS_B, CS_C = 1 << 3, CS_D };');
    expect([...h.constants]).toEqual([
      ['CS_A', 5],
      ['CS_B', 6],
      ['CS_C', 8],
      ['CS_D', 9],
    ]);
  });
});

describe('plan.h -> opcodes.ts', () => {
  const rows = [...header.constants].filter(([name]) => !(name in NATIVE_ONLY));
  for (const [name, value] of rows) {
    const check = () => {
      expect(TS.has(name), `${name} has no counterpart in lib/plan/opcodes.ts`).toBe(true);
      expect(TS.get(name), name).toBe(value);
    };
    if (KNOWN_GAPS.has(name)) it.fails(`${name} = ${value} (known gap, see KNOWN_GAPS)`, check);
    else it(`${name} = ${value}`, check);
  }
});

describe('opcodes.ts -> plan.h', () => {
  it.each([...TS])('%s = %i', (name, value) => {
    expect(header.constants.has(name), `${name} has no counterpart in native/plan.h`).toBe(true);
    expect(header.constants.get(name)).toBe(value);
  });
});

describe('whole-table checks', () => {
  it('the only disagreements are the known gaps', () => {
    const problems = compare(header.constants, TS);
    expect(problems.map((p) => p.split(' ')[0]).sort()).toEqual([...KNOWN_GAPS].filter((g) => header.constants.has(g)).sort());
  });

  it('every op code is below CS_OP_MAX_ and fits the u16 code field', () => {
    const max = header.constants.get('CS_OP_MAX_')!;
    expect(max).toBeLessThanOrEqual(0xffff);
    for (const [name, code] of Object.entries(Op)) expect(code, name).toBeLessThan(max);
  });

  it('op codes, message types, mount kinds and chdir modes are unique', () => {
    for (const table of [Op, Msg, MountKind, ChdirWhen]) {
      const values = Object.values(table);
      expect(new Set(values).size).toBe(values.length);
    }
  });

  it('message framing sizes match the C structs', () => {
    expect(header.structSizes.get('cs_msg')).toBe(MSG_HEADER_LEN);
    expect(header.structSizes.get('cs_msg_error')).toBe(MSG_ERROR_LEN);
  });

  it('the MF_* and SB_* flags are distinct single bits', () => {
    for (const prefix of ['CS_MF_', 'CS_SB_']) {
      const bits = [...header.constants].filter(([n]) => n.startsWith(prefix)).map(([, v]) => v);
      expect(bits.length).toBeGreaterThan(0);
      for (const b of bits) expect(b & (b - 1), `${prefix} ${b}`).toBe(0);
      expect(bits.reduce((a, b) => a | b, 0)).toBe(bits.reduce((a, b) => a + b, 0));
    }
  });
});

describe('compare() notices a change on one side only', () => {
  it('a renumbered op in plan.h', () => {
    const changed = HEADER.replace(/CS_OP_MKDIR = 39/, 'CS_OP_MKDIR = 40');
    expect(changed).not.toBe(HEADER);
    expect(compare(parseHeader(changed).constants, TS)).toContain('CS_OP_MKDIR: plan.h says 40, opcodes.ts says 39');
  });

  it('a new op in plan.h only', () => {
    const changed = HEADER.replace(/(CS_OP_MKDIR = 39,)/, '$1\n  CS_OP_FROB = 40,');
    expect(compare(parseHeader(changed).constants, TS)).toContain('CS_OP_FROB = 40 in plan.h has no counterpart in opcodes.ts');
  });

  it('a changed flag in plan.h', () => {
    const changed = HEADER.replace(/#define CS_MF_REMOUNT 0x10/, '#define CS_MF_REMOUNT 0x20');
    expect(compare(parseHeader(changed).constants, TS)).toContain('CS_MF_REMOUNT: plan.h says 32, opcodes.ts says 16');
  });

  it('a changed version in opcodes.ts', () => {
    const ts = tsConstants({ ...opcodes, PLAN_VERSION: 3 });
    expect(compare(header.constants, ts)).toContain('CS_PLAN_VERSION: plan.h says 2, opcodes.ts says 3');
  });

  it('a new message type in opcodes.ts only', () => {
    const ts = tsConstants({ ...opcodes, Msg: { ...Msg, PING: 7 } });
    expect(compare(header.constants, ts)).toContain('CS_MSG_PING = 7 in opcodes.ts has no counterpart in plan.h');
  });

  it('a new MF_ flag in opcodes.ts only', () => {
    const ts = tsConstants({ ...opcodes, MF_LAZY: 0x20 });
    expect(compare(header.constants, ts)).toContain('CS_MF_LAZY = 32 in opcodes.ts has no counterpart in plan.h');
  });
});

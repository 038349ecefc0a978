// linux.seccomp → a classic-BPF seccomp program that decides every (arch, syscall, arguments)
// exactly as the filter runc builds with libseccomp 2.5.4 does, including runc's -ENOSYS stub.
// docs/seccomp.md walks through the semantics; in short:
//
//   - The filter covers the native architecture and the listed ones. Any other arch word gets
//     SECCOMP_RET_KILL_THREAD (libseccomp's bad-arch action, which runc leaves as it is).
//   - Rules are added in profile order, one per (entry, name), skipping rules whose action is
//     the default action; an entry testing one argument twice becomes one rule per test (runc).
//     Merging them per syscall is rule-tree.ts.
//   - runc's -ENOSYS stub: unless the default action is ALLOW, LOG or TRACE, a syscall number
//     above the highest one the profile names (per listed architecture) returns ENOSYS.
//   - x86_64 without x32 in the filter refuses x32 numbers with the bad-arch action; i386
//     socket and IPC calls are also matched through socketcall(2) and ipc(2).

import { ConfigError } from '../errors.js';
import { SECCOMP_ARCHS, SECCOMP_OPERATORS } from '../../spec/types.js';
import type { LinuxSeccomp, LinuxSeccompArg, LinuxSyscall } from '../../spec/types.js';
import { SECCOMP_RET_ENOSYS, SECCOMP_RET_KILL_THREAD, actionValue, isPermissive } from './actions.js';
import { ARCHES, BIG_ENDIAN_ARCHES, X32_SYSCALL_BIT, enosysNumber, hostArch, isKnownSyscall, isSupportedArch, resolveSyscall } from './arch.js';
import type { SupportedArch } from './arch.js';
import { BPF_MAXINSNS, encode } from './bpf.js';
import { filterFlags } from './flags.js';
import { buildProgram, flatten } from './program.js';
import type { Range, Section } from './program.js';
import { ArchRules, RuleConflict, RuleLoop } from './rule-tree.js';
import type { ArgCompare, CompareOp, Rule } from './rule-tree.js';

export interface CompileOptions {
  /** The architecture the filter is built for (libseccomp's "native" one); default: this process's. */
  nativeArch?: SupportedArch;
}

export interface CompiledSeccomp {
  /** struct sock_filter[], 8 little-endian bytes per instruction. */
  program: Buffer;
  instructions: number;
  /** SECCOMP_FILTER_FLAG_* bits for seccomp(2). */
  flags: number;
  /** Some rule is SCMP_ACT_NOTIFY: install with NEW_LISTENER and hand the fd on. */
  notify: boolean;
  /** Names that are no syscall on any architecture of the filter: ignored, as runc does. */
  unknownSyscalls: string[];
  /** Per architecture of the filter, the names without a syscall there (ignored there). */
  unresolvedByArch: Partial<Record<SupportedArch, string[]>>;
  /** The architectures the filter covers, native first. */
  architectures: SupportedArch[];
}

const P = '$.linux.seccomp';
const U64_MAX = (1n << 64n) - 1n;
const KNOWN_ARCHES = new Set<string>(SECCOMP_ARCHS);
const KNOWN_OPS = new Set<string>(SECCOMP_OPERATORS);

export function compileSeccomp(profile: LinuxSeccomp, opts: CompileOptions = {}): CompiledSeccomp {
  if (!profile || typeof profile !== 'object') throw new ConfigError(P, 'must be an object');
  const native = opts.nativeArch ?? hostArch();
  if (!native) throw new ConfigError(P, `the host architecture (${process.arch}) is not supported by this build's seccomp compiler`);
  if (!isSupportedArch(native)) throw new ConfigError(P, `native architecture ${String(native)} is not supported by this build`);

  if (profile.defaultAction === 'SCMP_ACT_NOTIFY') {
    // As runc: the runtime still makes syscalls between installing the filter and exec, and the
    // agent cannot answer them before it has the listener.
    throw new ConfigError(`${P}.defaultAction`, 'cannot be SCMP_ACT_NOTIFY (only rules can notify)');
  }
  const defaultRet = actionValue(profile.defaultAction, profile.defaultErrnoRet, `${P}.defaultAction`, `${P}.defaultErrnoRet`);

  // Architectures: native first, then the listed ones, once each.
  const arches: SupportedArch[] = [native];
  const listed: SupportedArch[] = [];
  const archList = profile.architectures ?? [];
  if (!Array.isArray(archList)) throw new ConfigError(`${P}.architectures`, 'must be an array');
  archList.forEach((a, i) => {
    if (typeof a !== 'string' || !KNOWN_ARCHES.has(a)) throw new ConfigError(`${P}.architectures[${i}]`, `must be one of ${SECCOMP_ARCHS.join(', ')}`);
    if (BIG_ENDIAN_ARCHES.has(a)) {
      throw new ConfigError(`${P}.architectures[${i}]`, `${a} is big-endian and cannot share a filter with ${native} (libseccomp, and so runc, refuses mixed byte orders)`);
    }
    if (!isSupportedArch(a)) {
      throw new ConfigError(`${P}.architectures[${i}]`, `${a} is not supported by this build (syscall tables: ${Object.keys(ARCHES).join(', ')})`);
    }
    if (!listed.includes(a)) listed.push(a);
    if (!arches.includes(a)) arches.push(a);
  });

  const syscalls = profile.syscalls ?? [];
  if (!Array.isArray(syscalls)) throw new ConfigError(`${P}.syscalls`, 'must be an array');
  const parsed = syscalls.map((s, i) => parseEntry(s, `${P}.syscalls[${i}]`));
  const notify = parsed.some((e) => e.actionName === 'SCMP_ACT_NOTIFY');
  const flags = filterFlags(profile.flags, notify);

  const rules = new Map(arches.map((a) => [a, new ArchRules(ARCHES[a].wordBits)]));
  // Rules for names an arch lacks but libseccomp knows: merged (a conflict refuses the profile
  // as libseccomp does) but never emitted. Keyed by a number per name.
  const phantoms = new Map(arches.map((a) => [a, new ArchRules(ARCHES[a].wordBits)]));
  const phantomIds = new Map<string, number>();
  const unresolved = new Map(arches.map((a) => [a, new Set<string>()]));
  const unknown = new Set<string>();
  for (const [i, e] of parsed.entries()) {
    if (e.action === defaultRet) continue; // runc drops these (libseccomp would refuse them)
    for (const name of e.names) {
      let found = false;
      if (!isKnownSyscall(name)) {
        unknown.add(name); // as runc: a name libseccomp cannot resolve is skipped
        for (const arch of arches) unresolved.get(arch)!.add(name);
        continue;
      }
      for (const arch of arches) {
        const where = resolveSyscall(arch, name);
        if (where) found = true;
        else unresolved.get(arch)!.add(name);
        // i386 keeps no rules for other names it lacks (libseccomp drops them there).
        const phantom = where?.direct === undefined && (arch !== 'SCMP_ARCH_X86' || where?.multiplexed !== undefined);
        const db = rules.get(arch)!;
        try {
          for (const args of e.argSets) {
            const rule: Rule = { action: e.action, args };
            if (where?.multiplexed) {
              // The call number replaces whatever argument 0 was compared with.
              const muxed = [...args];
              muxed[0] = { op: 'SCMP_CMP_EQ', mask: U64_MAX, datum: BigInt(where.multiplexed.call) };
              db.add(where.multiplexed.syscall, { action: e.action, args: muxed });
            }
            if (where?.direct !== undefined) db.add(where.direct, rule);
            else if (phantom) {
              let id = phantomIds.get(name);
              if (id === undefined) phantomIds.set(name, (id = phantomIds.size));
              phantoms.get(arch)!.add(id, rule);
            }
          }
        } catch (err) {
          if (err instanceof RuleLoop) {
            throw new ConfigError(
              `${P}.syscalls[${i}]`,
              `makes the rules for ${name} on ${arch} loop when merged as libseccomp merges them (libseccomp 2.5.4, and so runc, never finishes building this profile)`,
            );
          }
          if (!(err instanceof RuleConflict)) throw err;
          throw new ConfigError(
            `${P}.syscalls[${i}]`,
            `conflicts with an earlier rule for ${name} on ${arch}: the same argument test with a different action (libseccomp, and so runc, refuses this profile)`,
          );
        }
      }
      if (!found) unknown.add(name);
    }
  }

  const enosys = new Map<SupportedArch, number>();
  if (!isPermissive(profile.defaultAction)) {
    for (const arch of listed) {
      let max = 0;
      for (const e of parsed) for (const name of e.names) max = Math.max(max, enosysNumber(arch, name) ?? 0);
      // runc skips an architecture whose highest syscall is 0 (or that names none).
      if (max > 0) enosys.set(arch, max);
    }
  }

  const sections = buildSections(arches, rules, enosys, defaultRet);
  const insns = buildProgram(sections, SECCOMP_RET_KILL_THREAD);
  if (insns.length > BPF_MAXINSNS) throw new ConfigError(P, `compiles to ${insns.length} BPF instructions, more than the kernel's ${BPF_MAXINSNS}`);

  const unresolvedByArch: Partial<Record<SupportedArch, string[]>> = {};
  for (const [a, names] of unresolved) if (names.size) unresolvedByArch[a] = [...names].sort();
  return {
    program: encode(insns),
    instructions: insns.length,
    flags,
    notify,
    unknownSyscalls: [...unknown].sort(),
    unresolvedByArch,
    architectures: arches,
  };
}

// ---------------------------------------------------------------------------------------------

interface ParsedEntry {
  names: string[];
  actionName: string;
  action: number;
  /** The rules' argument comparisons, one array per rule (index = argument number). */
  argSets: Array<Array<ArgCompare | undefined>>;
}

function parseEntry(s: LinuxSyscall, path: string): ParsedEntry {
  if (!s || typeof s !== 'object') throw new ConfigError(path, 'must be an object');
  if (!Array.isArray(s.names) || s.names.length === 0) throw new ConfigError(`${path}.names`, 'must contain at least one syscall name');
  s.names.forEach((n, j) => {
    if (typeof n !== 'string' || n === '') throw new ConfigError(`${path}.names[${j}]`, 'must be a non-empty syscall name');
  });
  const action = actionValue(s.action, s.errnoRet, `${path}.action`, `${path}.errnoRet`);
  const args = s.args ?? [];
  if (!Array.isArray(args)) throw new ConfigError(`${path}.args`, 'must be an array');
  const compares = args.map((a, k) => parseArg(a, `${path}.args[${k}]`));
  // runc: if one argument is tested twice, each test becomes a rule of its own (so they are
  // ORed); otherwise all tests form one rule (ANDed).
  const counts = new Map<number, number>();
  for (const c of compares) counts.set(c.index, (counts.get(c.index) ?? 0) + 1);
  const repeated = [...counts.values()].some((n) => n > 1);
  const asRule = (cs: typeof compares) => {
    const row: Array<ArgCompare | undefined> = [undefined, undefined, undefined, undefined, undefined, undefined];
    for (const c of cs) row[c.index] = c.cmp;
    return row;
  };
  const argSets = repeated ? compares.map((c) => asRule([c])) : [asRule(compares)];
  return { names: s.names, actionName: s.action, action, argSets };
}

function parseArg(a: LinuxSeccompArg, path: string): { index: number; cmp: ArgCompare } {
  if (!a || typeof a !== 'object') throw new ConfigError(path, 'must be an object');
  if (!Number.isInteger(a.index) || a.index < 0 || a.index > 5) throw new ConfigError(`${path}.index`, 'must be an integer between 0 and 5 (a syscall has six arguments)');
  if (typeof a.op !== 'string' || !KNOWN_OPS.has(a.op)) throw new ConfigError(`${path}.op`, `must be one of ${SECCOMP_OPERATORS.join(', ')}`);
  const value = u64(a.value, `${path}.value`);
  const valueTwo = a.valueTwo === undefined ? 0n : u64(a.valueTwo, `${path}.valueTwo`);
  const op = a.op as CompareOp;
  // libseccomp's comparison: MASKED_EQ compares (arg & value) with (valueTwo & value).
  const cmp: ArgCompare = op === 'SCMP_CMP_MASKED_EQ' ? { op, mask: value, datum: valueTwo } : { op, mask: U64_MAX, datum: value };
  return { index: a.index, cmp };
}

/** A uint64 from JSON (a number, imprecise above 2^53; 2^64 - 1 arrives as 2^64) or a bigint. */
function u64(v: unknown, path: string): bigint {
  if (typeof v === 'bigint') {
    if (v < 0n || v > U64_MAX) throw new ConfigError(path, 'must be an integer between 0 and 18446744073709551615');
    return v;
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new ConfigError(path, 'must be an integer between 0 and 18446744073709551615');
  const b = BigInt(v);
  if (b > U64_MAX + 1n) throw new ConfigError(path, 'must be an integer between 0 and 18446744073709551615');
  return b > U64_MAX ? U64_MAX : b;
}

// ---------------------------------------------------------------------------------------------

const FULL = 0xffffffff;

/** What each arch word of the filter decides, per range of syscall numbers. */
function buildSections(arches: readonly SupportedArch[], rules: Map<SupportedArch, ArchRules>, enosys: Map<SupportedArch, number>, defaultRet: number): Section[] {
  const ret = (v: number) => ({ ret: v >>> 0 });
  const points = (arch: SupportedArch): Range[] =>
    [...rules.get(arch)!.entries.values()].map((e) => ({ from: e.nr, to: e.nr, decision: e.chains ? { entry: e, fallback: defaultRet } : ret(e.action) }));
  const sections: Section[] = [];
  const done = new Set<number>();
  for (const arch of arches) {
    const audit = ARCHES[arch].audit;
    if (done.has(audit)) continue;
    done.add(audit);
    const layers: Range[][] = [];
    const stub: Range[] = [];
    if (audit === ARCHES.SCMP_ARCH_X86_64.audit) {
      const has64 = arches.includes('SCMP_ARCH_X86_64');
      const has32 = arches.includes('SCMP_ARCH_X32');
      if (has64 && has32) layers.push([{ from: 0, to: FULL, decision: ret(defaultRet) }]);
      else if (has64) {
        // libseccomp: x32 numbers are a foreign ABI here, except -1 (a tracer skipping the call).
        layers.push([
          { from: 0, to: X32_SYSCALL_BIT - 1, decision: ret(defaultRet) },
          { from: X32_SYSCALL_BIT, to: FULL - 1, decision: ret(SECCOMP_RET_KILL_THREAD) },
          { from: FULL, to: FULL, decision: ret(defaultRet) },
        ]);
      } else {
        layers.push([
          { from: 0, to: X32_SYSCALL_BIT - 1, decision: ret(SECCOMP_RET_KILL_THREAD) },
          { from: X32_SYSCALL_BIT, to: FULL, decision: ret(defaultRet) },
        ]);
      }
      const points64 = has64 ? points('SCMP_ARCH_X86_64') : [];
      const points32 = has32 ? points('SCMP_ARCH_X32') : [];
      layers.push([...points64, ...points32]);
      // runc's stub splits on the x32 bit (bit 30) alone, so numbers with bit 31 set count too.
      const m64 = enosys.get('SCMP_ARCH_X86_64');
      if (m64 !== undefined) stub.push({ from: m64 + 1, to: X32_SYSCALL_BIT - 1, decision: ret(SECCOMP_RET_ENOSYS) }, { from: 0x80000000, to: 0xbfffffff, decision: ret(SECCOMP_RET_ENOSYS) });
      const m32 = enosys.get('SCMP_ARCH_X32');
      if (m32 !== undefined) stub.push({ from: m32 + 1, to: 0x7fffffff, decision: ret(SECCOMP_RET_ENOSYS) }, { from: 0xc0000000, to: FULL, decision: ret(SECCOMP_RET_ENOSYS) });
    } else {
      layers.push([{ from: 0, to: FULL, decision: ret(defaultRet) }], points(arch));
      const m = enosys.get(arch);
      if (m !== undefined) stub.push({ from: m + 1, to: FULL, decision: ret(SECCOMP_RET_ENOSYS) });
    }
    layers.push(stub.filter((r) => r.from <= r.to));
    sections.push({ audit, ranges: flatten(layers) });
  }
  return sections;
}

// Runs our program and the reference (libseccomp + runc's stub) over many seccomp_data inputs
// and collects the ones where they disagree.

import { compileSeccomp } from '../../../lib/seccomp/index.js';
import { actionValue, describeRet } from '../../../lib/seccomp/actions.js';
import { SYSCALL_TABLES } from '../../../lib/seccomp/syscalls.generated.js';
import { ConfigError } from '../../../lib/errors.js';
import type { LinuxSeccomp } from '../../../spec/types.js';
import { decodeProgram, readsStaleAccumulator, runFilter, staleAccumulatorSites } from '../cbpf.js';
import type { SeccompData } from '../cbpf.js';
import { Rng, argumentVectors } from './adversarial.js';
import { evaluateLevel, parsePfc } from './pfc.js';
import { AUDIT, decide, referenceCompile, runcStub } from './reference.js';
import type { Reference } from './reference.js';

export interface Comparison {
  /**
   * Both refused the profile: libseccomp refused a rule (or never finished adding it), and we
   * threw a ConfigError naming that entry.
   */
  refused?: { entry?: number; ours: string; hung?: boolean };
  inputs: number;
  mismatches: string[];
  /**
   * Inputs where libseccomp's BPF contradicts libseccomp's own rule database (its PFC rendering)
   * and ours follows the database: a libseccomp code generation bug, not a semantic difference.
   */
  libseccompBugs: string[];
  ourInstructions?: number;
  refInstructions?: number;
}

/** Syscall numbers worth trying on an arch word: what the profile names anywhere, and neighbours and edges. */
function numbers(p: LinuxSeccomp): { interesting: Set<number>; plain: number[] } {
  const interesting = new Set<number>([102, 117]);
  for (const s of p.syscalls ?? []) {
    for (const name of s.names) {
      for (const t of Object.values(SYSCALL_TABLES)) {
        const nr = (t as Record<string, number>)[name];
        if (nr !== undefined && Object.hasOwn(t, name)) interesting.add(nr);
      }
    }
  }
  const plain = new Set<number>([0, 1, 0x3fffffff, 0x40000000, 0x40000001, 0x7fffffff, 0x80000000, 0x80000001, 0xbfffffff, 0xc0000000, 0xfffffffe, 0xffffffff, 451, 452, 1000, 0xf0000, 0xf0007]);
  for (const nr of interesting) for (const d of [-1, 1, 0x40000000, -0x40000000, 0x80000000]) plain.add((nr + d) >>> 0);
  for (const nr of interesting) plain.delete(nr);
  return { interesting, plain: [...plain] };
}

export function compareProfile(ref: Reference, p: LinuxSeccomp, opts: { seed?: number; argVectors?: number; maxReport?: number } = {}): Comparison {
  const r = referenceCompile(ref, p);
  let ours: ReturnType<typeof compileSeccomp> | undefined;
  let error: unknown;
  try {
    ours = compileSeccomp(p, { nativeArch: 'SCMP_ARCH_X86_64' });
  } catch (err) {
    error = err;
  }
  if (!r.ok) {
    const msg = error instanceof Error ? error.message : 'compiled';
    const sameEntry = r.entry === undefined || (error instanceof ConfigError && error.path === `$.linux.seccomp.syscalls[${r.entry}]`);
    const sameKind = !r.hung || /loop/.test(msg);
    return {
      refused: { entry: r.entry, ours: msg, hung: r.hung },
      inputs: 0,
      mismatches: error instanceof ConfigError && sameEntry && sameKind ? [] : [`reference refused (${r.message}) but ours: ${msg}`],
      libseccompBugs: [],
    };
  }
  if (!ours) return { inputs: 0, mismatches: [`reference compiled but ours threw: ${String(error)}`], libseccompBugs: [] };
  const pfc = parsePfc(r.pfc);
  const defaultRet = actionValue(p.defaultAction, p.defaultErrnoRet, '', '');
  const x32 = (p.architectures ?? []).includes('SCMP_ARCH_X32');
  /** What libseccomp's rule database says for a syscall with an argument tree, if it has one. */
  const database = (d: SeccompData): number | undefined => {
    const name =
      d.arch === AUDIT.SCMP_ARCH_X86_64 ? (x32 && d.nr & 0x40000000 ? 'x32' : 'x86_64') : d.arch === AUDIT.SCMP_ARCH_X86 ? 'x86' : d.arch === AUDIT.SCMP_ARCH_ARM ? 'arm' : d.arch === AUDIT.SCMP_ARCH_AARCH64 ? 'aarch64' : '';
    const level = pfc.trees.get(name)?.get(d.nr >>> 0);
    if (!level || runcStub(p, r.maxima, d) !== undefined) return undefined;
    return evaluateLevel(level, d.args ?? []) ?? defaultRet;
  };

  const prog = decodeProgram(ours.program);
  const rng = new Rng(opts.seed ?? 1);
  const vectors = argumentVectors(p, rng, opts.argVectors ?? 40);
  const { interesting, plain } = numbers(p);
  const archWords = [AUDIT.SCMP_ARCH_X86_64!, AUDIT.SCMP_ARCH_X86!, AUDIT.SCMP_ARCH_AARCH64!, AUDIT.SCMP_ARCH_ARM!, AUDIT.SCMP_ARCH_MIPSEL!, 0x12345678, 0];
  const stale = staleAccumulatorSites(r.program);
  const mismatches: string[] = [];
  const libseccompBugs: string[] = [];
  let inputs = 0;
  const check = (d: SeccompData) => {
    inputs++;
    const a = runFilter(prog, d);
    const b = decide(p, r, d);
    if (a === b) return;
    const text = `arch 0x${d.arch.toString(16)} nr 0x${d.nr.toString(16)} args [${(d.args ?? []).map((x) => `0x${x.toString(16)}`).join(', ')}]: ours ${describeRet(a)}, libseccomp+runc ${describeRet(b)}`;
    const db = database(d);
    // A libseccomp bug only if its program demonstrably read a stale accumulator on the way.
    const staleOnPath = db === a && runcStub(p, r.maxima, d) === undefined && readsStaleAccumulator(r.program, d, stale);
    if (staleOnPath) {
      if (libseccompBugs.length < (opts.maxReport ?? 10)) libseccompBugs.push(`${text}, libseccomp's rule database ${describeRet(db)}`);
    } else if (mismatches.length < (opts.maxReport ?? 10)) {
      mismatches.push(db === undefined ? text : `${text}, libseccomp's rule database ${describeRet(db)}`);
    }
  };
  for (const arch of archWords) {
    for (const nr of interesting) {
      for (const nrv of [nr, (nr | 0x40000000) >>> 0]) for (const args of vectors) check({ nr: nrv, arch, args });
    }
    for (const nr of plain) for (const args of vectors.slice(0, 3)) check({ nr, arch, args });
  }
  return { inputs, mismatches, libseccompBugs, ourInstructions: ours.instructions, refInstructions: r.instructions };
}

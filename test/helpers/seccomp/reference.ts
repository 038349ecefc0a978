// The reference side of the differential test: libseccomp (through ref.c, built here with gcc
// against the system's libseccomp-dev) plus runc's -ENOSYS stub, which runc puts in front of
// libseccomp's program. `decide` gives what that combination returns for one seccomp_data.
//
// The stub is applied here as a predicate, from the per-arch maxima ref.c prints (libseccomp's
// own name lookup): unless the default action is ALLOW, LOG or TRACE, on a listed architecture
// whose highest named syscall is above 0, a higher number returns ERRNO(ENOSYS); on the x86_64
// arch word bit 30 (the x32 bit) picks which of the x86_64 and x32 maxima applies, and a side
// that is not listed goes to the filter.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LinuxSeccomp } from '../../../spec/types.js';
import { decodeProgram, runFilter } from '../cbpf.js';
import type { Insn, SeccompData } from '../cbpf.js';

const here = dirname(fileURLToPath(import.meta.url));
const U64_MAX = (1n << 64n) - 1n;
const X32_BIT = 0x40000000;
const RET_ENOSYS = 0x00050026;
const AUDIT: Record<string, number> = {
  SCMP_ARCH_X86_64: 0xc000003e,
  SCMP_ARCH_X32: 0xc000003e,
  SCMP_ARCH_X86: 0x40000003,
  SCMP_ARCH_AARCH64: 0xc00000b7,
  SCMP_ARCH_ARM: 0x40000028,
  SCMP_ARCH_MIPS: 0x00000008,
  SCMP_ARCH_MIPSEL: 0x40000008,
  SCMP_ARCH_PPC64LE: 0xc0000015,
  SCMP_ARCH_S390X: 0x80000016,
  SCMP_ARCH_RISCV64: 0xc00000f3,
};

export interface Reference {
  dir: string;
  bin: string;
  cleanup(): void;
}

/** Builds ref.c; a string saying why not when libseccomp-dev or gcc is missing. */
export function buildReference(): Reference | string {
  if (!existsSync('/usr/include/seccomp.h')) return 'libseccomp-dev is not installed (no /usr/include/seccomp.h)';
  const gcc = spawnSync('gcc', ['--version'], { encoding: 'utf8' });
  if (gcc.status !== 0) return 'gcc is not installed';
  const dir = mkdtempSync(join(tmpdir(), 'caisson-seccomp-ref-'));
  const bin = join(dir, 'ref');
  try {
    execFileSync('gcc', ['-O1', '-Wall', '-Werror', '-o', bin, join(here, 'ref.c'), '-lseccomp'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return `cannot build the libseccomp reference: ${(err as { stderr?: Buffer }).stderr?.toString() ?? String(err)}`;
  }
  return { dir, bin, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const u64 = (v: unknown) => {
  const b = typeof v === 'bigint' ? v : BigInt(v as number);
  return b > U64_MAX ? U64_MAX : b;
};

/** The profile in ref.c's line format. */
export function profileText(p: LinuxSeccomp): string {
  const lines = [`default ${p.defaultAction} ${p.defaultErrnoRet ?? '-'}`];
  for (const a of p.architectures ?? []) lines.push(`arch ${a}`);
  for (const s of p.syscalls ?? []) {
    lines.push(`entry ${s.action} ${s.errnoRet ?? '-'}`);
    for (const a of s.args ?? []) lines.push(`arg ${a.index} ${a.op} ${u64(a.value)} ${u64(a.valueTwo ?? 0)}`);
    for (const n of s.names) lines.push(`name ${n}`);
  }
  return `${lines.join('\n')}\n`;
}

export type RefResult =
  | { ok: true; program: Insn[]; maxima: Map<string, number>; instructions: number; pfc: string }
  | { ok: false; entry?: number; name?: string; message: string; hung?: boolean };

/** How long libseccomp may take for one profile before it counts as never finishing. */
const REF_TIMEOUT_MS = 5_000;

let seq = 0;
export function referenceCompile(ref: Reference, p: LinuxSeccomp): RefResult {
  const n = seq++;
  const input = join(ref.dir, `p${n}.txt`);
  const output = join(ref.dir, `p${n}.bpf`);
  const pfc = join(ref.dir, `p${n}.pfc`);
  writeFileSync(input, profileText(p));
  const r = spawnSync(ref.bin, [input, output, pfc], { encoding: 'utf8', timeout: REF_TIMEOUT_MS, killSignal: 'SIGKILL' });
  const lines = (r.stdout ?? '').trim().split('\n');
  try {
    if (r.signal === 'SIGKILL' || (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') {
      // libseccomp never returned: the last rule it started is the culprit.
      const last = lines.filter((l) => l.startsWith('add ')).at(-1)?.split(' ');
      return { ok: false, hung: true, entry: last ? Number(last[1]) : undefined, name: last?.[2], message: `libseccomp did not finish within ${REF_TIMEOUT_MS} ms (adding entry ${last?.[1]}, ${last?.[2]})` };
    }
    if (r.status === 3) {
      const [, entry, name, rc] = lines.at(-1)!.split(' ');
      return { ok: false, entry: Number(entry), name, message: `libseccomp refused entry ${entry} (${name}): ${rc}` };
    }
    if (r.status !== 0) return { ok: false, message: `ref failed (${r.status}): ${r.stdout}${r.stderr}` };
    const maxima = new Map<string, number>();
    for (const l of lines) {
      const m = /^max (\S+) (-?\d+)$/.exec(l);
      if (m) maxima.set(m[1]!, Number(m[2]));
    }
    const program = decodeProgram(readFileSync(output));
    return { ok: true, program, maxima, instructions: program.length, pfc: readFileSync(pfc, 'utf8') };
  } finally {
    for (const f of [input, output, pfc]) rmSync(f, { force: true });
  }
}

/** runc's stub: ENOSYS, or undefined to go on into libseccomp's filter. */
export function runcStub(p: LinuxSeccomp, maxima: Map<string, number>, d: SeccompData): number | undefined {
  const permissive = p.defaultAction === 'SCMP_ACT_ALLOW' || p.defaultAction === 'SCMP_ACT_LOG' || p.defaultAction === 'SCMP_ACT_TRACE';
  if (permissive || p.defaultErrnoRet === RET_ENOSYS) return undefined;
  const listed = (a: string) => (p.architectures ?? []).includes(a as never) && (maxima.get(a) ?? 0) > 0;
  const nr = d.nr >>> 0;
  if (d.arch >>> 0 === AUDIT.SCMP_ARCH_X86_64) {
    const x64 = listed('SCMP_ARCH_X86_64');
    const x32 = listed('SCMP_ARCH_X32');
    const bit = (nr & X32_BIT) !== 0;
    if (bit && x32) return nr > maxima.get('SCMP_ARCH_X32')! ? RET_ENOSYS : undefined;
    if (!bit && x64) return nr > maxima.get('SCMP_ARCH_X86_64')! ? RET_ENOSYS : undefined;
    return undefined;
  }
  for (const a of p.architectures ?? []) {
    if (a === 'SCMP_ARCH_X86_64' || a === 'SCMP_ARCH_X32') continue;
    if (AUDIT[a] === d.arch >>> 0 && listed(a)) return nr > maxima.get(a)! ? RET_ENOSYS : undefined;
  }
  return undefined;
}

/** What runc + libseccomp return for `d`. */
export function decide(p: LinuxSeccomp, r: Extract<RefResult, { ok: true }>, d: SeccompData): number {
  return runcStub(p, r.maxima, d) ?? runFilter(r.program, d);
}

export { AUDIT };

// Process attributes beyond identity: scheduler, I/O priority, personality, NUMA memory policy,
// LSM labels. Each becomes one op the init runs before it drops its capabilities (RT policies,
// the RT I/O class and LSM transitions need them).

import { ConfigError, UnsupportedError } from '../errors.js';
import type { LinuxMemoryPolicy, LinuxPersonality, Process } from '../../spec/types.js';
import type { PlanOp } from './encode.js';
import { Op } from './opcodes.js';

const SCHED_POLICY: Record<string, number> = {
  SCHED_OTHER: 0,
  SCHED_FIFO: 1,
  SCHED_RR: 2,
  SCHED_BATCH: 3,
  SCHED_ISO: 4,
  SCHED_IDLE: 5,
  SCHED_DEADLINE: 6,
};
const SCHED_FLAG: Record<string, number> = {
  SCHED_FLAG_RESET_ON_FORK: 0x01,
  SCHED_FLAG_RECLAIM: 0x02,
  SCHED_FLAG_DL_OVERRUN: 0x04,
  SCHED_FLAG_KEEP_POLICY: 0x08,
  SCHED_FLAG_KEEP_PARAMS: 0x10,
  SCHED_FLAG_UTIL_CLAMP_MIN: 0x20,
  SCHED_FLAG_UTIL_CLAMP_MAX: 0x40,
};
const IOPRIO_CLASS: Record<string, number> = { IOPRIO_CLASS_RT: 1, IOPRIO_CLASS_BE: 2, IOPRIO_CLASS_IDLE: 3 };
const PERSONA: Record<string, number> = { LINUX: 0x0000, LINUX32: 0x0008 };
export const MPOL_MODE: Record<string, number> = {
  MPOL_DEFAULT: 0,
  MPOL_PREFERRED: 1,
  MPOL_BIND: 2,
  MPOL_INTERLEAVE: 3,
  MPOL_LOCAL: 4,
  MPOL_PREFERRED_MANY: 5,
  MPOL_WEIGHTED_INTERLEAVE: 6,
};
export const MPOL_FLAG: Record<string, number> = {
  MPOL_F_NUMA_BALANCING: 1 << 13,
  MPOL_F_RELATIVE_NODES: 1 << 14,
  MPOL_F_STATIC_NODES: 1 << 15,
};
const MAX_NUMA_NODES = 1024;

export function schedulerOp(process: Process): PlanOp | undefined {
  const s = process.scheduler;
  if (!s) return undefined;
  const flags = (s.flags ?? []).reduce((m, f) => m | SCHED_FLAG[f]!, 0);
  const nice = (s.nice ?? 0) >>> 0; // int32 as its two's complement
  return {
    code: Op.SCHED,
    label: `set scheduler ${s.policy}`,
    fields: [SCHED_POLICY[s.policy]!, flags, nice, s.priority ?? 0, s.runtime ?? 0, s.deadline ?? 0, s.period ?? 0],
  };
}

export function ioPriorityOp(process: Process): PlanOp | undefined {
  const p = process.ioPriority;
  if (!p) return undefined;
  return { code: Op.IOPRIO, label: `set I/O priority ${p.class} ${p.priority}`, fields: [(IOPRIO_CLASS[p.class]! << 13) | p.priority] };
}

export function personalityOp(p: LinuxPersonality | undefined): PlanOp | undefined {
  if (!p) return undefined;
  if (p.flags?.length) throw new UnsupportedError('$.linux.personality.flags', 'personality flags are not supported (the spec defines none)');
  return { code: Op.PERSONALITY, label: `set personality ${p.domain}`, fields: [PERSONA[p.domain]!] };
}

/** "0-3,7" → sorted numbers (NUMA nodes, CPUs), each below `limit`. */
export function parseNumberList(list: string, path: string, limit = MAX_NUMA_NODES, what = 'node'): number[] {
  const out = new Set<number>();
  for (const part of list.split(',')) {
    if (part === '') continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new ConfigError(path, `"${part}" is not a ${what} number or range`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo || hi >= limit) throw new ConfigError(path, `${what} range "${part}" is out of bounds (0-${limit - 1})`);
    for (let n = lo; n <= hi; n++) out.add(n);
  }
  return [...out].sort((a, b) => a - b);
}

/** A list of numbers as 64-bit mask words. */
function maskWords(nums: number[]): bigint[] {
  const nwords = nums.length ? Math.floor(nums[nums.length - 1]! / 64) + 1 : 0;
  const words = Array.from({ length: nwords }, () => 0n);
  for (const n of nums) words[Math.floor(n / 64)]! |= 1n << BigInt(n % 64);
  return words;
}

/** execCPUAffinity.initial / final: a sched_setaffinity op for a CPU list. */
export function affinityOp(list: string | undefined, path: string): PlanOp | undefined {
  if (!list) return undefined;
  const words = maskWords(parseNumberList(list, path, MAX_NUMA_NODES, 'cpu'));
  return { code: Op.AFFINITY, label: `set CPU affinity ${list}`, fields: [words.length, ...words] };
}

export function memoryPolicyOp(mp: LinuxMemoryPolicy | undefined): PlanOp | undefined {
  if (!mp) return undefined;
  const nodes = mp.nodes ? parseNumberList(mp.nodes, '$.linux.memoryPolicy.nodes') : [];
  const mode = MPOL_MODE[mp.mode]! | (mp.flags ?? []).reduce((m, f) => m | MPOL_FLAG[f]!, 0);
  const words = maskWords(nodes);
  const nwords = words.length;
  // The kernel reads maxnode - 1 bits.
  const maxnode = nwords ? nwords * 64 + 1 : 0;
  return { code: Op.MEMPOLICY, label: `set memory policy ${mp.mode}`, fields: [mode, maxnode, nwords, ...words] };
}

export interface LsmFacts {
  apparmor: boolean;
  selinux: boolean;
}

/**
 * An LSM label the kernel cannot apply is an error (runc refuses the same way): these kernels
 * have neither AppArmor nor SELinux. Where they exist, the label is written to
 * /proc/self/attr/.../exec and takes effect at execve.
 */
export function lsmOps(process: Process, lsm: LsmFacts): PlanOp[] {
  const ops: PlanOp[] = [];
  if (process.apparmorProfile) {
    if (!lsm.apparmor) throw new ConfigError('$.process.apparmorProfile', 'apparmor profile specified but AppArmor is not enabled on the system');
    ops.push({ code: Op.WRITE_PROC, label: `set apparmor profile ${process.apparmorProfile}`, fields: ['self/attr/apparmor/exec', `exec ${process.apparmorProfile}`] });
  }
  if (process.selinuxLabel) {
    if (!lsm.selinux) throw new ConfigError('$.process.selinuxLabel', 'selinux label specified but SELinux is not enabled on the system');
    ops.push({ code: Op.WRITE_PROC, label: `set selinux label ${process.selinuxLabel}`, fields: ['self/attr/exec', process.selinuxLabel] });
  }
  return ops;
}

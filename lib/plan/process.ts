// The container process: limits, identity, capabilities, working directory, and the exec.
//
// The order follows what the kernel allows: limits are raised while we still hold
// CAP_SYS_RESOURCE; the bounding set is trimmed while we hold CAP_SETPCAP; KEEPCAPS keeps the
// permitted set across the switch to a non-root uid; the final sets are installed after it.

import { RLIMIT_TYPES } from '../../spec/types.js';
import type { Process } from '../../spec/types.js';
import { isUint64Max } from '../../spec/index.js';
import type { CapMasks } from './capabilities.js';
import type { PlanOp } from './encode.js';
import { ChdirWhen, ExecHow, Op, SyncTag } from './opcodes.js';

const RLIM_INFINITY = (1n << 64n) - 1n;

function rlimitValue(v: number): bigint {
  return isUint64Max(v) ? RLIM_INFINITY : BigInt(v);
}

/** The PATH the container's own environment sets ("" when it sets none). */
export function pathFromEnv(env: readonly string[] | undefined): string {
  const entry = [...(env ?? [])].reverse().find((e) => e.startsWith('PATH='));
  return entry ? entry.slice(5) : '';
}

export interface ProcessPlanInput {
  process: Process;
  caps: CapMasks;
  /** ops that need the init's privileges (scheduler, I/O priority, LSM labels, ...) */
  privileged?: PlanOp[];
  /** false inside a user namespace whose setgroups is denied */
  canSetGroups: boolean;
  preserveFds: number;
  /** the init waits on this socket for `start`; an exec'd process has none and execs at once */
  startListenFd?: number;
  /** a compiled filter to install, and the socket its notify listener goes to */
  seccomp?: SeccompInstall;
  /** the umask when process.user.umask is not set (none: the one the process was started with) */
  defaultUmask?: number;
}

/**
 * A container's init runs under this umask, set-up and program alike, unless process.user.umask
 * says otherwise: runc's default (its init sets 0022 whatever umask runc was started with).
 * Known in advance, it also spares create reading ours from /proc/self/status.
 */
export const INIT_UMASK = 0o022;

export interface SeccompInstall {
  program: Buffer;
  flags: number;
  /** SCMP_ACT_NOTIFY: the socket the listener fd is sent on (the filter is then installed
   * before the init waits, so the parent can pass the fd on during create) */
  listenerFd?: number;
}

export function rlimitOps(process: Process): PlanOp[] {
  return (process.rlimits ?? []).map((r) => ({
    code: Op.RLIMIT,
    label: `set ${r.type}`,
    fields: [RLIMIT_TYPES.indexOf(r.type), rlimitValue(r.soft), rlimitValue(r.hard)],
  }));
}

/**
 * Where the filter goes, as runc decides it. Without no_new_privs, installing a filter needs
 * CAP_SYS_ADMIN, so it goes in while the process still has it (before its capabilities are
 * dropped, and the rest of the setup then runs under the filter). With no_new_privs it goes in
 * as late as possible, right before execve, so the fewest syscalls run under it; a notify
 * filter goes in before the init waits, so create can hand its listener on.
 */
/**
 * Install the filter. With a notify listener the process then waits while the parent hands the
 * listener to the agent at listenerPath (as runc does): from here on, a syscall the profile
 * sends to the agent must find it listening, or the process would wait forever.
 */
function seccompOps(s: SeccompInstall): PlanOp[] {
  const install: PlanOp = { code: Op.SECCOMP, label: 'install the seccomp filter', fields: [s.flags, s.program, s.listenerFd ?? 0] };
  if (s.listenerFd === undefined) return [install];
  return [install, { code: Op.WAIT_PARENT, label: 'hand the seccomp listener to listenerPath', fields: [SyncTag.SECCOMP] }];
}

// Capabilities that would let a process rewrite a root-owned host file (CAP_CHOWN,
// CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_SYS_ADMIN).
const WRITE_ANY_FILE = (1n << 0n) | (1n << 1n) | (1n << 2n) | (1n << 3n) | (1n << 21n);

/**
 * Through the trampoline unless that would change the capabilities the program ends up with.
 * Two execs equal one, except for a non-root user under no_new_privs: there each execve caps
 * the new permitted set at the old one, and after the trampoline's execve the permitted set is
 * only the ambient set, so file capabilities of the program (permitted but not ambient) would
 * be lost. In that one case the program is exec'd directly, which is safe only because such a
 * process cannot write to the host binary: it is non-root and none of the capabilities that
 * would let it are ambient (the only ones it keeps across an execve of the host's Node).
 */
export function execHow(uid: number, nnp: boolean, caps: CapMasks): number {
  const lost = caps.permitted & ~caps.ambient;
  if (uid !== 0 && nnp && lost !== 0n && (caps.ambient & WRITE_ANY_FILE) === 0n) return ExecHow.DIRECT;
  return ExecHow.TRAMPOLINE;
}

/** Everything from identity to execve; runs after pivot_root (or, for exec, after the joins). */
export function processOps(input: ProcessPlanInput): PlanOp[] {
  const { process, caps, seccomp } = input;
  const nnp = !!process.noNewPrivileges;
  const uid = process.user?.uid ?? 0;
  const gid = process.user?.gid ?? 0;
  const groups = process.user?.additionalGids ?? [];
  const firstUnpreserved = 3 + input.preserveFds;
  const hasHome = (process.env ?? []).some((e) => e.startsWith('HOME='));
  const ops: PlanOp[] = [
    ...rlimitOps(process),
    ...(input.privileged ?? []),
    // As runc: HOME from the container's passwd when the env does not set it.
    ...(hasHome ? [] : [{ code: Op.HOME, label: `look up HOME of uid ${uid}`, fields: [uid] } as PlanOp]),
    { code: Op.CHDIR, label: `chdir to cwd ("${process.cwd}")`, fields: [process.cwd, ChdirWhen.TRY] },
    ...(seccomp && !nnp ? seccompOps(seccomp) : []),
    { code: Op.CAPS_BOUNDING, label: 'apply bounding capabilities', fields: [caps.bounding] },
    { code: Op.KEEP_CAPS, label: 'keep capabilities across setuid', fields: [1] },
    {
      code: Op.SETUSER,
      label: `set user ${uid}:${gid}`,
      fields: [uid, gid, input.canSetGroups ? 1 : 0, groups.length, ...groups],
    },
    { code: Op.KEEP_CAPS, label: 'stop keeping capabilities', fields: [0] },
    { code: Op.CHDIR, label: `chdir to cwd ("${process.cwd}")`, fields: [process.cwd, ChdirWhen.DEFERRED] },
    {
      code: Op.CAPS,
      label: 'apply capabilities',
      fields: [caps.effective, caps.permitted, caps.inheritable, caps.ambient],
    },
  ];
  if (nnp) ops.push({ code: Op.NO_NEW_PRIVS, label: 'set no_new_privs', fields: [] });
  const umask = process.user?.umask ?? input.defaultUmask;
  if (umask !== undefined) ops.push({ code: Op.UMASK, label: 'set umask', fields: [umask] });
  ops.push(
    { code: Op.RESOLVE_EXEC, label: `exec: "${process.args[0]}"`, fields: [process.args[0]!, pathFromEnv(process.env)] },
    { code: Op.PREPARE_FDS, label: 'mark fds close-on-exec', fields: [firstUnpreserved] },
  );
  const early = seccomp && nnp && (seccomp.listenerFd !== undefined || input.startListenFd === undefined);
  if (early) ops.push(...seccompOps(seccomp));
  if (input.startListenFd !== undefined) {
    ops.push({ code: Op.WAIT_START, label: 'wait for start', fields: [input.startListenFd, firstUnpreserved] });
  }
  if (seccomp && nnp && !early) ops.push(...seccompOps(seccomp));
  ops.push(
    {
      code: Op.EXEC,
      label: `exec: "${process.args[0]}"`,
      fields: [execHow(uid, nnp, caps), process.args.length, ...process.args, (process.env ?? []).length, ...(process.env ?? [])],
    },
  );
  return ops;
}

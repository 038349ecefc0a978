// The architectures the seccomp compiler has syscall tables for, the AUDIT_ARCH_* word the kernel
// puts in seccomp_data.arch for each, and how a syscall name resolves on each of them.
//
// Spec architectures without a table here are refused ("is not supported by this build"), not
// skipped: libseccomp builds rules for every listed architecture and refuses a profile whose
// rules conflict on any of them, so skipping one could accept what runc refuses. No host that
// runs this build presents them anyway: an x86_64 kernel runs x86_64, x32 and i386 processes,
// an arm64 kernel arm64 and 32-bit arm ones.

import { FOREIGN_SYSCALLS, SYSCALL_TABLES } from './syscalls.generated.js';

/** Set in every x32 syscall number; x32 processes share AUDIT_ARCH_X86_64 with x86_64 ones. */
export const X32_SYSCALL_BIT = 0x40000000;

// linux/audit.h: EM_* machine number | __AUDIT_ARCH_64BIT (0x80000000) | __AUDIT_ARCH_LE (0x40000000).
export const AUDIT_ARCH_X86_64 = 0xc000003e;
export const AUDIT_ARCH_I386 = 0x40000003;
export const AUDIT_ARCH_AARCH64 = 0xc00000b7;
export const AUDIT_ARCH_ARM = 0x40000028;

export type SupportedArch = 'SCMP_ARCH_X86_64' | 'SCMP_ARCH_X86' | 'SCMP_ARCH_X32' | 'SCMP_ARCH_AARCH64' | 'SCMP_ARCH_ARM';
type TableName = keyof typeof SYSCALL_TABLES;

export interface ArchInfo {
  name: SupportedArch;
  /** seccomp_data.arch for processes of this ABI. */
  audit: number;
  /** Argument words the filter compares: 32-bit ABIs only have the low word (libseccomp ignores the high one). */
  wordBits: 32 | 64;
  table: TableName;
}

export const ARCHES: Record<SupportedArch, ArchInfo> = {
  SCMP_ARCH_X86_64: { name: 'SCMP_ARCH_X86_64', audit: AUDIT_ARCH_X86_64, wordBits: 64, table: 'x86_64' },
  SCMP_ARCH_X86: { name: 'SCMP_ARCH_X86', audit: AUDIT_ARCH_I386, wordBits: 32, table: 'x86' },
  SCMP_ARCH_X32: { name: 'SCMP_ARCH_X32', audit: AUDIT_ARCH_X86_64, wordBits: 32, table: 'x32' },
  SCMP_ARCH_AARCH64: { name: 'SCMP_ARCH_AARCH64', audit: AUDIT_ARCH_AARCH64, wordBits: 64, table: 'aarch64' },
  SCMP_ARCH_ARM: { name: 'SCMP_ARCH_ARM', audit: AUDIT_ARCH_ARM, wordBits: 32, table: 'arm' },
};

/** Spec architectures with big-endian seccomp_data (libseccomp refuses to mix byte orders). */
export const BIG_ENDIAN_ARCHES: ReadonlySet<string> = new Set([
  'SCMP_ARCH_MIPS',
  'SCMP_ARCH_MIPS64',
  'SCMP_ARCH_MIPS64N32',
  'SCMP_ARCH_PPC',
  'SCMP_ARCH_PPC64',
  'SCMP_ARCH_S390',
  'SCMP_ARCH_S390X',
  'SCMP_ARCH_PARISC',
  'SCMP_ARCH_PARISC64',
  'SCMP_ARCH_M68K',
  'SCMP_ARCH_SHEB',
]);

export function isSupportedArch(a: string): a is SupportedArch {
  return Object.hasOwn(ARCHES, a);
}

/** The architecture of this Node process, as the compiler's default native architecture. */
export function hostArch(): SupportedArch | undefined {
  switch (process.arch) {
    case 'x64':
      return 'SCMP_ARCH_X86_64';
    case 'ia32':
      return 'SCMP_ARCH_X86';
    case 'arm64':
      return 'SCMP_ARCH_AARCH64';
    case 'arm':
      return 'SCMP_ARCH_ARM';
    default:
      return undefined;
  }
}

const maps = new Map<TableName, Map<string, number>>();

function table(arch: SupportedArch): Map<string, number> {
  const name = ARCHES[arch].table;
  let m = maps.get(name);
  if (!m) {
    m = new Map(Object.entries(SYSCALL_TABLES[name]));
    maps.set(name, m);
  }
  return m;
}

let known: Set<string> | undefined;

/**
 * A name libseccomp knows: a syscall on some architecture, here or elsewhere. Such a name gets
 * rules even on an architecture that lacks it (under a pseudo number, producing no code), and a
 * conflict there refuses the profile; a name nobody knows is ignored altogether.
 */
export function isKnownSyscall(name: string): boolean {
  known ??= new Set([...Object.values(SYSCALL_TABLES).flatMap((t) => Object.keys(t)), ...FOREIGN_SYSCALLS]);
  return known.has(name);
}

/** The syscall's own number on `arch` (with the x32 bit for x32), or undefined if it has none. */
export function syscallNumber(arch: SupportedArch, name: string): number | undefined {
  return table(arch).get(name);
}

// i386 reaches the socket and SysV IPC calls through the socketcall(2) and ipc(2) multiplexers
// (call number in argument 0; linux/net.h SYS_*, linux/ipc.h SEMOP…), and since Linux 4.3 / 5.1
// most of them through direct syscalls too. libseccomp makes a rule for such a name cover both
// entry points, and runc counts neither when it looks for the highest syscall number.
export const X86_SOCKETCALL = 102;
export const X86_IPC = 117;

export const SOCKETCALL_CALLS: ReadonlyMap<string, number> = new Map([
  ['socket', 1],
  ['bind', 2],
  ['connect', 3],
  ['listen', 4],
  ['accept', 5],
  ['getsockname', 6],
  ['getpeername', 7],
  ['socketpair', 8],
  ['send', 9],
  ['recv', 10],
  ['sendto', 11],
  ['recvfrom', 12],
  ['shutdown', 13],
  ['setsockopt', 14],
  ['getsockopt', 15],
  ['sendmsg', 16],
  ['recvmsg', 17],
  ['accept4', 18],
  ['recvmmsg', 19],
  ['sendmmsg', 20],
]);

export const IPC_CALLS: ReadonlyMap<string, number> = new Map([
  ['semop', 1],
  ['semget', 2],
  ['semctl', 3],
  ['semtimedop', 4],
  ['msgsnd', 11],
  ['msgrcv', 12],
  ['msgget', 13],
  ['msgctl', 14],
  ['shmat', 21],
  ['shmdt', 22],
  ['shmget', 23],
  ['shmctl', 24],
]);

/** Where a rule for `name` lands on `arch`: direct syscall numbers, and a multiplexer call. */
export interface Resolution {
  /** The syscall's own number, if the arch has one. */
  direct?: number;
  /** i386 only: the multiplexer syscall and the call number its argument 0 must equal. */
  multiplexed?: { syscall: number; call: number };
}

export function resolveSyscall(arch: SupportedArch, name: string): Resolution | undefined {
  const direct = syscallNumber(arch, name);
  if (arch === 'SCMP_ARCH_X86') {
    const sock = SOCKETCALL_CALLS.get(name);
    if (sock !== undefined) return { direct, multiplexed: { syscall: X86_SOCKETCALL, call: sock } };
    const ipc = IPC_CALLS.get(name);
    if (ipc !== undefined) return { direct, multiplexed: { syscall: X86_IPC, call: ipc } };
  }
  return direct === undefined ? undefined : { direct };
}

/**
 * The number runc's -ENOSYS stub counts for `name` (libseccomp's per-arch name lookup): none for
 * the i386 socket and IPC calls, whose lookup gives libseccomp's negative pseudo number.
 */
export function enosysNumber(arch: SupportedArch, name: string): number | undefined {
  if (arch === 'SCMP_ARCH_X86' && (SOCKETCALL_CALLS.has(name) || IPC_CALLS.has(name))) return undefined;
  return syscallNumber(arch, name);
}

// Operation codes and flags of the plan wire format. Mirror of native/plan.h: keep both in sync
// (test/unit/plan/opcodes-sync.test.ts compares them).

export const PLAN_MAGIC = 0x4c505343; // "CSPL"
export const PLAN_VERSION = 2;
export const PLAN_HEADER_LEN = 16;
export const OP_HEADER_LEN = 8;
export const PLAN_MAX_LEN = 16 << 20;
export const PLAN_MAX_OPS = 65536;

export const TAG_U64 = 1;
export const TAG_STR = 2;
export const TAG_BYTES = 3;

export const Op = {
  SETNS: 1,
  UNSHARE: 2,
  USERNS_SYNC: 3,
  WRITE_PROC: 4,
  FORK_INIT: 5,
  CLOSE_FDS: 6,
  WAIT_PARENT: 10,
  SETHOSTNAME: 11,
  SETDOMAINNAME: 12,
  MOUNT_PROPAGATION: 13,
  ROOTFS_BIND: 14,
  MOUNT: 15,
  MKNOD: 16,
  BIND_DEV: 17,
  SYMLINK: 18,
  SYSCTL: 19,
  PIVOT_ROOT: 20,
  CHROOT: 21,
  MASK: 22,
  READONLY: 23,
  ROOT_READONLY: 24,
  RLIMIT: 25,
  SETUSER: 26,
  CAPS: 27,
  NO_NEW_PRIVS: 28,
  UMASK: 29,
  CHDIR: 30,
  RESOLVE_EXEC: 31,
  PREPARE_FDS: 32,
  WAIT_START: 33,
  EXEC: 34,
  KEEP_CAPS: 35,
  DUMPABLE: 36,
  CAPS_BOUNDING: 37,
  JOIN_KEYRING: 38,
  MKDIR: 39,
  SCHED: 40,
  IOPRIO: 41,
  PERSONALITY: 42,
  MEMPOLICY: 43,
  HOME: 44,
  CONSOLE: 45,
  DUP2: 46,
  SECCOMP: 47,
  AFFINITY: 48,
  JOIN_CGROUP: 49,
  SETSID: 50,
} as const;
export type OpCode = (typeof Op)[keyof typeof Op];

export const MountKind = { BIND: 1, FS: 2 } as const;

export const MF_DEST_FILE = 0x1;
export const MF_BIND_FALLBACK = 0x2;
export const MF_RECURSIVE_BIND = 0x4;
export const MF_NO_CREATE = 0x8;
export const MF_REMOUNT = 0x10;
/** tmpcopyup: a new tmpfs starts with a copy of what the destination held */
export const MF_TMPCOPYUP = 0x20;

export const SB_SYNC = 0x1;
export const SB_DIRSYNC = 0x2;
export const SB_LAZYTIME = 0x4;
export const SB_MAND = 0x8;

export const ChdirWhen = { NOW: 0, TRY: 1, DEFERRED: 2 } as const;

/** CS_OP_EXEC: execve straight, or through the sealed caisson-exec trampoline (CVE-2019-5736). */
export const ExecHow = { DIRECT: 0, TRAMPOLINE: 1 } as const;

/** Tags the init sends at CS_OP_WAIT_PARENT points; the parent runs what belongs there. */
export const SyncTag = {
  /** mounts are done, pivot_root is next: prestart / createRuntime / createContainer hooks */
  PRE_PIVOT: 1,
  // 2 was the cgroup join, which the init now does itself (CS_OP_JOIN_CGROUP)
  /** the notify filter is in and its listener sent: the parent hands it to listenerPath */
  SECCOMP: 3,
} as const;

export const Msg = {
  PID: 1,
  IDMAP: 2,
  REACHED: 3,
  READY: 4,
  ERROR: 5,
  STEP: 6,
  GO: 100,
  ABORT: 101,
} as const;

export const MSG_HEADER_LEN = 8;
export const MSG_ERROR_LEN = 4 + 4 + 32;
export const START_REQUEST = 'S';

// Kernel constants the plan carries.
export const CLONE = {
  NEWTIME: 0x00000080,
  NEWNS: 0x00020000,
  NEWCGROUP: 0x02000000,
  NEWUTS: 0x04000000,
  NEWIPC: 0x08000000,
  NEWUSER: 0x10000000,
  NEWPID: 0x20000000,
  NEWNET: 0x40000000,
} as const;

export const MS = {
  RDONLY: 0x1,
  NOSUID: 0x2,
  NODEV: 0x4,
  NOEXEC: 0x8,
  REMOUNT: 0x20,
  BIND: 0x1000,
  MOVE: 0x2000,
  REC: 0x4000,
  UNBINDABLE: 1 << 17,
  PRIVATE: 1 << 18,
  SLAVE: 1 << 19,
  SHARED: 1 << 20,
} as const;

export const MOUNT_ATTR = {
  RDONLY: 0x1,
  NOSUID: 0x2,
  NODEV: 0x4,
  NOEXEC: 0x8,
  ATIME_MASK: 0x70,
  RELATIME: 0x0,
  NOATIME: 0x10,
  STRICTATIME: 0x20,
  NODIRATIME: 0x80,
  IDMAP: 0x100000,
  NOSYMFOLLOW: 0x200000,
} as const;

/*
 * The plan wire format: the contract between lib/plan/encode.ts and the child interpreter.
 *
 * TypeScript decides everything (what to mount, in which order, which ids and caps); it
 * serialises the decisions as a flat list of operations. The cloned child walks that list and
 * does exactly what each operation says. The child trusts nothing about the buffer's shape: every
 * length is checked against the end of its record and every record against the end of the
 * buffer before it is used (runc's CVE-2021-43784 was an unchecked length in exactly such a
 * buffer).
 *
 *   buffer  = header, op*
 *   header  = u32 magic, u16 version, u16 reserved, u32 total_len, u32 op_count     (16 bytes)
 *   op      = u16 code, u16 reserved, u32 len (whole record incl. these 8 bytes), field*
 *   field   = u8 tag, then
 *               TAG_U64: u64 little-endian
 *               TAG_STR: u32 n, n bytes, one NUL (n excludes the NUL; no NUL inside)
 *               TAG_BYTES: u32 n, n bytes (binary, e.g. a BPF program)
 *
 * Every op has a label in the parent ("mount proc on /proc"), which stays there: the child
 * reports a failure by op index and the parent prints that op's label. (Version 1 carried the
 * labels in the buffer as each op's first field, which the child only skipped; eighty
 * strings fewer to encode per container.)
 *
 * Keep the numbers in sync with lib/plan/opcodes.ts.
 */
#ifndef CAISSON_PLAN_H
#define CAISSON_PLAN_H

#include <stdint.h>

#define CS_PLAN_MAGIC 0x4c505343u /* "CSPL" */
#define CS_PLAN_VERSION 2
#define CS_PLAN_HEADER_LEN 16
#define CS_OP_HEADER_LEN 8
#define CS_PLAN_MAX_LEN (16u << 20) /* 16 MiB: far above any real config */
#define CS_PLAN_MAX_OPS 65536u

#define CS_TAG_U64 1
#define CS_TAG_STR 2
#define CS_TAG_BYTES 3 /* u32 n, n bytes (may hold NULs; no terminator) */

/*
 * Operations. Each one's fields are listed in order.
 * "path in root" means resolved below the rootfs with openat2(RESOLVE_IN_ROOT|NO_MAGICLINKS).
 */
enum cs_op {
  /* ---- stage 1: namespaces (runs in the first child) ---- */
  CS_OP_SETNS = 1,         /* fd, nstype (CLONE_NEW*)                                     */
  CS_OP_UNSHARE = 2,       /* flags                                                        */
  CS_OP_USERNS_SYNC = 3,   /* uid, gid: ask the parent to write id maps, wait, setresuid/gid */
  CS_OP_WRITE_PROC = 4,    /* path relative to the verified procfs, data: self/timens_offsets */
  CS_OP_FORK_INIT = 5,     /* (none) clone the init as a sibling (CLONE_PARENT); stage 1 ends */
  CS_OP_CLOSE_FDS = 6,     /* min fd, n, fds...: close every fd >= min except these (and ours) */

  /* ---- stage 2: the init ---- */
  CS_OP_WAIT_PARENT = 10,  /* tag: tell the parent we reached `tag`, wait for its go-ahead  */
  CS_OP_SETHOSTNAME = 11,  /* name                                                         */
  CS_OP_SETDOMAINNAME = 12,/* name                                                         */
  CS_OP_MOUNT_PROPAGATION = 13, /* path (host view), flags (MS_REC|MS_PRIVATE...)           */
  CS_OP_ROOTFS_BIND = 14,  /* path: bind the rootfs onto itself, keep an fd to it (root fd) */
  CS_OP_MOUNT = 15,        /* see cs_mount_args below                                        */
  CS_OP_MKNOD = 16,        /* path in root, mode (incl. S_IFMT), major, minor, uid, gid      */
  CS_OP_BIND_DEV = 17,     /* host path, path in root: bind a host node (inside a userns)   */
  CS_OP_SYMLINK = 18,      /* target, path in root (EEXIST ignored)                          */
  CS_OP_SYSCTL = 19,       /* relative path under /proc/sys, value                           */
  CS_OP_PIVOT_ROOT = 20,   /* (none)                                                         */
  CS_OP_CHROOT = 21,       /* (none) --no-pivot: move the rootfs onto / and chroot           */
  CS_OP_MASK = 22,         /* path (container view, after pivot)                            */
  CS_OP_READONLY = 23,     /* path (container view, after pivot)                            */
  CS_OP_ROOT_READONLY = 24,/* (none) remount / read-only                                     */
  CS_OP_RLIMIT = 25,       /* resource, soft, hard                                           */
  CS_OP_SETUSER = 26,      /* uid, gid, set_groups (0/1), ngroups, groups...                 */
  CS_OP_CAPS = 27,         /* effective, permitted, inheritable, ambient (u64 masks)         */
  CS_OP_NO_NEW_PRIVS = 28, /* (none)                                                         */
  CS_OP_UMASK = 29,        /* mask                                                           */
  CS_OP_CHDIR = 30,        /* path, when (CS_CHDIR_*): chdir, verify the cwd is inside root  */
  CS_OP_RESOLVE_EXEC = 31, /* file (args[0]), PATH value: execvp lookup, fail at create time */
  CS_OP_PREPARE_FDS = 32,  /* first fd to close-on-exec (3 + preserved)                      */
  CS_OP_WAIT_START = 33,   /* listen fd, min fd: report ready, wait for `start` to connect   */
  CS_OP_EXEC = 34,         /* how (enum cs_exec_how), argc, argv..., envc, env...            */
  CS_OP_KEEP_CAPS = 35,    /* on (0/1): PR_SET_KEEPCAPS around setuid                        */
  CS_OP_DUMPABLE = 36,     /* on (0/1)                                                       */
  CS_OP_CAPS_BOUNDING = 37,/* mask: drop the rest from the bounding set (before setuid)      */
  CS_OP_JOIN_KEYRING = 38, /* name, perm bits to add: a session keyring of our own           */
  CS_OP_MKDIR = 39,        /* path in root: create it and its parents if missing (the cwd)   */
  CS_OP_SCHED = 40,        /* policy, flags, nice (two's complement), priority, runtime, deadline, period */
  CS_OP_IOPRIO = 41,       /* ioprio value (class << 13 | level)                             */
  CS_OP_PERSONALITY = 42,  /* persona                                                        */
  CS_OP_MEMPOLICY = 43,    /* mode|flags, maxnode, nwords, words...: set_mempolicy            */
  CS_OP_HOME = 44,         /* uid: HOME from the container's /etc/passwd, added at exec      */
  CS_OP_CONSOLE = 45,      /* socket fd, rows, cols, bind console (0/1): pty, master to socket */
  CS_OP_DUP2 = 46,         /* from fd, to fd: stdio for helper processes (hooks)             */
  CS_OP_SECCOMP = 47,      /* flags, program (bytes: struct sock_filter[]), listener socket fd or -1 */
  CS_OP_AFFINITY = 48,     /* nwords, words...: sched_setaffinity (execCPUAffinity)          */
  CS_OP_JOIN_CGROUP = 49,  /* fd: a v1 `tasks` file opened by the parent: write "0", close it */
  CS_OP_SETSID = 50,       /* (none) a session and process group of its own (hooks)          */


  CS_OP_MAX_ = 64
};

/*
 * CS_OP_MOUNT fields:
 *   kind        u64  CS_MOUNT_BIND | CS_MOUNT_FS
 *   source      str  bind: absolute host path; fs: the fs "source" ("proc", "tmpfs", a device)
 *   dest        str  path in root (absolute in container terms)
 *   fstype      str  fs: type for fsopen(); bind: ""
 *   attr_set    u64  MOUNT_ATTR_* to set on the mount itself
 *   attr_clr    u64  MOUNT_ATTR_* to clear on it (atime modes need MOUNT_ATTR__ATIME cleared)
 *   rattr_set   u64  MOUNT_ATTR_* to set on the whole tree (the r* options)
 *   rattr_clr   u64  MOUNT_ATTR_* to clear on the whole tree
 *   propagation u64  0 or MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE
 *   prop_rec    u64  1: propagation applies recursively
 *   sb_flags    u64  bit set of CS_SB_* superblock flags (sync, dirsync, lazytime, mand)
 *   ndata       u64  number of data strings, then ndata strs: "key=value" or "flag"
 *   flags       u64  CS_MF_* below
 *   fallback    str  CS_MF_BIND_FALLBACK: host path to rbind when the fs mount gets EPERM
 */
enum cs_mount_kind {
  CS_MOUNT_BIND = 1,
  CS_MOUNT_FS = 2,
};

#define CS_MF_DEST_FILE 0x1      /* create the destination as a file (bind of a non-directory) */
#define CS_MF_BIND_FALLBACK 0x2  /* on EPERM from the fs mount, rbind `fallback` instead       */
#define CS_MF_RECURSIVE_BIND 0x4 /* rbind: clone the whole tree                                */
#define CS_MF_NO_CREATE 0x8      /* do not create a missing destination                       */
#define CS_MF_REMOUNT 0x10       /* change the attributes of the mount already at dest        */
#define CS_MF_TMPCOPYUP 0x20     /* tmpfs: copy what dest holds into it before attaching      */

#define CS_SB_SYNC 0x1
#define CS_SB_DIRSYNC 0x2
#define CS_SB_LAZYTIME 0x4
#define CS_SB_MAND 0x8

/* CS_OP_CHDIR `when`: runc changes directory as root first (so a cwd only root can enter works)
 * and retries as the user if that was refused. */
#define CS_CHDIR_NOW 0        /* must succeed now */
#define CS_CHDIR_TRY 1        /* may be refused with EACCES/EPERM: then deferred */
#define CS_CHDIR_DEFERRED 2   /* only if the earlier try was deferred */

/* ---- messages on the sync socket ---- */
/* Every message is a cs_msg header followed by `len` payload bytes. */
/* CS_OP_EXEC: straight execve, or through the sealed caisson-exec trampoline (CVE-2019-5736). */
enum cs_exec_how {
  CS_EXEC_DIRECT = 0,
  CS_EXEC_TRAMPOLINE = 1,
};

struct cs_msg {
  uint32_t type;
  uint32_t len;
};

enum cs_msg_type {
  /* child -> parent */
  CS_MSG_PID = 1,      /* u32 host pid of the init (sent by stage 1)                   */
  CS_MSG_IDMAP = 2,    /* (none) stage 1 is in its new user namespace: write the maps   */
  CS_MSG_REACHED = 3,  /* u32 tag: the init reached a CS_OP_WAIT_PARENT point           */
  CS_MSG_READY = 4,    /* (none) the init is set up and waits for start                 */
  CS_MSG_ERROR = 5,    /* struct cs_msg_error, then detail bytes                        */
  CS_MSG_STEP = 6,     /* u32 op index: finished op (only when debug steps are enabled) */
  /* parent -> child */
  CS_MSG_GO = 100,     /* (none) continue                                               */
  CS_MSG_ABORT = 101,  /* (none) stop: the child exits without running further ops      */
};

struct cs_msg_error {
  int32_t err;          /* errno, or 0 when `detail` says everything                   */
  uint32_t op_index;    /* index of the failing op in the plan (0-based)               */
  char syscall[32];     /* NUL-terminated name of the failing call or sub-step        */
};

#define CS_MSG_MAX_PAYLOAD 4096

/* The message `start` exchanges with the waiting init on its start socket. */
#define CS_START_REQUEST 'S'

#endif

/*
 * The protocol between the addon and caisson-spawner (native/spawner.c), over a SOCK_SEQPACKET
 * socket pair: one request message, one reply message, strictly in turn.
 *
 * Why a spawner at all: cloning Node costs a copy of its page tables, copy-on-write faults in
 * all of Node's threads for every page written afterwards, and the teardown of that copy when
 * the child execs; about a millisecond per container here. The spawner is a small
 * single-threaded process the addon starts once; it clones each container's first child from
 * its own small address space, with CLONE_PARENT so that child is still Node's child (Node
 * reaps it through its pidfd, as before). The child runs the same plan interpreter.
 *
 * Request: struct cs_spawn_req as data, and `nfds` fds as SCM_RIGHTS, in this order:
 *   [0]            the plan, a sealed memfd of `plan_len` bytes
 *   [1]            the child's end of the sync socket
 *   [2]            our working directory (O_PATH), entered by the child
 *   [3]            the trampoline memfd, or absent when `has_trampoline` is 0
 *   [next]         the cgroup2 directory for CLONE_INTO_CGROUP, when `has_cgroup` is 1
 *   [the rest]     fds the child must hold at fixed numbers: `targets[i]`, with `cloexec[i]`
 * Reply: struct cs_spawn_rep with the request's `seq`; with `result` > 0 (the pid) its pidfd as
 * SCM_RIGHTS, and for a clone ahead its start time. Replies come in the order of the requests; `seq` lets the addon hand each to the
 * caller that waits for it (several may be outstanding, see below).
 *
 * Clone ahead (`ahead` = 1): the addon asks for the init before its plan exists, so the clone
 * and the plan's last steps (filling the cgroups, building and encoding the plan) overlap. Its
 * fds are only [0] the child's end of the sync socket and [1] the cgroup2 directory when
 * `has_cgroup`; `plan_len` and `nplaced` are 0. The spawner clones and replies at once. The
 * child waits on the sync socket for the rest: a full request (`ahead` 0, `has_cgroup` 0, the
 * same `clone_flags`), which the addon writes to its end once the plan is ready, and then goes on
 * exactly as a child cloned for a full request. EOF there (the create failed) ends it.
 */
#ifndef CAISSON_SPAWN_PROTO_H
#define CAISSON_SPAWN_PROTO_H

#include <stdint.h>

#define CS_SPAWN_MAGIC 0x63737032u /* "csp2" */
#define CS_SPAWN_MAX_PLACED 96     /* fds at fixed numbers (stdio, preserved, the plan's) */
#define CS_SPAWN_MAX_FDS (CS_SPAWN_MAX_PLACED + 5)
/*
 * The namespaces a clone of the init may create (addon.cc and spawner.c both check): no user
 * namespace (the parent must write its id maps first), no time namespace (offsets are set before
 * anyone enters), no cgroup namespace (clone3 would root it at the parent's cgroup).
 */
#define CS_SPAWN_ALLOWED_NS (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS)

/* The control socket's number in the spawner (set up by the addon when it starts it). */
#define CS_SPAWN_CTL_FD 3

struct cs_spawn_req {
  uint32_t magic;
  uint32_t nfds;
  uint64_t clone_flags; /* CLONE_NEW* bits only (checked on both sides) */
  uint32_t plan_len;
  uint32_t min_fd;      /* the sync socket goes at or above it (fds below are the container's) */
  uint32_t umask;
  uint32_t seq;         /* echoed in the reply */
  uint8_t has_trampoline;
  uint8_t has_cgroup;
  uint8_t ahead;        /* clone now; the rest of the request follows on the sync socket */
  uint8_t reserved;
  uint16_t nplaced;
  int32_t targets[CS_SPAWN_MAX_PLACED];
  uint8_t cloexec[CS_SPAWN_MAX_PLACED];
};

struct cs_spawn_rep {
  uint32_t magic;
  int32_t result; /* pid, or -errno */
  uint32_t seq;    /* the request's */
  uint32_t pad;
  /* A clone ahead's start time (field 22 of /proc/PID/stat, clock ticks since boot), read while
   * it waits for its plan; 0 when unknown (then the addon's caller reads it itself). */
  uint64_t start_ticks;
};

#endif

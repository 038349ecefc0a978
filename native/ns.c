/*
 * Stage 1 operations: joining and creating namespaces, and handing over to the init.
 *
 * Order is decided in TypeScript (lib/plan/namespaces.ts); the rules it follows are that a
 * joined user namespace comes first (it owns the others), then the other joins, then a new user
 * namespace (whose id maps the parent writes), then the remaining new namespaces. PID and time
 * namespaces only apply to children, which is why the init is a second clone.
 */
#include <string.h>
#include <sys/prctl.h>

#include "child.h"
#include "sys.h"

static int op_setns(struct cs_child *c, struct cs_rd *r) {
  uint64_t fd, nstype;
  if (cs_rd_u64(r, &fd) < 0 || cs_rd_u64(r, &nstype) < 0 || cs_rd_done(r) < 0) return cs_fail(c, "plan");
  if (fd > INT32_MAX) return cs_fail_errno(c, "plan", EBADF);
  /* nstype makes the kernel check the fd really is a namespace of that type (spec: MUST). */
  if (setns((int)fd, (int)nstype) < 0) return cs_fail(c, "setns");
  close((int)fd); /* not needed any more, and must not reach the container */
  return 0;
}

static int op_unshare(struct cs_child *c, struct cs_rd *r) {
  uint64_t flags;
  if (cs_rd_u64(r, &flags) < 0 || cs_rd_done(r) < 0) return cs_fail(c, "plan");
  if (unshare((int)flags) < 0) return cs_fail(c, "unshare");
  return 0;
}

/*
 * After unshare(CLONE_NEWUSER): the parent writes uid_map/gid_map (it has CAP_SETUID in the
 * parent namespace, we do not), then we take the configured ids inside the namespace so files
 * we create later are owned by the mapped root.
 */
static int op_userns_sync(struct cs_child *c, struct cs_rd *r) {
  uint64_t uid, gid;
  if (cs_rd_u64(r, &uid) < 0 || cs_rd_u64(r, &gid) < 0 || cs_rd_done(r) < 0) return cs_fail(c, "plan");
  if (cs_send(c->sync_fd, CS_MSG_IDMAP, NULL, 0) < 0) return cs_fail(c, "send idmap request");
  if (cs_wait_go(c->sync_fd) < 0) return cs_fail(c, "wait for id maps");
  if (syscall(SYS_setresgid, (gid_t)gid, (gid_t)gid, (gid_t)gid) < 0) return cs_fail(c, "setresgid");
  if (syscall(SYS_setresuid, (uid_t)uid, (uid_t)uid, (uid_t)uid) < 0) return cs_fail(c, "setresuid");
  return 0;
}

/* Write a small file below the verified procfs (e.g. self/timens_offsets) in one write(2). */
static int op_write_proc(struct cs_child *c, struct cs_rd *r) {
  const char *path, *data;
  uint32_t len;
  if (cs_rd_str(r, &path, NULL) < 0 || cs_rd_str(r, &data, &len) < 0 || cs_rd_done(r) < 0)
    return cs_fail(c, "plan");
  int fd = cs_openat2(c->proc_fd, path, O_WRONLY | O_CLOEXEC, 0, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
  if (fd < 0) return cs_fail(c, "open");
  ssize_t n = write(fd, data, len);
  int err = errno;
  close(fd);
  if (n < 0) return cs_fail_errno(c, "write", err);
  if ((uint32_t)n != len) return cs_fail_errno(c, "write", EIO);
  return 0;
}

/*
 * Clone the init. CLONE_PARENT makes it our parent's child rather than ours, so the caller can
 * wait for it with a pidfd and we can simply exit. The init waits for the parent's go-ahead,
 * sent once the parent has its pid (and has pidfd_open'ed it), so messages stay in order.
 */
static int op_fork_init(struct cs_child *c, struct cs_rd *r, int *stage_over) {
  if (cs_rd_done(r) < 0) return cs_fail(c, "plan");
  struct cs_clone_args args;
  memset(&args, 0, sizeof(args));
  args.flags = CLONE_PARENT;
  long pid = cs_clone3(&args);
  if (pid < 0 && errno == ENOSYS) pid = syscall(SYS_clone, CLONE_PARENT, 0, 0, 0, 0);
  if (pid < 0) return cs_fail(c, "clone init");
  if (pid == 0) {
    /* The init. PDEATHSIG is cleared by clone; the parent is now the caller. */
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (cs_wait_go(c->sync_fd) < 0) return cs_fail(c, "wait for parent");
    return 0;
  }
  if (cs_send_u32(c->sync_fd, CS_MSG_PID, (uint32_t)pid) < 0) return cs_fail(c, "send init pid");
  *stage_over = 1;
  return 0;
}

/*
 * First op of every plan. We are a copy of Node and hold copies of all its fds: its epoll and
 * pipes, other containers' state-directory locks (an flock is shared by every copy of the fd, so
 * holding one would block `start` on the lock until our execve), and whatever else. Close all of
 * them now, keeping only the fds the plan names, our sync socket and our procfs fd.
 */
static int op_close_fds(struct cs_child *c, struct cs_rd *r) {
  uint64_t min, n;
  if (cs_rd_u64(r, &min) < 0 || cs_rd_u64(r, &n) < 0) return cs_fail(c, "plan");
  if (min < 3 || min > (1u << 20) || n > 64 || n > (uint64_t)(r->end - r->p) / 9) return cs_fail_errno(c, "plan", EBADMSG);
  int keep[64 + 3];
  unsigned k = 0;
  for (uint64_t i = 0; i < n; i++) {
    uint64_t fd;
    if (cs_rd_u64(r, &fd) < 0) return cs_fail(c, "plan");
    if (fd > INT32_MAX) return cs_fail_errno(c, "plan", EBADF);
    keep[k++] = (int)fd;
  }
  if (cs_rd_done(r) < 0) return cs_fail(c, "plan");
  keep[k++] = c->sync_fd;
  keep[k++] = c->proc_fd;
  if (c->trampoline_fd >= 0) keep[k++] = c->trampoline_fd;
  /* Sort the few fds to keep, then close the gaps between them. */
  for (unsigned i = 1; i < k; i++)
    for (unsigned j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
      int t = keep[j];
      keep[j] = keep[j - 1];
      keep[j - 1] = t;
    }
  unsigned lo = (unsigned)min;
  for (unsigned i = 0; i <= k; i++) {
    unsigned hi = i < k ? (unsigned)keep[i] : ~0U;
    if (i < k && keep[i] < (int)min) continue;
    if (hi > lo) {
      if (cs_close_range(lo, hi == ~0U ? ~0U : hi - 1, 0) < 0) {
        if (errno != ENOSYS) return cs_fail(c, "close_range");
        unsigned top = hi == ~0U ? 65536 : hi;
        for (unsigned fd = lo; fd < top; fd++) close((int)fd);
      }
    }
    if (i < k) lo = (unsigned)keep[i] + 1;
  }
  return 0;
}

int cs_ops_ns(struct cs_child *c, uint16_t code, struct cs_rd *r, int *stage_over) {
  switch (code) {
    case CS_OP_SETNS: return op_setns(c, r);
    case CS_OP_UNSHARE: return op_unshare(c, r);
    case CS_OP_USERNS_SYNC: return op_userns_sync(c, r);
    case CS_OP_WRITE_PROC: return op_write_proc(c, r);
    case CS_OP_FORK_INIT: return op_fork_init(c, r, stage_over);
    case CS_OP_CLOSE_FDS: return op_close_fds(c, r);
    default: return CS_NOT_MINE;
  }
}

/*
 * Stage 2 process operations: identity, credentials, limits, and the hand-over to the user
 * program (waiting for `start`, then execve).
 */
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/keyctl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "child.h"

/* "caisson-exec", the error fd, the op index, the path: see native/exec-trampoline.c. */
#define TRAMPOLINE_ARGS 4
#include "sys.h"

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

static int op_wait_parent(struct cs_child *c, struct cs_rd *r) {
  uint64_t tag;
  if (cs_rd_u64(r, &tag) < 0 || cs_rd_done(r) < 0) return cs_fail(c, "plan");
  if (cs_send_u32(c->sync_fd, CS_MSG_REACHED, (uint32_t)tag) < 0) return cs_fail(c, "send");
  if (cs_wait_go(c->sync_fd) < 0) return cs_fail(c, "wait for parent");
  return 0;
}

/*
 * Join a v1 cgroup hierarchy by writing "0" (this thread) to its `tasks` file, which the parent
 * opened. Why not the parent writing our pid to cgroup.procs: that takes the kernel's global
 * threadgroup lock for writing, whose first use after an idle spell waits for an RCU grace period
 * (10-20 ms here); a thread moving itself skips that lock. We are single-threaded, so the thread
 * is the whole process. The permission check uses the opener's credentials (the parent's).
 */
static int op_join_cgroup(struct cs_child *c, struct cs_rd *r) {
  uint64_t fd;
  if (cs_rd_u64(r, &fd) < 0 || cs_rd_done(r) < 0) return cs_fail(c, "plan");
  /* never one of our own fds: closing it would break what comes after */
  int f = fd > INT32_MAX ? -1 : (int)fd;
  if (f < 3 || f == c->sync_fd || f == c->root_fd || f == c->proc_fd || f == c->devnull_fd || f == c->trampoline_fd)
    return cs_fail_errno(c, "plan", EBADF);
  ssize_t n;
  do n = write(f, "0", 1);
  while (n < 0 && errno == EINTR);
  int saved = errno;
  close(f);
  if (n != 1) {
    errno = n < 0 ? saved : EIO;
    return cs_fail(c, "write tasks");
  }
  return 0;
}

static int op_name(struct cs_child *c, struct cs_rd *r, int domain) {
  const char *name;
  uint32_t len;
  if (cs_rd_str(r, &name, &len) < 0 || cs_rd_done(r) < 0) return cs_fail(c, "plan");
  int rc = domain ? setdomainname(name, len) : sethostname(name, len);
  if (rc < 0) return cs_fail(c, domain ? "setdomainname" : "sethostname");
  return 0;
}

/*
 * A fresh session keyring, so the container does not share the caller's keys (runc names it
 * "_ses.<id>" and adds search permission for the possessor's uid, or for others in a user
 * namespace). Kernels without keyrings answer ENOSYS: nothing to isolate then.
 */
static int op_join_keyring(struct cs_child *c, struct cs_rd *r) {
  const char *name;
  uint64_t add;
  if (cs_rd_str(r, &name, NULL) < 0 || cs_rd_u64(r, &add) < 0 || cs_rd_done(r) < 0) return cs_fail(c, "plan");
  long id = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name, 0, 0, 0);
  if (id < 0) return errno == ENOSYS ? 0 : cs_fail(c, "keyctl(KEYCTL_JOIN_SESSION_KEYRING)");
  /* The description reads "type;uid;gid;perm;name" with perm in hex. */
  char desc[256];
  long n = syscall(SYS_keyctl, KEYCTL_DESCRIBE, id, desc, sizeof(desc) - 1, 0);
  if (n < 0) return cs_fail(c, "keyctl(KEYCTL_DESCRIBE)");
  desc[n < (long)sizeof(desc) ? n : (long)sizeof(desc) - 1] = '\0';
  const char *p = desc;
  for (int field = 0; field < 3 && *p; p++)
    if (*p == ';') field++;
  uint32_t perm = 0;
  for (; *p && *p != ';'; p++) {
    int d = (*p >= '0' && *p <= '9') ? *p - '0' : (*p >= 'a' && *p <= 'f') ? *p - 'a' + 10 : -1;
    if (d < 0) return cs_fail_errno(c, "parse keyring description", EINVAL);
    perm = perm << 4 | (uint32_t)d;
  }
  if (syscall(SYS_keyctl, KEYCTL_SETPERM, id, perm | (uint32_t)add, 0, 0) < 0) return cs_fail(c, "keyctl(KEYCTL_SETPERM)");
  return 0;
}

static int op_rlimit(struct cs_child *c, struct cs_rd *r) {
  uint64_t res, soft, hard;
  if (cs_rd_u64(r, &res) < 0 || cs_rd_u64(r, &soft) < 0 || cs_rd_u64(r, &hard) < 0 || cs_rd_done(r) < 0)
    return cs_fail(c, "plan");
  struct rlimit64 lim = {.rlim_cur = soft, .rlim_max = hard};
  if (syscall(SYS_prlimit64, 0, (int)res, &lim, NULL) < 0) return cs_fail(c, "setrlimit");
  return 0;
}

/* Map ngroups gids with mmap: NGROUPS_MAX is 65536, too much for the stack. */
static int op_setuser(struct cs_child *c, struct cs_rd *r) {
  uint64_t uid, gid, set_groups, ngroups;
  if (cs_rd_u64(r, &uid) < 0 || cs_rd_u64(r, &gid) < 0 || cs_rd_u64(r, &set_groups) < 0 || cs_rd_u64(r, &ngroups) < 0)
    return cs_fail(c, "plan");
  /* Each gid takes 9 bytes in the record: a count larger than the record allows is a lie. */
  if (ngroups > 65536 || ngroups > (uint64_t)(r->end - r->p) / 9) return cs_fail_errno(c, "plan", EBADMSG);
  gid_t *groups = NULL;
  size_t bytes = (size_t)(ngroups ? ngroups : 1) * sizeof(gid_t);
  groups = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (groups == MAP_FAILED) return cs_fail(c, "mmap");
  for (uint64_t i = 0; i < ngroups; i++) {
    uint64_t g;
    if (cs_rd_u64(r, &g) < 0) return cs_fail(c, "plan");
    groups[i] = (gid_t)g;
  }
  if (cs_rd_done(r) < 0) return cs_fail(c, "plan");
  /* Always replace the supplementary groups: the init would otherwise keep the caller's. */
  if (set_groups && syscall(SYS_setgroups, (size_t)ngroups, groups) < 0) return cs_fail(c, "setgroups");
  munmap(groups, bytes);
  if (syscall(SYS_setresgid, (gid_t)gid, (gid_t)gid, (gid_t)gid) < 0) return cs_fail(c, "setresgid");
  if (syscall(SYS_setresuid, (uid_t)uid, (uid_t)uid, (uid_t)uid) < 0) return cs_fail(c, "setresuid");
  return 0;
}

/* Drop every capability outside `mask` from the bounding set (needs CAP_SETPCAP, so before setuid). */
static int op_caps_bounding(struct cs_child *c, struct cs_rd *r) {
  uint64_t mask;
  if (cs_rd_u64(r, &mask) < 0 || cs_rd_done(r) < 0) return cs_fail(c, "plan");
  /* Dropping a capability the set no longer holds succeeds, so only the kept ones are skipped
   * (one call per dropped capability, not two). EINVAL: past the kernel's last capability. */
  for (int cap = 0; cap < 64; cap++) {
    if (mask & (1ULL << cap)) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0) continue;
    if (errno == EINVAL) break;
    /* Without CAP_SETPCAP nothing can be dropped; that is only an error if it is still there. */
    int err = errno;
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 0) continue;
    return cs_fail_errno(c, "drop bounding capability", err);
  }
  return 0;
}

static int op_caps(struct cs_child *c, struct cs_rd *r) {
  uint64_t eff, perm, inh, amb;
  if (cs_rd_u64(r, &eff) < 0 || cs_rd_u64(r, &perm) < 0 || cs_rd_u64(r, &inh) < 0 || cs_rd_u64(r, &amb) < 0 ||
      cs_rd_done(r) < 0)
    return cs_fail(c, "plan");
  struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof(data));
  data[0].effective = (uint32_t)eff;
  data[1].effective = (uint32_t)(eff >> 32);
  data[0].permitted = (uint32_t)perm;
  data[1].permitted = (uint32_t)(perm >> 32);
  data[0].inheritable = (uint32_t)inh;
  data[1].inheritable = (uint32_t)(inh >> 32);
  if (syscall(SYS_capset, &hdr, data) < 0) return cs_fail(c, "capset");
  /* Ambient caps must be both permitted and inheritable; they are raised after capset. */
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return cs_fail(c, "clear ambient capabilities");
  for (int cap = 0; cap < 64; cap++) {
    if (!(amb & (1ULL << cap))) continue;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0) return cs_fail(c, "raise ambient capability");
  }
  return 0;
}

static int op_flag(struct cs_child *c, struct cs_rd *r, int option) {
  uint64_t on;
  if (cs_rd_u64(r, &on) < 0 || cs_rd_done(r) < 0) return cs_fail(c, "plan");
  if (prctl(option, (unsigned long)on, 0, 0, 0) < 0) return cs_fail(c, "prctl");
  return 0;
}

static int op_no_new_privs(struct cs_child *c, struct cs_rd *r) {
  if (cs_rd_done(r) < 0) return cs_fail(c, "plan");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return cs_fail(c, "prctl(PR_SET_NO_NEW_PRIVS)");
  return 0;
}

/* A hook in the container's namespaces leads its own process group, so a timeout can kill it
 * and whatever it started (which would otherwise hold its output pipes open). */
static int op_setsid(struct cs_child *c, struct cs_rd *r) {
  if (cs_rd_done(r) < 0) return cs_fail(c, "plan");
  if (setsid() < 0) return cs_fail(c, "setsid");
  return 0;
}

static int op_umask(struct cs_child *c, struct cs_rd *r) {
  uint64_t mask;
  if (cs_rd_u64(r, &mask) < 0 || cs_rd_done(r) < 0) return cs_fail(c, "plan");
  umask((mode_t)(mask & 0777));
  return 0;
}

/*
 * chdir, then make sure the kernel agrees the cwd is inside our root. A cwd reached through a
 * leaked host fd (CVE-2024-21626: cwd set to /proc/self/fd/N) resolves outside the root and
 * getcwd(2) then reports "(unreachable)..." instead of an absolute path.
 */
static int op_chdir(struct cs_child *c, struct cs_rd *r) {
  const char *path;
  uint64_t when;
  if (cs_rd_str(r, &path, NULL) < 0 || cs_rd_u64(r, &when) < 0 || cs_rd_done(r) < 0) return cs_fail(c, "plan");
  if (when == CS_CHDIR_DEFERRED && !c->cwd_pending) return 0;
  if (chdir(path) < 0) {
    if (when == CS_CHDIR_TRY && (errno == EACCES || errno == EPERM)) {
      c->cwd_pending = 1;
      return 0;
    }
    cs_detail(c, path, NULL, NULL);
    return cs_fail(c, "chdir");
  }
  c->cwd_pending = 0;
  char buf[CS_PATH_MAX];
  long n = syscall(SYS_getcwd, buf, sizeof(buf));
  if (n < 0) return cs_fail(c, "getcwd");
  if (buf[0] != '/') {
    cs_detail(c, "cwd ", path, " is outside the container root");
    return cs_fail_errno(c, "verify cwd", EPERM);
  }
  return 0;
}

static int executable(const char *path) {
  struct stat st;
  if (stat(path, &st) < 0) return -1;
  if (S_ISDIR(st.st_mode)) {
    errno = EACCES;
    return -1;
  }
  if (syscall(SYS_faccessat, AT_FDCWD, path, X_OK) < 0) return -1;
  return 0;
}

/*
 * execvp's lookup, done before waiting for `start` so a missing binary fails `create`, as runc
 * does. PATH is the container's; an empty entry means the current directory.
 */
static int op_resolve_exec(struct cs_child *c, struct cs_rd *r) {
  const char *file, *path;
  if (cs_rd_str(r, &file, NULL) < 0 || cs_rd_str(r, &path, NULL) < 0 || cs_rd_done(r) < 0) return cs_fail(c, "plan");
  if (!file[0]) return cs_fail_errno(c, "exec lookup", ENOENT);
  for (const char *s = file; *s; s++) {
    if (*s != '/') continue;
    if (cs_join(c->exec_path, sizeof(c->exec_path), file, NULL, NULL) < 0) return cs_fail(c, "exec path");
    if (executable(file) < 0) return cs_fail(c, "stat");
    return 0;
  }
  /* No PATH at all: nothing to search (Go's LookPath, which runc uses, behaves the same). */
  if (!path[0]) return cs_fail_errno(c, "exec lookup", ENOENT);
  int saw_eacces = 0;
  for (const char *p = path;;) {
    const char *e = p;
    while (*e && *e != ':') e++;
    size_t n = (size_t)(e - p);
    char dir[CS_PATH_MAX];
    if (n < sizeof(dir)) {
      memcpy(dir, p, n);
      dir[n] = '\0';
      if (cs_join(c->exec_path, sizeof(c->exec_path), n ? dir : ".", "/", file) == 0) {
        if (executable(c->exec_path) == 0) return 0;
        if (errno == EACCES) saw_eacces = 1;
      }
    }
    if (!*e) break;
    p = e + 1;
  }
  c->exec_path[0] = '\0';
  return cs_fail_errno(c, "exec lookup", saw_eacces ? EACCES : ENOENT);
}

/*
 * Every fd from `first` up becomes close-on-exec: nothing of ours may reach the container. Fds
 * below `first` are stdio and the caller's preserved ones (--preserve-fds, LISTEN_FDS): they are
 * made inheritable. Node marks even its stdio close-on-exec, so 0-2 need this too; the flag
 * belongs to our fd table, so the caller's copies are not touched.
 */
static int op_prepare_fds(struct cs_child *c, struct cs_rd *r) {
  uint64_t first;
  if (cs_rd_u64(r, &first) < 0 || cs_rd_done(r) < 0) return cs_fail(c, "plan");
  if (first < 3 || first > 1u << 20) return cs_fail_errno(c, "plan", EBADMSG);
  if (cs_close_range((unsigned)first, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
    if (errno != ENOSYS && errno != EINVAL) return cs_fail(c, "close_range");
    struct rlimit lim;
    unsigned max = getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < (1u << 20) ? (unsigned)lim.rlim_cur : 65536;
    for (unsigned fd = (unsigned)first; fd < max; fd++) {
      int fl = fcntl((int)fd, F_GETFD);
      if (fl >= 0 && !(fl & FD_CLOEXEC)) fcntl((int)fd, F_SETFD, fl | FD_CLOEXEC);
    }
  }
  for (int fd = 0; fd < (int)first; fd++) {
    int fl = fcntl(fd, F_GETFD);
    if (fl >= 0 && (fl & FD_CLOEXEC)) fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
  }
  return 0;
}

/*
 * While the init waits for `start`, it is pid 1 of its namespace and would ignore SIGTERM and
 * friends (default actions do not apply to a namespace init). runc's init dies of them, and
 * callers expect `kill` of a created container to work, so exit on them until execve.
 */
static void exit_on_signal(int sig) {
  _exit(128 + sig);
}

static const int exit_signals[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGPIPE};

static void set_exit_handlers(int on) {
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on ? exit_on_signal : SIG_DFL;
  for (unsigned i = 0; i < sizeof(exit_signals) / sizeof(exit_signals[0]); i++) sigaction(exit_signals[i], &sa, NULL);
}

static int op_wait_start(struct cs_child *c, struct cs_rd *r) {
  uint64_t lfd, min_fd;
  if (cs_rd_u64(r, &lfd) < 0 || cs_rd_u64(r, &min_fd) < 0 || cs_rd_done(r) < 0) return cs_fail(c, "plan");
  if (lfd > INT32_MAX || min_fd > INT32_MAX) return cs_fail_errno(c, "plan", EBADF);
  /* `create` is about to return: from here the init must outlive it. */
  if (prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0) < 0) return cs_fail(c, "prctl(PR_SET_PDEATHSIG)");
  set_exit_handlers(1);
  if (cs_send(c->sync_fd, CS_MSG_READY, NULL, 0) < 0) return cs_fail(c, "send ready");
  close(c->sync_fd);
  c->sync_fd = -1;
  int conn;
  for (;;) {
    conn = accept4((int)lfd, NULL, NULL, SOCK_CLOEXEC);
    if (conn < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return cs_fail(c, "accept start connection");
    }
    char req = 0;
    ssize_t n;
    do n = read(conn, &req, 1);
    while (n < 0 && errno == EINTR);
    if (n == 1 && req == CS_START_REQUEST) break;
    close(conn); /* not a start request: keep waiting */
  }
  close((int)lfd);
  /* Keep the connection out of the range of fds handed to the container. */
  if (conn < (int)min_fd) {
    int high = fcntl(conn, F_DUPFD_CLOEXEC, (int)min_fd);
    if (high < 0) return cs_fail(c, "dup start connection");
    close(conn);
    conn = high;
  }
  c->start_fd = conn;
  set_exit_handlers(0);
  return 0;
}

/*
 * Exec the container's program through caisson-exec (native/exec-trampoline.c), a sealed memfd,
 * so that the process doing the real execve is not a copy of the host's Node binary
 * (CVE-2019-5736). `front` has TRAMPOLINE_ARGS free slots before the program's argv. The error
 * channel stays open across this first execve, so the trampoline can report a failed second one;
 * it marks it close-on-exec again. Returns only if the trampoline could not be exec'd (a seccomp
 * profile that refuses execveat, say), and the caller then execs directly.
 */
static void exec_via_trampoline(struct cs_child *c, char **front, char **envp) {
  static char errfd_s[16], op_s[16];
  int errfd = c->start_fd >= 0 ? c->start_fd : c->sync_fd;
  if (errfd >= 0) {
    cs_utoa(errfd_s, sizeof(errfd_s), (uint64_t)errfd);
  } else {
    errfd_s[0] = '-', errfd_s[1] = '1', errfd_s[2] = '\0';
  }
  cs_utoa(op_s, sizeof(op_s), c->op_index);
  front[0] = "caisson-exec";
  front[1] = errfd_s;
  front[2] = op_s;
  front[3] = c->exec_path;
  if (errfd >= 0 && fcntl(errfd, F_SETFD, 0) < 0) return;
  syscall(SYS_execveat, c->trampoline_fd, "", front, envp, AT_EMPTY_PATH);
  if (errfd >= 0) fcntl(errfd, F_SETFD, FD_CLOEXEC);
}

/*
 * execve. The start connection is close-on-exec, so `start` sees EOF exactly when execve
 * succeeded; on failure the error goes down that connection instead.
 */
static int op_exec(struct cs_child *c, struct cs_rd *r) {
  uint64_t how, argc, envc;
  if (cs_rd_u64(r, &how) < 0 || cs_rd_u64(r, &argc) < 0) return cs_fail(c, "plan");
  if (how > CS_EXEC_TRAMPOLINE) return cs_fail_errno(c, "plan", EBADMSG);
  /* Each string takes at least 6 bytes of the record, which bounds both counts. */
  uint64_t room = (uint64_t)(r->end - r->p) / 6;
  if (argc == 0 || argc > room) return cs_fail_errno(c, "plan", EBADMSG);
  /* TRAMPOLINE_ARGS in front of argv, then argv NULL, HOME, envp NULL. */
  size_t bytes = (size_t)(room + TRAMPOLINE_ARGS + 3) * sizeof(char *);
  char **front = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (front == MAP_FAILED) return cs_fail(c, "mmap");
  char **vec = front + TRAMPOLINE_ARGS;
  for (uint64_t i = 0; i < argc; i++)
    if (cs_rd_str(r, (const char **)&vec[i], NULL) < 0) return cs_fail(c, "plan");
  vec[argc] = NULL;
  char **envp = vec + argc + 1;
  if (cs_rd_u64(r, &envc) < 0 || envc > room - argc) return cs_fail_errno(c, "plan", EBADMSG);
  for (uint64_t i = 0; i < envc; i++)
    if (cs_rd_str(r, (const char **)&envp[i], NULL) < 0) return cs_fail(c, "plan");
  /* CS_OP_HOME found a HOME for an env without one (room was kept for it in `bytes`). */
  if (c->home[0]) envp[envc++] = c->home;
  envp[envc] = NULL;
  if (cs_rd_done(r) < 0) return cs_fail(c, "plan");
  if (!c->exec_path[0]) return cs_fail_errno(c, "plan: exec before resolve", EBADMSG);
  /* The death signal guarded the setup; the program itself must outlive whoever started it
   * (an exec --detach returns at once). execve would keep it. */
  if (prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0) < 0) return cs_fail(c, "prctl(PR_SET_PDEATHSIG)");
  if (how == CS_EXEC_TRAMPOLINE && c->trampoline_fd >= 0) exec_via_trampoline(c, front, envp);
  execve(c->exec_path, vec, envp);
  return cs_fail(c, "execve");
}

/* Helper processes (hooks) get their stdio from the parent's pipes. */
static int op_dup2(struct cs_child *c, struct cs_rd *r) {
  uint64_t from, to;
  if (cs_rd_u64(r, &from) < 0 || cs_rd_u64(r, &to) < 0 || cs_rd_done(r) < 0) return cs_fail(c, "plan");
  if (from > INT32_MAX || to > 2) return cs_fail_errno(c, "plan", EBADF);
  if ((int)from != (int)to && dup3((int)from, (int)to, 0) < 0) return cs_fail(c, "dup3");
  return 0;
}

int cs_ops_process(struct cs_child *c, uint16_t code, struct cs_rd *r) {
  switch (code) {
    case CS_OP_WAIT_PARENT: return op_wait_parent(c, r);
    case CS_OP_JOIN_CGROUP: return op_join_cgroup(c, r);
    case CS_OP_SETSID: return op_setsid(c, r);
    case CS_OP_SETHOSTNAME: return op_name(c, r, 0);
    case CS_OP_SETDOMAINNAME: return op_name(c, r, 1);
    case CS_OP_JOIN_KEYRING: return op_join_keyring(c, r);
    case CS_OP_RLIMIT: return op_rlimit(c, r);
    case CS_OP_SETUSER: return op_setuser(c, r);
    case CS_OP_CAPS_BOUNDING: return op_caps_bounding(c, r);
    case CS_OP_CAPS: return op_caps(c, r);
    case CS_OP_NO_NEW_PRIVS: return op_no_new_privs(c, r);
    case CS_OP_UMASK: return op_umask(c, r);
    case CS_OP_CHDIR: return op_chdir(c, r);
    case CS_OP_RESOLVE_EXEC: return op_resolve_exec(c, r);
    case CS_OP_PREPARE_FDS: return op_prepare_fds(c, r);
    case CS_OP_WAIT_START: return op_wait_start(c, r);
    case CS_OP_EXEC: return op_exec(c, r);
    case CS_OP_KEEP_CAPS: return op_flag(c, r, PR_SET_KEEPCAPS);
    case CS_OP_DUMPABLE: return op_flag(c, r, PR_SET_DUMPABLE);
    case CS_OP_DUP2: return op_dup2(c, r);
    default: return CS_NOT_MINE;
  }
}

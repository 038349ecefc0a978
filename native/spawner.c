/*
 * caisson-spawner: clones containers' first children for a long-lived Node process, from an
 * address space a thousandth of Node's (see native/spawn-proto.h for why and for the protocol).
 *
 * Started by the addon with its control socket at fd 3 and Node's pid as argv[1]. It is
 * single-threaded, non-dumpable, dies with Node (PDEATHSIG, or EOF on the socket), and serves
 * one request at a time. Each child is cloned with CLONE_PARENT, so it is Node's child, places
 * the fds the plan expects at their numbers, enters Node's working directory and umask, and
 * then runs the same plan interpreter as a child cloned by the addon itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "child.h"
#include "msg.h"
#include "spawn-proto.h"
#include "sys.h"

static int g_exe_sealed; /* we run from a sealed copy of ourselves: see exe_is_sealed */

/*
 * A network namespace made ahead of time. Creating one is most of what clone3 costs here (about
 * 0.45 ms of 0.55, for the loopback device, the sysctl tables and every pernet subsystem), and a
 * fresh one holds nothing but a loopback that is down: one made a moment early is the same
 * namespace. So after answering a request, when no other request is waiting, the spawner makes
 * the next container's network namespace, off the path a create waits on; a request for
 * CLONE_NEWNET then clones without it and the child enters the pooled one first thing. The
 * spawner itself only visits a new namespace (unshare, keep an fd, setns back): if it cannot get
 * back, it exits, and the addon clones locally or starts another spawner.
 */
static int g_own_net = -1;  /* our own network namespace, to return to */
static int g_pooled_net = -1;
static int g_pool_off;      /* set when the kernel refuses: every clone creates its own */

static void refill_net_pool(void) {
  if (g_pool_off || g_pooled_net >= 0) return;
  if (g_own_net < 0 && (g_own_net = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0) {
    g_pool_off = 1;
    return;
  }
  if (unshare(CLONE_NEWNET) < 0) {
    g_pool_off = 1;
    return;
  }
  int kept = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (setns(g_own_net, CLONE_NEWNET) < 0) _exit(0); /* never clone from a namespace not ours */
  if (kept < 0) g_pool_off = 1;
  g_pooled_net = kept;
}

/* Is another request already waiting? Then it goes first and the pool waits. */
static int request_waiting(int ctl) {
  struct pollfd p = {.fd = ctl, .events = POLLIN};
  return poll(&p, 1, 0) > 0;
}

/*
 * Field 22 of /proc/PID/stat (start time, clock ticks since boot), 0 if it cannot be read. Only
 * for a clone ahead, which is blocked waiting for its plan: reading the stat of a child busy
 * setting itself up would slow it down. Node then has it before the init runs, to write the
 * container's state while the init sets up.
 */
static uint64_t start_ticks(long pid) {
  char path[32], buf[1024], num[24];
  cs_utoa(num, sizeof(num), (uint64_t)pid);
  if (cs_join(path, sizeof(path), "/proc/", num, "/stat") < 0) return 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = '\0';
  /* comm (field 2) may hold anything: the fields after it start after the last ')'. */
  char *p = strrchr(buf, ')');
  if (!p) return 0;
  for (int field = 2; field < 22; field++) {
    p = strchr(p + 1, ' ');
    if (!p) return 0;
  }
  uint64_t v = 0;
  for (p++; *p >= '0' && *p <= '9'; p++) v = v * 10 + (uint64_t)(*p - '0');
  return v;
}

static void reply(int ctl, int32_t result, uint32_t seq, int pidfd, uint64_t ticks) {
  struct cs_spawn_rep rep = {.magic = CS_SPAWN_MAGIC, .result = result, .seq = seq, .start_ticks = ticks};
  if (cs_send_with_fd(ctl, &rep, sizeof(rep), pidfd) < 0) _exit(0); /* Node is gone */
}

/* The lowest number >= from that is not a target and not below `below` (free in the child). */
static int free_slot(const struct cs_spawn_req *q, int from, int below, int taken) {
  for (int fd = from; fd < below; fd++) {
    int used = fd == taken;
    for (unsigned i = 0; i < q->nplaced && !used; i++) used = q->targets[i] == fd;
    if (!used) return fd;
  }
  return -1;
}

/*
 * In the child: put every fd where the plan expects it, then run the plan. Nothing here may
 * allocate; the received fds all sit at or above `base`, clear of every target. The spawner's
 * own fds (the control socket, the pool's namespaces) are closed by the caller first.
 */
static void child(const struct cs_spawn_req *q, const int *fds, int base, const uint8_t *plan) __attribute__((noreturn));
static void child(const struct cs_spawn_req *q, const int *fds, int base, const uint8_t *plan) {
  /* Below min_fd the child holds exactly what Node holds: close what Node did not send. */
  for (int fd = 0; fd < (int)q->min_fd; fd++) {
    int sent = 0;
    for (unsigned i = 0; i < q->nplaced && !sent; i++) sent = q->targets[i] == fd;
    if (!sent) close(fd);
  }
  unsigned first_placed = 3 + q->has_trampoline + q->has_cgroup;
  for (unsigned i = 0; i < q->nplaced; i++) {
    if (dup3(fds[first_placed + i], q->targets[i], q->cloexec[i] ? O_CLOEXEC : 0) < 0) _exit(126);
  }
  int sync_fd = free_slot(q, (int)q->min_fd, base, -1);
  if (sync_fd < 0 || dup3(fds[1], sync_fd, O_CLOEXEC) < 0) _exit(126);
  int tramp_fd = -1;
  if (q->has_trampoline && !g_exe_sealed) {
    tramp_fd = free_slot(q, (int)q->min_fd, base, sync_fd);
    if (tramp_fd < 0 || dup3(fds[3], tramp_fd, O_CLOEXEC) < 0) _exit(126);
  }
  if (fchdir(fds[2]) < 0) _exit(126);
  umask((mode_t)q->umask);
  /* The received copies go; the plan's mapping stays. */
  if (cs_close_range((unsigned)base, ~0U, 0) < 0) {
    for (unsigned i = 0; i < q->nfds; i++) close(fds[i]);
  }
  /* posix_spawn gave us default dispositions and an empty mask; only SIGPIPE is ours. */
  struct sigaction dfl;
  memset(&dfl, 0, sizeof(dfl));
  dfl.sa_handler = SIG_DFL;
  sigaction(SIGPIPE, &dfl, NULL);
  cs_child_main(plan, q->plan_len, sync_fd, tramp_fd, 1);
}

/* Leave the spawner behind: its socket and the host's namespace go, the pooled one is entered. */
static void become_child(int ctl, int net) {
  close(ctl);
  /* The pooled network namespace, before anything else; should the kernel refuse it, a new one. */
  if (net >= 0 && setns(net, CLONE_NEWNET) < 0 && unshare(CLONE_NEWNET) < 0) _exit(126);
  if (net >= 0) close(net);
  if (g_own_net >= 0) close(g_own_net); /* the host's namespace must never reach a container */
  g_own_net = -1;
}

/*
 * One request from `sock` and its fds (at most CS_SPAWN_MAX_FDS; more are closed). The byte
 * count, or <= 0 at EOF or on an error; `*cut` when the kernel truncated data or fds. A stream
 * socket (the sync socket of a child cloned ahead) may deliver the request in pieces.
 */
static ssize_t receive(int sock, struct cs_spawn_req *q, int *fds, unsigned *got, int *cut) {
  union {
    char buf[CMSG_SPACE(sizeof(int) * CS_SPAWN_MAX_FDS)];
    struct cmsghdr align;
  } u;
  struct iovec iov;
  struct msghdr msg;
  cs_msg_init(&msg, &iov, q, sizeof(*q), u.buf, sizeof(u.buf));
  ssize_t n = cs_recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  *got = 0;
  *cut = n > 0 && (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0;
  if (n <= 0) return n;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    unsigned k = (unsigned)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    for (unsigned i = 0; i < k; i++) {
      int fd;
      memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      if (*got < CS_SPAWN_MAX_FDS) fds[(*got)++] = fd;
      else close(fd);
    }
  }
  while ((size_t)n < sizeof(*q)) {
    ssize_t m = read(sock, (char *)q + n, sizeof(*q) - (size_t)n);
    if (m < 0 && errno == EINTR) continue;
    if (m <= 0) break;
    n += m;
  }
  return n;
}

static int shared_fields_ok(const struct cs_spawn_req *q) {
  return q->magic == CS_SPAWN_MAGIC && q->has_trampoline <= 1 && q->has_cgroup <= 1 && q->ahead <= 1 &&
         q->nplaced <= CS_SPAWN_MAX_PLACED && !(q->clone_flags & ~(uint64_t)CS_SPAWN_ALLOWED_NS) && q->min_fd >= 3 &&
         q->min_fd <= 65536 && q->umask <= 0777;
}

/*
 * A full request: check every count and bound before using any of it, map the plan (a memfd of
 * exactly plan_len bytes, read-only; a child inherits the mapping) and move every received fd
 * clear of the targets (and of the two slots picked in the child). 0, or an errno.
 */
static int prepare(const struct cs_spawn_req *q, ssize_t n, int cut, int *fds, unsigned got, int *base, const uint8_t **plan) {
  *plan = MAP_FAILED;
  if ((size_t)n != sizeof(*q) || cut || !shared_fields_ok(q) || q->ahead || q->nfds != got ||
      q->nfds != 3u + q->has_trampoline + q->has_cgroup + q->nplaced || q->plan_len < CS_PLAN_HEADER_LEN || q->plan_len > CS_PLAN_MAX_LEN)
    return EBADMSG;
  int max_target = (int)q->min_fd;
  for (unsigned i = 0; i < q->nplaced; i++) {
    if (q->targets[i] < 0 || q->targets[i] > 65536) return EBADMSG;
    for (unsigned j = 0; j < i; j++)
      if (q->targets[j] == q->targets[i]) return EBADMSG;
    if (q->targets[i] > max_target) max_target = q->targets[i];
  }
  struct stat st;
  if (fstat(fds[0], &st) < 0 || st.st_size != (off_t)q->plan_len) return EBADMSG;
  const uint8_t *p = mmap(NULL, q->plan_len, PROT_READ, MAP_PRIVATE, fds[0], 0);
  if (p == MAP_FAILED) return errno;
  *base = max_target + 8;
  for (unsigned i = 0; i < got; i++) {
    if (fds[i] >= *base) continue;
    int moved = fcntl(fds[i], F_DUPFD_CLOEXEC, *base);
    if (moved < 0) {
      int err = errno;
      munmap((void *)p, q->plan_len);
      return err;
    }
    close(fds[i]);
    fds[i] = moved;
  }
  *plan = p;
  return 0;
}

/* A request to clone ahead: the sync socket, the cgroup2 directory maybe, nothing else. */
static int ahead_ok(const struct cs_spawn_req *q, ssize_t n, int cut, unsigned got) {
  return (size_t)n == sizeof(*q) && !cut && shared_fields_ok(q) && q->ahead && !q->has_trampoline && q->nplaced == 0 &&
         q->plan_len == 0 && q->nfds == got && q->nfds == 1u + q->has_cgroup;
}

/*
 * A child cloned ahead: wait on the sync socket for the rest of its request, then go on as any
 * child. Should Node die first, its end of the socket closes and the wait ends in EOF (getppid
 * cannot tell: an init in a new pid namespace sees 0).
 */
static void ahead_child(const struct cs_spawn_req *first, const int *fds) __attribute__((noreturn));
static void ahead_child(const struct cs_spawn_req *first, const int *fds) {
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  int sync = fds[0];
  if (first->has_cgroup) close(fds[1]);
  struct cs_spawn_req q;
  int rest[CS_SPAWN_MAX_FDS];
  unsigned got;
  int cut;
  ssize_t n = receive(sync, &q, rest, &got, &cut);
  if (n <= 0) _exit(0); /* the create gave up */
  close(sync);          /* the request carries it again, as fds[1] */
  int base = 0;
  const uint8_t *plan;
  if (q.has_cgroup || q.clone_flags != first->clone_flags || q.min_fd != first->min_fd || prepare(&q, n, cut, rest, got, &base, &plan) != 0)
    _exit(126);
  child(&q, rest, base, plan);
}

/* Clone for a request (full or ahead) whose fds are checked and in place. The pid, or -errno. */
static long clone_for(int ctl, const struct cs_spawn_req *q, const int *fds, int cgroup_fd, int *pidfd, const uint8_t *plan, int base) {
  struct cs_clone_args args;
  memset(&args, 0, sizeof(args));
  /* CLONE_PARENT: Node's child, not ours; clone3 then takes our exit signal (SIGCHLD). */
  args.flags = CLONE_PARENT | CLONE_PIDFD | q->clone_flags;
  int net = -1;
  if ((q->clone_flags & CLONE_NEWNET) && g_pooled_net >= 0) {
    net = g_pooled_net;
    args.flags &= ~(uint64_t)CLONE_NEWNET;
  }
  args.pidfd = (uint64_t)(uintptr_t)pidfd;
  if (cgroup_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = (uint64_t)cgroup_fd;
  }
  long pid = cs_clone3(&args);
  if (pid == 0) {
    become_child(ctl, net);
    if (q->ahead) ahead_child(q, fds);
    child(q, fds, base, plan);
  }
  if (pid < 0) return -errno;
  if (net >= 0) {
    close(net); /* the child holds it now */
    g_pooled_net = -1;
  }
  return pid;
}

static void serve(int ctl) {
  struct cs_spawn_req q;
  int fds[CS_SPAWN_MAX_FDS];
  unsigned got;
  int cut;
  ssize_t n = receive(ctl, &q, fds, &got, &cut);
  if (n <= 0) _exit(0); /* Node closed its end: done */

  const uint8_t *plan = MAP_FAILED;
  int base = 0, cgroup_fd = -1;
  int err = 0;
  if ((size_t)n == sizeof(q) && q.ahead) {
    if (!ahead_ok(&q, n, cut, got)) err = EBADMSG;
    else if (q.has_cgroup) cgroup_fd = fds[1];
  } else {
    err = prepare(&q, n, cut, fds, got, &base, &plan);
    if (!err && q.has_cgroup) cgroup_fd = fds[3 + q.has_trampoline];
  }
  long pid = -err;
  int pidfd = -1;
  if (!err) pid = clone_for(ctl, &q, fds, cgroup_fd, &pidfd, plan, base);
  for (unsigned i = 0; i < got; i++) close(fds[i]);
  if (plan != MAP_FAILED) munmap((void *)plan, q.plan_len);
  uint64_t ticks = pid > 0 && q.ahead ? start_ticks(pid) : 0;
  reply(ctl, (int32_t)pid, (size_t)n == sizeof(q) ? q.seq : 0, pid > 0 ? pidfd : -1, ticks);
  if (pidfd >= 0) close(pidfd);
  if (!request_waiting(ctl)) refill_net_pool();
}

/*
 * Do we run from a sealed copy of ourselves (the addon starts us from one)? Then our clones'
 * /proc/self/exe can be neither written nor grown, and they exec containers' programs directly:
 * the trampoline guards a clone whose executable is a file on the host.
 */
static int exe_is_sealed(void) {
  int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  int seals = fcntl(fd, F_GET_SEALS);
  close(fd);
  const int needed = F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL;
  return seals >= 0 && (seals & needed) == needed;
}

int main(int argc, char **argv) {
  /* Die with Node; and if it is already gone (we were reparented), do not start at all. */
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  /*
   * Only the addon starts us, with Node's pid as the one argument. Anything else (in a container,
   * say, as the interpreter of a "#!/proc/self/exe" script, since our clones' exe is this
   * binary) does nothing and says so.
   */
  char *end = NULL;
  long ppid = argc == 2 ? strtol(argv[1], &end, 10) : 0;
  if (ppid <= 0 || !end || *end) {
    static const char msg[] = "caisson-spawner: started by caisson's addon only; nothing to do\n";
    if (write(2, msg, sizeof(msg) - 1) < 0) { /* nowhere to say it */ }
    return 127;
  }
  if (getppid() != (pid_t)ppid) return 0;
  /* Our name, not the fd number a copy run through /proc/self/fd/N would get. */
  prctl(PR_SET_NAME, "caisson-spawner", 0, 0, 0);
  g_exe_sealed = exe_is_sealed();
  /* Nothing may ptrace us or open our fds: we hold containers' fds between requests' steps. */
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  struct sigaction ign;
  memset(&ign, 0, sizeof(ign));
  ign.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ign, NULL);
  /*
   * Our own fds (this socket, the namespaces of the pool) stay at low numbers: a child closes
   * them before it places anything, and a fd table kept small is cheaper to copy on every clone
   * and to sweep with close_range.
   */
  int ctl = CS_SPAWN_CTL_FD;
  fcntl(ctl, F_SETFD, FD_CLOEXEC);
  for (;;) serve(ctl);
}

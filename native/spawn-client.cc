// The addon's side of caisson-spawner: see native/spawn-proto.h and native/spawn-client.h.

#include "spawn-client.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "msg.h"
#include "plan.h"
#include "spawn-proto.h"
#include "sealed-copy.h"

namespace {

std::mutex g_mu;  // one request at a time (worker threads share the process's spawner)
int g_ctl = -1;
pid_t g_pid = -1;

// Replies that arrived while another caller was waiting for its own (several requests may be
// outstanding: clones ahead). Guarded by g_mu.
struct Reply {
  int32_t result;
  int pidfd;
  uint64_t start_ticks;
};
std::map<uint32_t, Reply> g_replies;
uint32_t g_seq = 0;
// The first seq the running spawner was asked for: a request below it went to one that is gone
// (and with it, its reply).
uint32_t g_first_seq = 1;
// Eventfds of whoever waits for replies by polling (one per Node environment: worker threads
// share the spawner). Each is signalled when a reply is put aside for a request other than the
// one asked about: the socket will not show that input again. (A drop shuts the socket down,
// which every poll of it sees.)
std::vector<int> g_wakers;

void WakeWaiters() {
  const uint64_t one = 1;
  for (int fd : g_wakers) {
    if (write(fd, &one, sizeof(one)) < 0) { /* full (EAGAIN): it is readable anyway */ }
  }
}

// The spawner is gone or confused: drop it, kill and collect it, and drop the replies it gave.
void Drop() {
  for (auto& r : g_replies)
    if (r.second.pidfd >= 0) close(r.second.pidfd);
  g_replies.clear();
  // Whoever polls a copy of the socket for a reply (cs_spawner_ahead_poll's callers) wakes to
  // find it gone: shutdown reaches every copy, close only ours.
  if (g_ctl >= 0) {
    shutdown(g_ctl, SHUT_RDWR);
    close(g_ctl);
  }
  g_ctl = -1;
  // Collect it. Its socket closes before it is a zombie, so one found dead by EOF may not be
  // collectable yet; one that broke the protocol may still run. Killed first, it soon is (still
  // our child until collected, so the pid cannot be another process's).
  if (g_pid > 0) {
    kill(g_pid, SIGKILL);
    while (waitpid(g_pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  g_pid = -1;
}

// A sealed memfd holding the plan: what the spawner maps, and all it can see of it.
int PlanMemfd(const uint8_t* plan, uint32_t len) {
  int fd = memfd_create("caisson-plan", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return -1;
  uint32_t done = 0;
  while (done < len) {
    ssize_t n = write(fd, plan + done, len - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close(fd);
      return -1;
    }
    done += static_cast<uint32_t>(n);
  }
  if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Our umask, from /proc/self/status: umask(2) can only read it by setting it, and other threads
// (libuv's pool) may be creating files at that moment.
uint32_t CurrentUmask() {
  int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 022;
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n <= 0) return 022;
  buf[n] = '\0';
  const char* at = strstr(buf, "\nUmask:");
  if (!at) return 022;
  return static_cast<uint32_t>(strtoul(at + 7, nullptr, 8)) & 0777;
}

}  // namespace

int cs_spawner_start(const char* path) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_ctl >= 0) return 0;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) return -errno;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  // dup2 clears close-on-exec on the copy: the spawner gets exactly this one socket at fd 3.
  posix_spawn_file_actions_adddup2(&fa, sv[1], CS_SPAWN_CTL_FD);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::string ppid = std::to_string(getpid());
  char* argv[] = {const_cast<char*>(path), const_cast<char*>(ppid.c_str()), nullptr};
  char* envp[] = {nullptr};
  // Run from a sealed copy of the binary (CVE-2019-5736): the spawner's clones are container
  // inits and exec processes, so their /proc/self/exe is that copy, which nothing can change;
  // they exec the container's program directly, with no trampoline (native/spawner.c). Kept
  // clear of fd 3, where the control socket goes. Without a copy, the file itself (its clones
  // then exec through the trampoline).
  int copy = cs_sealed_copy(path, "caisson-spawner");
  if (copy >= 0 && copy <= CS_SPAWN_CTL_FD) {
    int high = fcntl(copy, F_DUPFD_CLOEXEC, CS_SPAWN_CTL_FD + 1);
    close(copy);
    copy = high;
  }
  std::string exe = copy >= 0 ? "/proc/self/fd/" + std::to_string(copy) : std::string(path);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, exe.c_str(), &fa, &attr, argv, envp);
  if (rc != 0 && copy >= 0) rc = posix_spawn(&pid, path, &fa, &attr, argv, envp);
  if (copy >= 0) close(copy);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(sv[1]);
  if (rc != 0) {
    close(sv[0]);
    return -rc;
  }
  g_ctl = sv[0];
  g_pid = pid;
  g_first_seq = g_seq + 1;
  return 0;
}

int cs_spawner_running(void) {
  std::lock_guard<std::mutex> lock(g_mu);
  return g_ctl >= 0;
}

namespace {

// Wait until `fd` is ready for `events`. The control socket may be non-blocking when we mean to
// wait: libuv sets O_NONBLOCK on the copy of it polled for replies (cs_spawner_ahead_poll's
// callers), and that flag belongs to the socket, not to one fd. 0, or -1 on an error.
int WaitFor(int fd, short events) {
  struct pollfd p = {fd, events, 0};
  for (;;) {
    int n = poll(&p, 1, -1);
    if (n > 0) return 0;
    if (n < 0 && errno != EINTR) return -1;
  }
}

// The reply to request `seq` (g_mu held): the pid (> 0, with its pidfd), -1 when the spawner
// refused or its clone failed, -2 when it died or broke the protocol (whether it cloned a
// child for the request is then unknown). With `wait` false, CS_AHEAD_PENDING instead of
// waiting when the reply is not there yet.
long ReadReply(uint32_t seq, bool wait, int* pidfd_out, uint64_t* start_ticks_out = nullptr) {
  for (;;) {
    auto it = g_replies.find(seq);
    if (it != g_replies.end()) {
      Reply r = it->second;
      g_replies.erase(it);
      if (r.result <= 0 || r.pidfd < 0) {
        if (r.pidfd >= 0) close(r.pidfd);
        return -1;
      }
      *pidfd_out = r.pidfd;
      if (start_ticks_out) *start_ticks_out = r.start_ticks;
      return r.result;
    }
    if (g_ctl < 0 || seq < g_first_seq) return -2;
    cs_spawn_rep rep;
    union {
      char buf[CMSG_SPACE(sizeof(int))];
      struct cmsghdr align;
    } u;
    struct iovec iov;
    struct msghdr msg;
    cs_msg_init(&msg, &iov, &rep, sizeof(rep), u.buf, sizeof(u.buf));
    ssize_t got = cs_recvmsg(g_ctl, &msg, MSG_CMSG_CLOEXEC | (wait ? 0 : MSG_DONTWAIT));
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait) return CS_AHEAD_PENDING;
      // The socket can be non-blocking even here: see WaitFor.
      if (WaitFor(g_ctl, POLLIN) < 0) {
        Drop();
        return -2;
      }
      continue;
    }
    int pidfd = -1;
    for (struct cmsghdr* h = CMSG_FIRSTHDR(&msg); h; h = CMSG_NXTHDR(&msg, h)) {
      if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS && h->cmsg_len >= CMSG_LEN(sizeof(int))) {
        std::memcpy(&pidfd, CMSG_DATA(h), sizeof(int));
      }
    }
    if (got != static_cast<ssize_t>(sizeof(rep)) || rep.magic != CS_SPAWN_MAGIC || (msg.msg_flags & MSG_CTRUNC)) {
      // It had the requests and may have cloned children on their sync sockets: cloning others
      // on them would put two children on one socket. Fail these spawns instead.
      if (pidfd >= 0) close(pidfd);
      Drop();
      return -2;
    }
    g_replies[rep.seq] = Reply{rep.result, pidfd, rep.start_ticks};
    if (rep.seq != seq) WakeWaiters();
  }
}

// A request of `n` fds (the first `nfixed` given, then `place`, deduplicated and only those
// open here) into q/fds. The fixed ones are the caller's; nothing is opened here but cwd.
unsigned AddPlaced(cs_spawn_req& q, int* fds, unsigned n, const int* place, unsigned nplace) {
  for (unsigned i = 0; i < nplace; i++) {
    int flags = fcntl(place[i], F_GETFD);
    if (flags < 0) continue;  // not open here: not open in the child either
    bool dup = false;
    for (unsigned j = 0; j < q.nplaced; j++) dup = dup || q.targets[j] == place[i];
    if (dup) continue;
    q.targets[q.nplaced] = place[i];
    q.cloexec[q.nplaced] = (flags & FD_CLOEXEC) ? 1 : 0;
    q.nplaced++;
    fds[n++] = place[i];
  }
  return n;
}

ssize_t SendRequest(int sock, cs_spawn_req& q, const int* fds, unsigned n) {
  q.nfds = n;
  union {
    char buf[CMSG_SPACE(sizeof(int) * CS_SPAWN_MAX_FDS)];
    struct cmsghdr align;
  } u;
  std::memset(&u, 0, sizeof(u));
  struct iovec iov;
  struct msghdr msg;
  cs_msg_init(&msg, &iov, &q, sizeof(q), u.buf, CMSG_SPACE(sizeof(int) * n));
  cs_msg_put_fds(&msg, fds, n);
  for (;;) {
    ssize_t sent = cs_sendmsg(sock, &msg, MSG_NOSIGNAL);
    if (sent >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) return sent;
    if (WaitFor(sock, POLLOUT) < 0) return -1;
  }
}

// The full request for a plan: [plan memfd, child's sync end, cwd, trampoline?, cgroup?, placed].
// -1 (errno set) when the memfd or cwd cannot be had; the caller sends it and closes *plan_fd,
// *cwd_fd.
int BuildFull(cs_spawn_req& q, int* fds, unsigned* n, const uint8_t* plan, uint32_t len, int sync_fd, int cgroup_fd, int trampoline_fd,
              uint64_t ns_flags, int min_fd, const int* place, unsigned nplace, int umask, int* plan_fd, int* cwd_fd) {
  *cwd_fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (*cwd_fd < 0) return -1;
  *plan_fd = PlanMemfd(plan, len);
  if (*plan_fd < 0) {
    close(*cwd_fd);
    return -1;
  }
  std::memset(&q, 0, sizeof(q));
  q.magic = CS_SPAWN_MAGIC;
  q.clone_flags = ns_flags;
  q.plan_len = len;
  q.min_fd = static_cast<uint32_t>(min_fd);
  // Reading ours costs ~20 µs (/proc/self/status): a caller that knows the umask passes it.
  q.umask = umask >= 0 ? static_cast<uint32_t>(umask) & 0777 : CurrentUmask();
  unsigned k = 0;
  fds[k++] = *plan_fd;
  fds[k++] = sync_fd;
  fds[k++] = *cwd_fd;
  if (trampoline_fd >= 0) {
    fds[k++] = trampoline_fd;
    q.has_trampoline = 1;
  }
  if (cgroup_fd >= 0) {
    fds[k++] = cgroup_fd;
    q.has_cgroup = 1;
  }
  *n = AddPlaced(q, fds, k, place, nplace);
  return 0;
}

}  // namespace

long cs_spawner_clone(const uint8_t* plan, uint32_t len, int sync_fd, int cgroup_fd, int trampoline_fd, uint64_t ns_flags, int min_fd,
                      const int* place, unsigned nplace, int umask, int* pidfd_out) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_ctl < 0 || nplace > CS_SPAWN_MAX_PLACED) return -1;
  cs_spawn_req q;
  int fds[CS_SPAWN_MAX_FDS];
  unsigned n;
  int plan_fd, cwd;
  if (BuildFull(q, fds, &n, plan, len, sync_fd, cgroup_fd, trampoline_fd, ns_flags, min_fd, place, nplace, umask, &plan_fd, &cwd) < 0) return -1;
  q.seq = ++g_seq;
  ssize_t sent = SendRequest(g_ctl, q, fds, n);
  close(plan_fd);
  close(cwd);
  if (sent != static_cast<ssize_t>(sizeof(q))) {
    Drop();
    return -1;  // it never had the request
  }
  return ReadReply(q.seq, true, pidfd_out);
}

long cs_spawner_ahead(int sync_fd, int cgroup_fd, uint64_t ns_flags, int min_fd, uint32_t* seq_out) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_ctl < 0) return -1;
  cs_spawn_req q;
  std::memset(&q, 0, sizeof(q));
  q.magic = CS_SPAWN_MAGIC;
  q.clone_flags = ns_flags;
  q.min_fd = static_cast<uint32_t>(min_fd);
  q.ahead = 1;  // cwd and umask come with the plan (the ones in force when it is sent)
  int fds[2];
  unsigned n = 0;
  fds[n++] = sync_fd;
  if (cgroup_fd >= 0) {
    fds[n++] = cgroup_fd;
    q.has_cgroup = 1;
  }
  q.seq = ++g_seq;
  if (SendRequest(g_ctl, q, fds, n) != static_cast<ssize_t>(sizeof(q))) {
    Drop();
    return -1;
  }
  *seq_out = q.seq;
  return 0;
}

long cs_spawner_ahead_result(uint32_t seq, int* pidfd_out, uint64_t* start_ticks_out) {
  std::lock_guard<std::mutex> lock(g_mu);
  *start_ticks_out = 0;
  return ReadReply(seq, true, pidfd_out, start_ticks_out);
}

long cs_spawner_ahead_poll(uint32_t seq, int* pidfd_out, uint64_t* start_ticks_out) {
  std::lock_guard<std::mutex> lock(g_mu);
  *start_ticks_out = 0;
  return ReadReply(seq, false, pidfd_out, start_ticks_out);
}

int cs_spawner_fd(void) {
  std::lock_guard<std::mutex> lock(g_mu);
  return g_ctl;
}

void cs_spawner_add_waker(int fd) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_wakers.push_back(fd);
}

void cs_spawner_remove_waker(int fd) {
  std::lock_guard<std::mutex> lock(g_mu);
  for (auto it = g_wakers.begin(); it != g_wakers.end(); ++it) {
    if (*it == fd) {
      g_wakers.erase(it);
      return;
    }
  }
}

int cs_spawner_send_plan(int our_sync, int child_sync, const uint8_t* plan, uint32_t len, int trampoline_fd, uint64_t ns_flags, int min_fd,
                         const int* place, unsigned nplace, int umask) {
  if (nplace > CS_SPAWN_MAX_PLACED) return -E2BIG;
  cs_spawn_req q;
  int fds[CS_SPAWN_MAX_FDS];
  unsigned n;
  int plan_fd, cwd;
  if (BuildFull(q, fds, &n, plan, len, child_sync, -1, trampoline_fd, ns_flags, min_fd, place, nplace, umask, &plan_fd, &cwd) < 0) return -errno;
  ssize_t sent = SendRequest(our_sync, q, fds, n);
  int err = errno;
  close(plan_fd);
  close(cwd);
  if (sent != static_cast<ssize_t>(sizeof(q))) return sent < 0 ? -err : -EPIPE;
  return 0;
}

// The addon's side of caisson-spawner: see native/spawn-proto.h and native/spawn-client.h.

#include "spawn-client.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#include <fcntl.h>
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

namespace {

std::mutex g_mu;  // one request at a time (worker threads share the process's spawner)
int g_ctl = -1;
pid_t g_pid = -1;

// The spawner is gone or confused: drop it (and collect it if it has exited).
void Drop() {
  if (g_ctl >= 0) close(g_ctl);
  g_ctl = -1;
  if (g_pid > 0) waitpid(g_pid, nullptr, WNOHANG);
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
  pid_t pid = -1;
  int rc = posix_spawn(&pid, path, &fa, &attr, argv, envp);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(sv[1]);
  if (rc != 0) {
    close(sv[0]);
    return -rc;
  }
  g_ctl = sv[0];
  g_pid = pid;
  return 0;
}

int cs_spawner_running(void) {
  std::lock_guard<std::mutex> lock(g_mu);
  return g_ctl >= 0;
}

long cs_spawner_clone(const uint8_t* plan, uint32_t len, int sync_fd, int cgroup_fd, int trampoline_fd, uint64_t ns_flags, int min_fd,
                      const int* place, unsigned nplace, int* pidfd_out) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_ctl < 0 || nplace > CS_SPAWN_MAX_PLACED) return -1;
  int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (cwd < 0) return -1;
  int plan_fd = PlanMemfd(plan, len);
  if (plan_fd < 0) {
    close(cwd);
    return -1;
  }
  cs_spawn_req q;
  std::memset(&q, 0, sizeof(q));
  q.magic = CS_SPAWN_MAGIC;
  q.clone_flags = ns_flags;
  q.plan_len = len;
  q.min_fd = static_cast<uint32_t>(min_fd);
  q.umask = CurrentUmask();
  int fds[CS_SPAWN_MAX_FDS];
  unsigned n = 0;
  fds[n++] = plan_fd;
  fds[n++] = sync_fd;
  fds[n++] = cwd;
  if (trampoline_fd >= 0) {
    fds[n++] = trampoline_fd;
    q.has_trampoline = 1;
  }
  if (cgroup_fd >= 0) {
    fds[n++] = cgroup_fd;
    q.has_cgroup = 1;
  }
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
  ssize_t sent = cs_sendmsg(g_ctl, &msg, MSG_NOSIGNAL);
  close(plan_fd);
  close(cwd);
  if (sent != static_cast<ssize_t>(sizeof(q))) {
    Drop();
    return -1;  // it never had the request
  }

  cs_spawn_rep rep;
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } r;
  struct iovec riov;
  struct msghdr rmsg;
  cs_msg_init(&rmsg, &riov, &rep, sizeof(rep), r.buf, sizeof(r.buf));
  ssize_t got = cs_recvmsg(g_ctl, &rmsg, MSG_CMSG_CLOEXEC);
  int pidfd = -1;
  for (struct cmsghdr* h = CMSG_FIRSTHDR(&rmsg); h; h = CMSG_NXTHDR(&rmsg, h)) {
    if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS && h->cmsg_len >= CMSG_LEN(sizeof(int))) {
      std::memcpy(&pidfd, CMSG_DATA(h), sizeof(int));
    }
  }
  if (got != static_cast<ssize_t>(sizeof(rep)) || rep.magic != CS_SPAWN_MAGIC || (rmsg.msg_flags & MSG_CTRUNC)) {
    // It had the request and may have cloned a child on this sync socket: cloning another on
    // it would put two children on one socket. Fail this spawn instead.
    if (pidfd >= 0) close(pidfd);
    Drop();
    return -2;
  }
  if (rep.result <= 0 || pidfd < 0) {
    // The spawner refused or its clone failed: the caller's own clone reports the real error.
    if (pidfd >= 0) close(pidfd);
    return -1;
  }
  *pidfd_out = pidfd;
  return rep.result;
}

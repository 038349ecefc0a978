// The N-API surface of the native core: argument checks and handing buffers and fds across.
// Policy lives in TypeScript; the child-side work lives in the C files (child.c and friends).
//
// Errors thrown from here carry `errno`, `code` (the errno name) and `syscall`, like Node's own
// fs errors, so lib/errors.ts turns them into SystemError the same way.

#include <napi.h>
#include <uv.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <string>

#include <pthread.h>
#include <signal.h>

extern "C" {
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "bpf.h"
#include "shim.h"
#include "child.h"
#include "msg.h"
#include "spawn-client.h"
#include "spawn-proto.h"
#include "sys.h"
#include "sealed-copy.h"
}

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

namespace {

Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall) {
  std::string msg = std::string(syscall) + ": " + std::strerror(err);
  Napi::Error e = Napi::Error::New(env, msg);
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("syscall", Napi::String::New(env, syscall));
  return e;
}

int ToFd(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || !info[i].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + " must be an fd number");
  }
  int64_t v = info[i].As<Napi::Number>().Int64Value();
  if (v < 0 || v > INT32_MAX) throw Napi::RangeError::New(info.Env(), "fd out of range");
  return static_cast<int>(v);
}

int OptInt(const Napi::CallbackInfo& info, size_t i, int def) {
  if (info.Length() <= i || info[i].IsUndefined()) return def;
  if (!info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), "argument must be a number");
  return info[i].As<Napi::Number>().Int32Value();
}

// Keep an fd at or above `min_fd` (fds below it may be handed to the container).
int Raise(int fd, int min_fd) {
  if (fd >= min_fd) return fd;
  int high = fcntl(fd, F_DUPFD_CLOEXEC, min_fd);
  int err = errno;
  close(fd);
  errno = err;
  return high;
}

// The sealed caisson-exec memfd every container process is exec'd through, once loaded.
static int g_trampoline_fd = -1;

// loadExecTrampoline(path): make the sealed memfd copy of caisson-exec (once per process).
// Throws if it cannot be made; spawn() then execs directly.
Napi::Value LoadExecTrampoline(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "path must be a string");
  if (g_trampoline_fd >= 0) return env.Undefined();
  std::string path = info[0].As<Napi::String>().Utf8Value();
  int fd = cs_sealed_copy(path.c_str(), "caisson-exec");
  if (fd < 0) throw ErrnoError(env, -fd, "memfd of caisson-exec");
  g_trampoline_fd = fd;
  return env.Undefined();
}

// seccompFlagSupported(flag): whether this kernel knows a SECCOMP_FILTER_FLAG_* bit. A NULL
// program makes seccomp(2) fail either way: EFAULT once the flags passed its checks (known),
// EINVAL if not. Nothing is installed.
Napi::Value SeccompFlagSupported(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  unsigned flag = static_cast<unsigned>(OptInt(info, 0, 0));
  long r = syscall(SYS_seccomp, 1 /* SECCOMP_SET_MODE_FILTER */, flag, nullptr);
  return Napi::Boolean::New(env, r < 0 && errno == EFAULT);
}

// { pid, pidfd, fd } for a started child; our end of its sync socket is made non-blocking (it
// is read with plain reads and readable() polls).
static int NonBlocking(int fd) {
  int fl = fcntl(fd, F_GETFL);
  return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static Napi::Object SpawnResult(Napi::Env env, long pid, int pidfd, int sync_fd) {
  NonBlocking(sync_fd);
  Napi::Object out = Napi::Object::New(env);
  out.Set("pid", Napi::Number::New(env, static_cast<double>(pid)));
  out.Set("pidfd", Napi::Number::New(env, pidfd));
  out.Set("fd", Napi::Number::New(env, sync_fd));
  return out;
}

// An encoded plan (argument `i`): a Buffer of a size the interpreter accepts.
static Napi::Buffer<uint8_t> PlanArg(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || !info[i].IsBuffer()) throw Napi::TypeError::New(info.Env(), "plan must be a Buffer");
  auto plan = info[i].As<Napi::Buffer<uint8_t>>();
  if (plan.Length() < CS_PLAN_HEADER_LEN || plan.Length() > CS_PLAN_MAX_LEN) throw Napi::RangeError::New(info.Env(), "plan size out of range");
  return plan;
}

// Only the namespaces a clone of the init may create (spawn-proto.h says why): argument `i`
// (default 0); throws for anything else.
static uint64_t NsFlagsArg(const Napi::CallbackInfo& info, size_t i) {
  double v = info.Length() > i && info[i].IsNumber() ? info[i].As<Napi::Number>().DoubleValue() : 0;
  if (v < 0 || v > static_cast<double>(UINT32_MAX) || v != static_cast<double>(static_cast<uint64_t>(v)) ||
      (static_cast<uint64_t>(v) & ~static_cast<uint64_t>(CS_SPAWN_ALLOWED_NS)) != 0)
    throw Napi::RangeError::New(info.Env(), "nsFlags: only CLONE_NEWNS, NEWPID, NEWNET, NEWIPC and NEWUTS may be given");
  return static_cast<uint64_t>(v);
}

// The child's umask (argument `i`): 0 to 0777, or -1 (the default) for ours.
static int UmaskArg(const Napi::CallbackInfo& info, size_t i) {
  int v = OptInt(info, i, -1);
  if (v < -1 || v > 0777) throw Napi::RangeError::New(info.Env(), "umask: 0 to 0777, or -1 for ours");
  return v;
}

// The fds a child must hold at their numbers (argument `i`, an array) into place[]; false when
// there are more than the protocol carries (the caller clones itself).
static bool PlaceArg(const Napi::CallbackInfo& info, size_t i, int* place, unsigned* n) {
  Napi::Env env = info.Env();
  Napi::Array arr = info[i].As<Napi::Array>();
  if (arr.Length() > CS_SPAWN_MAX_PLACED) return false;
  *n = 0;
  for (uint32_t k = 0; k < arr.Length(); k++) {
    Napi::Value v = arr.Get(k);
    if (!v.IsNumber()) throw Napi::TypeError::New(env, "place: fd numbers");
    int64_t fd = v.As<Napi::Number>().Int64Value();
    if (fd < 0 || fd > 65536) throw Napi::RangeError::New(env, "place: fd out of range");
    place[(*n)++] = static_cast<int>(fd);
  }
  return true;
}

// A sync socket pair with both ends at or above min_fd (close-on-exec); throws on failure.
static void SyncPair(Napi::Env env, int min_fd, int sv[2]) {
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) throw ErrnoError(env, errno, "socketpair");
  sv[0] = Raise(sv[0], min_fd);
  sv[1] = Raise(sv[1], min_fd);
  if (sv[0] < 0 || sv[1] < 0) {
    int err = errno;
    if (sv[0] >= 0) close(sv[0]);
    if (sv[1] >= 0) close(sv[1]);
    throw ErrnoError(env, err, "fcntl(F_DUPFD_CLOEXEC)");
  }
}

// spawnAhead(minFd, cgroupFd, nsFlags) -> { fd, childEnd, seq } | undefined
//
// Clone ahead (spawn-proto.h): caisson-spawner clones the init now, on a new sync socket, and the
// plan follows with sendPlan once it is ready. Undefined when no spawner runs or it did not take
// the request (the caller spawns as usual). Otherwise the reply must be collected with
// aheadResult(seq), whatever happens next.
Napi::Value SpawnAhead(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int min_fd = OptInt(info, 0, 3);
  if (min_fd < 3) min_fd = 3;
  int cgroup_fd = OptInt(info, 1, -1);
  uint64_t ns_flags = NsFlagsArg(info, 2);
  if (!cs_spawner_running()) return env.Undefined();
  int sv[2];
  SyncPair(env, min_fd, sv);
  uint32_t seq = 0;
  if (cs_spawner_ahead(sv[1], cgroup_fd, ns_flags, min_fd, &seq) < 0) {
    close(sv[0]);
    close(sv[1]);
    return env.Undefined();
  }
  NonBlocking(sv[0]);
  Napi::Object out = Napi::Object::New(env);
  out.Set("fd", Napi::Number::New(env, sv[0]));
  out.Set("childEnd", Napi::Number::New(env, sv[1]));
  out.Set("seq", Napi::Number::New(env, seq));
  return out;
}

// The clone ahead's reply for aheadResult and aheadPoll.
static Napi::Value AheadReply(const Napi::CallbackInfo& info, bool wait) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "seq must be a number");
  uint32_t seq = info[0].As<Napi::Number>().Uint32Value();
  int pidfd = -1;
  uint64_t ticks = 0;
  long pid = wait ? cs_spawner_ahead_result(seq, &pidfd, &ticks) : cs_spawner_ahead_poll(seq, &pidfd, &ticks);
  if (pid == CS_AHEAD_PENDING) return env.Undefined();
  if (pid == -2) throw ErrnoError(env, ECHILD, "caisson-spawner died during a request");
  if (pid < 0) return env.Null();
  Napi::Object out = Napi::Object::New(env);
  out.Set("pid", Napi::Number::New(env, static_cast<double>(pid)));
  out.Set("pidfd", Napi::Number::New(env, pidfd));
  // As /proc/PID/stat prints it: a decimal string (a u64 does not fit a double exactly).
  if (ticks) out.Set("startTime", Napi::String::New(env, std::to_string(ticks)));
  return out;
}

// aheadResult(seq) -> { pid, pidfd, startTime? } | null: the clone ahead's reply (waits for it). Null when
// the spawner refused or could not clone (nothing was started); throws when it died mid-request.
Napi::Value AheadResult(const Napi::CallbackInfo& info) {
  return AheadReply(info, true);
}

// aheadPoll(seq) -> as aheadResult, or undefined while the reply has not come. It never waits:
// poll spawnerFd() and replyWakeFd() for input, then ask again.
Napi::Value AheadPoll(const Napi::CallbackInfo& info) {
  return AheadReply(info, false);
}

// spawnerFd() -> the running spawner's control socket, or -1.
Napi::Value SpawnerFd(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), cs_spawner_fd());
}

static std::mutex g_waker_mu;
static std::map<napi_env, int> g_reply_wakers;  // each environment's eventfd

static void DropReplyWaker(void* arg) {
  napi_env env = static_cast<napi_env>(arg);
  std::lock_guard<std::mutex> lock(g_waker_mu);
  auto it = g_reply_wakers.find(env);
  if (it == g_reply_wakers.end()) return;
  cs_spawner_remove_waker(it->second);
  close(it->second);
  g_reply_wakers.erase(it);
}

// replyWakeFd() -> this environment's eventfd for cs_spawner_add_waker (made on first use,
// closed at teardown): readable when a reply may have been put aside for one of its waiters.
// Non-blocking; read it (8 bytes) to reset it.
Napi::Value ReplyWakeFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::lock_guard<std::mutex> lock(g_waker_mu);
  auto it = g_reply_wakers.find(env);
  if (it != g_reply_wakers.end()) return Napi::Number::New(env, it->second);
  int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) throw ErrnoError(env, errno, "eventfd");
  cs_spawner_add_waker(fd);
  g_reply_wakers[env] = fd;
  napi_add_env_cleanup_hook(env, DropReplyWaker, static_cast<napi_env>(env));
  return Napi::Number::New(env, fd);
}

// sendPlan(fd, childEnd, plan, minFd, nsFlags, place, umask?): the rest of a clone ahead's
// request, on our end `fd` of its sync socket; childEnd is then closed here.
Napi::Value SendPlan(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ToFd(info, 0);
  int child_end = ToFd(info, 1);
  auto plan = PlanArg(info, 2);
  int min_fd = OptInt(info, 3, 3);
  uint64_t ns_flags = NsFlagsArg(info, 4);
  int place[CS_SPAWN_MAX_PLACED];
  unsigned n = 0;
  if (info.Length() < 6 || !info[5].IsArray() || !PlaceArg(info, 5, place, &n)) throw Napi::RangeError::New(env, "place: too many fds");
  int umask_value = UmaskArg(info, 6);
  int rc = cs_spawner_send_plan(fd, child_end, plan.Data(), static_cast<uint32_t>(plan.Length()), g_trampoline_fd, ns_flags, min_fd, place, n, umask_value);
  close(child_end);
  if (rc < 0) throw ErrnoError(env, -rc, "sendmsg (plan to the init)");
  return env.Undefined();
}

// startSpawner(path): start caisson-spawner (once); false when it cannot be started.
Napi::Value StartSpawner(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "path must be a string");
  std::string path = info[0].As<Napi::String>().Utf8Value();
  return Napi::Boolean::New(env, cs_spawner_start(path.c_str()) == 0);
}

// spawn(plan: Buffer, minFd: number, cgroupFd?: number, nsFlags?: number, place?: number[], umask?: number) -> { pid, pidfd, fd }
//
// Clones the first child, which runs the plan (child.c) and never returns here. The parent gets
// the child's pid, a pidfd for it, and its end of the sync socket (non-blocking, close-on-exec).
// With nsFlags (CLONE_NEW* bits) that child is the container's init itself, born in its new
// namespaces; the plan then has no stage 1 (lib/plan/namespaces.ts says when).
Napi::Value Spawn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto plan = PlanArg(info, 0);
  int min_fd = OptInt(info, 1, 3);
  if (min_fd < 3) min_fd = 3;

  // Optionally born straight into a cgroup v2 directory (CLONE_INTO_CGROUP, Linux 5.7): no
  // moment where the child runs outside the container's cgroup.
  int cgroup_fd = OptInt(info, 2, -1);
  uint64_t ns_flags = NsFlagsArg(info, 3);
  int umask_value = UmaskArg(info, 5);
  int sv[2];
  SyncPair(env, min_fd, sv);
  int pidfd = -1;

  // Through the spawner when one runs (a long-lived process: see spawn-proto.h). `place` (5th
  // argument) lists the fds the child must hold at their numbers.
  if (info.Length() > 4 && info[4].IsArray() && cs_spawner_running()) {
    int place[CS_SPAWN_MAX_PLACED];
    unsigned n = 0;
    bool fits = PlaceArg(info, 4, place, &n);
    if (fits) {
      long via = cs_spawner_clone(plan.Data(), static_cast<uint32_t>(plan.Length()), sv[1], cgroup_fd, g_trampoline_fd, ns_flags, min_fd, place, n, umask_value, &pidfd);
      if (via > 0 || via == -2) {
        close(sv[1]);
        if (via == -2) {
          close(sv[0]);
          throw ErrnoError(env, ECHILD, "caisson-spawner died during a request");
        }
        return SpawnResult(env, via, pidfd, sv[0]);
      }
    }
  }
  struct cs_clone_args args;
  std::memset(&args, 0, sizeof(args));
  args.flags = CLONE_PIDFD | ns_flags;
  args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  if (cgroup_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<uint64_t>(cgroup_fd);
  }
  // No signal handler may run in the child before it has reset them (child.c unblocks).
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  long pid = cs_clone3(&args);
  if (pid < 0 && errno == ENOSYS && cgroup_fd < 0) {
    // clone(2) stores the pidfd through the parent_tid argument when CLONE_PIDFD is set.
    pid = syscall(SYS_clone, CLONE_PIDFD | ns_flags | SIGCHLD, 0, &pidfd, 0, 0);
  }
  int clone_err = errno;
  if (pid != 0) pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = clone_err;
  if (pid == 0) {
    close(sv[0]);
    if (umask_value >= 0) umask(static_cast<mode_t>(umask_value));  // as a spawner's clone would have it
    cs_child_main(plan.Data(), static_cast<uint32_t>(plan.Length()), sv[1], g_trampoline_fd, 0);
  }
  int err = errno;
  close(sv[1]);
  if (pid < 0) {
    close(sv[0]);
    throw ErrnoError(env, err, "clone3");
  }
  return SpawnResult(env, pid, pidfd, sv[0]);
}

Napi::Value PidfdOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "pid must be a number");
  int pid = info[0].As<Napi::Number>().Int32Value();
  if (pid <= 0) throw Napi::RangeError::New(env, "pid must be positive");
  int fd = cs_pidfd_open(pid, 0);
  if (fd < 0) throw ErrnoError(env, errno, "pidfd_open");
  // pidfd_open sets O_CLOEXEC itself.
  return Napi::Number::New(env, fd);
}

Napi::Value PidfdSendSignal(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ToFd(info, 0);
  int sig = OptInt(info, 1, SIGTERM);
  if (cs_pidfd_send_signal(fd, sig, 0) < 0) throw ErrnoError(env, errno, "pidfd_send_signal");
  return env.Undefined();
}

// flock(fd, op) -> 0 or the errno (EWOULDBLOCK for a held lock with LOCK_NB). Never blocks the
// loop unless the caller leaves out LOCK_NB.
Napi::Value Flock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ToFd(info, 0);
  int op = OptInt(info, 1, LOCK_EX | LOCK_NB);
  int rc;
  do rc = flock(fd, op);
  while (rc < 0 && errno == EINTR);
  return Napi::Number::New(env, rc < 0 ? errno : 0);
}

// The (path, minFd) arguments of unixListen/unixConnect: the address, and a SOCK_STREAM socket
// at or above minFd (close-on-exec). `call` names the operation in errors.
static int UnixSocketFor(const Napi::CallbackInfo& info, const char* call, struct sockaddr_un* addr) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "path must be a string");
  std::string path = info[0].As<Napi::String>().Utf8Value();
  int min_fd = OptInt(info, 1, 3);
  std::memset(addr, 0, sizeof(*addr));
  addr->sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr->sun_path)) throw ErrnoError(env, ENAMETOOLONG, call);
  std::memcpy(addr->sun_path, path.c_str(), path.size() + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw ErrnoError(env, errno, "socket");
  fd = Raise(fd, min_fd < 3 ? 3 : min_fd);
  if (fd < 0) throw ErrnoError(env, errno, "fcntl(F_DUPFD_CLOEXEC)");
  return fd;
}

// unixListen(path, minFd) -> fd of a listening SOCK_STREAM socket bound at path (mode 0600).
Napi::Value UnixListen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  struct sockaddr_un addr;
  int fd = UnixSocketFor(info, "bind", &addr);
  mode_t old = umask(0177);
  int rc = bind(fd, reinterpret_cast<struct sockaddr*>(&addr), sizeof(addr));
  int err = errno;
  umask(old);
  if (rc < 0 || listen(fd, 16) < 0) {
    if (rc == 0) err = errno;
    close(fd);
    throw ErrnoError(env, err, rc < 0 ? "bind" : "listen");
  }
  return Napi::Number::New(env, fd);
}

// unixConnect(path, minFd) -> fd of a SOCK_STREAM socket connected to path (close-on-exec).
Napi::Value UnixConnect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  struct sockaddr_un addr;
  int fd = UnixSocketFor(info, "connect", &addr);
  int rc;
  do rc = connect(fd, reinterpret_cast<struct sockaddr*>(&addr), sizeof(addr));
  while (rc < 0 && errno == EINTR);
  if (rc < 0) {
    int err = errno;
    close(fd);
    throw ErrnoError(env, err, "connect");
  }
  return Napi::Number::New(env, fd);
}

// socketPair(minFd) -> [fd, fd]: a connected SOCK_STREAM pair, both close-on-exec.
Napi::Value SocketPair(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int min_fd = OptInt(info, 0, 3);
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) throw ErrnoError(env, errno, "socketpair");
  sv[0] = Raise(sv[0], min_fd);
  sv[1] = Raise(sv[1], min_fd);
  if (sv[0] < 0 || sv[1] < 0) throw ErrnoError(env, errno, "fcntl(F_DUPFD_CLOEXEC)");
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Number::New(env, sv[0]));
  out.Set(1u, Napi::Number::New(env, sv[1]));
  return out;
}

// pipe(minFd) -> [readFd, writeFd], both close-on-exec.
Napi::Value Pipe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int min_fd = OptInt(info, 0, 3);
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) throw ErrnoError(env, errno, "pipe2");
  p[0] = Raise(p[0], min_fd);
  p[1] = Raise(p[1], min_fd);
  if (p[0] < 0 || p[1] < 0) throw ErrnoError(env, errno, "fcntl(F_DUPFD_CLOEXEC)");
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Number::New(env, p[0]));
  out.Set(1u, Napi::Number::New(env, p[1]));
  return out;
}

// recvFd(sock) -> { fd, name }: one message carrying one fd (SCM_RIGHTS), as a console socket
// receives the pty master. Blocks: call it when the message is known to be there (or wait for
// readability first).
Napi::Value RecvFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int sock = ToFd(info, 0);
  char name[4096];
  struct iovec iov;
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  struct msghdr msg;
  cs_msg_init(&msg, &iov, name, sizeof(name) - 1, u.buf, sizeof(u.buf));
  ssize_t n = cs_recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  if (n < 0) throw ErrnoError(env, errno, "recvmsg");
  struct cmsghdr* cm = CMSG_FIRSTHDR(&msg);
  if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len != CMSG_LEN(sizeof(int))) {
    throw ErrnoError(env, EBADMSG, "recvmsg (expected one fd)");
  }
  int fd;
  std::memcpy(&fd, CMSG_DATA(cm), sizeof(int));
  name[n] = '\0';
  Napi::Object out = Napi::Object::New(env);
  out.Set("fd", Napi::Number::New(env, fd));
  out.Set("name", Napi::String::New(env, name));
  return out;
}

// sendFd(sock, fd, data): one message, `data` as its payload and `fd` as its only SCM_RIGHTS fd
// (the seccomp listener protocol: the container process state JSON, then the fd).
Napi::Value SendFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int sock = ToFd(info, 0);
  int fd = ToFd(info, 1);
  if (info.Length() < 3 || !info[2].IsString()) throw Napi::TypeError::New(env, "data must be a string");
  std::string data = info[2].As<Napi::String>().Utf8Value();
  if (cs_send_fd(sock, fd, data.c_str()) < 0) throw ErrnoError(env, errno, "sendmsg");
  return env.Undefined();
}

// readSome(fd, buf) -> bytes read into buf (0 at EOF), or -EAGAIN when a non-blocking fd has
// nothing yet. fs.readSync reports EAGAIN by throwing an Error, whose stack trace costs more than
// the read itself; the sync socket and the pty master are read this way on every message.
Napi::Value ReadSome(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ToFd(info, 0);
  if (info.Length() < 2 || !info[1].IsBuffer()) throw Napi::TypeError::New(env, "buf must be a Buffer");
  auto buf = info[1].As<Napi::Buffer<uint8_t>>();
  ssize_t n;
  do n = read(fd, buf.Data(), buf.Length());
  while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Napi::Number::New(env, -EAGAIN);
  if (n < 0) throw ErrnoError(env, errno, "read");
  return Napi::Number::New(env, static_cast<double>(n));
}

// setNonBlocking(fd): O_NONBLOCK on, for fds read with plain reads and readable() polls.
Napi::Value SetNonBlocking(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (NonBlocking(ToFd(info, 0)) < 0) throw ErrnoError(env, errno, "fcntl(O_NONBLOCK)");
  return env.Undefined();
}

// priorityEvent(fd): has `fd` an exceptional condition pending (POLLPRI or POLLERR), without
// waiting? For /proc/self/mountinfo that means the mount table changed since the fd last looked.
Napi::Value PriorityEvent(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  struct pollfd p = {ToFd(info, 0), POLLPRI, 0};
  int n;
  do n = poll(&p, 1, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0) throw ErrnoError(env, errno, "poll");
  return Napi::Boolean::New(env, n > 0 && (p.revents & (POLLPRI | POLLERR)));
}

// setWinsize(fd, rows, cols): TIOCSWINSZ on a terminal (the pty master).
Napi::Value SetWinsize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ToFd(info, 0);
  struct winsize ws;
  std::memset(&ws, 0, sizeof(ws));
  ws.ws_row = static_cast<unsigned short>(OptInt(info, 1, 24));
  ws.ws_col = static_cast<unsigned short>(OptInt(info, 2, 80));
  if (ioctl(fd, TIOCSWINSZ, &ws) < 0) throw ErrnoError(env, errno, "ioctl(TIOCSWINSZ)");
  return env.Undefined();
}

// ttyMakeRaw(fd) -> Buffer: put a terminal into raw mode as cfmakeraw does (output processing
// off too: the container's pty already turned \n into \r\n; libuv's raw mode keeps ONLCR and
// would double the \r) and return the old termios for ttyRestore.
Napi::Value TtyMakeRaw(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ToFd(info, 0);
  struct termios old;
  if (tcgetattr(fd, &old) < 0) throw ErrnoError(env, errno, "tcgetattr");
  struct termios raw = old;
  cfmakeraw(&raw);
  if (tcsetattr(fd, TCSANOW, &raw) < 0) throw ErrnoError(env, errno, "tcsetattr");
  return Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<uint8_t*>(&old), sizeof(old));
}

// ttyRestore(fd, saved): put back the termios ttyMakeRaw returned.
Napi::Value TtyRestore(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ToFd(info, 0);
  if (info.Length() < 2 || !info[1].IsBuffer() || info[1].As<Napi::Buffer<uint8_t>>().Length() != sizeof(struct termios))
    throw Napi::TypeError::New(env, "saved must be the Buffer ttyMakeRaw returned");
  struct termios old;
  std::memcpy(&old, info[1].As<Napi::Buffer<uint8_t>>().Data(), sizeof(old));
  if (tcsetattr(fd, TCSANOW, &old) < 0) throw ErrnoError(env, errno, "tcsetattr");
  return env.Undefined();
}

// bpfDeviceFilter(cgroupDir, insns: Buffer): load the device program and attach it to the cgroup
// v2 directory, replacing the device programs attached there before.
Napi::Value BpfDeviceFilter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsBuffer()) throw Napi::TypeError::New(env, "expected (cgroupDir, insns)");
  std::string dir = info[0].As<Napi::String>().Utf8Value();
  auto insns = info[1].As<Napi::Buffer<uint8_t>>();
  if (insns.Length() == 0 || insns.Length() % 8 != 0 || insns.Length() / 8 > 1000000) throw Napi::RangeError::New(env, "bad program size");
  static char log[65536];
  int prog = cs_bpf_load_device(insns.Data(), static_cast<uint32_t>(insns.Length() / 8), log, sizeof(log));
  if (prog < 0) {
    int err = errno;
    Napi::Error e = ErrnoError(env, err, "bpf(BPF_PROG_LOAD)");
    e.Set("log", Napi::String::New(env, log));
    throw e;
  }
  int cg = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cg < 0) {
    int err = errno;
    close(prog);
    throw ErrnoError(env, err, "open cgroup");
  }
  int rc = cs_bpf_attach_device(cg, prog);
  int err = errno;
  close(cg);
  close(prog);  // the attachment keeps the program
  if (rc < 0) throw ErrnoError(env, err, "bpf(BPF_PROG_ATTACH)");
  return env.Undefined();
}

// ---- waiting for a process through its pidfd ----
//
// The callback runs on the loop thread but may come during environment teardown, when no JS may
// run: it uses the plain N-API calls and gives up quietly instead of throwing. Polls still open
// at teardown are closed by a cleanup hook.

struct PidWait {
  uv_poll_t poll;
  int pidfd;
  napi_env env;
  napi_deferred deferred;
  napi_async_context context;
  bool done;
};

// The poll watches our own dup of the caller's pidfd, closed only here, after libuv has let go
// of it: the caller may close its fd at any time, and a reused fd number never meets a watcher
// that is still being torn down (libuv would refuse it with EEXIST).
void OnPollClosed(uv_handle_t* h) {
  auto* w = static_cast<PidWait*>(h->data);
  close(w->pidfd);
  delete w;
}

void StopWaitAtTeardown(void* arg);

void FinishWait(PidWait* w) {
  if (w->done) return;
  w->done = true;
  uv_poll_stop(&w->poll);
  napi_remove_env_cleanup_hook(w->env, StopWaitAtTeardown, w);
  uv_close(reinterpret_cast<uv_handle_t*>(&w->poll), OnPollClosed);
}

void SetNumberOrNull(napi_env env, napi_value obj, const char* key, bool has, double v) {
  napi_value val;
  if (has)
    napi_create_double(env, v, &val);
  else
    napi_get_null(env, &val);
  napi_set_named_property(env, obj, key, val);
}

void OnPidfdReadable(uv_poll_t* handle, int status, int events) {
  auto* w = static_cast<PidWait*>(handle->data);
  siginfo_t si;
  std::memset(&si, 0, sizeof(si));
  int rc = waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(w->pidfd), &si, WEXITED | WNOHANG);
  if (rc == 0 && si.si_pid == 0 && status == 0) return;  // not exited yet: keep waiting
  int err = rc < 0 ? errno : 0;
  napi_env env = w->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) == napi_ok) {
    napi_callback_scope cb;
    napi_value resource;
    napi_create_object(env, &resource);
    if (napi_open_callback_scope(env, resource, w->context, &cb) == napi_ok) {
      napi_value out, b;
      napi_create_object(env, &out);
      bool reaped = rc == 0 && si.si_pid != 0;
      napi_get_boolean(env, reaped, &b);
      napi_set_named_property(env, out, "reaped", b);
      SetNumberOrNull(env, out, "pid", reaped, si.si_pid);
      SetNumberOrNull(env, out, "exitCode", reaped && si.si_code == CLD_EXITED, si.si_status);
      SetNumberOrNull(env, out, "signal", reaped && si.si_code != CLD_EXITED, si.si_status);
      SetNumberOrNull(env, out, "errno", !reaped, err);
      napi_resolve_deferred(env, w->deferred, out);
      napi_close_callback_scope(env, cb);
    }
    napi_close_handle_scope(env, scope);
  }
  napi_async_destroy(env, w->context);
  FinishWait(w);
}

// At environment teardown: stop polling (the promise is never settled; nobody can observe it).
void StopWaitAtTeardown(void* arg) {
  auto* w = static_cast<PidWait*>(arg);
  if (w->done) return;
  w->done = true;
  uv_poll_stop(&w->poll);
  uv_close(reinterpret_cast<uv_handle_t*>(&w->poll), OnPollClosed);
}

// A fd became readable (data, EOF or an error: the caller's read tells which).
void OnFdReadable(uv_poll_t* handle, int status, int events) {
  auto* w = static_cast<PidWait*>(handle->data);
  napi_env env = w->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) == napi_ok) {
    napi_callback_scope cb;
    napi_value resource, undef;
    napi_create_object(env, &resource);
    if (napi_open_callback_scope(env, resource, w->context, &cb) == napi_ok) {
      napi_get_undefined(env, &undef);
      napi_resolve_deferred(env, w->deferred, undef);
      napi_close_callback_scope(env, cb);
    }
    napi_close_handle_scope(env, scope);
  }
  napi_async_destroy(env, w->context);
  FinishWait(w);
}

// One poll of a dup of `fd` for readability, settled by `cb` (see OnPollClosed for the dup).
static Napi::Value StartPoll(const Napi::CallbackInfo& info, const char* name, uv_poll_cb cb);

// waitPidfd(pidfd, ref = true) -> Promise<{ reaped, pid, exitCode, signal, errno }>
Napi::Value WaitPidfd(const Napi::CallbackInfo& info) {
  return StartPoll(info, "caisson:waitPidfd", OnPidfdReadable);
}

// readable(fd, ref = true) -> Promise<void>: resolves once `fd` has data, EOF or an error. The
// sync socket with a container init is read this way (no stream machinery per container).
Napi::Value Readable(const Napi::CallbackInfo& info) {
  return StartPoll(info, "caisson:readable", OnFdReadable);
}

static Napi::Value StartPoll(const Napi::CallbackInfo& info, const char* label, uv_poll_cb on_ready) {
  Napi::Env env = info.Env();
  int fd = ToFd(info, 0);
  bool ref = info.Length() < 2 || info[1].ToBoolean();
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || !loop) throw Napi::Error::New(env, "no event loop");
  int own = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (own < 0) throw ErrnoError(env, errno, "fcntl(F_DUPFD_CLOEXEC)");
  auto* w = new PidWait();
  w->pidfd = own;
  w->env = env;
  w->done = false;
  w->poll.data = w;
  napi_value promise, name;
  napi_create_promise(env, &w->deferred, &promise);
  napi_create_string_utf8(env, label, NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, nullptr, name, &w->context);
  int rc = uv_poll_init(loop, &w->poll, own);
  if (rc < 0) {
    napi_async_destroy(env, w->context);
    close(own);
    delete w;
    throw ErrnoError(env, -rc, "uv_poll_init");
  }
  rc = uv_poll_start(&w->poll, UV_READABLE, on_ready);
  if (rc < 0) {
    napi_async_destroy(env, w->context);
    w->done = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&w->poll), OnPollClosed);
    throw ErrnoError(env, -rc, "uv_poll_start");
  }
  if (!ref) uv_unref(reinterpret_cast<uv_handle_t*>(&w->poll));
  napi_add_env_cleanup_hook(env, StopWaitAtTeardown, w);
  return Napi::Value(env, promise);
}

// ---- for the shim (lib/shim): subreaper, collecting orphans, host mounts ----

// setChildSubreaper(): orphaned descendants are re-parented to this process.
Napi::Value SetChildSubreaper(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (cs_set_child_subreaper() < 0) throw ErrnoError(env, errno, "prctl(PR_SET_CHILD_SUBREAPER)");
  return env.Undefined();
}

// reapChild(pid) -> null (still running) | { exitCode, signal }; throws ECHILD when it is not
// (or no longer) our child.
Napi::Value ReapChild(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "pid must be a number");
  int pid = info[0].As<Napi::Number>().Int32Value();
  if (pid <= 0) throw Napi::RangeError::New(env, "pid must be positive");
  int exited = 0, status = 0;
  int rc = cs_reap_child(pid, &exited, &status);
  if (rc < 0) throw ErrnoError(env, errno, "waitid");
  if (rc == 0) return env.Null();
  Napi::Object out = Napi::Object::New(env);
  out.Set("exitCode", exited ? Napi::Value(Napi::Number::New(env, status)) : env.Null());
  out.Set("signal", exited ? env.Null() : Napi::Value(Napi::Number::New(env, status)));
  return out;
}

// hostMount(source, target, type, flags, data)
Napi::Value HostMount(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 5 || !info[0].IsString() || !info[1].IsString() || !info[2].IsString() || !info[3].IsNumber() || !info[4].IsString())
    throw Napi::TypeError::New(env, "expected (source, target, type, flags, data)");
  std::string source = info[0].As<Napi::String>().Utf8Value();
  std::string target = info[1].As<Napi::String>().Utf8Value();
  std::string type = info[2].As<Napi::String>().Utf8Value();
  double flags = info[3].As<Napi::Number>().DoubleValue();
  std::string data = info[4].As<Napi::String>().Utf8Value();
  if (flags < 0 || flags > 4294967295.0) throw Napi::RangeError::New(env, "mount flags out of range");
  if (cs_host_mount(source.c_str(), target.c_str(), type.empty() ? nullptr : type.c_str(), static_cast<unsigned long>(flags),
                    data.empty() ? nullptr : data.c_str()) < 0)
    throw ErrnoError(env, errno, "mount");
  return env.Undefined();
}

// hostUnmount(target, flags)
Napi::Value HostUnmount(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "target must be a string");
  std::string target = info[0].As<Napi::String>().Utf8Value();
  if (cs_host_unmount(target.c_str(), OptInt(info, 1, 0)) < 0) throw ErrnoError(env, errno, "umount2");
  return env.Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("spawn", Napi::Function::New(env, Spawn));
  exports.Set("pidfdOpen", Napi::Function::New(env, PidfdOpen));
  exports.Set("pidfdSendSignal", Napi::Function::New(env, PidfdSendSignal));
  exports.Set("flock", Napi::Function::New(env, Flock));
  exports.Set("unixListen", Napi::Function::New(env, UnixListen));
  exports.Set("waitPidfd", Napi::Function::New(env, WaitPidfd));
  exports.Set("readable", Napi::Function::New(env, Readable));
  exports.Set("startSpawner", Napi::Function::New(env, StartSpawner));
  exports.Set("spawnerRunning", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    return Napi::Boolean::New(info.Env(), cs_spawner_running() != 0);
  }));
  exports.Set("unixConnect", Napi::Function::New(env, UnixConnect));
  exports.Set("socketPair", Napi::Function::New(env, SocketPair));
  exports.Set("pipe", Napi::Function::New(env, Pipe));
  exports.Set("seccompFlagSupported", Napi::Function::New(env, SeccompFlagSupported));
  exports.Set("loadExecTrampoline", Napi::Function::New(env, LoadExecTrampoline));
  exports.Set("ttyMakeRaw", Napi::Function::New(env, TtyMakeRaw));
  exports.Set("ttyRestore", Napi::Function::New(env, TtyRestore));
  exports.Set("recvFd", Napi::Function::New(env, RecvFd));
  exports.Set("setWinsize", Napi::Function::New(env, SetWinsize));
  exports.Set("setNonBlocking", Napi::Function::New(env, SetNonBlocking));
  exports.Set("readSome", Napi::Function::New(env, ReadSome));
  exports.Set("readAgain", Napi::Number::New(env, -EAGAIN));
  exports.Set("priorityEvent", Napi::Function::New(env, PriorityEvent));
  exports.Set("spawnAhead", Napi::Function::New(env, SpawnAhead));
  exports.Set("aheadResult", Napi::Function::New(env, AheadResult));
  exports.Set("aheadPoll", Napi::Function::New(env, AheadPoll));
  exports.Set("spawnerFd", Napi::Function::New(env, SpawnerFd));
  exports.Set("replyWakeFd", Napi::Function::New(env, ReplyWakeFd));
  exports.Set("sendPlan", Napi::Function::New(env, SendPlan));
  exports.Set("bpfDeviceFilter", Napi::Function::New(env, BpfDeviceFilter));
  exports.Set("sendFd", Napi::Function::New(env, SendFd));
  exports.Set("setChildSubreaper", Napi::Function::New(env, SetChildSubreaper));
  exports.Set("reapChild", Napi::Function::New(env, ReapChild));
  exports.Set("hostMount", Napi::Function::New(env, HostMount));
  exports.Set("hostUnmount", Napi::Function::New(env, HostUnmount));
  exports.Set("planVersion", Napi::Number::New(env, CS_PLAN_VERSION));
  return exports;
}

}  // namespace

NODE_API_MODULE(caisson, Init)

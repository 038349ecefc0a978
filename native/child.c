/*
 * The plan interpreter: the first code the cloned child runs, and the loop that walks the plan.
 *
 * The child is a copy of the Node process with a single thread. It must not touch anything Node
 * or glibc set up for the parent (heap, locks, libuv's signal handlers), so the first thing it
 * does is put signals back to a neutral state; after that it only walks the plan.
 */
#include "child.h"

#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "sys.h"

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif

/* ---------- bounded plan reading ---------- */

int cs_rd_u64(struct cs_rd *r, uint64_t *out) {
  if (r->end - r->p < 9 || r->p[0] != CS_TAG_U64) {
    errno = EBADMSG;
    return -1;
  }
  uint64_t v = 0;
  for (int i = 8; i >= 1; i--) v = (v << 8) | r->p[i];
  *out = v;
  r->p += 9;
  return 0;
}

int cs_rd_str(struct cs_rd *r, const char **out, uint32_t *len) {
  if (r->end - r->p < 5 || r->p[0] != CS_TAG_STR) {
    errno = EBADMSG;
    return -1;
  }
  uint32_t n = (uint32_t)r->p[1] | (uint32_t)r->p[2] << 8 | (uint32_t)r->p[3] << 16 | (uint32_t)r->p[4] << 24;
  /* n bytes plus the terminating NUL must lie inside the record. */
  if ((uint64_t)n + 1 > (uint64_t)(r->end - (r->p + 5))) {
    errno = EBADMSG;
    return -1;
  }
  const char *s = (const char *)r->p + 5;
  if (s[n] != '\0' || memchr(s, '\0', n) != NULL) {
    errno = EBADMSG;
    return -1;
  }
  *out = s;
  if (len) *len = n;
  r->p += 5 + (size_t)n + 1;
  return 0;
}

int cs_rd_bytes(struct cs_rd *r, const uint8_t **out, uint32_t *len) {
  if (r->end - r->p < 5 || r->p[0] != CS_TAG_BYTES) {
    errno = EBADMSG;
    return -1;
  }
  uint32_t n = (uint32_t)r->p[1] | (uint32_t)r->p[2] << 8 | (uint32_t)r->p[3] << 16 | (uint32_t)r->p[4] << 24;
  if ((uint64_t)n > (uint64_t)(r->end - (r->p + 5))) {
    errno = EBADMSG;
    return -1;
  }
  *out = r->p + 5;
  *len = n;
  r->p += 5 + (size_t)n;
  return 0;
}

int cs_rd_done(const struct cs_rd *r) {
  if (r->p != r->end) {
    errno = EBADMSG;
    return -1;
  }
  return 0;
}

/* ---------- strings ---------- */

size_t cs_strlen(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

int cs_streq(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}

int cs_join(char *dst, size_t n, const char *a, const char *b, const char *c) {
  size_t la = a ? cs_strlen(a) : 0, lb = b ? cs_strlen(b) : 0, lc = c ? cs_strlen(c) : 0;
  if (la + lb + lc + 1 > n) {
    errno = ENAMETOOLONG;
    return -1;
  }
  if (la) memcpy(dst, a, la);
  if (lb) memcpy(dst + la, b, lb);
  if (lc) memcpy(dst + la + lb, c, lc);
  dst[la + lb + lc] = '\0';
  return 0;
}

void cs_utoa(char *dst, size_t n, uint64_t v) {
  char tmp[24];
  size_t i = 0;
  do {
    tmp[i++] = (char)('0' + v % 10);
    v /= 10;
  } while (v && i < sizeof(tmp));
  size_t j = 0;
  while (i && j + 1 < n) dst[j++] = tmp[--i];
  dst[j] = '\0';
}

/* ---------- errors ---------- */

int cs_fail(struct cs_child *c, const char *call) {
  if (!c->fail_call) c->fail_call = call;
  return -1;
}

int cs_fail_errno(struct cs_child *c, const char *call, int err) {
  errno = err;
  return cs_fail(c, call);
}

void cs_detail(struct cs_child *c, const char *a, const char *b, const char *c2) {
  size_t used = cs_strlen(c->detail);
  const char *parts[3] = {a, b, c2};
  for (int i = 0; i < 3; i++) {
    for (const char *s = parts[i]; s && *s && used + 1 < sizeof(c->detail); s++) c->detail[used++] = *s;
  }
  c->detail[used] = '\0';
}

/* ---------- sync socket ---------- */

static int write_all(int fd, const void *buf, size_t len) {
  const uint8_t *p = buf;
  while (len) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

static int read_all(int fd, void *buf, size_t len) {
  uint8_t *p = buf;
  while (len) {
    ssize_t n = read(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (n == 0) {
      errno = EPIPE;
      return -1;
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

int cs_send(int fd, uint32_t type, const void *payload, uint32_t len) {
  uint8_t buf[sizeof(struct cs_msg) + CS_MSG_MAX_PAYLOAD];
  if (len > CS_MSG_MAX_PAYLOAD) {
    errno = EMSGSIZE;
    return -1;
  }
  struct cs_msg h = {.type = type, .len = len};
  memcpy(buf, &h, sizeof(h));
  if (len) memcpy(buf + sizeof(h), payload, len);
  /* One write per message: the parent may read while we still run. */
  return write_all(fd, buf, sizeof(h) + len);
}

int cs_send_u32(int fd, uint32_t type, uint32_t v) {
  return cs_send(fd, type, &v, sizeof(v));
}

int cs_wait_go(int fd) {
  struct cs_msg h;
  if (read_all(fd, &h, sizeof(h)) < 0) return -1;
  if (h.len) {
    errno = EBADMSG; /* parent messages carry no payload */
    return -1;
  }
  if (h.type == CS_MSG_GO) return 0;
  errno = ECANCELED;
  return -1;
}

void cs_die(struct cs_child *c) {
  int err = errno;
  uint8_t buf[sizeof(struct cs_msg_error) + sizeof(c->detail)];
  struct cs_msg_error e;
  memset(&e, 0, sizeof(e));
  e.err = err;
  e.op_index = c->op_index;
  const char *call = c->fail_call ? c->fail_call : "";
  size_t n = cs_strlen(call);
  if (n >= sizeof(e.syscall)) n = sizeof(e.syscall) - 1;
  memcpy(e.syscall, call, n);
  size_t dl = cs_strlen(c->detail);
  memcpy(buf, &e, sizeof(e));
  memcpy(buf + sizeof(e), c->detail, dl);
  /* After `start` connected, errors go to `start`; before that, to `create`. */
  int fd = c->start_fd >= 0 ? c->start_fd : c->sync_fd;
  if (fd >= 0) cs_send(fd, CS_MSG_ERROR, buf, (uint32_t)(sizeof(e) + dl));
  _exit(err == ENOENT || err == EACCES ? 127 : 1);
}

/* ---------- start-up ---------- */

/*
 * Put signals back to defaults and unblock them. Node installs handlers (libuv's signal pipe)
 * and ignores SIGPIPE; a handler running in this copy of the process would write into the
 * parent's libuv pipe, and an ignored SIGPIPE would survive execve into the container.
 */
static void reset_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = SIG_DFL;
  for (int sig = 1; sig < _NSIG; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    sigaction(sig, &sa, NULL); /* EINVAL for the few glibc-reserved ones: harmless */
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

/*
 * Open the host's procfs before any namespace is joined and check it is one (its magic). Later
 * steps write through this fd rather than through a path a joined mount namespace could have
 * replaced.
 */
static int open_trusted(struct cs_child *c) {
  struct statfs sfs;
  c->proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (c->proc_fd < 0) return cs_fail(c, "open /proc");
  if (fstatfs(c->proc_fd, &sfs) < 0) return cs_fail(c, "fstatfs /proc");
  if (sfs.f_type != PROC_SUPER_MAGIC) return cs_fail_errno(c, "verify /proc is procfs", EXDEV);
  return 0;
}

static int check_header(const uint8_t *plan, uint32_t len, uint32_t *ops) {
  if (len < CS_PLAN_HEADER_LEN || len > CS_PLAN_MAX_LEN) return -1;
  uint32_t magic, total;
  uint16_t version;
  memcpy(&magic, plan, 4);
  memcpy(&version, plan + 4, 2);
  memcpy(&total, plan + 8, 4);
  memcpy(ops, plan + 12, 4);
  if (magic != CS_PLAN_MAGIC || version != CS_PLAN_VERSION || total != len || *ops > CS_PLAN_MAX_OPS) return -1;
  return 0;
}

void cs_child_main(const uint8_t *plan, uint32_t len, int sync_fd, int trampoline_fd, int signals_default) {
  struct cs_child c;
  memset(&c, 0, sizeof(c));
  c.sync_fd = sync_fd;
  c.start_fd = -1;
  c.root_fd = -1;
  c.proc_fd = -1;
  c.devnull_fd = -1;
  c.trampoline_fd = trampoline_fd;

  if (!signals_default) reset_signals();
  /* If the parent dies mid-setup, do not linger half-built. */
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  /*
   * Non-dumpable until execve: no process that might share a namespace with us can ptrace this
   * copy of Node or open its /proc/PID/exe or fds (CVE-2016-9962, CVE-2019-5736 classes).
   * execve resets it for the container's own program.
   */
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

  uint32_t nops;
  if (check_header(plan, len, &nops) < 0) {
    errno = EBADMSG;
    c.fail_call = "plan header";
    cs_die(&c);
  }
  if (open_trusted(&c) < 0) cs_die(&c);

  const uint8_t *p = plan + CS_PLAN_HEADER_LEN;
  const uint8_t *end = plan + len;
  for (uint32_t i = 0; i < nops; i++) {
    c.op_index = i;
    c.fail_call = NULL;
    c.detail[0] = '\0';
    uint16_t code;
    uint32_t rlen;
    if (end - p < CS_OP_HEADER_LEN) goto malformed;
    memcpy(&code, p, 2);
    memcpy(&rlen, p + 4, 4);
    if (rlen < CS_OP_HEADER_LEN || rlen > (uint64_t)(end - p)) goto malformed;
    struct cs_rd r = {.p = p + CS_OP_HEADER_LEN, .end = p + rlen};

    /* Each group returns CS_NOT_MINE for codes it does not know. */
    int stage_over = 0;
    int rc = cs_ops_ns(&c, code, &r, &stage_over);
    if (rc == CS_NOT_MINE) rc = cs_ops_mount(&c, code, &r);
    if (rc == CS_NOT_MINE) rc = cs_ops_process(&c, code, &r);
    if (rc == CS_NOT_MINE) rc = cs_ops_attrs(&c, code, &r);
    if (rc == CS_NOT_MINE) rc = cs_ops_console(&c, code, &r);
    if (rc == CS_NOT_MINE) rc = cs_ops_seccomp(&c, code, &r);
    if (rc == CS_NOT_MINE) goto malformed;
    if (rc < 0) cs_die(&c);
    if (stage_over) _exit(0); /* stage 1 handed over to the init */
    p += rlen;
  }
  /* A plan must end in CS_OP_EXEC; falling off the end is a plan bug. */
  errno = EBADMSG;
  c.fail_call = "plan has no exec";
  cs_die(&c);

malformed:
  errno = EBADMSG;
  c.fail_call = "malformed plan op";
  cs_die(&c);
}

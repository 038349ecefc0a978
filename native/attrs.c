/*
 * Process attributes that survive execve: scheduling policy, I/O priority, personality, NUMA
 * memory policy, and HOME from the container's passwd file.
 */
#include <string.h>
#include <sys/personality.h>

#include "child.h"
#include "sys.h"

struct cs_sched_attr {
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
  uint32_t sched_util_min;
  uint32_t sched_util_max;
};

#ifndef SYS_sched_setattr
#define SYS_sched_setattr 314
#endif

static int op_sched(struct cs_child *c, struct cs_rd *r) {
  uint64_t policy, flags, nice, prio, runtime, deadline, period;
  if (cs_rd_u64(r, &policy) < 0 || cs_rd_u64(r, &flags) < 0 || cs_rd_u64(r, &nice) < 0 || cs_rd_u64(r, &prio) < 0 ||
      cs_rd_u64(r, &runtime) < 0 || cs_rd_u64(r, &deadline) < 0 || cs_rd_u64(r, &period) < 0 || cs_rd_done(r) < 0)
    return cs_fail(c, "plan");
  struct cs_sched_attr a;
  memset(&a, 0, sizeof(a));
  a.size = sizeof(a);
  a.sched_policy = (uint32_t)policy;
  a.sched_flags = flags;
  a.sched_nice = (int32_t)(uint32_t)nice; /* TS sends the int32 as its two's complement */
  a.sched_priority = (uint32_t)prio;
  a.sched_runtime = runtime;
  a.sched_deadline = deadline;
  a.sched_period = period;
  if (syscall(SYS_sched_setattr, 0, &a, 0) < 0) return cs_fail(c, "sched_setattr");
  return 0;
}

static int op_ioprio(struct cs_child *c, struct cs_rd *r) {
  uint64_t value;
  if (cs_rd_u64(r, &value) < 0 || cs_rd_done(r) < 0) return cs_fail(c, "plan");
  /* IOPRIO_WHO_PROCESS (1), this process (0). */
  if (syscall(SYS_ioprio_set, 1, 0, (int)value) < 0) return cs_fail(c, "ioprio_set");
  return 0;
}

static int op_personality(struct cs_child *c, struct cs_rd *r) {
  uint64_t persona;
  if (cs_rd_u64(r, &persona) < 0 || cs_rd_done(r) < 0) return cs_fail(c, "plan");
  if (personality((unsigned long)persona) < 0) return cs_fail(c, "personality");
  return 0;
}

/* A bit mask of `nwords` u64 words (at most 16: 1024 cpus or nodes), the record's last field. */
static int read_mask(struct cs_child *c, struct cs_rd *r, uint64_t nwords, unsigned long mask[16]) {
  if (nwords > 16) return cs_fail_errno(c, "plan", EBADMSG);
  memset(mask, 0, 16 * sizeof(unsigned long));
  for (uint64_t i = 0; i < nwords; i++) {
    uint64_t w;
    if (cs_rd_u64(r, &w) < 0) return cs_fail(c, "plan");
    mask[i] = (unsigned long)w;
  }
  if (cs_rd_done(r) < 0) return cs_fail(c, "plan");
  return 0;
}

static int op_mempolicy(struct cs_child *c, struct cs_rd *r) {
  uint64_t mode, maxnode, nwords;
  if (cs_rd_u64(r, &mode) < 0 || cs_rd_u64(r, &maxnode) < 0 || cs_rd_u64(r, &nwords) < 0) return cs_fail(c, "plan");
  unsigned long mask[16];
  /* The kernel reads maxnode - 1 bits: one more than the words hold. */
  if (nwords > 16 || maxnode > nwords * 64 + 1) return cs_fail_errno(c, "plan", EBADMSG);
  if (read_mask(c, r, nwords, mask) < 0) return -1;
  if (syscall(SYS_set_mempolicy, (int)mode, nwords ? mask : NULL, (unsigned long)maxnode) < 0) return cs_fail(c, "set_mempolicy");
  return 0;
}

/* One passwd line ("name:passwd:uid:gid:gecos:home:shell", NUL-terminated, modified in place):
 * if it is `uid`'s entry with a home, store it and return 1. */
static int passwd_line(struct cs_child *c, char *line, uint64_t uid) {
  char *f[7] = {0};
  int nf = 0;
  f[nf++] = line;
  for (char *p = line; *p && nf < 7; p++)
    if (*p == ':') {
      *p = '\0';
      f[nf++] = p + 1;
    }
  if (nf < 6 || !f[2][0] || !f[5][0]) return 0;
  uint64_t v = 0;
  for (char *p = f[2]; *p; p++) {
    if (*p < '0' || *p > '9' || v > 0xffffffffULL) return 0;
    v = v * 10 + (uint64_t)(*p - '0');
  }
  if (v != uid) return 0;
  return cs_join(c->home, sizeof(c->home), "HOME=", f[5], NULL) == 0;
}

/*
 * HOME for a process whose env has none, as runc does: the home directory of its uid in the
 * container's /etc/passwd (read after pivot_root, so it is the container's file, whatever links
 * it holds), or "/" when there is no such entry or no such file.
 */
static int op_home(struct cs_child *c, struct cs_rd *r) {
  uint64_t uid;
  if (cs_rd_u64(r, &uid) < 0 || cs_rd_done(r) < 0) return cs_fail(c, "plan");
  cs_join(c->home, sizeof(c->home), "HOME=/", NULL, NULL);
  int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return 0;
  char buf[4096];
  char line[1024];
  size_t used = 0;
  int too_long = 0; /* the current line does not fit `line`: ignore it */
  int found = 0;
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (ssize_t i = 0; i < n && !found; i++) {
      if (buf[i] != '\n') {
        if (used + 1 < sizeof(line)) line[used++] = buf[i];
        else too_long = 1;
        continue;
      }
      line[used] = '\0';
      if (!too_long) found = passwd_line(c, line, uid);
      used = 0;
      too_long = 0;
    }
    if (found) break;
  }
  if (!found && used && !too_long) {
    line[used] = '\0';
    passwd_line(c, line, uid);
  }
  close(fd);
  return 0;
}

static int op_affinity(struct cs_child *c, struct cs_rd *r) {
  uint64_t nwords;
  if (cs_rd_u64(r, &nwords) < 0) return cs_fail(c, "plan");
  unsigned long mask[16];
  if (nwords == 0) return cs_fail_errno(c, "plan", EBADMSG);
  if (read_mask(c, r, nwords, mask) < 0) return -1;
  if (syscall(SYS_sched_setaffinity, 0, nwords * sizeof(unsigned long), mask) < 0) return cs_fail(c, "sched_setaffinity");
  return 0;
}

int cs_ops_attrs(struct cs_child *c, uint16_t code, struct cs_rd *r) {
  switch (code) {
    case CS_OP_SCHED: return op_sched(c, r);
    case CS_OP_IOPRIO: return op_ioprio(c, r);
    case CS_OP_PERSONALITY: return op_personality(c, r);
    case CS_OP_MEMPOLICY: return op_mempolicy(c, r);
    case CS_OP_HOME: return op_home(c, r);
    case CS_OP_AFFINITY: return op_affinity(c, r);
    default: return CS_NOT_MINE;
  }
}

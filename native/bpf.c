/*
 * The device cgroup eBPF program: load it and attach it to a cgroup v2 directory. Runs in the
 * parent (not the cloned child), called from addon.cc. The program itself is compiled in
 * TypeScript (lib/cgroups/device-bpf.ts); this only moves bytes into the kernel.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpf.h"

static long sys_bpf(int cmd, union bpf_attr *attr) {
  return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

int cs_bpf_load_device(const void *insns, uint32_t count, char *log, uint32_t log_size) {
  union bpf_attr attr;
  memset(&attr, 0, sizeof(attr));
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uint64_t)(uintptr_t)insns;
  attr.insn_cnt = count;
  attr.license = (uint64_t)(uintptr_t) "Apache-2.0";
  if (log && log_size) {
    log[0] = '\0';
    attr.log_buf = (uint64_t)(uintptr_t)log;
    attr.log_size = log_size;
    attr.log_level = 1;
  }
  int fd = (int)sys_bpf(BPF_PROG_LOAD, &attr);
  if (fd < 0 && errno == ENOSPC && log) {
    /* the log did not fit: retry without it rather than fail for that */
    attr.log_buf = 0;
    attr.log_size = 0;
    attr.log_level = 0;
    fd = (int)sys_bpf(BPF_PROG_LOAD, &attr);
  }
  return fd;
}

/*
 * Attach `prog` to the cgroup and detach the device programs attached before it (an update
 * replaces the filter). BPF_F_ALLOW_MULTI lets ours sit beside programs of parents.
 */
int cs_bpf_attach_device(int cgroup_fd, int prog_fd) {
  uint32_t ids[64];
  union bpf_attr q;
  memset(&q, 0, sizeof(q));
  q.query.target_fd = cgroup_fd;
  q.query.attach_type = BPF_CGROUP_DEVICE;
  q.query.prog_ids = (uint64_t)(uintptr_t)ids;
  q.query.prog_cnt = 64;
  uint32_t old = 0;
  if (sys_bpf(BPF_PROG_QUERY, &q) == 0) old = q.query.prog_cnt;

  union bpf_attr a;
  memset(&a, 0, sizeof(a));
  a.target_fd = cgroup_fd;
  a.attach_bpf_fd = prog_fd;
  a.attach_type = BPF_CGROUP_DEVICE;
  a.attach_flags = BPF_F_ALLOW_MULTI;
  if (sys_bpf(BPF_PROG_ATTACH, &a) < 0) return -1;

  for (uint32_t i = 0; i < old && i < 64; i++) {
    union bpf_attr g;
    memset(&g, 0, sizeof(g));
    g.prog_id = ids[i];
    int fd = (int)sys_bpf(BPF_PROG_GET_FD_BY_ID, &g);
    if (fd < 0) continue;
    union bpf_attr d;
    memset(&d, 0, sizeof(d));
    d.target_fd = cgroup_fd;
    d.attach_bpf_fd = fd;
    d.attach_type = BPF_CGROUP_DEVICE;
    sys_bpf(BPF_PROG_DETACH, &d);
    close(fd);
  }
  return 0;
}

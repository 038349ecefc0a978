/*
 * Installing the seccomp filter that lib/seccomp compiled: one seccomp(2) call with the flags
 * the profile asked for. With SECCOMP_FILTER_FLAG_NEW_LISTENER the kernel returns the notify
 * listener, which goes to the parent over its own socket (the parent sends it on to the
 * profile's listenerPath with the container state).
 */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/mman.h>

#include "child.h"
#include "sys.h"

#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif

static int op_seccomp(struct cs_child *c, struct cs_rd *r) {
  uint64_t flags, sock;
  const uint8_t *prog;
  uint32_t len;
  if (cs_rd_u64(r, &flags) < 0 || cs_rd_bytes(r, &prog, &len) < 0 || cs_rd_u64(r, &sock) < 0 || cs_rd_done(r) < 0)
    return cs_fail(c, "plan");
  /* BPF_MAXINSNS is 4096 instructions of 8 bytes. */
  if (len == 0 || len % sizeof(struct sock_filter) != 0 || len / sizeof(struct sock_filter) > 4096)
    return cs_fail_errno(c, "plan: seccomp program size", EBADMSG);
  /* The plan buffer is not aligned for struct sock_filter: copy it. */
  struct sock_filter *insns = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (insns == MAP_FAILED) return cs_fail(c, "mmap");
  memcpy(insns, prog, len);
  struct sock_fprog fprog = {.len = (unsigned short)(len / sizeof(struct sock_filter)), .filter = insns};
  long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, (unsigned)flags, &fprog);
  if (fd < 0) return cs_fail(c, "seccomp(SECCOMP_SET_MODE_FILTER)");
  munmap(insns, len);
  if (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) {
    if (sock > INT32_MAX) return cs_fail_errno(c, "plan: seccomp listener socket", EBADF);
    if (cs_send_fd((int)sock, (int)fd, "seccompFd") < 0) return cs_fail(c, "send the seccomp listener");
    close((int)fd);
    close((int)sock);
  }
  return 0;
}

int cs_ops_seccomp(struct cs_child *c, uint16_t code, struct cs_rd *r) {
  switch (code) {
    case CS_OP_SECCOMP: return op_seccomp(c, r);
    default: return CS_NOT_MINE;
  }
}

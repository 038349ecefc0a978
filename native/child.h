/*
 * The child side: shared context and helpers for the plan interpreter.
 *
 * Everything declared here runs in the cloned child between clone and execve. Rules for that
 * code: no malloc, no stdio, no locks, no JS, only async-signal-safe calls (raw syscalls from
 * sys.h), fixed-size buffers with explicit bounds. A failure sets errno and `cs_fail()` names
 * the failing call; the interpreter reports it to the parent and exits.
 */
#ifndef CAISSON_CHILD_H
#define CAISSON_CHILD_H

#include <stddef.h>
#include <stdint.h>

#include "plan.h"

#define CS_PATH_MAX 4096

struct cs_child {
  int sync_fd;       /* socket to the parent; -1 once closed */
  int start_fd;      /* connection from `start`, after CS_OP_WAIT_START; -1 before */
  int root_fd;       /* O_PATH fd of the container's root mount, after CS_OP_ROOTFS_BIND */
  int proc_fd;       /* O_PATH fd of a procfs verified by its magic */
  int devnull_fd;    /* O_PATH fd of the host's /dev/null verified as char 1:3 */
  int trampoline_fd; /* sealed memfd of caisson-exec, or -1 (native/sealed-copy.c) */
  int cwd_pending;   /* CS_OP_CHDIR deferred until after setuser */
  uint32_t op_index; /* the op being run, for error reports */
  const char *fail_call; /* which call failed inside the op */
  char detail[512];  /* optional human detail for the error (NUL-terminated) */
  char exec_path[CS_PATH_MAX]; /* result of CS_OP_RESOLVE_EXEC */
  char home[CS_PATH_MAX]; /* "HOME=..." from CS_OP_HOME; "" if none */
};

/* A bounded reader over one op record. */
struct cs_rd {
  const uint8_t *p;
  const uint8_t *end;
};

int cs_rd_u64(struct cs_rd *r, uint64_t *out);
int cs_rd_str(struct cs_rd *r, const char **out, uint32_t *len);
int cs_rd_bytes(struct cs_rd *r, const uint8_t **out, uint32_t *len);
int cs_rd_done(const struct cs_rd *r);

/* Record the failing call; always returns -1 so ops can `return cs_fail(c, "mount")`. */
int cs_fail(struct cs_child *c, const char *call);
/* Same, with errno forced to `err` (for checks that are not syscalls). */
int cs_fail_errno(struct cs_child *c, const char *call, int err);
/* Append a detail string (truncated to fit). */
void cs_detail(struct cs_child *c, const char *a, const char *b, const char *c2);

/* Sync socket I/O: whole messages, EINTR retried. */
int cs_send(int fd, uint32_t type, const void *payload, uint32_t len);
int cs_send_u32(int fd, uint32_t type, uint32_t v);
/* Wait for GO (returns 0) or ABORT/EOF (returns -1, errno ECANCELED/EPIPE). */
int cs_wait_go(int fd);
/* Report the error recorded in `c` to whoever listens and exit. */
void cs_die(struct cs_child *c) __attribute__((noreturn));

/* Small string helpers (no libc string functions are assumed safe beyond these). */
size_t cs_strlen(const char *s);
int cs_streq(const char *a, const char *b);
/* Join `a` + `b` + `c` into dst of size n; returns -1 (ENAMETOOLONG) if it does not fit. */
int cs_join(char *dst, size_t n, const char *a, const char *b, const char *c);
void cs_utoa(char *dst, size_t n, uint64_t v);

/* Op groups, one file each. Each returns 0, -1 (errno set, cs_fail called), or CS_NOT_MINE for
 * an op code that belongs to another group. Every op must consume all its fields. */
#define CS_NOT_MINE 1
int cs_ops_ns(struct cs_child *c, uint16_t code, struct cs_rd *r, int *stage_over);
int cs_ops_mount(struct cs_child *c, uint16_t code, struct cs_rd *r);
int cs_ops_process(struct cs_child *c, uint16_t code, struct cs_rd *r);
int cs_ops_attrs(struct cs_child *c, uint16_t code, struct cs_rd *r);
int cs_ops_console(struct cs_child *c, uint16_t code, struct cs_rd *r);
int cs_ops_seccomp(struct cs_child *c, uint16_t code, struct cs_rd *r);
/* Send one fd with SCM_RIGHTS and `name` as data (console.c). */
int cs_send_fd(int sock, int fd, const char *name);
int cs_copy_up(struct cs_child *c, int src_path_fd, int dst_mount_fd);

/* Resolution below the root (rootfs.c). */
int cs_open_in_root(struct cs_child *c, const char *path, int oflags);
int cs_mkdir_all_in_root(struct cs_child *c, const char *path);
int cs_create_file_in_root(struct cs_child *c, const char *path);
int cs_open_parent_in_root(struct cs_child *c, const char *path, const char **base);

/*
 * Entry point: never returns. `signals_default`: every disposition is already the default and
 * nothing is blocked (a child of caisson-spawner), so the reset of all 64 can be skipped.
 */
void cs_child_main(const uint8_t *plan, uint32_t len, int sync_fd, int trampoline_fd, int signals_default) __attribute__((noreturn));

#endif

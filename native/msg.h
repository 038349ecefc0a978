/* One-buffer msghdr set-up for sendmsg/recvmsg with ancillary data (SCM_RIGHTS). */
#ifndef CAISSON_MSG_H
#define CAISSON_MSG_H

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

static inline void cs_msg_init(struct msghdr *m, struct iovec *iov, void *data, size_t len, void *control, size_t control_len) {
  memset(m, 0, sizeof(*m));
  iov->iov_base = data;
  iov->iov_len = len;
  m->msg_iov = iov;
  m->msg_iovlen = 1;
  m->msg_control = control;
  m->msg_controllen = control_len;
}

/* Fill the control buffer of `m` (room for n fds) with one SCM_RIGHTS record. */
static inline void cs_msg_put_fds(struct msghdr *m, const int *fds, unsigned n) {
  struct cmsghdr *c = CMSG_FIRSTHDR(m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int) * n);
  memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
}

/* sendmsg and recvmsg, retried on EINTR. */
static inline ssize_t cs_sendmsg(int fd, const struct msghdr *m, int flags) {
  ssize_t n;
  do n = sendmsg(fd, m, flags);
  while (n < 0 && errno == EINTR);
  return n;
}

static inline ssize_t cs_recvmsg(int fd, struct msghdr *m, int flags) {
  ssize_t n;
  do n = recvmsg(fd, m, flags);
  while (n < 0 && errno == EINTR);
  return n;
}

/* One message of `len` bytes with `fd` as its only SCM_RIGHTS fd (none when fd < 0); -1 on error. */
static inline int cs_send_with_fd(int sock, const void *data, size_t len, int fd) {
  struct msghdr msg;
  struct iovec iov;
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  memset(&u, 0, sizeof(u));
  cs_msg_init(&msg, &iov, (void *)data, len, fd >= 0 ? u.buf : NULL, fd >= 0 ? sizeof(u.buf) : 0);
  if (fd >= 0) cs_msg_put_fds(&msg, &fd, 1);
  return cs_sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

#endif

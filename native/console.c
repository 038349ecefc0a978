/*
 * process.terminal: a pty from the container's own devpts, its master sent to the console
 * socket with SCM_RIGHTS (the protocol runc speaks: one message, the master's name as data,
 * exactly one fd, no reply), its slave made /dev/console and the init's controlling terminal
 * and stdio.
 *
 * Everything is checked before it is trusted: ptmx must be the devpts ptmx (char 5:2 on a
 * devpts filesystem) and the peer a devpts slave, so a rootfs that plants its own "ptmx" or
 * bind-mounts something else over /dev/pts gets an error rather than our trust. /dev/console is
 * resolved without following any symlink (CVE-2025-52565: a planted link would turn the bind
 * of the slave into a bind over an arbitrary file).
 */
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <termios.h>

#include "child.h"
#include "msg.h"
#include "sys.h"

#ifndef DEVPTS_SUPER_MAGIC
#define DEVPTS_SUPER_MAGIC 0x1cd1
#endif
#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif
#define PTY_SLAVE_MAJOR_FIRST 136
#define PTY_SLAVE_MAJOR_LAST 143

static int on_devpts(int fd) {
  struct statfs sfs;
  return fstatfs(fd, &sfs) == 0 && sfs.f_type == DEVPTS_SUPER_MAGIC;
}

int cs_send_fd(int sock, int fd, const char *name) {
  return cs_send_with_fd(sock, name, cs_strlen(name), fd);
}

static int op_console(struct cs_child *c, struct cs_rd *r) {
  uint64_t sock, rows, cols, bind_console;
  if (cs_rd_u64(r, &sock) < 0 || cs_rd_u64(r, &rows) < 0 || cs_rd_u64(r, &cols) < 0 || cs_rd_u64(r, &bind_console) < 0 ||
      cs_rd_done(r) < 0)
    return cs_fail(c, "plan");
  if (sock > INT32_MAX || rows > 0xffff || cols > 0xffff) return cs_fail_errno(c, "plan", EBADMSG);
  /* An exec'd process has joined the container's mount namespace: its "/" is the root. */
  if (c->root_fd < 0) {
    c->root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (c->root_fd < 0) return cs_fail(c, "open /");
  }

  int ptmx = cs_openat2(c->root_fd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC, 0,
                        RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS);
  if (ptmx < 0) return cs_fail(c, "open /dev/pts/ptmx");
  struct stat st;
  if (fstat(ptmx, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 5 || minor(st.st_rdev) != 2 || !on_devpts(ptmx)) {
    close(ptmx);
    return cs_fail_errno(c, "verify /dev/pts/ptmx is the devpts ptmx", EXDEV);
  }
  int unlock = 0;
  if (ioctl(ptmx, TIOCSPTLCK, &unlock) < 0) return cs_fail(c, "unlock pty");
  int slave = ioctl(ptmx, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) return cs_fail(c, "open pty peer");
  if (fstat(slave, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) < PTY_SLAVE_MAJOR_FIRST ||
      major(st.st_rdev) > PTY_SLAVE_MAJOR_LAST || !on_devpts(slave))
    return cs_fail_errno(c, "verify the pty peer is a devpts slave", EXDEV);
  if (rows && cols) {
    struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
    if (ioctl(ptmx, TIOCSWINSZ, &ws) < 0) return cs_fail(c, "set console size");
  }

  /* Only the init gets /dev/console (an exec'd process just gets a pty). */
  if (bind_console) {
  /* /dev/console: an empty regular file (or an existing char node), never through a link. */
  int console = cs_openat2(c->root_fd, "/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC, 0,
                           RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS);
  if (console < 0 && errno == ENOENT) {
    int dev = cs_openat2(c->root_fd, "/dev", O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
                         RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS);
    if (dev < 0) return cs_fail(c, "open /dev");
    int f = openat(dev, "console", O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (f < 0) return cs_fail(c, "create /dev/console");
    close(f);
    console = openat(dev, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
    close(dev);
  }
  if (console < 0) return cs_fail(c, "open /dev/console");
  if (fstat(console, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode)))
    return cs_fail_errno(c, "verify /dev/console is a file or a device", EXDEV);
  int tree = cs_open_tree(slave, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (tree < 0) return cs_fail(c, "open_tree pty");
  if (cs_move_mount(tree, "", console, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return cs_fail(c, "bind pty on /dev/console");
  close(tree);
  close(console);
  }

  if (cs_send_fd((int)sock, ptmx, "/dev/pts/ptmx") < 0) return cs_fail(c, "send pty master to the console socket");
  close((int)sock);
  close(ptmx);

  /* The slave becomes the session's controlling terminal and the init's stdio. */
  if (setsid() < 0) return cs_fail(c, "setsid");
  if (ioctl(slave, TIOCSCTTY, 0) < 0) return cs_fail(c, "make pty the controlling terminal");
  for (int fd = 0; fd < 3; fd++)
    if (dup3(slave, fd, 0) < 0) return cs_fail(c, "dup pty onto stdio");
  if (slave > 2) close(slave);
  return 0;
}

int cs_ops_console(struct cs_child *c, uint16_t code, struct cs_rd *r) {
  switch (code) {
    case CS_OP_CONSOLE: return op_console(c, r);
    default: return CS_NOT_MINE;
  }
}

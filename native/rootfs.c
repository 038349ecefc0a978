/*
 * Path resolution below the container's root.
 *
 * Every path a config names inside the rootfs is hostile: the image (or another container sharing
 * a volume) controls the symlinks along it. All lookups go through openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS) relative to the root fd, so ".." and absolute symlinks are clamped to
 * the rootfs and /proc magic links are refused; mounts are then made onto the fd we resolved,
 * never onto a path string that could be swapped between check and use (CVE-2021-30465).
 */
#include <string.h>
#include <sys/stat.h>

#include "child.h"
#include "sys.h"

#define IN_ROOT (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

int cs_open_in_root(struct cs_child *c, const char *path, int oflags) {
  if (c->root_fd < 0) return cs_fail_errno(c, "no root fd", EBADF);
  int fd = cs_openat2(c->root_fd, path, (uint64_t)(oflags | O_CLOEXEC), 0, IN_ROOT);
  if (fd < 0) return cs_fail(c, "openat2");
  return fd;
}

/* Copy `path` into buf, dropping repeated slashes; the result is "" for "/" alone. */
static int copy_clean(char *buf, size_t n, const char *path) {
  size_t j = 0;
  for (size_t i = 0; path[i]; i++) {
    if (path[i] == '/' && (j == 0 || buf[j - 1] == '/')) continue;
    if (j + 1 >= n) {
      errno = ENAMETOOLONG;
      return -1;
    }
    buf[j++] = path[i];
  }
  while (j && buf[j - 1] == '/') j--;
  buf[j] = '\0';
  return 0;
}

/*
 * Create every missing directory of `path` below the root, then return an O_PATH fd of it.
 * The deepest prefix that already exists is found first (cutting components off the end, each
 * try resolved from the root); each directory made below it is made in the fd of its parent as
 * resolved from the root, and its own prefix is then re-resolved from the root, so a symlink
 * component is followed the same way the final lookup will follow it, and always within the root.
 */
int cs_mkdir_all_in_root(struct cs_child *c, const char *path) {
  char buf[CS_PATH_MAX];
  if (copy_clean(buf, sizeof(buf), path) < 0) return cs_fail(c, "path");
  int fd = cs_openat2(c->root_fd, buf[0] ? buf : "/", O_PATH | O_DIRECTORY | O_CLOEXEC, 0, IN_ROOT);
  if (fd >= 0) return fd;
  if (errno != ENOENT) return cs_fail(c, "openat2");

  size_t len = cs_strlen(buf);
  size_t start = len; /* where the first missing component begins */
  int parent = -1;
  while (parent < 0) {
    while (start > 0 && buf[start - 1] != '/') start--;
    if (start == 0) {
      parent = cs_openat2(c->root_fd, "/", O_PATH | O_DIRECTORY | O_CLOEXEC, 0, IN_ROOT);
      if (parent < 0) return cs_fail(c, "openat2 /");
      break;
    }
    buf[start - 1] = '\0';
    parent = cs_openat2(c->root_fd, buf, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, IN_ROOT);
    buf[start - 1] = '/';
    if (parent < 0 && errno != ENOENT) return cs_fail(c, "openat2");
    if (parent < 0) start--; /* that prefix is missing too: try the one before it */
  }
  while (start < len) {
    size_t end = start;
    while (end < len && buf[end] != '/') end++;
    char saved = buf[end];
    buf[end] = '\0';
    const char *name = buf + start;
    /* mkdirat never follows a symlink in the last component: a dangling link stays EEXIST. */
    if (mkdirat(parent, name, 0755) < 0 && errno != EEXIST) {
      int err = errno;
      close(parent);
      return cs_fail_errno(c, "mkdirat", err);
    }
    int next = cs_openat2(c->root_fd, buf, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, IN_ROOT);
    if (next < 0) {
      int err = errno;
      close(parent);
      return cs_fail_errno(c, "openat2", err);
    }
    close(parent);
    parent = next;
    buf[end] = saved;
    start = end + 1;
  }
  return parent;
}

/* Resolve the parent directory of `path` (creating it), and point *base at the last component. */
int cs_open_parent_in_root(struct cs_child *c, const char *path, const char **base) {
  static char dir[CS_PATH_MAX]; /* single-threaded child: static is fine and keeps the stack small */
  if (copy_clean(dir, sizeof(dir), path) < 0) return cs_fail(c, "path");
  char *slash = NULL;
  for (char *p = dir; *p; p++)
    if (*p == '/') slash = p;
  const char *last = slash ? slash + 1 : dir;
  if (!*last || cs_streq(last, ".") || cs_streq(last, "..")) return cs_fail_errno(c, "path has no file name", EINVAL);
  /* The base name must outlive this call: keep it in a second static buffer. */
  static char name[256];
  size_t n = cs_strlen(last);
  if (n >= sizeof(name)) return cs_fail_errno(c, "path", ENAMETOOLONG);
  memcpy(name, last, n + 1);
  if (slash)
    *slash = '\0';
  else
    dir[0] = '\0';
  *base = name;
  return cs_mkdir_all_in_root(c, dir);
}

/* Create an empty file at `path` below the root if nothing is there; return an O_PATH fd of it. */
int cs_create_file_in_root(struct cs_child *c, const char *path) {
  int fd = cs_openat2(c->root_fd, path, O_PATH | O_CLOEXEC, 0, IN_ROOT);
  if (fd >= 0) return fd;
  if (errno != ENOENT) return cs_fail(c, "openat2");
  const char *base;
  int dir = cs_open_parent_in_root(c, path, &base);
  if (dir < 0) return -1;
  /* O_CREAT|O_EXCL never follows a symlink, so a planted dangling link cannot redirect us. */
  int f = openat(dir, base, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (f < 0 && errno != EEXIST) {
    int err = errno;
    close(dir);
    return cs_fail_errno(c, "create file", err);
  }
  if (f >= 0) close(f);
  close(dir);
  fd = cs_openat2(c->root_fd, path, O_PATH | O_CLOEXEC, 0, IN_ROOT);
  if (fd < 0) return cs_fail(c, "openat2");
  return fd;
}

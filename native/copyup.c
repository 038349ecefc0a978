/*
 * tmpcopyup: a tmpfs mounted over a directory of the rootfs starts with a copy of what that
 * directory held (podman --read-only puts such tmpfs on /tmp, /var/tmp and /run). The copy is
 * made into the new, still detached mount before it is attached.
 *
 * The source is the container's rootfs, so it is hostile: nothing is ever followed (every open is
 * O_NOFOLLOW and relative to a directory fd already opened the same way), symlinks are copied as
 * symlinks, and the depth is bounded. Only async-signal-safe calls, and no heap.
 */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "child.h"
#include "sys.h"

#define COPYUP_MAX_DEPTH 64

struct linux_dirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

static int copy_file(struct cs_child *c, int src_dir, int dst_dir, const char *name, const struct stat *st) {
  int in = openat(src_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  if (in < 0) return cs_fail(c, "tmpcopyup: open source file");
  int out = openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (out < 0) {
    close(in);
    return cs_fail(c, "tmpcopyup: create file");
  }
  char buf[8192];
  int rc = 0;
  for (;;) {
    ssize_t n = read(in, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      rc = cs_fail(c, "tmpcopyup: read");
      break;
    }
    if (n == 0) break;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(out, buf + off, (size_t)(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        rc = cs_fail(c, "tmpcopyup: write");
        break;
      }
      off += w;
    }
    if (rc < 0) break;
  }
  if (rc == 0 && fchown(out, st->st_uid, st->st_gid) < 0) rc = cs_fail(c, "tmpcopyup: fchown");
  if (rc == 0 && fchmod(out, st->st_mode & 07777) < 0) rc = cs_fail(c, "tmpcopyup: fchmod");
  if (rc == 0) {
    struct timespec times[2] = {st->st_atim, st->st_mtim};
    if (futimens(out, times) < 0) rc = cs_fail(c, "tmpcopyup: futimens");
  }
  close(in);
  close(out);
  return rc;
}

static int copy_tree(struct cs_child *c, int src_dir, int dst_dir, int depth);

static int copy_entry(struct cs_child *c, int src_dir, int dst_dir, const char *name, int depth) {
  struct stat st;
  if (fstatat(src_dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0) return cs_fail(c, "tmpcopyup: stat");
  if (S_ISDIR(st.st_mode)) {
    if (mkdirat(dst_dir, name, 0700) < 0) return cs_fail(c, "tmpcopyup: mkdir");
    int s = openat(src_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (s < 0) return cs_fail(c, "tmpcopyup: open source directory");
    int d = openat(dst_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (d < 0) {
      close(s);
      return cs_fail(c, "tmpcopyup: open directory");
    }
    int rc = copy_tree(c, s, d, depth + 1);
    if (rc == 0 && fchown(d, st.st_uid, st.st_gid) < 0) rc = cs_fail(c, "tmpcopyup: fchown");
    if (rc == 0 && fchmod(d, st.st_mode & 07777) < 0) rc = cs_fail(c, "tmpcopyup: fchmod");
    close(s);
    close(d);
    return rc;
  }
  if (S_ISREG(st.st_mode)) return copy_file(c, src_dir, dst_dir, name, &st);
  if (S_ISLNK(st.st_mode)) {
    char target[CS_PATH_MAX];
    ssize_t n = readlinkat(src_dir, name, target, sizeof(target) - 1);
    if (n < 0) return cs_fail(c, "tmpcopyup: readlink");
    target[n] = '\0';
    if (symlinkat(target, dst_dir, name) < 0) return cs_fail(c, "tmpcopyup: symlink");
    if (fchownat(dst_dir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0) return cs_fail(c, "tmpcopyup: lchown");
    return 0;
  }
  if (S_ISSOCK(st.st_mode)) return 0; /* a socket is only meaningful with its listener */
  /* fifos and device nodes: the node itself, as it was */
  if (mknodat(dst_dir, name, st.st_mode, st.st_rdev) < 0) return cs_fail(c, "tmpcopyup: mknod");
  if (fchownat(dst_dir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0) return cs_fail(c, "tmpcopyup: chown");
  return 0;
}

static int copy_tree(struct cs_child *c, int src_dir, int dst_dir, int depth) {
  if (depth > COPYUP_MAX_DEPTH) return cs_fail_errno(c, "tmpcopyup: directory depth", ELOOP);
  char buf[2048] __attribute__((aligned(8)));
  for (;;) {
    long n = syscall(SYS_getdents64, src_dir, buf, sizeof(buf));
    if (n < 0) return cs_fail(c, "tmpcopyup: getdents64");
    if (n == 0) return 0;
    for (long off = 0; off < n;) {
      struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
      if (d->d_reclen == 0 || d->d_reclen > n - off) return cs_fail_errno(c, "tmpcopyup: getdents64", EIO);
      off += d->d_reclen;
      if (cs_streq(d->d_name, ".") || cs_streq(d->d_name, "..")) continue;
      if (copy_entry(c, src_dir, dst_dir, d->d_name, depth) < 0) {
        cs_detail(c, "while copying ", d->d_name, NULL);
        return -1;
      }
    }
  }
}

int cs_copy_up(struct cs_child *c, int src_path_fd, int dst_mount_fd) {
  /* O_PATH fds cannot be read: open real directory fds onto both. */
  int s = openat(src_path_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (s < 0) return cs_fail(c, "tmpcopyup: open source");
  int d = openat(dst_mount_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d < 0) {
    close(s);
    return cs_fail(c, "tmpcopyup: open tmpfs");
  }
  int rc = copy_tree(c, s, d, 0);
  close(s);
  close(d);
  return rc;
}

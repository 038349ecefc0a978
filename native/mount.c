/*
 * Stage 2 filesystem operations: the rootfs, mounts, device nodes, masking, pivot_root.
 *
 * Mounts go through the new mount API: a filesystem is configured with fsopen/fsconfig and made
 * with fsmount, a bind is a clone made by open_tree, and either is attached with move_mount onto
 * the O_PATH fd that rootfs.c resolved. No mount ever targets a path string inside the rootfs.
 */
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include "child.h"
#include "sys.h"

#define EMPTY_BOTH (MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH)

static int close_keep_errno(int fd) {
  int e = errno;
  if (fd >= 0) close(fd);
  errno = e;
  return -1;
}

/* The kernel explains fsconfig failures in the fs context's log; keep that text as detail. */
static void fs_log_detail(struct cs_child *c, int fsfd) {
  char buf[256];
  ssize_t n = read(fsfd, buf, sizeof(buf) - 1);
  if (n > 2) {
    buf[n] = '\0';
    if (buf[n - 1] == '\n') buf[n - 1] = '\0';
    cs_detail(c, buf + 2, NULL, NULL); /* skip the "e " severity prefix */
  }
}

static const char *const sb_flag_names[] = {"sync", "dirsync", "lazytime", "mand"};

/* Make a detached mount of a new filesystem instance. */
static int fs_mount(struct cs_child *c, const char *fstype, const char *source, uint64_t sb_flags,
                    struct cs_rd *data, uint64_t ndata, uint64_t attrs) {
  int fsfd = cs_fsopen(fstype, FSOPEN_CLOEXEC);
  if (fsfd < 0) return cs_fail(c, "fsopen");
  if (source[0] && cs_fsconfig(fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0) {
    fs_log_detail(c, fsfd);
    cs_fail(c, "fsconfig source");
    return close_keep_errno(fsfd);
  }
  for (unsigned i = 0; i < 4; i++) {
    if (!(sb_flags & (1u << i))) continue;
    if (cs_fsconfig(fsfd, FSCONFIG_SET_FLAG, sb_flag_names[i], NULL, 0) < 0) {
      fs_log_detail(c, fsfd);
      cs_fail(c, "fsconfig flag");
      return close_keep_errno(fsfd);
    }
  }
  for (uint64_t i = 0; i < ndata; i++) {
    const char *opt;
    uint32_t len;
    if (cs_rd_str(data, &opt, &len) < 0) {
      cs_fail(c, "plan");
      return close_keep_errno(fsfd);
    }
    /* "key=value" sets a string; a bare word sets a flag. */
    char key[256];
    const char *eq = memchr(opt, '=', len);
    size_t klen = eq ? (size_t)(eq - opt) : len;
    if (klen == 0 || klen >= sizeof(key)) {
      cs_detail(c, "bad mount option: ", opt, NULL);
      cs_fail_errno(c, "mount option", EINVAL);
      return close_keep_errno(fsfd);
    }
    memcpy(key, opt, klen);
    key[klen] = '\0';
    int rc = eq ? cs_fsconfig(fsfd, FSCONFIG_SET_STRING, key, eq + 1, 0)
                : cs_fsconfig(fsfd, FSCONFIG_SET_FLAG, key, NULL, 0);
    if (rc < 0) {
      fs_log_detail(c, fsfd);
      if (!c->detail[0]) cs_detail(c, "option ", opt, NULL);
      cs_fail(c, "fsconfig");
      return close_keep_errno(fsfd);
    }
  }
  if (cs_fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
    fs_log_detail(c, fsfd);
    cs_fail(c, "fsconfig create");
    return close_keep_errno(fsfd);
  }
  int mfd = cs_fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned)attrs);
  if (mfd < 0) {
    cs_fail(c, "fsmount");
    return close_keep_errno(fsfd);
  }
  close(fsfd);
  return mfd;
}

static int set_attrs(struct cs_child *c, int mfd, uint64_t set, uint64_t clr, uint64_t prop, int rec) {
  if (!set && !clr && !prop) return 0;
  struct cs_mount_attr a = {.attr_set = set, .attr_clr = clr, .propagation = prop};
  if (cs_mount_setattr(mfd, "", AT_EMPTY_PATH | (rec ? AT_RECURSIVE : 0), &a) < 0)
    return cs_fail(c, prop ? "mount_setattr propagation" : "mount_setattr");
  return 0;
}

static int op_mount(struct cs_child *c, struct cs_rd *r) {
  uint64_t kind, attr_set, attr_clr, rattr_set, rattr_clr, prop, prop_rec, sb_flags, ndata, flags;
  const char *source, *dest, *fstype, *fallback;
  if (cs_rd_u64(r, &kind) < 0 || cs_rd_str(r, &source, NULL) < 0 || cs_rd_str(r, &dest, NULL) < 0 ||
      cs_rd_str(r, &fstype, NULL) < 0 || cs_rd_u64(r, &attr_set) < 0 || cs_rd_u64(r, &attr_clr) < 0 ||
      cs_rd_u64(r, &rattr_set) < 0 || cs_rd_u64(r, &rattr_clr) < 0 || cs_rd_u64(r, &prop) < 0 ||
      cs_rd_u64(r, &prop_rec) < 0 || cs_rd_u64(r, &sb_flags) < 0 || cs_rd_u64(r, &ndata) < 0)
    return cs_fail(c, "plan");
  /* The data strings sit here; read past them now so the trailing fields are reachable. */
  struct cs_rd data = *r;
  for (uint64_t i = 0; i < ndata; i++) {
    const char *skip;
    if (cs_rd_str(r, &skip, NULL) < 0) return cs_fail(c, "plan");
  }
  if (cs_rd_u64(r, &flags) < 0 || cs_rd_str(r, &fallback, NULL) < 0 || cs_rd_done(r) < 0) return cs_fail(c, "plan");

  /* remount: change the flags of what is already mounted there. */
  if (flags & CS_MF_REMOUNT) {
    int target = cs_open_in_root(c, dest, O_PATH);
    if (target < 0) return -1;
    int rc = set_attrs(c, target, attr_set, attr_clr, 0, 0);
    if (rc == 0) rc = set_attrs(c, target, rattr_set, rattr_clr, 0, 1);
    if (rc == 0) rc = set_attrs(c, target, 0, 0, prop, (int)prop_rec);
    close_keep_errno(target);
    return rc;
  }

  int target;
  if (flags & CS_MF_NO_CREATE)
    target = cs_open_in_root(c, dest, O_PATH);
  else if (flags & CS_MF_DEST_FILE)
    target = cs_create_file_in_root(c, dest);
  else
    target = cs_mkdir_all_in_root(c, dest);
  if (target < 0) return -1;

  int mfd = -1;
  int is_bind = kind == CS_MOUNT_BIND;
  if (kind == CS_MOUNT_FS) {
    /* A new mount has nothing below it: recursive and plain attributes are the same thing. */
    uint64_t attrs = attr_set | rattr_set;
    if (rattr_clr & MOUNT_ATTR__ATIME) attrs = (attrs & ~(uint64_t)MOUNT_ATTR__ATIME) | (rattr_set & MOUNT_ATTR__ATIME);
    mfd = fs_mount(c, fstype, source, sb_flags, &data, ndata, attrs);
    /*
     * Some filesystems cannot be made from inside a user namespace (sysfs when the network
     * namespace belongs to the host): like runc, fall back to a recursive bind of the host's.
     */
    if (mfd < 0 && errno == EPERM && (flags & CS_MF_BIND_FALLBACK)) {
      c->fail_call = NULL;
      c->detail[0] = '\0';
      mfd = cs_open_tree(AT_FDCWD, fallback, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
      if (mfd < 0) cs_fail(c, "open_tree fallback");
      is_bind = 1;
    }
  } else if (kind == CS_MOUNT_BIND) {
    unsigned tflags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | ((flags & CS_MF_RECURSIVE_BIND) ? AT_RECURSIVE : 0);
    mfd = cs_open_tree(AT_FDCWD, source, tflags);
    if (mfd < 0) cs_fail(c, "open_tree");
  } else {
    cs_fail_errno(c, "plan: mount kind", EINVAL);
  }
  if (mfd < 0) return close_keep_errno(target);

  /* A bind keeps the source's flags; only the bits asked for are set or cleared. */
  if (is_bind && (set_attrs(c, mfd, attr_set, attr_clr, 0, 0) < 0 || set_attrs(c, mfd, rattr_set, rattr_clr, 0, 1) < 0))
    goto fail;
  /* tmpcopyup: fill the detached tmpfs from the directory it is about to cover. */
  if ((flags & CS_MF_TMPCOPYUP) && cs_copy_up(c, target, mfd) < 0) goto fail;
  if (cs_move_mount(mfd, "", target, "", EMPTY_BOTH) < 0) {
    cs_fail(c, "move_mount");
    goto fail;
  }
  /* Propagation is a property of an attached mount, so it comes after move_mount. */
  if (set_attrs(c, mfd, 0, 0, prop, (int)prop_rec) < 0) goto fail;
  close(mfd);
  close(target);
  return 0;
fail:
  close_keep_errno(mfd);
  return close_keep_errno(target);
}

static int op_propagation(struct cs_child *c, struct cs_rd *r) {
  const char *path;
  uint64_t flags;
  if (cs_rd_str(r, &path, NULL) < 0 || cs_rd_u64(r, &flags) < 0 || cs_rd_done(r) < 0) return cs_fail(c, "plan");
  if (mount(NULL, path, NULL, (unsigned long)flags, NULL) < 0) return cs_fail(c, "mount");
  return 0;
}

/*
 * /dev/null for masking, opened in the container's mount namespace (open_tree only clones mounts
 * of our own namespace) and checked to really be char 1:3 before it is bound over anything.
 */
static int open_devnull(struct cs_child *c) {
  struct stat st;
  c->devnull_fd = open("/dev/null", O_PATH | O_CLOEXEC);
  if (c->devnull_fd < 0) return cs_fail(c, "open /dev/null");
  if (fstat(c->devnull_fd, &st) < 0) return cs_fail(c, "fstat /dev/null");
  if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3)
    return cs_fail_errno(c, "verify /dev/null is char 1:3", EXDEV);
  return 0;
}

/* pivot_root needs the rootfs to be a mount: bind it onto itself and keep its fd as the root. */
static int op_rootfs_bind(struct cs_child *c, struct cs_rd *r) {
  const char *path;
  if (cs_rd_str(r, &path, NULL) < 0 || cs_rd_done(r) < 0) return cs_fail(c, "plan");
  if (open_devnull(c) < 0) return -1;
  int tfd = cs_open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  if (tfd < 0) return cs_fail(c, "open_tree");
  if (cs_move_mount(tfd, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
    cs_fail(c, "move_mount");
    return close_keep_errno(tfd);
  }
  /* After move_mount the fd names the root of the attached bind: that is our root from now on. */
  c->root_fd = tfd;
  return 0;
}

static int same_node(const struct stat *st, mode_t mode, dev_t dev) {
  return (st->st_mode & S_IFMT) == (mode & S_IFMT) && (S_ISFIFO(mode) || st->st_rdev == dev);
}

static int op_mknod(struct cs_child *c, struct cs_rd *r) {
  const char *path, *base;
  uint64_t mode, maj, min, uid, gid;
  if (cs_rd_str(r, &path, NULL) < 0 || cs_rd_u64(r, &mode) < 0 || cs_rd_u64(r, &maj) < 0 ||
      cs_rd_u64(r, &min) < 0 || cs_rd_u64(r, &uid) < 0 || cs_rd_u64(r, &gid) < 0 || cs_rd_done(r) < 0)
    return cs_fail(c, "plan");
  dev_t dev = makedev((unsigned)maj, (unsigned)min);
  int dir = cs_open_parent_in_root(c, path, &base);
  if (dir < 0) return -1;
  /* Under umask 0 the node gets the plan's mode as made, and usually needs no chmod below. */
  mode_t old_mask = umask(0);
  int made = mknodat(dir, base, (mode_t)mode, dev);
  int mknod_errno = errno;
  umask(old_mask);
  if (made < 0 && mknod_errno != EEXIST) {
    errno = mknod_errno;
    cs_fail(c, "mknod");
    return close_keep_errno(dir);
  }
  int fd = openat(dir, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    cs_fail(c, "open node");
    return close_keep_errno(dir);
  }
  close(dir);
  struct stat st;
  if (fstat(fd, &st) < 0) {
    cs_fail(c, "fstat node");
    return close_keep_errno(fd);
  }
  /* Spec: a different file already at the path is an error, the same node is fine. */
  if (!same_node(&st, (mode_t)mode, dev)) {
    cs_detail(c, "a different file exists at ", path, NULL);
    cs_fail_errno(c, "mknod", EEXIST);
    return close_keep_errno(fd);
  }
  /* The usual node is already right (made under umask 0, by root): no chmod, no chown. A node
   * that was there, or an owner other than root, gets them; chmod through /proc/self/fd/N, as
   * fchmod refuses O_PATH fds and a path could be swapped. */
  char link[64];
  char num[24];
  cs_utoa(num, sizeof(num), (uint64_t)fd);
  cs_join(link, sizeof(link), "self/fd/", num, NULL);
  if ((st.st_mode & 07777) != (mode & 07777) && fchmodat(c->proc_fd, link, (mode_t)(mode & 07777), 0) < 0) {
    cs_fail(c, "chmod node");
    return close_keep_errno(fd);
  }
  if ((st.st_uid != (uid_t)uid || st.st_gid != (gid_t)gid) && fchownat(fd, "", (uid_t)uid, (gid_t)gid, AT_EMPTY_PATH) < 0) {
    cs_fail(c, "chown node");
    return close_keep_errno(fd);
  }
  close(fd);
  return 0;
}

/* In a user namespace mknod is refused: bind the host's node over an empty file instead. */
static int op_bind_dev(struct cs_child *c, struct cs_rd *r) {
  const char *host, *path;
  if (cs_rd_str(r, &host, NULL) < 0 || cs_rd_str(r, &path, NULL) < 0 || cs_rd_done(r) < 0) return cs_fail(c, "plan");
  int target = cs_create_file_in_root(c, path);
  if (target < 0) return -1;
  int tfd = cs_open_tree(AT_FDCWD, host, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (tfd < 0) {
    cs_fail(c, "open_tree");
    return close_keep_errno(target);
  }
  int rc = cs_move_mount(tfd, "", target, "", EMPTY_BOTH);
  if (rc < 0) cs_fail(c, "move_mount");
  close_keep_errno(tfd);
  close_keep_errno(target);
  return rc < 0 ? -1 : 0;
}

static int op_symlink(struct cs_child *c, struct cs_rd *r) {
  const char *target, *path, *base;
  if (cs_rd_str(r, &target, NULL) < 0 || cs_rd_str(r, &path, NULL) < 0 || cs_rd_done(r) < 0) return cs_fail(c, "plan");
  int dir = cs_open_parent_in_root(c, path, &base);
  if (dir < 0) return -1;
  int rc = symlinkat(target, dir, base);
  if (rc < 0 && errno == EEXIST) rc = 0; /* as runc: an existing entry is left alone */
  if (rc < 0) cs_fail(c, "symlink");
  close_keep_errno(dir);
  return rc;
}

static int op_sysctl(struct cs_child *c, struct cs_rd *r) {
  const char *rel, *value;
  uint32_t vlen;
  if (cs_rd_str(r, &rel, NULL) < 0 || cs_rd_str(r, &value, &vlen) < 0 || cs_rd_done(r) < 0) return cs_fail(c, "plan");
  int sys = openat(c->proc_fd, "sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (sys < 0) return cs_fail(c, "open /proc/sys");
  /* Beneath /proc/sys, no symlinks, no other mounts: the key cannot walk anywhere else. */
  int fd = cs_openat2(sys, rel, O_WRONLY | O_CLOEXEC, 0,
                      RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV);
  close(sys);
  if (fd < 0) return cs_fail(c, "open");
  ssize_t n = write(fd, value, vlen);
  int err = errno;
  close(fd);
  if (n < 0) return cs_fail_errno(c, "write", err);
  return 0;
}

/*
 * pivot_root(".", ".") stacks the old root on top of the new one; unmounting it lazily (after
 * making it a slave so the unmount does not propagate to the host) leaves only the new root.
 */
static int op_pivot_root(struct cs_child *c, struct cs_rd *r) {
  if (cs_rd_done(r) < 0) return cs_fail(c, "plan");
  int oldroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (oldroot < 0) return cs_fail(c, "open /");
  if (fchdir(c->root_fd) < 0) {
    cs_fail(c, "fchdir rootfs");
    return close_keep_errno(oldroot);
  }
  if (syscall(SYS_pivot_root, ".", ".") < 0) {
    cs_fail(c, "pivot_root");
    return close_keep_errno(oldroot);
  }
  if (fchdir(oldroot) < 0) {
    cs_fail(c, "fchdir old root");
    return close_keep_errno(oldroot);
  }
  close(oldroot);
  if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0) return cs_fail(c, "make old root slave");
  if (umount2(".", MNT_DETACH) < 0) return cs_fail(c, "unmount old root");
  if (chdir("/") < 0) return cs_fail(c, "chdir /");
  return 0;
}

/* --no-pivot: move the rootfs mount onto / and chroot into it (weaker: the old root stays below). */
static int op_chroot(struct cs_child *c, struct cs_rd *r) {
  if (cs_rd_done(r) < 0) return cs_fail(c, "plan");
  if (fchdir(c->root_fd) < 0) return cs_fail(c, "fchdir rootfs");
  if (cs_move_mount(c->root_fd, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0) return cs_fail(c, "move rootfs to /");
  if (chroot(".") < 0) return cs_fail(c, "chroot");
  if (chdir("/") < 0) return cs_fail(c, "chdir /");
  return 0;
}

/*
 * maskedPaths: a file gets the host's /dev/null (verified as char 1:3 at start-up), a directory
 * a read-only empty tmpfs. A missing path is skipped, as runc does.
 */
static int op_mask(struct cs_child *c, struct cs_rd *r) {
  const char *path;
  if (cs_rd_str(r, &path, NULL) < 0 || cs_rd_done(r) < 0) return cs_fail(c, "plan");
  int target = cs_openat2(c->root_fd, path, O_PATH | O_CLOEXEC, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
  if (target < 0) return errno == ENOENT ? 0 : cs_fail(c, "openat2");
  struct stat st;
  if (fstat(target, &st) < 0) {
    cs_fail(c, "fstat");
    return close_keep_errno(target);
  }
  int mfd;
  if (S_ISDIR(st.st_mode)) {
    struct cs_rd none = {0};
    mfd = fs_mount(c, "tmpfs", "tmpfs", 0, &none, 0, MOUNT_ATTR_RDONLY);
  } else {
    mfd = cs_open_tree(c->devnull_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
    if (mfd < 0) cs_fail(c, "open_tree /dev/null");
  }
  if (mfd < 0) return close_keep_errno(target);
  int rc = cs_move_mount(mfd, "", target, "", EMPTY_BOTH);
  if (rc < 0) cs_fail(c, "move_mount");
  close_keep_errno(mfd);
  close_keep_errno(target);
  return rc;
}

/* readonlyPaths: bind the path onto itself and make the whole bind read-only. */
static int op_readonly(struct cs_child *c, struct cs_rd *r) {
  const char *path;
  if (cs_rd_str(r, &path, NULL) < 0 || cs_rd_done(r) < 0) return cs_fail(c, "plan");
  int target = cs_openat2(c->root_fd, path, O_PATH | O_CLOEXEC, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
  if (target < 0) return errno == ENOENT ? 0 : cs_fail(c, "openat2");
  int mfd = cs_open_tree(target, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
  if (mfd < 0) {
    cs_fail(c, "open_tree");
    return close_keep_errno(target);
  }
  int rc = set_attrs(c, mfd, MOUNT_ATTR_RDONLY, 0, 0, 1);
  if (rc == 0 && cs_move_mount(mfd, "", target, "", EMPTY_BOTH) < 0) rc = cs_fail(c, "move_mount");
  close_keep_errno(mfd);
  close_keep_errno(target);
  return rc;
}

static int op_mkdir(struct cs_child *c, struct cs_rd *r) {
  const char *path;
  if (cs_rd_str(r, &path, NULL) < 0 || cs_rd_done(r) < 0) return cs_fail(c, "plan");
  int fd = cs_mkdir_all_in_root(c, path);
  if (fd < 0) return -1;
  close(fd);
  return 0;
}

static int op_root_readonly(struct cs_child *c, struct cs_rd *r) {
  if (cs_rd_done(r) < 0) return cs_fail(c, "plan");
  /* Only the root mount itself: mounts below keep their own flags, as in runc. */
  return set_attrs(c, c->root_fd, MOUNT_ATTR_RDONLY, 0, 0, 0);
}

int cs_ops_mount(struct cs_child *c, uint16_t code, struct cs_rd *r) {
  switch (code) {
    case CS_OP_MOUNT_PROPAGATION: return op_propagation(c, r);
    case CS_OP_ROOTFS_BIND: return op_rootfs_bind(c, r);
    case CS_OP_MOUNT: return op_mount(c, r);
    case CS_OP_MKNOD: return op_mknod(c, r);
    case CS_OP_BIND_DEV: return op_bind_dev(c, r);
    case CS_OP_SYMLINK: return op_symlink(c, r);
    case CS_OP_SYSCTL: return op_sysctl(c, r);
    case CS_OP_PIVOT_ROOT: return op_pivot_root(c, r);
    case CS_OP_CHROOT: return op_chroot(c, r);
    case CS_OP_MASK: return op_mask(c, r);
    case CS_OP_READONLY: return op_readonly(c, r);
    case CS_OP_ROOT_READONLY: return op_root_readonly(c, r);
    case CS_OP_MKDIR: return op_mkdir(c, r);
    default: return CS_NOT_MINE;
  }
}

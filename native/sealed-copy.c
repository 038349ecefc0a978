/*
 * Sealed copies of caisson's own binaries, made once per Node process: a memfd holding the
 * binary, sealed against any change (write, shrink, grow, further seals), so a container that
 * opens /proc/PID/exe of a process running one gets something it can neither change nor use.
 * Two are made: caisson-exec (native/exec-trampoline.c), which a child cloned from Node execs
 * a container's program through, and caisson-spawner, whose clones are every other container
 * init and exec process (native/spawner.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sealed-copy.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

int cs_sealed_copy(const char *path, const char *name) {
  int src = open(path, O_RDONLY | O_CLOEXEC);
  if (src < 0) return -errno;
  struct stat st;
  if (fstat(src, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size > (1 << 20)) {
    int err = errno ? errno : EINVAL;
    close(src);
    return -err;
  }
  /* MFD_EXEC says out loud that this memfd is to be executed (kernels with vm.memfd_noexec);
   * older kernels do not know the flag. */
  int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (fd < 0 && errno == EINVAL) fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) {
    int err = errno;
    close(src);
    return -err;
  }
  char buf[16384];
  off_t left = st.st_size;
  while (left > 0) {
    ssize_t n = read(src, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) goto fail;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(fd, buf + off, (size_t)(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) goto fail;
      off += w;
    }
    left -= n;
  }
  close(src);
  src = -1;
  if (fchmod(fd, 0555) < 0) goto fail;
  /* Sealing exec bits too where the kernel has F_SEAL_EXEC; without it the rest still holds. */
  if (fcntl(fd, F_ADD_SEALS, F_SEAL_EXEC) < 0 && errno != EINVAL) goto fail;
  if (fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) goto fail;
  return fd;
fail : {
  int err = errno ? errno : EIO;
  if (src >= 0) close(src);
  close(fd);
  return -err;
}
}

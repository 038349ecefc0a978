/*
 * Plain mount(2)/umount2(2) in the caller's mount namespace, for the shim: containerd hands it
 * the snapshot's mounts (overlay, bind) to put on <bundle>/rootfs before the container is
 * created, and it takes them off at delete. Option strings are turned into flags and data in
 * TypeScript (lib/shim/rootfs.ts), as mount(8) would.
 */
#include <errno.h>
#include <sys/mount.h>

#include "shim.h"

int cs_host_mount(const char *source, const char *target, const char *type, unsigned long flags, const char *data) {
  int rc;
  do rc = mount(source, target, type, flags, data);
  while (rc < 0 && errno == EINTR);
  return rc;
}

int cs_host_unmount(const char *target, int flags) {
  int rc;
  do rc = umount2(target, flags);
  while (rc < 0 && errno == EINTR);
  return rc;
}

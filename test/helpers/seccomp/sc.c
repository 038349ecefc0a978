/*
 * sc: make raw syscalls and print what they returned, for the seccomp tests inside a container.
 *
 *   sc NR[:A0[:A1...]] ...
 *
 * NR and the arguments are numbers (decimal or 0x hex, up to 64 bits). One line per call:
 * "RET ERRNO" (ERRNO 0 on success). Static, so it runs in the busybox rootfs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    unsigned long long v[7] = {0};
    int n = 0;
    char *s = argv[i];
    while (n < 7) {
      char *end;
      v[n++] = strtoull(s, &end, 0);
      if (*end != ':') break;
      s = end + 1;
    }
    errno = 0;
    long r = syscall((long)v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
    printf("%ld %d\n", r, r < 0 ? errno : 0);
    fflush(stdout);
  }
  return 0;
}

/*
 * The addon's side of caisson-spawner (native/spawn-proto.h): start it once, then hand it
 * clones. Every failure of the spawner path is soft: the caller clones the child itself.
 */
#ifndef CAISSON_SPAWN_CLIENT_H
#define CAISSON_SPAWN_CLIENT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Start the spawner at `path` (idempotent). 0, or -errno. */
int cs_spawner_start(const char *path);
/* Whether a spawner is up (it may still turn out dead at the next request). */
int cs_spawner_running(void);
/*
 * Clone through the spawner. `place` lists the fds the child must hold at the same numbers
 * (stdio, preserved fds, the plan's). Returns the child's pid and stores its pidfd; -1 when
 * the spawner did not clone (the caller then clones itself); -2 when it is unknown whether a
 * child was started on `sync_fd` (the spawner died mid-request: the spawn must fail).
 */
long cs_spawner_clone(const uint8_t *plan, uint32_t len, int sync_fd, int cgroup_fd, int trampoline_fd, uint64_t ns_flags, int min_fd,
                      const int *place, unsigned nplace, int *pidfd_out);

#ifdef __cplusplus
}
#endif

#endif

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
                      const int *place, unsigned nplace, int umask, int *pidfd_out);
/*
 * Clone ahead (spawn-proto.h): ask for a child on `sync_fd` (its end) before the plan exists.
 * 0 with *seq_out set when the request went out (collect the reply with
 * cs_spawner_ahead_result, always), -1 when it did not (the caller clones itself later).
 */
long cs_spawner_ahead(int sync_fd, int cgroup_fd, uint64_t ns_flags, int min_fd, uint32_t *seq_out);
/* The reply to a clone ahead, as cs_spawner_clone returns it (waits for it), and the clone's
 * start time in clock ticks (0 when the spawner could not read it). */
long cs_spawner_ahead_result(uint32_t seq, int *pidfd_out, uint64_t *start_ticks_out);
/*
 * The same without waiting: CS_AHEAD_PENDING while the reply has not come. Wait for it by
 * polling cs_spawner_fd() for input (a copy of it: the number may be closed meanwhile), which
 * also wakes when the spawner is dropped, and the caller's waker (below); then ask again.
 */
#define CS_AHEAD_PENDING (-3)
long cs_spawner_ahead_poll(uint32_t seq, int *pidfd_out, uint64_t *start_ticks_out);
/* The control socket of the running spawner, or -1. */
int cs_spawner_fd(void);
/*
 * An eventfd to signal whenever a reply was read and put aside for another request than the
 * one asked about. The socket has then shown its input to the wrong caller: whoever polls it
 * for the reply put aside must ask again. Removed before it is closed.
 */
void cs_spawner_add_waker(int fd);
void cs_spawner_remove_waker(int fd);
/*
 * Hand a child cloned ahead the rest of its request, on our end of its sync socket: the plan,
 * its own end again, cwd, umask and the fds to place. 0, or -errno.
 *
 * `umask` (both calls): the child's umask, or -1 for ours (read from /proc/self/status).
 */
int cs_spawner_send_plan(int our_sync, int child_sync, const uint8_t *plan, uint32_t len, int trampoline_fd, uint64_t ns_flags, int min_fd,
                         const int *place, unsigned nplace, int umask);

#ifdef __cplusplus
}
#endif

#endif

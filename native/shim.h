#ifndef CAISSON_SHIM_H
#define CAISSON_SHIM_H
/*
 * Host-side helpers for containerd-shim-caisson-v2 (lib/shim). None of these run in a container
 * child; they are plain calls made from the Node thread.
 */
#include <sys/types.h>

/* prctl(PR_SET_CHILD_SUBREAPER, 1): orphans below us are re-parented to us. 0 or -1 + errno. */
int cs_set_child_subreaper(void);

/*
 * Collect the exit of one zombie child without blocking: waitid(P_PID, pid, WEXITED|WNOHANG).
 * Returns 1 with *exited (1: exit code, 0: killed) and *status set when it was collected, 0 when
 * it has not exited yet, -1 + errno (ECHILD: not our child, or already collected by someone).
 */
int cs_reap_child(pid_t pid, int *exited, int *status);

/* mount(2) on the host (the shim's own mount namespace); -1 + errno. */
int cs_host_mount(const char *source, const char *target, const char *type, unsigned long flags, const char *data);

/* umount2(2); -1 + errno. */
int cs_host_unmount(const char *target, int flags);
#endif

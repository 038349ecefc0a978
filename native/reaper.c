/*
 * The shim is a child subreaper: when a container process's parent dies (a daemonising program,
 * a container without its own pid namespace), the orphan is re-parented to the shim, which must
 * collect it or it stays a zombie. Collecting is done one pid at a time (P_PID), never with
 * P_ALL: Node's child_process and the library's pidfd waits own their children and must find
 * their exits still there (lib/shim/reaper.ts decides which pids are orphans).
 */
#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "shim.h"

int cs_set_child_subreaper(void) {
  return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

int cs_reap_child(pid_t pid, int *exited, int *status) {
  siginfo_t si;
  memset(&si, 0, sizeof(si));
  int rc;
  do rc = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG);
  while (rc < 0 && errno == EINTR);
  if (rc < 0) return -1;
  if (si.si_pid == 0) return 0;
  *exited = si.si_code == CLD_EXITED;
  *status = si.si_status;
  return 1;
}

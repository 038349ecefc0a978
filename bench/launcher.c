/*
 * The benchmark's launcher for command-line runtimes (built by bench/lifecycle.mjs with cc).
 *
 * Why not child_process.spawn: libuv forks Node, which copies the page tables of a ~100 MiB
 * process (about 2.4 ms more than posix_spawn from a small process, for /bin/true here), and
 * leaves every page Node writes afterwards to take a copy-on-write fault. Timed from Node, runc
 * and crun would carry that cost, and the library, measured in a Node process, would pay the
 * faults. Containerd's shim and podman start runtimes from small processes; so does this.
 *
 * Protocol, one line in, one line out, strictly in turn:
 *   in:  COUNT<TAB>ARG0<TAB>ARG1...   start COUNT copies at once ("{i}" in an argument becomes
 *                                     the copy's index), wait for all of them
 *   out: STATUS:MS STATUS:MS ...      each copy's wait status and wall time, spawn to exit
 * stdin and stdout of the runtimes are /dev/null; their stderr is ours.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS 64
#define MAX_COPIES 64

extern char **environ;

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* `arg` with every "{i}" replaced by `index`, in `out`. */
static void substitute(const char *arg, int index, char *out, size_t n) {
  size_t j = 0;
  for (const char *p = arg; *p && j + 12 < n;) {
    if (strncmp(p, "{i}", 3) == 0) {
      j += (size_t)snprintf(out + j, n - j, "%d", index);
      p += 3;
    } else {
      out[j++] = *p++;
    }
  }
  out[j] = '\0';
}

int main(void) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  static char line[1 << 16];
  static char storage[MAX_COPIES][MAX_ARGS][512];
  while (fgets(line, sizeof(line), stdin)) {
    line[strcspn(line, "\n")] = '\0';
    char *fields[MAX_ARGS + 1];
    int nf = 0;
    for (char *tok = strtok(line, "\t"); tok && nf <= MAX_ARGS; tok = strtok(NULL, "\t")) fields[nf++] = tok;
    int count = nf ? atoi(fields[0]) : 0;
    if (count < 1 || count > MAX_COPIES || nf < 2 || nf > MAX_ARGS) {
      printf("error: bad request\n");
      fflush(stdout);
      continue;
    }
    pid_t pids[MAX_COPIES];
    double started[MAX_COPIES], took[MAX_COPIES];
    int status[MAX_COPIES];
    for (int c = 0; c < count; c++) {
      status[c] = -1;
      took[c] = 0;
      char *argv[MAX_ARGS + 1];
      for (int a = 1; a < nf; a++) {
        substitute(fields[a], c, storage[c][a - 1], sizeof(storage[c][a - 1]));
        argv[a - 1] = storage[c][a - 1];
      }
      argv[nf - 1] = NULL;
      started[c] = now_ms();
      if (posix_spawn(&pids[c], argv[0], &fa, NULL, argv, environ) != 0) pids[c] = -1;
    }
    for (int left = count; left > 0; left--) {
      int st;
      pid_t p = wait(&st);
      double t = now_ms();
      for (int c = 0; c < count; c++) {
        if (pids[c] == p) {
          status[c] = st;
          took[c] = t - started[c];
        }
      }
      if (p < 0) break;
    }
    for (int c = 0; c < count; c++) {
      if (pids[c] < 0) status[c] = 127 << 8;
      printf("%s%d:%.3f", c ? " " : "", status[c], took[c]);
    }
    printf("\n");
    fflush(stdout);
  }
  return 0;
}

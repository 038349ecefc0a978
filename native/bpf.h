#ifndef CAISSON_BPF_H
#define CAISSON_BPF_H
#include <stdint.h>
/* Load a BPF_PROG_TYPE_CGROUP_DEVICE program; the verifier's log goes to `log`. -1 + errno. */
int cs_bpf_load_device(const void *insns, uint32_t count, char *log, uint32_t log_size);
/* Attach it to a cgroup v2 directory fd, replacing earlier device programs there. */
int cs_bpf_attach_device(int cgroup_fd, int prog_fd);
#endif

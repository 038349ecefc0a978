/*
 * Installs a seccomp filter on itself and makes syscalls under it, so a test can see what the
 * kernel (not our interpreter) does with a program:
 *
 *   load PROG.bpf FLAGS NR[:A0[:A1...]] ...
 *
 * PROG.bpf is a struct sock_filter array, FLAGS the seccomp(2) flags. For each NR... argument
 * (decimal numbers) it prints "RET ERRNO" of syscall(NR, A0, ...). Prints "install ERRNO" and
 * exits 2 if seccomp(2) refuses the program. The filter must allow write and exit_group.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static struct sock_filter insns[4096];
	struct sock_fprog prog;
	FILE *f;
	size_t n;
	unsigned long flags;
	long rc;
	int i;

	if (argc < 3) {
		fprintf(stderr, "usage: %s PROG.bpf FLAGS NR[:ARG...]...\n", argv[0]);
		return 1;
	}
	f = fopen(argv[1], "rb");
	if (!f)
		return 1;
	n = fread(insns, sizeof(insns[0]), 4096, f);
	fclose(f);
	flags = strtoul(argv[2], NULL, 0);
	prog.len = (unsigned short)n;
	prog.filter = insns;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		printf("nnp %d\n", errno);
		return 2;
	}
	rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (rc < 0) {
		printf("install %d\n", errno);
		return 2;
	}
	for (i = 3; i < argc; i++) {
		unsigned long a[7] = { 0 };
		char *p = argv[i];
		int k;
		for (k = 0; k < 7 && p && *p; k++) {
			a[k] = strtoul(p, &p, 0);
			if (*p == ':')
				p++;
		}
		errno = 0;
		rc = syscall((long)a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
		printf("%ld %d\n", rc, rc < 0 ? errno : 0);
	}
	return 0;
}

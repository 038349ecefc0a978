/*
 * Reference seccomp compiler for the differential test: builds a profile the way runc does
 * with libseccomp (seccomp_init with the default action, seccomp_arch_add per listed arch,
 * NNP off, the binary-tree optimiser past 32 rules, one seccomp_rule_add_array per syscall
 * name, rules equal to the default action skipped, an argument tested twice splitting the
 * rule) and writes libseccomp's BPF with seccomp_export_bpf. It also prints, per listed arch,
 * the highest syscall number the profile names there (libseccomp's per-arch lookup), which is
 * what runc's -ENOSYS stub compares with.
 *
 *   ref PROFILE OUT.bpf [OUT.pfc]
 *
 * OUT.pfc, if given, gets seccomp_export_pfc's rendering of libseccomp's rule database, which
 * the test uses to tell a bug in libseccomp's BPF generation from a real difference.
 *
 * PROFILE is line based (written by test/helpers/seccomp/reference.ts):
 *   default ACTION ERRNO|-
 *   arch SCMP_ARCH_X86_64
 *   entry ACTION ERRNO|-
 *   arg INDEX OP VALUE VALUETWO
 *   name SYSCALL
 * "arg" and "name" lines belong to the last "entry".
 *
 * stdout: "add ENTRY NAME" before each rule (line buffered: if libseccomp never returns, the
 * last one says where), "max ARCH N" lines, then "ok"; or "error ENTRY NAME RC" (exit 3) when
 * libseccomp refuses a rule, "error init|arch|export ..." (exit 2) otherwise.
 */

#include <errno.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 16

struct entry {
	char action[256];
	long errno_ret; /* -1: not set */
	int nargs;
	struct { unsigned index; char op[256]; uint64_t value, value_two; } args[MAX_ARGS];
	int nnames;
	char **names;
};

static struct entry *entries;
static int nentries;
static char def_action[256];
static long def_errno = -1;
static char arches[32][256];
static int narches;

static void die(const char *what)
{
	printf("error %s\n", what);
	exit(2);
}

/* runc's getAction: SCMP_ACT_KILL is KILL_THREAD, ERRNO and TRACE default to EPERM. */
static int action_of(const char *name, long errno_ret, uint32_t *out)
{
	uint32_t e = errno_ret < 0 ? EPERM : (uint32_t)errno_ret;
	if (!strcmp(name, "SCMP_ACT_KILL") || !strcmp(name, "SCMP_ACT_KILL_THREAD"))
		*out = SCMP_ACT_KILL_THREAD;
	else if (!strcmp(name, "SCMP_ACT_KILL_PROCESS"))
		*out = SCMP_ACT_KILL_PROCESS;
	else if (!strcmp(name, "SCMP_ACT_TRAP"))
		*out = SCMP_ACT_TRAP;
	else if (!strcmp(name, "SCMP_ACT_ERRNO"))
		*out = SCMP_ACT_ERRNO(e);
	else if (!strcmp(name, "SCMP_ACT_TRACE"))
		*out = SCMP_ACT_TRACE(e);
	else if (!strcmp(name, "SCMP_ACT_ALLOW"))
		*out = SCMP_ACT_ALLOW;
	else if (!strcmp(name, "SCMP_ACT_LOG"))
		*out = SCMP_ACT_LOG;
	else if (!strcmp(name, "SCMP_ACT_NOTIFY"))
		*out = SCMP_ACT_NOTIFY;
	else
		return -1;
	return 0;
}

static int op_of(const char *name, enum scmp_compare *out)
{
	static const struct { const char *n; enum scmp_compare op; } ops[] = {
		{ "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT },
		{ "SCMP_CMP_LE", SCMP_CMP_LE }, { "SCMP_CMP_EQ", SCMP_CMP_EQ },
		{ "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
		{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (!strcmp(ops[i].n, name)) {
			*out = ops[i].op;
			return 0;
		}
	}
	return -1;
}

/* "SCMP_ARCH_X86_64" -> libseccomp's token ("x86_64"). */
static uint32_t arch_token(const char *spec)
{
	char lower[64];
	size_t i;
	const char *p = strncmp(spec, "SCMP_ARCH_", 10) ? spec : spec + 10;
	for (i = 0; p[i] && i < sizeof(lower) - 1; i++)
		lower[i] = (p[i] >= 'A' && p[i] <= 'Z') ? p[i] - 'A' + 'a' : p[i];
	lower[i] = 0;
	return seccomp_arch_resolve_name(lower);
}

static void parse(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	if (!f)
		die("open");
	while (fgets(line, sizeof(line), f)) {
		char a[256], b[256], c[64], d[64];
		struct entry *e = nentries ? &entries[nentries - 1] : NULL;
		line[strcspn(line, "\n")] = 0;
		if (sscanf(line, "default %255s %255s", a, b) == 2) {
			snprintf(def_action, sizeof(def_action), "%s", a);
			def_errno = strcmp(b, "-") ? strtol(b, NULL, 10) : -1;
		} else if (sscanf(line, "arch %255s", a) == 1) {
			if (narches == 32)
				die("too many arches");
			snprintf(arches[narches++], sizeof(arches[0]), "%s", a);
		} else if (sscanf(line, "entry %255s %255s", a, b) == 2) {
			entries = realloc(entries, sizeof(*entries) * (nentries + 1));
			e = &entries[nentries++];
			memset(e, 0, sizeof(*e));
			snprintf(e->action, sizeof(e->action), "%s", a);
			e->errno_ret = strcmp(b, "-") ? strtol(b, NULL, 10) : -1;
		} else if (e && sscanf(line, "arg %255s %255s %63s %63s", a, b, c, d) == 4) {
			if (e->nargs == MAX_ARGS)
				die("too many args");
			e->args[e->nargs].index = (unsigned)strtoul(a, NULL, 10);
			snprintf(e->args[e->nargs].op, sizeof(e->args[0].op), "%s", b);
			e->args[e->nargs].value = strtoull(c, NULL, 10);
			e->args[e->nargs].value_two = strtoull(d, NULL, 10);
			e->nargs++;
		} else if (e && sscanf(line, "name %255s", a) == 1) {
			e->names = realloc(e->names, sizeof(char *) * (e->nnames + 1));
			e->names[e->nnames++] = strdup(a);
		}
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	scmp_filter_ctx ctx;
	uint32_t def, act;
	int total_names = 0, i, j, k, rc;
	FILE *out;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: %s PROFILE OUT.bpf [OUT.pfc]\n", argv[0]);
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	parse(argv[1]);
	if (action_of(def_action, def_errno, &def) < 0)
		die("default action");
	ctx = seccomp_init(def);
	if (!ctx)
		die("init");
	for (i = 0; i < narches; i++) {
		uint32_t tok = arch_token(arches[i]);
		if (!tok)
			die("arch unknown");
		rc = seccomp_arch_add(ctx, tok);
		if (rc < 0 && rc != -EEXIST)
			die("arch add");
	}
	for (i = 0; i < nentries; i++)
		total_names += entries[i].nnames;
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0) < 0)
		die("nnp");
	if (total_names > 32 && seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0)
		die("optimize");

	for (i = 0; i < nentries; i++) {
		struct entry *e = &entries[i];
		struct scmp_arg_cmp cmp[MAX_ARGS];
		unsigned count[6] = { 0 };
		int repeated = 0;
		if (action_of(e->action, e->errno_ret, &act) < 0)
			die("action");
		if (act == def)
			continue;
		for (k = 0; k < e->nargs; k++) {
			enum scmp_compare op;
			if (op_of(e->args[k].op, &op) < 0 || e->args[k].index > 5)
				die("arg");
			cmp[k].arg = e->args[k].index;
			cmp[k].op = op;
			cmp[k].datum_a = e->args[k].value;
			cmp[k].datum_b = e->args[k].value_two;
			if (++count[e->args[k].index] > 1)
				repeated = 1;
		}
		for (j = 0; j < e->nnames; j++) {
			int nr = seccomp_syscall_resolve_name(e->names[j]);
			if (nr == __NR_SCMP_ERROR)
				continue; /* runc: unknown to this libseccomp, ignored */
			printf("add %d %s\n", i, e->names[j]);
			if (repeated) {
				for (k = 0; k < e->nargs; k++) {
					rc = seccomp_rule_add_array(ctx, act, nr, 1, &cmp[k]);
					if (rc < 0)
						goto refused;
				}
			} else {
				rc = seccomp_rule_add_array(ctx, act, nr, e->nargs, cmp);
				if (rc < 0)
					goto refused;
			}
			continue;
refused:
			printf("error %d %s %d\n", i, e->names[j], rc);
			return 3;
		}
	}

	/* runc's findLastSyscalls: per listed arch, the largest positive number any name has. */
	for (i = 0; i < narches; i++) {
		int max = 0;
		for (j = 0; j < nentries; j++) {
			for (k = 0; k < entries[j].nnames; k++) {
				int nr = seccomp_syscall_resolve_name_arch(arch_token(arches[i]), entries[j].names[k]);
				if (nr > max)
					max = nr;
			}
		}
		printf("max %s %d\n", arches[i], max);
	}

	out = fopen(argv[2], "w");
	if (!out)
		die("open output");
	if (seccomp_export_bpf(ctx, fileno(out)) < 0)
		die("export");
	fclose(out);
	if (argc == 4) {
		out = fopen(argv[3], "w");
		if (!out)
			die("open pfc output");
		if (seccomp_export_pfc(ctx, fileno(out)) < 0)
			die("export pfc");
		fclose(out);
	}
	seccomp_release(ctx);
	printf("ok\n");
	return 0;
}

/*
 * caisson-exec: the last step before a container process runs (CVE-2019-5736).
 *
 * The native child is a clone of Node, so until it execs, /proc/PID/exe is the host's Node
 * binary. If the program it executes is a script whose interpreter is "/proc/self/exe", the
 * kernel would run that host binary inside the container, where it can open its own executable
 * and later write to it: a container that rewrites the host's Node. So the child does not exec
 * the container's program itself: it execs this tiny static program from a sealed memfd
 * (native/sealed-copy.c), and this does the real execve. While it runs, /proc/self/exe
 * is that memfd: read-only, sealed, and nothing but this code.
 *
 * It is freestanding (no libc: no dynamic loader to find in the container, nothing to
 * initialise) and does nothing but check its arguments, mark the error channel close-on-exec,
 * execve, and report a failure the way the child would (struct cs_msg_error, native/plan.h).
 *
 * argv: "caisson-exec" ERRFD OPINDEX PATH ARGV0 ARGV1 ...   (ERRFD -1: nowhere to report)
 *
 * Anything else (for example being run as a "#!/proc/self/exe" interpreter, which gives it
 * argv[0] "/proc/self/exe") says so on stderr and exits 127 without doing anything.
 */
#include <stddef.h>
#include <stdint.h>

#include "plan.h"

#define T_MAGIC "caisson-exec"
#define T_EBADF 9
#define T_ENOENT 2
#define T_EACCES 13
#define T_EINTR 4
#define T_F_SETFD 2
#define T_FD_CLOEXEC 1

#if defined(__x86_64__)
#define NR_write 1
#define NR_fcntl 72
#define NR_execve 59
#define NR_exit_group 231
static long sys3(long n, long a, long b, long c) {
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return ret;
}
/* The kernel starts us with the stack pointer at argc; pass it to t_main and never return. */
__asm__(
    ".text\n"
    ".global _start\n"
    "_start:\n"
    "  xor %rbp, %rbp\n"
    "  mov %rsp, %rdi\n"
    "  and $-16, %rsp\n"
    "  call t_main\n"
    "  hlt\n");
#elif defined(__aarch64__)
#define NR_write 64
#define NR_fcntl 25
#define NR_execve 221
#define NR_exit_group 94
static long sys3(long n, long a, long b, long c) {
  register long x8 __asm__("x8") = n;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
  return x0;
}
__asm__(
    ".text\n"
    ".global _start\n"
    "_start:\n"
    "  mov x29, #0\n"
    "  mov x0, sp\n"
    "  bl t_main\n"
    "  brk #0\n");
#else
#error "caisson-exec: add this architecture's syscall numbers and entry point"
#endif

static __attribute__((noreturn)) void t_exit(int code) {
  for (;;) sys3(NR_exit_group, code, 0, 0);
}

static int t_streq(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}

/* A decimal int, or -1 alone; 0 on success. */
static int t_parse_int(const char *s, long *out) {
  int neg = 0;
  long v = 0;
  if (*s == '-') neg = 1, s++;
  if (!*s) return -1;
  for (; *s; s++) {
    if (*s < '0' || *s > '9' || v > 100000000) return -1;
    v = v * 10 + (*s - '0');
  }
  if (neg && v != 1) return -1;
  *out = neg ? -v : v;
  return 0;
}

static void t_report(int fd, int err, uint32_t op_index) {
  struct {
    struct cs_msg h;
    struct cs_msg_error e;
  } m;
  uint8_t *p = (uint8_t *)&m;
  for (size_t i = 0; i < sizeof(m); i++) p[i] = 0;
  m.h.type = CS_MSG_ERROR;
  m.h.len = sizeof(m.e);
  m.e.err = err;
  m.e.op_index = op_index;
  const char *call = "execve";
  for (size_t i = 0; call[i]; i++) m.e.syscall[i] = call[i];
  size_t off = 0;
  while (off < sizeof(m)) {
    long n = sys3(NR_write, fd, (long)(p + off), (long)(sizeof(m) - off));
    if (n == -T_EINTR) continue;
    if (n <= 0) return;
    off += (size_t)n;
  }
}

__attribute__((used, noreturn)) void t_main(long *sp) {
  long argc = sp[0];
  char **argv = (char **)(sp + 1);
  char **envp = argv + argc + 1;
  long errfd, op;
  if (argc < 5 || !t_streq(argv[0], T_MAGIC) || t_parse_int(argv[1], &errfd) < 0 || t_parse_int(argv[2], &op) < 0 || op < 0) {
    static const char msg[] = "caisson-exec: not a program to run (a container's \"#!/proc/self/exe\"?)\n";
    sys3(NR_write, 2, (long)msg, sizeof(msg) - 1);
    t_exit(127);
  }
  /* The channel must not reach the program: close-on-exec, so the parent sees EOF on success. */
  if (errfd >= 0 && sys3(NR_fcntl, errfd, T_F_SETFD, T_FD_CLOEXEC) < 0) t_exit(1);
  long ret = sys3(NR_execve, (long)argv[3], (long)(argv + 4), (long)envp);
  int err = (int)-ret;
  if (errfd >= 0) t_report((int)errfd, err, (uint32_t)op);
  t_exit(err == T_ENOENT || err == T_EACCES ? 127 : 1);
}

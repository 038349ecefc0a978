#!/usr/bin/env node
// Generates lib/seccomp/syscalls.generated.ts: syscall name → number for every architecture the
// seccomp compiler supports. The generated file is committed, so building caisson needs no
// kernel headers; rerun this script (node scripts/gen-syscalls.mjs) after a kernel-headers
// update and commit the result.
//
// Sources:
//   x86_64, x86, x32  the host's uapi headers (linux-libc-dev): asm/unistd_64.h, unistd_32.h,
//                     unistd_x32.h.
//   aarch64           arm64's asm/unistd.h is a few #defines over the generic table, so the
//                     generic table (asm-generic/unistd.h) is evaluated here with the switches
//                     arm64 sets (64-bit longs, AARCH64_WANTS).
//   arm               no headers for it on an x86 host: the table is embedded below (ARM_TABLE).
//   NEWER_SYSCALLS    syscalls newer than the headers that the reference libseccomp knows.
//   FOREIGN_SYSCALLS  names of syscalls that only exist on architectures without a table here.
//
// x32 numbers are stored as the kernel sees them, with __X32_SYSCALL_BIT (0x40000000) set;
// libseccomp resolves x32 names the same way (its x32 resolver ORs the bit in). The output is
// sorted and has no timestamps: the same inputs give the same bytes.
//
//   node scripts/gen-syscalls.mjs [--include DIR] [--out FILE] [--check]
//     --check  exit 1 if the committed file differs from what the headers give (for CI)

import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const include = opt('--include', '/usr/include');
const out = opt('--out', join(root, 'lib/seccomp/syscalls.generated.ts'));
const X32_SYSCALL_BIT = 0x40000000;

/** The first of `candidates` (relative to the include dir) that exists. */
function header(...candidates) {
  for (const c of candidates) {
    const p = join(include, c);
    if (existsSync(p)) return p;
  }
  throw new Error(`none of ${candidates.join(', ')} under ${include}: install linux-libc-dev`);
}

/** `#define __NR_name N` and `#define __NR_name (__X32_SYSCALL_BIT + N)` lines of a flat table. */
function flatTable(file) {
  const table = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^#define __NR_(\w+)\s+(?:(\d+)|\(__X32_SYSCALL_BIT \+ (\d+)\))\s*$/.exec(line);
    if (!m) continue;
    table.set(m[1], m[2] !== undefined ? Number(m[2]) : (X32_SYSCALL_BIT | Number(m[3])) >>> 0);
  }
  if (table.size < 300) throw new Error(`${file}: only ${table.size} syscalls found, not a syscall table?`);
  return table;
}

// arch/arm64/include/uapi/asm/unistd.h (Linux 6.1) defines these before including the generic
// table; everything else in the generic table is conditional on __BITS_PER_LONG.
const AARCH64_WANTS = [
  '__ARCH_WANT_RENAMEAT',
  '__ARCH_WANT_NEW_STAT',
  '__ARCH_WANT_SET_GET_RLIMIT',
  '__ARCH_WANT_TIME32_SYSCALLS',
  '__ARCH_WANT_SYS_CLONE3',
  '__ARCH_WANT_MEMFD_SECRET',
];

/**
 * Evaluates asm-generic/unistd.h the way the preprocessor would for one architecture: enough of
 * #if/#ifdef/#ifndef/#elif/#else/#endif/#define/#undef for this header, whose conditions only
 * use defined(), __BITS_PER_LONG, ==, !=, !, && and ||.
 */
function genericTable(file, { bitsPerLong, defines }) {
  const macros = new Map(defines.map((d) => [d, '1']));
  const stack = []; // one entry per open #if: { active, taken }
  const active = () => stack.every((s) => s.active);
  const evaluate = (expr) => {
    const src = expr
      .replace(/\/\*.*?\*\//g, '')
      .replace(/defined\s*\(\s*(\w+)\s*\)|defined\s+(\w+)/g, (_, a, b) => (macros.has(a ?? b) ? '1' : '0'))
      .replace(/__BITS_PER_LONG/g, String(bitsPerLong))
      .replace(/\b[A-Za-z_]\w*\b/g, '0');
    if (!/^[\d\s=!&|()<>]*$/.test(src)) throw new Error(`${file}: cannot evaluate #if ${expr}`);
    return Boolean(Function(`"use strict"; return (${src});`)());
  };
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    let m;
    if ((m = /^#\s*ifdef\s+(\w+)/.exec(line))) stack.push({ active: macros.has(m[1]), taken: macros.has(m[1]) });
    else if ((m = /^#\s*ifndef\s+(\w+)/.exec(line))) stack.push({ active: !macros.has(m[1]), taken: !macros.has(m[1]) });
    else if ((m = /^#\s*if\s+(.*)$/.exec(line))) {
      const v = evaluate(m[1]);
      stack.push({ active: v, taken: v });
    } else if ((m = /^#\s*elif\s+(.*)$/.exec(line))) {
      const top = stack.at(-1);
      const v = !top.taken && evaluate(m[1]);
      top.active = v;
      top.taken ||= v;
    } else if (/^#\s*else\b/.test(line)) {
      const top = stack.at(-1);
      top.active = !top.taken;
      top.taken = true;
    } else if (/^#\s*endif\b/.test(line)) stack.pop();
    else if (!active()) continue;
    else if ((m = /^#\s*define\s+(\w+)(?:\s+(.*?))?\s*(?:\/\*.*)?$/.exec(line))) macros.set(m[1], m[2] ?? '');
    else if ((m = /^#\s*undef\s+(\w+)/.exec(line))) macros.delete(m[1]);
  }
  if (stack.length) throw new Error(`${file}: unbalanced #if`);
  const resolve = (v, depth = 0) => {
    if (/^\d+$/.test(v)) return Number(v);
    if (depth < 8 && macros.has(v)) return resolve(macros.get(v), depth + 1);
    return undefined;
  };
  const table = new Map();
  for (const [name, value] of macros) {
    // __NR_syscalls is the table size, __NR_arch_specific_syscall the start of a reserved range.
    if (!name.startsWith('__NR_') || name === '__NR_syscalls' || name === '__NR_arch_specific_syscall') continue;
    const nr = resolve(value);
    if (nr !== undefined) table.set(name.slice('__NR_'.length), nr);
  }
  if (table.size < 250) throw new Error(`${file}: only ${table.size} syscalls found`);
  return table;
}

// ARM EABI (arch/arm/tools/syscall.tbl, Linux 6.1), plus the ARM-private calls at
// __ARM_NR_BASE = 0x0f0000 (breakpoint, cacheflush, usr26, usr32, set_tls, get_tls). The
// numbers are facts of the kernel ABI, transcribed from the "arm" column of libseccomp 2.5.4's
// syscall table (which follows the kernel's). No OABI: like libseccomp, only EABI is supported.
const ARM_TABLE = `
restart_syscall 0  exit 1  fork 2  read 3  write 4  open 5
close 6  creat 8  link 9  unlink 10  execve 11  chdir 12
mknod 14  chmod 15  lchown 16  lseek 19  getpid 20  mount 21
setuid 23  getuid 24  ptrace 26  pause 29  access 33  nice 34
sync 36  kill 37  rename 38  mkdir 39  rmdir 40  dup 41
pipe 42  times 43  brk 45  setgid 46  getgid 47  geteuid 49
getegid 50  acct 51  umount2 52  ioctl 54  fcntl 55  setpgid 57
umask 60  chroot 61  ustat 62  dup2 63  getppid 64  getpgrp 65
setsid 66  sigaction 67  setreuid 70  setregid 71  sigsuspend 72  sigpending 73
sethostname 74  setrlimit 75  getrusage 77  gettimeofday 78  settimeofday 79  getgroups 80
setgroups 81  symlink 83  readlink 85  uselib 86  swapon 87  reboot 88
munmap 91  truncate 92  ftruncate 93  fchmod 94  fchown 95  getpriority 96
setpriority 97  statfs 99  fstatfs 100  syslog 103  setitimer 104  getitimer 105
stat 106  lstat 107  fstat 108  vhangup 111  wait4 114  swapoff 115
sysinfo 116  fsync 118  sigreturn 119  clone 120  setdomainname 121  uname 122
adjtimex 124  mprotect 125  sigprocmask 126  init_module 128  delete_module 129  quotactl 131
getpgid 132  fchdir 133  bdflush 134  sysfs 135  personality 136  setfsuid 138
setfsgid 139  _llseek 140  getdents 141  _newselect 142  flock 143  msync 144
readv 145  writev 146  getsid 147  fdatasync 148  _sysctl 149  mlock 150
munlock 151  mlockall 152  munlockall 153  sched_setparam 154  sched_getparam 155  sched_setscheduler 156
sched_getscheduler 157  sched_yield 158  sched_get_priority_max 159  sched_get_priority_min 160  sched_rr_get_interval 161  nanosleep 162
mremap 163  setresuid 164  getresuid 165  poll 168  nfsservctl 169  setresgid 170
getresgid 171  prctl 172  rt_sigreturn 173  rt_sigaction 174  rt_sigprocmask 175  rt_sigpending 176
rt_sigtimedwait 177  rt_sigqueueinfo 178  rt_sigsuspend 179  pread64 180  pwrite64 181  chown 182
getcwd 183  capget 184  capset 185  sigaltstack 186  sendfile 187  vfork 190
ugetrlimit 191  mmap2 192  truncate64 193  ftruncate64 194  stat64 195  lstat64 196
fstat64 197  lchown32 198  getuid32 199  getgid32 200  geteuid32 201  getegid32 202
setreuid32 203  setregid32 204  getgroups32 205  setgroups32 206  fchown32 207  setresuid32 208
getresuid32 209  setresgid32 210  getresgid32 211  chown32 212  setuid32 213  setgid32 214
setfsuid32 215  setfsgid32 216  getdents64 217  pivot_root 218  mincore 219  madvise 220
fcntl64 221  gettid 224  readahead 225  setxattr 226  lsetxattr 227  fsetxattr 228
getxattr 229  lgetxattr 230  fgetxattr 231  listxattr 232  llistxattr 233  flistxattr 234
removexattr 235  lremovexattr 236  fremovexattr 237  tkill 238  sendfile64 239  futex 240
sched_setaffinity 241  sched_getaffinity 242  io_setup 243  io_destroy 244  io_getevents 245  io_submit 246
io_cancel 247  exit_group 248  lookup_dcookie 249  epoll_create 250  epoll_ctl 251  epoll_wait 252
remap_file_pages 253  set_tid_address 256  timer_create 257  timer_settime 258  timer_gettime 259  timer_getoverrun 260
timer_delete 261  clock_settime 262  clock_gettime 263  clock_getres 264  clock_nanosleep 265  statfs64 266
fstatfs64 267  tgkill 268  utimes 269  arm_fadvise64_64 270  pciconfig_iobase 271  pciconfig_read 272
pciconfig_write 273  mq_open 274  mq_unlink 275  mq_timedsend 276  mq_timedreceive 277  mq_notify 278
mq_getsetattr 279  waitid 280  socket 281  bind 282  connect 283  listen 284
accept 285  getsockname 286  getpeername 287  socketpair 288  send 289  sendto 290
recv 291  recvfrom 292  shutdown 293  setsockopt 294  getsockopt 295  sendmsg 296
recvmsg 297  semop 298  semget 299  semctl 300  msgsnd 301  msgrcv 302
msgget 303  msgctl 304  shmat 305  shmdt 306  shmget 307  shmctl 308
add_key 309  request_key 310  keyctl 311  semtimedop 312  vserver 313  ioprio_set 314
ioprio_get 315  inotify_init 316  inotify_add_watch 317  inotify_rm_watch 318  mbind 319  get_mempolicy 320
set_mempolicy 321  openat 322  mkdirat 323  mknodat 324  fchownat 325  futimesat 326
fstatat64 327  unlinkat 328  renameat 329  linkat 330  symlinkat 331  readlinkat 332
fchmodat 333  faccessat 334  pselect6 335  ppoll 336  unshare 337  set_robust_list 338
get_robust_list 339  splice 340  arm_sync_file_range 341  tee 342  vmsplice 343  move_pages 344
getcpu 345  epoll_pwait 346  kexec_load 347  utimensat 348  signalfd 349  timerfd_create 350
eventfd 351  fallocate 352  timerfd_settime 353  timerfd_gettime 354  signalfd4 355  eventfd2 356
epoll_create1 357  dup3 358  pipe2 359  inotify_init1 360  preadv 361  pwritev 362
rt_tgsigqueueinfo 363  perf_event_open 364  recvmmsg 365  accept4 366  fanotify_init 367  fanotify_mark 368
prlimit64 369  name_to_handle_at 370  open_by_handle_at 371  clock_adjtime 372  syncfs 373  sendmmsg 374
setns 375  process_vm_readv 376  process_vm_writev 377  kcmp 378  finit_module 379  sched_setattr 380
sched_getattr 381  renameat2 382  seccomp 383  getrandom 384  memfd_create 385  bpf 386
execveat 387  userfaultfd 388  membarrier 389  mlock2 390  copy_file_range 391  preadv2 392
pwritev2 393  pkey_mprotect 394  pkey_alloc 395  pkey_free 396  statx 397  rseq 398
io_pgetevents 399  migrate_pages 400  kexec_file_load 401  clock_gettime64 403  clock_settime64 404  clock_adjtime64 405
clock_getres_time64 406  clock_nanosleep_time64 407  timer_gettime64 408  timer_settime64 409  timerfd_gettime64 410  timerfd_settime64 411
utimensat_time64 412  pselect6_time64 413  ppoll_time64 414  io_pgetevents_time64 416  recvmmsg_time64 417  mq_timedsend_time64 418
mq_timedreceive_time64 419  semtimedop_time64 420  rt_sigtimedwait_time64 421  futex_time64 422  sched_rr_get_interval_time64 423  pidfd_send_signal 424
io_uring_setup 425  io_uring_enter 426  io_uring_register 427  open_tree 428  move_mount 429  fsopen 430
fsconfig 431  fsmount 432  fspick 433  pidfd_open 434  clone3 435  close_range 436
openat2 437  pidfd_getfd 438  faccessat2 439  process_madvise 440  epoll_pwait2 441  mount_setattr 442
quotactl_fd 443  landlock_create_ruleset 444  landlock_add_rule 445  landlock_restrict_self 446  process_mrelease 448  futex_waitv 449
set_mempolicy_home_node 450  breakpoint 983041  cacheflush 983042  usr26 983043  usr32 983044  set_tls 983045
get_tls 983046  
`;

// Syscalls added after Linux 6.1 (the headers this table was first generated from), with the
// kernel's numbers: they live in the unified range above 450, one number on every architecture
// (x32 with its bit); map_shadow_stack is not an x32 call. These are the ones Debian's
// libseccomp 2.5.4-1+deb12u1 knows, so the compiler and that reference agree on them. Headers
// that have them win, and must agree.
const NEWER_SYSCALLS = [
  ['cachestat', 451, 'all'],
  ['fchmodat2', 452, 'all'],
  ['map_shadow_stack', 453, 'not-x32'],
  ['futex_wake', 454, 'all'],
  ['futex_wait', 455, 'all'],
  ['futex_requeue', 456, 'all'],
];

// Syscalls of architectures without a table here (mips, powerpc, s390, riscv). libseccomp knows
// every name on every architecture, as a negative pseudo number where the architecture lacks
// it, and still merges rules for it there, so a conflicting pair of rules is refused even where
// the call does not exist. The names come from libseccomp 2.5.4's syscall table.
const FOREIGN_SYSCALLS = [
  'cachectl', 'multiplexer', 'riscv_flush_icache', 'rtas', 's390_guarded_storage', 's390_pci_mmio_read',
  's390_pci_mmio_write', 's390_runtime_instr', 's390_sthyi', 'spu_create', 'spu_run', 'subpage_prot',
  'swapcontext', 'switch_endian', 'sync_file_range2', 'syscall', 'sys_debug_setcontext', 'sysmips', 'timerfd',
];

function embeddedTable(text) {
  const table = new Map();
  const words = text.trim().split(/\s+/);
  for (let i = 0; i < words.length; i += 2) table.set(words[i], Number(words[i + 1]));
  return table;
}

function addNewer(tables) {
  for (const [arch, table] of Object.entries(tables)) {
    for (const [name, nr, where] of NEWER_SYSCALLS) {
      if (where === 'not-x32' && arch === 'x32') continue;
      const full = arch === 'x32' ? (X32_SYSCALL_BIT | nr) >>> 0 : nr;
      const have = table.get(name);
      if (have !== undefined && have !== full) throw new Error(`${arch}: the headers give ${name} ${have}, NEWER_SYSCALLS ${full}`);
      table.set(name, full);
    }
  }
}

const tables = {
  x86_64: flatTable(header('x86_64-linux-gnu/asm/unistd_64.h', 'asm/unistd_64.h')),
  x86: flatTable(header('x86_64-linux-gnu/asm/unistd_32.h', 'i386-linux-gnu/asm/unistd_32.h', 'asm/unistd_32.h')),
  x32: flatTable(header('x86_64-linux-gnu/asm/unistd_x32.h', 'asm/unistd_x32.h')),
  aarch64: genericTable(header('asm-generic/unistd.h'), { bitsPerLong: 64, defines: AARCH64_WANTS }),
  arm: embeddedTable(ARM_TABLE),
};
addNewer(tables);
for (const name of FOREIGN_SYSCALLS) {
  for (const [arch, table] of Object.entries(tables)) if (table.has(name)) throw new Error(`FOREIGN_SYSCALLS: ${name} is a syscall on ${arch}`);
}

let kernel = '';
try {
  const m = /LINUX_VERSION_MAJOR (\d+)[\s\S]*LINUX_VERSION_PATCHLEVEL (\d+)/.exec(readFileSync(join(include, 'linux/version.h'), 'utf8'));
  if (m) kernel = ` (Linux ${m[1]}.${m[2]} uapi headers)`;
} catch {
  /* no version.h: leave it out */
}

const lines = [
  '// Generated by scripts/gen-syscalls.mjs' + kernel + '. Do not edit: rerun the script.',
  '// Syscall name → number per architecture; x32 numbers include __X32_SYSCALL_BIT (0x40000000).',
  '',
  'export const SYSCALL_TABLES = {',
];
for (const [arch, table] of Object.entries(tables)) {
  const entries = [...table].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
  lines.push(`  ${arch}: {`);
  for (const [name, nr] of entries) lines.push(`    ${name}: ${nr >= X32_SYSCALL_BIT ? `0x${nr.toString(16)}` : nr},`);
  lines.push('  },');
}
lines.push('} as const satisfies Record<string, Record<string, number>>;', '');
lines.push('/** Syscalls of architectures without a table here: names libseccomp knows, never a number here. */');
lines.push('export const FOREIGN_SYSCALLS: readonly string[] = [');
for (const name of FOREIGN_SYSCALLS) lines.push(`  '${name}',`);
lines.push('];', '');
const text = lines.join('\n');

if (args.includes('--check')) {
  const current = existsSync(out) ? readFileSync(out, 'utf8') : '';
  if (current !== text) {
    console.error(`${out} is out of date: run node scripts/gen-syscalls.mjs`);
    process.exit(1);
  }
} else {
  writeFileSync(out, text);
  const counts = Object.entries(tables).map(([a, t]) => `${a} ${t.size}`).join(', ');
  console.log(`wrote ${out}: ${counts}`);
}

// Validation of a `process` object: config.json's `process` and `runc exec --process FILE`.

import type { Process } from './types.js';
import { IOPRIO_CLASSES, RLIMIT_TYPES, SCHED_FLAGS, SCHED_POLICIES } from './types.js';
import {
  type Checker,
  absPath,
  array,
  arrayOf,
  at,
  bool,
  child,
  cpuList,
  fail,
  int32,
  integer,
  matches,
  object,
  oneOf,
  opt,
  req,
  shape,
  str,
  strArray,
  uint32,
  uint64,
} from './checks.js';

const consoleSize = shape((o, p) => {
  // Go's `uint`; the lib narrows to the winsize's unsigned short.
  req(o, 'height', p, uint64);
  req(o, 'width', p, uint64);
});

// config.md: args is REQUIRED on non-Windows platforms and execvp needs at least a file name.
const args: Checker = (v, p) => {
  strArray(v, p);
  if ((v as unknown[]).length === 0) fail(p, 'must contain at least one entry');
};

// POSIX user: uid and gid REQUIRED, in the container's user namespace.
const user = shape((o, p) => {
  req(o, 'uid', p, uint32);
  req(o, 'gid', p, uint32);
  opt(o, 'umask', p, uint32);
  opt(o, 'additionalGids', p, arrayOf(uint32));
  opt(o, 'username', p, str);
});

// config.md §POSIX process: an unmappable type and a duplicate type MUST both be errors. soft
// above hard is refused too: setrlimit(2) fails with EINVAL, better to say so before creating.
const rlimits: Checker = (v, p) => {
  const seen = new Set<string>();
  array(v, p).forEach((item, i) => {
    const ip = at(p, i);
    const o = object(item, ip);
    req(o, 'type', ip, oneOf(RLIMIT_TYPES));
    req(o, 'soft', ip, uint64);
    req(o, 'hard', ip, uint64);
    const type = o.type as string;
    if (seen.has(type)) fail(child(ip, 'type'), `duplicate rlimit type "${type}"`);
    seen.add(type);
    // Both infinities parse to 2^64, so the plain comparison is right for them as well.
    if ((o.soft as number) > (o.hard as number)) fail(child(ip, 'soft'), 'must not be greater than hard');
  });
};

// Unknown capability names are only a warning per the spec, so just the name form is checked
// here (the pattern of features-linux.json); whether a name is known is the lib's call.
const capabilityName = matches(/^CAP_[A-Z_]+$/, 'a capability name matching ^CAP_[A-Z_]+$');
const capabilities = shape((o, p) => {
  for (const set of ['effective', 'bounding', 'inheritable', 'permitted', 'ambient']) {
    opt(o, set, p, arrayOf(capabilityName));
  }
});

const scheduler = shape((o, p) => {
  req(o, 'policy', p, oneOf(SCHED_POLICIES));
  opt(o, 'nice', p, int32);
  opt(o, 'priority', p, int32);
  opt(o, 'flags', p, arrayOf(oneOf(SCHED_FLAGS)));
  opt(o, 'runtime', p, uint64);
  opt(o, 'deadline', p, uint64);
  opt(o, 'period', p, uint64);
});

const ioPriority = shape((o, p) => {
  req(o, 'class', p, oneOf(IOPRIO_CLASSES));
  // 0 is the highest priority, 7 the lowest; the kernel has no others.
  req(o, 'priority', p, integer(0, 7));
});

const execCPUAffinity = shape((o, p) => {
  opt(o, 'initial', p, cpuList);
  opt(o, 'final', p, cpuList);
});

export const checkProcess: Checker = shape((o, p) => {
  opt(o, 'terminal', p, bool);
  opt(o, 'consoleSize', p, consoleSize);
  req(o, 'cwd', p, absPath);
  opt(o, 'env', p, strArray);
  req(o, 'args', p, args);
  opt(o, 'commandLine', p, str);
  opt(o, 'user', p, user);
  opt(o, 'rlimits', p, rlimits);
  opt(o, 'apparmorProfile', p, str);
  opt(o, 'capabilities', p, capabilities);
  opt(o, 'noNewPrivileges', p, bool);
  // /proc/PID/oom_score_adj accepts exactly this range.
  opt(o, 'oomScoreAdj', p, integer(-1000, 1000));
  opt(o, 'scheduler', p, scheduler);
  opt(o, 'selinuxLabel', p, str);
  opt(o, 'ioPriority', p, ioPriority);
  opt(o, 'execCPUAffinity', p, execCPUAffinity);
});

/**
 * Validate a process object (for `exec --process FILE`, or `config.process` at `$.process`) and
 * return it typed. Throws ConfigError at the first problem.
 */
export function validateProcess(raw: unknown, path = '$'): Process {
  checkProcess(raw, path);
  return raw as Process;
}

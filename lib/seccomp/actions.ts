// Spec actions → the 32-bit value a seccomp filter returns (linux/seccomp.h SECCOMP_RET_*):
// the action in the high 16 bits, data (an errno, a tracer's message) in the low 16.

import { ConfigError } from '../errors.js';
import { SECCOMP_ACTIONS } from '../../spec/types.js';
import type { SeccompAction } from '../../spec/types.js';

export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const SECCOMP_RET_KILL_THREAD = 0x00000000;
export const SECCOMP_RET_TRAP = 0x00030000;
export const SECCOMP_RET_ERRNO = 0x00050000;
export const SECCOMP_RET_USER_NOTIF = 0x7fc00000;
export const SECCOMP_RET_TRACE = 0x7ff00000;
export const SECCOMP_RET_LOG = 0x7ffc0000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;
export const SECCOMP_RET_ACTION_FULL = 0xffff0000;
export const SECCOMP_RET_DATA = 0x0000ffff;

export const EPERM = 1;
export const ENOSYS = 38;
/** The kernel caps errno values at MAX_ERRNO; libseccomp refuses SCMP_ACT_ERRNO(n) for n >= 4095. */
export const MAX_ERRNO = 4095;

export const SECCOMP_RET_ENOSYS = (SECCOMP_RET_ERRNO | ENOSYS) >>> 0;

const KNOWN = new Set<string>(SECCOMP_ACTIONS);

/**
 * The return value for `action`. As runc: SCMP_ACT_KILL is KILL_THREAD; ERRNO and TRACE without
 * an errnoRet carry EPERM; errnoRet keeps its low 16 bits (the width of the data field).
 * `path` is the JSON path of the action, `errnoPath` that of its errnoRet.
 */
export function actionValue(action: string, errnoRet: number | undefined, path: string, errnoPath: string): number {
  if (!KNOWN.has(action)) throw new ConfigError(path, `must be one of ${SECCOMP_ACTIONS.join(', ')}`);
  const data = errnoRet === undefined ? EPERM : errnoData(errnoRet, errnoPath);
  switch (action as SeccompAction) {
    case 'SCMP_ACT_KILL':
    case 'SCMP_ACT_KILL_THREAD':
      return SECCOMP_RET_KILL_THREAD;
    case 'SCMP_ACT_KILL_PROCESS':
      return SECCOMP_RET_KILL_PROCESS;
    case 'SCMP_ACT_TRAP':
      return SECCOMP_RET_TRAP;
    case 'SCMP_ACT_ERRNO':
      if (data >= MAX_ERRNO) throw new ConfigError(errnoPath, `must be below ${MAX_ERRNO} (its low 16 bits are the errno; libseccomp refuses larger ones)`);
      return (SECCOMP_RET_ERRNO | data) >>> 0;
    case 'SCMP_ACT_TRACE':
      return (SECCOMP_RET_TRACE | data) >>> 0;
    case 'SCMP_ACT_ALLOW':
      return SECCOMP_RET_ALLOW;
    case 'SCMP_ACT_LOG':
      return SECCOMP_RET_LOG;
    case 'SCMP_ACT_NOTIFY':
      return SECCOMP_RET_USER_NOTIF;
  }
}

function errnoData(errnoRet: number, path: string): number {
  if (!Number.isInteger(errnoRet) || errnoRet < 0 || errnoRet > 0xffffffff) throw new ConfigError(path, 'must be an integer between 0 and 4294967295');
  return errnoRet & SECCOMP_RET_DATA;
}

/**
 * runc skips its -ENOSYS stub when the default action lets syscalls through anyway: a tracer is
 * expected to cope with new syscalls itself.
 */
export function isPermissive(action: string): boolean {
  return action === 'SCMP_ACT_ALLOW' || action === 'SCMP_ACT_LOG' || action === 'SCMP_ACT_TRACE';
}

/** "ERRNO(38)", "ALLOW", … for messages and test output. */
export function describeRet(ret: number): string {
  const action = (ret & SECCOMP_RET_ACTION_FULL) >>> 0;
  const data = ret & SECCOMP_RET_DATA;
  switch (action) {
    case SECCOMP_RET_KILL_PROCESS:
      return 'KILL_PROCESS';
    case SECCOMP_RET_KILL_THREAD:
      return 'KILL_THREAD';
    case SECCOMP_RET_TRAP:
      return 'TRAP';
    case SECCOMP_RET_ERRNO:
      return `ERRNO(${data})`;
    case SECCOMP_RET_USER_NOTIF:
      return 'NOTIFY';
    case SECCOMP_RET_TRACE:
      return `TRACE(${data})`;
    case SECCOMP_RET_LOG:
      return 'LOG';
    case SECCOMP_RET_ALLOW:
      return 'ALLOW';
    default:
      return `0x${(ret >>> 0).toString(16)}`;
  }
}

// `linux.seccomp.flags` → the flags argument of seccomp(SECCOMP_SET_MODE_FILTER, flags, prog).

import { ConfigError } from '../errors.js';
import { SECCOMP_FLAGS } from '../../spec/types.js';

// linux/seccomp.h
export const SECCOMP_FILTER_FLAG_TSYNC = 1 << 0;
export const SECCOMP_FILTER_FLAG_LOG = 1 << 1;
export const SECCOMP_FILTER_FLAG_SPEC_ALLOW = 1 << 2;
export const SECCOMP_FILTER_FLAG_NEW_LISTENER = 1 << 3;
export const SECCOMP_FILTER_FLAG_TSYNC_ESRCH = 1 << 4;
export const SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV = 1 << 5;

const BITS: Record<string, number> = {
  SECCOMP_FILTER_FLAG_TSYNC,
  SECCOMP_FILTER_FLAG_LOG,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW,
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
};

/**
 * The flags to install the filter with. NEW_LISTENER comes with any SCMP_ACT_NOTIFY rule (as in
 * runc, whether or not the rule's syscalls exist here). The kernel refuses two combinations,
 * so they are adjusted rather than passed on to fail at install time:
 *   - TSYNC with NEW_LISTENER needs TSYNC_ESRCH (Linux 5.7): a TSYNC failure must not be
 *     reported as a thread id where the caller expects the listener fd;
 *   - WAIT_KILLABLE_RECV only means something for a listener: without one it is dropped, as
 *     libseccomp does.
 */
export function filterFlags(flags: readonly string[] | undefined, notify: boolean): number {
  let bits = 0;
  (flags ?? []).forEach((f, i) => {
    if (!Object.hasOwn(BITS, f)) throw new ConfigError(`$.linux.seccomp.flags[${i}]`, `must be one of ${SECCOMP_FLAGS.join(', ')}`);
    bits |= BITS[f]!;
  });
  if (notify) {
    bits |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    if (bits & SECCOMP_FILTER_FLAG_TSYNC) bits |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
  } else {
    bits &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
  }
  return bits;
}

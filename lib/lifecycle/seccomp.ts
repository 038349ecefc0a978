// linux.seccomp for a process about to be started (the init, or an exec'd process): compile the
// profile (lib/seccomp, in TypeScript) and, for SCMP_ACT_NOTIFY, set up the path of the
// listener fd: the child sends it to us on a socket pair, and we send it on to the profile's
// listenerPath with the container process state, as runc does (spec: one state per connection,
// fds only in the first message, the connection closed after sending).

import { closeSync } from 'node:fs';
import { ConfigError, fromNodeError } from '../errors.js';
import * as native from '../native.js';
// TEMPORARY until lib/seccomp lands: no compiler yet.
const compileSeccomp = (_p: unknown): { program: Buffer; flags: number; notify: boolean; unknownSyscalls: string[] } => {
  throw new ConfigError('$.linux.seccomp', 'is not supported yet');
};
import type { SeccompInstall } from '../plan/process.js';
import type { ContainerRecord } from '../state/store.js';
import type { FeaturesSeccomp, SeccompFlag, Spec } from '../../spec/types.js';
import { SECCOMP_ACTIONS, SECCOMP_OPERATORS, SPEC_VERSION } from '../../spec/types.js';
// TEMPORARY until lib/seccomp lands.
const SECCOMP_ENABLED = false;
const SECCOMP_COMPILER_ARCHS: string[] = [];

/** SECCOMP_FILTER_FLAG_* bits by the names config.json uses. */
export const SECCOMP_FLAG_BITS: Record<SeccompFlag, number> = {
  SECCOMP_FILTER_FLAG_TSYNC: 1,
  SECCOMP_FILTER_FLAG_LOG: 2,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: 4,
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: 32,
};

/** The seccomp part of the features document: what the compiler handles, what the kernel takes. */
export function seccompFeatures(): FeaturesSeccomp {
  const known = Object.keys(SECCOMP_FLAG_BITS) as SeccompFlag[];
  return {
    enabled: SECCOMP_ENABLED,
    actions: [...SECCOMP_ACTIONS],
    operators: [...SECCOMP_OPERATORS],
    archs: [...SECCOMP_COMPILER_ARCHS],
    knownFlags: known,
    // WAIT_KILLABLE_RECV is only valid with NEW_LISTENER (1 << 3): probe them together.
    supportedFlags: known.filter((f) => native.seccompFlagSupported(SECCOMP_FLAG_BITS[f] | (f === 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV' ? 8 : 0))),
  };
}

export interface PreparedSeccomp {
  install: SeccompInstall;
  /** our end of the listener socket pair (notify only) */
  ours?: number;
  /** send the listener fd to listenerPath with the state of the container */
  deliver(listener: number, pid: number, rec: Pick<ContainerRecord, 'id' | 'bundle' | 'annotations'>, status?: string): Promise<void>;
}

/** The filter for `process` of a container with `config`; undefined without a profile. */
export function seccompFor(config: Spec, minFd: number, warn?: (m: string) => void): PreparedSeccomp | undefined {
  const profile = config.linux?.seccomp;
  if (!profile) return undefined;
  const compiled = compileSeccomp(profile);
  if (compiled.unknownSyscalls.length) warn?.(`seccomp: syscalls unknown to this build, ignored: ${compiled.unknownSyscalls.join(', ')}`);
  const install: SeccompInstall = { program: compiled.program, flags: compiled.flags };
  let ours: number | undefined;
  if (compiled.notify) {
    if (!profile.listenerPath) {
      throw new ConfigError('$.linux.seccomp.listenerPath', 'is required when an action is SCMP_ACT_NOTIFY (the listener must go somewhere)');
    }
    const [a, b] = native.socketPair(minFd);
    ours = a;
    install.listenerFd = b;
  }
  return {
    install,
    ours,
    async deliver(listener, pid, rec, status = 'creating') {
      const state = {
        ociVersion: SPEC_VERSION,
        fds: ['seccompFd'],
        pid,
        ...(profile.listenerMetadata ? { metadata: profile.listenerMetadata } : {}),
        state: { ociVersion: SPEC_VERSION, id: rec.id, status, pid, bundle: rec.bundle, ...(Object.keys(rec.annotations ?? {}).length ? { annotations: rec.annotations } : {}) },
      };
      let sock: number | undefined;
      try {
        sock = native.unixConnect(profile.listenerPath!);
        native.sendFd(sock, listener, JSON.stringify(state));
      } catch (err) {
        throw fromNodeError(`send the seccomp listener to ${profile.listenerPath}`, err);
      } finally {
        if (sock !== undefined) closeSync(sock);
        closeSync(listener);
      }
    },
  };
}

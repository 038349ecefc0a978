// linux.seccomp for a process about to be started (the init, or an exec'd process): compile the
// profile (lib/seccomp, in TypeScript) and, for SCMP_ACT_NOTIFY, set up the path of the
// listener fd: the child sends it to us on a socket pair, and we send it on to the profile's
// listenerPath with the container process state, as runc does (spec: one state per connection,
// fds only in the first message, the connection closed after sending).

import { closeSync } from 'node:fs';
import { ConfigError, fromNodeError } from '../errors.js';
import * as native from '../native.js';
import {
  SECCOMP_FILTER_FLAG_LOG,
  SECCOMP_FILTER_FLAG_NEW_LISTENER,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW,
  SECCOMP_FILTER_FLAG_TSYNC,
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
} from '../seccomp/flags.js';
import type { SeccompInstall } from '../plan/process.js';
import type { ContainerRecord } from '../state/store.js';
import type { FeaturesSeccomp, SeccompFlag, Spec } from '../../spec/types.js';
import { SECCOMP_ACTIONS, SECCOMP_OPERATORS, SPEC_VERSION } from '../../spec/types.js';

/** SECCOMP_FILTER_FLAG_* bits by the names config.json uses. */
const SECCOMP_FLAG_BITS: Record<SeccompFlag, number> = {
  SECCOMP_FILTER_FLAG_TSYNC,
  SECCOMP_FILTER_FLAG_LOG,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW,
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
};

/**
 * Syscalls the process makes itself between installing a notify filter and the agent having
 * the listener (sending it, telling the parent, waiting for the parent): sent to the agent, they
 * would wait for an agent that can never answer. runc refuses `write` for the same reason.
 */
const NOTIFY_DEADLOCKS = new Set(['write', 'read', 'sendmsg']);

/** The seccomp part of the features document: what the compiler handles, what the kernel takes. */
export async function seccompFeatures(): Promise<FeaturesSeccomp> {
  const { ARCHES } = await import('../seccomp/arch.js');
  const known = Object.keys(SECCOMP_FLAG_BITS) as SeccompFlag[];
  return {
    enabled: true,
    actions: [...SECCOMP_ACTIONS],
    operators: [...SECCOMP_OPERATORS],
    archs: Object.keys(ARCHES),
    knownFlags: known,
    // WAIT_KILLABLE_RECV is only valid with NEW_LISTENER (1 << 3): probe them together.
    supportedFlags: known.filter((f) =>
      native.seccompFlagSupported(SECCOMP_FLAG_BITS[f] | (f === 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV' ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0)),
    ),
  };
}

export interface SeccompContainer extends Pick<ContainerRecord, 'id' | 'bundle' | 'annotations'> {
  pid: number;
  status: 'creating' | 'created' | 'running';
}

export interface PreparedSeccomp {
  install: SeccompInstall;
  /** our end of the listener socket pair (notify only) */
  ours?: number;
  /** send the listener fd to listenerPath with the state of the container */
  /**
   * Send the listener fd to listenerPath with the container process state (spec: seccomp
   * state). `pid` is the process the filter is for, `container.pid` the container's init.
   */
  deliver(listener: number, pid: number, container: SeccompContainer): Promise<void>;
}

/** The filter for `process` of a container with `config`; undefined without a profile. */
export async function seccompFor(config: Spec, minFd: number, debug?: (m: string) => void): Promise<PreparedSeccomp | undefined> {
  const profile = config.linux?.seccomp;
  if (!profile) return undefined;
  (profile.syscalls ?? []).forEach((rule, i) => {
    if (rule.action !== 'SCMP_ACT_NOTIFY') return;
    rule.names.forEach((name, j) => {
      if (NOTIFY_DEADLOCKS.has(name)) {
        throw new ConfigError(`$.linux.seccomp.syscalls[${i}].names[${j}]`, `SCMP_ACT_NOTIFY on "${name}" is refused: the runtime itself needs ${name} to hand the listener on`);
      }
    });
  });
  // Loaded only for a container with a profile: the syscall tables are large.
  const { compileSeccomp } = await import('../seccomp/compile.js');
  const compiled = compileSeccomp(profile);
  // A debug line, as runc: profiles list syscalls of newer kernels and other architectures, and a
  // warning on every container would also end up in the log podman parses as one JSON object.
  if (compiled.unknownSyscalls.length) debug?.(`seccomp: syscalls unknown to this build, ignored: ${compiled.unknownSyscalls.join(', ')}`);
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
    async deliver(listener, pid, c) {
      const annotations = Object.keys(c.annotations ?? {}).length ? { annotations: c.annotations } : {};
      const state = {
        ociVersion: SPEC_VERSION,
        fds: ['seccompFd'],
        pid,
        ...(profile.listenerMetadata ? { metadata: profile.listenerMetadata } : {}),
        state: { ociVersion: SPEC_VERSION, id: c.id, status: c.status, pid: c.pid, bundle: c.bundle, ...annotations },
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

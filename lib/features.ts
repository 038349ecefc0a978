// The OCI features document (features.md): what this build of caisson implements, so that a
// manager can tell before it writes a config. Honest rather than aspirational: a field caisson
// refuses (lib/support.ts) is reported as not enabled, and the capability list is the one the
// running kernel knows (a name beyond it would be refused at create).

import { CAPABILITIES, HOOK_NAMES, NAMESPACE_TYPES, SPEC_VERSION } from '../spec/types.js';
import type { Features } from '../spec/types.js';
import { kernelLastCap } from './host.js';
import { IMPLEMENTED_MOUNT_OPTIONS } from './plan/mount-options.js';
import { MPOL_FLAG, MPOL_MODE } from './plan/process-attrs.js';
import { seccompFeatures } from './lifecycle/seccomp.js';

export interface FeaturesOptions {
  /** annotations to add (the CLI puts its version and commit here) */
  annotations?: Record<string, string>;
}

export async function features(opts: FeaturesOptions = {}): Promise<Features> {
  const lastCap = kernelLastCap();
  return {
    ociVersionMin: '1.0.0',
    ociVersionMax: SPEC_VERSION,
    hooks: [...HOOK_NAMES],
    mountOptions: [...IMPLEMENTED_MOUNT_OPTIONS],
    linux: {
      namespaces: [...NAMESPACE_TYPES].sort(),
      capabilities: CAPABILITIES.filter((_, i) => i <= lastCap),
      // systemd: the --systemd-cgroup driver is not implemented; rdma limits are written on v1
      // and v2 alike.
      cgroup: { v1: true, v2: true, systemd: false, systemdUser: false, rdma: true },
      seccomp: await seccompFeatures(),
      apparmor: { enabled: false },
      selinux: { enabled: false },
      intelRdt: { enabled: false },
      memoryPolicy: { modes: Object.keys(MPOL_MODE), flags: Object.keys(MPOL_FLAG) },
      mountExtensions: { idmap: { enabled: false } },
      netDevices: { enabled: false },
    },
    annotations: { ...opts.annotations },
    // caisson changes no behaviour on config annotations.
    potentiallyUnsafeConfigAnnotations: [],
  };
}

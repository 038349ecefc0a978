// Which sysctls a container may set: only those that live in a namespace the container owns.
// Anything else would change the host (runc refuses them the same way).

import { ConfigError } from '../errors.js';
import type { Spec } from '../../spec/types.js';

const IPC_KEYS = new Set([
  'kernel.msgmax',
  'kernel.msgmnb',
  'kernel.msgmni',
  'kernel.sem',
  'kernel.shmall',
  'kernel.shmmax',
  'kernel.shmmni',
  'kernel.shm_rmid_forced',
]);

/** A key segment: what /proc/sys names look like (interfaces may carry '-' and '.'-free chars). */
const SEGMENT = /^[A-Za-z0-9_\-@+]+$/;

export interface SysctlWrite {
  key: string;
  /** path below /proc/sys */
  rel: string;
  value: string;
}

function hasNs(spec: Spec, type: string): boolean {
  return (spec.linux?.namespaces ?? []).some((n) => n.type === type);
}

export function sysctlWrites(spec: Spec): SysctlWrite[] {
  const out: SysctlWrite[] = [];
  for (const [key, value] of Object.entries(spec.linux?.sysctl ?? {})) {
    const path = `$.linux.sysctl[${JSON.stringify(key)}]`;
    // "net.ipv4.conf.eth0/1.forwarding": '/' stands for a '.' inside one segment (VLAN names).
    const segments = key.split('.');
    if (segments.length < 2 || !segments.every((s) => s.split('/').every((x) => SEGMENT.test(x)))) {
      throw new ConfigError(path, `sysctl "${key}" is not a valid sysctl name`);
    }
    if (IPC_KEYS.has(key) || key.startsWith('fs.mqueue.')) {
      if (!hasNs(spec, 'ipc')) throw new ConfigError(path, `sysctl "${key}" is not allowed as it conflicts with the OCI "ipc" namespace`);
    } else if (key.startsWith('net.')) {
      if (!hasNs(spec, 'network')) throw new ConfigError(path, `sysctl "${key}" not allowed in host network namespace`);
    } else if (key === 'kernel.hostname' || key === 'kernel.domainname') {
      if (!hasNs(spec, 'uts')) throw new ConfigError(path, `sysctl "${key}" is not allowed as it conflicts with the OCI "uts" namespace`);
      throw new ConfigError(path, `sysctl "${key}" is not allowed: use the ${key === 'kernel.hostname' ? 'hostname' : 'domainname'} field instead`);
    } else {
      throw new ConfigError(path, `sysctl "${key}" is not in a separate kernel namespace`);
    }
    out.push({ key, rel: segments.map((s) => s.replace(/\//g, '.')).join('/'), value });
  }
  return out;
}

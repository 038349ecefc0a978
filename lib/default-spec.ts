// The default config.json, as `caisson spec` writes it and the example bundle uses it. It
// mirrors `runc spec` (same mounts, masked and read-only paths, capabilities) except where
// caisson does not implement a field yet, which is left out rather than silently ignored.

import type { Spec } from '../spec/types.js';
import { SPEC_VERSION } from '../spec/types.js';

export interface DefaultSpecOptions {
  args?: string[];
  /** a user namespace mapping only the caller's uid and gid to root */
  rootless?: { uid: number; gid: number };
}

const DEFAULT_CAPS = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];

export function defaultSpec(opts: DefaultSpecOptions = {}): Spec {
  const spec: Spec = {
    ociVersion: SPEC_VERSION,
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: opts.args ?? ['sh'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
      capabilities: {
        bounding: [...DEFAULT_CAPS],
        effective: [...DEFAULT_CAPS],
        permitted: [...DEFAULT_CAPS],
      },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'caisson',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
      },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
    ],
    linux: {
      // As runc's: no device is usable unless allowed (the always-allowed ones are added anyway).
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'cgroup' }],
      maskedPaths: [
        '/proc/acpi',
        '/proc/asound',
        '/proc/kcore',
        '/proc/keys',
        '/proc/latency_stats',
        '/proc/timer_list',
        '/proc/timer_stats',
        '/proc/sched_debug',
        '/sys/firmware',
        '/proc/scsi',
      ],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
  if (opts.rootless) {
    // As `runc spec --rootless`: a user namespace mapping the caller to root, no network
    // namespace of its own, sysfs bound from the host.
    const linux = spec.linux!;
    delete linux.resources; // no cgroup of its own to write
    linux.namespaces = linux.namespaces!.filter((n) => n.type !== 'network').concat([{ type: 'user' }]);
    linux.uidMappings = [{ containerID: 0, hostID: opts.rootless.uid, size: 1 }];
    linux.gidMappings = [{ containerID: 0, hostID: opts.rootless.gid, size: 1 }];
    spec.mounts = spec.mounts!.filter((m) => m.type !== 'cgroup' && m.destination !== '/sys').concat([
      { destination: '/sys', type: 'none', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] },
    ]);
    spec.mounts = spec.mounts.map((m) =>
      m.destination === '/dev/pts' ? { ...m, options: (m.options ?? []).filter((o) => o !== 'gid=5') } : m,
    );
  }
  return spec;
}

// linux.resources.devices: the device cgroup rules, as runc applies them. Access to devices is
// denied unless a rule allows it (runc's rule emulator starts from "deny all" too), so the list
// starts with a reset to deny-all; then come the config's rules, then runc's always-allowed
// devices (null, zero, full, random, urandom, tty, console, the pts and ptmx of the container's
// own devpts, tun, and mknod of anything), so a container that denies everything can still use
// its own /dev. Without the leading deny, a container with CAP_MKNOD and no device rules could
// mknod the host's disks or /dev/mem and open them. Rules apply in order; on v1 they become
// devices.allow / devices.deny writes, on v2 an eBPF program (device-bpf.ts).

import type { LinuxDeviceCgroup } from '../../spec/types.js';

export interface DeviceRule {
  allow: boolean;
  type: 'a' | 'b' | 'c';
  /** -1 means any */
  major: number;
  minor: number;
  access: string;
}

const ALWAYS_ALLOWED: DeviceRule[] = [
  { allow: true, type: 'c', major: -1, minor: -1, access: 'm' },
  { allow: true, type: 'b', major: -1, minor: -1, access: 'm' },
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }, // null
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' }, // random
  { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' }, // full
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' }, // tty
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' }, // zero
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' }, // urandom
  { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' }, // console
  { allow: true, type: 'c', major: 136, minor: -1, access: 'rwm' }, // pts
  { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' }, // ptmx
  { allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' }, // tun
];

const DENY_ALL: DeviceRule = { allow: false, type: 'a', major: -1, minor: -1, access: 'rwm' };

/** The rules to enforce: deny-all, the config's rules in order, the always-allowed devices. */
export function deviceRules(devices: LinuxDeviceCgroup[] | undefined): DeviceRule[] {
  const rules = (devices ?? []).map(
    (d): DeviceRule => ({
      allow: d.allow,
      type: (d.type ?? 'a') as DeviceRule['type'],
      major: d.major ?? -1,
      minor: d.minor ?? -1,
      access: d.access || 'rwm',
    }),
  );
  // A config that starts with the reset itself (runc's default spec does) needs no second one.
  const head = rules[0] && isReset(rules[0]) && !rules[0].allow ? [] : [{ ...DENY_ALL }];
  return [...head, ...rules, ...ALWAYS_ALLOWED.map((r) => ({ ...r }))];
}

const isReset = (r: DeviceRule) => r.type === 'a' && r.major === -1 && r.minor === -1 && accessAll(r.access);
function accessAll(access: string): boolean {
  return ['r', 'w', 'm'].every((c) => access.includes(c));
}

/** "c 1:3 rwm" as the v1 devices files take it; "a" only for the whole-list reset. */
export function v1DeviceLine(r: DeviceRule): string {
  if (isReset(r)) return 'a';
  const n = (v: number) => (v < 0 ? '*' : String(v));
  return `${r.type} ${n(r.major)}:${n(r.minor)} ${r.access}`;
}

/**
 * v1: each rule in order into devices.allow or devices.deny. The kernel reads any line starting
 * with "a" as a reset of the whole list (and ignores the rest of it), so a type-a rule that is
 * not "all devices, all access" is written as its block and char halves.
 */
export function v1DeviceWrites(rules: DeviceRule[]): { file: 'devices.allow' | 'devices.deny'; value: string }[] {
  return rules.flatMap((r) => {
    const file = r.allow ? ('devices.allow' as const) : ('devices.deny' as const);
    if (r.type !== 'a' || isReset(r)) return [{ file, value: v1DeviceLine(r) }];
    return (['b', 'c'] as const).map((type) => ({ file, value: v1DeviceLine({ ...r, type }) }));
  });
}

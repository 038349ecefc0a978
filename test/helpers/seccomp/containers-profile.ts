// Podman's profile (/usr/share/containers/seccomp.json) is in the containers/moby format, not
// the OCI one: entries carry `includes`/`excludes` (architectures, capabilities, minimum
// kernel) and the architectures come from an `archMap`. This turns it into the linux.seccomp
// podman would put in a config.json for one host architecture and capability set.

import { readFileSync } from 'node:fs';
import type { LinuxSeccomp, LinuxSeccompArg, LinuxSyscall, SeccompAction, SeccompArch } from '../../../spec/types.js';

export const PODMAN_PROFILE = '/usr/share/containers/seccomp.json';

/** containers.conf default_capabilities. */
export const PODMAN_DEFAULT_CAPS = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_NET_BIND_SERVICE',
  'CAP_SETFCAP',
  'CAP_SETGID',
  'CAP_SETPCAP',
  'CAP_SETUID',
  'CAP_SYS_CHROOT',
];

interface Filter {
  caps?: string[];
  arches?: string[];
  minKernel?: string;
}

interface ContainersSyscall {
  name?: string;
  names?: string[];
  action: SeccompAction;
  errnoRet?: number;
  args?: LinuxSeccompArg[] | null;
  includes?: Filter;
  excludes?: Filter;
}

interface ContainersProfile {
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  archMap?: Array<{ architecture: SeccompArch; subArchitectures?: SeccompArch[] }>;
  architectures?: SeccompArch[];
  syscalls: ContainersSyscall[];
}

const GOARCH_TO_SCMP: Record<string, SeccompArch> = { amd64: 'SCMP_ARCH_X86_64', arm64: 'SCMP_ARCH_AARCH64', '386': 'SCMP_ARCH_X86', arm: 'SCMP_ARCH_ARM' };

export interface ConvertOptions {
  /** Go's name of the host architecture, which `includes.arches` uses. */
  goArch?: string;
  caps?: readonly string[];
  /** "major.minor" of the host kernel, for `includes.minKernel`. */
  kernel?: string;
}

export function loadContainersProfile(path = PODMAN_PROFILE): ContainersProfile {
  return JSON.parse(readFileSync(path, 'utf8')) as ContainersProfile;
}

function kernelAtLeast(have: string, want: string): boolean {
  const a = have.split('.').map(Number);
  const b = want.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

export function toOciSeccomp(p: ContainersProfile, opts: ConvertOptions = {}): LinuxSeccomp {
  const goArch = opts.goArch ?? 'amd64';
  const caps = new Set(opts.caps ?? PODMAN_DEFAULT_CAPS);
  const kernel = opts.kernel ?? '6.1';
  const native = GOARCH_TO_SCMP[goArch];
  let architectures: SeccompArch[] = p.architectures ?? [];
  for (const m of p.archMap ?? []) {
    if (m.architecture === native) architectures = [m.architecture, ...(m.subArchitectures ?? [])];
  }
  const syscalls: LinuxSyscall[] = [];
  for (const s of p.syscalls) {
    const inc = s.includes ?? {};
    const exc = s.excludes ?? {};
    if (inc.arches?.length && !inc.arches.includes(goArch)) continue;
    if (exc.arches?.length && exc.arches.includes(goArch)) continue;
    if (inc.caps?.length && !inc.caps.every((c) => caps.has(c))) continue;
    if (exc.caps?.length && exc.caps.some((c) => caps.has(c))) continue;
    if (inc.minKernel && !kernelAtLeast(kernel, inc.minKernel)) continue;
    const names = [...(s.name ? [s.name] : []), ...(s.names ?? [])];
    if (!names.length) continue;
    const entry: LinuxSyscall = { names, action: s.action };
    if (s.errnoRet !== undefined && s.errnoRet !== null) entry.errnoRet = s.errnoRet;
    if (s.args?.length) entry.args = s.args.map((a) => ({ index: a.index, value: a.value, ...(a.valueTwo ? { valueTwo: a.valueTwo } : {}), op: a.op }));
    syscalls.push(entry);
  }
  return {
    defaultAction: p.defaultAction,
    ...(p.defaultErrnoRet !== undefined ? { defaultErrnoRet: p.defaultErrnoRet } : {}),
    ...(architectures.length ? { architectures } : {}),
    syscalls,
  };
}

/** Podman's profile as an OCI linux.seccomp for an x86_64 host with podman's default caps. */
export function podmanSeccomp(opts?: ConvertOptions): LinuxSeccomp {
  return toOciSeccomp(loadContainersProfile(), opts);
}

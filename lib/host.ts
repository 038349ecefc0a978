// Read-only facts about the host that plan building needs: the mount table, the cgroup layout,
// our own cgroup, the kernel's last capability. Read once per process and cached; the plan
// builder itself stays pure and takes these as input.

import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import * as native from './native.js';

export interface MountInfo {
  id: number;
  parent: number;
  /** mount point, unescaped */
  mountPoint: string;
  root: string;
  fstype: string;
  source: string;
  superOptions: string[];
  optional: string[];
}

// mountinfo escapes space, tab, newline and backslash as \ooo octal.
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function parseMountInfo(text: string): MountInfo[] {
  const out: MountInfo[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    out.push({
      id: Number(left[0]),
      parent: Number(left[1]),
      root: unescape(left[3] ?? ''),
      mountPoint: unescape(left[4] ?? ''),
      optional: left.slice(6),
      fstype: right[0] ?? '',
      source: unescape(right[1] ?? ''),
      superOptions: (right[2] ?? '').split(','),
    });
  }
  return out;
}

export function readMountInfo(pid: number | 'self' = 'self'): MountInfo[] {
  return parseMountInfo(readFileSync(`/proc/${pid}/mountinfo`, 'utf8'));
}

/*
 * Our own mount table, read again only when it has changed. The kernel flags an open
 * /proc/self/mountinfo with POLLPRI once any mount or unmount happens in our mount namespace
 * after the fd was opened (or last polled), so one poll(2) tells whether the copy is stale;
 * reading and parsing the table each create cost more than the rest of gathering the host facts.
 * The result is shared: callers must not change it.
 */
let mountCache: { fd: number; mounts: readonly MountInfo[] } | undefined;

export function ownMountTable(): readonly MountInfo[] {
  if (mountCache && !native.priorityEvent(mountCache.fd)) return mountCache.mounts;
  if (mountCache) closeSync(mountCache.fd);
  mountCache = undefined;
  // Opened first, then read through: a change during the read flags this fd, and the next call
  // reads again.
  const fd = openSync('/proc/self/mountinfo', 'r');
  try {
    const mounts = Object.freeze(parseMountInfo(readFileSync(fd, 'utf8')));
    mountCache = { fd, mounts };
    return mounts;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** The mount point of the mount that contains `path` (an absolute, symlink-free path). */
export function mountPointOf(path: string, mounts: readonly MountInfo[]): string {
  let best = '/';
  for (const m of mounts) {
    const mp = m.mountPoint;
    if ((path === mp || path.startsWith(mp.endsWith('/') ? mp : `${mp}/`)) && mp.length > best.length) best = mp;
  }
  return best;
}

export type CgroupLayout = 'v2' | 'hybrid' | 'v1';

export interface CgroupHierarchy {
  /** "cgroup2", or a v1 hierarchy */
  version: 1 | 2;
  mountPoint: string;
  /** v1: the controllers (and name=...) this hierarchy carries; v2: [] */
  controllers: string[];
}

export interface CgroupFacts {
  layout: CgroupLayout;
  hierarchies: CgroupHierarchy[];
}

const NOT_CONTROLLERS = new Set(['rw', 'ro', 'relatime', 'noatime', 'nosuid', 'nodev', 'noexec', 'clone_children', 'xattr', 'noprefix', 'cpuset_v2_mode']);
// One answer per mount table: ownMountTable returns the same frozen array until the table
// changes, and every create asks.
const factsOf = new WeakMap<readonly MountInfo[], CgroupFacts>();

/** The cgroup hierarchies `mounts` has, and the layout they make (frozen: shared by callers). */
export function cgroupFacts(mounts: readonly MountInfo[]): CgroupFacts {
  const known = factsOf.get(mounts);
  if (known) return known;
  const hierarchies: CgroupHierarchy[] = [];
  for (const m of mounts) {
    if (m.fstype === 'cgroup2') hierarchies.push({ version: 2, mountPoint: m.mountPoint, controllers: [] });
    if (m.fstype === 'cgroup') {
      const controllers = m.superOptions.filter((o) => !NOT_CONTROLLERS.has(o) && !o.startsWith('release_agent='));
      hierarchies.push({ version: 1, mountPoint: m.mountPoint, controllers });
    }
  }
  const v2root = hierarchies.find((h) => h.version === 2 && h.mountPoint === '/sys/fs/cgroup');
  const layout: CgroupLayout = v2root ? 'v2' : hierarchies.some((h) => h.version === 2) ? 'hybrid' : 'v1';
  for (const h of hierarchies) Object.freeze(Object.freeze(h).controllers);
  const facts: CgroupFacts = Object.freeze({ layout, hierarchies: Object.freeze(hierarchies) as CgroupHierarchy[] });
  factsOf.set(mounts, facts);
  return facts;
}

/** /proc/PID/cgroup: hierarchy id → path; v1 lines are keyed by their controller list. */
export function ownCgroups(pid: number | 'self' = 'self'): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (m) map.set(m[2] === '' ? '' : m[2]!, m[3]!);
  }
  return map;
}

let lsms: { apparmor: boolean; selinux: boolean } | undefined;
/** The LSMs the running kernel offers (what process.apparmorProfile / selinuxLabel need); fixed at boot. */
export function lsmFacts(): { apparmor: boolean; selinux: boolean } {
  lsms ??= { apparmor: existsSync('/sys/kernel/security/apparmor'), selinux: existsSync('/sys/fs/selinux/enforce') };
  return { ...lsms };
}

let lastCap: number | undefined;
/** The highest capability number the running kernel knows. */
export function kernelLastCap(): number {
  if (lastCap === undefined) {
    try {
      lastCap = Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8').trim());
    } catch {
      lastCap = 40; // CAP_CHECKPOINT_RESTORE, Linux 5.9+
    }
  }
  return lastCap;
}

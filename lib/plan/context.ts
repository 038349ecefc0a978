// Everything the plan builder needs besides the config: facts read from the host and resources
// opened by the lifecycle code. Keeping them here, as plain data, is what makes buildPlan pure.

import type { LinuxNamespaceType } from '../../spec/types.js';
import type { CgroupFacts } from '../host.js';
import type { LsmFacts } from './process-attrs.js';
import type { SeccompInstall } from './process.js';

export interface BindSource {
  /** absolute host path, relative sources already resolved against the bundle */
  path: string;
  isDirectory: boolean;
}

export interface PlanContext {
  id: string;
  /** absolute bundle directory */
  bundle: string;
  /** absolute, symlink-free rootfs path */
  rootfs: string;
  /** mount point of the mount holding the rootfs (made private so pivot_root accepts it) */
  rootfsParentMount: string;
  /** --no-pivot: chroot instead of pivot_root */
  noPivot: boolean;
  /** --no-new-keyring: keep the caller's session keyring */
  noNewKeyring: boolean;
  /** the caller is not root (the parent has no privileges beyond its own uid) */
  rootless: boolean;
  /** fds 3 .. 3+preserveFds-1 are handed to the container (--preserve-fds plus LISTEN_FDS) */
  preserveFds: number;
  /** listening socket the init waits on for `start` */
  startListenFd: number;
  /** fds opened on linux.namespaces[].path, by type */
  nsFds: Partial<Record<LinuxNamespaceType, number>>;
  /** resolved sources of bind mounts, by index in config.mounts */
  bindSources: Map<number, BindSource>;
  cgroups: CgroupFacts;
  /** the container's cgroup in each hierarchy, keyed like /proc/self/cgroup ("" for v2, "cpu" ... for
   * v1): its own when caisson makes one, else the caller's (the cgroup mount binds these) */
  cgroupPaths: Map<string, string>;
  /** /proc/sys/kernel/cap_last_cap */
  lastCap: number;
  /** /proc/kcore exists on the host (then /dev/core links to it, as runc does) */
  hostHasKcore: boolean;
  /** v1 and hybrid hosts: the init joins the v1 hierarchies itself, first thing, through these
   * fds of the container's `tasks` files (the cgroup2 one, if any, it is cloned into); empty on
   * pure v2 and without cgroups (rootless) */
  cgroupTaskFds: number[];
  /** which LSMs the kernel offers */
  lsm: LsmFacts;
  /** process.terminal: the socket that receives the pty master (connected --console-socket) */
  consoleFd?: number;
  /** fds (ours) that become the init's stdin, stdout and stderr; default: ours as they are */
  stdio?: [number, number, number];
  /** the compiled linux.seccomp filter for the init, and the socket its listener goes to */
  seccomp?: SeccompInstall;
}

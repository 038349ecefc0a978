// Gather the host facts and open the resources a plan refers to. The only I/O on the way from
// config to plan; buildPlan itself is pure.

import { closeSync, constants, existsSync, openSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, fromNodeError } from '../errors.js';
import { cgroupFacts, kernelLastCap, lsmFacts, mountPointOf, ownCgroups, ownMountTable } from '../host.js';
import type { LoadedBundle } from '../bundle.js';
import type { BindSource, PlanContext } from '../plan/context.js';
import { parseMountOptions } from '../plan/mount-options.js';
import type { LinuxNamespaceType } from '../../spec/types.js';

export interface ContextOptions {
  noPivot?: boolean;
  noNewKeyring?: boolean;
  preserveFds?: number;
  /** socket for the pty master when process.terminal is set */
  consoleFd?: number;
}

export interface GatheredContext {
  ctx: PlanContext;
  /** fds opened here, to close once the child has them */
  fds: number[];
}

export function gatherContext(id: string, b: LoadedBundle, opts: ContextOptions, startListenFd: number): GatheredContext {
  const fds: number[] = [];
  try {
    const nsFds: Partial<Record<LinuxNamespaceType, number>> = {};
    (b.spec.linux?.namespaces ?? []).forEach((ns, i) => {
      if (!ns.path) return;
      try {
        nsFds[ns.type] = openSync(ns.path, constants.O_RDONLY);
        fds.push(nsFds[ns.type]!);
      } catch (err) {
        throw new ConfigError(`$.linux.namespaces[${i}].path`, `cannot open namespace ${ns.path}: ${(err as Error).message}`);
      }
    });

    const bindSources = new Map<number, BindSource>();
    (b.spec.mounts ?? []).forEach((m, i) => {
      if (!parseMountOptions(m.options, `$.mounts[${i}].options`).bind) return;
      if (!m.source) throw new ConfigError(`$.mounts[${i}].source`, 'is required for a bind mount');
      const path = isAbsolute(m.source) ? m.source : resolve(b.bundle, m.source);
      try {
        bindSources.set(i, { path, isDirectory: statSync(path).isDirectory() });
      } catch {
        throw new ConfigError(`$.mounts[${i}].source`, `bind mount source ${path} does not exist`);
      }
    });

    const mounts = ownMountTable();
    const ctx: PlanContext = {
      id,
      bundle: b.bundle,
      rootfs: b.rootfs,
      rootfsParentMount: mountPointOf(b.rootfs, mounts),
      noPivot: !!opts.noPivot,
      noNewKeyring: !!opts.noNewKeyring,
      rootless: process.geteuid?.() !== 0,
      cgroupTaskFds: [],
      preserveFds: opts.preserveFds ?? 0,
      startListenFd,
      nsFds,
      bindSources,
      cgroups: cgroupFacts(mounts),
      cgroupPaths: ownCgroups(),
      lastCap: kernelLastCap(),
      hostHasKcore: existsSync('/proc/kcore'),
      lsm: lsmFacts(),
      consoleFd: opts.consoleFd,
    };
    return { ctx, fds };
  } catch (err) {
    for (const fd of fds) closeSync(fd);
    throw err instanceof ConfigError ? err : fromNodeError('prepare container', err);
  }
}

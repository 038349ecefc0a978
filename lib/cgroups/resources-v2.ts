// linux.resources → cgroup v2 files, with the conversions runc and crun use for the v1-style
// fields (shares → weight, blkio weight → io.weight, memory+swap → swap, ...). Pure.

import { ConfigError } from '../errors.js';
import type { LinuxResources } from '../../spec/types.js';
import { isUint64Max } from '../../spec/index.js';
import type { CgroupWrite } from './writes.js';
import { R } from './writes.js';

/** cpu.shares (2..262144) → cpu.weight (1..10000), the formula runc and crun share. */
export function sharesToWeight(shares: number): number {
  return Math.floor(1 + ((shares - 2) * 9999) / 262142);
}

/** blkio weight (10..1000) → io.weight (1..10000). */
export function blkioToIoWeight(weight: number): number {
  return Math.floor(1 + ((weight - 10) * 9999) / 990);
}

/**
 * v1's memory.memsw limit is memory + swap; v2's memory.swap.max is swap alone.
 * -1 stays unlimited; a swap limit below the memory limit is an error.
 */
export function swapToV2(swap: number, limit: number | undefined, path: string): string {
  if (swap === -1 || isUint64Max(swap)) return 'max';
  if (limit === undefined || limit === -1) {
    throw new ConfigError(path, 'a swap limit needs a memory limit (memory+swap is what it limits)');
  }
  if (swap < limit) throw new ConfigError(path, `memory+swap limit (${swap}) must be >= the memory limit (${limit})`);
  return String(swap - limit);
}

const max = (v: number) => (v === -1 || isUint64Max(v) ? 'max' : String(v));

export interface V2Notes {
  /** fields v2 has no equivalent for, ignored with a warning (as runc does) */
  ignored: string[];
}

/** Files whose controller is in `available` only; `ioWeightFile` is io.bfq.weight or io.weight. */
export function v2Writes(r: LinuxResources, opts: { ioWeightFile?: string } = {}, base = R): { writes: CgroupWrite[]; notes: V2Notes } {
  const w: CgroupWrite[] = [];
  const notes: V2Notes = { ignored: [] };
  const add = (controller: string, file: string, value: string, from: string, optional = false) => w.push({ controller, file, value, from: `${base}.${from}`, optional });
  const ignore = (from: string) => notes.ignored.push(`${base}.${from}`);

  const m = r.memory;
  if (m) {
    // 0 means unset for the memory limits, as runc reads them.
    if (m.limit) add('memory', 'memory.max', max(m.limit), 'memory.limit');
    if (m.swap) add('memory', 'memory.swap.max', swapToV2(m.swap, m.limit || undefined, `${base}.memory.swap`), 'memory.swap');
    if (m.reservation !== undefined) add('memory', 'memory.low', max(m.reservation), 'memory.reservation');
    if (m.kernel !== undefined) ignore('memory.kernel');
    if (m.kernelTCP !== undefined) ignore('memory.kernelTCP');
    if (m.swappiness !== undefined) ignore('memory.swappiness');
    if (m.disableOOMKiller) ignore('memory.disableOOMKiller');
  }

  const c = r.cpu;
  if (c) {
    if (c.shares !== undefined && c.shares !== 0) add('cpu', 'cpu.weight', String(sharesToWeight(c.shares)), 'cpu.shares');
    if ((c.quota !== undefined && c.quota !== 0) || (c.period !== undefined && c.period !== 0)) {
      const quota = c.quota === undefined || c.quota <= 0 ? 'max' : String(c.quota);
      add('cpu', 'cpu.max', c.period ? `${quota} ${c.period}` : quota, c.quota !== undefined ? 'cpu.quota' : 'cpu.period');
    }
    if (c.burst !== undefined) add('cpu', 'cpu.max.burst', String(c.burst), 'cpu.burst');
    if (c.realtimeRuntime || c.realtimePeriod) {
      throw new ConfigError(`${base}.cpu.${c.realtimeRuntime ? 'realtimeRuntime' : 'realtimePeriod'}`, 'realtime scheduling limits do not exist on cgroup v2');
    }
    if (c.idle !== undefined) add('cpu', 'cpu.idle', String(c.idle), 'cpu.idle');
    if (c.cpus) add('cpuset', 'cpuset.cpus', c.cpus, 'cpu.cpus');
    if (c.mems) add('cpuset', 'cpuset.mems', c.mems, 'cpu.mems');
  }

  if (r.pids && r.pids.limit !== undefined) add('pids', 'pids.max', r.pids.limit < 0 ? 'max' : String(r.pids.limit), 'pids.limit');

  const b = r.blockIO;
  if (b) {
    const bfq = opts.ioWeightFile === 'io.bfq.weight';
    const weight = (v: number) => String(bfq ? v : blkioToIoWeight(v));
    const file = opts.ioWeightFile ?? 'io.weight';
    if (b.weight !== undefined && b.weight !== 0) add('io', file, bfq ? weight(b.weight) : `default ${weight(b.weight)}`, 'blockIO.weight');
    if (b.leafWeight !== undefined) ignore('blockIO.leafWeight');
    (b.weightDevice ?? []).forEach((d, i) => {
      if (d.weight) add('io', file, `${d.major}:${d.minor} ${weight(d.weight)}`, `blockIO.weightDevice[${i}]`);
      if (d.leafWeight !== undefined) ignore(`blockIO.weightDevice[${i}].leafWeight`);
    });
    // io.max takes one line per device with any of rbps/wbps/riops/wiops.
    const limits = new Map<string, { parts: string[]; from: string }>();
    const throttle = [
      ['throttleReadBpsDevice', 'rbps'],
      ['throttleWriteBpsDevice', 'wbps'],
      ['throttleReadIOPSDevice', 'riops'],
      ['throttleWriteIOPSDevice', 'wiops'],
    ] as const;
    for (const [key, name] of throttle) {
      (b[key] ?? []).forEach((d, i) => {
        const dev = `${d.major}:${d.minor}`;
        const e = limits.get(dev) ?? { parts: [], from: `blockIO.${key}[${i}]` };
        e.parts.push(`${name}=${d.rate === 0 || isUint64Max(d.rate) ? 'max' : d.rate}`);
        limits.set(dev, e);
      });
    }
    for (const [dev, e] of limits) add('io', 'io.max', `${dev} ${e.parts.join(' ')}`, e.from);
  }

  // The reservation limit too, as runc 1.2 does (kernels before 5.7 lack it).
  (r.hugepageLimits ?? []).forEach((h, i) => {
    add('hugetlb', `hugetlb.${h.pageSize}.max`, max(h.limit), `hugepageLimits[${i}]`);
    add('hugetlb', `hugetlb.${h.pageSize}.rsvd.max`, max(h.limit), `hugepageLimits[${i}]`, true);
  });

  if (r.network && (r.network.classID !== undefined || r.network.priorities?.length)) {
    throw new ConfigError(`${base}.network`, 'net_cls and net_prio do not exist on cgroup v2');
  }

  for (const [dev, lim] of Object.entries(r.rdma ?? {})) {
    const parts = [lim.hcaHandles !== undefined && `hca_handle=${lim.hcaHandles}`, lim.hcaObjects !== undefined && `hca_object=${lim.hcaObjects}`].filter(Boolean);
    add('rdma', 'rdma.max', `${dev} ${parts.join(' ')}`, `rdma[${JSON.stringify(dev)}]`);
  }

  // Raw v2 files: the spec says write what we do not know; the controller is the name's prefix.
  for (const [key, value] of Object.entries(r.unified ?? {})) {
    if (!/^[a-z0-9_]+\.[A-Za-z0-9_.]+$/.test(key)) throw new ConfigError(`${base}.unified[${JSON.stringify(key)}]`, `"${key}" is not a cgroup v2 file name`);
    const controller = key.split('.')[0]!;
    add(controller === 'cgroup' ? '' : controller, key, value, `unified[${JSON.stringify(key)}]`);
  }
  return { writes: w, notes };
}

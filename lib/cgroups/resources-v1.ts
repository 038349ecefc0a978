// linux.resources → cgroup v1 files, as runc's fs drivers name them. Pure: the manager writes.

import { ConfigError } from '../errors.js';
import type { LinuxResources } from '../../spec/types.js';
import { isUint64Max } from '../../spec/index.js';
import type { CgroupWrite } from './writes.js';
import { R } from './writes.js';

const num = (v: number) => (isUint64Max(v) ? '-1' : String(v));

export function v1Writes(r: LinuxResources, base = R): CgroupWrite[] {
  const w: CgroupWrite[] = [];
  const add = (controller: string, file: string, value: string, from: string, optional = false) => w.push({ controller, file, value, from: `${base}.${from}`, optional });

  const m = r.memory;
  if (m) {
    // 0 means unset for the memory limits, as runc reads them.
    if (m.limit) add('memory', 'memory.limit_in_bytes', num(m.limit), 'memory.limit');
    if (m.swap) {
      if (m.limit && m.limit !== -1 && m.swap !== -1 && m.swap < m.limit) {
        throw new ConfigError(`${base}.memory.swap`, `memory+swap limit (${m.swap}) must be >= the memory limit (${m.limit})`);
      }
      add('memory', 'memory.memsw.limit_in_bytes', num(m.swap), 'memory.swap');
    }
    if (m.reservation !== undefined) add('memory', 'memory.soft_limit_in_bytes', num(m.reservation), 'memory.reservation');
    // Kernel memory accounting is gone from recent kernels: set it where it exists.
    if (m.kernel !== undefined) add('memory', 'memory.kmem.limit_in_bytes', num(m.kernel), 'memory.kernel', true);
    if (m.kernelTCP !== undefined) add('memory', 'memory.kmem.tcp.limit_in_bytes', num(m.kernelTCP), 'memory.kernelTCP', true);
    if (m.swappiness !== undefined) add('memory', 'memory.swappiness', String(m.swappiness), 'memory.swappiness');
    if (m.disableOOMKiller !== undefined) add('memory', 'memory.oom_control', m.disableOOMKiller ? '1' : '0', 'memory.disableOOMKiller');
    if (m.useHierarchy !== undefined) add('memory', 'memory.use_hierarchy', m.useHierarchy ? '1' : '0', 'memory.useHierarchy');
  }

  const c = r.cpu;
  if (c) {
    if (c.shares !== undefined && c.shares !== 0) add('cpu', 'cpu.shares', String(c.shares), 'cpu.shares');
    // The period first: a quota is checked against it.
    if (c.period !== undefined && c.period !== 0) add('cpu', 'cpu.cfs_period_us', String(c.period), 'cpu.period');
    if (c.quota !== undefined && c.quota !== 0) add('cpu', 'cpu.cfs_quota_us', String(c.quota), 'cpu.quota');
    if (c.burst !== undefined) add('cpu', 'cpu.cfs_burst_us', String(c.burst), 'cpu.burst');
    if (c.realtimePeriod !== undefined && c.realtimePeriod !== 0) add('cpu', 'cpu.rt_period_us', String(c.realtimePeriod), 'cpu.realtimePeriod');
    if (c.realtimeRuntime !== undefined && c.realtimeRuntime !== 0) add('cpu', 'cpu.rt_runtime_us', String(c.realtimeRuntime), 'cpu.realtimeRuntime');
    if (c.idle !== undefined) add('cpu', 'cpu.idle', String(c.idle), 'cpu.idle');
    if (c.cpus) add('cpuset', 'cpuset.cpus', c.cpus, 'cpu.cpus');
    if (c.mems) add('cpuset', 'cpuset.mems', c.mems, 'cpu.mems');
  }

  if (r.pids && r.pids.limit !== undefined) add('pids', 'pids.max', r.pids.limit < 0 ? 'max' : String(r.pids.limit), 'pids.limit');

  const b = r.blockIO;
  if (b) {
    // 0 means unset (the kernel refuses it), as runc reads it.
    if (b.weight) add('blkio', 'blkio.weight', String(b.weight), 'blockIO.weight');
    if (b.leafWeight) add('blkio', 'blkio.leaf_weight', String(b.leafWeight), 'blockIO.leafWeight');
    (b.weightDevice ?? []).forEach((d, i) => {
      if (d.weight !== undefined) add('blkio', 'blkio.weight_device', `${d.major}:${d.minor} ${d.weight}`, `blockIO.weightDevice[${i}]`);
      if (d.leafWeight !== undefined) add('blkio', 'blkio.leaf_weight_device', `${d.major}:${d.minor} ${d.leafWeight}`, `blockIO.weightDevice[${i}]`);
    });
    const throttle = [
      ['throttleReadBpsDevice', 'blkio.throttle.read_bps_device'],
      ['throttleWriteBpsDevice', 'blkio.throttle.write_bps_device'],
      ['throttleReadIOPSDevice', 'blkio.throttle.read_iops_device'],
      ['throttleWriteIOPSDevice', 'blkio.throttle.write_iops_device'],
    ] as const;
    for (const [key, file] of throttle) {
      // 0 is v1's "no limit"; uint64 max means the same and would not survive as a JS number.
      (b[key] ?? []).forEach((d, i) => add('blkio', file, `${d.major}:${d.minor} ${isUint64Max(d.rate) ? 0 : d.rate}`, `blockIO.${key}[${i}]`));
    }
  }

  // The reservation limit too, as runc 1.2 does (kernels before 5.7 lack it).
  (r.hugepageLimits ?? []).forEach((h, i) => {
    add('hugetlb', `hugetlb.${h.pageSize}.limit_in_bytes`, num(h.limit), `hugepageLimits[${i}]`);
    add('hugetlb', `hugetlb.${h.pageSize}.rsvd.limit_in_bytes`, num(h.limit), `hugepageLimits[${i}]`, true);
  });

  if (r.network) {
    if (r.network.classID !== undefined) add('net_cls', 'net_cls.classid', String(r.network.classID), 'network.classID');
    (r.network.priorities ?? []).forEach((p, i) => add('net_prio', 'net_prio.ifpriomap', `${p.name} ${p.priority}`, `network.priorities[${i}]`));
  }

  for (const [dev, lim] of Object.entries(r.rdma ?? {})) {
    const parts = [lim.hcaHandles !== undefined && `hca_handle=${lim.hcaHandles}`, lim.hcaObjects !== undefined && `hca_object=${lim.hcaObjects}`].filter(Boolean);
    add('rdma', 'rdma.max', `${dev} ${parts.join(' ')}`, `rdma[${JSON.stringify(dev)}]`);
  }

  if (r.unified && Object.keys(r.unified).length) {
    throw new ConfigError(`${base}.unified`, 'unified (cgroup v2) resources need a pure cgroup v2 host; this one uses cgroup v1 controllers');
  }
  return w;
}

// Stats as containerd's runc shim returns them: the cgroup counters as
// io.containerd.cgroups.v1.Metrics (v1 and hybrid hosts, where the v1 controllers hold the
// limits) or io.containerd.cgroups.v2.Metrics (pure v2), wrapped in an Any by type URL, which is
// how `ctr task metrics` and CRI tell them apart.

import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import type { Stats } from '../cgroups/stats.js';
import type { CgroupInfo } from '../api/container.js';
import { MetricsV1, MetricsV2 } from './proto/metrics.js';
import type { Any } from './proto/well-known.js';
import { anyOf } from './proto/well-known.js';

const num = (v: number | undefined) => v ?? 0;

function v1(s: Stats): Any {
  const raw = s.memory.raw ?? {};
  const r = (k: string) => raw[k] ?? 0;
  const entry = (e: Stats['memory']['usage'] | undefined) => e && { limit: e.limit, usage: num(e.usage), max: num(e.max), failcnt: e.failcnt };
  const blk = (list: Stats['blkio']['ioServiceBytesRecursive']) => (list ?? []).map((e) => ({ op: e.op, major: e.major, minor: e.minor, value: e.value }));
  return anyOf(MetricsV1, {
    hugetlb: Object.entries(s.hugetlb).map(([pagesize, h]) => ({ pagesize, usage: num(h.usage), max: num(h.max), failcnt: h.failcnt })),
    pids: { current: num(s.pids.current), limit: num(s.pids.limit) },
    cpu: {
      usage: { total: s.cpu.usage.total, kernel: s.cpu.usage.kernel, user: s.cpu.usage.user, perCpu: s.cpu.usage.percpu ?? [] },
      throttling: { periods: num(s.cpu.throttling?.periods), throttledPeriods: num(s.cpu.throttling?.throttledPeriods), throttledTime: num(s.cpu.throttling?.throttledTime) },
    },
    memory: {
      cache: r('cache'),
      rss: r('rss'),
      rssHuge: r('rss_huge'),
      mappedFile: r('mapped_file'),
      dirty: r('dirty'),
      writeback: r('writeback'),
      pgPgIn: r('pgpgin'),
      pgPgOut: r('pgpgout'),
      pgFault: r('pgfault'),
      pgMajFault: r('pgmajfault'),
      inactiveAnon: r('inactive_anon'),
      activeAnon: r('active_anon'),
      inactiveFile: r('inactive_file'),
      activeFile: r('active_file'),
      unevictable: r('unevictable'),
      hierarchicalMemoryLimit: r('hierarchical_memory_limit'),
      hierarchicalSwapLimit: r('hierarchical_memsw_limit'),
      totalCache: r('total_cache'),
      totalRss: r('total_rss'),
      totalRssHuge: r('total_rss_huge'),
      totalMappedFile: r('total_mapped_file'),
      totalDirty: r('total_dirty'),
      totalWriteback: r('total_writeback'),
      totalPgPgIn: r('total_pgpgin'),
      totalPgPgOut: r('total_pgpgout'),
      totalPgFault: r('total_pgfault'),
      totalPgMajFault: r('total_pgmajfault'),
      totalInactiveAnon: r('total_inactive_anon'),
      totalActiveAnon: r('total_active_anon'),
      totalInactiveFile: r('total_inactive_file'),
      totalActiveFile: r('total_active_file'),
      totalUnevictable: r('total_unevictable'),
      usage: entry(s.memory.usage),
      swap: entry(s.memory.swap),
      kernel: entry(s.memory.kernel),
    },
    blkio: { ioServiceBytesRecursive: blk(s.blkio.ioServiceBytesRecursive), ioServicedRecursive: blk(s.blkio.ioServicedRecursive) },
  });
}

function keyed(file: string): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [k, v] = line.split(/\s+/);
      if (k && v && /^\d+$/.test(v)) out[k] = Number(v);
    }
  } catch {
    /* controller not enabled */
  }
  return out;
}

function v2(s: Stats, dir: string): Any {
  const raw = s.memory.raw ?? {};
  const r = (k: string) => raw[k] ?? 0;
  const ev = keyed(posix.join(dir, 'memory.events'));
  const io = new Map<string, { major: number; minor: number; rbytes: number; wbytes: number; rios: number; wios: number }>();
  for (const [list, field] of [
    [s.blkio.ioServiceBytesRecursive, 'bytes'],
    [s.blkio.ioServicedRecursive, 'ios'],
  ] as const) {
    for (const e of list ?? []) {
      const k = `${e.major}:${e.minor}`;
      const d = io.get(k) ?? { major: e.major, minor: e.minor, rbytes: 0, wbytes: 0, rios: 0, wios: 0 };
      const key = `${e.op === 'Read' ? 'r' : 'w'}${field}` as 'rbytes';
      d[key] = e.value;
      io.set(k, d);
    }
  }
  return anyOf(MetricsV2, {
    pids: { current: num(s.pids.current), limit: num(s.pids.limit) },
    cpu: {
      usageUsec: Math.round(s.cpu.usage.total / 1000),
      userUsec: Math.round(s.cpu.usage.user / 1000),
      systemUsec: Math.round(s.cpu.usage.kernel / 1000),
      nrPeriods: num(s.cpu.throttling?.periods),
      nrThrottled: num(s.cpu.throttling?.throttledPeriods),
      throttledUsec: Math.round(num(s.cpu.throttling?.throttledTime) / 1000),
    },
    memory: {
      anon: r('anon'),
      file: r('file'),
      kernelStack: r('kernel_stack'),
      slab: r('slab'),
      sock: r('sock'),
      shmem: r('shmem'),
      fileMapped: r('file_mapped'),
      fileDirty: r('file_dirty'),
      fileWriteback: r('file_writeback'),
      anonThp: r('anon_thp'),
      inactiveAnon: r('inactive_anon'),
      activeAnon: r('active_anon'),
      inactiveFile: r('inactive_file'),
      activeFile: r('active_file'),
      unevictable: r('unevictable'),
      slabReclaimable: r('slab_reclaimable'),
      slabUnreclaimable: r('slab_unreclaimable'),
      pgfault: r('pgfault'),
      pgmajfault: r('pgmajfault'),
      workingsetRefault: r('workingset_refault'),
      workingsetActivate: r('workingset_activate'),
      workingsetNodereclaim: r('workingset_nodereclaim'),
      pgrefill: r('pgrefill'),
      pgscan: r('pgscan'),
      pgsteal: r('pgsteal'),
      pgactivate: r('pgactivate'),
      pgdeactivate: r('pgdeactivate'),
      pglazyfree: r('pglazyfree'),
      pglazyfreed: r('pglazyfreed'),
      thpFaultAlloc: r('thp_fault_alloc'),
      thpCollapseAlloc: r('thp_collapse_alloc'),
      usage: num(s.memory.usage.usage),
      usageLimit: s.memory.usage.limit,
      swapUsage: num(s.memory.swap?.usage),
      swapLimit: num(s.memory.swap?.limit),
      maxUsage: num(s.memory.usage.max),
    },
    io: { usage: [...io.values()] },
    hugetlb: Object.entries(s.hugetlb).map(([pagesize, h]) => ({ pagesize, current: num(h.usage), max: num(h.max) })),
    memoryEvents: { low: num(ev.low), high: num(ev.high), max: num(ev.max), oom: num(ev.oom), oomKill: num(ev.oom_kill) },
  });
}

export function metricsOf(stats: Stats, cgroup: CgroupInfo): Any {
  return cgroup.layout === 'v2' && cgroup.unified ? v2(stats, cgroup.unified) : v1(stats);
}

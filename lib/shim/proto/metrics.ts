// Cgroup metrics as containerd's runc shim returns them from Stats (containerd/cgroups
// stats/v1/metrics.proto and cgroup2/stats/metrics.proto); `ctr task metrics` decodes them by
// type URL. Only the messages whose values caisson reads are declared; the rest stay absent.

import { f, message } from './codec.js';

// ---- io.containerd.cgroups.v1 ----
const HugetlbStatV1 = message('io.containerd.cgroups.v1.HugetlbStat', { usage: f.uint64(1), max: f.uint64(2), failcnt: f.uint64(3), pagesize: f.string(4) });
const PidsStatV1 = message('io.containerd.cgroups.v1.PidsStat', { current: f.uint64(1), limit: f.uint64(2) });
const CPUUsageV1 = message('io.containerd.cgroups.v1.CPUUsage', { total: f.uint64(1), kernel: f.uint64(2), user: f.uint64(3), perCpu: f.repeated.uint64(4) });
const ThrottleV1 = message('io.containerd.cgroups.v1.Throttle', { periods: f.uint64(1), throttledPeriods: f.uint64(2), throttledTime: f.uint64(3) });
const CPUStatV1 = message('io.containerd.cgroups.v1.CPUStat', { usage: f.message(1, CPUUsageV1), throttling: f.message(2, ThrottleV1) });
const MemoryEntryV1 = message('io.containerd.cgroups.v1.MemoryEntry', { limit: f.uint64(1), usage: f.uint64(2), max: f.uint64(3), failcnt: f.uint64(4) });
const MemoryStatV1 = message('io.containerd.cgroups.v1.MemoryStat', {
  cache: f.uint64(1),
  rss: f.uint64(2),
  rssHuge: f.uint64(3),
  mappedFile: f.uint64(4),
  dirty: f.uint64(5),
  writeback: f.uint64(6),
  pgPgIn: f.uint64(7),
  pgPgOut: f.uint64(8),
  pgFault: f.uint64(9),
  pgMajFault: f.uint64(10),
  inactiveAnon: f.uint64(11),
  activeAnon: f.uint64(12),
  inactiveFile: f.uint64(13),
  activeFile: f.uint64(14),
  unevictable: f.uint64(15),
  hierarchicalMemoryLimit: f.uint64(16),
  hierarchicalSwapLimit: f.uint64(17),
  totalCache: f.uint64(18),
  totalRss: f.uint64(19),
  totalRssHuge: f.uint64(20),
  totalMappedFile: f.uint64(21),
  totalDirty: f.uint64(22),
  totalWriteback: f.uint64(23),
  totalPgPgIn: f.uint64(24),
  totalPgPgOut: f.uint64(25),
  totalPgFault: f.uint64(26),
  totalPgMajFault: f.uint64(27),
  totalInactiveAnon: f.uint64(28),
  totalActiveAnon: f.uint64(29),
  totalInactiveFile: f.uint64(30),
  totalActiveFile: f.uint64(31),
  totalUnevictable: f.uint64(32),
  usage: f.message(33, MemoryEntryV1),
  swap: f.message(34, MemoryEntryV1),
  kernel: f.message(35, MemoryEntryV1),
  kernelTcp: f.message(36, MemoryEntryV1),
});
const BlkIOEntryV1 = message('io.containerd.cgroups.v1.BlkIOEntry', { op: f.string(1), device: f.string(2), major: f.uint64(3), minor: f.uint64(4), value: f.uint64(5) });
const BlkIOStatV1 = message('io.containerd.cgroups.v1.BlkIOStat', {
  ioServiceBytesRecursive: f.repeated.message(1, BlkIOEntryV1),
  ioServicedRecursive: f.repeated.message(2, BlkIOEntryV1),
});
const MemoryOomControlV1 = message('io.containerd.cgroups.v1.MemoryOomControl', { oomKillDisable: f.uint64(1), underOom: f.uint64(2), oomKill: f.uint64(3) });

export const MetricsV1 = message('io.containerd.cgroups.v1.Metrics', {
  hugetlb: f.repeated.message(1, HugetlbStatV1),
  pids: f.message(2, PidsStatV1),
  cpu: f.message(3, CPUStatV1),
  memory: f.message(4, MemoryStatV1),
  blkio: f.message(5, BlkIOStatV1),
  memoryOomControl: f.message(9, MemoryOomControlV1),
});
export type MetricsV1 = ReturnType<typeof MetricsV1.decode>;

// ---- io.containerd.cgroups.v2 ----
const PidsStatV2 = message('io.containerd.cgroups.v2.PidsStat', { current: f.uint64(1), limit: f.uint64(2) });
const CPUStatV2 = message('io.containerd.cgroups.v2.CPUStat', {
  usageUsec: f.uint64(1),
  userUsec: f.uint64(2),
  systemUsec: f.uint64(3),
  nrPeriods: f.uint64(4),
  nrThrottled: f.uint64(5),
  throttledUsec: f.uint64(6),
});
const MemoryStatV2 = message('io.containerd.cgroups.v2.MemoryStat', {
  anon: f.uint64(1),
  file: f.uint64(2),
  kernelStack: f.uint64(3),
  slab: f.uint64(4),
  sock: f.uint64(5),
  shmem: f.uint64(6),
  fileMapped: f.uint64(7),
  fileDirty: f.uint64(8),
  fileWriteback: f.uint64(9),
  anonThp: f.uint64(10),
  inactiveAnon: f.uint64(11),
  activeAnon: f.uint64(12),
  inactiveFile: f.uint64(13),
  activeFile: f.uint64(14),
  unevictable: f.uint64(15),
  slabReclaimable: f.uint64(16),
  slabUnreclaimable: f.uint64(17),
  pgfault: f.uint64(18),
  pgmajfault: f.uint64(19),
  workingsetRefault: f.uint64(20),
  workingsetActivate: f.uint64(21),
  workingsetNodereclaim: f.uint64(22),
  pgrefill: f.uint64(23),
  pgscan: f.uint64(24),
  pgsteal: f.uint64(25),
  pgactivate: f.uint64(26),
  pgdeactivate: f.uint64(27),
  pglazyfree: f.uint64(28),
  pglazyfreed: f.uint64(29),
  thpFaultAlloc: f.uint64(30),
  thpCollapseAlloc: f.uint64(31),
  usage: f.uint64(32),
  usageLimit: f.uint64(33),
  swapUsage: f.uint64(34),
  swapLimit: f.uint64(35),
  maxUsage: f.uint64(36),
  swapMaxUsage: f.uint64(37),
});
const MemoryEventsV2 = message('io.containerd.cgroups.v2.MemoryEvents', { low: f.uint64(1), high: f.uint64(2), max: f.uint64(3), oom: f.uint64(4), oomKill: f.uint64(5) });
const IOEntryV2 = message('io.containerd.cgroups.v2.IOEntry', { major: f.uint64(1), minor: f.uint64(2), rbytes: f.uint64(3), wbytes: f.uint64(4), rios: f.uint64(5), wios: f.uint64(6) });
const IOStatV2 = message('io.containerd.cgroups.v2.IOStat', { usage: f.repeated.message(1, IOEntryV2) });
const HugeTlbStatV2 = message('io.containerd.cgroups.v2.HugeTlbStat', { current: f.uint64(1), max: f.uint64(2), pagesize: f.string(3) });

export const MetricsV2 = message('io.containerd.cgroups.v2.Metrics', {
  pids: f.message(1, PidsStatV2),
  cpu: f.message(2, CPUStatV2),
  memory: f.message(4, MemoryStatV2),
  io: f.message(6, IOStatV2),
  hugetlb: f.repeated.message(7, HugeTlbStatV2),
  memoryEvents: f.message(8, MemoryEventsV2),
});
export type MetricsV2 = ReturnType<typeof MetricsV2.decode>;

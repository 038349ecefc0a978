// Container statistics in the shape runc prints for `events --stats` (types/events.go), read from
// the container's cgroups on v1 or v2.

import { readFileSync, readdirSync } from 'node:fs';
import { posix } from 'node:path';
import type { CgroupManager } from './manager.js';
import { v1Dir } from './paths.js';

export interface BlkioEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

export interface Stats {
  cpu: {
    usage: { total: number; percpu?: number[]; percpu_kernel?: number[]; percpu_user?: number[]; kernel: number; user: number };
    throttling?: { periods?: number; throttledPeriods?: number; throttledTime?: number };
  };
  memory: {
    cache?: number;
    usage: { limit: number; usage?: number; max?: number; failcnt: number };
    swap?: { limit: number; usage?: number; max?: number; failcnt: number };
    kernel?: { limit: number; usage?: number; max?: number; failcnt: number };
    raw?: Record<string, number>;
  };
  pids: { current?: number; limit?: number };
  blkio: { ioServiceBytesRecursive?: BlkioEntry[]; ioServicedRecursive?: BlkioEntry[] };
  hugetlb: Record<string, { usage?: number; max?: number; failcnt: number }>;
}

const UNLIMITED = 18446744073709551615; // what runc reports for "max"

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}
const n = (s: string | undefined): number | undefined => (s === undefined || s === '' ? undefined : s === 'max' ? UNLIMITED : Number(s));

/** "key value" lines as a map. */
function keyed(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.split(/\s+/);
    if (k && v !== undefined && /^\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

function v1Stats(mgr: CgroupManager): Stats {
  const at = (ctrl: string, file: string) => {
    const d = v1Dir(mgr.place, ctrl);
    return d ? read(posix.join(d.dir, file)) : undefined;
  };
  const percpu = (at('cpuacct', 'cpuacct.usage_percpu') ?? '').split(/\s+/).filter(Boolean).map(Number);
  const cpuStat = keyed(at('cpuacct', 'cpuacct.stat'));
  const ticks = 1e9 / 100; // USER_HZ: cpuacct.stat counts clock ticks
  const throttle = keyed(at('cpu', 'cpu.stat'));
  const mstat = keyed(at('memory', 'memory.stat'));
  const mem = (prefix: string) => ({
    limit: n(at('memory', `${prefix}limit_in_bytes`)) ?? 0,
    usage: n(at('memory', `${prefix}usage_in_bytes`)),
    max: n(at('memory', `${prefix}max_usage_in_bytes`)),
    failcnt: n(at('memory', `${prefix}failcnt`)) ?? 0,
  });
  const blk = (file: string): BlkioEntry[] =>
    (at('blkio', file) ?? '')
      .split('\n')
      .map((l) => l.split(/\s+/))
      .filter((f) => f.length === 3 && f[0]!.includes(':'))
      .map(([dev, op, v]) => ({ major: Number(dev!.split(':')[0]), minor: Number(dev!.split(':')[1]), op: op!, value: Number(v) }));
  return {
    cpu: {
      usage: {
        total: n(at('cpuacct', 'cpuacct.usage')) ?? 0,
        percpu,
        kernel: (cpuStat.system ?? 0) * ticks,
        user: (cpuStat.user ?? 0) * ticks,
      },
      throttling: { periods: throttle.nr_periods, throttledPeriods: throttle.nr_throttled, throttledTime: throttle.throttled_time },
    },
    memory: {
      cache: mstat.total_cache ?? mstat.cache,
      usage: mem('memory.'),
      swap: mem('memory.memsw.'),
      kernel: mem('memory.kmem.'),
      raw: mstat,
    },
    pids: { current: n(at('pids', 'pids.current')), limit: n(at('pids', 'pids.max')) },
    blkio: { ioServiceBytesRecursive: blk('blkio.throttle.io_service_bytes_recursive'), ioServicedRecursive: blk('blkio.throttle.io_serviced_recursive') },
    hugetlb: hugetlbStats(mgr),
  };
}

/**
 * Per page size: from a v1 hugetlb hierarchy (hugetlb.<size>.usage_in_bytes, max_usage_in_bytes,
 * failcnt), or, where hugetlb lives in the cgroup2 tree (a hybrid host), from there.
 */
function hugetlbStats(mgr: CgroupManager): Stats['hugetlb'] {
  const d = v1Dir(mgr.place, 'hugetlb');
  if (!d) return mgr.place.v2 ? hugetlbV2(mgr.place.v2.dir) : {};
  const out: Stats['hugetlb'] = {};
  const at = (f: string) => read(posix.join(d.dir, f));
  for (const f of readdirSafe(d.dir)) {
    const m = /^hugetlb\.(\d+[KMG]B)\.usage_in_bytes$/.exec(f);
    if (m) out[m[1]!] = { usage: n(at(f)), max: n(at(`hugetlb.${m[1]}.max_usage_in_bytes`)), failcnt: n(at(`hugetlb.${m[1]}.failcnt`)) ?? 0 };
  }
  return out;
}

function hugetlbV2(dir: string): Stats['hugetlb'] {
  const out: Stats['hugetlb'] = {};
  const at = (f: string) => read(posix.join(dir, f));
  for (const f of readdirSafe(dir)) {
    const m = /^hugetlb\.(\d+[KMG]B)\.current$/.exec(f);
    if (m) out[m[1]!] = { usage: n(at(f)), max: n(at(`hugetlb.${m[1]}.max`)), failcnt: keyed(at(`hugetlb.${m[1]}.events`)).max ?? 0 };
  }
  return out;
}

function v2Stats(mgr: CgroupManager): Stats {
  const dir = mgr.place.v2!.dir;
  const at = (file: string) => read(posix.join(dir, file));
  const cpu = keyed(at('cpu.stat'));
  const mstat = keyed(at('memory.stat'));
  const events = keyed(at('memory.events'));
  const io: BlkioEntry[] = [];
  const ios: BlkioEntry[] = [];
  for (const line of (at('io.stat') ?? '').split('\n')) {
    const [dev, ...kv] = line.split(/\s+/);
    if (!dev?.includes(':')) continue;
    const [major, minor] = dev.split(':').map(Number) as [number, number];
    const f = Object.fromEntries(kv.map((x) => x.split('=') as [string, string]));
    io.push({ major, minor, op: 'Read', value: Number(f.rbytes ?? 0) }, { major, minor, op: 'Write', value: Number(f.wbytes ?? 0) });
    ios.push({ major, minor, op: 'Read', value: Number(f.rios ?? 0) }, { major, minor, op: 'Write', value: Number(f.wios ?? 0) });
  }
  const hugetlb = hugetlbV2(dir);
  return {
    cpu: {
      usage: { total: (cpu.usage_usec ?? 0) * 1000, kernel: (cpu.system_usec ?? 0) * 1000, user: (cpu.user_usec ?? 0) * 1000 },
      throttling: { periods: cpu.nr_periods, throttledPeriods: cpu.nr_throttled, throttledTime: cpu.throttled_usec !== undefined ? cpu.throttled_usec * 1000 : undefined },
    },
    memory: {
      cache: mstat.file,
      usage: { limit: n(at('memory.max')) ?? 0, usage: n(at('memory.current')), max: n(at('memory.peak')), failcnt: events.max ?? 0 },
      swap: { limit: n(at('memory.swap.max')) ?? 0, usage: n(at('memory.swap.current')), failcnt: events.max ?? 0 },
      raw: mstat,
    },
    pids: { current: n(at('pids.current')), limit: n(at('pids.max')) },
    blkio: { ioServiceBytesRecursive: io, ioServicedRecursive: ios },
    hugetlb,
  };
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export function readStats(mgr: CgroupManager): Stats {
  return mgr.rec.layout === 'v2' ? v2Stats(mgr) : v1Stats(mgr);
}

/** The OOM-kill count so far: memory.events on v2, memory.oom_control on v1. */
export function oomKills(mgr: CgroupManager): number {
  if (mgr.rec.layout === 'v2') return keyed(read(posix.join(mgr.place.v2!.dir, 'memory.events'))).oom_kill ?? 0;
  const d = v1Dir(mgr.place, 'memory');
  return d ? (keyed(read(posix.join(d.dir, 'memory.oom_control'))).oom_kill ?? 0) : 0;
}

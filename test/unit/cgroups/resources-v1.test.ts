// lib/cgroups/resources-v1.ts: linux.resources → cgroup v1 file writes (controller, file,
// value, and the JSON path the value came from). Pure: nothing here touches a cgroup.

import { describe, expect, it } from 'vitest';
import { v1Writes } from '../../../lib/cgroups/resources-v1.js';
import type { CgroupWrite } from '../../../lib/cgroups/writes.js';
import type { LinuxResources } from '../../../spec/types.js';
import { errorOf } from '../plan/fixtures.js';

const R = '$.linux.resources';
/** 18446744073709551615 as JSON.parse delivers it (2^64). */
const UINT64_MAX: number = JSON.parse('18446744073709551615');

type Row = [controller: string, file: string, value: string, from: string];
const rows = (ws: CgroupWrite[]): Row[] => ws.map((w) => [w.controller, w.file, w.value, w.from]);
const mem = (file: string, value: string, from: string): Row => ['memory', file, value, `${R}.memory.${from}`];
const cpu = (file: string, value: string, from: string): Row => ['cpu', file, value, `${R}.cpu.${from}`];
const blkio = (file: string, value: string, from: string): Row => ['blkio', file, value, `${R}.blockIO.${from}`];

describe('v1Writes: one field at a time', () => {
  it.each<[string, LinuxResources, Row[]]>([
    ['nothing set', {}, []],
    ['empty groups', { memory: {}, cpu: {}, blockIO: {}, network: {}, hugepageLimits: [], rdma: {}, unified: {} }, []],
    ['devices are not resource files', { devices: [{ allow: false, access: 'rwm' }] }, []],

    // memory
    ['memory.limit', { memory: { limit: 2 ** 30 } }, [mem('memory.limit_in_bytes', '1073741824', 'limit')]],
    ['memory.limit -1', { memory: { limit: -1 } }, [mem('memory.limit_in_bytes', '-1', 'limit')]],
    ['memory.limit uint64 max', { memory: { limit: UINT64_MAX } }, [mem('memory.limit_in_bytes', '-1', 'limit')]],
    ['memory.reservation', { memory: { reservation: 512 * 2 ** 20 } }, [mem('memory.soft_limit_in_bytes', '536870912', 'reservation')]],
    ['memory.reservation -1', { memory: { reservation: -1 } }, [mem('memory.soft_limit_in_bytes', '-1', 'reservation')]],
    ['memory.reservation uint64 max', { memory: { reservation: UINT64_MAX } }, [mem('memory.soft_limit_in_bytes', '-1', 'reservation')]],
    ['memory.swap alone', { memory: { swap: 300 } }, [mem('memory.memsw.limit_in_bytes', '300', 'swap')]],
    ['memory.swap -1', { memory: { swap: -1 } }, [mem('memory.memsw.limit_in_bytes', '-1', 'swap')]],
    ['memory.swap uint64 max', { memory: { swap: UINT64_MAX } }, [mem('memory.memsw.limit_in_bytes', '-1', 'swap')]],
    ['memory.swappiness', { memory: { swappiness: 60 } }, [mem('memory.swappiness', '60', 'swappiness')]],
    ['memory.swappiness 0', { memory: { swappiness: 0 } }, [mem('memory.swappiness', '0', 'swappiness')]],
    ['memory.disableOOMKiller true', { memory: { disableOOMKiller: true } }, [mem('memory.oom_control', '1', 'disableOOMKiller')]],
    ['memory.disableOOMKiller false', { memory: { disableOOMKiller: false } }, [mem('memory.oom_control', '0', 'disableOOMKiller')]],
    ['memory.useHierarchy true', { memory: { useHierarchy: true } }, [mem('memory.use_hierarchy', '1', 'useHierarchy')]],
    ['memory.useHierarchy false', { memory: { useHierarchy: false } }, [mem('memory.use_hierarchy', '0', 'useHierarchy')]],
    ['memory.checkBeforeUpdate is not a file', { memory: { checkBeforeUpdate: true } }, []],

    // cpu
    ['cpu.shares', { cpu: { shares: 512 } }, [cpu('cpu.shares', '512', 'shares')]],
    ['cpu.shares 0 is unset', { cpu: { shares: 0 } }, []],
    ['cpu.quota', { cpu: { quota: 50000 } }, [cpu('cpu.cfs_quota_us', '50000', 'quota')]],
    ['cpu.quota -1', { cpu: { quota: -1 } }, [cpu('cpu.cfs_quota_us', '-1', 'quota')]],
    ['cpu.quota 0 is unset', { cpu: { quota: 0 } }, []],
    ['cpu.period', { cpu: { period: 100000 } }, [cpu('cpu.cfs_period_us', '100000', 'period')]],
    ['cpu.period 0 is unset', { cpu: { period: 0 } }, []],
    ['cpu.burst', { cpu: { burst: 20000 } }, [cpu('cpu.cfs_burst_us', '20000', 'burst')]],
    ['cpu.burst 0 (a real value: no burst)', { cpu: { burst: 0 } }, [cpu('cpu.cfs_burst_us', '0', 'burst')]],
    ['cpu.realtimePeriod', { cpu: { realtimePeriod: 1000000 } }, [cpu('cpu.rt_period_us', '1000000', 'realtimePeriod')]],
    ['cpu.realtimeRuntime', { cpu: { realtimeRuntime: 950000 } }, [cpu('cpu.rt_runtime_us', '950000', 'realtimeRuntime')]],
    ['cpu.realtimeRuntime -1', { cpu: { realtimeRuntime: -1 } }, [cpu('cpu.rt_runtime_us', '-1', 'realtimeRuntime')]],
    ['cpu realtime 0s are unset', { cpu: { realtimePeriod: 0, realtimeRuntime: 0 } }, []],
    ['cpu.idle 1', { cpu: { idle: 1 } }, [cpu('cpu.idle', '1', 'idle')]],
    ['cpu.idle 0', { cpu: { idle: 0 } }, [cpu('cpu.idle', '0', 'idle')]],
    ['cpu.cpus → cpuset', { cpu: { cpus: '0-3,7' } }, [['cpuset', 'cpuset.cpus', '0-3,7', `${R}.cpu.cpus`]]],
    ['cpu.mems → cpuset', { cpu: { mems: '0' } }, [['cpuset', 'cpuset.mems', '0', `${R}.cpu.mems`]]],
    ['empty cpus/mems are unset', { cpu: { cpus: '', mems: '' } }, []],

    // pids
    ['pids.limit', { pids: { limit: 100 } }, [['pids', 'pids.max', '100', `${R}.pids.limit`]]],
    ['pids.limit -1 → max', { pids: { limit: -1 } }, [['pids', 'pids.max', 'max', `${R}.pids.limit`]]],
    ['pids.limit 0 is a real limit', { pids: { limit: 0 } }, [['pids', 'pids.max', '0', `${R}.pids.limit`]]],

    // blkio
    ['blockIO.weight', { blockIO: { weight: 500 } }, [blkio('blkio.weight', '500', 'weight')]],
    ['blockIO.leafWeight', { blockIO: { leafWeight: 300 } }, [blkio('blkio.leaf_weight', '300', 'leafWeight')]],
    [
      'blockIO.weightDevice: weight then leaf weight per device',
      {
        blockIO: {
          weightDevice: [
            { major: 8, minor: 0, weight: 100, leafWeight: 50 },
            { major: 8, minor: 16, weight: 200 },
            { major: 259, minor: 1, leafWeight: 70 },
          ],
        },
      },
      [
        blkio('blkio.weight_device', '8:0 100', 'weightDevice[0]'),
        blkio('blkio.leaf_weight_device', '8:0 50', 'weightDevice[0]'),
        blkio('blkio.weight_device', '8:16 200', 'weightDevice[1]'),
        blkio('blkio.leaf_weight_device', '259:1 70', 'weightDevice[2]'),
      ],
    ],
    [
      'blockIO throttles, each list in order',
      {
        blockIO: {
          throttleReadBpsDevice: [
            { major: 8, minor: 0, rate: 1048576 },
            { major: 8, minor: 16, rate: 2097152 },
          ],
          throttleWriteBpsDevice: [{ major: 8, minor: 0, rate: 524288 }],
          throttleReadIOPSDevice: [{ major: 8, minor: 0, rate: 1000 }],
          throttleWriteIOPSDevice: [{ major: 8, minor: 0, rate: 0 }],
        },
      },
      [
        blkio('blkio.throttle.read_bps_device', '8:0 1048576', 'throttleReadBpsDevice[0]'),
        blkio('blkio.throttle.read_bps_device', '8:16 2097152', 'throttleReadBpsDevice[1]'),
        blkio('blkio.throttle.write_bps_device', '8:0 524288', 'throttleWriteBpsDevice[0]'),
        blkio('blkio.throttle.read_iops_device', '8:0 1000', 'throttleReadIOPSDevice[0]'),
        // 0 is v1's "no limit for this device"
        blkio('blkio.throttle.write_iops_device', '8:0 0', 'throttleWriteIOPSDevice[0]'),
      ],
    ],

    // hugetlb
    [
      'hugepageLimits',
      {
        hugepageLimits: [
          { pageSize: '2MB', limit: 2 ** 30 },
          { pageSize: '1GB', limit: 0 },
          { pageSize: '64KB', limit: 65536 },
        ],
      },
      [
        ['hugetlb', 'hugetlb.2MB.limit_in_bytes', '1073741824', `${R}.hugepageLimits[0]`],
        ['hugetlb', 'hugetlb.2MB.rsvd.limit_in_bytes', '1073741824', `${R}.hugepageLimits[0]`],
        ['hugetlb', 'hugetlb.1GB.limit_in_bytes', '0', `${R}.hugepageLimits[1]`],
        ['hugetlb', 'hugetlb.1GB.rsvd.limit_in_bytes', '0', `${R}.hugepageLimits[1]`],
        ['hugetlb', 'hugetlb.64KB.limit_in_bytes', '65536', `${R}.hugepageLimits[2]`],
        ['hugetlb', 'hugetlb.64KB.rsvd.limit_in_bytes', '65536', `${R}.hugepageLimits[2]`],
      ],
    ],

    // net_cls / net_prio
    ['network.classID', { network: { classID: 0x100001 } }, [['net_cls', 'net_cls.classid', '1048577', `${R}.network.classID`]]],
    ['network.classID 0', { network: { classID: 0 } }, [['net_cls', 'net_cls.classid', '0', `${R}.network.classID`]]],
    [
      'network.priorities',
      {
        network: {
          priorities: [
            { name: 'eth0', priority: 5 },
            { name: 'lo', priority: 0 },
          ],
        },
      },
      [
        ['net_prio', 'net_prio.ifpriomap', 'eth0 5', `${R}.network.priorities[0]`],
        ['net_prio', 'net_prio.ifpriomap', 'lo 0', `${R}.network.priorities[1]`],
      ],
    ],

    // rdma
    [
      'rdma, one line per device',
      { rdma: { mlx5_1: { hcaHandles: 3, hcaObjects: 10000 }, mlx4_0: { hcaObjects: 5 }, 'dev 2': { hcaHandles: 0 } } },
      [
        ['rdma', 'rdma.max', 'mlx5_1 hca_handle=3 hca_object=10000', `${R}.rdma["mlx5_1"]`],
        ['rdma', 'rdma.max', 'mlx4_0 hca_object=5', `${R}.rdma["mlx4_0"]`],
        ['rdma', 'rdma.max', 'dev 2 hca_handle=0', `${R}.rdma["dev 2"]`],
      ],
    ],
  ])('%s', (_, resources, expected) => {
    expect(rows(v1Writes(resources))).toEqual(expected);
  });
});

describe('v1Writes: memory and swap', () => {
  it.each<[string, { limit?: number; swap?: number }, string[]]>([
    ['limit, then memory+swap', { limit: 100, swap: 300 }, ['memory.limit_in_bytes=100', 'memory.memsw.limit_in_bytes=300']],
    ['swap equal to the limit (no swap at all)', { limit: 100, swap: 100 }, ['memory.limit_in_bytes=100', 'memory.memsw.limit_in_bytes=100']],
    ['unlimited swap over a limit', { limit: 100, swap: -1 }, ['memory.limit_in_bytes=100', 'memory.memsw.limit_in_bytes=-1']],
    ['any swap over an unlimited memory', { limit: -1, swap: 10 }, ['memory.limit_in_bytes=-1', 'memory.memsw.limit_in_bytes=10']],
    ['both unlimited', { limit: -1, swap: -1 }, ['memory.limit_in_bytes=-1', 'memory.memsw.limit_in_bytes=-1']],
  ])('%s', (_, memory, expected) => {
    expect(v1Writes({ memory }).map((w) => `${w.file}=${w.value}`)).toEqual(expected);
  });

  it.each([
    [99, 100],
    [1, 2],
    [2 ** 20, 2 ** 30],
  ])('memory+swap %d below the limit %d is a ConfigError at memory.swap', (swap, limit) => {
    const e = errorOf(() => v1Writes({ memory: { limit, swap } }));
    expect(e.path).toBe(`${R}.memory.swap`);
    expect(e.rule).toContain(String(swap));
    expect(e.rule).toContain(String(limit));
  });

  it('a memory or swap limit of 0 means unset, as runc reads it', () => {
    expect(v1Writes({ memory: { limit: 0, swap: 0 } })).toEqual([]);
  });

  it('kernel memory files are optional (gone from recent kernels); the others are not', () => {
    const ws = v1Writes({ memory: { limit: 100, kernel: 50, kernelTCP: -1, reservation: 10, swappiness: 0 } });
    expect(ws.map((w) => [w.file, w.value, w.from, w.optional])).toEqual([
      ['memory.limit_in_bytes', '100', `${R}.memory.limit`, false],
      ['memory.soft_limit_in_bytes', '10', `${R}.memory.reservation`, false],
      ['memory.kmem.limit_in_bytes', '50', `${R}.memory.kernel`, true],
      ['memory.kmem.tcp.limit_in_bytes', '-1', `${R}.memory.kernelTCP`, true],
      ['memory.swappiness', '0', `${R}.memory.swappiness`, false],
    ]);
  });

  it('kernel memory uint64 max is -1', () => {
    expect(v1Writes({ memory: { kernel: UINT64_MAX, kernelTCP: UINT64_MAX } }).map((w) => w.value)).toEqual(['-1', '-1']);
  });
});

describe('v1Writes: cpu ordering', () => {
  it('writes the period before the quota, whatever the object order', () => {
    const ws = v1Writes({ cpu: { quota: 50000, period: 100000 } });
    expect(rows(ws)).toEqual([cpu('cpu.cfs_period_us', '100000', 'period'), cpu('cpu.cfs_quota_us', '50000', 'quota')]);
  });

  it('every cpu file, in order', () => {
    const ws = v1Writes({
      cpu: { idle: 0, mems: '0-1', cpus: '2', realtimeRuntime: 900, realtimePeriod: 1000, burst: 10, quota: 20, period: 30, shares: 40 },
    });
    expect(ws.map((w) => `${w.controller}/${w.file}=${w.value}`)).toEqual([
      'cpu/cpu.shares=40',
      'cpu/cpu.cfs_period_us=30',
      'cpu/cpu.cfs_quota_us=20',
      'cpu/cpu.cfs_burst_us=10',
      'cpu/cpu.rt_period_us=1000',
      'cpu/cpu.rt_runtime_us=900',
      'cpu/cpu.idle=0',
      'cpuset/cpuset.cpus=2',
      'cpuset/cpuset.mems=0-1',
    ]);
  });
});

describe('v1Writes: a whole resources object', () => {
  it('groups come out memory, cpu, cpuset, pids, blkio, hugetlb, net_cls, net_prio, rdma', () => {
    const ws = v1Writes({
      rdma: { mlx5_1: { hcaHandles: 1 } },
      network: { classID: 1, priorities: [{ name: 'eth0', priority: 1 }] },
      hugepageLimits: [{ pageSize: '2MB', limit: 0 }],
      blockIO: { weight: 10 },
      pids: { limit: 1 },
      cpu: { shares: 2, cpus: '0' },
      memory: { limit: 1 },
    });
    expect(ws.map((w) => w.controller)).toEqual(['memory', 'cpu', 'cpuset', 'pids', 'blkio', 'hugetlb', 'hugetlb', 'net_cls', 'net_prio', 'rdma']);
    // only the hugetlb reservation limit may be missing (kernels before 5.7)
    expect(ws.filter((w) => w.optional).map((w) => w.file)).toEqual(['hugetlb.2MB.rsvd.limit_in_bytes']);
    expect(ws.every((w) => w.from.startsWith(`${R}.`))).toBe(true);
  });
});

describe('v1Writes: unified', () => {
  it('is refused: v1 controllers cannot take raw v2 files', () => {
    const e = errorOf(() => v1Writes({ unified: { 'memory.high': '1G' } }));
    expect(e.path).toBe(`${R}.unified`);
    expect(e.rule).toContain('cgroup v2');
  });

  it('an empty unified map is fine', () => {
    expect(v1Writes({ unified: {}, pids: { limit: 1 } })).toHaveLength(1);
  });
});

describe('v1Writes: a custom base path', () => {
  // `update --resources` documents are rooted at "$".
  it('is used in every `from`', () => {
    const ws = v1Writes(
      {
        memory: { limit: 1 },
        pids: { limit: 2 },
        blockIO: { throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 3 }] },
        hugepageLimits: [{ pageSize: '2MB', limit: 4 }],
        rdma: { d: { hcaObjects: 5 } },
      },
      '$',
    );
    expect(ws.map((w) => w.from)).toEqual(['$.memory.limit', '$.pids.limit', '$.blockIO.throttleReadBpsDevice[0]', '$.hugepageLimits[0]', '$.hugepageLimits[0]', '$.rdma["d"]']);
  });

  it('and in the errors', () => {
    expect(errorOf(() => v1Writes({ memory: { limit: 2, swap: 1 } }, '$')).path).toBe('$.memory.swap');
    expect(errorOf(() => v1Writes({ unified: { 'cpu.max': 'max' } }, '$.x')).path).toBe('$.x.unified');
  });
});

describe('v1Writes: known bugs', () => {
  it('blockIO.weight 0 means unset, as on v2 and in runc', () => {
    expect(v1Writes({ blockIO: { weight: 0, leafWeight: 0 } })).toEqual([]);
  });

  it('hugepage limit uint64 max is written as -1', () => {
    expect(v1Writes({ hugepageLimits: [{ pageSize: '2MB', limit: UINT64_MAX }] })[0]?.value).toBe('-1');
  });

  it('throttle rate uint64 max is not mangled', () => {
    const [w] = v1Writes({ blockIO: { throttleReadBpsDevice: [{ major: 8, minor: 0, rate: UINT64_MAX }] } });
    expect(['8:0 0', '8:0 18446744073709551615']).toContain(w?.value);
  });
});

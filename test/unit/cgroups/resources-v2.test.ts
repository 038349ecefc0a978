// lib/cgroups/resources-v2.ts: linux.resources → cgroup v2 file writes, with the v1 → v2
// conversions runc and crun share (shares → weight, blkio weight → io.weight, memory+swap →
// swap), the notes for fields v2 has no file for, and the raw `unified` files.

import { describe, expect, it } from 'vitest';
import { blkioToIoWeight, sharesToWeight, swapToV2, v2Writes } from '../../../lib/cgroups/resources-v2.js';
import type { CgroupWrite } from '../../../lib/cgroups/writes.js';
import type { LinuxResources } from '../../../spec/types.js';
import { errorOf } from '../plan/fixtures.js';

const R = '$.linux.resources';
/** 18446744073709551615 as JSON.parse delivers it (2^64). */
const UINT64_MAX: number = JSON.parse('18446744073709551615');

type Row = [controller: string, file: string, value: string, from: string];
const rows = (ws: CgroupWrite[]): Row[] => ws.map((w) => [w.controller, w.file, w.value, w.from]);
const writes = (r: LinuxResources, opts?: { ioWeightFile?: string }) => rows(v2Writes(r, opts).writes);
const mem = (file: string, value: string, from: string): Row => ['memory', file, value, `${R}.memory.${from}`];
const cpu = (file: string, value: string, from: string): Row => ['cpu', file, value, `${R}.cpu.${from}`];
const io = (file: string, value: string, from: string): Row => ['io', file, value, `${R}.blockIO.${from}`];

describe('sharesToWeight', () => {
  it.each([
    [2, 1], // the v1 minimum
    [3, 1],
    [100, 4],
    [512, 20],
    [1024, 39], // the v1 default: note, not v2's default of 100
    [2048, 79],
    [4096, 157],
    [100000, 3815],
    [262143, 9999],
    [262144, 10000], // the v1 maximum
  ])('%d shares → weight %d', (shares, weight) => {
    expect(sharesToWeight(shares)).toBe(weight);
  });

  it('maps 2..262144 monotonically onto 1..10000', () => {
    let prev = 0;
    for (let s = 2; s <= 262144; s += 97) {
      const w = sharesToWeight(s);
      expect(Number.isInteger(w)).toBe(true);
      expect(w).toBeGreaterThanOrEqual(Math.max(1, prev));
      expect(w).toBeLessThanOrEqual(10000);
      prev = w;
    }
  });
});

describe('blkioToIoWeight', () => {
  it.each([
    [10, 1], // the v1 minimum
    [11, 11],
    [100, 910],
    [500, 4950], // 1 + 490 * 9999 / 990 = 1 + 4949
    [990, 9899],
    [1000, 10000], // the v1 maximum
  ])('blkio weight %d → io.weight %d', (weight, ioWeight) => {
    expect(blkioToIoWeight(weight)).toBe(ioWeight);
  });

  it('maps 10..1000 monotonically onto 1..10000', () => {
    let prev = 0;
    for (let w = 10; w <= 1000; w++) {
      const v = blkioToIoWeight(w);
      expect(Number.isInteger(v)).toBe(true);
      expect(v).toBeGreaterThan(prev);
      expect(v).toBeLessThanOrEqual(10000);
      prev = v;
    }
  });
});

describe('swapToV2', () => {
  const P = '$.x.swap';

  it.each<[number, number | undefined, string]>([
    [-1, undefined, 'max'],
    [-1, 100, 'max'],
    [UINT64_MAX, undefined, 'max'],
    [UINT64_MAX, 100, 'max'],
    [300, 100, '200'],
    [100, 100, '0'], // memory+swap == memory: no swap
    [3 * 2 ** 30, 2 ** 30, String(2 * 2 ** 30)],
  ])('memory+swap %d with memory %s → %j', (swap, limit, value) => {
    expect(swapToV2(swap, limit, P)).toBe(value);
  });

  it.each<[number, number | undefined, string]>([
    [100, undefined, 'needs a memory limit'],
    [100, -1, 'needs a memory limit'],
    [0, undefined, 'needs a memory limit'],
    [99, 100, 'must be >= the memory limit'],
    [0, 100, 'must be >= the memory limit'],
  ])('memory+swap %d with memory %s is a ConfigError (%s)', (swap, limit, words) => {
    const e = errorOf(() => swapToV2(swap, limit, P));
    expect(e.path).toBe(P);
    expect(e.rule).toContain(words);
  });
});

describe('v2Writes: one field at a time', () => {
  it.each<[string, LinuxResources, Row[]]>([
    ['nothing set', {}, []],
    ['empty groups', { memory: {}, cpu: {}, blockIO: {}, network: {}, hugepageLimits: [], rdma: {}, unified: {} }, []],
    ['devices are not resource files', { devices: [{ allow: false, access: 'rwm' }] }, []],

    // memory
    ['memory.limit', { memory: { limit: 2 ** 30 } }, [mem('memory.max', '1073741824', 'limit')]],
    ['memory.limit -1 → max', { memory: { limit: -1 } }, [mem('memory.max', 'max', 'limit')]],
    ['memory.limit uint64 max → max', { memory: { limit: UINT64_MAX } }, [mem('memory.max', 'max', 'limit')]],
    ['memory.reservation → memory.low', { memory: { reservation: 2 ** 20 } }, [mem('memory.low', '1048576', 'reservation')]],
    ['memory.reservation -1 → max', { memory: { reservation: -1 } }, [mem('memory.low', 'max', 'reservation')]],
    [
      'memory.swap is swap alone: memory+swap - memory',
      { memory: { limit: 100, swap: 300 } },
      [mem('memory.max', '100', 'limit'), mem('memory.swap.max', '200', 'swap')],
    ],
    ['memory.swap -1 → max', { memory: { limit: 100, swap: -1 } }, [mem('memory.max', '100', 'limit'), mem('memory.swap.max', 'max', 'swap')]],
    ['memory.swap -1 needs no limit', { memory: { swap: -1 } }, [mem('memory.swap.max', 'max', 'swap')]],
    ['memory.useHierarchy: v2 is always hierarchical', { memory: { useHierarchy: true } }, []],
    ['memory.checkBeforeUpdate is not a file', { memory: { checkBeforeUpdate: true } }, []],

    // cpu
    ['cpu.shares → cpu.weight', { cpu: { shares: 1024 } }, [cpu('cpu.weight', '39', 'shares')]],
    ['cpu.shares 2 → weight 1', { cpu: { shares: 2 } }, [cpu('cpu.weight', '1', 'shares')]],
    ['cpu.shares 0 is unset', { cpu: { shares: 0 } }, []],
    ['cpu.quota and period', { cpu: { quota: 50000, period: 100000 } }, [cpu('cpu.max', '50000 100000', 'quota')]],
    ['cpu.quota alone (the period stays)', { cpu: { quota: 50000 } }, [cpu('cpu.max', '50000', 'quota')]],
    ['cpu.period alone → no quota', { cpu: { period: 100000 } }, [cpu('cpu.max', 'max 100000', 'period')]],
    ['cpu.quota -1 → max', { cpu: { quota: -1 } }, [cpu('cpu.max', 'max', 'quota')]],
    ['cpu.quota -1 with a period', { cpu: { quota: -1, period: 250000 } }, [cpu('cpu.max', 'max 250000', 'quota')]],
    ['cpu.quota 0 with a period', { cpu: { quota: 0, period: 100000 } }, [cpu('cpu.max', 'max 100000', 'quota')]],
    ['cpu.quota with period 0', { cpu: { quota: 20000, period: 0 } }, [cpu('cpu.max', '20000', 'quota')]],
    ['cpu.quota and period both 0 are unset', { cpu: { quota: 0, period: 0 } }, []],
    ['cpu.burst', { cpu: { burst: 10000 } }, [cpu('cpu.max.burst', '10000', 'burst')]],
    ['cpu.burst 0', { cpu: { burst: 0 } }, [cpu('cpu.max.burst', '0', 'burst')]],
    ['cpu realtime 0s are unset', { cpu: { realtimePeriod: 0, realtimeRuntime: 0 } }, []],
    ['cpu.idle', { cpu: { idle: 1 } }, [cpu('cpu.idle', '1', 'idle')]],
    ['cpu.idle 0', { cpu: { idle: 0 } }, [cpu('cpu.idle', '0', 'idle')]],
    ['cpu.cpus → cpuset', { cpu: { cpus: '0-3' } }, [['cpuset', 'cpuset.cpus', '0-3', `${R}.cpu.cpus`]]],
    ['cpu.mems → cpuset', { cpu: { mems: '0,1' } }, [['cpuset', 'cpuset.mems', '0,1', `${R}.cpu.mems`]]],
    ['empty cpus/mems are unset', { cpu: { cpus: '', mems: '' } }, []],

    // pids
    ['pids.limit', { pids: { limit: 64 } }, [['pids', 'pids.max', '64', `${R}.pids.limit`]]],
    ['pids.limit -1 → max', { pids: { limit: -1 } }, [['pids', 'pids.max', 'max', `${R}.pids.limit`]]],
    ['pids.limit 0 is a real limit', { pids: { limit: 0 } }, [['pids', 'pids.max', '0', `${R}.pids.limit`]]],

    // io
    ['blockIO.weight → io.weight "default N", converted', { blockIO: { weight: 500 } }, [io('io.weight', 'default 4950', 'weight')]],
    ['blockIO.weight 0 is unset', { blockIO: { weight: 0 } }, []],
    [
      'blockIO.weightDevice → io.weight "maj:min N", converted',
      {
        blockIO: {
          weightDevice: [
            { major: 8, minor: 0, weight: 1000 },
            { major: 8, minor: 16, leafWeight: 10 }, // no weight: nothing for this device
            { major: 259, minor: 0, weight: 10 },
          ],
        },
      },
      [io('io.weight', '8:0 10000', 'weightDevice[0]'), io('io.weight', '259:0 1', 'weightDevice[2]')],
    ],
    [
      'throttles → one io.max line per device, in first-seen order',
      {
        blockIO: {
          throttleReadBpsDevice: [
            { major: 8, minor: 0, rate: 1000 },
            { major: 8, minor: 32, rate: 7 },
          ],
          throttleWriteBpsDevice: [{ major: 8, minor: 0, rate: 2000 }],
          throttleReadIOPSDevice: [{ major: 8, minor: 16, rate: 10 }],
          throttleWriteIOPSDevice: [
            { major: 8, minor: 0, rate: 30 },
            { major: 8, minor: 16, rate: 40 },
          ],
        },
      },
      [
        io('io.max', '8:0 rbps=1000 wbps=2000 wiops=30', 'throttleReadBpsDevice[0]'),
        io('io.max', '8:32 rbps=7', 'throttleReadBpsDevice[1]'),
        io('io.max', '8:16 riops=10 wiops=40', 'throttleReadIOPSDevice[0]'),
      ],
    ],
    [
      'a throttle rate 0 → max (no limit)',
      { blockIO: { throttleWriteBpsDevice: [{ major: 8, minor: 0, rate: 0 }] } },
      [io('io.max', '8:0 wbps=max', 'throttleWriteBpsDevice[0]')],
    ],

    // hugetlb
    [
      'hugepageLimits → hugetlb.<size>.max and .rsvd.max',
      {
        hugepageLimits: [
          { pageSize: '2MB', limit: 2 ** 30 },
          { pageSize: '1GB', limit: 0 },
        ],
      },
      [
        ['hugetlb', 'hugetlb.2MB.max', '1073741824', `${R}.hugepageLimits[0]`],
        ['hugetlb', 'hugetlb.2MB.rsvd.max', '1073741824', `${R}.hugepageLimits[0]`],
        ['hugetlb', 'hugetlb.1GB.max', '0', `${R}.hugepageLimits[1]`],
        ['hugetlb', 'hugetlb.1GB.rsvd.max', '0', `${R}.hugepageLimits[1]`],
      ],
    ],

    // network: only an empty one passes (a non-empty one is refused, below)
    ['network {} is fine', { network: {} }, []],
    ['network with no priorities is fine', { network: { priorities: [] } }, []],

    // rdma
    [
      'rdma',
      { rdma: { mlx5_1: { hcaHandles: 3, hcaObjects: 10000 }, mlx4_0: { hcaHandles: 0 } } },
      [
        ['rdma', 'rdma.max', 'mlx5_1 hca_handle=3 hca_object=10000', `${R}.rdma["mlx5_1"]`],
        ['rdma', 'rdma.max', 'mlx4_0 hca_handle=0', `${R}.rdma["mlx4_0"]`],
      ],
    ],
  ])('%s', (_, resources, expected) => {
    expect(writes(resources)).toEqual(expected);
  });
});

describe('v2Writes: the io weight file', () => {
  const r: LinuxResources = { blockIO: { weight: 500, weightDevice: [{ major: 8, minor: 0, weight: 100 }] } };

  it.each<[string, { ioWeightFile?: string } | undefined, Row[]]>([
    ['default: io.weight, converted, "default N"', undefined, [io('io.weight', 'default 4950', 'weight'), io('io.weight', '8:0 910', 'weightDevice[0]')]],
    ['io.weight named explicitly', { ioWeightFile: 'io.weight' }, [io('io.weight', 'default 4950', 'weight'), io('io.weight', '8:0 910', 'weightDevice[0]')]],
    ['io.bfq.weight: the blkio value as is', { ioWeightFile: 'io.bfq.weight' }, [io('io.bfq.weight', '500', 'weight'), io('io.bfq.weight', '8:0 100', 'weightDevice[0]')]],
  ])('%s', (_, opts, expected) => {
    expect(writes(r, opts)).toEqual(expected);
  });
});

describe('v2Writes: fields v2 has no file for', () => {
  it.each<[string, LinuxResources, string[]]>([
    ['memory.kernel', { memory: { kernel: 1 } }, [`${R}.memory.kernel`]],
    ['memory.kernel -1', { memory: { kernel: -1 } }, [`${R}.memory.kernel`]],
    ['memory.kernelTCP', { memory: { kernelTCP: 1 } }, [`${R}.memory.kernelTCP`]],
    ['memory.swappiness', { memory: { swappiness: 0 } }, [`${R}.memory.swappiness`]],
    ['memory.disableOOMKiller true', { memory: { disableOOMKiller: true } }, [`${R}.memory.disableOOMKiller`]],
    ['memory.disableOOMKiller false (nothing to ignore)', { memory: { disableOOMKiller: false } }, []],
    ['blockIO.leafWeight', { blockIO: { leafWeight: 100 } }, [`${R}.blockIO.leafWeight`]],
    [
      'all of them at once, in order',
      { memory: { kernel: 1, kernelTCP: 2, swappiness: 3, disableOOMKiller: true }, blockIO: { leafWeight: 4 } },
      [`${R}.memory.kernel`, `${R}.memory.kernelTCP`, `${R}.memory.swappiness`, `${R}.memory.disableOOMKiller`, `${R}.blockIO.leafWeight`],
    ],
  ])('%s is noted as ignored and not written', (_, resources, ignored) => {
    const { writes: ws, notes } = v2Writes(resources);
    expect(ws).toEqual([]);
    expect(notes.ignored).toEqual(ignored);
  });

  it('ignored fields do not stop the others', () => {
    const { writes: ws, notes } = v2Writes({ memory: { limit: 100, kernel: 50 } });
    expect(rows(ws)).toEqual([mem('memory.max', '100', 'limit')]);
    expect(notes.ignored).toEqual([`${R}.memory.kernel`]);
  });
});

describe('v2Writes: refusals', () => {
  it.each<[string, LinuxResources, string, string]>([
    ['swap without a memory limit', { memory: { swap: 300 } }, `${R}.memory.swap`, 'needs a memory limit'],
    ['swap with an unlimited memory', { memory: { limit: -1, swap: 300 } }, `${R}.memory.swap`, 'needs a memory limit'],
    ['swap below the memory limit', { memory: { limit: 300, swap: 100 } }, `${R}.memory.swap`, 'must be >= the memory limit'],
    ['cpu.realtimeRuntime', { cpu: { realtimeRuntime: 950000 } }, `${R}.cpu.realtimeRuntime`, 'realtime'],
    ['cpu.realtimePeriod', { cpu: { realtimePeriod: 1000000 } }, `${R}.cpu.realtimePeriod`, 'realtime'],
    ['cpu realtime both (named by the runtime)', { cpu: { realtimeRuntime: 1, realtimePeriod: 2 } }, `${R}.cpu.realtimeRuntime`, 'realtime'],
    ['network.classID', { network: { classID: 1 } }, `${R}.network`, 'net_cls and net_prio'],
    ['network.classID 0', { network: { classID: 0 } }, `${R}.network`, 'net_cls and net_prio'],
    ['network.priorities', { network: { priorities: [{ name: 'eth0', priority: 1 }] } }, `${R}.network`, 'net_cls and net_prio'],
  ])('%s is a ConfigError', (_, resources, path, words) => {
    const e = errorOf(() => v2Writes(resources));
    expect(e.path).toBe(path);
    expect(e.rule).toContain(words);
  });
});

describe('v2Writes: unified', () => {
  it.each([
    ['memory.high', '1G', 'memory'],
    ['memory.oom.group', '1', 'memory'],
    ['memory.zswap.max', '0', 'memory'],
    ['io.bfq.weight', 'default 100', 'io'],
    ['io.prio.class', 'restrict-to-be', 'io'],
    ['cpu.uclamp.min', '10.5', 'cpu'],
    ['cpuset.cpus.partition', 'root', 'cpuset'],
    ['pids.max', 'max', 'pids'],
    ['misc.max', 'res_a 1', 'misc'],
    ['cgroup.freeze', '1', ''], // core files belong to no controller
    ['cgroup.max.descendants', '10', ''],
    ['cgroup.type', 'threaded', ''],
  ])('%s is written raw, controller %j', (key, value, controller) => {
    expect(writes({ unified: { [key]: value } })).toEqual([[controller, key, value, `${R}.unified[${JSON.stringify(key)}]`]]);
  });

  it('values are written verbatim, including whitespace and newlines', () => {
    expect(writes({ unified: { 'memory.max': ' 1G\n' } })[0]?.[2]).toBe(' 1G\n');
  });

  it('come after the structured fields, so they win', () => {
    const ws = writes({ unified: { 'memory.max': '2G' }, memory: { limit: 2 ** 30 }, pids: { limit: 5 } });
    expect(ws.map(([, file, value]) => `${file}=${value}`)).toEqual(['memory.max=1073741824', 'pids.max=5', 'memory.max=2G']);
  });

  it.each([
    'memory', // no dot
    '.max',
    'memory.',
    '../memory.max',
    'memory.max/../../x',
    '/sys/fs/cgroup/memory.max',
    'memory max',
    'Memory.max',
    'cpu-x.max',
    '',
  ])('a bad key %j is a ConfigError naming the key', (key) => {
    const e = errorOf(() => v2Writes({ unified: { [key]: '1' } }));
    expect(e.path).toBe(`${R}.unified[${JSON.stringify(key)}]`);
    expect(e.rule).toBe(`"${key}" is not a cgroup v2 file name`);
  });

  it.each(['hugetlb.2MB.max', 'hugetlb.1GB.rsvd.max'])('%s (upper-case page size) is accepted', (key) => {
    expect(writes({ unified: { [key]: '0' } })).toEqual([['hugetlb', key, '0', `${R}.unified[${JSON.stringify(key)}]`]]);
  });
});

describe('v2Writes: a whole resources object', () => {
  it('comes out memory, cpu, cpuset, pids, io, hugetlb, rdma, unified', () => {
    const ws = writes({
      unified: { 'cgroup.freeze': '0' },
      rdma: { d: { hcaObjects: 1 } },
      hugepageLimits: [{ pageSize: '2MB', limit: 0 }],
      blockIO: { weight: 10, throttleReadBpsDevice: [{ major: 1, minor: 2, rate: 3 }] },
      pids: { limit: 1 },
      cpu: { cpus: '0', idle: 0, burst: 1, period: 2, quota: 3, shares: 4 },
      memory: { reservation: 3, swap: 200, limit: 100 },
    });
    expect(ws.map(([c, f, v]) => `${c}/${f}=${v}`)).toEqual([
      'memory/memory.max=100',
      'memory/memory.swap.max=100',
      'memory/memory.low=3',
      'cpu/cpu.weight=1',
      'cpu/cpu.max=3 2',
      'cpu/cpu.max.burst=1',
      'cpu/cpu.idle=0',
      'cpuset/cpuset.cpus=0',
      'pids/pids.max=1',
      'io/io.weight=default 1',
      'io/io.max=1:2 rbps=3',
      'hugetlb/hugetlb.2MB.max=0',
      'hugetlb/hugetlb.2MB.rsvd.max=0',
      'rdma/rdma.max=d hca_object=1',
      '/cgroup.freeze=0',
    ]);
  });

  it('marks only the hugetlb reservation limits optional (kernels before 5.7 lack them)', () => {
    const { writes } = v2Writes({ hugepageLimits: [{ pageSize: '2MB', limit: 1 }], pids: { limit: 1 } });
    expect(writes.filter((w) => w.optional).map((w) => w.file)).toEqual(['hugetlb.2MB.rsvd.max']);
  });

  it('never marks a write optional', () => {
    const { writes: ws } = v2Writes({ memory: { limit: 1, kernel: 1 }, cpu: { shares: 2 } });
    expect(ws.every((w) => !w.optional)).toBe(true);
  });
});

describe('v2Writes: a custom base path', () => {
  it('is used in `from`, the notes and the errors', () => {
    const { writes: ws, notes } = v2Writes({ memory: { limit: 1, kernel: 2 }, unified: { 'pids.max': '3' } }, {}, '$');
    expect(ws.map((w) => w.from)).toEqual(['$.memory.limit', '$.unified["pids.max"]']);
    expect(notes.ignored).toEqual(['$.memory.kernel']);
    expect(errorOf(() => v2Writes({ memory: { swap: 1 } }, {}, '$')).path).toBe('$.memory.swap');
    expect(errorOf(() => v2Writes({ network: { classID: 1 } }, {}, '$')).path).toBe('$.network');
    expect(errorOf(() => v2Writes({ cpu: { realtimePeriod: 1 } }, {}, '$')).path).toBe('$.cpu.realtimePeriod');
    expect(errorOf(() => v2Writes({ unified: { x: '1' } }, {}, '$')).path).toBe('$.unified["x"]');
  });
});

describe('v2Writes: known bugs', () => {
  it('hugepage limit uint64 max is written as max', () => {
    expect(writes({ hugepageLimits: [{ pageSize: '2MB', limit: UINT64_MAX }] })[0]?.[2]).toBe('max');
  });

  it('throttle rate uint64 max is written as max', () => {
    expect(writes({ blockIO: { throttleReadBpsDevice: [{ major: 8, minor: 0, rate: UINT64_MAX }] } })[0]?.[2]).toBe('8:0 rbps=max');
  });

  it('weightDevice[].leafWeight is noted as ignored', () => {
    const { notes } = v2Writes({ blockIO: { weightDevice: [{ major: 8, minor: 0, leafWeight: 10 }] } });
    expect(notes.ignored.some((n) => n.includes('weightDevice[0]'))).toBe(true);
  });
});

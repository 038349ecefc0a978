// lib/lifecycle/update.ts mergeResources: how `update` combines the stored linux.resources with
// the update document. One level deep: each group's fields replace the stored ones; arrays and
// non-object values replace wholesale; groups the update does not name are kept.

import { describe, expect, it } from 'vitest';
import { mergeResources } from '../../../lib/lifecycle/update.js';
import type { LinuxResources } from '../../../spec/types.js';

/** Freeze a value and everything in it, so a test fails if the merge writes to its inputs. */
function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

describe('mergeResources', () => {
  it.each<[string, LinuxResources | undefined, LinuxResources, LinuxResources]>([
    ['nothing stored: the update as is', undefined, { pids: { limit: 5 } }, { pids: { limit: 5 } }],
    ['nothing stored, empty update', undefined, {}, {}],
    ['an empty update keeps everything', { memory: { limit: 100 }, pids: { limit: 5 } }, {}, { memory: { limit: 100 }, pids: { limit: 5 } }],
    [
      'a field of a group replaces the stored one; the group’s other fields stay',
      { memory: { limit: 100, swap: 200, reservation: 50 } },
      { memory: { limit: 300 } },
      { memory: { limit: 300, swap: 200, reservation: 50 } },
    ],
    [
      'fields new to a group are added to it',
      { cpu: { shares: 512 } },
      { cpu: { quota: 50000, period: 100000 } },
      { cpu: { shares: 512, quota: 50000, period: 100000 } },
    ],
    [
      'a group not stored yet is added',
      { memory: { limit: 100 } },
      { cpu: { shares: 1024 }, pids: { limit: 10 } },
      { memory: { limit: 100 }, cpu: { shares: 1024 }, pids: { limit: 10 } },
    ],
    [
      'groups the update does not name are kept',
      { memory: { limit: 100 }, cpu: { shares: 2 }, blockIO: { weight: 10 } },
      { cpu: { shares: 4 } },
      { memory: { limit: 100 }, cpu: { shares: 4 }, blockIO: { weight: 10 } },
    ],
    [
      'a top-level array replaces the stored one (no concatenation)',
      { hugepageLimits: [{ pageSize: '2MB', limit: 1 }, { pageSize: '1GB', limit: 2 }] },
      { hugepageLimits: [{ pageSize: '2MB', limit: 3 }] },
      { hugepageLimits: [{ pageSize: '2MB', limit: 3 }] },
    ],
    [
      'device rules are replaced, not appended',
      { devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }] },
      { devices: [{ allow: true, access: 'rwm' }] },
      { devices: [{ allow: true, access: 'rwm' }] },
    ],
    [
      'an empty array replaces too',
      { hugepageLimits: [{ pageSize: '2MB', limit: 1 }] },
      { hugepageLimits: [] },
      { hugepageLimits: [] },
    ],
    [
      'an array inside a group replaces the stored one; the group’s other fields stay',
      { blockIO: { weight: 500, weightDevice: [{ major: 8, minor: 0, weight: 100 }, { major: 8, minor: 16, weight: 200 }] } },
      { blockIO: { weightDevice: [{ major: 8, minor: 32, weight: 300 }] } },
      { blockIO: { weight: 500, weightDevice: [{ major: 8, minor: 32, weight: 300 }] } },
    ],
    [
      'only one level: an rdma device entry replaces the stored entry as a whole',
      { rdma: { mlx5_1: { hcaHandles: 1, hcaObjects: 2 }, mlx4_0: { hcaHandles: 3 } } },
      { rdma: { mlx5_1: { hcaHandles: 5 } } },
      { rdma: { mlx5_1: { hcaHandles: 5 }, mlx4_0: { hcaHandles: 3 } } },
    ],
    [
      'unified keys merge one by one',
      { unified: { 'memory.high': '1G', 'pids.max': '10' } },
      { unified: { 'memory.high': '2G', 'cpu.weight': '50' } },
      { unified: { 'memory.high': '2G', 'pids.max': '10', 'cpu.weight': '50' } },
    ],
    [
      'a value can change kind within a field (a limit to -1)',
      { memory: { limit: 100, swap: 200 } },
      { memory: { limit: -1, swap: -1 } },
      { memory: { limit: -1, swap: -1 } },
    ],
    [
      'booleans replace, false included',
      { memory: { disableOOMKiller: true, checkBeforeUpdate: true } },
      { memory: { disableOOMKiller: false } },
      { memory: { disableOOMKiller: false, checkBeforeUpdate: true } },
    ],
  ])('%s', (_, old, update, expected) => {
    expect(mergeResources(old, update)).toEqual(expected);
  });

  it('does not change its inputs', () => {
    const old = deepFreeze<LinuxResources>({ memory: { limit: 100, swap: 200 }, hugepageLimits: [{ pageSize: '2MB', limit: 1 }] });
    const update = deepFreeze<LinuxResources>({ memory: { limit: 300 }, cpu: { shares: 2 } });
    const merged = mergeResources(old, update);
    expect(merged).toEqual({ memory: { limit: 300, swap: 200 }, hugepageLimits: [{ pageSize: '2MB', limit: 1 }], cpu: { shares: 2 } });
    expect(old).toEqual({ memory: { limit: 100, swap: 200 }, hugepageLimits: [{ pageSize: '2MB', limit: 1 }] });
    expect(update).toEqual({ memory: { limit: 300 }, cpu: { shares: 2 } });
  });

  it('returns a new object, and new group objects where groups merged', () => {
    const old: LinuxResources = { memory: { limit: 100 }, pids: { limit: 1 } };
    const merged = mergeResources(old, { memory: { swap: 200 } });
    expect(merged).not.toBe(old);
    expect(merged.memory).not.toBe(old.memory);
    merged.memory!.limit = 5;
    expect(old.memory?.limit).toBe(100);
  });

  it('keeps the stored key order, with new groups after it', () => {
    const merged = mergeResources({ pids: { limit: 1 }, memory: { limit: 2 } }, { cpu: { shares: 2 }, memory: { limit: 3 } });
    expect(Object.keys(merged)).toEqual(['pids', 'memory', 'cpu']);
  });
});

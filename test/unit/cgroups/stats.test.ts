// Reading hugetlb counters from the files a v1 hugetlb hierarchy has. This machine has no v1
// hugetlb hierarchy (its hugetlb is in the cgroup2 tree) and the v2 guest has none either, so
// the files are laid out in a temporary directory, named and shaped as the kernel's.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CgroupManager } from '../../../lib/cgroups/manager.js';
import { readStats } from '../../../lib/cgroups/stats.js';

const base = mkdtempSync(join(tmpdir(), 'caisson-stats-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

function dir(name: string, files: Record<string, string>): string {
  const d = join(base, name);
  mkdirSync(d, { recursive: true });
  for (const [f, v] of Object.entries(files)) writeFileSync(join(d, f), v);
  return d;
}

describe('hugetlb stats', () => {
  it('v1: usage, max usage and failcnt per page size', () => {
    const d = dir('v1-hugetlb/c1', {
      'hugetlb.2MB.usage_in_bytes': '4194304\n',
      'hugetlb.2MB.max_usage_in_bytes': '6291456\n',
      'hugetlb.2MB.failcnt': '3\n',
      'hugetlb.2MB.limit_in_bytes': '8388608\n',
      'hugetlb.1GB.usage_in_bytes': '0\n',
      'hugetlb.1GB.max_usage_in_bytes': '0\n',
      'hugetlb.1GB.failcnt': '0\n',
    });
    const mgr = new CgroupManager({
      layout: 'v1',
      created: [],
      place: { v1: [{ mountPoint: join(base, 'v1-hugetlb'), path: '/c1', dir: d, version: 1, controllers: ['hugetlb'] }] },
    });
    expect(readStats(mgr).hugetlb).toEqual({
      '2MB': { usage: 4194304, max: 6291456, failcnt: 3 },
      '1GB': { usage: 0, max: 0, failcnt: 0 },
    });
  });

  it('hybrid without a v1 hugetlb hierarchy: from the cgroup2 directory', () => {
    const d = dir('unified/c2', { 'hugetlb.2MB.current': '2097152\n', 'hugetlb.2MB.max': 'max\n', 'hugetlb.2MB.events': 'max 1\n' });
    const mgr = new CgroupManager({ layout: 'hybrid', created: [], place: { v2: { mountPoint: join(base, 'unified'), path: '/c2', dir: d, version: 2, controllers: [] }, v1: [] } });
    expect(readStats(mgr).hugetlb).toEqual({ '2MB': { usage: 2097152, max: 18446744073709551615, failcnt: 1 } });
  });
});

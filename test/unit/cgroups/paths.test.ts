// lib/cgroups/paths.ts: where linux.cgroupsPath puts the container in each hierarchy.
// Every layout and every "own cgroup" map is written out by hand; nothing reads the host.

import { describe, expect, it } from 'vitest';
import { hierarchyKey, resolveCgroupsPath, v1Dir } from '../../../lib/cgroups/paths.js';
import type { CgroupDir } from '../../../lib/cgroups/paths.js';
import type { CgroupFacts } from '../../../lib/host.js';
import { errorOf, HYBRID_FACTS, OWN_CGROUPS_V1, OWN_CGROUPS_V2, V1_FACTS, V2_FACTS } from '../plan/fixtures.js';

const ID = 'box1';
const NO_OWN = new Map<string, string>();

/** [mount point, path] of every v1 directory, in hierarchy order. */
const v1Pairs = (dirs: CgroupDir[]) => dirs.map((d) => [d.mountPoint, d.path]);

describe('hierarchyKey', () => {
  it.each([
    ['cgroup2', { version: 2, controllers: [] }, ''],
    ['cgroup2 (controllers are never part of its key)', { version: 2, controllers: ['memory'] }, ''],
    ['one v1 controller', { version: 1, controllers: ['memory'] }, 'memory'],
    ['co-mounted v1 controllers, in mount order', { version: 1, controllers: ['cpu', 'cpuacct'] }, 'cpu,cpuacct'],
    ['a named v1 hierarchy', { version: 1, controllers: ['name=systemd'] }, 'name=systemd'],
    ['net_cls,net_prio', { version: 1, controllers: ['net_cls', 'net_prio'] }, 'net_cls,net_prio'],
  ] as const)('%s → %j', (_, h, key) => {
    expect(hierarchyKey({ version: h.version, controllers: [...h.controllers] })).toBe(key);
  });
});

describe('resolveCgroupsPath on a pure v2 host', () => {
  it.each([
    // [cgroupsPath, path below /sys/fs/cgroup]
    ['/a/b', '/a/b'],
    ['/machine.slice/box', '/machine.slice/box'],
    ['a/b', '/user.slice/caisson.scope/a/b'],
    ['box', '/user.slice/caisson.scope/box'],
    [undefined, `/user.slice/caisson.scope/${ID}`],
    // normalized before use
    ['/a//b/./c', '/a/b/c'],
    ['a/x/../b', '/user.slice/caisson.scope/a/b'],
    ['/a/x/../b', '/a/b'],
    // colons are fine as long as it is not slice:prefix:name
    ['a:b', '/user.slice/caisson.scope/a:b'],
    ['/a:b:c', '/a:b:c'],
  ])('cgroupsPath %j → %s', (cgroupsPath, path) => {
    const place = resolveCgroupsPath(cgroupsPath, ID, V2_FACTS, OWN_CGROUPS_V2);
    expect(place).toEqual({
      v1: [],
      v2: { mountPoint: '/sys/fs/cgroup', path, dir: `/sys/fs/cgroup${path}`, version: 2, controllers: [] },
    });
  });

  it('a relative path with no own cgroup for the hierarchy goes below its root', () => {
    expect(resolveCgroupsPath('a/b', ID, V2_FACTS, NO_OWN).v2?.dir).toBe('/sys/fs/cgroup/a/b');
    expect(resolveCgroupsPath(undefined, ID, V2_FACTS, NO_OWN).v2?.dir).toBe(`/sys/fs/cgroup/${ID}`);
  });

  it('an absolute path ignores the own cgroup', () => {
    const own = new Map([['', '/deep/inside/somewhere']]);
    expect(resolveCgroupsPath('/a', ID, V2_FACTS, own).v2?.path).toBe('/a');
    expect(resolveCgroupsPath('a', ID, V2_FACTS, own).v2?.path).toBe('/deep/inside/somewhere/a');
  });

  it('the own cgroup "/" (the caller at the root) gives "/<path>"', () => {
    const own = new Map([['', '/']]);
    expect(resolveCgroupsPath('a/b', ID, V2_FACTS, own).v2?.path).toBe('/a/b');
    expect(resolveCgroupsPath(undefined, ID, V2_FACTS, own).v2?.path).toBe(`/${ID}`);
  });

  it('a cgroup2 mount elsewhere is used where it is mounted', () => {
    const facts: CgroupFacts = { layout: 'hybrid', hierarchies: [{ version: 2, mountPoint: '/run/cg2', controllers: [] }] };
    expect(resolveCgroupsPath('/x', ID, facts, NO_OWN).v2).toMatchObject({ mountPoint: '/run/cg2', path: '/x', dir: '/run/cg2/x' });
  });
});

describe('resolveCgroupsPath on a hybrid host', () => {
  // OWN_CGROUPS_V1 has no "memory" entry: that hierarchy falls back to its root.
  it.each([
    [
      'absolute: the same path below every hierarchy root',
      '/a/b',
      '/a/b',
      [
        ['/sys/fs/cgroup/systemd', '/a/b'],
        ['/sys/fs/cgroup/cpu,cpuacct', '/a/b'],
        ['/sys/fs/cgroup/memory', '/a/b'],
      ],
    ],
    [
      'relative: below the caller’s cgroup of each hierarchy, looked up by its key',
      'a/b',
      '/user.slice/caisson.scope/a/b',
      [
        ['/sys/fs/cgroup/systemd', '/user.slice/caisson.scope/a/b'],
        ['/sys/fs/cgroup/cpu,cpuacct', '/caisson/cpu/a/b'],
        ['/sys/fs/cgroup/memory', '/a/b'],
      ],
    ],
    [
      'unset: the id, relative',
      undefined,
      `/user.slice/caisson.scope/${ID}`,
      [
        ['/sys/fs/cgroup/systemd', `/user.slice/caisson.scope/${ID}`],
        ['/sys/fs/cgroup/cpu,cpuacct', `/caisson/cpu/${ID}`],
        ['/sys/fs/cgroup/memory', `/${ID}`],
      ],
    ],
  ] as const)('%s', (_, cgroupsPath, v2Path, v1) => {
    const place = resolveCgroupsPath(cgroupsPath, ID, HYBRID_FACTS, OWN_CGROUPS_V1);
    expect(place.v2).toEqual({ mountPoint: '/sys/fs/cgroup/unified', path: v2Path, dir: `/sys/fs/cgroup/unified${v2Path}`, version: 2, controllers: [] });
    expect(v1Pairs(place.v1)).toEqual(v1);
    for (const d of place.v1) {
      expect(d.version).toBe(1);
      expect(d.dir).toBe(`${d.mountPoint}${d.path}`);
    }
    expect(place.v1.map((d) => d.controllers)).toEqual([['name=systemd'], ['cpu', 'cpuacct'], ['memory']]);
  });
});

describe('resolveCgroupsPath on a v1-only host', () => {
  it('has no v2 directory and skips the v1 hierarchy without controllers', () => {
    const place = resolveCgroupsPath('a', ID, V1_FACTS, OWN_CGROUPS_V1);
    expect(place.v2).toBeUndefined();
    expect(v1Pairs(place.v1)).toEqual([
      ['/sys/fs/cgroup/systemd', '/user.slice/caisson.scope/a'],
      ['/sys/fs/cgroup/cpu,cpuacct', '/caisson/cpu/a'],
      ['/sys/fs/cgroup/pids', '/caisson/pids/a'],
    ]);
    expect(place.v1.some((d) => d.mountPoint === '/sys/fs/cgroup/empty')).toBe(false);
  });

  it('skips controller-less hierarchies for absolute paths too', () => {
    const place = resolveCgroupsPath('/abs', ID, V1_FACTS, NO_OWN);
    expect(place.v1.map((d) => d.dir)).toEqual(['/sys/fs/cgroup/systemd/abs', '/sys/fs/cgroup/cpu,cpuacct/abs', '/sys/fs/cgroup/pids/abs']);
  });

  it('a host with no hierarchies gives an empty place', () => {
    expect(resolveCgroupsPath('a', ID, { layout: 'v1', hierarchies: [] }, NO_OWN)).toEqual({ v1: [] });
  });
});

describe('resolveCgroupsPath refusals', () => {
  it.each([
    // leaving the hierarchy
    ['..', 'must not leave the cgroup hierarchy'],
    ['../x', 'must not leave the cgroup hierarchy'],
    ['a/../../x', 'must not leave the cgroup hierarchy'],
    ['../../etc', 'must not leave the cgroup hierarchy'],
    // naming an existing cgroup (the root, or the caller's own)
    ['.', 'names an existing cgroup'],
    ['a/..', 'names an existing cgroup'],
    ['./.', 'names an existing cgroup'],
    ['/', 'names an existing cgroup'],
    ['//', 'names an existing cgroup'],
    ['/a/..', 'names an existing cgroup'],
    ['/..', 'names an existing cgroup'], // normalizes to "/"
    ['/./', 'names an existing cgroup'],
    // systemd's slice:prefix:name
    ['system.slice:docker:abc', '--systemd-cgroup'],
    ['user.slice:caisson:box1', '--systemd-cgroup'],
    [':caisson:box1', '--systemd-cgroup'],
    ['::', '--systemd-cgroup'],
  ])('%j is a ConfigError at $.linux.cgroupsPath (%s)', (cgroupsPath, words) => {
    for (const facts of [V2_FACTS, HYBRID_FACTS, V1_FACTS]) {
      const e = errorOf(() => resolveCgroupsPath(cgroupsPath, ID, facts, OWN_CGROUPS_V1));
      expect(e.path).toBe('$.linux.cgroupsPath');
      expect(e.code).toBe('ECONFIG');
      expect(e.rule).toContain(`"${cgroupsPath}"`);
      expect(e.rule).toContain(words);
    }
  });

  it('refuses before looking at the hierarchies (even on a host without any)', () => {
    expect(errorOf(() => resolveCgroupsPath('..', ID, { layout: 'v2', hierarchies: [] }, NO_OWN)).path).toBe('$.linux.cgroupsPath');
  });

  it.each(['./', 'a/../', 'x/y/../../'])('%j (the caller’s own cgroup) is refused like "."', (cgroupsPath) => {
    const e = errorOf(() => resolveCgroupsPath(cgroupsPath, ID, V2_FACTS, OWN_CGROUPS_V2));
    expect(e.path).toBe('$.linux.cgroupsPath');
  });

  it('an empty cgroupsPath means the default, as in runc', () => {
    expect(resolveCgroupsPath('', ID, V2_FACTS, OWN_CGROUPS_V2).v2?.path).toBe(`/user.slice/caisson.scope/${ID}`);
  });

  it('a trailing slash does not end up in path', () => {
    expect(resolveCgroupsPath('/a/b/', ID, V2_FACTS, NO_OWN).v2?.path).toBe('/a/b');
  });
});

describe('v1Dir', () => {
  const place = resolveCgroupsPath('/c', ID, HYBRID_FACTS, NO_OWN);

  it.each([
    ['memory', '/sys/fs/cgroup/memory/c'],
    ['cpu', '/sys/fs/cgroup/cpu,cpuacct/c'],
    ['cpuacct', '/sys/fs/cgroup/cpu,cpuacct/c'],
    ['name=systemd', '/sys/fs/cgroup/systemd/c'],
    ['pids', undefined],
    ['devices', undefined],
    ['', undefined],
  ])('%j → %s', (controller, dir) => {
    expect(v1Dir(place, controller)?.dir).toBe(dir);
  });

  it('never returns the v2 directory', () => {
    const v2 = resolveCgroupsPath('/c', ID, V2_FACTS, NO_OWN);
    expect(v1Dir(v2, 'memory')).toBeUndefined();
    expect(v1Dir(v2, '')).toBeUndefined();
  });
});

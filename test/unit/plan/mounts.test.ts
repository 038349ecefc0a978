import { describe, expect, it } from 'vitest';
import { ConfigError, UnsupportedError } from '../../../lib/errors.js';
import type { BindSource, PlanContext } from '../../../lib/plan/context.js';
import { bindsDev, cleanDestination, mountOps } from '../../../lib/plan/mounts.js';
import { MF_TMPCOPYUP, MF_BIND_FALLBACK, MF_DEST_FILE, MF_RECURSIVE_BIND, MF_REMOUNT, MOUNT_ATTR, MS, MountKind, Op, SB_SYNC } from '../../../lib/plan/opcodes.js';
import type { LinuxNamespace, Mount, Spec } from '../../../spec/types.js';
import { HYBRID_FACTS, OWN_CGROUPS_V1, V1_FACTS, V2_FACTS, makeCtx, minimalSpec, mountFields, opNames, errorOf } from './fixtures.js';

const NS: LinuxNamespace[] = [{ type: 'mount' }];
const spec = (mounts: Mount[], namespaces: LinuxNamespace[] = NS): Spec => minimalSpec({ mounts, linux: { namespaces } });
const sources = (entries: [number, BindSource][]): Map<number, BindSource> => new Map(entries);

describe('cleanDestination', () => {
  it.each([
    ['/proc', '/proc'],
    ['proc', '/proc'],
    ['dev/shm', '/dev/shm'],
    ['/a//b/./c', '/a/b/c'],
    ['/a/b/../c', '/a/c'],
    ['../../etc/passwd', '/etc/passwd'],
    ['/../../..', '/'],
    ['', '/'],
    ['/', '/'],
    ['.', '/'],
  ])('%j -> %j', (dest, clean) => {
    expect(cleanDestination(dest)).toBe(clean);
  });

  it.each([
    ['/dev/', '/dev'],
    ['sys/fs/cgroup/', '/sys/fs/cgroup'],
  ])('%j -> %j (trailing slash dropped, as filepath.Clean does)', (dest, clean) => {
    expect(cleanDestination(dest)).toBe(clean);
  });
});

describe('mountOps: filesystem mounts', () => {
  it('turns a mount into an FS op with its options split into attributes and data', () => {
    const ops = mountOps(
      spec([{ destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] }]),
      makeCtx(),
      false,
    );
    expect(ops).toHaveLength(1);
    expect(ops[0]!.code).toBe(Op.MOUNT);
    expect(ops[0]!.label).toBe('mount tmpfs on /dev');
    expect(mountFields(ops[0]!)).toEqual({
      kind: MountKind.FS,
      source: 'tmpfs',
      dest: '/dev',
      fstype: 'tmpfs',
      attrSet: MOUNT_ATTR.NOSUID | MOUNT_ATTR.STRICTATIME,
      attrClr: MOUNT_ATTR.ATIME_MASK,
      rattrSet: 0,
      rattrClr: 0,
      propagation: 0,
      propRec: 0,
      sbFlags: 0,
      data: ['mode=755', 'size=65536k'],
      flags: 0,
      fallback: '',
    });
  });

  it('the raw field list has ndata before the data strings, then flags and fallback', () => {
    const [op] = mountOps(spec([{ destination: '/m', type: 'tmpfs', source: 'x', options: ['a=1', 'b', 'rshared', 'sync', 'rro'] }]), makeCtx(), false);
    expect(op!.fields).toEqual([MountKind.FS, 'x', '/m', 'tmpfs', 0, 0, MOUNT_ATTR.RDONLY, 0, MS.SHARED, 1, SB_SYNC, 2, 'a=1', 'b', 0, '']);
  });

  it('uses the type as source when there is none, and cleans the destination', () => {
    const f = mountFields(mountOps(spec([{ destination: 'run/../tmp', type: 'tmpfs' }]), makeCtx(), false)[0]!);
    expect(f.source).toBe('tmpfs');
    expect(f.dest).toBe('/tmp');
  });

  it('requires a type for a mount that is not a bind mount', () => {
    const err = errorOf(() => mountOps(spec([{ destination: '/proc', type: 'proc' }, { destination: '/x', source: '/y' }]), makeCtx(), false));
    expect(err.path).toBe('$.mounts[1].type');
    expect(err.rule).toBe('is required for a mount that is not a bind mount');
  });

  it('keeps config order', () => {
    const ops = mountOps(
      spec([
        { destination: '/proc', type: 'proc' },
        { destination: '/dev', type: 'tmpfs' },
        { destination: '/dev/pts', type: 'devpts' },
      ]),
      makeCtx(),
      false,
    );
    expect(ops.map((o) => mountFields(o).dest)).toEqual(['/proc', '/dev', '/dev/pts']);
  });

  describe('sysfs', () => {
    const sysfs: Mount = { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] };

    it('in a new user namespace: falls back to an rbind of the host /sys on EPERM', () => {
      const f = mountFields(mountOps(spec([sysfs], [{ type: 'mount' }, { type: 'user' }]), makeCtx(), true)[0]!);
      expect(f.kind).toBe(MountKind.FS);
      expect(f.flags).toBe(MF_BIND_FALLBACK);
      expect(f.fallback).toBe('/sys');
    });

    it('without one: a plain sysfs mount', () => {
      const f = mountFields(mountOps(spec([sysfs]), makeCtx(), false)[0]!);
      expect(f.flags).toBe(0);
      expect(f.fallback).toBe('');
    });

    it('other filesystems never get the fallback', () => {
      const f = mountFields(mountOps(spec([{ destination: '/proc', type: 'proc' }]), makeCtx(), true)[0]!);
      expect(f.flags).toBe(0);
      expect(f.fallback).toBe('');
    });
  });

  it('refuses id-mapped mounts by name', () => {
    const err = errorOf(() =>
      mountOps(spec([{ destination: '/a', type: 'tmpfs' }, { destination: '/d', type: 'none', source: '/s', options: ['rbind'], uidMappings: [{ containerID: 0, hostID: 1000, size: 1 }] }]), makeCtx(), false),
    );
    expect(err).toBeInstanceOf(UnsupportedError);
    expect(err.path).toBe('$.mounts[1].uidMappings');
    const err2 = errorOf(() => mountOps(spec([{ destination: '/d', type: 'none', source: '/s', options: ['bind'], gidMappings: [] }]), makeCtx(), false));
    expect(err2.path).toBe('$.mounts[0].uidMappings');
  });

  it('refuses unsupported options with the path of the option', () => {
    const err = errorOf(() => mountOps(spec([{ destination: '/a', type: 'tmpfs' }, { destination: '/b', type: 'none', source: '/s', options: ['ro', 'idmap'] }]), makeCtx(), false));
    expect(err).toBeInstanceOf(UnsupportedError);
    expect(err.path).toBe('$.mounts[1].options[1]');
  });

  it('tmpcopyup sets the copy-up flag on a tmpfs, and is refused on anything else', () => {
    const [op] = mountOps(spec([{ destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'tmpcopyup'] }]), makeCtx(), false);
    expect(op!.fields.at(-2)).toBe(MF_TMPCOPYUP);
    expect(op!.fields).not.toContain('tmpcopyup'); // not passed on as tmpfs data
    const err = errorOf(() => mountOps(spec([{ destination: '/p', type: 'proc', source: 'proc', options: ['tmpcopyup'] }]), makeCtx(), false));
    expect(err.path).toBe('$.mounts[0].options');
    expect(err.message).toMatch(/only for tmpfs/);
  });
});

describe('mountOps: bind mounts', () => {
  const ctx = (s: [number, BindSource][]): PlanContext => makeCtx({ bindSources: sources(s) });

  it.each([
    ['bind', true, 0],
    ['rbind', true, MF_RECURSIVE_BIND],
    ['bind', false, MF_DEST_FILE],
    ['rbind', false, MF_DEST_FILE | MF_RECURSIVE_BIND],
  ] as const)('%s of a %s source: flags %i', (opt, isDirectory, flags) => {
    const ops = mountOps(spec([{ destination: '/data', type: 'none', source: 'data', options: [opt, 'ro'] }]), ctx([[0, { path: '/srv/bundles/box1/data', isDirectory }]]), false);
    expect(ops[0]!.label).toBe('mount bind data on /data');
    expect(mountFields(ops[0]!)).toEqual({
      kind: MountKind.BIND,
      // the resolved host path from the context, not the config's source
      source: '/srv/bundles/box1/data',
      dest: '/data',
      fstype: '',
      attrSet: MOUNT_ATTR.RDONLY,
      attrClr: 0,
      rattrSet: 0,
      rattrClr: 0,
      propagation: 0,
      propRec: 0,
      sbFlags: 0,
      data: [],
      flags,
      fallback: '',
    });
  });

  it('a bind mount is a bind mount whatever its type', () => {
    const ops = mountOps(spec([{ destination: '/etc/hosts', type: 'tmpfs', source: '/etc/hosts', options: ['bind'] }]), ctx([[0, { path: '/etc/hosts', isDirectory: false }]]), false);
    expect(mountFields(ops[0]!)).toMatchObject({ kind: MountKind.BIND, fstype: '', flags: MF_DEST_FILE });
  });

  it('carries recursive attributes and propagation', () => {
    const ops = mountOps(spec([{ destination: '/v', source: '/v', options: ['rbind', 'rro', 'rnosuid', 'rslave'] }]), ctx([[0, { path: '/v', isDirectory: true }]]), false);
    expect(mountFields(ops[0]!)).toMatchObject({
      rattrSet: MOUNT_ATTR.RDONLY | MOUNT_ATTR.NOSUID,
      propagation: MS.SLAVE,
      propRec: 1,
    });
  });

  it('looks sources up by mount index', () => {
    const ops = mountOps(
      spec([
        { destination: '/proc', type: 'proc' },
        { destination: '/a', source: 'a', options: ['bind'] },
        { destination: '/b', source: 'b', options: ['rbind'] },
      ]),
      ctx([
        [1, { path: '/host/a', isDirectory: true }],
        [2, { path: '/host/b', isDirectory: false }],
      ]),
      false,
    );
    expect(ops.slice(1).map((o) => [mountFields(o).source, mountFields(o).flags])).toEqual([
      ['/host/a', 0],
      ['/host/b', MF_DEST_FILE | MF_RECURSIVE_BIND],
    ]);
  });

  it('without a resolved source: ConfigError at .source', () => {
    const err = errorOf(() => mountOps(spec([{ destination: '/a', type: 'tmpfs' }, { destination: '/b', options: ['bind'] }]), makeCtx(), false));
    expect(err.path).toBe('$.mounts[1].source');
    expect(err.rule).toBe('is required for a bind mount');
  });

  it('"remount" without bind changes the mount already at the destination', () => {
    const ops = mountOps(spec([{ destination: 'sys', type: 'sysfs', options: ['remount', 'ro', 'nosuid'] }]), makeCtx(), false);
    expect(ops[0]!.label).toBe('remount /sys');
    expect(mountFields(ops[0]!)).toMatchObject({
      kind: MountKind.BIND,
      source: '',
      fstype: '',
      attrSet: MOUNT_ATTR.RDONLY | MOUNT_ATTR.NOSUID,
      flags: MF_REMOUNT,
      fallback: '',
    });
  });

  it('"bind,remount" is a bind mount', () => {
    const ops = mountOps(spec([{ destination: '/a', source: '/a', options: ['bind', 'remount', 'ro'] }]), ctx([[0, { path: '/a', isDirectory: true }]]), false);
    expect(mountFields(ops[0]!)).toMatchObject({ kind: MountKind.BIND, source: '/a', flags: 0 });
  });
});

describe('mountOps: cgroup', () => {
  const cgroupMount: Mount = { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] };
  const perMount = MOUNT_ATTR.NOSUID | MOUNT_ATTR.NOEXEC | MOUNT_ATTR.NODEV | MOUNT_ATTR.RELATIME;
  const withNs: LinuxNamespace[] = [{ type: 'mount' }, { type: 'cgroup' }];

  describe('cgroup v2 host', () => {
    it('with a cgroup namespace: one fresh cgroup2 mount', () => {
      const ops = mountOps(spec([{ ...cgroupMount, options: [...cgroupMount.options!, 'nsdelegate'] }], withNs), makeCtx({ cgroups: V2_FACTS }), false);
      expect(ops).toHaveLength(1);
      expect(ops[0]!.label).toBe('mount cgroup2 on /sys/fs/cgroup');
      expect(mountFields(ops[0]!)).toEqual({
        kind: MountKind.FS,
        source: 'cgroup',
        dest: '/sys/fs/cgroup',
        fstype: 'cgroup2',
        attrSet: perMount | MOUNT_ATTR.RDONLY,
        attrClr: MOUNT_ATTR.ATIME_MASK,
        rattrSet: 0,
        rattrClr: 0,
        propagation: 0,
        propRec: 0,
        sbFlags: 0,
        data: ['nsdelegate'],
        flags: 0,
        fallback: '',
      });
    });

    it('without one: an rbind of our own cgroup, no fs data', () => {
      const ops = mountOps(spec([{ ...cgroupMount, options: [...cgroupMount.options!, 'nsdelegate'] }]), makeCtx({ cgroups: V2_FACTS }), false);
      expect(ops).toHaveLength(1);
      expect(mountFields(ops[0]!)).toMatchObject({
        kind: MountKind.BIND,
        source: '/sys/fs/cgroup/user.slice/caisson.scope',
        dest: '/sys/fs/cgroup',
        fstype: '',
        attrSet: perMount | MOUNT_ATTR.RDONLY,
        data: [],
        flags: MF_RECURSIVE_BIND,
      });
    });

    it('without one and no known own cgroup: the hierarchy root', () => {
      const ops = mountOps(spec([cgroupMount]), makeCtx({ cgroups: V2_FACTS, cgroupPaths: new Map() }), false);
      // posix.join(mountPoint, '/') keeps a trailing slash; the kernel resolves both the same way
      expect(mountFields(ops[0]!).source).toMatch(/^\/sys\/fs\/cgroup\/?$/);
    });

    it('type "cgroup2" is handled the same way', () => {
      const ops = mountOps(spec([{ ...cgroupMount, type: 'cgroup2' }], withNs), makeCtx({ cgroups: V2_FACTS }), false);
      expect(opNames(ops)).toEqual(['MOUNT']);
      expect(mountFields(ops[0]!).fstype).toBe('cgroup2');
    });
  });

  describe('hybrid host', () => {
    const ctx = makeCtx({ cgroups: HYBRID_FACTS, cgroupPaths: OWN_CGROUPS_V1 });

    it('with a cgroup namespace: a tmpfs, an rbind of our own cgroup per v1 hierarchy, a fresh cgroup2, then a read-only remount', () => {
      const ops = mountOps(spec([cgroupMount], withNs), ctx, false);
      expect(ops.map((o) => o.label)).toEqual([
        'mount cgroup tmpfs on /sys/fs/cgroup',
        'mount cgroup (name=systemd) on /sys/fs/cgroup/systemd',
        'mount cgroup2 on /sys/fs/cgroup/unified',
        'mount cgroup (cpu,cpuacct) on /sys/fs/cgroup/cpu,cpuacct',
        'mount cgroup (memory) on /sys/fs/cgroup/memory',
        'make /sys/fs/cgroup read-only',
      ]);
      const [tmpfs, systemd, unified, cpu, memory, ro] = ops.map(mountFields);
      // the tmpfs is writable (its subdirectories are made next), keeps the other attributes
      expect(tmpfs).toMatchObject({ kind: MountKind.FS, source: 'tmpfs', fstype: 'tmpfs', dest: '/sys/fs/cgroup', attrSet: perMount, attrClr: 0, data: ['mode=755'], flags: 0 });
      // a v1 hierarchy in the namespace shows the container's own cgroup: bound, not mounted anew
      expect(systemd).toMatchObject({ kind: MountKind.BIND, source: '/sys/fs/cgroup/systemd/user.slice/caisson.scope', attrSet: perMount | MOUNT_ATTR.RDONLY, data: [], flags: MF_RECURSIVE_BIND });
      expect(unified).toMatchObject({ kind: MountKind.FS, source: 'cgroup', fstype: 'cgroup2', data: [] });
      expect(cpu).toMatchObject({ kind: MountKind.BIND, source: '/sys/fs/cgroup/cpu,cpuacct/caisson/cpu', dest: '/sys/fs/cgroup/cpu,cpuacct', data: [] });
      expect(memory).toMatchObject({ kind: MountKind.BIND, source: '/sys/fs/cgroup/memory/', data: [] });
      expect(ro).toMatchObject({ kind: MountKind.BIND, source: '', dest: '/sys/fs/cgroup', attrSet: MOUNT_ATTR.RDONLY, flags: MF_REMOUNT });
    });

    it('with a cgroup namespace: fs data goes to cgroup2 only (a bind takes none)', () => {
      const ops = mountOps(spec([{ ...cgroupMount, options: ['xattr'] }], withNs), ctx, false);
      expect(mountFields(ops[3]!).data).toEqual([]);
      expect(mountFields(ops[2]!).data).toEqual(['xattr']);
      // the tmpfs gets its own data, not the cgroup options
      expect(mountFields(ops[0]!).data).toEqual(['mode=755']);
    });

    it('without one: each hierarchy is an rbind of our own cgroup in it', () => {
      const ops = mountOps(spec([cgroupMount]), ctx, false);
      expect(opNames(ops)).toEqual(Array(6).fill('MOUNT'));
      const row = (o: (typeof ops)[number]) => {
        const f = mountFields(o);
        // a trailing slash on the source (posix.join(root, '/')) resolves to the same directory
        return [f.kind, String(f.source).replace(/(.)\/$/, '$1'), f.dest, f.flags, f.data];
      };
      expect(ops.slice(1, 5).map(row)).toEqual([
        [MountKind.BIND, '/sys/fs/cgroup/systemd/user.slice/caisson.scope', '/sys/fs/cgroup/systemd', MF_RECURSIVE_BIND, []],
        [MountKind.BIND, '/sys/fs/cgroup/unified/user.slice/caisson.scope', '/sys/fs/cgroup/unified', MF_RECURSIVE_BIND, []],
        [MountKind.BIND, '/sys/fs/cgroup/cpu,cpuacct/caisson/cpu', '/sys/fs/cgroup/cpu,cpuacct', MF_RECURSIVE_BIND, []],
        // not in cgroupPaths: the hierarchy root
        [MountKind.BIND, '/sys/fs/cgroup/memory', '/sys/fs/cgroup/memory', MF_RECURSIVE_BIND, []],
      ]);
    });

    it('no read-only remount when the mount is not "ro"', () => {
      const ops = mountOps(spec([{ ...cgroupMount, options: ['nosuid'] }], withNs), ctx, false);
      expect(ops.some((o) => mountFields(o).flags === MF_REMOUNT)).toBe(false);
      expect(ops).toHaveLength(5);
    });

    it('type "cgroup2" mounts the unified hierarchy only', () => {
      const fresh = mountOps(spec([{ ...cgroupMount, type: 'cgroup2' }], withNs), ctx, false);
      expect(fresh.map(mountFields)).toMatchObject([{ kind: MountKind.FS, fstype: 'cgroup2', dest: '/sys/fs/cgroup' }]);
      const bound = mountOps(spec([{ ...cgroupMount, type: 'cgroup2' }]), ctx, false);
      expect(bound.map(mountFields)).toMatchObject([{ kind: MountKind.BIND, source: '/sys/fs/cgroup/unified/user.slice/caisson.scope', dest: '/sys/fs/cgroup' }]);
    });

    it('works at another destination', () => {
      const ops = mountOps(spec([{ ...cgroupMount, destination: 'cg' }], withNs), ctx, false);
      expect(mountFields(ops[0]!).dest).toBe('/cg');
      expect(mountFields(ops[2]!).dest).toBe('/cg/unified');
    });
  });

  describe('v1 host', () => {
    const ctx = makeCtx({ cgroups: V1_FACTS, cgroupPaths: OWN_CGROUPS_V1 });

    it('with a cgroup namespace: skips hierarchies without controllers', () => {
      const ops = mountOps(spec([cgroupMount], withNs), ctx, false);
      expect(ops.map((o) => mountFields(o).dest)).toEqual([
        '/sys/fs/cgroup',
        '/sys/fs/cgroup/systemd',
        '/sys/fs/cgroup/cpu,cpuacct',
        '/sys/fs/cgroup/pids',
        '/sys/fs/cgroup',
      ]);
      expect(ops.slice(1, 4).every((o) => mountFields(o).kind === MountKind.BIND)).toBe(true);
    });

    it('without one: rbinds of our own cgroups', () => {
      const ops = mountOps(spec([cgroupMount]), ctx, false);
      expect(ops.slice(1, 4).map((o) => mountFields(o).source)).toEqual([
        '/sys/fs/cgroup/systemd/user.slice/caisson.scope',
        '/sys/fs/cgroup/cpu,cpuacct/caisson/cpu',
        '/sys/fs/cgroup/pids/caisson/pids',
      ]);
    });

    it('type "cgroup2" on a host without cgroup2: a cgroup2 mount at the destination anyway', () => {
      const ops = mountOps(spec([{ ...cgroupMount, type: 'cgroup2' }], withNs), ctx, false);
      expect(ops.map(mountFields)).toMatchObject([{ kind: MountKind.FS, fstype: 'cgroup2', dest: '/sys/fs/cgroup' }]);
    });
  });
});

describe('bindsDev', () => {
  it.each([
    [[{ destination: '/dev', source: '/dev', options: ['bind'] }], true],
    [[{ destination: '/dev', source: '/dev', options: ['rbind', 'nosuid'] }], true],
    [[{ destination: 'dev', source: '/dev', options: ['rbind'] }], true],
    [[{ destination: '/x/../dev', source: '/dev', options: ['rbind'] }], true],
    [[{ destination: '/proc', type: 'proc' }, { destination: '/dev', type: 'none', source: '/dev', options: ['rbind'] }], true],
    [[{ destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['mode=755'] }], false],
    [[{ destination: '/dev/pts', source: '/dev/pts', options: ['bind'] }], false],
    [[{ destination: '/devices', source: '/dev', options: ['bind'] }], false],
    [[], false],
  ] as [Mount[], boolean][])('%j -> %s', (mounts, expected) => {
    expect(bindsDev(spec(mounts))).toBe(expected);
  });

  it('no mounts at all', () => {
    expect(bindsDev(minimalSpec({ mounts: undefined }))).toBe(false);
  });

  it('a bind at "/dev/" (trailing slash) counts as binding /dev', () => {
    expect(bindsDev(spec([{ destination: '/dev/', source: '/dev', options: ['rbind'] }]))).toBe(true);
  });
});

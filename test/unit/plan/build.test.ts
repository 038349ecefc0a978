import { describe, expect, it } from 'vitest';
import { defaultSpec } from '../../../lib/default-spec.js';
import { ConfigError } from '../../../lib/errors.js';
import { buildPlan } from '../../../lib/plan/build.js';
import { encodePlan } from '../../../lib/plan/encode.js';
import type { PlanOp } from '../../../lib/plan/encode.js';
import { CLONE, MF_BIND_FALLBACK, MS, MountKind, Op } from '../../../lib/plan/opcodes.js';
import type { Spec } from '../../../spec/types.js';
import { makeCtx, minimalSpec, mountFields, opNames, errorOf } from './fixtures.js';

const n = (count: number, name: string): string[] => Array(count).fill(name);
const find = (ops: PlanOp[], code: number): PlanOp[] => ops.filter((o) => o.code === code);
const indexOf = (ops: PlanOp[], code: number): number => ops.findIndex((o) => o.code === code);
const lastIndexOf = (ops: PlanOp[], code: number): number => ops.map((o): number => o.code).lastIndexOf(code);

describe('buildPlan with the default config', () => {
  const spec = defaultSpec();
  const ctx = makeCtx();
  const plan = buildPlan(spec, ctx);

  it('has the whole plan in order', () => {
    expect(opNames(plan.ops)).toEqual([
      // no stage 1: the init is cloned into its namespaces, then makes its cgroup namespace
      'CLOSE_FDS',
      'UNSHARE',
      'JOIN_KEYRING',
      'SETHOSTNAME',
      'MOUNT_PROPAGATION',
      'ROOTFS_BIND',
      ...n(7, 'MOUNT'), // proc, dev, dev/pts, dev/shm, mqueue, sys, sys/fs/cgroup (one cgroup2 with a cgroup ns)
      ...n(6, 'MKNOD'),
      ...n(6, 'SYMLINK'), // ptmx, fd, stdin, stdout, stderr, core
      'MKDIR',
      ...n(5, 'READONLY'),
      ...n(10, 'MASK'),
      'PIVOT_ROOT',
      'ROOT_READONLY',
      'RLIMIT',
      'HOME', // the env sets no HOME: looked up in the container's passwd
      'CHDIR',
      'CAPS_BOUNDING',
      'KEEP_CAPS',
      'SETUSER',
      'KEEP_CAPS',
      'CHDIR',
      'CAPS',
      'NO_NEW_PRIVS',
      'UMASK',
      'RESOLVE_EXEC',
      'PREPARE_FDS',
      'WAIT_START',
      'EXEC',
    ]);
    expect(plan.newUserNs).toBe(false);
    expect(plan.warnings).toEqual([]);
  });

  it('sets runc\'s umask, 0022, as the program\'s when the config gives none', () => {
    expect(find(plan.ops, Op.UMASK).map((o) => o.fields)).toEqual([[0o022]]);
  });

    it('encodes', () => {
    expect(() => encodePlan(plan)).not.toThrow();
  });

  it('first closes inherited fds, keeping the start listener', () => {
    expect(plan.ops[0]).toEqual({ code: Op.CLOSE_FDS, label: 'close inherited fds', fields: [3, 1, 9] });
  });

  it('clones the init into its new namespaces; it makes the cgroup namespace itself', () => {
    expect(plan.cloneFlags).toBe(CLONE.NEWPID | CLONE.NEWNET | CLONE.NEWIPC | CLONE.NEWUTS | CLONE.NEWNS);
    expect(plan.ops[1]).toMatchObject({ code: Op.UNSHARE, fields: [CLONE.NEWCGROUP] });
    expect(find(plan.ops, Op.FORK_INIT)).toEqual([]);
  });

  it('joins a session keyring named after the container, searchable by its uid', () => {
    expect(find(plan.ops, Op.JOIN_KEYRING)).toEqual([{ code: Op.JOIN_KEYRING, label: 'join a new session keyring', fields: ['_ses.box1', 0x80000] }]);
  });

  it('sets the hostname', () => {
    expect(find(plan.ops, Op.SETHOSTNAME)[0]!.fields).toEqual(['caisson']);
  });

  it('makes / rprivate (default), then binds the rootfs onto itself', () => {
    const i = indexOf(plan.ops, Op.MOUNT_PROPAGATION);
    expect(plan.ops.slice(i, i + 2)).toEqual([
      { code: Op.MOUNT_PROPAGATION, label: 'set mount propagation of /', fields: ['/', MS.REC | MS.PRIVATE] },
      { code: Op.ROOTFS_BIND, label: 'bind rootfs /srv/bundles/box1/rootfs', fields: ['/srv/bundles/box1/rootfs'] },
    ]);
    expect(find(plan.ops, Op.MOUNT_PROPAGATION)).toHaveLength(1);
    expect(indexOf(plan.ops, Op.ROOTFS_BIND)).toBeLessThan(indexOf(plan.ops, Op.MOUNT));
  });

  it('mounts in config order', () => {
    expect(find(plan.ops, Op.MOUNT).map((o) => mountFields(o).dest)).toEqual(['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup']);
    // no user namespace: sysfs is mounted, not bound
    const sys = mountFields(find(plan.ops, Op.MOUNT)[5]!);
    expect(sys).toMatchObject({ kind: MountKind.FS, fstype: 'sysfs', flags: 0 });
  });

  it('creates /dev nodes after the mounts (so on the /dev tmpfs)', () => {
    expect(indexOf(plan.ops, Op.MKNOD)).toBeGreaterThan(lastIndexOf(plan.ops, Op.MOUNT));
  });

  it('creates the cwd, then read-only paths, then masks, in config order', () => {
    const mkdir = indexOf(plan.ops, Op.MKDIR);
    expect(plan.ops[mkdir]!.fields).toEqual(['/']);
    const ro = find(plan.ops, Op.READONLY).map((o) => o.fields[0]);
    const masks = find(plan.ops, Op.MASK).map((o) => o.fields[0]);
    expect(ro).toEqual(spec.linux!.readonlyPaths);
    expect(masks).toEqual(spec.linux!.maskedPaths);
    expect(mkdir).toBeLessThan(indexOf(plan.ops, Op.READONLY));
    expect(lastIndexOf(plan.ops, Op.READONLY)).toBeLessThan(indexOf(plan.ops, Op.MASK));
    expect(lastIndexOf(plan.ops, Op.MASK)).toBeLessThan(indexOf(plan.ops, Op.PIVOT_ROOT));
  });

  it('pivots, then makes the root read-only (root.readonly is true)', () => {
    expect(indexOf(plan.ops, Op.ROOT_READONLY)).toBe(indexOf(plan.ops, Op.PIVOT_ROOT) + 1);
    expect(find(plan.ops, Op.CHROOT)).toEqual([]);
  });

  it('the process part follows, with the default caps and rlimit', () => {
    const bounding = (1n << 29n) | (1n << 5n) | (1n << 10n); // AUDIT_WRITE, KILL, NET_BIND_SERVICE
    expect(find(plan.ops, Op.CAPS_BOUNDING)[0]!.fields).toEqual([bounding]);
    expect(find(plan.ops, Op.CAPS)[0]!.fields).toEqual([bounding, bounding, 0n, 0n]);
    expect(find(plan.ops, Op.RLIMIT)[0]!.fields).toEqual([7, 1024n, 1024n]);
    expect(find(plan.ops, Op.RESOLVE_EXEC)[0]!.fields).toEqual(['sh', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    expect(find(plan.ops, Op.WAIT_START)[0]!.fields).toEqual([9, 3]);
  });
});

describe('buildPlan options and context', () => {
  it('CLOSE_FDS keeps the listen fd and every namespace fd, above the preserved fds', () => {
    const spec = defaultSpec();
    spec.linux!.namespaces = [{ type: 'mount' }, { type: 'network', path: '/run/netns/a' }, { type: 'ipc', path: '/proc/1/ns/ipc' }];
    delete spec.hostname;
    const plan = buildPlan(spec, makeCtx({ preserveFds: 2, startListenFd: 30, nsFds: { network: 31, ipc: 32 } }));
    expect(plan.ops[0]).toEqual({ code: Op.CLOSE_FDS, label: 'close inherited fds', fields: [5, 3, 30, 31, 32] });
    expect(opNames(plan.ops.slice(1, 5))).toEqual(['SETNS', 'SETNS', 'UNSHARE', 'FORK_INIT']);
    expect(find(plan.ops, Op.PREPARE_FDS)[0]!.fields).toEqual([5]);
    expect(find(plan.ops, Op.WAIT_START)[0]!.fields).toEqual([30, 5]);
  });

  it('--no-pivot: CHROOT instead of PIVOT_ROOT, at the same place', () => {
    const pivot = buildPlan(defaultSpec(), makeCtx());
    const chroot = buildPlan(defaultSpec(), makeCtx({ noPivot: true }));
    expect(find(chroot.ops, Op.PIVOT_ROOT)).toEqual([]);
    expect(find(chroot.ops, Op.CHROOT)).toEqual([{ code: Op.CHROOT, label: 'chroot into rootfs (--no-pivot)', fields: [] }]);
    expect(indexOf(chroot.ops, Op.CHROOT)).toBe(indexOf(pivot.ops, Op.PIVOT_ROOT));
  });

  it('ROOT_READONLY only when root.readonly', () => {
    for (const readonly of [false, undefined]) {
      const spec = defaultSpec();
      spec.root = { path: 'rootfs', ...(readonly === undefined ? {} : { readonly }) };
      expect(find(buildPlan(spec, makeCtx()).ops, Op.ROOT_READONLY)).toEqual([]);
    }
  });

  it('--no-new-keyring: no JOIN_KEYRING', () => {
    expect(find(buildPlan(defaultSpec(), makeCtx({ noNewKeyring: true })).ops, Op.JOIN_KEYRING)).toEqual([]);
  });

  describe('rootfsPropagation', () => {
    it.each([
      ['rprivate', MS.PRIVATE],
      ['private', MS.PRIVATE],
    ] as const)('%s: one op on /', (p, flag) => {
      const spec = defaultSpec();
      spec.linux!.rootfsPropagation = p;
      expect(find(buildPlan(spec, makeCtx()).ops, Op.MOUNT_PROPAGATION).map((o) => o.fields)).toEqual([['/', MS.REC | flag]]);
    });

    it.each([
      ['shared', MS.SHARED],
      ['rshared', MS.SHARED],
      ['slave', MS.SLAVE],
      ['rslave', MS.SLAVE],
    ] as const)('%s: / gets it, and the rootfs parent mount is made private for pivot_root', (p, flag) => {
      const spec = defaultSpec();
      spec.linux!.rootfsPropagation = p;
      const ops = find(buildPlan(spec, makeCtx({ rootfsParentMount: '/srv' })).ops, Op.MOUNT_PROPAGATION);
      expect(ops).toEqual([
        { code: Op.MOUNT_PROPAGATION, label: 'set mount propagation of /', fields: ['/', MS.REC | flag] },
        { code: Op.MOUNT_PROPAGATION, label: 'make /srv private', fields: ['/srv', MS.PRIVATE] },
      ]);
    });
  });

  it.each(['unbindable', 'runbindable'] as const)('%s: set up private, made unbindable after pivot_root', (p) => {
    const spec = defaultSpec();
    spec.linux!.rootfsPropagation = p;
    const plan = buildPlan(spec, makeCtx({ rootfsParentMount: '/srv' })).ops;
    expect(find(plan, Op.MOUNT_PROPAGATION).map((o) => o.fields)).toEqual([
      ['/', MS.REC | MS.PRIVATE],
      ['/', MS.REC | MS.UNBINDABLE],
    ]);
    const pivot = plan.findIndex((o) => o.code === Op.PIVOT_ROOT);
    const unbind = plan.findIndex((o) => o.code === Op.MOUNT_PROPAGATION && o.fields[1] === (MS.REC | MS.UNBINDABLE));
    expect(unbind).toBeGreaterThan(pivot);
  });

  it('hostname without a uts namespace is a ConfigError at $.hostname', () => {
    const spec = defaultSpec();
    spec.linux!.namespaces = spec.linux!.namespaces!.filter((ns) => ns.type !== 'uts');
    const err = errorOf(() => buildPlan(spec, makeCtx()));
    expect(err.path).toBe('$.hostname');
    expect(err.rule).toBe('unable to set hostname without a private UTS namespace');
    // an empty hostname is still a hostname
    spec.hostname = '';
    expect(errorOf(() => buildPlan(spec, makeCtx())).path).toBe('$.hostname');
  });

  it('domainname: set with a uts namespace, a ConfigError at $.domainname without', () => {
    const spec = defaultSpec();
    spec.domainname = 'example.org';
    const ops = buildPlan(spec, makeCtx()).ops;
    expect(indexOf(ops, Op.SETDOMAINNAME)).toBe(indexOf(ops, Op.SETHOSTNAME) + 1);
    expect(find(ops, Op.SETDOMAINNAME)[0]!.fields).toEqual(['example.org']);

    delete spec.hostname;
    spec.linux!.namespaces = spec.linux!.namespaces!.filter((ns) => ns.type !== 'uts');
    expect(errorOf(() => buildPlan(spec, makeCtx())).path).toBe('$.domainname');
  });

  it('no hostname: no SETHOSTNAME', () => {
    const spec = defaultSpec();
    delete spec.hostname;
    expect(find(buildPlan(spec, makeCtx()).ops, Op.SETHOSTNAME)).toEqual([]);
  });

  it('no process is a ConfigError at $.process', () => {
    const spec = defaultSpec();
    delete spec.process;
    expect(errorOf(() => buildPlan(spec, makeCtx())).path).toBe('$.process');
  });

  it('config errors from the parts surface unchanged', () => {
    const noMountNs = defaultSpec();
    noMountNs.linux!.namespaces = noMountNs.linux!.namespaces!.filter((ns) => ns.type !== 'mount');
    expect(errorOf(() => buildPlan(noMountNs, makeCtx())).path).toBe('$.linux.namespaces');

    const badCap = defaultSpec();
    badCap.process!.capabilities!.effective = ['CAP_KILL', 'CAP_NOPE'];
    expect(errorOf(() => buildPlan(badCap, makeCtx())).path).toBe('$.process.capabilities.effective[1]');

    const badSysctl = defaultSpec();
    badSysctl.linux!.sysctl = { 'vm.swappiness': '10' };
    expect(errorOf(() => buildPlan(badSysctl, makeCtx())).path).toBe('$.linux.sysctl["vm.swappiness"]');
  });

  it('collects capability warnings', () => {
    const spec = defaultSpec();
    spec.process!.capabilities!.bounding!.push('CAP_BPF');
    expect(buildPlan(spec, makeCtx({ lastCap: 38 })).warnings).toEqual(['ignoring capabilities the kernel does not support: CAP_BPF']);
  });

  it('sysctls are written after /dev and before the cwd is created', () => {
    const spec = defaultSpec();
    spec.linux!.sysctl = { 'net.ipv4.ip_forward': '1', 'kernel.shmmax': '4096' };
    const ops = buildPlan(spec, makeCtx()).ops;
    const i = indexOf(ops, Op.SYSCTL);
    expect(ops.slice(i, i + 3)).toEqual([
      { code: Op.SYSCTL, label: 'set sysctl net.ipv4.ip_forward', fields: ['net/ipv4/ip_forward', '1'] },
      { code: Op.SYSCTL, label: 'set sysctl kernel.shmmax', fields: ['kernel/shmmax', '4096'] },
      { code: Op.MKDIR, label: 'create cwd /', fields: ['/'] },
    ]);
    expect(i).toBeGreaterThan(lastIndexOf(ops, Op.SYMLINK));
  });

  it('a bind-mounted /dev means no device nodes and no /dev symlinks', () => {
    const spec = defaultSpec();
    spec.mounts = spec.mounts!.filter((m) => !m.destination.startsWith('/dev'));
    spec.mounts.push({ destination: '/dev', type: 'bind', source: '/dev', options: ['rbind'] });
    const ctx = makeCtx({ bindSources: new Map([[spec.mounts.length - 1, { path: '/dev', isDirectory: true }]]) });
    const ops = buildPlan(spec, ctx).ops;
    expect(find(ops, Op.MKNOD)).toEqual([]);
    expect(find(ops, Op.SYMLINK)).toEqual([]);
    expect(find(ops, Op.BIND_DEV)).toEqual([]);
  });

  it('the minimal config: only what every container gets', () => {
    const ops = buildPlan(minimalSpec(), makeCtx({ noNewKeyring: true, hostHasKcore: false })).ops;
    expect(opNames(ops)).toEqual([
      'CLOSE_FDS',
      'MOUNT_PROPAGATION',
      'ROOTFS_BIND',
      ...n(6, 'MKNOD'),
      ...n(5, 'SYMLINK'),
      'MKDIR',
      'PIVOT_ROOT',
      'HOME',
      'CHDIR',
      'CAPS_BOUNDING',
      'KEEP_CAPS',
      'SETUSER',
      'KEEP_CAPS',
      'CHDIR',
      'CAPS',
      'UMASK',
      'RESOLVE_EXEC',
      'PREPARE_FDS',
      'WAIT_START',
      'EXEC',
    ]);
    // no capabilities given: none at all
    expect(find(ops, Op.CAPS)[0]!.fields).toEqual([0n, 0n, 0n, 0n]);
  });
});

describe('buildPlan with the rootless default config (a new user namespace)', () => {
  const spec: Spec = defaultSpec({ rootless: { uid: 1000, gid: 1000 } });
  const sysIndex = spec.mounts!.findIndex((m) => m.destination === '/sys');
  const ctx = makeCtx({ bindSources: new Map([[sysIndex, { path: '/sys', isDirectory: true }]]) });
  const plan = buildPlan(spec, ctx);

  it('creates and maps the user namespace first', () => {
    expect(plan.newUserNs).toBe(true);
    expect(opNames(plan.ops.slice(0, 5))).toEqual(['CLOSE_FDS', 'UNSHARE', 'USERNS_SYNC', 'UNSHARE', 'FORK_INIT']);
    expect(plan.ops[1]!.fields).toEqual([CLONE.NEWUSER]);
  });

  it('the keyring is made searchable for "other" (uids are remapped)', () => {
    expect(find(plan.ops, Op.JOIN_KEYRING)[0]!.fields).toEqual(['_ses.box1', 0x8]);
  });

  it('binds device nodes from the host instead of mknod', () => {
    expect(find(plan.ops, Op.MKNOD)).toEqual([]);
    expect(find(plan.ops, Op.BIND_DEV)).toHaveLength(6);
  });

  it('binds /sys from the host (the rootless config asks for it)', () => {
    const sys = find(plan.ops, Op.MOUNT).map(mountFields).find((f) => f.dest === '/sys')!;
    expect(sys).toMatchObject({ kind: MountKind.BIND, source: '/sys' });
  });

  it('encodes', () => {
    expect(encodePlan(plan).readUInt32LE(12)).toBe(plan.ops.length);
  });
});

describe('buildPlan: sysfs in a new user namespace', () => {
  it('gets the bind fallback', () => {
    const spec = defaultSpec();
    spec.linux!.namespaces!.push({ type: 'user' });
    const f = find(buildPlan(spec, makeCtx()).ops, Op.MOUNT).map(mountFields).find((m) => m.dest === '/sys')!;
    expect(f).toMatchObject({ kind: MountKind.FS, fstype: 'sysfs', flags: MF_BIND_FALLBACK, fallback: '/sys' });
  });
});

describe('buildPlan: the cgroup join on v1 and hybrid hosts (cgroupSync)', () => {
  it('the init joins its v1 cgroups itself as its first ops, keeps those fds until then, then makes the cgroup namespace', () => {
    const spec = defaultSpec();
    spec.linux!.namespaces!.push({ type: 'user' }); // a stage 1, so the init's first ops are plain to see
    const ops = buildPlan(spec, makeCtx({ cgroupTaskFds: [40, 41] })).ops;
    const fork = indexOf(ops, Op.FORK_INIT);
    const stage1 = ops.slice(0, fork + 1);
    expect(stage1.some((o) => o.code === Op.JOIN_CGROUP)).toBe(false);
    expect(find(stage1, Op.UNSHARE).some((o) => Number(o.fields[0]) & CLONE.NEWCGROUP)).toBe(false);
    expect(ops.slice(fork + 1, fork + 4)).toMatchObject([
      { code: Op.JOIN_CGROUP, fields: [40] },
      { code: Op.JOIN_CGROUP, fields: [41] },
      { code: Op.UNSHARE, fields: [CLONE.NEWCGROUP] },
    ]);
    // CLOSE_FDS keeps them for the init
    const close = ops[0]!;
    expect(close.code).toBe(Op.CLOSE_FDS);
    expect(close.fields.slice(2)).toEqual(expect.arrayContaining([40, 41]));
    expect(ops.some((o) => o.code === Op.WAIT_PARENT)).toBe(false);
  });

  it('without cgroupSync (pure v2: cloned into the cgroup), no join ops and, with a stage 1, the cgroup namespace there', () => {
    const spec = defaultSpec();
    spec.linux!.namespaces!.push({ type: 'user' });
    const ops = buildPlan(spec, makeCtx({ cgroupTaskFds: [] })).ops;
    expect(ops.some((o) => o.code === Op.JOIN_CGROUP)).toBe(false);
    const stage1 = ops.slice(0, indexOf(ops, Op.FORK_INIT) + 1);
    expect(find(stage1, Op.UNSHARE).some((o) => Number(o.fields[0]) & CLONE.NEWCGROUP)).toBe(true);
  });

  it('the init cloned straight into its namespaces joins its v1 cgroups first, then makes its cgroup namespace', () => {
    const plan = buildPlan(defaultSpec(), makeCtx({ cgroupTaskFds: [40, 41] }));
    expect(plan.cloneFlags & CLONE.NEWCGROUP).toBe(0);
    expect(opNames(plan.ops).slice(0, 4)).toEqual(['CLOSE_FDS', 'JOIN_CGROUP', 'JOIN_CGROUP', 'UNSHARE']);
    expect(plan.ops[3]!.fields).toEqual([CLONE.NEWCGROUP]);
  });
});

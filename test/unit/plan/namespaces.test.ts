import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/errors.js';
import { cgroupJoinOps, NS_FLAG, NS_PROC_NAME, namespaceOps } from '../../../lib/plan/namespaces.js';
import { CLONE, Op } from '../../../lib/plan/opcodes.js';
import type { LinuxNamespace, LinuxNamespaceType, Spec } from '../../../spec/types.js';
import { minimalSpec, opNames } from './fixtures.js';

const spec = (namespaces: LinuxNamespace[], linux: Partial<NonNullable<Spec['linux']>> = {}): Spec =>
  minimalSpec({ linux: { namespaces, ...linux } });

const ALL_TYPES: LinuxNamespaceType[] = ['user', 'mount', 'pid', 'network', 'ipc', 'uts', 'cgroup', 'time'];

describe('NS_FLAG / NS_PROC_NAME', () => {
  it.each([
    ['user', CLONE.NEWUSER, 'user'],
    ['mount', CLONE.NEWNS, 'mnt'],
    ['pid', CLONE.NEWPID, 'pid'],
    ['network', CLONE.NEWNET, 'net'],
    ['ipc', CLONE.NEWIPC, 'ipc'],
    ['uts', CLONE.NEWUTS, 'uts'],
    ['cgroup', CLONE.NEWCGROUP, 'cgroup'],
    ['time', CLONE.NEWTIME, 'time'],
  ] as const)('%s -> flag %i, /proc/PID/ns/%s', (type, flag, proc) => {
    expect(NS_FLAG[type]).toBe(flag);
    expect(NS_PROC_NAME[type]).toBe(proc);
  });

  it('CLONE_* values are the kernel ones', () => {
    expect(CLONE).toEqual({
      NEWTIME: 0x80,
      NEWNS: 0x20000,
      NEWCGROUP: 0x2000000,
      NEWUTS: 0x4000000,
      NEWIPC: 0x8000000,
      NEWUSER: 0x10000000,
      NEWPID: 0x20000000,
      NEWNET: 0x40000000,
    });
  });
});

describe('namespaceOps', () => {
  it('requires a mount namespace, new or joined', () => {
    for (const namespaces of [[], [{ type: 'pid' }, { type: 'user' }]] as LinuxNamespace[][]) {
      let err: unknown;
      try {
        namespaceOps(spec(namespaces), {});
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).path).toBe('$.linux.namespaces');
      expect((err as ConfigError).message).toBe('$.linux.namespaces: a "mount" namespace is required');
    }
    // no linux section at all
    expect(() => namespaceOps(minimalSpec({ linux: undefined }), {})).toThrow(ConfigError);
    // joined is enough
    expect(() => namespaceOps(spec([{ type: 'mount', path: '/proc/1/ns/mnt' }]), { mount: 5 })).not.toThrow();
  });

  it('only a new mount namespace: no stage 1, the init is cloned straight into it', () => {
    const p = namespaceOps(spec([{ type: 'mount' }]), {});
    expect(p.ops).toEqual([]);
    expect(p.cloneFlags).toBe(CLONE.NEWNS);
    expect(p.newUser).toBe(false);
    expect([...p.newTypes]).toEqual(['mount']);
    expect([...p.joinedTypes]).toEqual([]);
  });

  it('nothing to join, no user or time namespace: clone flags for all but cgroup, which the init makes', () => {
    const p = namespaceOps(spec([{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'cgroup' }]), {});
    expect(p.ops).toEqual([]);
    expect(p.cloneFlags).toBe(CLONE.NEWPID | CLONE.NEWNET | CLONE.NEWIPC | CLONE.NEWUTS | CLONE.NEWNS);
    // A cgroup namespace made by clone3 would be rooted at the parent's cgroup.
    expect(p.cgroupNsDeferred).toBe(true);
  });

  it('combines every new non-user namespace into one UNSHARE, named in config order', () => {
    const p = namespaceOps(spec([{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'cgroup' }, { type: 'time' }]), {});
    expect(p.cloneFlags).toBe(0); // a time namespace needs a stage 1
    expect(opNames(p.ops)).toEqual(['UNSHARE', 'FORK_INIT']);
    const flags = CLONE.NEWPID | CLONE.NEWNET | CLONE.NEWIPC | CLONE.NEWUTS | CLONE.NEWNS | CLONE.NEWCGROUP | CLONE.NEWTIME;
    expect(p.ops[0]!.fields).toEqual([flags]);
    expect(p.ops[0]!.label).toBe('create pid, network, ipc, uts, mount, cgroup, time namespaces');
  });

  it('a new user namespace is created alone and mapped before the others', () => {
    const p = namespaceOps(spec([{ type: 'mount' }, { type: 'user' }, { type: 'pid' }]), {});
    expect(p.ops).toEqual([
      { code: Op.UNSHARE, label: 'create user namespace', fields: [CLONE.NEWUSER] },
      { code: Op.USERNS_SYNC, label: 'set up user namespace id mappings', fields: [0, 0] },
      { code: Op.UNSHARE, label: 'create mount, pid namespaces', fields: [CLONE.NEWNS | CLONE.NEWPID] },
      { code: Op.FORK_INIT, label: 'start container init', fields: [] },
    ]);
    expect(p.newUser).toBe(true);
  });

  it('joins by path with the user namespace first and the mount namespace last, whatever the config order', () => {
    const namespaces: LinuxNamespace[] = [
      { type: 'mount', path: '/proc/7/ns/mnt' },
      { type: 'time', path: '/proc/7/ns/time' },
      { type: 'network', path: '/run/netns/a' },
      { type: 'cgroup', path: '/proc/7/ns/cgroup' },
      { type: 'uts', path: '/proc/7/ns/uts' },
      { type: 'pid', path: '/proc/7/ns/pid' },
      { type: 'ipc', path: '/proc/7/ns/ipc' },
      { type: 'user', path: '/proc/7/ns/user' },
    ];
    const fds = { mount: 10, time: 11, network: 12, cgroup: 13, uts: 14, pid: 15, ipc: 16, user: 17 };
    const p = namespaceOps(spec(namespaces), fds);
    const setns = p.ops.filter((o) => o.code === Op.SETNS);
    expect(setns.map((o) => o.fields)).toEqual([
      [17, CLONE.NEWUSER],
      [16, CLONE.NEWIPC],
      [14, CLONE.NEWUTS],
      [12, CLONE.NEWNET],
      [15, CLONE.NEWPID],
      [13, CLONE.NEWCGROUP],
      [11, CLONE.NEWTIME],
      [10, CLONE.NEWNS],
    ]);
    expect(setns[0]!.label).toBe('join user namespace /proc/7/ns/user');
    expect(setns[7]!.label).toBe('join mount namespace /proc/7/ns/mnt');
    // nothing new: no UNSHARE, no USERNS_SYNC; root in the joined user namespace
    expect(opNames(p.ops)).toEqual([...Array(8).fill('SETNS'), 'SETUSER', 'FORK_INIT']);
    expect(p.newUser).toBe(false);
    expect([...p.joinedTypes].sort()).toEqual([...ALL_TYPES].sort());
  });

  it('joins before it creates: SETNS ops, then the new user namespace, then the rest', () => {
    const p = namespaceOps(
      spec([{ type: 'user' }, { type: 'network', path: '/run/netns/x' }, { type: 'mount' }, { type: 'ipc', path: '/proc/3/ns/ipc' }, { type: 'pid' }]),
      { network: 20, ipc: 21 },
    );
    expect(opNames(p.ops)).toEqual(['SETNS', 'SETNS', 'UNSHARE', 'USERNS_SYNC', 'UNSHARE', 'FORK_INIT']);
    expect(p.ops[0]!.fields).toEqual([21, CLONE.NEWIPC]);
    expect(p.ops[1]!.fields).toEqual([20, CLONE.NEWNET]);
    expect(p.ops[2]!.fields).toEqual([CLONE.NEWUSER]);
    expect(p.ops[4]!.fields).toEqual([CLONE.NEWNS | CLONE.NEWPID]);
    expect([...p.newTypes].sort()).toEqual(['mount', 'pid', 'user']);
    expect([...p.joinedTypes].sort()).toEqual(['ipc', 'network']);
  });

  it('a joined user namespace is not a new one', () => {
    const p = namespaceOps(spec([{ type: 'user', path: '/proc/9/ns/user' }, { type: 'mount' }]), { user: 4 });
    expect(p.newUser).toBe(false);
    expect(opNames(p.ops)).toEqual(['SETNS', 'SETUSER', 'UNSHARE', 'FORK_INIT']);
    expect(p.ops[1]!.fields).toEqual([0, 0, 0, 0]); // root, no supplementary groups
    expect(p.ops.some((o) => o.code === Op.USERNS_SYNC)).toBe(false);
  });

  it('a rootless caller stays dumpable just while it writes the id maps', () => {
    const p = namespaceOps(spec([{ type: 'user' }, { type: 'mount' }]), {}, true);
    expect(opNames(p.ops)).toEqual(['DUMPABLE', 'UNSHARE', 'USERNS_SYNC', 'DUMPABLE', 'UNSHARE', 'FORK_INIT']);
    expect(p.ops[0]!.fields).toEqual([1]);
    expect(p.ops[3]!.fields).toEqual([0]);
  });

  it('fails loudly when the lifecycle did not open a joined namespace', () => {
    expect(() => namespaceOps(spec([{ type: 'mount' }, { type: 'network', path: '/run/netns/x' }]), {})).toThrow(
      'internal: no fd opened for the network namespace',
    );
  });

  describe('time offsets', () => {
    it('writes one "clock secs nanosecs" line per clock after the UNSHARE, before FORK_INIT', () => {
      const p = namespaceOps(
        spec([{ type: 'mount' }, { type: 'time' }], {
          timeOffsets: { monotonic: { secs: 86400, nanosecs: 500 }, boottime: { secs: -3600 } },
        }),
        {},
      );
      expect(opNames(p.ops)).toEqual(['UNSHARE', 'WRITE_PROC', 'FORK_INIT']);
      expect(p.ops[1]).toEqual({
        code: Op.WRITE_PROC,
        label: 'set time namespace offsets',
        fields: ['self/timens_offsets', 'monotonic 86400 500\nboottime -3600 0\n'],
      });
    });

    it('missing secs and nanosecs are 0', () => {
      const p = namespaceOps(spec([{ type: 'mount' }, { type: 'time' }], { timeOffsets: { monotonic: {} } }), {});
      expect(p.ops.find((o) => o.code === Op.WRITE_PROC)!.fields[1]).toBe('monotonic 0 0\n');
    });

    it('an empty timeOffsets object writes nothing', () => {
      const p = namespaceOps(spec([{ type: 'mount' }, { type: 'time' }], { timeOffsets: {} }), {});
      expect(opNames(p.ops)).toEqual(['UNSHARE', 'FORK_INIT']);
    });

    it('comes after the user namespace is mapped', () => {
      const p = namespaceOps(spec([{ type: 'user' }, { type: 'mount' }, { type: 'time' }], { timeOffsets: { boottime: { secs: 5, nanosecs: 1 } } }), {});
      expect(opNames(p.ops)).toEqual(['UNSHARE', 'USERNS_SYNC', 'UNSHARE', 'WRITE_PROC', 'FORK_INIT']);
    });
  });

  it('with a stage 1, FORK_INIT is always its last op', () => {
    const cases: LinuxNamespace[][] = [
      [{ type: 'mount' }, { type: 'time' }],
      [{ type: 'user' }, { type: 'mount' }],
      [{ type: 'mount', path: '/x' }],
      [{ type: 'user', path: '/u' }, { type: 'mount' }, { type: 'pid' }, { type: 'time' }],
    ];
    for (const namespaces of cases) {
      const p = namespaceOps(spec(namespaces, { timeOffsets: { monotonic: { secs: 1 } } }), { mount: 3, user: 4 });
      expect(p.cloneFlags).toBe(0);
      expect(p.ops.at(-1)!.code).toBe(Op.FORK_INIT);
      expect(p.ops.filter((o) => o.code === Op.FORK_INIT)).toHaveLength(1);
    }
  });
});

describe('namespaceOps: joining the cgroups by hand (v1, hybrid)', () => {
  it('the first child never waits for the move; a new cgroup namespace is left to the init', () => {
    const p = namespaceOps(spec([{ type: 'user' }, { type: 'pid' }, { type: 'network' }, { type: 'mount' }, { type: 'cgroup' }]), {}, false, true);
    expect(p.ops.some((o) => o.code === Op.WAIT_PARENT)).toBe(false);
    const unshares = p.ops.filter((o) => o.code === Op.UNSHARE);
    expect(unshares).toHaveLength(2); // user, then the rest
    expect(Number(unshares[1]!.fields[0]) & CLONE.NEWCGROUP).toBe(0);
    expect(p.cgroupNsDeferred).toBe(true);
    expect(p.ops.at(-1)!.code).toBe(Op.FORK_INIT);
  });

  it('without cgroupSync the cgroup namespace is made with the others', () => {
    const q = namespaceOps(spec([{ type: 'user' }, { type: 'pid' }, { type: 'mount' }, { type: 'cgroup' }]), {});
    expect(q.cgroupNsDeferred).toBe(false);
    expect(Number(q.ops.filter((o) => o.code === Op.UNSHARE)[1]!.fields[0]) & CLONE.NEWCGROUP).toBe(CLONE.NEWCGROUP);
  });

  it('cgroupJoinOps: one self-join per v1 tasks fd, then the deferred cgroup namespace', () => {
    expect(cgroupJoinOps([31, 32], true)).toMatchObject([
      { code: Op.JOIN_CGROUP, fields: [31] },
      { code: Op.JOIN_CGROUP, fields: [32] },
      { code: Op.UNSHARE, fields: [CLONE.NEWCGROUP] },
    ]);
    expect(cgroupJoinOps([31], false)).toMatchObject([{ code: Op.JOIN_CGROUP, fields: [31] }]);
  });
});

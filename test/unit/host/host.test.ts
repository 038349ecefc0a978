import { describe, expect, it } from 'vitest';
import { cgroupFacts, mountPointOf, parseMountInfo } from '../../../lib/host.js';
import type { MountInfo } from '../../../lib/host.js';

// Mount tables as /proc/self/mountinfo prints them (proc(5)):
//   id parent major:minor root mount-point mount-options optional-fields... - fstype source super-options

const V2_TABLE = `\
22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw
25 24 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
26 22 0:5 / /dev rw,nosuid,relatime shared:3 - devtmpfs udev rw,size=8040588k,nr_inodes=2010147,mode=755,inode64
27 22 0:26 / /run rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw,size=1614452k,mode=755,inode64
90 22 259:3 / /srv/data rw,relatime shared:40 - xfs /dev/nvme0n1p3 rw,attr2,inode64
`;

const HYBRID_TABLE = `\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw
30 24 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate
32 30 0:28 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd
33 30 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,cpu,cpuacct
34 30 0:30 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,memory
35 30 0:31 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,net_cls,net_prio
`;

const V1_TABLE = `\
22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw
30 22 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec - tmpfs tmpfs ro,mode=755
32 30 0:28 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,xattr,release_agent=/usr/lib/systemd/systemd-cgroups-agent,name=systemd
33 30 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,cpu,cpuacct
36 30 0:32 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,cpuset,clone_children,noprefix,cpuset_v2_mode
37 30 0:33 / /sys/fs/cgroup/pids ro,nosuid,nodev,noexec,noatime - cgroup cgroup ro,noatime,pids
`;

describe('parseMountInfo', () => {
  it('parses every field of a line', () => {
    const [m] = parseMountInfo('36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 shared:7 - ext3 /dev/root rw,errors=continue\n');
    expect(m).toEqual<MountInfo>({
      id: 36,
      parent: 35,
      root: '/mnt1',
      mountPoint: '/mnt2',
      optional: ['master:1', 'shared:7'],
      fstype: 'ext3',
      source: '/dev/root',
      superOptions: ['rw', 'errors=continue'],
    });
  });

  it('no optional fields', () => {
    const [m] = parseMountInfo('22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw');
    expect(m!.optional).toEqual([]);
    expect(m!.mountPoint).toBe('/');
  });

  it('unescapes \\040 (space), \\011 (tab), \\012 (newline) and \\134 (backslash)', () => {
    const text = [
      '50 22 0:40 / /mnt/my\\040disk rw - fuse.sshfs user@host:/home/a\\040b rw',
      '51 22 0:41 /sub\\011dir /mnt/tab\\011here rw - tmpfs tmpfs rw',
      '52 22 0:42 / /mnt/new\\012line rw - tmpfs tmpfs rw',
      '53 22 0:43 / /mnt/back\\134slash rw - tmpfs tmpfs rw',
    ].join('\n');
    const ms = parseMountInfo(text);
    expect(ms.map((m) => m.mountPoint)).toEqual(['/mnt/my disk', '/mnt/tab\there', '/mnt/new\nline', '/mnt/back\\slash']);
    expect(ms[0]!.source).toBe('user@host:/home/a b');
    expect(ms[1]!.root).toBe('/sub\tdir');
  });

  it('an escaped " - " inside a path does not end the left part', () => {
    const [m] = parseMountInfo('60 22 0:50 / /mnt/a\\040-\\040b rw shared:3 - tmpfs tmpfs rw');
    expect(m).toMatchObject({ mountPoint: '/mnt/a - b', fstype: 'tmpfs', optional: ['shared:3'] });
  });

  it('skips blank and malformed lines', () => {
    expect(parseMountInfo('\n\nnot a mountinfo line\n')).toEqual([]);
    expect(parseMountInfo('')).toEqual([]);
  });

  it('a whole table, in order', () => {
    const ms = parseMountInfo(V2_TABLE);
    expect(ms).toHaveLength(7);
    expect(ms.map((m) => [m.id, m.parent, m.mountPoint, m.fstype])).toEqual([
      [22, 1, '/', 'ext4'],
      [23, 22, '/proc', 'proc'],
      [24, 22, '/sys', 'sysfs'],
      [25, 24, '/sys/fs/cgroup', 'cgroup2'],
      [26, 22, '/dev', 'devtmpfs'],
      [27, 22, '/run', 'tmpfs'],
      [90, 22, '/srv/data', 'xfs'],
    ]);
    expect(ms[3]!.superOptions).toEqual(['rw', 'nsdelegate', 'memory_recursiveprot']);
  });
});

describe('mountPointOf', () => {
  const mounts = parseMountInfo(
    V2_TABLE +
      '91 90 0:60 / /srv/data/containers rw - tmpfs tmpfs rw\n' +
      '92 22 0:61 / /foo rw - tmpfs tmpfs rw\n' +
      '93 22 0:62 / /mnt/my\\040disk rw - tmpfs tmpfs rw\n',
  );

  it.each([
    ['/', '/'],
    ['/etc/passwd', '/'],
    ['/srv', '/'],
    ['/srv/data', '/srv/data'],
    ['/srv/data/bundles/box/rootfs', '/srv/data'],
    // the longest matching mount point wins
    ['/srv/data/containers/box/rootfs', '/srv/data/containers'],
    ['/srv/data/containers', '/srv/data/containers'],
    // a prefix only counts at a path component boundary
    ['/srv/database', '/'],
    ['/foobar', '/'],
    ['/foobar/x', '/'],
    ['/foo', '/foo'],
    ['/foo/bar', '/foo'],
    ['/sys/fs/cgroup/user.slice', '/sys/fs/cgroup'],
    ['/sys/fs/cgroupfoo', '/sys'],
    ['/mnt/my disk/rootfs', '/mnt/my disk'],
  ])('%s is on %s', (path, mp) => {
    expect(mountPointOf(path, mounts)).toBe(mp);
  });

  it('no mounts at all: /', () => {
    expect(mountPointOf('/a/b', [])).toBe('/');
  });
});

describe('cgroupFacts', () => {
  it('cgroup v2: one cgroup2 hierarchy at /sys/fs/cgroup', () => {
    expect(cgroupFacts(parseMountInfo(V2_TABLE))).toEqual({
      layout: 'v2',
      hierarchies: [{ version: 2, mountPoint: '/sys/fs/cgroup', controllers: [] }],
    });
  });

  it('hybrid: cgroup2 at /sys/fs/cgroup/unified plus v1 hierarchies, in table order', () => {
    expect(cgroupFacts(parseMountInfo(HYBRID_TABLE))).toEqual({
      layout: 'hybrid',
      hierarchies: [
        { version: 2, mountPoint: '/sys/fs/cgroup/unified', controllers: [] },
        { version: 1, mountPoint: '/sys/fs/cgroup/systemd', controllers: ['name=systemd'] },
        { version: 1, mountPoint: '/sys/fs/cgroup/cpu,cpuacct', controllers: ['cpu', 'cpuacct'] },
        { version: 1, mountPoint: '/sys/fs/cgroup/memory', controllers: ['memory'] },
        { version: 1, mountPoint: '/sys/fs/cgroup/net_cls,net_prio', controllers: ['net_cls', 'net_prio'] },
      ],
    });
  });

  it('v1 only: controllers from the super options, mount flags and release_agent dropped, name=systemd kept', () => {
    const facts = cgroupFacts(parseMountInfo(V1_TABLE));
    expect(facts.layout).toBe('v1');
    expect(facts.hierarchies).toEqual([
      { version: 1, mountPoint: '/sys/fs/cgroup/systemd', controllers: ['name=systemd'] },
      { version: 1, mountPoint: '/sys/fs/cgroup/cpu,cpuacct', controllers: ['cpu', 'cpuacct'] },
      { version: 1, mountPoint: '/sys/fs/cgroup/cpuset', controllers: ['cpuset'] },
      { version: 1, mountPoint: '/sys/fs/cgroup/pids', controllers: ['pids'] },
    ]);
  });

  it('a tmpfs at /sys/fs/cgroup is not a hierarchy', () => {
    expect(cgroupFacts(parseMountInfo(HYBRID_TABLE)).hierarchies.some((h) => h.mountPoint === '/sys/fs/cgroup')).toBe(false);
  });

  it('cgroup2 mounted only somewhere else is hybrid, not v2', () => {
    const t = V1_TABLE + '40 22 0:40 / /run/cgroup2 rw - cgroup2 cgroup2 rw\n';
    expect(cgroupFacts(parseMountInfo(t)).layout).toBe('hybrid');
  });

  it('no cgroup mounts at all: v1 with no hierarchies', () => {
    expect(cgroupFacts(parseMountInfo('22 1 8:1 / / rw - ext4 /dev/sda1 rw\n'))).toEqual({ layout: 'v1', hierarchies: [] });
  });

  it('one answer per mount table, frozen, since every create asks', () => {
    const table = parseMountInfo(HYBRID_TABLE);
    const facts = cgroupFacts(table);
    expect(cgroupFacts(table)).toBe(facts);
    expect(cgroupFacts(parseMountInfo(HYBRID_TABLE))).not.toBe(facts);
    expect(Object.isFrozen(facts) && Object.isFrozen(facts.hierarchies) && facts.hierarchies.every((h) => Object.isFrozen(h) && Object.isFrozen(h.controllers))).toBe(true);
  });
});

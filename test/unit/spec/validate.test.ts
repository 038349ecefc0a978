import { describe, it, expect } from 'vitest';
import { ConfigError } from '../../../lib/errors.js';
import {
  CAPABILITIES,
  MOUNT_OPTIONS_KNOWN,
  RLIMIT_TYPES,
  SPEC_VERSION,
  isUint64Max,
  validateConfig,
  validateProcess,
  validateResources,
} from '../../../spec/index.js';

// Configs are built as plain JSON-ish objects and mutated per case, so `any` is the honest type.
type Json = any;

/** A config that uses every section of runtime-spec v1.3.0 for Linux. */
function fullConfig(): Json {
  return {
    ociVersion: '1.3.0',
    root: { path: 'rootfs', readonly: true },
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      {
        destination: '/data',
        type: 'none',
        source: '/srv/data',
        options: ['rbind', 'ridmap'],
        uidMappings: [{ containerID: 0, hostID: 200000, size: 65536 }],
        gidMappings: [{ containerID: 0, hostID: 200000, size: 65536 }],
      },
      // Relative destinations are deprecated but valid.
      { destination: 'scratch', type: 'tmpfs', source: 'tmpfs' },
    ],
    process: {
      terminal: true,
      consoleSize: { height: 24, width: 80 },
      user: { uid: 0, gid: 0, umask: 0o022, additionalGids: [5, 6] },
      args: ['sh', '-c', 'echo hi'],
      // An entry without "=" is accepted, as runc does.
      env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm', 'NOEQUALS'],
      cwd: '/',
      capabilities: {
        bounding: ['CAP_CHOWN', 'CAP_NET_BIND_SERVICE', 'CAP_KILL'],
        effective: ['CAP_CHOWN', 'CAP_NET_BIND_SERVICE'],
        inheritable: [],
        permitted: ['CAP_CHOWN', 'CAP_NET_BIND_SERVICE'],
        // Unknown names are the lib's business (the spec says warn), not the validator's.
        ambient: ['CAP_NET_BIND_SERVICE', 'CAP_FROM_THE_FUTURE'],
      },
      rlimits: [
        { type: 'RLIMIT_NOFILE', soft: 1024, hard: 4096 },
        // RLIM_INFINITY as JSON.parse delivers it.
        { type: 'RLIMIT_CORE', soft: 0, hard: JSON.parse('18446744073709551615') },
        { type: 'RLIMIT_MEMLOCK', soft: JSON.parse('18446744073709551615'), hard: JSON.parse('18446744073709551615') },
      ],
      apparmorProfile: 'caisson-default',
      noNewPrivileges: true,
      oomScoreAdj: -500,
      scheduler: {
        policy: 'SCHED_DEADLINE',
        nice: 0,
        priority: 0,
        flags: ['SCHED_FLAG_RESET_ON_FORK', 'SCHED_FLAG_RECLAIM'],
        runtime: 10_000_000,
        deadline: 20_000_000,
        period: 30_000_000,
      },
      selinuxLabel: 'system_u:system_r:container_t:s0:c1,c2',
      ioPriority: { class: 'IOPRIO_CLASS_BE', priority: 4 },
      execCPUAffinity: { initial: '0-3, 7', final: '0' },
      someFutureField: { whatever: true },
    },
    hostname: 'box',
    domainname: 'example.org',
    hooks: {
      prestart: [{ path: '/usr/bin/fix-mounts', args: ['fix-mounts', 'arg1'], env: ['key1=value1'] }],
      createRuntime: [{ path: '/usr/bin/setup-network' }],
      createContainer: [{ path: '/usr/bin/mount-hook', timeout: 5 }],
      startContainer: [{ path: '/usr/bin/refresh-ldcache' }],
      poststart: [{ path: '/usr/bin/notify-start', timeout: 1 }],
      poststop: [{ path: '/usr/sbin/cleanup.sh', args: ['cleanup.sh', '-f'] }],
    },
    annotations: {
      'com.example.key1': 'value1',
      'org.opencontainers.image.stopSignal': 'SIGTERM',
      'com.example.empty': '',
    },
    linux: {
      namespaces: [
        { type: 'pid' },
        { type: 'network', path: '/var/run/netns/box' },
        { type: 'mount' },
        { type: 'ipc' },
        { type: 'uts' },
        { type: 'user' },
        { type: 'cgroup' },
        { type: 'time' },
      ],
      uidMappings: [
        { containerID: 0, hostID: 100000, size: 1000 },
        { containerID: 1000, hostID: 1000, size: 1 },
        { containerID: 1001, hostID: 101001, size: 64535 },
      ],
      gidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
      timeOffsets: { monotonic: { secs: 86400, nanosecs: 500 }, boottime: { secs: -3600 } },
      devices: [
        { path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 438, uid: 0, gid: 0 },
        { path: '/dev/sda', type: 'b', major: 8, minor: 0, fileMode: 432 },
        { path: '/run/fifo', type: 'p' },
      ],
      netDevices: { eth1: { name: 'ctr0' }, dummy0: {}, 'eth.2': { name: 'net%d' } },
      cgroupsPath: '/caisson/box',
      resources: {
        devices: [
          { allow: false, access: 'rwm' },
          { allow: true, type: 'c', major: 10, minor: 229, access: 'rw' },
          { allow: true, type: 'a' },
        ],
        memory: {
          limit: 536870912,
          reservation: 268435456,
          swap: -1,
          kernel: -1,
          kernelTCP: -1,
          swappiness: 0,
          disableOOMKiller: false,
          useHierarchy: true,
          checkBeforeUpdate: true,
        },
        cpu: {
          shares: 1024,
          quota: 100000,
          burst: 50000,
          period: 100000,
          realtimeRuntime: 950000,
          realtimePeriod: 1000000,
          cpus: '2-3',
          mems: '0-7',
          idle: 0,
        },
        blockIO: {
          weight: 10,
          leafWeight: 10,
          weightDevice: [
            { major: 8, minor: 0, weight: 500, leafWeight: 300 },
            { major: 8, minor: 16, weight: 500 },
          ],
          throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 600 }],
          throttleWriteBpsDevice: [{ major: 8, minor: 16, rate: 300 }],
          throttleReadIOPSDevice: [{ major: 8, minor: 0, rate: 100 }],
          throttleWriteIOPSDevice: [{ major: 8, minor: 16, rate: 50 }],
        },
        hugepageLimits: [
          { pageSize: '2MB', limit: 209715200 },
          { pageSize: '64KB', limit: 1000000 },
        ],
        network: { classID: 1048577, priorities: [{ name: 'eth0', priority: 500 }, { name: 'eth1', priority: 1000 }] },
        pids: { limit: 0 },
        rdma: { mlx5_1: { hcaHandles: 3, hcaObjects: 10000 }, mlx4_0: { hcaObjects: 1000 } },
        unified: { 'io.weight': '100', 'memory.high': '1073741824' },
      },
      rootfsPropagation: 'rslave',
      seccomp: {
        defaultAction: 'SCMP_ACT_ERRNO',
        defaultErrnoRet: 1,
        architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
        flags: ['SECCOMP_FILTER_FLAG_LOG'],
        listenerPath: '/run/seccomp-agent.sock',
        listenerMetadata: 'opaque',
        syscalls: [
          { names: ['getcwd', 'chmod'], action: 'SCMP_ACT_ALLOW' },
          {
            names: ['personality'],
            action: 'SCMP_ACT_ALLOW',
            args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }],
          },
          { names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
          {
            names: ['clone'],
            action: 'SCMP_ACT_ALLOW',
            args: [{ index: 0, value: 2114060288, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
          },
          { names: ['mount'], action: 'SCMP_ACT_NOTIFY' },
        ],
      },
      sysctl: { 'net.ipv4.ip_forward': '1', 'net.core.somaxconn': '256' },
      maskedPaths: ['/proc/kcore', '/proc/keys'],
      readonlyPaths: ['/proc/sys', '/proc/sysrq-trigger'],
      mountLabel: 'system_u:object_r:svirt_sandbox_file_t:s0:c715,c811',
      intelRdt: {
        closID: 'guaranteed_group',
        l3CacheSchema: 'L3:0=7f0;1=1f',
        memBwSchema: 'MB:0=20;1=70',
        schemata: ['L2:0=ff;1=ff'],
        enableMonitoring: true,
      },
      personality: { domain: 'LINUX', flags: [] },
      memoryPolicy: { mode: 'MPOL_INTERLEAVE', nodes: '0-1', flags: ['MPOL_F_STATIC_NODES'] },
    },
    // Other platforms' sections are carried, not read.
    solaris: { milestone: 'svc:/milestone/container:default' },
    windows: { layerFolders: [] },
    'x-vendor-extension': 42,
  };
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

function expectConfigError(fn: () => unknown, path: string, rule: RegExp): void {
  const err = caught(fn);
  expect(err, 'expected a ConfigError').toBeInstanceOf(ConfigError);
  const ce = err as ConfigError;
  expect(ce.path).toBe(path);
  expect(ce.rule).toMatch(rule);
  expect(ce.code).toBe('ECONFIG');
}

const withoutNs = (c: Json, type: string): void => {
  c.linux.namespaces = c.linux.namespaces.filter((ns: Json) => ns.type !== type);
};
const nsIndex = (c: Json, type: string): number => c.linux.namespaces.findIndex((ns: Json) => ns.type === type);

// A mutation that returns replace(x) tests `x` instead of the mutated config.
const REPLACE = Symbol('replace');
const replace = (value: unknown) => ({ [REPLACE]: value });

// [description, mutation of fullConfig(), expected path, expected rule]
type Case = [string, (c: Json) => unknown, string, RegExp];

const cases: Case[] = [
  // top level
  ['config is not an object', () => replace([]), '$', /must be an object/],
  ['missing ociVersion', (c) => delete c.ociVersion, '$.ociVersion', /is required/],
  ['ociVersion 2.0.0', (c) => (c.ociVersion = '2.0.0'), '$.ociVersion', /major version 1/],
  ['ociVersion 0.9.0', (c) => (c.ociVersion = '0.9.0'), '$.ociVersion', /major version 1/],
  ['ociVersion not semver', (c) => (c.ociVersion = '1.0'), '$.ociVersion', /SemVer/],
  ['ociVersion leading zero', (c) => (c.ociVersion = '1.01.0'), '$.ociVersion', /SemVer/],
  ['ociVersion a number', (c) => (c.ociVersion = 1), '$.ociVersion', /must be a string/],
  ['missing root', (c) => delete c.root, '$.root', /is required/],
  ['root not an object', (c) => (c.root = 'rootfs'), '$.root', /must be an object/],
  ['root.path not a string', (c) => (c.root.path = 5), '$.root.path', /must be a string/],
  ['root.path empty', (c) => (c.root.path = ''), '$.root.path', /non-empty/],
  ['root.readonly not boolean', (c) => (c.root.readonly = 'yes'), '$.root.readonly', /must be a boolean/],
  ['hostname not a string', (c) => (c.hostname = 5), '$.hostname', /must be a string/],
  ['domainname not a string', (c) => (c.domainname = ['x']), '$.domainname', /must be a string/],
  ['linux not an object', (c) => (c.linux = []), '$.linux', /must be an object/],
  ['null is not absent', (c) => (c.mounts = null), '$.mounts', /must be an array/],

  // mounts
  ['mounts not an array', (c) => (c.mounts = {}), '$.mounts', /must be an array/],
  ['mount missing destination', (c) => delete c.mounts[1].destination, '$.mounts[1].destination', /is required/],
  ['mount destination empty', (c) => (c.mounts[1].destination = ''), '$.mounts[1].destination', /non-empty/],
  ['mount source not a string', (c) => (c.mounts[0].source = 1), '$.mounts[0].source', /must be a string/],
  ['mount type not a string', (c) => (c.mounts[0].type = true), '$.mounts[0].type', /must be a string/],
  ['mount options not an array', (c) => (c.mounts[0].options = 'ro'), '$.mounts[0].options', /must be an array/],
  ['mount options not strings', (c) => (c.mounts[0].options = ['ro', 3]), '$.mounts[0].options[1]', /must be a string/],
  ['mount uidMappings without gidMappings', (c) => delete c.mounts[2].gidMappings, '$.mounts[2].gidMappings', /required when uidMappings/],
  ['mount gidMappings without uidMappings', (c) => delete c.mounts[2].uidMappings, '$.mounts[2].uidMappings', /required when gidMappings/],
  ['mount mapping size 0', (c) => (c.mounts[2].uidMappings[0].size = 0), '$.mounts[2].uidMappings[0].size', /between 1 and 4294967295/],
  [
    'idmap mount without mappings or user namespace',
    (c) => {
      delete c.linux.uidMappings;
      delete c.linux.gidMappings;
      withoutNs(c, 'user');
      c.mounts[3].options = ['rw', 'idmap'];
    },
    '$.mounts[3].options[1]',
    /idmap needs uidMappings and gidMappings on the mount or a user namespace/,
  ],

  // process
  ['process not an object', (c) => (c.process = 'sh'), '$.process', /must be an object/],
  ['missing cwd', (c) => delete c.process.cwd, '$.process.cwd', /is required/],
  ['relative cwd', (c) => (c.process.cwd = 'home'), '$.process.cwd', /must be an absolute path/],
  ['missing args', (c) => delete c.process.args, '$.process.args', /is required/],
  ['empty args', (c) => (c.process.args = []), '$.process.args', /at least one/],
  ['args not an array', (c) => (c.process.args = 'sh -c true'), '$.process.args', /must be an array/],
  ['args entry not a string', (c) => (c.process.args = ['sh', 1]), '$.process.args[1]', /must be a string/],
  ['env with a number', (c) => (c.process.env = ['A=1', 2]), '$.process.env[1]', /must be a string/],
  ['terminal not boolean', (c) => (c.process.terminal = 'true'), '$.process.terminal', /must be a boolean/],
  ['consoleSize without width', (c) => delete c.process.consoleSize.width, '$.process.consoleSize.width', /is required/],
  ['bad uid type', (c) => (c.process.user.uid = '0'), '$.process.user.uid', /must be an integer between 0 and 4294967295/],
  ['negative gid', (c) => (c.process.user.gid = -1), '$.process.user.gid', /must be an integer between 0 and 4294967295/],
  ['missing uid', (c) => delete c.process.user.uid, '$.process.user.uid', /is required/],
  ['uid too large', (c) => (c.process.user.uid = 2 ** 32), '$.process.user.uid', /between 0 and 4294967295/],
  ['umask fractional', (c) => (c.process.user.umask = 1.5), '$.process.user.umask', /integer/],
  ['additionalGids entry negative', (c) => (c.process.user.additionalGids = [1, -1]), '$.process.user.additionalGids[1]', /integer/],
  ['unknown rlimit', (c) => (c.process.rlimits[0].type = 'RLIMIT_FOO'), '$.process.rlimits[0].type', /must be one of RLIMIT_CPU, /],
  [
    'duplicate rlimit',
    (c) => c.process.rlimits.push({ type: 'RLIMIT_NOFILE', soft: 1, hard: 1 }),
    '$.process.rlimits[3].type',
    /duplicate rlimit type "RLIMIT_NOFILE"/,
  ],
  ['rlimit soft > hard', (c) => (c.process.rlimits[0].soft = 8192), '$.process.rlimits[0].soft', /greater than hard/],
  [
    'rlimit soft > hard (infinite soft)',
    (c) => (c.process.rlimits[1] = { type: 'RLIMIT_CORE', soft: JSON.parse('18446744073709551615'), hard: 0 }),
    '$.process.rlimits[1].soft',
    /greater than hard/,
  ],
  ['rlimit missing hard', (c) => delete c.process.rlimits[0].hard, '$.process.rlimits[0].hard', /is required/],
  ['rlimit soft negative', (c) => (c.process.rlimits[0].soft = -1), '$.process.rlimits[0].soft', /between 0 and 18446744073709551615/],
  ['rlimit hard beyond uint64', (c) => (c.process.rlimits[0].hard = 1e20), '$.process.rlimits[0].hard', /between 0 and 18446744073709551615/],
  ['capability set not an array', (c) => (c.process.capabilities.effective = 'CAP_CHOWN'), '$.process.capabilities.effective', /must be an array/],
  ['capability not a string', (c) => (c.process.capabilities.ambient = [21]), '$.process.capabilities.ambient[0]', /must be a string/],
  ['capability badly formed', (c) => (c.process.capabilities.bounding[1] = 'chown'), '$.process.capabilities.bounding[1]', /capability name/],
  ['noNewPrivileges not boolean', (c) => (c.process.noNewPrivileges = 1), '$.process.noNewPrivileges', /must be a boolean/],
  ['oomScoreAdj 2000', (c) => (c.process.oomScoreAdj = 2000), '$.process.oomScoreAdj', /between -1000 and 1000/],
  ['apparmorProfile not a string', (c) => (c.process.apparmorProfile = {}), '$.process.apparmorProfile', /must be a string/],
  ['bad scheduler policy', (c) => (c.process.scheduler.policy = 'SCHED_FAST'), '$.process.scheduler.policy', /must be one of SCHED_OTHER, /],
  ['scheduler without policy', (c) => delete c.process.scheduler.policy, '$.process.scheduler.policy', /is required/],
  ['bad scheduler flag', (c) => (c.process.scheduler.flags = ['SCHED_FLAG_TURBO']), '$.process.scheduler.flags[0]', /must be one of SCHED_FLAG_RESET_ON_FORK/],
  ['scheduler nice beyond int32', (c) => (c.process.scheduler.nice = 2 ** 31), '$.process.scheduler.nice', /between -2147483648 and 2147483647/],
  ['scheduler runtime negative', (c) => (c.process.scheduler.runtime = -1), '$.process.scheduler.runtime', /between 0 and/],
  ['ioPriority 9', (c) => (c.process.ioPriority.priority = 9), '$.process.ioPriority.priority', /between 0 and 7/],
  ['ioPriority bad class', (c) => (c.process.ioPriority.class = 'IOPRIO_CLASS_NONE'), '$.process.ioPriority.class', /must be one of IOPRIO_CLASS_RT/],
  ['ioPriority without priority', (c) => delete c.process.ioPriority.priority, '$.process.ioPriority.priority', /is required/],
  ['execCPUAffinity descending range', (c) => (c.process.execCPUAffinity.initial = '3-1'), '$.process.execCPUAffinity.initial', /list like 0-3,7/],
  ['execCPUAffinity garbage', (c) => (c.process.execCPUAffinity.final = '0,,x'), '$.process.execCPUAffinity.final', /list like 0-3,7/],

  // hooks
  ['hooks not an object', (c) => (c.hooks = []), '$.hooks', /must be an object/],
  ['hook list not an array', (c) => (c.hooks.poststop = { path: '/bin/true' }), '$.hooks.poststop', /must be an array/],
  ['hook with relative path', (c) => (c.hooks.prestart[0].path = 'bin/hook'), '$.hooks.prestart[0].path', /must be an absolute path/],
  ['hook without path', (c) => delete c.hooks.createRuntime[0].path, '$.hooks.createRuntime[0].path', /is required/],
  ['hook timeout 0', (c) => (c.hooks.createContainer[0].timeout = 0), '$.hooks.createContainer[0].timeout', /greater than 0/],
  ['hook timeout fractional', (c) => (c.hooks.poststart[0].timeout = 0.5), '$.hooks.poststart[0].timeout', /greater than 0/],
  ['hook args not strings', (c) => (c.hooks.poststop[0].args = ['x', null]), '$.hooks.poststop[0].args[1]', /must be a string/],
  ['hook env not an array', (c) => (c.hooks.startContainer[0].env = 'A=1'), '$.hooks.startContainer[0].env', /must be an array/],

  // annotations
  ['annotations value number', (c) => (c.annotations['com.example.key1'] = 1), '$.annotations["com.example.key1"]', /must be a string/],
  ['annotations empty key', (c) => (c.annotations[''] = 'x'), '$.annotations[""]', /non-empty/],
  ['annotations not an object', (c) => (c.annotations = ['a=b']), '$.annotations', /must be an object/],

  // linux: namespaces and mappings
  ['namespaces not an array', (c) => (c.linux.namespaces = { pid: {} }), '$.linux.namespaces', /must be an array/],
  [
    'unknown namespace type',
    (c) => (c.linux.namespaces[1].type = 'net'),
    '$.linux.namespaces[1].type',
    /^must be one of pid, network, mount, ipc, uts, user, cgroup, time$/,
  ],
  ['namespace without type', (c) => delete c.linux.namespaces[0].type, '$.linux.namespaces[0].type', /is required/],
  ['duplicate namespace', (c) => c.linux.namespaces.push({ type: 'pid' }), '$.linux.namespaces[8].type', /^duplicate namespace type "pid"$/],
  ['relative namespace path', (c) => (c.linux.namespaces[1].path = 'netns/box'), '$.linux.namespaces[1].path', /must be an absolute path/],
  ['mappings without user namespace', (c) => withoutNs(c, 'user'), '$.linux.uidMappings', /requires a user namespace/],
  [
    'gid mappings only, without user namespace',
    (c) => {
      withoutNs(c, 'user');
      delete c.linux.uidMappings;
    },
    '$.linux.gidMappings',
    /requires a user namespace/,
  ],
  [
    'overlapping uid ranges (container side)',
    (c) => c.linux.uidMappings.push({ containerID: 500, hostID: 300000, size: 10 }),
    '$.linux.uidMappings[3]',
    /containerID range overlaps entry 0/,
  ],
  [
    'overlapping gid ranges (host side)',
    (c) => c.linux.gidMappings.push({ containerID: 70000, hostID: 165535, size: 2 }),
    '$.linux.gidMappings[1]',
    /hostID range overlaps entry 0/,
  ],
  [
    'mapping wraps past 2^32 - 1',
    (c) => (c.linux.uidMappings = [{ containerID: 4294967000, hostID: 300000, size: 1000 }]),
    '$.linux.uidMappings[0].size',
    /containerID \+ size must not exceed 4294967295/,
  ],
  ['mapping hostID not uint32', (c) => (c.linux.uidMappings[1].hostID = -5), '$.linux.uidMappings[1].hostID', /between 0 and 4294967295/],
  ['mapping without size', (c) => delete c.linux.gidMappings[0].size, '$.linux.gidMappings[0].size', /is required/],
  ['new user namespace without gidMappings', (c) => delete c.linux.gidMappings, '$.linux.gidMappings', /user namespace requires uidMappings and gidMappings/],
  [
    'new user namespace without any mappings',
    (c) => {
      c.linux.uidMappings = [];
      delete c.linux.gidMappings;
    },
    '$.linux.uidMappings',
    /user namespace requires uidMappings and gidMappings/,
  ],

  // linux: time offsets
  ['timeOffsets bad clock', (c) => (c.linux.timeOffsets.realtime = { secs: 1 }), '$.linux.timeOffsets.realtime', /clock must be one of monotonic, boottime/],
  ['timeOffsets nanosecs too big', (c) => (c.linux.timeOffsets.monotonic.nanosecs = 1e9), '$.linux.timeOffsets.monotonic.nanosecs', /between 0 and 999999999/],
  ['timeOffsets secs not integer', (c) => (c.linux.timeOffsets.boottime.secs = '1'), '$.linux.timeOffsets.boottime.secs', /integer/],
  ['timeOffsets without time namespace', (c) => withoutNs(c, 'time'), '$.linux.timeOffsets', /requires a time namespace/],
  [
    'timeOffsets with a joined time namespace',
    (c) => (c.linux.namespaces[nsIndex(c, 'time')].path = '/proc/1/ns/time'),
    '$.linux.timeOffsets',
    /joined/,
  ],

  // linux: devices, netDevices, misc
  ['bad device type', (c) => (c.linux.devices[0].type = 'x'), '$.linux.devices[0].type', /must be one of c, b, u, p/],
  ['relative device path', (c) => (c.linux.devices[1].path = 'dev/sda'), '$.linux.devices[1].path', /must be an absolute path/],
  ['bad fileMode', (c) => (c.linux.devices[0].fileMode = 0o10000), '$.linux.devices[0].fileMode', /between 0 and 4095/],
  ['char device without major', (c) => delete c.linux.devices[0].major, '$.linux.devices[0].major', /is required/],
  ['device uid negative', (c) => (c.linux.devices[0].uid = -1), '$.linux.devices[0].uid', /between 0 and 4294967295/],
  ['netDevice with bad target name', (c) => (c.linux.netDevices.eth1.name = 'a/b'), '$.linux.netDevices.eth1.name', /valid interface name/],
  ['netDevice target name too long', (c) => (c.linux.netDevices['eth.2'].name = 'x'.repeat(16)), '$.linux.netDevices["eth.2"].name', /valid interface name/],
  ['netDevice entry not an object', (c) => (c.linux.netDevices.dummy0 = 'ctr1'), '$.linux.netDevices.dummy0', /must be an object/],
  ['netDevices without network namespace', (c) => withoutNs(c, 'network'), '$.linux.netDevices', /requires a network namespace/],
  ['cgroupsPath not a string', (c) => (c.linux.cgroupsPath = 5), '$.linux.cgroupsPath', /must be a string/],
  ['bad rootfsPropagation', (c) => (c.linux.rootfsPropagation = 'recursive'), '$.linux.rootfsPropagation', /must be one of shared, slave, private, unbindable/],
  ['masked path relative', (c) => (c.linux.maskedPaths[1] = 'proc/keys'), '$.linux.maskedPaths[1]', /must be an absolute path/],
  ['readonlyPaths not an array', (c) => (c.linux.readonlyPaths = '/proc/sys'), '$.linux.readonlyPaths', /must be an array/],
  ['sysctl value not a string', (c) => (c.linux.sysctl['net.ipv4.ip_forward'] = 1), '$.linux.sysctl["net.ipv4.ip_forward"]', /must be a string/],
  ['mountLabel not a string', (c) => (c.linux.mountLabel = 0), '$.linux.mountLabel', /must be a string/],

  // linux: seccomp
  ['seccomp without defaultAction', (c) => delete c.linux.seccomp.defaultAction, '$.linux.seccomp.defaultAction', /is required/],
  ['seccomp bad action', (c) => (c.linux.seccomp.syscalls[0].action = 'SCMP_ACT_MAYBE'), '$.linux.seccomp.syscalls[0].action', /must be one of SCMP_ACT_KILL, /],
  ['seccomp errnoRet with ALLOW', (c) => (c.linux.seccomp.syscalls[0].errnoRet = 1), '$.linux.seccomp.syscalls[0].errnoRet', /action is SCMP_ACT_ERRNO or SCMP_ACT_TRACE/],
  ['seccomp defaultErrnoRet with KILL', (c) => (c.linux.seccomp.defaultAction = 'SCMP_ACT_KILL'), '$.linux.seccomp.defaultErrnoRet', /defaultAction is SCMP_ACT_ERRNO or SCMP_ACT_TRACE/],
  ['seccomp args index 6', (c) => (c.linux.seccomp.syscalls[1].args[0].index = 6), '$.linux.seccomp.syscalls[1].args[0].index', /between 0 and 5/],
  ['seccomp bad op', (c) => (c.linux.seccomp.syscalls[1].args[0].op = 'SCMP_CMP_LIKE'), '$.linux.seccomp.syscalls[1].args[0].op', /must be one of SCMP_CMP_NE, /],
  ['seccomp arg without value', (c) => delete c.linux.seccomp.syscalls[3].args[0].value, '$.linux.seccomp.syscalls[3].args[0].value', /is required/],
  ['seccomp valueTwo negative', (c) => (c.linux.seccomp.syscalls[3].args[0].valueTwo = -1), '$.linux.seccomp.syscalls[3].args[0].valueTwo', /between 0 and 18446744073709551615/],
  ['seccomp names empty', (c) => (c.linux.seccomp.syscalls[0].names = []), '$.linux.seccomp.syscalls[0].names', /at least one/],
  ['seccomp name empty string', (c) => (c.linux.seccomp.syscalls[0].names = ['read', '']), '$.linux.seccomp.syscalls[0].names[1]', /non-empty/],
  ['seccomp bad architecture', (c) => (c.linux.seccomp.architectures[1] = 'SCMP_ARCH_Z80'), '$.linux.seccomp.architectures[1]', /must be one of SCMP_ARCH_X86, /],
  ['seccomp bad flag', (c) => (c.linux.seccomp.flags = ['SECCOMP_FILTER_FLAG_FAST']), '$.linux.seccomp.flags[0]', /must be one of SECCOMP_FILTER_FLAG_TSYNC/],
  ['seccomp relative listenerPath', (c) => (c.linux.seccomp.listenerPath = 'agent.sock'), '$.linux.seccomp.listenerPath', /absolute path/],
  ['seccomp listenerMetadata without listenerPath', (c) => delete c.linux.seccomp.listenerPath, '$.linux.seccomp.listenerMetadata', /requires listenerPath/],

  // linux: resources
  ['resources not an object', (c) => (c.linux.resources = 1), '$.linux.resources', /must be an object/],
  ['pids limit -2', (c) => (c.linux.resources.pids.limit = -2), '$.linux.resources.pids.limit', /-1 \(max\)/],
  ['pids without limit', (c) => (c.linux.resources.pids = {}), '$.linux.resources.pids.limit', /is required/],
  ['swappiness 101', (c) => (c.linux.resources.memory.swappiness = 101), '$.linux.resources.memory.swappiness', /between 0 and 100/],
  ['memory limit -5', (c) => (c.linux.resources.memory.limit = -5), '$.linux.resources.memory.limit', /-1 \(unlimited\)/],
  ['memory swap not a number', (c) => (c.linux.resources.memory.swap = '1G'), '$.linux.resources.memory.swap', /-1 \(unlimited\)/],
  ['disableOOMKiller not boolean', (c) => (c.linux.resources.memory.disableOOMKiller = 'no'), '$.linux.resources.memory.disableOOMKiller', /boolean/],
  ['cpu burst > quota', (c) => (c.linux.resources.cpu.burst = 200000), '$.linux.resources.cpu.burst', /greater than a positive quota/],
  ['cpu shares negative', (c) => (c.linux.resources.cpu.shares = -1), '$.linux.resources.cpu.shares', /between 0 and/],
  ['cpu cpus malformed', (c) => (c.linux.resources.cpu.cpus = '0-'), '$.linux.resources.cpu.cpus', /list like 0-3,7/],
  ['blockIO weight beyond uint16', (c) => (c.linux.resources.blockIO.weight = 70000), '$.linux.resources.blockIO.weight', /between 0 and 65535/],
  [
    'weightDevice without weight or leafWeight',
    (c) => delete c.linux.resources.blockIO.weightDevice[1].weight,
    '$.linux.resources.blockIO.weightDevice[1]',
    /weight or leafWeight/,
  ],
  ['throttle device without rate', (c) => delete c.linux.resources.blockIO.throttleWriteIOPSDevice[0].rate, '$.linux.resources.blockIO.throttleWriteIOPSDevice[0].rate', /is required/],
  ['throttle device without major', (c) => delete c.linux.resources.blockIO.throttleReadBpsDevice[0].major, '$.linux.resources.blockIO.throttleReadBpsDevice[0].major', /is required/],
  ['hugepage bad pageSize', (c) => (c.linux.resources.hugepageLimits[0].pageSize = '2M'), '$.linux.resources.hugepageLimits[0].pageSize', /page size/],
  ['hugepage without limit', (c) => delete c.linux.resources.hugepageLimits[1].limit, '$.linux.resources.hugepageLimits[1].limit', /is required/],
  ['device rule bad access', (c) => (c.linux.resources.devices[1].access = 'rwx'), '$.linux.resources.devices[1].access', /combination of r, w and m/],
  ['device rule without allow', (c) => delete c.linux.resources.devices[0].allow, '$.linux.resources.devices[0].allow', /is required/],
  ['device rule bad type', (c) => (c.linux.resources.devices[1].type = 'u'), '$.linux.resources.devices[1].type', /must be one of a, c, b/],
  ['network priority without name', (c) => delete c.linux.resources.network.priorities[0].name, '$.linux.resources.network.priorities[0].name', /is required/],
  ['network classID negative', (c) => (c.linux.resources.network.classID = -1), '$.linux.resources.network.classID', /between 0 and 4294967295/],
  ['rdma entry without limits', (c) => (c.linux.resources.rdma.mlx4_0 = {}), '$.linux.resources.rdma.mlx4_0', /hcaHandles or hcaObjects/],
  ['unified value not a string', (c) => (c.linux.resources.unified['io.weight'] = 100), '$.linux.resources.unified["io.weight"]', /must be a string/],

  // linux: intelRdt, personality, memoryPolicy
  ['intelRdt memBwSchema without MB:', (c) => (c.linux.intelRdt.memBwSchema = 'L3:0=1'), '$.linux.intelRdt.memBwSchema', /"MB:"/],
  ['intelRdt schemata line with newline', (c) => (c.linux.intelRdt.schemata = ['L3:0=f\nMB:0=1']), '$.linux.intelRdt.schemata[0]', /without newlines/],
  ['intelRdt enableMonitoring not boolean', (c) => (c.linux.intelRdt.enableMonitoring = 'yes'), '$.linux.intelRdt.enableMonitoring', /boolean/],
  ['personality bad domain', (c) => (c.linux.personality.domain = 'BSD'), '$.linux.personality.domain', /must be one of LINUX, LINUX32/],
  ['personality without domain', (c) => (c.linux.personality = {}), '$.linux.personality.domain', /is required/],
  ['memoryPolicy BIND without nodes', (c) => (c.linux.memoryPolicy = { mode: 'MPOL_BIND' }), '$.linux.memoryPolicy.nodes', /is required with mode MPOL_BIND/],
  ['memoryPolicy INTERLEAVE with empty nodes', (c) => (c.linux.memoryPolicy.nodes = ''), '$.linux.memoryPolicy.nodes', /is required with mode MPOL_INTERLEAVE/],
  ['memoryPolicy bad mode', (c) => (c.linux.memoryPolicy.mode = 'MPOL_RANDOM'), '$.linux.memoryPolicy.mode', /must be one of MPOL_DEFAULT, /],
  ['memoryPolicy bad flag', (c) => (c.linux.memoryPolicy.flags = ['MPOL_F_FAST']), '$.linux.memoryPolicy.flags[0]', /must be one of MPOL_F_NUMA_BALANCING/],
  [
    'memoryPolicy static and relative nodes',
    (c) => (c.linux.memoryPolicy.flags = ['MPOL_F_STATIC_NODES', 'MPOL_F_RELATIVE_NODES']),
    '$.linux.memoryPolicy.flags',
    /mutually exclusive/,
  ],
];

describe('validateConfig', () => {
  it('accepts a config that uses every section', () => {
    const config = fullConfig();
    expect(validateConfig(config)).toBe(config);
  });

  it('does not copy, default or alter the input', () => {
    const config = fullConfig();
    const before = JSON.stringify(config);
    validateConfig(config);
    expect(JSON.stringify(config)).toBe(before);
  });

  it('accepts a minimal config', () => {
    expect(() => validateConfig({ ociVersion: '1.0.2-dev', root: { path: 'rootfs' } })).not.toThrow();
  });

  it('accepts any 1.x.y ociVersion, including pre-releases and build metadata', () => {
    for (const v of ['1.0.0', '1.2.1', '1.9.0', '1.3.0-rc.1', '1.3.0+dev.42']) {
      expect(() => validateConfig({ ociVersion: v, root: { path: '/bundles/x/rootfs' } })).not.toThrow();
    }
  });

  it('ignores unknown properties at every level', () => {
    const config = fullConfig();
    config.linux.futureThing = { a: 1 };
    config.linux.resources.futureController = 'x';
    config.linux.seccomp.syscalls[0].comment = 'allow basics';
    config.mounts[0].comment = 7;
    expect(() => validateConfig(config)).not.toThrow();
  });

  it('allows joining a user namespace by path without mappings', () => {
    const config = fullConfig();
    delete config.linux.uidMappings;
    delete config.linux.gidMappings;
    config.linux.namespaces[nsIndex(config, 'user')].path = '/proc/1234/ns/user';
    expect(() => validateConfig(config)).not.toThrow();
  });

  it('accepts the 64-bit maxima as JSON.parse delivers them', () => {
    const config = JSON.parse(
      `{"ociVersion":"1.3.0","root":{"path":"rootfs"},"linux":{"resources":{` +
        `"memory":{"limit":9223372036854775807},"cpu":{"shares":18446744073709551615},` +
        `"pids":{"limit":-1}}}}`,
    );
    expect(() => validateConfig(config)).not.toThrow();
  });

  it('accepts mounts with idmap when the container has a user namespace', () => {
    const config = fullConfig();
    config.mounts[3].options = ['idmap'];
    expect(() => validateConfig(config)).not.toThrow();
  });

  it('checks at least 45 malformed configs', () => {
    expect(cases.length).toBeGreaterThanOrEqual(45);
    expect(new Set(cases.map((c) => c[0])).size).toBe(cases.length);
  });

  describe.each(cases)('%s', (_name, mutate, path, rule) => {
    it(`fails at ${path}`, () => {
      const config = fullConfig();
      const result = mutate(config);
      const input = typeof result === 'object' && result !== null && REPLACE in result ? result[REPLACE] : config;
      expectConfigError(() => validateConfig(input), path, rule);
    });
  });
});

describe('validateProcess', () => {
  it('accepts a process.json', () => {
    const p = fullConfig().process;
    expect(validateProcess(p)).toBe(p);
  });

  it('reports paths relative to $ by default', () => {
    const p = fullConfig().process;
    p.args = [];
    expectConfigError(() => validateProcess(p), '$.args', /at least one/);
  });

  it('reports cwd problems', () => {
    const p = fullConfig().process;
    p.cwd = 'relative';
    expectConfigError(() => validateProcess(p), '$.cwd', /absolute/);
  });

  it('uses the given base path', () => {
    const p = fullConfig().process;
    p.rlimits[0].type = 'RLIMIT_NOPE';
    expectConfigError(() => validateProcess(p, '$.process'), '$.process.rlimits[0].type', /must be one of/);
  });

  it('refuses a non-object', () => {
    expectConfigError(() => validateProcess('sh'), '$', /must be an object/);
  });
});

describe('validateResources', () => {
  it('accepts a resources object', () => {
    const r = fullConfig().linux.resources;
    expect(validateResources(r)).toBe(r);
  });

  it('accepts an empty update', () => {
    expect(() => validateResources({})).not.toThrow();
  });

  it('reports paths relative to $ by default', () => {
    expectConfigError(() => validateResources({ memory: { limit: -7 } }), '$.memory.limit', /-1 \(unlimited\)/);
  });

  it('checks burst against quota', () => {
    expectConfigError(() => validateResources({ cpu: { quota: 1000, burst: 1001 } }), '$.cpu.burst', /quota/);
    expect(() => validateResources({ cpu: { quota: -1, burst: 1001 } })).not.toThrow();
  });

  it('uses the given base path', () => {
    expectConfigError(() => validateResources({ pids: { limit: -3 } }, '$.linux.resources'), '$.linux.resources.pids.limit', /-1/);
  });

  it('refuses a non-object', () => {
    expectConfigError(() => validateResources([]), '$', /must be an object/);
  });
});

describe('spec constants', () => {
  it('exports the spec version', () => {
    expect(SPEC_VERSION).toBe('1.3.0');
  });

  it('numbers capabilities like the kernel', () => {
    expect(CAPABILITIES[0]).toBe('CAP_CHOWN');
    expect(CAPABILITIES.indexOf('CAP_SYS_ADMIN')).toBe(21);
    expect(CAPABILITIES.indexOf('CAP_AUDIT_READ')).toBe(37);
    expect(CAPABILITIES[40]).toBe('CAP_CHECKPOINT_RESTORE');
    expect(CAPABILITIES.length).toBe(41);
  });

  it('lists every Linux rlimit', () => {
    expect(RLIMIT_TYPES.length).toBe(16);
    expect(RLIMIT_TYPES.indexOf('RLIMIT_NOFILE')).toBe(7);
  });

  it('knows the recursive and id-mapping mount options', () => {
    for (const o of ['rro', 'rnosuid', 'rnosymfollow', 'idmap', 'ridmap', 'tmpcopyup', 'bind', 'rbind']) {
      expect(MOUNT_OPTIONS_KNOWN).toContain(o);
    }
    expect(new Set(MOUNT_OPTIONS_KNOWN).size).toBe(MOUNT_OPTIONS_KNOWN.length);
  });

  it('recognises uint64 all-ones after JSON parsing', () => {
    expect(isUint64Max(JSON.parse('18446744073709551615'))).toBe(true);
    expect(isUint64Max(2 ** 53)).toBe(false);
  });
});

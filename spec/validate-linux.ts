// Validation of the `linux` object (config-linux.md), plus id mappings, which mounts share.

import type { LinuxNamespaceType } from './types.js';
import {
  DEVICE_TYPES,
  MPOL_FLAGS,
  MPOL_MODES,
  MPOL_MODES_NEEDING_NODES,
  NAMESPACE_TYPES,
  PERSONALITY_DOMAINS,
  ROOTFS_PROPAGATIONS,
  SECCOMP_ACTIONS,
  SECCOMP_ARCHS,
  SECCOMP_ERRNO_ACTIONS,
  SECCOMP_FLAGS,
  SECCOMP_OPERATORS,
  TIME_OFFSET_CLOCKS,
} from './types.js';
import {
  type Checker,
  type Obj,
  absPath,
  array,
  arrayOf,
  at,
  bool,
  child,
  cpuList,
  fail,
  int64,
  integer,
  matches,
  nonEmptyStr,
  object,
  oneOf,
  opt,
  req,
  shape,
  str,
  strArray,
  strMap,
  uint32,
  uint64,
} from './checks.js';
import { checkResources } from './validate-resources.js';

// ---------------------------------------------------------------------------------------------
// Id mappings (linux.uidMappings/gidMappings and mounts[].uidMappings/gidMappings)

// The kernel (user_namespaces(7), map_write) refuses an extent whose end wraps a u32, which
// makes 4294967295 the largest exclusive end, and refuses overlapping extents on either side.
const ID_END_MAX = 0xffffffff;

const idMapping = shape((o, p) => {
  req(o, 'containerID', p, uint32);
  req(o, 'hostID', p, uint32);
  req(o, 'size', p, integer(1, 0xffffffff));
  for (const side of ['containerID', 'hostID']) {
    if ((o[side] as number) + (o.size as number) > ID_END_MAX) {
      fail(child(p, 'size'), `${side} + size must not exceed ${ID_END_MAX}`);
    }
  }
});

export const idMappings: Checker = (v, p) => {
  const list = array(v, p);
  list.forEach((item, i) => idMapping(item, at(p, i)));
  const ranges = list as { containerID: number; hostID: number; size: number }[];
  for (let j = 1; j < ranges.length; j++) {
    for (let i = 0; i < j; i++) {
      for (const side of ['containerID', 'hostID'] as const) {
        const a = ranges[i]!;
        const b = ranges[j]!;
        if (a[side] < b[side] + b.size && b[side] < a[side] + a.size) {
          fail(at(p, j), `${side} range overlaps entry ${i}`);
        }
      }
    }
  }
};

// ---------------------------------------------------------------------------------------------
// Namespaces

// §Namespaces: the type must be known, a path must be absolute, and a duplicate type MUST be an
// error.
const namespaces: Checker = (v, p) => {
  const seen = new Set<string>();
  array(v, p).forEach((item, i) => {
    const ip = at(p, i);
    const o = object(item, ip);
    req(o, 'type', ip, oneOf(NAMESPACE_TYPES));
    opt(o, 'path', ip, absPath);
    const type = o.type as string;
    if (seen.has(type)) fail(child(ip, 'type'), `duplicate namespace type "${type}"`);
    seen.add(type);
  });
};

/** The (already validated) namespace entry of `type`, with its index, if the config has one. */
export function findNamespace(linux: unknown, type: LinuxNamespaceType): { index: number; path?: string } | undefined {
  if (!linux || !Array.isArray((linux as Obj).namespaces)) return undefined;
  const list = (linux as Obj).namespaces as { type: string; path?: string }[];
  const index = list.findIndex((ns) => ns.type === type);
  return index < 0 ? undefined : { index, path: list[index]!.path };
}

const nonEmptyList = (v: unknown): boolean => Array.isArray(v) && v.length > 0;

function userNamespaceRules(o: Obj, p: string): void {
  const userNs = findNamespace(o, 'user');
  const hasUid = nonEmptyList(o.uidMappings);
  const hasGid = nonEmptyList(o.gidMappings);
  // Mappings are written to the new user namespace's uid_map/gid_map; without one there is
  // nowhere to write them (runc refuses the same).
  if (!userNs && (hasUid || hasGid)) {
    fail(child(p, hasUid ? 'uidMappings' : 'gidMappings'), 'requires a user namespace in linux.namespaces');
  }
  // A new user namespace without mappings leaves every id unmapped (overflow uid 65534), so
  // nothing could run as root or own a file; runc: "user namespaces enabled, but no mappings".
  // A joined namespace brings its own mappings.
  if (userNs && userNs.path === undefined && !(hasUid && hasGid)) {
    fail(child(p, hasUid ? 'gidMappings' : 'uidMappings'), 'user namespace requires uidMappings and gidMappings');
  }
}

// ---------------------------------------------------------------------------------------------
// Time namespace offsets

const timeOffset = shape((o, p) => {
  opt(o, 'secs', p, int64);
  opt(o, 'nanosecs', p, integer(0, 999_999_999));
});

const CLOCKS = new Set<string>(TIME_OFFSET_CLOCKS);
const timeOffsets: Checker = (v, p) => {
  for (const [clock, value] of Object.entries(object(v, p))) {
    const cp = child(p, clock);
    if (!CLOCKS.has(clock)) fail(cp, `clock must be one of ${TIME_OFFSET_CLOCKS.join(', ')}`);
    timeOffset(value, cp);
  }
};

function timeNamespaceRules(o: Obj, p: string): void {
  if (o.timeOffsets === undefined || Object.keys(o.timeOffsets as Obj).length === 0) return;
  const timeNs = findNamespace(o, 'time');
  if (!timeNs) fail(child(p, 'timeOffsets'), 'requires a time namespace in linux.namespaces');
  // Offsets can only be written before any process enters the namespace (time_namespaces(7)),
  // so they cannot apply to one that is joined by path.
  if (timeNs.path !== undefined) {
    fail(child(p, 'timeOffsets'), `cannot be set when the time namespace is joined (namespaces[${timeNs.index}].path)`);
  }
}

// ---------------------------------------------------------------------------------------------
// Devices and network devices

const device = shape((o, p) => {
  req(o, 'type', p, oneOf(DEVICE_TYPES));
  req(o, 'path', p, absPath);
  // §Devices: major and minor are REQUIRED unless the type is `p` (a FIFO has no numbers).
  const numbers = o.type === 'p' ? opt : req;
  numbers(o, 'major', p, int64);
  numbers(o, 'minor', p, int64);
  opt(o, 'fileMode', p, integer(0, 0o7777, 'must be an integer between 0 and 4095 (permission bits, 0o7777)'));
  opt(o, 'uid', p, uint32);
  opt(o, 'gid', p, uint32);
});

// The kernel's dev_valid_name(): 1-15 bytes (IFNAMSIZ - 1), not "." or "..", no "/", ":" or
// whitespace. A trailing "%d" is allowed and asks the kernel to pick a free number.
const interfaceName: Checker = (v, p) => {
  str(v, p);
  const name = v as string;
  const len = Buffer.byteLength(name);
  if (len === 0 || len > 15 || name === '.' || name === '..' || /[/:\s]/.test(name)) {
    fail(p, 'must be a valid interface name (1-15 bytes, not "." or "..", no "/", ":" or whitespace)');
  }
};

const netDevices: Checker = (v, p) => {
  for (const [hostName, value] of Object.entries(object(v, p))) {
    const cp = child(p, hostName);
    interfaceName(hostName, cp);
    opt(object(value, cp), 'name', cp, interfaceName);
  }
};

function netDeviceRules(o: Obj, p: string): void {
  // Devices are moved into the container's network namespace; without a network namespace
  // entry that would be the runtime's own, i.e. no move at all.
  if (o.netDevices !== undefined && Object.keys(o.netDevices as Obj).length > 0 && !findNamespace(o, 'network')) {
    fail(child(p, 'netDevices'), 'requires a network namespace in linux.namespaces');
  }
}

// ---------------------------------------------------------------------------------------------
// Seccomp

const ERRNO_ACTIONS = new Set<string>(SECCOMP_ERRNO_ACTIONS);
const errnoRule = (field: string): string => `is only allowed when ${field} is ${SECCOMP_ERRNO_ACTIONS.join(' or ')}`;

const seccompArg = shape((o, p) => {
  // seccomp_data holds six syscall arguments.
  req(o, 'index', p, integer(0, 5));
  req(o, 'value', p, uint64);
  opt(o, 'valueTwo', p, uint64);
  req(o, 'op', p, oneOf(SECCOMP_OPERATORS));
});

const syscall = shape((o, p) => {
  req(o, 'names', p, (v, np) => {
    arrayOf(nonEmptyStr)(v, np);
    if ((v as unknown[]).length === 0) fail(np, 'must contain at least one entry');
  });
  req(o, 'action', p, oneOf(SECCOMP_ACTIONS));
  opt(o, 'errnoRet', p, uint32);
  // §Seccomp: errnoRet on an action that returns no errno MUST be an error.
  if (o.errnoRet !== undefined && !ERRNO_ACTIONS.has(o.action as string)) fail(child(p, 'errnoRet'), errnoRule('action'));
  opt(o, 'args', p, arrayOf(seccompArg));
});

const seccomp = shape((o, p) => {
  req(o, 'defaultAction', p, oneOf(SECCOMP_ACTIONS));
  opt(o, 'defaultErrnoRet', p, uint32);
  // Same rule as errnoRet: the runtime MUST fail if the default action takes no errno.
  if (o.defaultErrnoRet !== undefined && !ERRNO_ACTIONS.has(o.defaultAction as string)) {
    fail(child(p, 'defaultErrnoRet'), errnoRule('defaultAction'));
  }
  opt(o, 'architectures', p, arrayOf(oneOf(SECCOMP_ARCHS)));
  opt(o, 'flags', p, arrayOf(oneOf(SECCOMP_FLAGS)));
  opt(o, 'listenerPath', p, absPath);
  opt(o, 'listenerMetadata', p, str);
  // listenerMetadata MUST NOT be set without listenerPath. An empty string is Go's "unset".
  if (o.listenerMetadata && o.listenerPath === undefined) fail(child(p, 'listenerMetadata'), 'requires listenerPath');
  opt(o, 'syscalls', p, arrayOf(syscall));
});

// ---------------------------------------------------------------------------------------------
// Intel RDT, personality, memory policy

const noNewline = (what: string): Checker => matches(/^[^\n]*$/, `${what} without newlines`);

const intelRdt = shape((o, p) => {
  opt(o, 'closID', p, str);
  opt(o, 'l3CacheSchema', p, str);
  // §IntelRdt: memBwSchema MUST start with "MB:" and MUST NOT contain newlines.
  opt(o, 'memBwSchema', p, matches(/^MB:[^\n]*$/, 'a string starting with "MB:" without newlines'));
  // Each entry is one line of the schemata file.
  opt(o, 'schemata', p, arrayOf(noNewline('a string')));
  opt(o, 'enableMonitoring', p, bool);
  opt(o, 'enableCMT', p, bool);
  opt(o, 'enableMBM', p, bool);
});

const personality = shape((o, p) => {
  req(o, 'domain', p, oneOf(PERSONALITY_DOMAINS));
  opt(o, 'flags', p, strArray);
});

const NEEDS_NODES = new Set<string>(MPOL_MODES_NEEDING_NODES);
const memoryPolicy = shape((o, p) => {
  req(o, 'mode', p, oneOf(MPOL_MODES));
  opt(o, 'nodes', p, cpuList);
  opt(o, 'flags', p, arrayOf(oneOf(MPOL_FLAGS)));
  // §Memory policy: these modes operate on a node set and need at least one node.
  if (NEEDS_NODES.has(o.mode as string) && (o.nodes === undefined || (o.nodes as string).trim() === '')) {
    fail(child(p, 'nodes'), `is required with mode ${o.mode as string}`);
  }
  // set_mempolicy(2) fails with EINVAL when both are given.
  const flags = (o.flags as string[] | undefined) ?? [];
  if (flags.includes('MPOL_F_STATIC_NODES') && flags.includes('MPOL_F_RELATIVE_NODES')) {
    fail(child(p, 'flags'), 'MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES are mutually exclusive');
  }
});

// ---------------------------------------------------------------------------------------------

export const checkLinux: Checker = shape((o, p) => {
  opt(o, 'namespaces', p, namespaces);
  opt(o, 'uidMappings', p, idMappings);
  opt(o, 'gidMappings', p, idMappings);
  userNamespaceRules(o, p);
  opt(o, 'timeOffsets', p, timeOffsets);
  timeNamespaceRules(o, p);
  opt(o, 'devices', p, arrayOf(device));
  opt(o, 'netDevices', p, netDevices);
  netDeviceRules(o, p);
  opt(o, 'cgroupsPath', p, str);
  opt(o, 'resources', p, checkResources);
  opt(o, 'rootfsPropagation', p, oneOf(ROOTFS_PROPAGATIONS));
  opt(o, 'seccomp', p, seccomp);
  opt(o, 'sysctl', p, strMap);
  opt(o, 'maskedPaths', p, arrayOf(absPath));
  opt(o, 'readonlyPaths', p, arrayOf(absPath));
  opt(o, 'mountLabel', p, str);
  opt(o, 'intelRdt', p, intelRdt);
  opt(o, 'personality', p, personality);
  opt(o, 'memoryPolicy', p, memoryPolicy);
});

// Validation of `linux.resources` (config-linux.md §Control groups), also the JSON that
// `update --resources` reads.

import type { LinuxResources } from './types.js';
import { CGROUP_DEVICE_TYPES } from './types.js';
import {
  type Checker,
  INT64_MAX_TEXT,
  TWO_63,
  arrayOf,
  bool,
  child,
  cpuList,
  fail,
  int64,
  integer,
  mapOf,
  matches,
  oneOf,
  opt,
  req,
  shape,
  str,
  strMap,
  uint16,
  uint32,
  uint64,
} from './checks.js';

// Device allow-list entries, applied in order by the runtime.
const deviceRule = shape((o, p) => {
  req(o, 'allow', p, bool);
  opt(o, 'type', p, oneOf(CGROUP_DEVICE_TYPES));
  opt(o, 'major', p, int64);
  opt(o, 'minor', p, int64);
  opt(o, 'access', p, matches(/^[rwm]*$/, 'a combination of r, w and m'));
});

// §Memory: byte values are int64 where -1 means unlimited; no other negative value has a meaning.
const memoryBytes = integer(-1, TWO_63, `must be -1 (unlimited) or an integer between 0 and ${INT64_MAX_TEXT}`);

const memory = shape((o, p) => {
  for (const key of ['limit', 'reservation', 'swap', 'kernel', 'kernelTCP']) opt(o, key, p, memoryBytes);
  // The spec types swappiness uint64 but says the values are 0 to 100 (vm.swappiness).
  opt(o, 'swappiness', p, integer(0, 100));
  opt(o, 'disableOOMKiller', p, bool);
  opt(o, 'useHierarchy', p, bool);
  opt(o, 'checkBeforeUpdate', p, bool);
});

const cpu = shape((o, p) => {
  opt(o, 'shares', p, uint64);
  opt(o, 'quota', p, int64);
  opt(o, 'burst', p, uint64);
  opt(o, 'period', p, uint64);
  opt(o, 'realtimeRuntime', p, int64);
  opt(o, 'realtimePeriod', p, uint64);
  opt(o, 'cpus', p, cpuList);
  opt(o, 'mems', p, cpuList);
  opt(o, 'idle', p, int64);
  // §CPU: burst MUST NOT exceed quota when quota is positive (a non-positive quota is "no limit").
  const quota = o.quota as number | undefined;
  if (o.burst !== undefined && quota !== undefined && quota > 0 && (o.burst as number) > quota) {
    fail(child(p, 'burst'), 'must not be greater than a positive quota');
  }
});

const blockIODevice = (o: Record<string, unknown>, p: string): void => {
  req(o, 'major', p, int64);
  req(o, 'minor', p, int64);
};

const weightDevice = shape((o, p) => {
  blockIODevice(o, p);
  opt(o, 'weight', p, uint16);
  opt(o, 'leafWeight', p, uint16);
  // §Block IO: at least one of weight or leafWeight MUST be given per entry.
  if (o.weight === undefined && o.leafWeight === undefined) fail(p, 'must set weight or leafWeight');
});

const throttleDevice = shape((o, p) => {
  blockIODevice(o, p);
  req(o, 'rate', p, uint64);
});

const blockIO = shape((o, p) => {
  opt(o, 'weight', p, uint16);
  opt(o, 'leafWeight', p, uint16);
  opt(o, 'weightDevice', p, arrayOf(weightDevice));
  for (const key of ['throttleReadBpsDevice', 'throttleWriteBpsDevice', 'throttleReadIOPSDevice', 'throttleWriteIOPSDevice']) {
    opt(o, key, p, arrayOf(throttleDevice));
  }
});

const hugepageLimit = shape((o, p) => {
  // §Huge page limits: `<size><unit-prefix>B`, matching the hugetlb.<size>.* cgroup file names.
  req(o, 'pageSize', p, matches(/^\d+[KMGT]?B$/, 'a page size like 64KB, 2MB or 1GB'));
  req(o, 'limit', p, uint64);
});

const network = shape((o, p) => {
  opt(o, 'classID', p, uint32);
  opt(
    o,
    'priorities',
    p,
    arrayOf(
      shape((e, ep) => {
        req(e, 'name', ep, str);
        req(e, 'priority', ep, uint32);
      }),
    ),
  );
});

const pids = shape((o, p) => {
  // The schema makes limit required inside pids; 0 is a real limit (v1.3.0), -1 means max.
  req(o, 'limit', p, integer(-1, TWO_63, `must be -1 (max) or an integer between 0 and ${INT64_MAX_TEXT}`));
});

const rdma = shape((o, p) => {
  opt(o, 'hcaHandles', p, uint32);
  opt(o, 'hcaObjects', p, uint32);
  // §RDMA: at least one of the two MUST be given per device.
  if (o.hcaHandles === undefined && o.hcaObjects === undefined) fail(p, 'must set hcaHandles or hcaObjects');
});

export const checkResources: Checker = shape((o, p) => {
  opt(o, 'devices', p, arrayOf(deviceRule));
  opt(o, 'memory', p, memory);
  opt(o, 'cpu', p, cpu);
  opt(o, 'blockIO', p, blockIO);
  opt(o, 'hugepageLimits', p, arrayOf(hugepageLimit));
  opt(o, 'network', p, network);
  opt(o, 'pids', p, pids);
  opt(o, 'rdma', p, mapOf(rdma));
  // cgroup v2 file name → content; unknown keys MUST be written, so only the types are checked.
  opt(o, 'unified', p, strMap);
});

/**
 * Validate a resources object (`update --resources FILE`, or `config.linux.resources`) and
 * return it typed. Throws ConfigError at the first problem.
 */
export function validateResources(raw: unknown, path = '$'): LinuxResources {
  checkResources(raw, path);
  return raw as LinuxResources;
}

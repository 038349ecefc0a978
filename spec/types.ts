// TypeScript shapes of the OCI runtime-spec v1.3.0 documents caisson reads and writes:
// config.json (as Linux uses it), the state JSON, the seccomp-notify container process state,
// the features document, and `runc exec --process` files.
//
// Field names follow the JSON keys of the spec exactly. Optional fields are `?:` — an absent key
// and a key the Go reference implementation would drop with `omitempty` mean the same thing.
// 64-bit integers are JS numbers: values above 2^53 lose precision when JSON.parse reads them
// (see `isUint64Max` in checks.ts for how uint64 "all ones" is recognised).

/** The runtime-spec version these types describe; caisson accepts any 1.x.y config. */
export const SPEC_VERSION = '1.3.0';

// ---------------------------------------------------------------------------------------------
// Value sets. Each `as const` array is the single source for its union type and for validation.

/** Namespace types of config-linux.md §Namespaces. */
export const NAMESPACE_TYPES = ['pid', 'network', 'mount', 'ipc', 'uts', 'user', 'cgroup', 'time'] as const;
export type LinuxNamespaceType = (typeof NAMESPACE_TYPES)[number];

/**
 * Every rlimit Linux knows, in asm-generic numbering (index = resource number on x86, arm, arm64,
 * riscv, s390, ppc; alpha, mips and sparc number a few differently, so native code must map by
 * name, not by index).
 */
export const RLIMIT_TYPES = [
  'RLIMIT_CPU',
  'RLIMIT_FSIZE',
  'RLIMIT_DATA',
  'RLIMIT_STACK',
  'RLIMIT_CORE',
  'RLIMIT_RSS',
  'RLIMIT_NPROC',
  'RLIMIT_NOFILE',
  'RLIMIT_MEMLOCK',
  'RLIMIT_AS',
  'RLIMIT_LOCKS',
  'RLIMIT_SIGPENDING',
  'RLIMIT_MSGQUEUE',
  'RLIMIT_NICE',
  'RLIMIT_RTPRIO',
  'RLIMIT_RTTIME',
] as const;
export type RlimitType = (typeof RLIMIT_TYPES)[number];

/** Capability names known to Linux 6.x; index = capability number (CAP_CHOWN = 0). */
export const CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** Seccomp actions (config-linux.md §Seccomp, libseccomp names). */
export const SECCOMP_ACTIONS = [
  'SCMP_ACT_KILL',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_TRAP',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE',
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_LOG',
  'SCMP_ACT_NOTIFY',
] as const;
export type SeccompAction = (typeof SECCOMP_ACTIONS)[number];

/** The only actions that carry an errno (`errnoRet` / `defaultErrnoRet`). */
export const SECCOMP_ERRNO_ACTIONS = ['SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE'] as const;

export const SECCOMP_OPERATORS = [
  'SCMP_CMP_NE',
  'SCMP_CMP_LT',
  'SCMP_CMP_LE',
  'SCMP_CMP_EQ',
  'SCMP_CMP_GE',
  'SCMP_CMP_GT',
  'SCMP_CMP_MASKED_EQ',
] as const;
export type SeccompOperator = (typeof SECCOMP_OPERATORS)[number];

/** Architectures as of libseccomp 2.6.0, the set the spec tracks since v1.2.1. */
export const SECCOMP_ARCHS = [
  'SCMP_ARCH_X86',
  'SCMP_ARCH_X86_64',
  'SCMP_ARCH_X32',
  'SCMP_ARCH_ARM',
  'SCMP_ARCH_AARCH64',
  'SCMP_ARCH_MIPS',
  'SCMP_ARCH_MIPS64',
  'SCMP_ARCH_MIPS64N32',
  'SCMP_ARCH_MIPSEL',
  'SCMP_ARCH_MIPSEL64',
  'SCMP_ARCH_MIPSEL64N32',
  'SCMP_ARCH_PPC',
  'SCMP_ARCH_PPC64',
  'SCMP_ARCH_PPC64LE',
  'SCMP_ARCH_S390',
  'SCMP_ARCH_S390X',
  'SCMP_ARCH_PARISC',
  'SCMP_ARCH_PARISC64',
  'SCMP_ARCH_RISCV64',
  'SCMP_ARCH_LOONGARCH64',
  'SCMP_ARCH_M68K',
  'SCMP_ARCH_SH',
  'SCMP_ARCH_SHEB',
] as const;
export type SeccompArch = (typeof SECCOMP_ARCHS)[number];

export const SECCOMP_FLAGS = [
  'SECCOMP_FILTER_FLAG_TSYNC',
  'SECCOMP_FILTER_FLAG_LOG',
  'SECCOMP_FILTER_FLAG_SPEC_ALLOW',
  'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV',
] as const;
export type SeccompFlag = (typeof SECCOMP_FLAGS)[number];

/** Scheduler policies; index = the kernel's SCHED_* number (SCHED_ISO = 4 is reserved, unimplemented). */
export const SCHED_POLICIES = [
  'SCHED_OTHER',
  'SCHED_FIFO',
  'SCHED_RR',
  'SCHED_BATCH',
  'SCHED_ISO',
  'SCHED_IDLE',
  'SCHED_DEADLINE',
] as const;
export type SchedulerPolicy = (typeof SCHED_POLICIES)[number];

/** sched_setattr(2) flags; index = bit number (SCHED_FLAG_RESET_ON_FORK = 1 << 0). */
export const SCHED_FLAGS = [
  'SCHED_FLAG_RESET_ON_FORK',
  'SCHED_FLAG_RECLAIM',
  'SCHED_FLAG_DL_OVERRUN',
  'SCHED_FLAG_KEEP_POLICY',
  'SCHED_FLAG_KEEP_PARAMS',
  'SCHED_FLAG_UTIL_CLAMP_MIN',
  'SCHED_FLAG_UTIL_CLAMP_MAX',
] as const;
export type SchedulerFlag = (typeof SCHED_FLAGS)[number];

/** I/O priority classes; index + 1 = the kernel's IOPRIO_CLASS_* number. */
export const IOPRIO_CLASSES = ['IOPRIO_CLASS_RT', 'IOPRIO_CLASS_BE', 'IOPRIO_CLASS_IDLE'] as const;
export type IOPriorityClass = (typeof IOPRIO_CLASSES)[number];

/** set_mempolicy(2) modes; index = the kernel's MPOL_* number. */
export const MPOL_MODES = [
  'MPOL_DEFAULT',
  'MPOL_PREFERRED',
  'MPOL_BIND',
  'MPOL_INTERLEAVE',
  'MPOL_LOCAL',
  'MPOL_PREFERRED_MANY',
  'MPOL_WEIGHTED_INTERLEAVE',
] as const;
export type MemoryPolicyMode = (typeof MPOL_MODES)[number];

/** Modes that act on a node set, so `nodes` must name at least one node. */
export const MPOL_MODES_NEEDING_NODES = [
  'MPOL_BIND',
  'MPOL_INTERLEAVE',
  'MPOL_PREFERRED_MANY',
  'MPOL_WEIGHTED_INTERLEAVE',
] as const;

export const MPOL_FLAGS = ['MPOL_F_NUMA_BALANCING', 'MPOL_F_RELATIVE_NODES', 'MPOL_F_STATIC_NODES'] as const;
export type MemoryPolicyFlag = (typeof MPOL_FLAGS)[number];

/** rootfsPropagation values: the four of the spec plus the recursive forms runc also accepts. */
export const ROOTFS_PROPAGATIONS = [
  'shared',
  'slave',
  'private',
  'unbindable',
  'rshared',
  'rslave',
  'rprivate',
  'runbindable',
] as const;
export type RootfsPropagation = (typeof ROOTFS_PROPAGATIONS)[number];

export const DEVICE_TYPES = ['c', 'b', 'u', 'p'] as const;
export type LinuxDeviceType = (typeof DEVICE_TYPES)[number];

export const CGROUP_DEVICE_TYPES = ['a', 'c', 'b'] as const;
export type LinuxDeviceCgroupType = (typeof CGROUP_DEVICE_TYPES)[number];

/** Clocks a time namespace can offset (time_namespaces(7)); the kernel refuses any other. */
export const TIME_OFFSET_CLOCKS = ['monotonic', 'boottime'] as const;
export type TimeOffsetClock = (typeof TIME_OFFSET_CLOCKS)[number];

export const PERSONALITY_DOMAINS = ['LINUX', 'LINUX32'] as const;
export type LinuxPersonalityDomain = (typeof PERSONALITY_DOMAINS)[number];

export const HOOK_NAMES = [
  'prestart',
  'createRuntime',
  'createContainer',
  'startContainer',
  'poststart',
  'poststop',
] as const;
export type HookName = (typeof HOOK_NAMES)[number];

export const CONTAINER_STATUSES = ['creating', 'created', 'running', 'stopped'] as const;
export type ContainerStatus = (typeof CONTAINER_STATUSES)[number];

/**
 * Every Linux mount option string config.md lists (MUST, SHOULD and MAY). Anything else in
 * `mounts[].options` is filesystem-specific and goes into mount(2)'s data argument.
 */
export const MOUNT_OPTIONS_KNOWN = [
  // MUST
  'async',
  'atime',
  'bind',
  'defaults',
  'dev',
  'diratime',
  'dirsync',
  'exec',
  'iversion',
  'lazytime',
  'loud',
  'noatime',
  'nodev',
  'nodiratime',
  'noexec',
  'noiversion',
  'nolazytime',
  'norelatime',
  'nostrictatime',
  'nosuid',
  'private',
  'rbind',
  'relatime',
  'remount',
  'ro',
  'rprivate',
  'rshared',
  'rslave',
  'runbindable',
  'rw',
  'shared',
  'silent',
  'slave',
  'strictatime',
  'suid',
  'sync',
  'unbindable',
  // SHOULD: symlink following (Linux 5.10)
  'nosymfollow',
  'symfollow',
  // SHOULD: recursive (AT_RECURSIVE) attributes via mount_setattr(2) (Linux 5.12). `rnodev` is
  // not in the spec's table, but it is the counterpart of `rdev`, runc knows it and the
  // features.md example lists it, so it is recognised too.
  'ratime',
  'rdev',
  'rnodev',
  'rdiratime',
  'rexec',
  'rnoatime',
  'rnodiratime',
  'rnoexec',
  'rnorelatime',
  'rnostrictatime',
  'rnosuid',
  'rnosymfollow',
  'rrelatime',
  'rro',
  'rrw',
  'rstrictatime',
  'rsuid',
  'rsymfollow',
  // SHOULD: id-mapped mounts
  'idmap',
  'ridmap',
  // MAY
  'mand',
  'nomand',
  'tmpcopyup',
] as const;
export type MountOption = (typeof MOUNT_OPTIONS_KNOWN)[number];

// ---------------------------------------------------------------------------------------------
// config.json

export interface Spec {
  /** SemVer 2.0.0 of the spec the bundle follows; caisson accepts major version 1 only. */
  ociVersion: string;
  /** REQUIRED on Linux (validateConfig enforces it). */
  root: Root;
  /** Mounted in listed order, after the rootfs. */
  mounts?: Mount[];
  /** REQUIRED for `start`; optional at `create`. */
  process?: Process;
  hostname?: string;
  domainname?: string;
  hooks?: Hooks;
  /** Keys non-empty; `org.opencontainers.` is reserved for the spec's own keys. */
  annotations?: Record<string, string>;
  linux?: Linux;
  // Other platforms: carried through untouched, never read on Linux.
  windows?: unknown;
  solaris?: unknown;
  vm?: unknown;
  zos?: unknown;
  freebsd?: unknown;
}

export interface Root {
  /** Absolute, or relative to the bundle directory. A directory MUST exist there. */
  path: string;
  /** When true the rootfs MUST be read-only inside the container. Default false. */
  readonly?: boolean;
}

/** One id range of a user namespace or an id-mapped mount. */
export interface LinuxIDMapping {
  /** First id inside the container (uint32). */
  containerID: number;
  /** First id on the host (uint32). */
  hostID: number;
  /** Number of ids (uint32, > 0; the kernel also refuses ranges that wrap past 2^32 - 1). */
  size: number;
}

export interface Mount {
  /** Path in the container; relative values are deprecated and taken relative to `/`. */
  destination: string;
  /** Device, file or directory (bind mounts: absolute or relative to the bundle), or a dummy. */
  source?: string;
  /** Filesystem type from /proc/filesystems; a dummy such as `none` for bind mounts. */
  type?: string;
  /** fstab-style; see MOUNT_OPTIONS_KNOWN. A mount is a bind mount iff this has bind/rbind. */
  options?: string[];
  /** Id-mapped mount: if one of the two is given the other MUST be too. */
  uidMappings?: LinuxIDMapping[];
  gidMappings?: LinuxIDMapping[];
}

// ---------------------------------------------------------------------------------------------
// process

export interface ConsoleSize {
  height: number;
  width: number;
}

export interface User {
  /** uid in the container's user namespace (uint32). */
  uid: number;
  /** gid in the container's user namespace (uint32). */
  gid: number;
  /** If absent the umask MUST be left unchanged. */
  umask?: number;
  additionalGids?: number[];
  /** Windows only. */
  username?: string;
}

export interface POSIXRlimit {
  type: RlimitType;
  /**
   * rlim_cur (uint64). 18446744073709551615 (RLIM_INFINITY) parses to 2^64 in JS; treat any
   * value >= 2^64 - 1 as infinity (`isUint64Max`).
   */
  soft: number;
  /** rlim_max (uint64); same infinity rule as `soft`. */
  hard: number;
}

/**
 * Capability sets. Names are strings, not `Capability`: the spec says unknown names are logged,
 * not fatal, so the lib decides what to do with them.
 */
export interface LinuxCapabilities {
  effective?: string[];
  bounding?: string[];
  inheritable?: string[];
  permitted?: string[];
  ambient?: string[];
}

/** sched_setattr(2) parameters. */
export interface Scheduler {
  policy: SchedulerPolicy;
  /** int32; default 0. */
  nice?: number;
  /** int32; default 0. */
  priority?: number;
  flags?: SchedulerFlag[];
  /** SCHED_DEADLINE parameters in ns (uint64). */
  runtime?: number;
  deadline?: number;
  period?: number;
}

export interface LinuxIOPriority {
  class: IOPriorityClass;
  /** 0 (highest) … 7 (lowest). */
  priority: number;
}

/** Only for processes started by `exec`, never the container's init. */
export interface ExecCPUAffinity {
  /** CPU list (`0-3,7`) for the runtime's process before it joins the container cgroup. */
  initial?: string;
  /** CPU list after joining; absent or empty means leave the affinity alone. */
  final?: string;
}

export interface Process {
  /** Allocate a pty and make it the process's stdio. Default false. */
  terminal?: boolean;
  /** Ignored unless `terminal` is true. */
  consoleSize?: ConsoleSize;
  /** MUST be absolute (in the container). */
  cwd: string;
  /** `KEY=value` entries (entries without `=` are passed through as-is). */
  env?: string[];
  /** execvp(3) argv; args[0] is looked up in PATH. At least one entry on Linux. */
  args: string[];
  /** Windows only. */
  commandLine?: string;
  /** Absent means uid 0, gid 0. */
  user?: User;
  /** Duplicate `type`s MUST be refused. */
  rlimits?: POSIXRlimit[];
  apparmorProfile?: string;
  capabilities?: LinuxCapabilities;
  noNewPrivileges?: boolean;
  /** -1000 … 1000. If absent /proc/PID/oom_score_adj MUST NOT be touched. */
  oomScoreAdj?: number;
  scheduler?: Scheduler;
  selinuxLabel?: string;
  /** Applies to the process group. */
  ioPriority?: LinuxIOPriority;
  execCPUAffinity?: ExecCPUAffinity;
}

/** The file `runc exec --process FILE` reads: a bare `process` object. */
export type ProcessJson = Process;

// ---------------------------------------------------------------------------------------------
// hooks

export interface Hook {
  /** Absolute; execv(3) semantics. */
  path: string;
  /** Full argv including argv[0] (nothing is prepended). */
  args?: string[];
  /** The complete environment (nothing is inherited). */
  env?: string[];
  /** Seconds, > 0. */
  timeout?: number;
}

export interface Hooks {
  /** @deprecated Use createRuntime, createContainer and startContainer. */
  prestart?: Hook[];
  createRuntime?: Hook[];
  createContainer?: Hook[];
  startContainer?: Hook[];
  poststart?: Hook[];
  poststop?: Hook[];
}

// ---------------------------------------------------------------------------------------------
// linux

export interface LinuxNamespace {
  type: LinuxNamespaceType;
  /** Absolute path in the runtime's mount namespace to join; absent means create a new one. */
  path?: string;
}

export interface LinuxTimeOffset {
  /** int64 seconds. */
  secs?: number;
  /** 0 … 999999999. */
  nanosecs?: number;
}

export interface LinuxDevice {
  type: LinuxDeviceType;
  /** Absolute path in the container (may be outside /dev). */
  path: string;
  /** int64; required unless type is `p`. */
  major?: number;
  minor?: number;
  /** Permission bits as a decimal number (438 = 0o666). */
  fileMode?: number;
  /** Owner in the container's user namespace (uint32). */
  uid?: number;
  gid?: number;
}

export interface LinuxNetDevice {
  /** Name inside the container; defaults to the host name. A trailing `%d` lets the kernel pick. */
  name?: string;
}

export interface LinuxDeviceCgroup {
  allow: boolean;
  /** Absent means `a` (all). */
  type?: LinuxDeviceCgroupType;
  /** int64; absent means `*`. */
  major?: number;
  minor?: number;
  /** Some combination of r, w, m. */
  access?: string;
}

/** Byte limits are int64 with -1 meaning unlimited. */
export interface LinuxMemory {
  limit?: number;
  reservation?: number;
  /** memory + swap. */
  swap?: number;
  /** @deprecated Not supported on cgroup v2 and removed from the kernel. */
  kernel?: number;
  /** NOT RECOMMENDED by the spec. */
  kernelTCP?: number;
  /** 0 … 100. */
  swappiness?: number;
  disableOOMKiller?: boolean;
  useHierarchy?: boolean;
  /** Refuse an update whose limit is below current usage. */
  checkBeforeUpdate?: boolean;
}

export interface LinuxCPU {
  /** uint64 relative weight. */
  shares?: number;
  /** int64 µs per period; if positive it MUST be >= burst. */
  quota?: number;
  /** uint64 µs; MUST NOT exceed a positive quota. */
  burst?: number;
  /** uint64 µs. */
  period?: number;
  /** int64 µs. */
  realtimeRuntime?: number;
  /** uint64 µs. */
  realtimePeriod?: number;
  /** CPU list (`0-3,7`). */
  cpus?: string;
  /** Memory node list (`0-3,7`). */
  mems?: string;
  /** int64: 0 default, 1 = SCHED_IDLE for the cgroup. */
  idle?: number;
}

export interface LinuxBlockIODevice {
  major: number;
  minor: number;
}

export interface LinuxWeightDevice extends LinuxBlockIODevice {
  /** uint16; at least one of weight/leafWeight MUST be set. */
  weight?: number;
  leafWeight?: number;
}

export interface LinuxThrottleDevice extends LinuxBlockIODevice {
  /** uint64 bytes/s or IO/s. */
  rate: number;
}

export interface LinuxBlockIO {
  /** uint16. */
  weight?: number;
  /** uint16. */
  leafWeight?: number;
  weightDevice?: LinuxWeightDevice[];
  throttleReadBpsDevice?: LinuxThrottleDevice[];
  throttleWriteBpsDevice?: LinuxThrottleDevice[];
  throttleReadIOPSDevice?: LinuxThrottleDevice[];
  throttleWriteIOPSDevice?: LinuxThrottleDevice[];
}

export interface LinuxHugepageLimit {
  /** `<size><unit>B`, base 1024: `2MB`, `64KB`, `1GB`. */
  pageSize: string;
  /** uint64 bytes. */
  limit: number;
}

export interface LinuxInterfacePriority {
  /** Interface name in the runtime's network namespace. */
  name: string;
  /** uint32. */
  priority: number;
}

export interface LinuxNetwork {
  /** uint32 net_cls class id. */
  classID?: number;
  priorities?: LinuxInterfacePriority[];
}

export interface LinuxPids {
  /** int64: -1 = max, 0 is a real limit. */
  limit: number;
}

/** At least one of the two MUST be set. */
export interface LinuxRdma {
  hcaHandles?: number;
  hcaObjects?: number;
}

export interface LinuxResources {
  /** Applied in listed order. */
  devices?: LinuxDeviceCgroup[];
  memory?: LinuxMemory;
  cpu?: LinuxCPU;
  blockIO?: LinuxBlockIO;
  hugepageLimits?: LinuxHugepageLimit[];
  network?: LinuxNetwork;
  pids?: LinuxPids;
  /** Keyed by RDMA device name. */
  rdma?: Record<string, LinuxRdma>;
  /** cgroup v2 file name → content, written verbatim. */
  unified?: Record<string, string>;
}

export interface LinuxSeccompArg {
  /** Syscall argument number, 0 … 5. */
  index: number;
  /** uint64. */
  value: number;
  /** uint64; second operand of SCMP_CMP_MASKED_EQ. */
  valueTwo?: number;
  op: SeccompOperator;
}

export interface LinuxSyscall {
  /** At least one name. */
  names: string[];
  action: SeccompAction;
  /** Only with SCMP_ACT_ERRNO or SCMP_ACT_TRACE; default EPERM. */
  errnoRet?: number;
  args?: LinuxSeccompArg[];
}

export interface LinuxSeccomp {
  defaultAction: SeccompAction;
  /** Only with an errno-carrying defaultAction. */
  defaultErrnoRet?: number;
  architectures?: SeccompArch[];
  flags?: SeccompFlag[];
  /** AF_UNIX SOCK_STREAM socket that receives the ContainerProcessState for SCMP_ACT_NOTIFY. */
  listenerPath?: string;
  /** Opaque, forwarded as `metadata`; MUST NOT be set without listenerPath. */
  listenerMetadata?: string;
  syscalls?: LinuxSyscall[];
}

export interface LinuxIntelRdt {
  /** resctrl group; `/` is the root (default) group. Absent: use the container id. */
  closID?: string;
  /** SHOULD start with `L3:`. */
  l3CacheSchema?: string;
  /** MUST start with `MB:`, no newlines. */
  memBwSchema?: string;
  /** Extra lines for the schemata file, one per entry (v1.3.0). */
  schemata?: string[];
  /** Create a mon_groups/<id> monitoring group (v1.3.0). */
  enableMonitoring?: boolean;
  /** @deprecated v1.1.0 – v1.2.1; replaced by enableMonitoring. */
  enableCMT?: boolean;
  /** @deprecated v1.1.0 – v1.2.1; replaced by enableMonitoring. */
  enableMBM?: boolean;
}

export interface LinuxPersonality {
  domain: LinuxPersonalityDomain;
  /** No flag values are defined by the spec yet. */
  flags?: string[];
}

export interface LinuxMemoryPolicy {
  mode: MemoryPolicyMode;
  /** Node list (`0-3,7`); required by the modes in MPOL_MODES_NEEDING_NODES. */
  nodes?: string;
  flags?: MemoryPolicyFlag[];
}

export interface Linux {
  /** Duplicate types MUST be refused. Absent types are inherited from the runtime. */
  namespaces?: LinuxNamespace[];
  uidMappings?: LinuxIDMapping[];
  gidMappings?: LinuxIDMapping[];
  /** Keyed by clock name (`monotonic`, `boottime`); needs a time namespace. */
  timeOffsets?: Partial<Record<TimeOffsetClock, LinuxTimeOffset>>;
  devices?: LinuxDevice[];
  /** Keyed by host interface name (v1.3.0). */
  netDevices?: Record<string, LinuxNetDevice>;
  /** Absolute: under the cgroup mount; relative: runtime-defined (runc systemd: `slice:prefix:name`). */
  cgroupsPath?: string;
  resources?: LinuxResources;
  rootfsPropagation?: RootfsPropagation;
  seccomp?: LinuxSeccomp;
  sysctl?: Record<string, string>;
  /** Absolute container paths. */
  maskedPaths?: string[];
  /** Absolute container paths. */
  readonlyPaths?: string[];
  /** SELinux context for the container's mounts. */
  mountLabel?: string;
  intelRdt?: LinuxIntelRdt;
  personality?: LinuxPersonality;
  /** set_mempolicy(2) for the container process (v1.3.0). */
  memoryPolicy?: LinuxMemoryPolicy;
}

// ---------------------------------------------------------------------------------------------
// state (runtime.md §State)

export interface State {
  ociVersion: string;
  id: string;
  status: ContainerStatus;
  /** REQUIRED while created or running. As seen by whoever reads it (runtime or container ns). */
  pid?: number;
  /** Absolute path of the bundle directory. */
  bundle: string;
  annotations?: Record<string, string>;
}

/** What the runtime sends to seccomp.listenerPath, with the fds as SCM_RIGHTS. */
export interface ContainerProcessState {
  ociVersion: string;
  /** Names of the passed fds, by position; currently `seccompFd`. */
  fds: string[];
  /** As seen by the runtime. */
  pid: number;
  /** seccomp.listenerMetadata, if set. */
  metadata?: string;
  state: State;
}

// ---------------------------------------------------------------------------------------------
// features (features.md, features-linux.md). Every field but the two versions may be absent or
// null, and null means "unknown", which is not the same as an empty value.

export interface Features {
  ociVersionMin: string;
  ociVersionMax: string;
  hooks?: string[] | null;
  mountOptions?: string[] | null;
  linux?: FeaturesLinux | null;
  annotations?: Record<string, string> | null;
  /** Entries ending in `.` are prefixes. */
  potentiallyUnsafeConfigAnnotations?: string[] | null;
}

export interface FeaturesLinux {
  namespaces?: string[] | null;
  capabilities?: string[] | null;
  cgroup?: FeaturesCgroup | null;
  seccomp?: FeaturesSeccomp | null;
  apparmor?: FeaturesEnabled | null;
  selinux?: FeaturesEnabled | null;
  intelRdt?: FeaturesIntelRdt | null;
  memoryPolicy?: FeaturesMemoryPolicy | null;
  mountExtensions?: FeaturesMountExtensions | null;
  netDevices?: FeaturesEnabled | null;
}

/** Whether support is compiled in, not whether the host has it. */
export interface FeaturesCgroup {
  v1?: boolean | null;
  v2?: boolean | null;
  systemd?: boolean | null;
  systemdUser?: boolean | null;
  rdma?: boolean | null;
}

export interface FeaturesSeccomp {
  enabled?: boolean | null;
  actions?: string[] | null;
  operators?: string[] | null;
  archs?: string[] | null;
  knownFlags?: string[] | null;
  /** The subset of knownFlags usable with this kernel and libseccomp. */
  supportedFlags?: string[] | null;
}

export interface FeaturesEnabled {
  enabled?: boolean | null;
}

export interface FeaturesIntelRdt {
  enabled?: boolean | null;
  /** `linux.intelRdt.schemata` is implemented (v1.3.0). */
  schemata?: boolean | null;
  /** `linux.intelRdt.enableMonitoring` is implemented (v1.3.0). */
  monitoring?: boolean | null;
}

export interface FeaturesMemoryPolicy {
  modes?: string[] | null;
  flags?: string[] | null;
}

export interface FeaturesMountExtensions {
  /** True even if id-mapped mounts are only partly supported. */
  idmap?: FeaturesEnabled | null;
}

var __defProp = Object.defineProperty;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __esm = (fn, res) => function __init() {
  return fn && (res = (0, fn[__getOwnPropNames(fn)[0]])(fn = 0)), res;
};
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};

// lib/errors.ts
import { constants } from "node:os";
function errnoName(errno) {
  if (!errnoNames) {
    errnoNames = /* @__PURE__ */ new Map();
    for (const [name, num] of Object.entries(constants.errno)) {
      if (!errnoNames.has(num)) errnoNames.set(num, name);
    }
  }
  return errnoNames.get(errno) ?? `errno ${errno}`;
}
function errnoText(errno) {
  return ERRNO_TEXT[errnoName(errno)] ?? "";
}
function fromNodeError(step, err) {
  if (err instanceof CaissonError) return err;
  const e = err;
  if (e && typeof e.errno === "number") {
    return new SystemError(step, Math.abs(e.errno), { syscall: e.syscall, errnoName: e.code });
  }
  return new CaissonError("ESYSTEM", `${step}: ${e?.message ?? String(err)}`, { cause: err });
}
var CaissonError, ConfigError, UnsupportedError, NotFoundError, AlreadyExistsError, StateError, UsageError, SystemError, errnoNames, ERRNO_TEXT;
var init_errors = __esm({
  "lib/errors.ts"() {
    "use strict";
    CaissonError = class extends Error {
      code;
      constructor(code, message, options) {
        super(message, options);
        this.code = code;
        this.name = new.target.name;
      }
    };
    ConfigError = class extends CaissonError {
      path;
      rule;
      constructor(path, rule, code = "ECONFIG") {
        super(code, `${path}: ${rule}`);
        this.path = path;
        this.rule = rule;
      }
    };
    UnsupportedError = class extends ConfigError {
      constructor(path, detail) {
        super(path, detail ?? "is not supported", "ENOTSUP");
        if (!detail) this.message = `${path} is not supported`;
      }
    };
    NotFoundError = class extends CaissonError {
      id;
      constructor(id, message = "container does not exist") {
        super("ENOTFOUND", message);
        this.id = id;
      }
    };
    AlreadyExistsError = class extends CaissonError {
      id;
      constructor(id) {
        super("EEXIST", "container with given ID already exists");
        this.id = id;
      }
    };
    StateError = class extends CaissonError {
      status;
      constructor(message, status) {
        super("ESTATE", message);
        this.status = status;
      }
    };
    UsageError = class extends CaissonError {
      constructor(message) {
        super("EUSAGE", message);
      }
    };
    SystemError = class extends CaissonError {
      step;
      syscall;
      errno;
      errnoName;
      constructor(step, errno, opts = {}) {
        const name = opts.errnoName ?? errnoName(errno);
        const text = errnoText(errno);
        super("ESYSTEM", opts.message ?? `${step}: ${name}${text ? `: ${text}` : ""}${opts.detail ? ` (${opts.detail})` : ""}`);
        this.step = step;
        this.syscall = opts.syscall;
        this.errno = errno;
        this.errnoName = name;
      }
    };
    ERRNO_TEXT = {
      EPERM: "operation not permitted",
      ENOENT: "no such file or directory",
      ESRCH: "no such process",
      EINTR: "interrupted system call",
      EIO: "input/output error",
      ENXIO: "no such device or address",
      E2BIG: "argument list too long",
      ENOEXEC: "exec format error",
      EBADF: "bad file descriptor",
      ECHILD: "no child processes",
      EAGAIN: "resource temporarily unavailable",
      ENOMEM: "cannot allocate memory",
      EACCES: "permission denied",
      EFAULT: "bad address",
      ENOTBLK: "block device required",
      EBUSY: "device or resource busy",
      EEXIST: "file exists",
      EXDEV: "invalid cross-device link",
      ENODEV: "no such device",
      ENOTDIR: "not a directory",
      EISDIR: "is a directory",
      EINVAL: "invalid argument",
      ENFILE: "too many open files in system",
      EMFILE: "too many open files",
      ENOTTY: "inappropriate ioctl for device",
      ETXTBSY: "text file busy",
      EFBIG: "file too large",
      ENOSPC: "no space left on device",
      ESPIPE: "illegal seek",
      EROFS: "read-only file system",
      EMLINK: "too many links",
      EPIPE: "broken pipe",
      ERANGE: "numerical result out of range",
      ENAMETOOLONG: "file name too long",
      ENOSYS: "function not implemented",
      ENOTEMPTY: "directory not empty",
      ELOOP: "too many levels of symbolic links",
      EOPNOTSUPP: "operation not supported",
      ENOTSUP: "operation not supported",
      ECONNREFUSED: "connection refused",
      ECONNRESET: "connection reset by peer",
      ETIMEDOUT: "connection timed out",
      EUSERS: "too many users",
      EOVERFLOW: "value too large for defined data type"
    };
  }
});

// lib/native.ts
import { createRequire } from "node:module";
function load() {
  if (!addon) {
    const require2 = createRequire(import.meta.url);
    try {
      addon = require2("../build/Release/caisson.node");
    } catch (err) {
      throw new Error(
        `caisson's native addon is not built (build/Release/caisson.node): run \`npm install\` or \`npm run build\` in the caisson package (${err.message})`
      );
    }
  }
  return addon;
}
function wrap(step, fn) {
  try {
    return fn();
  } catch (err) {
    const e = err;
    if (typeof e?.errno === "number") throw new SystemError(step, e.errno, { syscall: e.syscall });
    throw err;
  }
}
function spawn(plan, minFd = 3) {
  return wrap("start container init", () => load().spawn(plan, minFd));
}
function pidfdOpen(pid) {
  return wrap(`open pidfd of ${pid}`, () => load().pidfdOpen(pid));
}
function pidfdSendSignal(pidfd, signal) {
  wrap("send signal", () => load().pidfdSendSignal(pidfd, signal));
}
function flock(fd, op) {
  return load().flock(fd, op);
}
function unixListen(path, minFd = 3) {
  return wrap(`listen on ${path}`, () => load().unixListen(path, minFd));
}
function waitPidfd(pidfd, ref = true) {
  return wrap("wait for process", () => load().waitPidfd(pidfd, ref));
}
var addon, LOCK_EX, LOCK_NB;
var init_native = __esm({
  "lib/native.ts"() {
    "use strict";
    init_errors();
    LOCK_EX = 2;
    LOCK_NB = 4;
  }
});

// lib/state/proc.ts
import { readFileSync as readFileSync2, readdirSync, readlinkSync } from "node:fs";
function readProcStat(pid) {
  let text;
  try {
    text = readFileSync2(`/proc/${pid}/stat`, "utf8");
  } catch {
    return void 0;
  }
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { state: rest[0] ?? "", ppid: Number(rest[1]), startTime: rest[19] ?? "" };
}
function isAlive(pid, startTime) {
  if (!pid) return false;
  const st = readProcStat(pid);
  return !!st && st.startTime === startTime && st.state !== "Z" && st.state !== "X" && st.state !== "x";
}
function nsId(pid, name) {
  try {
    return readlinkSync(`/proc/${pid}/ns/${name}`);
  } catch {
    return void 0;
  }
}
function pidsInNamespace(name, id) {
  const out = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    if (nsId(Number(entry), name) === id) out.push(Number(entry));
  }
  return out;
}
var init_proc = __esm({
  "lib/state/proc.ts"() {
    "use strict";
  }
});

// lib/lifecycle/wait.ts
var wait_exports = {};
__export(wait_exports, {
  waitForExit: () => waitForExit
});
import { closeSync as closeSync5 } from "node:fs";
async function waitForExit(store, id) {
  const rec = store.read(id);
  if (!rec) throw new NotFoundError(id);
  let fd;
  try {
    fd = pidfdOpen(rec.pid);
  } catch {
    return { exitCode: null, signal: null };
  }
  try {
    if (isAlive(rec.pid, rec.startTime)) await waitPidfd(fd, true);
  } finally {
    closeSync5(fd);
  }
  return { exitCode: null, signal: null };
}
var init_wait = __esm({
  "lib/lifecycle/wait.ts"() {
    "use strict";
    init_errors();
    init_native();
    init_proc();
  }
});

// lib/api.ts
init_errors();

// lib/lifecycle/create.ts
import { closeSync as closeSync3, writeFileSync as writeFileSync2 } from "node:fs";
import { resolve as resolve3 } from "node:path";

// lib/bundle.ts
import { readFileSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";

// spec/types.ts
var SPEC_VERSION = "1.3.0";
var NAMESPACE_TYPES = ["pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"];
var RLIMIT_TYPES = [
  "RLIMIT_CPU",
  "RLIMIT_FSIZE",
  "RLIMIT_DATA",
  "RLIMIT_STACK",
  "RLIMIT_CORE",
  "RLIMIT_RSS",
  "RLIMIT_NPROC",
  "RLIMIT_NOFILE",
  "RLIMIT_MEMLOCK",
  "RLIMIT_AS",
  "RLIMIT_LOCKS",
  "RLIMIT_SIGPENDING",
  "RLIMIT_MSGQUEUE",
  "RLIMIT_NICE",
  "RLIMIT_RTPRIO",
  "RLIMIT_RTTIME"
];
var CAPABILITIES = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_DAC_READ_SEARCH",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE",
  "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",
  "CAP_NET_RAW",
  "CAP_IPC_LOCK",
  "CAP_IPC_OWNER",
  "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO",
  "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT",
  "CAP_SYS_ADMIN",
  "CAP_SYS_BOOT",
  "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME",
  "CAP_SYS_TTY_CONFIG",
  "CAP_MKNOD",
  "CAP_LEASE",
  "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL",
  "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",
  "CAP_MAC_ADMIN",
  "CAP_SYSLOG",
  "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ",
  "CAP_PERFMON",
  "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE"
];
var SECCOMP_ACTIONS = [
  "SCMP_ACT_KILL",
  "SCMP_ACT_KILL_PROCESS",
  "SCMP_ACT_KILL_THREAD",
  "SCMP_ACT_TRAP",
  "SCMP_ACT_ERRNO",
  "SCMP_ACT_TRACE",
  "SCMP_ACT_ALLOW",
  "SCMP_ACT_LOG",
  "SCMP_ACT_NOTIFY"
];
var SECCOMP_ERRNO_ACTIONS = ["SCMP_ACT_ERRNO", "SCMP_ACT_TRACE"];
var SECCOMP_OPERATORS = [
  "SCMP_CMP_NE",
  "SCMP_CMP_LT",
  "SCMP_CMP_LE",
  "SCMP_CMP_EQ",
  "SCMP_CMP_GE",
  "SCMP_CMP_GT",
  "SCMP_CMP_MASKED_EQ"
];
var SECCOMP_ARCHS = [
  "SCMP_ARCH_X86",
  "SCMP_ARCH_X86_64",
  "SCMP_ARCH_X32",
  "SCMP_ARCH_ARM",
  "SCMP_ARCH_AARCH64",
  "SCMP_ARCH_MIPS",
  "SCMP_ARCH_MIPS64",
  "SCMP_ARCH_MIPS64N32",
  "SCMP_ARCH_MIPSEL",
  "SCMP_ARCH_MIPSEL64",
  "SCMP_ARCH_MIPSEL64N32",
  "SCMP_ARCH_PPC",
  "SCMP_ARCH_PPC64",
  "SCMP_ARCH_PPC64LE",
  "SCMP_ARCH_S390",
  "SCMP_ARCH_S390X",
  "SCMP_ARCH_PARISC",
  "SCMP_ARCH_PARISC64",
  "SCMP_ARCH_RISCV64",
  "SCMP_ARCH_LOONGARCH64",
  "SCMP_ARCH_M68K",
  "SCMP_ARCH_SH",
  "SCMP_ARCH_SHEB"
];
var SECCOMP_FLAGS = [
  "SECCOMP_FILTER_FLAG_TSYNC",
  "SECCOMP_FILTER_FLAG_LOG",
  "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
  "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"
];
var SCHED_POLICIES = [
  "SCHED_OTHER",
  "SCHED_FIFO",
  "SCHED_RR",
  "SCHED_BATCH",
  "SCHED_ISO",
  "SCHED_IDLE",
  "SCHED_DEADLINE"
];
var SCHED_FLAGS = [
  "SCHED_FLAG_RESET_ON_FORK",
  "SCHED_FLAG_RECLAIM",
  "SCHED_FLAG_DL_OVERRUN",
  "SCHED_FLAG_KEEP_POLICY",
  "SCHED_FLAG_KEEP_PARAMS",
  "SCHED_FLAG_UTIL_CLAMP_MIN",
  "SCHED_FLAG_UTIL_CLAMP_MAX"
];
var IOPRIO_CLASSES = ["IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"];
var MPOL_MODES = [
  "MPOL_DEFAULT",
  "MPOL_PREFERRED",
  "MPOL_BIND",
  "MPOL_INTERLEAVE",
  "MPOL_LOCAL",
  "MPOL_PREFERRED_MANY",
  "MPOL_WEIGHTED_INTERLEAVE"
];
var MPOL_MODES_NEEDING_NODES = [
  "MPOL_BIND",
  "MPOL_INTERLEAVE",
  "MPOL_PREFERRED_MANY",
  "MPOL_WEIGHTED_INTERLEAVE"
];
var MPOL_FLAGS = ["MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES"];
var ROOTFS_PROPAGATIONS = [
  "shared",
  "slave",
  "private",
  "unbindable",
  "rshared",
  "rslave",
  "rprivate",
  "runbindable"
];
var DEVICE_TYPES = ["c", "b", "u", "p"];
var CGROUP_DEVICE_TYPES = ["a", "c", "b"];
var TIME_OFFSET_CLOCKS = ["monotonic", "boottime"];
var PERSONALITY_DOMAINS = ["LINUX", "LINUX32"];
var HOOK_NAMES = [
  "prestart",
  "createRuntime",
  "createContainer",
  "startContainer",
  "poststart",
  "poststop"
];

// spec/checks.ts
init_errors();
function fail(path, rule) {
  throw new ConfigError(path, rule);
}
var IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
function child(path, key) {
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}
function at(path, index) {
  return `${path}[${index}]`;
}
function isObject(v) {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
function object(v, path) {
  if (!isObject(v)) fail(path, "must be an object");
  return v;
}
function req(o, key, path, check) {
  const p = child(path, key);
  if (o[key] === void 0) fail(p, "is required");
  check(o[key], p);
}
function opt(o, key, path, check) {
  if (o[key] !== void 0) check(o[key], child(path, key));
}
var str = (v, p) => {
  if (typeof v !== "string") fail(p, "must be a string");
};
var nonEmptyStr = (v, p) => {
  str(v, p);
  if (v === "") fail(p, "must be a non-empty string");
};
var bool = (v, p) => {
  if (typeof v !== "boolean") fail(p, "must be a boolean");
};
var absPath = (v, p) => {
  str(v, p);
  if (!v.startsWith("/")) fail(p, "must be an absolute path");
};
function integer(min, max, rule = `must be an integer between ${min} and ${max}`) {
  return (v, p) => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) fail(p, rule);
  };
}
var TWO_63 = 2 ** 63;
var TWO_64 = 2 ** 64;
var INT64_MAX_TEXT = "9223372036854775807";
var uint16 = integer(0, 65535);
var int32 = integer(-(2 ** 31), 2 ** 31 - 1);
var uint32 = integer(0, 4294967295);
var int64 = integer(-TWO_63, TWO_63, `must be an integer between -9223372036854775808 and ${INT64_MAX_TEXT}`);
var uint64 = integer(0, TWO_64, "must be an integer between 0 and 18446744073709551615");
function isUint64Max(n) {
  return n >= TWO_64 - 1;
}
function oneOf(values) {
  const set2 = new Set(values);
  const rule = `must be one of ${values.join(", ")}`;
  return (v, p) => {
    str(v, p);
    if (!set2.has(v)) fail(p, rule);
  };
}
function matches(re, what) {
  return (v, p) => {
    str(v, p);
    if (!re.test(v)) fail(p, `must be ${what}`);
  };
}
var cpuList = (v, p) => {
  str(v, p);
  const s = v.trim();
  if (s === "") return;
  for (const item of s.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(item.trim());
    if (!m || m[2] !== void 0 && Number(m[2]) < Number(m[1])) {
      fail(p, "must be a list like 0-3,7 (comma-separated numbers and ascending ranges)");
    }
  }
};
function array(v, path) {
  if (!Array.isArray(v)) fail(path, "must be an array");
  return v;
}
function arrayOf(check) {
  return (v, p) => {
    array(v, p).forEach((item, i) => check(item, at(p, i)));
  };
}
var strArray = arrayOf(str);
function mapOf(check) {
  return (v, p) => {
    const o = object(v, p);
    for (const [key, value] of Object.entries(o)) {
      const cp = child(p, key);
      if (key === "") fail(cp, "key must be a non-empty string");
      check(value, cp);
    }
  };
}
var strMap = mapOf(str);
function shape(body) {
  return (v, p) => body(object(v, p), p);
}

// spec/validate-resources.ts
var deviceRule = shape((o, p) => {
  req(o, "allow", p, bool);
  opt(o, "type", p, oneOf(CGROUP_DEVICE_TYPES));
  opt(o, "major", p, int64);
  opt(o, "minor", p, int64);
  opt(o, "access", p, matches(/^[rwm]*$/, "a combination of r, w and m"));
});
var memoryBytes = integer(-1, TWO_63, `must be -1 (unlimited) or an integer between 0 and ${INT64_MAX_TEXT}`);
var memory = shape((o, p) => {
  for (const key of ["limit", "reservation", "swap", "kernel", "kernelTCP"]) opt(o, key, p, memoryBytes);
  opt(o, "swappiness", p, integer(0, 100));
  opt(o, "disableOOMKiller", p, bool);
  opt(o, "useHierarchy", p, bool);
  opt(o, "checkBeforeUpdate", p, bool);
});
var cpu = shape((o, p) => {
  opt(o, "shares", p, uint64);
  opt(o, "quota", p, int64);
  opt(o, "burst", p, uint64);
  opt(o, "period", p, uint64);
  opt(o, "realtimeRuntime", p, int64);
  opt(o, "realtimePeriod", p, uint64);
  opt(o, "cpus", p, cpuList);
  opt(o, "mems", p, cpuList);
  opt(o, "idle", p, int64);
  const quota = o.quota;
  if (o.burst !== void 0 && quota !== void 0 && quota > 0 && o.burst > quota) {
    fail(child(p, "burst"), "must not be greater than a positive quota");
  }
});
var blockIODevice = (o, p) => {
  req(o, "major", p, int64);
  req(o, "minor", p, int64);
};
var weightDevice = shape((o, p) => {
  blockIODevice(o, p);
  opt(o, "weight", p, uint16);
  opt(o, "leafWeight", p, uint16);
  if (o.weight === void 0 && o.leafWeight === void 0) fail(p, "must set weight or leafWeight");
});
var throttleDevice = shape((o, p) => {
  blockIODevice(o, p);
  req(o, "rate", p, uint64);
});
var blockIO = shape((o, p) => {
  opt(o, "weight", p, uint16);
  opt(o, "leafWeight", p, uint16);
  opt(o, "weightDevice", p, arrayOf(weightDevice));
  for (const key of ["throttleReadBpsDevice", "throttleWriteBpsDevice", "throttleReadIOPSDevice", "throttleWriteIOPSDevice"]) {
    opt(o, key, p, arrayOf(throttleDevice));
  }
});
var hugepageLimit = shape((o, p) => {
  req(o, "pageSize", p, matches(/^\d+[KMGT]?B$/, "a page size like 64KB, 2MB or 1GB"));
  req(o, "limit", p, uint64);
});
var network = shape((o, p) => {
  opt(o, "classID", p, uint32);
  opt(
    o,
    "priorities",
    p,
    arrayOf(
      shape((e, ep) => {
        req(e, "name", ep, str);
        req(e, "priority", ep, uint32);
      })
    )
  );
});
var pids = shape((o, p) => {
  req(o, "limit", p, integer(-1, TWO_63, `must be -1 (max) or an integer between 0 and ${INT64_MAX_TEXT}`));
});
var rdma = shape((o, p) => {
  opt(o, "hcaHandles", p, uint32);
  opt(o, "hcaObjects", p, uint32);
  if (o.hcaHandles === void 0 && o.hcaObjects === void 0) fail(p, "must set hcaHandles or hcaObjects");
});
var checkResources = shape((o, p) => {
  opt(o, "devices", p, arrayOf(deviceRule));
  opt(o, "memory", p, memory);
  opt(o, "cpu", p, cpu);
  opt(o, "blockIO", p, blockIO);
  opt(o, "hugepageLimits", p, arrayOf(hugepageLimit));
  opt(o, "network", p, network);
  opt(o, "pids", p, pids);
  opt(o, "rdma", p, mapOf(rdma));
  opt(o, "unified", p, strMap);
});

// spec/validate-linux.ts
var ID_END_MAX = 4294967295;
var idMapping = shape((o, p) => {
  req(o, "containerID", p, uint32);
  req(o, "hostID", p, uint32);
  req(o, "size", p, integer(1, 4294967295));
  for (const side of ["containerID", "hostID"]) {
    if (o[side] + o.size > ID_END_MAX) {
      fail(child(p, "size"), `${side} + size must not exceed ${ID_END_MAX}`);
    }
  }
});
var idMappings = (v, p) => {
  const list = array(v, p);
  list.forEach((item, i) => idMapping(item, at(p, i)));
  const ranges = list;
  for (let j = 1; j < ranges.length; j++) {
    for (let i = 0; i < j; i++) {
      for (const side of ["containerID", "hostID"]) {
        const a = ranges[i];
        const b = ranges[j];
        if (a[side] < b[side] + b.size && b[side] < a[side] + a.size) {
          fail(at(p, j), `${side} range overlaps entry ${i}`);
        }
      }
    }
  }
};
var namespaces = (v, p) => {
  const seen = /* @__PURE__ */ new Set();
  array(v, p).forEach((item, i) => {
    const ip = at(p, i);
    const o = object(item, ip);
    req(o, "type", ip, oneOf(NAMESPACE_TYPES));
    opt(o, "path", ip, absPath);
    const type = o.type;
    if (seen.has(type)) fail(child(ip, "type"), `duplicate namespace type "${type}"`);
    seen.add(type);
  });
};
function findNamespace(linux, type) {
  if (!linux || !Array.isArray(linux.namespaces)) return void 0;
  const list = linux.namespaces;
  const index = list.findIndex((ns) => ns.type === type);
  return index < 0 ? void 0 : { index, path: list[index].path };
}
var nonEmptyList = (v) => Array.isArray(v) && v.length > 0;
function userNamespaceRules(o, p) {
  const userNs = findNamespace(o, "user");
  const hasUid = nonEmptyList(o.uidMappings);
  const hasGid = nonEmptyList(o.gidMappings);
  if (!userNs && (hasUid || hasGid)) {
    fail(child(p, hasUid ? "uidMappings" : "gidMappings"), "requires a user namespace in linux.namespaces");
  }
  if (userNs && userNs.path === void 0 && !(hasUid && hasGid)) {
    fail(child(p, hasUid ? "gidMappings" : "uidMappings"), "user namespace requires uidMappings and gidMappings");
  }
}
var timeOffset = shape((o, p) => {
  opt(o, "secs", p, int64);
  opt(o, "nanosecs", p, integer(0, 999999999));
});
var CLOCKS = new Set(TIME_OFFSET_CLOCKS);
var timeOffsets = (v, p) => {
  for (const [clock, value] of Object.entries(object(v, p))) {
    const cp = child(p, clock);
    if (!CLOCKS.has(clock)) fail(cp, `clock must be one of ${TIME_OFFSET_CLOCKS.join(", ")}`);
    timeOffset(value, cp);
  }
};
function timeNamespaceRules(o, p) {
  if (o.timeOffsets === void 0 || Object.keys(o.timeOffsets).length === 0) return;
  const timeNs = findNamespace(o, "time");
  if (!timeNs) fail(child(p, "timeOffsets"), "requires a time namespace in linux.namespaces");
  if (timeNs.path !== void 0) {
    fail(child(p, "timeOffsets"), `cannot be set when the time namespace is joined (namespaces[${timeNs.index}].path)`);
  }
}
var device = shape((o, p) => {
  req(o, "type", p, oneOf(DEVICE_TYPES));
  req(o, "path", p, absPath);
  const numbers = o.type === "p" ? opt : req;
  numbers(o, "major", p, int64);
  numbers(o, "minor", p, int64);
  opt(o, "fileMode", p, integer(0, 4095, "must be an integer between 0 and 4095 (permission bits, 0o7777)"));
  opt(o, "uid", p, uint32);
  opt(o, "gid", p, uint32);
});
var interfaceName = (v, p) => {
  str(v, p);
  const name = v;
  const len = Buffer.byteLength(name);
  if (len === 0 || len > 15 || name === "." || name === ".." || /[/:\s]/.test(name)) {
    fail(p, 'must be a valid interface name (1-15 bytes, not "." or "..", no "/", ":" or whitespace)');
  }
};
var netDevices = (v, p) => {
  for (const [hostName, value] of Object.entries(object(v, p))) {
    const cp = child(p, hostName);
    interfaceName(hostName, cp);
    opt(object(value, cp), "name", cp, interfaceName);
  }
};
function netDeviceRules(o, p) {
  if (o.netDevices !== void 0 && Object.keys(o.netDevices).length > 0 && !findNamespace(o, "network")) {
    fail(child(p, "netDevices"), "requires a network namespace in linux.namespaces");
  }
}
var ERRNO_ACTIONS = new Set(SECCOMP_ERRNO_ACTIONS);
var errnoRule = (field) => `is only allowed when ${field} is ${SECCOMP_ERRNO_ACTIONS.join(" or ")}`;
var seccompArg = shape((o, p) => {
  req(o, "index", p, integer(0, 5));
  req(o, "value", p, uint64);
  opt(o, "valueTwo", p, uint64);
  req(o, "op", p, oneOf(SECCOMP_OPERATORS));
});
var syscall = shape((o, p) => {
  req(o, "names", p, (v, np) => {
    arrayOf(nonEmptyStr)(v, np);
    if (v.length === 0) fail(np, "must contain at least one entry");
  });
  req(o, "action", p, oneOf(SECCOMP_ACTIONS));
  opt(o, "errnoRet", p, uint32);
  if (o.errnoRet !== void 0 && !ERRNO_ACTIONS.has(o.action)) fail(child(p, "errnoRet"), errnoRule("action"));
  opt(o, "args", p, arrayOf(seccompArg));
});
var seccomp = shape((o, p) => {
  req(o, "defaultAction", p, oneOf(SECCOMP_ACTIONS));
  opt(o, "defaultErrnoRet", p, uint32);
  if (o.defaultErrnoRet !== void 0 && !ERRNO_ACTIONS.has(o.defaultAction)) {
    fail(child(p, "defaultErrnoRet"), errnoRule("defaultAction"));
  }
  opt(o, "architectures", p, arrayOf(oneOf(SECCOMP_ARCHS)));
  opt(o, "flags", p, arrayOf(oneOf(SECCOMP_FLAGS)));
  opt(o, "listenerPath", p, absPath);
  opt(o, "listenerMetadata", p, str);
  if (o.listenerMetadata && o.listenerPath === void 0) fail(child(p, "listenerMetadata"), "requires listenerPath");
  opt(o, "syscalls", p, arrayOf(syscall));
});
var noNewline = (what) => matches(/^[^\n]*$/, `${what} without newlines`);
var intelRdt = shape((o, p) => {
  opt(o, "closID", p, str);
  opt(o, "l3CacheSchema", p, str);
  opt(o, "memBwSchema", p, matches(/^MB:[^\n]*$/, 'a string starting with "MB:" without newlines'));
  opt(o, "schemata", p, arrayOf(noNewline("a string")));
  opt(o, "enableMonitoring", p, bool);
  opt(o, "enableCMT", p, bool);
  opt(o, "enableMBM", p, bool);
});
var personality = shape((o, p) => {
  req(o, "domain", p, oneOf(PERSONALITY_DOMAINS));
  opt(o, "flags", p, strArray);
});
var NEEDS_NODES = new Set(MPOL_MODES_NEEDING_NODES);
var memoryPolicy = shape((o, p) => {
  req(o, "mode", p, oneOf(MPOL_MODES));
  opt(o, "nodes", p, cpuList);
  opt(o, "flags", p, arrayOf(oneOf(MPOL_FLAGS)));
  if (NEEDS_NODES.has(o.mode) && (o.nodes === void 0 || o.nodes.trim() === "")) {
    fail(child(p, "nodes"), `is required with mode ${o.mode}`);
  }
  const flags = o.flags ?? [];
  if (flags.includes("MPOL_F_STATIC_NODES") && flags.includes("MPOL_F_RELATIVE_NODES")) {
    fail(child(p, "flags"), "MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES are mutually exclusive");
  }
});
var checkLinux = shape((o, p) => {
  opt(o, "namespaces", p, namespaces);
  opt(o, "uidMappings", p, idMappings);
  opt(o, "gidMappings", p, idMappings);
  userNamespaceRules(o, p);
  opt(o, "timeOffsets", p, timeOffsets);
  timeNamespaceRules(o, p);
  opt(o, "devices", p, arrayOf(device));
  opt(o, "netDevices", p, netDevices);
  netDeviceRules(o, p);
  opt(o, "cgroupsPath", p, str);
  opt(o, "resources", p, checkResources);
  opt(o, "rootfsPropagation", p, oneOf(ROOTFS_PROPAGATIONS));
  opt(o, "seccomp", p, seccomp);
  opt(o, "sysctl", p, strMap);
  opt(o, "maskedPaths", p, arrayOf(absPath));
  opt(o, "readonlyPaths", p, arrayOf(absPath));
  opt(o, "mountLabel", p, str);
  opt(o, "intelRdt", p, intelRdt);
  opt(o, "personality", p, personality);
  opt(o, "memoryPolicy", p, memoryPolicy);
});

// spec/validate-process.ts
var consoleSize = shape((o, p) => {
  req(o, "height", p, uint64);
  req(o, "width", p, uint64);
});
var args = (v, p) => {
  strArray(v, p);
  if (v.length === 0) fail(p, "must contain at least one entry");
};
var user = shape((o, p) => {
  req(o, "uid", p, uint32);
  req(o, "gid", p, uint32);
  opt(o, "umask", p, uint32);
  opt(o, "additionalGids", p, arrayOf(uint32));
  opt(o, "username", p, str);
});
var rlimits = (v, p) => {
  const seen = /* @__PURE__ */ new Set();
  array(v, p).forEach((item, i) => {
    const ip = at(p, i);
    const o = object(item, ip);
    req(o, "type", ip, oneOf(RLIMIT_TYPES));
    req(o, "soft", ip, uint64);
    req(o, "hard", ip, uint64);
    const type = o.type;
    if (seen.has(type)) fail(child(ip, "type"), `duplicate rlimit type "${type}"`);
    seen.add(type);
    if (o.soft > o.hard) fail(child(ip, "soft"), "must not be greater than hard");
  });
};
var capabilityName = matches(/^CAP_[A-Z_]+$/, "a capability name matching ^CAP_[A-Z_]+$");
var capabilities = shape((o, p) => {
  for (const set2 of ["effective", "bounding", "inheritable", "permitted", "ambient"]) {
    opt(o, set2, p, arrayOf(capabilityName));
  }
});
var scheduler = shape((o, p) => {
  req(o, "policy", p, oneOf(SCHED_POLICIES));
  opt(o, "nice", p, int32);
  opt(o, "priority", p, int32);
  opt(o, "flags", p, arrayOf(oneOf(SCHED_FLAGS)));
  opt(o, "runtime", p, uint64);
  opt(o, "deadline", p, uint64);
  opt(o, "period", p, uint64);
});
var ioPriority = shape((o, p) => {
  req(o, "class", p, oneOf(IOPRIO_CLASSES));
  req(o, "priority", p, integer(0, 7));
});
var execCPUAffinity = shape((o, p) => {
  opt(o, "initial", p, cpuList);
  opt(o, "final", p, cpuList);
});
var checkProcess = shape((o, p) => {
  opt(o, "terminal", p, bool);
  opt(o, "consoleSize", p, consoleSize);
  req(o, "cwd", p, absPath);
  opt(o, "env", p, strArray);
  req(o, "args", p, args);
  opt(o, "commandLine", p, str);
  opt(o, "user", p, user);
  opt(o, "rlimits", p, rlimits);
  opt(o, "apparmorProfile", p, str);
  opt(o, "capabilities", p, capabilities);
  opt(o, "noNewPrivileges", p, bool);
  opt(o, "oomScoreAdj", p, integer(-1e3, 1e3));
  opt(o, "scheduler", p, scheduler);
  opt(o, "selinuxLabel", p, str);
  opt(o, "ioPriority", p, ioPriority);
  opt(o, "execCPUAffinity", p, execCPUAffinity);
});

// spec/validate.ts
var NUM = "(0|[1-9]\\d*)";
var PRE_PART = "(?:0|[1-9]\\d*|\\d*[A-Za-z-][0-9A-Za-z-]*)";
var SEMVER = new RegExp(
  `^${NUM}\\.${NUM}\\.${NUM}(?:-${PRE_PART}(?:\\.${PRE_PART})*)?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?$`
);
var ociVersion = (v, p) => {
  str(v, p);
  const m = SEMVER.exec(v);
  if (!m) fail(p, "must be a SemVer 2.0.0 version such as 1.3.0");
  if (m[1] !== "1") fail(p, `must have major version 1 (got ${m[1]}); caisson implements runtime-spec 1.x`);
};
var root = shape((o, p) => {
  req(o, "path", p, nonEmptyStr);
  opt(o, "readonly", p, bool);
});
var mount = shape((o, p) => {
  req(o, "destination", p, nonEmptyStr);
  opt(o, "source", p, str);
  opt(o, "type", p, str);
  opt(o, "options", p, strArray);
  opt(o, "uidMappings", p, idMappings);
  opt(o, "gidMappings", p, idMappings);
  if (o.uidMappings === void 0 !== (o.gidMappings === void 0)) {
    const [missing, given] = o.uidMappings === void 0 ? ["uidMappings", "gidMappings"] : ["gidMappings", "uidMappings"];
    fail(child(p, missing), `is required when ${given} is set`);
  }
});
var hook = shape((o, p) => {
  req(o, "path", p, absPath);
  opt(o, "args", p, strArray);
  opt(o, "env", p, strArray);
  opt(o, "timeout", p, integer(1, Number.MAX_SAFE_INTEGER, "must be an integer greater than 0"));
});
var hooks = shape((o, p) => {
  for (const name of HOOK_NAMES) opt(o, name, p, arrayOf(hook));
});
function idmapRules(spec) {
  if (!Array.isArray(spec.mounts) || findNamespace(spec.linux, "user")) return;
  spec.mounts.forEach((m, i) => {
    const options = m.options ?? [];
    const j = options.findIndex((o) => o === "idmap" || o === "ridmap");
    const hasOwn = Array.isArray(m.uidMappings) && m.uidMappings.length > 0;
    if (j >= 0 && !hasOwn) {
      fail(
        at(child(at("$.mounts", i), "options"), j),
        `${options[j]} needs uidMappings and gidMappings on the mount or a user namespace in linux.namespaces`
      );
    }
  });
}
function validateConfig(raw) {
  const o = object(raw, "$");
  req(o, "ociVersion", "$", ociVersion);
  req(o, "root", "$", root);
  opt(o, "mounts", "$", arrayOf(mount));
  opt(o, "process", "$", checkProcess);
  opt(o, "hostname", "$", str);
  opt(o, "domainname", "$", str);
  opt(o, "hooks", "$", hooks);
  opt(o, "annotations", "$", strMap);
  opt(o, "linux", "$", checkLinux);
  idmapRules(o);
  return raw;
}

// lib/bundle.ts
init_errors();

// lib/support.ts
init_errors();
var NOT_YET = [
  ["$.process.terminal", (s) => s.process?.terminal],
  ["$.process.apparmorProfile", (s) => s.process?.apparmorProfile],
  ["$.process.selinuxLabel", (s) => s.process?.selinuxLabel],
  ["$.process.oomScoreAdj", (s) => s.process?.oomScoreAdj],
  ["$.process.scheduler", (s) => s.process?.scheduler],
  ["$.process.ioPriority", (s) => s.process?.ioPriority],
  ["$.process.execCPUAffinity", (s) => s.process?.execCPUAffinity],
  ["$.hooks", (s) => s.hooks && Object.values(s.hooks).some((h) => h?.length)],
  ["$.linux.resources", (s) => s.linux?.resources && Object.keys(s.linux.resources).length],
  ["$.linux.cgroupsPath", (s) => s.linux?.cgroupsPath],
  ["$.linux.seccomp", (s) => s.linux?.seccomp],
  ["$.linux.intelRdt", (s) => s.linux?.intelRdt],
  ["$.linux.personality", (s) => s.linux?.personality],
  ["$.linux.memoryPolicy", (s) => s.linux?.memoryPolicy],
  ["$.linux.netDevices", (s) => s.linux?.netDevices && Object.keys(s.linux.netDevices).length],
  ["$.linux.mountLabel", (s) => s.linux?.mountLabel]
];
function checkSupported(spec) {
  for (const [path, get] of NOT_YET) {
    const v = get(spec);
    if (v !== void 0 && v !== false && v !== 0 && v !== "") throw new UnsupportedError(path);
  }
  if (!spec.process) return;
  if (spec.process.args.length === 0) throw new ConfigError("$.process.args", "must have at least one entry");
}

// lib/bundle.ts
function parseJson(text, what) {
  try {
    return JSON.parse(text, (_k, v) => v === null ? void 0 : v);
  } catch (err) {
    throw new ConfigError("$", `${what} is not valid JSON: ${err.message}`);
  }
}
function checkConfig(raw) {
  const spec = validateConfig(raw);
  checkSupported(spec);
  return spec;
}
function loadBundle(dir2) {
  const bundle = resolve(dir2);
  let text;
  try {
    text = readFileSync(`${bundle}/config.json`, "utf8");
  } catch (err) {
    const code = err.code;
    if (code === "ENOENT") throw new ConfigError("$", `JSON specification file config.json not found in bundle ${bundle}`);
    throw fromNodeError(`read ${bundle}/config.json`, err);
  }
  const spec = checkConfig(parseJson(text, `${bundle}/config.json`));
  return { bundle, spec, rootfs: resolveRootfs(bundle, spec) };
}
function resolveRootfs(bundle, spec) {
  const p = isAbsolute(spec.root.path) ? spec.root.path : resolve(bundle, spec.root.path);
  let real;
  try {
    real = realpathSync(p);
  } catch {
    throw new ConfigError("$.root.path", `rootfs ${p} does not exist`);
  }
  if (!statSync(real).isDirectory()) throw new ConfigError("$.root.path", `rootfs ${p} is not a directory`);
  return real;
}

// lib/lifecycle/create.ts
init_errors();
init_native();

// lib/plan/build.ts
init_errors();

// lib/plan/capabilities.ts
init_errors();
var SETS = ["bounding", "effective", "permitted", "inheritable", "ambient"];
function capabilityMasks(caps, lastCap2, warn = () => {
}) {
  const out = { bounding: 0n, effective: 0n, permitted: 0n, inheritable: 0n, ambient: 0n };
  const unavailable = /* @__PURE__ */ new Set();
  for (const set2 of SETS) {
    (caps?.[set2] ?? []).forEach((name, i) => {
      const num = CAPABILITIES.indexOf(name);
      if (num < 0) throw new ConfigError(`$.process.capabilities.${set2}[${i}]`, `unknown capability "${name}"`);
      if (num > lastCap2) {
        unavailable.add(name);
        return;
      }
      out[set2] |= 1n << BigInt(num);
    });
  }
  if (unavailable.size) warn(`ignoring capabilities the kernel does not support: ${[...unavailable].join(", ")}`);
  return out;
}

// lib/plan/mounts.ts
init_errors();
import { posix } from "node:path";

// lib/plan/mount-options.ts
init_errors();

// lib/plan/opcodes.ts
var PLAN_MAGIC = 1280332611;
var PLAN_VERSION = 1;
var PLAN_HEADER_LEN = 16;
var OP_HEADER_LEN = 8;
var PLAN_MAX_LEN = 16 << 20;
var TAG_U64 = 1;
var TAG_STR = 2;
var Op = {
  SETNS: 1,
  UNSHARE: 2,
  USERNS_SYNC: 3,
  WRITE_PROC: 4,
  FORK_INIT: 5,
  WAIT_PARENT: 10,
  SETHOSTNAME: 11,
  SETDOMAINNAME: 12,
  MOUNT_PROPAGATION: 13,
  ROOTFS_BIND: 14,
  MOUNT: 15,
  MKNOD: 16,
  BIND_DEV: 17,
  SYMLINK: 18,
  SYSCTL: 19,
  PIVOT_ROOT: 20,
  CHROOT: 21,
  MASK: 22,
  READONLY: 23,
  ROOT_READONLY: 24,
  RLIMIT: 25,
  SETUSER: 26,
  CAPS: 27,
  NO_NEW_PRIVS: 28,
  UMASK: 29,
  CHDIR: 30,
  RESOLVE_EXEC: 31,
  PREPARE_FDS: 32,
  WAIT_START: 33,
  EXEC: 34,
  KEEP_CAPS: 35,
  DUMPABLE: 36,
  CAPS_BOUNDING: 37,
  JOIN_KEYRING: 38
};
var MountKind = { BIND: 1, FS: 2 };
var MF_DEST_FILE = 1;
var MF_BIND_FALLBACK = 2;
var MF_RECURSIVE_BIND = 4;
var MF_REMOUNT = 16;
var SB_SYNC = 1;
var SB_DIRSYNC = 2;
var SB_LAZYTIME = 4;
var SB_MAND = 8;
var ChdirWhen = { NOW: 0, TRY: 1, DEFERRED: 2 };
var Msg = {
  PID: 1,
  IDMAP: 2,
  REACHED: 3,
  READY: 4,
  ERROR: 5,
  STEP: 6,
  GO: 100,
  ABORT: 101
};
var MSG_HEADER_LEN = 8;
var MSG_ERROR_LEN = 4 + 4 + 32;
var START_REQUEST = "S";
var CLONE = {
  NEWTIME: 128,
  NEWNS: 131072,
  NEWCGROUP: 33554432,
  NEWUTS: 67108864,
  NEWIPC: 134217728,
  NEWUSER: 268435456,
  NEWPID: 536870912,
  NEWNET: 1073741824
};
var MS = {
  RDONLY: 1,
  NOSUID: 2,
  NODEV: 4,
  NOEXEC: 8,
  REMOUNT: 32,
  BIND: 4096,
  MOVE: 8192,
  REC: 16384,
  UNBINDABLE: 1 << 17,
  PRIVATE: 1 << 18,
  SLAVE: 1 << 19,
  SHARED: 1 << 20
};
var MOUNT_ATTR = {
  RDONLY: 1,
  NOSUID: 2,
  NODEV: 4,
  NOEXEC: 8,
  ATIME_MASK: 112,
  RELATIME: 0,
  NOATIME: 16,
  STRICTATIME: 32,
  NODIRATIME: 128,
  IDMAP: 1048576,
  NOSYMFOLLOW: 2097152
};

// lib/plan/mount-options.ts
var set = (bit) => (o) => {
  o.attrs.set |= bit;
  o.attrs.clr &= ~bit;
};
var clr = (bit) => (o) => {
  o.attrs.clr |= bit;
  o.attrs.set &= ~bit;
};
var rset = (bit) => (o) => {
  o.recursiveAttrs.set |= bit;
  o.recursiveAttrs.clr &= ~bit;
};
var rclr = (bit) => (o) => {
  o.recursiveAttrs.clr |= bit;
  o.recursiveAttrs.set &= ~bit;
};
var atime = (mode, recursive = false) => (o) => {
  const a = recursive ? o.recursiveAttrs : o.attrs;
  a.clr |= MOUNT_ATTR.ATIME_MASK;
  a.set = a.set & ~MOUNT_ATTR.ATIME_MASK | mode;
};
var prop = (flag, recursive) => (o) => {
  o.propagation = flag;
  o.propagationRecursive = recursive;
};
var sb = (flag) => (o) => {
  o.sbFlags |= flag;
};
var noop = () => {
};
var OPTIONS = {
  defaults: noop,
  async: noop,
  loud: noop,
  silent: noop,
  nomand: noop,
  nolazytime: noop,
  iversion: noop,
  noiversion: noop,
  // Clearing relatime/strictatime leaves the kernel default, which is relatime.
  norelatime: noop,
  nostrictatime: noop,
  bind: (o) => {
    o.bind = true;
  },
  rbind: (o) => {
    o.bind = true;
    o.recursiveBind = true;
  },
  remount: (o) => {
    o.remount = true;
  },
  ro: (o) => {
    set(MOUNT_ATTR.RDONLY)(o);
    o.readonly = true;
  },
  // rw does not clear a read-only source of a bind, as in runc: it only undoes an earlier "ro".
  rw: (o) => {
    o.attrs.set &= ~MOUNT_ATTR.RDONLY;
    o.readonly = false;
  },
  nosuid: set(MOUNT_ATTR.NOSUID),
  suid: clr(MOUNT_ATTR.NOSUID),
  nodev: set(MOUNT_ATTR.NODEV),
  dev: clr(MOUNT_ATTR.NODEV),
  noexec: set(MOUNT_ATTR.NOEXEC),
  exec: clr(MOUNT_ATTR.NOEXEC),
  nodiratime: set(MOUNT_ATTR.NODIRATIME),
  diratime: clr(MOUNT_ATTR.NODIRATIME),
  nosymfollow: set(MOUNT_ATTR.NOSYMFOLLOW),
  symfollow: clr(MOUNT_ATTR.NOSYMFOLLOW),
  noatime: atime(MOUNT_ATTR.NOATIME),
  relatime: atime(MOUNT_ATTR.RELATIME),
  strictatime: atime(MOUNT_ATTR.STRICTATIME),
  atime: atime(MOUNT_ATTR.RELATIME),
  rro: rset(MOUNT_ATTR.RDONLY),
  rrw: rclr(MOUNT_ATTR.RDONLY),
  rnosuid: rset(MOUNT_ATTR.NOSUID),
  rsuid: rclr(MOUNT_ATTR.NOSUID),
  rnodev: rset(MOUNT_ATTR.NODEV),
  rdev: rclr(MOUNT_ATTR.NODEV),
  rnoexec: rset(MOUNT_ATTR.NOEXEC),
  rexec: rclr(MOUNT_ATTR.NOEXEC),
  rnodiratime: rset(MOUNT_ATTR.NODIRATIME),
  rdiratime: rclr(MOUNT_ATTR.NODIRATIME),
  rnosymfollow: rset(MOUNT_ATTR.NOSYMFOLLOW),
  rsymfollow: rclr(MOUNT_ATTR.NOSYMFOLLOW),
  rnoatime: atime(MOUNT_ATTR.NOATIME, true),
  rrelatime: atime(MOUNT_ATTR.RELATIME, true),
  rstrictatime: atime(MOUNT_ATTR.STRICTATIME, true),
  ratime: atime(MOUNT_ATTR.RELATIME, true),
  rnorelatime: noop,
  rnostrictatime: noop,
  private: prop(MS.PRIVATE, false),
  rprivate: prop(MS.PRIVATE, true),
  shared: prop(MS.SHARED, false),
  rshared: prop(MS.SHARED, true),
  slave: prop(MS.SLAVE, false),
  rslave: prop(MS.SLAVE, true),
  unbindable: prop(MS.UNBINDABLE, false),
  runbindable: prop(MS.UNBINDABLE, true),
  sync: sb(SB_SYNC),
  dirsync: sb(SB_DIRSYNC),
  lazytime: sb(SB_LAZYTIME),
  mand: sb(SB_MAND)
};
var NOT_YET2 = /* @__PURE__ */ new Set(["idmap", "ridmap", "tmpcopyup"]);
var RECOGNISED_MOUNT_OPTIONS = [...Object.keys(OPTIONS), ...NOT_YET2].sort();
function parseMountOptions(options, path) {
  const o = {
    bind: false,
    recursiveBind: false,
    remount: false,
    attrs: { set: 0, clr: 0 },
    recursiveAttrs: { set: 0, clr: 0 },
    propagation: 0,
    propagationRecursive: false,
    sbFlags: 0,
    data: [],
    given: [...options ?? []],
    readonly: false
  };
  (options ?? []).forEach((opt2, i) => {
    if (NOT_YET2.has(opt2)) throw new UnsupportedError(`${path}[${i}]`, `mount option "${opt2}" is not supported yet`);
    const effect = OPTIONS[opt2];
    if (effect) effect(o);
    else o.data.push(opt2);
  });
  return o;
}

// lib/plan/mounts.ts
function cleanDestination(dest) {
  return posix.normalize(posix.join("/", dest));
}
function mountOp(m) {
  return {
    code: Op.MOUNT,
    label: m.label,
    fields: [
      m.kind,
      m.source,
      m.dest,
      m.fstype,
      m.o.attrs.set,
      m.o.attrs.clr,
      m.o.recursiveAttrs.set,
      m.o.recursiveAttrs.clr,
      m.o.propagation,
      m.o.propagationRecursive ? 1 : 0,
      m.o.sbFlags,
      m.o.data.length,
      ...m.o.data,
      m.flags,
      m.fallback ?? ""
    ]
  };
}
function hasNs(spec, type) {
  return (spec.linux?.namespaces ?? []).some((n) => n.type === type);
}
function hierarchyKey(h) {
  return h.version === 2 ? "" : h.controllers.join(",");
}
function cgroupMountOps(index, dest, o, spec, ctx, v2only) {
  const cgroupns = hasNs(spec, "cgroup");
  const ops = [];
  const one = (h, at2, sub) => {
    const label = `mount cgroup${h.version === 2 ? "2" : ` (${h.controllers.join(",")})`} on ${at2}`;
    if (cgroupns) {
      const data = h.version === 2 ? sub.data : [...h.controllers, ...sub.data];
      return mountOp({ kind: MountKind.FS, source: "cgroup", dest: at2, fstype: h.version === 2 ? "cgroup2" : "cgroup", o: { ...sub, data }, flags: 0, label });
    }
    const own = ctx.ownCgroups.get(hierarchyKey(h)) ?? "/";
    const source = posix.join(h.mountPoint, own);
    return mountOp({ kind: MountKind.BIND, source, dest: at2, fstype: "", o: { ...sub, data: [] }, flags: MF_RECURSIVE_BIND, label });
  };
  const v2 = ctx.cgroups.hierarchies.find((h) => h.version === 2);
  if (v2only || ctx.cgroups.layout === "v2") {
    const h = v2 ?? { version: 2, mountPoint: "/sys/fs/cgroup", controllers: [] };
    return [one(h, dest, o)];
  }
  const tmpfsOpts = { ...o, attrs: { set: o.attrs.set & ~MOUNT_ATTR.RDONLY, clr: 0 }, data: ["mode=755"] };
  ops.push(mountOp({ kind: MountKind.FS, source: "tmpfs", dest, fstype: "tmpfs", o: tmpfsOpts, flags: 0, label: `mount cgroup tmpfs on ${dest}` }));
  for (const h of ctx.cgroups.hierarchies) {
    const name = posix.basename(h.mountPoint);
    if (h.version === 1 && h.controllers.length === 0) continue;
    ops.push(one(h, posix.join(dest, name), o));
  }
  if (o.readonly) {
    const ro = parseMountOptions(["ro"], `$.mounts[${index}].options`);
    ops.push(mountOp({ kind: MountKind.BIND, source: "", dest, fstype: "", o: ro, flags: MF_REMOUNT, label: `make ${dest} read-only` }));
  }
  return ops;
}
function mountOps(spec, ctx, newUserNs) {
  const ops = [];
  (spec.mounts ?? []).forEach((m, i) => {
    const path = `$.mounts[${i}]`;
    if (m.uidMappings || m.gidMappings) throw new UnsupportedError(`${path}.uidMappings`, "id-mapped mounts are not supported yet");
    const o = parseMountOptions(m.options, `${path}.options`);
    const dest = cleanDestination(m.destination);
    const type = m.type ?? "";
    const what = o.bind ? `bind ${m.source ?? ""}` : type || "filesystem";
    if (o.remount && !o.bind) {
      ops.push(mountOp({ kind: MountKind.BIND, source: "", dest, fstype: "", o, flags: MF_REMOUNT, label: `remount ${dest}` }));
      return;
    }
    if (o.bind) {
      const src = ctx.bindSources.get(i);
      if (!src) throw new ConfigError(`${path}.source`, "is required for a bind mount");
      const flags = (src.isDirectory ? 0 : MF_DEST_FILE) | (o.recursiveBind ? MF_RECURSIVE_BIND : 0);
      ops.push(mountOp({ kind: MountKind.BIND, source: src.path, dest, fstype: "", o, flags, label: `mount ${what} on ${dest}` }));
      return;
    }
    if (!type) throw new ConfigError(`${path}.type`, "is required for a mount that is not a bind mount");
    if (type === "cgroup" || type === "cgroup2") {
      ops.push(...cgroupMountOps(i, dest, o, spec, ctx, type === "cgroup2"));
      return;
    }
    const fallback = type === "sysfs" && newUserNs ? "/sys" : void 0;
    ops.push(
      mountOp({
        kind: MountKind.FS,
        source: m.source ?? type,
        dest,
        fstype: type,
        o,
        flags: fallback ? MF_BIND_FALLBACK : 0,
        fallback,
        label: `mount ${type} on ${dest}`
      })
    );
  });
  return ops;
}
function bindsDev(spec) {
  return (spec.mounts ?? []).some((m) => cleanDestination(m.destination) === "/dev" && parseMountOptions(m.options, "").bind);
}

// lib/plan/devices.ts
var S_IFCHR = 8192;
var S_IFBLK = 24576;
var S_IFIFO = 4096;
var DEFAULT_DEVICES = [
  { path: "/dev/null", type: "c", major: 1, minor: 3, fileMode: 438, uid: 0, gid: 0 },
  { path: "/dev/zero", type: "c", major: 1, minor: 5, fileMode: 438, uid: 0, gid: 0 },
  { path: "/dev/full", type: "c", major: 1, minor: 7, fileMode: 438, uid: 0, gid: 0 },
  { path: "/dev/random", type: "c", major: 1, minor: 8, fileMode: 438, uid: 0, gid: 0 },
  { path: "/dev/urandom", type: "c", major: 1, minor: 9, fileMode: 438, uid: 0, gid: 0 },
  { path: "/dev/tty", type: "c", major: 5, minor: 0, fileMode: 438, uid: 0, gid: 0 }
];
function modeOf(d) {
  const perm = (d.fileMode ?? 438) & 4095;
  const fmt = d.type === "b" ? S_IFBLK : d.type === "p" ? S_IFIFO : S_IFCHR;
  return fmt | perm;
}
function deviceOps(spec, ctx, inUserNs) {
  const ops = [];
  const configured = spec.linux?.devices ?? [];
  const byPath = /* @__PURE__ */ new Map();
  for (const d of [...DEFAULT_DEVICES, ...configured]) byPath.set(cleanDestination(d.path), d);
  for (const [path, d] of byPath) {
    if (inUserNs && d.type !== "p") {
      ops.push({ code: Op.BIND_DEV, label: `bind device ${path} from the host`, fields: [path, path] });
    } else {
      ops.push({
        code: Op.MKNOD,
        label: `create device ${path}`,
        fields: [path, modeOf(d), d.major ?? 0, d.minor ?? 0, d.uid ?? 0, d.gid ?? 0]
      });
    }
  }
  const links = [
    ["pts/ptmx", "/dev/ptmx"],
    ["/proc/self/fd", "/dev/fd"],
    ["/proc/self/fd/0", "/dev/stdin"],
    ["/proc/self/fd/1", "/dev/stdout"],
    ["/proc/self/fd/2", "/dev/stderr"]
  ];
  if (ctx.hostHasKcore) links.push(["/proc/kcore", "/dev/core"]);
  for (const [target, link] of links) {
    ops.push({ code: Op.SYMLINK, label: `symlink ${link} -> ${target}`, fields: [target, link] });
  }
  return ops;
}

// lib/plan/namespaces.ts
init_errors();
var NS_FLAG = {
  user: CLONE.NEWUSER,
  mount: CLONE.NEWNS,
  pid: CLONE.NEWPID,
  network: CLONE.NEWNET,
  ipc: CLONE.NEWIPC,
  uts: CLONE.NEWUTS,
  cgroup: CLONE.NEWCGROUP,
  time: CLONE.NEWTIME
};
var JOIN_ORDER = ["user", "ipc", "uts", "network", "pid", "cgroup", "time", "mount"];
function namespaceOps(spec, nsFds) {
  const namespaces2 = spec.linux?.namespaces ?? [];
  const newTypes = /* @__PURE__ */ new Set();
  const joinedTypes = /* @__PURE__ */ new Set();
  for (const ns of namespaces2) (ns.path ? joinedTypes : newTypes).add(ns.type);
  if (!newTypes.has("mount") && !joinedTypes.has("mount")) {
    throw new ConfigError("$.linux.namespaces", 'a "mount" namespace is required');
  }
  const ops = [];
  for (const type of JOIN_ORDER) {
    if (!joinedTypes.has(type)) continue;
    const fd = nsFds[type];
    if (fd === void 0) throw new Error(`internal: no fd opened for the ${type} namespace`);
    const path = namespaces2.find((n) => n.type === type).path;
    ops.push({ code: Op.SETNS, label: `join ${type} namespace ${path}`, fields: [fd, NS_FLAG[type]] });
  }
  const newUser = newTypes.has("user");
  if (newUser) {
    ops.push({ code: Op.UNSHARE, label: "create user namespace", fields: [CLONE.NEWUSER] });
    ops.push({ code: Op.USERNS_SYNC, label: "set up user namespace id mappings", fields: [0, 0] });
  }
  let flags = 0;
  const names = [];
  for (const type of newTypes) {
    if (type === "user") continue;
    flags |= NS_FLAG[type];
    names.push(type);
  }
  if (flags) ops.push({ code: Op.UNSHARE, label: `create ${names.join(", ")} namespaces`, fields: [flags] });
  const offsets = spec.linux?.timeOffsets;
  if (offsets && Object.keys(offsets).length) {
    const text = Object.entries(offsets).map(([clock, o]) => `${clock} ${o.secs ?? 0} ${o.nanosecs ?? 0}
`).join("");
    ops.push({ code: Op.WRITE_PROC, label: "set time namespace offsets", fields: ["self/timens_offsets", text] });
  }
  ops.push({ code: Op.FORK_INIT, label: "start container init", fields: [] });
  return { ops, newUser, newTypes, joinedTypes };
}

// lib/plan/process.ts
var RLIM_INFINITY = (1n << 64n) - 1n;
function rlimitValue(v) {
  return isUint64Max(v) ? RLIM_INFINITY : BigInt(v);
}
function pathFromEnv(env) {
  const entry = [...env ?? []].reverse().find((e) => e.startsWith("PATH="));
  return entry ? entry.slice(5) : "";
}
function rlimitOps(process2) {
  return (process2.rlimits ?? []).map((r) => ({
    code: Op.RLIMIT,
    label: `set ${r.type}`,
    fields: [RLIMIT_TYPES.indexOf(r.type), rlimitValue(r.soft), rlimitValue(r.hard)]
  }));
}
function processOps(input) {
  const { process: process2, caps } = input;
  const uid = process2.user?.uid ?? 0;
  const gid = process2.user?.gid ?? 0;
  const groups = process2.user?.additionalGids ?? [];
  const firstUnpreserved = 3 + input.preserveFds;
  const ops = [
    ...rlimitOps(process2),
    { code: Op.CHDIR, label: `chdir to cwd ("${process2.cwd}")`, fields: [process2.cwd, ChdirWhen.TRY] },
    { code: Op.CAPS_BOUNDING, label: "apply bounding capabilities", fields: [caps.bounding] },
    { code: Op.KEEP_CAPS, label: "keep capabilities across setuid", fields: [1] },
    {
      code: Op.SETUSER,
      label: `set user ${uid}:${gid}`,
      fields: [uid, gid, input.canSetGroups ? 1 : 0, groups.length, ...groups]
    },
    { code: Op.KEEP_CAPS, label: "stop keeping capabilities", fields: [0] },
    { code: Op.CHDIR, label: `chdir to cwd ("${process2.cwd}")`, fields: [process2.cwd, ChdirWhen.DEFERRED] },
    {
      code: Op.CAPS,
      label: "apply capabilities",
      fields: [caps.effective, caps.permitted, caps.inheritable, caps.ambient]
    }
  ];
  if (process2.noNewPrivileges) ops.push({ code: Op.NO_NEW_PRIVS, label: "set no_new_privs", fields: [] });
  if (process2.user?.umask !== void 0) ops.push({ code: Op.UMASK, label: "set umask", fields: [process2.user.umask] });
  ops.push(
    { code: Op.RESOLVE_EXEC, label: `exec: "${process2.args[0]}"`, fields: [process2.args[0], pathFromEnv(process2.env)] },
    { code: Op.PREPARE_FDS, label: "mark fds close-on-exec", fields: [firstUnpreserved] },
    { code: Op.WAIT_START, label: "wait for start", fields: [input.startListenFd, firstUnpreserved] },
    {
      code: Op.EXEC,
      label: `exec: "${process2.args[0]}"`,
      fields: [process2.args.length, ...process2.args, (process2.env ?? []).length, ...process2.env ?? []]
    }
  );
  return ops;
}

// lib/plan/sysctl.ts
init_errors();
var IPC_KEYS = /* @__PURE__ */ new Set([
  "kernel.msgmax",
  "kernel.msgmnb",
  "kernel.msgmni",
  "kernel.sem",
  "kernel.shmall",
  "kernel.shmmax",
  "kernel.shmmni",
  "kernel.shm_rmid_forced"
]);
var SEGMENT = /^[A-Za-z0-9_\-@+]+$/;
function hasNs2(spec, type) {
  return (spec.linux?.namespaces ?? []).some((n) => n.type === type);
}
function sysctlWrites(spec) {
  const out = [];
  for (const [key, value] of Object.entries(spec.linux?.sysctl ?? {})) {
    const path = `$.linux.sysctl[${JSON.stringify(key)}]`;
    const segments = key.split(".");
    if (segments.length < 2 || !segments.every((s) => s.split("/").every((x) => SEGMENT.test(x)))) {
      throw new ConfigError(path, `sysctl "${key}" is not a valid sysctl name`);
    }
    if (IPC_KEYS.has(key) || key.startsWith("fs.mqueue.")) {
      if (!hasNs2(spec, "ipc")) throw new ConfigError(path, `sysctl "${key}" is not allowed as it conflicts with the OCI "ipc" namespace`);
    } else if (key.startsWith("net.")) {
      if (!hasNs2(spec, "network")) throw new ConfigError(path, `sysctl "${key}" not allowed in host network namespace`);
    } else if (key === "kernel.hostname" || key === "kernel.domainname") {
      if (!hasNs2(spec, "uts")) throw new ConfigError(path, `sysctl "${key}" is not allowed as it conflicts with the OCI "uts" namespace`);
      throw new ConfigError(path, `sysctl "${key}" is not allowed: use the ${key === "kernel.hostname" ? "hostname" : "domainname"} field instead`);
    } else {
      throw new ConfigError(path, `sysctl "${key}" is not in a separate kernel namespace`);
    }
    out.push({ key, rel: segments.map((s) => s.replace(/\//g, ".")).join("/"), value });
  }
  return out;
}

// lib/plan/build.ts
var PROPAGATION = {
  shared: MS.SHARED,
  rshared: MS.SHARED,
  slave: MS.SLAVE,
  rslave: MS.SLAVE,
  private: MS.PRIVATE,
  rprivate: MS.PRIVATE,
  unbindable: MS.UNBINDABLE,
  runbindable: MS.UNBINDABLE
};
function hasNs3(spec, type) {
  return (spec.linux?.namespaces ?? []).some((n) => n.type === type);
}
function buildPlan(spec, ctx) {
  const warnings = [];
  const process2 = spec.process;
  if (!process2) throw new ConfigError("$.process", "is required to create a container");
  if (spec.hostname !== void 0 && !hasNs3(spec, "uts"))
    throw new ConfigError("$.hostname", "unable to set hostname without a private UTS namespace");
  if (spec.domainname !== void 0 && !hasNs3(spec, "uts"))
    throw new ConfigError("$.domainname", "unable to set domainname without a private UTS namespace");
  const ns = namespaceOps(spec, ctx.nsFds);
  const inUserNs = hasNs3(spec, "user");
  const caps = capabilityMasks(process2.capabilities, ctx.lastCap, (w) => warnings.push(w));
  const sysctls = sysctlWrites(spec);
  const ops = [...ns.ops];
  if (!ctx.noNewKeyring) {
    ops.push({ code: Op.JOIN_KEYRING, label: "join a new session keyring", fields: [`_ses.${ctx.id}`, inUserNs ? 8 : 524288] });
  }
  if (spec.hostname !== void 0) ops.push({ code: Op.SETHOSTNAME, label: "set hostname", fields: [spec.hostname] });
  if (spec.domainname !== void 0)
    ops.push({ code: Op.SETDOMAINNAME, label: "set domainname", fields: [spec.domainname] });
  const prop2 = PROPAGATION[spec.linux?.rootfsPropagation ?? "rprivate"];
  ops.push({ code: Op.MOUNT_PROPAGATION, label: "set mount propagation of /", fields: ["/", MS.REC | prop2] });
  if (prop2 !== MS.PRIVATE) {
    ops.push({
      code: Op.MOUNT_PROPAGATION,
      label: `make ${ctx.rootfsParentMount} private`,
      fields: [ctx.rootfsParentMount, MS.PRIVATE]
    });
  }
  ops.push({ code: Op.ROOTFS_BIND, label: `bind rootfs ${ctx.rootfs}`, fields: [ctx.rootfs] });
  ops.push(...mountOps(spec, ctx, ns.newUser));
  if (!bindsDev(spec)) ops.push(...deviceOps(spec, ctx, inUserNs));
  for (const s of sysctls) ops.push({ code: Op.SYSCTL, label: `set sysctl ${s.key}`, fields: [s.rel, s.value] });
  for (const p of spec.linux?.readonlyPaths ?? []) ops.push({ code: Op.READONLY, label: `make ${p} read-only`, fields: [p] });
  for (const p of spec.linux?.maskedPaths ?? []) ops.push({ code: Op.MASK, label: `mask ${p}`, fields: [p] });
  ops.push(
    ctx.noPivot ? { code: Op.CHROOT, label: "chroot into rootfs (--no-pivot)", fields: [] } : { code: Op.PIVOT_ROOT, label: "pivot_root into rootfs", fields: [] }
  );
  if (spec.root.readonly) ops.push({ code: Op.ROOT_READONLY, label: "make rootfs read-only", fields: [] });
  ops.push(
    ...processOps({
      process: process2,
      caps,
      canSetGroups: true,
      preserveFds: ctx.preserveFds,
      startListenFd: ctx.startListenFd
    })
  );
  return { ops, newUserNs: ns.newUser, warnings };
}

// lib/plan/encode.ts
var U64_MAX = (1n << 64n) - 1n;
function u64(v, where) {
  const b = typeof v === "bigint" ? v : BigInt(v);
  if (typeof v === "number" && !Number.isInteger(v)) throw new TypeError(`${where}: ${v} is not an integer`);
  if (b < 0n || b > U64_MAX) throw new RangeError(`${where}: ${v} does not fit in 64 bits`);
  return b;
}
function encodePlan(plan) {
  const chunks = [];
  let total = PLAN_HEADER_LEN;
  for (const op of plan.ops) {
    const parts = [];
    let len = OP_HEADER_LEN;
    for (const f of [op.label, ...op.fields]) {
      let b;
      if (typeof f === "string") {
        const s = Buffer.from(f, "utf8");
        if (s.includes(0)) throw new TypeError(`${op.label}: string contains a NUL byte`);
        b = Buffer.alloc(5 + s.length + 1);
        b[0] = TAG_STR;
        b.writeUInt32LE(s.length, 1);
        s.copy(b, 5);
      } else {
        b = Buffer.alloc(9);
        b[0] = TAG_U64;
        b.writeBigUInt64LE(u64(f, op.label), 1);
      }
      parts.push(b);
      len += b.length;
    }
    const head = Buffer.alloc(OP_HEADER_LEN);
    head.writeUInt16LE(op.code, 0);
    head.writeUInt32LE(len, 4);
    chunks.push(head, ...parts);
    total += len;
  }
  if (total > PLAN_MAX_LEN) throw new RangeError(`plan is ${total} bytes, more than ${PLAN_MAX_LEN}`);
  const header = Buffer.alloc(PLAN_HEADER_LEN);
  header.writeUInt32LE(PLAN_MAGIC, 0);
  header.writeUInt16LE(PLAN_VERSION, 4);
  header.writeUInt32LE(total, 8);
  header.writeUInt32LE(plan.ops.length, 12);
  return Buffer.concat([header, ...chunks], total);
}

// lib/lifecycle/create.ts
init_proc();

// lib/state/store.ts
init_errors();
init_native();
import { closeSync, constants as constants2, existsSync, fstatSync, mkdirSync, openSync, readFileSync as readFileSync3, readdirSync as readdirSync2, renameSync, rmSync, statSync as statSync2, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
var DEFAULT_ROOT = "/run/caisson";
var ID_RE = /^[\w+\-.]+$/;
function validateId(id) {
  if (!id || !ID_RE.test(id) || id === "." || id === ".." || id.length > 1024) {
    throw new CaissonError("EUSAGE", "invalid container ID format");
  }
}
var StateStore = class {
  root;
  constructor(root2 = DEFAULT_ROOT) {
    this.root = root2;
  }
  dir(id) {
    return join(this.root, id);
  }
  startSocket(id) {
    return join(this.dir(id), "start.sock");
  }
  /** Create the container's directory; fails if the id is taken. Returns the locked dir fd. */
  async reserve(id) {
    validateId(id);
    try {
      mkdirSync(this.root, { recursive: true, mode: 448 });
    } catch (err) {
      throw fromNodeError(`create state root ${this.root}`, err);
    }
    try {
      mkdirSync(this.dir(id), { mode: 448 });
    } catch (err) {
      if (err.code === "EEXIST") throw new AlreadyExistsError(id);
      throw fromNodeError(`create state directory ${this.dir(id)}`, err);
    }
    return this.lock(id);
  }
  /**
   * Take the container's lock (exclusive flock on its directory). Waits while another caisson
   * holds it. Throws NotFoundError when the container does not exist (or was deleted while we
   * waited).
   */
  async lock(id, timeoutMs = 6e4) {
    validateId(id);
    const dir2 = this.dir(id);
    let fd;
    try {
      fd = openSync(dir2, constants2.O_RDONLY | constants2.O_DIRECTORY);
    } catch (err) {
      if (err.code === "ENOENT") throw new NotFoundError(id);
      throw fromNodeError(`open state directory ${dir2}`, err);
    }
    const deadline = Date.now() + timeoutMs;
    for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
      const err = flock(fd, LOCK_EX | LOCK_NB);
      if (err === 0) break;
      if (Date.now() > deadline) {
        closeSync(fd);
        throw new CaissonError("ESYSTEM", `timed out waiting for the lock of container ${id}`);
      }
      await sleep(delay);
    }
    let same = false;
    try {
      const a = fstatSync(fd);
      const b = statSync2(dir2);
      same = a.ino === b.ino && a.dev === b.dev;
    } catch {
      same = false;
    }
    if (!same) {
      closeSync(fd);
      throw new NotFoundError(id);
    }
    return new Lock(fd);
  }
  read(id) {
    try {
      return JSON.parse(readFileSync3(join(this.dir(id), "state.json"), "utf8"));
    } catch (err) {
      if (err.code === "ENOENT") return void 0;
      throw fromNodeError(`read state of ${id}`, err);
    }
  }
  write(rec) {
    const file = join(this.dir(rec.id), "state.json");
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify(rec), { mode: 384 });
      renameSync(tmp, file);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw fromNodeError(`write state of ${rec.id}`, err);
    }
  }
  remove(id) {
    rmSync(this.dir(id), { recursive: true, force: true });
  }
  exists(id) {
    return existsSync(this.dir(id));
  }
  ids() {
    try {
      return readdirSync2(this.root, { withFileTypes: true }).filter((d) => d.isDirectory() && ID_RE.test(d.name)).map((d) => d.name).sort();
    } catch (err) {
      if (err.code === "ENOENT") return [];
      throw fromNodeError(`list ${this.root}`, err);
    }
  }
};
var Lock = class {
  fd;
  constructor(fd) {
    this.fd = fd;
  }
  release() {
    if (this.fd !== void 0) {
      closeSync(this.fd);
      this.fd = void 0;
    }
  }
};
function writePidFile(path, pid) {
  const tmp = join(path, "..", `.${path.split("/").pop()}.${process.pid}`);
  try {
    writeFileSync(tmp, String(pid), { mode: 420 });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw fromNodeError(`write pid file ${path}`, err);
  }
}

// lib/lifecycle/context.ts
init_errors();
import { closeSync as closeSync2, constants as constants3, existsSync as existsSync2, openSync as openSync2, statSync as statSync3 } from "node:fs";
import { isAbsolute as isAbsolute2, resolve as resolve2 } from "node:path";

// lib/host.ts
import { readFileSync as readFileSync4 } from "node:fs";
function unescape(s) {
  return s.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)));
}
function parseMountInfo(text) {
  const out = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    const sep = line.indexOf(" - ");
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(" ");
    const right = line.slice(sep + 3).split(" ");
    out.push({
      id: Number(left[0]),
      parent: Number(left[1]),
      root: unescape(left[3] ?? ""),
      mountPoint: unescape(left[4] ?? ""),
      optional: left.slice(6),
      fstype: right[0] ?? "",
      source: unescape(right[1] ?? ""),
      superOptions: (right[2] ?? "").split(",")
    });
  }
  return out;
}
function readMountInfo(pid = "self") {
  return parseMountInfo(readFileSync4(`/proc/${pid}/mountinfo`, "utf8"));
}
function mountPointOf(path, mounts) {
  let best = "/";
  for (const m of mounts) {
    const mp = m.mountPoint;
    if ((path === mp || path.startsWith(mp.endsWith("/") ? mp : `${mp}/`)) && mp.length > best.length) best = mp;
  }
  return best;
}
function cgroupFacts(mounts) {
  const hierarchies = [];
  for (const m of mounts) {
    if (m.fstype === "cgroup2") hierarchies.push({ version: 2, mountPoint: m.mountPoint, controllers: [] });
    if (m.fstype === "cgroup") {
      const known = /* @__PURE__ */ new Set(["rw", "ro", "relatime", "noatime", "nosuid", "nodev", "noexec", "clone_children", "xattr", "noprefix", "cpuset_v2_mode"]);
      const controllers = m.superOptions.filter((o) => !known.has(o) && !o.startsWith("release_agent="));
      hierarchies.push({ version: 1, mountPoint: m.mountPoint, controllers });
    }
  }
  const v2root = hierarchies.find((h) => h.version === 2 && h.mountPoint === "/sys/fs/cgroup");
  const layout = v2root ? "v2" : hierarchies.some((h) => h.version === 2) ? "hybrid" : "v1";
  return { layout, hierarchies };
}
function ownCgroups(pid = "self") {
  const map = /* @__PURE__ */ new Map();
  for (const line of readFileSync4(`/proc/${pid}/cgroup`, "utf8").split("\n")) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (m) map.set(m[2] === "" ? "" : m[2], m[3]);
  }
  return map;
}
var lastCap;
function kernelLastCap() {
  if (lastCap === void 0) {
    try {
      lastCap = Number(readFileSync4("/proc/sys/kernel/cap_last_cap", "utf8").trim());
    } catch {
      lastCap = 40;
    }
  }
  return lastCap;
}

// lib/lifecycle/context.ts
function gatherContext(id, b, opts, startListenFd) {
  const fds = [];
  try {
    const nsFds = {};
    (b.spec.linux?.namespaces ?? []).forEach((ns, i) => {
      if (!ns.path) return;
      try {
        nsFds[ns.type] = openSync2(ns.path, constants3.O_RDONLY);
        fds.push(nsFds[ns.type]);
      } catch (err) {
        throw new ConfigError(`$.linux.namespaces[${i}].path`, `cannot open namespace ${ns.path}: ${err.message}`);
      }
    });
    const bindSources = /* @__PURE__ */ new Map();
    (b.spec.mounts ?? []).forEach((m, i) => {
      if (!parseMountOptions(m.options, `$.mounts[${i}].options`).bind) return;
      if (!m.source) throw new ConfigError(`$.mounts[${i}].source`, "is required for a bind mount");
      const path = isAbsolute2(m.source) ? m.source : resolve2(b.bundle, m.source);
      try {
        bindSources.set(i, { path, isDirectory: statSync3(path).isDirectory() });
      } catch {
        throw new ConfigError(`$.mounts[${i}].source`, `bind mount source ${path} does not exist`);
      }
    });
    const mounts = readMountInfo();
    const ctx = {
      id,
      bundle: b.bundle,
      rootfs: b.rootfs,
      rootfsParentMount: mountPointOf(b.rootfs, mounts),
      noPivot: !!opts.noPivot,
      noNewKeyring: !!opts.noNewKeyring,
      preserveFds: opts.preserveFds ?? 0,
      startListenFd,
      nsFds,
      bindSources,
      cgroups: cgroupFacts(mounts),
      ownCgroups: ownCgroups(),
      lastCap: kernelLastCap(),
      hostHasKcore: existsSync2("/proc/kcore")
    };
    return { ctx, fds };
  } catch (err) {
    for (const fd of fds) closeSync2(fd);
    throw err instanceof ConfigError ? err : fromNodeError("prepare container", err);
  }
}

// lib/lifecycle/sync.ts
import { Socket } from "node:net";
function decode(type, payload) {
  switch (type) {
    case Msg.PID:
      return { type: "pid", pid: payload.readUInt32LE(0) };
    case Msg.IDMAP:
      return { type: "idmap" };
    case Msg.REACHED:
      return { type: "reached", tag: payload.readUInt32LE(0) };
    case Msg.READY:
      return { type: "ready" };
    case Msg.ERROR: {
      const call = payload.subarray(8, MSG_ERROR_LEN);
      const nul = call.indexOf(0);
      return {
        type: "error",
        errno: payload.readInt32LE(0),
        opIndex: payload.readUInt32LE(4),
        syscall: call.subarray(0, nul < 0 ? call.length : nul).toString("utf8"),
        detail: payload.subarray(MSG_ERROR_LEN).toString("utf8")
      };
    }
    default:
      throw new Error(`unexpected message type ${type} from the container init`);
  }
}
var MessageReader = class {
  buf = Buffer.alloc(0);
  queue = [];
  waiters = [];
  ended = false;
  socket;
  constructor(socket) {
    this.socket = socket;
    socket.on("data", (chunk) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
      while (this.buf.length >= MSG_HEADER_LEN) {
        const type = this.buf.readUInt32LE(0);
        const len = this.buf.readUInt32LE(4);
        if (this.buf.length < MSG_HEADER_LEN + len) break;
        const payload = this.buf.subarray(MSG_HEADER_LEN, MSG_HEADER_LEN + len);
        this.buf = this.buf.subarray(MSG_HEADER_LEN + len);
        this.push(decode(type, payload));
      }
    });
    const end = () => {
      if (!this.ended) {
        this.ended = true;
        this.push({ type: "eof" });
      }
    };
    socket.on("end", end);
    socket.on("close", end);
    socket.on("error", end);
  }
  push(m) {
    const w = this.waiters.shift();
    if (w) w(m);
    else this.queue.push(m);
  }
  next() {
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    if (this.ended) return Promise.resolve({ type: "eof" });
    return new Promise((resolve5) => this.waiters.push(resolve5));
  }
};
var SyncChannel = class extends MessageReader {
  constructor(fd) {
    super(new Socket({ fd, readable: true, writable: true }));
  }
  send(type) {
    const b = Buffer.alloc(MSG_HEADER_LEN);
    b.writeUInt32LE(type, 0);
    this.socket.write(b);
  }
  go() {
    this.send(Msg.GO);
  }
  abort() {
    if (!this.socket.destroyed) this.send(Msg.ABORT);
  }
  close() {
    this.socket.destroy();
  }
};

// lib/lifecycle/time.ts
function rfc3339Nano() {
  const ms = Date.now();
  const ns = process.hrtime.bigint() % 1000000n;
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}${ns.toString().padStart(6, "0")}Z`;
}

// lib/lifecycle/create.ts
var SIGKILL = 9;
function initError(opAt, m) {
  const op = opAt(m.opIndex);
  if (op?.code === Op.RESOLVE_EXEC) {
    const file = String(op.fields?.[0] ?? "");
    const why = m.syscall === "stat" ? `stat ${file}: ${errnoText(m.errno)}` : m.errno === 13 ? "permission denied" : "executable file not found in $PATH";
    return new SystemError(op.label, m.errno, { syscall: m.syscall, message: `exec: "${file}": ${why}` });
  }
  const step = op ? op.label : `plan op ${m.opIndex}`;
  const full = m.syscall && !step.includes(m.syscall) ? `${step}: ${m.syscall}` : step;
  return new SystemError(full, m.errno, { syscall: m.syscall, detail: m.detail || void 0 });
}
function idMap(maps) {
  return (maps ?? []).map((m) => `${m.containerID} ${m.hostID} ${m.size}
`).join("");
}
function writeIdMaps(pid, spec) {
  try {
    writeFileSync2(`/proc/${pid}/uid_map`, idMap(spec.linux?.uidMappings));
    writeFileSync2(`/proc/${pid}/gid_map`, idMap(spec.linux?.gidMappings));
  } catch (err) {
    throw fromNodeError("write user namespace id mappings", err);
  }
}
function describeExit(w) {
  if (!w || !w.reaped) return "exited";
  return w.signal !== null ? `was killed by signal ${w.signal}` : `exited with status ${w.exitCode}`;
}
async function createContainer(store, id, opts) {
  const loaded = opts.loaded ?? loadBundle(opts.bundle ?? process.cwd());
  const spec = loaded.spec;
  if (opts.consoleSocket && !spec.process?.terminal) {
    throw new UsageError("cannot use console socket if caisson will not detach or allocate tty");
  }
  const preserveFds = opts.preserveFds ?? 0;
  const minFd = 3 + preserveFds;
  const lock = await store.reserve(id);
  let listenFd;
  let gatheredFds = [];
  let spawned;
  let sync;
  let stage1Exit;
  let initPid = 0;
  let initPidfd;
  let initExit;
  try {
    listenFd = unixListen(store.startSocket(id), minFd);
    const gathered = gatherContext(id, loaded, { noPivot: opts.noPivot, noNewKeyring: opts.noNewKeyring, preserveFds }, listenFd);
    gatheredFds = gathered.fds;
    const plan = buildPlan(spec, gathered.ctx);
    for (const w of plan.warnings) opts.warn?.(w);
    spawned = spawn(encodePlan(plan), minFd);
    stage1Exit = waitPidfd(spawned.pidfd, false);
    for (const fd of gatheredFds.splice(0)) closeSync3(fd);
    sync = new SyncChannel(spawned.fd);
    let startTime = "";
    for (let ready = false; !ready; ) {
      const m = await sync.next();
      switch (m.type) {
        case "idmap":
          writeIdMaps(spawned.pid, spec);
          sync.go();
          break;
        case "pid":
          initPid = m.pid;
          initPidfd = pidfdOpen(initPid);
          initExit = waitPidfd(initPidfd, false);
          startTime = readProcStat(initPid)?.startTime ?? "";
          sync.go();
          break;
        case "reached":
          sync.go();
          break;
        case "ready":
          ready = true;
          break;
        case "error":
          throw initError((i) => plan.ops[i], m);
        case "eof": {
          const w = await Promise.race([initExit ?? stage1Exit, new Promise((r) => setTimeout(() => r(void 0), 1e3))]);
          throw new CaissonError("ESYSTEM", `container init ${describeExit(w)} before it was set up`);
        }
      }
    }
    await stage1Exit;
    const startIndex = plan.ops.findIndex((o) => o.code === Op.WAIT_START);
    const startOps = {};
    plan.ops.forEach((o, i) => {
      if (i >= startIndex) startOps[i] = { code: o.code, label: o.label };
    });
    const record = {
      version: 1,
      id,
      bundle: loaded.bundle,
      rootfs: loaded.rootfs,
      created: rfc3339Nano(),
      pid: initPid,
      startTime,
      annotations: spec.annotations ?? {},
      config: spec,
      owner: process.getuid?.() ?? 0,
      startOps
    };
    store.write(record);
    if (opts.pidFile) writePidFile(resolve3(opts.pidFile), initPid);
    const pidfd = initPidfd;
    const exit = initExit.finally(() => closeSync3(pidfd));
    return { record, pidfd, exit };
  } catch (err) {
    sync?.abort();
    for (const fd of [initPidfd, spawned?.pidfd]) {
      if (fd === void 0) continue;
      try {
        pidfdSendSignal(fd, SIGKILL);
      } catch {
      }
    }
    await Promise.all([initExit, stage1Exit].filter(Boolean));
    if (initPidfd !== void 0) closeSync3(initPidfd);
    store.remove(id);
    throw err;
  } finally {
    for (const fd of gatheredFds) closeSync3(fd);
    if (listenFd !== void 0) closeSync3(listenFd);
    if (spawned) closeSync3(spawned.pidfd);
    sync?.close();
    lock.release();
  }
}

// lib/lifecycle/delete.ts
init_errors();
init_proc();
import { setTimeout as sleep2 } from "node:timers/promises";

// lib/lifecycle/kill.ts
init_errors();
init_native();
init_proc();
import { closeSync as closeSync4 } from "node:fs";

// lib/lifecycle/status.ts
import { existsSync as existsSync3 } from "node:fs";
init_proc();
function statusOf(store, rec) {
  if (!isAlive(rec.pid, rec.startTime)) return "stopped";
  if (existsSync3(store.startSocket(rec.id))) return "created";
  return "running";
}
function stateOf(store, rec) {
  const status = statusOf(store, rec);
  return {
    ociVersion: SPEC_VERSION,
    id: rec.id,
    pid: status === "stopped" ? 0 : rec.pid,
    status,
    bundle: rec.bundle,
    rootfs: rec.rootfs,
    created: rec.created,
    ...Object.keys(rec.annotations).length ? { annotations: rec.annotations } : {},
    owner: ""
  };
}

// lib/lifecycle/kill.ts
function containerPids(rec) {
  const ownPidNs = (rec.config.linux?.namespaces ?? []).some((n) => n.type === "pid" && !n.path);
  if (!isAlive(rec.pid, rec.startTime)) return [];
  if (!ownPidNs) return [rec.pid];
  const ns = nsId(rec.pid, "pid");
  return ns ? pidsInNamespace("pid", ns) : [];
}
function signalProcess(pid, startTime, signal) {
  let fd;
  try {
    fd = pidfdOpen(pid);
  } catch {
    return false;
  }
  try {
    if (startTime !== void 0 && !isAlive(pid, startTime)) return false;
    pidfdSendSignal(fd, signal);
    return true;
  } catch {
    return false;
  } finally {
    closeSync4(fd);
  }
}
function signalContainer(rec, signal, all) {
  if (!all) {
    if (!signalProcess(rec.pid, rec.startTime, signal)) throw new StateError("container not running", "stopped");
    return;
  }
  for (const pid of containerPids(rec)) signalProcess(pid, pid === rec.pid ? rec.startTime : void 0, signal);
}
async function killContainer(store, id, signal, all = false) {
  const lock = await store.lock(id);
  try {
    const rec = store.read(id);
    if (!rec) throw new NotFoundError(id);
    if (statusOf(store, rec) === "stopped") throw new StateError("container not running", "stopped");
    signalContainer(rec, signal, all);
  } finally {
    lock.release();
  }
}

// lib/lifecycle/delete.ts
var SIGKILL2 = 9;
async function waitGone(rec, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 1; isAlive(rec.pid, rec.startTime); delay = Math.min(delay * 2, 100)) {
    if (Date.now() > deadline) throw new CaissonError("ESYSTEM", `container ${rec.id} did not die after SIGKILL`);
    await sleep2(delay);
  }
}
async function deleteContainer(store, id, force = false) {
  let lock;
  try {
    lock = await store.lock(id);
  } catch (err) {
    if (force && err instanceof NotFoundError) return;
    throw err;
  }
  try {
    const rec = store.read(id);
    if (!rec) {
      store.remove(id);
      return;
    }
    const status = statusOf(store, rec);
    if ((status === "running" || status === "paused") && !force) {
      throw new StateError(`cannot delete container ${id} that is not stopped: ${status}`, status);
    }
    if (status !== "stopped" || force && containerPids(rec).length > 0) {
      signalContainer(rec, SIGKILL2, true);
      await waitGone(rec, 1e4);
    }
    store.remove(id);
  } finally {
    lock.release();
  }
}

// lib/lifecycle/start.ts
init_errors();
import { rmSync as rmSync2 } from "node:fs";
import { createConnection } from "node:net";
async function startContainer(store, id) {
  const lock = await store.lock(id);
  try {
    const rec = store.read(id);
    if (!rec) throw new NotFoundError(id);
    const status = statusOf(store, rec);
    if (status === "stopped") throw new StateError("cannot start a container that has stopped", status);
    if (status !== "created") throw new StateError("cannot start an already running container", status);
    const path = store.startSocket(id);
    const sock = createConnection({ path });
    await new Promise((resolve5, reject) => {
      sock.once("connect", resolve5);
      sock.once(
        "error",
        (err) => reject(err.code === "ECONNREFUSED" || err.code === "ENOENT" ? new StateError("container process is already dead", "stopped") : err)
      );
    });
    const reader = new MessageReader(sock);
    sock.write(START_REQUEST);
    const m = await reader.next();
    sock.destroy();
    rmSync2(path, { force: true });
    if (m.type === "error") throw initError((i) => rec.startOps[i], m);
    if (m.type !== "eof") throw new CaissonError("ESYSTEM", `unexpected reply from the container init: ${m.type}`);
  } finally {
    lock.release();
  }
}

// lib/signals.ts
init_errors();
import { constants as constants4 } from "node:os";
var SIGNALS = constants4.signals;
var SIGRTMAX = 64;
function parseSignal(raw) {
  if (typeof raw === "number") {
    if (!Number.isInteger(raw) || raw < 1 || raw > SIGRTMAX) throw new UsageError(`unknown signal "${raw}"`);
    return raw;
  }
  const s = raw.trim();
  if (/^\d+$/.test(s)) return parseSignal(Number(s));
  const upper = s.toUpperCase();
  const name = upper.startsWith("SIG") ? upper : `SIG${upper}`;
  const num = SIGNALS[name];
  if (num === void 0) throw new UsageError(`unknown signal "${raw}"`);
  return num;
}

// lib/api.ts
var Runtime = class {
  root;
  store;
  logger;
  /** exits of inits this process created (we are their parent and reap them) */
  exits = /* @__PURE__ */ new Map();
  constructor(opts = {}) {
    this.root = opts.root ?? DEFAULT_ROOT;
    this.store = new StateStore(this.root);
    this.logger = opts.logger;
  }
  /** Create a container from a bundle directory: the init is set up and waits for start(). */
  async create(id, opts = {}) {
    const created = await createContainer(this.store, id, { ...opts, warn: (m) => this.logger?.warn(m) });
    this.exits.set(id, created.exit);
    return new Container(this, id);
  }
  /** A handle on an existing container (created by any process using the same root). */
  load(id) {
    if (!this.store.read(id)) {
      if (!this.store.exists(id)) throw new NotFoundError(id);
    }
    return new Container(this, id);
  }
  list() {
    const out = [];
    for (const id of this.store.ids()) {
      const rec = this.store.read(id);
      if (rec) out.push(stateOf(this.store, rec));
    }
    return out;
  }
  /** @internal the exit promise of an init this process created */
  exitOf(id) {
    return this.exits.get(id);
  }
  /** @internal */
  forget(id) {
    this.exits.delete(id);
  }
};
var Container = class {
  id;
  runtime;
  constructor(runtime, id) {
    this.runtime = runtime;
    this.id = id;
  }
  async start() {
    await startContainer(this.runtime.store, this.id);
  }
  state() {
    const rec = this.runtime.store.read(this.id);
    if (!rec) throw new NotFoundError(this.id);
    return stateOf(this.runtime.store, rec);
  }
  /** Send a signal (number or name, default SIGTERM) to the init, or to every process. */
  async kill(signal = "SIGTERM", opts = {}) {
    await killContainer(this.runtime.store, this.id, parseSignal(signal), opts.all);
  }
  /**
   * Wait for the init to exit. Only the process that created the container is its parent and
   * learns the exit status; elsewhere this resolves with nulls when the init is gone.
   */
  async wait() {
    const exit = this.runtime.exitOf(this.id);
    if (exit) {
      const w = await exit;
      return { exitCode: w.exitCode, signal: w.signal };
    }
    const { waitForExit: waitForExit2 } = await Promise.resolve().then(() => (init_wait(), wait_exports));
    return waitForExit2(this.runtime.store, this.id);
  }
  async delete(opts = {}) {
    await deleteContainer(this.runtime.store, this.id, opts.force);
    await this.runtime.exitOf(this.id);
    this.runtime.forget(this.id);
  }
};

// lib/index.ts
init_errors();

// lib/example-bundle.ts
init_errors();
import { chmodSync, copyFileSync, existsSync as existsSync4, mkdirSync as mkdirSync2, symlinkSync, writeFileSync as writeFileSync3 } from "node:fs";
import { execFileSync } from "node:child_process";
import { dirname, join as join2, resolve as resolve4 } from "node:path";

// lib/default-spec.ts
var DEFAULT_CAPS = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];
function defaultSpec(opts = {}) {
  const spec = {
    ociVersion: SPEC_VERSION,
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: opts.args ?? ["sh"],
      env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
      cwd: "/",
      capabilities: {
        bounding: [...DEFAULT_CAPS],
        effective: [...DEFAULT_CAPS],
        permitted: [...DEFAULT_CAPS]
      },
      rlimits: [{ type: "RLIMIT_NOFILE", hard: 1024, soft: 1024 }],
      noNewPrivileges: true
    },
    root: { path: "rootfs", readonly: true },
    hostname: "caisson",
    mounts: [
      { destination: "/proc", type: "proc", source: "proc" },
      { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
      {
        destination: "/dev/pts",
        type: "devpts",
        source: "devpts",
        options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]
      },
      { destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
      { destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"] },
      { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] },
      { destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", "ro"] }
    ],
    linux: {
      namespaces: [{ type: "pid" }, { type: "network" }, { type: "ipc" }, { type: "uts" }, { type: "mount" }, { type: "cgroup" }],
      maskedPaths: [
        "/proc/acpi",
        "/proc/asound",
        "/proc/kcore",
        "/proc/keys",
        "/proc/latency_stats",
        "/proc/timer_list",
        "/proc/timer_stats",
        "/proc/sched_debug",
        "/sys/firmware",
        "/proc/scsi"
      ],
      readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
    }
  };
  if (opts.rootless) {
    const linux = spec.linux;
    linux.namespaces = linux.namespaces.filter((n) => n.type !== "network").concat([{ type: "user" }]);
    linux.uidMappings = [{ containerID: 0, hostID: opts.rootless.uid, size: 1 }];
    linux.gidMappings = [{ containerID: 0, hostID: opts.rootless.gid, size: 1 }];
    spec.mounts = spec.mounts.filter((m) => m.type !== "cgroup" && m.destination !== "/sys").concat([
      { destination: "/sys", type: "none", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "ro"] }
    ]);
    spec.mounts = spec.mounts.map(
      (m) => m.destination === "/dev/pts" ? { ...m, options: (m.options ?? []).filter((o) => o !== "gid=5") } : m
    );
  }
  return spec;
}

// lib/example-bundle.ts
var BUSYBOX = "/bin/busybox";
function findBusybox() {
  for (const p of [process.env.CAISSON_BUSYBOX, BUSYBOX, "/usr/bin/busybox"].filter(Boolean)) {
    if (!existsSync4(p)) continue;
    const head = execFileSync("file", ["-L", p], { encoding: "utf8" });
    if (/statically linked|static-pie/.test(head)) return p;
  }
  throw new CaissonError(
    "ENOTSUP",
    "a statically linked busybox is needed for the example rootfs: install it with `apt-get install busybox-static`"
  );
}
function buildBusyboxRootfs(dir2) {
  const busybox = findBusybox();
  const rootfs = resolve4(dir2, "rootfs");
  for (const d of ["bin", "sbin", "usr/bin", "usr/sbin", "etc", "dev", "proc", "sys", "tmp", "root", "home", "var", "run"]) {
    mkdirSync2(join2(rootfs, d), { recursive: true });
  }
  chmodSync(join2(rootfs, "tmp"), 1023);
  copyFileSync(busybox, join2(rootfs, "bin/busybox"));
  chmodSync(join2(rootfs, "bin/busybox"), 493);
  const applets = execFileSync(busybox, ["--list-full"], { encoding: "utf8" }).split("\n").filter(Boolean);
  for (const applet of applets) {
    const link = join2(rootfs, applet);
    if (applet === "bin/busybox" || existsSync4(link)) continue;
    mkdirSync2(dirname(link), { recursive: true });
    symlinkSync("/bin/busybox", link);
  }
  writeFileSync3(join2(rootfs, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
  writeFileSync3(join2(rootfs, "etc/group"), "root:x:0:\ntty:x:5:\nnogroup:x:65534:\n");
  writeFileSync3(join2(rootfs, "etc/hostname"), "caisson\n");
  return rootfs;
}
function writeExampleBundle(dir2, opts = {}) {
  const bundle = resolve4(dir2);
  mkdirSync2(bundle, { recursive: true });
  buildBusyboxRootfs(bundle);
  const spec = defaultSpec({ args: opts.args ?? ["sh", "-c", DEMO_SCRIPT], rootless: opts.rootless });
  opts.edit?.(spec);
  writeFileSync3(join2(bundle, "config.json"), `${JSON.stringify(spec, null, 2)}
`);
  return { bundle, spec };
}
var DEMO_SCRIPT = [
  'echo "hello from a caisson container"',
  'echo "hostname:   $(hostname)"',
  'echo "my pid:     $$ (pid 1 is $(cat /proc/1/comm))"',
  'echo "processes:  $(ls -d /proc/[0-9]* | wc -l) visible"',
  'echo "network:    $(ls /sys/class/net | tr "\\n" " ")"',
  'echo "root fs:    $(grep " / / " /proc/self/mountinfo | cut -d" " -f6)"',
  'echo "user:       $(id)"',
  'echo "caps:       $(grep CapEff /proc/self/status)"'
].join("; ");

// ../../tmp/cs/t1.ts
var dir = "/tmp/cs/b1";
writeExampleBundle(dir);
var rt = new Runtime({ root: "/tmp/cs/state" });
try {
  const c = await rt.create("t1", { bundle: dir });
  console.log("created", c.state());
  await c.start();
  console.log("started", c.state().status);
  const st = await c.wait();
  console.log("exit", st);
  await c.delete();
} catch (e) {
  console.error("ERR", e);
  process.exitCode = 1;
}

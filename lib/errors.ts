// Typed errors shared by every layer. Each carries a stable `code` so the CLI can map it to
// runc's wording and exit codes, the shim to grpc codes, and library users can switch on it.

export type ErrorCode =
  | 'ECONFIG' // config.json or another input breaks a rule of the spec
  | 'ENOTSUP' // valid per the spec, but caisson does not implement it (yet)
  | 'ENOTFOUND' // no container with that id
  | 'EEXIST' // a container with that id already exists
  | 'ESTATE' // the container is in the wrong state for the operation
  | 'ESYSTEM' // a syscall failed; step, syscall and errno say where
  | 'EUSAGE'; // wrong command-line usage

export class CaissonError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * A config (or process.json, or resources JSON) that breaks a rule. `path` is a JSON path in
 * the `$.a.b[2].c` style, `rule` says what was expected.
 */
export class ConfigError extends CaissonError {
  readonly path: string;
  readonly rule: string;
  constructor(path: string, rule: string, code: ErrorCode = 'ECONFIG') {
    super(code, `${path}: ${rule}`);
    this.path = path;
    this.rule = rule;
  }
}

/**
 * A field the spec allows but caisson does not implement: refused by name, never ignored.
 * The message reads `linux.intelRdt is not supported`, or `<path>: <detail>` with a detail.
 */
export class UnsupportedError extends ConfigError {
  constructor(path: string, detail?: string) {
    super(path, detail ?? 'is not supported', 'ENOTSUP');
    if (!detail) this.message = `${path} is not supported`;
  }
}

/** runc's wording: "container does not exist". */
export class NotFoundError extends CaissonError {
  readonly id: string;
  constructor(id: string, message = 'container does not exist') {
    super('ENOTFOUND', message);
    this.id = id;
  }
}

/** runc's wording: "container with given ID already exists". */
export class AlreadyExistsError extends CaissonError {
  readonly id: string;
  constructor(id: string) {
    super('EEXIST', 'container with given ID already exists');
    this.id = id;
  }
}

/** The container is not in a state that allows the operation (runc's wording in `message`). */
export class StateError extends CaissonError {
  readonly status: string | undefined;
  constructor(message: string, status?: string) {
    super('ESTATE', message);
    this.status = status;
  }
}

/** Wrong command-line usage: a missing argument, an unknown flag, a bad flag value. */
export class UsageError extends CaissonError {
  constructor(message: string) {
    super('EUSAGE', message);
  }
}

/**
 * A syscall failed. `step` names what was being done ("mount proc on /proc"), `syscall` the
 * call, `errno` the number and `errnoName` its symbol, so the message reads
 * `mount proc on /proc: EPERM: Operation not permitted`.
 */
export class SystemError extends CaissonError {
  readonly step: string;
  readonly syscall: string | undefined;
  readonly errno: number;
  readonly errnoName: string;
  constructor(
    step: string,
    errno: number,
    opts: { syscall?: string; errnoName?: string; detail?: string; message?: string } = {},
  ) {
    const name = opts.errnoName ?? errnoName(errno);
    const text = errnoText(errno);
    super('ESYSTEM', opts.message ?? `${step}: ${name}${text ? `: ${text}` : ''}${opts.detail ? ` (${opts.detail})` : ''}`);
    this.step = step;
    this.syscall = opts.syscall;
    this.errno = errno;
    this.errnoName = name;
  }
}

// Node's os.constants.errno maps names to numbers; invert it once, lazily.
let errnoNames: Map<number, string> | undefined;
import { constants } from 'node:os';

export function errnoName(errno: number): string {
  if (!errnoNames) {
    errnoNames = new Map();
    for (const [name, num] of Object.entries(constants.errno)) {
      // EWOULDBLOCK/EAGAIN and EDEADLOCK/EDEADLK share numbers: keep the first, the common one.
      if (!errnoNames.has(num)) errnoNames.set(num, name);
    }
  }
  return errnoNames.get(errno) ?? `errno ${errno}`;
}

// Lower-case texts as Go's syscall package spells them: podman maps "permission denied",
// "operation not permitted", "no such file or directory" in runtime errors to exit 126/127.
const ERRNO_TEXT: Record<string, string> = {
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ESRCH: 'no such process',
  EINTR: 'interrupted system call',
  EIO: 'input/output error',
  ENXIO: 'no such device or address',
  E2BIG: 'argument list too long',
  ENOEXEC: 'exec format error',
  EBADF: 'bad file descriptor',
  ECHILD: 'no child processes',
  EAGAIN: 'resource temporarily unavailable',
  ENOMEM: 'cannot allocate memory',
  EACCES: 'permission denied',
  EFAULT: 'bad address',
  ENOTBLK: 'block device required',
  EBUSY: 'device or resource busy',
  EEXIST: 'file exists',
  EXDEV: 'invalid cross-device link',
  ENODEV: 'no such device',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  EINVAL: 'invalid argument',
  ENFILE: 'too many open files in system',
  EMFILE: 'too many open files',
  ENOTTY: 'inappropriate ioctl for device',
  ETXTBSY: 'text file busy',
  EFBIG: 'file too large',
  ENOSPC: 'no space left on device',
  ESPIPE: 'illegal seek',
  EROFS: 'read-only file system',
  EMLINK: 'too many links',
  EPIPE: 'broken pipe',
  ERANGE: 'numerical result out of range',
  ENAMETOOLONG: 'file name too long',
  ENOSYS: 'function not implemented',
  ENOTEMPTY: 'directory not empty',
  ELOOP: 'too many levels of symbolic links',
  EOPNOTSUPP: 'operation not supported',
  ENOTSUP: 'operation not supported',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  ETIMEDOUT: 'connection timed out',
  EUSERS: 'too many users',
  EOVERFLOW: 'value too large for defined data type',
};

export function errnoText(errno: number): string {
  return ERRNO_TEXT[errnoName(errno)] ?? '';
}

/** Turn a Node fs error (with .code/.errno/.syscall) into a SystemError for `step`. */
export function fromNodeError(step: string, err: unknown): CaissonError {
  if (err instanceof CaissonError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.errno === 'number') {
    return new SystemError(step, Math.abs(e.errno), { syscall: e.syscall, errnoName: e.code });
  }
  return new CaissonError('ESYSTEM', `${step}: ${e?.message ?? String(err)}`, { cause: err });
}

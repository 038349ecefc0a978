// The state directory: one directory per container below the root, holding state.json and,
// between create and start, the start socket the init waits on.
//
//   <root>/<id>/            mode 0700, locked with flock on its own fd
//   <root>/<id>/state.json  written atomically (temp file + rename)
//   <root>/<id>/start.sock  exists exactly while the container is "created"

import { closeSync, constants, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { joinClean } from '../clean-path.js';
import { AlreadyExistsError, CaissonError, NotFoundError, fromNodeError } from '../errors.js';
import type { Spec } from '../../spec/types.js';
import type { CgroupRecord } from '../cgroups/manager.js';
import { LOCK_EX, LOCK_NB, flock } from '../native.js';
import { RecentMap } from '../recent-map.js';

export const DEFAULT_ROOT = '/run/caisson';

/** What caisson keeps about a container. Clients never read it; its shape is ours. */
export interface ContainerRecord {
  version: 1;
  id: string;
  bundle: string;
  rootfs: string;
  /** RFC 3339 with nanoseconds, as runc prints it */
  created: string;
  /** host pid of the init */
  pid: number;
  /** /proc/PID/stat start time of the init, against pid reuse */
  startTime: string;
  annotations: Record<string, string>;
  /** the config as it was at create: later edits of config.json do not affect the container */
  config: Spec;
  /** uid that created it */
  owner: number;
  /** the container's cgroups (none for a rootless container) */
  cgroup?: CgroupRecord;
  /** the plan ops that run after `start` connects, by op index, to explain their failures */
  startOps: Record<number, { code: number; label: string }>;
}

// runc's rule: letters, digits, and _ + - . ; never "." or "..".
const ID_RE = /^[\w+\-.]+$/;

export function validateId(id: string): void {
  if (!id || !ID_RE.test(id) || id === '.' || id === '..' || id.length > 1024) {
    throw new CaissonError('EUSAGE', 'invalid container ID format');
  }
}

/** What tells one state.json from another: a rewrite is a new inode, renamed over the old. */
function fileKey(st: BigIntStats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

export class StateStore {
  readonly root: string;
  /** Records parsed here, by id, with the fileKey of their file. Containers deleted by another
   * process are never read here again: only the newest are kept. */
  private readonly known = new RecentMap<string, { key: string; rec: ContainerRecord }>(1024);
  constructor(root = DEFAULT_ROOT) {
    this.root = root;
  }

  dir(id: string): string {
    return joinClean(this.root, id);
  }

  startSocket(id: string): string {
    return joinClean(this.dir(id), 'start.sock');
  }

  /** Create the container's directory; fails if the id is taken. Returns the locked dir fd. */
  async reserve(id: string): Promise<Lock> {
    validateId(id);
    try {
      mkdirSync(this.root, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw fromNodeError(`create state root ${this.root}`, err);
    }
    try {
      mkdirSync(this.dir(id), { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new AlreadyExistsError(id);
      throw fromNodeError(`create state directory ${this.dir(id)}`, err);
    }
    try {
      return await this.lock(id);
    } catch (err) {
      this.remove(id);
      throw err;
    }
  }

  /**
   * Take the container's lock (exclusive flock on its directory). Waits while another caisson
   * holds it. Throws NotFoundError when the container does not exist (or was deleted while we
   * waited).
   */
  async lock(id: string, timeoutMs = 60_000): Promise<Lock> {
    validateId(id);
    const dir = this.dir(id);
    let fd: number;
    try {
      fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(id);
      throw fromNodeError(`open state directory ${dir}`, err);
    }
    const deadline = Date.now() + timeoutMs;
    for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
      const err = flock(fd, LOCK_EX | LOCK_NB);
      if (err === 0) break;
      if (Date.now() > deadline) {
        closeSync(fd);
        throw new CaissonError('ESYSTEM', `timed out waiting for the lock of container ${id}`);
      }
      await sleep(delay);
    }
    // The directory may have been removed (delete) while we waited for its lock: a removed
    // directory has no links left (and a new one of the same name is another directory).
    let removed: boolean;
    try {
      removed = fstatSync(fd).nlink === 0;
    } catch {
      removed = true;
    }
    if (removed) {
      closeSync(fd);
      throw new NotFoundError(id);
    }
    return new Lock(fd);
  }

  /** Run `fn` on the container's record while holding its lock (NotFoundError without one). */
  async withRecord<T>(id: string, fn: (rec: ContainerRecord) => Promise<T> | T): Promise<T> {
    const lock = await this.lock(id);
    try {
      const rec = this.read(id);
      if (!rec) throw new NotFoundError(id);
      return await fn(rec);
    } finally {
      lock.release();
    }
  }

  /**
   * The container's record, frozen: a change is a new record, through write. A file this store
   * has parsed before and that is unchanged since (same inode, size, mtime and ctime: every write
   * is a new file renamed into place) is not parsed again; the record is then the same object.
   */
  read(id: string): ContainerRecord | undefined {
    let fd: number;
    try {
      fd = openSync(joinClean(this.dir(id), 'state.json'), constants.O_RDONLY);
    } catch (err) {
      this.known.delete(id);
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw fromNodeError(`read state of ${id}`, err);
    }
    try {
      const st = fstatSync(fd, { bigint: true });
      const key = fileKey(st);
      const seen = this.known.get(id);
      if (seen?.key === key) return seen.rec;
      // A state.json is never changed in place, so the size just read is its size.
      const buf = Buffer.allocUnsafe(Number(st.size));
      let got = 0;
      for (let n = 1; n > 0 && got < buf.length; got += n) n = readSync(fd, buf, got, buf.length - got, got);
      const rec = Object.freeze(JSON.parse(buf.toString('utf8', 0, got)) as ContainerRecord);
      this.known.set(id, { key, rec });
      return rec;
    } catch (err) {
      this.known.delete(id);
      throw fromNodeError(`read state of ${id}`, err);
    } finally {
      closeSync(fd);
    }
  }

  write(rec: ContainerRecord): void {
    this.stage(rec).commit();
  }

  /**
   * Write the record under a temporary name now, and put it in place (one rename) with
   * `commit`: create writes it while the init sets up, and it appears only once the container
   * is created. A staged file never committed goes with remove(). Once committed, the record
   * itself (frozen) is what the next read of that file returns: it must be plain JSON data.
   */
  stage(rec: ContainerRecord): { commit(): void } {
    const file = joinClean(this.dir(rec.id), 'state.json');
    const tmp = `${file}.${process.pid}.tmp`;
    const failed = (err: unknown) => {
      rmSync(tmp, { force: true });
      return fromNodeError(`write state of ${rec.id}`, err);
    };
    try {
      writeFileSync(tmp, JSON.stringify(rec), { mode: 0o600 });
    } catch (err) {
      throw failed(err);
    }
    return {
      commit: () => {
        this.known.delete(rec.id);
        try {
          renameSync(tmp, file);
        } catch (err) {
          throw failed(err);
        }
        // The file now in place holds this record: remember it under the file's identity (as
        // a rename sets it), so the next read (start's, after create's write) does not parse
        // back what we just wrote. A record is JSON already; frozen, like one that was read.
        try {
          this.known.set(rec.id, { key: fileKey(statSync(file, { bigint: true })), rec: Object.freeze(rec) });
        } catch {
          /* the next read parses it */
        }
      },
    };
  }

  /**
   * Remove the container's directory. `expected`: what it should hold (delete knows: state.json,
   * and config.json when the container was made from a config object), unlinked without listing
   * the directory first; anything else there, or anything missing, falls back to the listing.
   */
  remove(id: string, expected?: string[]): void {
    this.known.delete(id);
    const dir = this.dir(id);
    if (expected) {
      try {
        for (const name of expected) unlinkSync(joinClean(dir, name));
        rmdirSync(dir);
        return;
      } catch {
        /* not as expected: the general way below */
      }
    }
    // A state directory is flat (state.json, the start socket, a config.json): unlink what is
    // there and rmdir, without the stat of every entry a recursive removal makes.
    try {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) return rmSync(dir, { recursive: true, force: true });
        unlinkSync(join(dir, e.name));
      }
      rmdirSync(dir);
    } catch {
      rmSync(dir, { recursive: true, force: true }); // gone already, or something odd: the thorough way
    }
  }

  exists(id: string): boolean {
    return existsSync(this.dir(id));
  }

  ids(): string[] {
    try {
      return readdirSync(this.root, { withFileTypes: true })
        .filter((d) => d.isDirectory() && ID_RE.test(d.name))
        .map((d) => d.name)
        .sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw fromNodeError(`list ${this.root}`, err);
    }
  }
}

export class Lock {
  private fd: number | undefined;
  constructor(fd: number) {
    this.fd = fd;
  }
  release(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd); // closing the last fd drops the flock
      this.fd = undefined;
    }
  }
}

/** Atomic write of a pid file: bare digits, no newline (go-runc parses it with Atoi). */
export function writePidFile(path: string, pid: number): void {
  const tmp = join(path, '..', `.${path.split('/').pop()}.${process.pid}`);
  try {
    writeFileSync(tmp, String(pid), { mode: 0o644 });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw fromNodeError(`write pid file ${path}`, err);
  }
}

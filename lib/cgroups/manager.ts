// A container's cgroups: create them, fill them, put processes in, freeze, signal, read, remove.
//
// The rules on a shared host: only directories caisson creates are ever written, except that on
// a pure cgroup v2 host the controllers a container needs are switched on in its ancestors'
// cgroup.subtree_control (what runc does; there is no other way to get them). On a hybrid host
// the v1 controllers do the work and the cgroup2 tree only tracks processes. Every directory
// created is recorded, and delete removes exactly those.

import { closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmdirSync, writeSync } from 'node:fs';
import { posix } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CaissonError, ConfigError, fromNodeError, SystemError } from '../errors.js';
import type { CgroupFacts } from '../host.js';
import type { LinuxDeviceCgroup, LinuxResources } from '../../spec/types.js';
import * as native from '../native.js';
import { compileDeviceFilter } from './device-bpf.js';
import { deviceRules, v1DeviceWrites } from './devices.js';
import type { CgroupDir, CgroupPlace } from './paths.js';
import { v1Dir } from './paths.js';
import { v1Writes } from './resources-v1.js';
import { v2Writes } from './resources-v2.js';
import type { CgroupWrite } from './writes.js';

export interface CgroupRecord {
  place: CgroupPlace;
  /** directories caisson created, parents before children */
  created: string[];
  layout: CgroupFacts['layout'];
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

const SIGKILL = 9;

/** The names of the directories in `dir` (child cgroups); none when it is gone. */
export function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}

/** The pids in one cgroup directory (not below it); none when it is gone. */
function procsOf(dir: string): number[] {
  return (read(posix.join(dir, 'cgroup.procs')) ?? '').split('\n').filter(Boolean).map(Number);
}

function signalPid(pid: number, sig: number): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* gone already */
  }
}

/** " (holds 12 sleep, state S)": what keeps a cgroup busy, for the error that says it is ("" when nothing does). */
export function describeProcs(dir: string): string {
  const what = procsOf(dir).slice(0, 5).map((pid) => {
    const stat = read(`/proc/${pid}/stat`) ?? '';
    const close = stat.lastIndexOf(')');
    return close < 0 ? String(pid) : `${pid} ${stat.slice(stat.indexOf('(') + 1, close)}, state ${stat.slice(close + 2, close + 3)}`;
  });
  return what.length ? ` (holds ${what.join('; ')})` : '';
}

/** Several writes to the files of one directory, each file opened once (v1 device rules: a write each). */
function writeFiles(dir: string, writes: { file: string; value: string }[], from: string): void {
  const fds = new Map<string, number>();
  try {
    for (const { file, value } of writes) {
      try {
        let fd = fds.get(file);
        if (fd === undefined) fds.set(file, (fd = openSync(posix.join(dir, file), constants.O_WRONLY)));
        writeSync(fd, value);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw new SystemError(`${from}: write "${value}" to ${posix.join(dir, file)}`, Math.abs(e.errno ?? 5), { syscall: 'write', errnoName: e.code });
      }
    }
  } finally {
    for (const fd of fds.values()) closeSync(fd);
  }
}

function writeFile(dir: string, file: string, value: string, from: string): void {
  writeFiles(dir, [{ file, value }], from);
}

/** mkdir -p, returning the directories that did not exist (parents first). */
function mkdirAll(dir: string, stopAt: string): string[] {
  // The usual case, one syscall: the parent is there and the container's directory is not.
  try {
    mkdirSync(dir);
    return [dir];
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return [];
    if (code !== 'ENOENT') throw fromNodeError(`create cgroup ${dir}`, err);
  }
  const missing: string[] = [];
  for (let d = dir; d !== stopAt && d !== '/' && !existsSync(d); d = posix.dirname(d)) missing.unshift(d);
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw fromNodeError(`create cgroup ${d}`, err);
    }
  }
  return missing;
}

export class CgroupManager {
  readonly rec: CgroupRecord;

  constructor(rec: CgroupRecord) {
    this.rec = rec;
  }

  get place(): CgroupPlace {
    return this.rec.place;
  }

  /** Every directory of the container, v2 first. */
  dirs(): CgroupDir[] {
    return [...(this.place.v2 ? [this.place.v2] : []), ...this.place.v1];
  }

  /**
   * Create the directories; on v1, give new cpusets their parent's cpus and mems. With
   * `v1Later`, only the cgroup2 one (the init is cloned into it): `createV1` makes the rest.
   */
  static create(place: CgroupPlace, layout: CgroupFacts['layout'], v1Later = false): CgroupManager {
    const mgr = new CgroupManager({ place, created: [], layout });
    mgr.make(v1Later ? mgr.dirs().filter((d) => d.version === 2) : mgr.dirs());
    return mgr;
  }

  /** The v1 directories that `create(…, true)` left for later. */
  createV1(): void {
    this.make(this.place.v1);
  }

  private make(dirs: CgroupDir[]): void {
    const mark = this.rec.created.length;
    try {
      for (const d of dirs) {
        const made = mkdirAll(d.dir, d.mountPoint);
        this.rec.created.push(...made);
        if (d.version === 1 && d.controllers.includes('cpuset')) {
          // A new cpuset starts empty (unless its parent has cgroup.clone_children): no process
          // could join it. Its parent's cpus and mems, as runc gives it.
          for (const m of made) {
            for (const f of ['cpuset.cpus', 'cpuset.mems']) writeFile(m, f, (read(posix.join(posix.dirname(m), f)) ?? '').trim(), 'new cpuset');
          }
        }
      }
    } catch (err) {
      // What this call made goes again; what an earlier call made stays for destroy().
      for (const d of this.rec.created.splice(mark).reverse()) {
        try {
          rmdirSync(d);
        } catch {
          /* busy or gone: destroy() retries what is recorded, and this is no longer recorded */
        }
      }
      throw err;
    }
  }

  /**
   * On v2, the controllers `writes` need must be enabled in every ancestor's subtree_control.
   * Ancestors caisson created are always enabled; existing ones only on a pure v2 host.
   */
  private enableV2(controllers: Set<string>): void {
    const d = this.place.v2;
    if (!d || controllers.size === 0) return;
    const chain: string[] = [];
    for (let p = posix.dirname(d.dir); p.startsWith(d.mountPoint); p = posix.dirname(p)) {
      chain.unshift(p);
      if (p === d.mountPoint) break;
    }
    for (const parent of chain) {
      const enabled = new Set((read(posix.join(parent, 'cgroup.subtree_control')) ?? '').trim().split(/\s+/).filter(Boolean));
      const missing = [...controllers].filter((c) => !enabled.has(c));
      if (!missing.length) continue;
      const ours = this.rec.created.includes(parent);
      if (!ours && this.rec.layout !== 'v2') continue; // never write an existing cgroup of a hybrid host
      const available = new Set((read(posix.join(parent, 'cgroup.controllers')) ?? '').trim().split(/\s+/));
      for (const c of missing) {
        if (!available.has(c)) continue; // reported when the file turns out missing
        writeFile(parent, 'cgroup.subtree_control', `+${c}`, `enable the ${c} controller`);
      }
    }
  }

  /** The writes linux.resources asks for on this host, and the fields it ignores. */
  plan(resources: LinuxResources | undefined, base?: string): { writes: { dir: string; w: CgroupWrite }[]; ignored: string[] } {
    const out: { dir: string; w: CgroupWrite }[] = [];
    if (!resources) return { writes: out, ignored: [] };
    const { devices: _devices, ...rest } = resources;
    if (this.rec.layout === 'v2') {
      const d = this.place.v2!;
      const ioWeightFile = existsSync(posix.join(posix.dirname(d.dir), 'io.bfq.weight')) ? 'io.bfq.weight' : 'io.weight';
      const { writes, notes } = v2Writes(rest, { ioWeightFile }, base);
      for (const w of writes) out.push({ dir: d.dir, w });
      return { writes: out, ignored: notes.ignored };
    }
    for (const w of v1Writes(rest, base)) {
      const d = v1Dir(this.place, w.controller);
      if (!d) {
        if (w.optional) continue;
        throw new ConfigError(w.from, `needs the ${w.controller} cgroup controller, which this host does not mount (cgroup v1: /sys/fs/cgroup/${w.controller})`);
      }
      out.push({ dir: d.dir, w });
    }
    return { writes: out, ignored: [] };
  }

  /** Write linux.resources (create, or update with `base` naming the update document). */
  apply(resources: LinuxResources | undefined, warn: (msg: string) => void = () => {}, base?: string): void {
    const { writes, ignored } = this.plan(resources, base);
    this.orderMemoryV1(writes);
    for (const path of ignored) warn(`${path} has no cgroup v2 equivalent: ignored`);
    this.enableV2(new Set(writes.map((x) => x.w.controller).filter(Boolean)));
    for (const { dir, w } of writes) {
      if (!existsSync(posix.join(dir, w.file))) {
        if (w.optional) {
          warn(`${w.from}: ${w.file} does not exist on this kernel: ignored`);
          continue;
        }
        throw new ConfigError(w.from, `needs ${w.file}, which the cgroup ${dir} does not have (is the ${w.controller || 'cgroup'} controller enabled?)`);
      }
      writeFile(dir, w.file, w.value, w.from);
    }
  }

  /** linux.resources.devices (none given: only the always-allowed devices): v1 allow/deny
   * lists, or the eBPF filter on v2. */
  applyDevices(devices: LinuxDeviceCgroup[] | undefined): void {
    const rules = deviceRules(devices);
    const v1 = v1Dir(this.place, 'devices');
    if (this.rec.layout !== 'v2' && v1) {
      writeFiles(v1.dir, v1DeviceWrites(rules), '$.linux.resources.devices');
      return;
    }
    if (!this.place.v2) throw new ConfigError('$.linux.resources.devices', 'this host has neither a v1 devices controller nor cgroup v2');
    native.bpfDeviceFilter(this.place.v2.dir, compileDeviceFilter(rules));
  }

  /**
   * v1 refuses a memory limit above the memory+swap limit, and a memory+swap limit below the
   * memory limit: when the new limit exceeds the current memory+swap, raise memory+swap first.
   */
  private orderMemoryV1(writes: { dir: string; w: CgroupWrite }[]): void {
    const li = writes.findIndex((x) => x.w.file === 'memory.limit_in_bytes');
    const si = writes.findIndex((x) => x.w.file === 'memory.memsw.limit_in_bytes');
    if (li < 0 || si < 0 || si < li) return;
    const current = Number((read(posix.join(writes[si]!.dir, 'memory.memsw.limit_in_bytes')) ?? '').trim());
    const next = Number(writes[li]!.w.value);
    if (next === -1 || (Number.isFinite(current) && next > current)) {
      const [swap] = writes.splice(si, 1);
      writes.splice(li, 0, swap!);
    }
  }

  /** The directory to hand to clone3(CLONE_INTO_CGROUP): the cgroup2 one, pure v2 or hybrid
   * (clone-time placement takes the kernel's threadgroup lock only for reading). */
  intoCgroupDir(): string | undefined {
    return this.place.v2?.dir;
  }

  /**
   * The v1 hierarchies' `tasks` files, opened for writing, for the new process to join them
   * itself by writing "0" (see CS_OP_JOIN_CGROUP); the caller closes them. Empty on pure v2.
   */
  openTaskFiles(): number[] {
    const fds: number[] = [];
    try {
      for (const d of this.place.v1) fds.push(openSync(`${d.dir}/tasks`, constants.O_WRONLY) /* d.dir is normalized; libuv adds O_CLOEXEC */);
    } catch (err) {
      for (const fd of fds) closeSync(fd);
      throw new CaissonError('ESYSTEM', `open the cgroup tasks files: ${(err as Error).message}`);
    }
    return fds;
  }

  /** Every pid in the container's cgroup, below it included. */
  pids(): number[] {
    const d = this.place.v2 ?? v1Dir(this.place, 'pids') ?? v1Dir(this.place, 'memory') ?? this.place.v1[0];
    if (!d) return [];
    const out = new Set<number>();
    const walk = (dir: string) => {
      for (const line of (read(posix.join(dir, 'cgroup.procs')) ?? '').split('\n')) if (line) out.add(Number(line));
      for (const e of subdirs(dir)) walk(posix.join(dir, e));
    };
    walk(d.dir);
    return [...out].sort((a, b) => a - b);
  }

  private freezeV2(dir: string, frozen: boolean): Promise<void> {
    writeFile(dir, 'cgroup.freeze', frozen ? '1' : '0', frozen ? 'pause' : 'resume');
    return this.until(() => (read(posix.join(dir, 'cgroup.events')) ?? '').includes(`frozen ${frozen ? 1 : 0}`), 'freeze');
  }

  private async until(ok: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let delay = 1; !ok(); delay = Math.min(delay * 2, 50)) {
      if (Date.now() > deadline) throw new CaissonError('ESYSTEM', `timed out waiting for the cgroup to ${what}`);
      await sleep(delay);
    }
  }

  /** Freeze (pause) or thaw (resume) every process: cgroup.freeze on v2, freezer.state on v1. */
  async setFrozen(frozen: boolean): Promise<void> {
    const v1 = v1Dir(this.place, 'freezer');
    if (this.rec.layout !== 'v2' && v1) {
      writeFile(v1.dir, 'freezer.state', frozen ? 'FROZEN' : 'THAWED', frozen ? 'pause' : 'resume');
      await this.until(() => (read(posix.join(v1.dir, 'freezer.state')) ?? '').trim() === (frozen ? 'FROZEN' : 'THAWED'), frozen ? 'freeze' : 'thaw');
      return;
    }
    if (this.place.v2 && existsSync(posix.join(this.place.v2.dir, 'cgroup.freeze'))) return this.freezeV2(this.place.v2.dir, frozen);
    throw new CaissonError('ENOTSUP', 'this host has no cgroup freezer for the container');
  }

  isFrozen(): boolean {
    const v1 = v1Dir(this.place, 'freezer');
    if (this.rec.layout !== 'v2' && v1) return (read(posix.join(v1.dir, 'freezer.state')) ?? '').trim() !== 'THAWED';
    if (this.place.v2) return (read(posix.join(this.place.v2.dir, 'cgroup.events')) ?? '').includes('frozen 1');
    return false;
  }

  /** SIGKILL everything: cgroup.kill where the kernel has it, else each pid with the cgroup frozen. */
  async killAll(signal: (pid: number) => void): Promise<void> {
    const v2 = this.place.v2;
    if (v2 && existsSync(posix.join(v2.dir, 'cgroup.kill'))) {
      writeFile(v2.dir, 'cgroup.kill', '1', 'kill all');
      return;
    }
    // Frozen, nothing can fork a new process between our listing and our signals.
    const canFreeze = !!v1Dir(this.place, 'freezer') || !!v2;
    if (canFreeze) await this.setFrozen(true);
    for (const pid of this.pids()) signal(pid);
    if (canFreeze) await this.setFrozen(false);
  }

  /**
   * Remove what we created, children first; busy directories are retried for a while. With
   * `killLeft`, whatever is still inside the container's own cgroups once it should be gone is
   * taken to belong to the container and killed, as runc does on destroy: a child that a
   * container without a pid namespace left running, or, when a create fails, a process that
   * never got as far as its namespaces. Without it (a container whose pid namespace took all its
   * processes with it), what is left there came from elsewhere and is only named in the error.
   */
  async destroy(opts: { killLeft?: boolean } = {}): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const left = this.removeCreated();
      if (!left.length) return;
      if (opts.killLeft && attempt >= 2) for (const dir of left) for (const pid of procsOf(dir)) signalPid(pid, SIGKILL);
      if (attempt >= 100) {
        throw new CaissonError('ESYSTEM', `cgroups still busy after the container was killed: ${left.map((d) => d + describeProcs(d)).join(', ')}`);
      }
      await sleep(20);
    }
  }

  /**
   * rmdir each created directory deepest first, and below the container's own cgroups whatever
   * its processes created there (a cgroup namespace lets them); returns those that would not go.
   */
  private removeCreated(): string[] {
    const left: string[] = [];
    const rmdir = (d: string) => {
      try {
        rmdirSync(d);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') left.push(d);
      }
    };
    const below = (d: string) => {
      for (const e of subdirs(d)) {
        below(posix.join(d, e));
        rmdir(posix.join(d, e));
      }
    };
    const leaves = new Set(this.dirs().map((d) => d.dir));
    for (const d of [...this.rec.created].reverse()) {
      if (leaves.has(d)) {
        // Mostly nothing was made below: one rmdir. Else what is below goes first.
        try {
          rmdirSync(d);
          continue;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        }
        below(d);
        rmdir(d);
        continue;
      }
      // A parent we created on the way (containerd's "/<namespace>"): it goes when it is empty;
      // while another container lives below it, it stays, and that is no failure (runc never
      // removes parents at all).
      try {
        rmdirSync(d);
      } catch {
        /* busy or not empty: shared with another container */
      }
    }
    return left;
  }
}

// The container's root filesystem: containerd hands Create the snapshot's mounts (an overlay, or
// a bind for the native snapshotter); the shim mounts them in order on <bundle>/rootfs and takes
// them off at delete. Options are split into mount flags and filesystem data as mount(8) and
// containerd's mount package do.

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SystemError } from '../errors.js';
import * as native from '../native.js';
import type { Mount } from './proto/task.js';

const MS = {
  RDONLY: 1,
  NOSUID: 2,
  NODEV: 4,
  NOEXEC: 8,
  SYNCHRONOUS: 16,
  REMOUNT: 32,
  MANDLOCK: 64,
  DIRSYNC: 128,
  NOATIME: 1024,
  NODIRATIME: 2048,
  BIND: 4096,
  REC: 16384,
  UNBINDABLE: 1 << 17,
  PRIVATE: 1 << 18,
  SLAVE: 1 << 19,
  SHARED: 1 << 20,
  RELATIME: 1 << 21,
  STRICTATIME: 1 << 24,
};
const MNT_DETACH = 2;
const EINVAL = 22;
const ENOENT = 2;
const EBUSY = 16;
const PAGE = 4096;

/** option → [clear?, flag] */
const FLAGS: Record<string, [boolean, number]> = {
  async: [true, MS.SYNCHRONOUS],
  atime: [true, MS.NOATIME],
  bind: [false, MS.BIND],
  defaults: [false, 0],
  dev: [true, MS.NODEV],
  diratime: [true, MS.NODIRATIME],
  dirsync: [false, MS.DIRSYNC],
  exec: [true, MS.NOEXEC],
  mand: [false, MS.MANDLOCK],
  noatime: [false, MS.NOATIME],
  nodev: [false, MS.NODEV],
  nodiratime: [false, MS.NODIRATIME],
  noexec: [false, MS.NOEXEC],
  nomand: [true, MS.MANDLOCK],
  norelatime: [true, MS.RELATIME],
  nostrictatime: [true, MS.STRICTATIME],
  nosuid: [false, MS.NOSUID],
  rbind: [false, MS.BIND | MS.REC],
  relatime: [false, MS.RELATIME],
  remount: [false, MS.REMOUNT],
  ro: [false, MS.RDONLY],
  rw: [true, MS.RDONLY],
  strictatime: [false, MS.STRICTATIME],
  suid: [true, MS.NOSUID],
  sync: [false, MS.SYNCHRONOUS],
};
const PROPAGATION: Record<string, number> = {
  private: MS.PRIVATE,
  rprivate: MS.PRIVATE | MS.REC,
  shared: MS.SHARED,
  rshared: MS.SHARED | MS.REC,
  slave: MS.SLAVE,
  rslave: MS.SLAVE | MS.REC,
  unbindable: MS.UNBINDABLE,
  runbindable: MS.UNBINDABLE | MS.REC,
};

export function parseOptions(options: string[]): { flags: number; propagation: number; data: string } {
  let flags = 0;
  let propagation = 0;
  const data: string[] = [];
  for (const o of options) {
    const f = FLAGS[o];
    if (f) flags = f[0] ? flags & ~f[1] : flags | f[1];
    else if (o in PROPAGATION) propagation = PROPAGATION[o]!;
    else data.push(o);
  }
  return { flags, propagation, data: data.join(',') };
}

export function rootfsDir(bundle: string): string {
  return join(bundle, 'rootfs');
}

/** Mount `mounts` on <bundle>/rootfs in order; on failure, take off what was mounted. */
export function mountRootfs(bundle: string, mounts: Mount[]): void {
  if (!mounts.length) return;
  const root = rootfsDir(bundle);
  mkdirSync(root, { recursive: true, mode: 0o711 });
  let done = 0;
  try {
    for (const m of mounts) {
      const target = m.target ? join(root, m.target) : root;
      const { flags, propagation, data } = parseOptions(m.options);
      if (data.length >= PAGE) {
        throw new SystemError(`mount ${m.type} on ${target}`, EINVAL, { detail: `its options are ${data.length} bytes, more than a page (too many layers for one overlay)` });
      }
      const bind = (flags & MS.BIND) !== 0;
      native.hostMount(m.source, target, bind ? '' : m.type, flags & ~(bind ? MS.RDONLY : 0), data);
      done++;
      // A bind mount ignores MS_RDONLY until it is remounted.
      if (bind && flags & MS.RDONLY) native.hostMount('', target, '', flags | MS.REMOUNT, '');
      if (propagation) native.hostMount('', target, '', propagation, '');
    }
  } catch (err) {
    if (done) unmountRootfs(bundle);
    throw err;
  }
}

/** Whether `dir` is a mount point in our mount namespace. */
export function isMountPoint(dir: string): boolean {
  const esc = dir.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === esc);
}

/** Take every mount off <bundle>/rootfs (stacked ones too); a busy one is detached. */
export function unmountRootfs(bundle: string): void {
  const root = rootfsDir(bundle);
  for (let i = 0; i < 64; i++) {
    try {
      native.hostUnmount(root, 0);
    } catch (err) {
      const e = err as SystemError;
      if (e.errno === EINVAL || e.errno === ENOENT) return; // not (or no longer) a mount point
      if (e.errno === EBUSY) {
        native.hostUnmount(root, MNT_DETACH);
        continue;
      }
      throw err;
    }
  }
}

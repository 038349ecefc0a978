// Mount option strings (config.json `mounts[].options`) to the attributes the mount API takes.
//
// Options fall in four groups: mount attributes (ro, nosuid, ...; per mount, set by fsmount or
// mount_setattr), their recursive r* forms (mount_setattr with AT_RECURSIVE), propagation
// (shared/slave/private/unbindable and r* forms), and superblock flags (sync, dirsync, lazytime,
// mand). Anything else is filesystem data passed to fsconfig, as the spec says for unknown
// options.

import { UnsupportedError } from '../errors.js';
import { MOUNT_ATTR, MS, SB_DIRSYNC, SB_LAZYTIME, SB_MAND, SB_SYNC } from './opcodes.js';

export interface AttrChange {
  set: number;
  clr: number;
}

export interface ParsedMountOptions {
  bind: boolean;
  recursiveBind: boolean;
  remount: boolean;
  /** attributes of the mount itself */
  attrs: AttrChange;
  /** attributes applied to the mount and everything below it */
  recursiveAttrs: AttrChange;
  propagation: number;
  propagationRecursive: boolean;
  sbFlags: number;
  /** filesystem-specific options, passed as fsconfig key=value or flag */
  data: string[];
  /** the options as given, for labels */
  given: string[];
  readonly: boolean;
  /** tmpcopyup (tmpfs only): start with a copy of what the destination held */
  copyUp: boolean;
}

type Effect = (o: ParsedMountOptions) => void;

const set = (bit: number): Effect => (o) => {
  o.attrs.set |= bit;
  o.attrs.clr &= ~bit;
};
const clr = (bit: number): Effect => (o) => {
  o.attrs.clr |= bit;
  o.attrs.set &= ~bit;
};
const rset = (bit: number): Effect => (o) => {
  o.recursiveAttrs.set |= bit;
  o.recursiveAttrs.clr &= ~bit;
};
const rclr = (bit: number): Effect => (o) => {
  o.recursiveAttrs.clr |= bit;
  o.recursiveAttrs.set &= ~bit;
};
// The atime modes are one 3-bit field: setting one means clearing the field first.
const atime = (mode: number, recursive = false): Effect => (o) => {
  const a = recursive ? o.recursiveAttrs : o.attrs;
  a.clr |= MOUNT_ATTR.ATIME_MASK;
  a.set = (a.set & ~MOUNT_ATTR.ATIME_MASK) | mode;
};
const prop = (flag: number, recursive: boolean): Effect => (o) => {
  o.propagation = flag;
  o.propagationRecursive = recursive;
};
const sb = (flag: number): Effect => (o) => {
  o.sbFlags |= flag;
};
const noop: Effect = () => {};

/**
 * Every option the spec names (MUST, SHOULD and MAY), with what it does. Options that only undo
 * a default (async, atime on a fresh mount, loud, nomand, ...) or that the mount API has no
 * generic knob for (iversion: filesystems that support it take `i_version` as data) are
 * accepted and do nothing, as with mount(8) on a fresh mount.
 */
const OPTIONS: Record<string, Effect> = {
  tmpcopyup: (o) => {
    o.copyUp = true;
  },
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
  mand: sb(SB_MAND),
};

/** Options caisson recognises but does not implement yet: refused by name, never ignored. */
const NOT_YET = new Set(['idmap', 'ridmap']);

export const RECOGNISED_MOUNT_OPTIONS = [...Object.keys(OPTIONS), ...NOT_YET].sort();
/** What a mount in config.json may say and caisson applies (the features document). */
export const IMPLEMENTED_MOUNT_OPTIONS = Object.keys(OPTIONS).sort();

export function parseMountOptions(options: readonly string[] | undefined, path: string): ParsedMountOptions {
  const o: ParsedMountOptions = {
    bind: false,
    recursiveBind: false,
    remount: false,
    attrs: { set: 0, clr: 0 },
    recursiveAttrs: { set: 0, clr: 0 },
    propagation: 0,
    propagationRecursive: false,
    sbFlags: 0,
    data: [],
    given: [...(options ?? [])],
    readonly: false,
    copyUp: false,
  };
  (options ?? []).forEach((opt, i) => {
    if (NOT_YET.has(opt)) throw new UnsupportedError(`${path}[${i}]`, `mount option "${opt}" is not supported yet`);
    const effect = OPTIONS[opt];
    if (effect) effect(o);
    else o.data.push(opt);
  });
  return o;
}

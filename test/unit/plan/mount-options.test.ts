import { describe, expect, it } from 'vitest';
import { ConfigError, UnsupportedError } from '../../../lib/errors.js';
import { RECOGNISED_MOUNT_OPTIONS, parseMountOptions } from '../../../lib/plan/mount-options.js';
import type { ParsedMountOptions } from '../../../lib/plan/mount-options.js';
import { MOUNT_ATTR, MS, SB_DIRSYNC, SB_LAZYTIME, SB_MAND, SB_SYNC } from '../../../lib/plan/opcodes.js';
import { MOUNT_OPTIONS_KNOWN } from '../../../spec/index.js';

const P = '$.mounts[0].options';
const parse = (...opts: string[]): ParsedMountOptions => parseMountOptions(opts, P);
const ATIME = MOUNT_ATTR.ATIME_MASK;

/** What a single option does, as the fields of ParsedMountOptions it changes from the blank result. */
type Expect = Partial<Pick<ParsedMountOptions, 'bind' | 'recursiveBind' | 'remount' | 'propagation' | 'propagationRecursive' | 'sbFlags' | 'readonly' | 'copyUp'>> & {
  attrs?: [set: number, clr: number];
  rattrs?: [set: number, clr: number];
};

const TABLE: Record<string, Expect> = {
  // accepted, no effect on a fresh mount
  defaults: {},
  async: {},
  loud: {},
  silent: {},
  nomand: {},
  nolazytime: {},
  iversion: {},
  noiversion: {},
  norelatime: {},
  nostrictatime: {},
  rnorelatime: {},
  rnostrictatime: {},
  // bind / remount
  bind: { bind: true },
  rbind: { bind: true, recursiveBind: true },
  tmpcopyup: { copyUp: true },
  remount: { remount: true },
  // per-mount attributes
  ro: { attrs: [MOUNT_ATTR.RDONLY, 0], readonly: true },
  rw: {},
  nosuid: { attrs: [MOUNT_ATTR.NOSUID, 0] },
  suid: { attrs: [0, MOUNT_ATTR.NOSUID] },
  nodev: { attrs: [MOUNT_ATTR.NODEV, 0] },
  dev: { attrs: [0, MOUNT_ATTR.NODEV] },
  noexec: { attrs: [MOUNT_ATTR.NOEXEC, 0] },
  exec: { attrs: [0, MOUNT_ATTR.NOEXEC] },
  nodiratime: { attrs: [MOUNT_ATTR.NODIRATIME, 0] },
  diratime: { attrs: [0, MOUNT_ATTR.NODIRATIME] },
  nosymfollow: { attrs: [MOUNT_ATTR.NOSYMFOLLOW, 0] },
  symfollow: { attrs: [0, MOUNT_ATTR.NOSYMFOLLOW] },
  // atime modes: the whole 3-bit field is cleared, then the mode set
  noatime: { attrs: [MOUNT_ATTR.NOATIME, ATIME] },
  relatime: { attrs: [MOUNT_ATTR.RELATIME, ATIME] },
  strictatime: { attrs: [MOUNT_ATTR.STRICTATIME, ATIME] },
  atime: { attrs: [MOUNT_ATTR.RELATIME, ATIME] },
  // recursive attributes
  rro: { rattrs: [MOUNT_ATTR.RDONLY, 0] },
  rrw: { rattrs: [0, MOUNT_ATTR.RDONLY] },
  rnosuid: { rattrs: [MOUNT_ATTR.NOSUID, 0] },
  rsuid: { rattrs: [0, MOUNT_ATTR.NOSUID] },
  rnodev: { rattrs: [MOUNT_ATTR.NODEV, 0] },
  rdev: { rattrs: [0, MOUNT_ATTR.NODEV] },
  rnoexec: { rattrs: [MOUNT_ATTR.NOEXEC, 0] },
  rexec: { rattrs: [0, MOUNT_ATTR.NOEXEC] },
  rnodiratime: { rattrs: [MOUNT_ATTR.NODIRATIME, 0] },
  rdiratime: { rattrs: [0, MOUNT_ATTR.NODIRATIME] },
  rnosymfollow: { rattrs: [MOUNT_ATTR.NOSYMFOLLOW, 0] },
  rsymfollow: { rattrs: [0, MOUNT_ATTR.NOSYMFOLLOW] },
  rnoatime: { rattrs: [MOUNT_ATTR.NOATIME, ATIME] },
  rrelatime: { rattrs: [MOUNT_ATTR.RELATIME, ATIME] },
  rstrictatime: { rattrs: [MOUNT_ATTR.STRICTATIME, ATIME] },
  ratime: { rattrs: [MOUNT_ATTR.RELATIME, ATIME] },
  // propagation
  private: { propagation: MS.PRIVATE, propagationRecursive: false },
  rprivate: { propagation: MS.PRIVATE, propagationRecursive: true },
  shared: { propagation: MS.SHARED, propagationRecursive: false },
  rshared: { propagation: MS.SHARED, propagationRecursive: true },
  slave: { propagation: MS.SLAVE, propagationRecursive: false },
  rslave: { propagation: MS.SLAVE, propagationRecursive: true },
  unbindable: { propagation: MS.UNBINDABLE, propagationRecursive: false },
  runbindable: { propagation: MS.UNBINDABLE, propagationRecursive: true },
  // superblock flags
  sync: { sbFlags: SB_SYNC },
  dirsync: { sbFlags: SB_DIRSYNC },
  lazytime: { sbFlags: SB_LAZYTIME },
  mand: { sbFlags: SB_MAND },
};

const NOT_YET = ['idmap', 'ridmap'];

function expected(opt: string, e: Expect): ParsedMountOptions {
  return {
    bind: e.bind ?? false,
    recursiveBind: e.recursiveBind ?? false,
    remount: e.remount ?? false,
    attrs: { set: e.attrs?.[0] ?? 0, clr: e.attrs?.[1] ?? 0 },
    recursiveAttrs: { set: e.rattrs?.[0] ?? 0, clr: e.rattrs?.[1] ?? 0 },
    propagation: e.propagation ?? 0,
    propagationRecursive: e.propagationRecursive ?? false,
    sbFlags: e.sbFlags ?? 0,
    data: [],
    given: [opt],
    readonly: e.readonly ?? false,
    copyUp: e.copyUp ?? false,
  };
}

describe('parseMountOptions', () => {
  it('returns a blank result for no options', () => {
    const blank = expected('', {});
    blank.given = [];
    expect(parseMountOptions(undefined, P)).toEqual(blank);
    expect(parseMountOptions([], P)).toEqual(blank);
  });

  it('has a test row for every option it recognises', () => {
    expect([...Object.keys(TABLE), ...NOT_YET].sort()).toEqual(RECOGNISED_MOUNT_OPTIONS);
  });

  it('recognises every option the runtime spec names (none of them leaks into fs data)', () => {
    const missing = MOUNT_OPTIONS_KNOWN.filter((o) => !RECOGNISED_MOUNT_OPTIONS.includes(o));
    expect(missing).toEqual([]);
  });

  describe.each(Object.entries(TABLE))('%s', (opt, e) => {
    it('has exactly its documented effect', () => {
      expect(parse(opt)).toEqual(expected(opt, e));
    });
  });

  describe('later options override earlier ones', () => {
    it.each([
      // [options, attrs.set, attrs.clr]
      [['nosuid', 'suid'], 0, MOUNT_ATTR.NOSUID],
      [['suid', 'nosuid'], MOUNT_ATTR.NOSUID, 0],
      [['nodev', 'dev'], 0, MOUNT_ATTR.NODEV],
      [['exec', 'noexec'], MOUNT_ATTR.NOEXEC, 0],
      [['nodiratime', 'diratime'], 0, MOUNT_ATTR.NODIRATIME],
      [['symfollow', 'nosymfollow'], MOUNT_ATTR.NOSYMFOLLOW, 0],
    ])('%j', (opts, set, clr) => {
      expect(parse(...opts).attrs).toEqual({ set, clr });
    });

    it('"rw" after "ro" undoes it without clearing RDONLY (a read-only bind source stays so)', () => {
      const o = parse('ro', 'rw');
      expect(o.attrs).toEqual({ set: 0, clr: 0 });
      expect(o.readonly).toBe(false);
    });

    it('"ro" after "rw" wins', () => {
      const o = parse('rw', 'ro');
      expect(o.attrs.set).toBe(MOUNT_ATTR.RDONLY);
      expect(o.readonly).toBe(true);
    });

    it('the last propagation option wins, with its own recursiveness', () => {
      expect(parse('rshared', 'private')).toMatchObject({ propagation: MS.PRIVATE, propagationRecursive: false });
      expect(parse('slave', 'runbindable')).toMatchObject({ propagation: MS.UNBINDABLE, propagationRecursive: true });
    });

    it('"rrw" after "rro" clears the recursive RDONLY', () => {
      expect(parse('rro', 'rrw').recursiveAttrs).toEqual({ set: 0, clr: MOUNT_ATTR.RDONLY });
    });
  });

  describe('atime modes are one field', () => {
    it('noatime then relatime leaves relatime: NOATIME is no longer set, the field is cleared', () => {
      const o = parse('noatime', 'relatime');
      expect(o.attrs.set & ATIME).toBe(MOUNT_ATTR.RELATIME);
      expect(o.attrs.set & MOUNT_ATTR.NOATIME).toBe(0);
      expect(o.attrs.clr & ATIME).toBe(ATIME);
    });

    it('strictatime then noatime leaves only NOATIME in the field', () => {
      expect(parse('strictatime', 'noatime').attrs).toEqual({ set: MOUNT_ATTR.NOATIME, clr: ATIME });
    });

    it('keeps the other attributes when the atime mode changes', () => {
      const o = parse('nosuid', 'noatime', 'nodev', 'strictatime');
      expect(o.attrs).toEqual({ set: MOUNT_ATTR.NOSUID | MOUNT_ATTR.NODEV | MOUNT_ATTR.STRICTATIME, clr: ATIME });
    });

    it('nodiratime is separate from the atime field', () => {
      const o = parse('nodiratime', 'relatime');
      expect(o.attrs).toEqual({ set: MOUNT_ATTR.NODIRATIME, clr: ATIME });
    });

    it('recursive modes touch recursiveAttrs only', () => {
      const o = parse('rnoatime', 'rstrictatime');
      expect(o.recursiveAttrs).toEqual({ set: MOUNT_ATTR.STRICTATIME, clr: ATIME });
      expect(o.attrs).toEqual({ set: 0, clr: 0 });
    });
  });

  it('keeps per-mount and recursive attributes apart', () => {
    const o = parse('ro', 'rnosuid', 'nodev', 'rnoexec');
    expect(o.attrs).toEqual({ set: MOUNT_ATTR.RDONLY | MOUNT_ATTR.NODEV, clr: 0 });
    expect(o.recursiveAttrs).toEqual({ set: MOUNT_ATTR.NOSUID | MOUNT_ATTR.NOEXEC, clr: 0 });
    // "rro" is not "ro": the readonly marker (used for the cgroup tmpfs remount) follows "ro" only
    expect(parse('rro').readonly).toBe(false);
  });

  it('combines superblock flags', () => {
    expect(parse('sync', 'dirsync', 'lazytime', 'mand').sbFlags).toBe(SB_SYNC | SB_DIRSYNC | SB_LAZYTIME | SB_MAND);
  });

  it('passes unknown options to the filesystem as data, in order, duplicates kept', () => {
    const o = parse('mode=755', 'nosuid', 'size=65536k', 'newinstance', 'mode=700', 'x-foo');
    expect(o.data).toEqual(['mode=755', 'size=65536k', 'newinstance', 'mode=700', 'x-foo']);
    expect(o.attrs.set).toBe(MOUNT_ATTR.NOSUID);
  });

  it('is case-sensitive: "RO" is filesystem data, not read-only', () => {
    const o = parse('RO');
    expect(o.data).toEqual(['RO']);
    expect(o.readonly).toBe(false);
  });

  it('keeps the options as given, and does not alias the caller\'s array', () => {
    const input = ['ro', 'mode=755'];
    const o = parseMountOptions(input, P);
    expect(o.given).toEqual(['ro', 'mode=755']);
    expect(o.given).not.toBe(input);
  });

  describe.each(NOT_YET)('%s', (opt) => {
    it('is refused by name with the path of the option', () => {
      let err: unknown;
      try {
        parseMountOptions(['nosuid', 'rbind', opt], '$.mounts[3].options');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UnsupportedError);
      expect(err).toBeInstanceOf(ConfigError);
      const u = err as UnsupportedError;
      expect(u.code).toBe('ENOTSUP');
      expect(u.path).toBe('$.mounts[3].options[2]');
      expect(u.message).toBe(`$.mounts[3].options[2]: mount option "${opt}" is not supported yet`);
    });
  });
});

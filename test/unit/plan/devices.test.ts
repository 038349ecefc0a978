import { describe, expect, it } from 'vitest';
import { DEFAULT_DEVICES, deviceOps } from '../../../lib/plan/devices.js';
import { Op } from '../../../lib/plan/opcodes.js';
import type { LinuxDevice, Spec } from '../../../spec/types.js';
import { makeCtx, minimalSpec, opNames } from './fixtures.js';

const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;

const withDevices = (devices: LinuxDevice[]): Spec => minimalSpec({ linux: { namespaces: [{ type: 'mount' }], devices } });

const LINKS = [
  ['pts/ptmx', '/dev/ptmx'],
  ['/proc/self/fd', '/dev/fd'],
  ['/proc/self/fd/0', '/dev/stdin'],
  ['/proc/self/fd/1', '/dev/stdout'],
  ['/proc/self/fd/2', '/dev/stderr'],
];

describe('DEFAULT_DEVICES', () => {
  it('are the six the spec requires, with their host numbers', () => {
    expect(DEFAULT_DEVICES.map((d) => [d.path, d.type, d.major, d.minor, d.fileMode])).toEqual([
      ['/dev/null', 'c', 1, 3, 0o666],
      ['/dev/zero', 'c', 1, 5, 0o666],
      ['/dev/full', 'c', 1, 7, 0o666],
      ['/dev/random', 'c', 1, 8, 0o666],
      ['/dev/urandom', 'c', 1, 9, 0o666],
      ['/dev/tty', 'c', 5, 0, 0o666],
    ]);
  });
});

describe('deviceOps', () => {
  it('outside a user namespace: mknod each default device, then the /dev symlinks', () => {
    const ops = deviceOps(minimalSpec(), makeCtx({ hostHasKcore: false }), false);
    expect(opNames(ops)).toEqual([...Array(6).fill('MKNOD'), ...Array(5).fill('SYMLINK')]);
    expect(ops[0]).toEqual({ code: Op.MKNOD, label: 'create device /dev/null', fields: ['/dev/null', S_IFCHR | 0o666, 1, 3, 0, 0] });
    expect(ops[5]!.fields).toEqual(['/dev/tty', S_IFCHR | 0o666, 5, 0, 0, 0]);
    expect(ops.slice(6).map((o) => o.fields)).toEqual(LINKS);
    expect(ops[6]!.label).toBe('symlink /dev/ptmx -> pts/ptmx');
  });

  it('links /dev/core to /proc/kcore only when the host has it', () => {
    const withKcore = deviceOps(minimalSpec(), makeCtx({ hostHasKcore: true }), false);
    expect(withKcore.at(-1)).toEqual({ code: Op.SYMLINK, label: 'symlink /dev/core -> /proc/kcore', fields: ['/proc/kcore', '/dev/core'] });
    const without = deviceOps(minimalSpec(), makeCtx({ hostHasKcore: false }), false);
    expect(without.some((o) => o.fields[1] === '/dev/core')).toBe(false);
  });

  it('configured devices come after the defaults, with mode = type bits | permission bits', () => {
    const ops = deviceOps(
      withDevices([
        { path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o666, uid: 0, gid: 0 },
        { path: '/dev/sda', type: 'b', major: 8, minor: 0, fileMode: 0o660, uid: 0, gid: 6 },
        { path: '/run/fifo', type: 'p' },
        { path: '/dev/ttyU', type: 'u', major: 4, minor: 64, fileMode: 0o620, uid: 1000, gid: 5 },
        // only the permission (and setuid/setgid/sticky) bits of fileMode count
        { path: '/dev/odd', type: 'c', major: 1, minor: 1, fileMode: 0o177777 },
      ]),
      makeCtx(),
      false,
    );
    const mknod = ops.filter((o) => o.code === Op.MKNOD).slice(6);
    expect(mknod.map((o) => o.fields)).toEqual([
      ['/dev/fuse', S_IFCHR | 0o666, 10, 229, 0, 0],
      ['/dev/sda', S_IFBLK | 0o660, 8, 0, 0, 6],
      // a FIFO has no numbers: 0, and the default 0666 permissions
      ['/run/fifo', S_IFIFO | 0o666, 0, 0, 0, 0],
      // 'u' is an unbuffered character device
      ['/dev/ttyU', S_IFCHR | 0o620, 4, 64, 1000, 5],
      ['/dev/odd', S_IFCHR | 0o7777, 1, 1, 0, 0],
    ]);
  });

  it('a configured device replaces the default at the same (cleaned) path, in the default\'s place', () => {
    const ops = deviceOps(withDevices([{ path: '/dev/.//zero', type: 'c', major: 1, minor: 5, fileMode: 0o600, uid: 7, gid: 8 }]), makeCtx(), false);
    const mknod = ops.filter((o) => o.code === Op.MKNOD);
    expect(mknod).toHaveLength(6);
    expect(mknod[1]!.fields).toEqual(['/dev/zero', S_IFCHR | 0o600, 1, 5, 7, 8]);
  });

  it('a trailing slash does not stop a configured device from replacing the default', () => {
    const ops = deviceOps(withDevices([{ path: '/dev/zero/', type: 'c', major: 1, minor: 5, fileMode: 0o600 }]), makeCtx(), false);
    const mknod = ops.filter((o) => o.code === Op.MKNOD);
    expect(mknod).toHaveLength(6);
    expect(mknod[1]!.fields[0]).toBe('/dev/zero');
  });

  it('relative device paths are made absolute', () => {
    const ops = deviceOps(withDevices([{ path: 'dev/kvm', type: 'c', major: 10, minor: 232 }]), makeCtx(), false);
    expect(ops.find((o) => o.label === 'create device /dev/kvm')!.fields[0]).toBe('/dev/kvm');
  });

  it('inside a user namespace: host nodes are bind-mounted, FIFOs are still made with mknod', () => {
    const ops = deviceOps(withDevices([{ path: '/dev/fuse', type: 'c', major: 10, minor: 229 }, { path: '/run/fifo', type: 'p' }]), makeCtx(), true);
    const devs = ops.filter((o) => o.code !== Op.SYMLINK);
    expect(opNames(devs)).toEqual([...Array(7).fill('BIND_DEV'), 'MKNOD']);
    expect(devs[0]).toEqual({ code: Op.BIND_DEV, label: 'bind device /dev/null from the host', fields: ['/dev/null', '/dev/null'] });
    expect(devs[6]!.fields).toEqual(['/dev/fuse', '/dev/fuse']);
    expect(devs[7]!.fields).toEqual(['/run/fifo', S_IFIFO | 0o666, 0, 0, 0, 0]);
    // the symlinks are the same in both cases
    expect(ops.filter((o) => o.code === Op.SYMLINK).map((o) => o.fields)).toEqual([...LINKS, ['/proc/kcore', '/dev/core']]);
  });
});

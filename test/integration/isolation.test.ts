// What a container gets, checked from inside it: namespaces, mounts and their flags, masked and
// read-only paths, devices, hostname, cwd, env, fds. Runs against caisson, and against runc with
// RUNTIME=/usr/sbin/runc (deviations are marked where runc 1.1 lacks a feature).

import { existsSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Spec } from '../../spec/types.js';
import { IS_CAISSON, Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox('isolation');
});
afterEach(async () => {
  await sb.cleanup();
});

/** Run `script` in a container built from the default config (after `edit`) and return stdout. */
async function inside(script: string, edit?: (s: Spec) => void, opts: { ownRootfs?: boolean } = {}): Promise<string> {
  const r = await sb.run(sb.bundle(['sh', '-c', script], edit, opts));
  expect(r.code, `container failed: ${r.stderr}\n${r.stdout}`).toBe(0);
  return r.stdout;
}

interface MountLine {
  mountPoint: string;
  options: string[];
  fstype: string;
  superOptions: string[];
  optional: string;
}

function parseMounts(text: string): MountLine[] {
  return text
    .split('\n')
    .filter((l) => l.includes(' - '))
    .map((l) => {
      const [left, right] = l.split(' - ') as [string, string];
      const f = left.split(' ');
      const r = right.split(' ');
      return { mountPoint: f[4]!, options: f[5]!.split(','), optional: f.slice(6).join(' '), fstype: r[0]!, superOptions: (r[2] ?? '').split(',') };
    });
}

describe('namespaces', () => {
  it('every requested namespace differs from the host, the rest are shared', async () => {
    const out = await inside('for n in pid net ipc uts mnt cgroup user; do echo "$n $(readlink /proc/self/ns/$n)"; done');
    const got = Object.fromEntries(out.trim().split('\n').map((l) => l.split(' ') as [string, string]));
    for (const n of ['pid', 'net', 'ipc', 'uts', 'mnt', 'cgroup']) expect(got[n], n).not.toBe(readlinkSync(`/proc/self/ns/${n}`));
    expect(got.user).toBe(readlinkSync('/proc/self/ns/user'));
  });

  it('the container process is pid 1 and sees only its own processes', async () => {
    const out = await inside('echo $$; ls -d /proc/[0-9]* | wc -l');
    const [pid, count] = out.trim().split('\n');
    expect(pid).toBe('1');
    expect(Number(count)).toBeLessThan(5);
  });

  it('the network namespace has only loopback', async () => {
    expect((await inside('ls /sys/class/net')).trim()).toBe('lo');
  });

  it('sets the hostname in the new UTS namespace', async () => {
    const out = await inside('hostname', (s) => {
      s.hostname = 'box-one';
    });
    expect(out).toBe('box-one\n');
  });

  it.skipIf(!IS_CAISSON)('sets the domainname (runc 1.1 ignores domainname)', async () => {
    const out = await inside('cat /proc/sys/kernel/domainname', (s) => {
      s.domainname = 'example.test';
    });
    expect(out).toBe('example.test\n');
  });

  it('joins an existing network namespace by path', async () => {
    const a = sb.bundle(['sleep', '30']);
    const idA = sb.id();
    expect((await sb.rt(['run', '-d', '--bundle', a, idA])).code).toBe(0);
    const pidA = (await sb.state(idA)).pid;
    const netA = readlinkSync(`/proc/${pidA}/ns/net`);
    const out = await inside('readlink /proc/self/ns/net', (s) => {
      s.linux!.namespaces = s.linux!.namespaces!.map((n) => (n.type === 'network' ? { type: 'network', path: `/proc/${pidA}/ns/net` } : n));
    });
    expect(out.trim()).toBe(netA);
  });

  it('creates a user namespace with the given id mappings', async () => {
    const out = await inside(
      'cat /proc/self/uid_map /proc/self/gid_map; id -u',
      (s) => {
        s.linux!.namespaces!.push({ type: 'user' });
        s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
        s.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
        // sysfs of a network namespace owned by the new user namespace can be mounted; the
        // cgroup mount is bound from the host.
      },
      { ownRootfs: true },
    );
    const lines = out.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '));
    expect(lines[0]).toBe('0 100000 65536');
    expect(lines[1]).toBe('0 100000 65536');
    expect(lines[2]).toBe('0');
  });

  it.skipIf(!IS_CAISSON)('applies time namespace offsets (runc 1.1 has no time namespace)', async () => {
    const out = await inside('cat /proc/uptime', (s) => {
      s.linux!.namespaces!.push({ type: 'time' });
      s.linux!.timeOffsets = { boottime: { secs: 86400 * 365 }, monotonic: { secs: 1000 } };
    });
    const hostUptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    expect(Number(out.split(' ')[0])).toBeGreaterThan(hostUptime + 86400 * 364);
  });

  it('writes namespaced sysctls', async () => {
    const out = await inside('cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni', (s) => {
      s.linux!.sysctl = { 'net.ipv4.ip_forward': '1', 'kernel.shmmni': '1234' };
    });
    expect(out).toBe('1\n1234\n');
    // ... without touching the host's
    expect(readFileSync('/proc/sys/kernel/shmmni', 'utf8').trim()).not.toBe('1234');
  });
});

describe('rootfs and mounts', () => {
  it('mounts the default filesystems with the right types and flags', async () => {
    const mounts = parseMounts(await inside('cat /proc/self/mountinfo'));
    const at = (p: string) => mounts.filter((m) => m.mountPoint === p).pop();
    expect(at('/')!.options).toContain('ro');
    expect(at('/proc')!.fstype).toBe('proc');
    const sys = at('/sys')!;
    expect(sys.fstype).toBe('sysfs');
    for (const o of ['ro', 'nosuid', 'nodev', 'noexec']) expect(sys.options, `/sys ${o}`).toContain(o);
    const shm = at('/dev/shm')!;
    expect(shm.fstype).toBe('tmpfs');
    for (const o of ['nosuid', 'nodev', 'noexec']) expect(shm.options).toContain(o);
    expect(shm.superOptions.join(',')).toMatch(/size=65536k/);
    expect(at('/dev/pts')!.fstype).toBe('devpts');
    expect(at('/dev/pts')!.superOptions).toContain('ptmxmode=666');
    expect(at('/dev/mqueue')!.fstype).toBe('mqueue');
    const dev = at('/dev')!;
    expect(dev.fstype).toBe('tmpfs');
    expect(dev.superOptions).toContain('mode=755');
    expect(dev.options).toContain('nosuid');
    // Nothing propagates between the container and the host by default.
    expect(at('/')!.optional).not.toMatch(/shared:/);
  });

  it('makes the rootfs writable only when root.readonly is false', async () => {
    const ro = await sb.run(sb.bundle(['sh', '-c', 'touch /probe 2>&1; echo rc=$?']));
    expect(ro.stdout).toMatch(/Read-only file system/);
    const rw = await inside('touch /probe && echo ok', undefined, { ownRootfs: true });
    expect(rw.trim()).toBe('ok');
  });

  it('masks maskedPaths and makes readonlyPaths read-only', async () => {
    // /proc/keys and /sys/firmware are in the default maskedPaths and exist on this kernel.
    const out = await inside(
      'stat -c "%F %t:%T" /proc/keys; ls -A /sys/firmware | wc -l; echo 1 > /proc/sys/kernel/domainname 2>&1 || echo ro-ok; grep " /proc/sys " /proc/self/mountinfo | cut -d" " -f6',
    );
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('character special file 1:3');
    expect(lines[1]).toBe('0');
    expect(out).toMatch(/ro-ok|Read-only/);
    expect(lines[lines.length - 1]).toMatch(/^ro/);
  });

  it('bind-mounts directories and files, read-only when asked', async () => {
    const dir = join(sb.dir, 'shared');
    mkdirSync(dir);
    writeFileSync(join(dir, 'hello'), 'from the host\n');
    const file = join(sb.dir, 'single.txt');
    writeFileSync(file, 'one file\n');
    const out = await inside('cat /data/hello /etc/single.txt; touch /data/new && echo wrote; touch /ro/x 2>&1 || echo ro-refused', (s) => {
      s.mounts!.push(
        { destination: '/data', type: 'bind', source: dir, options: ['rbind', 'rw'] },
        { destination: '/etc/single.txt', type: 'bind', source: file, options: ['bind', 'ro'] },
        { destination: '/ro', type: 'bind', source: dir, options: ['bind', 'ro', 'nosuid', 'nodev'] },
      );
    });
    expect(out).toContain('from the host\none file\n');
    expect(out).toContain('wrote');
    expect(out).toMatch(/ro-refused|Read-only/);
    expect(existsSync(join(dir, 'new'))).toBe(true);
  });

  it('mounts tmpfs with data options and the atime and exec flags', async () => {
    const out = await inside('grep " /scratch " /proc/self/mountinfo; touch /scratch/x && echo writable', (s) => {
      s.mounts!.push({ destination: '/scratch', type: 'tmpfs', source: 'tmpfs', options: ['noexec', 'nosuid', 'noatime', 'size=1m', 'mode=700'] });
    });
    const m = parseMounts(out)[0]!;
    expect(m.options).toEqual(expect.arrayContaining(['rw', 'nosuid', 'noexec', 'noatime']));
    expect(m.superOptions).toEqual(expect.arrayContaining(['size=1024k', 'mode=700']));
    expect(out).toContain('writable');
  });

  it('mounts overlay, proc, sysfs, mqueue and cgroup types', async () => {
    const lower = join(sb.dir, 'lower');
    const upper = join(sb.dir, 'upper');
    const work = join(sb.dir, 'work');
    for (const d of [lower, upper, work]) mkdirSync(d);
    writeFileSync(join(lower, 'base'), 'lower layer\n');
    const out = await inside('cat /ov/base; echo top > /ov/top; grep -E " /(ov|sys/fs/cgroup)[ /]" /proc/self/mountinfo | cut -d" " -f5,9', (s) => {
      s.mounts!.push({ destination: '/ov', type: 'overlay', source: 'overlay', options: [`lowerdir=${lower}`, `upperdir=${upper}`, `workdir=${work}`] });
    });
    expect(out).toContain('lower layer');
    expect(readFileSync(join(upper, 'top'), 'utf8')).toBe('top\n');
    expect(out).toMatch(/\/ov overlay/);
    expect(out).toMatch(/\/sys\/fs\/cgroup\S* (cgroup|cgroup2|tmpfs)/);
  });

  it('resolves mount destinations inside the rootfs even through hostile symlinks', async () => {
    // CVE-2021-30465 class: a symlink in the rootfs pointing at a host path must not redirect
    // a mount onto the host.
    const victim = join(sb.dir, 'victim');
    mkdirSync(victim);
    const bundle = sb.bundle(['sh', '-c', 'grep inner /proc/self/mountinfo | cut -d" " -f5'], (s) => {
      s.mounts!.push({ destination: '/escape/inner', type: 'tmpfs', source: 'tmpfs' });
    }, { ownRootfs: true });
    symlinkSync(victim, join(bundle, 'rootfs/escape'));
    const r = await sb.run(bundle);
    // Either the runtime refused, or it mounted inside the container; never on the host.
    expect(existsSync(join(victim, 'inner'))).toBe(false);
    // Resolved as the container sees it: the link's target taken inside the rootfs.
    if (r.code === 0) expect(r.stdout.trim()).toMatch(/\/inner$/);
  });

  it('creates a missing cwd and runs there', async () => {
    expect((await inside('pwd', (s) => (s.process!.cwd = '/work/here'), { ownRootfs: true })).trim()).toBe('/work/here');
  });

  it('passes env and args exactly', async () => {
    const r = await sb.run(
      sb.bundle(['/bin/sh', '-c', 'echo "$FOO|$BAR|$#|$0"; env | sort', 'argzero'], (s) => {
        s.process!.env = ['PATH=/bin', 'FOO=one two', 'BAR=', 'EMPTY='];
      }),
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('one two||0|argzero');
    expect(lines).toEqual(expect.arrayContaining(['FOO=one two', 'BAR=', 'PATH=/bin']));
  });

  it('works with --no-pivot', async () => {
    const r = await sb.rt(['run', '--no-pivot', '--bundle', sb.bundle(['sh', '-c', 'ls /; echo ok']), sb.id()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('ok');
    expect(r.stdout).toContain('proc');
  });
});

describe('/dev', () => {
  it('has the default devices, symlinks and its own ptmx', async () => {
    const out = await inside(
      'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T %a" /dev/$d; done; for l in ptmx fd stdin stdout stderr; do readlink /dev/$l; done; head -c 4 /dev/zero | wc -c',
    );
    const lines = out.trim().split('\n');
    expect(lines.slice(0, 6)).toEqual([
      '/dev/null character special file 1:3 666',
      '/dev/zero character special file 1:5 666',
      '/dev/full character special file 1:7 666',
      '/dev/random character special file 1:8 666',
      '/dev/urandom character special file 1:9 666',
      '/dev/tty character special file 5:0 666',
    ]);
    expect(lines.slice(6, 11)).toEqual(['pts/ptmx', '/proc/self/fd', '/proc/self/fd/0', '/proc/self/fd/1', '/proc/self/fd/2']);
    expect(lines[11]).toBe('4');
  });

  it('creates linux.devices with their mode and owner', async () => {
    const out = await inside('stat -c "%n %F %t:%T %a %u:%g" /dev/fuse /dev/custom/loop9', (s) => {
      s.linux!.devices = [
        { path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o600, uid: 0, gid: 0 },
        { path: '/dev/custom/loop9', type: 'b', major: 7, minor: 9, fileMode: 0o640, uid: 1, gid: 2 },
      ];
    });
    expect(out.trim().split('\n')).toEqual(['/dev/fuse character special file a:e5 600 0:0', '/dev/custom/loop9 block special file 7:9 640 1:2']);
  });
});

describe('process', () => {
  it('only stdio reaches the container, unless fds are preserved', async () => {
    const plain = await inside('ls /proc/self/fd | sort -n | tr "\\n" " "');
    // ls itself holds one more fd (the directory it reads).
    expect(plain.trim().split(' ').map(Number).filter((n) => n > 3)).toEqual([]);
  });

  it('applies the user and the capability sets', async () => {
    const out = await inside('id -u; id -g; grep -E "^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs)" /proc/self/status', (s) => {
      s.process!.user = { uid: 1000, gid: 1000, additionalGids: [10, 20] };
    });
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('1000');
    expect(lines[1]).toBe('1000');
    const field = (k: string) => lines.find((l) => l.startsWith(k))!.split(/\s+/)[1];
    // CAP_AUDIT_WRITE (29), CAP_KILL (5), CAP_NET_BIND_SERVICE (10)
    expect(field('CapBnd')).toBe('0000000020000420');
    expect(field('CapInh')).toBe('0000000000000000');
    expect(field('NoNewPrivs')).toBe('1');
  });

  it('sets rlimits', async () => {
    const out = await inside('ulimit -n; ulimit -Hn');
    expect(out).toBe('1024\n1024\n');
  });
});


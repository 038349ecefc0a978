// create's options and the less common config fields: preserved fds and socket activation,
// rootfs propagation modes, recursive mount attributes, explicit cgroup2 mounts.

import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execCollect, IS_CAISSON, RUNTIME, Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox('options');
});
afterEach(async () => {
  await sb.cleanup();
});

describe('fds', () => {
  it('--preserve-fds hands fds 3.. to the container', async () => {
    const file = join(sb.dir, 'payload');
    writeFileSync(file, 'through fd 3\n');
    const fd = openSync(file, 'r');
    try {
      const bundle = sb.bundle(['sh', '-c', 'cat <&3; ls /proc/self/fd | sort -n | tr "\\n" " "']);
      const r = await sb.rt(['run', '--preserve-fds', '1', '--bundle', bundle, sb.id()], { extraFds: [fd] });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('through fd 3');
      // 0 1 2 3, plus the one ls uses for the directory; nothing else leaks in.
      expect(r.stdout.trim().split('\n').pop()!.trim().split(' ').map(Number).filter((n) => n > 4)).toEqual([]);
    } finally {
      closeSync(fd);
    }
  });

  it('LISTEN_FDS passes socket-activation fds and sets LISTEN_FDS/LISTEN_PID', async () => {
    const file = join(sb.dir, 'listen');
    writeFileSync(file, 'activated\n');
    const fd = openSync(file, 'r');
    try {
      const bundle = sb.bundle(['sh', '-c', 'cat <&3; echo "$LISTEN_FDS $LISTEN_PID"']);
      // LISTEN_PID must name the runtime's own process, as systemd sets it: exec keeps the pid.
      const r = await execCollect('sh', ['-c', 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" "$@"', RUNTIME, '--root', sb.root, 'run', '--bundle', bundle, sb.id()], {
        extraFds: [fd],
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('activated\n1 1\n');
    } finally {
      closeSync(fd);
    }
  });
});

describe('propagation and recursive attributes', () => {
  it.each(['private', 'rprivate', 'slave', 'rslave', 'shared', 'rshared'])('rootfsPropagation %s', async (mode) => {
    const r = await sb.run(sb.bundle(['sh', '-c', 'ls / > /dev/null && echo ok'], (s) => (s.linux!.rootfsPropagation = mode as never)));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('ok\n');
  });

  // runc 1.1 deviation: it makes / unbindable before binding the rootfs, which then fails.
  it.skipIf(!IS_CAISSON).each(['unbindable', 'runbindable'])('rootfsPropagation %s', async (mode) => {
    const r = await sb.run(sb.bundle(['sh', '-c', 'grep -c unbindable /proc/self/mountinfo'], (s) => (s.linux!.rootfsPropagation = mode as never)));
    expect(r.code, r.stderr).toBe(0);
    expect(Number(r.stdout.trim())).toBeGreaterThan(0);
  });

  it('rro makes every mount of an rbind read-only, ro only the top one', async () => {
    const script = 'awk \'$5 ~ /^\\/(rro|ro)(\\/|$)/ {split($6, o, ","); print $5, o[1]}\' /proc/self/mountinfo';
    const r = await sb.run(
      sb.bundle(['sh', '-c', script], (s) => {
        s.mounts!.push(
          { destination: '/rro', type: 'bind', source: '/sys', options: ['rbind', 'rro'] },
          { destination: '/ro', type: 'bind', source: '/sys', options: ['rbind', 'ro'] },
        );
      }),
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => l.split(' ') as [string, string]);
    const rro = lines.filter(([p]) => p.startsWith('/rro'));
    const ro = lines.filter(([p]) => p === '/ro' || p.startsWith('/ro/'));
    expect(rro.length).toBeGreaterThan(1);
    expect(rro.every(([, o]) => o === 'ro')).toBe(true);
    expect(ro.find(([p]) => p === '/ro')![1]).toBe('ro');
  });

  it('mounts cgroup2 explicitly', async () => {
    const r = await sb.run(sb.bundle(['sh', '-c', 'grep " /cg2 " /proc/self/mountinfo | sed "s/.* - //" | cut -d" " -f1'], (s) => {
      s.mounts!.push({ destination: '/cg2', type: 'cgroup2', source: 'cgroup2' });
    }));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('cgroup2');
  });
});

describe('tmpcopyup', () => {
  it('a tmpfs starts with a copy of the directory it covers (files, modes, owners, symlinks, subdirectories)', async () => {
    const bundle = sb.bundle(
      ['sh', '-c', 'cd /data && stat -c "%A %u %g" sub/file link; cat sub/file; readlink link; stat -c "%a" sub; echo new > made; cat made; grep " /data " /proc/self/mountinfo | awk \'{print $9}\''],
      (s) => s.mounts!.push({ destination: '/data', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'tmpcopyup'] }),
      { ownRootfs: true },
    );
    const data = join(bundle, 'rootfs/data');
    mkdirSync(join(data, 'sub'), { recursive: true, mode: 0o750 });
    chmodSync(join(data, 'sub'), 0o750);
    writeFileSync(join(data, 'sub/file'), 'hello\n', { mode: 0o604 });
    chownSync(join(data, 'sub/file'), 1234, 5678);
    symlinkSync('/etc/does-not-matter', join(data, 'link'));
    const r = await sb.run(bundle);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n'), r.stdout).toEqual(['-rw----r-- 1234 5678', 'lrwxrwxrwx 0 0', 'hello', '/etc/does-not-matter', '750', 'new', 'tmpfs', '']);
    // The copy is the tmpfs's: the rootfs keeps what it had, and nothing more.
    expect(existsSync(join(data, 'made'))).toBe(false);
  });
});

// Known container-escape classes from runc's CVE history, reproduced against the runtime under
// test: each must be blocked. Runs against caisson and runc (RUNTIME=/usr/sbin/runc).

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IS_CAISSON, RUNTIME, Sandbox } from '../helpers/sandbox.js';

/** The runtime's executable (bin/caisson is a script run by Node; runc is itself). */
const RUNTIME_BINARY = IS_CAISSON ? process.execPath : RUNTIME;

let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox('security');
});
afterEach(async () => {
  await sb.cleanup();
});

async function waitFor<T>(fn: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('escape classes', () => {
  it('CVE-2024-21626: a cwd through a leaked fd (/proc/self/fd/N) never lands outside the rootfs', async () => {
    for (let fd = 3; fd <= 12; fd++) {
      const bundle = sb.bundle(['sleep', '30'], (s) => (s.process!.cwd = `/proc/self/fd/${fd}`));
      const id = sb.id();
      const r = await sb.rt(['run', '-d', '--bundle', bundle, id]);
      if (r.code !== 0) continue; // refused: blocked
      const pid = (await sb.state(id)).pid;
      // Seen from the host, the process's cwd must be below its root.
      const root = readlinkSync(`/proc/${pid}/root`);
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      expect(cwd.startsWith(root) || cwd.startsWith('/proc/'), `fd ${fd}: cwd ${cwd} outside root ${root}`).toBe(true);
      await sb.rt(['delete', '--force', id]);
    }
  });

  it('CVE-2019-5736 / CVE-2016-9962: a process sharing the pid namespace cannot open a joining init', async () => {
    // Container A watches for B's init (still the runtime's own binary until start) and tries to
    // read its fds and open its executable.
    const shared = join(sb.dir, 'shared');
    mkdirSync(shared);
    const script = [
      'while [ ! -s /shared/target ]; do sleep 0.02; done',
      'p=$(cat /shared/target)',
      // Listing the fd numbers is allowed; following them needs ptrace access (non-dumpable: no).
      'readlink /proc/$p/fd/0 > /shared/fd.out 2>&1; echo "fd:$?" >> /shared/result',
      'cat /proc/$p/exe > /dev/null 2> /shared/exe.out; echo "exe:$?" >> /shared/result',
      'echo done >> /shared/result',
      'sleep 30',
    ].join('; ');
    const a = sb.bundle(['sh', '-c', script], (s) => {
      s.mounts!.push({ destination: '/shared', type: 'bind', source: shared, options: ['rbind', 'rw'] });
    });
    const idA = sb.id();
    expect((await sb.rt(['run', '-d', '--bundle', a, idA])).code).toBe(0);
    const pidA = (await sb.state(idA)).pid;

    const b = sb.bundle(['sleep', '30'], (s) => {
      s.linux!.namespaces = s.linux!.namespaces!.map((n) => (n.type === 'pid' ? { type: 'pid', path: `/proc/${pidA}/ns/pid` } : n));
    });
    const idB = sb.id();
    const created = await sb.rt(['create', '--bundle', b, idB]);
    expect(created.code, created.stderr).toBe(0);
    const pidB = (await sb.state(idB)).pid;
    // B's pid as A sees it: the last NSpid entry.
    const nspid = readFileSync(`/proc/${pidB}/status`, 'utf8').match(/^NSpid:\s+(.*)$/m)![1]!.trim().split(/\s+/).pop()!;
    writeFileSync(join(shared, 'target'), nspid);
    const result = await waitFor(() => {
      const t = existsSync(join(shared, 'result')) ? readFileSync(join(shared, 'result'), 'utf8') : '';
      return t.includes('done') ? t : undefined;
    }, 'the watcher in container A');
    expect(result).toMatch(/fd:[1-9]/);
    expect(result).toMatch(/exe:[1-9]/);
    expect(readFileSync(join(shared, 'exe.out'), 'utf8')).toMatch(/Permission denied|Operation not permitted/);
  });

  // Real runc deviation: runc 1.1.5 (Debian 12) predates the fix and bind-mounts the planted
  // link's target (/proc/sys/kernel/core_pattern) over /proc/keys, so under runc this fails.
  it('CVE-2019-5736: a "#!/proc/self/exe" program never runs the runtime binary in the container', async () => {
    // The original exploit: the container's program is a script whose interpreter is
    // /proc/self/exe, so whatever binary execs it (the runtime's own: here the host's Node) runs
    // inside the container, where it could open itself and later write to it. The rootfs gets
    // the host's dynamic loader and libraries, so nothing but the runtime's defence stops it.
    const bundle = sb.bundle(['sleep', '30'], undefined, { ownRootfs: true });
    const rootfs = join(bundle, 'rootfs');
    const libs = execFileSync('ldd', [process.execPath, RUNTIME_BINARY], { encoding: 'utf8' }).match(/\/\S+\.so[.\d]*/g) ?? [];
    for (const lib of new Set(libs)) {
      mkdirSync(join(rootfs, dirname(lib)), { recursive: true });
      copyFileSync(lib, join(rootfs, lib));
    }
    const payload = 'console.log("ESCAPED", process.version); require("fs").writeFileSync("/tmp/escaped", "")';
    writeFileSync(join(rootfs, 'bin/evil'), `#!/proc/self/exe\n${payload}\n`, { mode: 0o755 });
    // Through exec...
    const id = sb.id();
    expect((await sb.rt(['run', '-d', '--bundle', bundle, id])).code).toBe(0);
    const r = await sb.rt(['exec', id, '/bin/evil']);
    expect(r.stdout + r.stderr).not.toMatch(/ESCAPED/);
    expect(r.code).not.toBe(0);
    await sb.rt(['delete', '--force', id]);
    // ...and as the container's own program.
    const run = await sb.rt(['run', '--bundle', sb.bundle(['/bin/evil'], (s) => (s.root = { path: rootfs, readonly: false })), sb.id()]);
    expect(run.stdout + run.stderr).not.toMatch(/ESCAPED/);
    expect(run.code).not.toBe(0);
    expect(existsSync(join(rootfs, 'tmp/escaped'))).toBe(false);
  });

  (IS_CAISSON ? it : it.fails)('CVE-2025-31133: a /dev/null planted as a symlink is never what masks a path', async () => {
    // No /dev tmpfs: the rootfs's own /dev is used, and its "null" points at a procfs file.
    const bundle = sb.bundle(
      ['sh', '-c', 'stat -c "%F %t:%T" /proc/keys'],
      (s) => {
        s.mounts = s.mounts!.filter((m) => !m.destination.startsWith('/dev'));
      },
      { ownRootfs: true },
    );
    const devNull = join(bundle, 'rootfs/dev/null');
    rmSync(devNull, { force: true });
    symlinkSync('/proc/sys/kernel/core_pattern', devNull);
    const r = await sb.run(bundle);
    // Either refused (a different file where /dev/null must be), or /proc/keys is the real null.
    if (r.code === 0) expect(r.stdout.trim()).toBe('character special file 1:3');
    else expect(r.stderr.length).toBeGreaterThan(0);
  });

  // Real runc deviation: runc 1.1.5 (Debian 12) predates the fix and binds the pty over the
  // link's target, so under runc this fails.
  (IS_CAISSON ? it : it.fails)('CVE-2025-52565: a planted /dev/console symlink never redirects the bind of the pty', async () => {
    const { spawn } = await import('node:child_process');
    const { REPO } = await import('../helpers/paths.js');
    const sock = join(sb.dir, 'console.sock');
    const receiver = spawn('python3', [join(REPO, 'test/helpers/console_receiver.py'), sock], { stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      let out = '';
      receiver.stdout.on('data', (d: Buffer) => (out += d.toString()));
      await waitFor(() => (out.includes('listening') ? true : undefined), 'the console receiver');
      const victim = join(sb.dir, 'victim');
      writeFileSync(victim, 'untouched\n');
      // No /dev tmpfs: the rootfs's own /dev, where "console" points elsewhere.
      const bundle = sb.bundle(['sh', '-c', 'true'], (s) => {
        s.process!.terminal = true;
        s.mounts = s.mounts!.filter((m) => m.destination !== '/dev');
        s.mounts.push({ destination: '/victim', type: 'bind', source: victim, options: ['bind', 'rw'] });
      }, { ownRootfs: true });
      symlinkSync('/victim', join(bundle, 'rootfs/dev/console'));
      const id = sb.id();
      const r = await sb.rt(['create', '--console-socket', sock, '--bundle', bundle, id]);
      if (r.code === 0) {
        // Created: the pty must sit on /dev/console itself, not on the link's target.
        const pid = (await sb.state(id)).pid;
        const mounts = readFileSync(`/proc/${pid}/mountinfo`, 'utf8');
        expect(mounts).not.toMatch(/ \/victim .* - devpts /);
      }
      expect(readFileSync(victim, 'utf8')).toBe('untouched\n');
    } finally {
      receiver.kill('SIGKILL');
    }
  });

  it('device cgroup: with no device rules in the config, a device the container makes (CAP_MKNOD) still cannot be opened', async () => {
    // The mknod escape class: root in the container makes a node for a host device and opens it.
    // runc denies every device but its always-allowed ones whatever the config says. (The host's
    // disk would be the real prize, but this machine's own device policy already denies block
    // devices; /dev/loop-control, 10:237, opens for anyone the device cgroup lets through.)
    // In /dev: the container's own tmpfs, which (unlike a rootfs under /tmp) is not nodev.
    const script = 'mknod /dev/lc c 10 237 && echo made; (: < /dev/lc) && echo OPENED; mknod /dev/null2 c 1 3 && echo x > /dev/null2 && echo null-ok';
    const bundle = sb.bundle(['sh', '-c', script], (s) => {
      delete s.linux!.resources;
      const caps = s.process!.capabilities!;
      for (const set of ['bounding', 'effective', 'permitted'] as const) caps[set] = [...new Set([...(caps[set] ?? []), 'CAP_MKNOD'])];
    });
    const r = await sb.rt(['run', '--bundle', bundle, sb.id()]);
    expect(r.stdout, r.stderr).toContain('made');
    expect(r.stdout, r.stderr).not.toContain('OPENED');
    expect(r.stderr).toMatch(/Operation not permitted/);
    // ...while the always-allowed devices stay usable.
    expect(r.stdout).toContain('null-ok');
  });

  it('sysctls reach the real procfs even when the config hides /proc behind a tmpfs', async () => {
    const bundle = sb.bundle(['sleep', '30'], (s) => {
      s.mounts!.push({ destination: '/proc/sys', type: 'tmpfs', source: 'tmpfs' });
      s.linux!.readonlyPaths = [];
      s.linux!.sysctl = { 'kernel.shmmni': '2345' };
    });
    const id = sb.id();
    const r = await sb.rt(['run', '-d', '--bundle', bundle, id]);
    if (r.code !== 0) return; // refusing is also safe
    const pid = (await sb.state(id)).pid;
    // Read the value in the container's IPC namespace through the host's procfs.
    const value = execFileSync('nsenter', ['-t', String(pid), '-i', 'cat', '/proc/sys/kernel/shmmni'], { encoding: 'utf8' }).trim();
    expect(value).toBe('2345');
    expect(readFileSync('/proc/sys/kernel/shmmni', 'utf8').trim()).not.toBe('2345');
  });
});

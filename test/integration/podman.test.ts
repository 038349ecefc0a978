// podman 4.3 (Debian's, through conmon) drives the runtime under test unchanged: `--runtime`, a
// private storage and run root, cgroupfs. Each scenario is what a podman user relies on. Runs
// against caisson and runc.

import { inTerminal } from '../helpers/terminal.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../helpers/containerd.js';
import { buildBusyboxImage, IMAGE_REF } from '../helpers/oci-image.js';
import { TEST_BASE } from '../helpers/paths.js';
import { PrivatePodman } from '../helpers/podman.js';
import { cgroupFileOf } from '../helpers/ctr-checks.js';

const HAVE = existsSync('/usr/bin/podman') && existsSync('/usr/bin/conmon');

let pm: PrivatePodman;

beforeAll(async () => {
  if (!HAVE) return;
  pm = new PrivatePodman('pm');
  const img = buildBusyboxImage(join(TEST_BASE, `image-podman-${process.pid}`));
  const r = await pm.podman(['load', '-i', img.tar]);
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

afterEach(async () => {
  if (HAVE) await pm.removeAll();
});

afterAll(async () => {
  if (!HAVE) return;
  expect(await pm.stop()).toEqual([]);
}, 120_000);

const run = (flags: string[], args: string[]) => pm.podman(['run', '--rm', ...pm.runFlags(), ...flags, IMAGE_REF, ...args]);

async function detached(args: string[], flags: string[] = []): Promise<string> {
  const r = await pm.podman(['run', '-d', ...pm.runFlags(), ...flags, IMAGE_REF, ...args]);
  expect(r.code, r.stderr).toBe(0);
  return pm.track(r.stdout);
}

async function inspect(id: string): Promise<{ State: { Status: string; Pid: number; ExitCode: number } }> {
  const r = await pm.podman(['inspect', id]);
  return (JSON.parse(r.stdout) as { State: { Status: string; Pid: number; ExitCode: number } }[])[0]!;
}

describe.skipIf(!HAVE)('podman --runtime (conmon)', () => {
  it('runs echo, with its output', async () => {
    const r = await run([], ['echo', 'hello from podman']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('hello from podman\n');
  });

  it('passes the exit code through, and 127 for a missing program', async () => {
    expect((await run([], ['sh', '-c', 'exit 42'])).code).toBe(42);
    const missing = await run([], ['/no/such/program']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toMatch(/no such file or directory|executable file not found/);
  });

  it('detached, then exec into it, then stop', async () => {
    const id = await detached(['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.1; done']);
    expect((await inspect(id)).State.Status).toBe('running');
    const e = await pm.podman(['exec', id, 'sh', '-c', 'echo in-exec; cat /proc/1/cmdline | tr "\\0" " "; exit 3']);
    expect(e.stdout).toMatch(/^in-exec\nsh -c /);
    expect(e.code).toBe(3);
    const stop = await pm.podman(['stop', '--time', '10', id]);
    expect(stop.code, stop.stderr).toBe(0);
    const st = await inspect(id);
    expect(st.State.Status).toBe('exited');
    expect(st.State.ExitCode).toBe(0);
  });

  it('pause and unpause', async () => {
    const id = await detached(['sleep', '60']);
    expect((await pm.podman(['pause', id])).code).toBe(0);
    expect((await inspect(id)).State.Status).toBe('paused');
    expect((await pm.podman(['unpause', id])).code).toBe(0);
    expect((await inspect(id)).State.Status).toBe('running');
  });

  it('--memory sets the limit, and update changes it live', async () => {
    const id = await detached(['sleep', '60'], ['--memory', String(64 << 20)]);
    const pid = (await inspect(id)).State.Pid;
    const file = cgroupFileOf(pid, 'memory', 'memory.limit_in_bytes', 'memory.max');
    expect(readFileSync(file, 'utf8').trim()).toBe(String(64 << 20));
    const up = await pm.podman(['update', '--memory', String(96 << 20), id]);
    expect(up.code, up.stderr).toBe(0);
    expect(readFileSync(file, 'utf8').trim()).toBe(String(96 << 20));
  });

  it('--read-only: the rootfs refuses writes, the tmpfs podman adds take them', async () => {
    const r = await run(['--read-only'], ['sh', '-c', 'touch /x 2>&1; touch /tmp/ok && echo tmp-ok']);
    expect(r.stdout).toMatch(/Read-only file system/);
    expect(r.stdout).toContain('tmp-ok');
  });

  it('--user 1000:1000 and --cap-drop ALL', async () => {
    const u = await run(['--user', '1000:1000'], ['id']);
    expect(u.stdout.trim()).toBe('uid=1000(1000) gid=1000(1000) groups=1000(1000)');
    const c = await run(['--cap-drop', 'ALL'], ['grep', '^Cap', '/proc/self/status']);
    for (const line of c.stdout.trim().split('\n')) expect(line).toMatch(/\t0000000000000000$/);
  });

  it('a tty run', async () => {
    const out = await inTerminal(pm.command(['run', '--rm', '-t', ...pm.runFlags(), IMAGE_REF, 'sh', '-c', "'tty; echo tty-ok'"]), 30_000);
    expect(out.out).toMatch(/\/dev\/pts\/\d+/);
    expect(out.out).toContain('tty-ok');
    expect(out.code).toBe(0);
  });

  it('rm leaves nothing: no process, runtime state or cgroup', async () => {
    const id = await detached(['sleep', '60']);
    const pid = (await inspect(id)).State.Pid;
    const memFile = cgroupFileOf(pid, 'memory', 'cgroup.procs', 'cgroup.procs');
    expect((await pm.podman(['rm', '--force', '--time', '0', id])).code).toBe(0);
    await until(() => (existsSync(`/proc/${pid}`) ? undefined : true), 'the container process to go');
    expect(existsSync(memFile)).toBe(false);
    expect(pm.runtimeStateLeft()).toEqual([]);
    expect((await pm.podman(['ps', '-aq'])).stdout.trim()).toBe('');
  });
});

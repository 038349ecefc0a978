// containerd 1.6 drives caisson through caisson's own shim, containerd-shim-caisson-v2: a
// private containerd, `ctr run --runtime <the shim>`, the same scenarios as the runc-v2-shim
// path (containerd.test.ts) plus what only a shim has to get right (containerd restarts, a
// killed shim, many containers on one shim). Nothing may be left after each test.

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cgroupsLeft, mountsBelow, until } from '../helpers/containerd.js';
import { buildBusyboxImage } from '../helpers/oci-image.js';
import { TEST_BASE } from '../helpers/paths.js';
import { IS_CAISSON } from '../helpers/sandbox.js';
import { ShimContainerd } from '../helpers/shim-containerd.js';
import { inTerminal } from '../helpers/terminal.js';
import { expectMetrics, expectPauseResume, memoryLimitOf } from '../helpers/ctr-checks.js';

const HAVE = existsSync('/usr/bin/containerd') && existsSync('/usr/bin/ctr');

let ctd: ShimContainerd;
let image: string;
let n = 0;
const id = () => `s${++n}`;

beforeAll(async () => {
  if (!HAVE || !IS_CAISSON) return;
  ctd = new ShimContainerd('shim');
  await ctd.start();
  const img = buildBusyboxImage(join(TEST_BASE, `image-shim-${process.pid}`));
  const r = await ctd.ctr(['images', 'import', img.tar]);
  expect(r.code, r.stderr).toBe(0);
  image = img.ref;
}, 60_000);

/** After each test: no task, no shim, no mount, no cgroup, no caisson state. */
afterEach(async () => {
  if (!HAVE || !IS_CAISSON) return;
  await ctd.removeAll();
  await ctd.shimsGone();
  expect(mountsBelow(ctd.dir)).toEqual([]);
  expect(ctd.shimStateLeft()).toEqual([]);
  const cgroups = cgroupsLeft(ctd.ns).flatMap((d) => readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `${d}/${e.name}`));
  expect(cgroups).toEqual([]);
}, 30_000);

afterAll(async () => {
  if (!HAVE || !IS_CAISSON) return;
  const problems = await ctd.stop();
  expect(problems).toEqual([]);
}, 60_000);

const run = (cid: string, args: string[], flags: string[] = []) => ctd.ctr(['run', '--rm', ...ctd.shimFlags(), ...flags, image, cid, ...args]);
const runDetached = async (cid: string, args: string[], flags: string[] = []) => {
  const r = await ctd.ctr(['run', '-d', ...ctd.shimFlags(), ...flags, image, cid, ...args]);
  expect(r.code, `${r.stderr}\n${ctd.logTail()}`).toBe(0);
  await until(async () => ((await ctd.taskStatus(cid)) === 'RUNNING' ? true : undefined), `${cid} running`);
};


const ctrCmd = () => `ctr --address ${ctd.sock} --namespace ${ctd.ns}`;

describe.skipIf(!HAVE || !IS_CAISSON)('containerd (containerd-shim-caisson-v2)', () => {
  it('runs to completion with its stdout and exit code', async () => {
    const r = await run(id(), ['sh', '-c', 'echo hello from the container; echo to-stderr >&2; exit 3']);
    expect(r.stdout, `${r.stderr}\n${ctd.logTail()}`).toBe('hello from the container\n');
    expect(r.stderr).toContain('to-stderr');
    expect(r.code).toBe(3);
  });

  it('detached: the task runs under our shim, task ls shows it, kill stops it (seen by polling), delete reports the status', async () => {
    const cid = id();
    await runDetached(cid, ['sh', '-c', 'trap "exit 7" TERM; while :; do sleep 0.1; done']);
    const pid = await ctd.taskPid(cid);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain('sh');
    const ppid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
    expect(ctd.shims()).toContain(ppid); // the init is the shim's own child
    expect((await ctd.ctr(['task', 'kill', cid])).code).toBe(0);
    await until(async () => ((await ctd.taskStatus(cid)) === 'STOPPED' ? true : undefined), `${cid} stopped`);
    const del = await ctd.ctr(['task', 'delete', cid]);
    expect(del.code, del.stderr).toBe(0);
    expect(del.stdout + del.stderr).toMatch(/7/);
    expect(await ctd.taskStatus(cid)).toBeUndefined();
  });

  it('exec: plain (output and exit code), as another user, and with a tty', async () => {
    const cid = id();
    await runDetached(cid, ['sleep', '60']);
    const plain = await ctd.ctr(['task', 'exec', '--exec-id', 'e1', cid, 'sh', '-c', 'tr "\\0" " " < /proc/1/cmdline; echo; exit 4']);
    expect(plain.stdout, plain.stderr).toBe('sleep 60 \n');
    expect(plain.code).toBe(4);
    const user = await ctd.ctr(['task', 'exec', '--exec-id', 'e2', '--user', '1000:1000', cid, 'id']);
    expect(user.stdout.trim()).toBe('uid=1000 gid=1000 groups=1000');
    const tty = await inTerminal(`${ctrCmd()} task exec -t --exec-id e3 ${cid} sh -c 'tty; echo done'`);
    expect(tty.out).toMatch(/\/dev\/pts\/\d+/);
    expect(tty.out).toContain('done');
    expect(tty.code).toBe(0);
    // Output still on its way when the process exits (and ctr deletes it at once) arrives whole,
    // with and without a terminal.
    for (const [n, t] of [['e4', []], ['e5', ['-t']]] as const) {
      const r = t.length
        ? await inTerminal(`${ctrCmd()} task exec -t --exec-id ${n} ${cid} seq 1 30000`)
        : await ctd.ctr(['task', 'exec', '--exec-id', n, cid, 'seq', '1', '30000']);
      const out = 'out' in r ? r.out : r.stdout;
      expect(out.trim().split(/\r?\n/).at(-1), n).toBe('30000');
    }
    const ps = await ctd.ctr(['task', 'ps', cid]);
    expect(ps.code, ps.stderr).toBe(0);
    expect(ps.stdout).toContain(String(await ctd.taskPid(cid)));
  });

  it('pause and resume freeze and thaw every process', async () => {
    const cid = id();
    await runDetached(cid, ['sh', '-c', 'while :; do sleep 0.05; done']);
    const pid = await ctd.taskPid(cid);
    await expectPauseResume(ctd, cid, pid);
  });

  it('metrics report the cgroup counters', async () => {
    const cid = id();
    await runDetached(cid, ['sleep', '60']);
    await expectMetrics(ctd, cid);
  });

  it('a memory limit is applied, and going over it is an OOM kill: exit 137 and a /tasks/oom event', async () => {
    const cid = id();
    await runDetached(cid, ['sleep', '60'], ['--memory-limit', String(32 << 20)]);
    const pid = await ctd.taskPid(cid);
    expect(memoryLimitOf(pid)).toBe(String(32 << 20));
    const events = spawn('ctr', ['--address', ctd.sock, 'events'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    events.stdout.on('data', (d: Buffer) => (seen += d.toString()));
    try {
      await new Promise((r) => setTimeout(r, 300));
      const oid = id();
      const oom = await run(oid, ['sh', '-c', 'exec tail -c 500000000 /dev/zero'], ['--memory-limit', String(24 << 20)]);
      expect(oom.code).toBe(137);
      await until(() => (seen.includes('/tasks/oom') ? true : undefined), 'the oom event', 5000);
      const order = ['/tasks/create', '/tasks/start', '/tasks/oom', '/tasks/exit', '/tasks/delete'].map((t) => seen.split('\n').findIndex((l) => l.includes(t) && l.includes(oid)));
      expect(order.every((i) => i >= 0), seen).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
    } finally {
      events.kill();
    }
  });

  it('a tty run gets a terminal and its output', async () => {
    const r = await inTerminal(`${ctrCmd()} run -t --rm ${ctd.shimFlags().join(' ')} ${image} ${id()} sh -c 'tty; echo tty-ok; exit 2'`);
    expect(r.out).toMatch(/\/dev\/pts\/\d+/);
    expect(r.out).toContain('tty-ok');
    expect(r.code).toBe(2);
  });

  it('stdout to a file:// log and to a binary:// logger', async () => {
    const log = join(ctd.dir, 'out.log');
    const r = await run(id(), ['sh', '-c', 'echo to-file; echo err-file >&2'], ['--log-uri', `file://${log}`]);
    expect(r.code, r.stderr).toBe(0);
    await until(() => (existsSync(log) && readFileSync(log, 'utf8').includes('err-file') ? true : undefined), 'the log file');
    expect(readFileSync(log, 'utf8')).toContain('to-file\n');
    const logger = join(ctd.dir, 'logger.sh');
    const got = join(ctd.dir, 'binary.log');
    writeFileSync(logger, `#!/bin/sh\nexec 5>&-\ncat <&3 >> ${got}\n`);
    chmodSync(logger, 0o755);
    const b = await run(id(), ['sh', '-c', 'echo via-logger'], ['--log-uri', `binary://${logger}`]);
    expect(b.code, b.stderr).toBe(0);
    await until(() => (existsSync(got) && readFileSync(got, 'utf8').includes('via-logger') ? true : undefined), 'the logging binary');
  });

  it('survives a containerd restart: the task keeps running and containerd finds it again', async () => {
    const cid = id();
    await runDetached(cid, ['sleep', '60']);
    const pid = await ctd.taskPid(cid);
    await ctd.restart();
    expect(existsSync(`/proc/${pid}`)).toBe(true);
    expect(await ctd.taskStatus(cid)).toBe('RUNNING');
    const e = await ctd.ctr(['task', 'exec', '--exec-id', 'after', cid, 'echo', 'still-here']);
    expect(e.stdout, e.stderr).toBe('still-here\n');
  });

  it('a SIGKILLed shim: containerd cleans up through the shim binary\'s delete (kill, delete, unmount)', async () => {
    const cid = id();
    await runDetached(cid, ['sleep', '60']);
    const pid = await ctd.taskPid(cid);
    expect(ctd.shimStateLeft()).toEqual([cid]);
    for (const s of ctd.shims()) process.kill(s, 'SIGKILL');
    // containerd 1.6 sees the connection drop and runs `<shim> delete` at once; `ctr task
    // delete` then finds the task gone (or, if it comes first, deletes it the same way).
    await until(async () => ((await ctd.taskStatus(cid)) === 'RUNNING' ? undefined : true), `${cid} no longer running`, 15_000);
    const del = await ctd.ctr(['task', 'delete', cid]);
    expect(del.code === 0 || /not found/.test(del.stderr), del.stderr).toBe(true);
    expect(await ctd.taskStatus(cid)).toBeUndefined();
    // Only the shim binary's delete could have done these: the server was dead.
    await until(() => (existsSync(`/proc/${pid}`) ? undefined : true), 'the orphaned init to be killed');
    expect(ctd.shimStateLeft()).toEqual([]);
    expect(mountsBelow(ctd.dir)).toEqual([]);
  });

  it('twenty containers in one namespace share one shim', async () => {
    const ids = Array.from({ length: 20 }, () => id());
    for (const cid of ids) await runDetached(cid, ['sleep', '60']);
    const shims = ctd.shims();
    expect(shims).toHaveLength(1);
    const parents = new Set<number>();
    for (const cid of ids) {
      const pid = await ctd.taskPid(cid);
      parents.add(Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]));
    }
    expect([...parents]).toEqual(shims);
  }, 120_000);
});

// The library API in-process: no CLI, no process per operation. Typed results and errors,
// exit statuses learnt as the init's parent, many containers at once.

import { execFileSync, spawn } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as native from '../../lib/native.js';
import { ConfigError, NotFoundError, Runtime, StateError, SystemError } from '../../lib/index.js';
import { readProcStat } from '../../lib/state/proc.js';
import { testCgroups } from '../helpers/leftovers.js';
import { REPO } from '../helpers/paths.js';
import { execCollect, IS_CAISSON, Sandbox } from '../helpers/sandbox.js';

// caisson-spawner runs from a sealed memfd copy of itself, and so does every init it clones
// until it execs (native/spawner.c).
const SPAWNER_EXE = /^\/memfd:caisson-spawner \(deleted\)$/;

let sb: Sandbox;
let runtime: Runtime;
beforeEach(() => {
  sb = new Sandbox('library');
  runtime = new Runtime({ root: sb.root });
});
afterEach(async () => {
  await sb.cleanup();
});

// The library is caisson's own: nothing to cross-check against runc here.
describe.skipIf(!IS_CAISSON)('Runtime and Container', () => {
  it('create → start → wait → delete, with the exit status', async () => {
    const c = await runtime.create(sb.id(), { bundle: sb.bundle(['sh', '-c', 'exit 3']) });
    expect(c.state().status).toBe('created');
    await c.start();
    expect(await c.wait()).toMatchObject({ exitCode: 3, signal: null });
    expect(c.state().status).toBe('stopped');
    await c.delete();
    expect(() => runtime.load(c.id)).toThrow(NotFoundError);
  });

  it('containers from one bundle share its checked config, and no lifecycle changes it', async () => {
    const { loadBundle } = await import('../../lib/bundle.js');
    const bundle = sb.bundle(['sh', '-c', 'echo $X'], (s) => {
      s.process!.env!.push('X=1');
      s.process!.rlimits = [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 512 }];
      s.mounts!.push({ destination: '/mnt', type: 'bind', source: sb.dir, options: ['rbind', 'ro'] });
      s.linux!.resources = { pids: { limit: 64 }, memory: { limit: 64 * 1024 * 1024 } };
      s.linux!.sysctl = { 'kernel.shmmax': '65536' };
      s.annotations = { a: 'b' };
    });
    const spec = loadBundle(bundle).spec;
    const before = structuredClone(spec);
    for (let i = 0; i < 2; i++) {
      const c = await runtime.create(sb.id(), { bundle, stdio: 'ignore' });
      await c.start();
      expect(await c.wait()).toMatchObject({ exitCode: 0 });
      await c.delete();
    }
    expect(loadBundle(bundle).spec).toBe(spec);
    expect(spec).toEqual(before);
  });

  it('reports death by signal', async () => {
    const c = await runtime.create(sb.id(), { bundle: sb.bundle(['sleep', '30']) });
    await c.start();
    await c.kill('KILL');
    expect(await c.wait()).toMatchObject({ exitCode: null, signal: 9 });
    await c.delete();
  });

  it('throws typed errors', async () => {
    const bad = sb.bundle(['true'], (s) => (s.process!.cwd = 'relative'));
    const err = await runtime.create(sb.id(), { bundle: bad }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).path).toBe('$.process.cwd');
    expect((err as ConfigError).code).toBe('ECONFIG');

    const mountErr = await runtime
      .create(sb.id(), { bundle: sb.bundle(['true'], (s) => s.mounts!.push({ destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['size=banana'] })) })
      .catch((e: unknown) => e);
    expect(mountErr).toBeInstanceOf(SystemError);
    expect((mountErr as SystemError).step).toMatch(/^mount tmpfs on \/t/);
    expect((mountErr as SystemError).errnoName).toBe('EINVAL');

    const c = await runtime.create(sb.id(), { bundle: sb.bundle(['sleep', '30']) });
    await c.start();
    const again = await c.start().catch((e: unknown) => e);
    expect(again).toBeInstanceOf(StateError);
    expect((again as StateError).message).toBe('cannot start an already running container');
    await c.delete({ force: true });
    expect(sb.stateLeft()).toEqual([]);
  });

  it('runs many containers at once from one process', async () => {
    const bundle = sb.bundle(['sh', '-c', 'echo $$ > /dev/null; exit 0']);
    const containers = await Promise.all(Array.from({ length: 8 }, () => runtime.create(sb.id(), { bundle })));
    await Promise.all(containers.map((c) => c.start()));
    const results = await Promise.all(containers.map((c) => c.wait()));
    expect(results.every((r) => r.exitCode === 0)).toBe(true);
    expect(runtime.list().map((s) => s.status)).toEqual(Array(8).fill('stopped'));
    await Promise.all(containers.map((c) => c.delete()));
    expect(runtime.list()).toEqual([]);
  });

  it('another Runtime on the same root sees the same containers', async () => {
    const c = await runtime.create(sb.id(), { bundle: sb.bundle(['sleep', '30']) });
    const other = new Runtime({ root: sb.root });
    expect(other.load(c.id).state().status).toBe('created');
    await other.load(c.id).start();
    expect(c.state().status).toBe('running');
    await other.load(c.id).delete({ force: true });
    await c.delete({ force: true }).catch(() => undefined);
  });

  it('exec gives a handle with the pid, piped stdio and wait()', async () => {
    const c = await runtime.create(sb.id(), { bundle: sb.bundle(['sleep', '30']) });
    await c.start();
    const p = await c.exec({ args: ['sh', '-c', 'read x; echo "out:$x"; echo err >&2; exit 5'], cwd: '/', env: ['PATH=/bin'] });
    expect(p.pid).toBeGreaterThan(0);
    const collect = (s: NodeJS.ReadableStream) => new Promise<string>((res) => { let t = ''; s.on('data', (d: Buffer) => (t += d)); s.on('end', () => res(t)); });
    const out = collect(p.stdout!);
    const err = collect(p.stderr!);
    p.stdin!.end('hello\n');
    expect(await p.wait()).toMatchObject({ exitCode: 5, signal: null });
    expect(await out).toBe('out:hello\n');
    expect(await err).toBe('err\n');

    const long = await c.exec({ args: ['/bin/sleep', '30'], cwd: '/' });
    expect(c.pids()).toContain(long.pid);
    expect(long.kill('KILL')).toBe(true);
    expect(await long.wait()).toMatchObject({ exitCode: null, signal: 9 });
    // Its pidfd is closed with its exit: a later kill reaches no one (never a reused fd or pid).
    expect(long.kill('KILL')).toBe(false);

    const bad = await c.exec({ args: ['true'], cwd: 'relative' }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ConfigError);
    await c.delete({ force: true });
  });

  it('create takes the init stdio as fds (pipes, as a shim gives them)', async () => {
    const [outR, outW] = native.pipe();
    const [inR, inW] = native.pipe();
    try {
      const c = await runtime.create(sb.id(), { bundle: sb.bundle(['sh', '-c', 'read x; echo "got $x"; echo err >&2']), stdio: [inR, outW, outW] });
      closeSync(inR);
      closeSync(outW);
      writeSync(inW, 'line\n');
      closeSync(inW);
      await c.start();
      expect(await c.wait()).toMatchObject({ exitCode: 0, signal: null });
      const buf = Buffer.alloc(256);
      const n = readSync(outR, buf);
      expect(buf.subarray(0, n).toString()).toBe('got line\nerr\n');
      await c.delete();
    } finally {
      for (const fd of [outR, outW, inR, inW]) {
        try {
          closeSync(fd);
        } catch {
          /* closed above */
        }
      }
    }
  });

  it('cgroup() names its directories and oomKills() counts what the OOM killer took', async () => {
    const c = await runtime.create(sb.id(), {
      bundle: sb.bundle(['sh', '-c', 'sleep 30'], (s) => (s.linux!.resources = { ...s.linux!.resources, memory: { limit: 16 << 20, swap: 16 << 20 } })),
    });
    await c.start();
    const cg = c.cgroup()!;
    expect(['v1', 'v2', 'hybrid']).toContain(cg.layout);
    const memory = cg.layout === 'v2' ? cg.unified! : cg.v1.find((h) => h.controllers.includes('memory'))!.dir;
    expect(readFileSync(`${memory}/cgroup.procs`, 'utf8').split('\n')).toContain(String(c.state().pid));
    expect(c.oomKills()).toBe(0);
    // A process that grows past the limit: the kernel kills it, the count goes up.
    const hog = await c.exec({ args: ['sh', '-c', 'x=a; while :; do x=$x$x; done'], cwd: '/', env: ['PATH=/bin'] });
    expect((await hog.wait()).signal).toBe(9);
    expect(c.oomKills()).toBeGreaterThanOrEqual(1);
    await c.delete({ force: true });
  });

  it('the logger hears each message with the id of the container it is about', async () => {
    const heard: [string, string | undefined][] = [];
    const rt = new Runtime({ root: sb.root, logger: { warn: (m, ctx) => heard.push([m, ctx?.id]), debug: (m, ctx) => heard.push([m, ctx?.id]) } });
    const ids = [sb.id(), sb.id()];
    // Two at once through one logger: each message still names its own container.
    const cs = await Promise.all(ids.map((id) => rt.create(id, { bundle: sb.bundle(['true']) })));
    for (const c of cs) await c.delete({ force: true });
    for (const id of ids) expect(heard.filter(([, who]) => who === id).length).toBeGreaterThan(0);
    expect(heard.filter(([, who]) => !ids.includes(who!))).toEqual([]);
  });

  it('after its first container, a process clones them through caisson-spawner; if that dies, another takes over', async () => {
    const exeOf = (pid: number) => readlinkSync(`/proc/${pid}/exe`);
    const bundle = sb.bundle(['sh', '-c', 'echo "umask $(umask)"']);
    const made: Awaited<ReturnType<Runtime['create']>>[] = [];
    // Ours is not the container's: its init sets runc's 0022 (the spawner is not told ours).
    const ourUmask = process.umask(0o077);
    try {
      for (let i = 0; i < 2; i++) made.push(await runtime.create(sb.id(), { bundle, stdio: 'pipe' }));
      // Created, not started: each init is still the program it was cloned from.
      const exes = made.map((c) => exeOf(c.state().pid));
      expect(exes.some((e) => SPAWNER_EXE.test(e)), exes.join(', ')).toBe(true);
      // Our child too (the inits it clones are ours as well: CLONE_PARENT).
      const inits = made.map((c) => c.state().pid);
      const spawner = childrenNamed('caisson-spawner').filter((p) => !inits.includes(p));
      expect(spawner).toHaveLength(1);
      // A container cloned there is the same container: our child, runc's umask, its output.
      for (const c of made) {
        const out = text(c.stdout!);
        c.stdin!.end();
        await c.start();
        expect(await c.wait()).toMatchObject({ exitCode: 0 });
        expect(await out).toBe('umask 0022\n');
      }
      process.kill(spawner[0]!, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 50));
      // The request that finds it dead fails over: the addon clones, or starts a new spawner.
      const after = await runtime.create(sb.id(), { bundle, stdio: 'ignore' });
      made.push(after);
      await after.start();
      expect(await after.wait()).toMatchObject({ exitCode: 0 });
      // The next one finds a new spawner.
      const next = await runtime.create(sb.id(), { bundle, stdio: 'ignore' });
      made.push(next);
      expect(exeOf(next.state().pid)).toMatch(SPAWNER_EXE);
      expect(childrenNamed('caisson-spawner').filter((p) => p !== next.state().pid && !inits.includes(p))).not.toContain(spawner[0]);
    } finally {
      process.umask(ourUmask);
      for (const c of made) await c.delete({ force: true });
    }
  });
});

describe.skipIf(!IS_CAISSON)('through caisson-spawner', () => {
  it('the spawner and its inits run from a sealed copy, which a "#!/proc/self/exe" program cannot use (CVE-2019-5736)', async () => {
    await startSpawner();
    const [spawner] = childrenNamed('caisson-spawner');
    expect(readlinkSync(`/proc/${spawner}/exe`)).toMatch(SPAWNER_EXE);
    // Not the host's file: the copy can be opened but never written.
    expect(() => closeSync(openSync(`/proc/${spawner}/exe`, 'r+'))).toThrow(/ETXTBSY|EPERM/);
    // An init execs the container's program straight from there (no trampoline), so the old
    // exploit finds this copy as /proc/self/exe. Given the host's libraries, the copy runs, sees
    // it was not started by the addon, and does nothing.
    const bundle = sb.bundle(['/bin/evil'], undefined, { ownRootfs: true });
    const rootfs = join(bundle, 'rootfs');
    const libs = execFileSync('ldd', [join(REPO, 'build/Release/caisson-spawner')], { encoding: 'utf8' }).match(/\/\S+\.so[.\d]*/g) ?? [];
    for (const lib of new Set(libs)) {
      mkdirSync(join(rootfs, dirname(lib)), { recursive: true });
      copyFileSync(lib, join(rootfs, lib));
    }
    writeFileSync(join(rootfs, 'bin/evil'), '#!/proc/self/exe\n', { mode: 0o755 });
    const c = await runtime.create(sb.id(), { bundle, stdio: 'pipe' });
    try {
      expect(readlinkSync(`/proc/${c.state().pid}/exe`)).toMatch(SPAWNER_EXE);
      const err = text(c.stderr!);
      c.stdin!.end();
      await c.start();
      expect(await c.wait()).toMatchObject({ exitCode: 127 });
      expect(await err).toMatch(/caisson-spawner: started by caisson's addon only/);
    } finally {
      await c.delete({ force: true });
    }
  });

  it('two-stage plans run there too: a user namespace mapped by the parent, an exec joining it', async () => {
    await startSpawner();
    const c = await runtime.create(sb.id(), {
      bundle: sb.bundle(['sleep', '30'], (s) => {
        s.linux!.namespaces!.push({ type: 'user' });
        s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
        s.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      }),
      stdio: 'ignore',
    });
    try {
      expect(readlinkSync(`/proc/${c.state().pid}/exe`)).toMatch(SPAWNER_EXE);
      await c.start();
      const p = await c.exec({ args: ['cat', '/proc/self/uid_map'], cwd: '/', env: ['PATH=/bin'] });
      const out = text(p.stdout!);
      expect(await p.wait()).toMatchObject({ exitCode: 0 });
      expect((await out).trim().split(/\s+/)).toEqual(['0', '100000', '65536']);
    } finally {
      await c.delete({ force: true });
    }
  });
});

describe.skipIf(!IS_CAISSON)('inits cloned ahead by caisson-spawner', () => {
  // With a spawner up, create asks it for the init as soon as the init's cgroups exist, and sends
  // the plan once it is built; whatever fails in between must take that init with it.
  const spawnerKids = (exclude: number[] = []) => childrenNamed('caisson-spawner').filter((p) => !exclude.includes(p));

  it('a failure after the clone was asked for (a cgroup write the kernel refuses) kills and reaps that init', async () => {
    await startSpawner();
    const before = spawnerKids();
    expect(before).toHaveLength(1); // the spawner itself
    const err = await runtime
      .create(sb.id(), { bundle: sb.bundle(['true'], (s) => (s.linux!.resources = { cpu: { cpus: '4095' } })), stdio: 'ignore' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SystemError);
    expect((err as SystemError).message).toMatch(/cpuset\.cpus/);
    // Not even a zombie is left: the init was killed and reaped before create returned.
    expect(spawnerKids()).toEqual(before);
    expect(sb.stateLeft()).toEqual([]);
    // The spawner is still good for the next one, which runs its plan.
    const c = await runtime.create(sb.id(), { bundle: sb.bundle(['sh', '-c', 'exit 7']), stdio: 'ignore' });
    expect(readlinkSync(`/proc/${c.state().pid}/exe`)).toMatch(SPAWNER_EXE);
    await c.start();
    expect(await c.wait()).toMatchObject({ exitCode: 7 });
    await c.delete();
  });

  it('come with their start time, so their state is written while they set up: the same record, and no file left over', async () => {
    await startSpawner();
    const c = await runtime.create(sb.id(), { bundle: sb.bundle(['sleep', '30']), stdio: 'ignore' });
    try {
      const pid = c.state().pid;
      expect(readlinkSync(`/proc/${pid}/exe`)).toMatch(SPAWNER_EXE);
      const startTime = readProcStat(pid)!.startTime;
      expect(JSON.parse(readFileSync(join(sb.root, c.id, 'state.json'), 'utf8'))).toMatchObject({ pid, startTime });
      expect(readdirSync(join(sb.root, c.id)).sort()).toEqual(['start.sock', 'state.json']);
      // Whoever reads the state (another process, the CLI) sees a created container.
      expect(new Runtime({ root: sb.root }).load(c.id).state().status).toBe('created');
      // The start time is the spawner's to give (without it create reads /proc itself).
      const ahead = native.spawnAhead(3, undefined, 0)!;
      try {
        const child = ahead.result()!;
        expect(child.startTime).toBe(readProcStat(child.pid)!.startTime);
      } finally {
        await ahead.abandon();
      }
    } finally {
      await c.delete({ force: true });
    }
  });

  it('a spawner slow to answer does not hold up the event loop: other work runs while create waits', async () => {
    await startSpawner();
    const [spawner] = spawnerKids();
    // Stopped, it answers nothing until another process lets it go on 300 ms later (a timer of
    // ours could not, if the wait blocked the loop).
    process.kill(spawner!, 'SIGSTOP');
    const resume = spawn('sh', ['-c', `sleep 0.3; kill -CONT ${spawner}`], { stdio: 'ignore' });
    const resumed = new Promise((r) => resume.once('exit', r));
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    try {
      const c = await runtime.create(sb.id(), { bundle: sb.bundle(['true']), stdio: 'ignore' });
      expect(readlinkSync(`/proc/${c.state().pid}/exe`)).toMatch(SPAWNER_EXE);
      await c.delete({ force: true });
      expect(ticks).toBeGreaterThanOrEqual(10);
    } finally {
      clearInterval(ticker);
      process.kill(spawner!, 'SIGCONT');
      await resumed;
    }
  });

  it('a spawner that dies while create waits for it fails that create cleanly, and the next one works', async () => {
    await startSpawner();
    const [spawner] = spawnerKids();
    process.kill(spawner!, 'SIGSTOP');
    const id = sb.id();
    const pending = runtime.create(id, { bundle: sb.bundle(['true']), stdio: 'ignore' }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50)); // it polls the socket now
    process.kill(spawner!, 'SIGKILL');
    const err = await pending;
    expect(err).toBeInstanceOf(SystemError);
    expect((err as SystemError).message).toMatch(/caisson-spawner died/);
    // Nothing of it is left: no state, no cgroup, no child.
    expect(() => runtime.load(id)).toThrow(NotFoundError);
    expect(sb.stateLeft()).toEqual([]);
    expect(testCgroups(new RegExp(`^${id}$`))).toEqual([]);
    expect(spawnerKids()).toEqual([]);
    const c = await runtime.create(sb.id(), { bundle: sb.bundle(['sh', '-c', 'exit 4']), stdio: 'ignore' });
    await c.start();
    expect(await c.wait()).toMatchObject({ exitCode: 4 });
    await c.delete();
  });

  it('a process that waited for a slow spawner still exits once its containers are done', async () => {
    // In a process of its own. One create waits for its reply on a poll of the spawner's socket;
    // a second reads that reply on its way to its own before the loop ever runs the poll. The
    // poll then waits for input that never comes, and must not keep the process alive.
    const script = join(sb.dir, 'waits-then-exits.mjs');
    const [warm1, warm2, waiting, reading] = [sb.id(), sb.id(), sb.id(), sb.id()];
    const hold = (ms: number) => `Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${ms})`;
    writeFileSync(
      script,
      [
        `import { readFileSync } from 'node:fs';`,
        `const { Runtime } = await import(${JSON.stringify(join(REPO, 'dist/index.js'))});`,
        // The second create's plan is logged between its request and its read of the reply:
        // held there, its reply comes in, and the read finds both.
        `let holdAt = '';`,
        `const debug = (m) => { if (holdAt && m.startsWith('plan for ' + holdAt)) ${hold(200)}; };`,
        `const runtime = new Runtime({ root: ${JSON.stringify(join(sb.dir, 'exits-root'))}, logger: { debug } });`,
        `const once = async (id) => { const c = await runtime.create(id, { bundle: ${JSON.stringify(sb.bundle(['true']))}, stdio: 'ignore' }); await c.delete({ force: true }); };`,
        `await once(${JSON.stringify(warm1)});`,
        `await once(${JSON.stringify(warm2)});`,
        `const kids = readFileSync('/proc/self/task/' + process.pid + '/children', 'utf8').split(' ').filter(Boolean);`,
        `const spawner = Number(kids.find((p) => readFileSync('/proc/' + p + '/comm', 'utf8').trim() === 'caisson-spawner'));`,
        `process.kill(spawner, 'SIGSTOP');`,
        `const first = once(${JSON.stringify(waiting)});`,
        `await new Promise((r) => setTimeout(r, 20));`,
        `process.kill(spawner, 'SIGCONT');`,
        `${hold(100)};`,
        `holdAt = ${JSON.stringify(reading)};`,
        `await Promise.all([first, once(${JSON.stringify(reading)})]);`,
        `console.log('done');`,
      ].join('\n'),
    );
    const r = await execCollect(process.execPath, [script], { timeoutMs: 10_000 });
    expect(r.stdout.trim()).toBe('done');
    expect(r.code, r.stderr).toBe(0);
  });

  it('a reply read by another caller is put aside and still reaches its waiter', async () => {
    await startSpawner();
    const [spawner] = spawnerKids();
    const aheads: native.Ahead[] = [];
    process.kill(spawner!, 'SIGSTOP');
    try {
      const first = native.spawnAhead(3, undefined, 0)!;
      aheads.push(first);
      const firstReply = first.settled();
      await new Promise((r) => setTimeout(r, 20)); // it polls the socket now
      process.kill(spawner!, 'SIGCONT');
      // Its reply comes while the loop is held here, so nothing has seen it yet...
      holdEventLoop(200);
      // ...and this caller reads it first, on its way to its own, and puts it aside. It waits for
      // its own on a socket the poll left non-blocking (O_NONBLOCK is the socket's, not the fd's).
      const second = native.spawnAhead(3, undefined, 0)!;
      aheads.push(second);
      const secondChild = second.result()!;
      const got = await Promise.race([firstReply, new Promise((r) => setTimeout(() => r('no reply in 5 s'), 5000))]);
      expect(got).toMatchObject({ pid: expect.any(Number) });
      expect((got as native.AheadChild).pid).not.toBe(secondChild.pid);
    } finally {
      process.kill(spawner!, 'SIGCONT');
      for (const a of aheads) await a.abandon();
    }
  });

  it('a reply read by a worker thread (which shares the spawner) still reaches its waiter here', async () => {
    await startSpawner();
    const [spawner] = spawnerKids();
    // The worker runs creates of its own once told to (flag[0] = 1), and says when one is done
    // (flag[1] = 1): its first clones locally, its second goes through our spawner.
    const flag = new Int32Array(new SharedArrayBuffer(8));
    const worker = new Worker(
      [
        `const { workerData } = require('node:worker_threads');`,
        `const flag = workerData.flag;`,
        `(async () => {`,
        `  const { Runtime } = await import(${JSON.stringify(pathToFileURL(join(REPO, 'dist/index.js')).href)});`,
        `  const runtime = new Runtime({ root: workerData.root });`,
        `  const once = async (id) => { const c = await runtime.create(id, { bundle: workerData.bundle, stdio: 'ignore' }); await c.delete({ force: true }); };`,
        `  await once(workerData.ids[0]);`,
        `  Atomics.store(flag, 1, 1); Atomics.notify(flag, 1);`,
        `  while (Atomics.load(flag, 0) === 0) await new Promise((r) => setTimeout(r, 1));`,
        `  await once(workerData.ids[1]);`,
        `  Atomics.store(flag, 1, 2); Atomics.notify(flag, 1);`,
        `})().catch((e) => { console.error(e); Atomics.store(flag, 1, -1); Atomics.notify(flag, 1); });`,
      ].join('\n'),
      { eval: true, workerData: { flag, root: join(sb.dir, 'worker-root'), bundle: sb.bundle(['true']), ids: [sb.id(), sb.id()] } },
    );
    const exited = new Promise((r) => worker.once('exit', r));
    try {
      while (Atomics.load(flag, 1) === 0) await new Promise((r) => setTimeout(r, 5));
      expect(Atomics.load(flag, 1)).toBe(1);
      process.kill(spawner!, 'SIGSTOP');
      const waiting = runtime.create(sb.id(), { bundle: sb.bundle(['true']), stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 20)); // it polls the socket now
      process.kill(spawner!, 'SIGCONT');
      holdEventLoop(100); // its reply comes, unread
      // With this loop still held, the worker's create reads that reply first and puts it aside.
      Atomics.store(flag, 0, 1);
      Atomics.wait(flag, 1, 1, 5000);
      expect(Atomics.load(flag, 1)).toBe(2);
      const c = await Promise.race([waiting, new Promise<string>((r) => setTimeout(() => r('no create in 5 s'), 5000))]);
      expect(c).not.toBe('no create in 5 s');
      await (c as Awaited<typeof waiting>).delete({ force: true });
    } finally {
      process.kill(spawner!, 'SIGCONT');
      await worker.terminate();
      await exited;
    }
  });

  it('many at once keep each plan with its own init', async () => {
    await startSpawner();
    const made = await Promise.all(
      Array.from({ length: 6 }, (_, i) => runtime.create(sb.id(), { bundle: sb.bundle(['sh', '-c', `echo $HOSTNAME; exit ${i}`], (s) => (s.hostname = `h${i}`)), stdio: 'pipe' })),
    );
    try {
      const results = await Promise.all(
        made.map(async (c) => {
          const out = text(c.stdout!);
          c.stdin!.end();
          await c.start();
          return { exit: (await c.wait()).exitCode, out: (await out).trim() };
        }),
      );
      expect(results).toEqual(Array.from({ length: 6 }, (_, i) => ({ exit: i, out: `h${i}` })));
    } finally {
      for (const c of made) await c.delete({ force: true });
    }
  });
});

describe.skipIf(!IS_CAISSON)('network namespaces made ahead by caisson-spawner', () => {
  it('give every container a fresh one of its own, never the host\'s, and nothing else of the spawner reaches it', async () => {
    const nsOf = (pid: number) => readlinkSync(`/proc/${pid}/ns/net`);
    await startSpawner();
    const made: Awaited<ReturnType<Runtime['create']>>[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        // Idle a moment, so the spawner has made the next namespace before the request comes.
        await new Promise((r) => setTimeout(r, 30));
        made.push(await runtime.create(sb.id(), { bundle: sb.bundle(['sleep', '30']), stdio: 'ignore' }));
      }
      const pids = made.map((c) => c.state().pid);
      for (const pid of pids) expect(readlinkSync(`/proc/${pid}/exe`)).toMatch(SPAWNER_EXE);
      const nets = pids.map(nsOf);
      expect(new Set(nets).size).toBe(3);
      expect(nets).not.toContain(nsOf(process.pid));
      // The spawner already holds the next one: a namespace no container has yet.
      const spawner = childrenNamed('caisson-spawner').filter((p) => !pids.includes(p));
      expect(spawner).toHaveLength(1);
      const held = readdirSync(`/proc/${spawner[0]}/fd`).map((fd) => readlinkSync(`/proc/${spawner[0]}/fd/${fd}`));
      const pooled = held.filter((l) => l.startsWith('net:') && l !== nsOf(process.pid));
      expect(pooled).toHaveLength(1);
      expect(nets).not.toContain(pooled[0]);
      for (const c of made) {
        await c.start();
        // Once it runs its program: only the container's stdio, not the spawner's socket or its
        // namespaces.
        const pid = c.state().pid;
        for (let i = 0; i < 100 && SPAWNER_EXE.test(readlinkSync(`/proc/${pid}/exe`)); i++) await new Promise((r) => setTimeout(r, 10));
        expect(readdirSync(`/proc/${pid}/fd`).sort()).toEqual(['0', '1', '2']);
        // Fresh: a loopback, down, and nothing else.
        const p = await c.exec({ args: ['cat', '/proc/net/dev', '/sys/class/net/lo/operstate'], cwd: '/', env: ['PATH=/bin'] });
        const out = text(p.stdout!);
        expect(await p.wait()).toMatchObject({ exitCode: 0 });
        const lines = (await out).trim().split('\n');
        expect(lines.slice(2, -1).map((l) => l.split(':')[0]!.trim())).toEqual(['lo']);
        expect(lines.at(-1)).toBe('down');
      }
    } finally {
      for (const c of made) await c.delete({ force: true });
    }
  });
});

/**
 * Have this process's caisson-spawner running: it starts with the second container a process
 * creates, so a test run alone (not after others in this file) makes two.
 */
async function startSpawner(): Promise<void> {
  for (let i = 0; i < 2 && childrenNamed('caisson-spawner').length === 0; i++) {
    const c = await runtime.create(sb.id(), { bundle: sb.bundle(['true']), stdio: 'ignore' });
    await c.delete({ force: true });
  }
}

/** Block this thread (and so its event loop) for `ms`, as a busy stretch of synchronous work would. */
function holdEventLoop(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Our children whose comm is `name`. */
function childrenNamed(name: string): number[] {
  const out: number[] = [];
  for (const t of readdirSync('/proc/self/task')) {
    for (const p of readFileSync(`/proc/self/task/${t}/children`, 'utf8').split(' ').filter(Boolean)) {
      try {
        if (readFileSync(`/proc/${p}/comm`, 'utf8').trim() === name) out.push(Number(p));
      } catch {
        /* gone */
      }
    }
  }
  return out;
}

const text = (s: NodeJS.ReadableStream) => new Promise<string>((res) => { let t = ''; s.on('data', (d: Buffer) => (t += d)); s.on('end', () => res(t)); });

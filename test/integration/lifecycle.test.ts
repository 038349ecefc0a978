// The OCI lifecycle through the CLI, as runc behaves: create → start → state → kill → delete,
// run in the foreground and detached, pid files, exit codes and signals.
// Runs against caisson by default, and against runc with RUNTIME=/usr/sbin/runc.

import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catches, eventually } from '../helpers/poll.js';
import { IS_CAISSON, Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox('lifecycle');
});
afterEach(async () => {
  await sb.cleanup();
});

const waitForStatus = (id: string, status: string) => sb.waitForStatus(id, status);

describe('create / start / state / kill / delete', () => {
  it('creates a container that waits, starts it, and reports each status', async () => {
    const bundle = sb.bundle(['sh', '-c', 'echo started > /dev/shm/x; sleep 30']);
    const id = sb.id();
    const pidFile = join(sb.dir, 'init.pid');
    const created = await sb.rt(['create', '--bundle', bundle, '--pid-file', pidFile, id]);
    expect(created.code, created.stderr).toBe(0);

    // The pid file holds bare digits, no newline (go-runc parses it with Atoi).
    const pidText = readFileSync(pidFile, 'utf8');
    expect(pidText).toMatch(/^\d+$/);

    const s1 = await sb.state(id);
    expect(s1.status).toBe('created');
    expect(s1.pid).toBe(Number(pidText));
    expect(s1.id).toBe(id);
    expect(s1.bundle).toBe(bundle);
    expect(typeof s1.ociVersion).toBe('string');
    expect(s1.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
    // The user program has not run yet: the init is still the runtime's, not sh.
    expect(readFileSync(`/proc/${s1.pid}/cmdline`, 'utf8')).not.toContain('sleep');

    const started = await sb.rt(['start', id]);
    expect(started.code, started.stderr).toBe(0);
    expect((await sb.state(id)).status).toBe('running');
    await sleep(50);
    expect(readFileSync(`/proc/${s1.pid}/cmdline`, 'utf8')).toContain('sleep');

    // start on a running container is refused.
    const again = await sb.rt(['start', id]);
    expect(again.code).not.toBe(0);

    const killed = await sb.rt(['kill', id, 'KILL']);
    expect(killed.code, killed.stderr).toBe(0);
    await waitForStatus(id, 'stopped');
    expect((await sb.state(id)).pid).toBe(0);

    const deleted = await sb.rt(['delete', id]);
    expect(deleted.code, deleted.stderr).toBe(0);
    const gone = await sb.rt(['state', id]);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toMatch(/does not exist/);
  });

  it("passes create's stdout and stderr to the container process", async () => {
    const outFile = join(sb.dir, 'out.txt');
    const errFile = join(sb.dir, 'err.txt');
    const out = openSync(outFile, 'w');
    const err = openSync(errFile, 'w');
    const bundle = sb.bundle(['sh', '-c', 'echo to-stdout; echo to-stderr >&2']);
    const id = sb.id();
    const r = await sb.rt(['create', '--bundle', bundle, id], { stdio: ['ignore', out, err] });
    closeSync(out);
    closeSync(err);
    expect(r.code, readFileSync(errFile, 'utf8')).toBe(0);
    expect((await sb.rt(['start', id])).code).toBe(0);
    await waitForStatus(id, 'stopped');
    expect(readFileSync(outFile, 'utf8')).toBe('to-stdout\n');
    expect(readFileSync(errFile, 'utf8')).toBe('to-stderr\n');
  });

  it('kill accepts signal names with and without SIG, and numbers', async () => {
    for (const sig of ['TERM', 'SIGTERM', '15', 'sigterm']) {
      const bundle = sb.bundle(['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.05; done']);
      const id = sb.id();
      expect((await sb.rt(['run', '--detach', '--bundle', bundle, id])).code).toBe(0);
      // Until the trap is set, pid 1 ignores TERM.
      const pid = (await sb.state(id)).pid;
      await eventually(() => catches(pid, 15));
      const k = await sb.rt(['kill', id, sig]);
      expect(k.code, `kill ${sig}: ${k.stderr}`).toBe(0);
      await waitForStatus(id, 'stopped');
      expect((await sb.rt(['delete', id])).code).toBe(0);
    }
  });

  it('kill with no signal sends SIGTERM', async () => {
    const bundle = sb.bundle(['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.05; done']);
    const id = sb.id();
    expect((await sb.rt(['run', '-d', '--bundle', bundle, id])).code).toBe(0);
    const pid = (await sb.state(id)).pid;
    await eventually(() => catches(pid, 15));
    expect((await sb.rt(['kill', id])).code).toBe(0);
    await waitForStatus(id, 'stopped');
  });

  it('kill --all signals every process of the container', async () => {
    const bundle = sb.bundle(['sh', '-c', 'sleep 60 & sleep 60 & wait']);
    const id = sb.id();
    expect((await sb.rt(['run', '-d', '--bundle', bundle, id])).code).toBe(0);
    await sleep(100);
    const k = await sb.rt(['kill', '--all', id, 'KILL']);
    expect(k.code, k.stderr).toBe(0);
    await waitForStatus(id, 'stopped');
  });

  it('rejects a bad signal', async () => {
    const bundle = sb.bundle(['sleep', '30']);
    const id = sb.id();
    expect((await sb.rt(['run', '-d', '--bundle', bundle, id])).code).toBe(0);
    const k = await sb.rt(['kill', id, 'SIGNOPE']);
    expect(k.code).not.toBe(0);
    if (IS_CAISSON) expect(k.stderr).toMatch(/unknown signal.*SIGNOPE/);
    expect((await sb.state(id)).status).toBe('running');
  });

  it('kill of a stopped container fails with "container not running"', async () => {
    const bundle = sb.bundle(['true']);
    const id = sb.id();
    expect((await sb.rt(['run', '-d', '--bundle', bundle, id])).code).toBe(0);
    await waitForStatus(id, 'stopped');
    const k = await sb.rt(['kill', id, 'KILL']);
    expect(k.code).not.toBe(0);
    expect(k.stderr).toMatch(/container not running/);
  });

  it('delete refuses a running container, and --force kills it first', async () => {
    const bundle = sb.bundle(['sleep', '30']);
    const id = sb.id();
    expect((await sb.rt(['run', '-d', '--bundle', bundle, id])).code).toBe(0);
    const pid = (await sb.state(id)).pid;
    const d = await sb.rt(['delete', id]);
    expect(d.code).not.toBe(0);
    expect(d.stderr).toMatch(/running/);
    const f = await sb.rt(['delete', '--force', id]);
    expect(f.code, f.stderr).toBe(0);
    expect(existsSync(`/proc/${pid}/cmdline`) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('sleep')).toBe(false);
    expect(sb.stateLeft()).toEqual([]);
  });

  it('delete of a created container kills its init', async () => {
    const bundle = sb.bundle(['sleep', '30']);
    const id = sb.id();
    expect((await sb.rt(['create', '--bundle', bundle, id])).code).toBe(0);
    const pid = (await sb.state(id)).pid;
    const d = await sb.rt(['delete', id]);
    expect(d.code, d.stderr).toBe(0);
    await sleep(50);
    const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
    expect(stat === '' || / [ZX] /.test(stat)).toBe(true);
  });

  it('an id that is taken is refused and the first container is untouched', async () => {
    const bundle = sb.bundle(['sleep', '30']);
    const id = sb.id();
    expect((await sb.rt(['create', '--bundle', bundle, id])).code).toBe(0);
    const second = await sb.rt(['create', '--bundle', bundle, id]);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toMatch(/already exists/);
    expect((await sb.state(id)).status).toBe('created');
  });

  it('operations on a missing id fail clearly', async () => {
    for (const cmd of [['start'], ['state'], ['kill'], ['delete']]) {
      const r = await sb.rt([...cmd, 'no-such-container']);
      expect(r.code, cmd[0]).not.toBe(0);
      expect(r.stderr).toMatch(/does not exist/);
    }
  });

  it('calls without an id fail with a usage error', async () => {
    for (const cmd of ['create', 'start', 'state', 'kill', 'delete', 'run']) {
      const r = await sb.rt([cmd]);
      expect(r.code, cmd).not.toBe(0);
      expect(r.stderr).toMatch(/argument/);
    }
  });

  it('list shows the containers of the root', async () => {
    const bundle = sb.bundle(['sleep', '30']);
    const id = sb.id();
    expect((await sb.rt(['create', '--bundle', bundle, id])).code).toBe(0);
    const r = await sb.rt(['list', '--format', 'json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout);
    expect(list.map((c: { id: string }) => c.id)).toEqual([id]);
    expect(list[0].status).toBe('created');
    const q = await sb.rt(['list', '-q']);
    expect(q.stdout.trim()).toBe(id);
  });
});

describe('run', () => {
  it('runs in the foreground and exits with the container status', async () => {
    for (const code of [0, 3, 42]) {
      const r = await sb.run(sb.bundle(['sh', '-c', `echo out-${code}; exit ${code}`]));
      expect(r.code, r.stderr).toBe(code);
      expect(r.stdout).toBe(`out-${code}\n`);
      expect(sb.stateLeft()).toEqual([]);
    }
  });

  it('exits with 128+n when a signal kills the container', async () => {
    const bundle = sb.bundle(['sh', '-c', 'echo ready; sleep 30']);
    const id = sb.id();
    const running = sb.rt(['run', '--bundle', bundle, id]);
    await waitForStatus(id, 'running');
    await sleep(100);
    expect((await sb.rt(['kill', id, 'KILL'])).code).toBe(0);
    const r = await running;
    expect(r.code).toBe(137);
    expect(r.stdout).toBe('ready\n');
  });

  it('forwards signals to the container', async () => {
    const bundle = sb.bundle(['sh', '-c', 'trap "echo got-term; exit 7" TERM; echo ready; while :; do sleep 0.05; done']);
    const id = sb.id();
    const { spawn } = await import('node:child_process');
    const { RUNTIME } = await import('../helpers/sandbox.js');
    const child = spawn(RUNTIME, ['--root', sb.root, 'run', '--bundle', bundle, id], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    // The trap is set before "ready": a TERM before it would be lost (pid 1 ignores it by default).
    await eventually(() => out.includes('ready'), 10_000);
    expect(out).toContain('ready');
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(out).toContain('got-term');
    expect(code).toBe(7);
  });

  it('run --detach returns at once and leaves the container running', async () => {
    const bundle = sb.bundle(['sleep', '30']);
    const id = sb.id();
    const pidFile = join(sb.dir, 'run.pid');
    const r = await sb.rt(['run', '--detach', '--pid-file', pidFile, '--bundle', bundle, id]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(pidFile, 'utf8')).toMatch(/^\d+$/);
    expect((await sb.state(id)).status).toBe('running');
  });

  it('a missing executable fails create, naming it, and leaves nothing behind', async () => {
    const r = await sb.run(sb.bundle(['/no/such/binary']));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no such file or directory/);
    const r2 = await sb.run(sb.bundle(['no-such-command']));
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toMatch(/executable file not found/);
    expect(sb.stateLeft()).toEqual([]);
  });

  it('concurrent state and kill on one container are safe', async () => {
    const bundle = sb.bundle(['sleep', '30']);
    const id = sb.id();
    expect((await sb.rt(['run', '-d', '--bundle', bundle, id])).code).toBe(0);
    const results = await Promise.all([
      ...Array.from({ length: 6 }, () => sb.rt(['state', id])),
      sb.rt(['kill', id, 'KILL']),
      sb.rt(['delete', '--force', id]),
    ]);
    for (const r of results.slice(0, 6)) {
      // Each state either saw the container or (after delete) reported it gone; never garbage.
      if (r.code === 0) expect(JSON.parse(r.stdout).id).toBe(id);
      else expect(r.stderr).toMatch(/does not exist/);
    }
    expect(results[7]!.code).toBe(0);
  });
});

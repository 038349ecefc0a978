// Cgroups on this (hybrid) host, checked from outside and inside: limits written, OOM kills seen,
// pids limits biting, live updates, pause, the device controller, kill --all, ps, events, and
// cleanup. Runs against caisson and runc.

import { existsSync, mkdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Spec } from '../../spec/types.js';
import { testCgroups } from '../helpers/leftovers.js';
import { alive, eventually } from '../helpers/poll.js';
import { IS_CAISSON, RUNTIME, Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox('cgroups');
});
afterEach(async () => {
  await sb.cleanup();
});

/** The host directory of a process's cgroup for a v1 controller (or "" for cgroup2). */
function cgroupDir(pid: number, controller: string): string {
  for (const line of readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n')) {
    const [, ctrls, path] = line.split(':') as [string, string, string];
    if (controller === '' ? ctrls === '' : ctrls.split(',').includes(controller)) {
      return controller === '' ? `/sys/fs/cgroup/unified${path}` : `/sys/fs/cgroup/${controller}${path}`;
    }
  }
  throw new Error(`no ${controller} cgroup for ${pid}`);
}
/** rmdir an (empty) cgroup in every hierarchy: what runc leaves behind of the parents it made. */
function removeEverywhere(path: string, relative = false): void {
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n')) {
    const [, ctrls, own] = line.split(':') as [string, string, string];
    const mount = ctrls === '' ? '/sys/fs/cgroup/unified' : `/sys/fs/cgroup/${ctrls.replace('name=', '')}`;
    try {
      rmdirSync(`${mount}${relative ? (own === '/' ? '' : own) + '/' : ''}${path}`);
    } catch {
      /* not there, or already removed */
    }
  }
}

const file = (pid: number, ctrl: string, f: string) => readFileSync(`${cgroupDir(pid, ctrl)}/${f}`, 'utf8').trim();

async function detached(args: string[], edit?: (s: Spec) => void): Promise<{ id: string; pid: number }> {
  const id = sb.id();
  const r = await sb.rt(['run', '-d', '--bundle', sb.bundle(args, edit), id]);
  expect(r.code, r.stderr).toBe(0);
  return { id, pid: (await sb.state(id)).pid };
}

async function waitStatus(id: string, status: string, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await sb.state(id).catch(() => ({ status: 'gone' }))).status !== status) {
    if (Date.now() > deadline) throw new Error(`${id} never became ${status}`);
    await sleep(25);
  }
}

describe('resources', () => {
  it('writes memory, cpu and pids limits into the container cgroup', async () => {
    const { pid } = await detached(['sleep', '30'], (s) => {
      s.linux!.resources = {
        memory: { limit: 64 << 20, reservation: 32 << 20, swap: 96 << 20 },
        cpu: { shares: 512, quota: 50000, period: 100000 },
        pids: { limit: 42 },
      };
    });
    expect(file(pid, 'memory', 'memory.limit_in_bytes')).toBe(String(64 << 20));
    expect(file(pid, 'memory', 'memory.soft_limit_in_bytes')).toBe(String(32 << 20));
    expect(file(pid, 'memory', 'memory.memsw.limit_in_bytes')).toBe(String(96 << 20));
    expect(file(pid, 'cpu', 'cpu.shares')).toBe('512');
    expect(file(pid, 'cpu', 'cpu.cfs_quota_us')).toBe('50000');
    expect(file(pid, 'cpu', 'cpu.cfs_period_us')).toBe('100000');
    expect(file(pid, 'pids', 'pids.max')).toBe('42');
  });

  it('the container sees its own limits at /sys/fs/cgroup', async () => {
    const r = await sb.run(
      sb.bundle(['sh', '-c', 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max'], (s) => {
        s.linux!.resources = { memory: { limit: 48 << 20 }, pids: { limit: 30 } };
      }),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${48 << 20}\n30\n`);
  });

  it('a pids limit makes fork fail', async () => {
    const r = await sb.run(
      sb.bundle(['sh', '-c', 'for i in 1 2 3 4 5 6 7 8; do sleep 5 & done 2>&1; wait; echo done'], (s) => {
        s.linux!.resources = { pids: { limit: 4 } };
      }),
    );
    expect(r.stdout + r.stderr).toMatch(/can't fork|Resource temporarily unavailable/);
  });

  it('an OOM kill ends the container with 137, and events reports it', async () => {
    const id = sb.id();
    // tail -c keeps that much of an endless input: it grows until the limit kills it.
    const bundle = sb.bundle(['sh', '-c', 'sleep 0.5; exec tail -c 500000000 /dev/zero'], (s) => {
      s.linux!.resources = { memory: { limit: 24 << 20, swap: 24 << 20 } };
    });
    expect((await sb.rt(['create', '--bundle', bundle, id])).code).toBe(0);
    const events = spawn(RUNTIME, ['--root', sb.root, 'events', '--interval', '100ms', id], { stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = '';
    events.stdout.on('data', (d: Buffer) => (lines += d.toString()));
    const pid = (await sb.state(id)).pid;
    const memDir = cgroupDir(pid, 'memory');
    expect((await sb.rt(['start', id])).code).toBe(0);
    await waitStatus(id, 'stopped', 20000);
    // The exit status, from the point of view of a foreground run, is 128 + SIGKILL.
    expect(readFileSync(`${memDir}/memory.oom_control`, 'utf8').match(/oom_kill (\d+)/)?.[1]).not.toBe('0');
    await sleep(300);
    events.kill('SIGKILL');
    expect(lines).toMatch(/"type":"oom"/);
  });

  it('run reports the OOM kill as exit status 137', async () => {
    const r = await sb.run(
      sb.bundle(['sh', '-c', 'exec tail -c 500000000 /dev/zero'], (s) => {
        s.linux!.resources = { memory: { limit: 24 << 20, swap: 24 << 20 } };
      }),
      { timeoutMs: 30000 },
    );
    expect(r.code).toBe(137);
  });

  it('update changes limits live', async () => {
    const { id, pid } = await detached(['sleep', '30'], (s) => {
      s.linux!.resources = { memory: { limit: 64 << 20 }, pids: { limit: 20 }, cpu: { quota: 20000, period: 100000 } };
    });
    const u = await sb.rt(['update', '--memory', '128m', '--pids-limit', '77', '--cpu-quota', '30000', id]);
    expect(u.code, u.stderr).toBe(0);
    expect(file(pid, 'memory', 'memory.limit_in_bytes')).toBe(String(128 << 20));
    expect(file(pid, 'pids', 'pids.max')).toBe('77');
    expect(file(pid, 'cpu', 'cpu.cfs_quota_us')).toBe('30000');
    // --resources - reads a LinuxResources document from stdin.
    const r = await sb.rt(['update', '--resources', '-', id], { input: JSON.stringify({ pids: { limit: 88 }, memory: { limit: 100 << 20 } }) });
    expect(r.code, r.stderr).toBe(0);
    expect(file(pid, 'pids', 'pids.max')).toBe('88');
    expect(file(pid, 'memory', 'memory.limit_in_bytes')).toBe(String(100 << 20));
  });

  it('bad values give clear errors and leave nothing behind', async () => {
    const bad: [string, (s: Spec) => void, RegExp][] = [
      ['negative memory limit', (s) => (s.linux!.resources = { memory: { limit: -5 } }), /\$\.linux\.resources\.memory\.limit/],
      ['a cpus list that does not parse', (s) => (s.linux!.resources = { cpu: { cpus: '0-zz' } }), /cpu\.cpus|cpuset\.cpus/],
      ['unified keys on a v1 host', (s) => (s.linux!.resources = { unified: { 'memory.high': '1000000' } }), /unified/],
      ['a realtime budget above the parent\'s', (s) => (s.linux!.resources = { cpu: { realtimePeriod: 1000000, realtimeRuntime: 999999999 } }), /cpu\.rt_/],
    ];
    for (const [name, edit, message] of bad) {
      const r = await sb.rt(['create', '--bundle', sb.bundle(['true'], edit), sb.id()]);
      expect(r.code, name).not.toBe(0);
      if (IS_CAISSON) expect(r.stderr, name).toMatch(message);
      expect(sb.stateLeft(), name).toEqual([]);
    }
  });
});

describe('lifecycle verbs on cgroups', () => {
  it('pause freezes every process and resume thaws them', async () => {
    const { id, pid } = await detached(['sh', '-c', 'while :; do echo x >> /dev/shm/n; sleep 0.01; done']);
    const progress = () => (existsSync(`/proc/${pid}/root/dev/shm/n`) ? statSync(`/proc/${pid}/root/dev/shm/n`).size : 0);
    await eventually(() => progress() > 0);
    expect((await sb.rt(['pause', id])).code).toBe(0);
    expect((await sb.state(id)).status).toBe('paused');
    expect(file(pid, 'freezer', 'freezer.state')).toBe('FROZEN');
    // A frozen task sits in uninterruptible sleep.
    expect(readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(/State:\s+D/);
    const a = progress();
    await sleep(200);
    expect(progress()).toBe(a);
    expect((await sb.rt(['resume', id])).code).toBe(0);
    expect((await sb.state(id)).status).toBe('running');
    await sleep(200);
    expect(progress()).not.toBe(a);
  });

  it('a created container can be paused; start then refuses it and it stays created, until resumed', async () => {
    const id = sb.id();
    expect((await sb.rt(['create', '--bundle', sb.bundle(['true']), id])).code).toBe(0);
    expect((await sb.rt(['pause', id])).code).toBe(0);
    expect((await sb.state(id)).status).toBe('paused');
    const refused = await sb.rt(['start', id]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/cannot start a container in the paused state/);
    expect((await sb.rt(['resume', id])).code).toBe(0);
    expect((await sb.state(id)).status).toBe('created');
    expect((await sb.rt(['start', id])).code).toBe(0);
    await sb.waitForStatus(id, 'stopped');
  });

  it('resume of a container that is not paused fails', async () => {
    const { id } = await detached(['sleep', '30']);
    const r = await sb.rt(['resume', id]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not paused/);
  });

  it('delete --force kills a paused container', async () => {
    const { id, pid } = await detached(['sleep', '30']);
    expect((await sb.rt(['pause', id])).code).toBe(0);
    expect((await sb.rt(['delete', '--force', id])).code).toBe(0);
    expect(existsSync(`/proc/${pid}/cmdline`) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('sleep')).toBe(false);
  });

  it('ps lists the container processes, as json and as a ps table', async () => {
    const { id, pid } = await detached(['sh', '-c', 'sleep 30 & sleep 31']);
    // Both sleeps exist once the init has become the second one (pid 1 execs it).
    await eventually(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep'));
    const j = await sb.rt(['ps', '--format', 'json', id]);
    expect(j.code, j.stderr).toBe(0);
    const pids = JSON.parse(j.stdout) as number[];
    expect(pids).toContain(pid);
    expect(pids.length).toBe(2);
    const t = await sb.rt(['ps', id]);
    expect(t.stdout.split('\n')[0]).toMatch(/PID/);
    expect(t.stdout).toContain('sleep 30');
  });

  it('kill --all signals every process in the cgroup, also without a pid namespace', async () => {
    const { id, pid } = await detached(['sh', '-c', 'sleep 60 & sleep 61 & wait'], (s) => {
      s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'pid');
    });
    const ps = async () => JSON.parse((await sb.rt(['ps', '--format', 'json', id])).stdout) as number[];
    await eventually(async () => (await ps()).length === 3);
    const before = await ps();
    expect(before.length).toBe(3);
    expect((await sb.rt(['kill', '--all', id, 'KILL'])).code).toBe(0);
    await eventually(() => !before.some(alive));
    for (const p of before) expect(alive(p), `pid ${p}`).toBe(false);
    void pid;
  });

  /** A stopped container (no pid namespace) whose init left a `sleep` running in its cgroup. */
  async function strayAfterStop(): Promise<{ id: string; alive: () => boolean }> {
    const { id } = await detached(['sh', '-c', 'sleep 60 & exit 0'], (s) => {
      s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'pid');
    });
    await sb.waitForStatus(id, 'stopped');
    const left = JSON.parse((await sb.rt(['ps', '--format', 'json', id])).stdout) as number[];
    expect(left.length).toBe(1);
    return { id, alive: () => alive(left[0]!) };
  }

  it('kill --all still reaches what a stopped init left in its cgroup (no pid namespace), as runc', async () => {
    const { id, alive } = await strayAfterStop();
    expect((await sb.rt(['kill', id, 'KILL'])).code).not.toBe(0); // the init is gone
    expect((await sb.rt(['kill', '--all', id, 'KILL'])).code).toBe(0);
    await eventually(() => !alive());
    expect(alive()).toBe(false);
  });

  it('delete (without --force) of a stopped container kills what its init left in its cgroup, and removes the cgroup, as runc', async () => {
    const { id, alive } = await strayAfterStop();
    const r = await sb.rt(['delete', id]);
    expect(r.code, r.stderr).toBe(0);
    await eventually(() => !alive(), 1000);
    expect(alive()).toBe(false);
    expect(testCgroups(new RegExp(`^${id}$`))).toEqual([]);
  });

  it.skipIf(!IS_CAISSON)('delete never kills a process that came into the cgroup of a container with its own pid namespace: it says what holds the cgroup', async () => {
    const { id, pid } = await detached(['sleep', '30']);
    const rec = JSON.parse(readFileSync(`${sb.root}/${id}/state.json`, 'utf8')) as { cgroup: { place: { v1: { dir: string; controllers: string[] }[] } } };
    const pidsDir = rec.cgroup.place.v1.find((d) => d.controllers.includes('pids'))?.dir;
    expect(pidsDir).toBeDefined();
    // A host process moved into the container's cgroup from outside: not the container's.
    const outsider = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      writeFileSync(`${pidsDir}/cgroup.procs`, String(outsider.pid));
      expect((await sb.rt(['kill', id, 'KILL'])).code).toBe(0);
      await eventually(() => !alive(pid), 2000);
      const r = await sb.rt(['delete', id]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(new RegExp(`cgroups still busy.*holds ${outsider.pid} sleep`));
      expect(outsider.exitCode).toBe(null);
      expect(existsSync(`/proc/${outsider.pid}`)).toBe(true);
    } finally {
      outsider.kill('SIGKILL');
      await new Promise((r) => outsider.once('exit', r));
    }
    // With it gone, delete goes through.
    const again = await sb.rt(['delete', id]);
    expect(again.code, again.stderr).toBe(0);
  });

  it('events --stats prints one stats event', async () => {
    const { id } = await detached(['sleep', '30'], (s) => (s.linux!.resources = { memory: { limit: 64 << 20 }, pids: { limit: 50 } }));
    const r = await sb.rt(['events', '--stats', id]);
    expect(r.code, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout.trim().split('\n')[0]!);
    expect(e.type).toBe('stats');
    expect(e.id).toBe(id);
    expect(e.data.memory.usage.limit).toBe(64 << 20);
    expect(e.data.pids.current).toBeGreaterThanOrEqual(1);
    expect(e.data.cpu.usage.total).toBeGreaterThan(0);
  });
});

describe('devices', () => {
  it('allowed devices open, denied ones fail with EPERM', async () => {
    const r = await sb.run(
      sb.bundle(['sh', '-c', 'echo x > /dev/null && echo null-ok; head -c 1 /dev/fuse 2>&1; echo; head -c 1 /dev/loop9 2>&1'], (s) => {
        s.linux!.devices = [
          { path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o666 },
          { path: '/dev/loop9', type: 'b', major: 7, minor: 9, fileMode: 0o666 },
        ];
        s.linux!.resources = { devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 10, minor: 229, access: 'r' }] };
      }),
    );
    expect(r.stdout).toContain('null-ok');
    // fuse is allowed for reading: opening it gets past the cgroup (the driver answers)
    expect(r.stdout.split('\n')[1]).not.toMatch(/Operation not permitted/);
    expect(r.stdout).toMatch(/loop9: Operation not permitted/);
  });
});

describe('cgroupsPath', () => {
  it('the init and an exec are in the container cgroup of every hierarchy, v1 and cgroup2 alike', async () => {
    const parent = `caisson-cgtest-${process.pid}`;
    const { id, pid } = await detached(['sleep', '30'], (s) => (s.linux!.cgroupsPath = `/${parent}/all`));
    const paths = (p: number) => readFileSync(`/proc/${p}/cgroup`, 'utf8').trim().split('\n').map((l) => l.split(':').slice(1));
    for (const [ctrls, path] of paths(pid)) expect(path, `hierarchy "${ctrls}"`).toBe(`/${parent}/all`);
    // an exec joins the same cgroups, and its own process is the one listed
    const r = await sb.rt(['exec', id, 'cat', '/proc/self/cgroup']);
    expect(r.code, r.stderr).toBe(0);
    const inside = r.stdout.trim().split('\n').map((l) => l.split(':').slice(1));
    expect(inside.map(([c]) => c).sort()).toEqual(paths(pid).map(([c]) => c).sort());
    // made after the join, the cgroup namespace is rooted at the container's cgroups
    for (const [c, path] of inside) expect(path, `hierarchy "${c}" inside`).toBe('/');
    for (const [, c] of paths(pid)) {
      const dir = c === '' ? '/sys/fs/cgroup/unified' : `/sys/fs/cgroup/${c.replace('name=', '')}`;
      if (existsSync(`${dir}/${parent}/all/cgroup.procs`)) expect(readFileSync(`${dir}/${parent}/all/cgroup.procs`, 'utf8')).toContain(String(pid));
    }
    expect((await sb.rt(['delete', '--force', id])).code).toBe(0);
    removeEverywhere(`/${parent}`);
  });

  it('exec --cgroup runs the process in a sub-cgroup of the container, in every hierarchy', async () => {
    const parent = `caisson-cgtest-${process.pid}`;
    const { id, pid } = await detached(['sleep', '30'], (s) => (s.linux!.cgroupsPath = `/${parent}/sub`));
    const hierarchies = readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n').map((l) => l.split(':')[1]!);
    const dirOf = (c: string) => (c === '' ? '/sys/fs/cgroup/unified' : `/sys/fs/cgroup/${c.replace('name=', '')}`);
    try {
      // runc wants the sub-cgroup to exist: make it in each hierarchy (ours, below the container's;
      // a new cpuset starts empty and takes no process until it has cpus and mems)
      for (const c of hierarchies) {
        const dir = `${dirOf(c)}/${parent}/sub/inner`;
        mkdirSync(dir, { recursive: true });
        if (c.split(',').includes('cpuset')) {
          for (const f of ['cpuset.cpus', 'cpuset.mems']) writeFileSync(`${dir}/${f}`, readFileSync(`${dirOf(c)}/${parent}/sub/${f}`));
        }
      }
      const r = await sb.rt(['exec', '--cgroup', 'inner', id, 'cat', '/proc/self/cgroup']);
      expect(r.code, r.stderr).toBe(0);
      // seen from the container's cgroup namespace: the sub-cgroup, in every hierarchy
      for (const p of r.stdout.trim().split('\n').map((l) => l.split(':')[2])) expect(p).toBe('/inner');
    } finally {
      await sb.rt(['delete', '--force', id]);
      for (const c of hierarchies) {
        for (const d of [`${parent}/sub/inner`, `${parent}/sub`, parent]) {
          try {
            rmdirSync(`${dirOf(c)}/${d}`);
          } catch {
            /* removed with the container, or busy for a moment */
          }
        }
      }
    }
  });

  it('an absolute path is made below each hierarchy root and removed with its new parents', async () => {
    const parent = `caisson-cgtest-${process.pid}`;
    const { id, pid } = await detached(['sleep', '30'], (s) => (s.linux!.cgroupsPath = `/${parent}/box`));
    expect(cgroupDir(pid, 'memory')).toBe(`/sys/fs/cgroup/memory/${parent}/box`);
    expect(cgroupDir(pid, 'pids')).toBe(`/sys/fs/cgroup/pids/${parent}/box`);
    expect((await sb.rt(['delete', '--force', id])).code).toBe(0);
    // runc leaves the parents it made; caisson removes what it created.
    if (IS_CAISSON) expect(existsSync(`/sys/fs/cgroup/memory/${parent}`)).toBe(false);
    removeEverywhere(`/${parent}`);
  });

  it('containers sharing a new parent (containerd\'s /<namespace>/<id>) are deleted one by one', async () => {
    const parent = `caisson-cgtest-${process.pid}`;
    try {
      const a = await detached(['sleep', '30'], (s) => (s.linux!.cgroupsPath = `/${parent}/a`));
      const b = await detached(['sleep', '30'], (s) => (s.linux!.cgroupsPath = `/${parent}/b`));
      // Deleting the one that made the parent must not fail because the other still lives there.
      const del = await sb.rt(['delete', '--force', a.id]);
      expect(del.code, del.stderr).toBe(0);
      expect(existsSync(`/sys/fs/cgroup/memory/${parent}/a`)).toBe(false);
      expect(existsSync(`/sys/fs/cgroup/memory/${parent}/b`)).toBe(true);
      expect((await sb.rt(['state', b.id])).code).toBe(0);
      expect((await sb.rt(['delete', '--force', b.id])).code).toBe(0);
      expect(existsSync(`/sys/fs/cgroup/memory/${parent}/b`)).toBe(false);
    } finally {
      removeEverywhere(`/${parent}`);
    }
  });

  it('a relative path is made below the caller own cgroup', async () => {
    const { id, pid } = await detached(['sleep', '30'], (s) => (s.linux!.cgroupsPath = `sub-${process.pid}/box`));
    const own = readFileSync('/proc/self/cgroup', 'utf8').match(/^\d+:memory:(.*)$/m)![1]!;
    expect(cgroupDir(pid, 'memory')).toBe(`/sys/fs/cgroup/memory${own === '/' ? '' : own}/sub-${process.pid}/box`);
    expect((await sb.rt(['delete', '--force', id])).code).toBe(0);
    if (IS_CAISSON) expect(existsSync(`/sys/fs/cgroup/memory${own === '/' ? '' : own}/sub-${process.pid}`)).toBe(false);
    removeEverywhere(`sub-${process.pid}`, true);
  });
});

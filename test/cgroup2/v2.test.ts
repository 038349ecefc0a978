// cgroup v2 controllers on a pure cgroup v2 kernel (the QEMU guest of ../shared/vm): every check
// goes through the library in-process, because each Node start costs a second there.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Runtime } from '../../lib/index.js';
import type { Container } from '../../lib/index.js';
import type { Spec } from '../../spec/types.js';
import { Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
let runtime: Runtime;
const started: Container[] = [];

beforeAll(() => {
  if (!existsSync('/sys/fs/cgroup/cgroup.controllers')) throw new Error('not a pure cgroup v2 host: run this suite with npm run test:cgroup2');
});
beforeEach(() => {
  sb = new Sandbox('cgroup2');
  runtime = new Runtime({ root: sb.root });
});
afterEach(async () => {
  for (const c of started.splice(0)) await c.delete({ force: true }).catch(() => undefined);
  await sb.cleanup();
});

async function container(args: string[], edit?: (s: Spec) => void): Promise<Container> {
  const c = await runtime.create(sb.id(), { bundle: sb.bundle(args, edit) });
  started.push(c);
  await c.start();
  return c;
}

/** The container's cgroup directory on the host (0::/path in /proc/PID/cgroup). */
function cg(c: Container): string {
  const line = readFileSync(`/proc/${c.state().pid}/cgroup`, 'utf8').trim();
  return `/sys/fs/cgroup${line.slice(3)}`;
}
const file = (c: Container, f: string) => readFileSync(`${cg(c)}/${f}`, 'utf8').trim();

describe('cgroup v2', () => {
  it('memory.max, memory.swap.max (memory+swap minus memory), memory.low', async () => {
    const c = await container(['sleep', '30'], (s) => (s.linux!.resources = { memory: { limit: 64 << 20, swap: 96 << 20, reservation: 16 << 20 } }));
    expect(cg(c)).toBe(`/sys/fs/cgroup/${c.id}`);
    expect(file(c, 'memory.max')).toBe(String(64 << 20));
    expect(file(c, 'memory.swap.max')).toBe(String(32 << 20));
    expect(file(c, 'memory.low')).toBe(String(16 << 20));
  });

  it('an OOM kill is counted in memory.events and reported by events()', async () => {
    const c = await runtime.create(sb.id(), {
      bundle: sb.bundle(['sh', '-c', 'sleep 0.5; exec tail -c 500000000 /dev/zero'], (s) => (s.linux!.resources = { memory: { limit: 16 << 20, swap: 16 << 20 } })),
    });
    started.push(c);
    const dir = `/sys/fs/cgroup/${c.id}`;
    const seen: string[] = [];
    const watch = (async () => {
      for await (const e of c.events({ intervalMs: 60_000 })) seen.push(e.type);
    })();
    await c.start();
    const exit = await c.wait();
    await watch.catch(() => undefined);
    expect(exit.signal).toBe(9);
    expect(readFileSync(`${dir}/memory.events`, 'utf8')).toMatch(/oom_kill [1-9]/);
    expect(seen).toContain('oom');
  });

  it('pids.max, and fork fails past it', async () => {
    // A shell gives up at its first failed fork: its message lands in a directory of ours.
    const out = join(sb.dir, 'out');
    mkdirSync(out);
    const c = await runtime.create(sb.id(), {
      bundle: sb.bundle(['sh', '-c', 'exec 2>/out/err; for i in 1 2 3 4 5 6; do sleep 5 & done'], (s) => {
        s.linux!.resources = { pids: { limit: 4 } };
        s.mounts!.push({ destination: '/out', type: 'bind', source: out, options: ['rbind', 'rw'] });
      }),
    });
    started.push(c);
    expect(readFileSync(`/sys/fs/cgroup/${c.id}/pids.max`, 'utf8').trim()).toBe('4');
    await c.start();
    await c.wait();
    expect(readFileSync(join(out, 'err'), 'utf8')).toMatch(/can't fork|Resource temporarily unavailable/);
  });

  it('cpu.max and cpu.weight (from shares), cpuset', async () => {
    const c = await container(['sleep', '30'], (s) => (s.linux!.resources = { cpu: { quota: 50000, period: 100000, shares: 1024, cpus: '0', mems: '0' } }));
    expect(file(c, 'cpu.max')).toBe('50000 100000');
    expect(file(c, 'cpu.weight')).toBe('39');
    expect(file(c, 'cpuset.cpus')).toBe('0');
    expect(file(c, 'cpuset.mems')).toBe('0');
  });

  it('io.max on the scratch disk /dev/vda', async () => {
    const c = await container(['sleep', '30'], (s) => {
      s.linux!.resources = { blockIO: { throttleReadBpsDevice: [{ major: 254, minor: 0, rate: 1 << 20 }], throttleWriteIOPSDevice: [{ major: 254, minor: 0, rate: 100 }] } };
    });
    expect(file(c, 'io.max')).toBe(`254:0 rbps=${1 << 20} wbps=max riops=max wiops=100`);
  });

  it('hugetlb limits', async () => {
    const c = await container(['sleep', '30'], (s) => (s.linux!.resources = { hugepageLimits: [{ pageSize: '2MB', limit: 4 << 20 }] }));
    expect(file(c, 'hugetlb.2MB.max')).toBe(String(4 << 20));
    expect(file(c, 'hugetlb.2MB.rsvd.max')).toBe(String(4 << 20));
  });

  it('unified keys are written as given', async () => {
    const c = await container(['sleep', '30'], (s) => (s.linux!.resources = { unified: { 'memory.high': '33554432', 'pids.max': '12' } }));
    expect(file(c, 'memory.high')).toBe('33554432');
    expect(file(c, 'pids.max')).toBe('12');
  });

  it('the device eBPF filter allows what is listed and refuses the rest with EPERM', async () => {
    // The output goes to a file in the container: its stdout is this test process's.
    const c = await container(['sh', '-c', '(echo x > /dev/null && echo null-ok; head -c 1 /dev/loop9) > /dev/shm/out 2>&1; sleep 30'], (s) => {
      s.linux!.devices = [{ path: '/dev/loop9', type: 'b', major: 7, minor: 9, fileMode: 0o666 }];
      s.linux!.resources = { devices: [{ allow: false, access: 'rwm' }] };
    });
    await new Promise((r) => setTimeout(r, 500));
    const out = readFileSync(`/proc/${c.state().pid}/root/dev/shm/out`, 'utf8');
    expect(out).toContain('null-ok');
    expect(out).toMatch(/loop9: Operation not permitted/);
  });

  it('without device rules in the config, a device the container makes still cannot be opened (deny by default)', async () => {
    const c = await container(['sh', '-c', '(mknod /dev/lc c 10 237 && echo made; (: < /dev/lc) && echo OPENED; echo x > /dev/null && echo null-ok) > /dev/shm/out 2>&1; sleep 30'], (s) => {
      delete s.linux!.resources;
      const caps = s.process!.capabilities!;
      for (const set of ['bounding', 'effective', 'permitted'] as const) caps[set] = [...new Set([...(caps[set] ?? []), 'CAP_MKNOD'])];
    });
    await new Promise((r) => setTimeout(r, 500));
    const out = readFileSync(`/proc/${c.state().pid}/root/dev/shm/out`, 'utf8');
    expect(out).toContain('made');
    expect(out).not.toContain('OPENED');
    expect(out).toMatch(/lc: Operation not permitted/);
    expect(out).toContain('null-ok');
  });

  it('freeze and thaw through cgroup.freeze', async () => {
    const c = await container(['sleep', '30']);
    await c.pause();
    expect(c.state().status).toBe('paused');
    expect(file(c, 'cgroup.freeze')).toBe('1');
    expect(readFileSync(`${cg(c)}/cgroup.events`, 'utf8')).toMatch(/frozen 1/);
    await c.resume();
    expect(c.state().status).toBe('running');
    expect(readFileSync(`${cg(c)}/cgroup.events`, 'utf8')).toMatch(/frozen 0/);
  });

  it('kill --all uses cgroup.kill: every process goes', async () => {
    const c = await container(['sh', '-c', 'sleep 60 & sleep 61 & wait'], (s) => (s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'pid')));
    await new Promise((r) => setTimeout(r, 300));
    const pids = c.pids();
    expect(pids.length).toBe(3);
    await c.kill('KILL', { all: true });
    await c.wait();
    await new Promise((r) => setTimeout(r, 200));
    expect(c.pids()).toEqual([]);
  });

  it('update changes the v2 files live, and delete removes the cgroup', async () => {
    const c = await container(['sleep', '30'], (s) => (s.linux!.resources = { memory: { limit: 64 << 20 }, pids: { limit: 20 } }));
    await c.update({ memory: { limit: 128 << 20 }, pids: { limit: 33 }, cpu: { quota: 20000, period: 100000 } });
    expect(file(c, 'memory.max')).toBe(String(128 << 20));
    expect(file(c, 'pids.max')).toBe('33');
    expect(file(c, 'cpu.max')).toBe('20000 100000');
    const dir = cg(c);
    await c.delete({ force: true });
    started.splice(started.indexOf(c), 1);
    expect(existsSync(dir)).toBe(false);
  });

  it('the container sees its own cgroup2 at /sys/fs/cgroup', async () => {
    const c = await runtime.create(sb.id(), {
      bundle: sb.bundle(['sh', '-c', 'cat /sys/fs/cgroup/memory.max > /dev/shm/m; sleep 30'], (s) => (s.linux!.resources = { memory: { limit: 40 << 20 } })),
    });
    started.push(c);
    await c.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(readFileSync(`/proc/${c.state().pid}/root/dev/shm/m`, 'utf8').trim()).toBe(String(40 << 20));
  });
});

// The library as a Node developer uses it: containers from a config object, stdio as streams,
// a pty without a console socket, the spec builder, exit times, events ending in the exit,
// cancellation that leaves nothing behind, features.

import { existsSync, readdirSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, Runtime, spec, UnsupportedError } from '../../lib/index.js';
import { FIXTURE_ROOTFS } from '../helpers/paths.js';
import { IS_CAISSON, Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
let runtime: Runtime;
beforeEach(() => {
  sb = new Sandbox('libapi');
  runtime = new Runtime({ root: sb.root });
});
afterEach(async () => {
  await sb.cleanup();
});

const MARK = `CAISSON_TEST_RUN=${process.env.CAISSON_TEST_RUN ?? ''}`;
const text = (s: Readable) => new Promise<string>((res) => { let t = ''; s.on('data', (d: Buffer) => (t += d)); s.on('end', () => res(t)); });

describe.skipIf(!IS_CAISSON)('library API', () => {
  it('runs a container from a config object and a rootfs, with its output as streams', async () => {
    const config = spec.default({ args: ['sh', '-c', 'echo out; echo err >&2; hostname; exit 4'] }, spec.withHostname('built'), spec.withEnv({ MARK: '1', CAISSON_TEST_RUN: MARK.split('=')[1]! }));
    const c = await runtime.create(sb.id(), { config, rootfs: FIXTURE_ROOTFS, stdio: 'pipe' });
    const out = text(c.stdout!);
    const err = text(c.stderr!);
    c.stdin!.end();
    // The state names a bundle: the state directory, which holds the config.
    expect(existsSync(`${c.state().bundle}/config.json`)).toBe(true);
    await c.start();
    const exit = await c.wait();
    expect(exit).toMatchObject({ exitCode: 4, signal: null });
    expect(exit.exitedAt).toBeInstanceOf(Date);
    expect(await out).toBe('out\nbuilt\n');
    expect(await err).toBe('err\n');
    await c.delete();
    expect(sb.stateLeft()).toEqual([]);
  });

  it('the spec builder composes edits and validates the result', () => {
    const s = spec.default(
      { args: ['true'] },
      spec.withMount({ destination: '/data', type: 'tmpfs', source: 'tmpfs' }),
      spec.withResources({ memory: { limit: 64 << 20 } }),
      spec.withResources({ pids: { limit: 10 } }),
      spec.withNamespaces({ network: false, time: true, ipc: '/proc/1/ns/ipc' }),
      spec.withUser({ uid: 1000, gid: 1000 }),
      spec.withCapabilities('CAP_NET_RAW'),
      spec.withoutCapabilities('CAP_KILL'),
    );
    expect(s.mounts!.at(-1)!.destination).toBe('/data');
    expect(s.linux!.resources).toEqual({ devices: [{ allow: false, access: 'rwm' }], memory: { limit: 64 << 20 }, pids: { limit: 10 } });
    expect(s.linux!.namespaces!.map((n) => n.type)).not.toContain('network');
    expect(s.linux!.namespaces).toContainEqual({ type: 'time' });
    expect(s.linux!.namespaces).toContainEqual({ type: 'ipc', path: '/proc/1/ns/ipc' });
    expect(s.process!.capabilities!.bounding).toContain('CAP_NET_RAW');
    expect(s.process!.capabilities!.bounding).not.toContain('CAP_KILL');
    expect(s.process!.capabilities!.inheritable ?? []).toEqual([]);
    // A bad edit is a ConfigError naming the path.
    const err = (() => {
      try {
        spec.default({}, spec.withCwd('relative'));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).path).toBe('$.process.cwd');
  });

  it('tty: the init gets a terminal, the container a pty to talk to and resize', async () => {
    const config = spec.default({ args: ['sh', '-c', 'stty size; read line; echo "got:$line"'] }, spec.withEnv({ CAISSON_TEST_RUN: MARK.split('=')[1]! }));
    const c = await runtime.create(sb.id(), { config, rootfs: FIXTURE_ROOTFS, tty: true });
    c.pty!.resize(33, 99);
    let out = '';
    c.pty!.stream.on('data', (d: Buffer) => (out += d.toString()));
    await c.start();
    for (let i = 0; i < 200 && !out.includes('33 99'); i++) await sleep(10);
    c.pty!.stream.write('hello\n');
    expect(await c.wait()).toMatchObject({ exitCode: 0 });
    for (let i = 0; i < 100 && !out.includes('got:hello'); i++) await sleep(10);
    expect(out).toContain('33 99');
    expect(out).toContain('got:hello');
    await c.delete();
  });

  it('exec with tty, and events() ending with the exit', async () => {
    const c = await runtime.create(sb.id(), { bundle: sb.bundle(['sleep', '1']) });
    await c.start();
    const p = await c.exec({ args: ['/bin/sh', '-c', 'tty; exit 3'], cwd: '/', env: ['PATH=/bin'] }, { tty: true });
    let out = '';
    p.pty!.stream.on('data', (d: Buffer) => (out += d.toString()));
    expect(await p.wait()).toMatchObject({ exitCode: 3 });
    for (let i = 0; i < 100 && !/\/dev\/pts\/\d+/.test(out); i++) await sleep(10);
    expect(out).toMatch(/\/dev\/pts\/\d+/);
    p.pty!.close();
    const kinds: string[] = [];
    for await (const e of c.events({ intervalMs: 200 })) kinds.push(e.type);
    expect(kinds[0]).toBe('stats');
    expect(kinds.at(-1)).toBe('exit');
    await c.delete();
  });

  it('an abort during create removes everything made so far', async () => {
    const ac = new AbortController();
    // A createRuntime hook that sleeps keeps create busy long enough to abort it.
    const bundle = sb.bundle(['true'], (s) => (s.hooks = { createRuntime: [{ path: '/bin/sleep', args: ['sleep', '5'] }] }));
    const id = sb.id();
    setTimeout(() => ac.abort(), 300);
    const err = await runtime.create(id, { bundle, signal: ac.signal }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    expect(sb.stateLeft()).toEqual([]);
    expect(readdirSync(sb.root)).toEqual([]);
  });

  it('wait() can be aborted without touching the container', async () => {
    const c = await runtime.create(sb.id(), { bundle: sb.bundle(['sleep', '30']) });
    await c.start();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const err = await c.wait({ signal: ac.signal }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    expect(c.state().status).toBe('running');
    await c.delete({ force: true });
  });

  it('features(), and a systemd cgroup manager refused clearly', async () => {
    expect((await runtime.features()).ociVersionMax).toBe('1.3.0');
    expect(() => new Runtime({ root: sb.root, cgroupManager: 'systemd' })).toThrow(UnsupportedError);
  });
});

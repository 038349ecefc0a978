// The native launcher's fast paths, against the TypeScript that defines them: `start` must find
// a live shim at exactly the socket lib/shim/address.ts computes (and say so the way Node would),
// `delete` must answer alone only when nothing is left; everything else must reach Node with its
// argv and stdin intact (a stand-in entry script records what it got).

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupKey, socketPath } from '../../../lib/shim/address.js';
import { DeleteResponse } from '../../../lib/shim/proto/task.js';
import { TtrpcServer } from '../../../lib/shim/ttrpc/server.js';
import { ConnectResponse } from '../../../lib/shim/proto/task.js';
import { Code, TtrpcError } from '../../../lib/shim/ttrpc/status.js';
import { REPO } from '../../helpers/paths.js';

const LAUNCHER = resolve(REPO, 'build/Release/caisson-shim-launcher');
const HAVE = existsSync(LAUNCHER) && process.getuid?.() === 0;

let dir: string;
let entry: string;
let server: TtrpcServer;
let connects: string[] = [];
let refuse = false;
const ns = `launcher-${process.pid}`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'caisson-launcher-'));
  entry = join(dir, 'entry.cjs');
  // Stands in for the Node shim: records its argv and stdin.
  writeFileSync(entry, `require('fs').writeFileSync(${JSON.stringify(join(dir, 'node-ran'))}, JSON.stringify({ argv: process.argv.slice(2), stdin: require('fs').readFileSync(0).toString('hex') }));`);
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Run the launcher (asynchronously: the fake shim answering it lives in this process). */
async function launch(args: string[], cwd: string, input = Buffer.alloc(0)) {
  rmSync(join(dir, 'node-ran'), { force: true });
  const child = spawn(LAUNCHER, [entry, ...args], { cwd, env: { ...process.env, CAISSON_SHIM_ROOT: join(dir, 'root') } });
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // `delete` never reads its stdin: the launcher may be gone before the write (EPIPE).
  child.stdin.on('error', () => {});
  child.stdin.end(input);
  const code = await new Promise<number | null>((r) => child.on('close', r));
  const ran = existsSync(join(dir, 'node-ran')) ? JSON.parse(readFileSync(join(dir, 'node-ran'), 'utf8')) : undefined;
  return { code, stdout: Buffer.concat(out), stderr, node: ran as { argv: string[]; stdin: string } | undefined };
}

function bundle(name: string, annotations: Record<string, string> = {}): string {
  const b = join(dir, name);
  mkdirSync(join(b, 'rootfs'), { recursive: true });
  writeFileSync(join(b, 'config.json'), JSON.stringify({ ociVersion: '1.0.2', process: { args: ['sh', '-c', 'x "y" \\u00e9'] }, annotations, root: { path: 'rootfs' } }));
  return b;
}

describe.skipIf(!HAVE)('shim launcher', () => {
  const address = () => join(dir, 'containerd.sock');

  beforeAll(async () => {
    server = new TtrpcServer();
    server.register('containerd.task.v2.Task', {
      Connect: (p) => {
        if (refuse) throw new TtrpcError(Code.UNAVAILABLE, 'shutting down');
        connects.push(Buffer.from(p).toString('hex'));
        return ConnectResponse.encode({ shimPid: 1 });
      },
    });
    mkdirSync('/run/containerd/s', { recursive: true });
    await server.listen({ path: socketPath(address(), ns, groupKey({})) });
  });

  afterAll(() => {
    rmSync(socketPath(address(), ns, groupKey({})), { force: true });
    rmSync(`${socketPath(address(), ns, groupKey({}))}.lock`, { force: true });
  });

  it('start: reuses a live shim at the socket address.ts computes, without Node', async () => {
    const b = bundle('b1');
    const r = await launch(['-namespace', ns, '-address', address(), '-publish-binary', '/usr/bin/containerd', '-id', 'c1', 'start'], b);
    expect(r.node).toBeUndefined();
    expect(r.code, r.stderr).toBe(0);
    const want = `unix://${socketPath(address(), ns, groupKey({}))}`;
    expect(r.stdout.toString()).toBe(want);
    expect(readFileSync(join(b, 'address'), 'utf8')).toBe(want);
    expect(connects.at(-1)).toBe(Buffer.from('0a026331', 'hex').toString('hex')); // ConnectRequest{id: "c1"}
  });

  it('start: goes to Node for another group, a shim that refuses, and 2.3 BootstrapParams, with argv and stdin intact', async () => {
    const pod = bundle('b2', { 'io.kubernetes.cri.sandbox-id': 'pod-1' });
    const args = ['-namespace', ns, '-address', address(), '-id', 'c2', 'start'];
    const opts = Buffer.from('0a1a636f6e7461696e6572642e72756e632e76312e4f7074696f6e73', 'hex');
    const r = await launch(args, pod, opts);
    expect(r.node).toEqual({ argv: args, stdin: opts.toString('hex') });
    refuse = true;
    try {
      expect((await launch(args, bundle('b3'))).node?.argv).toEqual(args);
    } finally {
      refuse = false;
    }
    // BootstrapParams{instance_id: "c4", namespace: "a", containerd_version: "2.3.0"}
    const bootstrap = Buffer.from('0a0263341201612205322e332e30', 'hex');
    expect((await launch(args, bundle('b4'), bootstrap)).node?.stdin).toBe(bootstrap.toString('hex'));
  });

  it('delete: answers alone when no state and no mount are left, else goes to Node', async () => {
    const b = bundle('b5');
    const r = await launch(['-namespace', ns, '-address', address(), '-id', 'gone', '-bundle', b, 'delete'], b);
    expect(r.node).toBeUndefined();
    expect(r.code, r.stderr).toBe(0);
    const res = DeleteResponse.decode(r.stdout);
    expect(res.exitStatus).toBe(137);
    expect(Math.abs(res.exitedAt!.seconds - Date.now() / 1000)).toBeLessThan(5);
    mkdirSync(join(dir, 'root', ns, 'left'), { recursive: true });
    expect((await launch(['-namespace', ns, '-id', 'left', '-bundle', b, 'delete'], b)).node?.argv).toEqual(['-namespace', ns, '-id', 'left', '-bundle', b, 'delete']);
    // The root recorded in the bundle wins over the environment's.
    writeFileSync(join(b, 'caisson-root'), join(dir, 'elsewhere'));
    expect((await launch(['-namespace', ns, '-id', 'left', '-bundle', b, 'delete'], b)).node).toBeUndefined();
  });

  it('passes -v, -info and the server (no action) to Node', async () => {
    for (const args of [['-v'], ['-info'], ['-namespace', ns, '-id', 'x', '-address', 'a']]) expect((await launch(args, dir)).node?.argv).toEqual(args);
  });
});


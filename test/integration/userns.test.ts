// User namespaces: several id ranges, ownership seen from the host, devices and sysfs inside a
// user namespace, joining an existing one by path, and a caller who is not root (rootless).

import { chownSync, mkdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSpec } from '../../lib/default-spec.js';
import type { Spec } from '../../spec/types.js';
import { FIXTURE_ROOTFS } from '../helpers/paths.js';
import { IS_CAISSON, RUNTIME, Sandbox, execCollect } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox('userns');
});
afterEach(async () => {
  await sb.cleanup();
});

const mapped = (s: Spec) => {
  s.linux!.namespaces!.push({ type: 'user' });
  s.linux!.uidMappings = [
    { containerID: 0, hostID: 100000, size: 1000 },
    { containerID: 1000, hostID: 300000, size: 1000 },
  ];
  s.linux!.gidMappings = [
    { containerID: 0, hostID: 100000, size: 1000 },
    { containerID: 1000, hostID: 300000, size: 1000 },
  ];
};

async function inside(script: string, edit?: (s: Spec) => void, opts: { ownRootfs?: boolean } = {}): Promise<string> {
  const r = await sb.run(sb.bundle(['sh', '-c', script], edit, opts));
  expect(r.code, `container failed: ${r.stderr}\n${r.stdout}`).toBe(0);
  return r.stdout;
}

const norm = (text: string) => text.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '));

describe('user namespaces', () => {
  it('maps several ranges for uids and gids', async () => {
    const lines = norm(await inside('cat /proc/self/uid_map /proc/self/gid_map', mapped));
    expect(lines).toEqual(['0 100000 1000', '1000 300000 1000', '0 100000 1000', '1000 300000 1000']);
  });

  it('files the container creates belong to the mapped host ids', async () => {
    const bundle = sb.bundle(['sh', '-c', 'touch /tmp/by-root; su -s /bin/sh nobody -c true 2>/dev/null; echo ok'], mapped, { ownRootfs: true });
    const r = await sb.run(bundle);
    expect(r.code, r.stderr).toBe(0);
    const st = statSync(join(bundle, 'rootfs/tmp/by-root'));
    expect([st.uid, st.gid]).toEqual([100000, 100000]);
  });

  it('a non-root user in the container maps to its own host range', async () => {
    const bundle = sb.bundle(['sh', '-c', 'touch /tmp/by-1000'], (s) => {
      mapped(s);
      s.process!.user = { uid: 1000, gid: 1000, additionalGids: [1001] };
    }, { ownRootfs: true });
    const r = await sb.run(bundle);
    expect(r.code, r.stderr).toBe(0);
    const st = statSync(join(bundle, 'rootfs/tmp/by-1000'));
    expect([st.uid, st.gid]).toEqual([300000, 300000]);
  });

  it('devices are usable (bound from the host) and root has capabilities only inside', async () => {
    const out = await inside('echo x > /dev/null && head -c 3 /dev/zero | wc -c; stat -c "%t:%T" /dev/null; id -u', mapped);
    expect(norm(out)).toEqual(['3', '1:3', '0']);
  });

  // runc 1.1 fails here (mount sysfs: EPERM); newer runc falls back to binding /sys, as caisson does.
  it.skipIf(!IS_CAISSON)('sysfs of a network namespace it does not own is bound from the host', async () => {
    // No network namespace: the host's, owned by the initial user namespace.
    const out = await inside('ls /sys/class/net | grep -c lo', (s) => {
      mapped(s);
      s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'network');
    });
    expect(out.trim()).toBe('1');
  });

  // runc 1.1 insists on uidMappings even for a joined user namespace.
  it.skipIf(!IS_CAISSON)('joins an existing user namespace (and network namespace) by path', async () => {
    const a = sb.bundle(['sleep', '30'], mapped);
    const idA = sb.id();
    expect((await sb.rt(['run', '-d', '--bundle', a, idA])).code).toBe(0);
    const pidA = (await sb.state(idA)).pid;
    const out = await inside('cat /proc/self/uid_map; readlink /proc/self/ns/user; readlink /proc/self/ns/net', (s) => {
      s.linux!.namespaces = s.linux!.namespaces!.map((n) => (n.type === 'network' ? { type: 'network', path: `/proc/${pidA}/ns/net` } : n));
      s.linux!.namespaces.push({ type: 'user', path: `/proc/${pidA}/ns/user` });
    });
    const lines = norm(out);
    expect(lines.slice(0, 2)).toEqual(['0 100000 1000', '1000 300000 1000']);
    expect(lines[2]).toBe(readlinkSync(`/proc/${pidA}/ns/user`));
    expect(lines[3]).toBe(readlinkSync(`/proc/${pidA}/ns/net`));
  });
});

describe('a caller who is not root', () => {
  it('runs a container with the caller mapped to root', async () => {
    const uid = 1000;
    const root = join(sb.dir, 'rootless-state');
    mkdirSync(root);
    chownSync(root, uid, uid);
    const dir = join(sb.dir, 'rootless-bundle');
    mkdirSync(dir);
    const spec = defaultSpec({ args: ['sh', '-c', 'id -u; cat /proc/self/uid_map'], rootless: { uid, gid: uid } });
    spec.root = { path: FIXTURE_ROOTFS, readonly: true };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(spec));
    const id = sb.id();
    const r = await execCollect('setpriv', ['--reuid', String(uid), '--regid', String(uid), '--clear-groups', '--', RUNTIME, '--root', root, 'run', '--bundle', dir, id], {
      env: { PATH: process.env.PATH, HOME: '/tmp' },
    });
    // Clean up as root whatever happened (the state belongs to uid 1000).
    await execCollect(RUNTIME, ['--root', root, 'delete', '--force', id]);
    expect(r.code, r.stderr).toBe(0);
    const lines = norm(r.stdout);
    expect(lines[0]).toBe('0');
    expect(lines[1]).toBe(`0 ${uid} 1`);
  });
});

// Malformed configs, bundles and command lines: each must fail with a clear message (the JSON
// path or flag, and what was expected), a non-zero exit, a runc-shaped JSON log line when asked,
// and leave nothing behind. Messages are checked for caisson only; with RUNTIME=runc the exit
// status and the cleanliness are checked (cases runc accepts are marked and skipped there).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Spec } from '../../spec/types.js';
import { IS_CAISSON, Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeAll(() => {
  sb = new Sandbox('badinput');
});
afterAll(async () => {
  await sb.cleanup();
});

interface Case {
  name: string;
  /** change the (otherwise valid) default config */
  edit?: (s: Spec & Record<string, unknown>) => void;
  /** or write this text as config.json */
  raw?: string;
  /** or build the bundle directory by hand */
  bundle?: () => string;
  /** extra create flags */
  flags?: string[];
  id?: string;
  /** what caisson's message must say */
  message: RegExp;
  /** runc 1.1 does not refuse this (it does not validate it): skip under runc */
  runcAccepts?: boolean;
}

const linux = (s: Spec) => s.linux!;
const proc = (s: Spec) => s.process!;

const CASES: Case[] = [
  { name: 'config.json missing', bundle: () => join(sb.dir, 'no-such-bundle'), message: /config\.json not found/ },
  { name: 'config.json is not JSON', raw: '{"ociVersion": "1.0.0",', message: /not valid JSON/ },
  { name: 'ociVersion missing', edit: (s) => delete (s as Partial<Spec>).ociVersion, message: /\$\.ociVersion: is required/, runcAccepts: true },
  { name: 'ociVersion of another major', edit: (s) => (s.ociVersion = '2.0.0'), message: /\$\.ociVersion/, runcAccepts: true },
  { name: 'root missing', edit: (s) => delete (s as Partial<Spec>).root, message: /\$\.root: is required/ },
  { name: 'root.path not a string', edit: (s) => ((s.root as unknown as { path: number }).path = 3), message: /\$\.root\.path: must be a string/ },
  { name: 'rootfs does not exist', edit: (s) => (s.root.path = '/no/such/rootfs'), message: /\$\.root\.path: rootfs \/no\/such\/rootfs does not exist/ },
  {
    name: 'rootfs is a file',
    bundle: () => {
      const dir = sb.bundle(['true'], (s) => (s.root.path = 'file-root'));
      writeFileSync(join(dir, 'file-root'), 'x');
      return dir;
    },
    message: /\$\.root\.path: rootfs .* is not a directory/,
  },
  { name: 'process.args empty', edit: (s) => (proc(s).args = []), message: /\$\.process\.args/ },
  { name: 'process.args not an array', edit: (s) => ((proc(s) as unknown as { args: string }).args = 'sh'), message: /\$\.process\.args: must be an array/ },
  { name: 'process.cwd relative', edit: (s) => (proc(s).cwd = 'tmp'), message: /\$\.process\.cwd: must be an absolute path/ },
  { name: 'process.env entry not a string', edit: (s) => (proc(s).env = ['A=1', 7 as unknown as string]), message: /\$\.process\.env\[1\]: must be a string/ },
  { name: 'negative uid', edit: (s) => (proc(s).user = { uid: -1, gid: 0 }), message: /\$\.process\.user\.uid/ },
  { name: 'unknown rlimit', edit: (s) => (proc(s).rlimits = [{ type: 'RLIMIT_BOGUS' as never, soft: 1, hard: 1 }]), message: /\$\.process\.rlimits\[0\]\.type/ },
  {
    name: 'duplicate rlimit',
    edit: (s) => (proc(s).rlimits = [{ type: 'RLIMIT_NOFILE', soft: 1, hard: 1 }, { type: 'RLIMIT_NOFILE', soft: 2, hard: 2 }]),
    message: /\$\.process\.rlimits\[1\]\.type: duplicate/,
    runcAccepts: true,
  },
  { name: 'rlimit soft above hard', edit: (s) => (proc(s).rlimits = [{ type: 'RLIMIT_NOFILE', soft: 2048, hard: 1024 }]), message: /\$\.process\.rlimits\[0\]/ },
  { name: 'linux.intelRdt (not implemented)', edit: (s) => (linux(s).intelRdt = { closID: 'x' }), message: /\$\.linux\.intelRdt is not supported/, runcAccepts: true },
  { name: 'linux.netDevices (not implemented)', edit: (s) => (linux(s).netDevices = { eth9: {} }), message: /\$\.linux\.netDevices is not supported/, runcAccepts: true },
  { name: 'linux.mountLabel (not implemented)', edit: (s) => (linux(s).mountLabel = 'system_u:object_r:container_file_t:s0'), message: /\$\.linux\.mountLabel is not supported/, runcAccepts: true },
  { name: 'unknown capability', edit: (s) => (proc(s).capabilities!.bounding = ['CAP_FLY']), message: /unknown capability "CAP_FLY"/, runcAccepts: true },
  { name: 'capabilities set not an array', edit: (s) => ((proc(s).capabilities as Record<string, unknown>).effective = 'CAP_KILL'), message: /\$\.process\.capabilities\.effective: must be an array/ },
  { name: 'mounts not an array', edit: (s) => ((s as Record<string, unknown>).mounts = {}), message: /\$\.mounts: must be an array/ },
  { name: 'mount without destination', edit: (s) => s.mounts!.push({ type: 'tmpfs', source: 'tmpfs' } as never), message: /\$\.mounts\[7\]\.destination: is required/ },
  { name: 'bind mount source missing', edit: (s) => s.mounts!.push({ destination: '/x', type: 'bind', source: '/no/such/source', options: ['bind'] }), message: /\$\.mounts\[7\]\.source: bind mount source \/no\/such\/source does not exist/ },
  { name: 'filesystem data the kernel rejects', edit: (s) => s.mounts!.push({ destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['size=banana'] }), message: /mount tmpfs on \/t: .*EINVAL/ },
  { name: 'unknown filesystem type', edit: (s) => s.mounts!.push({ destination: '/t', type: 'nosuchfs', source: 'x' }), message: /mount nosuchfs on \/t: fsopen: ENODEV/ },
  { name: 'unknown namespace type', edit: (s) => linux(s).namespaces!.push({ type: 'bogus' as never }), message: /\$\.linux\.namespaces\[6\]\.type: must be one of/ },
  { name: 'duplicate namespace', edit: (s) => linux(s).namespaces!.push({ type: 'pid' }), message: /duplicate namespace type "pid"/ },
  { name: 'relative namespace path', edit: (s) => (linux(s).namespaces![1] = { type: 'network', path: 'proc/1/ns/net' }), message: /\$\.linux\.namespaces\[1\]\.path: must be an absolute path/ },
  { name: 'namespace path that does not exist', edit: (s) => (linux(s).namespaces![1] = { type: 'network', path: '/no/such/ns' }), message: /\$\.linux\.namespaces\[1\]\.path: cannot open namespace/ },
  { name: 'namespace path of the wrong type', edit: (s) => (linux(s).namespaces![1] = { type: 'network', path: '/proc/self/ns/uts' }), message: /join network namespace \/proc\/self\/ns\/uts: setns: EINVAL/ },
  { name: 'uid mappings without a user namespace', edit: (s) => (linux(s).uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }]), message: /user namespace/, runcAccepts: true },
  { name: 'user namespace without mappings', edit: (s) => linux(s).namespaces!.push({ type: 'user' }), message: /uidMappings/ },
  {
    name: 'overlapping uid mappings',
    edit: (s) => {
      linux(s).namespaces!.push({ type: 'user' });
      linux(s).uidMappings = [{ containerID: 0, hostID: 100000, size: 100 }, { containerID: 50, hostID: 200000, size: 100 }];
      linux(s).gidMappings = [{ containerID: 0, hostID: 100000, size: 100 }];
    },
    message: /\$\.linux\.uidMappings\[1\]: .*overlap/,
  },
  { name: 'bad device type', edit: (s) => (linux(s).devices = [{ path: '/dev/x', type: 'q' as never, major: 1, minor: 1 }]), message: /\$\.linux\.devices\[0\]\.type/ },
  { name: 'relative device path', edit: (s) => (linux(s).devices = [{ path: 'dev/x', type: 'c', major: 1, minor: 1 }]), message: /\$\.linux\.devices\[0\]\.path: must be an absolute path/, runcAccepts: true },
  { name: 'sysctl outside any namespace', edit: (s) => (linux(s).sysctl = { 'vm.swappiness': '10' }), message: /sysctl "vm\.swappiness" is not in a separate kernel namespace/ },
  {
    name: 'network sysctl in the host network namespace',
    edit: (s) => {
      linux(s).namespaces = linux(s).namespaces!.filter((n) => n.type !== 'network');
      linux(s).sysctl = { 'net.ipv4.ip_forward': '1' };
    },
    message: /not allowed in host network namespace/,
  },
  {
    name: 'hostname without a UTS namespace',
    edit: (s) => {
      linux(s).namespaces = linux(s).namespaces!.filter((n) => n.type !== 'uts');
      s.hostname = 'nope';
    },
    message: /\$\.hostname: unable to set hostname without a private UTS namespace/,
  },
  { name: 'bad rootfsPropagation', edit: (s) => (linux(s).rootfsPropagation = 'sideways' as never), message: /\$\.linux\.rootfsPropagation/ },
  { name: 'relative masked path', edit: (s) => linux(s).maskedPaths!.push('proc/kcore'), message: /\$\.linux\.maskedPaths\[10\]: must be an absolute path/, runcAccepts: true },
  { name: 'hook with a relative path', edit: (s) => (s.hooks = { createRuntime: [{ path: 'hook.sh' }] }), message: /\$\.hooks\.createRuntime\[0\]\.path: must be an absolute path/, runcAccepts: true },
  { name: 'seccomp with an unknown action', edit: (s) => (linux(s).seccomp = { defaultAction: 'SCMP_ACT_MAYBE' as never }), message: /\$\.linux\.seccomp\.defaultAction/ },
  { name: 'oomScoreAdj out of range', edit: (s) => (proc(s).oomScoreAdj = 2000), message: /\$\.process\.oomScoreAdj/, runcAccepts: true },
  { name: 'invalid container id', id: '../escape', message: /invalid container ID format/ },
  { name: 'id with a slash', id: 'a/b', message: /invalid container ID format/ },
  { name: '--preserve-fds not a number', flags: ['--preserve-fds', 'many'], message: /invalid value "many" for flag -preserve-fds/ },
  { name: 'console socket without a terminal', flags: ['--console-socket', '/tmp/none.sock'], message: /console socket/ },
];

describe.each(CASES)('bad input: $name', (c) => {
  it.skipIf(!IS_CAISSON && c.runcAccepts)('fails clearly and leaves nothing behind', async () => {
    const bundle = c.bundle ? c.bundle() : c.raw !== undefined ? sb.rawBundle(c.raw) : sb.bundle(['true'], c.edit as (s: Spec) => void);
    const id = c.id ?? sb.id('bad');
    const log = join(sb.dir, `${id.replace(/\W/g, '_')}.log.json`);
    const r = await sb.rt(['--log', log, '--log-format', 'json', 'create', ...(c.flags ?? []), '--bundle', bundle, id]);
    if (r.code === 0) await sb.rt(['delete', '--force', id]);
    expect(r.code, `expected failure, got: ${r.stdout} ${r.stderr}`).not.toBe(0);
    expect(sb.stateLeft()).toEqual([]);
    // One JSON line, runc's shape: level, msg, RFC 3339 time (containerd and podman parse it).
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    const last = JSON.parse(lines[lines.length - 1]!) as { level: string; msg: string; time: string };
    expect(last.level).toBe('error');
    expect(last.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
    if (IS_CAISSON) {
      expect(lines).toHaveLength(1);
      expect(Object.keys(last)).toEqual(['level', 'msg', 'time']);
      expect(last.msg).toMatch(c.message);
      // With --log, the error is also printed as plain text on stderr.
      expect(r.stderr).toMatch(c.message);
    }
  });
});

describe('bad command lines', () => {
  it('an unknown global flag fails', async () => {
    const r = await sb.rt(['--no-such-flag', 'list']);
    expect(r.code).not.toBe(0);
    if (IS_CAISSON) expect(r.stderr).toMatch(/flag provided but not defined: -no-such-flag/);
  });

  it('an unknown log format fails', async () => {
    const r = await sb.rt(['--log-format', 'xml', 'list']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/invalid log-format: xml/);
  });

  it('an unknown command fails', async () => {
    const r = await sb.rt(['frobnicate']);
    expect(r.code).not.toBe(0);
  });

  it.skipIf(!IS_CAISSON)('--systemd-cgroup gives a clear error', async () => {
    const r = await sb.rt(['--systemd-cgroup', 'create', '--bundle', sb.bundle(['true']), sb.id()]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/systemd cgroup.*not supported/);
  });

  it('both --flag value and --flag=value work', async () => {
    const a = await sb.rt(['list', '--format', 'json']);
    const b = await sb.rt(['list', '--format=json']);
    const c = await sb.rt(['list', '-format=json']);
    expect([a.code, b.code, c.code]).toEqual([0, 0, 0]);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toBe(c.stdout);
  });
});

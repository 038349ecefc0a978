// The parts of the runc CLI that clients parse without running a container: --version (go-runc
// reads its prefixes), list in both formats, features, spec, the refusal of checkpoint/restore,
// every subcommand's --help, and usage errors. Runs against caisson and runc.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Features, Spec } from '../../spec/types.js';
import { IS_CAISSON, Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox('cli');
});
afterEach(async () => {
  await sb.cleanup();
});

const NAME = IS_CAISSON ? 'caisson' : 'runc';

describe('version', () => {
  it('--version and -v print "<name> version X", then "spec: …" as go-runc parses it', async () => {
    for (const flag of ['--version', '-v']) {
      const r = await sb.rt([flag]);
      expect(r.code).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines[0]).toMatch(new RegExp(`^${NAME} version \\S+$`));
      expect(lines.some((l) => /^spec: \d+\.\d+\.\d+/.test(l))).toBe(true);
      if (IS_CAISSON) expect(lines).toContain('spec: 1.3.0');
    }
  });
});

describe('list', () => {
  it('prints the table header and JSON null when there is nothing', async () => {
    const t = await sb.rt(['list']);
    expect(t.code).toBe(0);
    expect(t.stdout.trim().split(/\s+/)).toEqual(['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER']);
    const j = await sb.rt(['list', '--format', 'json']);
    expect(j.stdout.trim()).toBe('null');
    expect((await sb.rt(['list', '-q'])).stdout).toBe('');
  });

  it('the table and the JSON describe a created container the same way', async () => {
    const bundle = sb.bundle(['sleep', '30']);
    const id = sb.id();
    expect((await sb.rt(['create', '--bundle', bundle, id])).code).toBe(0);
    const [entry] = JSON.parse((await sb.rt(['list', '--format', 'json'])).stdout) as Record<string, unknown>[];
    expect(Object.keys(entry!)).toEqual(expect.arrayContaining(['ociVersion', 'id', 'pid', 'status', 'bundle', 'rootfs', 'created', 'owner']));
    expect(entry!.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
    const row = (await sb.rt(['list'])).stdout.trim().split('\n')[1]!.split(/\s{3,}/);
    expect(row.slice(0, 4)).toEqual([id, String(entry!.pid), 'created', bundle]);
    expect(row[5]).toBe('root');
    const bad = await sb.rt(['list', '--format', 'yaml']);
    expect(bad.code).not.toBe(0);
  });
});

describe('features', () => {
  it('prints a features document with 4-space indent', async () => {
    const r = await sb.rt(['features']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\{\n {4}"ociVersionMin": "1\.0\.0",\n/);
    const f = JSON.parse(r.stdout) as Features;
    expect(f.hooks).toEqual(['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop']);
    expect(f.mountOptions).toEqual(expect.arrayContaining(['bind', 'rbind', 'ro', 'rw', 'nosuid', 'nodev', 'noexec', 'rprivate']));
    expect(f.linux!.namespaces).toEqual(expect.arrayContaining(['cgroup', 'ipc', 'mount', 'network', 'pid', 'user', 'uts']));
    expect(f.linux!.capabilities).toEqual(expect.arrayContaining(['CAP_CHOWN', 'CAP_SYS_ADMIN', 'CAP_NET_RAW']));
    expect(f.linux!.cgroup).toMatchObject({ v1: true, v2: true });
    expect(f.linux!.seccomp!.actions).toEqual(expect.arrayContaining(['SCMP_ACT_ALLOW', 'SCMP_ACT_ERRNO', 'SCMP_ACT_KILL']));
    expect(f.linux!.seccomp!.operators).toEqual(expect.arrayContaining(['SCMP_CMP_EQ', 'SCMP_CMP_MASKED_EQ']));
    if (IS_CAISSON) {
      expect(f.ociVersionMax).toBe('1.3.0');
      // The capabilities are those this kernel has.
      const last = Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8'));
      expect(f.linux!.capabilities).toHaveLength(last + 1);
      // Honest about what is not implemented.
      expect(f.linux!.apparmor).toEqual({ enabled: false });
      expect(f.linux!.intelRdt).toEqual({ enabled: false });
      expect(f.mountOptions).not.toContain('idmap');
      for (const flag of f.linux!.seccomp!.supportedFlags ?? []) expect(f.linux!.seccomp!.knownFlags).toContain(flag);
    }
  });
});

describe('spec', () => {
  it('writes a default config.json that runs, and refuses to overwrite one', async () => {
    const dir = join(sb.dir, 'specdir');
    mkdirSync(dir);
    expect((await sb.rt(['spec', '--bundle', dir])).code).toBe(0);
    const spec = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Spec;
    expect(spec.root).toEqual({ path: 'rootfs', readonly: true });
    expect(spec.process!.args).toEqual(['sh']);
    expect(spec.process!.terminal).toBe(true);
    // runc 1.1 has these five; caisson (like runc 1.2+) adds a cgroup namespace.
    expect(spec.linux!.namespaces!.map((n) => n.type).filter((t) => t !== 'cgroup').sort()).toEqual(['ipc', 'mount', 'network', 'pid', 'uts']);
    expect(spec.linux!.maskedPaths).toContain('/proc/kcore');
    const again = await sb.rt(['spec', '--bundle', dir]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/exists/);
  });

  it('--rootless maps the caller and adds a user namespace', async () => {
    const dir = join(sb.dir, 'rootless');
    mkdirSync(dir);
    expect((await sb.rt(['spec', '--rootless', '--bundle', dir])).code).toBe(0);
    const spec = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Spec;
    expect(spec.linux!.namespaces!.map((n) => n.type)).toContain('user');
    expect(spec.linux!.namespaces!.map((n) => n.type)).not.toContain('network');
    expect(spec.linux!.uidMappings).toEqual([{ containerID: 0, hostID: 0, size: 1 }]);
    expect(spec.linux!.gidMappings).toEqual([{ containerID: 0, hostID: 0, size: 1 }]);
  });
});

describe('checkpoint and restore', () => {
  // runc implements them with CRIU; caisson refuses clearly. Either way, for a container that
  // does not exist, the answer is an error.
  it('fail with a non-zero exit and say why', async () => {
    const c = await sb.rt(['checkpoint', '--image-path', join(sb.dir, 'img'), '--leave-running', 'no-such']);
    expect(c.code).not.toBe(0);
    const r = await sb.rt(['restore', '--image-path', join(sb.dir, 'img'), '--bundle', sb.dir, '--detach', 'no-such']);
    expect(r.code).not.toBe(0);
    if (IS_CAISSON) {
      expect(c.stderr).toMatch(/checkpoint is not supported yet/);
      expect(r.stderr).toMatch(/restore is not supported yet/);
      expect(existsSync(join(sb.dir, 'img'))).toBe(false);
    }
  });
});

describe('help and usage', () => {
  const commands = ['create', 'start', 'run', 'state', 'kill', 'delete', 'list', 'spec', 'pause', 'resume', 'ps', 'update', 'events', 'exec', 'features', 'checkpoint', 'restore'];

  // Commands with flags of their own list them under OPTIONS (runc hides the section otherwise).
  const withFlags = new Set(['create', 'run', 'kill', 'delete', 'list', 'spec', 'ps', 'update', 'events', 'exec', 'checkpoint', 'restore']);

  it.each(commands)('%s --help shows NAME and USAGE and exits 0', async (cmd) => {
    const r = await sb.rt([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^NAME:\\n {3}${NAME} ${cmd} - `));
    expect(r.stdout).toMatch(/\nUSAGE:\n/);
    if (withFlags.has(cmd)) expect(r.stdout).toMatch(/\nOPTIONS:\n/);
    expect(r.stdout).not.toMatch(/--help, -h/);
  });

  it('an unknown flag or subcommand is a usage error naming it', async () => {
    const f = await sb.rt(['state', '--no-such-flag', 'x']);
    expect(f.code).not.toBe(0);
    expect(f.stderr).toMatch(/no-such-flag/);
    const c = await sb.rt(['no-such-command']);
    expect(c.code).not.toBe(0);
    expect(c.stderr).toMatch(/no-such-command/);
  });
});

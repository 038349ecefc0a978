// linux.seccomp in real containers: Podman's real profile, every comparison op (64-bit values
// with the high word set, MASKED_EQ) and every action seen from inside with a small static
// program, syscalls newer than the profile answering ENOSYS, a notify agent answering through
// listenerPath, exec under the container's profile, and bad profiles refused by name. Runs
// against caisson and runc.

import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LinuxSeccomp, LinuxSyscall, Spec } from '../../spec/types.js';
import { syscallNumber } from '../../lib/seccomp/index.js';
import { REPO, TEST_BASE } from '../helpers/paths.js';
import { IS_CAISSON, Sandbox } from '../helpers/sandbox.js';
import { PODMAN_PROFILE, podmanSeccomp } from '../helpers/seccomp/containers-profile.js';

const X86_64 = process.arch === 'x64';
const HAVE_GCC = existsSync('/usr/bin/gcc');
const SC = join(TEST_BASE, `seccomp-sc-${process.pid}`);
const nr = (name: string): number => {
  const n = syscallNumber('SCMP_ARCH_X86_64', name);
  if (n === undefined) throw new Error(`no x86_64 syscall ${name}`);
  return n;
};

let sb: Sandbox;
beforeAll(() => {
  if (HAVE_GCC && !existsSync(SC)) execFileSync('gcc', ['-static', '-O2', '-o', SC, join(REPO, 'test/helpers/seccomp/sc.c')]);
});
beforeEach(() => {
  sb = new Sandbox('seccomp');
});
afterEach(async () => {
  await sb.cleanup();
});

/** A bundle whose rootfs has /bin/sc, running `sc` with `calls`, under `seccomp`. */
function scBundle(calls: string[], seccomp: LinuxSeccomp, edit?: (s: Spec) => void): string {
  const bundle = sb.bundle(['/bin/sc', ...calls], (s) => {
    s.linux!.seccomp = seccomp;
    edit?.(s);
  }, { ownRootfs: true });
  copyFileSync(SC, join(bundle, 'rootfs/bin/sc'));
  return bundle;
}

/** Run `sc` calls under a profile; the "RET ERRNO" lines as [ret, errno] pairs. */
async function calls(seccomp: LinuxSeccomp, list: string[], edit?: (s: Spec) => void): Promise<[number, number][]> {
  const r = await sb.run(scBundle(list, seccomp, edit));
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim().split('\n').map((l) => l.split(' ').map(Number) as [number, number]);
}

const errnoOf = (pairs: [number, number][]) => pairs.map(([ret, err]) => (ret < 0 ? err : 0));

describe.skipIf(!X86_64 || !HAVE_GCC)('seccomp', () => {
  describe("Podman's profile", () => {
    it.skipIf(!existsSync(PODMAN_PROFILE))('loads; busybox runs normally under it, and the process is filtered', async () => {
      const r = await sb.run(
        sb.bundle(['sh', '-c', 'ls / > /dev/null && echo ls-ok; date > /dev/null && echo date-ok; ps > /dev/null && echo ps-ok; grep ^Seccomp: /proc/self/status'], (s) => {
          s.linux!.seccomp = podmanSeccomp();
        }),
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('ls-ok\ndate-ok\nps-ok\nSeccomp:\t2\n');
    });

    it.skipIf(!existsSync(PODMAN_PROFILE))('blocks what it blocks, with the configured errno', async () => {
      const got = errnoOf(
        await calls(podmanSeccomp(), [
          `${nr('getpid')}`,
          // SCMP_ACT_ERRNO errnoRet 1
          `${nr('kexec_load')}`,
          `${nr('swapon')}`,
          `${nr('migrate_pages')}`,
          // not listed: the default action, SCMP_ACT_ERRNO defaultErrnoRet 38
          `${nr('add_key')}`,
          // needs CAP_DAC_READ_SEARCH, which the container does not have: EPERM
          `${nr('open_by_handle_at')}`,
          // socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT) without CAP_AUDIT_WRITE: EINVAL (22)
          `${nr('socket')}:16:3:9`,
          // personality: only the listed personas
          `${nr('personality')}:0xffffffff`,
          `${nr('personality')}:0x1`,
        ]),
      );
      expect(got).toEqual([0, 1, 1, 1, 38, 1, 22, 0, 38]);
    });

    it.skipIf(!existsSync(PODMAN_PROFILE))('syscalls newer than the profile answer ENOSYS, not the default errno', async () => {
      const profile = { ...podmanSeccomp(), defaultErrnoRet: 1 };
      const listed = profile.syscalls!.flatMap((s) => s.names).map((n) => syscallNumber('SCMP_ARCH_X86_64', n)).filter((n): n is number => n !== undefined);
      const max = Math.max(...listed);
      // add_key is older than the newest listed call: the default (EPERM); max+1 is newer: ENOSYS.
      expect(errnoOf(await calls(profile, [`${nr('add_key')}`, `${max + 1}`]))).toEqual([1, 38]);
    });
  });

  describe('comparison operators, on 64-bit arguments', () => {
    // Each op on a syscall that ignores its arguments, with its own errno: the filter sees them.
    const rule = (name: string, op: LinuxSyscall['args'], errnoRet: number): LinuxSyscall => ({ names: [name], action: 'SCMP_ACT_ERRNO', errnoRet, args: op });
    const profile: LinuxSeccomp = {
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [
        rule('getpid', [{ index: 0, value: 0x1_0000_0005, op: 'SCMP_CMP_EQ' }], 11),
        rule('getppid', [{ index: 1, value: 0x1_0000_0000, op: 'SCMP_CMP_NE' }], 12),
        rule('getuid', [{ index: 0, value: 0x1_0000_0000, op: 'SCMP_CMP_LT' }], 13),
        rule('geteuid', [{ index: 0, value: 0x1_0000_0000, op: 'SCMP_CMP_LE' }], 14),
        rule('getgid', [{ index: 0, value: 0x1_ffff_ffff, op: 'SCMP_CMP_GT' }], 15),
        rule('getegid', [{ index: 0, value: 0x2_0000_0000, op: 'SCMP_CMP_GE' }], 16),
        rule('gettid', [{ index: 0, value: 0xff_0000_00ff, valueTwo: 0x12_0000_0034, op: 'SCMP_CMP_MASKED_EQ' }], 17),
      ],
    };
    it.each([
      ['EQ', 'getpid', [['0x100000005', 11], ['5', 0], ['0x200000005', 0]]],
      ['NE', 'getppid', [['0:0x100000000', 0], ['0:0', 12], ['0:0x200000000', 12]]],
      ['LT', 'getuid', [['0xffffffff', 13], ['0x100000000', 0], ['0x100000001', 0]]],
      ['LE', 'geteuid', [['0x100000000', 14], ['0xffffffff', 14], ['0x100000001', 0]]],
      ['GT', 'getgid', [['0x200000000', 15], ['0x1ffffffff', 0], ['0xffffffffffffffff', 15]]],
      ['GE', 'getegid', [['0x200000000', 16], ['0x1ffffffff', 0], ['0x300000000', 16]]],
      ['MASKED_EQ', 'gettid', [['0x12ffff0034', 17], ['0x13ffff0034', 0], ['0x12ffff0035', 0], ['0x1200000034', 17]]],
    ] as [string, string, [string, number][]][])('%s', async (_op, name, cases) => {
      const got = errnoOf(await calls(profile, cases.map(([args]) => `${nr(name)}:${args}`)));
      expect(got).toEqual(cases.map(([, e]) => e));
    });
  });

  describe('actions', () => {
    const only = (action: LinuxSyscall['action'], extra: Partial<LinuxSyscall> = {}): LinuxSeccomp => ({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['getppid'], action, ...extra }],
    });
    const SIGSYS = 31;

    it.each(['SCMP_ACT_KILL', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_TRAP'] as const)('%s ends the process with SIGSYS', async (action) => {
      const r = await sb.run(scBundle([`${nr('getpid')}`, `${nr('getppid')}`, `${nr('getpid')}`], only(action)));
      expect(r.code).toBe(128 + SIGSYS);
      expect(r.stdout.trim().split('\n')).toHaveLength(1); // the first getpid only
    });

    it('SCMP_ACT_ERRNO returns errnoRet, and EPERM without one', async () => {
      expect(errnoOf(await calls(only('SCMP_ACT_ERRNO', { errnoRet: 33 }), [`${nr('getppid')}`]))).toEqual([33]);
      expect(errnoOf(await calls(only('SCMP_ACT_ERRNO'), [`${nr('getppid')}`]))).toEqual([1]);
    });

    it('SCMP_ACT_TRACE without a tracer fails the call with ENOSYS', async () => {
      expect(errnoOf(await calls(only('SCMP_ACT_TRACE', { errnoRet: 5 }), [`${nr('getppid')}`]))).toEqual([38]);
    });

    it('SCMP_ACT_ALLOW and SCMP_ACT_LOG let the call through', async () => {
      // Podman's allow list with add_key and getppid added (the default would refuse them).
      const allowAll = podmanSeccomp();
      for (const action of ['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG'] as const) {
        const profile: LinuxSeccomp = { ...allowAll, syscalls: [...allowAll.syscalls!, { names: ['getppid', 'add_key'], action }] };
        const got = await calls(profile, [`${nr('add_key')}:0:0:0:0:0`, `${nr('getppid')}`]);
        expect(got[0]![1]).not.toBe(38); // reached the kernel (which refuses the bad key type)
        expect(got[1]![0]).toBeGreaterThanOrEqual(0);
      }
    });

    it('SCMP_ACT_NOTIFY: the agent at listenerPath gets the listener and the state, and answers', async () => {
      const sock = join(sb.dir, 'agent.sock');
      const stateFile = join(sb.dir, 'agent-state.json');
      const agent = spawn('python3', [join(REPO, 'test/helpers/seccomp_agent.py'), sock, stateFile], { stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        let out = '';
        agent.stdout.on('data', (d: Buffer) => (out += d.toString()));
        for (let i = 0; i < 250 && !out.includes('listening'); i++) await sleep(20);
        const profile: LinuxSeccomp = { ...only('SCMP_ACT_NOTIFY'), listenerPath: sock, listenerMetadata: 'from-the-test' };
        const bundle = scBundle([`${nr('getppid')}`, `${nr('getpid')}`], profile);
        const r = await sb.run(bundle, { timeoutMs: 20_000 });
        expect(r.code, r.stderr).toBe(0);
        const [ppid, pid] = r.stdout.trim().split('\n').map((l) => Number(l.split(' ')[0]));
        expect(ppid).toBe(4242); // the agent's answer
        expect(pid).toBe(1);
        const got = JSON.parse(readFileSync(stateFile, 'utf8')) as { state: Record<string, unknown>; fds: number };
        expect(got.fds).toBe(1);
        expect(got.state).toMatchObject({ fds: ['seccompFd'], metadata: 'from-the-test', state: { status: 'creating', bundle } });
        expect(got.state.ociVersion).toMatch(/^1\./);
        expect((got.state.state as { pid: number }).pid).toBe(got.state.pid);
      } finally {
        agent.kill('SIGKILL');
      }
    });

    it.skipIf(!IS_CAISSON)('SCMP_ACT_NOTIFY on a syscall the runtime needs to hand the listener on is refused', async () => {
      const profile: LinuxSeccomp = { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: join(sb.dir, 'none.sock'), syscalls: [{ names: ['getpid', 'write'], action: 'SCMP_ACT_NOTIFY' }] };
      const r = await sb.run(sb.bundle(['true'], (s) => (s.linux!.seccomp = profile)));
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/\$\.linux\.seccomp\.syscalls\[0\]\.names\[1\].*write/);
      expect(sb.stateLeft()).toEqual([]);
    });
  });

  it('exec runs under the container profile', async () => {
    const profile: LinuxSeccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['getppid'], action: 'SCMP_ACT_ERRNO', errnoRet: 44 }] };
    const bundle = scBundle([], profile, (s) => (s.process!.args = ['sleep', '30']));
    const id = sb.id();
    expect((await sb.rt(['run', '-d', '--bundle', bundle, id])).code).toBe(0);
    const r = await sb.rt(['exec', id, '/bin/sc', `${nr('getppid')}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('-1 44');
  });

  describe('bad profiles are refused, naming the entry, leaving nothing behind', () => {
    const ok: LinuxSyscall = { names: ['getpid'], action: 'SCMP_ACT_ERRNO' };
    it.each([
      ['an unknown action', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [ok, { names: ['getppid'], action: 'SCMP_ACT_NOPE' }] }, /syscalls\[1\]\.action/],
      ['an unknown default action', { defaultAction: 'SCMP_ACT_MAYBE' }, /defaultAction/],
      ['an unknown op', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ ...ok, args: [{ index: 0, value: 1, op: 'SCMP_CMP_ABOUT' }] }] }, /syscalls\[0\]\.args\[0\]\.op/],
      ['an unknown arch', { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_Z80'], syscalls: [ok] }, /architectures\[1\]/],
      ['an argument index above 5', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ ...ok, args: [{ index: 6, value: 1, op: 'SCMP_CMP_EQ' }] }] }, /syscalls\[0\]\.args\[0\]\.index/],
      [
        'a program over 4096 instructions',
        {
          defaultAction: 'SCMP_ACT_ALLOW',
          syscalls: Array.from({ length: 1500 }, (_, i) => ({ names: ['getpid'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, args: [{ index: 0, value: i * 7 + 1, op: 'SCMP_CMP_EQ' }, { index: 1, value: i, op: 'SCMP_CMP_NE' }] })),
        },
        /4096/,
      ],
    ] as [string, unknown, RegExp][])('%s', async (_what, seccomp, where) => {
      const bundle = sb.bundle(['true'], (s) => (s.linux!.seccomp = seccomp as LinuxSeccomp));
      const r = await sb.rt(['--log-format', 'json', 'run', '--bundle', bundle, sb.id()]);
      expect(r.code).not.toBe(0);
      if (IS_CAISSON) {
        expect(r.stderr).toMatch(where);
        expect(r.stderr).toMatch(/"level":"error"/);
      }
      expect(sb.stateLeft()).toEqual([]);
    });
  });
});

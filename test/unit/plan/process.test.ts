import { describe, expect, it } from 'vitest';
import type { CapMasks } from '../../../lib/plan/capabilities.js';
import { ChdirWhen, ExecHow, Op } from '../../../lib/plan/opcodes.js';
import { execHow, pathFromEnv, processOps, rlimitOps } from '../../../lib/plan/process.js';
import type { ProcessPlanInput } from '../../../lib/plan/process.js';
import type { Process } from '../../../spec/types.js';
import { opNames } from './fixtures.js';

const RLIM_INFINITY = 18446744073709551615n;
const CAPS: CapMasks = { bounding: 0b111n, effective: 0b1n, permitted: 0b11n, inheritable: 0n, ambient: 0b10n };

function input(process: Partial<Process> = {}, over: Partial<ProcessPlanInput> = {}): ProcessPlanInput {
  return {
    process: { args: ['/bin/app', '--flag'], cwd: '/work', env: ['PATH=/bin', 'HOME=/root'], ...process },
    caps: CAPS,
    canSetGroups: true,
    preserveFds: 0,
    startListenFd: 5,
    ...over,
  };
}

describe('pathFromEnv', () => {
  it.each([
    [['PATH=/usr/bin:/bin', 'TERM=xterm'], '/usr/bin:/bin'],
    // the last PATH= wins, as execve sees the environment
    [['PATH=/first', 'X=1', 'PATH=/last'], '/last'],
    [['PATH='], ''],
    [['TERM=xterm'], ''],
    [['PATHX=/nope', 'MYPATH=/nope', 'path=/nope'], ''],
    [['PATH=/a=b:/c'], '/a=b:/c'],
    [[], ''],
    [undefined, ''],
  ])('%j -> %j', (env, path) => {
    expect(pathFromEnv(env)).toBe(path);
  });

  it('does not reorder the caller\'s array', () => {
    const env = ['PATH=/a', 'PATH=/b'];
    pathFromEnv(env);
    expect(env).toEqual(['PATH=/a', 'PATH=/b']);
  });
});

describe('rlimitOps', () => {
  it('one RLIMIT op per entry: resource number, soft, hard', () => {
    const ops = rlimitOps({
      args: ['x'],
      cwd: '/',
      rlimits: [
        { type: 'RLIMIT_NOFILE', soft: 1024, hard: 4096 },
        { type: 'RLIMIT_CPU', soft: 0, hard: 1 },
        { type: 'RLIMIT_RTTIME', soft: 5, hard: 6 },
      ],
    });
    expect(ops).toEqual([
      { code: Op.RLIMIT, label: 'set RLIMIT_NOFILE', fields: [7, 1024n, 4096n] },
      { code: Op.RLIMIT, label: 'set RLIMIT_CPU', fields: [0, 0n, 1n] },
      { code: Op.RLIMIT, label: 'set RLIMIT_RTTIME', fields: [15, 5n, 6n] },
    ]);
  });

  it('18446744073709551615 (which JSON.parse rounds to 2^64) is RLIM_INFINITY', () => {
    const max = JSON.parse('18446744073709551615') as number;
    expect(max).toBe(2 ** 64); // the rounding this rule exists for
    const [op] = rlimitOps({ args: ['x'], cwd: '/', rlimits: [{ type: 'RLIMIT_CORE', soft: max, hard: max }] });
    expect(op!.fields).toEqual([4, RLIM_INFINITY, RLIM_INFINITY]);
  });

  it('large finite values stay exact as bigint', () => {
    const [op] = rlimitOps({ args: ['x'], cwd: '/', rlimits: [{ type: 'RLIMIT_AS', soft: 2 ** 40, hard: 2 ** 53 }] });
    expect(op!.fields).toEqual([9, 1n << 40n, 1n << 53n]);
  });

  it('no rlimits: no ops', () => {
    expect(rlimitOps({ args: ['x'], cwd: '/' })).toEqual([]);
  });
});

describe('processOps', () => {
  it('runs in the order the kernel allows', () => {
    const ops = processOps(input({ rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1, hard: 2 }], noNewPrivileges: true, user: { uid: 1000, gid: 1000, umask: 0o077 } }));
    expect(opNames(ops)).toEqual([
      'RLIMIT',
      'CHDIR', // TRY, as root
      'CAPS_BOUNDING',
      'KEEP_CAPS', // 1
      'SETUSER',
      'KEEP_CAPS', // 0
      'CHDIR', // DEFERRED, as the user
      'CAPS',
      'NO_NEW_PRIVS',
      'UMASK',
      'RESOLVE_EXEC',
      'PREPARE_FDS',
      'WAIT_START',
      'EXEC',
    ]);
  });

  it('fields of each op', () => {
    const ops = processOps(input({ user: { uid: 1000, gid: 100, additionalGids: [5, 6, 7], umask: 0o027 }, noNewPrivileges: true }, { preserveFds: 2, startListenFd: 12 }));
    const byLabel = Object.fromEntries(ops.map((o, i) => [`${i}:${o.label}`, o.fields]));
    expect(byLabel).toEqual({
      '0:chdir to cwd ("/work")': ['/work', ChdirWhen.TRY],
      '1:apply bounding capabilities': [CAPS.bounding],
      '2:keep capabilities across setuid': [1],
      '3:set user 1000:100': [1000, 100, 1, 3, 5, 6, 7],
      '4:stop keeping capabilities': [0],
      '5:chdir to cwd ("/work")': ['/work', ChdirWhen.DEFERRED],
      '6:apply capabilities': [CAPS.effective, CAPS.permitted, CAPS.inheritable, CAPS.ambient],
      '7:set no_new_privs': [],
      '8:set umask': [0o027],
      '9:exec: "/bin/app"': ['/bin/app', '/bin'],
      // 3 + preserveFds: the first fd that is not handed to the container
      '10:mark fds close-on-exec': [5],
      '11:wait for start': [12, 5],
      '12:exec: "/bin/app"': [ExecHow.TRAMPOLINE, 2, '/bin/app', '--flag', 2, 'PATH=/bin', 'HOME=/root'],
    });
  });

  it('defaults: root, no groups, no umask op, no no_new_privs op', () => {
    const ops = processOps(input({ user: undefined, noNewPrivileges: false }));
    expect(ops.find((o) => o.code === Op.SETUSER)!.fields).toEqual([0, 0, 1, 0]);
    expect(ops.some((o) => o.code === Op.UMASK)).toBe(false);
    expect(ops.some((o) => o.code === Op.NO_NEW_PRIVS)).toBe(false);
  });

  it('with a default umask (a container init: runc\'s 0022) the umask op is there unless user.umask overrides it', () => {
    const umaskOf = (ops: ReturnType<typeof processOps>) => ops.find((o) => o.code === Op.UMASK)?.fields;
    expect(umaskOf(processOps(input({ user: undefined }, { defaultUmask: 0o022 })))).toEqual([0o022]);
    expect(umaskOf(processOps(input({ user: { uid: 0, gid: 0, umask: 0o077 } }, { defaultUmask: 0o022 })))).toEqual([0o077]);
  });

    it('umask 0 is still set', () => {
    const ops = processOps(input({ user: { uid: 0, gid: 0, umask: 0 } }));
    expect(ops.find((o) => o.code === Op.UMASK)!.fields).toEqual([0]);
  });

  it('canSetGroups=false tells the init not to call setgroups', () => {
    const ops = processOps(input({ user: { uid: 1, gid: 2, additionalGids: [3] } }, { canSetGroups: false }));
    expect(ops.find((o) => o.code === Op.SETUSER)!.fields).toEqual([1, 2, 0, 1, 3]);
  });

  it('no env: an empty environment and no PATH for the lookup', () => {
    const ops = processOps(input({ env: undefined, args: ['sh'] }));
    expect(ops.find((o) => o.code === Op.RESOLVE_EXEC)!.fields).toEqual(['sh', '']);
    expect(ops.at(-1)!.fields).toEqual([ExecHow.TRAMPOLINE, 1, 'sh', 0]);
  });

  it('the exec lookup uses the last PATH of the container\'s environment', () => {
    const ops = processOps(input({ env: ['PATH=/a', 'PATH=/b:/c'], args: ['ls'] }));
    expect(ops.find((o) => o.code === Op.RESOLVE_EXEC)!.fields).toEqual(['ls', '/b:/c']);
  });

  it('EXEC is last, WAIT_START right before it', () => {
    const ops = processOps(input());
    expect(opNames(ops.slice(-2))).toEqual(['WAIT_START', 'EXEC']);
  });
});

describe('processOps: where the seccomp filter goes', () => {
  const seccomp = { program: Buffer.alloc(8), flags: 0 };
  const notify = { program: Buffer.alloc(8), flags: 8, listenerFd: 9 };
  const where = (ops: ReturnType<typeof processOps>) => opNames(ops).filter((n) => ['SECCOMP', 'CAPS_BOUNDING', 'SETUSER', 'WAIT_START', 'EXEC'].includes(n));

  it('without no_new_privs: before the capabilities are dropped (it needs CAP_SYS_ADMIN)', () => {
    expect(where(processOps(input({ noNewPrivileges: false }, { seccomp })))).toEqual(['SECCOMP', 'CAPS_BOUNDING', 'SETUSER', 'WAIT_START', 'EXEC']);
  });

  it('with no_new_privs: after start, right before execve', () => {
    expect(where(processOps(input({ noNewPrivileges: true }, { seccomp })))).toEqual(['CAPS_BOUNDING', 'SETUSER', 'WAIT_START', 'SECCOMP', 'EXEC']);
  });

  it('with no_new_privs and notify: before the init waits, so create can pass the listener on', () => {
    const ops = processOps(input({ noNewPrivileges: true }, { seccomp: notify }));
    expect(where(ops)).toEqual(['CAPS_BOUNDING', 'SETUSER', 'SECCOMP', 'WAIT_START', 'EXEC']);
    expect(ops.find((o) => o.code === Op.SECCOMP)!.fields).toEqual([8, notify.program, 9]);
  });

  it('an exec\'d process (no start socket) installs it right before execve', () => {
    expect(where(processOps(input({ noNewPrivileges: true }, { seccomp, startListenFd: undefined })))).toEqual(['CAPS_BOUNDING', 'SETUSER', 'SECCOMP', 'EXEC']);
    expect(opNames(processOps(input({}, { startListenFd: undefined }))).includes('WAIT_START')).toBe(false);
  });

  it('no profile: no SECCOMP op; no listener: fd field 0', () => {
    expect(opNames(processOps(input())).includes('SECCOMP')).toBe(false);
    expect(processOps(input({}, { seccomp })).find((o) => o.code === Op.SECCOMP)!.fields).toEqual([0, seccomp.program, 0]);
  });
});

describe('execHow: through the sealed trampoline unless that changes the capabilities', () => {
  const m = (permitted: bigint, ambient: bigint): CapMasks => ({ bounding: permitted, effective: permitted, permitted, inheritable: ambient, ambient });
  const NET_BIND = 1n << 10n;
  const DAC_OVERRIDE = 1n << 1n;
  it.each([
    ['root', 0, true, m(NET_BIND, 0n), ExecHow.TRAMPOLINE],
    ['non-root without no_new_privs', 1000, false, m(NET_BIND, 0n), ExecHow.TRAMPOLINE],
    ['non-root, no_new_privs, every permitted cap ambient', 1000, true, m(NET_BIND, NET_BIND), ExecHow.TRAMPOLINE],
    ['non-root, no_new_privs, no caps', 1000, true, m(0n, 0n), ExecHow.TRAMPOLINE],
    // file capabilities of the program would be capped at the trampoline's (ambient) set
    ['non-root, no_new_privs, permitted beyond ambient', 1000, true, m(NET_BIND, 0n), ExecHow.DIRECT],
    // ...but never direct when an ambient cap could rewrite the host binary
    ['... with CAP_DAC_OVERRIDE ambient', 1000, true, m(NET_BIND | DAC_OVERRIDE, DAC_OVERRIDE), ExecHow.TRAMPOLINE],
  ])('%s', (_name, uid, nnp, caps, how) => {
    expect(execHow(uid, nnp, caps)).toBe(how);
  });

  it('is the first field of EXEC', () => {
    expect(processOps(input()).at(-1)!.fields[0]).toBe(ExecHow.TRAMPOLINE);
  });
});

// lib/seccomp: what compiled profiles decide (run in the classic-BPF interpreter of
// test/helpers/cbpf.ts), the flags they ask for, and the errors bad profiles get. The
// differential test checks the same against libseccomp on generated profiles; these are the
// cases spelled out, one behaviour each.

import { describe, expect, it } from 'vitest';
import { compileSeccomp } from '../../../lib/seccomp/index.js';
import type { CompileOptions } from '../../../lib/seccomp/index.js';
import { describeRet } from '../../../lib/seccomp/actions.js';
import { ConfigError } from '../../../lib/errors.js';
import type { LinuxSeccomp, LinuxSeccompArg, LinuxSyscall } from '../../../spec/types.js';
import { checkProgram, decodeProgram, runFilter } from '../../helpers/cbpf.js';

const X86_64 = 0xc000003e;
const I386 = 0x40000003;
const AARCH64 = 0xc00000b7;
const ARM = 0x40000028;
const X32 = 0x40000000;

const ALLOW = 'ALLOW';
const EPERM = 'ERRNO(1)';
const ENOSYS = 'ERRNO(38)';
const KILL = 'KILL_THREAD';

const NATIVE: CompileOptions = { nativeArch: 'SCMP_ARCH_X86_64' };

/** A decision function for a profile: (nr, args, arch) → "ALLOW", "ERRNO(1)", … */
function filter(profile: LinuxSeccomp, opts: CompileOptions = NATIVE) {
  const c = compileSeccomp(profile, opts);
  const prog = decodeProgram(c.program);
  checkProgram(prog);
  expect(prog.length).toBe(c.instructions);
  return (nr: number, args: Array<bigint | number> = [], arch = X86_64) => describeRet(runFilter(prog, { nr: nr >>> 0, arch, args: args.map((a) => BigInt(a)) }));
}

const arg = (index: number, op: LinuxSeccompArg['op'], value: bigint | number, valueTwo?: bigint | number): LinuxSeccompArg =>
  ({ index, op, value: value as number, ...(valueTwo !== undefined ? { valueTwo: valueTwo as number } : {}) }) as LinuxSeccompArg;
const rule = (names: string[], action: LinuxSyscall['action'], extra: Partial<LinuxSyscall> = {}): LinuxSyscall => ({ names, action, ...extra });
const errnoDefault = (syscalls: LinuxSyscall[], extra: Partial<LinuxSeccomp> = {}): LinuxSeccomp => ({ defaultAction: 'SCMP_ACT_ERRNO', syscalls, ...extra });

const READ = 0;
const WRITE = 1;
const PERSONALITY = 135;
const SOCKET = 41;

describe('actions', () => {
  it.each<[LinuxSyscall['action'], number | undefined, string]>([
    ['SCMP_ACT_ALLOW', undefined, 'ALLOW'],
    ['SCMP_ACT_KILL', undefined, 'KILL_THREAD'],
    ['SCMP_ACT_KILL_THREAD', undefined, 'KILL_THREAD'],
    ['SCMP_ACT_KILL_PROCESS', undefined, 'KILL_PROCESS'],
    ['SCMP_ACT_TRAP', undefined, 'TRAP'],
    ['SCMP_ACT_ERRNO', undefined, 'ERRNO(1)'],
    ['SCMP_ACT_ERRNO', 13, 'ERRNO(13)'],
    ['SCMP_ACT_ERRNO', 65536 + 22, 'ERRNO(22)'],
    ['SCMP_ACT_TRACE', undefined, 'TRACE(1)'],
    ['SCMP_ACT_TRACE', 4242, 'TRACE(4242)'],
    ['SCMP_ACT_LOG', undefined, 'LOG'],
    ['SCMP_ACT_NOTIFY', undefined, 'NOTIFY'],
  ])('%s errnoRet=%s returns %s', (action, errnoRet, want) => {
    const f = filter({ defaultAction: 'SCMP_ACT_KILL_PROCESS', syscalls: [rule(['read'], action, errnoRet === undefined ? {} : { errnoRet })] });
    expect(f(READ)).toBe(want);
  });

  it('defaultErrnoRet applies to the default action', () => {
    const f = filter(errnoDefault([rule(['write'], 'SCMP_ACT_ALLOW')], { defaultErrnoRet: 38, architectures: ['SCMP_ARCH_X86_64'] }));
    expect(f(READ)).toBe(ENOSYS);
    expect(f(WRITE)).toBe(ALLOW);
  });

  it('a rule whose action equals the default action is dropped (it would not shadow a later one)', () => {
    const f = filter(errnoDefault([rule(['read'], 'SCMP_ACT_ERRNO', { errnoRet: 1 }), rule(['read'], 'SCMP_ACT_ALLOW')]));
    expect(f(READ)).toBe(ALLOW);
  });
});

describe('argument comparisons (64-bit, on two 32-bit words)', () => {
  const HI = 1n << 32n;
  const cases: Array<[LinuxSeccompArg['op'], bigint, bigint | undefined, Array<[bigint, boolean]>]> = [
    ['SCMP_CMP_EQ', HI + 5n, undefined, [[HI + 5n, true], [5n, false], [HI, false], [2n * HI + 5n, false]]],
    ['SCMP_CMP_NE', HI + 5n, undefined, [[HI + 5n, false], [5n, true], [HI + 6n, true]]],
    ['SCMP_CMP_LT', HI + 5n, undefined, [[HI + 4n, true], [HI + 5n, false], [HI - 1n, true], [2n * HI, false], [0n, true]]],
    ['SCMP_CMP_LE', HI + 5n, undefined, [[HI + 5n, true], [HI + 6n, false], [4n, true], [(1n << 64n) - 1n, false]]],
    ['SCMP_CMP_GT', HI + 5n, undefined, [[HI + 6n, true], [HI + 5n, false], [2n * HI, true], [HI - 1n, false]]],
    ['SCMP_CMP_GE', HI + 5n, undefined, [[HI + 5n, true], [HI + 4n, false], [1n << 63n, true]]],
    ['SCMP_CMP_MASKED_EQ', 0xff00000000n + 0xf0n, 0x1200000030n, [[0x1200000030n, true], [0x12ffffff3fn, true], [0x1300000030n, false], [0x1200000040n, false]]],
  ];
  it.each(cases)('%s %s', (op, value, valueTwo, inputs) => {
    const f = filter(errnoDefault([rule(['read'], 'SCMP_ACT_ALLOW', { args: [arg(2, op, value, valueTwo)] })]));
    for (const [v, allowed] of inputs) expect(f(READ, [0, 0, v]), `arg2 = 0x${v.toString(16)}`).toBe(allowed ? ALLOW : EPERM);
  });

  it('MASKED_EQ compares (arg & mask) with (valueTwo & mask), as libseccomp does', () => {
    // valueTwo has bits outside the mask: libseccomp masks it too, so 0x3 matches.
    const f = filter(errnoDefault([rule(['read'], 'SCMP_ACT_ALLOW', { args: [arg(0, 'SCMP_CMP_MASKED_EQ', 0x3, 0x103)] })]));
    expect(f(READ, [0x3])).toBe(ALLOW);
    expect(f(READ, [0x1])).toBe(EPERM);
  });

  it('tests of different arguments in one entry are ANDed', () => {
    const f = filter(errnoDefault([rule(['read'], 'SCMP_ACT_ALLOW', { args: [arg(0, 'SCMP_CMP_EQ', 1), arg(5, 'SCMP_CMP_GT', 7)] })]));
    expect(f(READ, [1, 0, 0, 0, 0, 8])).toBe(ALLOW);
    expect(f(READ, [1, 0, 0, 0, 0, 7])).toBe(EPERM);
    expect(f(READ, [2, 0, 0, 0, 0, 8])).toBe(EPERM);
  });

  it('two tests of the same argument in one entry become separate rules (ORed), as runc does', () => {
    const f = filter(errnoDefault([rule(['read'], 'SCMP_ACT_ALLOW', { args: [arg(0, 'SCMP_CMP_EQ', 1), arg(0, 'SCMP_CMP_EQ', 2)] })]));
    expect(f(READ, [1])).toBe(ALLOW);
    expect(f(READ, [2])).toBe(ALLOW);
    expect(f(READ, [3])).toBe(EPERM);
  });

  it('entries for the same syscall are ORed', () => {
    const f = filter(errnoDefault([0, 8, 0x20000, 0xffffffff].map((v) => rule(['personality'], 'SCMP_ACT_ALLOW', { args: [arg(0, 'SCMP_CMP_EQ', v)] }))));
    for (const v of [0, 8, 0x20000, 0xffffffff]) expect(f(PERSONALITY, [v])).toBe(ALLOW);
    expect(f(PERSONALITY, [1])).toBe(EPERM);
    expect(f(PERSONALITY, [0x1_0000_0000n])).toBe(EPERM);
  });

  it('32-bit architectures compare the low word only (libseccomp ignores the high one)', () => {
    const f = filter(errnoDefault([rule(['read'], 'SCMP_ACT_ALLOW', { args: [arg(0, 'SCMP_CMP_EQ', (7n << 32n) + 5n)] })], { architectures: ['SCMP_ARCH_X86'] }));
    expect(f(3, [5], I386)).toBe(ALLOW); // i386 read is 3
    expect(f(3, [(9n << 32n) + 5n], I386)).toBe(ALLOW);
    expect(f(READ, [5], X86_64)).toBe(EPERM);
    expect(f(READ, [(7n << 32n) + 5n], X86_64)).toBe(ALLOW);
  });
});

describe('overlapping and conflicting rules (libseccomp merge results)', () => {
  it('the first unconditional rule for a syscall wins over later ones', () => {
    const f = filter(errnoDefault([rule(['read'], 'SCMP_ACT_ALLOW'), rule(['read'], 'SCMP_ACT_ERRNO', { errnoRet: 13 })]));
    expect(f(READ)).toBe(ALLOW);
  });

  it('an unconditional rule replaces earlier conditional ones', () => {
    const f = filter(errnoDefault([rule(['read'], 'SCMP_ACT_TRAP', { args: [arg(0, 'SCMP_CMP_EQ', 1)] }), rule(['read'], 'SCMP_ACT_ALLOW')]));
    expect(f(READ, [1])).toBe(ALLOW);
  });

  it('a conditional rule after an unconditional one is swallowed', () => {
    const f = filter(errnoDefault([rule(['read'], 'SCMP_ACT_ALLOW'), rule(['read'], 'SCMP_ACT_TRAP', { args: [arg(0, 'SCMP_CMP_EQ', 1)] })]));
    expect(f(READ, [1])).toBe(ALLOW);
  });

  it('of two GT tests with different actions the narrower one decides where both match', () => {
    const f = filter(errnoDefault([rule(['read'], 'SCMP_ACT_ALLOW', { args: [arg(0, 'SCMP_CMP_GT', 5)] }), rule(['read'], 'SCMP_ACT_TRAP', { args: [arg(0, 'SCMP_CMP_GT', 10)] })]));
    expect(f(READ, [7])).toBe(ALLOW);
    expect(f(READ, [11])).toBe('TRAP');
    expect(f(READ, [1n << 40n])).toBe('TRAP');
    expect(f(READ, [3])).toBe(EPERM);
  });

  it('the same test with two different actions is refused, naming the entry (libseccomp: EEXIST)', () => {
    const p = errnoDefault([rule(['read'], 'SCMP_ACT_ALLOW', { args: [arg(0, 'SCMP_CMP_EQ', 1)] }), rule(['write', 'read'], 'SCMP_ACT_TRAP', { args: [arg(0, 'SCMP_CMP_EQ', 1)] })]);
    expect(() => compileSeccomp(p, NATIVE)).toThrow(ConfigError);
    expect(() => compileSeccomp(p, NATIVE)).toThrow(/^\$\.linux\.seccomp\.syscalls\[1\]: conflicts with an earlier rule for read on SCMP_ARCH_X86_64/);
  });

  it('a conflict on an architecture that lacks the syscall still refuses the profile, as libseccomp does', () => {
    // _llseek is no x86_64 syscall, but libseccomp keeps rules for it under a pseudo number.
    const p = errnoDefault([rule(['_llseek'], 'SCMP_ACT_ALLOW', { args: [arg(0, 'SCMP_CMP_EQ', 1)] }), rule(['_llseek'], 'SCMP_ACT_TRAP', { args: [arg(0, 'SCMP_CMP_EQ', 1)] })]);
    expect(() => compileSeccomp(p, NATIVE)).toThrow(/syscalls\[1\]: conflicts with an earlier rule for _llseek on SCMP_ARCH_X86_64/);
  });
});

describe('architectures', () => {
  it('the native architecture is always in the filter; others get KILL_THREAD (the bad-arch action)', () => {
    const f = filter(errnoDefault([rule(['read'], 'SCMP_ACT_ALLOW')]));
    expect(f(READ, [], X86_64)).toBe(ALLOW);
    expect(f(3, [], I386)).toBe(KILL);
    expect(f(63, [], AARCH64)).toBe(KILL);
    expect(f(0, [], 0x12345678)).toBe(KILL);
  });

  it('listed architectures resolve names with their own tables', () => {
    const f = filter(errnoDefault([rule(['read', 'openat'], 'SCMP_ACT_ALLOW')], { architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'] }));
    expect(f(0, [], X86_64)).toBe(ALLOW);
    expect(f(257, [], X86_64)).toBe(ALLOW);
    expect(f(3, [], I386)).toBe(ALLOW);
    expect(f(295, [], I386)).toBe(ALLOW);
    expect(f(63, [], AARCH64)).toBe(ALLOW);
    expect(f(56, [], AARCH64)).toBe(ALLOW);
    expect(f(3, [], ARM)).toBe(ALLOW);
    expect(f(322, [], ARM)).toBe(ALLOW);
    expect(f(4, [], ARM)).toBe(EPERM);
  });

  it('x86_64 without x32 refuses x32 numbers with the bad-arch action, except -1', () => {
    const f = filter(errnoDefault([rule(['read'], 'SCMP_ACT_ALLOW')]));
    expect(f(X32 | READ)).toBe(KILL);
    expect(f(0x7fffffff)).toBe(KILL);
    expect(f(0xffffffff)).toBe(EPERM);
  });

  it('with x32 listed, x32 numbers (bit 30 set) use the x32 table', () => {
    const f = filter(errnoDefault([rule(['read', 'readv'], 'SCMP_ACT_ALLOW')], { architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X32'] }));
    expect(f(X32 | READ)).toBe(ALLOW);
    expect(f(X32 | 515)).toBe(ALLOW); // x32 readv is 515
    expect(f(X32 | 19)).toBe(EPERM); // 19 is x86_64's readv, not an x32 call
    expect(f(19)).toBe(ALLOW);
  });

  it('i386 socket calls are matched through socketcall(2) too, with argument 0 the call number', () => {
    const f = filter(errnoDefault([rule(['socket', 'accept'], 'SCMP_ACT_ALLOW')], { architectures: ['SCMP_ARCH_X86'] }));
    expect(f(359, [], I386)).toBe(ALLOW); // direct socket
    expect(f(102, [1], I386)).toBe(ALLOW); // socketcall(SYS_SOCKET)
    expect(f(102, [5], I386)).toBe(ALLOW); // socketcall(SYS_ACCEPT); accept has no direct syscall on i386
    expect(f(102, [3], I386)).toBe(EPERM); // SYS_CONNECT
    expect(f(SOCKET, [], X86_64)).toBe(ALLOW);
  });

  it('a filter built for aarch64 covers aarch64 (and arm if listed)', () => {
    const f = filter(errnoDefault([rule(['openat'], 'SCMP_ACT_ALLOW')], { architectures: ['SCMP_ARCH_ARM'] }), { nativeArch: 'SCMP_ARCH_AARCH64' });
    expect(f(56, [], AARCH64)).toBe(ALLOW);
    expect(f(322, [], ARM)).toBe(ALLOW);
    expect(f(257, [], X86_64)).toBe(KILL);
  });
});

describe("runc's -ENOSYS rule", () => {
  const names = ['read', 'write', 'openat'];

  it('numbers above the highest named syscall of a listed architecture return ENOSYS', () => {
    const f = filter(errnoDefault([rule(names, 'SCMP_ACT_ALLOW')], { architectures: ['SCMP_ARCH_X86_64'] }));
    expect(f(256)).toBe(EPERM); // below openat (257): the default action
    expect(f(258)).toBe(ENOSYS);
    expect(f(0x3fffffff)).toBe(ENOSYS);
    expect(f(0x80000000)).toBe(ENOSYS); // runc only looks at bit 30
    expect(f(X32 | 5)).toBe(KILL); // x32 numbers go on to the filter
  });

  it('counts every name of the profile, whatever its action', () => {
    const f = filter(errnoDefault([rule(['read'], 'SCMP_ACT_ALLOW'), rule(['io_uring_setup'], 'SCMP_ACT_ERRNO')], { architectures: ['SCMP_ARCH_X86_64'] }));
    expect(f(300)).toBe(EPERM);
    expect(f(425)).toBe(EPERM); // io_uring_setup itself: its rule equals the default action
    expect(f(426)).toBe(ENOSYS);
  });

  it('does not apply to an architecture that is not listed (not even the native one)', () => {
    const f = filter(errnoDefault([rule(names, 'SCMP_ACT_ALLOW')]));
    expect(f(400)).toBe(EPERM);
  });

  it('does not apply when the default action is ALLOW, LOG or TRACE', () => {
    for (const defaultAction of ['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_TRACE'] as const) {
      const f = filter({ defaultAction, architectures: ['SCMP_ARCH_X86_64'], syscalls: [rule(names, 'SCMP_ACT_KILL')] });
      expect(f(400)).not.toBe(ENOSYS);
    }
  });

  it('applies per architecture, and x32 by its own highest number', () => {
    const f = filter(errnoDefault([rule(['read', 'openat'], 'SCMP_ACT_ALLOW')], { architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'] }));
    expect(f(258)).toBe(ENOSYS);
    expect(f(296, [], I386)).toBe(ENOSYS); // i386 openat is 295
    expect(f(295, [], I386)).toBe(ALLOW);
    expect(f(X32 | 258)).toBe(ENOSYS);
    expect(f(0xffffffff)).toBe(ENOSYS); // bit 30 set: above x32's highest
  });

  it('i386 socket and IPC names do not count (libseccomp gives them pseudo numbers there)', () => {
    const f = filter(errnoDefault([rule(['read', 'socket'], 'SCMP_ACT_ALLOW')], { architectures: ['SCMP_ARCH_X86'] }));
    // The highest i386 number named is read (3): even socket's own 359 is above it.
    expect(f(4, [], I386)).toBe(ENOSYS);
    expect(f(359, [], I386)).toBe(ENOSYS);
    expect(f(102, [1], I386)).toBe(ENOSYS);
  });
});

describe('unknown syscall names', () => {
  it('are ignored and reported', () => {
    const c = compileSeccomp(errnoDefault([rule(['read', 'no_such_call', 'kexec_file_load'], 'SCMP_ACT_ALLOW')], { architectures: ['SCMP_ARCH_X86'] }), NATIVE);
    expect(c.unknownSyscalls).toEqual(['no_such_call']);
    expect(c.unresolvedByArch.SCMP_ARCH_X86).toEqual(['kexec_file_load', 'no_such_call']);
    expect(c.unresolvedByArch.SCMP_ARCH_X86_64).toEqual(['no_such_call']);
  });
});

describe('flags', () => {
  const base = errnoDefault([rule(['read'], 'SCMP_ACT_ALLOW')]);
  it.each<[string[], number]>([
    [[], 0],
    [['SECCOMP_FILTER_FLAG_TSYNC'], 1],
    [['SECCOMP_FILTER_FLAG_LOG'], 2],
    [['SECCOMP_FILTER_FLAG_SPEC_ALLOW'], 4],
    [['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'], 6],
    [['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'], 0], // only meaningful with a listener
  ])('%j → %i', (flags, bits) => {
    const c = compileSeccomp({ ...base, flags: flags as LinuxSeccomp['flags'] }, NATIVE);
    expect(c.flags).toBe(bits);
    expect(c.notify).toBe(false);
  });

  it('a NOTIFY rule adds NEW_LISTENER (1 << 3), and keeps WAIT_KILLABLE_RECV', () => {
    const c = compileSeccomp(
      { ...errnoDefault([rule(['read'], 'SCMP_ACT_NOTIFY')]), flags: ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'], listenerPath: '/run/agent.sock' },
      NATIVE,
    );
    expect(c.notify).toBe(true);
    expect(c.flags).toBe((1 << 3) | (1 << 5));
  });

  it('TSYNC with a listener also sets TSYNC_ESRCH, which the kernel requires for the pair', () => {
    const c = compileSeccomp({ ...errnoDefault([rule(['read'], 'SCMP_ACT_NOTIFY')]), flags: ['SECCOMP_FILTER_FLAG_TSYNC'] }, NATIVE);
    expect(c.flags).toBe(1 | (1 << 3) | (1 << 4));
  });

  it('a NOTIFY rule for a syscall this build does not know still asks for the listener (as runc)', () => {
    expect(compileSeccomp(errnoDefault([rule(['no_such_call'], 'SCMP_ACT_NOTIFY')]), NATIVE).flags).toBe(1 << 3);
  });
});

describe('bad profiles', () => {
  const good = (): LinuxSeccomp => errnoDefault([rule(['read'], 'SCMP_ACT_ALLOW', { args: [arg(0, 'SCMP_CMP_EQ', 1)] })]);
  const cases: Array<[string, (p: LinuxSeccomp) => void, string, RegExp]> = [
    ['unknown default action', (p) => ((p as { defaultAction: string }).defaultAction = 'SCMP_ACT_MAYBE'), '$.linux.seccomp.defaultAction', /must be one of SCMP_ACT_KILL/],
    ['unknown rule action', (p) => ((p.syscalls![0] as { action: string }).action = 'ALLOW'), '$.linux.seccomp.syscalls[0].action', /must be one of/],
    ['unknown operator', (p) => ((p.syscalls![0]!.args![0] as { op: string }).op = 'SCMP_CMP_IN'), '$.linux.seccomp.syscalls[0].args[0].op', /must be one of SCMP_CMP_NE/],
    ['argument index above 5', (p) => (p.syscalls![0]!.args![0]!.index = 6), '$.linux.seccomp.syscalls[0].args[0].index', /between 0 and 5/],
    ['negative argument value', (p) => (p.syscalls![0]!.args![0]!.value = -1), '$.linux.seccomp.syscalls[0].args[0].value', /between 0 and 18446744073709551615/],
    ['unknown architecture', (p) => (p.architectures = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_Z80' as never]), '$.linux.seccomp.architectures[1]', /must be one of/],
    ['architecture without a table here', (p) => (p.architectures = ['SCMP_ARCH_RISCV64']), '$.linux.seccomp.architectures[0]', /SCMP_ARCH_RISCV64 is not supported by this build/],
    ['big-endian architecture', (p) => (p.architectures = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_S390X']), '$.linux.seccomp.architectures[1]', /big-endian/],
    ['unknown flag', (p) => (p.flags = ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_NOPE' as never]), '$.linux.seccomp.flags[1]', /must be one of SECCOMP_FILTER_FLAG_TSYNC/],
    ['errno too large', (p) => (p.syscalls![0] = rule(['write'], 'SCMP_ACT_ERRNO', { errnoRet: 4095 })), '$.linux.seccomp.syscalls[0].errnoRet', /below 4095/],
    ['default errno too large', (p) => (p.defaultErrnoRet = 5000), '$.linux.seccomp.defaultErrnoRet', /below 4095/],
    ['no names', (p) => (p.syscalls![0]!.names = []), '$.linux.seccomp.syscalls[0].names', /at least one/],
    ['an empty name', (p) => (p.syscalls![0]!.names = ['read', '']), '$.linux.seccomp.syscalls[0].names[1]', /non-empty/],
    ['NOTIFY as the default action', (p) => (p.defaultAction = 'SCMP_ACT_NOTIFY'), '$.linux.seccomp.defaultAction', /cannot be SCMP_ACT_NOTIFY/],
  ];
  it.each(cases)('%s', (_what, edit, path, rule) => {
    const p = good();
    edit(p);
    let err: unknown;
    try {
      compileSeccomp(p, NATIVE);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).path).toBe(path);
    expect((err as ConfigError).rule).toMatch(rule);
    expect((err as ConfigError).code).toBe('ECONFIG');
  });

  it('a profile that compiles to more than 4096 instructions is refused with the count', () => {
    // 1400 distinct 64-bit equality tests on one syscall: two words each, beyond the limit.
    const big = errnoDefault(Array.from({ length: 1400 }, (_, i) => rule(['read'], 'SCMP_ACT_ALLOW', { args: [arg(0, 'SCMP_CMP_EQ', (BigInt(i) << 32n) + BigInt(i))] })));
    expect(() => compileSeccomp(big, NATIVE)).toThrow(/^\$\.linux\.seccomp: compiles to \d+ BPF instructions, more than the kernel's 4096$/);
  });

  it('a profile just under the limit compiles, and its long jumps stay correct', () => {
    const values = Array.from({ length: 600 }, (_, i) => BigInt(i * 7 + 3));
    const f = filter(errnoDefault(values.map((v) => rule(['read'], 'SCMP_ACT_ALLOW', { args: [arg(0, 'SCMP_CMP_EQ', v)] }))));
    for (const v of [values[0]!, values[299]!, values[599]!]) expect(f(READ, [v])).toBe(ALLOW);
    expect(f(READ, [4n])).toBe(EPERM);
  });
});

describe('program size', () => {
  it('a large allow-list costs a binary search over ranges, not a compare per syscall', () => {
    const all = ['read', 'write', 'open', 'close', 'stat', 'fstat', 'lstat', 'poll', 'lseek', 'mmap', 'mprotect', 'munmap', 'brk', 'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'ioctl', 'pread64', 'pwrite64', 'readv', 'writev', 'access', 'pipe', 'select'];
    const c = compileSeccomp(errnoDefault([rule(all, 'SCMP_ACT_ALLOW')]), NATIVE);
    // x86_64 0…23 are one range: a handful of instructions, whatever the count.
    expect(c.instructions).toBeLessThan(15);
  });
});

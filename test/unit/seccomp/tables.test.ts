// lib/seccomp/syscalls.generated.ts (from scripts/gen-syscalls.mjs) and the name resolution of
// lib/seccomp/arch.ts.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FOREIGN_SYSCALLS, SYSCALL_TABLES } from '../../../lib/seccomp/syscalls.generated.js';
import { X32_SYSCALL_BIT, enosysNumber, isKnownSyscall, resolveSyscall, syscallNumber } from '../../../lib/seccomp/arch.js';
import { REPO } from '../../helpers/paths.js';

describe('syscall tables', () => {
  it.each<[keyof typeof SYSCALL_TABLES, string, number]>([
    ['x86_64', 'read', 0],
    ['x86_64', 'openat', 257],
    ['x86_64', 'clone3', 435],
    ['x86_64', 'cachestat', 451],
    ['x86', 'read', 3],
    ['x86', 'socketcall', 102],
    ['x86', '_llseek', 140],
    ['x32', 'read', X32_SYSCALL_BIT],
    ['x32', 'readv', X32_SYSCALL_BIT + 515],
    ['aarch64', 'openat', 56],
    ['aarch64', 'fstat', 80],
    ['aarch64', 'clone3', 435],
    ['arm', 'read', 3],
    ['arm', 'set_tls', 0x0f0005],
    ['arm', 'arm_fadvise64_64', 270],
  ])('%s %s = %i', (table, name, nr) => {
    expect((SYSCALL_TABLES[table] as Record<string, number>)[name]).toBe(nr);
  });

  it('has no syscall twice per architecture, and every x32 number carries the x32 bit', () => {
    for (const [arch, t] of Object.entries(SYSCALL_TABLES)) {
      const nrs = Object.values(t as Record<string, number>);
      expect(new Set(nrs).size, arch).toBe(nrs.length);
      if (arch === 'x32') for (const nr of nrs) expect(nr & X32_SYSCALL_BIT).toBe(X32_SYSCALL_BIT);
      else for (const nr of nrs) expect(nr & X32_SYSCALL_BIT).toBe(0);
    }
  });

  it('leaves out what the generic table only reserves, and calls an arch does not have', () => {
    expect(syscallNumber('SCMP_ARCH_AARCH64', 'arch_specific_syscall')).toBeUndefined();
    expect(syscallNumber('SCMP_ARCH_AARCH64', 'open')).toBeUndefined();
    expect(syscallNumber('SCMP_ARCH_X86_64', 'socketcall')).toBeUndefined();
    expect(syscallNumber('SCMP_ARCH_X32', 'map_shadow_stack')).toBeUndefined();
  });

  it.skipIf(!existsSync('/usr/include/x86_64-linux-gnu/asm/unistd_64.h'))('is what scripts/gen-syscalls.mjs makes of this machine\'s headers', () => {
    execFileSync(process.execPath, ['scripts/gen-syscalls.mjs', '--check'], { cwd: REPO, stdio: 'pipe' });
  });
});

describe('name resolution', () => {
  it('i386 socket and IPC calls resolve to socketcall/ipc with the call number, and their own syscall if any', () => {
    expect(resolveSyscall('SCMP_ARCH_X86', 'socket')).toEqual({ direct: 359, multiplexed: { syscall: 102, call: 1 } });
    expect(resolveSyscall('SCMP_ARCH_X86', 'accept')).toEqual({ direct: undefined, multiplexed: { syscall: 102, call: 5 } });
    expect(resolveSyscall('SCMP_ARCH_X86', 'shmat')).toEqual({ direct: 397, multiplexed: { syscall: 117, call: 21 } });
    expect(resolveSyscall('SCMP_ARCH_X86_64', 'socket')).toEqual({ direct: 41 });
    expect(resolveSyscall('SCMP_ARCH_X86_64', '_llseek')).toBeUndefined();
  });

  it('the -ENOSYS stub does not count i386 socket and IPC calls', () => {
    expect(enosysNumber('SCMP_ARCH_X86', 'socket')).toBeUndefined();
    expect(enosysNumber('SCMP_ARCH_X86', 'socketcall')).toBe(102);
    expect(enosysNumber('SCMP_ARCH_X86_64', 'socket')).toBe(41);
  });

  it('knows names of other architectures (they get rules, but no code)', () => {
    expect(isKnownSyscall('sysmips')).toBe(true);
    expect(isKnownSyscall('_llseek')).toBe(true);
    expect(isKnownSyscall('no_such_call')).toBe(false);
    for (const name of FOREIGN_SYSCALLS) for (const t of Object.values(SYSCALL_TABLES)) expect(Object.hasOwn(t, name)).toBe(false);
  });
});

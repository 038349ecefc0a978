// Our programs under the real kernel: test/helpers/seccomp/load.c installs a compiled filter on
// itself (in a child process; no container) and makes syscalls under it. The kernel must accept
// every program (its checker is stricter than nothing, e.g. about jump targets and length), and
// return what test/helpers/cbpf.ts says it will.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compileSeccomp } from '../../../lib/seccomp/index.js';
import { ConfigError } from '../../../lib/errors.js';
import type { LinuxSeccomp } from '../../../spec/types.js';
import { adversarialProfile } from '../../helpers/seccomp/adversarial.js';
import { PODMAN_PROFILE, podmanSeccomp } from '../../helpers/seccomp/containers-profile.js';
import { existsSync } from 'node:fs';

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'caisson-seccomp-load-'));
const bin = join(dir, 'load');
let unavailable: string | undefined;
if (process.arch !== 'x64') unavailable = 'not an x86_64 host';
else {
  try {
    execFileSync('gcc', ['-O1', '-Wall', '-Werror', '-o', bin, join(here, '../../helpers/seccomp/load.c')], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    unavailable = `cannot build the loader: ${(err as { stderr?: Buffer }).stderr?.toString() ?? String(err)}`;
  }
}
if (unavailable) console.warn(`seccomp kernel test skipped: ${unavailable}`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SYS = { read: 0, write: 1, getpid: 39, kexec_load: 246, bpf: 321, getppid: 110, personality: 135, futex_waitv: 449, nonexistent: 1000 };
const EPERM = 1;
const EACCES = 13;
const ENOSYS = 38;

let n = 0;
/** Runs `calls` ([nr, ...args]) under the profile's filter; [ret, errno] per call. */
function underFilter(profile: LinuxSeccomp, calls: number[][], flagsOverride?: number): Array<[number, number]> {
  const c = compileSeccomp(profile, { nativeArch: 'SCMP_ARCH_X86_64' });
  const file = join(dir, `p${n++}.bpf`);
  writeFileSync(file, c.program);
  const r = spawnSync(bin, [file, String(flagsOverride ?? c.flags), ...calls.map((x) => x.join(':'))], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`loader: ${r.status} ${r.stdout}${r.stderr}`);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => l.split(' ').map(Number) as [number, number]);
}

describe.skipIf(unavailable !== undefined)('compiled filters under the kernel', () => {
  it('argument tests and errno values', () => {
    const profile: LinuxSeccomp = {
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [
        { names: ['getppid'], action: 'SCMP_ACT_ERRNO', errnoRet: EACCES, args: [{ index: 0, op: 'SCMP_CMP_EQ', value: 5 }] },
        // 64-bit compare with the high word set: only that exact value.
        { names: ['getppid'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS, args: [{ index: 1, op: 'SCMP_CMP_EQ', value: 2 ** 33 + 1 }] },
        { names: ['getpid'], action: 'SCMP_ACT_ERRNO', args: [{ index: 2, op: 'SCMP_CMP_MASKED_EQ', value: 0xf0, valueTwo: 0x30 }] },
      ],
    };
    const [a, b, c, d, e, f] = underFilter(profile, [
      [SYS.getppid, 5],
      [SYS.getppid, 4],
      [SYS.getppid, 0, 2 ** 33 + 1],
      [SYS.getppid, 0, 1],
      [SYS.getpid, 0, 0, 0x3f],
      [SYS.getpid, 0, 0, 0x40],
    ]);
    expect(a).toEqual([-1, EACCES]);
    expect(b![0]).toBeGreaterThan(0);
    expect(c).toEqual([-1, ENOSYS]);
    expect(d![0]).toBeGreaterThan(0);
    expect(e).toEqual([-1, EPERM]);
    expect(f![0]).toBeGreaterThan(0);
  });

  it.skipIf(!existsSync(PODMAN_PROFILE))("Podman's profile: blocked calls get its errno, calls above its newest get ENOSYS", () => {
    const [getpid, kexec, bpf, newer, none] = underFilter(podmanSeccomp(), [[SYS.getpid], [SYS.kexec_load], [SYS.bpf], [SYS.futex_waitv], [SYS.nonexistent]]);
    expect(getpid![0]).toBeGreaterThan(0);
    expect(kexec).toEqual([-1, EPERM]);
    expect(bpf).toEqual([-1, EPERM]);
    // futex_waitv (449) is newer than anything the profile names: ENOSYS from the filter, not
    // EFAULT/EINVAL from the kernel.
    expect(newer).toEqual([-1, ENOSYS]);
    expect(none).toEqual([-1, ENOSYS]);
  });

  it('the kernel accepts the flags we ask for: TSYNC with a listener (+ TSYNC_ESRCH), LOG, SPEC_ALLOW, WAIT_KILLABLE_RECV', () => {
    const profile: LinuxSeccomp = {
      defaultAction: 'SCMP_ACT_ALLOW',
      flags: ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'],
      syscalls: [{ names: ['personality'], action: 'SCMP_ACT_NOTIFY' }],
    };
    const [getpid] = underFilter(profile, [[SYS.getpid]]);
    expect(getpid![0]).toBeGreaterThan(0);
  });

  it("a program of close to a thousand instructions, with trampolines, behaves the same", () => {
    const values = Array.from({ length: 600 }, (_, i) => i * 7 + 3);
    const profile: LinuxSeccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: values.map((v) => ({ names: ['getppid'], action: 'SCMP_ACT_ERRNO', errnoRet: EACCES, args: [{ index: 0, op: 'SCMP_CMP_EQ', value: v }] })) };
    expect(compileSeccomp(profile, { nativeArch: 'SCMP_ARCH_X86_64' }).instructions).toBeGreaterThan(900);
    const r = underFilter(profile, [[SYS.getppid, 3], [SYS.getppid, 2103], [SYS.getppid, 4196], [SYS.getppid, 4]]);
    expect(r.slice(0, 3)).toEqual([
      [-1, EACCES],
      [-1, EACCES],
      [-1, EACCES],
    ]);
    expect(r[3]![0]).toBeGreaterThan(0);
  });

  it('accepts every generated profile we compile (jump ranges, trampolines, length)', () => {
    // Installed with default ALLOW semantics preserved: the loader only needs write/exit_group,
    // so give every profile an allow rule for them in front.
    let installed = 0;
    for (let seed = 0; seed < 60; seed++) {
      const p = adversarialProfile(seed);
      p.syscalls = [{ names: ['write', 'exit_group'], action: 'SCMP_ACT_ALLOW' }, ...(p.syscalls ?? [])];
      try {
        compileSeccomp(p, { nativeArch: 'SCMP_ARCH_X86_64' });
      } catch (err) {
        if (err instanceof ConfigError) continue; // refused profiles are the differential test's business
        throw err;
      }
      // Without a listener agent a NOTIFY rule would block: call nothing, just install.
      underFilter(p, [], compileSeccomp(p, { nativeArch: 'SCMP_ARCH_X86_64' }).flags);
      installed++;
    }
    expect(installed).toBeGreaterThan(30);
  });
});

// Differential test: our filters against libseccomp 2.5.4, the compiler runc uses.
//
// The reference is test/helpers/seccomp/ref.c, built here with gcc against libseccomp-dev: it
// treats the profile as runc does (seccomp_init, arch_add, NNP off, the binary-tree optimiser
// past 32 rules, one rule per name, rules equal to the default dropped, a twice-tested argument
// splitting its rule) and exports libseccomp's BPF. runc's -ENOSYS stub, which runc puts in
// front of that program, is applied as a predicate from the highest syscall numbers ref.c looks
// up with libseccomp (reference.ts). Both programs then run in test/helpers/cbpf.ts over every
// syscall number the profile names on any architecture (and with the x32 bit), neighbours and
// edges of the number space, on every architecture word, with argument vectors built from edge
// values, the profile's operands and their neighbours (±1, ±2^32, halves) and random values.
//
// Where libseccomp's own program demonstrably reads a stale accumulator (a code generation bug
// in 2.5.4, see docs/seccomp.md) and disagrees with libseccomp's rule database (its PFC
// export), our program must agree with the database; those inputs are counted, not failed.
// Every other difference fails the test, and so does a profile only one side refuses.

import { afterAll, describe, expect, it } from 'vitest';
import { compileSeccomp } from '../../../lib/seccomp/index.js';
import { adversarialProfile } from '../../helpers/seccomp/adversarial.js';
import { compareProfile } from '../../helpers/seccomp/compare.js';
import type { Comparison } from '../../helpers/seccomp/compare.js';
import { PODMAN_PROFILE, podmanSeccomp } from '../../helpers/seccomp/containers-profile.js';
import { buildReference } from '../../helpers/seccomp/reference.js';
import { existsSync } from 'node:fs';

const ref = buildReference();
const unavailable = typeof ref === 'string' ? ref : undefined;
if (unavailable) console.warn(`seccomp differential test skipped: ${unavailable}`);

const SEEDS = 600;
const BATCH = 50;

const totals = { profiles: 0, refused: 0, hung: 0, inputs: 0, libseccompBugProfiles: 0 };
function account(c: Comparison): void {
  totals.profiles++;
  totals.inputs += c.inputs;
  if (c.refused) totals.refused++;
  if (c.refused?.hung) totals.hung++;
  if (c.libseccompBugs.length) totals.libseccompBugProfiles++;
}

describe.skipIf(unavailable !== undefined)('differential test against libseccomp', () => {
  const reference = ref as Exclude<typeof ref, string>;
  afterAll(() => {
    reference.cleanup();
    console.log(`seccomp differential: ${totals.profiles} profiles, ${totals.inputs} inputs, ${totals.refused} refused by both (${totals.hung} on which libseccomp never finishes), ${totals.libseccompBugProfiles} with inputs where libseccomp's BPF contradicts its own rules`);
  });

  it.skipIf(!existsSync(PODMAN_PROFILE))("Podman's profile (x86_64 host, podman's default capabilities)", () => {
    const p = podmanSeccomp();
    const c = compareProfile(reference, p, { argVectors: 60 });
    account(c);
    expect(c.refused).toBeUndefined();
    expect(c.mismatches).toEqual([]);
    expect(c.libseccompBugs).toEqual([]);
    expect(c.inputs).toBeGreaterThan(100_000);
    // And it stays small: a fraction of libseccomp's size.
    expect(c.ourInstructions).toBeLessThan(c.refInstructions! / 2);
  });

  it.skipIf(!existsSync(PODMAN_PROFILE))("Podman's profile with all capabilities (the other includes/excludes branches)", () => {
    const caps = ['CAP_SYS_ADMIN', 'CAP_SYS_PTRACE', 'CAP_SYS_MODULE', 'CAP_SYS_TIME', 'CAP_AUDIT_WRITE', 'CAP_DAC_READ_SEARCH', 'CAP_SYS_RAWIO', 'CAP_SYS_PACCT', 'CAP_SYS_TTY_CONFIG', 'CAP_SYS_CHROOT', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYSLOG'];
    const c = compareProfile(reference, podmanSeccomp({ caps }), { argVectors: 30 });
    account(c);
    expect(c.refused).toBeUndefined();
    expect(c.mismatches).toEqual([]);
  });

  for (let from = 0; from < SEEDS; from += BATCH) {
    it(`adversarial profiles, seeds ${from}…${from + BATCH - 1}`, () => {
      const failures: string[] = [];
      let compared = 0;
      for (let seed = from; seed < from + BATCH; seed++) {
        const p = adversarialProfile(seed);
        const c = compareProfile(reference, p, { seed });
        account(c);
        if (!c.refused) compared++;
        if (c.mismatches.length) failures.push(`seed ${seed}:\n  ${c.mismatches.slice(0, 3).join('\n  ')}`);
      }
      expect(failures).toEqual([]);
      // Most generated profiles must compile, or the test proves little.
      expect(compared).toBeGreaterThan(BATCH / 2);
    });
  }

  it('a profile libseccomp never finishes building is refused, at the entry libseccomp is stuck on', () => {
    // Found by the generator: libseccomp 2.5.4 loops forever merging entry 13 (runc would hang).
    const p = adversarialProfile(2023);
    expect(() => compileSeccomp(p, { nativeArch: 'SCMP_ARCH_X86_64' })).toThrow(/^\$\.linux\.seccomp\.syscalls\[13\]: makes the rules for read on SCMP_ARCH_X86_64 loop/);
    const c = compareProfile(reference, p);
    account(c);
    expect(c.refused).toMatchObject({ entry: 13, hung: true });
    expect(c.mismatches).toEqual([]);
  });
});

// The pure cgroup v2 suite (test/cgroup2), run inside the throw-away QEMU guest of
// ../shared/vm/cgroup2-vm.sh: this host's cgroups are hybrid. Writes
// test-results/vitest-cgroup2.json (the guest shares our working directory).
//
//   npm run test:cgroup2

import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The VM script: beside the checkout (../shared/vm), as the project's machines have it. */
export function findVm() {
  for (const p of [process.env.CAISSON_CGROUP2_VM, resolve(root, '../shared/vm/cgroup2-vm.sh'), '/work/shared/vm/cgroup2-vm.sh']) {
    if (p && existsSync(p)) return p;
  }
  return undefined;
}

// The suite takes 25-60 s in the guest. A guest that never gets that far (once, it sat at 185%
// CPU for the whole old 20-minute limit without vitest printing anything, then passed three
// times in a row in 36 s) is the emulator's trouble, not a test result: one more try, said so.
// A test that fails is not retried.
const ATTEMPT_TIMEOUT_S = 300;
const VM_TIMEOUT = 124;
const VM_NO_BOOT = 125;

export function runCgroup2Suite(extra = []) {
  const vm = findVm();
  if (!vm) return { status: null, skipped: 'no cgroup2 VM script (../shared/vm/cgroup2-vm.sh)' };
  const json = 'test-results/vitest-cgroup2.json';
  let status = null;
  for (let attempt = 1; attempt <= 2; attempt++) {
    rmSync(join(root, json), { force: true }); // a stale report must not count
    const r = spawnSync(
      vm,
      ['--timeout', String(ATTEMPT_TIMEOUT_S), '--', process.execPath, 'node_modules/vitest/vitest.mjs', 'run', '--config', 'vitest.cgroup2.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${json}`, ...extra],
      { cwd: root, stdio: 'inherit' },
    );
    status = r.status;
    if (status !== VM_TIMEOUT && status !== VM_NO_BOOT) break;
    if (attempt === 1) console.log(`\ncgroup2 VM ${status === VM_TIMEOUT ? `timed out after ${ATTEMPT_TIMEOUT_S} s` : 'did not boot'}: trying once more`);
  }
  return { status, json: join(root, json) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = runCgroup2Suite(process.argv.slice(2));
  if (r.skipped) console.log(`cgroup2 suite skipped: ${r.skipped}`);
  process.exit(r.status ?? 0);
}

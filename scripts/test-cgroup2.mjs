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

export function runCgroup2Suite(extra = []) {
  const vm = findVm();
  if (!vm) return { status: null, skipped: 'no cgroup2 VM script (../shared/vm/cgroup2-vm.sh)' };
  const json = 'test-results/vitest-cgroup2.json';
  rmSync(join(root, json), { force: true }); // a stale report must not count
  const r = spawnSync(
    vm,
    ['--timeout', '1200', '--', process.execPath, 'node_modules/vitest/vitest.mjs', 'run', '--config', 'vitest.cgroup2.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${json}`, ...extra],
    { cwd: root, stdio: 'inherit' },
  );
  return { status: r.status, json: join(root, json) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = runCgroup2Suite(process.argv.slice(2));
  if (r.skipped) console.log(`cgroup2 suite skipped: ${r.skipped}`);
  process.exit(r.status ?? 0);
}

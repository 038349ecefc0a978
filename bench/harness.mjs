// What the library benchmarks (phases.mjs, compare.mjs) share: root, a private mount namespace,
// state roots on a tmpfs of their own there (as /run is on a standard host; see
// bench/lifecycle.mjs for why it matters on this VM), and one timed lifecycle.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Exit unless root; re-run the script at `scriptUrl` under `unshare --mount` unless it already is. */
export function inPrivateMountNamespace(scriptUrl) {
  if (process.getuid() !== 0) {
    console.error('the benchmark runs containers: run it as root');
    process.exit(1);
  }
  if (process.env.CAISSON_BENCH_PRIVATE) return;
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', process.execPath, fileURLToPath(scriptUrl), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, CAISSON_BENCH_PRIVATE: '1' },
  });
  process.exit(r.status ?? 1);
}

/** A work directory and a state root on a fresh tmpfs, and `remove()` for both. */
export function benchDirs(name) {
  const work = mkdtempSync(join(tmpdir(), `caisson-${name}-`));
  const state = mkdtempSync(`/run/caisson-${name}-`);
  spawnSync('mount', ['-t', 'tmpfs', '-o', 'mode=0700', `caisson-${name}-state`, state]);
  return {
    work,
    state,
    remove() {
      rmSync(work, { recursive: true, force: true });
      spawnSync('umount', [state]);
      rmSync(state, { recursive: true, force: true });
    },
  };
}

/** create → start → wait → delete of `bundle` as `id` through `runtime`; each phase's ms. */
export async function timedLifecycle(runtime, id, bundle) {
  const now = () => Number(process.hrtime.bigint()) / 1e6;
  const t0 = now();
  const c = await runtime.create(id, { bundle, stdio: 'ignore' });
  const t1 = now();
  await c.start();
  const t2 = now();
  const { exitCode } = await c.wait();
  const t3 = now();
  await c.delete();
  const t4 = now();
  if (exitCode !== 0) throw new Error(`${id} exited ${exitCode}`);
  return { create: t1 - t0, start: t2 - t1, wait: t3 - t2, delete: t4 - t3, total: t4 - t0 };
}

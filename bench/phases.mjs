// `node bench/phases.mjs [RUNS] [--gap MS]`: the library's lifecycle of /bin/true, phase by phase (create,
// start, wait, delete; medians), and the CPU this process spends per run. For finding where
// time goes; `npm run bench` is the comparison with runc and crun.
//
// Runs in a private mount namespace, its state root on a tmpfs (as /run is on a standard host;
// see bench/lifecycle.mjs), the first 5 runs left
// out as warm-up.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

if (process.getuid() !== 0) {
  console.error('the benchmark runs containers: run it as root');
  process.exit(1);
}
if (!process.env.CAISSON_BENCH_PRIVATE) {
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', process.execPath, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, CAISSON_BENCH_PRIVATE: '1' },
  });
  process.exit(r.status ?? 1);
}

const { Runtime, writeExampleBundle } = await import('../dist/index.js');
const RUNS = Number(process.argv[2] ?? 200);
// --gap MS: idle before every run (as `npm run bench -- --gap`), to see which phase a cold start slows
const gi = process.argv.indexOf('--gap');
const GAP = gi > 0 ? Number(process.argv[gi + 1]) : 0;
const WARMUP = 5;
const work = mkdtempSync(join(tmpdir(), 'caisson-phases-'));
const state = mkdtempSync('/run/caisson-phases-');
spawnSync('mount', ['-t', 'tmpfs', '-o', 'mode=0700', 'caisson-phases-state', state]);
try {
  const { bundle } = writeExampleBundle(join(work, 'bundle'), { args: ['true'] });
  const rt = new Runtime({ root: state });
  const phases = { create: [], start: [], wait: [], delete: [], total: [] };
  const now = () => Number(process.hrtime.bigint()) / 1e6;
  let cpu;
  for (let i = 0; i < RUNS + WARMUP; i++) {
    if (i === WARMUP) cpu = process.cpuUsage();
    if (GAP) await new Promise((r) => setTimeout(r, GAP));
    const t0 = now();
    const c = await rt.create(`p${i}`, { bundle, stdio: 'ignore' });
    const t1 = now();
    await c.start();
    const t2 = now();
    const { exitCode } = await c.wait();
    const t3 = now();
    await c.delete();
    const t4 = now();
    if (exitCode !== 0) throw new Error(`run ${i} exited ${exitCode}`);
    if (i < WARMUP) continue;
    phases.create.push(t1 - t0);
    phases.start.push(t2 - t1);
    phases.wait.push(t3 - t2);
    phases.delete.push(t4 - t3);
    phases.total.push(t4 - t0);
  }
  const used = process.cpuUsage(cpu);
  const median = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)].toFixed(2);
  console.log(`${RUNS} runs of /bin/true through the library, median ms:`);
  console.log(Object.entries(phases).map(([k, v]) => `  ${k.padEnd(7)} ${median(v)}`).join('\n'));
  console.log(`CPU of this process per run: user ${(used.user / 1000 / RUNS).toFixed(2)} ms, system ${(used.system / 1000 / RUNS).toFixed(2)} ms`);
} finally {
  rmSync(work, { recursive: true, force: true });
  spawnSync('umount', [state]);
  rmSync(state, { recursive: true, force: true });
}

// `node bench/phases.mjs [RUNS] [--gap MS]`: the library's lifecycle of /bin/true, phase by phase (create,
// start, wait, delete; medians), and the CPU this process spends per run. For finding where
// time goes; `npm run bench` is the comparison with runc and crun.
//
// Runs in a private mount namespace, its state root on a tmpfs (as /run is on a standard host;
// see bench/lifecycle.mjs), the first 5 runs left
// out as warm-up.

import { join } from 'node:path';
import { benchDirs, inPrivateMountNamespace, timedLifecycle } from './harness.mjs';

inPrivateMountNamespace(import.meta.url);

const { Runtime, writeExampleBundle } = await import('../dist/index.js');
const RUNS = Number(process.argv[2] ?? 200);
// --gap MS: idle before every run (as `npm run bench -- --gap`), to see which phase a cold start slows
const gi = process.argv.indexOf('--gap');
const GAP = gi > 0 ? Number(process.argv[gi + 1]) : 0;
const WARMUP = 5;
const dirs = benchDirs('phases');
const { work, state } = dirs;
try {
  const { bundle } = writeExampleBundle(join(work, 'bundle'), { args: ['true'] });
  const rt = new Runtime({ root: state });
  const phases = { create: [], start: [], wait: [], delete: [], total: [] };
  let cpu;
  for (let i = 0; i < RUNS + WARMUP; i++) {
    if (i === WARMUP) cpu = process.cpuUsage();
    if (GAP) await new Promise((r) => setTimeout(r, GAP));
    const t = await timedLifecycle(rt, `p${i}`, bundle);
    if (i < WARMUP) continue;
    for (const p of Object.keys(phases)) phases[p].push(t[p]);
  }
  const used = process.cpuUsage(cpu);
  const median = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)].toFixed(2);
  console.log(`${RUNS} runs of /bin/true through the library, median ms:`);
  console.log(Object.entries(phases).map(([k, v]) => `  ${k.padEnd(7)} ${median(v)}`).join('\n'));
  console.log(`CPU of this process per run: user ${(used.user / 1000 / RUNS).toFixed(2)} ms, system ${(used.system / 1000 / RUNS).toFixed(2)} ms`);
} finally {
  dirs.remove();
}

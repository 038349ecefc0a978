// `node bench/compare.mjs OTHER [RUNS] [WARMUP] [--at-once N]`: this checkout's library against another checkout's (OTHER:
// a built tree, e.g. `git worktree add /tmp/base HEAD~3` then `npm run build` there), lifecycles
// of /bin/true alternating in one process, in a random order each round. On a VM whose speed
// drifts by 10-20% from one minute to the next, separate runs cannot show a change of a few
// percent; alternating runs see the same machine. Prints each phase's median for both and the
// median of the paired differences of the totals.
//
// Runs in a private mount namespace, the state roots on a tmpfs, WARMUP lifecycles of each first
// (default 1,000: V8 optimizes the once-per-container functions by then, see docs/design.md).
// With --at-once N, each round is a batch of N lifecycles started together per build (RUNS
// rounds), as `npm run bench`'s concurrent table: each one's latency, and runs/s per batch.

import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchDirs, inPrivateMountNamespace, timedLifecycle } from './harness.mjs';

const argv = process.argv.slice(2);
const ai = argv.indexOf('--at-once');
const AT_ONCE = ai >= 0 ? Number(argv.splice(ai, 2)[1]) : 1;
const [other, runsArg, warmupArg] = argv;
if (!other || !(AT_ONCE >= 1)) {
  console.error('usage: node bench/compare.mjs OTHER_CHECKOUT [RUNS] [WARMUP] [--at-once N]');
  process.exit(2);
}
inPrivateMountNamespace(import.meta.url);

const trees = { other: resolve(other), this: resolve(fileURLToPath(new URL('..', import.meta.url))) };
const mods = {};
for (const [k, t] of Object.entries(trees)) mods[k] = await import(join(t, 'dist/index.js'));
const RUNS = Number(runsArg ?? 500);
const WARMUP = Number(warmupArg ?? 1000);
const dirs = benchDirs('compare');
const { work, state } = dirs;
try {
  const { bundle } = mods.this.writeExampleBundle(join(work, 'bundle'), { args: ['true'] });
  const rts = Object.fromEntries(Object.keys(trees).map((k) => [k, new mods[k].Runtime({ root: join(state, k) })]));
  const phases = ['create', 'start', 'wait', 'delete', 'total'];
  const res = Object.fromEntries(Object.keys(trees).map((k) => [k, Object.fromEntries(phases.map((p) => [p, []]))]));
  let n = 0;
  const once = (k) => timedLifecycle(rts[k], `c${n++}`, bundle);
  for (let i = 0; i < WARMUP; i++) for (const k of Object.keys(trees)) await once(k);
  const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  if (AT_ONCE > 1) await batches(once, median);
  else {
    for (let i = 0; i < RUNS; i++) {
      for (const k of Object.keys(trees).sort(() => Math.random() - 0.5)) {
        const r = await once(k);
        for (const p of phases) res[k][p].push(r[p] * 1000);
      }
    }
    console.log(`${RUNS} paired lifecycles of /bin/true, median µs (other = ${trees.other})`);
    for (const p of phases) {
      const [o, t] = [median(res.other[p]), median(res.this[p])];
      console.log(`  ${p.padEnd(7)} other ${o.toFixed(0).padStart(5)}   this ${t.toFixed(0).padStart(5)}   this/other ${(t / o).toFixed(3)}`);
    }
    const diffs = res.this.total.map((v, i) => v - res.other.total[i]);
    console.log(`  median of the paired differences (this - other): ${median(diffs).toFixed(0)} µs`);
  }
} finally {
  dirs.remove();
}

/** RUNS rounds of a batch of AT_ONCE lifecycles per build, the builds in a random order each round. */
async function batches(once, median) {
  const lat = { other: [], this: [] };
  const rate = { other: [], this: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const k of Object.keys(trees).sort(() => Math.random() - 0.5)) {
      const t0 = performance.now();
      const runs = await Promise.all(Array.from({ length: AT_ONCE }, () => once(k)));
      rate[k].push((AT_ONCE * 1000) / (performance.now() - t0));
      lat[k].push(...runs.map((r) => r.total));
    }
  }
  const p95 = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length * 0.95)];
  console.log(`${RUNS} rounds of ${AT_ONCE} lifecycles at once per build (other = ${trees.other})`);
  for (const k of Object.keys(trees)) {
    console.log(`  ${k.padEnd(5)} latency median ${median(lat[k]).toFixed(1)} ms, p95 ${p95(lat[k]).toFixed(1)} ms, ${median(rate[k]).toFixed(0)} runs/s (median batch)`);
  }
}

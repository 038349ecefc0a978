// The measuring half of `npm run bench` (started by bench/run.mjs in a private mount namespace).
// Times whole `RUNTIME --root R run --bundle B ID` commands, wall clock from spawn to exit, as
// started by a small launcher (bench/launcher.c), and caisson's library doing create → start →
// wait → delete of the same bundle in a process of its own (bench/library-worker.mjs); runtimes
// interleaved in a fresh random order every round. Then the same with 8 at once, and each CLI's
// start-up alone (`--version`), which its run includes and the library never pays.

import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { writeExampleBundle } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const ROUNDS = opt('--rounds', 30);
const WARMUP = opt('--warmup', 3);
// --gap MS: idle before every run, so each starts "cold" (the kernel's first cgroup migration
// after an idle spell waits for an RCU grace period; back to back, later runs skip it).
const GAP = opt('--gap', 0);
// --burst N: runs in a row per runtime and round, for the back-to-back table
const BURST = opt('--burst', 5);

const work = mkdtempSync(join(tmpdir(), 'caisson-bench-'));
// The state roots live where each runtime keeps them by default (/run/runc, /run/crun,
// /run/caisson), and /run is a tmpfs on a standard host. Not on this VM, where it is the root
// ext4 and dropping a removed directory's last reference costs 50-250 us; so the roots get a
// tmpfs of their own (this mount namespace is private), the same for all three runtimes.
const stateBase = mkdtempSync(join(existsSync('/run') ? '/run' : tmpdir(), 'caisson-bench-state-'));
execFileSync('mount', ['-t', 'tmpfs', '-o', 'mode=0700', 'caisson-bench-state', stateBase]);
const helpers = [];
const cleanup = () => {
  for (const h of helpers) h.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
  // The tmpfs goes with this mount namespace; the directory under it is on the host's /run.
  spawnSync('umount', [stateBase]);
  rmSync(stateBase, { recursive: true, force: true });
};
process.on('exit', cleanup);

// crun would refuse the hybrid layout; mask it in this (private) mount namespace only.
const controllers = '/sys/fs/cgroup/unified/cgroup.controllers';
if (existsSync(controllers)) {
  writeFileSync(join(work, 'empty'), '');
  execFileSync('mount', ['--bind', join(work, 'empty'), controllers]);
}

// crun 1.8 only accepts the spec versions it knows; 1.0.2 means the same to all three.
const { bundle } = writeExampleBundle(join(work, 'bundle'), { args: ['true'], edit: (s) => (s.ociVersion = '1.0.2') });
const CONCURRENCY = opt('--concurrency', 8);

/** A long-lived helper answering one line per request line. */
function helper(cmd, argv) {
  const child = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'inherit'] });
  helpers.push(child);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return async (request) => {
    child.stdin.write(`${request}\n`);
    const { value, done } = await lines.next();
    if (done) throw new Error(`${cmd} exited`);
    if (value.startsWith('error')) throw new Error(`${cmd}: ${value}`);
    return value.split(' ');
  };
}

const launcherBin = join(work, 'launcher');
execFileSync('cc', ['-O2', '-o', launcherBin, join(here, 'launcher.c')]);
const launch = helper(launcherBin, []);
const library = helper(process.execPath, [join(here, 'library-worker.mjs'), bundle, join(stateBase, 'library')]);

const runtimes = [
  { name: 'caisson', bin: join(here, '../bin/caisson') },
  { name: 'library', lib: true },
  { name: 'runc', bin: '/usr/sbin/runc' },
  { name: 'crun', bin: '/usr/bin/crun' },
].filter((r) => r.lib || existsSync(r.bin)).filter((r) => !process.env.BENCH_ONLY || process.env.BENCH_ONLY.split(',').includes(r.name));

/** `batch` runs of one runtime at once: each one's milliseconds. */
async function runBatch(rt, batch, prefix) {
  if (rt.lib) return (await library(`${batch} ${prefix}`)).map(Number);
  const out = await launch([batch, rt.bin, '--root', join(stateBase, rt.name), 'run', '--bundle', bundle, `${prefix}-{i}`].join('\t'));
  return out.map((field) => {
    const [status, ms] = field.split(':');
    if (Number(status) !== 0) throw new Error(`${rt.name} run failed (wait status ${status})`);
    return Number(ms);
  });
}

const q = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};

/**
 * Rounds of `batch` runs per runtime (all at once), runtimes in a random order each round. Each
 * runtime's turn is `burst` batches back to back: with 1, every run follows another runtime's
 * (caches and the CPU's state left by someone else); with more, a runtime's later runs follow its
 * own, as when one program starts containers one after another.
 */
async function measure(batch, burst = 1) {
  const times = Object.fromEntries(runtimes.map((r) => [r.name, []]));
  const walls = Object.fromEntries(runtimes.map((r) => [r.name, []]));
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    const order = [...runtimes].sort(() => Math.random() - 0.5);
    for (const rt of order) {
      for (let k = 0; k < burst; k++) {
        if (GAP) await new Promise((r) => setTimeout(r, GAP));
        const ms = await runBatch(rt, batch, `bench-${batch}-${burst}-${round}-${k}`);
        if (round >= WARMUP) {
          times[rt.name].push(...ms);
          // All started at once: the batch took as long as its slowest run.
          walls[rt.name].push(Math.max(...ms));
        }
      }
    }
  }
  return { times, walls };
}

function report(title, { times, walls }, batch) {
  const med = Object.fromEntries(runtimes.map((r) => [r.name, q(times[r.name], 0.5)]));
  console.log(`\n${title}`);
  console.log('runtime    median ms   p95 ms   x/crun   x/runc' + (batch > 1 ? '   runs/s' : ''));
  for (const r of runtimes) {
    const vs = (other) => (med[other] ? (med[r.name] / med[other]).toFixed(2) : '-').padStart(8);
    const rate = batch > 1 ? `   ${((batch * 1000) / q(walls[r.name], 0.5)).toFixed(0).padStart(6)}` : '';
    console.log(`${r.name.padEnd(10)} ${med[r.name].toFixed(1).padStart(9)} ${q(times[r.name], 0.95).toFixed(1).padStart(8)} ${vs('crun')} ${vs('runc')}${rate}`);
  }
}

// "Warm" means what a long-lived embedding (the shim, a CI runner) reaches after its first
// thousand containers: V8 has optimized the library's code. It optimizes a function once the
// function has run enough bytecode, and the functions that run once per container
// (createContainer, buildPlan, mountOps, processOps...) get there between the ~300th and the
// ~1,100th lifecycle (`node --trace-opt`); until then a lifecycle takes ~5% longer (a build
// warmed 1,000 lifecycles more, against the same build: bench/compare.mjs). The warm-up runs
// one lifecycle at a time and its first and last hundred are reported, so the cold figure is
// printed beside the warm ones (--library-warmup 0: a fresh process throughout).
const LIBRARY_WARMUP = opt('--library-warmup', 1000);
const warmupTimes = [];
if (runtimes.some((r) => r.lib)) for (let i = 0; i < LIBRARY_WARMUP; i++) warmupTimes.push(...(await library(`1 warm-${i}`)).map(Number));

console.log(`run of /bin/true, default config, ${ROUNDS} rounds in a random order (+${WARMUP} warm-up)${GAP ? `, ${GAP} ms idle before each run` : ''}`);
console.log(`caisson = the CLI (node start-up included); library = create/start/wait/delete in a Node process of its own, warm (${LIBRARY_WARMUP} lifecycles first)`);
if (warmupTimes.length >= 200) {
  const first = warmupTimes.slice(0, 100);
  const last = warmupTimes.slice(-100);
  console.log(`library while warming up, one at a time: the first lifecycle ${warmupTimes[0].toFixed(1)} ms, the first 100 median ${q(first, 0.5).toFixed(1)} ms, the last 100 median ${q(last, 0.5).toFixed(1)} ms`);
}
console.log('CLIs started by a small launcher (posix_spawn), timed from spawn to exit');
report('sequential, interleaved (every run right after another runtime\'s)', await measure(1), 1);
report(`sequential, back to back (each runtime ${BURST} runs in a row per round)`, await measure(1, BURST), 1);
report(`${CONCURRENCY} at once, interleaved (latency of each run; runs/s from the median batch)`, await measure(CONCURRENCY), CONCURRENCY);

// What a CLI pays before any container work: spawn, load, exit (`--version`). A runtime's run
// minus this is its container work, the part the library does in-process.
const startups = runtimes.filter((r) => !r.lib);
if (startups.length) {
  const times = Object.fromEntries(startups.map((r) => [r.name, []]));
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    for (const rt of [...startups].sort(() => Math.random() - 0.5)) {
      const [field] = await launch(['1', rt.bin, '--version'].join('\t'));
      const [status, ms] = field.split(':');
      if (Number(status) !== 0) throw new Error(`${rt.name} --version failed (wait status ${status})`);
      if (round >= WARMUP) times[rt.name].push(Number(ms));
    }
  }
  console.log('\nstart-up alone (`RUNTIME --version`, spawn to exit), interleaved');
  console.log('runtime    median ms   p95 ms');
  for (const r of startups) console.log(`${r.name.padEnd(10)} ${q(times[r.name], 0.5).toFixed(1).padStart(9)} ${q(times[r.name], 0.95).toFixed(1).padStart(8)}`);
}
process.exit(0);

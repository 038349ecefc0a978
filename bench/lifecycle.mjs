// The measuring half of `npm run bench` (started by bench/run.mjs in a private mount namespace).
// Times whole `RUNTIME --root R run --bundle B ID` commands, wall clock from spawn to exit,
// runtimes interleaved in a fresh random order every round.

import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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

const work = mkdtempSync(join(tmpdir(), 'caisson-bench-'));
const cleanup = () => rmSync(work, { recursive: true, force: true });
process.on('exit', cleanup);

// crun would refuse the hybrid layout; mask it in this (private) mount namespace only.
const controllers = '/sys/fs/cgroup/unified/cgroup.controllers';
if (existsSync(controllers)) {
  writeFileSync(join(work, 'empty'), '');
  execFileSync('mount', ['--bind', join(work, 'empty'), controllers]);
}

// crun 1.8 only accepts the spec versions it knows; 1.0.2 means the same to all three.
const { bundle } = writeExampleBundle(join(work, 'bundle'), { args: ['true'], edit: (s) => (s.ociVersion = '1.0.2') });
const runtimes = [
  { name: 'caisson', bin: join(here, '../bin/caisson') },
  { name: 'runc', bin: '/usr/sbin/runc' },
  { name: 'crun', bin: '/usr/bin/crun' },
].filter((r) => existsSync(r.bin));

function once(rt, id) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(rt.bin, ['--root', join(work, `state-${rt.name}`), 'run', '--bundle', bundle, id], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) reject(new Error(`${rt.name} run failed (${code}): ${err}`));
      else resolve(ms);
    });
  });
}

const times = Object.fromEntries(runtimes.map((r) => [r.name, []]));
for (let round = 0; round < WARMUP + ROUNDS; round++) {
  const order = [...runtimes].sort(() => Math.random() - 0.5);
  for (const rt of order) {
    const ms = await once(rt, `bench-${round}`);
    if (round >= WARMUP) times[rt.name].push(ms);
  }
}

const q = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
const med = Object.fromEntries(runtimes.map((r) => [r.name, q(times[r.name], 0.5)]));
console.log(`run of /bin/true, default config, ${ROUNDS} interleaved rounds (+${WARMUP} warm-up)\n`);
console.log('runtime    median ms   p95 ms   caisson/x');
for (const r of runtimes) {
  const ratio = (med.caisson / med[r.name]).toFixed(2);
  console.log(`${r.name.padEnd(10)} ${med[r.name].toFixed(1).padStart(9)} ${q(times[r.name], 0.95).toFixed(1).padStart(8)}   ${ratio.padStart(9)}`);
}

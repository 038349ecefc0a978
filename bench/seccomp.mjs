// Seccomp compiler benchmark: compile time for Podman's profile (/usr/share/containers/seccomp.json,
// converted for an x86_64 host with podman's default capabilities), and the size of our filter
// next to libseccomp's for the same profile (test/helpers/seccomp/ref.c, which builds it the way
// runc does). No thresholds: numbers for the notes.
//
//   node bench/seccomp.mjs              200 runs
//   node bench/seccomp.mjs --runs 1000
//
// It loads the TypeScript sources through esbuild (a dev dependency), bundled into a temporary
// directory, since the library entry (dist/index.js) does not export the compiler.

import { build } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const RUNS = opt('--runs', 200);
const WARMUP = opt('--warmup', 20);

const work = mkdtempSync(join(tmpdir(), 'caisson-bench-seccomp-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

const entry = join(work, 'entry.ts');
writeFileSync(
  entry,
  [
    `export { compileSeccomp } from ${JSON.stringify(join(root, 'lib/seccomp/index.ts'))};`,
    `export { podmanSeccomp, PODMAN_PROFILE } from ${JSON.stringify(join(root, 'test/helpers/seccomp/containers-profile.ts'))};`,
    `export { profileText } from ${JSON.stringify(join(root, 'test/helpers/seccomp/reference.ts'))};`,
  ].join('\n'),
);
await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: join(work, 'bundle.mjs'), logLevel: 'warning' });
const { compileSeccomp, podmanSeccomp, PODMAN_PROFILE, profileText } = await import(pathToFileURL(join(work, 'bundle.mjs')).href);

if (!existsSync(PODMAN_PROFILE)) {
  console.error(`${PODMAN_PROFILE} is missing (Debian package golang-github-containers-common, pulled in by podman)`);
  process.exit(1);
}
const profile = podmanSeccomp();
const opts = { nativeArch: 'SCMP_ARCH_X86_64' };

const times = [];
let compiled;
for (let i = 0; i < WARMUP + RUNS; i++) {
  const t0 = process.hrtime.bigint();
  compiled = compileSeccomp(profile, opts);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (i >= WARMUP) times.push(ms);
}
times.sort((a, b) => a - b);
const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
// The first compile in a fresh process (module load and JIT warm-up included) is what a
// `caisson create` pays.
const cold = spawnSync(process.execPath, ['--input-type=module', '-e', `
  const m = await import(${JSON.stringify(pathToFileURL(join(work, 'bundle.mjs')).href)});
  const p = m.podmanSeccomp();
  const t0 = process.hrtime.bigint();
  m.compileSeccomp(p, ${JSON.stringify(opts)});
  console.log(Number(process.hrtime.bigint() - t0) / 1e6);
`], { encoding: 'utf8' });

let ref = 'n/a (libseccomp-dev or gcc missing)';
if (existsSync('/usr/include/seccomp.h')) {
  try {
    const bin = join(work, 'ref');
    execFileSync('gcc', ['-O1', '-o', bin, join(root, 'test/helpers/seccomp/ref.c'), '-lseccomp'], { stdio: ['ignore', 'ignore', 'pipe'] });
    writeFileSync(join(work, 'profile.txt'), profileText(profile));
    execFileSync(bin, [join(work, 'profile.txt'), join(work, 'ref.bpf')], { stdio: 'ignore' });
    ref = String(readFileSync(join(work, 'ref.bpf')).length / 8);
  } catch (err) {
    ref = `n/a (${String(err.message ?? err).split('\n')[0]})`;
  }
}

const syscalls = profile.syscalls.reduce((n, s) => n + s.names.length, 0);
console.log(`Podman's seccomp profile: ${profile.syscalls.length} entries, ${syscalls} names, architectures ${profile.architectures.join(', ')}`);
console.log(`compile, warm (${RUNS} runs): median ${q(0.5).toFixed(3)} ms, p95 ${q(0.95).toFixed(3)} ms, min ${times[0].toFixed(3)} ms`);
console.log(`compile, first call in a fresh process: ${cold.status === 0 ? `${Number(cold.stdout).toFixed(2)} ms` : `failed: ${cold.stderr}`}`);
console.log(`instructions: caisson ${compiled.instructions}, libseccomp 2.5.4 (as runc builds it, before runc's -ENOSYS stub) ${ref}`);

// `npm run bench`: `run` of /bin/true with the default config, caisson vs runc vs crun, in one
// run, interleaved and back to back; prints medians, p95 and ratios. No thresholds: numbers for
// the notes.
//
// crun refuses hybrid cgroup hosts (this machine). The whole benchmark therefore runs inside a
// private mount namespace where /sys/fs/cgroup/unified/cgroup.controllers is bind-masked with an
// empty file; all three runtimes see the same masked view, so the comparison stays fair.
//
//   npm run bench                 30 rounds: interleaved, back to back (5 in a row), 8 at once
//   npm run bench -- --rounds 100
//   npm run bench -- --burst 10     10 runs in a row per runtime in the back-to-back table
//   npm run bench -- --library-warmup 0   the library as a fresh process runs it (JIT cold; the
//                                         default warms it with 1,000 lifecycles, see lifecycle.mjs)
//   npm run bench -- --gap 100      every run after 100 ms idle ("cold")
//   BENCH_ONLY=library,crun npm run bench   only these runtimes (caisson, library, runc, crun)

import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_PACKAGES, ensurePackages } from '../scripts/deps.mjs';

const here = dirname(fileURLToPath(import.meta.url));
if (process.getuid() !== 0) {
  console.error('the benchmark runs containers: run it as root');
  process.exit(1);
}
ensurePackages(BENCH_PACKAGES);
const r = spawnSync('unshare', ['--mount', '--propagation', 'private', process.execPath, join(here, 'lifecycle.mjs'), ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);

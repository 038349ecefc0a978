// `npm start`: run a real container from the built-in default bundle and show what it sees.
// Builds a busybox rootfs from the host's busybox-static (installed with apt-get if missing),
// writes the default config, runs it with bin/caisson, and removes everything afterwards.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_PACKAGES, ensurePackages } from './deps.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (process.getuid() !== 0) {
  console.error('caisson runs containers as root: run `sudo npm start` (rootless mode comes later).');
  process.exit(1);
}
ensurePackages(DEMO_PACKAGES);

const work = mkdtempSync(join(tmpdir(), 'caisson-demo-'));
const caisson = join(root, 'bin/caisson');
const state = join(work, 'state');
const bundle = join(work, 'bundle');
const step = (title, args) => {
  console.log(`\n$ caisson ${args.join(' ')}`);
  const r = spawnSync(caisson, ['--root', state, ...args], { stdio: 'inherit' });
  if (r.status !== 0) console.log(`(${title} exited with ${r.status ?? r.signal})`);
  return r.status;
};
let status = 1;
try {
  step('example-bundle', ['example-bundle', bundle]);
  console.log('\nThe host, for comparison:');
  console.log(`hostname:   ${spawnSync('hostname', { encoding: 'utf8' }).stdout.trim()}; pid of this demo: ${process.pid}`);
  status = step('run', ['run', '--bundle', bundle, `demo-${process.pid}`]);
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(status ?? 1);

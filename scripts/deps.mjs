// Debian packages the project needs on this machine, installed with apt-get when missing.
// Shared by `npm test`, `npm start` and `npm run bench`.

import { execFileSync, spawnSync } from 'node:child_process';

/**
 * What the test suite uses: the rootfs fixture (busybox-static), runc to cross-check the CLI
 * tests, util-linux for nsenter, python3 for the console-socket receiver, the real clients
 * (containerd with ctr and its runc v2 shim; podman with conmon and containers-common, whose
 * seccomp.json is the real-world profile), and libseccomp-dev with gcc for the seccomp
 * differential test and the static test programs.
 */
export const TEST_PACKAGES = ['busybox-static', 'runc', 'util-linux', 'python3', 'containerd', 'podman', 'golang-github-containers-common', 'libseccomp-dev', 'gcc', 'libc6-dev'];
export const DEMO_PACKAGES = ['busybox-static'];
export const BENCH_PACKAGES = ['busybox-static', 'runc', 'crun', 'gcc', 'libc6-dev']; // gcc: bench/launcher.c

export function missingPackages(packages) {
  return packages.filter((p) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

export function ensurePackages(packages, log = (m) => process.stderr.write(`${m}\n`)) {
  const missing = missingPackages(packages);
  if (!missing.length) return;
  if (process.getuid() !== 0) {
    throw new Error(`missing Debian packages: ${missing.join(' ')} (install them with: sudo apt-get install ${missing.join(' ')})`);
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
}

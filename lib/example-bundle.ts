// A ready-to-run bundle: a busybox rootfs built from the host's busybox-static and the default
// config. Used by `caisson example-bundle DIR`, `npm start` and the tests.

import { chmodSync, copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { CaissonError } from './errors.js';
import { defaultSpec } from './default-spec.js';
import type { DefaultSpecOptions } from './default-spec.js';
import type { Spec } from '../spec/types.js';

export const BUSYBOX = '/bin/busybox';

function findBusybox(): string {
  for (const p of [process.env.CAISSON_BUSYBOX, BUSYBOX, '/usr/bin/busybox'].filter(Boolean) as string[]) {
    if (!existsSync(p)) continue;
    // Only a static busybox runs inside a rootfs that has no libc.
    const head = execFileSync('file', ['-L', p], { encoding: 'utf8' });
    if (/statically linked|static-pie/.test(head)) return p;
  }
  throw new CaissonError(
    'ENOTSUP',
    'a statically linked busybox is needed for the example rootfs: install it with `apt-get install busybox-static`',
  );
}

/** Build DIR/rootfs (busybox with every applet linked) and return its path. */
export function buildBusyboxRootfs(dir: string): string {
  const busybox = findBusybox();
  const rootfs = resolve(dir, 'rootfs');
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'dev', 'proc', 'sys', 'tmp', 'root', 'home', 'var', 'run']) {
    mkdirSync(join(rootfs, d), { recursive: true });
  }
  chmodSync(join(rootfs, 'tmp'), 0o1777);
  copyFileSync(busybox, join(rootfs, 'bin/busybox'));
  chmodSync(join(rootfs, 'bin/busybox'), 0o755);
  const applets = execFileSync(busybox, ['--list-full'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const applet of applets) {
    const link = join(rootfs, applet);
    if (applet === 'bin/busybox' || existsSync(link)) continue;
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync('/bin/busybox', link);
  }
  writeFileSync(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n');
  writeFileSync(join(rootfs, 'etc/hostname'), 'caisson\n');
  return rootfs;
}

export interface ExampleBundleOptions extends DefaultSpecOptions {
  /** change the default config before it is written */
  edit?: (spec: Spec) => void;
}

/** Write DIR/config.json and DIR/rootfs. */
export function writeExampleBundle(dir: string, opts: ExampleBundleOptions = {}): { bundle: string; spec: Spec } {
  const bundle = resolve(dir);
  mkdirSync(bundle, { recursive: true });
  buildBusyboxRootfs(bundle);
  const spec = defaultSpec({ args: opts.args ?? ['sh', '-c', DEMO_SCRIPT], rootless: opts.rootless });
  opts.edit?.(spec);
  writeFileSync(join(bundle, 'config.json'), `${JSON.stringify(spec, null, 2)}\n`);
  return { bundle, spec };
}

/** What the default bundle runs: a tour of what the container sees. */
export const DEMO_SCRIPT = [
  'echo "hello from a caisson container"',
  'echo "hostname:   $(hostname)"',
  'echo "my pid:     $$ (pid 1 is $(cat /proc/1/comm))"',
  'echo "processes:  $(ls -d /proc/[0-9]* | wc -l) visible"',
  'echo "network:    $(ls /sys/class/net | tr "\\n" " ")"',
  'echo "root fs:    $(awk \'$5 == "/" {print $6}\' /proc/self/mountinfo)"',
  'echo "user:       $(id)"',
  'echo "caps:       $(grep CapEff /proc/self/status)"',
].join('; ');

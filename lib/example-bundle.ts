// A ready-to-run bundle: a busybox rootfs built from the host's busybox-static and the default
// config. Used by `caisson example-bundle DIR`, `npm start` and the tests.

import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, openSync, readSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { CaissonError } from './errors.js';
import { defaultSpec } from './default-spec.js';
import type { DefaultSpecOptions } from './default-spec.js';
import type { Spec } from '../spec/types.js';

export const BUSYBOX = '/bin/busybox';

const PT_INTERP = 3;

/**
 * An ELF executable that needs no dynamic loader (no PT_INTERP program header): the only kind
 * that runs in a rootfs without a libc. Reads the 64-bit little-endian headers directly.
 */
export function isStaticElf(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const eh = Buffer.alloc(64);
    if (readSync(fd, eh, 0, 64, 0) < 64 || eh.readUInt32BE(0) !== 0x7f454c46 || eh[4] !== 2 || eh[5] !== 1) return false;
    const phoff = Number(eh.readBigUInt64LE(32));
    const phentsize = eh.readUInt16LE(54);
    const phnum = eh.readUInt16LE(56);
    const ph = Buffer.alloc(phentsize * phnum);
    readSync(fd, ph, 0, ph.length, phoff);
    for (let i = 0; i < phnum; i++) if (ph.readUInt32LE(i * phentsize) === PT_INTERP) return false;
    return true;
  } finally {
    closeSync(fd);
  }
}

function findBusybox(): string {
  for (const p of [process.env.CAISSON_BUSYBOX, BUSYBOX, '/usr/bin/busybox'].filter(Boolean) as string[]) {
    if (existsSync(p) && isStaticElf(p)) return p;
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

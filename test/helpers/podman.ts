// A private podman for the client tests: its own storage (vfs), run root, tmpdir and cgroup
// parent under the run's directory, with `--runtime` the runtime under test (conmon drives it).
// Root here lacks CAP_SYS_RESOURCE, so every container gets explicit ulimits that fit.

import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { cgroupsLeft, removeCgroupTree, sweep } from './containerd.js';
import { TEST_BASE } from './paths.js';
import { execCollect, RUNTIME } from './sandbox.js';
import type { RunOptions, RunResult } from './sandbox.js';

/** Where the runtime keeps state when, as with podman, no --root is given. */
const RUNTIME_DEFAULT_ROOT = basename(RUNTIME) === 'runc' ? '/run/runc' : basename(RUNTIME) === 'crun' ? '/run/crun' : '/run/caisson';

export class PrivatePodman {
  readonly dir: string;
  /** cgroup parent of every container (cgroupfs manager), removed at the end */
  readonly cgroupParent: string;
  private readonly ids = new Set<string>();

  constructor(name: string) {
    this.dir = join(TEST_BASE, `podman-${name}-${process.pid}`);
    this.cgroupParent = `caisson-pod-${process.pid}`;
    mkdirSync(this.dir, { recursive: true });
  }

  private globals(): string[] {
    return [
      '--root', join(this.dir, 'root'),
      '--runroot', join(this.dir, 'runroot'),
      '--tmpdir', join(this.dir, 'tmp'),
      '--runtime', RUNTIME,
      '--cgroup-manager', 'cgroupfs',
      '--events-backend', 'file',
      '--storage-driver', 'vfs',
    ];
  }

  podman(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    return execCollect('podman', [...this.globals(), ...args], { timeoutMs: 60_000, ...opts });
  }

  /** The podman command line, for script(1). */
  command(args: string[]): string {
    return ['podman', ...this.globals(), ...args].join(' ');
  }

  /** Flags every `run` gets: no network, our cgroup parent, ulimits within this root's reach. */
  runFlags(): string[] {
    return [
      '--network', 'none',
      '--cgroup-parent', `/${this.cgroupParent}`,
      '--ulimit', 'nofile=20000:20000',
      '--ulimit', 'nproc=32768:32768',
    ];
  }

  /** Remember a container id (podman prints it for run -d) for the leftover check. */
  track(id: string): string {
    this.ids.add(id.trim());
    return id.trim();
  }

  /** Runtime state directories of our containers still present. */
  runtimeStateLeft(): string[] {
    if (!existsSync(RUNTIME_DEFAULT_ROOT)) return [];
    return readdirSync(RUNTIME_DEFAULT_ROOT).filter((d) => this.ids.has(d));
  }

  async removeAll(): Promise<void> {
    await this.podman(['rm', '--all', '--force', '--time', '0']);
  }

  /** Remove every container, image and file; report whatever was left behind. */
  async stop(): Promise<string[]> {
    const problems: string[] = [];
    await this.removeAll();
    await this.podman(['rmi', '--all', '--force']);
    sweep(problems, 'conmon', ['conmon', this.dir], this.dir);
    for (const s of this.runtimeStateLeft()) {
      problems.push(`runtime state ${RUNTIME_DEFAULT_ROOT}/${s}`);
      rmSync(join(RUNTIME_DEFAULT_ROOT, s), { recursive: true, force: true });
    }
    removeCgroupTree(this.cgroupParent);
    for (const c of cgroupsLeft(this.cgroupParent)) problems.push(`cgroup ${c}`);
    rmSync(this.dir, { recursive: true, force: true });
    return problems;
  }
}

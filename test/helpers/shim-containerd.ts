// A private containerd (test/helpers/containerd.ts) whose tasks run on caisson's own shim,
// containerd-shim-caisson-v2, instead of the runc shim. containerd passes its environment to
// shims, which is how the shim's state root lands in this containerd's directory and its linger
// after the last container is made short for the tests.

import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PrivateContainerd, processesWith, until } from './containerd.js';
import { REPO } from './paths.js';

export const SHIM_BINARY = resolve(REPO, 'bin/containerd-shim-caisson-v2');

export class ShimContainerd extends PrivateContainerd {
  readonly shimRoot: string;

  constructor(name: string) {
    super(name);
    this.shimRoot = join(this.dir, 'shim-root');
  }

  override async start(): Promise<void> {
    process.env.CAISSON_SHIM_ROOT = this.shimRoot;
    process.env.CAISSON_SHIM_LINGER_MS = '300';
    await super.start();
  }

  /** `ctr run` flags that select our shim (containerd 1.6 takes an absolute path as runtime). */
  shimFlags(): string[] {
    return ['--runtime', SHIM_BINARY];
  }

  /** Our shim processes serving this containerd's namespace. */
  shims(): number[] {
    return processesWith('containerd-shim-caisson-v2', this.ns);
  }

  /** caisson state directories left under the shim's root. */
  shimStateLeft(): string[] {
    const ns = join(this.shimRoot, this.ns);
    return existsSync(ns) ? readdirSync(ns) : [];
  }

  /** Wait until every shim has exited on its own (they linger briefly after the last task). */
  async shimsGone(timeoutMs = 10_000): Promise<void> {
    await until(() => (this.shims().length === 0 ? true : undefined), 'the shims to exit', timeoutMs);
  }

  override async stop(): Promise<string[]> {
    const problems: string[] = [];
    await this.removeAll().catch((e: Error) => problems.push(`remove containers: ${e.message}`));
    await this.shimsGone().catch((e: Error) => problems.push(e.message));
    for (const s of this.shimStateLeft()) problems.push(`shim state ${s}`);
    return [...problems, ...(await super.stop())];
  }
}

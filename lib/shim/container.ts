// A container as the shim holds it: its bundle, whether the shim mounted its rootfs, its init
// and execs by id.

import type { Container } from '../api/container.js';
import { notFound } from './grpc-errors.js';
import type { ShimProcess } from './process.js';

export class ShimContainer {
  readonly execs = new Map<string, ShimProcess>();
  /** the rootfs mounts were ours to take off at delete */
  rootfsMounted = false;
  /** the container has a pid namespace of its own (else its processes outlive the init) */
  ownPidNamespace = true;
  /** OOM kills counted so far */
  oomKills = 0;
  deleted = false;
  /** the library's handle, once Create has made the container */
  api?: Container;

  constructor(
    readonly id: string,
    readonly bundle: string,
    readonly init: ShimProcess,
  ) {}

  /** The library's handle (Create has succeeded by the time any other RPC finds this container). */
  get container(): Container {
    if (!this.api) throw notFound(`container ${this.id} is still being created`);
    return this.api;
  }

  process(execId: string): ShimProcess | undefined {
    return execId ? this.execs.get(execId) : this.init;
  }

  /** Execs started and not yet exited (their exits hold the init's back). */
  runningExecs(): ShimProcess[] {
    return [...this.execs.values()].filter((p) => p.state === 'running');
  }
}

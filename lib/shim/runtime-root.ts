// Where the shim keeps caisson's container state: <root>/<namespace>, root being the runc
// options' `root` when containerd sends one (CRI's runtime options), else $CAISSON_SHIM_ROOT
// (containerd passes its own environment to shims), else /run/containerd/caisson. The choice
// is written into the bundle at Create, so `delete` after a dead shim finds the same place.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEFAULT_RUNTIME_ROOT = '/run/containerd/caisson';
const ROOT_FILE = 'caisson-root';

export function runtimeRoot(namespace: string, optionsRoot?: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(optionsRoot || env.CAISSON_SHIM_ROOT || DEFAULT_RUNTIME_ROOT, namespace);
}

export function recordRuntimeRoot(bundle: string, root: string): void {
  writeFileSync(join(bundle, ROOT_FILE), root, { mode: 0o600 });
}

/** The root recorded at Create, or the default one when there is none. */
export function recordedRuntimeRoot(bundle: string, namespace: string, env: NodeJS.ProcessEnv = process.env): string {
  try {
    return readFileSync(join(bundle, ROOT_FILE), 'utf8').trim() || runtimeRoot(namespace, undefined, env);
  } catch {
    return runtimeRoot(namespace, undefined, env);
  }
}

// `delete`: containerd lost the shim (it was killed, or containerd restarted and cannot reach
// it), or, with containerd 1.6, simply closed its connection after deleting the task. Clean up
// whatever is left of the container, whoever left it: kill and delete it, take the rootfs
// mounts off, and print a DeleteResponse. containerd publishes the exit and delete events
// itself, with this status (137: it was killed).

import { existsSync } from 'node:fs';
import { NotFoundError } from '../errors.js';
import { Runtime } from '../api/runtime.js';
import { timestampOf } from './proto/well-known.js';
import { DeleteResponse } from './proto/task.js';
import { recordedRuntimeRoot } from './runtime-root.js';
import { isMountPoint, rootfsDir, unmountRootfs } from './rootfs.js';
import type { ShimFlags } from './flags.js';

export async function runDelete(flags: ShimFlags, warn: (m: string) => void): Promise<Buffer> {
  const bundle = flags.bundle || process.cwd();
  if (!flags.id) throw new Error('shim id cannot be empty');
  const runtime = new Runtime({ root: recordedRuntimeRoot(bundle, flags.namespace), logger: { warn } });
  let container;
  try {
    container = runtime.load(flags.id);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err; // else nothing of it is left in caisson's state
  }
  let pid = 0;
  if (container) {
    try {
      pid = container.state().pid;
    } catch {
      /* a half-made state directory: delete still removes it */
    }
    await container.delete({ force: true });
  }
  if (existsSync(rootfsDir(bundle)) && isMountPoint(rootfsDir(bundle))) unmountRootfs(bundle);
  return DeleteResponse.encode({ pid, exitStatus: 128 + 9, exitedAt: timestampOf(Date.now()) });
}

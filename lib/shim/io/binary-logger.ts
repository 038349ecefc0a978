// binary:// stdio: containerd's logging-binary protocol. The program gets the container's stdout
// on fd 3 and stderr on fd 4 (the read ends of two pipes whose write ends the container gets),
// and fd 5, which it closes (binary-v2: after writing one byte) once it is ready; the container
// starts only then. CONTAINER_ID and CONTAINER_NAMESPACE say whose logs they are.

import { closeSync } from 'node:fs';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import * as native from '../../native.js';

export interface BinaryLogger {
  /** the container's stdout and stderr */
  stdout: number;
  stderr: number;
  child: ChildProcess;
  /** close the container's ends in the shim (it has its own copies) */
  closeContainerEnds(): void;
}

export async function startBinaryLogger(path: string, args: string[], id: string, namespace: string, timeoutMs = 10_000): Promise<BinaryLogger> {
  const [outR, outW] = native.pipe();
  const [errR, errW] = native.pipe();
  const [waitR, waitW] = native.pipe();
  let child: ChildProcess;
  try {
    child = spawn(path, args, {
      stdio: ['ignore', 'ignore', 'ignore', outR, errR, waitW],
      env: { ...process.env, CONTAINER_ID: id, CONTAINER_NAMESPACE: namespace },
      detached: false,
    });
  } finally {
    for (const fd of [outR, errR, waitW]) closeSync(fd);
  }
  const ready = new Socket({ fd: waitR, readable: true, writable: false });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`logging binary ${path} did not become ready in ${timeoutMs} ms`)), timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      ready.once('data', done);
      ready.once('end', done);
      ready.once('error', done);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`start logging binary ${path}: ${err.message}`));
      });
    });
  } catch (err) {
    closeSync(outW);
    closeSync(errW);
    child.kill('SIGKILL');
    throw err;
  } finally {
    ready.destroy();
  }
  return {
    stdout: outW,
    stderr: errW,
    child,
    closeContainerEnds() {
      for (const fd of [outW, errW]) {
        try {
          closeSync(fd);
        } catch {
          /* closed already */
        }
      }
    },
  };
}

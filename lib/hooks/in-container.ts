// createContainer and startContainer hooks run in the container's namespaces (spec): joined
// from the init's, with the hook's stdio on pipes we read, as the other hooks'.

import { closeSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import * as native from '../native.js';
import type { Hook } from '../../spec/types.js';
import { ExecHow, Op } from '../plan/opcodes.js';
import { spawnJoined } from '../lifecycle/join.js';
import type { HookResult } from './run.js';

function collect(fd: number): Promise<string> {
  return new Promise((resolve) => {
    const s = new Socket({ fd, readable: true, writable: false });
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString()));
    s.on('close', () => resolve(text));
    s.on('error', () => resolve(text));
  });
}

export async function spawnInNamespaces(pid: number, hook: Hook, state: string): Promise<HookResult> {
  const [inR, inW] = native.pipe(3);
  const [outR, outW] = native.pipe(3);
  const [errR, errW] = native.pipe(3);
  const args = hook.args ?? [hook.path];
  let joined;
  try {
    joined = await spawnJoined({ pid, keep: [inR, outW, errW], ops: [
      { code: Op.DUP2, label: 'hook stdin', fields: [inR, 0] },
      { code: Op.DUP2, label: 'hook stdout', fields: [outW, 1] },
      { code: Op.DUP2, label: 'hook stderr', fields: [errW, 2] },
      { code: Op.RESOLVE_EXEC, label: `exec hook ${hook.path}`, fields: [hook.path, ''] },
      { code: Op.SETSID, label: 'a process group of its own', fields: [] },
      { code: Op.PREPARE_FDS, label: 'mark fds close-on-exec', fields: [3] },
      { code: Op.EXEC, label: `exec hook ${hook.path}`, fields: [ExecHow.TRAMPOLINE, args.length, ...args, (hook.env ?? []).length, ...(hook.env ?? [])] },
    ] });
  } finally {
    for (const fd of [inR, outW, errW]) closeSync(fd);
  }
  // The state fits a pipe buffer; a hook that never reads it still gets EOF on close.
  try {
    writeSync(inW, state);
  } catch {
    /* the hook closed its stdin */
  }
  closeSync(inW);
  const out = collect(outR);
  const err = collect(errR);
  let timedOut = false;
  const timer = hook.timeout
    ? setTimeout(() => {
        timedOut = true;
        joined.signal(9);
        // And whatever it started (its group id is its pid, which stays taken while the group
        // has members): they hold its output pipes, which we read to their end.
        try {
          process.kill(-joined.pid, 'SIGKILL');
        } catch {
          /* no one left */
        }
      }, hook.timeout * 1000)
    : undefined;
  const w = await native.keepingAlive(joined.exit);
  clearTimeout(timer);
  return { exitCode: w.exitCode, signal: w.signal, timedOut, stdout: await out, stderr: await err };
}

// Running OCI hooks (config.hooks.*), per runtime-spec v1.3.0.
//
// Each hook gets the container state as JSON on stdin, exactly its own `env` (nothing
// inherited), its `args` as argv (args[0] is argv[0]), and is killed when it runs past its
// `timeout`. Its stdout and stderr are collected and quoted in the error when it fails.
// Hooks of one kind run in order and stop at the first failure.

import { constants } from 'node:os';
import { CaissonError } from '../errors.js';
import type { Hook, Hooks } from '../../spec/types.js';
import { SPEC_VERSION } from '../../spec/types.js';
import { spawnInNamespaces } from './in-container.js';

export type HookKind = keyof Hooks;

export interface HookState {
  ociVersion: string;
  id: string;
  status: 'creating' | 'created' | 'running' | 'stopped';
  pid?: number;
  bundle: string;
  annotations?: Record<string, string>;
}

export function hookState(id: string, bundle: string, status: HookState['status'], pid: number | undefined, annotations?: Record<string, string>): HookState {
  return {
    ociVersion: SPEC_VERSION,
    id,
    status,
    ...(pid !== undefined ? { pid } : {}),
    bundle,
    ...(annotations && Object.keys(annotations).length ? { annotations } : {}),
  };
}

export class HookError extends CaissonError {
  readonly kind: HookKind;
  readonly index: number;
  constructor(kind: HookKind, index: number, message: string) {
    super('ESYSTEM', `error running ${kind} hook #${index}: ${message}`);
    this.kind = kind;
    this.index = index;
  }
}

export interface HookResult {
  exitCode: number | null;
  signal: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/**
 * Where a hook runs: the runtime's namespaces, or those of the process with this pid. A
 * `signal` that aborts kills a hook running in the runtime's namespaces (and what it started).
 */
export type HookPlace = { inContainerOf?: number; signal?: AbortSignal };

function describe(r: HookResult, hook: Hook): string {
  const why = r.timedOut
    ? `hook ran past specified timeout of ${hook.timeout}s`
    : r.signal !== null
      ? `signal: ${r.signal}`
      : `exit status ${r.exitCode}`;
  const out = [r.stdout.trim() && `stdout: ${r.stdout.trim()}`, r.stderr.trim() && `stderr: ${r.stderr.trim()}`].filter(Boolean);
  return out.length ? `${why}, ${out.join(', ')}` : why;
}

/** environ(7) entries to the object child_process wants; an entry without "=" is an empty value. */
function envObject(env: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of env ?? []) {
    const eq = e.indexOf('=');
    out[eq < 0 ? e : e.slice(0, eq)] = eq < 0 ? '' : e.slice(eq + 1);
  }
  return out;
}

/** One hook in the runtime's own namespaces. */
async function runHere(hook: Hook, state: string, signal?: AbortSignal): Promise<HookResult> {
  // Loaded on first use: most containers have no hooks, and the CLI starts faster without it.
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const args = hook.args ?? [hook.path];
    // Its own process group, so a timeout kills the hook and whatever it started.
    const child = spawn(hook.path, args.slice(1), { argv0: args[0] ?? hook.path, env: envObject(hook.env), stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.on('error', () => {}); // a hook that ignores its stdin may close it early
    child.stdin.end(state);
    const killGroup = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = hook.timeout
      ? setTimeout(() => {
          timedOut = true;
          killGroup();
        }, hook.timeout * 1000)
      : undefined;
    signal?.addEventListener('abort', killGroup, { once: true });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    // Settle on exit; output that is still in flight gets a moment. A hook's own children may
    // keep its pipes open long after it is gone (a killed `sh` leaves its `sleep`).
    let settled = false;
    const settle = (code: number | null, sig: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', killGroup);
      // Pipes a straggler still holds would keep us alive: they are of no more use.
      for (const s of [child.stdin, child.stdout, child.stderr]) s.destroy();
      if (signal?.aborted) return reject(signal.reason);
      resolve({ exitCode: code, signal: sig ? constants.signals[sig] : null, timedOut, stdout, stderr });
    };
    child.on('close', settle);
    child.on('exit', (code, signal) => setTimeout(() => settle(code, signal), 100).unref());
  });
}

/** Run every hook of `kind` in order; the first failure throws a HookError. */
export async function runHooks(kind: HookKind, hooks: Hook[] | undefined, state: HookState, place: HookPlace = {}): Promise<void> {
  const json = JSON.stringify(state);
  for (const [i, hook] of (hooks ?? []).entries()) {
    place.signal?.throwIfAborted();
    let r: HookResult;
    try {
      r = place.inContainerOf !== undefined ? await spawnInNamespaces(place.inContainerOf, hook, json) : await runHere(hook, json, place.signal);
    } catch (err) {
      if (place.signal?.aborted) throw place.signal.reason;
      throw new HookError(kind, i, (err as Error).message);
    }
    if (r.timedOut || r.signal !== null || r.exitCode !== 0) throw new HookError(kind, i, describe(r, hook));
  }
}

/** poststop: failures are warnings, and the remaining hooks still run (spec step 13). */
export async function runPoststop(hooks: Hook[] | undefined, state: HookState, warn: (msg: string) => void): Promise<void> {
  for (const [i, hook] of (hooks ?? []).entries()) {
    try {
      await runHooks('poststop', [hook], state);
    } catch (err) {
      warn(err instanceof HookError ? err.message.replace('#0', `#${i}`) : `error running poststop hook #${i}: ${(err as Error).message}`);
    }
  }
}

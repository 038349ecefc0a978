// A test's private corner: its own state root and bundle directories, a way to drive the
// runtime under test (RUNTIME, default bin/caisson) and a cleanup that removes every container
// it made, even when the test failed.

import { spawn } from 'node:child_process';
import type { StdioOptions } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { defaultSpec } from '../../lib/default-spec.js';
import type { Spec } from '../../spec/types.js';
import { FIXTURE_ROOTFS, REPO, TEST_BASE } from './paths.js';

export const RUNTIME = process.env.RUNTIME ?? resolve(REPO, 'bin/caisson');
/** true when the runtime under test is caisson (error texts and caisson-only features) */
export const IS_CAISSON = basename(RUNTIME) === 'caisson';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdio?: StdioOptions;
  /** extra fds for the child, placed from fd 3 up */
  extraFds?: number[];
}

/** Run a command and collect its output; never rejects on a non-zero exit. */
export function execCollect(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const stdio: StdioOptions = opts.stdio ?? ['pipe', 'pipe', 'pipe', ...(opts.extraFds ?? [])];
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} timed out after ${opts.timeoutMs ?? 20000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 20000);
    child.on('error', reject);
    // A detached container keeps our pipes open after the command exits: resolve on exit, and
    // give the pipes a moment to deliver what the command itself wrote.
    let done = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    };
    child.on('close', finish);
    child.on('exit', (code, signal) => setTimeout(() => finish(code, signal), 150));
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

let counter = 0;

export class Sandbox {
  readonly dir: string;
  readonly root: string;
  private readonly ids = new Set<string>();

  constructor(name = 'sb') {
    this.dir = join(TEST_BASE, 'sandboxes', `${name}-${process.pid}-${++counter}`);
    this.root = join(this.dir, 'state');
    mkdirSync(this.root, { recursive: true });
  }

  /** A fresh container id, remembered for cleanup. */
  id(prefix = 'c'): string {
    const id = `${prefix}-${process.pid}-${++counter}`;
    this.ids.add(id);
    return id;
  }

  /** Track an id chosen by the test. */
  track(id: string): string {
    this.ids.add(id);
    return id;
  }

  /**
   * Write a bundle: the default config (as `caisson spec` makes it) running `args`, rooted in the
   * shared read-only busybox fixture unless `ownRootfs` asks for a private writable copy.
   */
  bundle(args: string[], edit?: (spec: Spec) => void, opts: { ownRootfs?: boolean; text?: (json: string) => string } = {}): string {
    const dir = join(this.dir, `bundle-${++counter}`);
    mkdirSync(dir, { recursive: true });
    const spec = defaultSpec({ args });
    if (opts.ownRootfs) {
      cpSync(FIXTURE_ROOTFS, join(dir, 'rootfs'), { recursive: true, verbatimSymlinks: true });
      spec.root = { path: 'rootfs', readonly: false };
    } else {
      spec.root = { path: FIXTURE_ROOTFS, readonly: true };
    }
    // Marks the container's processes for the leak check after the run (test/global-setup.ts).
    spec.process!.env = [...(spec.process!.env ?? []), `CAISSON_TEST_RUN=${process.env.CAISSON_TEST_RUN ?? ''}`];
    edit?.(spec);
    const json = JSON.stringify(spec, null, 2);
    writeFileSync(join(dir, 'config.json'), opts.text ? opts.text(json) : json);
    return dir;
  }

  /** Write a raw config.json (for malformed-config tests). */
  rawBundle(config: string, opts: { rootfs?: boolean } = {}): string {
    const dir = join(this.dir, `bundle-${++counter}`);
    mkdirSync(dir, { recursive: true });
    if (opts.rootfs !== false) mkdirSync(join(dir, 'rootfs'));
    writeFileSync(join(dir, 'config.json'), config);
    return dir;
  }

  /** Run the runtime under test with `--root <ours>` first, as containerd does. */
  rt(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    return execCollect(RUNTIME, ['--root', this.root, ...args], opts);
  }

  /** `run` a bundle to completion and return its output. */
  async run(bundle: string, opts: RunOptions = {}): Promise<RunResult & { id: string }> {
    const id = this.id();
    const r = await this.rt(['run', '--bundle', bundle, id], opts);
    return { ...r, id };
  }

  async state(id: string): Promise<{ status: string; pid: number; [k: string]: unknown }> {
    const r = await this.rt(['state', id]);
    if (r.code !== 0) throw new Error(`state ${id} failed: ${r.stderr}`);
    return JSON.parse(r.stdout);
  }

  /** Poll `state` until the container has `status` (right after `run -d` it may not exist yet). */
  async waitForStatus(id: string, status: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.state(id).catch(() => ({ status: 'absent' }));
      if (s.status === status) return;
      if (Date.now() > deadline) throw new Error(`${id} is ${s.status}, expected ${status}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** State directories left under our root (must be none after cleanup). */
  stateLeft(): string[] {
    return existsSync(this.root) ? readdirSync(this.root) : [];
  }

  /** Delete every container we made, then check nothing is left and remove our files. */
  async cleanup(): Promise<void> {
    for (const id of this.ids) await this.rt(['delete', '--force', id]).catch(() => undefined);
    this.ids.clear();
    const left = this.stateLeft();
    rmSync(this.dir, { recursive: true, force: true });
    if (left.length) throw new Error(`state left behind after cleanup: ${left.join(', ')}`);
  }
}

// A private containerd for the client tests: its own root, state, sockets and namespace under the
// run's directory (CRI off), driven with `ctr`, the runc v2 shim calling the runtime under test
// through `--runc-binary` (the BinaryName option). Everything it starts is stopped and removed
// by stop(), also when a test failed half-way.

import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TEST_BASE } from './paths.js';
import { execCollect, RUNTIME } from './sandbox.js';
import type { RunOptions, RunResult } from './sandbox.js';

/** Wait until `fn` gives a value, polling; throws after `timeoutMs`. */
export async function until<T>(fn: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** Processes whose command line contains every one of `words`. */
export function processesWith(...words: string[]): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      if (words.every((w) => cmd.some((a) => a.includes(w)))) out.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Mount points at or below `dir`, deepest first. */
export function mountsBelow(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((mp): mp is string => !!mp && (mp === dir || mp.startsWith(`${dir}/`)))
    .reverse();
}

/**
 * After a client's own cleanup: kill any process still running with `words` in its command
 * line and lazily unmount whatever is left below `dir`, reporting each as a problem.
 */
export function sweep(problems: string[], what: string, words: string[], dir: string): void {
  for (const pid of processesWith(...words)) {
    problems.push(`${what} ${pid} still running`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const mp of mountsBelow(dir)) {
    problems.push(`mount ${mp}`);
    try {
      execFileSync('umount', ['-l', mp]);
    } catch {
      /* already gone */
    }
  }
}

/** Remove a cgroup directory tree under every hierarchy (children first); only empty ones go. */
export function removeCgroupTree(rel: string): void {
  const roots = existsSync('/sys/fs/cgroup/cgroup.controllers') ? ['/sys/fs/cgroup'] : readdirSync('/sys/fs/cgroup').map((c) => `/sys/fs/cgroup/${c}`);
  const rm = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) rm(join(dir, e.name));
    try {
      rmdirSync(dir);
    } catch {
      /* still has processes: the leak check reports it */
    }
  };
  for (const r of roots) rm(join(r, rel));
}

/** Cgroup directories named `rel` that still exist, under any hierarchy. */
export function cgroupsLeft(rel: string): string[] {
  const roots = existsSync('/sys/fs/cgroup/cgroup.controllers') ? ['/sys/fs/cgroup'] : readdirSync('/sys/fs/cgroup').map((c) => `/sys/fs/cgroup/${c}`);
  return roots.map((r) => join(r, rel)).filter((d) => existsSync(d));
}

export class PrivateContainerd {
  readonly dir: string;
  /** containerd namespace, and the cgroup parent the runc shim gives containers ("/<ns>/<id>") */
  readonly ns: string;
  readonly sock: string;
  /** the state root the shim passes to the runtime (--root) */
  readonly runtimeRoot: string;
  private proc?: ChildProcess;
  private log = '';

  constructor(name: string) {
    this.ns = `caisson-ctd-${process.pid}`;
    this.dir = join(TEST_BASE, `containerd-${name}-${process.pid}`);
    this.sock = join(this.dir, 'c.sock');
    this.runtimeRoot = join(this.dir, 'runtime-root');
  }

  async start(): Promise<void> {
    mkdirSync(this.runtimeRoot, { recursive: true });
    const config = join(this.dir, 'config.toml');
    writeFileSync(
      config,
      [
        'version = 2',
        `root = "${this.dir}/root"`,
        `state = "${this.dir}/state"`,
        'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
        '[grpc]',
        `  address = "${this.sock}"`,
        '[ttrpc]',
        `  address = "${this.sock}.ttrpc"`,
        '',
      ].join('\n'),
    );
    this.proc = spawn('containerd', ['--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout!.on('data', (d: Buffer) => (this.log += d.toString()));
    this.proc.stderr!.on('data', (d: Buffer) => (this.log += d.toString()));
    await until(async () => ((await this.ctr(['version'], { timeoutMs: 5000 })).code === 0 ? true : undefined), 'containerd to answer', 20_000);
  }

  /** Stop containerd (SIGTERM) and start it again on the same root, state and sockets. */
  async restart(): Promise<void> {
    const proc = this.proc;
    if (proc && proc.exitCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
    await this.start();
  }

  /** The end of containerd's log, for failure messages. */
  logTail(lines = 30): string {
    return this.log.split('\n').slice(-lines).join('\n');
  }

  ctr(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    return execCollect('ctr', ['--address', this.sock, '--namespace', this.ns, ...args], { timeoutMs: 30_000, ...opts });
  }

  /** `ctr run` flags that make the runc v2 shim use the runtime under test. */
  runtimeFlags(): string[] {
    return ['--runc-binary', RUNTIME, '--runc-root', this.runtimeRoot];
  }

  /** The task's status as `ctr task ls` shows it, or undefined without a task. */
  async taskStatus(id: string): Promise<string | undefined> {
    const r = await this.ctr(['task', 'ls']);
    const line = r.stdout.split('\n').find((l) => l.split(/\s+/)[0] === id);
    return line?.trim().split(/\s+/)[2];
  }

  async taskPid(id: string): Promise<number> {
    const r = await this.ctr(['task', 'ls']);
    const line = r.stdout.split('\n').find((l) => l.split(/\s+/)[0] === id);
    return Number(line?.trim().split(/\s+/)[1]);
  }

  /** Kill, delete and remove every container of our namespace. */
  async removeAll(): Promise<void> {
    const ids = (await this.ctr(['containers', 'ls', '-q'])).stdout.split('\n').filter(Boolean);
    for (const id of ids) {
      if (await this.taskStatus(id)) {
        await this.ctr(['task', 'resume', id]);
        await this.ctr(['task', 'kill', '-s', 'KILL', id]);
        await until(async () => ((await this.taskStatus(id)) === 'RUNNING' ? undefined : true), `task ${id} to stop`).catch(() => undefined);
        await this.ctr(['task', 'delete', '--force', id]);
      }
      await this.ctr(['containers', 'rm', id]);
    }
  }

  /** Stop everything and remove every trace; never throws before it has tried it all. */
  async stop(): Promise<string[]> {
    const problems: string[] = [];
    if (this.proc && this.proc.exitCode === null) {
      await this.removeAll().catch((e: Error) => problems.push(`remove containers: ${e.message}`));
      this.proc.kill('SIGTERM');
      const exited = await Promise.race([new Promise((r) => this.proc!.once('exit', r)), sleep(10_000).then(() => 'timeout')]);
      if (exited === 'timeout') {
        this.proc.kill('SIGKILL');
        problems.push('containerd did not stop on SIGTERM');
      }
    }
    // Shims outlive containerd by design: after removeAll there must be none of ours.
    sweep(problems, 'shim', ['containerd-shim', this.ns], this.dir);
    const state = existsSync(this.runtimeRoot) ? readdirSync(this.runtimeRoot).flatMap((n) => readdirSync(join(this.runtimeRoot, n)).map((c) => `${n}/${c}`)) : [];
    for (const s of state) problems.push(`runtime state ${s}`);
    removeCgroupTree(this.ns);
    for (const c of cgroupsLeft(this.ns)) problems.push(`cgroup ${c}`);
    rmSync(this.dir, { recursive: true, force: true });
    return problems;
  }
}

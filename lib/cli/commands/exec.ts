// exec: runc's exec. The process is --process FILE, or the container's own process spec with
// the command line and the flags applied. In the foreground it waits, forwards signals, and
// exits with the process's status; a failure inside caisson exits 255, as runc's does.

import { readFileSync } from 'node:fs';
import { CaissonError, UsageError } from '../../errors.js';
import { parseJson } from '../../bundle.js';
import { checkExecProcess } from '../../lifecycle/exec.js';
import { NotFoundError } from '../../errors.js';
import type { Process } from '../../../spec/types.js';
import type { CommandContext } from '../commands.js';
import { runtime } from './shared.js';

const FORWARDED = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2', 'SIGALRM', 'SIGCONT', 'SIGTSTP'] as const;

function parseUser(spec: string): { uid: number; gid: number } {
  const m = /^(\d+)(?::(\d+))?$/.exec(spec);
  if (!m) throw new UsageError(`invalid --user "${spec}": expected uid[:gid] (numeric)`);
  return { uid: Number(m[1]), gid: Number(m[2] ?? 0) };
}

function buildProcess(ctx: CommandContext, base: Process | undefined, args: string[]): Process {
  const f = ctx.flags;
  if (f.process) {
    const file = f.process as string;
    return checkExecProcess(parseJson(readFileSync(file, 'utf8'), file));
  }
  if (!args.length) throw new UsageError('caisson: "exec" requires a minimum of 2 argument(s)');
  const p: Process = JSON.parse(JSON.stringify(base ?? { cwd: '/', args: [] }));
  p.args = args;
  p.terminal = !!f.tty;
  if (f.cwd) p.cwd = f.cwd as string;
  const env = [...(p.env ?? [])];
  for (const e of (f.env as string[] | undefined) ?? []) {
    const key = e.split('=')[0];
    const i = env.findIndex((x) => x.split('=')[0] === key);
    if (i >= 0) env[i] = e;
    else env.push(e);
  }
  p.env = env;
  if (f.user) p.user = { ...(p.user ?? { uid: 0, gid: 0 }), ...parseUser(f.user as string) };
  const gids = (f['additional-gids'] as string[] | undefined)?.map((g) => {
    if (!/^\d+$/.test(g)) throw new UsageError(`invalid --additional-gids "${g}"`);
    return Number(g);
  });
  if (gids?.length) p.user = { ...(p.user ?? { uid: 0, gid: 0 }), additionalGids: gids };
  // --cap adds to the bounding, effective and permitted sets, never the inheritable one
  // (CVE-2022-29162: no inheritable caps unasked). Ambient needs the cap inheritable, so it is
  // added there only when the process already has an inheritable set, as runc does.
  for (const cap of (f.cap as string[] | undefined) ?? []) {
    const caps = (p.capabilities ??= {});
    const sets = caps.inheritable ? (['bounding', 'effective', 'permitted', 'ambient'] as const) : (['bounding', 'effective', 'permitted'] as const);
    for (const set of sets) caps[set] = [...new Set([...(caps[set] ?? []), cap])];
  }
  if (f['no-new-privs']) p.noNewPrivileges = true;
  if (f.apparmor) p.apparmorProfile = f.apparmor as string;
  if (f['process-label']) p.selinuxLabel = f['process-label'] as string;
  return checkExecProcess(p);
}

export async function run(ctx: CommandContext): Promise<number> {
  const [id, ...args] = ctx.args as [string, ...string[]];
  const rt = runtime(ctx);
  let started;
  try {
    const container = rt.load(id);
    const rec = rt.store.read(id);
    if (!rec) throw new NotFoundError(id);
    const process = buildProcess(ctx, rec.config.process, args);
    const detach = !!ctx.flags.detach;
    started = await container.execRaw(process, {
      consoleSocket: ctx.flags['console-socket'] as string | undefined,
      ownConsole: !detach && !ctx.flags['console-socket'],
      pidFile: ctx.flags['pid-file'] as string | undefined,
      preserveFds: (ctx.flags['preserve-fds'] as number | undefined) ?? 0,
      cgroup: ctx.flags.cgroup as string | undefined,
      ignorePaused: !!ctx.flags['ignore-paused'],
      detach,
    });
    if (detach) return 0;
  } catch (err) {
    // runc: a failure of exec itself (not of the process) exits 255.
    ctx.logger.fatal(`exec failed: ${(err as Error).message}`);
    return err instanceof CaissonError && err.code === 'EUSAGE' ? 1 : 255;
  }
  const proc = started;
  const relay = proc.console !== undefined ? (await import('../console-relay.js')).relayConsole(proc.console) : undefined;
  const forward = (sig: NodeJS.Signals) => {
    try {
      process.kill(proc.pid, sig);
    } catch {
      /* gone */
    }
  };
  for (const sig of FORWARDED) process.on(sig, forward);
  const { keepingAlive } = await import('../../native.js');
  const w = await keepingAlive(proc.exit);
  for (const sig of FORWARDED) process.off(sig, forward);
  await relay?.close();
  if (w.signal !== null) return 128 + w.signal;
  return w.exitCode ?? 0;
}

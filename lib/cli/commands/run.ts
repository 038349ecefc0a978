// run: create + start; in the foreground, forward signals, wait, delete, and exit with the
// container's status (128+n when a signal killed it).

import { signalName } from '../../signals.js';
import type { CommandContext } from '../commands.js';
import { createOptions, runtime } from './shared.js';

// What a foreground runc forwards; SIGCHLD, SIGWINCH and friends stay ours.
const FORWARDED = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2', 'SIGALRM', 'SIGCONT', 'SIGTSTP'] as const;

export async function run(ctx: CommandContext): Promise<number> {
  const rt = runtime(ctx);
  const id = ctx.args[0]!;
  const detach = !!ctx.flags.detach;
  // In the foreground, signals are caught from the start, as runc does: one that arrives while
  // the container is being made is kept and forwarded once it runs (by default it would kill this
  // process and leave a created container behind).
  const early: NodeJS.Signals[] = [];
  let forward = (sig: NodeJS.Signals) => void early.push(sig);
  const handler = (sig: NodeJS.Signals) => forward(sig);
  if (!detach) for (const sig of FORWARDED) process.on(sig, handler);
  const stopForwarding = () => {
    for (const sig of FORWARDED) process.off(sig, handler);
  };
  // In the foreground, a terminal the config asks for is ours to relay (as `runc run` does).
  let container;
  try {
    container = await rt.create(id, { ...createOptions(ctx), ownConsole: !detach && !ctx.flags['console-socket'] });
  } catch (err) {
    stopForwarding();
    throw err;
  }
  try {
    await container.start();
  } catch (err) {
    stopForwarding();
    await container.delete({ force: true }).catch(() => {});
    throw err;
  }
  if (detach) return 0;
  const relay = container.console !== undefined ? (await import('../console-relay.js')).relayConsole(container.console) : undefined;

  const running = container;
  forward = (sig) => {
    running.kill(sig).catch(() => {});
  };
  for (const sig of early.splice(0)) forward(sig);
  const status = await container.wait();
  stopForwarding();
  await relay?.close();
  if (!ctx.flags.keep) await container.delete({ force: true });
  if (status.signal !== null) {
    ctx.logger.debug(`container init was killed by ${signalName(status.signal)}`);
    return 128 + status.signal;
  }
  return status.exitCode ?? 0;
}

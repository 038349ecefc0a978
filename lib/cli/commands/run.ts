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
  // In the foreground, a terminal the config asks for is ours to relay (as `runc run` does).
  const container = await rt.create(id, { ...createOptions(ctx), ownConsole: !detach && !ctx.flags['console-socket'] });
  try {
    await container.start();
  } catch (err) {
    await container.delete({ force: true }).catch(() => {});
    throw err;
  }
  if (detach) return 0;
  const relay = container.console !== undefined ? (await import('../console-relay.js')).relayConsole(container.console) : undefined;

  const forward = (sig: NodeJS.Signals) => {
    container.kill(sig).catch(() => {});
  };
  for (const sig of FORWARDED) process.on(sig, forward);
  const status = await container.wait();
  for (const sig of FORWARDED) process.off(sig, forward);
  await relay?.close();
  if (!ctx.flags.keep) await container.delete({ force: true });
  if (status.signal !== null) {
    ctx.logger.debug(`container init was killed by ${signalName(status.signal)}`);
    return 128 + status.signal;
  }
  return status.exitCode ?? 0;
}

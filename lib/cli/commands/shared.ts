// Helpers the command modules share.

import { Runtime } from '../../api/runtime.js';
import type { CommandContext } from '../commands.js';

export function runtime(ctx: CommandContext): Runtime {
  const { logger } = ctx;
  return new Runtime({ root: ctx.root, logger: { warn: (m) => logger.warn(m), debug: logger.debugOn ? (m) => logger.debug(m) : undefined } });
}

/**
 * systemd socket activation: LISTEN_FDS fds from 3 up are passed on, before --preserve-fds.
 * As in sd_listen_fds(3), they are ours only when LISTEN_PID names this process.
 */
export function listenFds(): number {
  if (process.env.LISTEN_PID !== String(process.pid)) return 0;
  const n = Number(process.env.LISTEN_FDS ?? 0);
  return Number.isInteger(n) && n > 0 ? n : 0;
}

export function createOptions(ctx: CommandContext) {
  return {
    bundle: (ctx.flags.bundle as string | undefined) ?? process.cwd(),
    pidFile: ctx.flags['pid-file'] as string | undefined,
    consoleSocket: ctx.flags['console-socket'] as string | undefined,
    // runc: a terminal without a console socket is an error, except for `run` in the foreground.
    ownConsole: false,
    noPivot: !!ctx.flags['no-pivot'],
    noNewKeyring: !!ctx.flags['no-new-keyring'],
    preserveFds: ((ctx.flags['preserve-fds'] as number | undefined) ?? 0) + listenFds(),
    listenFds: listenFds(),
  };
}

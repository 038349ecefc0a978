import { UsageError } from '../../errors.js';
import type { CommandContext } from '../commands.js';
import { runtime } from './shared.js';

export async function run(ctx: CommandContext): Promise<number> {
  if (ctx.args.length > 2) throw new UsageError('caisson: "kill" requires a maximum of 2 argument(s)');
  const [id, signal = 'SIGTERM'] = ctx.args as [string, string?];
  await runtime(ctx).load(id).kill(signal, { all: !!ctx.flags.all });
  return 0;
}

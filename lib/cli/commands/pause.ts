import type { CommandContext } from '../commands.js';
import { runtime } from './shared.js';

export async function run(ctx: CommandContext): Promise<number> {
  const c = runtime(ctx).load(ctx.args[0]!);
  if (ctx.name === 'pause') await c.pause();
  else await c.resume();
  return 0;
}

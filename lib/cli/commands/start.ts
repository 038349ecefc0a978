import type { CommandContext } from '../commands.js';
import { runtime } from './shared.js';

export async function run(ctx: CommandContext): Promise<number> {
  await runtime(ctx).load(ctx.args[0]!).start();
  return 0;
}

import type { CommandContext } from '../commands.js';
import { createOptions, runtime } from './shared.js';

export async function run(ctx: CommandContext): Promise<number> {
  await runtime(ctx).create(ctx.args[0]!, createOptions(ctx));
  return 0;
}

import type { CommandContext } from '../commands.js';
import { out } from '../log.js';
import { runtime } from './shared.js';

export async function run(ctx: CommandContext): Promise<number> {
  // runc prints 2-space indented JSON without a trailing newline.
  out(JSON.stringify(runtime(ctx).load(ctx.args[0]!).state(), null, 2));
  return 0;
}

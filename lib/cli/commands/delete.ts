import { NotFoundError } from '../../errors.js';
import type { CommandContext } from '../commands.js';
import { runtime } from './shared.js';

export async function run(ctx: CommandContext): Promise<number> {
  const force = !!ctx.flags.force;
  try {
    await runtime(ctx).load(ctx.args[0]!).delete({ force });
  } catch (err) {
    // As runc: deleting a container that is already gone is fine with --force.
    if (force && err instanceof NotFoundError) return 0;
    throw err;
  }
  return 0;
}

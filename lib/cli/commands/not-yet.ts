import { CaissonError } from '../../errors.js';
import type { CommandContext } from '../commands.js';

/** checkpoint and restore: they need CRIU, which caisson does not drive yet. */
export async function run(ctx: CommandContext): Promise<number> {
  throw new CaissonError('ENOTSUP', `${ctx.name} is not supported yet: caisson does not implement CRIU checkpoint/restore`);
}

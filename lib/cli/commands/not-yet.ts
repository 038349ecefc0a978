import { CaissonError } from '../../errors.js';
import type { CommandContext } from '../commands.js';

export async function run(ctx: CommandContext): Promise<number> {
  throw new CaissonError('ENOTSUP', `caisson ${ctx.name} is not implemented yet`);
}

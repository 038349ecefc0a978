import { writeExampleBundle } from '../../example-bundle.js';
import type { CommandContext } from '../commands.js';
import { out } from '../log.js';

export async function run(ctx: CommandContext): Promise<number> {
  const { bundle } = writeExampleBundle(ctx.args[0]!);
  out(`wrote ${bundle}/config.json and ${bundle}/rootfs\nrun it with: caisson run --bundle ${bundle} demo\n`);
  return 0;
}

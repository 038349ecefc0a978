import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CaissonError } from '../../errors.js';
import { defaultSpec } from '../../default-spec.js';
import type { CommandContext } from '../commands.js';

export async function run(ctx: CommandContext): Promise<number> {
  const dir = (ctx.flags.bundle as string | undefined) ?? process.cwd();
  const file = join(dir, 'config.json');
  if (existsSync(file)) throw new CaissonError('EEXIST', 'File config.json exists. Remove it first');
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const spec = defaultSpec({ rootless: ctx.flags.rootless ? { uid, gid } : undefined });
  // As runc's: an interactive shell (the example bundle and the tests run without a terminal).
  spec.process!.terminal = true;
  writeFileSync(file, `${JSON.stringify(spec, null, '\t')}\n`);
  return 0;
}

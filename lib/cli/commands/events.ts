// events: `--stats` prints one stats event; otherwise stats every --interval and OOM events,
// one JSON object per line, until the container stops.

import { durationMs } from '../../units.js';
import { UsageError } from '../../errors.js';
import type { CommandContext } from '../commands.js';
import { out } from '../log.js';
import { runtime } from './shared.js';

export async function run(ctx: CommandContext): Promise<number> {
  const c = runtime(ctx).load(ctx.args[0]!);
  if (ctx.flags.stats) {
    out(`${JSON.stringify({ type: 'stats', id: c.id, data: c.stats() })}\n`);
    return 0;
  }
  const interval = durationMs((ctx.flags.interval as string | undefined) ?? '5s', 'interval');
  if (interval <= 0) throw new UsageError('duration interval must be greater than 0');
  for await (const e of c.events({ intervalMs: interval })) out(`${JSON.stringify(e)}\n`);
  return 0;
}

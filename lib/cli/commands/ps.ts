// ps: the container's processes. --format json prints the pid array containerd reads; table
// runs the host's ps with the given arguments and keeps its header and the container's rows.

import { execFileSync } from 'node:child_process';
import { UsageError } from '../../errors.js';
import type { CommandContext } from '../commands.js';
import { out } from '../log.js';
import { runtime } from './shared.js';

export async function run(ctx: CommandContext): Promise<number> {
  const [id, ...psArgs] = ctx.args as [string, ...string[]];
  const format = (ctx.flags.format as string | undefined) ?? 'table';
  const pids = runtime(ctx).load(id).pids();
  if (format === 'json') {
    out(`${JSON.stringify(pids)}\n`);
    return 0;
  }
  if (format !== 'table') throw new UsageError(`invalid format option`);
  // go-runc passes all ps options as one argument, possibly empty.
  const args = psArgs.flatMap((a) => a.split(/\s+/)).filter(Boolean);
  const text = execFileSync('ps', args.length ? args : ['-ef'], { encoding: 'utf8' });
  const [header = '', ...rows] = text.split('\n');
  const col = header.trim().split(/\s+/).indexOf('PID');
  if (col < 0) throw new UsageError("couldn't find PID field in ps output");
  const mine = new Set(pids.map(String));
  out(`${[header, ...rows.filter((r) => mine.has(r.trim().split(/\s+/)[col] ?? ''))].join('\n')}\n`);
  return 0;
}

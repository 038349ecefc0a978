import { UsageError } from '../../errors.js';
import type { CommandContext } from '../commands.js';
import { out } from '../log.js';
import { runtime } from './shared.js';
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';

function ownerName(): string {
  try {
    return userInfo().username;
  } catch {
    return `#${process.getuid?.() ?? 0}`;
  }
}

export async function run(ctx: CommandContext): Promise<number> {
  const format = (ctx.flags.format as string | undefined) ?? 'table';
  if (format !== 'table' && format !== 'json') throw new UsageError(`invalid format option`);
  // A missing explicit --root is an error; a missing default root is an empty list (runc).
  if (ctx.global.root && !existsSync(ctx.root)) throw new UsageError(`stat ${ctx.root}: no such file or directory`);
  const owner = ownerName();
  const states = runtime(ctx).list().map((s) => ({ ...s, owner }));
  if (ctx.flags.quiet) {
    out(states.map((s) => `${s.id}\n`).join(''));
    return 0;
  }
  if (format === 'json') {
    out(`${states.length ? JSON.stringify(states) : 'null'}\n`);
    return 0;
  }
  const rows = [['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER'], ...states.map((s) => [s.id, String(s.pid), s.status, s.bundle, s.created, s.owner])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  out(rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('').trimEnd() + '\n').join(''));
  return 0;
}

// `caisson`: the runc-compatible command line. Parses global flags, finds the subcommand, loads
// only that command's module, and turns errors into runc's messages and exit codes.

import { CaissonError, UsageError } from '../errors.js';
import { parseFlags } from './args.js';
import type { FlagSpec, FlagValues } from './args.js';
import { COMMANDS, findCommand } from './commands.js';
import type { CommandContext } from './commands.js';
import { Logger, out } from './log.js';
import { usageText, commandHelp } from './help.js';
import { VERSION } from './version.js';

export const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'debug', type: 'bool', usage: 'enable debug logging' },
  { name: 'log', type: 'string', value: 'FILE', usage: 'set the log file to write caisson logs to (default is stderr)' },
  { name: 'log-format', type: 'string', value: 'text|json', usage: 'set the log format', defaultText: 'text' },
  { name: 'root', type: 'string', value: 'DIR', usage: 'root directory for storage of container state', defaultText: '/run/caisson' },
  { name: 'systemd-cgroup', type: 'bool', usage: 'enable systemd cgroup support (not supported yet)' },
  { name: 'rootless', type: 'string', value: 'true|false|auto', usage: 'ignore cgroup permission errors', defaultText: 'auto' },
  { name: 'criu', type: 'string', value: 'PATH', usage: 'path to the criu binary (checkpoint/restore are not supported yet)', hidden: true },
  { name: 'help', aliases: ['h'], type: 'bool', usage: 'show help' },
  { name: 'version', aliases: ['v'], type: 'bool', usage: 'print the version' },
];

/** As runc: /run/caisson, or $XDG_RUNTIME_DIR/caisson for a caller who is not root. */
function defaultRoot(): string {
  const xdg = process.env.XDG_RUNTIME_DIR;
  return process.geteuid?.() !== 0 && xdg ? `${xdg}/caisson` : '/run/caisson';
}

export async function main(argv: string[]): Promise<number> {
  let logger = new Logger({});
  try {
    const { flags, args } = parseFlags(argv, GLOBAL_FLAGS, '');
    logger = new Logger({ file: flags.log as string | undefined, format: flags['log-format'] as string | undefined, debug: !!flags.debug });
    if (flags.version) {
      out(VERSION);
      return 0;
    }
    const name = args[0];
    if (!name || flags.help || name === 'help') {
      const topic = name === 'help' ? args[1] : undefined;
      if (topic) {
        const cmd = findCommand(topic);
        if (!cmd) throw new UsageError(`No help topic for '${topic}'`);
        out(commandHelp(cmd));
      } else out(usageText(GLOBAL_FLAGS, COMMANDS));
      return 0;
    }
    const cmd = findCommand(name);
    if (!cmd) throw new UsageError(`No help topic for '${name}'`);
    const rest = args.slice(1);
    const parsed = parseFlags(rest, cmd.flags, cmd.name);
    if (parsed.flags.help) {
      out(commandHelp(cmd));
      return 0;
    }
    if (flags['systemd-cgroup']) throw new CaissonError('ENOTSUP', 'systemd cgroup driver (--systemd-cgroup) is not supported yet');
    const rootless = flags.rootless as string | undefined;
    if (rootless !== undefined && !['true', 'false', 'auto'].includes(rootless)) {
      throw new UsageError(`invalid --rootless value: ${rootless} (expected true, false or auto)`);
    }
    checkArgCount(cmd.name, cmd.args, parsed.args);
    const root = (flags.root as string | undefined) ?? defaultRoot();
    if (root === '/') throw new UsageError('Option --root argument should not be set to /');
    const ctx: CommandContext = { name: cmd.name, root, logger, flags: parsed.flags, args: parsed.args, global: flags as FlagValues };
    const mod = await cmd.load();
    return await mod.run(ctx);
  } catch (err) {
    logger.fatal(errorMessage(err));
    return 1;
  } finally {
    logger.close();
  }
}

function checkArgCount(name: string, rule: string, args: string[]): void {
  const [kind, n] = rule.split(' ') as [string, string | undefined];
  const count = Number(n ?? 0);
  if (kind === 'exact' && args.length !== count) {
    throw new UsageError(`caisson: "${name}" requires exactly ${count} argument(s)`);
  }
  if (kind === 'min' && args.length < count) {
    throw new UsageError(`caisson: "${name}" requires a minimum of ${count} argument(s)`);
  }
  if (kind === 'max' && args.length > count) {
    throw new UsageError(`caisson: "${name}" requires a maximum of ${count} argument(s)`);
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof CaissonError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

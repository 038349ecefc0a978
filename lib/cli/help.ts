// Help texts in runc's layout.

import { helpFlags } from './args.js';
import type { FlagSpec } from './args.js';
import type { Command } from './commands.js';

export function usageText(globals: FlagSpec[], commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `NAME:
   caisson - an OCI container runtime (runc-compatible command line)

USAGE:
   caisson [global options] command [command options] [arguments...]

COMMANDS:
${commands.map((c) => `   ${c.name.padEnd(width)}  ${c.usage}`).join('\n')}

GLOBAL OPTIONS:
${helpFlags(globals)}
`;
}

export function commandHelp(c: Command): string {
  // As runc: --help itself is not listed, and without other flags there is no OPTIONS section.
  const flags = c.flags.filter((f) => f.name !== 'help');
  return `NAME:
   caisson ${c.name} - ${c.usage}

USAGE:
   caisson ${c.name}${flags.length ? ' [command options]' : ''} ${c.argsUsage}
${c.description ? `\nDESCRIPTION:\n   ${c.description}\n` : ''}${flags.length ? `\nOPTIONS:\n${helpFlags(flags)}\n` : ''}`;
}

// Command-line parsing with runc's rules (urfave/cli v1 on Go's flag package):
// - `-flag` and `--flag` are the same; values come as `--flag=value` or `--flag value`;
// - boolean flags take no separate value, but accept `--flag=true|false`;
// - parsing stops at the first argument that is not a flag, or after `--`.

import { UsageError } from '../errors.js';

export type FlagType = 'bool' | 'string' | 'int' | 'list';

export interface FlagSpec {
  name: string;
  aliases?: string[];
  type: FlagType;
  usage: string;
  /** shown in help; the parser does not apply it */
  defaultText?: string;
  hidden?: boolean;
  /** placeholder for the value in help */
  value?: string;
}

export type FlagValues = Record<string, string | boolean | number | string[] | undefined>;

export interface Parsed {
  flags: FlagValues;
  args: string[];
}

function lookup(specs: FlagSpec[], name: string): FlagSpec | undefined {
  return specs.find((s) => s.name === name || s.aliases?.includes(name));
}

export function parseFlags(argv: string[], specs: FlagSpec[], where: string): Parsed {
  const flags: FlagValues = {};
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const inline = eq < 0 ? undefined : body.slice(eq + 1);
    const spec = lookup(specs, name);
    if (!spec) throw new UsageError(`flag provided but not defined: -${name}${where ? ` (${where})` : ''}`);
    let value: string | undefined = inline;
    if (spec.type === 'bool') {
      if (value === undefined) flags[spec.name] = true;
      else if (/^(1|t|true|T|TRUE|True)$/.test(value)) flags[spec.name] = true;
      else if (/^(0|f|false|F|FALSE|False)$/.test(value)) flags[spec.name] = false;
      else throw new UsageError(`invalid boolean value "${value}" for -${name}`);
      continue;
    }
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: -${name}`);
      value = argv[++i]!;
    }
    if (spec.type === 'int') {
      if (!/^-?\d+$/.test(value)) throw new UsageError(`invalid value "${value}" for flag -${name}: parse error`);
      flags[spec.name] = Number(value);
    } else if (spec.type === 'list') {
      flags[spec.name] = [...((flags[spec.name] as string[] | undefined) ?? []), value];
    } else {
      flags[spec.name] = value;
    }
  }
  return { flags, args: argv.slice(i) };
}

export function helpFlags(specs: FlagSpec[]): string {
  const rows = specs
    .filter((s) => !s.hidden)
    .map((s) => {
      const names = [s.name, ...(s.aliases ?? [])].map((n) => (n.length === 1 ? `-${n}` : `--${n}`)).join(', ');
      const val = s.type === 'bool' ? '' : ` ${s.value ?? 'value'}`;
      const def = s.defaultText ? ` (default: ${s.defaultText})` : '';
      return [`${names}${val}`, `${s.usage}${def}`] as const;
    });
  const width = Math.max(0, ...rows.map(([l]) => l.length));
  return rows.map(([l, r]) => `   ${l.padEnd(width)}  ${r}`).join('\n');
}

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

/** Go's strconv.ParseInt(s, 0, 64), which the flag package uses: 0x, 0o, 0b, leading-0 octal, _ separators. */
export function parseGoInt(s: string): number | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(s);
  if (!m) return undefined;
  let body = m[2]!;
  // Underscores only between digits (or right after a base prefix).
  if (/__|_$/.test(body)) return undefined;
  body = body.replace(/_/g, '');
  let n: bigint;
  if (/^0[xX]/.test(body)) n = BigInt(body);
  else if (/^0[oO]/.test(body)) n = BigInt(`0o${body.slice(2)}`);
  else if (/^0[bB]/.test(body)) n = BigInt(body);
  else if (body.length > 1 && body.startsWith('0')) n = BigInt(`0o${body.slice(1)}`);
  else n = BigInt(body);
  if (m[1] === '-') n = -n;
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) return undefined;
  return Number(n);
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
      else throw new UsageError(`invalid boolean value "${value}" for -${name}: parse error`);
      continue;
    }
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: -${name}`);
      value = argv[++i]!;
    }
    if (spec.type === 'int') {
      const n = parseGoInt(value);
      if (n === undefined) throw new UsageError(`invalid value "${value}" for flag -${name}: parse error`);
      flags[spec.name] = n;
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

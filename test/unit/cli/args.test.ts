import { describe, expect, it } from 'vitest';
import { helpFlags, parseFlags } from '../../../lib/cli/args.js';
import type { FlagSpec } from '../../../lib/cli/args.js';
import { UsageError } from '../../../lib/errors.js';

const SPECS: FlagSpec[] = [
  { name: 'bundle', aliases: ['b'], type: 'string', usage: 'path to the root of the bundle directory', value: 'dir' },
  { name: 'detach', aliases: ['d'], type: 'bool', usage: 'detach from the container' },
  { name: 'preserve-fds', type: 'int', usage: 'pass N additional file descriptors', defaultText: '0' },
  { name: 'env', aliases: ['e'], type: 'list', usage: 'set environment variables' },
  { name: 'pid-file', type: 'string', usage: 'file to write the process id to' },
  { name: 'secret', type: 'bool', usage: 'not shown', hidden: true },
];

const parse = (...argv: string[]) => parseFlags(argv, SPECS, '');

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).code).toBe('EUSAGE');
    return e as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('parseFlags', () => {
  it('nothing to parse', () => {
    expect(parse()).toEqual({ flags: {}, args: [] });
  });

  describe('flag spellings', () => {
    it.each([
      [['-bundle', '/b']],
      [['--bundle', '/b']],
      [['-bundle=/b']],
      [['--bundle=/b']],
      [['-b', '/b']],
      [['--b=/b']],
    ])('%j', (argv) => {
      // values are stored under the flag's main name, whichever alias was used
      expect(parse(...argv, 'id')).toEqual({ flags: { bundle: '/b' }, args: ['id'] });
    });

    it('an inline value may contain "=" and be empty', () => {
      expect(parse('--bundle=a=b').flags.bundle).toBe('a=b');
      expect(parse('--bundle=').flags.bundle).toBe('');
    });

    it('a separate value is taken as is, even when it looks like a flag', () => {
      expect(parse('--pid-file', '--detach').flags).toEqual({ 'pid-file': '--detach' });
      expect(parse('--preserve-fds', '-3').flags).toEqual({ 'preserve-fds': -3 });
    });

    it('the last value of a repeated string flag wins', () => {
      expect(parse('-b', 'one', '--bundle=two').flags.bundle).toBe('two');
    });
  });

  describe('bool flags', () => {
    it('take no separate value', () => {
      expect(parse('--detach', 'id')).toEqual({ flags: { detach: true }, args: ['id'] });
      expect(parse('-d', 'true')).toEqual({ flags: { detach: true }, args: ['true'] });
    });

    it.each(['1', 't', 'T', 'true', 'TRUE', 'True'])('=%s is true', (v) => {
      expect(parse(`--detach=${v}`).flags.detach).toBe(true);
    });

    it.each(['0', 'f', 'F', 'false', 'FALSE', 'False'])('=%s is false', (v) => {
      expect(parse(`--detach=${v}`).flags.detach).toBe(false);
    });

    it.each(['yes', 'tRUE', '', '2'])('=%j is an error', (v) => {
      expect(usageError(() => parse(`-d=${v}`)).message).toBe(`invalid boolean value "${v}" for -d: parse error`);
    });

    it('the invalid-boolean error has Go\'s ": parse error" suffix', () => {
      expect(usageError(() => parse('-d=yes')).message).toBe('invalid boolean value "yes" for -d: parse error');
    });

    it('a later =false overrides', () => {
      expect(parse('-d', '--detach=false').flags.detach).toBe(false);
    });
  });

  describe('int flags', () => {
    it.each([
      ['0', 0],
      ['3', 3],
      ['-1', -1],
      ['007', 7],
    ])('%s -> %i', (v, n) => {
      expect(parse('--preserve-fds', v).flags['preserve-fds']).toBe(n);
      expect(parse(`--preserve-fds=${v}`).flags['preserve-fds']).toBe(n);
    });

    it.each(['x', '1.5', '', ' 1', '1e3', '0x', '--1'])('%j is a parse error', (v) => {
      expect(usageError(() => parse(`--preserve-fds=${v}`)).message).toBe(`invalid value "${v}" for flag -preserve-fds: parse error`);
    });

    it.each([
      ['0x10', 16],
      ['010', 8],
      ['+1', 1],
      ['0b11', 3],
    ])('%s -> %i, as Go\'s flag package parses it', (v, n) => {
      expect(parse(`--preserve-fds=${v}`).flags['preserve-fds']).toBe(n);
    });
  });

  describe('list flags', () => {
    it('accumulate in order, whatever the spelling', () => {
      expect(parse('-e', 'A=1', '--env=B=2', '--e', 'C=3', 'cmd').flags.env).toEqual(['A=1', 'B=2', 'C=3']);
    });

    it('are absent, not empty, when not given', () => {
      expect(parse('--detach').flags).not.toHaveProperty('env');
    });
  });

  describe('where parsing stops', () => {
    it('at the first positional argument', () => {
      expect(parse('-d', 'id', '--bundle', '/b', '-x')).toEqual({ flags: { detach: true }, args: ['id', '--bundle', '/b', '-x'] });
    });

    it('after "--", which is dropped', () => {
      expect(parse('-d', '--', '--bundle', 'x')).toEqual({ flags: { detach: true }, args: ['--bundle', 'x'] });
      expect(parse('--', '--')).toEqual({ flags: {}, args: ['--'] });
    });

    it('at a lone "-" (stdin), which is kept', () => {
      expect(parse('-d', '-', 'x')).toEqual({ flags: { detach: true }, args: ['-', 'x'] });
    });

    it('a flag\'s separate value is not a positional', () => {
      expect(parse('--bundle', 'id', 'other')).toEqual({ flags: { bundle: 'id' }, args: ['other'] });
    });
  });

  describe('errors', () => {
    it.each([
      [['-x'], 'flag provided but not defined: -x'],
      [['--x'], 'flag provided but not defined: -x'],
      [['--nope=1'], 'flag provided but not defined: -nope'],
      [['-d', '--Detach'], 'flag provided but not defined: -Detach'],
    ])('%j: %s', (argv, message) => {
      expect(usageError(() => parse(...argv)).message).toBe(message);
    });

    it('names the command when given', () => {
      expect(usageError(() => parseFlags(['-x'], SPECS, 'create')).message).toBe('flag provided but not defined: -x (create)');
    });

    it('an unknown flag after a positional is not an error (it is an argument)', () => {
      expect(parse('id', '-x').args).toEqual(['id', '-x']);
    });

    it.each([
      [['--bundle'], 'flag needs an argument: -bundle'],
      [['-b'], 'flag needs an argument: -b'],
      [['-d', '--preserve-fds'], 'flag needs an argument: -preserve-fds'],
      [['--env'], 'flag needs an argument: -env'],
    ])('%j: missing value', (argv, message) => {
      expect(usageError(() => parse(...argv)).message).toBe(message);
    });
  });
});

describe('helpFlags', () => {
  it('lists visible flags with aliases, value placeholders and defaults, in aligned columns', () => {
    expect(helpFlags(SPECS).split('\n')).toEqual([
      '   --bundle, -b dir      path to the root of the bundle directory',
      '   --detach, -d          detach from the container',
      '   --preserve-fds value  pass N additional file descriptors (default: 0)',
      '   --env, -e value       set environment variables',
      '   --pid-file value      file to write the process id to',
    ]);
  });

  it('no visible flags: empty', () => {
    expect(helpFlags([{ name: 'x', type: 'bool', usage: '', hidden: true }])).toBe('');
  });
});

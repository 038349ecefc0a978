import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Logger } from '../../../lib/cli/log.js';
import { UsageError } from '../../../lib/errors.js';

// RFC 3339 as logrus writes it (Go's time.RFC3339): seconds, no fraction, Z or ±hh:mm.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/;
const TEXT_LINE = /^time="([^"]+)" level=(\w+) msg=(.*)$/;

let dir: string;
let file: string;
const loggers: Logger[] = [];

function logger(opts: { format?: string; debug?: boolean } = {}): Logger {
  const l = new Logger({ file, ...opts });
  loggers.push(l);
  return l;
}
const lines = (): string[] => readFileSync(file, 'utf8').split('\n').slice(0, -1);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'caisson-log-test-'));
  file = join(dir, 'log.json');
});

afterEach(() => {
  for (const l of loggers.splice(0)) l.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Logger options', () => {
  it.each(['xml', 'JSON', ''])('format %j is a UsageError', (format) => {
    let err: unknown;
    try {
      new Logger({ format });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toBe(`invalid log-format: ${format}`);
  });

  it('defaults to text on stderr', () => {
    const l = new Logger({});
    expect(l.json).toBe(false);
    expect(l.toFile).toBe(false);
    expect(l.debugOn).toBe(false);
    l.close(); // does not close fd 2
  });

  it('with a file: toFile, and the file is created 0644 (less the umask)', () => {
    const l = logger({ format: 'json', debug: true });
    expect(l.json).toBe(true);
    expect(l.toFile).toBe(true);
    expect(l.debugOn).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o644 & ~process.umask());
  });

  it('appends to an existing file', () => {
    writeFileSync(file, 'earlier line\n');
    logger({ format: 'json' }).warn('later');
    const [first, second] = lines();
    expect(first).toBe('earlier line');
    expect(JSON.parse(second!).msg).toBe('later');
  });
});

describe('json format', () => {
  it('one JSON object per line with keys level, msg, time in that order', () => {
    const l = logger({ format: 'json', debug: true });
    l.debug('dbg');
    l.warn('careful');
    l.log('info', 'fyi');
    l.log('error', 'bad "thing"\nsecond line');
    const out = lines();
    expect(out).toHaveLength(4);
    const parsed = out.map((line) => JSON.parse(line) as Record<string, string>);
    for (const p of parsed) {
      expect(Object.keys(p)).toEqual(['level', 'msg', 'time']);
      expect(p.time).toMatch(RFC3339);
      // within a minute of now (the format has whole seconds)
      expect(Math.abs(Date.parse(p.time!) - Date.now())).toBeLessThan(60_000);
    }
    expect(parsed.map((p) => [p.level, p.msg])).toEqual([
      ['debug', 'dbg'],
      ['warning', 'careful'],
      ['info', 'fyi'],
      ['error', 'bad "thing"\nsecond line'],
    ]);
  });

  it('debug lines are dropped unless debug is on', () => {
    const l = logger({ format: 'json' });
    l.debug('hidden');
    l.log('debug', 'hidden too');
    l.warn('shown');
    expect(lines().map((x) => JSON.parse(x).msg)).toEqual(['shown']);
  });

  it('fatal writes exactly one error entry (podman reads the file as one object)', () => {
    const l = logger({ format: 'json' });
    l.fatal('container_linux.go: this is the error (also printed on stderr)');
    const out = lines();
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0]!)).toMatchObject({ level: 'error', msg: 'container_linux.go: this is the error (also printed on stderr)' });
  });
});

describe('text format (logrus)', () => {
  const textOf = (msg: string): string => {
    logger({ format: 'text' }).log('error', msg);
    const m = TEXT_LINE.exec(lines().at(-1)!);
    expect(m).not.toBeNull();
    expect(m![1]).toMatch(RFC3339);
    expect(m![2]).toBe('error');
    return m![3]!;
  };

  it('the whole line', () => {
    logger({ format: 'text' }).warn('hello');
    expect(lines()[0]).toMatch(/^time="[^"]+" level=warning msg=hello$/);
  });

  it.each([
    // logrus leaves a value bare when it only has letters, digits and - . _ / @ ^ +
    ['simple', 'simple'],
    ['a-b.c_d/e@f^g+h', 'a-b.c_d/e@f^g+h'],
    ['/run/caisson/box1', '/run/caisson/box1'],
    // anything else is quoted
    ['hello world', '"hello world"'],
    ['key=value', '"key=value"'],
    ['a:b', '"a:b"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['tab\there', '"tab\\there"'],
    ['two\nlines', '"two\\nlines"'],
    ['back\\slash', '"back\\\\slash"'],
    ['ünïcode', '"ünïcode"'],
  ])('%j -> msg=%s', (msg, expected) => {
    expect(textOf(msg)).toBe(expected);
  });

  it.each([
    ['bell\x07', '"bell\\a"'],
    ['vt\x0b', '"vt\\v"'],
    ['soh\x01', '"soh\\x01"'],
    ['del\x7f', '"del\\x7f"'],
  ])('%j is quoted the way Go\'s %%q does it: %s', (msg, expected) => {
    expect(textOf(msg)).toBe(expected);
  });

  it('an empty message is bare, as logrus prints it', () => {
    expect(textOf('')).toBe('');
  });
});

describe('RFC 3339 time in the local zone', () => {
  const instant = new Date('2024-01-15T12:34:56.789Z');
  const savedTz = process.env.TZ;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(instant);
  });
  afterEach(() => {
    vi.useRealTimers();
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it.each([
    ['UTC', '2024-01-15T12:34:56Z'],
    ['Asia/Kathmandu', '2024-01-15T18:19:56+05:45'],
    ['America/St_Johns', '2024-01-15T09:04:56-03:30'],
    ['America/New_York', '2024-01-15T07:34:56-05:00'],
    ['Pacific/Kiritimati', '2024-01-16T02:34:56+14:00'],
  ])('%s', (tz, expected) => {
    process.env.TZ = tz;
    logger({ format: 'json' }).warn('t');
    expect(JSON.parse(lines()[0]!).time).toBe(expected);
  });
});

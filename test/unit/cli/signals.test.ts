import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../lib/errors.js';
import { parseSignal, signalName } from '../../../lib/signals.js';

describe('parseSignal', () => {
  it.each([9, '9', ' 9 ', '09', 'KILL', 'SIGKILL', 'kill', 'sigkill', 'SigKill', 'Kill', ' SIGKILL\n'])('%j is SIGKILL', (raw) => {
    expect(parseSignal(raw)).toBe(9);
  });

  it.each([
    ['TERM', 15],
    ['SIGTERM', 15],
    ['hup', 1],
    ['INT', 2],
    ['QUIT', 3],
    ['USR1', 10],
    ['sigusr2', 12],
    ['CHLD', 17],
    ['CONT', 18],
    ['STOP', 19],
    ['WINCH', 28],
    ['SIGSYS', 31],
  ])('%s -> %i', (raw, num) => {
    expect(parseSignal(raw)).toBe(num);
  });

  it.each([1, 15, 34, 64, '64'])('any number 1..64 is accepted (real-time signals too): %j', (raw) => {
    expect(parseSignal(raw)).toBe(Number(raw));
  });

  it.each([0, '0', 65, '65', -9, '-9', 1.5, '1.5', NaN, '', '   ', 'SIG', 'NOTASIGNAL', 'SIGNOPE', 'KILL9', '9x', '0x9'])('%j is a UsageError', (raw) => {
    let err: unknown;
    try {
      parseSignal(raw);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).code).toBe('EUSAGE');
    expect((err as UsageError).message).toMatch(/^unknown signal "/);
  });

  it('the error quotes the value as given', () => {
    expect(() => parseSignal('SIGNOPE')).toThrow('unknown signal "SIGNOPE"');
    expect(() => parseSignal(99)).toThrow('unknown signal "99"');
  });
});

describe('signalName', () => {
  it.each([
    [9, 'SIGKILL'],
    [15, 'SIGTERM'],
    [1, 'SIGHUP'],
  ])('%i -> %s', (num, name) => {
    expect(signalName(num)).toBe(name);
  });

  it('numbers without a name', () => {
    expect(signalName(200)).toBe('signal 200');
  });

  it('round-trips with parseSignal', () => {
    for (const name of ['SIGINT', 'SIGKILL', 'SIGUSR1', 'SIGTERM', 'SIGCHLD']) expect(signalName(parseSignal(name))).toBe(name);
  });
});

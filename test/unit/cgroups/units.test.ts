// lib/units.ts: sizes and durations as runc's flags take them (docker/go-units RAMInBytes,
// powers of 1024; Go's time.ParseDuration, in milliseconds).

import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../lib/errors.js';
import { durationMs, ramInBytes } from '../../../lib/units.js';

const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const TiB = 1024 ** 4;
const PiB = 1024 ** 5;

/** The UsageError `fn` throws (the test fails if it throws anything else, or nothing). */
function usageErrorOf(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return e as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('ramInBytes', () => {
  it.each([
    // plain bytes
    ['512', 512],
    ['0', 0],
    ['10b', 10],
    ['10B', 10],
    // one letter, either case
    ['1k', KiB],
    ['1K', KiB],
    ['64m', 64 * MiB],
    ['64M', 64 * MiB],
    ['1g', GiB],
    ['1G', GiB],
    ['2t', 2 * TiB],
    ['1p', PiB],
    // with b / ib, any case
    ['1kb', KiB],
    ['1KB', KiB],
    ['2GiB', 2 * GiB],
    ['2gib', 2 * GiB],
    ['2GIB', 2 * GiB],
    ['512MiB', 512 * MiB],
    ['1ib', 1], // go-units takes a bare "ib" too
    // fractions, rounded to a whole byte
    ['1.5k', 1536],
    ['0.5g', GiB / 2],
    ['1.5', 2],
    ['1.0001k', 1024],
    // spaces around, and between the number and the unit
    [' 64m ', 64 * MiB],
    ['1 g', GiB],
    // -1: what `update --memory -1` means by unlimited
    ['-1', -1],
  ])('%j → %d', (text, bytes) => {
    expect(ramInBytes(text, 'memory')).toBe(bytes);
  });

  it.each(['', ' ', 'abc', 'k', 'm64', '1x', '1kk', '1mb2', '1.', '.5k', '1,5k', '1e3', '0x10', '1 2', '--1', '+1'])('%j is a UsageError', (text) => {
    const e = usageErrorOf(() => ramInBytes(text, 'memory'));
    expect(e.code).toBe('EUSAGE');
    expect(e.message).toBe(`invalid value "${text}" for flag -memory: invalid size`);
  });

  it('the message names the flag it was given', () => {
    expect(usageErrorOf(() => ramInBytes('lots', 'memory-swap')).message).toBe('invalid value "lots" for flag -memory-swap: invalid size');
  });
});

describe('durationMs', () => {
  it.each([
    ['5s', 5000],
    ['0s', 0],
    ['100ms', 100],
    ['1m30s', 90_000],
    ['2h', 7_200_000],
    ['1.5h', 5_400_000],
    ['1h2m3s4ms', 3_723_004],
    ['90m', 5_400_000],
    ['500us', 0.5],
    ['500µs', 0.5],
    ['1000000ns', 1],
    ['0.25s', 250],
    // units may repeat and come in any order, as in Go
    ['1s1s', 2000],
    ['30s1m', 90_000],
  ])('%j → %d ms', (text, ms) => {
    expect(durationMs(text, 'timeout')).toBeCloseTo(ms, 9);
  });

  it.each(['', '5x', '5', 's', 'ms', '5 s', ' 5s', '5s ', '5S', '1h 30m', 'x5s', '5s5', '-5s', '1d', '5sec', '1.s', '.5s'])('%j is a UsageError', (text) => {
    const e = usageErrorOf(() => durationMs(text, 'timeout'));
    expect(e.code).toBe('EUSAGE');
    expect(e.message).toBe(`invalid value "${text}" for flag -timeout: invalid duration`);
  });
});

// Sizes and durations as runc's flags take them.

import { UsageError } from './errors.js';

/** "64m", "1g", "512", "2GiB" → bytes (docker/go-units RAMInBytes: powers of 1024). */
export function ramInBytes(text: string, flag: string): number {
  const m = /^(-?\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`invalid value "${text}" for flag -${flag}: invalid size`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 }[m[2]!.toLowerCase() as '' | 'k'];
  return Math.round(Number(m[1]) * mult);
}

/** Go durations: "5s", "100ms", "1m30s", "2h" → milliseconds. */
export function durationMs(text: string, flag: string): number {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    total += Number(m[1]) * unit[m[2]!]!;
    consumed += m[0].length;
  }
  if (!text || consumed !== text.length) throw new UsageError(`invalid value "${text}" for flag -${flag}: invalid duration`);
  return total;
}

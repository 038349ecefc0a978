// Signal names and numbers, as runc accepts them: "9", "KILL", "SIGKILL", any case.

import { constants } from 'node:os';
import { UsageError } from './errors.js';

const SIGNALS = constants.signals as Record<string, number>;
const SIGRTMAX = 64;

export function parseSignal(raw: number | string): number {
  if (typeof raw === 'number') {
    if (!Number.isInteger(raw) || raw < 1 || raw > SIGRTMAX) throw new UsageError(`unknown signal "${raw}"`);
    return raw;
  }
  const s = raw.trim();
  if (/^\d+$/.test(s)) return parseSignal(Number(s));
  const upper = s.toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  const num = SIGNALS[name];
  if (num === undefined) throw new UsageError(`unknown signal "${raw}"`);
  return num;
}

export function signalName(num: number): string {
  return Object.keys(SIGNALS).find((k) => SIGNALS[k] === num) ?? `signal ${num}`;
}

// Small, reusable checks for validating JSON documents in memory. Every checker takes the value
// and its JSON path and throws ConfigError(path, rule) on the first problem; none of them touch
// the system. Paths look like `$.process.args[0]` or `$.linux.sysctl["net.ipv4.ip_forward"]`.

import { ConfigError } from '../lib/errors.js';

export type Obj = Record<string, unknown>;
/** Validates `value` found at `path`; throws ConfigError if it breaks a rule. */
export type Checker = (value: unknown, path: string) => void;

export function fail(path: string, rule: string): never {
  throw new ConfigError(path, rule);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Path of property `key` under `path`: `.key` for identifiers, `["key"]` for anything else. */
export function child(path: string, key: string): string {
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

export function at(path: string, index: number): string {
  return `${path}[${index}]`;
}

// ---------------------------------------------------------------------------------------------
// Property access. `null` is not treated as absent: the spec's schema types no field as nullable.

export function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function object(v: unknown, path: string): Obj {
  if (!isObject(v)) fail(path, 'must be an object');
  return v;
}

/** Runs `check` on `o[key]`, or fails with `is required` if it is absent. */
export function req(o: Obj, key: string, path: string, check: Checker): void {
  const p = child(path, key);
  if (o[key] === undefined) fail(p, 'is required');
  check(o[key], p);
}

/** Runs `check` on `o[key]` if it is present. */
export function opt(o: Obj, key: string, path: string, check: Checker): void {
  if (o[key] !== undefined) check(o[key], child(path, key));
}

// ---------------------------------------------------------------------------------------------
// Scalars

export const str: Checker = (v, p) => {
  if (typeof v !== 'string') fail(p, 'must be a string');
};

export const nonEmptyStr: Checker = (v, p) => {
  str(v, p);
  if (v === '') fail(p, 'must be a non-empty string');
};

export const bool: Checker = (v, p) => {
  if (typeof v !== 'boolean') fail(p, 'must be a boolean');
};

export const absPath: Checker = (v, p) => {
  str(v, p);
  if (!(v as string).startsWith('/')) fail(p, 'must be an absolute path');
};

/** An integer in [min, max]; `rule` replaces the default rule text. */
export function integer(min: number, max: number, rule = `must be an integer between ${min} and ${max}`): Checker {
  return (v, p) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(p, rule);
  };
}

// 64-bit bounds. JSON.parse rounds 2^63 - 1 up to 2^63 and 2^64 - 1 up to 2^64, so the upper
// bounds here are the rounded values: the largest legal JSON literal must pass. The price is that
// a literal slightly above the true maximum passes too; at that magnitude JS cannot tell them
// apart. The rule texts spell the exact limits, which JS numbers cannot print.
export const TWO_63 = 2 ** 63;
const TWO_64 = 2 ** 64;
export const INT64_MAX_TEXT = '9223372036854775807';

export const uint16 = integer(0, 0xffff);
export const int32 = integer(-(2 ** 31), 2 ** 31 - 1);
export const uint32 = integer(0, 0xffffffff);
export const int64 = integer(-TWO_63, TWO_63, `must be an integer between -9223372036854775808 and ${INT64_MAX_TEXT}`);
export const uint64 = integer(0, TWO_64, 'must be an integer between 0 and 18446744073709551615');

/**
 * True for the uint64 "all ones" value (RLIM_INFINITY, a full seccomp mask, …) as JSON.parse
 * delivers it: 18446744073709551615 becomes 2^64, and anything >= 2^64 - 1 rounds there.
 */
export function isUint64Max(n: number): boolean {
  return n >= TWO_64 - 1;
}

export function oneOf(values: readonly string[]): Checker {
  const set = new Set(values);
  const rule = `must be one of ${values.join(', ')}`;
  return (v, p) => {
    str(v, p);
    if (!set.has(v as string)) fail(p, rule);
  };
}

export function matches(re: RegExp, what: string): Checker {
  return (v, p) => {
    str(v, p);
    if (!re.test(v as string)) fail(p, `must be ${what}`);
  };
}

/**
 * A Linux CPU or NUMA node list such as `0-3,7` (cpuset(7) "list format"). Blanks around items
 * are tolerated (the schema allows them); an empty string means "not set", as it does in Go.
 */
export const cpuList: Checker = (v, p) => {
  str(v, p);
  const s = (v as string).trim();
  if (s === '') return;
  for (const item of s.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(item.trim());
    if (!m || (m[2] !== undefined && Number(m[2]) < Number(m[1]))) {
      fail(p, 'must be a list like 0-3,7 (comma-separated numbers and ascending ranges)');
    }
  }
};

// ---------------------------------------------------------------------------------------------
// Containers

export function array(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) fail(path, 'must be an array');
  return v;
}

export function arrayOf(check: Checker): Checker {
  return (v, p) => {
    array(v, p).forEach((item, i) => check(item, at(p, i)));
  };
}

export const strArray = arrayOf(str);

/** A JSON object used as a map: keys must be non-empty, each value passes `check`. */
export function mapOf(check: Checker): Checker {
  return (v, p) => {
    const o = object(v, p);
    for (const [key, value] of Object.entries(o)) {
      const cp = child(p, key);
      if (key === '') fail(cp, 'key must be a non-empty string');
      check(value, cp);
    }
  };
}

export const strMap = mapOf(str);

/** An object whose fields are checked by `body`. */
export function shape(body: (o: Obj, path: string) => void): Checker {
  return (v, p) => body(object(v, p), p);
}

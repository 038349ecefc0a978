// What caisson implements today. The spec validator accepts everything the spec allows; this
// refuses, by name, what caisson cannot do yet, so a config is never half-applied silently.
// Each entry leaves this list when its feature lands.

import { ConfigError, UnsupportedError } from './errors.js';
import type { Spec } from '../spec/types.js';

const NOT_YET: [string, (s: Spec) => unknown][] = [
  ['$.linux.intelRdt', (s) => s.linux?.intelRdt],
  ['$.linux.netDevices', (s) => s.linux?.netDevices && Object.keys(s.linux.netDevices).length],
  ['$.linux.mountLabel', (s) => s.linux?.mountLabel],
];

export function checkSupported(spec: Spec): void {
  for (const [path, get] of NOT_YET) {
    const v = get(spec);
    if (v !== undefined && v !== false && v !== 0 && v !== '') throw new UnsupportedError(path);
  }
  if (!spec.process) return;
  if (spec.process.args.length === 0) throw new ConfigError('$.process.args', 'must have at least one entry');
}

/** The features document's view of the same list. */
export function unsupportedFields(): string[] {
  return NOT_YET.map(([p]) => p);
}

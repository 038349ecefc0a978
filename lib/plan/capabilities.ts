// Capability names to the 64-bit masks the plan carries.

import { ConfigError } from '../errors.js';
import { CAPABILITIES } from '../../spec/types.js';
import type { LinuxCapabilities } from '../../spec/types.js';

export interface CapMasks {
  bounding: bigint;
  effective: bigint;
  permitted: bigint;
  inheritable: bigint;
  ambient: bigint;
}

const SETS = ['bounding', 'effective', 'permitted', 'inheritable', 'ambient'] as const;

/**
 * A name caisson does not know is an error naming it. A known name the running kernel lacks
 * (number above cap_last_cap) is dropped with a warning, as runc does, because a config written
 * for a newer kernel should still run. Sets left out are empty: a container gets no capability
 * it was not given (and in particular no inheritable ones).
 */
export function capabilityMasks(
  caps: LinuxCapabilities | undefined,
  lastCap: number,
  warn: (msg: string) => void = () => {},
): CapMasks {
  const out: CapMasks = { bounding: 0n, effective: 0n, permitted: 0n, inheritable: 0n, ambient: 0n };
  const unavailable = new Set<string>();
  for (const set of SETS) {
    (caps?.[set] ?? []).forEach((name, i) => {
      const num = (CAPABILITIES as readonly string[]).indexOf(name);
      if (num < 0) throw new ConfigError(`$.process.capabilities.${set}[${i}]`, `unknown capability "${name}"`);
      if (num > lastCap) {
        unavailable.add(name);
        return;
      }
      out[set] |= 1n << BigInt(num);
    });
  }
  if (unavailable.size) warn(`ignoring capabilities the kernel does not support: ${[...unavailable].join(', ')}`);
  return out;
}

export function capabilityNames(mask: bigint): string[] {
  return CAPABILITIES.filter((_, i) => (mask >> BigInt(i)) & 1n);
}

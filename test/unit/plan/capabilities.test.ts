import { describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../../lib/errors.js';
import { capabilityMasks, capabilityNames } from '../../../lib/plan/capabilities.js';
import { CAPABILITIES } from '../../../spec/types.js';
import type { LinuxCapabilities } from '../../../spec/types.js';

const bit = (n: number): bigint => 1n << BigInt(n);
const EMPTY = { bounding: 0n, effective: 0n, permitted: 0n, inheritable: 0n, ambient: 0n };

describe('capabilityMasks', () => {
  it.each([
    ['CAP_CHOWN', 0],
    ['CAP_KILL', 5],
    ['CAP_NET_BIND_SERVICE', 10],
    ['CAP_SYS_ADMIN', 21],
    ['CAP_AUDIT_WRITE', 29],
    ['CAP_SYSLOG', 34],
    ['CAP_CHECKPOINT_RESTORE', 40],
  ])('%s is bit %i', (name, n) => {
    expect(capabilityMasks({ bounding: [name] }, 40).bounding).toBe(bit(n));
  });

  it('the name list is indexed by capability number', () => {
    expect(CAPABILITIES).toHaveLength(41);
    expect(CAPABILITIES[0]).toBe('CAP_CHOWN');
    expect(CAPABILITIES[40]).toBe('CAP_CHECKPOINT_RESTORE');
  });

  it('builds each set independently', () => {
    const m = capabilityMasks(
      {
        bounding: ['CAP_CHOWN', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],
        effective: ['CAP_KILL'],
        permitted: ['CAP_KILL', 'CAP_CHOWN'],
        inheritable: ['CAP_SETUID'],
        ambient: ['CAP_NET_RAW'],
      },
      40,
    );
    expect(m).toEqual({
      bounding: bit(0) | bit(5) | bit(10),
      effective: bit(5),
      permitted: bit(5) | bit(0),
      inheritable: bit(7),
      ambient: bit(13),
    });
  });

  it('duplicates are harmless', () => {
    expect(capabilityMasks({ effective: ['CAP_KILL', 'CAP_KILL'] }, 40).effective).toBe(bit(5));
  });

  it('every known capability fits and the full list is the all-ones 41-bit mask', () => {
    expect(capabilityMasks({ permitted: [...CAPABILITIES] }, 40).permitted).toBe((1n << 41n) - 1n);
  });

  it('missing sets, or no capabilities at all, are 0n', () => {
    expect(capabilityMasks(undefined, 40)).toEqual(EMPTY);
    expect(capabilityMasks({}, 40)).toEqual(EMPTY);
    expect(capabilityMasks({ bounding: ['CAP_KILL'] }, 40)).toEqual({ ...EMPTY, bounding: bit(5) });
  });

  describe('unknown names', () => {
    it.each([
      ['bounding', 0, { bounding: ['CAP_FROM_THE_FUTURE'] }],
      ['effective', 1, { effective: ['CAP_KILL', 'cap_kill'] }],
      ['permitted', 2, { permitted: ['CAP_KILL', 'CAP_CHOWN', 'KILL'] }],
      ['inheritable', 0, { inheritable: [''] }],
      ['ambient', 1, { bounding: ['CAP_KILL'], ambient: ['CAP_KILL', 'CAP_NOPE'] }],
    ] as [string, number, LinuxCapabilities][])('in %s[%i] is a ConfigError naming it', (set, i, caps) => {
      let err: unknown;
      try {
        capabilityMasks(caps, 40);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      const c = err as ConfigError;
      expect(c.path).toBe(`$.process.capabilities.${set}[${i}]`);
      const name = (caps as Record<string, string[]>)[set]![i]!;
      expect(c.rule).toBe(`unknown capability "${name}"`);
    });

    it('an unknown name fails even when it comes after a name the kernel lacks', () => {
      expect(() => capabilityMasks({ bounding: ['CAP_BPF', 'CAP_BOGUS'] }, 37)).toThrow(ConfigError);
    });
  });

  describe('names the running kernel does not have (number above lastCap)', () => {
    it('are dropped with one warning listing each name once', () => {
      const warn = vi.fn();
      const m = capabilityMasks(
        {
          bounding: ['CAP_KILL', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE'],
          effective: ['CAP_BPF', 'CAP_KILL'],
          ambient: ['CAP_PERFMON'],
        },
        37, // CAP_AUDIT_READ is the last one: a 5.7-ish kernel
        warn,
      );
      expect(m).toEqual({ ...EMPTY, bounding: bit(5), effective: bit(5) });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn).toHaveBeenCalledWith('ignoring capabilities the kernel does not support: CAP_PERFMON, CAP_BPF, CAP_CHECKPOINT_RESTORE');
    });

    it('lastCap itself is kept', () => {
      const warn = vi.fn();
      expect(capabilityMasks({ bounding: ['CAP_AUDIT_READ'] }, 37, warn).bounding).toBe(bit(37));
      expect(warn).not.toHaveBeenCalled();
    });

    it('no warning when everything is available', () => {
      const warn = vi.fn();
      capabilityMasks({ bounding: [...CAPABILITIES] }, 40, warn);
      expect(warn).not.toHaveBeenCalled();
    });

    it('works without a warn callback', () => {
      expect(capabilityMasks({ bounding: ['CAP_BPF'] }, 38).bounding).toBe(0n);
    });
  });
});

describe('capabilityNames', () => {
  it('turns a mask back into names, in number order', () => {
    expect(capabilityNames(bit(10) | bit(0) | bit(5))).toEqual(['CAP_CHOWN', 'CAP_KILL', 'CAP_NET_BIND_SERVICE']);
    expect(capabilityNames(0n)).toEqual([]);
  });

  it('round-trips with capabilityMasks', () => {
    const names = ['CAP_SETPCAP', 'CAP_SYS_ADMIN', 'CAP_BPF'];
    expect(capabilityNames(capabilityMasks({ effective: names }, 40).effective)).toEqual(names);
  });
});

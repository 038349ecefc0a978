// lib/cgroups/devices.ts: linux.resources.devices → the rules to enforce (the config's, then
// runc's always-allowed devices), and their v1 devices.allow / devices.deny lines.

import { describe, expect, it } from 'vitest';
import type { DeviceRule } from '../../../lib/cgroups/devices.js';
import { deviceRules, v1DeviceLine, v1DeviceWrites } from '../../../lib/cgroups/devices.js';
import type { LinuxDeviceCgroup } from '../../../spec/types.js';

const rule = (allow: boolean, type: DeviceRule['type'], major: number, minor: number, access: string): DeviceRule => ({ allow, type, major, minor, access });

/** runc's always-allowed devices, in the order they are appended. */
const DEFAULTS: DeviceRule[] = [
  rule(true, 'c', -1, -1, 'm'), // mknod of any char device
  rule(true, 'b', -1, -1, 'm'), // mknod of any block device
  rule(true, 'c', 1, 3, 'rwm'), // null
  rule(true, 'c', 1, 8, 'rwm'), // random
  rule(true, 'c', 1, 7, 'rwm'), // full
  rule(true, 'c', 5, 0, 'rwm'), // tty
  rule(true, 'c', 1, 5, 'rwm'), // zero
  rule(true, 'c', 1, 9, 'rwm'), // urandom
  rule(true, 'c', 5, 1, 'rwm'), // console
  rule(true, 'c', 136, -1, 'rwm'), // pts
  rule(true, 'c', 5, 2, 'rwm'), // ptmx
  rule(true, 'c', 10, 200, 'rwm'), // tun
];

describe('deviceRules', () => {
  it.each([
    ['absent', undefined],
    ['empty', []],
  ])('%s devices → deny-all, then only the always-allowed devices (as runc)', (_, devices) => {
    expect(deviceRules(devices)).toEqual([rule(false, 'a', -1, -1, 'rwm'), ...DEFAULTS]);
  });

  it('a config that starts with deny-all gets no second one', () => {
    expect(deviceRules([{ allow: false, access: 'rwm' }])).toEqual([rule(false, 'a', -1, -1, 'rwm'), ...DEFAULTS]);
  });

  it('starts with deny-all and appends the always-allowed devices after the config rules', () => {
    expect(deviceRules([{ allow: true, type: 'c', major: 4, minor: 1, access: 'rw' }])).toEqual([
      rule(false, 'a', -1, -1, 'rwm'),
      rule(true, 'c', 4, 1, 'rw'),
      ...DEFAULTS,
    ]);
  });

  it('keeps the config rules in their order', () => {
    const devices: LinuxDeviceCgroup[] = [
      { allow: false, type: 'a', access: 'rwm' },
      { allow: true, type: 'c', major: 10, minor: 229, access: 'rw' },
      { allow: false, type: 'b', major: 8, minor: 0, access: 'w' },
      { allow: true, type: 'b', major: 8, access: 'r' },
    ];
    expect(deviceRules(devices).slice(0, 4)).toEqual([
      rule(false, 'a', -1, -1, 'rwm'),
      rule(true, 'c', 10, 229, 'rw'),
      rule(false, 'b', 8, 0, 'w'),
      rule(true, 'b', 8, -1, 'r'),
    ]);
    expect(deviceRules(devices)).toHaveLength(4 + DEFAULTS.length); // no second reset
  });

  it.each<[string, LinuxDeviceCgroup, DeviceRule]>([
    ['nothing but allow → a *:* rwm', { allow: true }, rule(true, 'a', -1, -1, 'rwm')],
    ['missing type → a', { allow: false, major: 1, minor: 3, access: 'r' }, rule(false, 'a', 1, 3, 'r')],
    ['missing major → -1', { allow: true, type: 'c', minor: 3, access: 'r' }, rule(true, 'c', -1, 3, 'r')],
    ['missing minor → -1', { allow: true, type: 'c', major: 136, access: 'rw' }, rule(true, 'c', 136, -1, 'rw')],
    ['missing access → rwm', { allow: true, type: 'b', major: 8, minor: 0 }, rule(true, 'b', 8, 0, 'rwm')],
    ['empty access → rwm', { allow: false, type: 'c', major: 1, minor: 1, access: '' }, rule(false, 'c', 1, 1, 'rwm')],
    ['major/minor 0 are kept', { allow: true, type: 'c', major: 0, minor: 0, access: 'm' }, rule(true, 'c', 0, 0, 'm')],
    ['access as written (order kept)', { allow: true, type: 'c', major: 4, minor: 1, access: 'mwr' }, rule(true, 'c', 4, 1, 'mwr')],
  ])('%s', (_, device, expected) => {
    expect(deviceRules([device])[1]).toEqual(expected); // [0] is the leading deny-all
  });
});

describe('v1DeviceLine', () => {
  it.each<[DeviceRule, string]>([
    [rule(false, 'a', -1, -1, 'rwm'), 'a'],
    [rule(true, 'a', -1, -1, 'rwm'), 'a'],
    [rule(true, 'c', 1, 3, 'rwm'), 'c 1:3 rwm'],
    [rule(true, 'b', -1, -1, 'm'), 'b *:* m'],
    [rule(true, 'c', -1, -1, 'm'), 'c *:* m'],
    [rule(true, 'c', 136, -1, 'rwm'), 'c 136:* rwm'],
    [rule(false, 'c', -1, 5, 'w'), 'c *:5 w'],
    [rule(false, 'b', 8, 0, 'rw'), 'b 8:0 rw'],
    [rule(true, 'c', 0, 0, 'r'), 'c 0:0 r'],
    [rule(true, 'c', 10, 200, 'rwm'), 'c 10:200 rwm'],
  ])('%j → %j', (r, line) => {
    expect(v1DeviceLine(r)).toBe(line);
  });

  it.each<[DeviceRule]>([[rule(true, 'a', 1, 3, 'rwm')], [rule(false, 'a', -1, -1, 'w')], [rule(true, 'a', 7, -1, 'r')]])(
    'a partial type-a rule %j does not turn into a v1 reset line',
    (r) => {
      for (const w of v1DeviceWrites([r])) expect(w.value).not.toMatch(/^a\b/);
    },
  );
});

describe('v1DeviceWrites', () => {
  it('is empty for no rules', () => {
    expect(v1DeviceWrites([])).toEqual([]);
  });

  it('writes each rule in order, allow rules to devices.allow and deny rules to devices.deny', () => {
    expect(
      v1DeviceWrites([rule(false, 'a', -1, -1, 'rwm'), rule(true, 'c', 1, 3, 'rwm'), rule(false, 'c', 1, 3, 'w'), rule(true, 'a', -1, -1, 'rwm'), rule(false, 'b', 8, -1, 'rwm')]),
    ).toEqual([
      { file: 'devices.deny', value: 'a' },
      { file: 'devices.allow', value: 'c 1:3 rwm' },
      { file: 'devices.deny', value: 'c 1:3 w' },
      { file: 'devices.allow', value: 'a' },
      { file: 'devices.deny', value: 'b 8:* rwm' },
    ]);
  });

  it('a deny-all config: reset to deny, then the always-allowed devices', () => {
    expect(v1DeviceWrites(deviceRules([{ allow: false, access: 'rwm' }])!)).toEqual([
      { file: 'devices.deny', value: 'a' },
      { file: 'devices.allow', value: 'c *:* m' },
      { file: 'devices.allow', value: 'b *:* m' },
      { file: 'devices.allow', value: 'c 1:3 rwm' },
      { file: 'devices.allow', value: 'c 1:8 rwm' },
      { file: 'devices.allow', value: 'c 1:7 rwm' },
      { file: 'devices.allow', value: 'c 5:0 rwm' },
      { file: 'devices.allow', value: 'c 1:5 rwm' },
      { file: 'devices.allow', value: 'c 1:9 rwm' },
      { file: 'devices.allow', value: 'c 5:1 rwm' },
      { file: 'devices.allow', value: 'c 136:* rwm' },
      { file: 'devices.allow', value: 'c 5:2 rwm' },
      { file: 'devices.allow', value: 'c 10:200 rwm' },
    ]);
  });
});

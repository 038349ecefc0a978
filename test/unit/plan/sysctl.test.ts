import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/errors.js';
import { sysctlWrites } from '../../../lib/plan/sysctl.js';
import type { LinuxNamespaceType, Spec } from '../../../spec/types.js';
import { minimalSpec, errorOf } from './fixtures.js';

const ALL_NS: LinuxNamespaceType[] = ['mount', 'ipc', 'network', 'uts'];

function spec(sysctl: Record<string, string>, types: LinuxNamespaceType[] = ALL_NS): Spec {
  return minimalSpec({ linux: { namespaces: types.map((type) => ({ type })), sysctl } });
}

describe('sysctlWrites', () => {
  it('no sysctl section: nothing to write', () => {
    expect(sysctlWrites(minimalSpec())).toEqual([]);
    expect(sysctlWrites(spec({}))).toEqual([]);
  });

  describe('allowed with an ipc namespace', () => {
    it.each([
      'kernel.msgmax',
      'kernel.msgmnb',
      'kernel.msgmni',
      'kernel.sem',
      'kernel.shmall',
      'kernel.shmmax',
      'kernel.shmmni',
      'kernel.shm_rmid_forced',
      'fs.mqueue.msg_max',
      'fs.mqueue.queues_max',
    ])('%s', (key) => {
      expect(sysctlWrites(spec({ [key]: '1' }, ['mount', 'ipc']))).toEqual([{ key, rel: key.replace(/\./g, '/'), value: '1' }]);
      const err = errorOf(() => sysctlWrites(spec({ [key]: '1' }, ['mount', 'network', 'uts'])));
      expect(err.path).toBe(`$.linux.sysctl["${key}"]`);
      expect(err.rule).toBe(`sysctl "${key}" is not allowed as it conflicts with the OCI "ipc" namespace`);
    });

    it('a joined ipc namespace counts', () => {
      const s = minimalSpec({ linux: { namespaces: [{ type: 'mount' }, { type: 'ipc', path: '/proc/1/ns/ipc' }], sysctl: { 'kernel.sem': '250 32000 32 128' } } });
      expect(sysctlWrites(s)).toEqual([{ key: 'kernel.sem', rel: 'kernel/sem', value: '250 32000 32 128' }]);
    });
  });

  describe('net.* needs a network namespace', () => {
    it.each(['net.ipv4.ip_forward', 'net.core.somaxconn', 'net.ipv6.conf.all.disable_ipv6'])('%s', (key) => {
      expect(sysctlWrites(spec({ [key]: '1' }, ['mount', 'network']))).toHaveLength(1);
      const err = errorOf(() => sysctlWrites(spec({ [key]: '1' }, ['mount', 'ipc', 'uts'])));
      expect(err.rule).toBe(`sysctl "${key}" not allowed in host network namespace`);
    });
  });

  describe('refused even with every namespace', () => {
    it.each([
      ['vm.swappiness', 'sysctl "vm.swappiness" is not in a separate kernel namespace'],
      ['vm.overcommit_memory', 'sysctl "vm.overcommit_memory" is not in a separate kernel namespace'],
      ['kernel.pid_max', 'sysctl "kernel.pid_max" is not in a separate kernel namespace'],
      ['fs.file-max', 'sysctl "fs.file-max" is not in a separate kernel namespace'],
      ['kernel.msgmax.extra', 'sysctl "kernel.msgmax.extra" is not in a separate kernel namespace'],
      ['kernel.hostname', 'sysctl "kernel.hostname" is not allowed: use the hostname field instead'],
      ['kernel.domainname', 'sysctl "kernel.domainname" is not allowed: use the domainname field instead'],
    ])('%s', (key, rule) => {
      const err = errorOf(() => sysctlWrites(spec({ [key]: 'x' })));
      expect(err.path).toBe(`$.linux.sysctl["${key}"]`);
      expect(err.rule).toBe(rule);
      expect(err.code).toBe('ECONFIG');
    });

    it('kernel.hostname without a uts namespace names the uts conflict', () => {
      const err = errorOf(() => sysctlWrites(spec({ 'kernel.hostname': 'x' }, ['mount', 'ipc', 'network'])));
      expect(err.rule).toBe('sysctl "kernel.hostname" is not allowed as it conflicts with the OCI "uts" namespace');
    });
  });

  describe('invalid names', () => {
    it.each(['../x', 'net..x', 'net.ipv4.', '.net.ipv4', 'net', '', 'net.ipv4/', 'net./ipv4', 'net.ipv4 x', 'net.ipv4\n', 'net.ipv4.*', 'net/ipv4'])(
      '%j',
      (key) => {
        const err = errorOf(() => sysctlWrites(spec({ [key]: '1' })));
        expect(err.path).toBe(`$.linux.sysctl[${JSON.stringify(key)}]`);
        expect(err.rule).toBe(`sysctl "${key}" is not a valid sysctl name`);
      },
    );
  });

  describe('path below /proc/sys', () => {
    it.each([
      ['net.ipv4.ip_forward', 'net/ipv4/ip_forward'],
      // '/' stands for a '.' inside one segment (VLAN interface names)
      ['net.ipv4.conf.eth0/100.forwarding', 'net/ipv4/conf/eth0.100/forwarding'],
      ['net.ipv4.conf.a/b/c.rp_filter', 'net/ipv4/conf/a.b.c/rp_filter'],
      ['net.ipv6.conf.br-lan.accept_ra', 'net/ipv6/conf/br-lan/accept_ra'],
    ])('%s -> %s', (key, rel) => {
      expect(sysctlWrites(spec({ [key]: '0' }))).toEqual([{ key, rel, value: '0' }]);
    });
  });

  it('keeps config order and values verbatim', () => {
    const out = sysctlWrites(spec({ 'net.core.somaxconn': '4096', 'kernel.shmmax': '68719476736', 'fs.mqueue.msg_max': ' 10 ' }));
    expect(out).toEqual([
      { key: 'net.core.somaxconn', rel: 'net/core/somaxconn', value: '4096' },
      { key: 'kernel.shmmax', rel: 'kernel/shmmax', value: '68719476736' },
      { key: 'fs.mqueue.msg_max', rel: 'fs/mqueue/msg_max', value: ' 10 ' },
    ]);
  });
});

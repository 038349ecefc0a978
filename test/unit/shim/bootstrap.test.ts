// The start exchange: containerd 2.3's protobuf BootstrapParams/BootstrapResult (only 1.6 runs
// here, so 2.3's side is played by the test), the legacy options Any of 1.x, and the Go-style
// flags containerd puts before the action word.

import { describe, expect, it } from 'vitest';
import { readStartRequest, startResult } from '../../../lib/shim/bootstrap.js';
import { parseFlags, FlagError } from '../../../lib/shim/flags.js';
import { BootstrapParams, BootstrapResult, RuncOptions } from '../../../lib/shim/proto/runtime.js';
import { Any } from '../../../lib/shim/proto/well-known.js';
import { groupKey, socketPath } from '../../../lib/shim/address.js';
import { parseStdio } from '../../../lib/shim/io/uri.js';
import { parseOptions } from '../../../lib/shim/options.js';

const argv = ['-namespace', 'k8s.io', '-address', '/run/containerd/containerd.sock', '-publish-binary', '/usr/bin/containerd', '-id', 'c1', 'start'];
const flags = parseFlags(argv, { TTRPC_ADDRESS: '/run/containerd/containerd.sock.ttrpc' });

describe('shim flags', () => {
  it('read Go flag syntax up to the action word', () => {
    expect(flags).toMatchObject({ namespace: 'k8s.io', address: '/run/containerd/containerd.sock', id: 'c1', action: 'start', ttrpcAddress: '/run/containerd/containerd.sock.ttrpc', debug: false });
    expect(parseFlags(['--id=x', '-debug', '-bundle', '/b', 'delete'], {})).toMatchObject({ id: 'x', debug: true, bundle: '/b', action: 'delete' });
    expect(parseFlags(['-debug=false', '-v'], {})).toMatchObject({ debug: false, version: true, action: '' });
  });

  it('take namespace and address from NAMESPACE and GRPC_ADDRESS when the flags are absent', () => {
    expect(parseFlags(['start'], { NAMESPACE: 'n', GRPC_ADDRESS: '/g' })).toMatchObject({ namespace: 'n', address: '/g' });
  });

  it('refuse unknown flags and missing values as Go does', () => {
    expect(() => parseFlags(['-nope'], {})).toThrow(FlagError);
    expect(() => parseFlags(['-id'], {})).toThrow(/needs an argument/);
    expect(() => parseFlags(['-debug=maybe'], {})).toThrow(/invalid boolean/);
  });
});

describe('start bootstrap', () => {
  const opts = Any.encode({ typeUrl: RuncOptions.name, value: RuncOptions.encode({ root: '/r' }) });

  it('treats empty stdin and a runc options Any as the 1.x protocol (plain address back)', () => {
    expect(readStartRequest(Buffer.alloc(0), flags)).toMatchObject({ bootstrap: false, id: 'c1', namespace: 'k8s.io' });
    const legacy = readStartRequest(opts, flags);
    expect(legacy.bootstrap).toBe(false);
    expect(legacy.options?.typeUrl).toBe('containerd.runc.v1.Options');
    expect(startResult(legacy, 'unix:///run/containerd/s/abc').toString()).toBe('unix:///run/containerd/s/abc');
  });

  it('does not mistake an Any for BootstrapParams although it decodes as one', () => {
    // An Any's fields 1 and 2 read as instance_id and namespace, which then do not match the flags.
    const p = BootstrapParams.decode(opts);
    expect(p.instanceId).toBe('containerd.runc.v1.Options');
    expect(readStartRequest(opts, flags).bootstrap).toBe(false);
  });

  it('answers 2.3 BootstrapParams with a protobuf BootstrapResult', () => {
    const params = BootstrapParams.encode({
      instanceId: 'c1',
      namespace: 'k8s.io',
      logLevel: -4,
      containerdVersion: '2.3.4',
      containerdTtrpcAddress: 'unix:///run/containerd/containerd.sock.ttrpc',
      containerdGrpcAddress: '/run/containerd/containerd.sock',
      containerdBinary: '/usr/bin/containerd',
      extensions: [{ value: { typeUrl: RuncOptions.name, value: RuncOptions.encode({ root: '/r' }) } }],
      socketDir: '/run/containerd/s2',
    });
    const req = readStartRequest(params, parseFlags(['start'], {}));
    expect(req).toMatchObject({ bootstrap: true, id: 'c1', namespace: 'k8s.io', debug: true, socketDir: '/run/containerd/s2', ttrpcAddress: 'unix:///run/containerd/containerd.sock.ttrpc' });
    expect(parseOptions(req.options).root).toBe('/r');
    const res = BootstrapResult.decode(startResult(req, 'unix:///run/containerd/s2/x'));
    expect(res).toMatchObject({ version: 2, address: 'unix:///run/containerd/s2/x', protocol: 'ttrpc' });
  });

  it('falls back to the legacy path for garbage on stdin', () => {
    expect(readStartRequest(Buffer.from('ff', 'hex'), flags).bootstrap).toBe(false);
  });
});

describe('grouping and addresses', () => {
  it('groups a pod by its sandbox id, everything else per namespace', () => {
    expect(groupKey({ 'io.kubernetes.cri.sandbox-id': 'pod1' })).toBe('group:pod1');
    expect(groupKey({})).toBe('namespace');
    const a = socketPath('/run/containerd/containerd.sock', 'default', 'namespace');
    expect(a).toMatch(/^\/run\/containerd\/s\/[0-9a-f]{64}$/);
    expect(socketPath('/run/containerd/containerd.sock', 'other', 'namespace')).not.toBe(a);
    expect(socketPath('/run/containerd/containerd.sock', 'default', 'group:pod1')).not.toBe(a);
  });

  it('parses stdio URIs', () => {
    expect(parseStdio('')).toEqual({ kind: 'none' });
    expect(parseStdio('/run/containerd/fifo/1/c-stdout')).toEqual({ kind: 'fifo', path: '/run/containerd/fifo/1/c-stdout' });
    expect(parseStdio('file:///var/log/c.log')).toEqual({ kind: 'file', path: '/var/log/c.log' });
    expect(parseStdio('binary:///usr/bin/logger?tag=web&x')).toEqual({ kind: 'binary', path: '/usr/bin/logger', args: ['tag', 'web', 'x'] });
    expect(() => parseStdio('http://x/y')).toThrow(/unsupported stdio URI scheme/);
  });

  it('refuses the systemd cgroup driver by name', () => {
    const any = { typeUrl: RuncOptions.name, value: RuncOptions.encode({ systemdCgroup: true }) };
    expect(() => parseOptions(any)).toThrow(/systemd cgroup driver/);
  });
});

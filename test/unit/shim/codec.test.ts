// The proto3 codec: known encodings, round trips of the shim's messages, and hostile input
// (truncation, bad lengths, wrong wire types) that must fail with a ProtoError, never crash or
// read past the buffer.

import { describe, expect, it } from 'vitest';
import { f, message, ProtoError } from '../../../lib/shim/proto/codec.js';
import { Any, Timestamp } from '../../../lib/shim/proto/well-known.js';
import { CreateTaskRequest, StateResponse, UpdateTaskRequest } from '../../../lib/shim/proto/task.js';
import { Envelope, ForwardRequest, TaskExit } from '../../../lib/shim/proto/events.js';
import { MetricsV1 } from '../../../lib/shim/proto/metrics.js';
import { BootstrapParams } from '../../../lib/shim/proto/runtime.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('proto3 wire format', () => {
  const T = message('t.T', { a: f.int32(1), s: f.string(2), u: f.uint64(3), i: f.int64(4), b: f.bool(5), e: f.enum(6), r: f.repeated.uint64(7), m: f.map(8), x: f.uint32(9) });

  it('encodes the textbook examples', () => {
    expect(hex(T.encode({ a: 150 }))).toBe('089601');
    expect(hex(T.encode({ s: 'testing' }))).toBe('120774657374696e67');
    expect(hex(T.encode({ r: [3, 270, 86942] }))).toBe('3a06038e029ea705');
  });

  it('leaves out proto3 defaults', () => {
    expect(T.encode({ a: 0, s: '', b: false, r: [], m: {} }).length).toBe(0);
  });

  it('sign-extends negative int32 and enums to ten bytes', () => {
    expect(hex(T.encode({ a: -1 }))).toBe('08ffffffffffffffffff01');
    expect(T.decode(T.encode({ a: -1, e: -8, i: -5 }))).toMatchObject({ a: -1, e: -8, i: -5 });
  });

  it('round-trips 64-bit values, clamping 2^64-1 (which a double rounds up)', () => {
    const max = T.decode(T.encode({ u: 18446744073709551615 }));
    expect(hex(T.encode({ u: 18446744073709551615 }))).toBe('18ffffffffffffffffff01');
    expect(max.u).toBe(2 ** 64);
    expect(T.decode(T.encode({ u: 2 ** 40 + 5 })).u).toBe(2 ** 40 + 5);
    expect(T.decode(T.encode({ x: 4294967295 })).x).toBe(4294967295);
  });

  it('decodes maps, and both packed and unpacked repeated scalars', () => {
    const v = T.decode(T.encode({ m: { a: '1', b: '' } }));
    expect(v.m).toEqual({ a: '1', b: '' });
    // field 7 unpacked: two varint records
    expect(T.decode(Buffer.from('38013802', 'hex')).r).toEqual([1, 2]);
  });

  it('skips unknown fields of every wire type', () => {
    // field 15 varint, field 16 fixed64, field 17 len, field 18 fixed32, then a=1
    const bytes = Buffer.from('7801' + '8101' + '0102030405060708' + '8a0102ffff' + '950101020304' + '0801', 'hex');
    expect(T.decode(bytes).a).toBe(1);
  });

  it('refuses truncated and malformed input with a ProtoError', () => {
    const bad = [
      '08', // varint missing
      '0880', // varint cut
      '12', // length missing
      '1205616263', // length 5, 3 bytes
      '12ffffffff0f61', // huge length
      '0b', // group start (wire type 3)
      '0a0100', // field 1 is int32, given as length-delimited
      '00', // field number 0
      '08ffffffffffffffffffff01', // varint of 11 bytes
      '7908', // fixed64 cut
    ];
    for (const b of bad) expect(() => T.decode(Buffer.from(b, 'hex')), b).toThrow(ProtoError);
  });

  it('names the message and field in its errors', () => {
    expect(() => T.decode(Buffer.from('0a0100', 'hex'))).toThrow(/t\.T\.a \(field 1\): wrong wire type 2/);
  });
});

describe('shim messages', () => {
  it('round-trip a Create request with mounts and options', () => {
    const req = {
      id: 'c1',
      bundle: '/run/b',
      rootfs: [{ type: 'overlay', source: 'overlay', target: '', options: ['index=off', 'lowerdir=/a'] }],
      terminal: true,
      stdin: '/f/in',
      stdout: '/f/out',
      stderr: '',
      checkpoint: '',
      parentCheckpoint: '',
      options: { typeUrl: 'containerd.runc.v1.Options', value: Buffer.from([0x08, 0x01]) },
    };
    const back = CreateTaskRequest.decode(CreateTaskRequest.encode(req));
    expect({ ...back, options: { ...back.options, value: hex(back.options!.value) } }).toEqual({ ...req, options: { ...req.options, value: '0801' } });
  });

  it('round-trip a StateResponse with a timestamp', () => {
    const v = StateResponse.decode(StateResponse.encode({ id: 'x', pid: 42, status: 3, exitStatus: 137, exitedAt: { seconds: 1700000000, nanos: 5 } }));
    expect(v).toMatchObject({ id: 'x', pid: 42, status: 3, exitStatus: 137, exitedAt: { seconds: 1700000000, nanos: 5 } });
  });

  it('nest an event in an Any in an Envelope in a ForwardRequest', () => {
    const exit = TaskExit.encode({ containerId: 'c', id: 'c', pid: 7, exitStatus: 3 });
    const fwd = ForwardRequest.encode({ envelope: { timestamp: { seconds: 1 }, namespace: 'ns', topic: '/tasks/exit', event: { typeUrl: TaskExit.name, value: exit } } });
    const env = ForwardRequest.decode(fwd).envelope!;
    expect(env.topic).toBe('/tasks/exit');
    expect(env.event!.typeUrl).toBe('containerd.events.TaskExit');
    expect(TaskExit.decode(env.event!.value)).toMatchObject({ containerId: 'c', pid: 7, exitStatus: 3 });
    expect(Envelope.name).toBe('containerd.types.Envelope');
  });

  it('encode annotations as a map', () => {
    expect(UpdateTaskRequest.decode(UpdateTaskRequest.encode({ id: 'a', annotations: { k: 'v' } })).annotations).toEqual({ k: 'v' });
  });

  it('encode cgroup v1 metrics with packed per-cpu usage', () => {
    const m = MetricsV1.decode(MetricsV1.encode({ pids: { current: 1, limit: 0 }, cpu: { usage: { total: 5, perCpu: [2, 3] } }, memory: { usage: { usage: 4096, limit: 2 ** 63 } } }));
    expect(m.pids).toEqual({ current: 1, limit: 0 });
    expect(m.cpu!.usage!.perCpu).toEqual([2, 3]);
    expect(m.memory!.usage!.usage).toBe(4096);
  });

  it('decode a BootstrapParams with a negative log level', () => {
    const b = BootstrapParams.decode(BootstrapParams.encode({ instanceId: 'i', namespace: 'n', logLevel: -4, containerdVersion: '2.3.0', extensions: [{ value: { typeUrl: 'x', value: Buffer.alloc(0) } }] }));
    expect(b).toMatchObject({ instanceId: 'i', namespace: 'n', logLevel: -4, containerdVersion: '2.3.0' });
    expect(b.extensions[0]!.value!.typeUrl).toBe('x');
  });

  it('keep Any and Timestamp names as containerd spells them', () => {
    expect(Any.name).toBe('google.protobuf.Any');
    expect(Timestamp.decode(Buffer.alloc(0))).toEqual({ seconds: 0, nanos: 0 });
  });
});

// The protobuf well-known types the shim uses, plus google.rpc.Status (ttrpc's error shape).

import { f, message } from './codec.js';
import type { Input } from './codec.js';

export const Any = message('google.protobuf.Any', { typeUrl: f.string(1), value: f.bytes(2) });
export type Any = ReturnType<typeof Any.decode>;

export const Timestamp = message('google.protobuf.Timestamp', { seconds: f.int64(1), nanos: f.int32(2) });
export type Timestamp = ReturnType<typeof Timestamp.decode>;

export const Empty = message('google.protobuf.Empty', {});

export const RpcStatus = message('google.rpc.Status', { code: f.int32(1), message: f.string(2), details: f.repeated.message(3, Any) });

/** A Timestamp for a wall-clock time in milliseconds (with an optional extra nanosecond part). */
export function timestampOf(ms: number, extraNanos = 0): Timestamp {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1_000_000 + extraNanos };
}

/** Wrap a message as an Any with containerd's bare type URL (the full proto name). */
export function anyOf<T>(type: { name: string; encode(v: Input<T>): Buffer }, value: Input<T>): Any {
  return { typeUrl: type.name, value: type.encode(value) };
}

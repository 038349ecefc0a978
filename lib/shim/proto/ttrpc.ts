// ttrpc's own envelope messages (package ttrpc, request.proto).

import { f, message } from './codec.js';
import { RpcStatus } from './well-known.js';

export const KeyValue = message('ttrpc.KeyValue', { key: f.string(1), value: f.string(2) });

export const Request = message('ttrpc.Request', {
  service: f.string(1),
  method: f.string(2),
  payload: f.bytes(3),
  timeoutNano: f.int64(4),
  metadata: f.repeated.message(5, KeyValue),
});
export type Request = ReturnType<typeof Request.decode>;

export const Response = message('ttrpc.Response', { status: f.message(1, RpcStatus), payload: f.bytes(2) });
export type Response = ReturnType<typeof Response.decode>;

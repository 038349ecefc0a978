// containerd 2.3's start bootstrap: a protobuf BootstrapParams on stdin, a BootstrapResult on
// stdout (api/runtime/bootstrap/v1; the file's comment says JSON, the code uses protobuf).
// Older containerd sends the runtime options Any (or nothing) and reads a plain address.
// A legacy Any (fields 1 and 2, both strings/bytes) also decodes as BootstrapParams, so the
// params count only when they name the same instance and namespace as the flags, or carry a
// containerd version, which no Any has.

import { ProtoError } from './proto/codec.js';
import { BootstrapParams, BootstrapResult } from './proto/runtime.js';
import { Any } from './proto/well-known.js';
import type { ShimFlags } from './flags.js';

export interface StartRequest {
  /** true when containerd spoke the 2.3 protocol (and wants a BootstrapResult back) */
  bootstrap: boolean;
  id: string;
  namespace: string;
  grpcAddress: string;
  ttrpcAddress: string;
  socketDir?: string;
  debug: boolean;
  /** the runtime options, if any */
  options?: Any;
}

const LOG_DEBUG = -4;

export function readStartRequest(stdin: Buffer, flags: ShimFlags): StartRequest {
  const legacy = (): StartRequest => {
    let options: Any | undefined;
    if (stdin.length) {
      try {
        options = Any.decode(stdin);
      } catch {
        options = undefined;
      }
    }
    return { bootstrap: false, id: flags.id, namespace: flags.namespace, grpcAddress: flags.address, ttrpcAddress: flags.ttrpcAddress, debug: flags.debug, options };
  };
  if (!stdin.length) return legacy();
  let p: BootstrapParams;
  try {
    p = BootstrapParams.decode(stdin);
  } catch (err) {
    if (err instanceof ProtoError) return legacy();
    throw err;
  }
  const sameInstance = p.instanceId !== '' && p.instanceId === flags.id && p.namespace === flags.namespace;
  if (!p.containerdVersion && !sameInstance) return legacy();
  return {
    bootstrap: true,
    id: p.instanceId || flags.id,
    namespace: p.namespace || flags.namespace,
    grpcAddress: p.containerdGrpcAddress || flags.address,
    ttrpcAddress: p.containerdTtrpcAddress || flags.ttrpcAddress,
    socketDir: p.socketDir || undefined,
    debug: flags.debug || p.logLevel <= LOG_DEBUG,
    options: p.extensions.find((e) => e.value)?.value,
  };
}

/**
 * What `start` prints. Version 2 in every case: containerd then talks to
 * containerd.task.v2.Task (2.x through its bridge) and keeps calling delete and Shutdown the
 * classic way; the server answers under the v3 name too.
 */
export function startResult(req: StartRequest, address: string): Buffer {
  if (req.bootstrap) return BootstrapResult.encode({ version: 2, address, protocol: 'ttrpc' });
  return Buffer.from(address);
}

// Where a shim listens. Like the runc shim, the socket is named by a hash (unix socket paths are
// limited to ~106 bytes) of containerd's address, the namespace and the grouping key, in
// /run/containerd/s. "caisson" is part of the hashed text, so our sockets never collide with a
// runc shim's for the same group.
//
// The grouping key decides which containers share one shim process: the pod
// (io.kubernetes.cri.sandbox-id, so a Kubernetes pod is one shim, as with runc), else one shim
// per containerd namespace. Sharing across a namespace is what makes memory per container fall
// with the number of containers; a namespace is containerd's unit of tenancy, so two tenants
// never share a shim.

import { createHash } from 'node:crypto';
import { posix } from 'node:path';

export const DEFAULT_SOCKET_DIR = '/run/containerd/s';
const SANDBOX_ANNOTATION = 'io.kubernetes.cri.sandbox-id';
/** the runc shim's explicit group annotation, honoured too */
const GROUP_ANNOTATION = 'io.containerd.runc.v2.group';

export function groupKey(annotations: Record<string, unknown> | undefined): string {
  for (const k of [GROUP_ANNOTATION, SANDBOX_ANNOTATION]) {
    const v = annotations?.[k];
    if (typeof v === 'string' && v) return `group:${v}`;
  }
  return 'namespace';
}

export function socketPath(grpcAddress: string, namespace: string, group: string, socketDir = DEFAULT_SOCKET_DIR): string {
  const hash = createHash('sha256').update(posix.join(grpcAddress, namespace, 'caisson', group)).digest('hex');
  return posix.join(socketDir, hash);
}

/** `unix:///path` → `/path` (plain paths pass through). */
export function socketFromAddress(address: string): string {
  return address.replace(/^unix:\/\//, '');
}

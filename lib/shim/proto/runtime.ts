// Messages about the runtime itself: the options containerd passes at start and Create, -info's
// RuntimeInfo, and containerd 2.3's bootstrap exchange (api/runtime/bootstrap/v1).

import { f, message } from './codec.js';
import { Any } from './well-known.js';

/** containerd.runc.v1.Options (api/types/runc/options/oci.proto): what CRI sends runc-like shims. */
export const RuncOptions = message('containerd.runc.v1.Options', {
  noPivotRoot: f.bool(1),
  noNewKeyring: f.bool(2),
  shimCgroup: f.string(3),
  ioUid: f.uint32(4),
  ioGid: f.uint32(5),
  binaryName: f.string(6),
  root: f.string(7),
  systemdCgroup: f.bool(9),
  criuImagePath: f.string(10),
  criuWorkPath: f.string(11),
  taskApiAddress: f.string(12),
  taskApiVersion: f.uint32(13),
});
export type RuncOptions = ReturnType<typeof RuncOptions.decode>;

/** runtimeoptions.v1.Options: what CRI sends any other runtime (a config file path). */
export const GenericRuntimeOptions = message('runtimeoptions.v1.Options', { typeUrl: f.string(1), configPath: f.string(2), configBody: f.string(3) });

/** containerd.runc.v1.ProcessDetails: the `info` of an exec'd pid in Pids. */
export const ProcessDetails = message('containerd.runc.v1.ProcessDetails', { execId: f.string(1) });

export const RuntimeVersion = message('containerd.types.RuntimeVersion', { version: f.string(1), revision: f.string(2) });
export const RuntimeInfo = message('containerd.types.RuntimeInfo', {
  name: f.string(1),
  version: f.message(2, RuntimeVersion),
  options: f.message(3, Any),
  features: f.message(4, Any),
  annotations: f.map(5),
});

export const Extension = message('containerd.runtime.bootstrap.v1.Extension', { value: f.message(1, Any) });
export const BootstrapParams = message('containerd.runtime.bootstrap.v1.BootstrapParams', {
  instanceId: f.string(1),
  namespace: f.string(2),
  logLevel: f.enum(3),
  containerdVersion: f.string(4),
  containerdTtrpcAddress: f.string(5),
  containerdGrpcAddress: f.string(6),
  containerdBinary: f.string(7),
  extensions: f.repeated.message(8, Extension),
  socketDir: f.string(9),
});
export type BootstrapParams = ReturnType<typeof BootstrapParams.decode>;
export const BootstrapResult = message('containerd.runtime.bootstrap.v1.BootstrapResult', {
  version: f.int32(1),
  address: f.string(2),
  protocol: f.string(3),
  capabilities: f.repeated.enum(4),
  metadata: f.map(5),
});

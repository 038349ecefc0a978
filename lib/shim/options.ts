// The runtime options containerd passes to Create (and, in 1.x, on `start`'s stdin): an Any
// holding containerd.runc.v1.Options (what CRI sends runc-type runtimes) or
// runtimeoptions.v1.Options (a config file, what CRI sends other runtimes). caisson uses root,
// no_pivot_root and no_new_keyring; a systemd cgroup driver is refused by name.

import { UnsupportedError } from '../errors.js';
import { GenericRuntimeOptions, RuncOptions } from './proto/runtime.js';
import type { Any } from './proto/well-known.js';

export interface ShimOptions {
  root?: string;
  noPivot: boolean;
  noNewKeyring: boolean;
  shimCgroup?: string;
}

export function parseOptions(any: Any | undefined, warn: (m: string) => void = () => {}): ShimOptions {
  const out: ShimOptions = { noPivot: false, noNewKeyring: false };
  if (!any || (!any.typeUrl && !any.value.length)) return out;
  const type = any.typeUrl.replace(/^.*\//, '');
  if (type === RuncOptions.name || type === 'containerd.runc.v1.Options' || type === 'io.containerd.runc.v1.Options') {
    const o = RuncOptions.decode(any.value);
    if (o.systemdCgroup) throw new UnsupportedError('options.systemd_cgroup', 'the systemd cgroup driver is not supported');
    out.root = o.root || undefined;
    out.noPivot = o.noPivotRoot;
    out.noNewKeyring = o.noNewKeyring;
    out.shimCgroup = o.shimCgroup || undefined;
    if (o.binaryName) warn(`runtime option binary_name=${o.binaryName} ignored: the caisson shim runs containers itself`);
  } else if (type === GenericRuntimeOptions.name) {
    const o = GenericRuntimeOptions.decode(any.value);
    if (o.configPath || o.configBody) warn('runtimeoptions config_path/config_body ignored: the caisson shim has no config file');
  } else {
    warn(`runtime options of type ${any.typeUrl} ignored`);
  }
  return out;
}

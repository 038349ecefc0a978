// `-info`: what the runtime is, as containerd.types.RuntimeInfo (protobuf on stdout): name,
// version, the options it was given (echoed), and the OCI features document as an Any with
// JSON inside, as the runc shim wraps `runc features`.

import { features } from '../features.js';
import { COMMIT, PACKAGE_VERSION } from '../cli/version.js';
import { RuntimeInfo } from './proto/runtime.js';
import { Any } from './proto/well-known.js';

export const RUNTIME_NAME = 'io.containerd.caisson.v2';
const FEATURES_URL = 'types.containerd.io/opencontainers/runtime-spec/1/features/Features';

export async function runInfo(stdin: Buffer): Promise<Buffer> {
  let options: Any | undefined;
  if (stdin.length) options = Any.decode(stdin);
  const doc = await features();
  return RuntimeInfo.encode({
    name: RUNTIME_NAME,
    version: { version: PACKAGE_VERSION, revision: COMMIT },
    options,
    features: { typeUrl: FEATURES_URL, value: Buffer.from(JSON.stringify(doc)) },
  });
}

export function versionText(argv0: string): string {
  return `${argv0}:\n  Version:  ${PACKAGE_VERSION}\n  Revision: ${COMMIT || 'unknown'}\n  Node:     ${process.version}\n`;
}

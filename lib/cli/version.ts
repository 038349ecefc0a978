// `caisson --version`, shaped like runc's so go-runc's parser (prefixes "runc version ",
// "commit: ", "spec: ") and humans both read it.

import { SPEC_VERSION } from '../../spec/types.js';

declare const __CAISSON_VERSION__: string | undefined;
declare const __CAISSON_COMMIT__: string | undefined;

const version = typeof __CAISSON_VERSION__ === 'string' ? __CAISSON_VERSION__ : '0.0.0-dev';
const commit = typeof __CAISSON_COMMIT__ === 'string' ? __CAISSON_COMMIT__ : '';

export const PACKAGE_VERSION = version;
export const COMMIT = commit;

export const VERSION = `caisson version ${version}\n${commit ? `commit: ${commit}\n` : ''}spec: ${SPEC_VERSION}\nnode: ${process.version}\n`;

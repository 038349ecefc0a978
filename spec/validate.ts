// In-memory validation of config.json against runtime-spec v1.3.0 as it applies to Linux.
// It runs before anything touches the system and throws the first problem as
// ConfigError(path, rule). Unknown properties are ignored everywhere, as config.md requires
// ("MUST ignore"); the input is returned as is, not copied and not defaulted.
//
// Checks are done in a fixed order (top level in the order below, then each object's fields in
// the order of the spec), so the reported problem does not depend on the key order of the JSON.

import type { Spec } from './types.js';
import { HOOK_NAMES } from './types.js';
import {
  type Checker,
  type Obj,
  absPath,
  arrayOf,
  at,
  bool,
  child,
  fail,
  integer,
  nonEmptyStr,
  object,
  opt,
  req,
  shape,
  str,
  strArray,
  strMap,
} from './checks.js';
import { checkLinux, findNamespace, idMappings } from './validate-linux.js';
import { checkProcess } from './validate-process.js';

export { validateProcess } from './validate-process.js';
export { validateResources } from './validate-resources.js';

// SemVer 2.0.0: MAJOR.MINOR.PATCH without leading zeros, optional -prerelease (numeric parts
// without leading zeros) and +build metadata.
const NUM = '(0|[1-9]\\d*)';
const PRE_PART = '(?:0|[1-9]\\d*|\\d*[A-Za-z-][0-9A-Za-z-]*)';
const SEMVER = new RegExp(
  `^${NUM}\\.${NUM}\\.${NUM}(?:-${PRE_PART}(?:\\.${PRE_PART})*)?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?$`,
);

// config.md: ociVersion is SemVer and compatibility holds within a major version, so any 1.x.y
// is accepted (runc does the same for newer minors) and any other major is refused.
const ociVersion: Checker = (v, p) => {
  str(v, p);
  const m = SEMVER.exec(v as string);
  if (!m) fail(p, 'must be a SemVer 2.0.0 version such as 1.3.0');
  if (m[1] !== '1') fail(p, `must have major version 1 (got ${m[1]}); caisson implements runtime-spec 1.x`);
};

// config.md §Root: REQUIRED on Linux; path absolute or relative to the bundle.
const root = shape((o, p) => {
  req(o, 'path', p, nonEmptyStr);
  opt(o, 'readonly', p, bool);
});

const mount = shape((o, p) => {
  // Relative destinations are deprecated but valid (taken relative to `/`), so only emptiness
  // is refused.
  req(o, 'destination', p, nonEmptyStr);
  opt(o, 'source', p, str);
  opt(o, 'type', p, str);
  opt(o, 'options', p, strArray);
  opt(o, 'uidMappings', p, idMappings);
  opt(o, 'gidMappings', p, idMappings);
  // §Mounts: if one of uidMappings/gidMappings is given, the other MUST be given too.
  if ((o.uidMappings === undefined) !== (o.gidMappings === undefined)) {
    const [missing, given] = o.uidMappings === undefined ? ['uidMappings', 'gidMappings'] : ['gidMappings', 'uidMappings'];
    fail(child(p, missing), `is required when ${given} is set`);
  }
});

const hook = shape((o, p) => {
  req(o, 'path', p, absPath);
  opt(o, 'args', p, strArray);
  opt(o, 'env', p, strArray);
  // §Hooks: timeout, if set, MUST be greater than zero.
  opt(o, 'timeout', p, integer(1, Number.MAX_SAFE_INTEGER, 'must be an integer greater than 0'));
});

const hooks = shape((o, p) => {
  for (const name of HOOK_NAMES) opt(o, name, p, arrayOf(hook));
});

// §Linux mount options: with idmap/ridmap the mount's own mappings are used, else the
// container's user namespace; with neither the runtime MUST fail.
function idmapRules(spec: Obj): void {
  if (!Array.isArray(spec.mounts) || findNamespace(spec.linux, 'user')) return;
  (spec.mounts as Obj[]).forEach((m, i) => {
    const options = (m.options as string[] | undefined) ?? [];
    const j = options.findIndex((o) => o === 'idmap' || o === 'ridmap');
    const hasOwn = Array.isArray(m.uidMappings) && m.uidMappings.length > 0;
    if (j >= 0 && !hasOwn) {
      fail(
        at(child(at('$.mounts', i), 'options'), j),
        `${options[j]} needs uidMappings and gidMappings on the mount or a user namespace in linux.namespaces`,
      );
    }
  });
}

/**
 * Validate a parsed config.json for Linux and return it typed as Spec (the same object).
 * Throws ConfigError(path, rule) at the first problem found.
 */
export function validateConfig(raw: unknown): Spec {
  const o = object(raw, '$');
  req(o, 'ociVersion', '$', ociVersion);
  req(o, 'root', '$', root);
  opt(o, 'mounts', '$', arrayOf(mount));
  opt(o, 'process', '$', checkProcess);
  opt(o, 'hostname', '$', str);
  opt(o, 'domainname', '$', str);
  opt(o, 'hooks', '$', hooks);
  // §Annotations: keys non-empty strings, values strings (may be empty).
  opt(o, 'annotations', '$', strMap);
  opt(o, 'linux', '$', checkLinux);
  idmapRules(o);
  return raw as Spec;
}

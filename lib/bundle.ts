// Read and validate a bundle: <dir>/config.json plus the rootfs it names.

import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { validateConfig } from '../spec/index.js';
import type { Spec } from '../spec/types.js';
import { ConfigError, fromNodeError } from './errors.js';
import { RecentMap } from './recent-map.js';
import { checkSupported } from './support.js';

/**
 * Go clients (containerd, podman) write absent slices and maps as `null`; runc reads those as
 * absent. Dropping nulls while parsing keeps that behaviour without loosening the validator.
 */
export function parseJson(text: string, what: string): unknown {
  try {
    // A null value can only follow ':', '[' or ','; without one (runc's own configs), the plain
    // parse, about a quarter of the cost of one with a reviver. A string that merely looks like
    // one only costs the slow path.
    if (!/[:[,]\s*null/.test(text)) return JSON.parse(text);
    return JSON.parse(text, (_k, v: unknown) => (v === null ? undefined : v));
  } catch (err) {
    throw new ConfigError('$', `${what} is not valid JSON: ${(err as Error).message}`);
  }
}

export interface LoadedBundle {
  bundle: string;
  spec: Spec;
  /** absolute, symlink-free */
  rootfs: string;
}

/** Validate a config object and check caisson supports everything in it. */
export function checkConfig(raw: unknown): Spec {
  const spec = validateConfig(raw);
  checkSupported(spec);
  return spec;
}

/*
 * The config.json last checked per bundle, so that one the same byte for byte is not parsed and
 * checked again: a long-lived process (the library, the shim) often creates container after
 * container from one bundle. The file is still read every time, and the rootfs resolved. The
 * spec is shared by those containers: nothing downstream may change it (nothing does; the
 * library test that runs one bundle twice checks).
 */
const checked = new RecentMap<string, { text: string; spec: Spec }>(16);

export function loadBundle(dir: string): LoadedBundle {
  const bundle = resolve(dir);
  const file = `${bundle}/config.json`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError('$', `JSON specification file config.json not found in bundle ${bundle}`);
    throw fromNodeError(`read ${file}`, err);
  }
  const seen = checked.get(file);
  let spec = seen?.text === text ? seen.spec : undefined;
  if (!spec) {
    spec = checkConfig(parseJson(text, file));
    checked.set(file, { text, spec });
  }
  return { bundle, spec, rootfs: resolveRootfs(bundle, spec) };
}

export function resolveRootfs(bundle: string, spec: Spec): string {
  const p = isAbsolute(spec.root.path) ? spec.root.path : resolve(bundle, spec.root.path);
  let real: string;
  try {
    // libc's realpath: one call, where the JS one lstats every component from JS (~15 µs a create).
    real = realpathSync.native(p);
  } catch {
    throw new ConfigError('$.root.path', `rootfs ${p} does not exist`);
  }
  // A trailing slash resolves only for a directory: access(2) says so without a Stats object.
  if (!existsSync(`${real}/`)) throw new ConfigError('$.root.path', `rootfs ${p} is not a directory`);
  return real;
}

// posix.join and normalize re-scan the whole string on every call; a create joins and cleans
// some forty paths that are already clean (cgroup directories, mount destinations, state
// files). These take the short way when the parts are clean and give the same string as the
// posix functions; anything else goes to them.

import { posix } from 'node:path';

// No empty, "." or ".." segment; absolute; no trailing slash ("/" itself is clean).
const SEGMENT = String.raw`(?!\.\.?(?:/|$))[^/]+`;
const CLEAN_ABSOLUTE = new RegExp(String.raw`^/(?:${SEGMENT}(?:/${SEGMENT})*)?$`);
const CLEAN_RELATIVE = new RegExp(String.raw`^${SEGMENT}(?:/${SEGMENT})*$`);

/** Is `p` what posix.normalize makes of it, absolute, and without a trailing slash? */
export function isCleanAbsolute(p: string): boolean {
  return CLEAN_ABSOLUTE.test(p);
}

/**
 * posix.join(base, rest), without re-normalizing when base is a clean absolute path and rest a
 * clean relative or absolute one (an absolute rest is taken as below base, as join does).
 */
export function joinClean(base: string, rest: string): string {
  if (CLEAN_ABSOLUTE.test(base)) {
    if (CLEAN_RELATIVE.test(rest)) return base === '/' ? `/${rest}` : `${base}/${rest}`;
    if (rest !== '/' && CLEAN_ABSOLUTE.test(rest)) return base === '/' ? rest : base + rest;
  }
  return posix.join(base, rest);
}

// The short ways give exactly what posix.join and normalize give, over every path of up to six
// characters from "/", ".", "a" and "b", and a few that look like the real ones.

import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isCleanAbsolute, joinClean } from '../../../lib/clean-path.js';

function* strings(alphabet: string, max: number): Generator<string> {
  yield '';
  let level = [''];
  for (let n = 1; n <= max; n++) {
    const next: string[] = [];
    for (const s of level) for (const c of alphabet) next.push(s + c);
    yield* next;
    level = next;
  }
}
const all = [...strings('/.ab', 6)];
const real = ['/sys/fs/cgroup/cpu', '/process_api/b2f5a681', 'p2047', 'a/b', '/', '/dev/pts', '.hidden/x', 'x..', '..x', '/a/.b', '/a/b.'];

describe('clean paths', () => {
  it('isCleanAbsolute says whether normalize would change the path (and it is absolute, with no trailing slash)', () => {
    for (const p of [...all, ...real]) {
      const clean = p.startsWith('/') && posix.normalize(p) === p && (p === '/' || !p.endsWith('/'));
      expect(isCleanAbsolute(p), JSON.stringify(p)).toBe(clean);
    }
  });

  it('joinClean is posix.join', () => {
    const bases = [...all.filter((p) => p.length <= 4), ...real];
    const rels = [...all.filter((p) => p.length <= 4), ...real];
    for (const b of bases) for (const r of rels) expect(joinClean(b, r), `${JSON.stringify(b)} + ${JSON.stringify(r)}`).toBe(posix.join(b, r));
  });
});

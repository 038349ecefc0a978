// No `as any` in lib/ or spec/: the types stay honest, and a debugging hook (something stashed
// on globalThis, which needs such a cast) cannot slip into a commit unnoticed, as one once did.

import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO as ROOT, tsFiles as files } from '../../helpers/paths.js';

const CAST = /\bas any\s*[)\];,.]/;

describe('casts', () => {
  it('lib/ and spec/ have no `as any`', () => {
    const found = [...files(join(ROOT, 'lib')), ...files(join(ROOT, 'spec'))].flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .map((line, i) => [line, i] as const)
        .filter(([line]) => CAST.test(line.replace(/\/\/.*$/, '')))
        .map(([line, i]) => `${relative(ROOT, f)}:${i + 1}: ${line.trim()}`),
    );
    expect(found).toEqual([]);
  });

  it('the check sees a cast', () => {
    expect(CAST.test('(globalThis as any).x = 1;')).toBe(true);
    expect(CAST.test('const y = x as any;')).toBe(true);
    expect(CAST.test('// in-process, as any Node program would')).toBe(false);
  });
});

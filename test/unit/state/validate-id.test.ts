import { describe, expect, it } from 'vitest';
import { CaissonError } from '../../../lib/errors.js';
import { validateId } from '../../../lib/state/store.js';

describe('validateId', () => {
  it.each([
    'a',
    'box1',
    'my-container',
    'my_container',
    'a.b.c',
    'v1+build',
    '0',
    '...', // only "." and ".." are special
    '.hidden',
    '-leading-dash',
    // \w also takes upper case, as runc's ^[\w+-\.]+$ does
    'MyContainer',
    'x'.repeat(1024),
    'a1_+-.Z',
  ])('accepts %j', (id) => {
    expect(() => validateId(id)).not.toThrow();
  });

  it.each([
    '',
    '.',
    '..',
    'a/b',
    '/abs',
    '../escape',
    'a b',
    ' a',
    'a\n',
    'tab\tid',
    'a:b',
    'a@b',
    'a*',
    'ü',
    'a\0b',
    'x'.repeat(1025),
  ])('rejects %j', (id) => {
    let err: unknown;
    try {
      validateId(id);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CaissonError);
    expect((err as CaissonError).code).toBe('EUSAGE');
    // runc's wording
    expect((err as CaissonError).message).toBe('invalid container ID format');
  });
});

import { describe, expect, it } from 'vitest';
import { parseJson } from '../../../lib/bundle.js';
import { ConfigError } from '../../../lib/errors.js';

describe('parseJson (config.json as Go clients write it)', () => {
  it('drops null values wherever they stand, however spaced', () => {
    const text = '{"a": null, "b":[1,null , 2], "c" :\n\tnull, "d": {"e":null}, "f": [null]}';
    expect(parseJson(text, 'x')).toEqual({ b: [1, undefined, 2], d: {}, f: [undefined] });
    expect(Object.keys(parseJson(text, 'x') as object)).toEqual(['b', 'd', 'f']);
  });

  it('keeps strings that only look like null, with or without the slow path', () => {
    expect(parseJson('{"path": "/dev/null", "args": ["null"]}', 'x')).toEqual({ path: '/dev/null', args: ['null'] });
    expect(parseJson('{"s": ": null", "n": null}', 'x')).toEqual({ s: ': null' });
  });

  it('says which file is not JSON', () => {
    expect(() => parseJson('{"a": nul}', '/b/config.json')).toThrow(ConfigError);
    expect(() => parseJson('{"a": nul}', '/b/config.json')).toThrow(/\/b\/config.json is not valid JSON/);
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadBundle } from '../../../lib/bundle.js';
import { ConfigError } from '../../../lib/errors.js';

// A config.json the same byte for byte as the last one of its bundle is not checked again; any
// change is, including one that makes it invalid.
describe('loadBundle', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function bundleWith(args: string[]): string {
    const dir = mkdtempSync(join(tmpdir(), 'caisson-bundle-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'rootfs'));
    writeConfig(dir, args);
    return dir;
  }
  const writeConfig = (dir: string, args: unknown) =>
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ociVersion: '1.0.2', root: { path: 'rootfs' }, process: { args, cwd: '/' } }));

  it('gives the same spec for the same text, and reads every change', () => {
    const dir = bundleWith(['true']);
    const first = loadBundle(dir);
    expect(loadBundle(dir).spec).toBe(first.spec);
    writeConfig(dir, ['false']);
    expect(loadBundle(dir).spec.process!.args).toEqual(['false']);
    writeConfig(dir, 'not a list');
    expect(() => loadBundle(dir)).toThrow(ConfigError);
    writeConfig(dir, ['true']);
    expect(loadBundle(dir).spec.process!.args).toEqual(['true']);
  });

  it('still resolves the rootfs every time', () => {
    const dir = bundleWith(['true']);
    loadBundle(dir);
    rmSync(join(dir, 'rootfs'), { recursive: true });
    expect(() => loadBundle(dir)).toThrow(/rootfs .* does not exist/);
  });
});

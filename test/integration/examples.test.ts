// Every example in examples/ runs, as a user would run it (node examples/X.mjs, importing
// 'caisson' from the built package), and does what it says. Caisson's own: not for runc.

import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/paths.js';
import { execCollect, IS_CAISSON } from '../helpers/sandbox.js';

const example = (name: string, args: string[] = []) => execCollect(process.execPath, [join(REPO, 'examples', `${name}.mjs`), ...args], { timeoutMs: 60_000, cwd: REPO });
const tempDirs = () => readdirSync(tmpdir()).filter((d) => d.startsWith('caisson-example-'));

describe.skipIf(!IS_CAISSON)('examples', () => {
  it('every example has a test here', () => {
    expect(readdirSync(join(REPO, 'examples')).filter((f) => f.endsWith('.mjs')).sort()).toEqual(['parallel.mjs', 'pty-session.mjs', 'run-command.mjs', 'service.mjs']);
  });

  it('run-command: the output of a one-off command', async () => {
    const before = tempDirs();
    const r = await example('run-command');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^hello from one-off, pid 1\n/);
    expect(r.stdout).toContain('\nbin\n');
    expect(r.stdout).toMatch(/exit code 0\n$/);
    expect(tempDirs()).toEqual(before);
  });

  it('service: exec sees the counter move, stats are read, SIGTERM stops it cleanly', async () => {
    const r = await example('service');
    expect(r.code, r.stderr).toBe(0);
    const counts = [...r.stdout.matchAll(/^count: (\d+) \(exec exit 0\)$/gm)].map((m) => Number(m[1]));
    expect(counts).toHaveLength(2);
    expect(counts[1]).toBeGreaterThan(counts[0]!);
    expect(r.stdout).toMatch(/^memory: \d+ bytes used, limit 33554432$/m);
    expect(r.stdout).toMatch(/^pids: \d+ of 32$/m);
    expect(r.stdout).toContain('service said: stopping');
    expect(r.stdout).toMatch(/service exit code 0\n$/);
  });

  it('pty-session: commands typed into the pty run, and the exit code comes back', async () => {
    const r = await example('pty-session');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('six times seven is 42');
    expect(r.stdout).toMatch(/\b24 80\b/);
    expect(r.stdout).toMatch(/shell exit code 3\n$/);
  });

  it('parallel: 50 containers, 8 at a time, all correct', async () => {
    const r = await example('parallel', ['50', '8']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^50 of 50 containers ran correctly, 8 at a time/);
  });
});

// The npm package as a user gets it: `npm pack`, then `npm install ./caisson-x.y.z.tgz` into a
// fresh project. The addon builds there from local headers (nothing downloaded), both binaries
// land in node_modules/.bin, `import { Runtime } from 'caisson'` runs a container, and the
// tarball holds no tests, fixtures or build junk. Caisson's own: not for runc.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, TEST_BASE } from '../helpers/paths.js';
import { execCollect, IS_CAISSON } from '../helpers/sandbox.js';

const WORK = join(TEST_BASE, `package-${process.pid}`);

afterAll(() => {
  rmSync(WORK, { recursive: true, force: true });
});

describe.skipIf(!IS_CAISSON)('npm package', () => {
  it('packs, installs into a fresh project, and runs a container from there', async () => {
    mkdirSync(WORK, { recursive: true });
    const pack = await execCollect('npm', ['pack', '--pack-destination', WORK, '--json'], { cwd: REPO, timeoutMs: 120_000 });
    expect(pack.code, pack.stderr).toBe(0);
    const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    const files = info!.files.map((f) => f.path);
    // What a user needs, and nothing of ours.
    expect(files).toEqual(expect.arrayContaining(['package.json', 'binding.gyp', 'bin/caisson', 'bin/containerd-shim-caisson-v2', 'dist/index.js', 'dist/cli.cjs', 'native/child.c', 'scripts/install-addon.mjs']));
    expect(files.filter((f) => /^(test|\.ci|build|node_modules|test-results|bench)\//.test(f) || f.endsWith('.test.ts') || f.endsWith('.node'))).toEqual([]);

    const project = join(WORK, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'uses-caisson', version: '1.0.0', type: 'module', private: true }));
    const install = await execCollect('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(WORK, info!.filename)], {
      cwd: project,
      timeoutMs: 300_000,
      // A consumer has no nodedir configured: the package finds the headers itself.
      env: { ...process.env, npm_config_nodedir: '' },
    });
    expect(install.code, install.stderr).toBe(0);

    const cli = await execCollect(join(project, 'node_modules/.bin/caisson'), ['--version']);
    expect(cli.stdout).toMatch(/^caisson version 0\.1\.0\n/);
    const shim = await execCollect(join(project, 'node_modules/.bin/containerd-shim-caisson-v2'), ['-v']);
    expect(shim.code === 0 || /not implemented/.test(shim.stderr), shim.stderr).toBe(true);

    writeFileSync(
      join(project, 'run.mjs'),
      [
        "import { Runtime, spec, buildBusyboxRootfs } from 'caisson';",
        "const rootfs = buildBusyboxRootfs(process.argv[2]);",
        "const runtime = new Runtime({ root: process.argv[3] });",
        "const c = await runtime.create('from-package', { config: spec.default({ args: ['sh', '-c', 'echo hello from the package; exit 7'] }), rootfs, stdio: ['ignore', 'pipe', 'inherit'] });",
        // Listen for the end of the output first: it may close before wait() resolves.
        "let out = ''; c.stdout.on('data', (d) => (out += d));",
        "const closed = new Promise((r) => c.stdout.once('close', r));",
        'await c.start();',
        'const { exitCode } = await c.wait();',
        'await closed;',
        'await c.delete();',
        'console.log(out.trim(), exitCode);',
      ].join('\n'),
    );
    const run = await execCollect(process.execPath, [join(project, 'run.mjs'), join(WORK, 'bundle'), join(WORK, 'state')], { cwd: project, timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('hello from the package 7\n');
    execFileSync('rm', ['-rf', join(WORK, 'bundle')]);
  }, 600_000);

  it('a rebuild (npm pack runs one) never leaves a moment without the CLI bundle', async () => {
    const cli = join(REPO, 'dist/cli.cjs');
    const build = execCollect(process.execPath, [join(REPO, 'scripts/build.mjs')], { cwd: REPO, timeoutMs: 120_000 });
    let done = false;
    void build.then(() => (done = true));
    let missing = 0;
    let looks = 0;
    while (!done) {
      looks++;
      if (!existsSync(cli)) missing++;
      await new Promise((r) => setImmediate(r));
    }
    expect((await build).code).toBe(0);
    expect(looks).toBeGreaterThan(10);
    expect(missing).toBe(0);
  });
});

// Bundle the TypeScript sources with esbuild:
//   dist/cli.cjs     the `caisson` entry: one CommonJS file. Start-up is what a CLI pays on every
//                    call, and CommonJS skips the ESM loader (measured here: `caisson list` 55 ms
//                    as one CJS file, 64 ms as split ESM chunks, bare `node -e 0` 48 ms). Each
//                    subcommand's module still only runs when that command does (esbuild keeps
//                    the dynamic imports as lazy initialisers).
//   dist/shim.cjs    containerd-shim-caisson-v2, one CommonJS file for the same reason: containerd
//                    runs `start` (and, with 1.6, `delete`) on every container
//   dist/index.js    the library entry (`import { Runtime } from 'caisson'`), ESM
//   dist/types/      declarations, from tsc
// Run by `npm install` (prepare), `npm run build`, `npm test` and `npm pack` (prepare).
//
// The output is made in a staging directory and moved into dist/ file by file (rename is
// atomic): a build never leaves a moment without dist/cli.cjs, so a build started while the CLI
// runs (the package test packs the tree while other test files drive the CLI) cannot break it.

import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
let commit = '';
try {
  commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
} catch {
  /* not a git checkout (npm tarball) */
}

const dist = join(root, 'dist');
const staging = join(root, `.dist-build-${process.pid}`);
rmSync(staging, { recursive: true, force: true });
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: false,
  logLevel: 'warning',
  define: { __CAISSON_VERSION__: JSON.stringify(pkg.version), __CAISSON_COMMIT__: JSON.stringify(commit) },
};
await build({
  ...common,
  entryPoints: { cli: join(root, 'lib/cli/entry.ts'), shim: join(root, 'lib/shim/main.ts') },
  outExtension: { '.js': '.cjs' },
  outdir: staging,
  format: 'cjs',
  // import.meta.url has no CommonJS meaning: give it the file's URL.
  define: { ...common.define, 'import.meta.url': '__caissonImportMetaUrl' },
  banner: { js: "const __caissonImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
});
await build({
  ...common,
  entryPoints: { index: join(root, 'lib/index.ts') },
  outdir: staging,
  splitting: true,
  chunkNames: '_[name]-[hash]',
});

// Declarations for library users; skipped when TypeScript is not installed (e.g. production installs).
try {
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--declarationDir', join(staging, 'types')], {
    stdio: 'inherit',
  });
} catch (err) {
  if (err.code !== 'ENOENT' && !String(err.message).includes('Cannot find module')) throw err;
}

/** Every file below `dir`, as paths relative to it. */
function filesBelow(dir, rel = '') {
  return readdirSync(join(dir, rel)).flatMap((e) => {
    const r = join(rel, e);
    return statSync(join(dir, r)).isDirectory() ? filesBelow(dir, r) : [r];
  });
}

// Into place, one atomic rename per file; then what this build no longer makes goes.
const made = new Set(filesBelow(staging));
for (const f of made) {
  mkdirSync(dirname(join(dist, f)), { recursive: true });
  renameSync(join(staging, f), join(dist, f));
}
if (existsSync(dist)) for (const f of filesBelow(dist)) if (!made.has(f)) rmSync(join(dist, f), { force: true });
rmSync(staging, { recursive: true, force: true });

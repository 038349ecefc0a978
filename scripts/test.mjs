// `npm test`: install what the tests need, build, run the suite, and end with one line
// "N passed, N failed" (what CI reads).
//
//   npm test                       everything, against caisson
//   npm test -- --runtime runc     the CLI suites against /usr/sbin/runc (compatibility check)
//   npm test -- test/unit          just some files (any vitest filters)

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePackages, TEST_PACKAGES } from './deps.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const env = { ...process.env };

if (process.getuid() !== 0) {
  console.error('npm test must run as root: the tests create real namespaces, mounts and processes.');
  process.exit(1);
}
ensurePackages(TEST_PACKAGES);

const rtIndex = args.indexOf('--runtime');
let label = 'caisson';
if (rtIndex >= 0) {
  const name = args[rtIndex + 1];
  args.splice(rtIndex, 2);
  env.RUNTIME = name.includes('/') ? name : `/usr/sbin/${name}`;
  label = name;
  // Only the suites that drive the CLI make sense against another runtime.
  if (!args.some((a) => !a.startsWith('-'))) args.push('test/integration');
}

// Build the addon if a previous install did not, and the bundle always (it is quick).
const run = (cmd, a) => {
  const r = spawnSync(cmd, a, { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
if (!existsSync(join(root, 'build/Release/caisson.node'))) run('npx', ['--no-install', 'node-gyp', 'rebuild']);
run(process.execPath, [join(root, 'scripts/build.mjs')]);

const outDir = join(root, 'test-results');
mkdirSync(outDir, { recursive: true });
const json = join(outDir, `vitest-${label}.json`);
rmSync(json, { force: true }); // a stale report must not count
const leftoversFile = join(outDir, `leftovers-${label}.txt`);
rmSync(leftoversFile, { force: true });
env.CAISSON_LEFTOVERS_FILE = leftoversFile;
const r = spawnSync(
  process.execPath,
  [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${json}`, ...args],
  { cwd: root, stdio: 'inherit', env },
);

/** Passed and failed counts of a vitest JSON report (a run that failed without one: 1 failed). */
function counts(file, status) {
  let passed = 0;
  let failed = 0;
  if (existsSync(file)) {
    const report = JSON.parse(readFileSync(file, 'utf8'));
    passed = report.numPassedTests ?? 0;
    // Failed tests, plus files that failed without any failed test (they did not even load).
    const brokenFiles = (report.testResults ?? []).filter(
      (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
    );
    failed = (report.numFailedTests ?? 0) + brokenFiles.length;
    for (const f of report.testResults ?? []) {
      const name = f.name.startsWith(root) ? f.name.slice(root.length + 1) : f.name;
      for (const a of f.assertionResults ?? []) {
        if (a.status === 'failed') failures.push(`${name} > ${a.fullName}: ${firstLine(a.failureMessages?.[0])}`);
      }
      if (brokenFiles.includes(f)) failures.push(`${name}: ${firstLine(f.message)}`);
    }
  }
  if (status !== 0 && failed === 0) {
    failed = 1; // the run itself failed (setup, the leak check)
    failures.push(`${file}: the run exited ${status} with no failed test (setup or the leftover check; see its output above)`);
  }
  return { passed, failed };
}

/** What failed, repeated just above the summary line, so the tail of a CI log names it. */
const failures = [];
const firstLine = (s) => String(s ?? '').split('\n').find((l) => l.trim())?.trim().slice(0, 300) ?? '';

// vitest's exit status stays 0 when its global teardown throws, so the leftover check reports
// through a file, and anything left behind counts as one failure of its own.
let { passed, failed } = counts(json, existsSync(leftoversFile) ? 0 : r.status);
if (existsSync(leftoversFile)) {
  failed += 1;
  failures.push(`left behind by the tests:\n    ${readFileSync(leftoversFile, 'utf8').trim().split('\n').join('\n    ')}`);
}

// The whole suite also runs the pure cgroup v2 checks, in a VM (this host is hybrid).
if (label === 'caisson' && !args.some((a) => !a.startsWith('-'))) {
  const { runCgroup2Suite } = await import('./test-cgroup2.mjs');
  const v2 = runCgroup2Suite();
  if (v2.skipped) console.log(`\ncgroup v2 suite skipped: ${v2.skipped}`);
  else {
    const c = counts(v2.json, v2.status);
    passed += c.passed;
    failed += c.failed;
  }
}
const failuresFile = join(outDir, `failures-${label}.txt`);
rmSync(failuresFile, { force: true });
if (failures.length) {
  writeFileSync(failuresFile, `${failures.join('\n')}\n`); // .ci/run repeats it at the very end
  console.log(`\nFailed:\n  ${failures.join('\n  ')}`);
}
const line = `${passed} passed, ${failed} failed`;
writeFileSync(join(outDir, `summary-${label}.txt`), `${line}\n`);
console.log(`\n${line}`);
process.exit(failed ? 1 : 0);

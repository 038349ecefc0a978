// Where the test suite keeps its files, shared by the global setup and the tests.
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');
/** parent of every run's directory */
export const TEST_ROOT = '/tmp/caisson-test';
/**
 * This run's directory. The global setup (in vitest's main process) sets CAISSON_TEST_RUN to its
 * pid before the workers start, so the main process and every worker agree, and two runs at once
 * (a unit run beside an integration run) never touch each other's files.
 */
export const TEST_BASE = process.env.CAISSON_TEST_BASE ?? resolve(TEST_ROOT, process.env.CAISSON_TEST_RUN ?? String(process.pid));
export const FIXTURE_ROOTFS = resolve(TEST_BASE, 'fixture/rootfs');

/** Every .ts file below `dir`, for the tests that read the sources. */
export function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

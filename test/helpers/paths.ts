// Where the test suite keeps its files, shared by the global setup and the tests.
import { resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');
/** every file a test run makes lives below this directory */
export const TEST_BASE = process.env.CAISSON_TEST_BASE ?? '/tmp/caisson-test';
export const FIXTURE_ROOTFS = resolve(TEST_BASE, 'fixture/rootfs');

import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StateStore } from '../../../lib/state/store.js';
import type { ContainerRecord } from '../../../lib/state/store.js';

// A store parses a state.json once while the file stays the same (and not at all after writing it
// itself); any rewrite, by this store or by another process (another caisson renames a new file
// over it), is read afresh.
describe('StateStore.read', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function storeWith(id: string): Promise<StateStore> {
    const root = mkdtempSync(join(tmpdir(), 'caisson-store-'));
    dirs.push(root);
    const store = new StateStore(root);
    (await store.reserve(id)).release();
    store.write(record(id, 100));
    return store;
  }

  function record(id: string, pid: number): ContainerRecord {
    return { version: 1, id, bundle: '/b', rootfs: '/b/rootfs', created: 'now', pid, startTime: '1', annotations: {}, config: { ociVersion: '1.3.0', root: { path: 'rootfs' } }, owner: 0, startOps: {} };
  }

  it('gives the same frozen record while the file is unchanged', async () => {
    const store = await storeWith('a');
    const first = store.read('a')!;
    expect(first.pid).toBe(100);
    expect(store.read('a')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => {
      (first as { pid: number }).pid = 1;
    }).toThrow(TypeError);
  });

  it('reads a record written since, by itself or by another process', async () => {
    const store = await storeWith('a');
    store.read('a');
    store.write(record('a', 200));
    expect(store.read('a')!.pid).toBe(200);
    // Another process: a new file of the same size renamed into place.
    const file = join(store.dir('a'), 'state.json');
    writeFileSync(`${file}.other`, JSON.stringify(record('a', 300)));
    renameSync(`${file}.other`, file);
    expect(store.read('a')!.pid).toBe(300);
    // Another store (another process's) sees the same.
    expect(new StateStore(store.root).read('a')!.pid).toBe(300);
  });

  // create writes the record and start reads it next: that read finds the record it wrote, with
  // no parse (~70 µs of a lifecycle), and another store parses the same data from the file.
  it('keeps the record it wrote for the next read of that file', async () => {
    const store = await storeWith('a');
    const rec = record('a', 200);
    store.write(rec);
    expect(store.read('a')).toBe(rec);
    expect(Object.isFrozen(rec)).toBe(true);
    expect(new StateStore(store.root).read('a')).toEqual(rec);
    // Replaced behind its back, the file is read again.
    const file = join(store.dir('a'), 'state.json');
    writeFileSync(`${file}.other`, JSON.stringify(record('a', 300)));
    renameSync(`${file}.other`, file);
    expect(store.read('a')!.pid).toBe(300);
  });

  it('forgets a removed container', async () => {
    const store = await storeWith('a');
    store.read('a');
    store.remove('a');
    expect(store.read('a')).toBeUndefined();
  });
});

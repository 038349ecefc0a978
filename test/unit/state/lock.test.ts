import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../../lib/errors.js';
import { StateStore } from '../../../lib/state/store.js';

// A container's lock is an flock on its state directory. Whoever waited for it while the holder
// deleted the container must not go on with a directory that is gone, nor with a new container
// of the same name made since.
describe('StateStore.lock', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function store(): StateStore {
    const root = mkdtempSync(join(tmpdir(), 'caisson-lock-'));
    dirs.push(root);
    return new StateStore(root);
  }

  it('waits for the holder, then has the lock', async () => {
    const s = store();
    const held = await s.reserve('a');
    let got = false;
    const waiting = s.lock('a').then((l) => {
      got = true;
      return l;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toBe(false);
    held.release();
    (await waiting).release();
    expect(got).toBe(true);
  });

  /** A lock taken while the holder deletes the container (and, with `remake`, makes it again). */
  async function lockAcrossDelete(remake: boolean): Promise<unknown> {
    const s = store();
    const held = await s.reserve('a');
    const waiting = s.lock('a', 5_000);
    await new Promise((r) => setTimeout(r, 5));
    s.remove('a');
    if (remake) (await s.reserve('a')).release(); // a new "a": not the directory the waiter opened
    held.release();
    return waiting;
  }

  it('is NotFoundError when the container was deleted while it waited', async () => {
    await expect(lockAcrossDelete(false)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('is NotFoundError when the container was deleted and another made under its name', async () => {
    await expect(lockAcrossDelete(true)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('is NotFoundError for a container that does not exist', async () => {
    await expect(store().lock('nope')).rejects.toBeInstanceOf(NotFoundError);
  });
});

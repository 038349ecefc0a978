// The mount table caisson keeps between creates is read again whenever the kernel says it changed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ownMountTable } from '../../lib/host.js';

describe('the cached mount table', () => {
  it('is reused while nothing is mounted, and read again after a mount or an unmount', () => {
    const dir = mkdtempSync(join(tmpdir(), 'caisson-mounttable-'));
    let mounted = false;
    try {
      const before = ownMountTable();
      expect(ownMountTable()).toBe(before); // unchanged: the same parsed copy
      expect(before.some((m) => m.mountPoint === dir)).toBe(false);
      execFileSync('mount', ['-t', 'tmpfs', 'caisson-mounttable', dir]);
      mounted = true;
      const during = ownMountTable();
      expect(during).not.toBe(before);
      expect(during.find((m) => m.mountPoint === dir)?.fstype).toBe('tmpfs');
      expect(ownMountTable()).toBe(during);
      execFileSync('umount', [dir]);
      mounted = false;
      expect(ownMountTable().some((m) => m.mountPoint === dir)).toBe(false);
      expect(Object.isFrozen(ownMountTable())).toBe(true);
    } finally {
      if (mounted) execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// One read from a non-blocking fd, waiting (a native poll, no stream machinery) while it has
// nothing to give. Shared by the sync socket reader and the pty stream.

import * as native from './native.js';

/**
 * Bytes read into `buf` (0 at EOF), or -1 when `stillOpen()` turned false while we waited: the
 * owner closed the fd, whose number may already be another file's. Other errors are thrown.
 */
export async function readWhenReady(fd: number, buf: Buffer, stillOpen: () => boolean): Promise<number> {
  for (;;) {
    if (!stillOpen()) return -1;
    // Not fs.readSync: it reports "nothing yet" as a thrown Error, and building one (its stack
    // trace above all) costs ~20 µs, twice in every lifecycle.
    const n = native.readSome(fd, buf);
    if (n !== native.readAgain()) return n;
    await native.readable(fd);
  }
}

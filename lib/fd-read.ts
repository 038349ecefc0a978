// One read from a non-blocking fd, waiting (a native poll, no stream machinery) while it has
// nothing to give. Shared by the sync socket reader and the pty stream.

import { readSync } from 'node:fs';
import * as native from './native.js';

/**
 * Bytes read into `buf` (0 at EOF), or -1 when `stillOpen()` turned false while we waited: the
 * owner closed the fd, whose number may already be another file's. Other errors are thrown.
 */
export async function readWhenReady(fd: number, buf: Buffer, stillOpen: () => boolean): Promise<number> {
  for (;;) {
    if (!stillOpen()) return -1;
    try {
      return readSync(fd, buf, 0, buf.length, null);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN' || code === 'EWOULDBLOCK') await native.readable(fd);
      else if (code !== 'EINTR') throw err;
    }
  }
}

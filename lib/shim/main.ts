// containerd-shim-caisson-v2's entry (bundled into dist/shim.cjs). Each action loads only its
// own modules: `start` runs on every container and must stay cheap.

import { readSync, writeSync } from 'node:fs';
import { parseFlags } from './flags.js';

function readStdin(): Buffer {
  const chunks: Buffer[] = [];
  const buf = Buffer.allocUnsafe(64 * 1024);
  for (let total = 0; ; ) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EOF' || code === 'EBADF' || code === 'ENXIO' || code === 'EINVAL') break;
      throw err;
    }
    if (n <= 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
    total += n;
    if (total > 10 << 20) throw new Error('stdin larger than 10 MiB');
  }
  return Buffer.concat(chunks);
}

function writeAll(fd: number, data: Buffer | string): void {
  const b = typeof data === 'string' ? Buffer.from(data) : data;
  for (let off = 0; off < b.length; ) off += writeSync(fd, b, off);
}

export async function main(argv: string[]): Promise<number> {
  const flags = parseFlags(argv);
  if (flags.version) {
    const { versionText } = await import('./info.js');
    writeAll(1, versionText(process.argv[1] ?? 'containerd-shim-caisson-v2'));
    return 0;
  }
  if (flags.info) {
    const { runInfo } = await import('./info.js');
    writeAll(1, await runInfo(readStdin()));
    return 0;
  }
  switch (flags.action) {
    case 'start': {
      const { runStart } = await import('./start.js');
      writeAll(1, await runStart(flags, readStdin()));
      return 0;
    }
    case 'delete': {
      const { runDelete } = await import('./delete-command.js');
      writeAll(1, await runDelete(flags, (m) => writeAll(2, `${m}\n`)));
      return 0;
    }
    case '': {
      const { runServer } = await import('./server.js');
      await runServer(flags);
      return -1; // keeps running
    }
    default:
      throw new Error(`unknown action ${JSON.stringify(flags.action)} (start, delete, or none for the server)`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: Error) => {
    writeAll(2, `containerd-shim-caisson-v2: ${err.message}\n`);
    process.exitCode = 1;
  },
);

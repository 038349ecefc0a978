// What containerd puts in a process's stdin/stdout/stderr: a path to a FIFO it created (no
// scheme, or fifo://), `file:///path` (stdout and stderr appended to one file), or
// `binary:///path?k=v` (a logging program that gets the streams as fds 3 and 4). Empty means
// not wired (/dev/null).

export type StdioTarget =
  | { kind: 'none' }
  | { kind: 'fifo'; path: string }
  | { kind: 'file'; path: string }
  | { kind: 'binary'; path: string; args: string[] };

export class StdioUriError extends Error {}

export function parseStdio(value: string): StdioTarget {
  if (!value) return { kind: 'none' };
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase();
  if (!scheme) return { kind: 'fifo', path: value };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new StdioUriError(`invalid stdio URI ${JSON.stringify(value)}`);
  }
  const path = decodeURIComponent(url.pathname);
  if (!path.startsWith('/')) throw new StdioUriError(`stdio URI ${JSON.stringify(value)} needs an absolute path`);
  switch (scheme) {
    case 'fifo':
      return { kind: 'fifo', path };
    case 'file':
      return { kind: 'file', path };
    case 'binary':
    case 'binary-v2': {
      // As containerd's binary logger: every query key, then its first value, as arguments.
      const args: string[] = [];
      for (const key of new Set(url.searchParams.keys())) {
        args.push(key);
        const v = url.searchParams.get(key);
        if (v) args.push(v);
      }
      return { kind: 'binary', path, args };
    }
    default:
      throw new StdioUriError(`unsupported stdio URI scheme ${scheme}:// in ${JSON.stringify(value)} (fifo, file and binary are supported)`);
  }
}

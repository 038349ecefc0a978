// An interactive shell in a container, on a pty the library hands over (no console socket).
//
//   sudo node examples/pty-session.mjs          # from a terminal: you get the shell
//   echo 'echo hi' | sudo node examples/pty-session.mjs   # not a terminal: runs a short script
//
// From a terminal our own terminal goes raw and everything is relayed both ways, with
// resizes; otherwise a few commands are typed into the container's terminal.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBusyboxRootfs, Runtime, spec } from 'caisson';

const dir = mkdtempSync(join(tmpdir(), 'caisson-example-'));
const interactive = process.stdin.isTTY && process.stdout.isTTY;
try {
  const rootfs = buildBusyboxRootfs(dir);
  const runtime = new Runtime({ root: join(dir, 'state') });
  const config = spec.default({ args: ['sh'] }, spec.withHostname('pty-session'));
  const container = await runtime.create(`pty-session-${process.pid}`, { config, rootfs, tty: true });
  const { pty } = container;
  pty.stream.pipe(process.stdout);
  await container.start();
  if (interactive) {
    const resize = () => pty.resize(process.stdout.rows, process.stdout.columns);
    resize();
    process.stdout.on('resize', resize);
    process.stdin.setRawMode(true);
    process.stdin.pipe(pty.stream);
  } else {
    pty.resize(24, 80);
    pty.stream.write('echo "six times seven is $((6 * 7))"; stty size; exit 3\n');
  }
  const { exitCode } = await container.wait();
  if (interactive) process.stdin.setRawMode(false);
  process.stdin.unpipe();
  process.stdin.pause();
  await container.delete();
  console.log(`\nshell exit code ${exitCode}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
